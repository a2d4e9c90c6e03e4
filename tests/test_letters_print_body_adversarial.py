"""The print file's byte-level way and skeleton trust (``letterbody``) against hostile or unusual
templates and values: a letter that is not XML is never prepared (the print file parses it and
the batch names it), and a prepared body is what the parsed way makes of the letter."""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from formkit.docx import integrity, letterbody
from formkit.docx.combine import PrintFile, combine
from formkit.docx.render import CompiledTemplate
from test_letters_print_body import HELLO, LIST, OWN_LIST, STYLE_AND_OWN, TABLE, canonical_body, canonical_package, parsed_way, section, template_with_body

DOCUMENT = ("word/document.xml",)

def well_formed(data: bytes) -> bool:
    try:
        etree.fromstring(data)
    except etree.XMLSyntaxError:
        return False
    return True

def with_document(template: CompiledTemplate, change) -> CompiledTemplate:
    """The template with its document.xml's source text changed by ``change`` (for what lies
    outside the body: the XML declaration, text around the root element)."""
    with zipfile.ZipFile(template.path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["word/document.xml"] = change(parts["word/document.xml"].decode()).encode()
    with zipfile.ZipFile(template.path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return CompiledTemplate(template.path)

def prepared_letters(template: CompiledTemplate, contexts: list[dict]) -> list[tuple[bytes, letterbody.Prepared]]:
    setup = letterbody.Setup(template)
    out = []
    for i, context in enumerate(contexts):
        letter = template.render({"name": "Åsa", **context}, f"b-{i}", parsed_later=DOCUMENT)
        out.append((letter.parts["word/document.xml"], letterbody.prepare(setup, letter, last=False)))
    return out

# (body, a value that makes a well-formed letter, one of the same skeleton that does not)
HOSTILE = {
    "a field as an attribute's name": ('<w:p><w:pPr><w:jc w:val="left" {{n}}="1"/></w:pPr></w:p>', "a", "w:val"),
    "a field completing a character reference": ("<w:p><w:r><w:t>&#{{ n }};</w:t></w:r></w:p>", 65, 0),
    "a field completing an entity reference": ("<w:p><w:r><w:t>&{{ n }};</w:t></w:r></w:p>", "amp", "nbsp"),
    "a field in an attribute completing a reference": ('<w:p><w:pPr><w:jc w:val="&#{{ n }};"/></w:pPr></w:p>', 65, 1),
    "a field before a text's '>'": ("<w:p><w:r><w:t>{{ n }}></w:t></w:r></w:p>", "pil -", "]]"),
    "an escaped value cut short": ("<w:p><w:r><w:t>{{ n|e|truncate(9, true) }}</w:t></w:r></w:p>", "Storgatan 12", "Ab & Co & Co"),
    "an escaped value turned round": ("<w:p><w:r><w:t>{{ n|e|reverse }}</w:t></w:r></w:p>", "Ab Co", "Ab & Co"),
    "an escaped value with its escapes replaced": ('<w:p><w:r><w:t>{{ n|e|replace("amp;", "") }}</w:t></w:r></w:p>', "Ab Co", "Ab & Co"),
    "an escaped value sliced": ("<w:p><w:r><w:t>{{ (n|e)[:4] }}</w:t></w:r></w:p>", "Ab Co", "A & B"),
}

@pytest.mark.parametrize(("body", "good", "bad"), HOSTILE.values(), ids=HOSTILE.keys())
def test_a_letter_that_is_not_xml_is_never_prepared_after_one_of_its_skeleton_that_is(tmp_path: Path, body: str, good, bad) -> None:
    template = template_with_body(tmp_path, HELLO + body + section())
    letters = prepared_letters(template, [{"n": good}, {"n": bad}, {"n": good}, {"n": bad}])
    assert [well_formed(data) for data, _ in letters] == [True, False, True, False]
    assert [p.body is not None for _, p in letters] == [True, False, True, False]

OUTSIDE_THE_BODY = {
    "a field in the XML declaration": (lambda xml: re.sub(r"standalone=(['\"])yes\1", 'standalone="{{ n }}"', xml, count=1), "yes", "kanske"),
    "a field after the root element": (lambda xml: xml + "{{ n }}", " ", "text"),
    "a field before the root element": (lambda xml: xml.replace("?>", "?>{{ n }}", 1), "  ", "text"),
}

@pytest.mark.parametrize(("change", "good", "bad"), OUTSIDE_THE_BODY.values(), ids=OUTSIDE_THE_BODY.keys())
def test_a_field_outside_the_root_element_keeps_every_letter_checked(tmp_path: Path, change, good, bad) -> None:
    template = with_document(template_with_body(tmp_path, HELLO + section()), change)
    assert not letterbody.Setup(template).by_skeleton
    letters = prepared_letters(template, [{"n": good}, {"n": bad}])
    assert [well_formed(data) for data, _ in letters] == [True, False]
    assert [p.body is not None for _, p in letters] == [True, False]

def test_a_filter_block_prints_unescaped_so_its_template_goes_the_parsed_way(tmp_path: Path) -> None:
    """|striptags gives a block's text unescaped: a value can add a bookmark, whose id must be
    made unique in the print file, so the letter is left to it."""
    template = template_with_body(tmp_path, HELLO + "<w:p><w:r><w:t>{% filter striptags %}{{ n }}{% endfilter %}</w:t></w:r></w:p>" + section())
    assert not letterbody.Setup(template).by_pattern
    injected = '</w:t></w:r><w:bookmarkStart w:id="0" w:name="x"/><w:bookmarkEnd w:id="0"/><w:r><w:t>'
    letters = [template.render({"name": "Åsa", "n": injected}, f"b-{i}", parsed_later=DOCUMENT) for i in range(2)]
    setup = letterbody.Setup(template)
    prepared = [letterbody.prepare(setup, letter, last=i == 1, first=i == 0) for i, letter in enumerate(letters)]
    assert [p.body for p in prepared] == [None, None]
    buffer = io.BytesIO()
    with PrintFile(template, buffer, setup) as print_file:
        for p in prepared:
            print_file.add_prepared(p)
    assert integrity.problems(buffer.getvalue()) == []

def test_a_letter_that_is_not_xml_makes_the_print_file_refuse_it(tmp_path: Path) -> None:
    template = template_with_body(tmp_path, HELLO + "<w:p><w:r><w:t>{{ n|e|reverse }}</w:t></w:r></w:p>" + section())
    setup = letterbody.Setup(template)
    letters = [template.render({"name": "Åsa", "n": n}, f"b-{i}", parsed_later=DOCUMENT) for i, n in enumerate(["Ab", "Ab", "A & B"])]
    with pytest.raises(etree.XMLSyntaxError):
        with PrintFile(template, io.BytesIO(), setup) as print_file:
            for i, letter in enumerate(letters):
                print_file.add_prepared(letterbody.prepare(setup, letter, last=i == 2, first=i == 0))

# --- random values through a fixed template, random templates from building blocks ---------

VALUES = st.lists(st.sampled_from([*"aÅ é&<>\"';]\n\r\t{}%#", "😀", "&amp;", "]]>", "\u00a0", "\u200b", "{{ 7*7 }}"]), max_size=12).map("".join)
FIXED = (HELLO + '<w:p><w:pPr><w:jc w:val="{{ align }}"/></w:pPr><w:r><w:t xml:space="preserve">{{ a }} och {{ b|upper }}</w:t></w:r></w:p>'
         + TABLE.replace("{{ name }}", "{{ a|replace('a', b) }}") + LIST + '<w:p><w:r><w:t>{{ [a, b]|join(", ") }} {{ "%s!"|format(b) }}</w:t></w:r></w:p>'
         + '<w:p><w:r><w:t xml:space="preserve">{% macro m(v) %}[{{ v|title }}]{% endmacro %}{% set g %}Hej {{ a }}{% endset %}'
         '{{ g }} {{ b|e }} {{ m(a) }} {{ a|truncate(5, true) }}</w:t></w:r></w:p>'
         + "<w:p/>" + section())

@pytest.fixture(scope="module")
def fixed(tmp_path_factory: pytest.TempPathFactory) -> CompiledTemplate:
    return template_with_body(tmp_path_factory.mktemp("fixed"), FIXED)

@settings(max_examples=40, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(st.tuples(VALUES, VALUES, st.sampled_from(["left", "right", "a\nb", "&", "c\"d"])), min_size=1, max_size=5))
def test_random_values_are_prepared_as_the_parsed_way_and_only_when_well_formed(fixed: CompiledTemplate, values, monkeypatch: pytest.MonkeyPatch) -> None:
    setup = letterbody.Setup(fixed)
    assert setup.by_skeleton
    letters = [fixed.render({"name": a, "a": a, "b": b, "align": align}, f"b-{i}", parsed_later=DOCUMENT) for i, (a, b, align) in enumerate(values)]
    for i, letter in enumerate(letters):
        data = letter.parts["word/document.xml"]
        by_bytes = letterbody.prepare(setup, letter, last=i == len(letters) - 1)
        assert (by_bytes.body is not None) is well_formed(data)
        if by_bytes.body is not None:
            parsed = parsed_way(setup, letter, i == len(letters) - 1, monkeypatch)
            head, _, _ = letterbody.cut(data)
            assert canonical_body(head, by_bytes.body) == canonical_body(head, parsed.body) and by_bytes.lists == parsed.lists

def wrapped(block: str, kind: str) -> str:
    """A block inside an {%p if %} or {%p for %} of its own paragraphs, or as it is."""
    if kind == "if":
        return "<w:p><w:r><w:t>{%p if show %}</w:t></w:r></w:p>" + block + "<w:p><w:r><w:t>{%p endif %}</w:t></w:r></w:p>"
    if kind == "for":
        return "<w:p><w:r><w:t>{%p for i in items %}</w:t></w:r></w:p>" + block + "<w:p><w:r><w:t>{%p endfor %}</w:t></w:r></w:p>"
    return block

LEVEL_OF_ITS_OWN = ('<w:p><w:pPr><w:pStyle w:val="ListNumber"/><w:numPr><w:ilvl w:val="1"/></w:numPr></w:pPr>'
                    "<w:r><w:t>nivå två {{ name }}</w:t></w:r></w:p>")


BLOCKS = [HELLO, LIST, OWN_LIST, STYLE_AND_OWN, TABLE, LEVEL_OF_ITS_OWN, "<w:p/>", "<w:p><w:pPr/></w:p>", f"<w:p><w:pPr>{section()}</w:pPr></w:p>",
          '<w:p><w:pPr><w:pStyle w:val="ListNumber"/><w:numPr><w:ilvl w:val="0"/><w:numId w:val="0"/></w:numPr></w:pPr></w:p>',
          '<w:p><w:pPr><w:jc w:val="right"/></w:pPr><w:r><w:tab/><w:t xml:space="preserve"> {{ name }} </w:t></w:r></w:p>',
          '<w:p><w:r><w:numId w:val="{num}"/><w:t>list tag out of place</w:t></w:r></w:p>']
ENDINGS = ["", section(), section('<w:pgNumType w:start="4"/>'), section('<w:titlePg/>')]

@settings(max_examples=15, derandomize=True, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(BLOCKS), st.sampled_from(["", "", "if", "for"])), min_size=1, max_size=6), st.sampled_from(ENDINGS))
def test_random_template_bodies_print_as_the_parsed_way(blocks, ending) -> None:

    body = "".join(wrapped(block, kind) for block, kind in blocks) + ending
    with tempfile.TemporaryDirectory() as folder:
        template = template_with_body(Path(folder), body)
        setup = letterbody.Setup(template)
        assert setup.by_pattern and setup.plain_ids
        contexts = [{"name": f"Namn {i} & <{i}>", "show": i % 2 == 0, "items": range(i % 3)} for i in range(4)]
        letters = [template.render(c, f"b-{i}", parsed_later=DOCUMENT) for i, c in enumerate(contexts)]
        buffer = io.BytesIO()
        with PrintFile(template, buffer, setup) as print_file:
            for i, letter in enumerate(letters):
                prepared = letterbody.prepare(setup, letter, last=i == 3, first=i == 0)
                assert prepared.body is not None or i == 0
                print_file.add_prepared(prepared)
        data = buffer.getvalue()
        assert canonical_package(data) == canonical_package(combine([template.render(c, f"b-{i}") for i, c in enumerate(contexts)]))
        assert integrity.problems(data) == []


