"""The case file as an Excel workbook: reading, writing, formkit convert, check's messages."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any, Callable

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from pydantic import BaseModel

from formkit.case.loading import load_case
from formkit.case.model import Case
from formkit.case.workbook_layout import SHEETS
from formkit.case.workbook_write import _model_in, workbook_bytes
from formkit.cli import main
from formkit.errors import CaseFileError, DataError
from tests.helpers import case_data, write_case


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def workbook_of(folder: Path, name: str = "arenden.xlsx", **sections: Any) -> Path:
    """The inline test case (helpers.BASE plus ``sections``) written as a workbook."""
    case = load_case(write_case(folder, "kalla.yaml", **sections))
    path = folder / name
    path.write_bytes(workbook_bytes(case))
    return path


def edit(path: Path, change: Callable[[Any], None]) -> Path:
    """Change the workbook as a user would in Excel (openpyxl stands in for Excel)."""
    book = load_workbook(path)
    change(book)
    book.save(path)
    return path


def column(sheet: Any, header: str) -> int:
    return next(c.column for c in sheet[1] if c.value == header)


def problems_of(path: Path) -> str:
    with pytest.raises(CaseFileError) as info:
        load_case(path)
    return str(info.value)


# --- the same case from both forms ------------------------------------------------------------

def test_init_writes_the_example_as_yaml_and_as_a_workbook_with_the_same_case(tmp_path: Path) -> None:
    assert run("init", str(tmp_path / "demo")).exit_code == 0
    from_yaml = load_case(tmp_path / "demo" / "arenden.yaml")
    from_xlsx = load_case(tmp_path / "demo" / "arenden.xlsx")
    assert from_xlsx == from_yaml
    result = run("check", str(tmp_path / "demo" / "arenden.xlsx"))
    assert result.exit_code == 0, result.output
    assert "Allt ser bra ut" in result.output


def test_the_workbook_is_one_table_per_sheet_with_swedish_headers_dropdowns_and_an_about_sheet(tmp_path: Path) -> None:
    run("init", str(tmp_path / "demo"))
    book = load_workbook(tmp_path / "demo" / "arenden.xlsx")
    assert book.sheetnames == [s.name for s in SHEETS] + ["Om filen"]
    clients = book["Klienter"]
    assert [c.value for c in clients[1]][:5] == ["Id", "Namn", "Personnummer", "Födelseår", "Kön"]
    assert clients.freeze_panes == "C2"
    assert len(clients.tables) == 1 and next(iter(clients.tables.values())).ref.startswith("A1:")
    postcode = column(clients, "Postnummer")
    assert clients.cell(2, postcode).data_type == "s" and clients.cell(2, postcode).number_format == "@"
    assert any(clients.cell(r, postcode).value == "012 34" for r in range(2, clients.max_row + 1))
    assert clients.cell(2, column(clients, "Kön")).value in {"kvinna", "man"}
    rules = {str(dv.sqref).split(":")[0]: dv for dv in clients.data_validations.dataValidation}
    unit = get_column_letter(column(clients, "Enhet"))
    assert rules[f"{unit}2"].formula1.startswith("'Enheter'!$A$2")
    protected = get_column_letter(column(clients, "Skyddad identitet"))
    assert rules[f"{protected}2"].formula1 == '"Ja,Nej"'
    gender = get_column_letter(column(clients, "Kön"))
    assert "kvinna" in rules[f"{gender}2"].formula1
    decisions = book["Beslut"]
    decided = decisions.cell(2, column(decisions, "Beslutsdatum"))
    assert isinstance(decided.value, dt.datetime) and decided.number_format == "yyyy-mm-dd"
    about = book["Om filen"]
    texts = [str(c.value) for row in about.iter_rows() for c in row if c.value is not None]
    for sheet in SHEETS:
        for col in sheet.all_columns:
            assert col.header in texts, f"Om filen does not explain {sheet.name}/{col.header}"
    assert ["Formatversion", 1] == [about.cell(2, 1).value, about.cell(2, 2).value]


def test_every_field_of_the_model_has_a_column() -> None:
    """Walk the pydantic model: each leaf field must be some sheet's column (or a child sheet)."""
    covered = set()
    for sheet in SHEETS:
        base = sheet.path if sheet.parent is None else next(s.path for s in SHEETS if s.name == sheet.parent) + sheet.path
        for col in sheet.columns:
            covered.add(base + col.path)
        if sheet.parent:
            covered.add(base)
    covered.add(("formkit",))

    def leaves(model: type[BaseModel], prefix: tuple[str, ...]) -> list[tuple[str, ...]]:
        out = []
        for name, info in model.model_fields.items():
            inner = _model_in(info.annotation)
            out += leaves(inner, prefix + (name,)) if inner else [prefix + (name,)]
        return out

    missing = [".".join(p) for p in leaves(Case, ()) if p not in covered]
    assert not missing, f"fields without a column in the workbook: {missing}"


