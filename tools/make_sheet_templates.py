"""Generate the sheet templates with openpyxl: the board's ``templates/sheets/uppfoljningstavla.xlsx``
and öppenvård bilaga 4's ``templates/sheets/oppenvard-bilaga-4.xlsx``.

Why a script: the template is a real workbook a user restyles in Excel (header colours, fonts,
widths, the colours of the rules, print setup, the Förklaring sheet), but its headings and
explanations must match the columns ``formkit.board.columns`` fills. Running this script
rebuilds it from there; the result is committed beside it, and a test checks that running it
again changes nothing.

    python tools/make_sheet_templates.py

What ``formkit board`` takes from the template (or from the user's copy in ``--templates``) when
it makes a new board: every sheet as it is, the header row with its styles and widths, the
print setup and print area, and the fill and font of each colour rule. The rule ranges and the
rows are formkit's; the rest belongs to the user once the board exists.
"""

from __future__ import annotations

import io
import math
import sys
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from formkit.board.columns import BY_HEADER, COLUMNS, HAND_HEADERS, HEADERS, NEXT_HEADER, PRINT_LAST  # noqa: E402
from formkit.board.layout import (  # noqa: E402
    ARCHIVE_SHEET, ARCHIVED_HEADER, LEGEND_SHEET, MAIN_SHEET, SNAPSHOT_SHEET, TABLE_NAME, rule_formulas,
)
from formkit.opencare import sheet as bilaga_4  # noqa: E402
from formkit.xlsx import conditional_fill, landscape_fit  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "templates" / "sheets" / "uppfoljningstavla.xlsx"
BILAGA_4 = OUT.with_name("oppenvard-bilaga-4.xlsx")
RED = ("FFC7CE", "9C0006")
YELLOW = ("FFEB9C", "7F4F00")
GREEN = ("C6EFCE", "006100")
ORANGE = ("F8CBAD", "000000")
HEADER_FILL = PatternFill("solid", start_color="1F4E78", end_color="1F4E78")
HAND_HEADER_FILL = PatternFill("solid", start_color="FFD966", end_color="FFD966")
FONT = "Calibri"
HEADER_FONT = Font(name=FONT, size=11, bold=True, color="FFFFFF")
HAND_HEADER_FONT = Font(name=FONT, size=11, bold=True, color="000000")
HEADER_ALIGN = Alignment(wrap_text=True, vertical="center")
WRAP = Alignment(wrap_text=True, vertical="top")
THIN = Side(style="thin", color="808080")
HEADER_BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)

LEGEND_INTRO = [
    "Uppföljningstavlan görs av formkit från ärendefilen (formkit board). Kör kommandot igen när "
    "ärendefilen ändrats: bara kolumnerna med blå rubrik, fliken Arkiv och färgreglerna skrivs om. "
    "Allt annat du gjort finns kvar: anteckningar, egna kolumner och formler, egna flikar och diagram, "
    "kommentarer, länkar, listrutor, färger, sammanfogade celler och rader ovanför rubrikraden.",
    "Kolumner med blå rubrik fylls från ärendefilen och skrivs över nästa gång; ändra uppgifterna i ärendefilen.",
    "Kolumner med gul rubrik är dina (Anteckningar, Nästa åtgärd och kolumner du lagt till själv).",
    "Raden känns igen på Beslut-id och kontrolleras mot Klient-id: stämmer de inte behålls raden som Manuell.",
    "En rad du lagt till själv: skriv Manuell i kolumnen Källa. Den behålls som den är.",
    "Ett beslut som avslutats eller inte längre finns i ärendefilen flyttas med dina anteckningar till fliken Arkiv.",
    "Sortera på Nästa uppföljning (Äldsta till nyaste) för att se vilka beslut som står på tur.",
    "Den tidigare versionen av tavlan sparas i mappen sakerhetskopior varje gång den görs om.",
    "Har du skrivit över ett värde i en blå kolumn flyttas det du skrev till Anteckningar när tavlan görs om "
    "(den dolda fliken formkit minns vad som kom från ärendefilen).",
]
LEGEND_COLOURS = [
    (RED, "Röd: datumet har passerat, eller samtycke saknas (Saknas)."),
    (YELLOW, "Gul: två månader eller mindre kvar till datumet."),
    (GREEN, "Grön: mer än två månader kvar."),
    (ORANGE, "Orange rad: beslutet är inte verkställt; ta reda på orsaken (Dagar sedan beslut räknas varje dag)."),
]


