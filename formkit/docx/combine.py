"""One print file made of many rendered documents from one template.

Merging .docx files one by one (docxcompose) costs about 0.1 s a letter and reuses list
numbering ids. Documents rendered from one template share styles, numbering definitions and
relationships, so the combined file is the template's package with one body made of all the
rendered bodies, each ending in its own section break, where:

* page numbering restarts at 1 in each document's first section;
* every numbered list gets a new numbering instance per document, restarted at 1;
* headers and footers that hold template fields get one copy per document;
* drawing and bookmark ids are renumbered so that they stay unique;
* no empty paragraph is added, so there is no blank trailing page.
"""

from __future__ import annotations

import copy
import re

from lxml import etree

from formkit.docx.package import Member, member
from formkit.docx.render import Rendered

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
HEADER_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.{}+xml"


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

    new_body_children: list[etree._Element] = []
    added: list[Member] = []
    next_num = _max_int(numbering, f".//{w('num')}", w("numId")) + 1 if numbering is not None else 1
    next_rel = 1
    for index, doc in enumerate(documents):
        doc_body = etree.fromstring(doc.parts["word/document.xml"]).find(w("body"))
        children = list(doc_body)
        final_sect = children.pop() if children and children[-1].tag == w("sectPr") else etree.Element(w("sectPr"))
        sections = [p for p in doc_body.iter(w("sectPr")) if p is not final_sect] + [final_sect]
        _restart_page_numbers(sections[0])
        if numbering is not None:
            next_num = _restart_lists(children, numbering, abstract_of, style_numbering, next_num)
        # per-document copies of headers and footers that hold fields
        rel_map: dict[str, str] = {}
        for rel_id, target in templated_rels.items():
            part_name = f"word/{target}"
            new_target = re.sub(r"\.xml$", f"-fk{index + 1}.xml", target)
            new_id = f"rIdFk{next_rel}"
            next_rel += 1
            rel_map[rel_id] = new_id
            added.append(member(f"word/{new_target}", doc.parts[part_name], level=1))
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
        if index < len(documents) - 1:
            _end_section_in_last_paragraph(children, final_sect)
        else:
            children.append(final_sect)
        new_body_children.extend(children)

    for child in list(body):
        body.remove(child)
    body.extend(new_body_children)
    _renumber(root, f".//{{{WP}}}docPr", "id")
    _renumber(root, f".//{w('bookmarkStart')}", w("id"), pair=w("bookmarkEnd"))

    replaced = {
        "word/document.xml": etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True),
        "word/_rels/document.xml.rels": etree.tostring(rels, xml_declaration=True, encoding="UTF-8", standalone=True),
        "[Content_Types].xml": etree.tostring(types, xml_declaration=True, encoding="UTF-8", standalone=True),
    }
    if numbering is not None:
        replaced["word/numbering.xml"] = etree.tostring(numbering, xml_declaration=True, encoding="UTF-8", standalone=True)
    # rendered headers/footers of the first document stay in the original parts
    for name, data in documents[0].parts.items():
        replaced.setdefault(name, data)
    return package.to_bytes(replaced, added)


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


def _abstract_of(numbering: etree._Element) -> dict[str, str]:
    return {n.get(w("numId")): n.find(w("abstractNumId")).get(w("val")) for n in numbering.iter(w("num"))}


def _restart_lists(children, numbering, abstract_of: dict[str, str], style_numbering, next_num: int) -> int:
    """Give this document's lists their own numbering instances, each restarted at 1."""
    mapping: dict[str, str] = {}

    def new_instance(old: str) -> str:
        nonlocal next_num
        if old not in mapping:
            if old not in abstract_of or old == "0":
                return old
            num = etree.SubElement(numbering, w("num"))
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
    # schema order: every w:num comes after every w:abstractNum, which SubElement keeps
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


def _renumber(root, path: str, attribute: str, pair: str | None = None) -> None:
    if pair is None:
        for i, element in enumerate(root.iterfind(path), start=1):
            element.set(attribute, str(i))
        return
    # bookmarks: renumber starts in order; each end follows its start's new id
    counter = 0
    current: dict[str, str] = {}
    for element in root.iter(w("bookmarkStart"), pair):
        old = element.get(attribute)
        if element.tag == w("bookmarkStart"):
            counter += 1
            current[old] = str(counter)
            element.set(attribute, str(counter))
        elif old in current:
            element.set(attribute, current.pop(old))
