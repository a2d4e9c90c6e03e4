"""Writing the board workbook: the table, its styles, the live colours, print setup, legend.

The workbook is always written fresh from the merged rows (``board_merge``), never by editing
the loaded file: openpyxl would duplicate conditional formatting rules on every run and drop
whatever it does not understand. The colours are conditional formatting with ``TODAY()`` so
the same file changes colour day by day without being regenerated:

* red: the date has passed; yellow: it is at most two months away (``EDATE(TODAY(),2)``);
  green: later; an empty cell is not coloured (``ISNUMBER`` guard: a blank counts as 0);
* a decision that is not executed (Verkställt = Nej) is orange across the rest of its row.

Formulas in rules are written the way the file format stores them: English names, commas.
LibreOffice does not draw Excel table styles, so the header cells are styled explicitly.
Every text value is stored as text, so ``=1+1`` from the data is never run as a formula.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.formula.tokenizer import TokenizerError
from openpyxl.formula.translate import Translator
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from formkit.board.columns import BY_HEADER, CONSENT_HEADER, EXECUTED_HEADER, HAND_HEADERS, HEADERS, NEXT_HEADER, SOURCE_HEADER, SYSTEM
from formkit.board.merge import ARCHIVE_SHEET, MAIN_SHEET, SNAPSHOT_SHEET, Formula, MergedBoard
from formkit.xlsx import conditional_fill, wrapped_lines

LEGEND_SHEET = "Förklaring"
TABLE_NAME = "Uppfoljningar"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"

RED = ("FFC7CE", "9C0006")
YELLOW = ("FFEB9C", "7F4F00")
GREEN = ("C6EFCE", "006100")
ORANGE = ("F8CBAD", "000000")
HEADER_FILL = PatternFill("solid", start_color="1F4E78", end_color="1F4E78")
HAND_HEADER_FILL = PatternFill("solid", start_color="FFD966", end_color="FFD966")
FONT = "Calibri"
HEADER_FONT = Font(name=FONT, bold=True, color="FFFFFF")
HAND_HEADER_FONT = Font(name=FONT, bold=True, color="000000")
SPARE_ROWS = 200  # rows typed below the table still get the colours
HEADER_ALIGN = Alignment(wrap_text=True, vertical="center")
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
THIN = Side(style="thin", color="808080")
HEADER_BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def put(ws: Worksheet, row: int, col: int, value: Any) -> Any:
    """Write one value: text as text (never a formula), dates with the ISO format."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, Formula):
        # the assessor's own formula, in the assessor's own column, following its row
        try:
            cell.value = Translator(str(value), origin=value.origin).translate_formula(cell.coordinate)
        except (TokenizerError, IndexError, ValueError, KeyError):  # one it cannot parse is kept exactly as typed
            cell.value = str(value)
    elif isinstance(value, str):
        cell.value = value
        cell.data_type = "s"  # openpyxl would otherwise store '=…' as a formula
    elif isinstance(value, dt.datetime):
        cell.value = value
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, dt.date):
        cell.value = value
        cell.number_format = DATE_FORMAT
    else:
        cell.value = value
    return cell


def _width(header: str, values: list[Any]) -> float:
    column = BY_HEADER.get(header)
    if column is not None and column.kind in ("date", "wrap"):
        return column.width
    longest = max((len(str(v)) for v in values if v is not None), default=0)
    base = column.width if column is not None else 20
    return float(min(max(base, longest + 2), 45))


def _header(ws: Worksheet, headers: list[str]) -> None:
    for col, header in enumerate(headers, start=1):
        cell = put(ws, 1, col, header)
        hand = header not in BY_HEADER or BY_HEADER[header].hand
        cell.fill = HAND_HEADER_FILL if hand else HEADER_FILL
        cell.font = HAND_HEADER_FONT if hand else HEADER_FONT
        cell.alignment = HEADER_ALIGN
        cell.border = HEADER_BORDER
    ws.row_dimensions[1].height = 32
    ws.freeze_panes = "B2"  # header row and client name stay visible


