"""`formkit opencare --appendix 1|2|3`: the forms, pre-filled from the case, read back with
python-docx; bad input stops the batch with a clear message and writes nothing."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document

from formkit.cli import main
from formkit.opencare.forms import send_dates
from helpers import write_case
from opencare_data import RECIPIENTS, S, sections


def run(tmp_path: Path, *args: str, **overrides) -> tuple[object, Path]:
    case = write_case(tmp_path, **sections(**overrides))
    out = tmp_path / "ut"
    result = CliRunner().invoke(main, ["opencare", str(case), "-o", str(out), "--date", "2026-05-04", *args])
    return result, out


def text(path: Path) -> str:
    """Every paragraph and table cell of a .docx, in order, one per line."""
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def test_bilaga_1_one_form_per_insats_started_in_the_period(tmp_path):
    result, out = run(tmp_path, "--appendix", "1", "--period", "2026-T1")
    assert result.exit_code == 0, result.output
    forms = sorted(p.name for p in out.glob("oppenvard-bilaga-1_o*.docx"))
    started = ["o02", "o03", "o05", "o06", "o07", "o08", "o10", "o11", "o12", "o13", "o14"]
    assert forms == [f"oppenvard-bilaga-1_{o}.docx" for o in started]
    assert "11 insatser som började under tertial 1 2026" in result.output
    body = text(out / "oppenvard-bilaga-1_o14.docx")
    # pre-filled where the case has data, escaped as typed
    for expected in ("Åsa Öberg & <Söner>", "19900101-0017", "1990", "☒ Kvinna", "☐ Man", "36 år",
                     "Storgatan 1, 012 34 EXEMPELBY", "Missbruksbehandling", "2026-02-01", "Lena Å'Berg & Co",
                     "Öppenvården", "Missbruk", "Bryta isoleringen", "Sova bättre"):
        assert expected in body, expected
    # the client's other insats is listed; the form's own is not
    assert "Samtalsstöd, 2025-10-01 (pågår)" in body
    assert "Missbruksbehandling, 2026-02-01" not in body
    # blank lines to write on for what the case does not hold
    assert "Boende" in body and "Familj och nätverk" in body
    # no personal number in any file name, and the list names ids only
    assert not any("19900101" in p.name for p in out.iterdir())
    rows = list(csv.reader(io.StringIO((out / "oppenvard-bilaga-1_lista_2026-T1.csv").read_text("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["insats", "klient", "insatsens namn", "start", "slut", "fil"]
    assert len(rows) == 12 and "19900101-0017" not in str(rows)


def test_bilaga_1_protected_identity_has_no_address(tmp_path):
    result, out = run(tmp_path, "--appendix", "1", "--period", "2026-T1", "--client", "c02")
    assert result.exit_code == 0, result.output
    assert [p.name for p in out.glob("oppenvard-bilaga-1_o*.docx")] == ["oppenvard-bilaga-1_o02.docx"]
    body = text(out / "oppenvard-bilaga-1_o02.docx")
    assert "Hemliga vägen" not in body and "Skyddade personuppgifter" in body


def test_bilaga_2_one_form_per_insats_ended_in_the_period(tmp_path):
    result, out = run(tmp_path, "--appendix", "2", "--period", "2026-T1")
    assert result.exit_code == 0, result.output
    forms = sorted(p.name for p in out.glob("oppenvard-bilaga-2_o*.docx"))
    assert forms == [f"oppenvard-bilaga-2_{o}.docx" for o in ("o02", "o04", "o05", "o07", "o09", "o10", "o13")]
    body = text(out / "oppenvard-bilaga-2_o05.docx")
    # the client answers it: no name, no insats, nothing pre-ticked from the staff's assessment
    for expected in ("2026-04-30", "☐ Ja    ☐ Delvis    ☐ Nej", "☐ Bättre    ☐ Oförändrad    ☐ Sämre",
                     "Hur nöjd är du med kontakten med oss?", "Hur nöjd är du med resultatet av insatsen?",
                     "nått dina mål", "förslag på hur vi kan bli bättre", "något annat viktigt hänt", "Formulärets kod"):
        assert expected in body, expected
    for absent in ("Klient c05", "Samtalsstöd", "avbruten", "☒"):
        assert absent not in body, absent


def test_combined_print_file_has_one_section_per_form(tmp_path):
    result, out = run(tmp_path, "--appendix", "2", "--period", "2026-T1")
    assert result.exit_code == 0, result.output
    combined = Document(str(out / "oppenvard-bilaga-2_alla_2026-T1.docx"))
    assert len(combined.sections) == 7
    # each form's facts table starts with its code; forms come in order of start date, as in the key
    codes = [t.rows[0].cells[1].text for t in combined.tables]
    key = (out / "oppenvard-bilaga-2_kodnyckel_2026-T1.csv").read_text("utf-8-sig").splitlines()[1:]
    assert codes == [line.split(";")[0] for line in key]
    assert [line.split(";")[2] for line in key] == ["c08", "c04", "c07", "c02", "c12", "c09", "c05"]


def test_bilaga_3_to_every_recipient_with_dates_for_the_year(tmp_path):
    result, out = run(tmp_path, "--appendix", "3", "--period", "2026-T2")
    assert result.exit_code == 0, result.output
    assert "skicka 2026-02-02, svar senast 2026-03-01" in result.output  # 1 February 2026 is a Sunday
    assert sorted(p.name for p in out.glob("oppenvard-bilaga-3_r-*.docx")) == sorted(
        f"oppenvard-bilaga-3_{r['id']}.docx" for r in RECIPIENTS)
    partner = text(out / "oppenvard-bilaga-3_r-partner.docx")
    for expected in ("Ali & Söner <AB>", "Region Exempel", "Box 7", "111 22 EXEMPELBY", "2026-02-02",
                     "Frågor till samarbetspartner", "Svara senast söndag den 1 mars 2026",
                     "Maria Lind, Öppenvården, maria.lind@exempelby.se", "Vad fungerar bra?"):
        assert expected in partner, expected
    staff = text(out / "oppenvard-bilaga-3_r-staff.docx")
    assert "Frågor till medarbetare" in staff and "Som medarbetare" in staff
    orderer = text(out / "oppenvard-bilaga-3_r-orderer.docx")
    assert "Frågor till beställare av uppdrag" in orderer and "Socialsekreterarna, Myndighetsenheten" in orderer
    rows = list(csv.reader(io.StringIO((out / "oppenvard-bilaga-3_sandlista_2026.csv").read_text("utf-8-sig")), delimiter=";"))
    assert [r[0] for r in rows[1:]] == ["r-staff", "r-orderer", "r-partner"]


@pytest.mark.parametrize("year, send", [(2026, "2026-02-02"), (2027, "2027-02-01"), (2025, "2025-02-03")])
def test_send_dates(year, send):
    sent, answer_by = send_dates(year)
    assert (sent.isoformat(), answer_by.isoformat()) == (send, f"{year}-03-01")


# --- bad input: one clear message, exit 1, nothing written ---------------------------------

def test_no_insats_ended_in_the_period(tmp_path):
    result, out = run(tmp_path, "--appendix", "2", "--period", "2026-T2")
    assert result.exit_code == 1
    assert "Ingen insats avslutades eller avbröts under tertial 2 2026 (2026-05-01 – 2026-08-31)" in result.output and "--period" in result.output
    assert not out.exists()


def test_insats_that_ends_before_it_starts(tmp_path):
    bad = sections()["open_care"] + [{"id": "bad-1", "client": "c01", "service": S, "started": "2026-03-01",
                                      "ended": "2026-01-01", "status": "completed"}]
    result, out = run(tmp_path, "--appendix", "1", "--period", "2026-T1", open_care=bad)
    assert result.exit_code == 1
    assert "open_care[16].ended (insats bad-1" in result.output and "före startdatumet" in result.output
    assert not out.exists()


def test_unknown_gender_is_a_case_file_error(tmp_path):
    people = sections()["clients"]
    people[3]["gender"] = "kvinna"
    result, out = run(tmp_path, "--appendix", "4", "--period", "2026-T1", clients=people)
    assert result.exit_code == 1
    assert "clients[3].gender" in result.output and "female" in result.output
    assert not out.exists()


def test_unknown_client_and_wrong_usage(tmp_path):
    result, _ = run(tmp_path, "--appendix", "1", "--period", "2026-T1", "--client", "c99")
    assert result.exit_code == 1 and "ingen klient med id 'c99'" in result.output
    result, _ = run(tmp_path, "--appendix", "4", "--client", "c01")
    assert result.exit_code == 2 and "--client gäller bilaga 1 och 2" in result.output
    result, _ = run(tmp_path, "--appendix", "4", "--period", "2026-T4")
    assert result.exit_code == 2 and "2026-T1 (januari–april)" in result.output
    result, _ = run(tmp_path, "--appendix", "5")
    assert result.exit_code == 2


def test_no_recipients_for_bilaga_3(tmp_path):
    result, out = run(tmp_path, "--appendix", "3", open_care_recipients=[])
    assert result.exit_code == 1 and "open_care_recipients" in result.output
    assert not out.exists()


def test_control_character_in_a_service_is_named(tmp_path):
    bad = sections()["open_care"]
    bad[1]["service"] = "Samtals\x07stöd"
    result, out = run(tmp_path, "--appendix", "2", "--period", "2026-T1", open_care=bad)
    assert result.exit_code == 1 and "open_care[1].service" in result.output
    assert not out.exists()


def test_help_has_an_example():
    result = CliRunner().invoke(main, ["opencare", "--help"])
    assert result.exit_code == 0
    assert "formkit opencare arenden.yaml --appendix 4 --period 2026-T1" in result.output


@pytest.mark.soffice
def test_pdf_of_the_print_file(tmp_path):
    result, out = run(tmp_path, "--appendix", "3", "--period", "2027", "--pdf")
    assert result.exit_code == 0, result.output
    assert (out / "oppenvard-bilaga-3_alla_2027.pdf").stat().st_size > 1000


def test_bundled_templates_pass_check():
    from formkit.check import template_problems
    from formkit.templates import find

    for n in (1, 2, 3, 4):
        assert template_problems(find("forms", f"oppenvard-bilaga-{n}.docx")) == []


def test_own_template_overrides_and_a_misspelt_field_is_named(tmp_path):
    from formkit.templates import find

    mine = tmp_path / "mallar"
    mine.mkdir()
    doc = Document(str(find("forms", "oppenvard-bilaga-2.docx")))
    doc.add_paragraph("Egen rad: {{ unit.name }}")
    doc.save(str(mine / "oppenvard-bilaga-2.docx"))
    result, out = run(tmp_path, "--appendix", "2", "--period", "2026-T1", "--templates", str(mine))
    assert result.exit_code == 0, result.output
    assert "Egen rad: Öppenvården" in text(out / "oppenvard-bilaga-2_o13.docx")
    doc.add_paragraph("{{ unit.nmae }}")
    doc.save(str(mine / "oppenvard-bilaga-2.docx"))
    second = tmp_path / "andra"
    second.mkdir()
    result, out = run(second, "--appendix", "2", "--period", "2026-T1", "--templates", str(mine))
    assert result.exit_code == 1 and "fältet 'nmae' finns inte" in result.output
    assert not out.exists()