def test_a_list_styles_paragraph_with_a_level_of_its_own_gets_the_letters_list_in_it(tmp_path: Path) -> None:
    """Word may give a paragraph of a list style only a level (ISO 29500 17.3.1.19: a level
    and a list are inherited apart): the letter's new list goes into that w:numPr, not into a
    second one beside it."""
    template = template_with_body(tmp_path, HELLO + LIST + LEVEL_OF_ITS_OWN + LIST + section())
    setup = letterbody.Setup(template)
    letters = [template.render({"name": f"N{i}"}, f"b-{i}", parsed_later=DOCUMENT) for i in range(3)]
    buffer = io.BytesIO()
    with PrintFile(template, buffer, setup) as print_file:
        for i, letter in enumerate(letters):
            print_file.add_prepared(letterbody.prepare(setup, letter, last=i == 2, first=i == 0))
    data = buffer.getvalue()
    assert integrity.problems(data) == []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        root = etree.fromstring(archive.read("word/document.xml"))
    ns = {"w": letterbody.W}
    assert all(len(ppr.findall("w:numPr", ns)) <= 1 for ppr in root.iter(f"{{{letterbody.W}}}pPr"))
    lists = [(p.find("w:pPr/w:numPr/w:ilvl", ns).get(f"{{{letterbody.W}}}val"), p.find("w:pPr/w:numPr/w:numId", ns).get(f"{{{letterbody.W}}}val"))
             for p in root.iter(f"{{{letterbody.W}}}p") if p.find("w:pPr/w:pStyle", ns) is not None]
    assert [level for level, _ in lists] == ["0", "1", "0"] * 3
    assert [len({number for _, number in lists[k: k + 3]}) for k in (0, 3, 6)] == [1, 1, 1]  # one list per letter
    assert len({number for _, number in lists}) == 3
    assert canonical_package(data) == canonical_package(combine([template.render({"name": f"N{i}"}, f"b-{i}") for i in range(3)]))