def test_schema_documents_the_workbook() -> None:
    result = run("schema", "--workbook")
    assert result.exit_code == 0
    for sheet in SHEETS:
        assert f"Bladet {sheet.name}:" in result.output
        for col in sheet.all_columns:
            assert f"  {col.header} (" in result.output
    assert "Postnummer (clients[].address.postcode) [krävs, om adressen fylls i]" in result.output


# --- formkit convert ----------------------------------------------------------------------------

def test_convert_both_ways_gives_the_same_case(tmp_path: Path) -> None:
    source = write_case(tmp_path, decisions=[{"id": "B-1", "client": "b-001", "assessor": "bh-1", "services": ["HEMTJÄNST", "LEDSAGNING"],
                                              "law": "SoL", "decided": "2024-02-29",
                                              "follow_ups": [{"date": "2025-01-10", "method": "phone", "answers": {"feels_good": "partly"}}]}])
    assert run("convert", str(source), str(tmp_path / "a.xlsx")).exit_code == 0
    assert run("convert", str(tmp_path / "a.xlsx"), str(tmp_path / "b.yaml")).exit_code == 0
    assert load_case(tmp_path / "a.xlsx") == load_case(source) == load_case(tmp_path / "b.yaml")
    text = (tmp_path / "b.yaml").read_text(encoding="utf-8")
    assert "postcode: 012 34" in text and "formkit convert" in text
    again = run("convert", str(source), str(tmp_path / "a.xlsx"))
    assert again.exit_code == 1 and "finns redan" in again.output
    assert run("convert", str(source), str(tmp_path / "a.xlsx"), "--force").exit_code == 0


def test_convert_refuses_a_case_with_problems_and_a_target_open_in_excel(tmp_path: Path) -> None:
    bad = write_case(tmp_path, units=[{"id": "ht-norra", "name": "X", "kind": "hemma"}])
    result = run("convert", str(bad), str(tmp_path / "a.xlsx"))
    assert result.exit_code == 1 and "units[0].kind" in result.output
    assert not (tmp_path / "a.xlsx").exists()
    good = write_case(tmp_path, "b.yaml")
    (tmp_path / ".~lock.b.xlsx#").write_text("x")
    result = run("convert", str(good), str(tmp_path / "b.xlsx"))
    assert result.exit_code == 1 and "öppen i Excel eller LibreOffice" in result.output


def test_a_list_item_with_a_semicolon_cannot_go_into_one_cell(tmp_path: Path) -> None:
    source = write_case(tmp_path, decisions=[{"id": "B-1", "client": "b-001", "assessor": "bh-1", "services": ["HEMTJÄNST; natt"],
                                              "law": "SoL", "decided": "2024-01-02"}])
    with pytest.raises(DataError, match="semikolon"):
        workbook_bytes(load_case(source))


# --- what Excel does to values ----------------------------------------------------------------

