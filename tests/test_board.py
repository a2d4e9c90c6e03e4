"""`formkit board`: the rows, the workbook's structure, the händelse text, and regeneration
over a board the assessor has edited (notes, sorting, own rows, lock files, backups)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers import BASE, spy_on_fork, write_case
from openpyxl import load_workbook

from formkit import parallel
from formkit.board.snapshot import Generated
from formkit.cli import main
from formkit.xlsxpkg.package import Package

FOLLOW_UP = {
    "date": "2026-05-02", "method": "phone", "outcome": "unchanged",
    "answers": {"gets_granted_help": "yes", "plans_when": "yes", "plans_how": "partly", "feels_good": "no"},
}
DECISIONS = [
    {"id": "B-2023-0142", "client": "b-001", "assessor": "bh-1", "services": ["HEMTJÄNST", "LEDSAGNING"],
     "law": "SoL", "decided": "2023-05-02", "follow_ups": [FOLLOW_UP]},
    {"id": "B-2024-0007", "client": "b-002", "assessor": "bh-1", "services": ["BOENDESTÖD"], "law": "LSS",
     "decided": "2024-02-29", "executed": False},
    {"id": "B-2025-0001", "client": "b-002", "assessor": "bh-1", "services": ["KORTTIDSVISTELSE"], "law": "SoL",
     "decided": "2025-01-10", "valid_until": "2025-12-31"},
]


def staff_with_second_assessor() -> list[dict[str, Any]]:
    return [*BASE["staff"], {"id": "bh-2", "name": "Lena Å", "role": "assessor", "unit": "myndighet"}]


def run(*args: str) -> Any:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result


def board_rows(path: Path, sheet: str = "Uppföljningstavla") -> list[dict[str, Any]]:
    ws = load_workbook(path)[sheet]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:] if any(v is not None for v in r)]


def make(tmp_path: Path, decisions: list[dict[str, Any]] = DECISIONS, **sections: Any) -> tuple[Path, Path]:
    case = write_case(tmp_path, decisions=decisions, **sections)
    out = tmp_path / "ut"
    result = run("board", case, "-o", out)
    assert result.exit_code == 0, result.output
    return case, out / "uppfoljningstavla_bh-1.xlsx"


def test_board_rows_sorted_with_next_follow_up_rule(tmp_path: Path) -> None:
    _, path = make(tmp_path)
    rows = board_rows(path)
    assert [r["Beslut-id"] for r in rows] == ["B-2025-0001", "B-2024-0007", "B-2023-0142"]
    limited, leap, followed = rows
    # time-limited: due at its own end date
    assert limited["Nästa uppföljning"].date() == dt.date(2025, 12, 31)
    # decided on 29 February: three years later is 28 February
    assert leap["Beslutsdatum"].date() == dt.date(2024, 2, 29)
    assert leap["Nästa uppföljning"].date() == dt.date(2027, 2, 28)
    assert leap["Verkställt"] == "Nej"
    # after a follow-up: three years after the follow-up
    assert followed["Nästa uppföljning"].date() == dt.date(2029, 5, 2)
    assert followed["Senaste uppföljning"].date() == dt.date(2026, 5, 2)
    assert followed["Uppföljningssätt"] == "Telefon"
    assert [followed[h] for h in ("Får beviljad hjälp", "Planerar när", "Planerar hur", "Känns bra")] == ["Ja", "Ja", "Delvis", "Nej"]
    assert followed["Händelse"] == (
        "En uppföljning har genomförts den 2026-05-02 genom ett telefonsamtal. Bedömningen är att behovet "
        "kvarstår och att biståndet för HEMTJÄNST och LEDSAGNING är skäligt."
    )
    assert followed["Klient"] == "Åsa Öberg-Ängström" and followed["Klient-id"] == "b-001"
    assert {r["Källa"] for r in rows} == {"System"}


def test_no_personal_number_anywhere(tmp_path: Path) -> None:
    _, path = make(tmp_path)
    with zipfile.ZipFile(path) as package:
        text = "".join(package.read(n).decode("utf-8", "replace") for n in package.namelist())
    assert "19400101" not in text and "400101-1230" not in text


def test_consent_valid_until(tmp_path: Path) -> None:
    clients = [dict(BASE["clients"][0], consent={"signed": "2024-03-01", "valid_years": 3}), BASE["clients"][1]]
    _, path = make(tmp_path, clients=clients)
    rows = {r["Beslut-id"]: r for r in board_rows(path)}
    assert rows["B-2023-0142"]["Samtycke gäller till"].date() == dt.date(2027, 3, 1)
    assert rows["B-2024-0007"]["Samtycke gäller till"] == "Saknas"  # no consent on file: said, and red


def test_workbook_structure(tmp_path: Path) -> None:
    _, path = make(tmp_path)
    wb = load_workbook(path)
    assert wb.sheetnames == ["Uppföljningstavla", "Arkiv", "Förklaring", "formkit"]
    assert wb["formkit"].sheet_state == "hidden"
    ws = wb["Uppföljningstavla"]
    assert ws.freeze_panes == "B2"
    table = ws.tables["Uppfoljningar"]
    assert table.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}4"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$1:$1"
    headers = [c.value for c in ws[1]]
    due = ws.cell(2, headers.index("Nästa uppföljning") + 1)
    assert due.number_format == "yyyy-mm-dd"
    assert ws.column_dimensions[due.column_letter].width >= 12
    assert ws["A1"].fill.start_color.rgb.endswith("1F4E78") and ws["A1"].font.bold  # styled without the table style
    rules = {str(cf.sqref): [r.formula[0] for r in cf.rules] for cf in ws.conditional_formatting}
    letter = due.column_letter
    assert any(f"{letter}2<TODAY()" in f and "ISNUMBER" in f for f in rules[f"{letter}2:{letter}204"])
    assert any("EDATE(TODAY(),2)" in f for f in rules[f"{letter}2:{letter}204"])
    assert any('="Nej"' in f[0] for f in rules.values())
    legend = [c.value for c in wb["Förklaring"]["B"] if c.value]
    assert any("Röd" in text for text in legend) and any("Gul" in text for text in legend)


def test_formula_like_text_stays_text(tmp_path: Path) -> None:
    clients = [dict(BASE["clients"][0], name="=HYPERLINK(\"http://x\",\"y\")"), dict(BASE["clients"][1], name="@Ali & Söner <AB> 🙂")]
    decisions = [dict(DECISIONS[0], services=["=1+1", "+A1", "-2"]), DECISIONS[1]]
    _, path = make(tmp_path, decisions=decisions, clients=clients)
    ws = load_workbook(path)["Uppföljningstavla"]
    values = {c.value: c.data_type for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert values['=HYPERLINK("http://x","y")'] == "s"
    assert values["=1+1, +A1, -2"] == "s"
    assert values["@Ali & Söner <AB> 🙂"] == "s"
    with zipfile.ZipFile(path) as package:
        sheet = package.read("xl/worksheets/sheet1.xml").decode()
    # the only formulas are formkit's own (days since an ej verkställt decision), never the data's
    formulas = re.findall(r"<f>(.*?)</f>", sheet)
    assert formulas and all(re.fullmatch(r"TODAY\(\)-F\d+", f) for f in formulas)


def test_journal_prints_handelse(tmp_path: Path) -> None:
    new = dict(FOLLOW_UP, date="2026-06-01", method="home_visit", outcome="new_decision")
    decisions = [dict(DECISIONS[0], follow_ups=[FOLLOW_UP, new]), DECISIONS[1], DECISIONS[2]]
    case = write_case(tmp_path, decisions=decisions)
    result = run("board", case, "--journal", "B-2023-0142")
    assert result.exit_code == 0
    handelse, after = result.output.strip().split("\n\n")
    assert handelse == ("En uppföljning har genomförts den 2026-06-01 genom ett hembesök. "
                        "Behovet har utretts och ett nytt beslut har fattats.")
    assert "nytt uppdrag skickas till utföraren" in after  # a new decision: no funktionsbrevlåda message
    assert not (tmp_path / "ut").exists()
    missing = run("board", case, "--journal", "B-2023-014")
    assert missing.exit_code == 1 and "B-2023-0142" in missing.output
    none_yet = run("board", case, "--journal", "B-2025-0001")
    assert none_yet.exit_code == 1 and "ingen registrerad uppföljning" in none_yet.output
    not_executed = run("board", case, "--journal", "B-2024-0007")  # no follow-up, but the utförare must be told
    assert not_executed.exit_code == 0 and "är ännu inte verkställt" in not_executed.output


def test_ended_decision_leaves_for_the_archive(tmp_path: Path) -> None:
    ended = dict(FOLLOW_UP, outcome="ended")
    _, path = make(tmp_path, decisions=[dict(DECISIONS[0], follow_ups=[ended]), DECISIONS[1]])
    assert [r["Beslut-id"] for r in board_rows(path)] == ["B-2024-0007"]
    archived = board_rows(path, "Arkiv")
    assert [r["Beslut-id"] for r in archived] == ["B-2023-0142"] and archived[0]["Nästa uppföljning"] is None
    assert "HEMTJÄNST och LEDSAGNING har avslutats" in archived[0]["Händelse"]
    assert archived[0]["Uppföljningsregel"] == "avslutat vid uppföljningen 2026-05-02"


def test_one_board_per_assessor_and_filter(tmp_path: Path) -> None:
    decisions = [*DECISIONS, dict(DECISIONS[0], id="B-9", assessor="bh-2")]
    case = write_case(tmp_path, decisions=decisions, staff=staff_with_second_assessor())
    out = tmp_path / "ut"
    assert run("board", case, "-o", out).exit_code == 0
    assert sorted(p.name for p in out.glob("*.xlsx")) == ["uppfoljningstavla_bh-1.xlsx", "uppfoljningstavla_bh-2.xlsx"]
    assert [r["Beslut-id"] for r in board_rows(out / "uppfoljningstavla_bh-2.xlsx")] == ["B-9"]
    only = tmp_path / "only"
    assert run("board", case, "--assessor", "bh-2", "-o", only).exit_code == 0
    assert [p.name for p in only.glob("*.xlsx")] == ["uppfoljningstavla_bh-2.xlsx"]
    wrong = run("board", case, "--assessor", "bh-3", "-o", only)
    assert wrong.exit_code == 1 and "bh-3" in wrong.output and ("bh-1" in wrong.output or "bh-2" in wrong.output)


def test_empty_board(tmp_path: Path) -> None:
    _, path = make(tmp_path, decisions=[])
    ws = load_workbook(path)["Uppföljningstavla"]
    assert ws.tables["Uppfoljningar"].ref.endswith("2")
    assert board_rows(path) == []


# --- regeneration ----------------------------------------------------------------------------

def edit_board(path: Path, notes: dict[str, str], manual: list[dict[str, Any]] = (), extra: str | None = None,
               reverse: bool = True) -> None:
    """What an assessor does: sort the board, type notes, add own rows and an own column."""
    wb = load_workbook(path)
    ws = wb["Uppföljningstavla"]
    headers = [c.value for c in ws[1]]
    data = [list(r) for r in ws.iter_rows(min_row=2, values_only=True)]
    if reverse:
        data.reverse()
    for r, values in enumerate(data, start=2):
        for c, v in enumerate(values, start=1):
            ws.cell(r, c).value = v
    col = {h: i + 1 for i, h in enumerate(headers)}
    if extra:
        ws.cell(1, len(headers) + 1).value = extra
    for r in range(2, ws.max_row + 1):
        decision = ws.cell(r, col["Beslut-id"]).value
        if decision in notes:
            ws.cell(r, col["Anteckningar"]).value = notes[decision]
            ws.cell(r, col["Anteckningar"]).data_type = "s"  # typed as text ('=… in Excel)
            if extra:
                ws.cell(r, len(headers) + 1).value = f"egen {decision}"
    for row in manual:
        r = ws.max_row + 1
        for h, v in row.items():
            ws.cell(r, col[h]).value = v
    wb.save(path)


def test_regeneration_keeps_notes_own_rows_and_archives(tmp_path: Path) -> None:
    case, path = make(tmp_path)
    edit_board(path, {"B-2023-0142": "Ring dottern först", "B-2024-0007": "=inte en formel"},
               manual=[{"Klient": "Extra person", "Nästa uppföljning": dt.date(2026, 1, 5), "Källa": "Manuell",
                        "Anteckningar": "egen rad"}, {"Klient": "Utan id", "Anteckningar": "lös anteckning"}],
               extra="Min kolumn")
    # B-2024-0007 leaves the data; a new decision arrives
    write_case(tmp_path, decisions=[DECISIONS[0], DECISIONS[2], dict(DECISIONS[0], id="B-2026-0100", decided="2026-01-01", follow_ups=[])])
    result = run("board", case, "-o", tmp_path / "ut")
    assert result.exit_code == 0, result.output
    assert "1 beslut flyttade till fliken Arkiv" in result.output and "2 egna rader" in result.output
    rows = {r["Beslut-id"] or r["Klient"]: r for r in board_rows(path)}
    assert rows["B-2023-0142"]["Anteckningar"] == "Ring dottern först"
    assert rows["B-2023-0142"]["Min kolumn"] == "egen B-2023-0142"
    assert rows["Extra person"]["Källa"] == "Manuell" and rows["Extra person"]["Anteckningar"] == "egen rad"
    assert rows["Utan id"]["Anteckningar"] == "lös anteckning" and rows["Utan id"]["Källa"] == "Manuell"
    assert rows["B-2026-0100"]["Anteckningar"] is None
    assert "B-2024-0007" not in rows
    order = [r["Beslut-id"] or r["Klient"] for r in board_rows(path)]
    assert order[:2] == ["B-2025-0001", "Extra person"]  # sorted by next follow-up again
    archive = board_rows(path, "Arkiv")
    assert [a["Beslut-id"] for a in archive] == ["B-2024-0007"]
    assert archive[0]["Anteckningar"] == "=inte en formel" and archive[0]["Min kolumn"] == "egen B-2024-0007"
    assert isinstance(archive[0]["Arkiverad"], dt.datetime)
    ws = load_workbook(path)["Arkiv"]
    note = next(c for row in ws.iter_rows() for c in row if c.value == "=inte en formel")
    assert note.data_type == "s"
    backups = list((tmp_path / "ut" / "sakerhetskopior").glob("uppfoljningstavla_bh-1_*.xlsx"))
    assert len(backups) == 1
    assert any(r.get("Anteckningar") == "Ring dottern först" for r in board_rows(backups[0]))

    # The decision comes back: its notes come back from the archive.
    write_case(tmp_path, decisions=DECISIONS)
    assert run("board", case, "-o", tmp_path / "ut").exit_code == 0
    rows = {r["Beslut-id"]: r for r in board_rows(path) if r["Beslut-id"]}
    assert rows["B-2024-0007"]["Anteckningar"] == "=inte en formel"
    assert [a["Beslut-id"] for a in board_rows(path, "Arkiv")] == ["B-2026-0100"]  # only the one that left now


def test_conditional_formatting_not_duplicated(tmp_path: Path) -> None:
    case, path = make(tmp_path)
    first = sum(len(cf.rules) for cf in load_workbook(path)["Uppföljningstavla"].conditional_formatting)
    for _ in range(3):
        assert run("board", case, "-o", tmp_path / "ut").exit_code == 0
    again = sum(len(cf.rules) for cf in load_workbook(path)["Uppföljningstavla"].conditional_formatting)
    assert first == again == 7


@pytest.mark.parametrize("lock", [".~lock.uppfoljningstavla_bh-1.xlsx#", "~$uppfoljningstavla_bh-1.xlsx",
                                  "~$pfoljningstavla_bh-1.xlsx"])
def test_open_board_is_not_touched(tmp_path: Path, lock: str) -> None:
    case, path = make(tmp_path)
    before = path.read_bytes()
    (path.parent / lock).write_text("x")
    result = run("board", case, "-o", tmp_path / "ut")
    assert result.exit_code == 1
    assert "öppen" in result.output and lock in result.output
    assert path.read_bytes() == before
    assert not (tmp_path / "ut" / "sakerhetskopior").exists()


def test_unreadable_board_is_not_overwritten(tmp_path: Path) -> None:
    case, path = make(tmp_path)
    path.write_bytes(b"not a workbook")
    result = run("board", case, "-o", tmp_path / "ut")
    assert result.exit_code == 1 and "är skadad och går inte att läsa" in result.output and "sakerhetskopior" in result.output
    assert path.read_bytes() == b"not a workbook"


def test_board_without_decision_id_column_is_refused(tmp_path: Path) -> None:
    case, path = make(tmp_path)
    wb = load_workbook(path)
    wb["Uppföljningstavla"]["C1"].value = "Beslut"
    wb.save(path)
    before = path.read_bytes()
    result = run("board", case, "-o", tmp_path / "ut")
    assert result.exit_code == 1 and "Beslut-id" in result.output
    assert path.read_bytes() == before


def test_fields_documents_the_board() -> None:
    result = run("fields", "sheets")
    assert result.exit_code == 0
    assert "Nästa uppföljning" in result.output and "Anteckningar" in result.output


def test_help_has_example() -> None:
    result = run("board", "--help")
    assert result.exit_code == 0 and "formkit board arenden.yaml --journal" in result.output


def test_own_formula_follows_its_row(tmp_path: Path) -> None:
    """An own column 'Dagar kvar' = next follow-up minus today keeps working after re-sorting."""
    case, path = make(tmp_path)
    wb = load_workbook(path)
    ws = wb["Uppföljningstavla"]
    headers = [c.value for c in ws[1]]
    own = len(headers) + 1
    due = ws.cell(1, headers.index("Nästa uppföljning") + 1).column_letter
    ws.cell(1, own).value = "Dagar kvar"
    ids = {}
    for r in range(2, 5):
        ws.cell(r, own).value = f"={due}{r}-TODAY()"
        ids[ws.cell(r, 3).value] = r
    wb.save(path)
    # a decision decided earlier than all others now sorts first: every row moves down one
    write_case(tmp_path, decisions=[*DECISIONS, dict(DECISIONS[0], id="B-2020-0001", decided="2020-01-01", follow_ups=[])])
    assert run("board", case, "-o", tmp_path / "ut").exit_code == 0
    ws = load_workbook(path)["Uppföljningstavla"]
    for r in range(2, ws.max_row + 1):
        decision = ws.cell(r, 3).value
        cell = ws.cell(r, own)
        if decision in ids:
            assert cell.data_type == "f" and cell.value == f"={due}{r}-TODAY()"
        else:
            assert cell.value is None


def test_value_typed_over_a_system_column_moves_to_notes(tmp_path: Path) -> None:
    case, path = make(tmp_path)
    wb = load_workbook(path)
    ws = wb["Uppföljningstavla"]
    headers = [c.value for c in ws[1]]
    col = {h: i + 1 for i, h in enumerate(headers)}
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, col["Beslut-id"]).value == "B-2023-0142":
            ws.cell(r, col["Nästa uppföljning"]).value = dt.date(2026, 12, 24)
            ws.cell(r, col["Anteckningar"]).value = "Ring först"
        if ws.cell(r, col["Beslut-id"]).value == "B-2024-0007":
            ws.cell(r, col["Verkställt"]).value = "Nej"  # unchanged: nothing to move
    wb.save(path)
    assert run("board", case, "-o", tmp_path / "ut").exit_code == 0
    rows = {r["Beslut-id"]: r for r in board_rows(path)}
    assert rows["B-2023-0142"]["Nästa uppföljning"].date() == dt.date(2029, 5, 2)  # the data wins in its column
    notes = rows["B-2023-0142"]["Anteckningar"].split("\n")
    assert notes[0] == "Ring först"
    assert "Du hade skrivit 2026-12-24 i Nästa uppföljning" in notes[1]
    assert rows["B-2024-0007"]["Anteckningar"] is None
    # made again without further edits: the note is not repeated
    assert run("board", case, "-o", tmp_path / "ut").exit_code == 0
    assert board_rows(path)[-1]["Anteckningar"].count("Du hade skrivit") == 1


def test_values_under_blank_or_repeated_headings_are_kept(tmp_path: Path) -> None:
    case, path = make(tmp_path)
    wb = load_workbook(path)
    ws = wb["Uppföljningstavla"]
    width = ws.max_column
    ws.cell(1, width + 1).value = "Anteckningar"  # a second notes column
    ws.cell(2, width + 1).value = "andra anteckningen"
    ws.cell(3, width + 3).value = "utan rubrik"  # a value with no heading above it
    decision_2, decision_3 = ws.cell(2, 3).value, ws.cell(3, 3).value
    wb.save(path)
    assert run("board", case, "-o", tmp_path / "ut").exit_code == 0
    rows = {r["Beslut-id"]: r for r in board_rows(path)}
    assert rows[decision_2]["Anteckningar (2)"] == "andra anteckningen"
    blank = next(h for h, v in rows[decision_3].items() if str(h).startswith("Kolumn ") and v is not None)
    assert rows[decision_3][blank] == "utan rubrik"


def test_a_manual_row_with_a_decision_id_stays_manual_beside_the_system_row(tmp_path: Path) -> None:
    """An assessor who marks a decision's row Manuell keeps it as her own row, with what she
    typed; the decision still gets its system row, and regenerating twice adds nothing more."""
    case, path = make(tmp_path)
    wb = load_workbook(path)
    ws = wb["Uppföljningstavla"]
    col = {c.value: c.column for c in ws[1]}
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, col["Beslut-id"]).value == "B-2023-0142")
    ws.cell(row, col["Källa"]).value = "manuell"  # any case
    ws.cell(row, col["Anteckningar"]).value = "min egen rad för beslutet"
    ws.cell(row, col["Nästa uppföljning"]).value = dt.datetime(2026, 2, 1)
    wb.save(path)
    for _ in range(2):
        result = run("board", case, "-o", tmp_path / "ut")
        assert result.exit_code == 0, result.output
        rows = [r for r in board_rows(path) if r["Beslut-id"] == "B-2023-0142"]
        assert sorted(r["Källa"] for r in rows) == ["Manuell", "System"]
        manual = next(r for r in rows if r["Källa"] == "Manuell")
        system = next(r for r in rows if r["Källa"] == "System")
        assert manual["Anteckningar"] == "min egen rad för beslutet"
        assert manual["Nästa uppföljning"].date() == dt.date(2026, 2, 1)  # as typed, not recomputed
        assert system["Anteckningar"] is None and system["Nästa uppföljning"].date() == dt.date(2029, 5, 2)
    assert len(board_rows(path)) == len(DECISIONS) + 1
    assert board_rows(path, "Arkiv") == []


def test_a_personal_number_typed_on_the_board_is_not_repeated(tmp_path: Path) -> None:
    case, path = make(tmp_path)
    wb = load_workbook(path)
    ws = wb["Uppföljningstavla"]
    col = {c.value: c.column for c in ws[1]}
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, col["Beslut-id"]).value == "B-2023-0142")
    ws.cell(row, col["Klient-id"]).value = "19400101-1230"  # typed over the client id
    wb.save(path)
    result = run("board", case, "-o", tmp_path / "ut")
    assert result.exit_code == 0, result.output
    assert "gäller klient [personnummer]" in result.output and "1230" not in result.output


# --- many boards: made in worker processes ---------------------------------------------------

def five_assessors(tmp_path: Path) -> Path:
    staff = [*BASE["staff"], *({"id": f"bh-{n}", "name": f"Handläggare {n}", "role": "assessor", "unit": "myndighet"}
                               for n in range(2, 6))]
    decisions = [dict(DECISIONS[i % 3], id=f"B-2025-{i:04d}", client=f"b-00{1 + i % 2}", assessor=f"bh-{1 + i % 5}")
                 for i in range(20)]
    return write_case(tmp_path, staff=staff, decisions=decisions)


def test_workers_make_the_same_boards_as_one_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    case = five_assessors(tmp_path)
    assert run("board", case, "-o", tmp_path / "ut").exit_code == 0
    edit_board(tmp_path / "ut" / "uppfoljningstavla_bh-3.xlsx", {"B-2025-0002": "Ring dottern"}, extra="Min kolumn")
    shutil.copytree(tmp_path / "ut", tmp_path / "two")
    monkeypatch.setattr(parallel, "workers", lambda: 1)
    assert run("board", case, "-o", tmp_path / "ut").exit_code == 0
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    calls = spy_on_fork(monkeypatch)
    result = run("board", case, "-o", tmp_path / "two")
    assert result.exit_code == 0, result.output
    assert calls == ["fork"]  # five boards: made by the workers
    one = {p.name: p.read_bytes() for p in (tmp_path / "ut").glob("uppfoljningstavla_*.xlsx")}
    two = {p.name: p.read_bytes() for p in (tmp_path / "two").glob("uppfoljningstavla_*.xlsx")}
    assert len(one) == 5 and one == two  # byte for byte
    assert {r["Beslut-id"]: r["Anteckningar"] for r in board_rows(tmp_path / "two" / "uppfoljningstavla_bh-3.xlsx")}[
        "B-2025-0002"] == "Ring dottern"
    assert "20 beslut" in result.output and len(list((tmp_path / "two" / "sakerhetskopior").glob("*.xlsx"))) == 5


def test_a_damaged_board_among_many_is_named_and_nothing_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    case = five_assessors(tmp_path)
    out = tmp_path / "ut"
    assert run("board", case, "-o", out).exit_code == 0
    (out / "uppfoljningstavla_bh-4.xlsx").write_bytes(b"not a workbook")
    before = {p: p.read_bytes() for p in out.rglob("*")}
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    result = run("board", case, "-o", out)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "uppfoljningstavla_bh-4.xlsx är skadad" in result.output
    assert {p: p.read_bytes() for p in out.rglob("*")} == before


def snapshot_sheet(rows: list[list[object]], prefix: str = "") -> bytes:
    """A hidden formkit sheet as text: inline strings, numbers; ``prefix`` for the namespace."""
    tag = f"{prefix}:" if prefix else ""
    body = "".join(
        f'<{tag}row r="{r}">' + "".join(
            f'<{tag}c r="{"ABC"[i]}{r}"><{tag}v>{v}</{tag}v></{tag}c>' if isinstance(v, int) else
            f'<{tag}c r="{"ABC"[i]}{r}" t="inlineStr"><{tag}is><{tag}t>{v}</{tag}t></{tag}is></{tag}c>'
            for i, v in enumerate(values)) + f"</{tag}row>"
        for r, values in enumerate(rows, start=1))
    ns = f'xmlns{":" + prefix if prefix else ""}="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    return f"<{tag}worksheet {ns}><{tag}sheetData>{body}</{tag}sheetData></{tag}worksheet>".encode()


@pytest.mark.parametrize("prefix", ["", "x"])
def test_the_hidden_sheet_gives_a_decisions_last_generated_row(prefix: str) -> None:
    """A row found by its id in the sheet's text is the one a whole-sheet read finds: the id in
    the id column (not another column's equal text), the last of repeated rows, none for an
    unknown id; a sheet not written as formkit writes it (a prefix) is read whole instead."""
    rows = [["Klient-id", "Beslut-id", "Lag"], [1, 2, 3], ["B-2", "B-1", "SoL"], ["k-1", "B-2", "LSS"],
            ["k-9", "B-1", "LSS"], ["B-3", "x", "SoL"]]
    package = Package({"xl/worksheets/sheet1.xml": snapshot_sheet(rows, prefix)})
    found = Generated(package, "xl/worksheets/sheet1.xml")
    assert found.values("B-1") == {"Klient-id": "k-9", "Beslut-id": "B-1", "Lag": "LSS"}
    assert found.values("B-2") == {"Klient-id": "k-1", "Beslut-id": "B-2", "Lag": "LSS"}
    assert (found._all is None) == (prefix == "")  # found in the text, or the sheet read whole
    assert found.values("B-3") is None and found.values("B-9") is None
    whole = Generated(package, "xl/worksheets/sheet1.xml")._every_row()
    assert set(whole) == {"B-1", "B-2", "x"}
