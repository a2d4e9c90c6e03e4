"""formkit meetings: the forms for terminssamtal, månadsuppföljning and hemgångssamtal.

Every generated form is opened with python-docx and searched for each question and point of
the routines (seed 000: korttidsvistelse LSS; seed 003: månadsuppföljning för stödpersoner).
"""

from __future__ import annotations

import copy
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from formkit.check import template_problems
from formkit.cli import main
from formkit.meetings.forms import TEMPLATES
from formkit.meetings.rules import MONTHLY_POINTS, MONTHLY_QUESTIONS, TERM_QUESTIONS
from formkit.templates import bundled_dir
from helpers import BASE, write_case

NASTY = 'Ali & Söner <AB> "citat" 🌟 Åsa'
UNITS = BASE["units"] + [{"id": "kt", "name": "Korttids Solrosen", "kind": "short_stay", "manager": "ec-2"}]
STAFF = BASE["staff"] + [
    {"id": "sp-2", "name": "Lena Berg", "role": "support_person", "unit": "kt", "phone": "070-111 22 33", "email": "lena@exempelby.se"},
]
ADDRESS = {"street": "Gatan 1", "postcode": "012 34", "city": "Exempelby"}


def short_stay_clients() -> list[dict]:
    return [
        {
            "id": "k-1", "name": NASTY, "personal_number": "19400101-1230", "unit": "kt", "support_person": "sp-2",
            "address": ADDRESS,
            "representatives": [
                {"name": "Gun Förvaltare", "role": "administrator", "looks_after_rights": True,
                 "address": {"street": "Vägen 2", "postcode": "123 45", "city": "Exempelby"}},
                {"name": "Pappa Utan Ansvar", "role": "relative", "relation": "pappa", "phone": "070-9"},
            ],
        },
        {"id": "k-2", "name": "Nils Ek", "unit": "kt", "support_person": "sp-2"},
    ]


def term_case(tmp_path: Path, **extra) -> Path:
    sections = {
        "units": UNITS, "staff": STAFF,
        "clients": BASE["clients"] + short_stay_clients(),
        "meetings": [
            {"kind": "term_meeting", "client": "k-1", "date": "2026-12-03", "time": "14.00", "place": "Solrosen & co"},
            {"kind": "term_meeting", "client": "k-2", "date": "2026-12-04", "time": "9.30", "place": "Solrosen",
             "invitees": ["Morfar Ek"]},
        ],
    }
    sections.update(extra)
    return write_case(tmp_path, **sections)


def run(*args: str):
    return CliRunner().invoke(main, ["meetings", *map(str, args)], catch_exceptions=False)


def text_of(path: Path) -> str:
    """All visible text of a .docx: paragraphs, table cells, headers and footers."""
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    for section in document.sections:
        parts.extend(p.text for p in section.header.paragraphs)
    return "\n".join(parts)


def test_bundled_form_templates_use_only_declared_fields():
    for names in TEMPLATES.values():
        for name in names:
            assert template_problems(bundled_dir() / "forms" / name) == [], name


def test_form_templates_are_a4_with_margins():
    for names in TEMPLATES.values():
        for name in names:
            section = docx.Document(str(bundled_dir() / "forms" / name)).sections[0]
            assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7, name
            assert section.left_margin.cm >= 1.9, name


