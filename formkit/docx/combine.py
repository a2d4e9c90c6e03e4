"""One print file made of many rendered documents from one template.

Merging .docx files one by one (docxcompose) costs about 0.1 s a letter and reuses list
numbering ids. Documents rendered from one template share styles, numbering definitions and
relationships, so the combined file is the template's package with one body made of all the
rendered bodies, each ending in its own section break, where:

* page numbering restarts at 1 in each document's first section;
* every numbered list gets a new numbering instance per document, restarted at 1;
* headers and footers that hold template fields get one copy per document;
* each letter has its own bookmarks, footnotes, endnotes, drawing and content-control ids, and
  its cross-references point at its own bookmarks (``formkit.docx.renumber``); the template's
  comments are left out;
* footnotes are numbered from 1 in each letter; endnotes end their own letter in Word
  (LibreOffice collects them after the last letter);
* a document property that holds a field is left empty (the file holds many letters);
* no empty paragraph is added, so there is no blank trailing page.
"""

from __future__ import annotations

import copy
import io
import itertools
import re
import zipfile
import zlib
from typing import IO

from lxml import etree

from formkit.docx.render import CompiledTemplate, Rendered
from formkit.docx.renumber import (
    COMMENT_PARTS, NOTE_KINDS, Counter, Notes, Spool, drop_comments, max_id, rename_bookmarks,
    renumber_bookmark_ids, split_around_end,
)

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
HEADER_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.{}+xml"
PROPERTY_WITH_FIELD = re.compile(r">[^<]*\{[{%][^<]*<")


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def combine(documents: list[Rendered]) -> bytes:
    """The combined .docx of ``documents`` (all rendered from the same template)."""
    if not documents:
        raise ValueError("nothing to combine")
    buffer = io.BytesIO()
    with PrintFile(documents[0].template, buffer) as print_file:
        for document in documents:
            print_file.add(document)
    return buffer.getvalue()


