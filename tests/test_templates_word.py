"""A municipality's own Word templates through ``--templates``: every part rendered, the print
file whole, each letter showing its own client — built with python-docx, and (LibreOffice-marked)
saved once by LibreOffice as a coordinator's template would be."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from formkit.cli import main
from formkit.docx import integrity
from formkit.pdf import convert
from wordcorpus import NAMES, build, letter_case, part_text, through_libreoffice

TAG = re.compile(r"\{[{%#]|[}%#]\}")


def run_letters(tmp_path: Path, template: Path, n: int = 25) -> Path:
    """``formkit check`` and ``formkit letters`` with ``template`` as brukarbrev-1.docx; the output folder."""
    folder = tmp_path / "mallar"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "brukarbrev-1.docx").write_bytes(template.read_bytes())
    case = letter_case(tmp_path, n)
    checked = CliRunner().invoke(main, ["check", str(case), "--templates", str(folder)])
    assert checked.exit_code == 0, checked.output
    out = tmp_path / "ut"
    result = CliRunner().invoke(main, ["letters", str(case), "-n", "1", "--templates", str(folder), "-o", str(out), "--date", "2026-02-01"])
    assert result.exit_code == 0, result.output
    return out


def all_text(data: bytes) -> str:
    """Every text in every part of a .docx (body, headers, footers, notes, properties)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "\n".join(
            " ".join(re.findall(r"<(?:w:t|dc:title)(?: [^>]*)?>([^<]*)<", archive.read(name).decode("utf-8")))
            for name in archive.namelist() if name.endswith(".xml")
        )


def check_letters(out: Path, n: int = 25) -> None:
    for i in range(n):
        data = (out / f"brukarbrev-1_b-{i + 1:03d}.docx").read_bytes()
        document = docx.Document(io.BytesIO(data))
        name = NAMES[i]
        assert document.core_properties.title == f"Brukarbrev till {name}"
        assert f"Till {name}." in [p.text for p in document.paragraphs]
        assert f"Brevet gäller: {name} (sidan 1)." in [p.text for p in document.paragraphs]
        assert "Hemtjänst Norra" in document.sections[0].header.paragraphs[0].text
        assert f"Brevet skickas till {name} från Hemtjänst Norra." in part_text(data, "word/footnotes.xml")
        assert "Frågor? Ring 08-123 456 11." in part_text(data, "word/endnotes.xml")
        text = all_text(data)
        assert "Du får hemtjänst från norra gruppen." in text and "Kontakt: Maria Lind" in text
        assert "{{ Detta är inget fält }} och inte {% detta heller %}." in text  # docxtpl's escapes
        assert not TAG.search(text.replace("{{ Detta är inget fält }}", "").replace("{% detta heller %}", "")), text
        rows = [[c.text for c in r.cells] for r in document.tables[0].rows]
        assert rows == [["Fråga", "Resultat"], ["Sammantaget nöjd", "84\u00a0%"], ["Bemötande", "91\u00a0%"], ["Trygghet", "78\u00a0%"]]
        columns = document.tables[1]
        assert [c.text for c in columns.rows[0].cells] == ["Sammantaget nöjd", "Bemötande", "Trygghet"]
        assert len(columns._tbl.tblGrid.findall(docx.oxml.ns.qn("w:gridCol"))) == 3  # the grid follows the loop


def check_print_file(out: Path, n: int = 25) -> bytes:
    data = (out / "utskrift_brukarbrev-1.docx").read_bytes()
    assert integrity.problems(data) == []
    document = docx.Document(io.BytesIO(data))
    assert len(document.sections) == n
    footnotes = part_text(data, "word/footnotes.xml")
    for name in NAMES[:n]:
        assert footnotes.count(f"Brevet skickas till {name} från") == 1
    return data


def test_own_template_renders_every_part_and_a_whole_print_file(tmp_path: Path) -> None:
    out = run_letters(tmp_path, build(tmp_path / "mall.docx"))
    check_letters(out)
    data = check_print_file(out)
    body = part_text(data, "word/document.xml")
    # each letter's REF and PAGEREF point at that letter's own bookmark
    for i in range(25):
        bookmark = "Mottagare" if i == 0 else f"Mottagare_{i + 1}"
        assert body.count(f'w:name="{bookmark}"') == 1
        assert f"REF {bookmark} \\h" in body and f"PAGEREF {bookmark} \\h" in body
    assert "commentReference" not in body  # the template author's comment is not printed
    assert "Brukarbrev till" not in part_text(data, "docProps/core.xml")  # no one client's name on the whole file


