"""formkit letters: every letter read back and checked against the routine (seed 001)."""

from __future__ import annotations

import copy
import csv
import io
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner
from lxml import etree

from formkit.case.model import Address
from formkit.cli import main
from formkit.letters import addresslist
from helpers import BASE, write_case

PROTECTED_STREET = "Hemliga vägen 9"
SURVEY = {
    "year": 2026,
    "answer_by": "2026-05-24",
    "results": [
        {"unit": "ht-norra", "question": "Sammantaget nöjd", "value": 84, "municipality": 81, "national": 83, "previous": 80},
        {"unit": "ht-norra", "question": "Bemötande", "value": 97.5, "municipality": 95, "national": None, "previous": 93},
        {"unit": "bs-syd", "question": "Sammantaget nöjd", "value": 12, "municipality": 81, "national": 83, "previous": 10},
    ],
    "actions": [{"unit": "ht-norra", "text": "Färre olika personal hos varje kund"}, {"unit": "bs-syd", "text": "Annan enhets åtgärd"}],
    "examples": [{"unit": "ht-norra", "text": "Promenadgrupp på tisdagar & torsdagar"}],
}


def clients() -> list[dict]:
    base = copy.deepcopy(BASE["clients"])
    base[0]["representatives"] = [
        {"name": "Ali & Söner <AB> \"god man\"", "role": "trustee", "looks_after_rights": True, "receives_letters": True,
         "address": {"street": "=HYPERLINK(\"http://x\")", "postcode": "111 22", "city": "Stad"}},
        {"name": "Dotter Utan Brev", "role": "relative", "looks_after_rights": False, "receives_letters": True,
         "address": {"street": "Annangatan 3", "postcode": "111 22", "city": "Stad"}},
    ]
    return base + [
        {"id": "b-003", "name": "Hemlig Person", "personal_number": "19400101-1230", "unit": "ht-norra", "protected_identity": True,
         "address": {"street": PROTECTED_STREET, "postcode": "123 45", "city": "Gömstad"},
         "representatives": [{"name": "Förvaltare Fri", "role": "administrator", "looks_after_rights": True, "receives_letters": True,
                              "address": {"street": "Förvaltargatan 1", "postcode": "222 33", "city": "Stad"}}]},
        {"id": "b-004", "name": "Utan Adress", "unit": "ht-norra"},
        {"id": "b-005", "name": "Émile 🌷 Långnamn" + "x" * 150, "unit": "ht-norra",
         "address": {"street": "Väg " + "å" * 196, "co": "Ström & Co", "postcode": "123 45", "city": "Exempelby"}},
    ]


# the survey population: 65 or older with a current home-care decision
DECISIONS = [{"id": f"B-{i}", "client": client, "assessor": "bh-1", "services": ["HEMTJÄNST"], "law": "SoL", "decided": "2024-01-10"}
             for i, client in enumerate(["b-001", "b-003", "b-004", "b-005"], start=1)]


@pytest.fixture
def case(tmp_path: Path) -> Path:
    data = clients()
    for client in data[2:]:
        client.setdefault("birth_year", 1938)
    return write_case(tmp_path, clients=data, survey=SURVEY, decisions=DECISIONS)


def run(*args: str) -> object:
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return result


def text_of(path: Path) -> str:
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    for section in document.sections:
        parts += [p.text for p in section.header.paragraphs] + [p.text for p in section.footer.paragraphs]
    return "\n".join(parts)


def all_text_in(folder: Path) -> str:
    """Every byte of every output, unzipped: for "appears nowhere" checks."""
    out = []
    for path in folder.rglob("*"):
        if path.suffix in (".docx", ".xlsx"):
            with zipfile.ZipFile(path) as archive:
                out += [archive.read(n).decode("utf-8", "replace") for n in archive.namelist()]
        elif path.is_file():
            out.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(out)


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_every_letter_renders_and_reads_back(case: Path, tmp_path: Path, n: int) -> None:
    out = tmp_path / "ut"
    result = run("letters", case, "-n", n, "-o", out, "--date", "2026-02-03")
    assert result.exit_code == 0, result.output
    letter = out / f"brukarbrev-{n}_b-001.docx"
    text = text_of(letter)
    assert "{{" not in text and "{%" not in text
    assert "Exempelby kommun" in text and "Vård- och omsorgsförvaltningen" in text and "Hemtjänst Norra" in text
    assert "2026-02-03" in text  # ISO date
    assert "Åsa Öberg-Ängström\nStorgatan 1\n012 34 EXEMPELBY" in text  # the address window, zero kept
    assert "Maria Lind" in text and "08-123 456 11" in text and "maria.lind@exempelby.se" in text
    assert "Kopia" not in text
    for path in out.rglob("*.docx"):
        body = text_of(path)
        assert "{{" not in body and "{%" not in body, path
    # the personal number is only on the inner envelope sheet
    for path in out.rglob("brukarbrev-*.docx"):
        with zipfile.ZipFile(path) as archive:
            assert "1230" not in archive.read("word/document.xml").decode(), path


