"""The team's quality file as a workbook, and reading the previous one back.

Sheets: *Om filen* (what, who, which period, how small counts are hidden), one sheet per
question (shares of Ja/Delvis/Nej per month and for the period with a native stacked chart,
then per assessor), *Uppföljningar* (one row per follow-up; the team types comments and adds
rows of its own there) and, when needed, *Arkiv* (commented rows whose follow-up left the case
file). Header cells are styled explicitly (LibreOffice does not draw table styles); text is
always stored as text; the answer columns carry a plain Ja/Delvis/Nej list (standard data
validation, which openpyxl keeps), so the team's own rows count the next time the file is made.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from formkit.errors import OutputError
from formkit.kvalitet.rows import (
    CHOICES, HAND_HEADERS, HEADERS, KEY_HEADER, MANUAL, QUESTION_HEADERS, SOURCE_HEADER, QuestionFigure, ShareRow,
    as_date, sort_key,
)
from formkit.periods import Period
from formkit.regen import open_previous, read_rows
from formkit.xlsx import put

DATA_SHEET = "Uppföljningar"
ARCHIVE_SHEET = "Arkiv"
ARCHIVED_HEADER = "Arkiverad"
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(bold=True, color="FFFFFF")
BOLD = Font(bold=True)
THIN = Side(style="thin", color="808080")
BOX = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)
TABLE_ROW = 5
# The data sheet's columns add up to a width that prints on A4 landscape at about 80 %: no text
# smaller than 8 pt (the four answer columns have short values under a wrapped heading).
WIDTHS = {KEY_HEADER: 22, "Beslut-id": 13, "Klient-id": 9, "Handläggare": 16, "Datum": 11, "Månad": 8,
          "Uppföljningssätt": 12, "Utfall": 12, **{h: 9 for h in QUESTION_HEADERS.values()}, "Kommentar": 24,
          SOURCE_HEADER: 8}


@dataclass
class OldFile:
    headers: list[str]
    rows: list[dict[str, Any]]
    archive: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Merged:
    headers: list[str]
    rows: list[dict[str, Any]]
    archive: list[dict[str, Any]]
    manual_count: int = 0
    newly_archived: int = 0


# --- reading and merging -------------------------------------------------------------------

def read_file(path: Path) -> OldFile:
    """The previous quality file; an OutputError (nothing written) if it cannot be read."""
    with open_previous(path, "kvalitetsfilen") as book:
        if DATA_SHEET not in book.sheetnames:
            raise OutputError(f"Fliken {DATA_SHEET} saknas i {path}, så raderna ni skrivit går inte att hitta; filen "
                              "skrivs inte över. Byt tillbaka namnet på fliken eller flytta undan filen.")
        headers, rows = read_rows(book[DATA_SHEET], KEY_HEADER, path)
        old = OldFile(headers, rows)
        if ARCHIVE_SHEET in book.sheetnames:
            old.archive = read_rows(book[ARCHIVE_SHEET], KEY_HEADER, path)[1]
    return old


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def merge(system: list[dict[str, Any]], old: OldFile | None, today: dt.date) -> Merged:
    """Fresh rows from the case file, with the team's comments and own columns carried over by
    follow-up key; the team's own rows kept; a commented row whose follow-up left the case file
    moved to Arkiv (it is no longer counted)."""
    if old is None:
        return Merged(list(HEADERS), system, [])
    extra = [h for h in old.headers if h not in HEADERS]
    kept = [*HAND_HEADERS, *extra]
    matched: dict[str, dict[str, Any]] = {}
    manual = []
    for row in old.rows:
        key = _text(row.get(KEY_HEADER))
        if not key or _text(row.get(SOURCE_HEADER)).casefold() == MANUAL.casefold() or key in matched:
            manual.append({**row, SOURCE_HEADER: MANUAL})
        else:
            matched[key] = row
    rows = []
    for new in system:
        row = dict(new)
        previous = matched.pop(new[KEY_HEADER], None)
        if previous is not None:
            row.update({h: previous[h] for h in kept if previous.get(h) is not None})
        rows.append(row)
    moved = [{**r, ARCHIVED_HEADER: today} for r in matched.values() if any(r.get(h) is not None for h in kept)]
    rows = sorted([*rows, *manual], key=sort_key)
    return Merged([*HEADERS, *extra], rows, [*moved, *old.archive], manual_count=len(manual), newly_archived=len(moved))


# --- writing -------------------------------------------------------------------------------

def workbook_bytes(merged: Merged, figures: list[QuestionFigure], *, team: str, assessors: list[str], period: Period,
                   threshold: int, organisation: str, today: dt.date) -> bytes:
    book = Workbook()
    about = book.active
    about.title = "Om filen"
    _about(about, team, assessors, period, threshold, organisation, today, len(merged.rows))
    for number, figure in enumerate(figures, start=1):
        _question_sheet(book.create_sheet(f"Fråga {number}"), number, figure, period, threshold)
    _data_sheet(book.create_sheet(DATA_SHEET), merged.headers, merged.rows)
    if merged.archive:
        _data_sheet(book.create_sheet(ARCHIVE_SHEET), [*merged.headers, ARCHIVED_HEADER], merged.archive, validation=False)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _print_setup(ws: Worksheet, title_rows: str | None = None, orientation: str = "landscape") -> None:
    ws.page_setup.orientation = orientation
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if title_rows:
        ws.print_title_rows = title_rows


def _about(ws: Worksheet, team: str, assessors: list[str], period: Period, threshold: int, organisation: str,
           today: dt.date, count: int) -> None:
    put(ws, 1, 1, "Teamets kvalitetsfil: de fyra frågorna vid uppföljning", font=Font(bold=True, size=14))
    facts = [
        ("Organisation", organisation), ("Team", team), ("Biståndshandläggare", ", ".join(assessors)),
        ("Period", period.full),
        ("Uppföljningar", count), ("Gjord", today.isoformat()),
    ]
    for i, (label, value) in enumerate(facts, start=3):
        put(ws, i, 1, label, font=BOLD)
        put(ws, i, 2, value, alignment=Alignment(horizontal="left", wrap_text=True))
    notes = [
        "Frågorna ställs vid varje uppföljning (rutinen för uppföljningar i ordinärt boende, punkt 3); varje team har en egen fil.",
        "Fliken Uppföljningar har en rad per uppföljning med klientens id, aldrig namn eller personnummer.",
        f"Antal under {threshold} visas som \"<{threshold}\" så att ingen klient kan pekas ut; \"x\" döljer ett antal som annars "
        "kunde räknas fram ur summan. En andel visas bara där antalet visas." if threshold > 1 else "Inga antal döljs (gränsen är 1).",
        "Skriv gärna i kolumnen Kommentar och lägg till egna rader (Källa: Manuell, svar Ja/Delvis/Nej): de finns kvar och räknas "
        "med när filen görs om med formkit kvalitet. Den tidigare filen sparas i mappen sakerhetskopior.",
    ]
    row = 3 + len(facts) + 1
    for note in notes:
        put(ws, row, 1, note, alignment=Alignment(wrap_text=True, vertical="top"))
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
        ws.row_dimensions[row].height = 32
        row += 1
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 90
    _print_setup(ws)


def _share_table(ws: Worksheet, top: int, first_header: str, lines: list[ShareRow], bold_last: bool) -> int:
    """A table of shares: label, Ja, Delvis, Nej, Antal svar. Returns its last row."""
    for col, text in enumerate([first_header, *CHOICES, "Antal svar"], start=1):
        put(ws, top, col, text, font=HEADER_FONT, fill=HEADER_FILL, border=BOX,
            alignment=Alignment(horizontal="left" if col == 1 else "right"))
    for i, line in enumerate(lines, start=1):
        row = top + i
        font = BOLD if bold_last and i == len(lines) else Font()
        put(ws, row, 1, line.label, border=BOX, font=font)
        for col, share in enumerate(line.shares, start=2):
            cell = put(ws, row, col, share, border=BOX, font=font, alignment=Alignment(horizontal="right"))
            if isinstance(share, float):
                cell.number_format = "0%"
        put(ws, row, 5, line.total.shown, border=BOX, font=font, alignment=Alignment(horizontal="right"))
    return top + len(lines)


def _question_sheet(ws: Worksheet, number: int, figure: QuestionFigure, period: Period, threshold: int) -> None:
    put(ws, 1, 1, f"Fråga {number}: {figure.question}", font=Font(bold=True, size=13))
    put(ws, 2, 1, f"Andel svar Ja, Delvis och Nej per månad, {period.label}. Räknas: uppföljningar med svar på frågan.")
    if threshold > 1:
        put(ws, 3, 1, f"Antal under {threshold} visas som \"<{threshold}\" och ritas inte i diagrammet; \"x\" är dolt så att det "
            "inte kan räknas fram ur summan.")
    for row in (1, 2, 3):  # the page is as wide as the table: the text wraps inside it
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=5)
        ws.cell(row, 1).alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[row].height = 32
    last = _share_table(ws, TABLE_ROW, "Månad", [*figure.by_month, figure.whole], bold_last=True)
    below = last + 2
    put(ws, below, 1, "Per biståndshandläggare", font=BOLD)
    if figure.by_assessor:
        _share_table(ws, below + 1, "Biståndshandläggare", figure.by_assessor, bold_last=False)
    else:
        put(ws, below + 1, 1, "Inga uppföljningar med svar under perioden.")
    for col, width in zip("ABCDE", (30, 11, 11, 11, 12)):
        ws.column_dimensions[col].width = width
    _print_setup(ws, orientation="portrait")  # one page: the tables, then the chart under them
    chart_row = below + 2 + max(len(figure.by_assessor), 1) + 1
    ws.add_chart(_chart(ws, figure, TABLE_ROW + len(figure.by_month)), f"A{chart_row}")


def _chart(ws: Worksheet, figure: QuestionFigure, last_month_row: int) -> BarChart:
    """Stacked columns of the shares per month. Plain stacking, not 100 %: a hidden count draws
    nothing and leaves its part of the column empty, where a 100 % chart would stretch the shown
    answers over it (Ja 50 % beside a hidden Delvis would be drawn as Ja 100 %)."""
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.title = figure.header
    chart.y_axis.title = "Andel av svaren"
    chart.y_axis.number_format = "0%"
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 1
    chart.y_axis.majorUnit = 0.25
    chart.x_axis.delete = False  # openpyxl 3.1 leaves <c:delete> out and Excel then hides the axes
    chart.y_axis.delete = False
    chart.add_data(Reference(ws, min_col=2, max_col=4, min_row=TABLE_ROW, max_row=last_month_row), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=TABLE_ROW + 1, max_row=last_month_row))
    chart.legend.position = "b"
    chart.width = 16.5  # cm: the width of the table above it on A4 portrait
    chart.height = 8.5
    return chart


def _data_sheet(ws: Worksheet, headers: list[str], rows: list[dict[str, Any]], validation: bool = True) -> None:
    for col, header in enumerate(headers, start=1):
        put(ws, 1, col, header, font=HEADER_FONT, fill=HEADER_FILL, border=BOX, alignment=Alignment(wrap_text=True, vertical="top"))
        ws.column_dimensions[get_column_letter(col)].width = WIDTHS.get(header, 13)
    ws.row_dimensions[1].height = 30
    for r, row in enumerate(rows, start=2):
        for col, header in enumerate(headers, start=1):
            value = row.get(header)
            if header == "Datum" and as_date(value):
                value = as_date(value)
            put(ws, r, col, value, alignment=Alignment(wrap_text=header == "Kommentar", vertical="top"))
    last = max(len(rows) + 1, 2)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{last}"
    if validation:
        answers = DataValidation(type="list", formula1='"Ja,Delvis,Nej"', allow_blank=True,
                                 errorTitle="Svar", error="Skriv Ja, Delvis eller Nej.")
        for header in QUESTION_HEADERS.values():
            letter = get_column_letter(headers.index(header) + 1)
            answers.add(f"{letter}2:{letter}{last + 500}")
        ws.add_data_validation(answers)
    _print_setup(ws, "1:1")