def test_template_with_tracked_changes_and_quotes_as_libreoffice_and_word_write_them(tmp_path: Path) -> None:
    for quotes in ("entity", "smart"):
        template = build(tmp_path / f"{quotes}.docx", quotes=quotes, tracked=True)
        assert ("&quot;Hemtjänst" if quotes == "entity" else "”Hemtjänst") in part_text(template.read_bytes(), "word/document.xml")
        out = run_letters(tmp_path / quotes, template, n=3)
        document = docx.Document(out / "brukarbrev-1_b-002.docx")
        texts = [p.text for p in document.paragraphs]
        assert "Du får hemtjänst från norra gruppen." in texts
        assert "Hälsningar Maria Lind" in texts  # the deleted {{ client.nme }} is not part of the template
        check_print_file(out, n=3)
    checked = CliRunner().invoke(main, ["check", str(tmp_path / "smart" / "arenden.yaml"), "--templates", str(tmp_path / "smart" / "mallar")])
    assert checked.exit_code == 0
    assert "spårade ändringar" in checked.output and "letters/brukarbrev-1.docx" in checked.output


def pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [page for page in text.split("\f") if page.strip()]


@pytest.mark.soffice
@pytest.mark.parametrize("split_runs", [True, False])
def test_template_saved_by_libreoffice_gives_each_letter_its_own_name(tmp_path: Path, split_runs: bool) -> None:
    """The acceptance: a logo in the header, a REF to a bookmark around {{ client.name }}, a
    footnote with a field and content controls, saved once by LibreOffice, used as
    brukarbrev-1.docx: the print file's PDF shows each letter's own name, no id repeats, the
    footnote is rendered."""
    saved = through_libreoffice(build(tmp_path / "src" / "mall.docx", quotes="entity", split_runs=split_runs), tmp_path / "lo")
    assert "&quot;Hemtjänst Norra&quot;" in part_text(saved.read_bytes(), "word/document.xml")
    out = run_letters(tmp_path, saved)
    check_letters(out)
    check_print_file(out)
    [pdf] = convert([out / "utskrift_brukarbrev-1.docx"])
    letters = pages(pdf)
    assert len(letters) >= 25
    seen = []
    for page in letters:
        to = re.search(r"Till (.+?)\.", page)
        if not to:
            continue  # a page with only the endnotes LibreOffice collects at the end
        name = to.group(1).strip()
        assert re.search(rf"Brevet gäller: {re.escape(name)} \(sidan 1\)", page), page
        assert re.search(rf"Brevet skickas till {re.escape(name)} från Hemtjänst Norra", page), page
        seen.append(name)
    assert seen == NAMES[:25]


@pytest.mark.soffice
def test_print_file_opens_in_libreoffice_with_a_page_per_letter(tmp_path: Path) -> None:
    out = run_letters(tmp_path, build(tmp_path / "mall.docx"), n=4)
    [pdf] = convert([out / "utskrift_brukarbrev-1.docx"])
    letters = [p for p in pages(pdf) if "Till " in p]
    assert [re.search(r"Till (.+?)\.", p).group(1) for p in letters] == NAMES[:4]
    for page, name in zip(letters, NAMES):
        assert f"Brevet gäller: {name}" in page and "1. Fyll i enkäten" in page
        assert "Sammantaget nöjd" in page and "Trygghet" in page


CUSTOM = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Properties xmlns="http://schemas.openxmlformats.org/'
          'officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
          '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="Mottagare"><vt:lpwstr>{{ client.name }}</vt:lpwstr>'
          '</property><property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="3" name="Enhet"><vt:lpwstr>{{ unit.name }}'
          '</vt:lpwstr></property></Properties>')


def with_custom_properties(path: Path) -> Path:
    """Add custom document properties (Arkiv > Egenskaper > Anpassade) holding fields."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members["docProps/custom.xml"] = CUSTOM.encode()
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(b"</Types>", (
        b'<Override PartName="/docProps/custom.xml" ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/></Types>'))
    members["_rels/.rels"] = members["_rels/.rels"].replace(b"</Relationships>", (
        b'<Relationship Id="rIdCustom" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties" '
        b'Target="docProps/custom.xml"/></Relationships>'))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_custom_document_properties_are_rendered_per_letter_and_left_empty_in_the_print_file(tmp_path: Path) -> None:
    out = run_letters(tmp_path, with_custom_properties(build(tmp_path / "mall.docx")), n=3)
    for i in range(3):
        custom = part_text((out / f"brukarbrev-1_b-{i + 1:03d}.docx").read_bytes(), "docProps/custom.xml")
        assert f"<vt:lpwstr>{NAMES[i]}</vt:lpwstr>" in custom and "<vt:lpwstr>Hemtjänst Norra</vt:lpwstr>" in custom
    data = check_print_file(out, n=3)
    custom = part_text(data, "docProps/custom.xml")
    assert "{{" not in custom and not any(name in custom for name in NAMES[:3])


@pytest.mark.soffice
def test_each_letters_footnote_is_numbered_from_1_in_the_pdf(tmp_path: Path) -> None:
    out = run_letters(tmp_path, build(tmp_path / "mall.docx"), n=3)
    [pdf] = convert([out / "utskrift_brukarbrev-1.docx"])
    letters = [p for p in pages(pdf) if "Till " in p]
    for page, name in zip(letters, NAMES):
        assert re.search(rf"^\s*1 ?Brevet skickas till {re.escape(name)} från", page, flags=re.M), page
