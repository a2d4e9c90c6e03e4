"""The web page under Flask's test client: a demo folder (``formkit init``), a private working
folder and an app bound (in its own eyes) to 127.0.0.1:PORT, opened with its token."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from formkit import example
from formkit.output import write
from formkit.web.app import create_app
from formkit.web.state import State

PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"
TOKEN = "rätt-nyckel-för-testet"


@dataclass
class Page:
    """A browser session on the page: ``get``/``post`` with the CSRF token filled in."""

    client: FlaskClient
    state: State
    csrf: str = ""

    def get(self, path: str, **kwargs: object) -> TestResponse:
        return self.client.get(path, base_url=BASE, **kwargs)

    def post(self, path: str, data: dict[str, object] | None = None, *, csrf: bool = True, **kwargs: object) -> TestResponse:
        form = dict(data or {})
        if csrf:
            form.setdefault("csrf", self.csrf)
        return self.client.post(path, data=form, base_url=BASE, **kwargs)

    def open(self) -> TestResponse:
        response = self.get(f"/?token={TOKEN}")
        assert response.status_code == 302
        page = self.get("/")
        self.csrf = re.search(r'name="csrf" value="([^"]+)"', page.get_data(as_text=True)).group(1)  # type: ignore[union-attr]
        return page


def make_demo(folder: Path) -> Path:
    write(example.plan(folder, dt.date.today()), folder)
    return folder


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return make_demo(tmp_path / "demo")


def page_for(folder: Path, workdir: Path, **state: object) -> Page:
    workdir.mkdir(mode=0o700, exist_ok=True)
    st = State(folder=folder.resolve(), workdir=workdir, port=PORT, token=TOKEN, **state)  # type: ignore[arg-type]
    return Page(create_app(st).test_client(), st)


@pytest.fixture
def page(demo: Path, tmp_path: Path) -> Iterator[Page]:
    opened = page_for(demo, tmp_path / "privat")
    opened.open()
    yield opened
