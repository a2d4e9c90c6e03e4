"""Ids that must stay unique when one template's rendered documents become one print file.

Every letter made from a template holds the same bookmark names and ids, drawing ids
(``wp:docPr``), content-control ids (``w:sdt``), footnote, endnote and comment ids. Put in one
file, LibreOffice then points every cross-reference (REF field) at the first letter's bookmark —
the first client's name in every letter — and Word may refuse the file. The combiner gives each
letter its own:

* ``rename_bookmarks``: a letter's bookmarks get a per-letter name, and its REF/PAGEREF/NOTEREF
  fields and internal hyperlinks point at that name;
* ``Notes``: footnotes and endnotes get new ids per letter, their text carried into the one
  notes part, and the letter's references follow;
* ``drop_comments``: the print file holds no comments (the template author's notes are not part
  of any letter). LibreOffice 7.4 shows a file with a comment after a footnote, and more
  footnotes after it, with the wrong letter's footnote text, so carrying comments per letter
  would cost the footnotes their right text.
* ``Counter``: drawing and content-control ids numbered through the whole file, after the ids
  of the parts every letter shares (static headers and footers).
"""

from __future__ import annotations

import copy
import re
import zlib
from collections.abc import Iterable, Iterator

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
FIELD_TARGET = re.compile(r"(\b(?:REF|PAGEREF|NOTEREF)\s+)(\"?)([^\s\"\\]+)")
BOOKMARK_NAME_MAX = 40  # Word's limit
NOTE_KINDS = {
    # part -> (note element, reference elements in the body)
    "word/footnotes.xml": ("footnote", ("footnoteReference",)),
    "word/endnotes.xml": ("endnote", ("endnoteReference",)),
}
COMMENT_ANCHORS = ("commentRangeStart", "commentRangeEnd", "commentReference")
COMMENT_PARTS = re.compile(r"/(comments|commentsExtended|commentsIds|commentsExtensible)$")  # relationship types


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


DOCPR = f"{{{WP}}}docPr"
PARA_ID = f"{{{W14}}}paraId"
TEXT_ID = f"{{{W14}}}textId"


def max_id(roots: Iterable[etree._Element]) -> int:
    """The largest drawing or content-control id in ``roots`` (parts every letter shares)."""
    values = [0]
    for root in roots:
        for element in root.iter(DOCPR, w("sdtPr")):
            value = element.get("id") if element.tag == DOCPR else _sdt_id(element)
            if value is not None and value.lstrip("-").isdigit():
                values.append(int(value))
    return max(values)


def _sdt_id(sdt_pr: etree._Element) -> str | None:
    element = sdt_pr.find(w("id"))
    return element.get(w("val")) if element is not None else None


class Counter:
    """Drawing and content-control ids through the whole print file."""

    def __init__(self, start: int):
        self.next = start + 1

    def take(self, count: int) -> list[str]:
        """The next ``count`` ids, for a letter prepared elsewhere (``letterbody.prepare``)."""
        taken = [str(number) for number in range(self.next, self.next + count)]
        self.next += count
        return taken

    def renumber(self, elements: Iterable[etree._Element]) -> None:
        for element, attribute in numbered_ids(elements):
            element.set(attribute, str(self.next))
            self.next += 1


def numbered_ids(elements: Iterable[etree._Element]) -> Iterator[tuple[etree._Element, str]]:
    """Where each picture's and content control's id stands in ``elements`` (the element and
    its attribute), in document order: the order a print file numbers them in."""
    for element in elements:
        for found in element.iter(DOCPR, w("sdtPr")):
            if found.tag == DOCPR:
                yield found, "id"
            else:
                sdt_id = found.find(w("id"))
                if sdt_id is not None:
                    yield sdt_id, w("val")


def rename_bookmarks(elements: list[etree._Element], suffix: str, taken: set[str]) -> None:
    """Give the bookmarks in ``elements`` (one letter) names ending in ``suffix``, and point the
    letter's fields and internal hyperlinks at them."""
    names: dict[str, str] = {}
    for element in elements:
        for start in element.iter(w("bookmarkStart")):
            old = start.get(w("name"))
            if old is None:
                continue
            new = names.get(old) or _new_name(old, suffix, taken)
            names[old] = new
            start.set(w("name"), new)
    if not names:
        return
    for element in elements:
        for found in element.iter(w("instrText"), w("fldSimple"), w("hyperlink")):
            if found.tag == w("instrText") and found.text:
                found.text = _repoint(found.text, names)
            elif found.tag == w("fldSimple") and found.get(w("instr")):
                found.set(w("instr"), _repoint(found.get(w("instr")), names))
            elif found.tag == w("hyperlink") and found.get(w("anchor")) in names:
                found.set(w("anchor"), names[found.get(w("anchor"))])


def _new_name(old: str, suffix: str, taken: set[str]) -> str:
    new = old[: BOOKMARK_NAME_MAX - len(suffix)] + suffix
    n = 1
    while new in taken:
        n += 1
        tail = f"{suffix}x{n}"
        new = old[: BOOKMARK_NAME_MAX - len(tail)] + tail
    taken.add(new)
    return new


def _repoint(instruction: str, names: dict[str, str]) -> str:
    return FIELD_TARGET.sub(lambda m: m.group(1) + m.group(2) + names.get(m.group(3), m.group(3)), instruction)


