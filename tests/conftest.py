"""Shared fixtures. Tests that need LibreOffice or faketime are marked and skip, with the
reason, where the program is missing; .ci/run installs both and fails if any of them skipped."""

from __future__ import annotations

import shutil

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    missing = {
        "soffice": None if (shutil.which("soffice") or shutil.which("libreoffice")) else "LibreOffice (soffice) is not installed",
        "faketime": None if shutil.which("faketime") and (shutil.which("soffice") or shutil.which("libreoffice")) else "faketime and LibreOffice are needed",
    }
    for item in items:
        for mark, reason in missing.items():
            if reason and item.get_closest_marker(mark):
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the real home folder (LibreOffice profiles, caches)."""
    monkeypatch.setenv("HOME", str(tmp_path_factory.mktemp("home")))
