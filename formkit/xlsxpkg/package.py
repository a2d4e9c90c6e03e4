"""An .xlsx package edited in place: parts, relationships, styles and cell values.

openpyxl loads a workbook into its own object model and writes that model back, dropping what
it does not model (charts, images, shapes, pivot caches, ``extLst`` with x14 validation and
sparklines). A workbook a person has worked on in Excel must keep all of that, so a workbook
that formkit regenerates is edited here instead: every part is kept as the bytes it was read
as, and only the parts that are changed are parsed (lxml) and serialised again.

This module knows nothing about boards or clients; ``formkit.xlsxpkg.grid`` edits one sheet's
rows on top of it.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import itertools
import posixpath
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel, to_excel

from formkit.errors import PackageError

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
NS = {"m": MAIN, "r": REL, "pr": PKG_REL, "ct": CT}
RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
PARSER = etree.XMLParser(remove_blank_text=False, huge_tree=True, resolve_entities=False)


def q(tag: str) -> str:
    """``"row"`` -> ``{main namespace}row``."""
    return f"{{{MAIN}}}{tag}"


V, T, IS, R = q("v"), q("t"), q("is"), q("r")


@dataclass
class Relationship:
    id: str
    type: str
    target: str
    external: bool


@dataclass
class SheetEntry:
    name: str
    part: str
    state: str  # visible | hidden | veryHidden
    element: Any  # the <sheet> element of workbook.xml


class Package:
    """The parts of one .xlsx file by name, in their original order."""

    def __init__(self, parts: dict[str, bytes]):
        self._raw = parts
        self._xml: dict[str, Any] = {}
        self._strings: list[str] | None = None
        self._styles: Styles | None = None
        self._date1904: bool | None = None
        self._epoch_day: int | None = None

    # --- reading and saving -------------------------------------------------------------------
    @classmethod
    def read(cls, source: bytes | Path) -> Package:
        data = source.read_bytes() if isinstance(source, Path) else source
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                parts = {info.filename: archive.read(info) for info in archive.infolist() if not info.is_dir()}
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise PackageError(f"inte en zip-fil ({type(exc).__name__})") from None
        if "[Content_Types].xml" not in parts or "xl/workbook.xml" not in parts:
            raise PackageError("inte en Excel-arbetsbok (.xlsx)")
        package = cls(parts)
        try:
            package.xml("xl/workbook.xml")
            package.xml("[Content_Types].xml")
        except etree.XMLSyntaxError as exc:
            raise PackageError(f"trasig XML ({exc.msg})") from None
        return package

    def copy(self) -> Package:
        """Another package with the same parts (a template read once, copied for each workbook
        made from it): the parts' bytes are shared, parsed parts are copied."""
        made = Package(dict(self._raw))
        made._xml = {name: copy.deepcopy(root) for name, root in self._xml.items()}
        return made

    def save(self) -> bytes:
        for name, root in self._xml.items():
            self._raw[name] = XML_DECLARATION + etree.tostring(root, encoding="UTF-8")
        self._xml.clear()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            names = sorted(self._raw, key=lambda n: (n != "[Content_Types].xml", n != "_rels/.rels"))
            for name in names:
                # the level is given here: a ZipInfo does not take the archive's (it would be 6)
                archive.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), self._raw[name], zipfile.ZIP_DEFLATED,
                                 compresslevel=1)
        return buffer.getvalue()

    def names(self) -> list[str]:
        return list({*self._raw, *self._xml})

    def has(self, name: str) -> bool:
        return name in self._raw or name in self._xml

    def raw(self, name: str) -> bytes:
        if name in self._xml:
            return XML_DECLARATION + etree.tostring(self._xml[name], encoding="UTF-8")
        return self._raw[name]

    def set_raw(self, name: str, data: bytes) -> None:
        self._xml.pop(name, None)
        self._raw[name] = data

    def xml(self, name: str) -> Any:
        """The parsed part (written back on ``save``; edit it in place)."""
        if name not in self._xml:
            self._xml[name] = etree.fromstring(self._raw[name], PARSER)
        return self._xml[name]

    def parsed(self, name: str) -> Any:
        """The part parsed for reading only, not written back on ``save``: a part that is read
        and then replaced whole (``set_raw``) is not serialised again for nothing."""
        return self._xml[name] if name in self._xml else etree.fromstring(self._raw[name], PARSER)

    def first_rows(self, name: str, count: int) -> list[Any]:
        """The first ``count`` ``<row>`` elements of a worksheet part, read without parsing the
        rest of it (nor keeping it for ``save``)."""
        if name in self._xml:
            data = self._xml[name].find(q("sheetData"))
            return [] if data is None else list(itertools.islice(data.iterchildren(q("row")), count))
        rows: list[Any] = []
        if count > 0:
            for _event, row in etree.iterparse(io.BytesIO(self._raw[name]), events=("end",), tag=q("row"),
                                               huge_tree=True, resolve_entities=False):
                rows.append(row)
                if len(rows) == count:
                    break
        return rows

    def remove(self, name: str) -> None:
        self._raw.pop(name, None)
        self._xml.pop(name, None)
        types = self.xml("[Content_Types].xml")
        for override in types.findall(f"{{{CT}}}Override"):
            if override.get("PartName") == "/" + name:
                types.remove(override)

    def add_part(self, name: str, data: bytes, content_type: str) -> None:
        self._raw[name] = data
        types = self.xml("[Content_Types].xml")
        etree.SubElement(types, f"{{{CT}}}Override", PartName="/" + name, ContentType=content_type)

    def free_name(self, pattern: str) -> str:
        """The first ``pattern % n`` (n = 1, 2, …) that is not a part yet."""
        n = 1
        while self.has(pattern % n):
            n += 1
        return pattern % n

    # --- relationships ------------------------------------------------------------------------
    @staticmethod
    def rels_name(part: str) -> str:
        folder, base = posixpath.split(part)
        return posixpath.join(folder, "_rels", base + ".rels")

    def relationships(self, part: str) -> list[Relationship]:
        name = self.rels_name(part)
        if not self.has(name):
            return []
        return [Relationship(r.get("Id"), r.get("Type"), r.get("Target"), r.get("TargetMode") == "External")
                for r in self.xml(name).findall(f"{{{PKG_REL}}}Relationship")]

    def target(self, part: str, rel: Relationship) -> str:
        """The part name a relationship of ``part`` points at."""
        if rel.target.startswith("/"):
            return rel.target[1:]
        return posixpath.normpath(posixpath.join(posixpath.dirname(part), rel.target))

    def related(self, part: str, kind: str) -> list[str]:
        """The parts ``part`` points at with relationship type ending in ``/kind``."""
        return [self.target(part, r) for r in self.relationships(part) if not r.external and r.type == RT + kind]

    def relate(self, part: str, kind: str, target: str) -> str:
        """Add a relationship from ``part`` to the part ``target``; its id."""
        name = self.rels_name(part)
        if not self.has(name):
            self._raw[name] = (XML_DECLARATION + f'<Relationships xmlns="{PKG_REL}"/>'.encode())
        root = self.xml(name)
        taken = {r.get("Id") for r in root}
        n = 1
        while f"rId{n}" in taken:
            n += 1
        rel_target = posixpath.relpath(target, posixpath.dirname(part))
        etree.SubElement(root, f"{{{PKG_REL}}}Relationship", Id=f"rId{n}", Type=RT + kind, Target=rel_target)
        return f"rId{n}"

    def unrelate(self, part: str, rel_id: str) -> None:
        name = self.rels_name(part)
        if self.has(name):
            root = self.xml(name)
            for rel in list(root):
                if rel.get("Id") == rel_id:
                    root.remove(rel)

    # --- the workbook -------------------------------------------------------------------------
    def sheets(self) -> list[SheetEntry]:
        book = self.xml("xl/workbook.xml")
        by_id = {r.id: self.target("xl/workbook.xml", r) for r in self.relationships("xl/workbook.xml")}
        out = []
        for sheet in book.iterfind("m:sheets/m:sheet", NS):
            part = by_id.get(sheet.get(f"{{{REL}}}id"))
            if part is not None:
                out.append(SheetEntry(sheet.get("name"), part, sheet.get("state", "visible"), sheet))
        return out

    def sheet(self, name: str) -> SheetEntry | None:
        return next((s for s in self.sheets() if s.name == name), None)

    @property
    def date1904(self) -> bool:
        if self._date1904 is None:
            pr = self.xml("xl/workbook.xml").find("m:workbookPr", NS)
            self._date1904 = pr is not None and pr.get("date1904") in ("1", "true")
        return self._date1904

    def drop_calc_chain(self) -> None:
        """Excel repairs a file whose calcChain names cells that no longer hold formulas."""
        for rel in self.relationships("xl/workbook.xml"):
            if rel.type == RT + "calcChain":
                self.remove(self.target("xl/workbook.xml", rel))
                self.unrelate("xl/workbook.xml", rel.id)

    def recalculate_on_load(self) -> None:
        book = self.xml("xl/workbook.xml")
        calc = book.find("m:calcPr", NS)
        if calc is None:
            calc = etree.Element(q("calcPr"))
            # calcPr comes after sheets/functionGroups/externalReferences/definedNames
            anchor = None
            for tag in ("definedNames", "externalReferences", "functionGroups", "sheets"):
                anchor = book.find(f"m:{tag}", NS)
                if anchor is not None:
                    break
            anchor.addnext(calc)
        calc.set("fullCalcOnLoad", "1")

    # --- strings and styles -------------------------------------------------------------------
    @property
    def strings(self) -> list[str]:
        if self._strings is None:
            self._strings = []
            for part in self.related("xl/workbook.xml", "sharedStrings"):
                if self.has(part):
                    root = etree.fromstring(self.raw(part), PARSER)
                    self._strings = [_si_text(si) for si in root.iterfind("m:si", NS)]
        return self._strings

    @property
    def styles(self) -> Styles:
        if self._styles is None:
            parts = self.related("xl/workbook.xml", "styles")
            if not parts:
                raise PackageError("arbetsboken saknar formatmallar (styles.xml)")
            self._styles = Styles(self.xml(parts[0]))
        return self._styles

    # --- cell values --------------------------------------------------------------------------
    def cell_value(self, c: Any) -> Any:
        """The Python value of a ``<c>`` element: text, number, bool, date, or ``None``.
        (Formulas are read by the grid, which knows the cell's place.)"""
        v = inline = None
        for child in c:
            tag = child.tag
            if tag == V:
                v = child
            elif tag == IS:
                inline = child
        return self.decode(c, v, inline)

    def decode(self, c: Any, v: Any, inline: Any) -> Any:
        """The value of the cell ``c`` whose ``<v>`` and ``<is>`` children (or ``None``) the
        caller found in its one pass over the cell: a board has thousands of cells to read."""
        kind = c.get("t", "n")
        if kind == "inlineStr":
            return _si_text(inline) if inline is not None else None
        text = v.text if v is not None else None
        if text is None:
            return None
        if kind == "s":
            try:
                return self.strings[int(text)]
            except (ValueError, IndexError):
                return None
        if kind in ("str", "e"):
            return text
        if kind == "b":
            return text.strip() in ("1", "true")
        try:
            number = float(text)
        except ValueError:
            return text
        style = c.get("s")
        if style is not None and self.styles.is_date(int(style)):
            if number >= 61 and number.is_integer():  # a plain date after Excel's leap-year quirk
                try:
                    return dt.date.fromordinal(self._epoch_ordinal + int(number))
                except (ValueError, OverflowError):
                    return number
            try:
                value = from_excel(number, epoch=CALENDAR_MAC_1904 if self.date1904 else CALENDAR_WINDOWS_1900)
            except (ValueError, OverflowError):
                return number
            if isinstance(value, dt.datetime) and value.time() == dt.time(0):
                return value.date()
            return value
        return int(number) if number.is_integer() and "." not in text and "E" not in text.upper() else number

    @property
    def _epoch_ordinal(self) -> int:
        if self._epoch_day is None:
            self._epoch_day = (CALENDAR_MAC_1904 if self.date1904 else CALENDAR_WINDOWS_1900).toordinal()
        return self._epoch_day


