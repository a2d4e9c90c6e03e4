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

Most letters are prepared without building a tree of the whole body (``_prepare_bytes``): the
few places the steps change are found by pattern — the list tags, the section properties (each
parsed on its own, by the same functions as above, once per distinct set) and the last
paragraph. The patterns are exact because only what they can read takes that way: the template
is read once (``readable_by_pattern``), and one with comments, CDATA, namespace declarations in
its body, tracked changes of paragraph or section properties, text boxes, a field inside a tag,
or a value printed unescaped goes the parsed way, as does a letter with a list tag written any
other way.

Each letter's XML is still checked to be well-formed, but a letter whose skeleton
(``render.skeleton``: the template's text it holds, in order, and where its escaped values
stand) is that of a letter already found well-formed needs no parse: the values cannot change
it. The letters of a batch have a few skeletons, one per way through the template's
``{% if %}``s and loops. A letter that does need the parse gets one that keeps no tree (half a
tree parse); the prefixes it would check were checked in the template.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from lxml import etree

from formkit.docx.markup import ATTRIBUTES, markup_in_source, readable_by_pattern, template_tags_outside_markup
from formkit.docx.render import CompiledTemplate, Rendered, Skeleton
from formkit.docx.renumber import NOTE_KINDS, numbered_ids

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PLACEHOLDER = "\ue000"
PLACEHOLDER_BYTES = PLACEHOLDER.encode()
# a placeholder in an attribute value: "\ue000" + "n" + the letter's k-th new list, + "r" + a header's
# relationship id, or + "d" + the letter's k-th picture or content control id
FILLED_IN = re.compile(re.escape(PLACEHOLDER_BYTES) + rb'([nrd])([^"]*)"')
BODY_OPEN = re.compile(rb"<(\w+:)?body\b[^>]*>")
# what makes a letter's ids depend on the letters before it: a bookmark keeps the letter from
# being prepared (it also has a name, renamed per letter with the fields that point at it); a
# picture's or content control's id in the body is left as a placeholder the print file fills
# in, and in a header or footer it is made unique once for each copy of the header, which the
# letters with its text share (``PrintFile``)
BOOKMARK = b"bookmark"
NUMBERED_IDS = (b"docPr", b"sdtPr")
RUNNING_IDS = (BOOKMARK, *NUMBERED_IDS)

# --- the byte-level way (``_prepare_bytes``) ---
# a section's properties: never nested (a tracked change of one keeps the template on the parsed
# way), and "<" cannot stand in an attribute value, so the first end tag after the start is its own
SECTION = re.compile(rb"<w:sectPr" + ATTRIBUTES + rb"(?:/>|>.*?</w:sectPr>)", re.DOTALL)
PARAGRAPH_START = re.compile(rb"<w:p" + ATTRIBUTES + rb"(/?)>")
PROPERTIES_START = re.compile(rb"<w:pPr" + ATTRIBUTES + rb"(/?)>")
# the list tags as Word and LibreOffice write them; a letter with one written otherwise goes the parsed way
LIST_TAGS = (b"<w:numId", b"<w:pStyle")
LIST_TAG = re.compile(rb'<w:(numId|pStyle) w:val="([^"]*)"/>')
EMPTY_SECTION = b"<w:sectPr/>"
WELL_FORMED_KEPT = 256  # skeletons kept per template: one per way through its {% if %}s and loops, in practice
class _Nothing:
    """A parser target that keeps nothing: the letter's XML is only checked to be well-formed."""

    def close(self) -> None:
        return None


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
        self.plain_heads: dict[bytes, bool] = {}  # a letter's XML up to its body -> the byte-level way can read it
        self.shaped_sections: dict[tuple[bytes, ...], list[bytes] | None] = {}
        self.well_formed: set[Skeleton] = set()  # skeletons of letters found well-formed (``render.skeleton``)
        # only well-formedness is checked by parsing (about half of building the tree): the
        # namespace prefixes were checked once, in the template (``readable_by_pattern``)
        self.checker = etree.XMLParser(target=_Nothing())
        self.by_pattern = readable_by_pattern(template)
        # a letter with the skeleton of one found well-formed is well-formed too (``render.skeleton``)
        # where the template's tags stand outside the XML's
        self.by_skeleton = self.by_pattern and template_tags_outside_markup(template, "word/document.xml")
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
        # no letter of the template can have what keeps a letter from being prepared (ids that
        # run through the print file, comments, notes in its body; bookmarks in a header): its
        # markup is all in its source (``readable_by_pattern``), and none there
        body_markers = [marker.decode() for marker in (*RUNNING_IDS, b"comment", *self.note_references)]
        self.plain_ids = self.by_pattern and not any(marker in template.sources["word/document.xml"].text for marker in body_markers) and not any(
            not markup_in_source(template, f"word/{target}", prefixes=False) or BOOKMARK.decode() in template.sources[f"word/{target}"].text
            for target in self.templated_rels.values())

    def has_lists(self, data: bytes) -> bool:
        return self.numbering is not None and (b"numPr" in data or (self.list_style is not None and self.list_style.search(data) is not None))

    def plain_head(self, head: bytes) -> bool:
        """Whether a body under ``head`` (the document's start tag and the body's) writes the
        main and relationship namespaces as w: and r:, and only so: then every w:sectPr,
        w:numId, … the patterns find is what they look for."""
        known = self.plain_heads.get(head)
        if known is None:
            main, relationships = f'"{W}"'.encode(), f'"{R}"'.encode()
            known = (head.endswith(b"<w:body>") and head.count(main) == 1 and b' xmlns:w=' + main in head
                     and head.count(relationships) <= 1 and (relationships not in head or b' xmlns:r=' + relationships in head))
            if len(self.plain_heads) < 8:  # one head for the letters of one template, in practice
                self.plain_heads[head] = known
        return known

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
    ids: int = 0  # pictures and content controls in the body, whose ids the print file fills in


