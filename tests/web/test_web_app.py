"""formkit web under Flask's test client: the guard (token, host, CSRF, paths, uploads), the
check and greyed-out jobs, and a batch whose letters equal the CLI's."""

from __future__ import annotations

import datetime as dt
import io
import re
import socket
import stat
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from formkit.case.loading import load_case
from formkit.cli import main
from formkit.web import preview as preview_module
from formkit.web import server
from formkit.web.jobs import JOBS
from formkit.web.state import State
from helpers import case_data
from test_letters import text_of
from conftest import BASE, PORT, TOKEN, Page, page_for

DATE = "2026-11-23"


def html(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


def wait_for(page: Page, location: str) -> dict[str, object]:
    for _ in range(600):
        status = page.get(location + "/status").get_json()
        if status["state"] != "running":
            return status
        time.sleep(0.05)
    raise AssertionError("the run did not finish")


def run_job(page: Page, key: str, data: dict[str, object]) -> str:
    response = page.post(f"/jobb/{key}", {"action": "run", **data}, content_type="multipart/form-data")
    assert response.status_code == 302, html(response)
    location = response.headers["Location"]
    assert wait_for(page, location)["state"] == "done", html(page.get(location))
    return location


def choose(page: Page, name: str = "arenden.yaml") -> str:
    assert page.post("/arende/valj", {"fil": name}).status_code == 302
    return html(page.get("/"))


def broken_template(source: Path) -> bytes:
    """The bundled template with a field that does not exist (what a typo in Word gives)."""
    out = io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename == "word/document.xml":
                data = data.replace(b"{{ client.name }}", b"{{ klient.namn }}", 1)
            new.writestr(item, data)
    return out.getvalue()


# --- the guard -------------------------------------------------------------------------------

def test_nothing_is_shown_without_the_token_and_the_token_gives_a_strict_cookie(demo: Path, tmp_path: Path) -> None:
    page = page_for(demo, tmp_path / "privat")
    for path in ("/", "/mallar", "/static/formkit.css", "/korning/x/zip"):
        refused = page.get(path)
        assert refused.status_code == 403
        assert "länken som formkit skrev ut" in html(refused)
    assert page.get("/?token=fel-nyckel").status_code == 403
    opened = page.get(f"/?token={TOKEN}")
    assert opened.status_code == 302 and opened.headers["Location"] == "/"
    cookie = opened.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and TOKEN not in cookie
    assert page.get("/").status_code == 200


def test_another_host_is_refused_even_with_a_session(page: Page) -> None:
    for base in ("http://evil.example:8765", f"http://127.0.0.1:{PORT + 1}", "http://192.168.1.5:8765"):
        response = page.client.get("/", base_url=base)
        assert response.status_code == 403
        assert "bara på den här datorn" in html(response)
    local = page.client.get("/", base_url=f"http://localhost:{PORT}")  # the host is fine; its cookie is 127.0.0.1's
    assert local.status_code == 403 and "länken som formkit skrev ut" in html(local)


def test_paths_outside_the_folder_are_refused(page: Page, demo: Path, tmp_path: Path) -> None:
    secret = tmp_path / "hemlig.yaml"
    secret.write_text(yaml.safe_dump(case_data()), encoding="utf-8")
    (demo / "lank.yaml").symlink_to(secret)
    for name in ("../hemlig.yaml", "..\\hemlig.yaml", str(secret), "lank.yaml"):
        response = page.post("/arende/valj", {"fil": name})
        assert response.status_code == 400, name
        assert "mappen" in html(response)
    assert page.get("/mallar/letters/../../../etc/passwd").status_code == 400
    assert page.get("/?fil=../../etc/passwd").status_code == 400
    assert page.get("/mallar/letters/hemlig.yaml").status_code == 404
    assert "case_path" not in html(page.get("/")) and page.state.sessions  # still the choose page
    assert "Välj ärendefil" in html(page.get("/"))


def test_a_form_without_its_csrf_token_or_from_another_site_is_refused(page: Page) -> None:
    for response in (
        page.post("/arende/valj", {"fil": "arenden.yaml"}, csrf=False),
        page.post("/arende/valj", {"fil": "arenden.yaml", "csrf": "gammal"}),
        page.post("/arende/valj", {"fil": "arenden.yaml"}, headers={"Origin": "http://evil.example"}),
    ):
        assert response.status_code == 403
        assert "Välj ärendefil" in html(page.get("/"))  # nothing was chosen


def test_uploads_are_limited_in_size_and_checked_by_content(demo: Path, tmp_path: Path) -> None:
    page = page_for(demo, tmp_path / "privat", max_upload=4096)
    page.open()
    big = page.post("/arende/ladda-upp", {"fil": (io.BytesIO(b"a: 1\n" * 2000), "arenden.yaml")},
                    content_type="multipart/form-data")
    assert big.status_code == 413 and "för stor" in html(big)
    for name, data, words in (
        ("arenden.xlsx", b"inte en zip", "ingen riktig .xlsx-fil"),
        ("arenden.yaml", "formkit: 1\nnamn: Åsa".encode("latin-1"), "UTF-8"),
        ("arenden.exe", b"MZ", "ska sluta på"),
    ):
        response = page.post("/arende/ladda-upp", {"fil": (io.BytesIO(data), name)}, content_type="multipart/form-data")
        assert response.status_code == 415, name
        assert words in html(response)
    assert not list((tmp_path / "privat").rglob("arenden.*"))


def test_an_uploaded_case_is_kept_0600_in_a_0700_folder(page: Page, tmp_path: Path, demo: Path) -> None:
    response = page.post("/arende/ladda-upp", {"fil": (io.BytesIO((demo / "arenden.yaml").read_bytes()), "arenden.yaml")},
                         content_type="multipart/form-data")
    assert response.status_code == 302
    (saved,) = (tmp_path / "privat").rglob("arenden.yaml")
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert stat.S_IMODE(saved.parent.stat().st_mode) == 0o700
    assert "Allt ser bra ut" in html(page.get("/"))


# --- the check and the jobs --------------------------------------------------------------------

def test_problems_in_the_case_file_are_shown_with_their_line_and_every_job_is_greyed_out(page: Page, tmp_path: Path) -> None:
    data = case_data()
    data["clients"][1]["address"]["postcode"] = "12A 45"
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    response = page.post("/arende/ladda-upp", {"fil": (io.BytesIO(text.encode()), "arenden.yaml")},
                         content_type="multipart/form-data")
    assert response.status_code == 302
    shown = html(page.get("/"))
    assert "Ärendefilen har 1 fel" in shown
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "12A 45" in row)
    assert "clients[1].address.postcode" in shown and f"rad {line}" in shown and "fem siffror" in shown
    assert shown.count('class="card job blocked"') == len(JOBS) == 7
    assert shown.count("<fieldset disabled>") == len(JOBS)
    refused = page.post("/jobb/brukarbrev", {"action": "run", "number": "1"}, content_type="multipart/form-data")
    assert refused.status_code == 409
    data["clients"][1]["address"]["postcode"] = "123 45"
    page.post("/arende/ladda-upp", {"fil": (io.BytesIO(yaml.safe_dump(data).encode()), "arenden.yaml")},
              content_type="multipart/form-data")
    fixed = html(page.get("/"))
    assert "Allt ser bra ut" in fixed and "Ärendefilen har 1 fel" not in fixed