def _si_text(si: Any) -> str:
    """The text of a shared or inline string (plain ``<t>`` or rich-text runs; not phonetic runs)."""
    t = si.find(T)
    if t is not None:
        return t.text or ""
    return "".join(r.findtext(T, "") for r in si.iterfind(R))


def _clear(c: Any, style: int | None) -> None:
    """An empty ``<c>`` (its value, type and metadata gone), keeping or setting its format."""
    for child in list(c):
        c.remove(child)
    for attr in ("t", "cm", "vm"):
        c.attrib.pop(attr, None)
    if style is not None:
        c.set("s", str(style))


def set_value(c: Any, value: Any, style: int | None = None, date1904: bool = False) -> None:
    """Put ``value`` into the ``<c>`` element (text always as text, never as a formula)."""
    _clear(c, style)
    if value is None or value == "":
        return
    if isinstance(value, bool):
        c.set("t", "b")
        etree.SubElement(c, q("v")).text = "1" if value else "0"
    elif isinstance(value, (int, float)):
        etree.SubElement(c, q("v")).text = repr(value) if isinstance(value, float) else str(value)
    elif isinstance(value, (dt.date, dt.datetime)):
        serial = to_excel(value, epoch=CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900)
        etree.SubElement(c, q("v")).text = str(int(serial)) if float(serial).is_integer() else repr(float(serial))
    else:
        c.set("t", "inlineStr")
        t = etree.SubElement(etree.SubElement(c, q("is")), q("t"))
        text = str(value)
        t.text = text
        if text != text.strip() or "\n" in text:
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def set_formula(c: Any, formula: str, style: int | None = None) -> None:
    """A formula (``=…``) in the ``<c>``; no cached value, so the program computes it on load."""
    _clear(c, style)
    etree.SubElement(c, q("f")).text = formula[1:] if formula.startswith("=") else formula


