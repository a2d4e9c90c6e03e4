"""One letter's body made ready for a print file.

A print file (``formkit.docx.combine.PrintFile``) joins the letters rendered from one template,
each in its own section. Most of what it does to a letter depends on that letter alone: page
numbers restart in its first section, its footnotes count from 1, its numbered lists get new
list instances, and its last section closes in its last paragraph (or, for the batch's last
letter, in the body). Those steps are here, in ``shape`` and ``close_sections``, so that they
can run where the letter is rendered: ``prepare`` does them in a worker process and serializes
the body, leaving the print file only what depends on the letters before this one — the numbers
of the new list instances, and which copy of a header or footer the letter points at. Those are
left as placeholders (a private-use character no rendered letter holds) that the print file
fills in with one pass over the bytes.

A letter with bookmarks, drawings, content controls, comments or notes (whose ids run through
the whole print file) is not prepared: the print file does all of it itself, in order.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from formkit.docx.render import CompiledTemplate, Rendered
from formkit.docx.renumber import NOTE_KINDS

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PLACEHOLDER = "\ue000"
PLACEHOLDER_BYTES = PLACEHOLDER.encode()
# a placeholder in an attribute value: "\ue000" + "n" + the letter's k-th new list, or + "r" + a header's relationship id
FILLED_IN = re.compile(re.escape(PLACEHOLDER_BYTES) + rb'([nr])([^"]*)"')
BODY_OPEN = re.compile(rb"<(\w+:)?body\b[^>]*>")
# what makes a letter's ids depend on the letters before it (the print file renumbers these itself)
RUNNING_IDS = (b"bookmark", b"docPr", b"sdtPr")


@functools.cache
def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


HEADER_REFERENCES = (w("headerReference"), w("footerReference"))


class Setup:
    """What a print file needs to know of its template, read once (and shared with the worker
    processes that prepare letters)."""

    def __init__(self, template: CompiledTemplate):
        package = template.package
        self.template = template
        part = package.by_name.get("word/numbering.xml")
        self.numbering: etree._Element | None = etree.fromstring(part.data) if part else None
        self.style_numbering = _style_numbering(package)
        # the template's list instances (numId -> abstractNumId): the new instances made per
        # letter always point back to these
        self.abstract_of = (
            {n.get(w("numId")): n.find(w("abstractNumId")).get(w("val")) for n in self.numbering.iter(w("num"))}
            if self.numbering is not None else {}
        )
        self.list_style = re.compile(
            rb'pStyle \w*:?val="(?:' + b"|".join(re.escape(s.encode()) for s in self.style_numbering) + rb')"'
        ) if self.style_numbering else None
        rels = etree.fromstring(package.by_name["word/_rels/document.xml.rels"].data)
        self.templated_rels = _templated_header_rels(rels, template.compiled)
        self.footnotes = "word/footnotes.xml" in package.by_name
        self.note_references = [NOTE_KINDS[name][1][0].encode() for name in NOTE_KINDS if name in package.by_name]

    def has_lists(self, data: bytes) -> bool:
        return self.numbering is not None and (b"numPr" in data or (self.list_style is not None and self.list_style.search(data) is not None))

    def list_instance(self, num_id: int, abstract: str) -> bytes:
        """A new list instance restarted at 1, in the numbering part's own prefix."""
        prefix = self.numbering.prefix if self.numbering is not None else None
        p = f"{prefix}:" if prefix else ""
        overrides = "".join(f'<{p}lvlOverride {p}ilvl="{level}"><{p}startOverride {p}val="1"/></{p}lvlOverride>' for level in range(9))
        return f'<{p}num {p}numId="{num_id}"><{p}abstractNumId {p}val="{abstract}"/>{overrides}</{p}num>'.encode()


@dataclass
class Letter:
    """A letter's parsed document: its body's children (without the body's own section
    properties), its last section and every section."""

    root: etree._Element
    children: list[etree._Element]
    final_sect: etree._Element
    sections: list[etree._Element]


def shape(setup: Setup, data: bytes, new_list: Callable[[str], str]) -> Letter:
    """Parse a letter's ``word/document.xml`` and do what depends on the letter alone; each of
    its lists gets the list instance ``new_list(template's numId)`` returns."""
    root = etree.fromstring(data)
    body = root.find(w("body"))
    children = list(body)
    final_sect = children.pop() if children and children[-1].tag == w("sectPr") else etree.Element(w("sectPr"))
    sections = [p for p in body.iter(w("sectPr")) if p is not final_sect] + [final_sect]
    _restart_page_numbers(sections[0])
    if setup.footnotes:
        for sect in sections:
            _footnotes_from_1(sect)
    if setup.has_lists(data):
        _restart_lists(children, setup, new_list)
    return Letter(root, children, final_sect, sections)