def prepare(setup: Setup, rendered: Rendered, last: bool, first: bool = True) -> Prepared:
    """Do in advance (in a worker process) what a print file does to one letter, as far as it
    depends on the letter alone; ``last``: whether it will be the print file's last letter.
    Unless it is the ``first`` (the print file is set up from it), a prepared letter's parts
    leave out its document, so that less travels between processes."""
    data = rendered.parts["word/document.xml"]
    skeleton = rendered.skeletons.get("word/document.xml")
    # the template has none of what keeps a letter from being prepared, and no value of this
    # letter printed markup (which a template expression can make even of escaped text,
    # ``{{ m()|reverse }}``): otherwise the letter itself is looked at
    plain = setup.plain_ids and skeleton is not None
    headers = () if plain else [rendered.parts[f"word/{target}"] for target in setup.templated_rels.values()]
    if PLACEHOLDER_BYTES in data or not plain and (
            b"comment" in data or any(ref in data for ref in setup.note_references) or BOOKMARK in data
            or any(BOOKMARK in header for header in headers)):
        return Prepared(rendered.parts, None, (), last)
    parts = rendered.parts if first else {name: part for name, part in rendered.parts.items() if name != "word/document.xml"}
    numbered_ids = not plain and any(marker in data for marker in NUMBERED_IDS)
    if not numbered_ids:
        done = _prepare_bytes(setup, data, last, skeleton)
        if done is not None:
            return Prepared(parts, *done, last)
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
    ids = _number_ids(letter.children) if numbered_ids else 0
    _, body, _ = cut(close_sections(letter, last))
    return Prepared(parts, body, tuple(lists), last, ids)


def _number_ids(children: list[etree._Element]) -> int:
    """Each picture's and content control's id in the letter's body made a placeholder for
    the print file's next id, in the order ``renumber.Counter`` gives them; returns how many."""
    count = 0
    for element, attribute in numbered_ids(children):
        element.set(attribute, f"{PLACEHOLDER}d{count}")
        count += 1
    return count