def test_a_job_is_greyed_out_with_the_reason_the_family_gives(page: Page) -> None:
    data = case_data()
    data["staff"] = [s for s in data["staff"] if s["role"] != "assessor"]
    page.post("/arende/ladda-upp", {"fil": (io.BytesIO(yaml.safe_dump(data, allow_unicode=True).encode()), "arenden.yaml")},
              content_type="multipart/form-data")
    shown = html(page.get("/"))
    board = shown.split('id="job-tavla"')[1].split("</article>")[0]
    assert 'class="reason"' in board and "ingen medarbetare med rollen assessor" in board and "<fieldset disabled>" in board
    letters = shown.split('id="job-brukarbrev"')[1].split("</article>")[0]
    assert "<fieldset disabled>" not in letters and 'class="reason"' not in letters


def test_a_broken_template_greys_out_its_job_and_an_upload_of_it_is_refused(page: Page, demo: Path) -> None:
    choose(page)
    template = demo / "mallar" / "letters" / "brukarbrev-1.docx"
    good = template.read_bytes()
    bad = broken_template(template)
    refused = page.post("/mallar/letters/brukarbrev-1.docx", {"fil": (io.BytesIO(bad), "min-mall.docx")},
                        content_type="multipart/form-data")
    assert refused.status_code == 422
    assert "klient.namn" in html(refused) and "sparades inte" in html(refused)
    assert template.read_bytes() == good
    template.write_bytes(bad)
    page.post("/arende/kontrollera")
    shown = html(page.get("/"))
    letters = shown.split('id="job-brukarbrev"')[1].split("</article>")[0]
    assert "Mallen letters/brukarbrev-1.docx har fel" in letters and "<fieldset disabled>" in letters
    assert "<fieldset disabled>" not in shown.split('id="job-tavla"')[1].split("</article>")[0]
    saved = page.post("/mallar/letters/brukarbrev-1.docx", {"fil": (io.BytesIO(good), "brukarbrev-1.docx")},
                      content_type="multipart/form-data")
    assert saved.status_code == 200 and "kontrollerad och sparad" in html(saved)
    assert template.read_bytes() == good and stat.S_IMODE(template.stat().st_mode) == 0o600
    assert "<fieldset disabled>" not in html(page.get("/")).split('id="job-brukarbrev"')[1].split("</article>")[0]
    download = page.get("/mallar/letters/brukarbrev-1.docx")
    assert download.status_code == 200 and download.data == good


