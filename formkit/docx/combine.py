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
import re

from lxml import etree

from formkit.docx.package import Member, member
from formkit.docx.render import Rendered
from formkit.docx.renumber import (
    COMMENT_PARTS, NOTE_KINDS, Counter, Notes, drop_comments, max_id, rename_bookmarks, renumber_bookmark_ids,
)

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
HEADER_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.{}+xml"
OWN_IDS = (b"docPr", b"sdtPr", b"bookmarkStart", b"w:anchor=", b"REF ")
PROPERTY_WITH_FIELD = re.compile(r">[^<]*\{[{%][^<]*<")


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def combine(documents: list[Rendered]) -> bytes:
    """The combined .docx of ``documents`` (all rendered from the same template)."""
    if not documents:
        raise ValueError("nothing to combine")
    template = documents[0].template
    package = template.package
    root = etree.fromstring(documents[0].parts["word/document.xml"])
    body = root.find(w("body"))
    rels = etree.fromstring(package.by_name["word/_rels/document.xml.rels"].data)
    types = etree.fromstring(package.by_name["[Content_Types].xml"].data)
    numbering = _numbering(package)
    style_numbering = _style_numbering(package)
    # the template's list instances (numId -> abstractNumId), read once: the new instances
    # made per document always point back to these
    abstract_of = _abstract_of(numbering) if numbering is not None else {}
    templated_rels = _templated_header_rels(rels, template.compiled)
    original_rels = {rel.get("Id"): rel for rel in rels}  # looked up once: rels grows per document
    notes = [Notes(name, package.by_name[name].data) for name in NOTE_KINDS if name in package.by_name]
    # drawing and content-control ids continue after those of the parts every letter shares
    counter = Counter(max_id(_shared_parts(package, rels, templated_rels)))
    # what the template holds, looked up once: each letter is walked only for what is there
    templated = b"".join(package.by_name[name].data for name in template.compiled if name.startswith("word/"))
    has_comments = b"commentRangeStart" in templated or b"commentReference" in templated
    has_bookmarks = b"bookmarkStart" in templated
    has_ids = b"docPr" in templated or b"sdtPr" in templated
    footnotes = any(n.part == "word/footnotes.xml" for n in notes)
    taken_names = {e.get(w("name")) for e in root.iter(w("bookmarkStart"))}

    new_body_children: list[etree._Element] = []
    replaced_first: dict[str, bytes] = {}
    added: list[Member] = []
    next_num = _max_int(numbering, f".//{w('num')}", w("numId")) + 1 if numbering is not None else 1
    next_rel = 1
    for index, doc in enumerate(documents):
        doc_body = etree.fromstring(doc.parts["word/document.xml"]).find(w("body"))
        children = list(doc_body)
        final_sect = children.pop() if children and children[-1].tag == w("sectPr") else etree.Element(w("sectPr"))
        sections = [p for p in doc_body.iter(w("sectPr")) if p is not final_sect] + [final_sect]
        _restart_page_numbers(sections[0])
        if footnotes:
            for sect in sections:
                _footnotes_from_1(sect)
        if numbering is not None:
            next_num = _restart_lists(children, numbering, abstract_of, style_numbering, next_num)
        # per-document copies of headers and footers that hold fields (the first document
        # keeps the template's own parts)
        rel_map: dict[str, str] = {}
        copies: list[tuple[str, bytes | etree._Element]] = []  # parsed only when they hold ids to renumber
        for rel_id, target in templated_rels.items():
            part_name = f"word/{target}"
            if index == 0:
                copies.append((part_name, _parsed_if_ids(doc.parts[part_name])))
                continue
            new_target = re.sub(r"\.xml$", f"-fk{index + 1}.xml", target)
            new_id = f"rIdFk{next_rel}"
            next_rel += 1
            rel_map[rel_id] = new_id
            copies.append((f"word/{new_target}", _parsed_if_ids(doc.parts[part_name])))
            rel_source = f"word/_rels/{target}.rels"
            if rel_source in package.by_name:
                added.append(member(f"word/_rels/{new_target}.rels", package.by_name[rel_source].data, level=1))
            new_rel = copy.deepcopy(original_rels[rel_id])
            new_rel.set("Id", new_id)
            new_rel.set("Target", new_target)
            rels.append(new_rel)
            override = etree.SubElement(types, f"{{{CT}}}Override")
            override.set("PartName", f"/word/{new_target}")
            override.set("ContentType", HEADER_TYPE.format("header" if "header" in target else "footer"))
        for sect in sections:
            for ref in sect:
                rid = ref.get(f"{{{R}}}id")
                if ref.tag in (w("headerReference"), w("footerReference")) and rid in rel_map:
                    ref.set(f"{{{R}}}id", rel_map[rid])
        # this letter's own ids: bookmarks (and the fields that point at them), notes,
        # drawings and content controls, in the body and in its header/footer copies
        own = children + [copy_root for _, copy_root in copies if not isinstance(copy_root, bytes)]
        if index and has_bookmarks:
            rename_bookmarks(own, f"_{index + 1}", taken_names)
        if has_comments:
            drop_comments(children)
        for part in notes:
            part.add(children, doc.parts.get(part.part) if part.part in template.compiled else None, index == 0, counter)
        if has_ids:
            counter.renumber(own)
        if index == 0:
            replaced_first = {name: _bytes(copy_root) for name, copy_root in copies}
        else:
            added.extend(member(name, _bytes(copy_root), level=1) for name, copy_root in copies)
        if index < len(documents) - 1:
            _end_section_in_last_paragraph(children, final_sect)
        else:
            children.append(final_sect)
        new_body_children.extend(children)

    removed = _remove_comment_parts(rels, types)
    for child in list(body):
        body.remove(child)
    body.extend(new_body_children)
    renumber_bookmark_ids(root)

    replaced = {
        **replaced_first,
        "word/document.xml": _xml(root),
        "word/_rels/document.xml.rels": _xml(rels),
        "[Content_Types].xml": _xml(types),
        **{part.part: part.to_bytes() for part in notes},
    }
    if numbering is not None:
        replaced["word/numbering.xml"] = _xml(numbering)
    if any(n.part == "word/endnotes.xml" for n in notes) and "word/settings.xml" in package.by_name:
        replaced["word/settings.xml"] = _xml(_notes_per_letter(etree.fromstring(package.by_name["word/settings.xml"].data)))
    for name in template.compiled:
        if name.startswith("docProps/"):
            # the print file holds many letters: a property with a field is left empty
            replaced[name] = PROPERTY_WITH_FIELD.sub("><", package.text(name)).encode("utf-8")
    # the rest of the first document's rendered parts stay in the original parts
    for name, data in documents[0].parts.items():
        replaced.setdefault(name, data)
    return package.to_bytes(replaced, added, removed)


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


