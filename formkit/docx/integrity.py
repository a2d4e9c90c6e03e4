"""Is a .docx package whole? Every id unique where Word needs it, every reference resolved.

Used by the tests on every print file the combiner makes (and cheap enough to run on any
file by hand): ``problems(data)`` lists, in English for developers, what is wrong:

* every part has a content type; every relationship of a part points at a part that exists
  (or is external); every ``r:id``/``r:embed``/``r:link`` in a part has its relationship;
* bookmark names and ids, drawing ids (``wp:docPr``, over the body, headers, footers and
  notes), content-control ids (``w:sdt``), footnote/endnote/comment ids and Word's paragraph
  ids (``w14:paraId``) are unique;
* every REF/PAGEREF/NOTEREF field and internal hyperlink names a bookmark that exists; every
  footnote, endnote and comment reference has its note; every list (``w:numId``) exists;
* ``numbering.xml`` is in schema order (abstract definitions, then instances, then the cleanup
  mark).
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections import Counter
from collections.abc import Iterable

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
FIELD_TARGET = re.compile(r"\b(?:REF|PAGEREF|NOTEREF)\s+\"?([^\s\"\\]+)")
STORY = re.compile(r"^word/(document|header\d*.*|footer\d*.*|footnotes|endnotes)\.xml$")
NOTES = {"footnote": "footnoteReference", "endnote": "endnoteReference", "comment": "commentReference"}


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def problems(data: bytes) -> list[str]:
    """What is wrong with the .docx ``data`` (empty: nothing found)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist() if not name.endswith("/")}
    found: list[str] = []
    found += _content_types(parts)
    xml = {name: etree.fromstring(body) for name, body in parts.items() if name.endswith((".xml", ".rels"))}
    found += _relationships(parts, xml)
    stories = {name: root for name, root in xml.items() if STORY.match(name)}
    document = xml["word/document.xml"]
    found += _unique("drawing id (wp:docPr)", (e.get("id") for root in stories.values() for e in root.iter(f"{{{WP}}}docPr")))
    found += _unique("content-control id (w:sdt)", (e.get(w("val")) for root in stories.values() for e in root.iterfind(f".//{w('sdtPr')}/{w('id')}")))
    found += _unique("paragraph id (w14:paraId) in the body", (e.get(f"{{{W14}}}paraId") for e in document.iter(w("p")) if e.get(f"{{{W14}}}paraId")))
    names = [e.get(w("name")) for e in document.iter(w("bookmarkStart"))]
    found += _unique("bookmark name", names)
    found += _unique("bookmark id", (e.get(w("id")) for e in document.iter(w("bookmarkStart"))))
    starts = {e.get(w("id")) for e in document.iter(w("bookmarkStart"))}
    found += [f"bookmark end {e.get(w('id'))} has no start" for e in document.iter(w("bookmarkEnd")) if e.get(w("id")) not in starts]
    for name, root in stories.items():
        for target in _field_targets(root):
            if target not in names:
                found.append(f"{name}: a field or link points at bookmark {target!r}, which does not exist")
    for kind, reference in NOTES.items():
        part = xml.get(f"word/{kind}s.xml")
        ids = [e.get(w("id")) for e in part.iter(w(kind))] if part is not None else []
        found += _unique(f"{kind} id", ids)
        for root in stories.values():
            found += [f"{reference} {e.get(w('id'))} has no {kind}" for e in root.iter(w(reference)) if e.get(w("id")) not in ids]
    found += _numbering(document, xml.get("word/numbering.xml"))
    return found


def _content_types(parts: dict[str, bytes]) -> list[str]:
    types = etree.fromstring(parts["[Content_Types].xml"])
    defaults = {e.get("Extension").lower() for e in types.iter(f"{{{CT}}}Default")}
    overrides = {e.get("PartName").lstrip("/") for e in types.iter(f"{{{CT}}}Override")}
    return [f"{name} has no content type" for name in parts
            if name != "[Content_Types].xml" and name not in overrides and name.rsplit(".", 1)[-1].lower() not in defaults]


def _relationships(parts: dict[str, bytes], xml: dict[str, etree._Element]) -> list[str]:
    found = []
    for name, root in xml.items():
        if not name.endswith(".rels"):
            continue
        folder, file = posixpath.split(name)
        source = posixpath.join(posixpath.dirname(folder), file.removesuffix(".rels"))
        ids = set()
        for rel in root:
            ids.add(rel.get("Id"))
            if rel.get("TargetMode") == "External":
                continue
            target = rel.get("Target", "")
            resolved = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(posixpath.dirname(source), target))
            if resolved not in parts:
                found.append(f"{name}: relationship {rel.get('Id')} points at {resolved}, which does not exist")
        if source in xml:
            for element in xml[source].iter():
                for attribute in ("id", "embed", "link", "pict"):
                    value = element.get(f"{{{R}}}{attribute}")
                    if value is not None and value not in ids:
                        found.append(f"{source}: r:{attribute}={value} has no relationship")
    return found


def _field_targets(root: etree._Element) -> Iterable[str]:
    for element in root.iter(w("instrText"), w("fldSimple"), w("hyperlink")):
        if element.tag == w("instrText"):
            yield from FIELD_TARGET.findall(element.text or "")
        elif element.tag == w("fldSimple"):
            yield from FIELD_TARGET.findall(element.get(w("instr")) or "")
        elif element.get(w("anchor")):
            yield element.get(w("anchor"))


def _unique(what: str, values: Iterable[str | None]) -> list[str]:
    counts = Counter(v for v in values if v is not None)
    repeated = sorted(v for v, n in counts.items() if n > 1)
    return [f"{what} repeated: {', '.join(repeated[:10])}{' …' if len(repeated) > 10 else ''}"] if repeated else []


def _numbering(document: etree._Element, numbering: etree._Element | None) -> list[str]:
    used = {e.get(w("val")) for e in document.iter(w("numId"))} - {"0"}
    if numbering is None:
        return [f"list {n} used but there is no numbering part" for n in sorted(used)]
    found = _unique("list instance (w:num)", (e.get(w("numId")) for e in numbering.iter(w("num"))))
    defined = {e.get(w("numId")) for e in numbering.iter(w("num"))}
    found += [f"list {n} is used but not defined" for n in sorted(used - defined)]
    order = {"abstractNum": 1, "num": 2, "numIdMacAtCleanup": 3}
    ranks = [order.get(etree.QName(e).localname, 0) for e in numbering if isinstance(e.tag, str)]
    ranks = [r for r in ranks if r]
    if ranks != sorted(ranks):
        found.append("numbering.xml is not in schema order (abstractNum, num, numIdMacAtCleanup)")
    return found