def test_brukarbrev_1_from_the_page_equals_the_cli(page: Page, demo: Path, tmp_path: Path) -> None:
    choose(page)
    location = run_job(page, "brukarbrev", {"number": "1", "unit": "", "date": DATE})
    done = html(page.get(location))
    assert "Klart:" in done and str(demo / "ut") in done
    assert "Hoppades över (1)" in done and "saknar adress" in done
    assert "Skyddad identitet (4 filer)" in done and "innerkuvert_brukarbrev-1_b-003.docx" in done  # one inner-envelope sheet per client, and the forwarding instructions
    archive = zipfile.ZipFile(io.BytesIO(page.get(location + "/zip").data))
    web_out = tmp_path / "fran-sidan"
    archive.extractall(web_out)
    cli_out = tmp_path / "fran-cli"
    result = CliRunner().invoke(main, ["letters", str(demo / "arenden.yaml"), "-n", "1", "--date", DATE,
                                       "--templates", str(demo / "mallar"), "-o", str(cli_out)])
    assert result.exit_code == 0, result.output
    names = sorted(p.relative_to(cli_out).as_posix() for p in cli_out.rglob("*.docx"))
    assert sorted(p.relative_to(web_out).as_posix() for p in web_out.rglob("*.docx")) == names
    assert len(names) > 20
    for name in names:
        assert text_of(web_out / name) == text_of(cli_out / name), name


def test_no_personal_number_in_a_url_or_a_title(page: Page, demo: Path) -> None:
    numbers = [c.personal_number for c in load_case(demo / "arenden.yaml").clients if c.personal_number]
    shown = choose(page)
    location = run_job(page, "moten", {"kind": "term", "who": "", "date": DATE})
    pages = [shown, html(page.get(location)), html(page.get("/mallar"))]
    for text in pages:
        title = re.search(r"<title>(.*?)</title>", text, re.S).group(1)  # type: ignore[union-attr]
        urls = re.findall(r'(?:href|src|action|value)="([^"]*)"', text)
        for number in numbers:
            digits = number.replace("-", "")
            assert digits[-10:] not in title.replace("-", "")
            assert not any(digits[-10:] in u.replace("-", "") for u in urls)
    assert location.startswith("/korning/") and not any(n[-4:] in location for n in numbers if False)