def _prepare_bytes(setup: Setup, data: bytes, last: bool, skeleton: Skeleton | None = None) -> tuple[bytes, tuple[str, ...]] | None:
    """``prepare``'s body and lists, made on the bytes (see the module text), or None where the
    letter must go the parsed way: a template or a body the patterns cannot read, or XML that
    is not well-formed (the parsed way then says so, and the print file names the paragraph).
    A letter with the ``skeleton`` of one already found well-formed is not parsed again."""
    if not setup.by_pattern:
        return None
    head, body, _ = cut(data)
    if not setup.plain_head(head):
        return None
    if not (setup.by_skeleton and skeleton is not None and skeleton in setup.well_formed):
        try:
            etree.fromstring(data, setup.checker)
        except etree.XMLSyntaxError:
            return None
        if setup.by_skeleton and skeleton is not None and len(setup.well_formed) < WELL_FORMED_KEPT:
            setup.well_formed.add(skeleton)
    lists: list[str] = []
    if setup.numbering is not None:
        body = _restart_lists_bytes(body, setup, lists)
        if body is None:
            return None
    sections = list(SECTION.finditer(body))
    if body.count(b"<w:sectPr") != len(sections):
        return None
    final = sections[-1] if sections and not body[sections[-1].end():].strip() else None
    shaped = _shape_sections(setup, head, tuple(m.group() for m in sections) + (() if final else (EMPTY_SECTION,)))
    if shaped is None:
        return None
    # the body with each section's properties replaced by its shaped copy; the last one apart
    pieces, start = [], 0
    for match, new in zip(sections, shaped):
        if match is final:
            break
        pieces += [body[start: match.start()], new]
        start = match.end()
    rest = b"".join(pieces) + body[start: final.start() if final else len(body)]
    trailing = body[final.end():] if final else b""
    if last:
        return rest + shaped[-1] + trailing, tuple(lists)
    closed = _end_section_in_last_paragraph_bytes(rest, shaped[-1])
    return (closed + trailing, tuple(lists)) if closed is not None else None


def _restart_lists_bytes(body: bytes, setup: Setup, lists: list[str]) -> bytes | None:
    """``_restart_lists`` on the bytes: each list instance of the template that the letter uses
    becomes a placeholder for its new instance (numbered in order of first use, as there), and
    a paragraph whose list comes from its style gets the list in its own properties."""
    tags = sorted(at for tag in (LIST_TAGS if setup.style_numbering else LIST_TAGS[:1]) for at in _find_all(body, tag))
    if not tags:
        return body
    numbered: dict[str, bytes] = {}

    def instance(old: str) -> bytes:
        if old not in setup.abstract_of or old == "0":
            return old.encode()
        if old not in numbered:
            numbered[old] = f"{PLACEHOLDER}n{len(lists)}".encode()
            lists.append(old)
        return numbered[old]

    def renumber(match: re.Match[bytes]) -> bytes | None:
        value = match.group(2).decode()
        if match.group(1) == b"numId":
            if body.rfind(b"<w:numPr>", 0, match.start()) <= body.rfind(b"</w:numPr>", 0, match.start()):
                return None  # not in a paragraph's list properties: the parsed way leaves it as it is
            return b'<w:numId w:val="' + instance(value) + b'"/>'
        if value not in setup.style_numbering:
            return match.group()
        properties_end = body.find(b"</w:pPr>", match.end())
        if properties_end < 0 or b"<w:numId" in body[match.end(): properties_end]:
            return match.group()  # the paragraph's own list wins over its style's
        if b"<w:numPr" in body[match.end(): properties_end]:
            return None  # a level of its own for the style's list: the parsed way puts the list into it
        old, level = setup.style_numbering[value]
        return (match.group() + b'<w:numPr><w:ilvl w:val="' + level.encode() + b'"/><w:numId w:val="'
                + instance(old) + b'"/></w:numPr>')

    pieces, start = [], 0
    for at in tags:
        match = LIST_TAG.match(body, at)
        if match is None:
            return None  # a list tag written some other way
        renumbered = renumber(match)
        if renumbered is None:
            return None
        pieces += [body[start:at], renumbered]
        start = match.end()
    pieces.append(body[start:])
    return b"".join(pieces)


def _find_all(data: bytes, needle: bytes) -> list[int]:
    found, at = [], data.find(needle)
    while at >= 0:
        found.append(at)
        at = data.find(needle, at + len(needle))
    return found