class Styles:
    """The cell formats of styles.xml: reading which are dates, adding the few formkit needs."""

    def __init__(self, root: Any):
        self.root = root
        self.formats = {int(n.get("numFmtId")): n.get("formatCode")
                        for n in root.iterfind("m:numFmts/m:numFmt", NS)}
        self.xfs = root.find("m:cellXfs", NS)
        self._dates: dict[int, bool] = {}
        self._made: dict[tuple[Any, ...], int] = {}

    def is_date(self, index: int) -> bool:
        if index not in self._dates:
            xfs = self.xfs.findall("m:xf", NS) if self.xfs is not None else []
            fmt_id = int(xfs[index].get("numFmtId", "0")) if index < len(xfs) else 0
            code = self.formats.get(fmt_id) or BUILTIN_FORMATS.get(fmt_id) or "General"
            self._dates[index] = 14 <= fmt_id <= 22 or 45 <= fmt_id <= 47 or is_date_format(code)
        return self._dates[index]

    def number_format(self, code: str) -> int:
        for fmt_id, existing in self.formats.items():
            if existing == code:
                return fmt_id
        fmt_id = max([163, *self.formats]) + 1
        fmts = self.root.find("m:numFmts", NS)
        if fmts is None:
            fmts = etree.Element(q("numFmts"))
            self.root.insert(0, fmts)
        etree.SubElement(fmts, q("numFmt"), numFmtId=str(fmt_id), formatCode=code)
        fmts.set("count", str(len(fmts)))
        self.formats[fmt_id] = code
        return fmt_id

    def xf(self, number_format: str | None = None, wrap: bool = False, font: int = 0) -> int:
        """A cell format (top-aligned; optional number format and wrapping) on the workbook's
        default font: found among the existing ones or added."""
        key = (number_format, wrap, font)
        if key in self._made:
            return self._made[key]
        fmt_id = self.number_format(number_format) if number_format else 0
        for i, xf in enumerate(self.xfs.iterfind("m:xf", NS)):
            align = xf.find("m:alignment", NS)
            if (int(xf.get("numFmtId", "0")) == fmt_id and int(xf.get("fontId", "0")) == font
                    and xf.get("fillId", "0") == "0" and xf.get("borderId", "0") == "0" and align is not None
                    and align.get("vertical") == "top" and (align.get("wrapText") in ("1", "true")) == wrap
                    and align.get("horizontal") is None and xf.find("m:protection", NS) is None):
                self._made[key] = i
                return i
        attrs = {"numFmtId": str(fmt_id), "fontId": str(font), "fillId": "0", "borderId": "0", "xfId": "0"}
        if fmt_id:
            attrs["applyNumberFormat"] = "1"
        attrs["applyAlignment"] = "1"
        xf = etree.SubElement(self.xfs, q("xf"), **attrs)
        etree.SubElement(xf, q("alignment"), vertical="top", **({"wrapText": "1"} if wrap else {}))
        self.xfs.set("count", str(len(self.xfs)))
        index = len(self.xfs) - 1
        self._made[key] = index
        self._dates.pop(index, None)
        return index

