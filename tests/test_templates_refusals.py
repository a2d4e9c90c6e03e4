"""What formkit will not render is refused by ``check`` and by the command alike, with the
template, the part and the paragraph — never a traceback, never letters with raw tags; and the
tag forms Word, LibreOffice and docxtpl's documentation use are read as meant."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from formkit.cli import main
from formkit.docx import integrity
from formkit.docx.combine import combine
from formkit.docx.render import CompiledTemplate
from formkit.errors import TemplateError
from helpers import write_case
from wordcorpus import fragment, notes_part, png, rewrite, run

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def letter(path: Path, *paragraphs: str, footer: str = "", first_header: str = "", footnotes: tuple[str, ...] = (),
           title: str = "") -> Path:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if footer:
        document.sections[0].footer.paragraphs[0].text = footer
    if first_header:
        document.sections[0].different_first_page_header_footer = True
        document.sections[0].first_page_header.paragraphs[0].text = first_header
    if title:
        document.core_properties.title = title
    for i, _ in enumerate(footnotes):
        document.paragraphs[0]._p.extend(fragment(f'<w:r><w:footnoteReference w:id="{i + 1}"/></w:r>'))
    if footnotes:
        notes_part(document, "footnotes", run(footnotes[0]))
    document.save(path)
    if len(footnotes) > 1:
        extra = "".join(f'<w:footnote w:id="{i + 1}"><w:p>{run(text)}</w:p></w:footnote>' for i, text in enumerate(footnotes) if i)
        rewrite(path, "word/footnotes.xml", lambda xml: xml.replace("</w:footnotes>", extra + "</w:footnotes>"))
    return path


def both(tmp_path: Path, template: Path) -> tuple[str, str]:
    """The output of ``check`` and of ``letters`` with ``template`` as brukarbrev-1.docx; both
    must fail with exit 1 and write nothing."""
    folder = tmp_path / "mallar"
    folder.mkdir(exist_ok=True)
    (folder / "brukarbrev-1.docx").write_bytes(template.read_bytes())
    case = write_case(tmp_path)
    checked = CliRunner().invoke(main, ["check", str(case), "--templates", str(folder)])
    out = tmp_path / "ut"
    made = CliRunner().invoke(main, ["letters", str(case), "-n", "1", "--templates", str(folder), "-o", str(out)])
    for result in (checked, made):
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output and "oväntat fel" not in result.output
        assert "brukarbrev-1.docx" in result.output
    assert not out.exists() or not any(out.iterdir())
    return checked.output, made.output


@pytest.mark.parametrize(("where", "build", "paragraph"), [
    ("brödtexten", lambda p: letter(p, "Hej", "Till { { client.name }}"), "Till { { client.name }}"),
    ("sidfoten", lambda p: letter(p, "Hej {{ client.name }}", footer="Sida {{ unit.name }"), "Sida {{ unit.name }"),
    ("sidhuvudet på första sidan", lambda p: letter(p, "Hej", first_header="Till {{ client.name }"), "Till {{ client.name }"),
    ("fotnot 2", lambda p: letter(p, "Hej", footnotes=("Rätt {{ unit.name }}", "Fel {% if client.name %}")), "Fel {% if client.name %}"),
    ("dokumentegenskaperna", lambda p: letter(p, "Hej", title="Brev till {{ client.name }"), "Brev till {{ client.name }"),
])
def test_a_tag_that_cannot_be_read_is_refused_with_its_part_and_paragraph(tmp_path: Path, where: str, build, paragraph: str) -> None:
    for output in both(tmp_path, build(tmp_path / "mall.docx")):
        assert where in output and paragraph in output, output


def test_strict_open_xml_is_refused(tmp_path: Path) -> None:
    path = letter(tmp_path / "mall.docx", "Hej {{ client.name }}")
    rewrite(path, "word/document.xml", lambda xml: xml.replace(
        "http://schemas.openxmlformats.org/wordprocessingml/2006/main", "http://purl.oclc.org/ooxml/wordprocessingml/main"))
    for output in both(tmp_path, path):
        assert "Strikt Open XML" in output and "spara den som Word-dokument" in output


def test_a_picture_missing_from_the_file_is_refused(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Hej {{ client.name }}")
    document.add_picture(io.BytesIO(png()))
    document.save(tmp_path / "full.docx")
    with zipfile.ZipFile(tmp_path / "full.docx") as source, zipfile.ZipFile(tmp_path / "mall.docx", "w") as target:
        for info in source.infolist():
            if not info.filename.startswith("word/media/"):
                target.writestr(info, source.read(info))
    for output in both(tmp_path, tmp_path / "mall.docx"):
        assert "brödtexten" in output and "en bild" in output and "finns inte i filen" in output


def test_check_lists_every_problem_of_every_template_with_its_part(tmp_path: Path) -> None:
    folder = tmp_path / "mallar"
    folder.mkdir()
    letter(folder / "brukarbrev-1.docx", "Hej { { client.name }}", footer="{{ unit.nmae }}")
    letter(folder / "brukarbrev-2.docx", "Tack {{ client.name }", footnotes=("{{ clinet.name }}",))
    letter(folder / "mitt-brev.docx", "Hej")
    result = CliRunner().invoke(main, ["check", str(write_case(tmp_path)), "--templates", str(folder)])
    assert result.exit_code == 1
    for expected in (
        'letters/brukarbrev-1.docx: brödtexten, stycket "Hej { { client.name }}": en tagg har ett mellanslag',
        "letters/brukarbrev-1.docx: sidfoten, stycket \"{{ unit.nmae }}\": fältet 'unit.nmae' finns inte i datan; menade du 'unit.name'?",
        'letters/brukarbrev-2.docx: brödtexten, stycket "Tack {{ client.name }": en tagg är inte stängd',
        "letters/brukarbrev-2.docx: fotnot 1, stycket \"{{ clinet.name }}\": fältet 'clinet.name' finns inte",
    ):
        assert expected in result.output, result.output


def test_check_notes_a_file_no_command_uses(tmp_path: Path) -> None:
    folder = tmp_path / "mallar"
    folder.mkdir()
    letter(folder / "mitt-brev.docx", "Hej {{ client.name }}")
    result = CliRunner().invoke(main, ["check", str(write_case(tmp_path)), "--templates", str(folder)])
    assert result.exit_code == 0
    assert "mitt-brev.docx: ingen mall i formkit heter så" in result.output


def texts(data: bytes) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]


def test_docxtpl_tag_forms_work_as_documented(tmp_path: Path) -> None:
    path = letter(
        tmp_path / "t.docx",
        "{%p if show %}",
        "Visas {{r name }} i en egen körning",
        "{%p endif %}",
        "{%p for item in items %}",
        "Punkt {{ item }}",
        "{%p endfor %}",
        "Klammer {_{ x }_} och {_% y %_} står kvar",
        "{#p en kommentar som inte syns #}",
        "Slut",
    )
    template = CompiledTemplate(path)
    shown = texts(template.render({"show": True, "name": "Å & Ö", "items": ["a", "b"]}, "r").to_bytes())
    assert shown == ["Visas Å & Ö i en egen körning", "Punkt a", "Punkt b", "Klammer {{ x }} och {% y %} står kvar", "Slut"]
    hidden = texts(template.render({"show": False, "name": "x", "items": []}, "r").to_bytes())
    assert hidden == ["Klammer {{ x }} och {% y %} står kvar", "Slut"]
    # a value that looks like an escape is printed as it is, never turned into a tag
    assert texts(template.render({"show": True, "name": "{_{ z }_}", "items": []}, "r").to_bytes())[0] == "Visas {_{ z }_} i en egen körning"


def test_tags_split_by_bookmarks_proofing_and_tracked_changes_are_joined(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph()
    paragraph = document.paragraphs[0]._p
    paragraph.extend(fragment(
        run("{{ cli") + '<w:bookmarkStart w:id="5" w:name="Namn"/><w:proofErr w:type="spellStart"/>' + run("ent.na", "<w:i/>")
        + '<w:proofErr w:type="spellEnd"/>' + '<w:ins w:id="1" w:author="A" w:date="2026-01-01T00:00:00Z">' + run("me")
        + '</w:ins><w:del w:id="2" w:author="A" w:date="2026-01-01T00:00:00Z"><w:r><w:delText>xx }}</w:delText></w:r></w:del>'
        + run(" }}") + '<w:bookmarkEnd w:id="5"/>' + run(" slut")))
    document.save(tmp_path / "t.docx")
    data = CompiledTemplate(tmp_path / "t.docx").render({"client": {"name": "Åsa"}}, "r").to_bytes()
    assert texts(data) == ["Åsa slut"]
    body = docx.Document(io.BytesIO(data)).element.body
    assert [b.get(f"{W}name") for b in body.iter(f"{W}bookmarkStart")] == ["Namn"]
    assert len(list(body.iter(f"{W}bookmarkEnd"))) == 1
    assert not list(body.iter(f"{W}del")) and not list(body.iter(f"{W}ins"))


def test_numbering_stays_in_schema_order_with_a_cleanup_mark(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Hej {{ name }}")
    document.add_paragraph("Punkt", style="List Number")
    document.save(tmp_path / "t.docx")
    rewrite(tmp_path / "t.docx", "word/numbering.xml",
            lambda xml: xml.replace("</w:numbering>", '<w:numIdMacAtCleanup w:val="2"/></w:numbering>'))
    template = CompiledTemplate(tmp_path / "t.docx")
    data = combine([template.render({"name": n}, n) for n in ("A", "B", "C")])
    assert integrity.problems(data) == []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        numbering = archive.read("word/numbering.xml").decode()
    assert numbering.rstrip().endswith('<w:numIdMacAtCleanup w:val="2"/></w:numbering>')


def test_a_syntax_error_in_a_footnote_names_the_footnote(tmp_path: Path) -> None:
    path = letter(tmp_path / "t.docx", "Hej", footnotes=("Not {% if x %} utan slut",))
    with pytest.raises(TemplateError) as info:
        CompiledTemplate(path)
    assert 'fotnot 1, stycket "Not {% if x %} utan slut"' in str(info.value)


def test_a_picture_and_a_checkbox_repeated_by_a_loop_get_their_own_ids(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("{%p for item in items %}")
    item = document.add_paragraph("Punkt {{ item }}")
    item.add_run().add_picture(io.BytesIO(png()))
    item._p.extend(fragment('<w:sdt><w:sdtPr><w:id w:val="77"/></w:sdtPr><w:sdtContent>' + run("☐") + "</w:sdtContent></w:sdt>"))
    document.add_paragraph("{%p endfor %}")
    document.sections[0].header.paragraphs[0].add_run().add_picture(io.BytesIO(png()))
    document.save(tmp_path / "t.docx")
    template = CompiledTemplate(tmp_path / "t.docx")
    rendered = [template.render({"items": ["a", "b", "c"]}, n) for n in ("A", "B")]
    assert integrity.problems(rendered[0].to_bytes()) == []
    assert integrity.problems(combine(rendered)) == []