def header_row(ws: Worksheet, headers: list[str]) -> None:
    for col, header in enumerate(headers, start=1):
        cell = ws.cell(1, col, header)
        hand = header in HAND_HEADERS or header == ARCHIVED_HEADER
        cell.fill = HAND_HEADER_FILL if hand else HEADER_FILL
        cell.font = HAND_HEADER_FONT if hand else HEADER_FONT
        cell.alignment = HEADER_ALIGN
        cell.border = HEADER_BORDER
        column = BY_HEADER.get(header)
        ws.column_dimensions[get_column_letter(col)].width = column.width if column else 12
    ws.row_dimensions[1].height = 45
    ws.freeze_panes = "B2"


def print_setup(ws: Worksheet, title: str, last_col: int) -> None:
    landscape_fit(ws)
    ws.print_title_rows = "1:1"
    ws.print_area = f"A1:{get_column_letter(last_col)}1048576"
    ws.print_options.gridLines = True
    ws.page_margins.left = ws.page_margins.right = 0.25
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.page_margins.header = ws.page_margins.footer = 0.35
    ws.oddHeader.center.text = title
    ws.oddFooter.left.text = "Utskrivet &D"
    ws.oddFooter.right.text = "Sida &P av &N"


def main_sheet(ws: Worksheet) -> None:
    header_row(ws, list(HEADERS))
    table = Table(displayName=TABLE_NAME, ref=f"A1:{get_column_letter(len(HEADERS))}2")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    ws.add_table(table)
    colours = {"passed": RED, "soon": YELLOW, "later": GREEN, "not_executed": ORANGE}
    letter = get_column_letter(HEADERS.index(NEXT_HEADER) + 1)
    for kind, formula in rule_formulas(letter, 2, "K").items():
        fill, font = colours[kind]
        target = f"{letter}2" if kind != "not_executed" else "A2"
        ws.conditional_formatting.add(target, FormulaRule(formula=[formula], fill=conditional_fill(fill), font=Font(color=font), stopIfTrue=True))
    print_setup(ws, "Uppföljningstavla", HEADERS.index(PRINT_LAST) + 1)


def archive_sheet(ws: Worksheet) -> None:
    header_row(ws, [*HEADERS, ARCHIVED_HEADER])
    ws.auto_filter.ref = f"A1:{get_column_letter(len(HEADERS) + 1)}2"
    print_setup(ws, "Uppföljningstavla – arkiv", HEADERS.index(PRINT_LAST) + 1)


def _wrapped(ws: Worksheet, row: int, text: str, width: float) -> None:
    cell = ws.cell(row, 2, text)
    cell.alignment = WRAP
    lines = math.ceil(len(text) / (width * 1.05))
    ws.row_dimensions[row].height = 15 * max(1, lines) + 2


