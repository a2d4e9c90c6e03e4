"""Writing one spreadsheet cell the way every formkit workbook must.

openpyxl stores any string that starts with ``=`` as a formula, so a name typed as
``=HYPERLINK(...)`` or ``=1+1`` would run in Excel. Text is therefore always stored as text;
dates get the ISO format. The board has its own writer because it also carries the assessor's
formulas and date-times over; everything else writes through ``put``.
"""

from __future__ import annotations

import datetime as dt
import math
import zipfile
import zlib
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.styles import PatternFill
from openpyxl.worksheet.worksheet import Worksheet

ISO_DATE = "yyyy-mm-dd"
# What a damaged workbook raises while openpyxl opens or reads it: a broken zip, a cut-off
# deflate stream, XML that ends mid-tag (both XML parsers' errors are SyntaxErrors), a missing
# part. Readers of a user's workbook (the board, the quality file, a client list) catch these.
DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, SyntaxError, KeyError, ValueError)


def put(sheet: Worksheet, row: int, column: int, value: Any, **style: Any) -> Cell:
    """Write ``value`` at (row, column); text stays text, a date shows as 2026-11-22.
    ``style`` sets cell attributes (font=, fill=, border=, alignment=, number_format=)."""
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    elif isinstance(value, dt.date):
        cell.number_format = ISO_DATE
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def conditional_fill(rgb: str) -> PatternFill:
    """A solid fill for conditional formatting: Excel takes a conditional fill from bgColor,
    LibreOffice and static cells from fgColor, so both are set."""
    return PatternFill("solid", start_color=rgb, end_color=rgb, bgColor=rgb)


def wrapped_lines(text: str, width: float) -> int:
    """How many lines ``text`` takes in a wrapped cell ``width`` characters wide (an estimate).

    Neither Excel nor LibreOffice grows a row for wrapped text in a file they did not lay out
    themselves, so a writer sets the row height from this (15 points a line)."""
    per_line = max(1, int(width * 1.1) - 1)
    return sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n"))


def landscape_fit(sheet: Worksheet) -> None:
    """A4 landscape, one page wide and as many pages long as it takes: how every formkit table
    prints."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
