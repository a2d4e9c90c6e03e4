"""Word templates with what real municipal templates hold, built in the tests (no binary
fixtures): a logo in the header, a picture in the body, a bookmark around
``{{ client.name }}`` with a REF field (cross-reference) to it, a footnote and an endnote
holding fields, a comment, content controls (a checkbox and one around a field), an external
and an internal hyperlink, a numbered list, row and column loops, a field in the document
title — and the ways Word and LibreOffice write tags (runs split by formatting, proofing
marks and bookmarks, ``&quot;``, smart quotes, tracked changes).

``build(path, **features)`` writes one; ``letter_case(folder, n)`` a case with ``n`` clients.
"""

from __future__ import annotations

import io
import re
import struct
import subprocess
import uuid
import zipfile
import zlib
from pathlib import Path

import docx
import yaml
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.shared import Cm
from lxml import etree

from helpers import case_data

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = (f'xmlns:w="{W_NS}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
      'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml"')
NAMES = ["Åsa Öberg", "Bo Ek", "Cia Lund", "Dan Berg", "Eva Ström", "Filip Ås", "Gun Holm", "Hans Dahl",
         "Ida Sjö", "Jan Vik", "Karin Björk", "Lars Ek", "Maja Lind", "Nils Strand", "Olle Hed", "Pia Ros",
         "Rut Ahl", "Sven Mark", "Tina Udd", "Ulf Rask", "Vera Norr", "Yngve Bo", "Zara Fält", "Åke Mo", "Örjan Li"]


def png(width: int = 40, height: int = 20, rgb: tuple[int, int, int] = (30, 90, 160)) -> bytes:
    """A small solid-colour PNG (no imaging library needed)."""
    row = b"\x00" + bytes(rgb) * width
    raw = row * height

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def fragment(text: str) -> list[etree._Element]:
    return list(etree.fromstring(f"<w:root {NS}>{text}</w:root>"))


def xml(text: str) -> etree._Element:
    [element] = fragment(text)
    return element


def run(text: str, props: str = "") -> str:
    return f'<w:r>{f"<w:rPr>{props}</w:rPr>" if props else ""}<w:t xml:space="preserve">{text}</w:t></w:r>'


def field(instruction: str, result: str) -> str:
    return (f'<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> {instruction} </w:instrText></w:r>'
            f'<w:r><w:fldChar w:fldCharType="separate"/></w:r>{run(result)}<w:r><w:fldChar w:fldCharType="end"/></w:r>')


def body_paragraph(document: docx.document.Document, inner: str) -> None:
    document.element.body.append(xml(f"<w:p>{inner}</w:p>"))
    sect = document.element.body.find(f"{{{W_NS}}}sectPr")
    if sect is not None:
        document.element.body.append(sect)  # the section properties stay last


def notes_part(document: docx.document.Document, kind: str, text_xml: str) -> None:
    """A footnotes or endnotes part with the separators and one note (id 1) holding ``text_xml``."""
    tag = kind.rstrip("s")
    part_xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:{kind} {NS}>'
        f'<w:{tag} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{tag}>'
        f'<w:{tag} w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:{tag}>'
        f'<w:{tag} w:id="1"><w:p><w:pPr><w:pStyle w:val="FootnoteText"/></w:pPr><w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
        f'<w:{tag}Ref/></w:r>{text_xml}</w:p></w:{tag}></w:{kind}>'
    )
    content_type = f"application/vnd.openxmlformats-officedocument.wordprocessingml.{kind}+xml"
    part = Part(PackURI(f"/word/{kind}.xml"), content_type, part_xml.encode("utf-8"), document.part.package)
    document.part.relate_to(part, RT.FOOTNOTES if kind == "footnotes" else RT.ENDNOTES)


