"""One worksheet's rows, edited in place: values read, rows re-ordered, everything anchored to a
row moved with it.

A sheet that is regenerated keeps every cell, style and row setting the person gave it; the
caller decides, for each new row, which old row it continues (or none) and which cells get new
values. ``Grid.place`` then writes the rows in their new order and ``Grid.follow`` moves what is
anchored to a cell (comments, hyperlinks, merged cells, data validation, conditional formats,
also those in ``extLst``) to where its row went. Formulas are moved by the caller, which knows
the columns by their headings (``translate``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from openpyxl.formula.tokenizer import Token, Tokenizer, TokenizerError
from openpyxl.formula.translate import Translator, TranslatorError
from openpyxl.utils.cell import column_index_from_string, get_column_letter
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, to_excel
from xml.sax.saxutils import escape

from formkit.errors import MissingColumn
from formkit.xlsxpkg.package import IS, MAIN, NS, REL, V, Package, q

REF = re.compile(r"^(\$?)([A-Za-z]{1,3})(\$?)(\d+)$")
RANGE = re.compile(r"^(?:(?P<sheet>'(?:[^']|'')+'|[^'!]+)!)?(?P<a>\$?[A-Za-z]{1,3}\$?\d+)(?::(?P<b>\$?[A-Za-z]{1,3}\$?\d+))?$")
CELL_REF = re.compile(r"([A-Z]{1,3})(\d+)")
X14_MAIN = "http://schemas.microsoft.com/office/excel/2006/main"
VML_ROW = re.compile(r"(<x:Row>)(\d+)(</x:Row>)")
VML_SHAPE = re.compile(r"<v:shape\b.*?</v:shape>", re.S)


F_TAG, C_TAG, T_TAG = q("f"), q("c"), q("t")


class Formula(str):
    """A formula as read from a cell (``=H2-TODAY()``), with the cell it was in."""

    origin_row: int = 0

    def __new__(cls, text: str, origin_row: int = 0) -> Formula:
        made = super().__new__(cls, text)
        made.origin_row = origin_row
        return made


_COLUMNS: dict[str, int] = {}
_LETTERS = ["", *(get_column_letter(col) for col in range(1, 703))]  # column number -> letters, A..ZZ
DIGITS = "0123456789"


def split_ref(ref: str) -> tuple[int, int]:
    """``"H12"`` -> (12, 8)."""
    letters = ref.rstrip(DIGITS)
    col = _COLUMNS.get(letters)
    if col is not None and len(letters) < len(ref):  # the usual case: "H12" as Excel writes it
        return int(ref[len(letters):]), col
    ref = ref.replace("$", "").upper()
    letters = ref.rstrip(DIGITS)
    col = _COLUMNS.get(letters)
    if col is None:
        if not letters.isalpha() or len(letters) > 3:
            raise ValueError(ref)
        col = _COLUMNS[letters] = column_index_from_string(letters)
    number = ref[len(letters):]
    if not number.isdigit():
        raise ValueError(ref)
    return int(number), col


@dataclass
class Row:
    number: int
    element: Any
    cells: dict[int, Any] = field(default_factory=dict)  # column -> <c>


@dataclass
class Lost:
    """Something anchored to a row that left the sheet (its row went to another sheet)."""

    row: int
    kind: str  # "kommentar" | "länk" | "sammanfogning"
    text: str


class Grid:
    """The rows of one worksheet part."""

    def __init__(self, package: Package, part: str):
        self.package = package
        self.part = part
        self.root = package.xml(part)
        self.data = self.root.find("m:sheetData", NS)
        if self.data is None:
            raise ValueError("bladet saknar sheetData")
        self.rows: dict[int, Row] = {}
        self._shared: dict[str, tuple[str, int, int]] = {}
        number = 0
        row_tag, c_tag = q("row"), q("c")
        columns = _COLUMNS
        for element in self.data.iterchildren(row_tag):
            number = int(element.get("r") or number + 1)
            cells: dict[int, Any] = {}
            row = Row(number, element, cells)
            digits = str(number)
            cut = -len(digits)
            col = 0
            for c in element.iterchildren(c_tag):
                ref = c.get("r")
                if ref:
                    # "H12" in row 12, as written: the letters looked up, else parsed in full
                    known = columns.get(ref[:cut]) if ref.endswith(digits) else None
                    if known is None:
                        col = split_ref(ref)[1]
                        c.set("r", f"{get_column_letter(col)}{number}")  # "$h12", or a cell out of its row
                    else:
                        col = known
                else:
                    col += 1
                    c.set("r", f"{get_column_letter(col)}{number}")
                cells[col] = c
            self.rows[number] = row
        for f in self.data.iter(F_TAG):  # the masters of shared formulas (Excel's fill-down)
            if f.get("t") == "shared" and f.text:
                number, col = split_ref(f.getparent().get("r"))
                self._shared[f.get("si")] = (f.text, number, col)

    # --- reading ------------------------------------------------------------------------------
    def value(self, row: int, col: int) -> Any:
        r = self.rows.get(row)
        c = r.cells.get(col) if r else None
        return None if c is None else self.cell_value(c, row, col)

    def cell_value(self, c: Any, row: int, col: int) -> Any:
        if not len(c):
            return None
        f = v = inline = None
        for child in c:  # one pass over the cell's children: thousands of cells per board
            tag = child.tag
            if tag == V:
                v = child
            elif tag == F_TAG:
                f = child
            elif tag == IS:
                inline = child
        if f is not None and f.get("t") != "array":
            text = f.text
            if f.get("t") == "shared" and not text:
                master = self._shared.get(f.get("si"))
                if master is None:
                    return self.package.decode(c, v, inline)
                try:
                    text = Translator("=" + master[0], origin=f"{get_column_letter(master[2])}{master[1]}") \
                        .translate_formula(f"{get_column_letter(col)}{row}")[1:]
                except (TranslatorError, TokenizerError):
                    text = master[0]
            if text:
                return Formula("=" + text, row)
        value = self.package.decode(c, v, inline)
        if isinstance(value, str) and not value.strip():
            return None
        return value

    def row_values(self, row: Row) -> tuple[dict[int, Any], dict[int, str]]:
        """Every value of a row by column (``cell_value``'s, without the empty ones) and every
        cell's format: the two common shapes (inline text, a plain number) read directly, since
        a regenerated board reads thousands of cells."""
        values: dict[int, Any] = {}
        styles: dict[int, str] = {}
        decode = self.package.decode
        number = row.number
        for col, c in row.cells.items():
            style = c.get("s")
            if style is not None:
                styles[col] = style
            if not len(c):
                continue
            first = c[0]
            if len(c) == 1:
                if first.tag == IS and len(first) == 1 and first[0].tag == T_TAG and c.get("t") == "inlineStr":
                    text = first[0].text
                    if text and text.strip():
                        values[col] = text
                    continue
                if first.tag == V:
                    value = decode(c, first, None)
                    if value is not None and not (isinstance(value, str) and not value.strip()):
                        values[col] = value
                    continue
            value = self.cell_value(c, number, col)
            if value is not None:
                values[col] = value
        return values, styles

    def texts(self, row: int) -> dict[int, str]:
        r = self.rows.get(row)
        if r is None:
            return {}
        out = {}
        for col in r.cells:
            value = self.value(row, col)
            if value is not None and str(value).strip():
                out[col] = str(value).strip()
        return out

    def last_row(self) -> int:
        """The last row that holds a value."""
        for number in sorted(self.rows, reverse=True):
            if any(self.value(number, col) is not None for col in self.rows[number].cells):
                return number
        return 0

    # --- writing ------------------------------------------------------------------------------
    def cell(self, row: Row, col: int) -> Any:
        """The ``<c>`` of ``row`` at ``col``, created in column order if missing."""
        c = row.cells.get(col)
        if c is None:
            c = etree.Element(C_TAG, r=f"{get_column_letter(col)}{row.number}")
            last = max(row.cells, default=0)
            if col > last:
                row.element.append(c)
            else:
                after = [k for k in row.cells if k < col]
                if after:
                    row.cells[max(after)].addnext(c)
                else:
                    row.element.insert(0, c)
            row.cells[col] = c
        return c

    def new_row(self, number: int) -> Row:
        return Row(number, etree.Element(q("row"), r=str(number)))

    def place(self, first: int, old_last: int, rows: list[Row]) -> Callable[[int], int | None]:
        """Write ``rows`` from row ``first`` on, replacing the old rows ``first``..``old_last``;
        rows below move up or down with them. Returns where each old row number went (``None``:
        the row is gone)."""
        moved: dict[int, int] = {}
        new_last = first + len(rows) - 1
        delta = new_last - old_last
        kept = [r for n, r in sorted(self.rows.items()) if n < first]
        tail = [r for n, r in sorted(self.rows.items()) if n > old_last]
        for i, row in enumerate(rows):
            number = first + i
            if row.number in self.rows and self.rows[row.number] is row and first <= row.number <= old_last:
                moved[row.number] = number
            self._renumber(row, number)
        for row in tail:
            self._renumber(row, row.number + delta)
        order = [*kept, *rows, *tail]
        current = list(self.data)
        elements = [r.element for r in order]
        if elements != current:  # the rows in their new order, in one step
            self.data[:] = elements
        self.rows = {row.number: row for row in order}

        def where(number: int) -> int | None:
            if number < first:
                return number
            if number <= old_last:
                return moved.get(number)
            return number + delta

        where.first, where.old_last, where.new_last = first, old_last, new_last  # type: ignore[attr-defined]
        return where

    @staticmethod
    def _renumber(row: Row, number: int) -> None:
        row.element.attrib.pop("spans", None)
        if number == row.number and row.element.get("r") == str(number):
            return  # its cells' references are right already (set when read, or when made)
        row.number = number
        digits = str(number)
        row.element.set("r", digits)
        letters = _LETTERS
        for col, c in row.cells.items():
            c.set("r", (letters[col] if col < len(letters) else get_column_letter(col)) + digits)

    def set_dimension(self, last_col: int) -> None:
        dim = self.root.find("m:dimension", NS)
        last = max(self.rows, default=1)
        if dim is not None:
            dim.set("ref", f"A1:{get_column_letter(max(1, last_col))}{last}")

    # --- what is anchored to cells ------------------------------------------------------------
    def follow(self, where: Callable[[int], int | None]) -> list[Lost]:
        """Move comments, links, merged cells, validations and conditional formats with their rows."""
        lost: list[Lost] = []
        self._follow_hyperlinks(where, lost)
        for merge in list(self.root.iterfind("m:mergeCells/m:mergeCell", NS)):
            moved = move_sqref(merge.get("ref"), where, whole_rows=False)
            if moved and " " not in moved:
                merge.set("ref", moved)
            else:  # its rows went apart (sorted, or one left the sheet): it cannot stay merged
                lost.append(Lost(split_ref(merge.get("ref").split(":")[0])[0], "sammanfogning", merge.get("ref")))
                merge.getparent().remove(merge)
        _count(self.root.find("m:mergeCells", NS))
        for kind in ("m:dataValidations/m:dataValidation", "m:conditionalFormatting"):
            for node in list(self.root.iterfind(kind, NS)):
                moved = move_sqref(node.get("sqref", ""), where)
                if moved:
                    node.set("sqref", moved)
                else:
                    node.getparent().remove(node)
        validations = self.root.find("m:dataValidations", NS)
        if validations is not None and len(validations) == 0:
            self.root.remove(validations)
        else:
            _count(validations)
        for sqref in self.root.iter("{http://schemas.microsoft.com/office/excel/2006/main}sqref"):
            sqref.text = move_sqref(sqref.text or "", where) or sqref.text
        self._follow_comments(where, lost)
        return lost

    def _follow_hyperlinks(self, where: Callable[[int], int | None], lost: list[Lost]) -> None:
        links = self.root.find("m:hyperlinks", NS)
        if links is None:
            return
        targets = {r.id: r.target for r in self.package.relationships(self.part)}
        for link in list(links):
            row, col = split_ref(link.get("ref").split(":")[0])
            new = where(row)
            if new is None:
                target = targets.get(link.get(f"{{{REL}}}id"), link.get("location", ""))
                lost.append(Lost(row, "länk", target))
                links.remove(link)
                continue
            link.set("ref", move_sqref(link.get("ref"), where, whole_rows=False) or link.get("ref"))
        if len(links) == 0:
            self.root.remove(links)

    def _follow_comments(self, where: Callable[[int], int | None], lost: list[Lost]) -> None:
        for part in self.package.related(self.part, "comments"):
            root = self.package.xml(part)
            gone: set[tuple[int, int]] = set()
            for comment in list(root.iterfind("m:commentList/m:comment", NS)):
                row, col = split_ref(comment.get("ref"))
                new = where(row)
                if new is None:
                    text = "".join(t.text or "" for t in comment.iter(q("t")))
                    lost.append(Lost(row, "kommentar", text.strip()))
                    comment.getparent().remove(comment)
                    gone.add((row - 1, col - 1))
                else:
                    comment.set("ref", f"{get_column_letter(col)}{new}")
        for part in self.package.related(self.part, "vmlDrawing"):
            self.package.set_raw(part, _move_vml(self.package.raw(part).decode("utf-8", "replace"), where).encode("utf-8"))


def replace_all(package: Package, part: str, rows: list[list[Any]], date_style: int) -> None:
    """Every row of a sheet formkit owns whole, anew from plain values: built as text and parsed
    once, many times faster than cell by cell (and no ``Grid`` holds the old cells)."""
    epoch = CALENDAR_MAC_1904 if package.date1904 else CALENDAR_WINDOWS_1900
    epoch_day = epoch.toordinal()
    first_plain = 0 if package.date1904 else 61  # before 1900-03-01 Excel's serials are off by one
    letters = [get_column_letter(col) for col in range(1, max(map(len, rows), default=0) + 1)]
    parts = []
    for r, values in enumerate(rows, start=1):
        parts.append(f'<row r="{r}">')
        for letter, value in zip(letters, values):
            if value is None or value == "":
                continue
            cls = value.__class__
            if cls is str:
                text = escape(value) if "&" in value or "<" in value or ">" in value else value
                parts.append(f'<c r="{letter}{r}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>')
            elif cls is dt.date and value.toordinal() - epoch_day >= first_plain:
                parts.append(f'<c r="{letter}{r}" s="{date_style}"><v>{float(value.toordinal() - epoch_day)!r}</v></c>')
            elif isinstance(value, bool):
                parts.append(f'<c r="{letter}{r}" t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, (int, float)):
                parts.append(f'<c r="{letter}{r}"><v>{value!r}</v></c>')
            elif isinstance(value, (dt.date, dt.datetime)):
                parts.append(f'<c r="{letter}{r}" s="{date_style}"><v>{to_excel(value, epoch=epoch)!r}</v></c>')
            else:
                parts.append(f'<c r="{letter}{r}" t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>')
        parts.append("</row>")
    body = "".join(parts)
    # Spliced into the part's text: removing a large subtree from a parsed lxml tree costs more
    # than building it. Only where the sheet uses the main namespace as its default.
    raw = package.raw(part).decode("utf-8")
    start = raw.find("<sheetData")
    if start >= 0 and f'xmlns="{MAIN}"' in raw[:start]:
        close = raw.find(">", start)
        if raw[close - 1] == "/":
            end = close + 1
        else:
            end = raw.index("</sheetData>", close) + len("</sheetData>")
        package.set_raw(part, (raw[:start] + f"<sheetData>{body}</sheetData>" + raw[end:]).encode("utf-8"))
        return
    root = package.xml(part)
    root.replace(root.find(q("sheetData")), etree.fromstring(f'<sheetData xmlns="{MAIN}">{body}</sheetData>'.encode("utf-8")))


def _move_vml(vml: str, where: Callable[[int], int | None]) -> str:
    """Move the comment boxes of the legacy VML drawing (0-based ``x:Row``) with their rows."""
    def shape(m: re.Match[str]) -> str:
        text = m.group(0)
        rows = VML_ROW.search(text)
        if rows is None:
            return text
        new = where(int(rows.group(2)) + 1)
        if new is None:
            return ""
        return VML_ROW.sub(lambda r: f"{r.group(1)}{new - 1}{r.group(3)}", text, count=1)
    return VML_SHAPE.sub(shape, vml)


def _count(node: Any) -> None:
    if node is not None:
        if len(node) == 0:
            node.getparent().remove(node)
        else:
            node.set("count", str(len(node)))


def move_sqref(sqref: str, where: Callable[[int], int | None], whole_rows: bool = True) -> str:
    """``"X2:X300 A5"`` with every row moved by ``where``. A range that spans the whole old data
    region spans the whole new one (a dropdown for the column also covers the new rows)."""
    first, old_last, new_last = where.first, where.old_last, where.new_last  # type: ignore[attr-defined]
    out: list[str] = []
    for part in sqref.split():
        if ":" in part:
            a, b = part.split(":", 1)
        else:
            a = b = part
        try:
            (r1, c1), (r2, c2) = split_ref(a), split_ref(b)
        except ValueError:
            out.append(part)
            continue
        cols = f"{get_column_letter(c1)}{{}}:{get_column_letter(c2)}{{}}"
        if whole_rows and r1 <= first and r2 >= old_last and r2 >= first:
            top = r1 if r1 < first else first
            bottom = r2 + (new_last - old_last) if r2 > old_last else new_last
            if bottom >= top:
                out.append(_range(cols, top, bottom))
            continue
        rows = sorted(n for n in (where(r) for r in range(r1, r2 + 1)) if n is not None)
        start = prev = None
        for n in rows:
            if start is None:
                start = prev = n
            elif n == prev + 1:
                prev = n
            else:
                out.append(_range(cols, start, prev))
                start = prev = n
        if start is not None:
            out.append(_range(cols, start, prev))
    return " ".join(out)


def _range(cols: str, top: int, bottom: int) -> str:
    a, b = cols.format(top, bottom).split(":")
    return a if a == b else f"{a}:{b}"


# --- formulas -------------------------------------------------------------------------------

def translate(formula: Formula, source: dict[int, str], target: dict[str, int], row: int,
              sheet: str = "") -> str:
    """``formula`` (read in row ``formula.origin_row`` of a sheet whose headings by column are
    ``source``) rewritten for row ``row`` of a sheet whose columns by heading are ``target``:
    a reference to the column headed "Nästa uppföljning" still points at "Nästa uppföljning",
    wherever that column now is. References to other sheets are left alone; a reference to a
    heading that ``target`` does not have raises ``MissingColumn``."""
    try:
        tokens = Tokenizer(str(formula)).items
    except TokenizerError:
        return str(formula)
    parts = []
    for token in tokens:
        if token.type == Token.OPERAND and token.subtype == Token.RANGE:
            parts.append(_move_range(token.value, formula.origin_row, source, target, row, sheet))
        else:
            parts.append(token.value)
    return "=" + "".join(parts)


def _move_range(text: str, origin: int, source: dict[int, str], target: dict[str, int], row: int, sheet: str) -> str:
    m = RANGE.match(text)
    if not m:
        return text
    prefix = m.group("sheet")
    if prefix is not None and prefix.strip("'").replace("''", "'") != sheet:
        return text
    cells = [_move_cell(p, origin, source, target, row) for p in (m.group("a"), m.group("b")) if p]
    return (f"{prefix}!" if prefix else "") + ":".join(cells)


def _move_cell(text: str, origin: int, source: dict[int, str], target: dict[str, int], row: int) -> str:
    m = REF.match(text)
    if not m:
        return text
    col_abs, letters, row_abs, number = m.group(1), m.group(2), m.group(3), int(m.group(4))
    col = column_index_from_string(letters.upper())
    header = source.get(col)
    if header is not None:
        if header not in target:
            raise MissingColumn(header)
        col = target[header]
    new_row = number if row_abs else max(1, number - origin + row)
    return f"{col_abs}{get_column_letter(col)}{row_abs}{new_row}"
