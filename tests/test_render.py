"""The renderer: compile once, sandboxed, escaped, strict; the combined print file."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import zipfile
from pathlib import Path

import docx
import docx.shared
import pytest
from lxml import etree

from formkit.docx.combine import combine
from formkit.errors import DataError, TemplateError
from formkit.docx.render import CompiledTemplate
from formkit.swedish import long_date
from wordcorpus import png

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
NASTY = 'Ali & Söner <AB> "x" \'y\' 😀 =1+1'


def make_template(path: Path, *paragraphs: str, header: str | None = None, numbered: int = 0) -> Path:
    document = docx.Document()
    if header:
        document.sections[0].header.paragraphs[0].text = header
    for text in paragraphs:
        document.add_paragraph(text)
    for i in range(numbered):
        document.add_paragraph(f"Punkt {i + 1}", style="List Number")
    document.save(path)
    return path


def texts(data: bytes) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]


def test_values_come_out_as_typed(tmp_path: Path) -> None:
    template = CompiledTemplate(make_template(tmp_path / "t.docx", "Hej {{ name }}!", "{{ code }}", header="{{ name }}"))
    data = template.render({"name": NASTY, "code": "{{ 7*7 }} {% if 1 %}x{% endif %}"}, record="b-1").to_bytes()
    assert texts(data)[:2] == [f"Hej {NASTY}!", "{{ 7*7 }} {% if 1 %}x{% endif %}"]
    assert docx.Document(io.BytesIO(data)).sections[0].header.paragraphs[0].text == NASTY


def test_sandbox_refuses_python_internals(tmp_path: Path) -> None:
    template = CompiledTemplate(make_template(tmp_path / "t.docx", "{{ ''.__class__.__mro__ }}"))
    with pytest.raises(TemplateError) as info:
        template.render({}, record="b-1")
    assert "inte är tillåtet" in str(info.value)


def test_misspelt_field_is_an_error_not_an_empty_line(tmp_path: Path) -> None:
    template = CompiledTemplate(make_template(tmp_path / "t.docx", "Hej {{ client.nme }}"))
    with pytest.raises(TemplateError) as info:
        template.render({"client": {"name": "Åsa"}}, record="b-007")
    assert "fältet 'nme' finns inte" in str(info.value)
    assert "b-007" in str(info.value)


def test_control_character_names_record_and_field(tmp_path: Path) -> None:
    template = CompiledTemplate(make_template(tmp_path / "t.docx", "{{ client.name }}"))
    with pytest.raises(DataError) as info:
        template.render({"client": {"name": "Åsa\x0bÖ"}}, record="b-003")
    assert "b-003" in str(info.value) and "client.name" in str(info.value) and "U+000B" in str(info.value)


def test_syntax_error_names_the_paragraph(tmp_path: Path) -> None:
    with pytest.raises(TemplateError) as info:
        CompiledTemplate(make_template(tmp_path / "t.docx", "Intro", "{% if x %}ingen slutpunkt"))
    assert "ingen slutpunkt" in str(info.value)


def test_not_a_docx(tmp_path: Path) -> None:
    path = tmp_path / "t.docx"
    path.write_text("inte ett dokument")
    with pytest.raises(TemplateError) as info:
        CompiledTemplate(path)
    assert "inte ett Word-dokument" in str(info.value)


def test_swedish_filters_and_line_breaks(tmp_path: Path) -> None:
    template = CompiledTemplate(make_template(
        tmp_path / "t.docx", "{{ day|long_date }}, {{ day|weekday }}, {{ t|clock }}, {{ day }}, {{ v|percent }}, {{ a|answer }}", "{{ lines }}"))
    data = template.render({"day": dt.date(2026, 12, 3), "t": "14.00", "v": 84.0, "a": "partly", "lines": "rad 1\nrad 2"}, "r").to_bytes()
    assert texts(data)[0] == "den 3 december 2026, torsdag, kl. 14.00, 2026-12-03, 84\u00a0%, Delvis"
    assert texts(data)[1] == "rad 1\nrad 2"  # a real <w:br/>, which python-docx reads as \n
    assert long_date("2026-01-31") == "den 31 januari 2026"


def test_rendered_output_is_well_formed(tmp_path: Path) -> None:
    # a tag opened in a paragraph and closed inside a table cell: the XML between is cut unevenly
    document = docx.Document()
    document.add_paragraph("Start {% if show %}")
    document.add_table(rows=1, cols=1).cell(0, 0).text = "{% endif %} slut"
    document.save(tmp_path / "t.docx")
    template = CompiledTemplate(tmp_path / "t.docx")
    with pytest.raises(TemplateError) as info:
        template.render({"show": False}, record="b-1")
    assert "inte giltig XML" in str(info.value)


def combined_body(data: bytes) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return etree.fromstring(archive.read("word/document.xml")), etree.fromstring(archive.read("word/numbering.xml"))


def test_combined_file_has_a_section_per_document_with_restarts(tmp_path: Path) -> None:
    template = CompiledTemplate(make_template(tmp_path / "t.docx", "Hej {{ name }}", header="Brev till {{ name }}", numbered=2))
    rendered = [template.render({"name": n}, n) for n in ("Åsa", "Bo", "Cia")]
    data = combine(rendered)
    document = docx.Document(io.BytesIO(data))
    assert len(document.sections) == 3
    assert [s.header.paragraphs[0].text for s in document.sections] == ["Brev till Åsa", "Brev till Bo", "Brev till Cia"]
    body, numbering = combined_body(data)
    starts = [s.find(f"{W}pgNumType").get(f"{W}start") for s in body.iter(f"{W}sectPr")]
    assert starts == ["1", "1", "1"]
    num_ids = [n.get(f"{W}val") for n in body.iter(f"{W}numId")]
    assert len(set(num_ids)) == 3 and len(num_ids) == 6  # one list instance per letter
    for num in numbering.iter(f"{W}num"):
        if num.get(f"{W}numId") in num_ids:
            assert num.find(f"{W}lvlOverride/{W}startOverride").get(f"{W}val") == "1"
    # no empty paragraph added at the end: the last paragraph is the last list item
    assert document.paragraphs[-1].text == "Punkt 2"


@pytest.mark.soffice
def test_combined_pdf_has_one_page_per_letter_and_restarted_lists(tmp_path: Path) -> None:
    from formkit.pdf import convert

    template = CompiledTemplate(make_template(tmp_path / "t.docx", "Hej {{ name }}", numbered=2))
    (tmp_path / "c.docx").write_bytes(combine([template.render({"name": n}, n) for n in ("Åsa", "Bo", "Cia")]))
    [pdf] = convert([tmp_path / "c.docx"])
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert re.search(r"^Pages:\s+3$", info, flags=re.M), info
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert text.count("1. Punkt 1") == 3 and "3. Punkt" not in text


def _body_children(data: bytes) -> list[etree._Element]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return list(etree.fromstring(archive.read("word/document.xml")).find(f"{W}body"))


def test_letters_ending_in_a_table_get_one_empty_paragraph_between_every_pair(tmp_path: Path) -> None:
    """A section break must sit in a paragraph; after a table there is none, so exactly one
    empty paragraph carries it, between every pair of letters and nowhere else."""
    document = docx.Document()
    document.add_paragraph("Hej {{ name }}")
    document.add_table(rows=1, cols=2).rows[0].cells[0].text = "{{ name }}"
    document.save(tmp_path / "t.docx")
    template = CompiledTemplate(tmp_path / "t.docx")
    names = ["Åsa", "Bo", "Cia", "Dan"]
    children = _body_children(combine([template.render({"name": n}, n) for n in names]))
    tags = [c.tag.removeprefix(W) for c in children]
    assert tags == ["p", "tbl", "p"] * (len(names) - 1) + ["p", "tbl", "sectPr"]
    separators = children[2::3][: len(names) - 1]
    for paragraph in separators:
        assert "".join(paragraph.itertext()) == "" and paragraph.find(f"{W}r") is None
        assert [c.tag.removeprefix(W) for c in paragraph.find(f"{W}pPr")] == ["sectPr"]


@pytest.mark.parametrize("in_loop", [True, False])
def test_a_picture_a_loop_repeats_gets_its_own_id_each_time(tmp_path: Path, in_loop: bool) -> None:
    """A picture inside a loop is printed once per round, each with an id of its own; one
    outside every loop keeps its id, and the letter is not parsed again for it."""
    document = docx.Document()
    document.add_paragraph("{%p for i in items %}")
    document.add_paragraph("Rad {{ i }}")
    if in_loop:
        document.add_paragraph().add_run().add_picture(io.BytesIO(png()), width=docx.shared.Mm(10))
    document.add_paragraph("{%p endfor %}")
    if not in_loop:
        document.add_paragraph().add_run().add_picture(io.BytesIO(png()), width=docx.shared.Mm(10))
    path = tmp_path / "bild.docx"
    document.save(path)
    template = CompiledTemplate(path)
    assert template.sources["word/document.xml"].repeats_ids is in_loop
    body = etree.fromstring(template.render({"items": [1, 2, 3]}, "b-1").parts["word/document.xml"])
    ids = [e.get("id") for e in body.iter("{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr")]
    assert len(ids) == (3 if in_loop else 1) and len(set(ids)) == len(ids)