def _parsed_if_ids(data: bytes) -> bytes | etree._Element:
    """A header or footer copy, parsed when it holds ids a letter must have its own of
    (drawings, content controls, bookmarks, cross-references); else its bytes as they are."""
    return etree.fromstring(data) if any(marker in data for marker in OWN_IDS) else data


def _bytes(part: bytes | etree._Element) -> bytes:
    return part if isinstance(part, bytes) else _xml(part)


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


def _restart_lists(children, numbering, abstract_of: dict[str, str], style_numbering, next_num: int) -> int:
    """Give this document's lists their own numbering instances, each restarted at 1."""
    mapping: dict[str, str] = {}
    cleanup = numbering.find(w("numIdMacAtCleanup"))

    def new_instance(old: str) -> str:
        nonlocal next_num
        if old not in mapping:
            if old not in abstract_of or old == "0":
                return old
            num = etree.Element(w("num"))
            if cleanup is not None:
                cleanup.addprevious(num)  # schema order: every w:num before numIdMacAtCleanup
            else:
                numbering.append(num)
            num.set(w("numId"), str(next_num))
            etree.SubElement(num, w("abstractNumId")).set(w("val"), abstract_of[old])
            for level in range(9):
                override = etree.SubElement(num, w("lvlOverride"))
                override.set(w("ilvl"), str(level))
                etree.SubElement(override, w("startOverride")).set(w("val"), "1")
            mapping[old] = str(next_num)
            next_num += 1
        return mapping[old]

    for child in children:
        for ppr in child.iter(w("pPr")):
            num_id = ppr.find(f"{w('numPr')}/{w('numId')}")
            if num_id is not None:
                num_id.set(w("val"), new_instance(num_id.get(w("val"))))
                continue
            style = ppr.find(w("pStyle"))
            if style is not None and style.get(w("val")) in style_numbering:
                old, ilvl = style_numbering[style.get(w("val"))]
                num_pr = etree.Element(w("numPr"))
                etree.SubElement(num_pr, w("ilvl")).set(w("val"), ilvl)
                etree.SubElement(num_pr, w("numId")).set(w("val"), new_instance(old))
                style.addnext(num_pr)
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