def close_sections(letter: Letter, last: bool) -> bytes:
    """The letter's whole document XML, its last section closed in its last paragraph, or, for
    the print file's last letter, by the body's own section properties."""
    body = letter.root.find(w("body"))
    if last:
        if letter.final_sect.getparent() is None:
            body.append(letter.final_sect)
    else:
        content = [child for child in body if child is not letter.final_sect]
        _end_section_in_last_paragraph(content, letter.final_sect)
        if content[-1].getparent() is None:  # a paragraph made to carry the section break
            body.append(content[-1])
    return xml(letter.root)


def cut(data: bytes) -> tuple[bytes, bytes, bytes]:
    """A document's XML as (up to the body's start tag, the body's content, from its end tag)."""
    opening = BODY_OPEN.search(data)
    closing = data.rindex(b"</" + (opening.group(1) or b"") + b"body>")
    return data[: opening.end()], data[opening.end(): closing], data[closing:]


@dataclass
class Prepared:
    """A rendered letter made ready for a print file (``prepare``). ``body`` is None when the
    print file must do all of it itself."""

    parts: dict[str, bytes]  # the rendered parts (without the document, unless it is the first or not prepared)
    body: bytes | None  # the body's content in print-file form, with placeholders
    lists: tuple[str, ...]  # the template's numId behind the letter's k-th new list instance
    last: bool  # prepared as the print file's last letter


def prepare(setup: Setup, rendered: Rendered, last: bool, first: bool = True) -> Prepared:
    """Do in advance (in a worker process) what a print file does to one letter, as far as it
    depends on the letter alone; ``last``: whether it will be the print file's last letter.
    Unless it is the ``first`` (the print file is set up from it), a prepared letter's parts
    leave out its document, so that less travels between processes."""
    data = rendered.parts["word/document.xml"]
    headers = [rendered.parts[f"word/{target}"] for target in setup.templated_rels.values()]
    if (PLACEHOLDER_BYTES in data or b"comment" in data or any(ref in data for ref in setup.note_references)
            or any(_running_ids(part) for part in (data, *headers))):
        return Prepared(rendered.parts, None, (), last)
    lists: list[str] = []
    numbered: dict[str, str] = {}

    def new_list(old: str) -> str:
        if old not in numbered:
            numbered[old] = f"{PLACEHOLDER}n{len(lists)}"
            lists.append(old)
        return numbered[old]

    try:
        letter = shape(setup, data, new_list)
    except etree.XMLSyntaxError:  # the print file parses it again and says where
        return Prepared(rendered.parts, None, (), last)
    for sect in letter.sections:
        for ref in sect:
            rid = ref.get(f"{{{R}}}id")
            if ref.tag in HEADER_REFERENCES and rid in setup.templated_rels:
                ref.set(f"{{{R}}}id", f"{PLACEHOLDER}r{rid}")
    _, body, _ = cut(close_sections(letter, last))
    parts = rendered.parts if first else {name: part for name, part in rendered.parts.items() if name != "word/document.xml"}
    return Prepared(parts, body, tuple(lists), last)


def _running_ids(part: bytes) -> bool:
    # three substring searches: several times faster than one regex with three branches
    return RUNNING_IDS[0] in part or RUNNING_IDS[1] in part or RUNNING_IDS[2] in part


def fill_in(body: bytes, numbers: list[str], rels: dict[str, str]) -> bytes:
    """A prepared body with its placeholders replaced: the k-th new list's numId, and each
    header's or footer's relationship id."""
    def value(match: re.Match[bytes]) -> bytes:
        key = match.group(2).decode()
        return (rels[key] if match.group(1) == b"r" else numbers[int(key)]).encode() + b'"'

    return FILLED_IN.sub(value, body)