def legend_sheet(ws: Worksheet) -> None:
    ws.cell(1, 1, "Uppföljningstavla").font = Font(name=FONT, bold=True, size=14)
    ws.row_dimensions[1].height = 22
    ws.cell(2, 1, "Färgerna räknas om varje dag från dagens datum.")
    width = 95
    r = 4
    ws.cell(r, 1, "Färger (Nästa uppföljning och Samtycke gäller till)").font = Font(name=FONT, bold=True)
    for (fill, font), text in LEGEND_COLOURS:
        r += 1
        sample = ws.cell(r, 1, "2026-01-01" if fill != ORANGE[0] else "Nej")
        sample.fill = PatternFill("solid", start_color=fill, end_color=fill)
        sample.font = Font(name=FONT, color=font)
        sample.alignment = Alignment(vertical="top")
        _wrapped(ws, r, text, width)
    r += 2
    ws.cell(r, 1, "Så används tavlan").font = Font(name=FONT, bold=True)
    for line in LEGEND_INTRO:
        r += 1
        _wrapped(ws, r, line, width)
    r += 2
    ws.cell(r, 1, "Kolumner").font = Font(name=FONT, bold=True)
    for column in COLUMNS:
        r += 1
        name = ws.cell(r, 1, column.header)
        name.font = Font(name=FONT, bold=True)
        name.alignment = Alignment(vertical="top", wrap_text=True)
        _wrapped(ws, r, column.explanation + (" (du skriver)" if column.hand else ""), width)
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = width
    print_setup(ws, "Uppföljningstavla – förklaring", 2)
    ws.print_title_rows = None
    ws.print_options.gridLines = False


def snapshot_sheet(ws: Worksheet) -> None:
    for col, header in enumerate([h for h in HEADERS if h not in HAND_HEADERS], start=1):
        ws.cell(1, col, header)
    ws.sheet_state = "hidden"


def build() -> bytes:
    wb = Workbook()
    main = wb.active
    main.title = MAIN_SHEET
    main_sheet(main)
    archive_sheet(wb.create_sheet(ARCHIVE_SHEET))
    legend_sheet(wb.create_sheet(LEGEND_SHEET))
    snapshot_sheet(wb.create_sheet(SNAPSHOT_SHEET))
    wb.active = 0
    buffer = io.BytesIO()
    wb.save(buffer)
    return _without_timestamps(buffer.getvalue())


def build_bilaga_4() -> bytes:
    """Öppenvård bilaga 4's workbook template: the about sheet and the Diagram sheet that is
    copied once per figure. The styles formkit reads: A1 title, A3 label (about sheet), A6 table
    header and A7 table cell (Diagram sheet); widths and print setup are kept as they are."""
    wb = Workbook()
    about = wb.active
    about.title = bilaga_4.ABOUT_SHEET
    about["A1"] = "Rubrik"
    about["A1"].font = Font(name=FONT, bold=True, size=14)
    about["A3"] = "Etikett"
    about["A3"].font = Font(name=FONT, bold=True)
    about.column_dimensions["A"].width = 26
    about.column_dimensions["B"].width = 90
    figure = wb.create_sheet(bilaga_4.FIGURE_SHEET)
    figure["A1"] = "Rubrik"
    figure["A1"].font = Font(name=FONT, bold=True, size=14)
    for col in range(1, 4):
        head = figure.cell(6, col, "Tabellrubrik")
        head.font, head.fill, head.border = bilaga_4.HEADER_FONT, bilaga_4.HEADER_FILL, bilaga_4.BOX
        figure.cell(7, col, "Cell").border = bilaga_4.BOX
    for letter, width in (("A", 34), ("B", 16), ("C", 16)):
        figure.column_dimensions[letter].width = width
    for ws in (about, figure):  # landscape, one page wide: a table and its chart side by side
        landscape_fit(ws)
    buffer = io.BytesIO()
    wb.save(buffer)
    return _without_timestamps(buffer.getvalue())


def _without_timestamps(data: bytes) -> bytes:
    """The same bytes on every run: fixed zip dates and no creation time in docProps."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "docProps/core.xml":
                text = body.decode()
                for tag in ("dcterms:created", "dcterms:modified"):
                    start = text.find(f"<{tag}")
                    if start >= 0:
                        end = text.find(f"</{tag}>", start) + len(f"</{tag}>")
                        text = text[:start] + text[end:]
                body = text.encode()
            dst.writestr(zipfile.ZipInfo(info.filename, (1980, 1, 1, 0, 0, 0)), body, zipfile.ZIP_DEFLATED)
    return out.getvalue()


if __name__ == "__main__":
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(build())
    BILAGA_4.write_bytes(build_bilaga_4())
    print(f"skrev {OUT} och {BILAGA_4}")