class PrintFile:
    """A print file written letter by letter into ``handle`` (a seekable binary file).

    Each letter's body is given its own ids, serialized and deflated straight into the zip's
    ``word/document.xml`` as it is added; only the letter before it is held (its section break
    depends on whether another letter follows). What grows with the batch is kept small: new
    list instances and notes deflated in a ``Spool``, a header or footer copy only when its
    text differs from every earlier letter's (letters of one unit share theirs). So memory does
    not depend on the number of letters."""

    def __init__(self, template: CompiledTemplate, handle: IO[bytes]):
        self.template = template
        package = self.package = template.package
        self.rels = etree.fromstring(package.by_name["word/_rels/document.xml.rels"].data)
        self.types = etree.fromstring(package.by_name["[Content_Types].xml"].data)
        self.numbering = _numbering(package)
        self.style_numbering = _style_numbering(package)
        # the template's list instances (numId -> abstractNumId), read once: the new instances
        # made per document always point back to these
        self.abstract_of = _abstract_of(self.numbering) if self.numbering is not None else {}
        self.list_style = re.compile(
            rb'pStyle \w*:?val="(?:' + b"|".join(re.escape(s.encode()) for s in self.style_numbering) + rb')"'
        ) if self.style_numbering else None
        self.templated_rels = _templated_header_rels(self.rels, template.compiled)
        self.original_rels = {rel.get("Id"): rel for rel in self.rels}
        self.notes = [Notes(name, package.by_name[name].data) for name in NOTE_KINDS if name in package.by_name]
        # drawing and content-control ids continue after those of the parts every letter shares
        self.counter = Counter(max_id(_shared_parts(package, self.rels, self.templated_rels)))
        self.footnotes = any(n.part == "word/footnotes.xml" for n in self.notes)
        self.removed = _remove_comment_parts(self.rels, self.types)
        self.next_num = _max_int(self.numbering, f".//{w('num')}", w("numId")) + 1 if self.numbering is not None else 1
        self.lists = Spool()
        self.next_rel = 1
        self.bookmark_id = 0
        self.index = 0
        self.taken_names: set[str] = set()
        self.first_parts: dict[str, bytes] = {}  # the first letter's rendered parts besides the body
        self.copies: dict[bytes, str] = {}  # a header/footer copy's XML -> its relationship id
        self.plain_copies: dict[bytes, str] = {}  # rendered XML without per-letter ids -> relationship id
        self.added: list[tuple[str, bytes]] = []  # (part name, deflated XML) of the copies
        self.pending: tuple[etree._Element, etree._Element] | None = None  # a letter's root and final section
        self.zip = zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self.body: IO[bytes] | None = None
        self.tail = b""

    def __enter__(self) -> PrintFile:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is None:
            self.close()
        else:
            # the run failed and the file will be thrown away: finish nothing, and keep the
            # zip from writing its directory when it is collected
            self.zip.fp = None

    def add(self, doc: Rendered) -> None:
        """One more letter (rendered from this print file's template)."""
        index = self.index
        data = doc.parts["word/document.xml"]
        root = etree.fromstring(data)
        doc_body = root.find(w("body"))
        children = list(doc_body)
        final_sect = children.pop() if children and children[-1].tag == w("sectPr") else etree.Element(w("sectPr"))
        sections = [p for p in doc_body.iter(w("sectPr")) if p is not final_sect] + [final_sect]
        _restart_page_numbers(sections[0])
        if self.footnotes:
            for sect in sections:
                _footnotes_from_1(sect)
        if self.numbering is not None and (b"numPr" in data or (self.list_style is not None and self.list_style.search(data))):
            self.next_num = _restart_lists(children, self.lists, self.numbering.prefix, self.abstract_of, self.style_numbering,
                                           self.next_num)
        rel_map: dict[str, str] = {}
        copies = []
        for rel_id, target in self.templated_rels.items():
            raw = doc.parts[f"word/{target}"]
            if index and raw in self.plain_copies:  # the same text as an earlier letter's, and no ids of its own
                rel_map[rel_id] = self.plain_copies[raw]
            else:
                copies.append((f"word/{target}", rel_id, etree.fromstring(raw)))
        own = children + [copy_root for _, _, copy_root in copies]
        texts = [data, *(doc.parts[name] for name, _, _ in copies)]
        if index == 0:
            self.taken_names = {e.get(w("name")) for e in root.iter(w("bookmarkStart"))}
            # the first letter's rendered parts besides the body (its header/footer copies
            # replace theirs below, with their ids renumbered)
            self.first_parts = {name: part for name, part in doc.parts.items() if name != "word/document.xml"}
        elif any(b"bookmarkStart" in t for t in texts):
            rename_bookmarks(own, f"_{index + 1}", self.taken_names)
        if b"comment" in data:
            drop_comments(children)
        for part in self.notes:
            if part.references[0].encode() in data:
                part.add(children, doc.parts.get(part.part) if part.part in self.template.compiled else None, index == 0, self.counter)
        if any(b"docPr" in t or b"sdtPr" in t for t in texts):
            self.counter.renumber(own)
        rel_map.update(self._header_copies(index, copies, doc.parts))
        for sect in sections:
            for ref in sect:
                rid = ref.get(f"{{{R}}}id")
                if ref.tag in (w("headerReference"), w("footerReference")) and rid in rel_map:
                    ref.set(f"{{{R}}}id", rel_map[rid])
        if b"bookmark" in data:
            self.bookmark_id = renumber_bookmark_ids(children, self.bookmark_id)
        self._flush(last=False)
        self.pending = (root, final_sect)
        self.index += 1

    def _header_copies(self, index: int, copies: list[tuple[str, str, etree._Element]], parts: dict[str, bytes]) -> dict[str, str]:
        """Each templated header or footer of this letter: the first letter's stay the
        template's parts; a later letter shares an earlier copy with the same XML, else gets
        its own part. Returns the letter's relationship ids to change."""
        rel_map: dict[str, str] = {}
        for part_name, rel_id, copy_root in copies:
            data = _xml(copy_root)
            if index == 0:
                self.first_parts[part_name] = data
                self.copies[data] = rel_id
            elif data not in self.copies:
                self.copies[data] = self._new_copy(index, rel_id, data)
            rel_map[rel_id] = self.copies[data]
            raw = parts[part_name]
            if not any(marker in raw for marker in PER_LETTER_MARKERS):
                # its rendered text alone decides the copy: a later letter with the same text
                # shares it without parsing
                self.plain_copies[raw] = self.copies[data]
        return rel_map

    def _new_copy(self, index: int, rel_id: str, data: bytes) -> str:
        """A new part for a letter's header or footer (``data``); returns its relationship id."""
        target = self.templated_rels[rel_id]
        new_target = re.sub(r"\.xml$", f"-fk{index + 1}.xml", target)
        new_id = f"rIdFk{self.next_rel}"
        self.next_rel += 1
        self.added.append((f"word/{new_target}", zlib.compress(data)))
        rel_source = f"word/_rels/{target}.rels"
        if rel_source in self.package.by_name:
            self.added.append((f"word/_rels/{new_target}.rels", zlib.compress(self.package.by_name[rel_source].data)))
        new_rel = copy.deepcopy(self.original_rels[rel_id])
        new_rel.set("Id", new_id)
        new_rel.set("Target", new_target)
        self.rels.append(new_rel)
        override = etree.SubElement(self.types, f"{{{CT}}}Override")
        override.set("PartName", f"/word/{new_target}")
        override.set("ContentType", HEADER_TYPE.format("header" if "header" in target else "footer"))
        return new_id

    def _flush(self, last: bool) -> None:
        """Write the letter held back: its section closes in its last paragraph, or, for the
        last letter, the body's own section properties follow it."""
        if self.pending is None:
            return
        root, final_sect = self.pending
        self.pending = None
        body = root.find(w("body"))
        if last:
            if final_sect.getparent() is None:
                body.append(final_sect)
        else:
            content = [child for child in body if child is not final_sect]
            _end_section_in_last_paragraph(content, final_sect)
            if content[-1].getparent() is None:  # a paragraph made to carry the section break
                body.append(content[-1])
        data = _xml(root)
        opening = BODY_OPEN.search(data)
        closing = data.rindex(b"</" + (opening.group(1) or b"") + b"body>")
        if self.body is None:
            self._write_static()
            info = _info("word/document.xml")
            self.body = self.zip.open(info, "w", force_zip64=True)
            self.body.write(data[: opening.end()])
            self.tail = data[closing:]
        self.body.write(data[opening.end(): closing])

    def _write_static(self) -> None:
        """The template's parts no letter changes, before the body."""
        for m in self.package.members:
            if m.name not in self.removed and m.name not in self._changed():
                self.zip.writestr(_info(m.name), m.data)

    def _changed(self) -> set[str]:
        return {"word/document.xml", "word/_rels/document.xml.rels", "[Content_Types].xml", "word/numbering.xml",
                "word/settings.xml", *(n.part for n in self.notes), *self.template.compiled, *self.first_parts}

    def close(self) -> None:
        """Write the last letter and the parts that depend on all letters, and finish the zip."""
        if self.index == 0:
            raise ValueError("nothing to combine")
        self._flush(last=True)
        self.body.write(self.tail)  # type: ignore[union-attr]  # opened by the first letter
        self.body.close()
        replaced: dict[str, bytes] = {
            **self.first_parts,
            "word/_rels/document.xml.rels": _xml(self.rels),
            "[Content_Types].xml": _xml(self.types),
        }
        if any(n.part == "word/endnotes.xml" for n in self.notes) and "word/settings.xml" in self.package.by_name:
            replaced["word/settings.xml"] = _xml(_notes_per_letter(etree.fromstring(self.package.by_name["word/settings.xml"].data)))
        for name in self.template.compiled:
            if name.startswith("docProps/"):
                # the print file holds many letters: a property with a field is left empty
                replaced[name] = PROPERTY_WITH_FIELD.sub("><", self.package.text(name)).encode("utf-8")
        streamed = {n.part: n.chunks() for n in self.notes}
        if self.numbering is not None:
            head, tail = split_around_end(self.numbering, self.numbering.find(w("numIdMacAtCleanup")))
            streamed["word/numbering.xml"] = itertools.chain([head], self.lists.read(), [tail])
        for m in self.package.members:
            if m.name in self.removed or m.name == "word/document.xml" or m.name not in self._changed():
                continue
            if m.name in streamed:
                with self.zip.open(_info(m.name), "w", force_zip64=True) as part:
                    for chunk in streamed[m.name]:
                        part.write(chunk)
            else:
                self.zip.writestr(_info(m.name), replaced.get(m.name, m.data))
        for name, deflated in self.added:
            self.zip.writestr(_info(name), zlib.decompress(deflated))
        self.zip.close()


