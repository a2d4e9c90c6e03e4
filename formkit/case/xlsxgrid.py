"""The cells of an .xlsx workbook as plain Python values, with what openpyxl hides.

Why not ``openpyxl.load_workbook``: in read-only mode it cannot tell an empty cell from a
formula Excel never calculated (both come back as None), it forgets merged cells and hidden
sheets are easy to miss. Reading the sheet XML directly (with lxml's streaming parser, as
openpyxl does underneath) gives all of that in one pass, and stays fast: 100,000 cells in a
fraction of a second. The package is opened through ``zipguard`` first, so a zip bomb is
refused before anything is unpacked.

Values: text is ``str``; numbers ``int``/``float``; a number in a date format a
``datetime`` (a time-only format gives a ``time``); TRUE/FALSE ``bool``. A formula gives its
cached value, or ``NO_VALUE`` when the file holds none; an error cell (#REF!) an ``ErrorValue``.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from lxml import etree
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.cell import column_index_from_string, range_boundaries
from openpyxl.utils.datetime import CALENDAR_MAC_1904, WINDOWS_EPOCH, from_excel

from formkit import zipguard
from formkit.errors import WorkbookReadError

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_MAIN = "http://purl.oclc.org/ooxml/spreadsheetml/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")  # OOXML's escape for characters XML cannot hold: _x000D_
MAX_ROWS = 200_000  # per sheet; far beyond any municipality's case data
MAX_COLUMNS = 500


class ErrorValue(str):
    """A cell showing an error such as #REF! or #N/A."""


class _NoValue:
    def __repr__(self) -> str:
        return "NO_VALUE"


NO_VALUE: Any = _NoValue()  # a formula whose result the file does not hold


@dataclass
class Grid:
    """One sheet: non-empty cells by (row, column), both 1-based, and its merged ranges."""

    name: str
    state: str  # visible, hidden or veryHidden
    cells: dict[int, dict[int, Any]] = field(default_factory=dict)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # min_col, min_row, max_col, max_row
    formulas: set[tuple[int, int]] = field(default_factory=set)  # cells whose value a formula gave


def read_grids(path: Path) -> list[Grid]:
    """Every sheet of the workbook at ``path``, in tab order."""
    try:
        archive = zipguard.open_workbook_package(path)
    except ValueError as exc:
        raise WorkbookReadError(str(exc)) from None
    with archive:
        try:
            return _read(archive)
        except (KeyError, etree.XMLSyntaxError, zipfile.BadZipFile, ValueError, EOFError, zlib.error) as exc:
            raise WorkbookReadError(f"filen är skadad eller inte en Excel-arbetsbok ({type(exc).__name__}); "
                                    "spara den på nytt i Excel som .xlsx") from None


def _parser_args() -> dict[str, Any]:
    return {"resolve_entities": False, "no_network": True, "huge_tree": False, "load_dtd": False}


def _xml(archive: zipfile.ZipFile, name: str) -> etree._Element:
    with archive.open(name) as handle:
        return etree.parse(handle, etree.XMLParser(**_parser_args())).getroot()