def test_term_forms_have_every_question_and_go_to_the_right_people(tmp_path):
    case = term_case(tmp_path)
    out = tmp_path / "ut"
    result = run(case, "--kind", "term", "--at", "2026-11-22", "-o", out)
    assert result.exit_code == 0, result.output
    assert "för 2 klienter (1 stödperson)" in result.output
    names = sorted(p.name for p in out.iterdir())
    assert "terminssamtal-inbjudan_k-1.docx" in names and "terminssamtal-fragor_k-2.docx" in names
    for stem in ("terminssamtal-inbjudan", "terminssamtal-fragor", "terminssamtal-minnesanteckningar"):
        assert f"utskrift_sp-2_{stem}.docx" in names
    assert not any("19400101" in n or "1230" in n for n in names)

    invitation = text_of(out / "terminssamtal-inbjudan_k-1.docx")
    # one invitation to the client and one to the förvaltare who looks after her rights; not to the father
    assert invitation.count("Inbjudan till terminssamtal") >= 2
    # the first name in the greeting; "ditt stöd" to the client herself, her name to the förvaltare
    assert "Hej Ali!" in invitation and "Hej Gun!" in invitation
    assert "om ditt stöd" in invitation and f"om stödet till {NASTY}" in invitation
    assert "Pappa Utan Ansvar" not in invitation
    assert "torsdag 2026-12-03" in invitation and "kl. 14.00" in invitation and "Solrosen & co" in invitation
    assert "frivilligt" in invitation and "kvaliteten" in invitation
    assert "012 34 EXEMPELBY" in invitation and "19400101" not in invitation
    # the document holds one section per invitation
    assert len(docx.Document(str(out / "terminssamtal-inbjudan_k-1.docx")).sections) == 2

    sheet = text_of(out / "terminssamtal-fragor_k-1.docx")
    minutes = text_of(out / "terminssamtal-minnesanteckningar_k-1.docx")
    for question in TERM_QUESTIONS:  # the client is "du" in her own copy, her first name elsewhere
        assert question.text.format(vem="du") in invitation
        assert question.text.format(vem="Ali") in invitation and question.text.format(vem="Ali") in sheet
        assert question.text.format(vem="Ali") in minutes
    assert "brukaren" not in invitation
    assert "dokumenterar samtalet och använder innehållet för att utveckla kvaliteten" in minutes
    assert "Deltagare" in minutes and "Överenskomna åtgärder" in minutes and "Nästa terminssamtal" in minutes
    assert "Gun Förvaltare" in minutes

    combined = docx.Document(str(out / "utskrift_sp-2_terminssamtal-fragor.docx"))
    assert len(combined.sections) == 2  # one section per client
    assert "Nils Ek" in text_of(out / "utskrift_sp-2_terminssamtal-fragor.docx")
    assert "Morfar Ek" in text_of(out / "terminssamtal-minnesanteckningar_k-2.docx")  # invitees recorded in the case


def test_client_with_nobody_to_invite_gets_a_warning(tmp_path):
    case = term_case(tmp_path)
    result = run(case, "--kind", "term", "--at", "2026-11-22", "-o", tmp_path / "ut")
    assert result.exit_code == 0
    assert "Ingen att bjuda in" in result.output and "k-2" in result.output
    assert not (tmp_path / "ut" / "terminssamtal-inbjudan_k-2.docx").exists()
    assert (tmp_path / "ut" / "terminssamtal-minnesanteckningar_k-2.docx").exists()


def test_no_booked_meeting_means_no_invitation(tmp_path):
    case = term_case(tmp_path, meetings=[])
    result = run(case, "--kind", "term", "--at", "2026-11-22", "-o", tmp_path / "ut")
    assert result.exit_code == 0
    assert "Inget bokat terminssamtal denna termin" in result.output
    assert not list((tmp_path / "ut").glob("terminssamtal-inbjudan*"))


def test_protected_identity_never_prints_an_address(tmp_path):
    clients = short_stay_clients()
    clients[0]["protected_identity"] = True
    case = term_case(tmp_path, clients=BASE["clients"] + clients)
    result = run(case, "--kind", "term", "--client", "k-1", "--at", "2026-11-22", "-o", tmp_path / "ut")
    assert result.exit_code == 0
    assert "Skyddade personuppgifter" in result.output
    text = text_of(tmp_path / "ut" / "terminssamtal-inbjudan_k-1.docx")
    assert "Gatan 1" not in text and "012 34" not in text


def monthly_case(tmp_path: Path) -> Path:
    clients = copy.deepcopy(BASE["clients"])
    clients[1]["care_plan"] = {"updated": "2026-05-01", "follow_up": "2026-10-01", "risk_assessment": "2026-05-02",
                               "action_plan": "nej", "goals": ["Laga mat själv två gånger i veckan", "=1+1"]}
    return write_case(tmp_path, clients=clients,
                      meetings=[{"kind": "monthly_review", "client": "b-002", "date": "2026-11-05", "time": "10.00"}])


def test_monthly_checklist_has_the_four_questions_and_seven_points(tmp_path):
    out = tmp_path / "ut"
    result = run(monthly_case(tmp_path), "--kind", "monthly", "--at", "2026-11-22", "-o", out)
    assert result.exit_code == 0, result.output
    text = text_of(out / "manadsuppfoljning_b-002.docx")
    for question in MONTHLY_QUESTIONS:
        assert question in text
    for point in MONTHLY_POINTS:
        assert point in text
    assert "Bo Ek" in text and "Ali Hassan" in text and "november 2026" in text
    assert "2026-05-01" in text and "2026-10-01" in text and "2026-05-02" in text  # plan, follow-up, risk assessment
    assert "Laga mat själv två gånger i veckan" in text and "=1+1" in text
    assert "skulle ha gjorts 2026-10-01" in text and "ingen kopplad handlingsplan" in text
    assert "tisdag 2026-11-03" in text  # the verksamhetsmöte from the rolling schedule
    assert "2026-11-05 kl. 10.00" in text
    assert (out / "utskrift_sp-1_manadsuppfoljning.docx").exists()


