"""formkit web end to end, in a real headless Chromium (Debian's chromium + chromedriver through
Selenium; nothing is downloaded): ``formkit web DEMO --no-browser`` is started as a user would,
and the browser opens its URL, uploads a case file with a problem, sees it, uploads the fixed
file, looks at the first letter, makes brukarbrev 1, downloads the zip and opens a letter from
it (equal to the CLI's), and regenerates a board from an uploaded one. It also takes the
screenshots in the README (``docs/web-*.png``: ``FORMKIT_SCREENSHOTS=1 python -m pytest
tests/web -m browser``)."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from formkit.cli import main
from formkit.web.jobs import JOBS
from test_letters import text_of
from conftest import make_demo

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """``formkit web demo --no-browser`` in its own process; yields (URL, demo folder)."""
    demo = make_demo(tmp_path / "demo")
    private = tmp_path / "tmp"
    private.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""), "TMPDIR": str(private)}
    process = subprocess.Popen([sys.executable, "-m", "formkit", "web", str(demo), "--no-browser"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:\d+/\?token=\S+", line)
        assert match, line + process.stderr.read() if process.stderr else line
        yield match.group(0), demo
    finally:
        process.terminate()  # SIGTERM ends the server like Ctrl-C
        process.wait(20)
    assert process.returncode == 0
    assert list(private.glob("formkit-web-*")) == []  # the private working folder is gone


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    downloads = tmp_path / "nedladdat"
    downloads.mkdir()
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or shutil.which("chromium-browser") or ""
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1200,1000",
                     "--lang=sv-SE", "--disable-gpu", f"--user-data-dir={tmp_path / 'chromium-profil'}"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or ""), options=options)
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.downloads = downloads  # type: ignore[attr-defined]
    try:
        yield driver
    finally:
        driver.quit()


def wait(condition, seconds: float = 90):  # type: ignore[no-untyped-def]
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            found = condition()
        except (StaleElementReferenceException, NoSuchElementException):
            found = None  # the page is being replaced by the next one
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError("waited in vain")


def screenshot(driver, name: str, folder: Path) -> None:  # type: ignore[no-untyped-def]
    """A full-page PNG: into ``docs/`` for the README when FORMKIT_SCREENSHOTS=1 (so that an
    ordinary test run leaves the checkout as it was), else into the test's own folder."""
    target = DOCS if os.environ.get("FORMKIT_SCREENSHOTS") == "1" else folder
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1200, min(max(height, 700), 2600))
    target.mkdir(exist_ok=True)
    assert driver.save_screenshot(str(target / name))
    driver.set_window_size(1200, 1000)


