"""Building blocks shared by the scripts that generate the bundled .docx forms
(``make_form_templates.py``, ``make_opencare_templates.py``): an A4 page with Swedish styles,
a header and a page-number footer, the paragraph that holds only a docxtpl tag, shaded cells
and column widths."""

from __future__ import annotations

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor


def new_document(header: str, footer: str = "{{ organisation.name }} · sida ", heading_size: int = 14) -> Document:
    """An A4 document with Swedish styles, a header naming the form and a page-number footer
    (``footer`` is the text before the page number)."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.0)
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(1.8)
    section.header_distance = section.footer_distance = Cm(1.0)
    styles = doc.styles
    normal = styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = Pt(6)
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), "Arial")
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "sv-SE")
    rpr.append(lang)
    for name, size in (("Title", 20), ("Heading 1", heading_size), ("Heading 2", 12), ("Heading 3", 11)):
        style = styles[name]
        style.font.name = "Arial"
        style.font.size = Pt(size)
        style.font.color.rgb = RGBColor(0x1F, 0x3A, 0x5F)
        style.paragraph_format.space_before = Pt(12 if name != "Title" else 0)
        style.paragraph_format.space_after = Pt(4)
        style.paragraph_format.keep_with_next = True
    head = section.header.paragraphs[0]
    head.text = header
    head.runs[0].font.size = Pt(9)
    foot = section.footer.paragraphs[0]
    foot.add_run(footer).font.size = Pt(9)
    page_field(foot)
    return doc


def page_field(paragraph) -> None:
    run = paragraph.add_run()
    run.font.size = Pt(9)
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, None), ("end", None)):
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {text} "
            run._r.append(instr)
        else:
            t = OxmlElement("w:t")
            t.text = "1"
            run._r.append(t)


def tag(doc: Document, text: str) -> None:
    """A paragraph holding only a docxtpl paragraph tag ({%p ... %}); it vanishes on render."""
    doc.add_paragraph(text)


def shade(cell, fill: str = "DCE6F0") -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tc_pr.append(shd)


def widths(table, cms: list[float]) -> None:
    """Column widths in both places Word and LibreOffice read them (grid and cells)."""
    table.autofit = False
    for col, width in zip(table.columns, cms):
        col.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, cms):
            cell.width = Cm(width)
