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
from collections.abc import Callable
from typing import IO

from lxml import etree

from formkit.docx.letterbody import (
    HEADER_REFERENCES, R, Letter, Prepared, Setup, close_sections, cut, fill_in, set_note_property, shape, w, xml,
)
from formkit.docx.render import CompiledTemplate, Rendered
from formkit.docx.renumber import (
    COMMENT_PARTS, NOTE_KINDS, Counter, Notes, Spool, drop_comments, max_id, rename_bookmarks,
    renumber_bookmark_ids, split_around_end,
)

CT = "http://schemas.openxmlformats.org/package/2006/content-types"
HEADER_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.{}+xml"
PROPERTY_WITH_FIELD = re.compile(r">[^<]*\{[{%][^<]*<")


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
    not depend on the number of letters.

    A letter comes either rendered (``add``: all the work is done here) or prepared in a worker
    process (``add_prepared``, see ``formkit.docx.letterbody``): then only the list numbers and
    header copies are filled in here, and the print file of a batch is built on both cores."""

    def __init__(self, template: CompiledTemplate, handle: IO[bytes], setup: Setup | None = None):
        self.template = template
        self.setup = setup = setup or Setup(template)
        package = self.package = template.package
        self.rels = etree.fromstring(package.by_name["word/_rels/document.xml.rels"].data)
        self.types = etree.fromstring(package.by_name["[Content_Types].xml"].data)
        self.numbering = setup.numbering
        self.templated_rels = setup.templated_rels
        self.original_rels = {rel.get("Id"): rel for rel in self.rels}
        self.notes = [Notes(name, package.by_name[name].data) for name in NOTE_KINDS if name in package.by_name]
        # drawing and content-control ids continue after those of the parts every letter shares
        self.counter = Counter(max_id(_shared_parts(package, self.rels, self.templated_rels)))
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
        self.pending: Letter | None = None  # the letter held back (its section break waits for the next)
        self.open_end = False  # the last letter written was prepared with its section closed for one more
        self.ended = False  # a letter prepared as the last was written
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
        if self.ended:
            raise ValueError("a letter after the one prepared as the last")  # a bug in the caller
        index = self.index
        data = doc.parts["word/document.xml"]
        letter = shape(self.setup, data, self._new_list({}))
        children = letter.children
        rel_map, copies = self._header_roots(index, doc.parts)
        own = children + [copy_root for _, _, copy_root in copies]
        texts = [data, *(doc.parts[name] for name, _, _ in copies)]
        if index == 0:
            self.taken_names = {e.get(w("name")) for e in letter.root.iter(w("bookmarkStart"))}
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
        for sect in letter.sections:
            for ref in sect:
                rid = ref.get(f"{{{R}}}id")
                if ref.tag in HEADER_REFERENCES and rid in rel_map:
                    ref.set(f"{{{R}}}id", rel_map[rid])
        if b"bookmark" in data:
            self.bookmark_id = renumber_bookmark_ids(children, self.bookmark_id)
        self._flush(last=False)
        self.pending = letter
        self.index += 1

    def add_prepared(self, prepared: Prepared) -> None:
        """One more letter, prepared by ``letterbody.prepare`` (a letter it could not prepare,
        and the first, which sets up the file, go through ``add``)."""
        if self.index == 0 or prepared.body is None:
            self.add(Rendered(self.template, prepared.parts))
            return
        if self.ended:
            raise ValueError("a letter after the one prepared as the last")  # a bug in the caller
        rel_map, copies = self._header_roots(self.index, prepared.parts)
        ids = self.counter.take(prepared.ids)  # the body's first, as ``add`` numbers them
        if any(b"docPr" in prepared.parts[name] or b"sdtPr" in prepared.parts[name] for name, _, _ in copies):
            self.counter.renumber(copy_root for _, _, copy_root in copies)  # a picture's ids, once for each new copy
        rel_map.update(self._header_copies(self.index, copies, prepared.parts))
        new_list = self._new_list({})
        numbers = [new_list(old) for old in prepared.lists]
        self._flush(last=False)
        self.body.write(fill_in(prepared.body, numbers, rel_map, ids))  # type: ignore[union-attr]  # opened by the first letter
        self.open_end, self.ended = not prepared.last, prepared.last
        self.index += 1

    def _new_list(self, mapping: dict[str, str]) -> Callable[[str], str]:
        """For one letter: a new list instance, restarted at 1, for each of the template's
        list instances the letter uses."""
        def new_list(old: str) -> str:
            if old not in mapping:
                self.lists.add(self.setup.list_instance(self.next_num, self.setup.abstract_of[old]))
                mapping[old] = str(self.next_num)
                self.next_num += 1
            return mapping[old]

        return new_list

    def _header_roots(self, index: int, parts: dict[str, bytes]) -> tuple[dict[str, str], list[tuple[str, str, etree._Element]]]:
        """The letter's templated headers and footers: those that share an earlier letter's
        copy by their text alone (relationship id -> the copy's), and the rest, parsed."""
        rel_map: dict[str, str] = {}
        copies = []
        for rel_id, target in self.templated_rels.items():
            raw = parts[f"word/{target}"]
            if index and raw in self.plain_copies:  # the same text as an earlier letter's, and no ids of its own
                rel_map[rel_id] = self.plain_copies[raw]
            else:
                copies.append((f"word/{target}", rel_id, etree.fromstring(raw)))
        return rel_map, copies

    def _header_copies(self, index: int, copies: list[tuple[str, str, etree._Element]], parts: dict[str, bytes]) -> dict[str, str]:
        """Each templated header or footer of this letter: the first letter's stay the
        template's parts; a later letter shares an earlier copy with the same XML, else gets
        its own part. Returns the letter's relationship ids to change."""
        rel_map: dict[str, str] = {}
        for part_name, rel_id, copy_root in copies:
            data = xml(copy_root)
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
        letter, self.pending = self.pending, None
        head, body, tail = cut(close_sections(letter, last))
        if self.body is None:
            self._write_static()
            self.body = self.zip.open(_info("word/document.xml"), "w", force_zip64=True)
            self.body.write(head)
            self.tail = tail
        self.body.write(body)
        self.open_end = False

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
        if self.open_end:
            raise ValueError("the last letter was prepared for another to follow")  # a bug in the caller
        self._flush(last=True)
        self.body.write(self.tail)  # type: ignore[union-attr]  # opened by the first letter
        self.body.close()
        replaced: dict[str, bytes] = {
            **self.first_parts,
            "word/_rels/document.xml.rels": xml(self.rels),
            "[Content_Types].xml": xml(self.types),
        }
        if any(n.part == "word/endnotes.xml" for n in self.notes) and "word/settings.xml" in self.package.by_name:
            replaced["word/settings.xml"] = xml(_notes_per_letter(etree.fromstring(self.package.by_name["word/settings.xml"].data)))
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


# what makes a header's or footer's XML differ between letters with the same text (bookmarks
# renamed per letter, the fields and links that point at them); a picture's or content
# control's ids do not: they are made unique once, for the copy the letters share
PER_LETTER_MARKERS = (b"bookmark", b"REF", b"anchor", b"paraId", b"textId", b"Reference")


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


def _max_int(root: etree._Element, path: str, attribute: str) -> int:
    values = [int(e.get(attribute)) for e in root.iterfind(path) if (e.get(attribute) or "").isdigit()]
    return max(values, default=0)


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
    set_note_property(props, "pos", "sectEnd")
    set_note_property(props, "numRestart", "eachSect")
    return settings
