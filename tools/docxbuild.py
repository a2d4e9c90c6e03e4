"""Building blocks shared by the scripts that generate the bundled .docx templates
(``make_letter_templates.py``, ``make_form_templates.py``, ``make_opencare_templates.py``).

Why one module: the rules that make a page print the same in Word and LibreOffice live here
once. One font family in every style (Arial; LibreOffice draws it with the metric-compatible
Liberation Sans, so lines and pages break alike), Swedish as the document language (so
LibreOffice writes ``/Lang (sv-SE)`` into a PDF and spell-checks in Swedish), page-break
control (headings and question labels keep with what follows; signature blocks, answer boxes
and table rows are not split), and the address frame for a left-window envelope.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from docx import Document
from lxml import etree
from docx.enum.table import WD_ROW_HEIGHT_RULE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

FONT = "Arial"
LANGUAGE = "sv-SE"
FONT_ATTRS = ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia")
THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")
HEADING_COLOUR = RGBColor(0x1F, 0x3A, 0x5F)


def mm_twips(mm: float) -> str:
    return str(round(mm * 1440 / 25.4))


def save(doc: Document, path: Path) -> bool:
    """Write ``doc`` to ``path`` unless the file there already holds the same parts; return
    whether it was written. A .docx differs in bytes on every save (zip timestamps), so this
    keeps an unchanged template unchanged in git."""
    buffer = io.BytesIO()
    doc.save(buffer)
    data = buffer.getvalue()
    if path.exists() and _parts(path.read_bytes()) == _parts(data):
        return False
    path.write_bytes(data)
    return True


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {name: package.read(name) for name in package.namelist()}


# --- the house style -------------------------------------------------------------------------

def house_style(doc: Document, title: str) -> None:
    """One font family and Swedish everywhere a style, a theme or a setting names them.

    python-docx's default template points the body at the theme's Calibri and the headings at
    Cambria/Calibri Light; a style's own font name does not win over a theme reference, which
    is how form headings came out in Calibri beside an Arial body. So every theme reference is
    removed, the document defaults name the font, and the theme itself names it too (a user
    who picks "theme font" in Word still gets Arial)."""
    styles = doc.styles.element
    _one_font(styles)
    defaults = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = defaults.find(qn("w:lang"))
    for attr in ("w:val", "w:eastAsia"):
        lang.set(qn(attr), LANGUAGE)
    for style in doc.styles:
        rpr = style.element.find(qn("w:rPr"))
        if rpr is not None and rpr.find(qn("w:lang")) is not None:
            rpr.remove(rpr.find(qn("w:lang")))
    settings = doc.settings.element
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is None:
        theme_lang = OxmlElement("w:themeFontLang")
        settings.find(qn("w:defaultTabStop")).addnext(theme_lang)
    theme_lang.set(qn("w:val"), LANGUAGE)
    for part in doc.part.package.iter_parts():
        name = str(part.partname)
        if name.endswith("/theme1.xml"):
            part._blob = re.sub(rb'<a:latin typeface="[^"]*"', b'<a:latin typeface="' + FONT.encode() + b'"', part.blob)
        elif name.endswith("/stylesWithEffects.xml"):  # Word 2010's copy of the styles
            copy = etree.fromstring(part.blob)
            _one_font(copy)
            part._blob = etree.tostring(copy, xml_declaration=True, encoding="UTF-8", standalone=True)
    doc.core_properties.title = title
    doc.core_properties.language = LANGUAGE
    doc.core_properties.author = "formkit"


def _one_font(styles) -> None:
    """Every rFonts in a styles part names the house font and no theme font."""
    for fonts in styles.iter(qn("w:rFonts")):
        for attr in THEME_ATTRS:
            fonts.attrib.pop(qn(attr), None)
        for attr in FONT_ATTRS:
            fonts.set(qn(attr), FONT)


def set_font(style, size: float, bold: bool | None = None, colour: RGBColor | None = None) -> None:
    """A style's size, weight and colour; the family always the house font."""
    style.font.name = FONT
    style.font.size = Pt(size)
    if bold is not None:
        style.font.bold = bold
    if colour is not None:
        style.font.color.rgb = colour
    fonts = style.element.get_or_add_rPr().find(qn("w:rFonts"))
    for attr in FONT_ATTRS:
        fonts.set(qn(attr), FONT)


