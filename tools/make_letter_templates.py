"""Generate the bundled survey-letter templates (brukarbrev 1–4 and the inner-envelope sheet).

Why a script: the templates are real Word files that users edit, but the versions we ship
should be reproducible and reviewable. Run it after changing any text here:

    python tools/make_letter_templates.py

Layout (A4, Swedish letter practice):
* a letterhead in the page header (organisation, department, unit, date at the right);
* the recipient's address in a fixed-position frame 20 mm from the left edge and 48 mm from
  the top of the page, 90 × 44 mm, so it shows in the left window of a C5 or C4 envelope
  (SS 031 710 places the address field about there);
* the organisation's address and the page number in the footer.
Text follows klarspråk: "du", the most important first, short sentences.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from docxbuild import (  # noqa: E402  (tools/ is on sys.path when run as a script)
    save, address_frame, cant_split, house_style, keep_together, mm_twips, repeat_header, set_font, shade, widths,
)  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "templates" / "letters"



# --- document set-up -------------------------------------------------------------------------

def new_document(title: str, size: float = 12) -> Document:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(20), Mm(20)
    section.top_margin, section.bottom_margin = Mm(46), Mm(22)
    section.header_distance, section.footer_distance = Mm(12), Mm(10)
    styles = doc.styles
    normal = styles["Normal"]
    set_font(normal, size)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.1
    normal.paragraph_format.widow_control = True
    for name, points in (("Heading 1", 16), ("Heading 2", 13), ("Title", 18)):
        style = styles[name]
        set_font(style, points, bold=True, colour=RGBColor(0x1F, 0x1F, 0x1F))
        style.paragraph_format.space_before = Pt(12 if name != "Title" else 0)
        style.paragraph_format.space_after = Pt(4)
        style.paragraph_format.keep_with_next = True
    for name in ("List Bullet", "List Number"):
        set_font(styles[name], size)
    for name in ("Header", "Footer"):
        set_font(styles[name], 10)
        ppr = styles[name].element.get_or_add_pPr()
        for tabs in ppr.findall(qn("w:tabs")):  # the default centre/right stops are for US Letter
            ppr.remove(tabs)
    house_style(doc, title)
    return doc


def add_field(paragraph, instruction: str, placeholder: str = "1") -> None:
    """A Word field such as PAGE, as begin/instr/separate/result/end runs."""
    for kind, text in (("begin", None), ("instr", instruction), ("separate", None), ("text", placeholder), ("end", None)):
        run = paragraph.add_run()
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {text} "
            run._r.append(instr)
        elif kind == "text":
            run.text = text
        else:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._r.append(fld)


def letterhead(doc: Document) -> None:
    section = doc.sections[0]
    header = section.header
    first = header.paragraphs[0]
    first.paragraph_format.tab_stops.add_tab_stop(Mm(170), WD_TAB_ALIGNMENT.RIGHT)
    first.add_run("{{ organisation.name }}").bold = True
    first.add_run("\tDatum: {{ today|iso_date }}")
    header.add_paragraph("{{ organisation.department }}", style="Header")
    header.add_paragraph("{{ unit.name }}", style="Header")
    for p in header.paragraphs:
        p.paragraph_format.space_after = Pt(0)
    footer = section.footer
    line = footer.paragraphs[0]
    line.paragraph_format.tab_stops.add_tab_stop(Mm(170), WD_TAB_ALIGNMENT.RIGHT)
    line.add_run(
        "{{ organisation.name }}, {{ organisation.address.street }}, {{ organisation.address.postcode }} "
        "{{ organisation.address.city }}{% if organisation.phone %} · {{ organisation.phone }}{% endif %}"
        "{% if organisation.website %} · {{ organisation.website }}{% endif %}\tSida "
    )
    add_field(line, "PAGE")


def address_block(doc: Document, text: str) -> None:
    """The recipient's address in the frame for a left-window envelope."""
    address_frame(doc.add_paragraph(text))


def either(du: str, copy: str) -> str:
    """The client's own letter says "du"; the copy to a representative speaks of the client."""
    return "{% if recipient.is_copy %}" + copy + "{% else %}" + du + "{% endif %}"


def copy_notice(doc: Document) -> None:
    doc.add_paragraph("{%p if recipient.is_copy %}")
    p = doc.add_paragraph()
    p.add_run(
        "Du får det här brevet som {{ recipient.role_phrase }}. "
        "{{ client.name }} har fått ett eget brev om samma sak."
    ).italic = True
    doc.add_paragraph("{%p endif %}")


