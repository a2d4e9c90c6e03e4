"""Bilaga 4 as an Excel workbook: one sheet per figure, a table and a native chart.

The charts are real Excel charts (openpyxl.chart) that point at the table cells, so the
enhetschef can change colours, titles or chart type in Excel or LibreOffice, and a corrected
number in the table moves the bar. A suppressed count is the text "<5" in its cell, which a
chart draws as no bar; the sheet says so under the table. Header cells are styled explicitly
because LibreOffice does not draw Excel table styles. Every text cell is stored as text, never
as a formula, whatever it starts with.
"""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.worksheet import Worksheet

from formkit.opencare.figures import Figure, Summary
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
TABLE_ROW = 6  # the header row of every figure's table
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(bold=True, color="FFFFFF")
TOTAL_FONT = Font(bold=True)
THIN = Side(style="thin", color="808080")
BOX = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)


def workbook_bytes(summary: Summary, organisation: str, today: dt.date) -> bytes:
    """The whole bilaga 4 workbook as bytes, ready for ``Batch.add``."""
    book = Workbook()
    about = book.active
    about.title = "Om sammanställningen"
    _about_sheet(about, summary, organisation, today)
    for figure in summary.figures:
        _figure_sheet(book.create_sheet(SHEET_NAMES[figure.key]), figure, summary)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _about_sheet(ws: Worksheet, summary: Summary, organisation: str, today: dt.date) -> None:
    period = summary.period
    put(ws, 1, 1, "Öppenvård – bilaga 4: sammanställning", font=Font(bold=True, size=14))
    facts = [
        ("Organisation", organisation),
        ("Period", period.label),
        ("Datum", f"{period.start.isoformat()}–{period.end.isoformat()}"),
        ("Jämförs med", summary.previous_period.label if summary.has_previous else "ingen jämförelse (inga insatser)"),
        ("Insatser under perioden", summary.active_count.shown),
        ("Klienter under perioden", summary.client_count.shown),
        ("Gräns för små tal", summary.threshold),
        ("Skapad", today.isoformat()),
    ]
    for i, (label, value) in enumerate(facts, start=3):
        put(ws, i, 1, label, font=TOTAL_FONT)
        put(ws, i, 2, value, alignment=Alignment(horizontal="left"))
    row = 3 + len(facts) + 1
    for note in summary.notes:
        put(ws, row, 1, note)
        row += 1
    row += 1
    put(ws, row, 1, "Blad", font=HEADER_FONT, fill=HEADER_FILL)
    put(ws, row, 2, "Fråga i rutinen och vem som räknas", font=HEADER_FONT, fill=HEADER_FILL)
    for figure in summary.figures:
        row += 1
        put(ws, row, 1, SHEET_NAMES[figure.key])
        put(ws, row, 2, f"{figure.title}: {figure.basis_text}")
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = 90
    _print_setup(ws)


def _figure_sheet(ws: Worksheet, figure: Figure, summary: Summary) -> None:
    put(ws, 1, 1, f"{figure.title} – {summary.period.label}", font=Font(bold=True, size=14))
    put(ws, 2, 1, f"Räknas: {figure.basis_text}. Antal {figure.unit}: {figure.current.basis.text}.")
    if figure.note:
        put(ws, 3, 1, figure.note)
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 16
    ws.column_dimensions["C"].width = 16
    if figure.empty:
        put(ws, TABLE_ROW, 1, f"Inget att visa: det finns inga {figure.basis_text} ({summary.period.label}).",
            font=TOTAL_FONT)
        return
    headers = [figure.row_header, summary.period.code]
    if figure.previous is not None:
        headers.append(summary.previous_period.code)
    for col, text in enumerate(headers, start=1):
        put(ws, TABLE_ROW, col, text, font=HEADER_FONT, fill=HEADER_FILL, border=BOX,
            alignment=Alignment(horizontal="left" if col == 1 else "right"))
    columns = [figure.current] + ([figure.previous] if figure.previous is not None else [])
    right = Alignment(horizontal="right")
    for i, label in enumerate(figure.rows):
        row = TABLE_ROW + 1 + i
        put(ws, row, 1, label, border=BOX, alignment=Alignment(wrap_text=True))
        for col, column in enumerate(columns, start=2):
            put(ws, row, col, column.cells[i].shown, border=BOX, alignment=right)
    last = TABLE_ROW + len(figure.rows)
    below = last + 1
    if figure.additive:
        put(ws, below, 1, "Summa", font=TOTAL_FONT, border=BOX)
        for col, column in enumerate(columns, start=2):
            if column.total is not None:  # an additive figure always has its total
                put(ws, below, col, column.total.shown, font=TOTAL_FONT, border=BOX, alignment=right)
        below += 1
    put(ws, 4, 1, f"Antal under {summary.threshold} visas som \"<{summary.threshold}\"; \"x\" är dolt så att det inte kan räknas "
        "fram ur summan. Dolda antal ritas inte i diagrammet." if summary.threshold > 1 else "Inga antal är dolda.")
    _print_setup(ws)
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


def _print_setup(ws: Worksheet) -> None:
    """Landscape, one page wide: the table and its chart print side by side."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


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