def _rels(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type, absolute part name) for ``part``."""
    folder, name = posixpath.split(part)
    rels_name = posixpath.join(folder, "_rels", name + ".rels")
    if rels_name not in archive.namelist():
        return {}
    out = {}
    for rel in _xml(archive, rels_name):
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External":
            continue
        absolute = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out[rel.get("Id", "")] = (rel.get("Type", ""), absolute)
    return out


def _read(archive: zipfile.ZipFile) -> list[Grid]:
    root_rels = _rels(archive, "")
    book_part = next((target for kind, target in root_rels.values() if kind.endswith("/officeDocument")), "xl/workbook.xml")
    book = _xml(archive, book_part)
    ns = MAIN if book.tag == f"{{{MAIN}}}workbook" else STRICT_MAIN
    if book.tag != f"{{{ns}}}workbook":
        raise WorkbookReadError("delen workbook.xml saknas")
    rels = _rels(archive, book_part)
    props = book.find(f"{{{ns}}}workbookPr")
    epoch = CALENDAR_MAC_1904 if props is not None and props.get("date1904") in ("1", "true") else WINDOWS_EPOCH
    strings: list[str] = []
    date_styles: set[int] = set()
    for kind, target in rels.values():
        if kind.endswith("/sharedStrings") and target in archive.namelist():
            with archive.open(target) as handle:
                strings = _shared_strings(handle, ns)
        elif kind.endswith("/styles") and target in archive.namelist():
            date_styles = _date_styles(_xml(archive, target), ns)
    grids = []
    for sheet in book.iterfind(f"{{{ns}}}sheets/{{{ns}}}sheet"):
        rel_id = sheet.get(f"{{{REL}}}id") or sheet.get("{http://purl.oclc.org/ooxml/officeDocument/relationships}id")
        kind, target = rels.get(rel_id or "", ("", ""))
        if not kind.endswith("/worksheet"):
            continue  # a chart sheet or a dialog sheet holds no data
        grid = Grid(sheet.get("name", ""), sheet.get("state", "visible"))
        with archive.open(target) as handle:
            _read_sheet(handle, grid, ns, strings, date_styles, epoch)
        grids.append(grid)
    return grids


def _date_styles(styles: etree._Element, ns: str) -> set[int]:
    """Indexes of the cell styles whose number format shows a date or a time."""
    formats = dict(BUILTIN_FORMATS)
    for fmt in styles.iterfind(f"{{{ns}}}numFmts/{{{ns}}}numFmt"):
        formats[int(fmt.get("numFmtId", "0"))] = fmt.get("formatCode", "")
    out = set()
    for index, xf in enumerate(styles.iterfind(f"{{{ns}}}cellXfs/{{{ns}}}xf")):
        code = formats.get(int(xf.get("numFmtId", "0")), "")
        if code and is_date_format(code):
            out.add(index)
    return out


def _read_sheet(source: IO[bytes], grid: Grid, ns: str, strings: list[str], date_styles: set[int], epoch: dt.datetime) -> None:
    """Fill ``grid`` from one worksheet part. This loop runs once per cell (100,000 for a large
    case file), so it works with local names and no calls it can do without; a date number is
    converted once however many cells hold it."""
    row_tag, merge_tag = f"{{{ns}}}row", f"{{{ns}}}mergeCell"
    cell_tag, value_tag, formula_tag, inline_tag = f"{{{ns}}}c", f"{{{ns}}}v", f"{{{ns}}}f", f"{{{ns}}}is"
    text_tag, run_tag = f"{{{ns}}}t", f"{{{ns}}}r"
    cells, formulas, columns = grid.cells, grid.formulas, _COLUMNS
    dates: dict[int | float, dt.datetime] = {}
    row_number = 0
    for _event, element in etree.iterparse(source, events=("end",), tag=(row_tag, merge_tag), **_parser_args()):
        if element.tag == merge_tag:
            ref = element.get("ref", "")
            if ":" in ref:
                bounds = range_boundaries(ref)
                grid.merged.append((bounds[0] or 1, bounds[1] or 1, bounds[2] or 1, bounds[3] or 1))
            element.clear()
            continue
        number_text = element.get("r")
        row_number = int(number_text) if number_text else row_number + 1
        if len(cells) >= MAX_ROWS:
            raise WorkbookReadError(f"bladet {grid.name} har fler än {MAX_ROWS} rader")
        column = 0
        values: dict[int, Any] = {}
        for cell in element.iterchildren(cell_tag):
            ref = cell.get("r")
            if ref:
                column = columns.get(ref.rstrip(DIGITS)) or _column(ref)
            else:
                column += 1
            if column > MAX_COLUMNS:
                continue
            raw: str | None = None
            has_formula = False
            inline = None
            for child in cell:
                tag = child.tag
                if tag == value_tag:
                    raw = child.text
                elif tag == formula_tag:
                    has_formula = True
                elif tag == inline_tag:
                    inline = child
            kind = cell.get("t", "n")
            value: Any
            if kind == "inlineStr":
                if inline is None:
                    continue
                value = _string_item(inline, text_tag, run_tag)
            elif not raw:  # no value, or an empty one
                if not has_formula or kind == "str":
                    continue
                value = NO_VALUE
            elif kind == "s":
                value = strings[int(raw)]
            elif kind in ("str", "d"):
                value = raw
            elif kind == "b":
                value = raw.strip() in ("1", "true")
            elif kind == "e":
                value = ErrorValue(raw)
            else:
                number = float(raw) if ("." in raw or "e" in raw or "E" in raw) else int(raw)
                style = cell.get("s")
                if (int(style) if style else 0) in date_styles and 0 <= number < 2_958_466:
                    value = dates.get(number)
                    if value is None:
                        value = dates[number] = from_excel(number, epoch)
                else:
                    value = number
            if value is None or value == "":
                continue
            values[column] = value
            if has_formula:
                formulas.add((row_number, column))
        if values:
            cells[row_number] = values
        element.clear()


def _shared_strings(source: IO[bytes], ns: str) -> list[str]:
    item_tag = f"{{{ns}}}si"
    out = []
    for _event, element in etree.iterparse(source, events=("end",), tag=item_tag, **_parser_args()):
        out.append(_string_item(element, f"{{{ns}}}t", f"{{{ns}}}r"))
        element.clear()
    return out


def _string_item(element: etree._Element, text_tag: str, run_tag: str) -> str:
    """The text of an inline or shared string: its ``t``, or its rich-text runs' ``t`` (the
    phonetic guide ``rPh`` left out)."""
    if len(element) == 1 and element[0].tag == text_tag:  # plain text, the common case
        text = element[0].text or ""
        return ESCAPED.sub(_unescaped, text) if "_x" in text else text
    parts = []
    for child in element:
        if child.tag == text_tag:
            parts.append(child.text or "")
        elif child.tag == run_tag:
            parts.extend(t.text or "" for t in child.iterchildren(text_tag))
    text = "".join(parts)
    return ESCAPED.sub(_unescaped, text) if "_x" in text else text


def _unescaped(match: re.Match[str]) -> str:
    return chr(int(match.group(1), 16))


_COLUMNS: dict[str, int] = {}
DIGITS = "0123456789"


def _column(ref: str) -> int:
    """The column number of a cell reference such as "AB12" (memoised: there are few letters)."""
    letters = ref.rstrip(DIGITS)
    number = _COLUMNS.get(letters)
    if number is None:
        number = _COLUMNS[letters] = column_index_from_string(letters)
    return number