def contact_block(doc: Document, heading: str = "Har du frågor?") -> None:
    """Whom to ask, and the signature: one block that never leaves its last lines alone on a
    page (the heading keeps with the text, the text with the greeting, the greeting with the
    name)."""
    doc.add_heading(heading, level=2)
    ask = doc.add_paragraph(
        "Ring eller mejla {% if contact.title %}{{ contact.title|lower }} {% endif %}{{ contact.name }}. "
        + either("Du kan också prata med personalen som kommer hem till dig.",
                 "Du kan också prata med personalen som kommer hem till {{ client.name }}.")
    )
    reach = doc.add_paragraph(
        "{% if contact.phone %}Telefon: {{ contact.phone }}{% endif %}"
        "{% if contact.phone and contact.email %}   {% endif %}"
        "{% if contact.email %}E-post: {{ contact.email }}{% endif %}"
    )
    greeting = doc.add_paragraph("Med vänliga hälsningar")
    greeting.paragraph_format.space_before = Pt(6)
    sign = doc.add_paragraph("{{ contact.name }}")
    sign.paragraph_format.space_after = Pt(0)
    role = doc.add_paragraph("{% if contact.title %}{{ contact.title|capitalize }}, {% endif %}{{ unit.name }}")
    keep_together([ask, reach, greeting, sign, role])


def bullet(doc: Document, text: str) -> None:
    doc.add_paragraph(text, style="List Bullet")


def numbered(doc: Document, text: str) -> None:
    doc.add_paragraph(text, style="List Number")


def start_letter(title: str, size: float = 12) -> Document:
    doc = new_document(title, size)
    letterhead(doc)
    address_block(doc, "{{ recipient.address_block }}")
    copy_notice(doc)
    return doc


# --- the letters -------------------------------------------------------------------------------

def letter_1() -> Document:
    doc = start_letter("Brukarbrev 1: enkäten kommer")
    doc.add_heading(either("Snart får du en enkät om hemtjänsten – vi vill gärna att du svarar",
                           "Snart får {{ client.name }} en enkät om hemtjänsten"), level=1)
    doc.add_paragraph(either(
        "Om några veckor får du en enkät med posten från Socialstyrelsen. Den heter "
        "”Vad tycker de äldre om äldreomsorgen?” och handlar om hur du tycker att hemtjänsten fungerar "
        "för dig. {% if survey.answer_by %}Svara senast {{ survey.answer_by|long_date }}.{% endif %}",
        "Om några veckor får {{ client.name }} en enkät med posten från Socialstyrelsen. Den heter "
        "”Vad tycker de äldre om äldreomsorgen?” och handlar om hur hemtjänsten fungerar. "
        "{% if survey.answer_by %}Sista dag att svara är {{ survey.answer_by|long_date }}.{% endif %}"))
    doc.add_heading(either("Därför är ditt svar viktigt", "Därför är svaren viktiga"), level=2)
    doc.add_paragraph(either(
        "Dina svar visar vad vi på {{ unit.name }} gör bra och vad vi behöver bli bättre på. "
        "Vi använder resultatet när vi planerar hur hemtjänsten ska bli bättre för dig och andra. "
        "Vi vill också höra från dig som är nöjd.",
        "Svaren visar vad vi på {{ unit.name }} gör bra och vad vi behöver bli bättre på. "
        "Vi använder resultatet när vi planerar hur hemtjänsten ska bli bättre."))
    doc.add_heading(either("Så här svarar du", "Så här går det till"), level=2)
    numbered(doc, either("Läs frågorna och kryssa i de svar som stämmer för dig.",
                         "Frågorna besvaras genom att kryssa i de svar som stämmer."))
    numbered(doc, either("Lägg enkäten i svarskuvertet som följer med. Du behöver inte sätta på något frimärke.",
                         "Enkäten läggs i svarskuvertet som följer med. Det behövs inget frimärke."))
    numbered(doc, either("Posta kuvertet. Om du vill kan personalen som kommer hem till dig posta det åt dig.",
                         "Kuvertet postas. Personalen kan posta det om {{ client.name }} vill."))
    doc.add_paragraph(either(
        "Du kan också svara på internet. Hur du gör står i brevet från Socialstyrelsen.",
        "Det går också att svara på internet. Hur det går till står i brevet från Socialstyrelsen."))
    doc.add_heading(either("Det är frivilligt, och dina svar är skyddade", "Det är frivilligt, och svaren är skyddade"), level=2)
    doc.add_paragraph(either(
        "Du väljer själv om du vill svara. Svaren är konfidentiella: enkäten har ett nummer, men vi på "
        "hemtjänsten får aldrig veta vad just du har svarat. En anhörig eller någon annan du litar på kan "
        "hjälpa dig att fylla i den.",
        "{{ client.name }} väljer själv om enkäten ska besvaras. Svaren är konfidentiella: enkäten har ett "
        "nummer, men vi på hemtjänsten får aldrig veta vad just {{ client.name }} har svarat. Du får gärna "
        "hjälpa till, men det är {{ client.name }} som svarar."))
    contact_block(doc)
    return doc