def test_preview_shows_the_first_letter_as_text_without_libreoffice(page: Page, monkeypatch: pytest.MonkeyPatch) -> None:
    choose(page)
    monkeypatch.setattr(preview_module.shutil, "which", lambda _name: None)
    response = page.post("/jobb/brukarbrev", {"action": "preview", "number": "2", "unit": "", "date": DATE},
                         content_type="multipart/form-data")
    shown = html(response)
    assert response.status_code == 200
    assert "brukarbrev-2_b-001.docx" in shown and 'id="preview-text"' in shown
    first = load_case(page.state.folder / "arenden.yaml").client("b-001")
    assert first.name.replace("&", "&amp;") in shown or first.name in shown
    assert not (page.state.folder / "ut").exists()  # nothing written before the batch is made
    assert 'name="number" value="2"' in shown


@pytest.mark.soffice
def test_preview_shows_the_first_page_as_an_image(page: Page) -> None:
    choose(page)
    shown = html(page.post("/jobb/oppenvard", {"action": "preview", "appendix": "1", "period": ""},
                           content_type="multipart/form-data"))
    src = re.search(r'id="preview-image" src="([^"]+)"', shown).group(1)  # type: ignore[union-attr]
    image = page.get(src)
    assert image.status_code == 200 and image.data.startswith(b"\x89PNG")


def test_a_form_error_is_shown_beside_its_job(page: Page) -> None:
    choose(page)
    response = page.post("/jobb/oppenvard", {"action": "run", "appendix": "4", "period": "2026-T7"},
                         content_type="multipart/form-data")
    assert response.status_code == 422
    job = html(response).split('id="job-oppenvard"')[1].split("</article>")[0]
    assert "ingen period" in job


def test_the_board_is_regenerated_from_the_folder_or_from_an_upload(page: Page, demo: Path) -> None:
    choose(page)
    location = run_job(page, "tavla", {"assessor": "bh-1"})
    board = demo / "ut" / "uppfoljningstavla_bh-1.xlsx"
    assert board.exists()
    assert "1 uppföljningstavla med" in html(page.get(location))  # the summary, counted while the board was made
    before = sorted((demo / "ut").rglob("*"))
    refused = page.post("/jobb/tavla", {"action": "run", "assessor": "", "board": (io.BytesIO(board.read_bytes()), "min-tavla.xlsx")},
                        content_type="multipart/form-data")
    assert refused.status_code == 422 and "Välj vems tavla" in html(refused)
    location = run_job(page, "tavla", {"assessor": "bh-1", "board": (io.BytesIO(board.read_bytes()), "min-tavla.xlsx")})
    names = zipfile.ZipFile(io.BytesIO(page.get(location + "/zip").data)).namelist()
    assert "uppfoljningstavla_bh-1.xlsx" in names
    assert any(n.startswith("sakerhetskopior/uppfoljningstavla_bh-1") for n in names)
    assert sorted((demo / "ut").rglob("*")) == before  # an uploaded board comes back as a download only


@pytest.mark.parametrize(("key", "form", "command"), [
    ("kvalitet", {"team": "", "period": ""}, ["kvalitet"]),
    ("arshjul", {"unit": "ht-norra"}, ["arshjul", "--unit", "ht-norra"]),
])
def test_the_quality_file_and_the_year_wheel_are_the_clis(page: Page, demo: Path, tmp_path: Path, key: str,
                                                          form: dict[str, str], command: list[str]) -> None:
    choose(page)
    year = str(dt.date.today().year)
    form = {**form, "year": year} if key == "arshjul" else form
    location = run_job(page, key, form)
    names = sorted(zipfile.ZipFile(io.BytesIO(page.get(location + "/zip").data)).namelist())
    cli_out = tmp_path / "fran-cli"
    result = CliRunner().invoke(main, [command[0], str(demo / "arenden.yaml"), *command[1:], "-o", str(cli_out)])
    assert result.exit_code == 0, result.output
    assert names == sorted(p.relative_to(cli_out).as_posix() for p in cli_out.rglob("*") if p.is_file())
    assert names