def test_a_coordinator_makes_brukarbrev_1_and_a_board_in_the_browser(served: tuple[str, Path], browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url, demo = served
    driver = browser
    page_of = lambda: driver.find_element(By.TAG_NAME, "body").text  # noqa: E731

    # Without the token nothing is shown.
    driver.get(url.split("?")[0])
    assert "länken som formkit skrev ut" in page_of()

    # Open: the case files of the folder and an upload.
    driver.get(url)
    assert "Välj ärendefil" in driver.title and "token" not in driver.current_url
    assert driver.find_element(By.CSS_SELECTOR, 'button[data-file="arenden.yaml"]')
    screenshot(driver, "web-1-valj-arendefil.png", tmp_path)

    # Upload a case file with a problem: it is shown with its line, and every job is greyed out.
    good = (demo / "arenden.yaml").read_text(encoding="utf-8")
    postcode = re.search(r'postcode: ("?)(\d{3} \d{2})\1', good)
    assert postcode
    broken = tmp_path / "med-fel" / "arenden.yaml"
    broken.parent.mkdir()
    broken.write_text(good.replace(postcode.group(0), "postcode: 12A 45", 1), encoding="utf-8")
    driver.find_element(By.ID, "case-file").send_keys(str(broken))
    driver.find_element(By.ID, "upload-case").click()
    wait(lambda: "Ärendefilen har 1 fel" in page_of())
    assert "fem siffror" in page_of() and "rad " in page_of()
    assert len(driver.find_elements(By.CSS_SELECTOR, ".job.blocked")) == len(JOBS)
    assert not driver.find_element(By.ID, "run-brukarbrev").is_enabled()
    screenshot(driver, "web-2-kontroll-med-fel.png", tmp_path)

    # Fix it: upload the corrected file.
    driver.find_element(By.ID, "fixed-file").send_keys(str(demo / "arenden.yaml"))
    driver.find_element(By.ID, "upload-fixed").click()
    wait(lambda: driver.find_elements(By.ID, "check-ok"))
    assert not driver.find_elements(By.CSS_SELECTOR, ".job.blocked")
    screenshot(driver, "web-3-jobb.png", tmp_path)

    # Brukarbrev 1: look at the first letter, then make the batch.
    Select(driver.find_element(By.ID, "bb-number")).select_by_value("1")
    driver.find_element(By.ID, "preview-brukarbrev").click()
    wait(lambda: driver.find_elements(By.ID, "preview-image") or driver.find_elements(By.ID, "preview-text"))
    if driver.find_elements(By.ID, "preview-image"):
        wait(lambda: driver.execute_script("return document.getElementById('preview-image').naturalWidth > 0"))
    screenshot(driver, "web-4-forhandsvisning.png", tmp_path)
    driver.find_element(By.ID, "run-after-preview").click()
    wait(lambda: driver.find_elements(By.ID, "run-done"))
    assert str(demo / "ut") in page_of() and "Skyddad identitet" in page_of() and "Hoppades över" in page_of()
    screenshot(driver, "web-5-klart.png", tmp_path)

    # Download the zip and open a letter from it: the same letters as the CLI's.
    driver.find_element(By.ID, "download").click()
    downloads: Path = driver.downloads
    archive_path = wait(lambda: next((p for p in downloads.glob("*.zip")), None))
    web_out = tmp_path / "fran-sidan"
    with zipfile.ZipFile(archive_path) as archive:
        archive.extractall(web_out)
    cli_out = tmp_path / "fran-cli"
    result = CliRunner().invoke(main, ["letters", str(demo / "arenden.yaml"), "-n", "1", "--date", dt.date.today().isoformat(),
                                       "--templates", str(demo / "mallar"), "-o", str(cli_out)])
    assert result.exit_code == 0, result.output
    letters = sorted(p.relative_to(cli_out).as_posix() for p in cli_out.rglob("brukarbrev-1_*.docx"))
    assert len(letters) > 20
    assert sorted(p.relative_to(web_out).as_posix() for p in web_out.rglob("brukarbrev-1_*.docx")) == letters
    for name in letters:
        assert text_of(web_out / name) == text_of(cli_out / name), name
    assert "Brukarundersökning" in text_of(web_out / letters[0]) or text_of(web_out / letters[0])

    # Regenerate a board: first from the folder, then from an uploaded copy.
    driver.get(url.split("?")[0])
    Select(driver.find_element(By.ID, "board-assessor")).select_by_value("bh-1")
    driver.find_element(By.ID, "run-tavla").click()
    wait(lambda: driver.find_elements(By.ID, "run-done"))
    board = demo / "ut" / "uppfoljningstavla_bh-1.xlsx"
    assert board.exists()
    driver.get(url.split("?")[0])
    Select(driver.find_element(By.ID, "board-assessor")).select_by_value("bh-1")
    driver.find_element(By.ID, "board-file").send_keys(str(board))
    driver.find_element(By.ID, "run-tavla").click()
    wait(lambda: driver.find_elements(By.ID, "run-done"))
    assert "Den tidigare versionen finns i sakerhetskopior/" in page_of()
    for old in downloads.glob("*.zip"):
        old.unlink()
    driver.find_element(By.ID, "download").click()
    board_zip = wait(lambda: next((p for p in downloads.glob("*.zip")), None))
    time.sleep(0.5)
    names = zipfile.ZipFile(board_zip).namelist()
    assert "uppfoljningstavla_bh-1.xlsx" in names and any(n.startswith("sakerhetskopior/") for n in names)

    # The templates page.
    driver.find_element(By.LINK_TEXT, "Mallar").click()
    wait(lambda: "Ladda ner mallen" in page_of())
    screenshot(driver, "web-6-mallar.png", tmp_path)