def build(path: Path, *, quotes: str = "plain", tracked: bool = False, split_runs: bool = True) -> Path:
    """A brukarbrev template with everything a municipality's own letter holds.

    ``quotes``: how the quote in ``{% if … == "…" %}`` is written: "plain", "entity" (as
    LibreOffice writes it, ``&quot;``) or "smart" (as Word's AutoCorrect types it, ”…”)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    document = docx.Document()
    section = document.sections[0]
    document.core_properties.title = "Brukarbrev till {{ client.name }}"
    # the header: a logo and a field; the footer: the page number (a static part)
    header = section.header.paragraphs[0]
    header.add_run().add_picture(io.BytesIO(png()), width=Cm(3))
    header.add_run("  {{ unit.name }}")
    section.footer.paragraphs[0].text = "Sida "
    section.footer.paragraphs[0]._p.extend(fragment(field("PAGE", "1")))
    document.add_heading("Brukarundersökning {{ survey.year }}", level=1)
    # the recipient's name inside a bookmark, with the tag split over runs as Word leaves it
    name_runs = (run("{{ client.", '<w:b/>') + '<w:proofErr w:type="spellStart"/>' + run("name", '<w:b/>')
                 + '<w:proofErr w:type="spellEnd"/>' + run(" }}", '<w:b/>')) if split_runs else run("{{ client.name }}")
    body_paragraph(document, run("Till ") + '<w:bookmarkStart w:id="0" w:name="Mottagare"/>' + name_runs
                   + '<w:bookmarkEnd w:id="0"/>' + run("."))
    # a cross-reference to the bookmark; its shown result is what Word shows after F9
    body_paragraph(document, run("Brevet gäller: ") + field("REF Mottagare \\h", "{{ client.name }}")
                   + run(" (sidan ") + field("PAGEREF Mottagare \\h", "1") + run(").")
                   + '<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteReference w:id="1"/></w:r>')
    quote = {"plain": '"', "entity": '"', "smart": "”"}[quotes]
    body_paragraph(document, run(f"{{% if unit.name == {quote}Hemtjänst Norra{quote} %}}Du får hemtjänst från norra "
                                 f"gruppen.{{% else %}}Du får stöd från {{{{ unit.name }}}}.{{% endif %}}"))
    # a comment on a sentence (comments are left as they are)
    paragraph = document.add_paragraph()
    commented = paragraph.add_run("Svara gärna på enkäten.")
    document.add_comment(commented, text="Kolla datumet med enhetschefen", author="Maria", initials="ML")
    # a picture in the body
    document.add_picture(io.BytesIO(png(60, 30, (200, 60, 40))), width=Cm(4))
    # a checkbox content control and a text content control around a field
    body_paragraph(document,
                   '<w:sdt><w:sdtPr><w:id w:val="1200"/><w14:checkbox><w14:checked w14:val="0"/>'
                   '<w14:checkedState w14:val="2612" w14:font="MS Gothic"/><w14:uncheckedState w14:val="2610" w14:font="MS Gothic"/>'
                   '</w14:checkbox></w:sdtPr><w:sdtContent>' + run("☐") + '</w:sdtContent></w:sdt>'
                   + run(" Jag vill ha svaret på lätt svenska. ")
                   + '<w:sdt><w:sdtPr><w:alias w:val="Kontakt"/><w:id w:val="1201"/></w:sdtPr><w:sdtContent>'
                   + run("Kontakt: {{ contact.name }}") + '</w:sdtContent></w:sdt>')
    # hyperlinks: one to the web, one inside the letter
    url_id = document.part.relate_to("https://exempelby.se/enkat", RT.HYPERLINK, is_external=True)
    body_paragraph(document, run("Läs mer på ") + f'<w:hyperlink r:id="{url_id}">' + run("exempelby.se", '<w:rStyle w:val="Hyperlink"/>')
                   + '</w:hyperlink>' + run(" eller se ") + '<w:hyperlink w:anchor="Mottagare">' + run("mottagaren") + '</w:hyperlink>'
                   + run(".") + '<w:r><w:endnoteReference w:id="1"/></w:r>')
    # a numbered list
    for text in ("Fyll i enkäten", "Lägg den i svarskuvertet", "Posta den senast {{ survey.answer_by|long_date }}"):
        document.add_paragraph(text, style="List Number")
    # a row loop and a column loop
    rows = document.add_table(rows=3, cols=2)
    rows.style = "Table Grid"
    rows.cell(0, 0).text, rows.cell(0, 1).text = "Fråga", "Resultat"
    rows.cell(1, 0).text = "{%tr for row in survey.results %}"
    rows.cell(2, 0).text, rows.cell(2, 1).text = "{{ row.question }}", "{{ row.value|percent }}"
    rows.add_row().cells[0].text = "{%tr endfor %}"
    document.add_paragraph("Frågorna i år:")
    columns = document.add_table(rows=1, cols=3)
    columns.style = "Table Grid"
    columns.cell(0, 0).text = "{%tc for row in survey.results %}"
    columns.cell(0, 1).text = "{{ row.question }}"
    columns.cell(0, 2).text = "{%tc endfor %}"
    document.add_paragraph("{_{ Detta är inget fält }_} och inte {_% detta heller %_}.")
    if tracked:
        # a tracked deletion holds a misspelt field; a tracked insertion splits a tag
        body_paragraph(document, run("Hälsningar ") + '<w:del w:id="901" w:author="Maria" w:date="2026-01-01T00:00:00Z">'
                       '<w:r><w:delText>{{ client.nme }}</w:delText></w:r></w:del>' + run("{{ contact.")
                       + '<w:ins w:id="902" w:author="Maria" w:date="2026-01-01T00:00:00Z">' + run("name") + '</w:ins>' + run(" }}"))
    else:
        document.add_paragraph("Hälsningar {{ contact.name }}")
    notes_part(document, "footnotes", run(" Brevet skickas till {{ client.name }} från {{ unit.name }}."))
    notes_part(document, "endnotes", run(" Frågor? Ring {{ contact.phone }}."))
    document.save(path)
    if quotes == "entity":  # lxml writes a quote in text as it is; LibreOffice writes &quot;
        rewrite(path, "word/document.xml", lambda xml: xml.replace('"Hemtjänst Norra"', "&quot;Hemtjänst Norra&quot;"))
    rewrite(path, "word/document.xml", with_paragraph_ids)
    return path


def with_paragraph_ids(xml: str) -> str:
    """Word's paragraph ids (w14:paraId, unique in a document) on every body paragraph, as Word
    writes them."""
    if 'xmlns:w14="' not in xml[:3000]:
        xml = xml.replace("<w:document ", '<w:document xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" ', 1)
    counter = iter(range(0x10000000, 0x20000000))
    return re.sub(r"<w:p(?=[ >])", lambda m: f'<w:p w14:paraId="{next(counter):08X}" w14:textId="77777777"', xml)


def rewrite(path: Path, part: str, change) -> None:
    """Change one part of the .docx at ``path`` in place (text in, text out)."""
    with zipfile.ZipFile(path) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in members:
            archive.writestr(info, change(data.decode("utf-8")).encode("utf-8") if info.filename == part else data)


def letter_case(folder: Path, n: int = 25) -> Path:
    clients = [
        {"id": f"b-{i + 1:03d}", "name": NAMES[i % len(NAMES)] + ("" if i < len(NAMES) else f" {i}"), "gender": "female",
         "address": {"street": f"Storgatan {i + 1}", "postcode": "123 45", "city": "Exempelby"}, "unit": "ht-norra"}
        for i in range(n)
    ]
    survey = {"year": 2026, "answer_by": "2026-05-24", "results": [
        {"unit": "ht-norra", "question": "Sammantaget nöjd", "value": 84},
        {"unit": "ht-norra", "question": "Bemötande", "value": 91},
        {"unit": "ht-norra", "question": "Trygghet", "value": 78},
    ]}
    path = folder / "arenden.yaml"
    path.write_text(yaml.safe_dump(case_data(clients=clients, survey=survey), allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def through_libreoffice(path: Path, out_dir: Path) -> Path:
    """``path`` opened and saved once by LibreOffice as .docx (as a coordinator's template is)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    profile = f"file:///tmp/formkit-lo-{uuid.uuid4().hex}"
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "docx:MS Word 2007 XML",
                    "--outdir", str(out_dir), str(path)], check=True, capture_output=True, timeout=180)
    return out_dir / path.name


def part_text(data: bytes, name: str) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name).decode("utf-8")
