"""The address list for a mailing, as an Excel workbook.

Coordinators use it to check the batch before posting, to print labels or to hand the list to
the post room. Every value is stored as text: a postcode "012 34" keeps its zero, and a name
or street that starts with ``=``, ``+``, ``-`` or ``@`` stays text instead of becoming a
formula. Clients with protected identity are never in this list; the caller leaves them out.

The workbook is written as XML directly, one row a line: a municipality's list has thousands
of rows, and openpyxl's cell objects cost more than the print file of the same letters. It is
the smallest workbook Excel and LibreOffice open without a question: one sheet, a styled and
frozen header row with a filter, column widths, every cell an inline string, and a print
setup (A4 landscape, one page wide, the header row on every page).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from xml.sax.saxutils import escape

from formkit.case.model import Address
from formkit.docx.package import member, write_zip

HEADER = ["Namn", "C/o", "Utdelningsadress", "Postnummer", "Postort", "Land", "Klient", "Slag", "Fil"]
WIDTHS = [30, 22, 34, 12, 18, 10, 14, 8, 34]
HEADER_FILL = "FFDDE5F0"  # styled cells, not a table style: LibreOffice draws these

Row = tuple[str, Address | None, str, str, str]  # name, address, client id, kind, file name

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
OFFICE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
# Excel reads "_x0041_" in a string as the escape of "A": a literal one is written "_x005F_x0041_"
EXCEL_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")


def workbook_bytes(rows: Sequence[Row], title: str = "Adresslista") -> bytes:
    """The workbook: one header row (bold, frozen, filterable) and one row per letter."""
    columns = _column(len(HEADER))
    lines = [_row(1, HEADER, style=1)]
    for number, (name, address, client_id, kind, filename) in enumerate(rows, start=2):
        lines.append(_row(number, [
            name,
            address.co if address and address.co else "",
            address.street if address else "",
            address.postcode if address else "",
            address.city.upper() if address else "",
            address.country.upper() if address and address.country else "",
            client_id,
            kind,
            filename,
        ]))
    last = len(rows) + 1
    widths = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(WIDTHS, start=1))
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN}" xmlns:r="{OFFICE_REL}">'
        '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
        f'<dimension ref="A1:{columns}{last}"/>'
        '<sheetViews><sheetView tabSelected="1" workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
        f'<sheetFormatPr defaultRowHeight="15"/><cols>{widths}</cols>'
        f'<sheetData>{"".join(lines)}</sheetData><autoFilter ref="A1:{columns}{last}"/>'
        '<pageMargins left="0.5" right="0.5" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>'
        # printed: A4 landscape, every column on one page wide, the header row on every page
        '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/></worksheet>'
    )
    workbook = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{MAIN}" xmlns:r="{OFFICE_REL}">'
        '<sheets><sheet name="Adresslista" sheetId="1" r:id="rId1"/></sheets>'
        f'<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
        f"Adresslista!$A$1:${columns}${last}</definedName>"
        '<definedName name="_xlnm.Print_Titles" localSheetId="0">Adresslista!$1:$1</definedName></definedNames></workbook>'
    )
    styles = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{MAIN}">'
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
        '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
        f'<fill><patternFill patternType="solid"><fgColor rgb="{HEADER_FILL}"/><bgColor indexed="64"/></patternFill></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
    )
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PACKAGE_REL}">'
            f'<Relationship Id="rId1" Type="{OFFICE_REL}/officeDocument" Target="xl/workbook.xml"/>'
            f'<Relationship Id="rId2" Type="{PACKAGE_REL}/metadata/core-properties" Target="docProps/core.xml"/>'
            "</Relationships>"
        ),
        "docProps/core.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<dc:title>{escape(title)}</dc:title><dc:creator>formkit</dc:creator></cp:coreProperties>"
        ),
        "xl/workbook.xml": workbook,
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PACKAGE_REL}">'
            f'<Relationship Id="rId1" Type="{OFFICE_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{OFFICE_REL}/styles" Target="styles.xml"/>'
            "</Relationships>"
        ),
        "xl/styles.xml": styles,
        "xl/worksheets/sheet1.xml": sheet,
    }
    return write_zip([member(name, text.encode("utf-8"), level=1) for name, text in parts.items()])


def _row(number: int, values: Sequence[str], style: int = 0) -> str:
    """One row; an empty value stays an empty cell. (A list of thousands of rows: the column
    letters are looked up, and a value is only escaped when it needs to be.)"""
    styled = f' s="{style}"' if style else ""
    cells = "".join(
        f'<c r="{COLUMNS[i]}{number}"{styled} t="inlineStr"><is><t xml:space="preserve">{_text(value)}</t></is></c>'
        for i, value in enumerate(values) if value
    )
    return f'<row r="{number}">{cells}</row>'


def _text(value: str) -> str:
    if "_x" in value:
        value = EXCEL_ESCAPE.sub(r"_x005F_\1", value)
    return escape(value) if "&" in value or "<" in value or ">" in value else value


def _column(number: int) -> str:
    """The column letters of column ``number`` (1 = A)."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


COLUMNS = [_column(i) for i in range(1, len(HEADER) + 1)]