def test_homecoming_log_shows_the_routine_and_the_24_hours(tmp_path):
    meetings = [
        {"kind": "homecoming", "client": "k-1", "date": "2026-10-03", "time": "10.00", "status": "held", "held_by": "sp-2",
         "stay_ended": "2026-10-02", "stay_ended_time": "16.00", "method": "phone"},
        {"kind": "homecoming", "client": "k-1", "date": "2026-10-05", "time": "17.00", "status": "held", "held_by": "sp-2",
         "stay_ended": "2026-10-04", "stay_ended_time": "16.00", "method": "contact_book"},
    ]
    out = tmp_path / "ut"
    result = run(term_case(tmp_path, meetings=meetings), "--kind", "homecoming", "--client", "k-1", "--at", "2026-11-22", "-o", out)
    assert result.exit_code == 0, result.output
    text = text_of(out / "hemgangssamtal_k-1.docx")
    for words in ("24 timmar", "hämtning", "telefon", "sms", "kontaktbok", "av vem", "Med vem", "Vad vi förmedlade"):
        assert words in text
    rows = [[c.text for c in row.cells] for row in docx.Document(str(out / "hemgangssamtal_k-1.docx")).tables[1].rows]
    assert rows[1] == ["2026-10-02 kl. 16.00", "2026-10-03 kl. 10.00\ntelefon\nLena Berg", "", "", "Ja"]
    assert rows[2][4] == "Nej" and "kontaktbok" in rows[2][1]
    assert len(rows) >= 11  # room to write more by hand


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--kind", "term", "--client", "k-9"], 1, "menade du"),
        (["--kind", "term", "--support-person", "bh-1"], 1, "inte stödperson"),
        (["--kind", "term", "--support-person", "sp-1"], 1, "har inga klienter"),
        (["--kind", "term", "--client", "k-1", "--support-person", "sp-2"], 2, "antingen"),
        ([], 2, "--kind"),
        (["--kind", "monthly", "--minutes", "arenden.yaml"], 2, "--kind term"),
        (["--due", "--at", "2026-02-30"], 2, "ÅÅÅÅ-MM-DD"),
    ],
)
def test_wrong_use_and_unknown_ids(tmp_path, args, code, message):
    case = term_case(tmp_path)
    args = [str(case) if a == "arenden.yaml" else a for a in args]
    result = CliRunner().invoke(main, ["meetings", str(case), *args, "-o", str(tmp_path / "ut")])
    assert result.exit_code == code, result.output
    assert message in result.output
    assert not (tmp_path / "ut").exists()


def test_control_character_names_the_record_and_writes_nothing(tmp_path):
    clients = short_stay_clients()
    clients[1]["name"] = "Nils"
    staff = copy.deepcopy(STAFF)
    staff[-1]["title"] = "ok"
    case = term_case(tmp_path, clients=BASE["clients"] + clients, staff=staff)
    # a control character in a notes-free place: the place of the meeting
    text = case.read_text(encoding="utf-8").replace("Solrosen & co", "Solrosen\\x07")
    case.write_text(text.replace("place: Solrosen\\x07", 'place: "Solrosen\\x07"'), encoding="utf-8")
    result = run(case, "--kind", "term", "--at", "2026-11-22", "-o", tmp_path / "ut")
    assert result.exit_code == 1
    assert "styrtecken" in result.output
    assert not (tmp_path / "ut").exists()


def test_help_has_an_example():
    result = CliRunner().invoke(main, ["meetings", "--help"])
    assert result.exit_code == 0
    assert "Exempel:" in result.output and "formkit meetings arenden.yaml --kind term" in result.output


@pytest.mark.soffice
def test_pdf_of_every_form_is_a4(tmp_path):
    import subprocess

    out = tmp_path / "ut"
    result = run(term_case(tmp_path), "--kind", "term", "--support-person", "sp-2", "--at", "2026-11-22", "-o", out, "--pdf")
    assert result.exit_code == 0, result.output
    pdf = out / "utskrift_sp-2_terminssamtal-minnesanteckningar.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "(A4)" in info
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Vad kan vi göra bättre?" in text and "Nils Ek" in text


def test_held_meeting_needs_no_invitation(tmp_path):
    case = term_case(tmp_path, meetings=[{"kind": "term_meeting", "client": "k-1", "date": "2026-09-01", "status": "held"}])
    result = run(case, "--kind", "term", "--client", "k-1", "--at", "2026-11-22", "-o", tmp_path / "ut")
    assert result.exit_code == 0
    assert "redan hållet denna termin" in result.output and "k-1" in result.output
    assert not list((tmp_path / "ut").glob("terminssamtal-inbjudan*"))