def test_letter_1_announces_the_survey(case: Path, tmp_path: Path) -> None:
    run("letters", case, "-n", 1, "-o", tmp_path / "ut", "--date", "2026-02-03")
    text = text_of(tmp_path / "ut" / "brukarbrev-1_b-001.docx")
    assert "Socialstyrelsen" in text and "den 24 maj 2026" in text
    assert "posta" in text and "personalen" in text and "svarskuvertet" in text
    assert "Har du frågor?" in text


def test_letter_3_has_complaints_card_and_reply_envelope(case: Path, tmp_path: Path) -> None:
    run("letters", case, "-n", 3, "-o", tmp_path / "ut")
    document = docx.Document(str(tmp_path / "ut" / "brukarbrev-3_b-001.docx"))
    text = text_of(tmp_path / "ut" / "brukarbrev-3_b-001.docx")
    assert "synpunkter" in text and "klagomål" in text and "svarskuvert" in text
    assert "Promenadgrupp på tisdagar & torsdagar" in text  # the unit's good example, escaped right
    card = [p for p in document.paragraphs if p.text.startswith("Synpunktskort")]
    assert card and card[0].paragraph_format.page_break_before  # the card has its own page


def test_letter_4_shows_the_units_figures(case: Path, tmp_path: Path) -> None:
    run("letters", case, "-n", 4, "-o", tmp_path / "ut")
    document = docx.Document(str(tmp_path / "ut" / "brukarbrev-4_b-001.docx"))
    rows = [[c.text for c in row.cells] for row in document.tables[0].rows]
    assert rows[0] == ["Fråga", "Hemtjänst Norra", "Kommunen", "Hela landet", "Förra året"]
    assert rows[1] == ["Sammantaget nöjd", "84\u00a0%", "81\u00a0%", "83\u00a0%", "80\u00a0%"]
    assert rows[2] == ["Bemötande", "98\u00a0%", "95\u00a0%", "–", "93\u00a0%"]
    assert len(rows) == 3  # not the other unit's row
    text = text_of(tmp_path / "ut" / "brukarbrev-4_b-001.docx")
    assert "Färre olika personal hos varje kund" in text and "Annan enhets åtgärd" not in text


def test_copies_to_representatives(case: Path, tmp_path: Path) -> None:
    out = tmp_path / "ut"
    run("letters", case, "-n", 2, "-o", out)
    copy_text = text_of(out / "brukarbrev-2_b-001_kopia-1.docx")
    assert "Ali & Söner <AB> \"god man\"" in copy_text
    assert "=HYPERLINK(\"http://x\")" in copy_text
    assert "Du får det här brevet som god man för Åsa Öberg-Ängström" in copy_text
    assert not (out / "brukarbrev-2_b-001_kopia-2.docx").exists()  # the daughter does not look after rights
    # the protected client's administrator gets a copy at their own address, in the main set
    admin = text_of(out / "brukarbrev-2_b-003_kopia-1.docx")
    assert "Förvaltargatan 1" in admin and PROTECTED_STREET not in admin


def test_protected_identity_goes_to_its_own_set(case: Path, tmp_path: Path) -> None:
    out = tmp_path / "ut"
    result = run("letters", case, "-n", 1, "-o", out)
    assert "1 med skyddad identitet" in result.output
    protected = out / "skyddad-identitet"
    assert (protected / "brukarbrev-1_b-003.docx").exists()
    assert not (out / "brukarbrev-1_b-003.docx").exists()
    letter = text_of(protected / "brukarbrev-1_b-003.docx")
    assert "Hemlig Person" in letter and "Gömstad" not in letter
    envelope = text_of(protected / "innerkuvert_brukarbrev-1_b-003.docx")
    assert "Hemlig Person\nPersonnummer: 19400101-1230" in envelope
    assert "Vi känner inte till din adress" not in envelope and "personligen" in envelope  # hand delivery offered
    kit = text_of(protected / "sa-skickar-du_brukarbrev-1.docx")
    assert "Skatteverket\nBox 2820\n403 20 GÖTEBORG" in kit  # the outer envelope's address, in the window
    assert "baksida" in kit and "Hemtjänst Norra, Exempelby kommun, Box 100, 123 45 EXEMPELBY" in kit  # sender on the back
    assert "vid ett besök" in kit and "19400101-1230" not in kit
    assert PROTECTED_STREET not in all_text_in(out)
    assert "Gömstad".upper() not in all_text_in(out)
    sheet = openpyxl.load_workbook(out / "adresslista_brukarbrev-1.xlsx").active
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "Hemlig Person" not in names


