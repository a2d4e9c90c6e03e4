"""Shared fixtures. Tests that need LibreOffice, faketime or Chromium are marked and skip, with the
reason, where the program is missing; .ci/run installs them and fails if any of them skipped."""

from __future__ import annotations

import os
import shutil

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    missing = {
        "soffice": None if (shutil.which("soffice") or shutil.which("libreoffice")) else "LibreOffice (soffice) is not installed",
        "faketime": None if shutil.which("faketime") and (shutil.which("soffice") or shutil.which("libreoffice")) else "faketime and LibreOffice are needed",
        "browser": None if (shutil.which("chromium") or shutil.which("chromium-browser")) and shutil.which("chromedriver")
        else "Chromium and chromedriver are needed (apt-get install chromium chromium-driver)",
    }
    if os.environ.get("FORMKIT_REQUIRE_PROGRAMS"):
        absent = sorted({r for r in missing.values() if r})
        if absent and any(item.get_closest_marker(m) for item in items for m in missing):
            raise pytest.UsageError("FORMKIT_REQUIRE_PROGRAMS is set but: " + "; ".join(absent))
    for item in items:
        for mark, reason in missing.items():
            if reason and item.get_closest_marker(mark):
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the real home folder (LibreOffice profiles, caches)."""
    monkeypatch.setenv("HOME", str(tmp_path_factory.mktemp("home")))