def xml(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _style_numbering(package) -> dict[str, tuple[str, str]]:
    """styleId -> (numId, ilvl) for paragraph styles that carry a list (e.g. "Numrerad lista")."""
    part = package.by_name.get("word/styles.xml")
    if not part:
        return {}
    out = {}
    for style in etree.fromstring(part.data).iter(w("style")):
        num_pr = style.find(f"{w('pPr')}/{w('numPr')}")
        if num_pr is not None and num_pr.find(w("numId")) is not None:
            ilvl = num_pr.find(w("ilvl"))
            out[style.get(w("styleId"))] = (num_pr.find(w("numId")).get(w("val")), ilvl.get(w("val")) if ilvl is not None else "0")
    return out


def _templated_header_rels(rels: etree._Element, compiled: dict) -> dict[str, str]:
    """rId -> target for the header/footer parts that hold template fields (the renderer
    compiles only those)."""
    out = {}
    for rel in rels:
        target = rel.get("Target", "")
        if f"word/{target}" in compiled and re.match(r"(header|footer)\d*\.xml$", target):
            out[rel.get("Id")] = target
    return out


def _restart_page_numbers(sect: etree._Element) -> None:
    pg = sect.find(w("pgNumType"))
    if pg is None:
        pg = etree.Element(w("pgNumType"))
        # schema order: pgNumType comes after pgMar/pgSz and before cols
        anchor = next((sect.find(w(t)) for t in ("cols", "formProt", "vAlign", "noEndnote", "titlePg", "textDirection", "bidi", "rtlGutter", "docGrid") if sect.find(w(t)) is not None), None)
        if anchor is not None:
            anchor.addprevious(pg)
        else:
            sect.append(pg)
    pg.set(w("start"), "1")


def _footnotes_from_1(sect: etree._Element) -> None:
    """A letter's footnotes numbered from 1: set on its sections, restarting on each page
    (LibreOffice 7.4 follows this; with "each section" it numbers a later letter's from 0)."""
    props = sect.find(w("footnotePr"))
    if props is None:
        props = etree.Element(w("footnotePr"))
        references = [c for c in sect if c.tag in HEADER_REFERENCES]
        if references:
            references[-1].addnext(props)
        else:
            sect.insert(0, props)
    set_note_property(props, "numStart", "1")
    set_note_property(props, "numRestart", "eachPage")


NOTE_PROPERTY_ORDER = ("pos", "numFmt", "numStart", "numRestart")


def set_note_property(props: etree._Element, tag: str, value: str) -> None:
    """Set ``w:tag w:val=value`` in footnote/endnote properties, in schema order (pos, numFmt,
    numStart, numRestart, then the separator references)."""
    child = props.find(w(tag))
    if child is None:
        child = etree.Element(w(tag))
        earlier = [props.find(w(t)) for t in NOTE_PROPERTY_ORDER[: NOTE_PROPERTY_ORDER.index(tag)]]
        earlier = [e for e in earlier if e is not None]
        if earlier:
            earlier[-1].addnext(child)
        else:
            props.insert(0, child)
    child.set(w("val"), value)


def _restart_lists(children: list[etree._Element], setup: Setup, new_list: Callable[[str], str]) -> None:
    """Give this letter's lists their own numbering instances, each restarted at 1:
    ``new_list(old numId)`` gives the instance for a list of the template's instance ``old``."""
    def instance(old: str) -> str:
        return old if old not in setup.abstract_of or old == "0" else new_list(old)

    for child in children:
        # only the paragraphs with a list: a numPr of their own, or a list style
        for found in child.iter(w("numId"), w("pStyle")):
            ppr = found.getparent()
            if found.tag == w("numId"):
                if ppr.tag == w("numPr") and ppr.getparent().tag == w("pPr"):
                    found.set(w("val"), instance(found.get(w("val"))))
                continue
            if ppr.tag != w("pPr") or found.get(w("val")) not in setup.style_numbering or ppr.find(f"{w('numPr')}/{w('numId')}") is not None:
                continue
            old, ilvl = setup.style_numbering[found.get(w("val"))]
            num_pr = etree.Element(w("numPr"))
            etree.SubElement(num_pr, w("ilvl")).set(w("val"), ilvl)
            etree.SubElement(num_pr, w("numId")).set(w("val"), instance(old))
            found.addnext(num_pr)


def _end_section_in_last_paragraph(children: list, sect: etree._Element) -> None:
    """Close the document's last section in its last paragraph (a table needs a paragraph after)."""
    last = children[-1] if children else None
    if last is None or last.tag != w("p") or last.find(f"{w('pPr')}/{w('sectPr')}") is not None:
        last = etree.Element(w("p"))
        children.append(last)
    ppr = last.find(w("pPr"))
    if ppr is None:
        ppr = etree.Element(w("pPr"))
        last.insert(0, ppr)
    # sectPr must come last in pPr except for pPrChange
    change = ppr.find(w("pPrChange"))
    if change is not None:
        change.addprevious(sect)
    else:
        ppr.append(sect)