def letter_2() -> Document:
    doc = start_letter("Brukarbrev 2: tack")
    doc.add_heading(either("Tack för att du svarade på enkäten", "Tack för svaren på enkäten om hemtjänsten"), level=1)
    doc.add_paragraph(either(
        "Tack till dig som har svarat på Socialstyrelsens enkät om hemtjänsten {{ survey.year }}. "
        "Dina svar hjälper oss på {{ unit.name }} att bli bättre.",
        "Tack till alla som har svarat på Socialstyrelsens enkät om hemtjänsten {{ survey.year }}, och tack "
        "till dig om du hjälpte {{ client.name }} att svara. Svaren hjälper oss på {{ unit.name }} att bli bättre."))
    doc.add_heading("Det här händer nu", level=2)
    bullet(doc, "Socialstyrelsen sammanställer svaren från hela landet.")
    bullet(doc, "I höst får vi resultatet för {{ unit.name }}.")
    bullet(doc, either("Då skickar vi ett brev till dig om vad resultatet visar och vad vi ska göra bättre.",
                       "Då skickar vi ett brev till {{ client.name }}, med en kopia till dig, om vad resultatet visar "
                       "och vad vi ska göra bättre."))
    doc.add_heading(either("Du kan alltid säga vad du tycker", "Ni kan alltid säga vad ni tycker"), level=2)
    doc.add_paragraph(either(
        "Du behöver inte vänta på nästa enkät. Berätta för personalen eller kontakta oss när du vill "
        "om något är bra eller borde bli bättre.",
        "Ni behöver inte vänta på nästa enkät. Berätta för personalen eller kontakta oss när ni vill "
        "om något är bra eller borde bli bättre."))
    contact_block(doc)
    return doc


def letter_3() -> Document:
    doc = start_letter("Brukarbrev 3: säg vad du tycker")
    doc.add_heading(either("Vi vill veta vad du tycker – hela året", "Vi vill veta vad ni tycker – hela året"), level=1)
    doc.add_paragraph(either(
        "Du kan alltid lämna synpunkter och klagomål på hemtjänsten. Med det här brevet får du ett "
        "synpunktskort och ett svarskuvert. Fyll i kortet, lägg det i svarskuvertet och posta det. "
        "Du behöver inte sätta på något frimärke.",
        "{{ client.name }} och du kan alltid lämna synpunkter och klagomål på hemtjänsten. Med det här brevet "
        "följer ett synpunktskort och ett svarskuvert. Fyll i kortet, lägg det i svarskuvertet och posta det. "
        "Det behövs inget frimärke."))
    doc.add_paragraph("{%p if survey.examples %}")
    doc.add_heading("Det här har vi gjort på {{ unit.name }}", level=2)
    doc.add_paragraph("{%p for example in survey.examples %}")
    bullet(doc, "{{ example }}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{%p endif %}")
    doc.add_heading("Så lämnar du synpunkter och klagomål", level=2)
    bullet(doc, "Fyll i synpunktskortet på nästa sida och skicka det i svarskuvertet.")
    bullet(doc, "Ring eller mejla {{ contact.name }} (kontaktuppgifter längre ner).")
    bullet(doc, either("Berätta för personalen som kommer hem till dig. De för det vidare.",
                       "Berätta för personalen som kommer hem till {{ client.name }}. De för det vidare."))
    doc.add_paragraph(
        "Vi läser alla synpunkter och klagomål och använder dem för att bli bättre. Vill du ha svar "
        "skriver du ditt namn och hur vi når dig. Du kan också vara anonym."
    )
    doc.add_paragraph(
        "Är du inte nöjd med hur vi har tagit hand om ditt klagomål kan du vända dig till "
        "Inspektionen för vård och omsorg (IVO), www.ivo.se."
    )
    contact_block(doc)
    # the synpunktskort on a page of its own
    card_title = doc.add_paragraph(style="Title")
    card_title.paragraph_format.page_break_before = True
    card_title.add_run("Synpunktskort – {{ unit.name }}")
    doc.add_paragraph("Kryssa i det som passar:")
    doc.add_paragraph("☐ Synpunkt     ☐ Klagomål     ☐ Beröm     ☐ Förslag")
    doc.add_paragraph("Det här vill jag berätta:")
    table = doc.add_table(rows=8, cols=1)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _writing_lines(table)
    doc.add_paragraph("Vill du ha svar? Skriv ditt namn och ditt telefonnummer eller din adress:").paragraph_format.space_before = Pt(12)
    table = doc.add_table(rows=2, cols=1)
    _writing_lines(table)
    doc.add_paragraph(
        "Lägg kortet i svarskuvertet och posta det. Kortet går till {{ unit.name }}, "
        "{{ organisation.name }}, {{ organisation.address.street }}, {{ organisation.address.postcode }} "
        "{{ organisation.address.city }}."
    ).paragraph_format.space_before = Pt(12)
    return doc