def test_address_list_and_manifest(case: Path, tmp_path: Path) -> None:
    out = tmp_path / "ut"
    result = run("letters", case, "-n", 1, "-o", out)
    assert "Hoppade över 1: b-004 (saknar adress)" in result.output
    sheet = openpyxl.load_workbook(out / "adresslista_brukarbrev-1.xlsx").active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("Namn", "C/o", "Utdelningsadress", "Postnummer", "Postort")
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["Åsa Öberg-Ängström"][3] == "012 34"
    trustee = by_name["Ali & Söner <AB> \"god man\""]
    assert trustee[2] == "=HYPERLINK(\"http://x\")" and trustee[7] == "kopia"
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.value is None or cell.data_type == "s", cell.coordinate  # never a formula
    with zipfile.ZipFile(out / "adresslista_brukarbrev-1.xlsx") as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode()
    manifest = list(csv.reader(io.StringIO((out / "forteckning_brukarbrev-1.csv").read_text("utf-8-sig")), delimiter=";"))
    assert manifest[0] == ["mottagare", "klient", "slag", "fil", "anmärkning"]
    files = {row[0]: row[3] for row in manifest[1:]}
    assert files["b-001"] == "brukarbrev-1_b-001.docx"
    assert files["b-003"] == "skyddad-identitet/brukarbrev-1_b-003.docx"
    assert files["b-004"] == "" and any(r[4] == "saknar adress" for r in manifest)
    for name in files.values():
        assert name == "" or (out / name).exists()


def test_address_list_keeps_text_excel_would_read_otherwise() -> None:
    """A literal "_x0041_" (Excel's escape of "A") is written escaped itself, markup characters
    as entities, a value starting with "=" as text; a value without any stays as it is."""
    data = addresslist.workbook_bytes([
        ("Bo_x0041_ & <Co> > x", Address(street="=1+2", postcode="012 34", city="Ort", co="c/o Åsa"), "b-1", "brev", "f.docx"),
    ])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert ">Bo_x005F_x0041_ &amp; &lt;Co&gt; &gt; x</t>" in sheet and ">c/o Åsa</t>" in sheet
    row = next(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(min_row=2, values_only=True))
    assert row[1:5] == ("c/o Åsa", "=1+2", "012 34", "ORT")
    assert '<c r="C2" t="inlineStr">' in sheet  # the street is text, not a formula


def test_combined_file_has_one_section_per_letter(case: Path, tmp_path: Path) -> None:
    out = tmp_path / "ut"
    run("letters", case, "-n", 4, "-o", out)
    singles = sorted(out.glob("brukarbrev-4_*.docx"))
    combined = docx.Document(str(out / "utskrift_brukarbrev-4.docx"))
    assert len(combined.sections) == len(singles) == 4  # b-001, its copy, b-003's copy, b-005
    with zipfile.ZipFile(out / "utskrift_brukarbrev-4.docx") as archive:
        xml = archive.read("word/document.xml").decode()
    assert xml.count('w:start="1"') == len(singles)  # page numbers restart in every letter


def test_unit_option_and_nothing_to_do(case: Path, tmp_path: Path) -> None:
    result = run("letters", case, "-n", 4, "--unit", "bs-syd", "--all-clients", "-o", tmp_path / "syd")
    assert result.exit_code == 0, result.output
    rows = [[c.text for c in r.cells] for r in docx.Document(str(tmp_path / "syd" / "brukarbrev-4_b-002.docx")).tables[0].rows]
    assert rows[1][1] == "12\u00a0%"
    result = run("letters", case, "-n", 1, "--unit", "myndighet", "-o", tmp_path / "tom")
    assert result.exit_code == 1 and "Inga klienter" in result.output
    assert not (tmp_path / "tom").exists()
    result = run("letters", case, "-n", 1, "--unit", "finns-inte", "-o", tmp_path / "x")
    assert result.exit_code == 1 and "ht-norra" in result.output