def test_values_as_excel_leaves_them(tmp_path: Path) -> None:
    path = workbook_of(tmp_path, meetings=[{"kind": "term_meeting", "client": "b-002", "date": "2026-12-03", "time": "14.00"}])

    def as_excel_would(book: Any) -> None:
        clients = book["Klienter"]
        clients.cell(2, column(clients, "Postnummer")).value = 1234  # "012 34" typed into a number cell
        clients.cell(3, column(clients, "Postnummer")).value = 12346
        clients.cell(2, column(clients, "Telefon")).value = 701234567  # 070-123 45 67 lost its zero
        clients.cell(2, column(clients, "Personnummer")).value = 194001011230
        clients.cell(2, column(clients, "Skyddad identitet")).value = True  # TRUE typed
        clients.cell(3, column(clients, "Skyddad identitet")).value = "nej"
        clients.cell(2, column(clients, "Kön")).value = "female"  # the YAML's code works too
        clients.cell(2, column(clients, "Samtycke undertecknat")).value = "2025-03-01"  # ISO text
        clients.cell(3, column(clients, "Samtycke undertecknat")).value = dt.datetime(2025, 4, 1)  # a real date
        meetings = book["Möten"]
        meetings.cell(2, column(meetings, "Tid")).value = dt.time(9, 30)
        clients.insert_rows(3, 2)  # empty rows in the middle

    case = load_case(edit(path, as_excel_would))
    first, second = case.clients
    assert first.address.postcode == "012 34" and second.address.postcode == "123 46"
    assert first.phone == "0701234567"
    assert first.personal_number == "19400101-1230"
    assert first.protected_identity is True and second.protected_identity is False
    assert first.gender == "female"
    assert str(first.consent.signed) == "2025-03-01" and str(second.consent.signed) == "2025-04-01"
    assert case.meetings[0].time == "09.30"


def test_text_that_looks_like_a_formula_or_a_number_stays_text(tmp_path: Path) -> None:
    data = case_data()
    data["clients"][0]["name"] = "=HYPERLINK(\"http://x\")"
    data["clients"][0]["address"]["street"] = "00123"
    path = workbook_of(tmp_path, clients=data["clients"])
    sheet = load_workbook(path)["Klienter"]
    assert sheet.cell(2, column(sheet, "Namn")).data_type == "s"
    case = load_case(path)
    assert case.clients[0].name == "=HYPERLINK(\"http://x\")" and case.clients[0].address.street == "00123"


def test_own_columns_and_sheets_marked_with_hash_are_skipped(tmp_path: Path) -> None:
    path = workbook_of(tmp_path)

    def own(book: Any) -> None:
        clients = book["Klienter"]
        extra = clients.max_column + 1
        clients.cell(1, extra).value = "# Anteckning"
        clients.cell(2, extra).value = "ring dottern"
        book.create_sheet("#Mina listor")["A1"] = "vad som helst"
        book.create_sheet("Diagram").sheet_state = "hidden"  # someone else's hidden helper sheet

    assert load_case(edit(path, own)) == load_case(tmp_path / "kalla.yaml")


def test_a_formula_gives_its_stored_value(tmp_path: Path) -> None:
    path = workbook_of(tmp_path)
    edit(path, lambda book: book["Klienter"].cell(2, 2, "PLATSHALLARE"))
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    sheet = next(n for n in parts if n.startswith("xl/worksheets/") and b"PLATSHALLARE" in parts[n])
    parts[sheet] = re.sub(rb'<c r="B2"([^>]*?) t="[a-zA-Z]+"([^>]*)>.*?</c>',
                          rb'<c r="B2"\1 t="str"\2><f>"Bo"&amp;" Ek"</f><v>Bo Ek</v></c>', parts[sheet])
    if b"PLATSHALLARE" in parts[sheet]:  # stored as a shared string
        parts[sheet] = re.sub(rb'<c r="B2"([^>]*?) t="s"([^>]*)><v>\d+</v></c>', rb'<c r="B2"\1 t="str"\2><f>"Bo"&amp;" Ek"</f><v>Bo Ek</v></c>', parts[sheet])
    with zipfile.ZipFile(path, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)
    assert load_case(path).clients[0].name == "Bo Ek"