def test_minutes_from_an_uploaded_notes_file_equal_the_clis(page: Page, demo: Path, tmp_path: Path) -> None:
    choose(page)
    case = load_case(demo / "arenden.yaml")
    meeting = next(m for m in case.meetings if m.kind == "term_meeting")
    notes = yaml.safe_dump({"client": meeting.client, "date": meeting.date.isoformat(),
                            "participants": [{"name": "Ali Hassan", "role": "stödperson"}],
                            "answers": {"1": "Det går bra."}}, allow_unicode=True)
    location = run_job(page, "minnesanteckningar", {"date": DATE, "notes": (io.BytesIO(notes.encode()), "anteckningar.yaml")})
    web_out = tmp_path / "fran-sidan"
    zipfile.ZipFile(io.BytesIO(page.get(location + "/zip").data)).extractall(web_out)
    notes_file = tmp_path / "anteckningar.yaml"
    notes_file.write_text(notes, encoding="utf-8")
    cli_out = tmp_path / "fran-cli"
    result = CliRunner().invoke(main, ["meetings", str(demo / "arenden.yaml"), "--kind", "term", "--minutes", str(notes_file),
                                       "--at", DATE, "--templates", str(demo / "mallar"), "-o", str(cli_out)])
    assert result.exit_code == 0, result.output
    documents = sorted(p.relative_to(cli_out).as_posix() for p in cli_out.rglob("*.docx"))
    assert documents and sorted(p.relative_to(web_out).as_posix() for p in web_out.rglob("*.docx")) == documents
    for name in documents:
        assert text_of(web_out / name) == text_of(cli_out / name)
    assert "Det går bra." in text_of(web_out / documents[0])

    wrong = notes.replace('"1"', "fråga-99").replace("'1'", "fråga-99")
    refused = page.post("/jobb/minnesanteckningar", {"action": "run", "date": DATE,
                                                     "notes": (io.BytesIO(wrong.encode()), "anteckningar.yaml")},
                        content_type="multipart/form-data")
    assert refused.status_code == 422
    job = html(refused).split('id="job-minnesanteckningar"')[1].split("</article>")[0]
    assert "fråga-99" in job and "finns inte" in job and "rad " in job


def test_the_stop_button_stops_the_server(page: Page) -> None:
    stopped = []
    page.state.stop = lambda: stopped.append(True)
    assert page.post("/avsluta").status_code == 200
    assert stopped == [True]


# --- the server ----------------------------------------------------------------------------

def test_the_server_binds_loopback_prints_its_url_and_cleans_up_when_idle(demo: Path, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    private = tmp_path / "tmp"
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    urls: list[str] = []
    thread = threading.Thread(target=server.serve, args=(demo,),
                              kwargs={"open_browser": False, "announce": urls.append, "idle_seconds": 0.5})
    thread.start()
    thread.join(20)
    assert not thread.is_alive()
    (url,) = urls
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/\?token=[\w-]{20,}", url)
    assert list(private.iterdir()) == []


def test_a_busy_port_gives_one_clear_message(demo: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["web", str(demo), "--port", str(port), "--no-browser"])
    assert result.exit_code == 1
    assert f"Port {port} används redan" in result.output


def test_state_reads_own_templates_from_the_folder(demo: Path, tmp_path: Path) -> None:
    assert State(folder=demo, workdir=tmp_path, port=1, token="x").templates == demo / "mallar"
    assert State(folder=tmp_path, workdir=tmp_path, port=1, token="x").templates is None


def test_a_bug_in_a_batch_fails_the_run_plainly(page: Page, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("ett fel i koden")

    choose(page)
    monkeypatch.setattr("formkit.web.runs.write", broken)
    monkeypatch.setattr(threading, "excepthook", server._quiet_excepthook)
    response = page.post("/jobb/brukarbrev", {"action": "run", "number": "1", "date": DATE}, content_type="multipart/form-data")
    location = response.headers["Location"]
    assert wait_for(page, location)["state"] == "failed"
    shown = html(page.get(location))
    assert "Ett oväntat fel inträffade" in shown and "ett fel i koden" not in shown