def _rows(ws: Worksheet, headers: list[str], rows: list[dict[str, Any]]) -> None:
    wraps = {h for h in headers if h not in BY_HEADER or BY_HEADER[h].kind == "wrap"}
    widths = {h: _width(h, [r.get(h) for r in rows]) for h in headers}
    for col, header in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(col)].width = widths[header]
    for r, row in enumerate(rows, start=2):
        lines = 1
        for col, header in enumerate(headers, start=1):
            value = row.get(header)
            if value is None or value == "":
                continue
            cell = put(ws, r, col, value)
            if header in wraps:
                cell.alignment = WRAP
                lines = max(lines, wrapped_lines(str(value), widths[header]))
            else:
                cell.alignment = TOP
        if lines > 1:
            # Neither Excel nor LibreOffice grows a row for wrapped text in a file they did not
            # lay out themselves, so the height is set from an estimate of the lines.
            ws.row_dimensions[r].height = min(409, 15 * lines)


def _date_rules(ws: Worksheet, letter: str, last: int) -> None:
    ref = f"{letter}2:{letter}{last}"
    top = f"{letter}2"
    rules = [
        (f"AND(ISNUMBER({top}),{top}<TODAY())", RED),
        (f"AND(ISNUMBER({top}),{top}>=TODAY(),{top}<=EDATE(TODAY(),2))", YELLOW),
        (f"AND(ISNUMBER({top}),{top}>EDATE(TODAY(),2))", GREEN),
    ]
    for formula, (fill, font) in rules:
        ws.conditional_formatting.add(ref, FormulaRule(formula=[formula], fill=conditional_fill(fill), font=Font(color=font), stopIfTrue=True))


def _not_executed_rule(ws: Worksheet, headers: list[str], last: int) -> None:
    executed = get_column_letter(headers.index(EXECUTED_HEADER) + 1)
    dated = {headers.index(NEXT_HEADER) + 1, headers.index(CONSENT_HEADER) + 1}
    # The date columns keep their own colours: the ranges never overlap, so no program has to
    # decide which rule wins.
    parts, start = [], 1
    for col in [*sorted(dated), len(headers) + 1]:
        if col > start:
            parts.append(f"{get_column_letter(start)}2:{get_column_letter(col - 1)}{last}")
        start = col + 1
    rule = FormulaRule(formula=[f'${executed}2="Nej"'], fill=conditional_fill(ORANGE[0]), font=Font(bold=True), stopIfTrue=True)
    ws.conditional_formatting.add(" ".join(parts), rule)


def _print_setup(ws: Worksheet, title: str) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.print_options.gridLines = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddHeader.center.text = title.replace("&", "&&")
    ws.oddFooter.left.text = "Utskrivet &D"
    ws.oddFooter.right.text = "Sida &P av &N"


def _main_sheet(ws: Worksheet, board: MergedBoard, title: str) -> None:
    headers = board.headers
    _header(ws, headers)
    _rows(ws, headers, board.rows)
    last = max(2, len(board.rows) + 1)  # a table needs one row under its header, even if empty
    end = get_column_letter(len(headers))
    table = Table(displayName=TABLE_NAME, ref=f"A1:{end}{last}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    ws.add_table(table)
    for header in (NEXT_HEADER, CONSENT_HEADER):
        _date_rules(ws, get_column_letter(headers.index(header) + 1), last + SPARE_ROWS)
    _not_executed_rule(ws, headers, last + SPARE_ROWS)
    _print_setup(ws, title)


def _archive_sheet(ws: Worksheet, board: MergedBoard, title: str) -> None:
    _header(ws, board.archive_headers)
    _rows(ws, board.archive_headers, board.archive)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(board.archive_headers))}{max(2, len(board.archive) + 1)}"
    _print_setup(ws, f"{title} – arkiv")


