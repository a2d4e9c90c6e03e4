"""A letter's body made ready for the print file on its bytes (``letterbody._prepare_bytes``)
is what the parsed way makes of it, and a template the patterns cannot read goes the parsed way."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import docx
import docx.shared
import pytest
from lxml import etree
from markupsafe import Markup

from formkit.docx import integrity, letterbody
from formkit.docx.combine import PrintFile, combine
from formkit.docx.render import CompiledTemplate
from formkit.docx.render import skeleton as render_skeleton
from wordcorpus import png

SECTION = ('<w:sectPr><w:headerReference w:type="default" r:id="{header}"/><w:pgSz w:w="11906" w:h="16838"/>'
           '<w:pgMar w:top="1417" w:right="1417" w:bottom="1417" w:left="1417" w:header="708" w:footer="708" w:gutter="0"/>'
           '{extra}<w:cols w:space="708"/><w:docGrid w:linePitch="360"/></w:sectPr>')
LIST = '<w:p><w:pPr><w:pStyle w:val="ListNumber"/></w:pPr><w:r><w:t>{{ name }} punkt</w:t></w:r></w:p>'
OWN_LIST = '<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="{num}"/></w:numPr></w:pPr><w:r><w:t>egen lista</w:t></w:r></w:p>'
STYLE_AND_OWN = ('<w:p><w:pPr><w:pStyle w:val="ListNumber"/><w:numPr><w:ilvl w:val="1"/><w:numId w:val="{num}"/></w:numPr></w:pPr>'
                 '<w:r><w:t>stil och egen</w:t></w:r></w:p>')
HELLO = '<w:p w:rsidR="00A1B2C3"><w:r><w:t xml:space="preserve">Hej {{ name }}, </w:t></w:r></w:p>'
TABLE = '<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/></w:tblPr><w:tblGrid><w:gridCol w:w="4000"/></w:tblGrid><w:tr><w:tc><w:p><w:r><w:t>{{ name }}</w:t></w:r></w:p></w:tc></w:tr></w:tbl>'


def template_with_body(tmp_path: Path, body: str) -> CompiledTemplate:
    """python-docx's default document with a header holding a field and ``body`` as its body
    ({header} in ``body`` is the header's relationship id, {num} a list instance of the template)."""
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "Till {{ name }}"
    document.add_paragraph("x", style="List Number")  # makes the list style's numbering part
    path = tmp_path / "t.docx"
    document.save(path)
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    rels = parts["word/_rels/document.xml.rels"].decode()
    header = re.search(r'Id="(rId\d+)"[^>]*Target="header1.xml"|Target="header1.xml"[^>]*Id="(rId\d+)"', rels)
    num = re.search(rb'<w:num w:numId="(\d+)"', parts["word/numbering.xml"]).group(1).decode()
    xml = parts["word/document.xml"].decode()
    head, tail = xml[: xml.index("<w:body>") + len("<w:body>")], xml[xml.index("</w:body>"):]
    parts["word/document.xml"] = (head + body.replace("{header}", header.group(1) or header.group(2)).replace("{num}", num) + tail).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return CompiledTemplate(path)


def section(extra: str = "") -> str:
    return SECTION.replace("{extra}", extra)


BODIES = {
    "last paragraph with properties": HELLO + '<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:t>Slut</w:t></w:r></w:p>' + section(),
    "last paragraph empty": HELLO + "<w:p/>" + section(),
    "last paragraph with empty properties": HELLO + "<w:p><w:pPr/><w:r><w:t>Slut</w:t></w:r></w:p>" + section(),
    "last paragraph without properties": HELLO + '<w:p w:rsidR="00AB"><w:r><w:t>Slut</w:t></w:r></w:p>' + section(),
    "ends in a table": HELLO + TABLE + section(),
    "ends in a section break": HELLO + f"<w:p><w:pPr>{section()}</w:pPr></w:p>" + section(),
    "two sections, numbered pages": HELLO + f"<w:p><w:pPr>{section()}</w:pPr><w:r><w:t>Del 1</w:t></w:r></w:p>" + HELLO
                                    + section('<w:pgNumType w:fmt="lowerRoman" w:start="3"/>'),
    "no section properties": HELLO + "<w:p><w:r><w:t>Slut</w:t></w:r></w:p>",
    "lists": HELLO + LIST + OWN_LIST + STYLE_AND_OWN + LIST + '<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="0"/></w:numPr></w:pPr></w:p>'
             + "{%p for i in items %}" + LIST + "{%p endfor %}" + section(),
    "page numbers set already": HELLO + section('<w:pgNumType w:start="7"/>'),
}


def canonical_body(head: bytes, body: bytes) -> bytes:
    """A body as canonical XML (C14N): lxml writes a quote in a text as ", Jinja as &#34;."""
    return etree.tostring(etree.fromstring(head + body + b"</w:body></w:document>"), method="c14n")


def canonical_package(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: etree.tostring(etree.fromstring(archive.read(name)), method="c14n") if name.endswith(".xml") else archive.read(name)
                for name in archive.namelist()}


def parsed_way(setup: letterbody.Setup, rendered, last: bool, monkeypatch: pytest.MonkeyPatch) -> letterbody.Prepared:
    with monkeypatch.context() as patch:
        patch.setattr(letterbody, "_prepare_bytes", lambda *_: None)
        return letterbody.prepare(setup, rendered, last=last)


@pytest.mark.parametrize("body", BODIES.values(), ids=BODIES.keys())
def test_the_byte_level_body_is_the_parsed_one(tmp_path: Path, body: str, monkeypatch: pytest.MonkeyPatch) -> None:
    template = template_with_body(tmp_path, body.replace("{%p for i in items %}", "<w:p><w:r><w:t>{%p for i in items %}</w:t></w:r></w:p>")
                                  .replace("{%p endfor %}", "<w:p><w:r><w:t>{%p endfor %}</w:t></w:r></w:p>"))
    setup = letterbody.Setup(template)
    assert setup.by_pattern and setup.plain_ids
    letters = [template.render({"name": f"Åsa & <Bo> \"{i}\" 'x'", "items": range(i)}, f"b-{i}") for i in range(4)]
    for i, letter in enumerate(letters):
        for last in (False, True):
            data = letter.parts["word/document.xml"]
            assert letterbody._prepare_bytes(setup, data, last) is not None  # the byte-level way was taken
            by_bytes, parsed = letterbody.prepare(setup, letter, last=last), parsed_way(setup, letter, last, monkeypatch)
            head, _, _ = letterbody.cut(data)
            assert by_bytes.lists == parsed.lists
            assert canonical_body(head, by_bytes.body) == canonical_body(head, parsed.body)
    buffer = io.BytesIO()
    with PrintFile(template, buffer, setup) as print_file:
        for i, letter in enumerate(letters):
            print_file.add_prepared(letterbody.prepare(setup, letter, last=i == len(letters) - 1, first=i == 0))
    assert canonical_package(buffer.getvalue()) == canonical_package(combine(letters))
    assert integrity.problems(buffer.getvalue()) == []


UNREADABLE = {
    "a value printed unescaped": HELLO + "<w:p><w:r><w:t>{{ name|safe }}</w:t></w:r></w:p>" + section(),
    "an autoescape block": HELLO + "<w:p><w:r><w:t>{% autoescape false %}{{ name }}{% endautoescape %}</w:t></w:r></w:p>" + section(),
    "a field inside a tag": '<w:p><w:pPr><w:jc w:val="left" {{ name }}/></w:pPr></w:p>' + section(),
    "an XML comment": HELLO + "<!-- anteckning -->" + section(),
    "an undeclared prefix": HELLO + "<w:p><w:r><q:x/></w:r></w:p>" + section(),
    "a tracked change of properties": '<w:p><w:pPr><w:jc w:val="left"/><w:pPrChange w:id="1" w:author="A"><w:pPr/></w:pPrChange></w:pPr></w:p>' + section(),
}


@pytest.mark.parametrize("body", UNREADABLE.values(), ids=UNREADABLE.keys())
def test_a_template_the_patterns_cannot_read_goes_the_parsed_way(tmp_path: Path, body: str) -> None:
    assert not letterbody.Setup(template_with_body(tmp_path, body)).by_pattern


def test_a_value_that_breaks_the_xml_is_left_to_the_print_file_to_name(tmp_path: Path) -> None:
    """Unescaped, a value can make a letter that is not XML; such a letter is not prepared,
    and the print file refuses it when it parses it."""
    template = template_with_body(tmp_path, HELLO + "<w:p><w:r><w:t>{{ name|safe }}</w:t></w:r></w:p>" + section())
    setup = letterbody.Setup(template)
    letter = template.render({"name": "<q:x/>"}, "b-1", parsed_later=("word/document.xml",))
    assert letterbody.prepare(setup, letter, last=True).body is None
    with pytest.raises(etree.XMLSyntaxError):
        PrintFile(template, io.BytesIO(), setup).add(letter)


def test_letters_of_one_skeleton_are_parsed_once(tmp_path: Path) -> None:
    """A letter with the skeleton of one found well-formed (the template's text the same, its
    values escaped text) is not parsed again; a value with line breaks makes another skeleton."""
    template = template_with_body(tmp_path, HELLO + "<w:p><w:r><w:t>{{ address }}</w:t></w:r></w:p>" + section())
    setup = letterbody.Setup(template)
    assert setup.by_skeleton
    for i, address in enumerate(["Storgatan 1", "Box 2", "Storgatan 1\n123 45 Exempelby", "Box 3\n111 22 Stad\nSverige"]):
        letter = template.render({"name": f"Namn {i} \"& co\"", "address": address}, f"b-{i}", parsed_later=("word/document.xml",))
        assert letter.skeletons["word/document.xml"] is not None
        assert letterbody.prepare(setup, letter, last=False).body is not None
    assert len(setup.well_formed) == 2  # without and with line breaks


def test_a_value_that_breaks_the_xml_in_its_place_is_checked_every_time(tmp_path: Path) -> None:
    """Word's line breaks are markup: in an attribute they break the XML, so such a letter is
    checked, and refused, however many letters without them went before."""
    template = template_with_body(tmp_path, '<w:p><w:pPr><w:jc w:val="{{ align }}"/></w:pPr><w:r><w:t>{{ name }}</w:t></w:r></w:p>' + section())
    setup = letterbody.Setup(template)
    assert setup.by_skeleton
    for align, made in [("left", True), ("right", True), ("le\nft", False), ("center", True), ("a\nb", False)]:
        letter = template.render({"align": align, "name": "Åsa"}, "b-1", parsed_later=("word/document.xml",))
        assert (letterbody.prepare(setup, letter, last=True).body is not None) is made


def test_a_tag_of_the_template_inside_the_xmls_tags_keeps_every_letter_checked(tmp_path: Path) -> None:
    """With a {% %} inside an XML tag, a value can land between a tag's attributes, where one
    value is well-formed and another is not: no skeleton is trusted."""
    template = template_with_body(tmp_path, '<w:p><w:pPr><w:jc w:val="{% if wide %}both{% else %}left{% endif %}"/></w:pPr></w:p>' + section())
    setup = letterbody.Setup(template)
    assert setup.by_pattern and not setup.by_skeleton
    letter = template.render({"wide": True, "name": "Åsa"}, "b-1", parsed_later=("word/document.xml",))
    assert letterbody.prepare(setup, letter, last=True).body is not None
    assert setup.well_formed == set()


def test_a_letter_whose_tags_do_not_close_is_not_prepared(tmp_path: Path) -> None:
    """The template's own {% if %} can cut the XML unevenly for some letters only: those are
    left to the print file, which names them; the others are prepared."""
    template = template_with_body(tmp_path, HELLO + "{% if show %}<w:p><w:r><w:t>Mitten</w:t></w:r></w:p>{% else %}<w:p><w:r>{% endif %}" + section())
    setup = letterbody.Setup(template)
    for show, made in [(True, True), (False, False), (True, True), (False, False)]:
        letter = template.render({"show": show, "name": "Åsa"}, "b-1", parsed_later=("word/document.xml",))
        assert (letterbody.prepare(setup, letter, last=True).body is not None) is made
    assert len(setup.well_formed) == 1


def test_a_character_a_template_expression_makes_is_not_trusted_by_skeleton() -> None:
    assert render_skeleton(["<w:t>", Markup("Åsa")]) is not None
    assert render_skeleton(["<w:t>", Markup("\x01")]) is None
    assert render_skeleton(["<w:t>", Markup("a<b")]) is None
    assert render_skeleton(["<w:t>", Markup('a"b')]) is None


def test_words_go_back_bookmark_is_left_out_and_keeps_letters_on_the_fast_way(tmp_path: Path) -> None:
    """Word saves most documents with a hidden _GoBack bookmark (where the cursor was); a
    bookmark's id runs through the print file, so it would send every letter the slow way."""
    go_back = '<w:p><w:r><w:t>Slut</w:t></w:r><w:bookmarkStart w:name="_GoBack" w:id="7"/><w:bookmarkEnd w:id="7"/></w:p>'
    template = template_with_body(tmp_path, HELLO + go_back + section())
    setup = letterbody.Setup(template)
    assert setup.plain_ids
    letter = template.render({"name": "Åsa"}, "b-1")
    assert b"_GoBack" not in letter.parts["word/document.xml"] and b"bookmark" not in letter.parts["word/document.xml"]
    (tmp_path / "own").mkdir()
    own = template_with_body(tmp_path / "own", HELLO + go_back.replace("Slut", "Datum") + '<w:p><w:bookmarkStart w:id="3" w:name="Datum"/>'
                             '<w:r><w:t>2026-02-03</w:t></w:r><w:bookmarkEnd w:id="3"/></w:p>' + section())
    data = own.render({"name": "Åsa"}, "b-1").parts["word/document.xml"]
    assert b"_GoBack" not in data and b'w:name="Datum"' in data and data.count(b"<w:bookmarkEnd") == 1


def test_a_logo_in_a_header_with_fields_keeps_letters_prepared_and_shares_the_header(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A municipality's header: its logo and the unit's name. Letters with the same header text
    share one copy of it, whose picture gets an id no other part has; the letters are prepared
    in the workers all the same."""
    document = docx.Document()
    header = document.sections[0].header.paragraphs[0]
    header.add_run("{{ unit }} ")
    header.add_run().add_picture(io.BytesIO(png()), width=docx.shared.Mm(20))
    document.add_paragraph("Hej {{ name }}")
    path = tmp_path / "logo.docx"
    document.save(path)
    template = CompiledTemplate(path)
    setup = letterbody.Setup(template)
    assert setup.plain_ids
    letters = [template.render({"name": f"Namn {i}", "unit": f"Enhet {i % 3}"}, f"b-{i}", parsed_later=setup_parsed_later(setup)) for i in range(7)]
    prepared = [letterbody.prepare(setup, letter, last=i == 6, first=i == 0) for i, letter in enumerate(letters)]
    assert all(p.body is not None for p in prepared)
    buffer = io.BytesIO()
    with PrintFile(template, buffer, setup) as print_file:
        for p in prepared:
            print_file.add_prepared(p)
    data = buffer.getvalue()
    assert integrity.problems(data) == []  # every picture id unique in the whole file
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        headers = [n for n in archive.namelist() if re.fullmatch(r"word/header[^/]*\.xml", n)]
        assert len(headers) == 3  # one per unit's text
        assert all(b"docPr" in archive.read(n) for n in headers)
    assert canonical_package(data) == canonical_package(combine([template.render({"name": f"Namn {i}", "unit": f"Enhet {i % 3}"}, f"b-{i}") for i in range(7)]))


def setup_parsed_later(setup: letterbody.Setup) -> tuple[str, ...]:
    return ("word/document.xml", *(f"word/{target}" for target in setup.templated_rels.values()))


def test_pictures_and_content_controls_in_the_body_are_numbered_by_the_print_file(tmp_path: Path) -> None:
    """A picture or a content control in the letter's body has an id that runs through the
    print file: the worker leaves it as a placeholder, the print file fills in the next id, in
    the order it would give them itself (the body's, then a new header copy's)."""
    document = docx.Document()
    header = document.sections[0].header.paragraphs[0]
    header.add_run("{{ unit }} ")
    header.add_run().add_picture(io.BytesIO(png()), width=docx.shared.Mm(20))
    document.add_paragraph("Hej {{ name }}")
    document.add_paragraph().add_run().add_picture(io.BytesIO(png(rgb=(200, 30, 30))), width=docx.shared.Mm(30))
    control = ('<w:sdt xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:sdtPr><w:id w:val="424242"/>'
               '<w:alias w:val="Datum"/></w:sdtPr><w:sdtContent><w:p><w:r><w:t>{{ day }}</w:t></w:r></w:p></w:sdtContent></w:sdt>')
    document.element.body.insert(len(document.element.body) - 1, etree.fromstring(control))
    path = tmp_path / "bilder.docx"
    document.save(path)
    template = CompiledTemplate(path)
    setup = letterbody.Setup(template)
    contexts = [{"name": f"Namn {i}", "unit": f"Enhet {i % 2}", "day": f"2026-02-0{i + 1}"} for i in range(5)]
    letters = [template.render(c, c["name"], parsed_later=setup_parsed_later(setup)) for c in contexts]
    prepared = [letterbody.prepare(setup, letter, last=i == 4, first=i == 0) for i, letter in enumerate(letters)]
    assert all(p.body is not None and p.ids == 2 for p in prepared)  # the picture and the content control
    buffer = io.BytesIO()
    with PrintFile(template, buffer, setup) as print_file:
        for p in prepared:
            print_file.add_prepared(p)
    data = buffer.getvalue()
    assert integrity.problems(data) == []  # every picture and content-control id unique
    assert canonical_package(data) == canonical_package(combine([template.render(c, c["name"]) for c in contexts]))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        body = archive.read("word/document.xml")
    assert body.count(b"<wp:docPr") == 5 and letterbody.PLACEHOLDER_BYTES not in body


def test_a_bookmark_a_template_expression_makes_of_its_own_text_is_still_found(tmp_path: Path) -> None:
    """A template expression can turn the template's own text into markup the source does not
    hold as such (a macro's text reversed): a letter whose values printed markup is looked at
    itself, and its bookmark keeps it from being prepared."""
    # a "<" only where a tag starts, as the source must have it; reversed, it ends in a bookmark
    macro = '>/"5"=di:w tratSkramkoob:w<b/>'
    assert macro[::-1] == '>/b<w:bookmarkStart w:id="5"/>'
    body = HELLO + "{% macro m() %}" + macro + "{% endmacro %}<w:p><w:r><w:t>Till</w:t></w:r>{{ m()|reverse }}</w:p>" + section()
    template = template_with_body(tmp_path, body)
    setup = letterbody.Setup(template)
    assert setup.plain_ids  # nothing in the source says "bookmark"
    letter = template.render({"name": "Åsa"}, "b-1", parsed_later=setup_parsed_later(setup))
    data = letter.parts["word/document.xml"]
    assert b"<w:bookmarkStart" in data and letter.skeletons["word/document.xml"] is None
    assert letterbody.prepare(setup, letter, last=True).body is None