# what makes a header's copy differ per letter even when its rendered text is the same
PER_LETTER_MARKERS = (b"bookmark", b"REF", b"anchor", b"paraId", b"textId", b"docPr", b"sdtPr", b"Reference")
BODY_OPEN = re.compile(rb"<(\w+:)?body\b[^>]*>")


def _info(name: str) -> zipfile.ZipInfo:
    """A zip member dated 1980-01-01 (reproducible output), deflated at level 1."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info._compresslevel = 1  # noqa: SLF001  # zipfile reads the level from the member
    return info


def _remove_comment_parts(rels: etree._Element, types: etree._Element) -> set[str]:
    """Take the comment parts out of the print file (their relationships and content types);
    the names of the parts to leave out."""
    removed = set()
    for rel in list(rels):
        if COMMENT_PARTS.search(rel.get("Type", "")):
            removed.add("word/" + rel.get("Target", "").removeprefix("/word/"))
            rels.remove(rel)
    for override in list(types):
        if override.get("PartName", "").lstrip("/") in removed:
            types.remove(override)
    return removed | {f"word/_rels/{name.removeprefix('word/')}.rels" for name in removed}


def _xml(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _shared_parts(package, rels: etree._Element, templated_rels: dict[str, str]) -> list[etree._Element]:
    """The headers and footers every letter shares (those without fields), parsed only when
    they hold a drawing or a content control."""
    shared = []
    for rel in rels:
        target = rel.get("Target", "")
        name = f"word/{target}"
        if re.match(r"(header|footer)\d*\.xml$", target) and rel.get("Id") not in templated_rels and name in package.by_name:
            data = package.by_name[name].data
            if b"docPr" in data or b"sdtPr" in data:
                shared.append(etree.fromstring(data))
    return shared


def _numbering(package) -> etree._Element | None:
    part = package.by_name.get("word/numbering.xml")
    return etree.fromstring(part.data) if part else None


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


def _max_int(root: etree._Element, path: str, attribute: str) -> int:
    values = [int(e.get(attribute)) for e in root.iterfind(path) if (e.get(attribute) or "").isdigit()]
    return max(values, default=0)


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


NOTE_SETTINGS_BEFORE = ("compat", "docVars", "rsids", "mathPr", "attachedSchema", "themeFontLang", "clrSchemeMapping",
                        "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures", "forceUpgrade", "captions",
                        "readModeInkLockDown", "smartTagType", "schemaLibrary", "shapeDefaults", "doNotEmbedSmartTags",
                        "decimalSymbol", "listSeparator")


def _notes_per_letter(settings: etree._Element) -> etree._Element:
    """The settings for a print file: endnotes printed at the end of their letter, not after
    the last one, and numbered from 1 in each. Word follows this; LibreOffice 7.4 collects them
    after the last letter, which is why ``check`` advises footnotes."""
    props = settings.find(w("endnotePr"))
    if props is None:
        props = etree.Element(w("endnotePr"))
        anchor = next((settings.find(w(t)) for t in NOTE_SETTINGS_BEFORE if settings.find(w(t)) is not None), None)
        if anchor is not None:
            anchor.addprevious(props)
        else:
            settings.append(props)
    _set_child(props, "pos", "sectEnd")
    _set_child(props, "numRestart", "eachSect")
    return settings


def _footnotes_from_1(sect: etree._Element) -> None:
    """A letter's footnotes numbered from 1: set on its sections, restarting on each page
    (LibreOffice 7.4 follows this; with "each section" it numbers a later letter's from 0)."""
    props = sect.find(w("footnotePr"))
    if props is None:
        props = etree.Element(w("footnotePr"))
        references = [c for c in sect if c.tag in (w("headerReference"), w("footerReference"))]
        if references:
            references[-1].addnext(props)
        else:
            sect.insert(0, props)
    _set_child(props, "numStart", "1")
    _set_child(props, "numRestart", "eachPage")


NOTE_PROPERTY_ORDER = ("pos", "numFmt", "numStart", "numRestart")


def _set_child(props: etree._Element, tag: str, value: str) -> None:
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


def _abstract_of(numbering: etree._Element) -> dict[str, str]:
    return {n.get(w("numId")): n.find(w("abstractNumId")).get(w("val")) for n in numbering.iter(w("num"))}


def _restart_lists(children, lists: Spool, prefix: str | None, abstract_of: dict[str, str], style_numbering, next_num: int) -> int:
    """Give this document's lists their own numbering instances, each restarted at 1 (the
    instances go to ``lists``, the print file's numbering part's new ``w:num`` elements)."""
    mapping: dict[str, str] = {}

    def new_instance(old: str) -> str:
        nonlocal next_num
        if old not in mapping:
            if old not in abstract_of or old == "0":
                return old
            p = f"{prefix}:" if prefix else ""  # the numbering part's own prefix for the WordprocessingML namespace
            overrides = "".join(f'<{p}lvlOverride {p}ilvl="{level}"><{p}startOverride {p}val="1"/></{p}lvlOverride>' for level in range(9))
            lists.add(f'<{p}num {p}numId="{next_num}"><{p}abstractNumId {p}val="{abstract_of[old]}"/>{overrides}</{p}num>'.encode())
            mapping[old] = str(next_num)
            next_num += 1
        return mapping[old]

    for child in children:
        # only the paragraphs with a list: a numPr of their own, or a list style
        for found in child.iter(w("numId"), w("pStyle")):
            ppr = found.getparent()
            if found.tag == w("numId"):
                if ppr.tag == w("numPr") and ppr.getparent().tag == w("pPr"):
                    found.set(w("val"), new_instance(found.get(w("val"))))
                continue
            if ppr.tag != w("pPr") or found.get(w("val")) not in style_numbering or ppr.find(f"{w('numPr')}/{w('numId')}") is not None:
                continue
            old, ilvl = style_numbering[found.get(w("val"))]
            num_pr = etree.Element(w("numPr"))
            etree.SubElement(num_pr, w("ilvl")).set(w("val"), ilvl)
            etree.SubElement(num_pr, w("numId")).set(w("val"), new_instance(old))
            found.addnext(num_pr)
    return next_num


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
