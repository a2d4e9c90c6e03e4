"""The årshjul as a checklist workbook: one sheet per routine, one row per step.

Columns: step, month, date, responsible, what to prepare, the formkit command that makes the
step's document, a status chosen from a list (Ej påbörjad, Pågår, Klar, Ej aktuell), the day
it was done, a comment, and *Läge* (Kommande, Passerat, Klar), a formula on ``TODAY()``. A step
whose date has passed and that is not Klar or Ej aktuell is shaded red by conditional
formatting on ``TODAY()``, so the file marks what is late by itself day by day; a step done is
green. The step's key sits in a hidden last column: when the checklist is made again, status,
done date and comment follow their step (rows may be sorted), and the old file is backed up.

Printable: A4 landscape, one page wide, header row repeated; the columns add up to a width that
fits the page at 85 % or more, so no text prints smaller than about 9 pt.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from formkit.arshjul.steps import Routine, Step
from formkit.xlsx import conditional_fill, put, wrapped_lines

KEY_HEADER = "Nyckel"
STATUS_HEADER = "Status"
DONE_HEADER = "Klart datum"
COMMENT_HEADER = "Kommentar"
HAND_HEADERS = (STATUS_HEADER, DONE_HEADER, COMMENT_HEADER)
STATUSES = ("Ej påbörjad", "Pågår", "Klar", "Ej aktuell")
COLUMNS: tuple[tuple[str, float], ...] = (
    ("Steg", 34), ("Månad", 10), ("Datum", 11), ("Ansvarig", 14), ("Förbered", 32), ("Dokument (formkit)", 24),
    (STATUS_HEADER, 12), (DONE_HEADER, 11), (COMMENT_HEADER, 16), ("Läge", 10), (KEY_HEADER, 14),
)
HEADERS = tuple(h for h, _ in COLUMNS)
TABLE_ROW = 4
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(bold=True, color="FFFFFF")
LATE_FILL = conditional_fill("F8CBAD")
DONE_FILL = conditional_fill("C6EFCE")
THIN = Side(style="thin", color="808080")
BOX = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")


def sheet_title(routine: Routine) -> str:
    return f"Rutin {routine.number}"


def step_row(step: Step) -> dict[str, Any]:
    return {
        "Steg": step.title + (f" ({step.note})" if step.note else ""),
        "Månad": step.month_name,
        "Datum": step.date,
        "Ansvarig": step.responsible,
        "Förbered": step.prepare,
        "Dokument (formkit)": step.command,
        STATUS_HEADER: STATUSES[0],
        KEY_HEADER: step.key,
    }


def workbook_bytes(unit_name: str, year: int, routines: list[Routine], rows: dict[str, list[dict[str, Any]]],
                   today: dt.date) -> bytes:
    """``rows`` by routine number, already merged with what the previous checklist held."""
    book = Workbook()
    book.remove(book.active)
    for routine in routines:
        _sheet(book.create_sheet(sheet_title(routine)), unit_name, year, routine, rows[routine.number], today)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet(ws: Worksheet, unit_name: str, year: int, routine: Routine, rows: list[dict[str, Any]], today: dt.date) -> None:
    put(ws, 1, 1, f"Årshjul {year} – {unit_name} – rutin {routine.number}: {routine.title}", font=Font(bold=True, size=13))
    ws.row_dimensions[TABLE_ROW].height = 30
    put(ws, 2, 1, f"Gjord {today.isoformat()}. Välj status i listan och skriv datum när steget är klart. Rött: datumet har "
        "passerat och steget är inte klart. Grönt: klart. Gör om listan med formkit arshjul; det ni skrivit följer med.")
    for col, (header, width) in enumerate(COLUMNS, start=1):
        put(ws, TABLE_ROW, col, header, font=HEADER_FONT, fill=HEADER_FILL, border=BOX, alignment=WRAP)
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.column_dimensions[get_column_letter(len(COLUMNS))].hidden = True  # the key: for regeneration only
    first = TABLE_ROW + 1
    widths = dict(COLUMNS)
    for r, row in enumerate(rows, start=first):
        lines = 1
        for col, header in enumerate(HEADERS, start=1):
            if header == "Läge":
                continue
            value = row.get(header)
            put(ws, r, col, value, border=BOX, alignment=WRAP)
            if isinstance(value, str) and header != KEY_HEADER:
                lines = max(lines, wrapped_lines(value, widths[header]))
        ws.row_dimensions[r].height = 15 * lines
        date, status = _ref("Datum", r), _ref(STATUS_HEADER, r)
        cell = ws.cell(row=r, column=HEADERS.index("Läge") + 1,
                       value=f'=IF(OR({status}="Klar",{status}="Ej aktuell"),{status},'
                             f'IF(AND(ISNUMBER({date}),{date}<TODAY()),"Passerat","Kommande"))')
        cell.border, cell.alignment = BOX, WRAP
    last = max(first + len(rows) - 1, first)
    status_list = DataValidation(type="list", formula1='"' + ",".join(STATUSES) + '"', allow_blank=True,
                                 errorTitle="Status", error="Välj Ej påbörjad, Pågår, Klar eller Ej aktuell.")
    letter = get_column_letter(HEADERS.index(STATUS_HEADER) + 1)
    status_list.add(f"{letter}{first}:{letter}{last + 50}")
    ws.add_data_validation(status_list)
    span = f"A{first}:{get_column_letter(len(COLUMNS) - 1)}{last + 50}"
    date, status = _ref("Datum", first, absolute_column=True), _ref(STATUS_HEADER, first, absolute_column=True)
    ws.conditional_formatting.add(span, FormulaRule(formula=[f'OR({status}="Klar",{status}="Ej aktuell")'], fill=DONE_FILL, stopIfTrue=True))
    ws.conditional_formatting.add(span, FormulaRule(formula=[f"AND(ISNUMBER({date}),{date}<TODAY())"], fill=LATE_FILL))
    ws.freeze_panes = f"A{first}"
    ws.auto_filter.ref = f"A{TABLE_ROW}:{get_column_letter(len(COLUMNS) - 1)}{last}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{TABLE_ROW}:{TABLE_ROW}"
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.oddFooter.center.text = "Sida &P av &N"


def _ref(header: str, row: int, absolute_column: bool = False) -> str:
    letter = get_column_letter(HEADERS.index(header) + 1)
    return f"${letter}{row}" if absolute_column else f"{letter}{row}"