def _writing_lines(table) -> None:
    """Rows of a borderless table with a bottom line each: room to write by hand."""
    for row in table.rows:
        tr_pr = row._tr.get_or_add_trPr()
        height = OxmlElement("w:trHeight")
        height.set(qn("w:val"), mm_twips(10))
        height.set(qn("w:hRule"), "exact")
        tr_pr.append(height)
        for cell in row.cells:
            tc_pr = cell._tc.get_or_add_tcPr()
            borders = OxmlElement("w:tcBorders")
            bottom = OxmlElement("w:bottom")
            for key, value in (("w:val", "single"), ("w:sz", "4"), ("w:space", "0"), ("w:color", "808080")):
                bottom.set(qn(key), value)
            borders.append(bottom)
            tc_pr.append(borders)


def letter_4() -> Document:
    # 11 pt, not 12: the results table with eight questions, the actions and the signature
    # fit on the one page a folded letter has
    doc = start_letter("Brukarbrev 4: resultatet", size=11)
    doc.add_heading(either("Så tycker du och andra om {{ unit.name }}",
                           "Så tycker de som har hemtjänst från {{ unit.name }}"), level=1)
    doc.add_paragraph(
        "Nu har resultatet av Socialstyrelsens enkät om hemtjänsten {{ survey.year }} kommit. "
        + either("Tack till dig som svarade! ", "Tack till alla som svarade! ")
        + "Tabellen visar hur många procent av dem som har hemtjänst från {{ unit.name }} som "
        "svarade positivt på varje fråga, jämfört med hela kommunen, hela landet och förra året."
    )
    results_table(doc)
    note = doc.add_paragraph("Ett streck (–) betyder att det inte finns någon siffra att jämföra med.")
    note.paragraph_format.space_before = Pt(4)
    note.runs[0].font.size = Pt(10)
    doc.add_paragraph("{%p if survey.actions %}")
    doc.add_heading("Det här ska vi bli bättre på", level=2)
    doc.add_paragraph("Vi har gått igenom resultatet tillsammans med personalen. Det här ska vi göra:")
    doc.add_paragraph("{%p for action in survey.actions %}")
    numbered(doc, "{{ action }}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph(
        "Har du idéer om vad vi kan göra bättre? Berätta gärna för personalen eller kontakta oss."
    )
    contact_block(doc, "Vill du veta mer?")
    return doc


def results_table(doc: Document) -> None:
    """The unit's results beside the municipality, the country and last year, in 10 pt so that
    eight questions and the column heads fit on the letter's one page; the header row repeats
    and is marked as the table's header, and no row is split."""
    table = doc.add_table(rows=4, cols=5)
    table.style = "Table Grid"
    heads = ["Fråga", "{{ unit.name }}", "Kommunen", "Hela landet", "Förra året"]
    fields = ["{{ row.question }}", "{{ row.value|percent }}", "{{ row.municipality|percent }}",
              "{{ row.national|percent }}", "{{ row.previous|percent }}"]
    for i, (head, field) in enumerate(zip(heads, fields)):
        for row, text, bold in ((table.rows[0], head, True), (table.rows[2], field, False)):
            para = row.cells[i].paragraphs[0]
            run = para.add_run(text)
            run.bold = bold
            run.font.size = Pt(9.5)
            para.paragraph_format.space_after = Pt(0)
            para.paragraph_format.line_spacing = 1.0
            if i:
                para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for cell in table.rows[0].cells:
        shade(cell)
    repeat_header(table.rows[0])
    cant_split(table.rows[2])
    table.rows[1].cells[0].text = "{%tr for row in survey.results %}"
    table.rows[3].cells[0].text = "{%tr endfor %}"
    widths(table, [7.6, 2.4, 2.5, 2.4, 2.1])