LEGEND_INTRO = [
    "Uppföljningstavlan görs av formkit från ärendefilen (formkit board). Kör kommandot igen när "
    "ärendefilen ändrats: det du skrivit i de gula kolumnerna följer med, raden känns igen på Beslut-id.",
    "Kolumner med blå rubrik fylls från ärendefilen och skrivs över nästa gång; ändra uppgifterna i ärendefilen.",
    "Kolumner med gul rubrik är dina (Anteckningar, Nästa åtgärd och kolumner du lagt till själv).",
    "En rad du lagt till själv: skriv Manuell i kolumnen Källa. Den behålls som den är.",
    "Ett beslut som inte längre finns i ärendefilen flyttas med dina anteckningar till fliken Arkiv.",
    "Sortera på Nästa uppföljning (Äldsta till nyaste) för att se vilka beslut som står på tur.",
    "Den tidigare versionen av tavlan sparas i mappen sakerhetskopior varje gång den görs om.",
    "Har du skrivit över ett värde i en blå kolumn flyttas det du skrev till Anteckningar när tavlan görs om "
    "(den dolda fliken formkit minns vad som kom från ärendefilen).",
]
LEGEND_COLOURS = [
    (RED, "Röd: datumet har passerat (uppföljningen eller samtycket är försenat)."),
    (YELLOW, "Gul: två månader eller mindre kvar till datumet."),
    (GREEN, "Grön: mer än två månader kvar."),
    (ORANGE, "Orange rad: beslutet är inte verkställt; ta reda på orsaken."),
]


def _legend_sheet(ws: Worksheet, title: str, made: dt.date) -> None:
    put(ws, 1, 1, title).font = Font(bold=True, size=14)
    put(ws, 2, 1, f"Skapad {made.isoformat()}. Färgerna räknas om varje dag från dagens datum.")
    r = 4
    put(ws, r, 1, "Färger (kolumnerna Nästa uppföljning och Samtycke gäller till)").font = Font(bold=True)
    for (fill, font), text in LEGEND_COLOURS:
        r += 1
        sample = put(ws, r, 1, "2026-01-01" if fill != ORANGE[0] else "Nej")
        sample.fill = PatternFill("solid", start_color=fill, end_color=fill)
        sample.font = Font(color=font, bold=fill == ORANGE[0])
        put(ws, r, 2, text)
    r += 2
    put(ws, r, 1, "Så används tavlan").font = Font(bold=True)
    for line in LEGEND_INTRO:
        r += 1
        put(ws, r, 2, line).alignment = WRAP
    r += 2
    put(ws, r, 1, "Kolumner").font = Font(bold=True)
    for column in BY_HEADER.values():
        r += 1
        put(ws, r, 1, column.header).font = Font(bold=True)
        put(ws, r, 2, column.explanation).alignment = WRAP
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 100
    _print_setup(ws, title)


def _snapshot_sheet(ws: Worksheet, board: MergedBoard) -> None:
    """What this run generated for each decision, so the next run can tell what was typed over."""
    headers = [h for h in HEADERS if h not in HAND_HEADERS]
    for col, header in enumerate(headers, start=1):
        put(ws, 1, col, header)
    r = 1
    for row in board.rows:
        if row.get(SOURCE_HEADER) != SYSTEM:
            continue
        r += 1
        for col, header in enumerate(headers, start=1):
            if row.get(header) not in (None, ""):
                put(ws, r, col, row[header])
    ws.sheet_state = "hidden"


def workbook_bytes(board: MergedBoard, assessor_name: str, made: dt.date) -> bytes:
    """The whole board workbook as .xlsx bytes."""
    title = f"Uppföljningstavla – {assessor_name}"
    wb = Workbook()
    main = wb.active
    main.title = MAIN_SHEET
    _main_sheet(main, board, title)
    _archive_sheet(wb.create_sheet(ARCHIVE_SHEET), board, title)
    _legend_sheet(wb.create_sheet(LEGEND_SHEET), title, made)
    _snapshot_sheet(wb.create_sheet(SNAPSHOT_SHEET), board)
    wb.active = 0
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
