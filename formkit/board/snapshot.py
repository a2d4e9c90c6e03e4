"""The board's hidden ``formkit`` sheet: what formkit generated last time, to tell a value the
assessor typed over a system column from one the case file changed.

Row 1 holds the system headings, row 2 (since the layout was recorded) the main sheet's column
of each, then one row per decision as generated. The writer replaces the sheet whole
(``grid.replace_all``), so it is only ever read here, and read as little as possible: the
layout from its first two rows, and a decision's values only when one of its cells differs
from the new data. Such a row is found in the part's text by its decision id and parsed alone
(the sheet as formkit writes it: inline strings, the main namespace as default); where that
does not find it (a sheet Excel has saved, with shared strings) the whole sheet is parsed once.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from lxml import etree
from openpyxl.utils import get_column_letter

from formkit.board.columns import ID_HEADER
from formkit.xlsxpkg.grid import split_ref
from formkit.xlsxpkg.package import MAIN, PARSER, Package, q


def text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def read_layout(package: Package, part: str | None) -> dict[str, int]:
    """The hidden sheet's row 1 (system headings) and row 2 (the main sheet's column of each,
    since this version); read without the rest of the sheet."""
    if part is None:
        return {}
    rows = {int(r.get("r", "0")): r for r in package.first_rows(part, 2) if r.get("r") in ("1", "2")}
    if 1 not in rows or 2 not in rows:
        return {}
    headers = {split_ref(c.get("r"))[1]: package.cell_value(c) for c in rows[1] if c.get("r")}
    columns = {split_ref(c.get("r"))[1]: package.cell_value(c) for c in rows[2] if c.get("r")}
    if not isinstance(columns.get(1), int):
        return {}  # a board from before this version: decision rows from row 2
    return {str(headers[c]): n for c, n in columns.items() if c in headers and isinstance(n, int)}


class Generated:
    """The values last generated for each decision, read from the hidden sheet on demand."""

    def __init__(self, package: Package, part: str | None):
        self.package = package
        self.part = part
        first = package.first_rows(part, 2) if part is not None else []
        self.headers = {split_ref(c.get("r"))[1]: package.cell_value(c) for c in first[0] if c.get("r")} if first else {}
        self.id_col = next((c for c, h in self.headers.items() if h == ID_HEADER), None)
        self.layout_row = len(first) > 1 and any(c.get("r") == "A2" and isinstance(package.cell_value(c), int)
                                                  for c in first[1])
        self._raw: bytes | None = None
        self._all: dict[str, Any] | None = None

    def values(self, decision_id: str) -> dict[str, Any] | None:
        """The decision's system values as last generated (``None``: not on the sheet)."""
        if self.id_col is None:
            return None
        element = self._find(decision_id) if self._all is None else None
        if element is None:
            if self._all is None:
                self._all = self._every_row()
            element = self._all.get(decision_id)
        return self._decode(element) if element is not None else None

    def _find(self, decision_id: str) -> Any:
        """The last row whose decision id cell holds ``decision_id``, found in the part's text;
        ``None`` where the text is not as formkit writes it (then the whole sheet is read)."""
        if self._raw is None:
            raw = self.package.raw(self.part)
            start = raw.find(b"<sheetData")
            self._raw = raw if start >= 0 and f'xmlns="{MAIN}"'.encode() in raw[:start] else b""
        raw = self._raw
        needle = f">{escape(decision_id)}</t></is></c>".encode()
        end = len(raw)
        while raw:
            at = raw.rfind(needle, 0, end)
            if at < 0:
                return None
            begin, close = raw.rfind(b"<row ", 0, at), raw.find(b"</row>", at)
            if begin < 0 or close < 0:
                return None
            try:
                row = etree.fromstring(b'<sheetData xmlns="' + MAIN.encode() + b'">' + raw[begin:close + 6] + b"</sheetData>",
                                       PARSER)[0]
            except etree.XMLSyntaxError:
                return None
            if self._decision_of(row) == decision_id:
                return row
            end = at  # the text was in another column: look further up
        return None

    def _every_row(self) -> dict[str, Any]:
        """decision id -> its row, the whole sheet parsed (for reading only)."""
        data = self.package.parsed(self.part).find(q("sheetData"))
        found: dict[str, Any] = {}
        for element in data.iterchildren(q("row")) if data is not None else ():
            decision = self._decision_of(element)
            if decision:
                found[decision] = element  # a repeated id: the last row, as the text search finds it
        return found

    def _decision_of(self, row: Any) -> str:
        """The decision id in a decision row ('' for the heading and layout rows)."""
        if row.get("r") == "1" or (self.layout_row and row.get("r") == "2"):
            return ""
        letter = get_column_letter(self.id_col)
        cell = next((c for c in row if (c.get("r") or "").rstrip("0123456789") == letter), None)
        return text(self.package.cell_value(cell)) if cell is not None else ""

    def _decode(self, row: Any) -> dict[str, Any]:
        out = {}
        for c in row:
            col = split_ref(c.get("r"))[1] if c.get("r") else None
            value = self.package.cell_value(c) if col in self.headers else None
            if value is not None and not (isinstance(value, str) and not value.strip()):
                out[str(self.headers[col])] = value
        return out