# --- ten mistakes, one run ----------------------------------------------------------------------

def test_a_workbook_with_ten_mistakes_gets_each_named_by_sheet_row_and_column(tmp_path: Path) -> None:
    data = case_data()
    data["clients"][0]["representatives"] = [{"name": "Eva Ek", "role": "trustee"}]
    path = workbook_of(tmp_path, clients=data["clients"],
                       decisions=[{"id": "B-1", "client": "b-001", "assessor": "bh-1", "services": ["HEMTJÄNST"], "law": "SoL", "decided": "2024-01-02"}])

    def mistakes(book: Any) -> None:
        clients, staff, units = book["Klienter"], book["Personal"], book["Enheter"]
        clients.cell(2, column(clients, "Postnummer")).value = "1234x"  # 1
        clients.cell(3, column(clients, "Enhet")).value = "bs-sud"  # 2 no such unit
        clients.cell(2, column(clients, "Skyddad identitet")).value = "kanske"  # 3
        clients.cell(3, column(clients, "Personnummer")).value = "19400101-1231"  # 4 wrong checksum
        clients.cell(2, column(clients, "Namn")).value = "=B3"  # 5 formula, no stored value
        clients.cell(1, clients.max_column + 1).value = "Anteckning"  # 6 unknown column
        staff.cell(3, column(staff, "Roll")).value = "rektor"  # 7 no such role
        staff.cell(4, column(staff, "Id")).value = "ec-1"  # 8 the same id twice
        decisions = book["Beslut"]
        decisions.cell(2, column(decisions, "Beslutsdatum")).value = "2026-02-30"  # 9 no such day
        units.merge_cells("B2:B3")  # 10 merged cells
        book["Möten"].sheet_state = "hidden"  # 11 hidden sheet
        representatives = book["Företrädare"]
        representatives.cell(2, column(representatives, "Klient")).value = "b-009"  # 12 unknown parent
        book.create_sheet("Klienter2")  # 13 unknown sheet

    result = CliRunner().invoke(main, ["check", str(edit(path, mistakes))])
    assert result.exit_code == 1
    out = result.output
    assert "Traceback" not in out and "oväntat fel" not in out
    expected = [
        "bladet Klienter, rad 2, kolumn Postnummer: postnumret ska ha fem siffror",
        "bladet Klienter, rad 3, kolumn Enhet: det finns ingen enhet med id 'bs-sud'; menade du 'bs-syd'?",
        "bladet Klienter, rad 2, kolumn Skyddad identitet: 'kanske' går inte att tolka; skriv Ja eller Nej",
        "bladet Klienter, rad 3, kolumn Personnummer: personnumret har fel kontrollsiffra",
        "bladet Klienter, rad 2, kolumn Namn: cellen har en formel men inget sparat värde",
        "bladet Klienter, rad 1, kolumn Anteckning: okänd kolumn",
        "bladet Personal, rad 3, kolumn Roll: 'rektor' går inte att välja här; välj en av: enhetschef",
        "bladet Personal, rad 4, kolumn Id: id 'ec-1' används redan",
        "bladet Beslut, rad 2, kolumn Beslutsdatum: ogiltigt datum",
        "bladet Enheter, rad 2, kolumn Namn: cellerna B2:B3 är sammanfogade",
        "bladet Möten: bladet är dolt",
        "bladet Företrädare, rad 2, kolumn Klient: det finns ingen rad med id 'b-009' på bladet Klienter",
        "bladet Klienter2: okänt blad; menade du 'Klienter'?",
    ]
    for line in expected:
        assert line in out, f"missing: {line}\n{out}"
    assert "19400101" not in out  # a personal number is never repeated
    lines = [line for line in out.splitlines() if line.startswith("  - ")]
    assert lines.index(next(x for x in lines if "bladet Enheter" in x)) < lines.index(next(x for x in lines if "bladet Klienter, rad 2" in x))


