"""The board's sheet template: generated from the columns (and regenerating it changes nothing),
used from ``--templates`` when the user restyled it, and checked by ``formkit check``."""

from __future__ import annotations

import importlib
import shutil
import sys
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from helpers import write_case
from opencare_data import sections
from openpyxl import load_workbook
from openpyxl.styles import Font, PatternFill

from formkit.board.columns import HEADERS
from formkit.cli import main
from formkit.templates import bundled_dir

ROOT = Path(__file__).resolve().parent.parent
DECISIONS = [{"id": "B-1", "client": "b-001", "assessor": "bh-1", "services": ["HEMTJÄNST"], "law": "SoL",
              "decided": "2024-01-10"}]


def generator() -> Any:
    """tools/make_sheet_templates.py as a module."""
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        return importlib.import_module("make_sheet_templates")
    finally:
        sys.path.remove(str(ROOT / "tools"))


def own_template(tmp_path: Path) -> tuple[Path, Path]:
    """A user's templates folder holding a copy of the bundled board template to edit."""
    mine = tmp_path / "mallar"
    mine.mkdir()
    template = mine / "uppfoljningstavla.xlsx"
    shutil.copy(bundled_dir() / "sheets" / "uppfoljningstavla.xlsx", template)
    return mine, template


def test_regenerating_the_template_changes_nothing(tmp_path: Path) -> None:
    make_sheet_templates = generator()
    committed = (bundled_dir() / "sheets" / "uppfoljningstavla.xlsx").read_bytes()
    assert make_sheet_templates.build() == committed, "kör python tools/make_sheet_templates.py"
    ws = load_workbook(bundled_dir() / "sheets" / "uppfoljningstavla.xlsx")["Uppföljningstavla"]
    assert tuple(c.value for c in ws[1]) == HEADERS


def test_restyled_template_gives_the_board_its_header(tmp_path: Path) -> None:
    mine, template = own_template(tmp_path)
    wb = load_workbook(template)
    ws = wb["Uppföljningstavla"]
    for cell in ws[1]:
        cell.fill = PatternFill("solid", start_color="7030A0", end_color="7030A0")
        cell.font = Font(name="Arial", size=12, bold=True, color="FFFF00")
    ws.column_dimensions["A"].width = 33
    wb.save(template)
    case = write_case(tmp_path, decisions=DECISIONS)
    result = CliRunner().invoke(main, ["board", str(case), "-o", str(tmp_path / "ut"), "--templates", str(mine)])
    assert result.exit_code == 0, result.output
    board = load_workbook(tmp_path / "ut" / "uppfoljningstavla_bh-1.xlsx")["Uppföljningstavla"]
    assert board["A1"].fill.start_color.rgb.endswith("7030A0") and board["A1"].font.name == "Arial"
    assert board.column_dimensions["A"].width == 33
    assert board.cell(2, 3).value == "B-1"
    # without --templates: the bundled look
    plain = CliRunner().invoke(main, ["board", str(case), "-o", str(tmp_path / "ut2")])
    assert plain.exit_code == 0
    bundled = load_workbook(tmp_path / "ut2" / "uppfoljningstavla_bh-1.xlsx")["Uppföljningstavla"]
    assert bundled["A1"].fill.start_color.rgb.endswith("1F4E78")


def test_check_and_board_refuse_a_template_without_required_headers(tmp_path: Path) -> None:
    mine, template = own_template(tmp_path)
    wb = load_workbook(template)
    ws = wb["Uppföljningstavla"]
    for cell in ws[1]:
        if cell.value == "Klient-id":
            cell.value = "Kundnummer"
    wb.save(template)
    case = write_case(tmp_path, decisions=DECISIONS)
    checked = CliRunner().invoke(main, ["check", str(case), "--templates", str(mine)])
    assert checked.exit_code == 1
    assert "uppfoljningstavla.xlsx" in checked.output and "'Klient-id' saknas" in checked.output
    board = CliRunner().invoke(main, ["board", str(case), "-o", str(tmp_path / "ut"), "--templates", str(mine)])
    assert board.exit_code == 1 and "'Klient-id' saknas" in board.output
    assert not (tmp_path / "ut").exists()
    fine = CliRunner().invoke(main, ["check", str(case)])
    assert fine.exit_code == 0, fine.output


def test_bilaga_4_workbook_is_laid_out_from_its_sheet_template(tmp_path: Path) -> None:
    make_sheet_templates = generator()
    bundled = bundled_dir() / "sheets" / "oppenvard-bilaga-4.xlsx"
    assert make_sheet_templates.build_bilaga_4() == bundled.read_bytes(), "kör python tools/make_sheet_templates.py"
    mine = tmp_path / "mallar"
    mine.mkdir()
    shutil.copy(bundled, mine / "oppenvard-bilaga-4.xlsx")
    wb = load_workbook(mine / "oppenvard-bilaga-4.xlsx")
    wb["Diagram"]["A6"].fill = PatternFill("solid", start_color="00B050", end_color="00B050")
    wb["Diagram"].column_dimensions["A"].width = 41
    wb.save(mine / "oppenvard-bilaga-4.xlsx")
    case = write_case(tmp_path, **sections())
    for args, fill, width in (([], "1F4E79", 34), (["--templates", str(mine)], "00B050", 41)):
        out = tmp_path / ("ut" + str(len(args)))
        result = CliRunner().invoke(main, ["opencare", str(case), "--appendix", "4", "--period", "2026-T1",
                                           "--date", "2026-05-04", "-o", str(out), *args])
        assert result.exit_code == 0, result.output
        book = load_workbook(out / "oppenvard-bilaga-4_2026-T1_diagram.xlsx")
        assert "Diagram" not in book.sheetnames and book.sheetnames[0] == "Om sammanställningen"
        figure = book["Insatser"]
        assert figure["A6"].fill.start_color.rgb.endswith(fill) and figure.column_dimensions["A"].width == width
        assert figure.page_setup.orientation == "landscape"
    del wb["Diagram"]
    wb.save(mine / "oppenvard-bilaga-4.xlsx")
    checked = CliRunner().invoke(main, ["check", str(case), "--templates", str(mine)])
    assert checked.exit_code == 1 and "oppenvard-bilaga-4.xlsx: bladet Diagram" in checked.output