def inner_envelope() -> Document:
    """One sheet per protected client, for the inner envelope forwarded by Skatteverket.

    Skatteverket forwards post to a person with skyddade personuppgifter when the letter lies
    in a sealed inner envelope that carries the recipient's name and personal number (the
    sender's address on its back), inside an outer envelope to Skatteverket's forwarding
    address. The sheet goes into a window envelope in front of the letter, so the window shows
    the name and the number; its text tells the client why, and offers hand delivery instead."""
    doc = new_document("Innerkuvert för post via Skatteverket")
    letterhead(doc)
    address_block(doc, "{{ client.name }}\n{{ client.number_label }}: {{ client.personal_number }}")
    doc.add_paragraph(
        "I kuvertet finns ett brev till dig från {{ unit.name }}. Det har kommit till dig via Skatteverket, "
        "som skickar vidare post till den som har skyddade personuppgifter. Vi skickar det så för att din adress "
        "ska vara skyddad."
    )
    doc.add_paragraph(
        "Vill du hellre få våra brev direkt av personalen när de besöker dig? Säg det till dem, "
        "{% if unit.phone %}eller ring oss på {{ unit.phone }}, {% endif %}så lämnar vi breven personligen i stället."
    )
    return doc


def forwarding_instructions() -> Document:
    """For the staff: how the protected clients' letters reach them, and the outer envelope's
    address sheet (Skatteverket's forwarding address in the window) on page 2."""
    doc = new_document("Så skickar du brev till klienter med skyddade personuppgifter")
    letterhead(doc)
    doc.add_heading("Så skickar du brukarbrev {{ letter }} till klienter med skyddade personuppgifter", level=1)
    doc.add_paragraph(
        "{{ count }} brev ska nå klienter med skyddade personuppgifter. Skriv aldrig deras adress på något kuvert, "
        "och lägg inte breven i den vanliga utskicken."
    )
    doc.add_heading("Helst: lämna brevet vid ett besök", level=2)
    doc.add_paragraph(
        "Personalen besöker klienterna. Fråga klienten om brevet kan lämnas personligen vid nästa besök. "
        "Då behövs varken innerkuvert eller Skatteverket."
    )
    doc.add_heading("Annars: skicka via Skatteverket", level=2)
    numbered(doc, "Lägg innerkuvertsbladet och brevet i ett fönsterkuvert, så att namn och personnummer syns i fönstret. "
                  "Klistra igen kuvertet.")
    numbered(doc, "Skriv avsändaren på innerkuvertets baksida: "
                  "{% for line in sender_lines %}{{ line }}{% if not loop.last %}, {% endif %}{% endfor %}.")
    numbered(doc, "Lägg innerkuverten i ett ytterkuvert. Flera innerkuvert får ligga i samma ytterkuvert "
                  "(inte rekommenderade brev: de skickas ett och ett).")
    numbered(doc, "Frankera ytterkuvertet och skicka det till Skatteverket. Adressen står på nästa sida, "
                  "placerad för ett fönsterkuvert.")
    doc.add_paragraph(
        "Skatteverket skickar innerkuverten vidare utan att öppna dem. Frågor om ett brev: ring {{ unit.name }}"
        "{% if unit.phone %}, {{ unit.phone }}{% endif %}."
    )
    page = doc.add_paragraph()
    page.paragraph_format.page_break_before = True
    address_block(doc, "{% for line in forwarding_lines %}{{ line }}{% if not loop.last %}\n{% endif %}{% endfor %}")
    return doc


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for n, build in enumerate((letter_1, letter_2, letter_3, letter_4), start=1):
        save(build(), OUT / f"brukarbrev-{n}.docx")
    save(inner_envelope(), OUT / "skyddad-identitet-innerkuvert.docx")
    save(forwarding_instructions(), OUT / "skyddad-identitet-instruktion.docx")
    print(f"Skrev 6 mallar i {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