def _shape_sections(setup: Setup, head: bytes, sections: tuple[bytes, ...]) -> list[bytes] | None:
    """Each of a letter's section properties as ``shape`` and ``prepare`` leave it (page numbers
    restarted in the first, footnotes from 1, placeholders for the templated headers'
    relationship ids), parsed on their own under the letter's own namespace declarations.
    The letters of a batch mostly have the same ones: each set is shaped once."""
    key = (head, *sections)
    if key not in setup.shaped_sections:
        if len(setup.shaped_sections) >= 64:
            setup.shaped_sections.clear()
        setup.shaped_sections[key] = _shaped(setup, head, sections)
    return setup.shaped_sections[key]


def _shaped(setup: Setup, head: bytes, sections: tuple[bytes, ...]) -> list[bytes] | None:
    try:
        root = etree.fromstring(head + b"".join(sections) + b"</w:body></w:document>")
    except etree.XMLSyntaxError:
        return None
    parsed = list(root.find(w("body")))
    _restart_page_numbers(parsed[0])
    for sect in parsed:
        if setup.footnotes:
            _footnotes_from_1(sect)
        for ref in sect:
            rid = ref.get(f"{{{R}}}id")
            if ref.tag in HEADER_REFERENCES and rid in setup.templated_rels:
                ref.set(f"{{{R}}}id", f"{PLACEHOLDER}r{rid}")
    _, shaped, _ = cut(xml(root))
    found = [m.group() for m in SECTION.finditer(shaped)]
    return found if len(found) == len(sections) else None


def _end_section_in_last_paragraph_bytes(rest: bytes, sect: bytes) -> bytes | None:
    """``_end_section_in_last_paragraph`` on the bytes of a body without its own section
    properties: ``sect`` goes last into the last paragraph's properties, or into a paragraph
    of its own after a table or a paragraph that already ends a section."""
    content = rest.rstrip()
    own = b"<w:p><w:pPr>" + sect + b"</w:pPr></w:p>"
    paragraph = _last_paragraph_start(content)
    start = PARAGRAPH_START.match(content, paragraph) if paragraph >= 0 else None
    if start is None:
        return content + own + rest[len(content):]
    if start.group(1):  # an empty paragraph, <w:p/>
        if start.end() != len(content):
            return content + own + rest[len(content):]
        closed = content[: start.end() - 2] + b"><w:pPr>" + sect + b"</w:pPr></w:p>"
    elif not content.endswith(b"</w:p>"):
        return content + own + rest[len(content):]
    else:
        inside = start.end()
        properties = PROPERTIES_START.match(content, inside)
        if properties is None:
            if b"<w:pPr" in content[inside:]:
                return None  # properties not first: the parsed way decides
            closed = content[:inside] + b"<w:pPr>" + sect + b"</w:pPr>" + content[inside:]
        elif properties.group(1):  # <w:pPr/>
            closed = content[: properties.end() - 2] + b">" + sect + b"</w:pPr>" + content[properties.end():]
        else:
            end = content.find(b"</w:pPr>", properties.end())
            if end < 0:
                return None
            if b"<w:sectPr" in content[properties.end(): end]:
                return content + own + rest[len(content):]
            closed = content[:end] + sect + content[end:]
    return closed + rest[len(content):]


def _last_paragraph_start(content: bytes) -> int:
    """Where the last w:p starts (-1: none), searched from the end: the last one is near it."""
    at = len(content)
    while True:
        at = content.rfind(b"<w:p", 0, at)
        if at < 0 or content[at + 4: at + 5] in (b">", b" ", b"/"):
            return at


def fill_in(body: bytes, numbers: list[str], rels: dict[str, str], ids: Sequence[str] = ()) -> bytes:
    """A prepared body with its placeholders replaced: the k-th new list's numId, each
    header's or footer's relationship id, and the k-th picture's or content control's id."""
    def value(match: re.Match[bytes]) -> bytes:
        kind, key = match.group(1), match.group(2).decode()
        return (rels[key] if kind == b"r" else numbers[int(key)] if kind == b"n" else ids[int(key)]).encode() + b'"'

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
            own = ppr.find(w("numPr"))
            if own is not None:  # a level of its own (ISO 29500 17.3.1.19: level and list are inherited apart): the list goes into it
                numbered, level = etree.Element(w("numId")), own.find(w("ilvl"))
                numbered.set(w("val"), instance(old))
                if level is not None:
                    level.addnext(numbered)
                else:
                    own.insert(0, numbered)
                continue
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
