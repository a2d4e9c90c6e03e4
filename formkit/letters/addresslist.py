"""The address list for a mailing, as an Excel workbook.

Coordinators use it to check the batch before posting, to print labels or to hand the list to
the post room. Every value is stored as text: a postcode "012 34" keeps its zero, and a name
or street that starts with ``=``, ``+``, ``-`` or ``@`` stays text instead of becoming a
formula (openpyxl would otherwise write it as one). Clients with protected identity are never
in this list; the caller leaves them out.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from formkit.case.model import Address
from formkit.xlsx import put

HEADER = ["Namn", "C/o", "Utdelningsadress", "Postnummer", "Postort", "Land", "Klient", "Slag", "Fil"]
WIDTHS = [30, 22, 34, 12, 18, 10, 14, 8, 34]

Row = tuple[str, Address | None, str, str, str]  # name, address, client id, kind, file name


def workbook_bytes(rows: Sequence[Row], title: str = "Adresslista") -> bytes:
    """The workbook: one header row (bold, frozen, filterable) and one row per letter."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Adresslista"
    book.properties.title = title
    sheet.append(HEADER)
    fill = PatternFill("solid", fgColor="DDE5F0")  # styled cells, not a table style: LibreOffice draws these
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = fill
    for row_number, (name, address, client_id, kind, filename) in enumerate(rows, start=2):
        values = [
            name,
            address.co if address and address.co else "",
            address.street if address else "",
            address.postcode if address else "",
            address.city.upper() if address else "",
            address.country.upper() if address and address.country else "",
            client_id,
            kind,
            filename,
        ]
        for column, value in enumerate(values, start=1):
            if value:  # an empty value stays an empty cell
                put(sheet, row_number, column, value)
    last_row = len(rows) + 1
    for i, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(HEADER))}{last_row}"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