def renumber_bookmark_ids(elements: Iterable[etree._Element], last: int = 0) -> int:
    """Bookmark ids ``last`` + 1, + 2, … in document order; each end follows its start.
    Returns the last id given, for the next letter of a print file to go on from."""
    current: dict[str, str] = {}
    for root in elements:
        for element in root.iter(w("bookmarkStart"), w("bookmarkEnd")):
            old = element.get(w("id"))
            if element.tag == w("bookmarkStart"):
                last += 1
                current[old] = str(last)
                element.set(w("id"), str(last))
            elif old in current:
                element.set(w("id"), current.pop(old))
    return last


def drop_paragraph_ids(elements: Iterable[etree._Element]) -> None:
    """Remove Word's paragraph ids (w14:paraId, optional) from a repeated letter: they must be
    unique in a document, and a copy would repeat them."""
    for element in elements:
        for found in element.iter(w("p"), w("tr")):
            if PARA_ID in found.attrib:
                del found.attrib[PARA_ID]
            if TEXT_ID in found.attrib:
                del found.attrib[TEXT_ID]


def drop_comments(elements: Iterable[etree._Element]) -> None:
    """Remove comment anchors (ranges, and the runs holding references) from a letter."""
    tags = tuple(w(a) for a in COMMENT_ANCHORS)
    for element in elements:
        for anchor in list(element.iter(*tags)):
            parent = anchor.getparent()
            if anchor.tag == w("commentReference") and parent.tag == w("r"):
                anchor, parent = parent, parent.getparent()
            parent.remove(anchor)


class Notes:
    """One notes part (footnotes or endnotes) of the print file, built letter by letter: each
    letter's notes are carried in with new ids and its references follow. The notes are kept
    serialized and deflated (``Spool``) until the part is written, so a long batch's notes
    cost little memory."""

    def __init__(self, part: str, template_xml: bytes):
        self.part = part
        self.element, self.references = NOTE_KINDS[part]
        self.root = etree.fromstring(template_xml)
        self.static = [n for n in self.root.findall(w(self.element)) if n.get(w("type")) is None]
        for note in self.static:
            self.root.remove(note)
        kept = [int(n.get(w("id"))) for n in self.root.findall(w(self.element)) if (n.get(w("id")) or "").lstrip("-").isdigit()]
        self.next = max(kept, default=-1) + 1  # footnotes keep their separators (-1/0 or 0/1)
        self.added = Spool()

    def add(self, letter: list[etree._Element], rendered_xml: bytes | None, first: bool, counter: Counter | None) -> None:
        """Carry one letter's notes in (``rendered_xml`` when the part was rendered for it,
        else the template's), renumbered, and point the letter's references at them."""
        tags = tuple(w(r) for r in self.references)
        if not any(True for child in letter for _ in child.iter(*tags)):
            return
        notes = (
            [n for n in etree.fromstring(rendered_xml).findall(w(self.element)) if n.get(w("type")) is None]
            if rendered_xml is not None else [copy.deepcopy(n) for n in self.static]
        )
        mapping: dict[str, str] = {}
        for note in notes:
            mapping[note.get(w("id"))] = str(self.next)
            note.set(w("id"), str(self.next))
            self.next += 1
            if not first:
                drop_paragraph_ids([note])
        if counter is not None:
            counter.renumber(notes)
        for note in notes:
            self.added.add(etree.tostring(note, encoding="UTF-8"))
        for child in letter:
            for reference in child.iter(*tags):
                old = reference.get(w("id"))
                if old in mapping:
                    reference.set(w("id"), mapping[old])

    def chunks(self) -> Iterator[bytes]:
        """The part, piece by piece: the template's separators, then every letter's notes."""
        head, tail = split_around_end(self.root)
        yield head
        yield from self.added.read()
        yield tail


class Spool:
    """Pieces of XML added one by one and read back once, in order, kept deflated meanwhile:
    a print file's list instances or notes grow with the batch, but repeat so much that 20,000
    letters' worth takes a few hundred kilobytes."""

    def __init__(self) -> None:
        self._deflate = zlib.compressobj(6)
        self._chunks: list[bytes] = []

    def add(self, data: bytes) -> None:
        chunk = self._deflate.compress(data)
        if chunk:
            self._chunks.append(chunk)

    def read(self) -> Iterator[bytes]:
        self._chunks.append(self._deflate.flush())
        inflate = zlib.decompressobj()
        for chunk in self._chunks:
            data = inflate.decompress(chunk)
            if data:
                yield data


SENTINEL = "fk-sentinel"


def split_around_end(root: etree._Element, before: etree._Element | None = None) -> tuple[bytes, bytes]:
    """The serialized part ``root`` cut where new children go: before ``before`` (a child of
    ``root``), else at the end. The XML declaration is included in the first half."""
    marker = etree.Element(w(SENTINEL))
    if before is not None:
        before.addprevious(marker)
    else:
        root.append(marker)
    try:
        data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    finally:
        root.remove(marker)
    head, _, tail = data.partition(f"{root.prefix + ':' if root.prefix else ''}{SENTINEL}/>".encode())
    return head[: head.rindex(b"<")], tail
