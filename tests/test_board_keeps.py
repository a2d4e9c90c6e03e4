"""`formkit board` keeps everything the assessor built: a board edited as she would (in openpyxl,
and the same board after a LibreOffice round trip) is regenerated after decisions were added,
removed and followed up, and every value, sheet, chart, comment, link, dropdown, fill, merged
cell, title row and own formula is still there, on the row of its decision."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers import BASE, write_case
from openpyxl import load_workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import TableColumn

from formkit.cli import main

CLIENTS = [*BASE["clients"], {"id": "b-003", "name": "Cia Berg", "birth_year": 1944, "unit": "ht-norra"}]
FOLLOW_UP = {"date": "2026-05-02", "method": "phone", "outcome": "unchanged"}


def decision(i: int, client: str, **extra: Any) -> dict[str, Any]:
    return {"id": f"B-{i:03d}", "client": client, "assessor": "bh-1", "services": ["HEMTJÄNST"], "law": "SoL",
            "decided": (dt.date(2023, 1, 1) + dt.timedelta(days=40 * i)).isoformat(), **extra}


BEFORE = [decision(1, "b-001"), decision(2, "b-002"), decision(3, "b-003"), decision(4, "b-001"),
          decision(5, "b-002", executed=False)]
# B-004 leaves, B-006 arrives, B-001 is followed up
AFTER = [decision(1, "b-001", follow_ups=[FOLLOW_UP]), decision(2, "b-002"), decision(3, "b-003"),
         decision(5, "b-002", executed=False), decision(6, "b-003")]
CLIENT_OF = {d["id"]: d["client"] for d in [*BEFORE, *AFTER]}


def run(*args: Any) -> Any:
    return CliRunner().invoke(main, [str(a) for a in args])


def headers_of(ws: Any, row: int) -> dict[str, int]:
    return {str(c.value): c.column for c in ws[row] if c.value is not None}


def soffice() -> str:
    return shutil.which("soffice") or shutil.which("libreoffice") or "soffice"


def edit(path: Path) -> dict[str, Any]:
    """What an assessor does to her board, through openpyxl; returns what she expects to keep."""
    wb = load_workbook(path)
    ws = wb["Uppföljningstavla"]
    # a title row above the header (moving the table, its rules and print titles like Excel does)
    ws.insert_rows(1)
    ws["A1"] = "Karins tavla – team Norr"
    ws.merge_cells("A1:E1")
    table = ws.tables["Uppfoljningar"]
    start, end = table.ref.split(":")
    table.ref = f"A2:{re.sub(r'[0-9]+', '', end)}{int(re.sub(r'[A-Z]+', '', end)) + 1}"
    table.autoFilter.ref = table.ref
    ws.freeze_panes = "B3"
    ws.print_title_rows = "2:2"
    ws.conditional_formatting = type(ws.conditional_formatting)()  # rules would move in Excel; formkit remakes them
    col = headers_of(ws, 2)
    width = max(col.values())
    # a moved column: Tidsbegränsat till and Nästa uppföljning change places
    a, b = col["Tidsbegränsat till"], col["Nästa uppföljning"]
    for r in range(2, ws.max_row + 1):
        ws.cell(r, a).value, ws.cell(r, b).value = ws.cell(r, b).value, ws.cell(r, a).value
        ws.cell(r, a).number_format = ws.cell(r, b).number_format = "yyyy-mm-dd"
    for tc in table.tableColumns:
        if tc.name == "Tidsbegränsat till":
            tc.name = "Nästa uppföljning"
        elif tc.name == "Nästa uppföljning":
            tc.name = "Tidsbegränsat till"
    # a renamed header
    ws.cell(2, col["Uppföljningsregel"]).value = "Regel"
    next(tc for tc in table.tableColumns if tc.name == "Uppföljningsregel").name = "Regel"
    col = headers_of(ws, 2)
    due = get_column_letter(col["Nästa uppföljning"])
    # own columns: a formula on Nästa uppföljning, a status with a dropdown
    days, status = width + 1, width + 2
    ws.cell(2, days).value, ws.cell(2, status).value = "Dagar kvar", "Status"
    table.tableColumns.append(TableColumn(id=width + 1, name="Dagar kvar"))
    table.tableColumns.append(TableColumn(id=width + 2, name="Status"))
    table.ref = f"A2:{get_column_letter(status)}{ws.max_row}"
    table.autoFilter.ref = table.ref
    dropdown = DataValidation(type="list", formula1='"Ring,Besök,Klar"', allow_blank=True)
    ws.add_data_validation(dropdown)
    dropdown.add(f"{get_column_letter(status)}3:{get_column_letter(status)}300")
    expected: dict[str, Any] = {"notes": {}, "comment": {}, "link": {}, "fill": {}}
    for r in range(3, ws.max_row + 1):
        decision_id = ws.cell(r, col["Beslut-id"]).value
        client = ws.cell(r, col["Klient-id"]).value
        note = f"anteckning om {client} {decision_id}"
        ws.cell(r, col["Anteckningar"]).value = note
        ws.cell(r, days).value = f"={due}{r}-TODAY()"
        ws.cell(r, status).value = "Ring"
        expected["notes"][decision_id] = note
    by_id = {ws.cell(r, col["Beslut-id"]).value: r for r in range(3, ws.max_row + 1)}
    r2 = by_id["B-002"]
    ws.cell(r2, col["Anteckningar"]).comment = Comment("Dottern vill bli uppringd", "Karin")
    ws.cell(r2, col["Klient"]).hyperlink = "https://exempelby.se/akt/b-002"
    ws.cell(r2, col["Lag"]).fill = PatternFill("solid", start_color="FF00FF", end_color="FF00FF")
    ws.cell(by_id["B-004"], col["Anteckningar"]).comment = Comment("Flyttar i vår", "Karin")
    expected["comment"]["B-002"] = "Dottern vill bli uppringd"
    expected["link"]["B-002"] = "https://exempelby.se/akt/b-002"
    expected["fill"]["B-002"] = "FF00FF"
    # a mistyped decision id: B-003's row (client b-003) now says B-002 (client b-002)
    ws.cell(by_id["B-003"], col["Beslut-id"]).value = "B-002"
    expected["mistyped_note"] = expected["notes"].pop("B-003")
    expected["notes"]["B-002"] = expected["notes"]["B-002"]
    # an own sheet with a chart
    own = wb.create_sheet("Statistik")
    own.append(["Status", "Antal"])
    own.append(["Ring", 4])
    own.append(["Klar", 1])
    chart = BarChart()
    chart.title = "Mina ärenden"
    chart.add_data(Reference(own, min_col=2, min_row=1, max_row=3), titles_from_data=True)
    chart.set_categories(Reference(own, min_col=1, min_row=2, max_row=3))
    own.add_chart(chart, "D2")
    own["A6"] = "=COUNTA('Uppföljningstavla'!C:C)"
    wb.save(path)
    return expected


def round_trip(path: Path, work: Path) -> None:
    """Open and save the board in LibreOffice (as xlsx), as an assessor without Excel would."""
    out = work / "lo"
    subprocess.run([soffice(), f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--norestore",
                    "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(path)],
                   check=True, capture_output=True, timeout=180)
    shutil.copy(out / path.name, path)


def check(path: Path, expected: dict[str, Any], output: str | None) -> None:
    wb = load_workbook(path)
    ws = wb["Uppföljningstavla"]
    assert ws["A1"].value == "Karins tavla – team Norr"
    assert "A1:E1" in {str(m) for m in ws.merged_cells.ranges}
    col = headers_of(ws, 2)
    assert "Regel" in col and "Uppföljningsregel" not in col  # the renamed header is kept, and still filled
    assert col["Tidsbegränsat till"] < col["Nästa uppföljning"] or col["Nästa uppföljning"] < col["Lag"] + 3
    due = get_column_letter(col["Nästa uppföljning"])
    rows = {}
    for r in range(3, ws.max_row + 1):
        values = {h: ws.cell(r, c) for h, c in col.items()}
        if values["Beslut-id"].value is None and values["Klient"].value is None:
            continue
        rows.setdefault(values["Beslut-id"].value, []).append((r, values))
    system = {d: v for d, entries in rows.items() for r, v in entries if v["Källa"].value == "System"}
    assert set(system) == {"B-001", "B-002", "B-003", "B-005", "B-006"}
    assert system["B-001"]["Regel"].value.startswith("3 år efter uppföljningen 2026-05-02")
    assert system["B-001"]["Senaste uppföljning"].value.date() == dt.date(2026, 5, 2)
    for decision_id, values in system.items():
        note = values["Anteckningar"].value
        if decision_id in expected["notes"]:
            assert note == expected["notes"][decision_id]
        else:
            assert note is None, (decision_id, note)  # B-003 and B-006: a fresh row, no one else's note
        r = values["Beslut-id"].row
        formula = values["Dagar kvar"].value
        if decision_id not in ("B-003", "B-006"):  # fresh rows: nothing typed on them yet
            assert formula == f"={due}{r}-TODAY()", (decision_id, formula)  # still Nästa uppföljning, its own row
            assert values["Status"].value == "Ring"
    # the mistyped row: kept as Manuell with its note, not on B-002's or B-003's row
    manual = [v for entries in rows.values() for r, v in entries if v["Källa"].value == "Manuell"]
    assert [m["Anteckningar"].value for m in manual] == [expected["mistyped_note"]]
    if output is not None:
        assert "gäller klient b-003" in output and "Manuell" in output
    # each note names its own client: none moved to another client's row
    for values in [*system.values(), *manual]:
        note = values["Anteckningar"].value
        if note:
            assert str(values["Klient-id"].value) in note
    # comment, link and fill moved with B-002's row
    b2 = system["B-002"]
    assert b2["Anteckningar"].comment is not None and expected["comment"]["B-002"] in b2["Anteckningar"].comment.text
    assert b2["Klient"].hyperlink is not None and b2["Klient"].hyperlink.target == expected["link"]["B-002"]
    assert b2["Lag"].fill.start_color.rgb.endswith(expected["fill"]["B-002"])
    # the dropdown covers the status column, new rows included
    status = get_column_letter(col["Status"])
    covered = " ".join(str(dv.sqref) for dv in ws.data_validations.dataValidation if '"Ring,Besök,Klar"' in (dv.formula1 or ""))
    assert re.search(rf"\b{status}3:{status}\d+", covered), covered
    assert int(re.search(rf"{status}3:{status}(\d+)", covered).group(1)) >= ws.max_row
    # B-004 left: on Arkiv with its note, its comment carried as text
    archive = wb["Arkiv"]
    acol = headers_of(archive, 1)
    arkiv = {archive.cell(r, acol["Beslut-id"]).value: r for r in range(2, archive.max_row + 1)}
    assert "B-004" in arkiv
    note = archive.cell(arkiv["B-004"], acol["Anteckningar"]).value
    assert note.startswith(expected["notes"]["B-004"]) and "Flyttar i vår" in note
    # the own sheet and its chart
    assert "Statistik" in wb.sheetnames and wb["Statistik"]["B2"].value == 4
    assert wb["Statistik"]["A6"].value.replace("'", "") == "=COUNTA(Uppföljningstavla!C:C)"  # LibreOffice drops the quotes
    with zipfile.ZipFile(path) as package:
        names = package.namelist()
        assert any(n.startswith("xl/charts/chart") for n in names)
        assert "Mina ärenden" in "".join(package.read(n).decode() for n in names if n.startswith("xl/charts/chart"))
        assert "xl/calcChain.xml" not in names


def first_board(tmp_path: Path) -> tuple[Path, Path, Path]:
    """The case before the edits, its folder and the board made from it: (case, out, board)."""
    case = write_case(tmp_path, decisions=BEFORE, clients=CLIENTS)
    out = tmp_path / "ut"
    assert run("board", case, "-o", out).exit_code == 0
    return case, out, out / "uppfoljningstavla_bh-1.xlsx"


@pytest.mark.parametrize("through", ["openpyxl", pytest.param("libreoffice", marks=pytest.mark.soffice)])
def test_everything_the_assessor_built_is_kept(tmp_path: Path, through: str) -> None:
    case, out, path = first_board(tmp_path)
    expected = edit(path)
    if through == "libreoffice":
        round_trip(path, tmp_path)
    write_case(tmp_path, decisions=AFTER, clients=CLIENTS)
    result = run("board", case, "-o", out)
    assert result.exit_code == 0, result.output
    check(path, expected, result.output)
    # and once more: stable, nothing doubled
    again = run("board", case, "-o", out)
    assert again.exit_code == 0, again.output
    check(path, expected, None)  # the row is Manuell now: said once
    rules = sum(len(cf.rules) for cf in load_workbook(path)["Uppföljningstavla"].conditional_formatting)
    assert rules == 7


def test_formula_whose_column_is_not_on_arkiv_goes_to_notes(tmp_path: Path) -> None:
    case, out, path = first_board(tmp_path)
    wb = load_workbook(path)
    ws = wb["Uppföljningstavla"]
    col = headers_of(ws, 1)
    goal, left = max(col.values()) + 1, max(col.values()) + 2
    ws.cell(1, goal).value, ws.cell(1, left).value = "Mål", "Kvar till mål"
    table = ws.tables["Uppfoljningar"]
    table.ref = f"A1:{get_column_letter(left)}{ws.max_row}"
    table.tableColumns.append(TableColumn(id=goal, name="Mål"))
    table.tableColumns.append(TableColumn(id=left, name="Kvar till mål"))
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, col["Beslut-id"]).value != "B-004":
            ws.cell(r, goal).value = dt.datetime(2027, 1, 1)
        ws.cell(r, left).value = f"={get_column_letter(goal)}{r}-TODAY()"
    wb.save(path)
    write_case(tmp_path, decisions=AFTER, clients=CLIENTS)
    result = run("board", case, "-o", out)
    assert result.exit_code == 0, result.output
    assert "1 egna formler pekade på en kolumn som inte finns" in result.output
    wb = load_workbook(path)
    archive = wb["Arkiv"]
    acol = headers_of(archive, 1)
    row = next(r for r in range(2, archive.max_row + 1) if archive.cell(r, acol["Beslut-id"]).value == "B-004")
    assert archive.cell(row, acol["Kvar till mål"]).value is None
    assert "Formeln =" in archive.cell(row, acol["Anteckningar"]).value and "Mål" in archive.cell(row, acol["Anteckningar"]).value
    ws = wb["Uppföljningstavla"]
    col = headers_of(ws, 1)
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, col["Beslut-id"]).value in ("B-001", "B-002"):
            assert ws.cell(r, col["Kvar till mål"]).value == f"={get_column_letter(col['Mål'])}{r}-TODAY()"


def test_table_column_names_unique_ignoring_case(tmp_path: Path) -> None:
    case, out, path = first_board(tmp_path)
    wb = load_workbook(path)
    ws = wb["Uppföljningstavla"]
    extra = ws.max_column + 1
    ws.cell(1, extra).value = "anteckningar"
    ws.cell(2, extra).value = "min andra anteckning"
    wb.save(path)
    result = run("board", case, "-o", out)
    assert result.exit_code == 0, result.output
    assert "'anteckningar (2)'" in result.output
    ws = load_workbook(path)["Uppföljningstavla"]
    names = [c.name for c in ws.tables["Uppfoljningar"].tableColumns]
    headers = [c.value for c in ws[1]][: len(names)]
    assert names == headers and len({n.casefold() for n in names}) == len(names)
    assert "anteckningar (2)" in names


def test_ej_verkstallda_list_for_the_quarter(tmp_path: Path) -> None:
    decisions = [decision(1, "b-001", executed=False, decided="2026-06-30", not_executed_reason="Ingen ledig plats"),
                 decision(2, "b-002", executed=False, decided="2026-07-01"),  # three months only after 30 September
                 decision(3, "b-003", executed=False, decided="2026-01-15", law="LSS"),
                 decision(4, "b-001", decided="2025-01-01")]
    case = write_case(tmp_path, decisions=decisions, clients=CLIENTS)
    result = run("board", case, "--ej-verkstallda", "--kvartal", "2026-K3", "-o", tmp_path / "ut")
    assert result.exit_code == 0, result.output
    assert "2 ej verkställda beslut äldre än tre månader per 2026-09-30 (SoL 1, LSS 1)" in result.output
    assert "B-003" in result.output and "not_executed_reason" in result.output  # no reason given: said
    ws = load_workbook(tmp_path / "ut" / "ej-verkstallda_2026-K3.xlsx").active
    rows = [r for r in ws.iter_rows(min_row=5, values_only=True) if r[0]]
    assert [r[0] for r in rows] == ["B-003", "B-001"]
    b3, b1 = rows
    assert b3[5] == "LSS 28 f §" and b1[5] == "SoL 16 kap. 6 f §"
    assert b1[8] == 92 and b1[9] == "Ingen ledig plats" and b3[3] == 1944
    text = " ".join(str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None)
    assert "19400101" not in text
    bad = run("board", case, "--ej-verkstallda", "--kvartal", "2026-3", "-o", tmp_path / "ut")
    assert bad.exit_code == 1 and "2026-K3" in bad.output


def test_follow_up_interval_per_law_and_guardian_consent(tmp_path: Path) -> None:
    clients = [dict(CLIENTS[0]), dict(CLIENTS[1]),
               {"id": "b-009", "name": "Ung Person", "personal_number": "20100315-0008", "unit": "ht-norra",
                "consent": {"signed": "2026-01-10", "given_by": "guardian"}}]
    decisions = [decision(1, "b-009", decided="2025-06-01", law="LSS"), decision(2, "b-001", decided="2025-06-01")]
    case = write_case(tmp_path, decisions=decisions, clients=clients, follow_up_years={"LSS": 1})
    out = tmp_path / "ut"
    result = run("board", case, "-o", out)
    assert result.exit_code == 0, result.output
    ws = load_workbook(out / "uppfoljningstavla_bh-1.xlsx")["Uppföljningstavla"]
    col = headers_of(ws, 1)
    rows = {ws.cell(r, col["Beslut-id"]).value: r for r in range(2, ws.max_row + 1)}
    lss, sol = rows["B-001"], rows["B-002"]
    assert ws.cell(lss, col["Nästa uppföljning"]).value.date() == dt.date(2026, 6, 1)
    assert ws.cell(lss, col["Uppföljningsregel"]).value == "1 år efter beslut (LSS)"
    assert ws.cell(sol, col["Nästa uppföljning"]).value.date() == dt.date(2028, 6, 1)
    assert ws.cell(sol, col["Uppföljningsregel"]).value == "3 år efter beslut (SoL)"
    # a guardian's consent ends on the 18th birthday, before its three years
    assert ws.cell(lss, col["Samtycke gäller till"]).value.date() == dt.date(2028, 3, 15)
    assert ws.cell(sol, col["Samtycke gäller till"]).value == "Saknas"


def test_what_cannot_be_carried_is_said_with_the_backup(tmp_path: Path) -> None:
    """Cells merged across two rows cannot stay merged once the rows are sorted apart: the run
    says which cells and where the previous board is, never silently."""
    case, out, path = first_board(tmp_path)
    wb = load_workbook(path)
    ws = wb["Uppföljningstavla"]
    col = headers_of(ws, 1)
    rows = {ws.cell(r, col["Beslut-id"]).value: r for r in range(2, ws.max_row + 1)}
    top = rows["B-001"]
    ref = f"{get_column_letter(col['Nästa åtgärd'])}{top}:{get_column_letter(col['Nästa åtgärd'])}{top + 1}"
    ws.merge_cells(ref)
    wb.save(path)
    write_case(tmp_path, decisions=AFTER, clients=CLIENTS)  # B-001 followed up: it sorts last now
    result = run("board", case, "-o", out)
    assert result.exit_code == 0, result.output
    assert f"De sammanfogade cellerna {ref}" in result.output and "sakerhetskopior/uppfoljningstavla_bh-1_" in result.output
