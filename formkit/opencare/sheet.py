"""Bilaga 4 as an Excel workbook: one sheet per figure, a table and a native chart.

The layout comes from the sheet template ``templates/sheets/oppenvard-bilaga-4.xlsx`` (or the
user's copy in ``--templates``): its sheet *Om sammanställningen* and its sheet *Diagram*, copied
once per figure, give the title, label, header and cell styles, the widths and the print setup,
so an enhetschef can restyle the workbook in Excel. The numbers, tables and charts are formkit's.

The charts are real Excel charts (openpyxl.chart) that point at the table cells, so the
enhetschef can change colours, titles or chart type in Excel or LibreOffice, and a corrected
number in the table moves the bar. A suppressed count is the text "<5" in its cell, which a
chart draws as no bar; the sheet says so under the table. Header cells are styled explicitly
because LibreOffice does not draw Excel table styles. Every text cell is stored as text, never
as a formula, whatever it starts with.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.worksheet import Worksheet

from formkit.errors import PackageError, Problem
from formkit.opencare.figures import Figure, Summary
from formkit.regen import DAMAGED
from formkit.xlsx import put

SHEET_NAMES = {
    "insatser": "Insatser",
    "kon": "Kön",
    "alder": "Ålder",
    "problem": "Problem vid start",
    "behov": "Behov tillgodosett",
    "situation": "Situation efter",
    "avbrutna": "Avbrutna",
}
HORIZONTAL = {"insatser", "problem", "avbrutna"}  # free-text labels read better beside the bars
TEMPLATE_NAME = "oppenvard-bilaga-4.xlsx"
ABOUT_SHEET = "Om sammanställningen"
FIGURE_SHEET = "Diagram"  # copied once per figure
TABLE_ROW = 6  # the header row of every figure's table
# the bundled template's look (tools/make_sheet_templates.py); a user's template may differ
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(bold=True, color="FFFFFF")
TOTAL_FONT = Font(bold=True)
THIN = Side(style="thin", color="808080")
BOX = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)


@dataclass
class Look:
    """The styles the template's cells give: title (A1), label (A3 of the about sheet), table
    header and table cell (A6 and A7 of the Diagram sheet)."""

    title: Font
    label: Font
    header_font: Font
    header_fill: PatternFill
    header_border: Border
    cell_border: Border


def template_problems(path: Path) -> list[Problem]:
    """What stops ``path`` from being bilaga 4's sheet template (empty: it is fine)."""
    try:
        names = load_workbook(path).sheetnames
    except (*DAMAGED, OSError) as exc:
        return [Problem("", f"kan inte läsas som en Excel-arbetsbok ({type(exc).__name__}); spara den som .xlsx")]
    return [Problem(f"bladet {name}", "bladet saknas; formkit fyller det (kopiera det från den medföljande mallen)")
            for name in (ABOUT_SHEET, FIGURE_SHEET) if name not in names]


def workbook_bytes(summary: Summary, organisation: str, today: dt.date, template: Path) -> bytes:
    """The whole bilaga 4 workbook as bytes, laid out from ``template``."""
    try:
        book = load_workbook(template)
    except (*DAMAGED, OSError) as exc:
        raise PackageError(f"{template}: {type(exc).__name__}") from None
    about, pattern = book[ABOUT_SHEET], book[FIGURE_SHEET]
    look = Look(copy.copy(about["A1"].font), copy.copy(about["A3"].font), copy.copy(pattern["A6"].font),
                copy.copy(pattern["A6"].fill), copy.copy(pattern["A6"].border), copy.copy(pattern["A7"].border))
    for row in pattern.iter_rows(min_row=1, max_row=pattern.max_row):
        for cell in row:
            cell.value = None
    _about_sheet(about, summary, organisation, today, look)
    for figure in summary.figures:
        sheet = book.copy_worksheet(pattern)
        sheet.title = SHEET_NAMES[figure.key]
        _figure_sheet(sheet, figure, summary, look)
    book.remove(pattern)
    book.active = 0
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _about_sheet(ws: Worksheet, summary: Summary, organisation: str, today: dt.date, look: Look) -> None:
    period = summary.period
    put(ws, 1, 1, "Öppenvård – bilaga 4: sammanställning", font=look.title)
    facts = [
        ("Organisation", organisation),
        ("Period", period.full),
        ("Jämförs med", summary.previous_period.label if summary.has_previous else "ingen jämförelse (inga insatser)"),
        ("Insatser under perioden", summary.active_count.shown),
        ("Klienter under perioden", summary.client_count.shown),
        ("Gräns för små tal", summary.threshold),
        ("Skapad", today.isoformat()),
        ("Status", f"Preliminär: perioden är inte slut förrän {period.end.isoformat()}" if period.end >= today else "Perioden är slut"),
    ]
    for i, (label, value) in enumerate(facts, start=3):
        put(ws, i, 1, label, font=look.label)
        put(ws, i, 2, value, alignment=Alignment(horizontal="left"))
    row = 3 + len(facts) + 1
    for note in summary.notes:
        put(ws, row, 1, note)
        row += 1
    row += 1
    put(ws, row, 1, "Blad", font=look.header_font, fill=look.header_fill, border=look.header_border)
    put(ws, row, 2, "Fråga i rutinen och vem som räknas", font=look.header_font, fill=look.header_fill,
        border=look.header_border)
    for figure in summary.figures:
        row += 1
        put(ws, row, 1, SHEET_NAMES[figure.key])
        put(ws, row, 2, f"{figure.title}: {figure.basis_text}")