def new_document(header: str, title: str, footer: str = "{{ organisation.name }} · sida ",
                 heading_size: int = 14) -> Document:
    """An A4 form with the house style, a header naming the form and a page-number footer
    (``footer`` is the text before the page number)."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.0)
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(1.8)
    section.header_distance = section.footer_distance = Cm(1.0)
    styles = doc.styles
    normal = styles["Normal"]
    set_font(normal, 11)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.0
    normal.paragraph_format.widow_control = True
    for name, size in (("Title", 20), ("Heading 1", heading_size), ("Heading 2", 12), ("Heading 3", 11)):
        style = styles[name]
        set_font(style, size, bold=True, colour=HEADING_COLOUR)
        style.paragraph_format.space_before = Pt(12 if name != "Title" else 0)
        style.paragraph_format.space_after = Pt(4)
        style.paragraph_format.keep_with_next = True
    for name in ("Header", "Footer", "List Bullet", "List Number"):
        set_font(styles[name], 11 if name.startswith("List") else 9)
    house_style(doc, title)
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
    """A paragraph holding only a docxtpl paragraph tag ({%p ... %}); it vanishes on render.
    It keeps with the next paragraph so that a tag row can never be where a page breaks."""
    doc.add_paragraph(text).paragraph_format.keep_with_next = True


# --- the address window ----------------------------------------------------------------------

def address_frame(paragraph) -> None:
    """Fix ``paragraph`` on the page where a left-window C5/C4 envelope shows it.

    The window of a C5/C4 envelope for an A4 sheet (SS 031 710, like DIN 5008's address
    field) lies 20 mm from the left and 45–90 mm from the top. The frame starts 48 mm down
    (clear of the window's top edge, so the sender line above it stays hidden) and reaches
    92 mm: 90 × 44 mm, room for seven lines, and since no text may stand beside it (wrap
    "notBeside") the body starts below the window, so no word of the letter shows in it. The
    frame is anchored to the page, not the text."""
    ppr = paragraph._p.get_or_add_pPr()
    frame = OxmlElement("w:framePr")
    for key, value in (
        ("w:w", mm_twips(90)), ("w:h", mm_twips(44)), ("w:hRule", "exact"), ("w:wrap", "notBeside"),
        ("w:vAnchor", "page"), ("w:hAnchor", "page"), ("w:x", mm_twips(20)), ("w:y", mm_twips(48)),
    ):
        frame.set(qn(key), value)
    ppr.insert(0, frame)
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.space_before = Pt(0)
    paragraph.paragraph_format.line_spacing = 1.0


def sender_and_address(doc: Document, sender: str) -> None:
    """The sender line at the top of the page, then the recipient's address in the frame for a
    left-window envelope, then room so that the text starts below the window.

    The address lines are consecutive framed paragraphs (one per line, from a paragraph loop):
    Word and LibreOffice draw paragraphs with the same frame properties as one frame. The
    sender line stands above the window (20–30 mm from the top), so it never shows in it."""
    doc.add_paragraph(sender).runs[0].font.size = Pt(9)
    tag(doc, "{%p for line in recipient.address_lines %}")
    address_frame(doc.add_paragraph("{{ line }}"))
    tag(doc, "{%p endfor %}")
    # an empty 18 mm line ends above the window; the next paragraph cannot stand beside the
    # frame (wrap "notBeside"), so it starts below the window, as in a letter
    spacer = doc.add_paragraph()
    spacer.paragraph_format.line_spacing = Pt(52)
    spacer.paragraph_format.space_after = Pt(0)


# --- page-break control ----------------------------------------------------------------------

def keep_together(paragraphs) -> None:
    """A block (a signature, a closing) that must not be split over two pages: every
    paragraph but the last keeps with the next."""
    paragraphs = list(paragraphs)
    for para in paragraphs[:-1]:
        para.paragraph_format.keep_with_next = True
        para.paragraph_format.keep_together = True
    if paragraphs:
        paragraphs[-1].paragraph_format.keep_together = True


def cant_split(row) -> None:
    """A table row (an answer box, a line of a table) is never split over two pages."""
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def repeat_header(row) -> None:
    """The header row repeats on every page, is not split, and is marked as the table's header
    (a tagged PDF then marks its cells as TH)."""
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))
    tr_pr.append(OxmlElement("w:tblHeader"))
    for cell in row.cells:
        for para in cell.paragraphs:
            para.paragraph_format.keep_with_next = True


def row_height(row, cm: float, exact: bool = False) -> None:
    row.height = Cm(cm)
    row.height_rule = WD_ROW_HEIGHT_RULE.EXACTLY if exact else WD_ROW_HEIGHT_RULE.AT_LEAST
    cant_split(row)


def no_split_table(table) -> None:
    """Every row unsplittable and every row but the last kept with the next: a small table
    (facts, a figure) moves to the next page whole instead of leaving a row behind."""
    rows = list(table.rows)
    for i, row in enumerate(rows):
        if row._tr.trPr is None or row._tr.trPr.find(qn("w:cantSplit")) is None:
            cant_split(row)
        if i < len(rows) - 1:
            for cell in row.cells:
                for para in cell.paragraphs:
                    para.paragraph_format.keep_with_next = True


# --- tables ----------------------------------------------------------------------------------

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


__all__ = [
    "FONT", "LANGUAGE", "Mm", "address_frame", "cant_split", "house_style", "keep_together", "mm_twips",
    "new_document", "no_split_table", "save", "page_field", "repeat_header", "row_height", "sender_and_address", "set_font", "shade",
    "tag", "widths",
]