def test_missing_columns_and_sheets(tmp_path: Path) -> None:
    path = workbook_of(tmp_path)

    def remove(book: Any) -> None:
        units = book["Enheter"]
        units.delete_cols(column(units, "Namn"))
        del book["Organisation"]
        representatives = book["Företrädare"]
        representatives.delete_cols(column(representatives, "Klient"))
        representatives["A2"] = "Eva Ek"
        del book["Möten"]  # a sheet not used may go

    out = problems_of(edit(path, remove))
    assert "bladet Enheter, rad 1, kolumn Namn: kolumnen Namn saknas men behövs" in out
    assert out.count("kolumnen Namn saknas") == 1  # once, not once per row
    assert "bladet Organisation: bladet saknas" in out
    assert "bladet Företrädare, rad 1, kolumn Klient: kolumnen Klient saknas" in out


def test_a_survey_without_its_year_and_a_second_organisation_row(tmp_path: Path) -> None:
    path = workbook_of(tmp_path, survey={"year": 2026, "results": [{"unit": "ht-norra", "question": "Nöjd", "value": 84}]})

    def change(book: Any) -> None:
        book["Enkät"].delete_rows(2)
        organisation = book["Organisation"]
        organisation["A3"] = "Annan kommun"
        results = book["Enkätresultat"]
        results.cell(2, column(results, "Resultat")).value = "84,5"  # a Swedish decimal comma

    out = problems_of(edit(path, change))
    assert "bladet Enkät, rad 2, kolumn År: fältet saknas men behövs" in out
    assert "bladet Organisation, rad 3: bladet Organisation ska ha en enda rad" in out
    assert "Resultat" not in out


# --- files that are not a workbook, or are hostile ----------------------------------------------

@pytest.mark.parametrize(("name", "content", "expected"), [
    ("arenden.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "gamla Excelformatet"),
    ("arenden.ods", b"PK\x03\x04", "spara den som Excel 2007-365 (.xlsx)"),
    ("arenden.csv", b"Id;Namn\nb-1;Bo\n", "CSV-fil rymmer bara ett blad"),
    ("arenden.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "lösenordsskyddad"),
    ("arenden.xlsx", b"Id;Namn\n", "ingen Excel-arbetsbok"),
    ("arenden.xlsx", b"PK\x03\x04trasig", "skadad"),
])
def test_other_files_get_a_clear_message(tmp_path: Path, name: str, content: bytes, expected: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 1
    assert expected in result.output and "Traceback" not in result.output


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path: Path) -> None:
    path = tmp_path / "arenden.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b" " * 20_000_000 + b">")
    assert path.stat().st_size < 100_000
    out = problems_of(path)
    assert "zipbomb" in out


def test_a_workbook_named_yaml_is_still_read_and_a_lock_file_warns(tmp_path: Path) -> None:
    path = workbook_of(tmp_path)
    renamed = path.rename(tmp_path / "arenden.yaml")
    assert load_case(renamed) == load_case(tmp_path / "kalla.yaml")
    workbook = workbook_of(tmp_path, "b.xlsx")
    (tmp_path / "~$b.xlsx").write_text("x")
    result = CliRunner().invoke(main, ["check", str(workbook)])
    assert result.exit_code == 0
    assert "öppen i Excel eller LibreOffice" in result.stderr and "Spara filen först" in result.stderr


# --- LibreOffice ----------------------------------------------------------------------------------

@pytest.mark.soffice
def test_the_workbook_reads_the_same_after_libreoffice_saved_it(tmp_path: Path) -> None:
    run("init", str(tmp_path / "demo"))
    out = tmp_path / "lo"
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--convert-to", "xlsx",
                    "--outdir", str(out), str(tmp_path / "demo" / "arenden.xlsx")], check=True, capture_output=True, timeout=180)
    saved = out / "arenden.xlsx"
    assert saved.exists()
    assert load_case(saved) == load_case(tmp_path / "demo" / "arenden.yaml")