def test_letter_4_without_results_is_a_clear_error(tmp_path: Path) -> None:
    case = write_case(tmp_path, survey={"year": 2026, "results": []})
    result = run("letters", case, "-n", 4, "--all-clients", "-o", tmp_path / "ut")
    assert result.exit_code == 1 and "survey.results" in result.output and "ht-norra" in result.output
    assert not (tmp_path / "ut").exists()
    result = run("letters", case, "-n", 1, "--all-clients", "-o", tmp_path / "ut1")  # letter 1 needs no results
    assert result.exit_code == 0, result.output


def test_bad_output_and_missing_template(case: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "fil"
    blocker.write_text("x")
    result = run("letters", case, "-n", 1, "-o", blocker)
    assert result.exit_code == 1 and "fil" in result.output
    # a file of the main set cannot be replaced: exit 1, and nothing of the batch is written
    out = tmp_path / "upptagen"
    (out / "utskrift_brukarbrev-1.docx").mkdir(parents=True)
    (out / "utskrift_brukarbrev-1.docx" / "x").write_text("x")
    result = run("letters", case, "-n", 1, "-o", out)
    assert result.exit_code == 1 and "utskrift_brukarbrev-1.docx" in result.output
    assert not (out / "skyddad-identitet").exists()
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == ["utskrift_brukarbrev-1.docx", "utskrift_brukarbrev-1.docx/x"]
    own = tmp_path / "mallar"
    own.mkdir()
    (own / "brukarbrev-2.docx").write_text("inte en docx")
    result = run("letters", case, "-n", 2, "--templates", own, "-o", tmp_path / "ut")
    assert result.exit_code == 1 and "brukarbrev-2.docx" in result.output
    assert not (tmp_path / "ut").exists()


def test_control_character_names_the_record(tmp_path: Path) -> None:
    data = copy.deepcopy(BASE["clients"])
    case = write_case(tmp_path, clients=data)
    text = case.read_text(encoding="utf-8").replace("Storgatan 1", "Storgatan\\x07 1")
    case.write_text(text.replace("street: Storgatan\\x07 1", 'street: "Storgatan\\x07 1"'), encoding="utf-8")
    result = run("letters", case, "-n", 1, "-o", tmp_path / "ut")
    assert result.exit_code == 1 and "clients[0].address.street" in result.output
    assert not (tmp_path / "ut").exists()


def test_help_has_an_example() -> None:
    result = run("letters", "--help")
    assert result.exit_code == 0 and "Exempel:" in result.output and "formkit letters arenden.yaml -n 1" in result.output


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _body(path: Path) -> list:
    with zipfile.ZipFile(path) as archive:
        return list(etree.fromstring(archive.read("word/document.xml")).find(f"{W}body"))


def test_print_file_is_the_letters_one_after_another_without_blank_paragraphs(case: Path, tmp_path: Path) -> None:
    """Each letter ends in its own section break, kept in its last paragraph: nothing is added
    between two letters (a blank paragraph could push a letter onto an extra page)."""
    out = tmp_path / "ut"
    assert run("letters", case, "-n", 1, "-o", out, "--date", "2026-05-01").exit_code == 0
    with (out / "forteckning_brukarbrev-1.csv").open(encoding="utf-8-sig") as f:
        files = [r["fil"] for r in csv.DictReader(f, delimiter=";") if r["fil"] and "/" not in r["fil"]]
    singles = [_body(out / name) for name in files]
    combined = _body(out / "utskrift_brukarbrev-1.docx")
    expected = [child for body in singles for child in body[:-1]] + [singles[-1][-1]]  # each body's sectPr last
    assert [c.tag for c in combined] == [c.tag for c in expected]
    assert ["".join(c.itertext()) for c in combined] == ["".join(c.itertext()) for c in expected]
    breaks = [i for i, c in enumerate(combined) if c.find(f"{W}pPr/{W}sectPr") is not None]
    ends = [sum(len(b) - 1 for b in singles[: k + 1]) - 1 for k in range(len(singles) - 1)]
    assert breaks == ends  # a break in the last paragraph of every letter but the last


def test_two_recipients_with_the_same_file_name_are_refused(tmp_path: Path) -> None:
    """Ids are unique, but a copy's name (b-001_kopia-1) can still meet a client id written the
    same way, in any case: the batch is refused before anything is written."""
    people = clients()
    people[4]["id"] = "B-001_KOPIA-1"  # b-001's copy to its trustee is b-001_kopia-1
    result = run("letters", write_case(tmp_path, clients=people, survey=SURVEY), "-n", 1, "-o", tmp_path / "ut")
    assert result.exit_code == 1
    assert "Två filer skulle få samma namn (brukarbrev-1_" in result.output and "stora och små bokstäver" in result.output
    assert not (tmp_path / "ut").exists()