def _figure_sheet(ws: Worksheet, figure: Figure, summary: Summary, look: Look) -> None:
    put(ws, 1, 1, f"{figure.title} – {summary.period.label}", font=look.title)
    put(ws, 2, 1, f"Räknas: {figure.basis_text}. Antal {figure.unit}: {figure.current.basis.text}.")
    if figure.note:
        put(ws, 3, 1, figure.note)
    if figure.empty:
        put(ws, TABLE_ROW, 1, f"Inget att visa: det finns inga {figure.basis_text} ({summary.period.label}).",
            font=TOTAL_FONT)
        return
    headers = [figure.row_header, summary.period.code]
    if figure.previous is not None:
        headers.append(summary.previous_period.code)
    for col, text in enumerate(headers, start=1):
        put(ws, TABLE_ROW, col, text, font=look.header_font, fill=look.header_fill, border=look.header_border,
            alignment=Alignment(horizontal="left" if col == 1 else "right"))
    columns = [figure.current] + ([figure.previous] if figure.previous is not None else [])
    right = Alignment(horizontal="right")
    for i, label in enumerate(figure.rows):
        row = TABLE_ROW + 1 + i
        put(ws, row, 1, label, border=look.cell_border, alignment=Alignment(wrap_text=True))
        for col, column in enumerate(columns, start=2):
            put(ws, row, col, column.cells[i].shown, border=look.cell_border, alignment=right)
    last = TABLE_ROW + len(figure.rows)
    below = last + 1
    if figure.additive:
        put(ws, below, 1, "Summa", font=TOTAL_FONT, border=look.cell_border)
        for col, column in enumerate(columns, start=2):
            if column.total is not None:  # an additive figure always has its total
                put(ws, below, col, column.total.shown, font=TOTAL_FONT, border=look.cell_border, alignment=right)
        below += 1
    put(ws, 4, 1, f"Antal under {summary.threshold} visas som \"<{summary.threshold}\"; \"x\" är dolt så att det inte kan räknas "
        "fram ur summan. Dolda antal ritas inte i diagrammet." if summary.threshold > 1 else "Inga antal är dolda.")
    top = largest_shown(figure)
    if top == 0:  # every count hidden: a chart would be empty and look like a result
        put(ws, TABLE_ROW, 5, "Inget diagram: alla antal är för små för att visas.", font=TOTAL_FONT)
        return
    ws.add_chart(_chart(ws, figure, last, len(columns), top), f"E{TABLE_ROW}")


def largest_shown(figure: Figure) -> int:
    """The largest count a chart of ``figure`` would draw (0: nothing to draw)."""
    columns = [figure.current] + ([figure.previous] if figure.previous is not None else [])
    return max((c.value for column in columns for c in column.cells if not c.suppressed), default=0)


def has_chart(figure: Figure) -> bool:
    return not figure.empty and largest_shown(figure) > 0


def _chart(ws: Worksheet, figure: Figure, last_row: int, series: int, top: int) -> BarChart:
    """A clustered bar chart over the table (header row gives the series names)."""
    chart = BarChart()
    chart.type = "bar" if figure.key in HORIZONTAL else "col"
    chart.grouping = "clustered"
    chart.title = figure.title
    chart.y_axis.title = f"Antal {figure.unit}"
    chart.y_axis.scaling.min = 0
    # openpyxl 3.1 leaves <c:delete> out, and Excel then hides both axes
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    if chart.type == "bar":
        chart.x_axis.scaling.orientation = "maxMin"  # first table row at the top, as in the table
        chart.y_axis.crosses = "max"  # ... and the count axis stays at the bottom
    if top <= 10:
        chart.y_axis.majorUnit = 1  # whole insatser, not 0.2 of one
    data = Reference(ws, min_col=2, max_col=1 + series, min_row=TABLE_ROW, max_row=last_row)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=TABLE_ROW + 1, max_row=last_row))
    chart.legend.position = "b"
    chart.width = 18
    chart.height = max(8, 1.0 * len(figure.rows) + 4) if chart.type == "bar" else 9
    return chart
