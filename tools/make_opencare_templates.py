"""Generate öppenvård bilaga 1–4 in ``templates/forms/`` with python-docx.

Why a script: the forms are real .docx files a user edits in Word, but writing them by hand
makes them drift from the fields ``formkit.opencare`` offers. Running this script rebuilds
them from one place; the result is committed beside it.

    python tools/make_opencare_templates.py

Bilaga 1–3 are forms: A4, 2 cm margins, facts pre-filled in a shaded table, and ruled lines to
write on (empty paragraphs with a bottom and a between border, so Word draws one line each).
Bilaga 4 is the summary for the ledningsgrupp: one table per figure, with a bar drawn in
characters beside each count, and room for the yearly analysis.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.table import WD_ROW_HEIGHT_RULE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from docxbuild import (  # noqa: E402  (tools/ is on sys.path when run as a script)
    save, keep_together, new_document, no_split_table, repeat_header, sender_and_address, shade, tag, widths,
)

OUT = Path(__file__).resolve().parent.parent / "templates" / "forms"
SATISFACTION = "☐ Mycket nöjd   ☐ Ganska nöjd   ☐ Varken nöjd eller missnöjd   ☐ Ganska missnöjd   ☐ Mycket missnöjd"


# --- building blocks -----------------------------------------------------------------------

def lines(doc: Document, count: int, keep_with_next: bool = False) -> None:
    """Ruled lines to write on by hand, kept on one page (all but the last keep with the next;
    ``keep_with_next`` ties the last to what follows too)."""
    for i in range(count):
        para = doc.add_paragraph()
        fmt = para.paragraph_format
        fmt.keep_with_next = i < count - 1 or keep_with_next
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Cm(0.9)
        fmt.space_after = Pt(0)
        p_pr = para._p.get_or_add_pPr()
        borders = OxmlElement("w:pBdr")
        for edge in ("bottom", "between"):
            line = OxmlElement(f"w:{edge}")
            line.set(qn("w:val"), "single")
            line.set(qn("w:sz"), "4")
            line.set(qn("w:space"), "1")
            line.set(qn("w:color"), "808080")
            borders.append(line)
        p_pr.append(borders)
    doc.add_paragraph().paragraph_format.space_after = Pt(2)


def facts_table(doc: Document, rows: list[tuple[str, str]]) -> None:
    """Label (shaded) and value, tall enough to write in when the value is empty."""
    table = doc.add_table(rows=len(rows), cols=2)
    table.style = "Table Grid"
    for row, (label, value) in zip(table.rows, rows):
        row.height = Cm(0.8)
        row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
        row.cells[0].text = label
        row.cells[0].paragraphs[0].runs[0].bold = True
        shade(row.cells[0])
        row.cells[1].text = value
    widths(table, [5.5, 11.5])
    no_split_table(table)
    doc.add_paragraph().paragraph_format.space_after = Pt(0)


def question(doc: Document, text: str) -> None:
    doc.add_heading(text, level=3)


def scale(doc: Document, text: str) -> None:
    """A row of tick boxes, a little smaller so that a five-step scale fits on one line."""
    doc.add_paragraph(text).runs[0].font.size = Pt(10)


def bullets(doc: Document, loop: str, text: str) -> None:
    """A bullet paragraph repeated by a docxtpl paragraph loop."""
    tag(doc, "{%p " + loop + " %}")
    doc.add_paragraph(text, style="List Bullet")
    tag(doc, "{%p endfor %}")


def signed(doc: Document, how: bool = False) -> None:
    """The closing lines; the ruled lines before them keep with them (``lines(...,
    keep_with_next=True)``), so they never stand alone on a page."""
    block = []
    if how:
        block.append(doc.add_paragraph("Svaren samlades in genom:   ☐ Samtal    ☐ Intervju    ☐ Enkät"))
    block.append(doc.add_paragraph("Ifyllt den: ____________________    Av: ________________________________________"))
    block[0].paragraph_format.space_before = Pt(8)
    keep_together(block)


# --- the four templates --------------------------------------------------------------------

def bilaga_1() -> Document:
    doc = new_document("Öppenvård · Bilaga 1 · Gemensam bakgrundsinformation", "Öppenvård bilaga 1: bakgrundsinformation")
    doc.add_heading("Bakgrundsinformation om klienten", level=0)
    doc.add_paragraph(
        "Fyll i formuläret när insatsen börjar. Uppgifterna används för att följa upp hur det går för "
        "klienten, och utan namn i öppenvårdens sammanställning (bilaga 4). Det som redan finns i "
        "ärendet är ifyllt; skriv det som saknas på raderna."
    )
    doc.add_heading("Klient", level=1)
    facts_table(doc, [
        ("Namn", "{{ client.name }}"),
        ("{{ client.number_label }}", "{{ client.personal_number }}"),
        ("Födelseår", "{{ client.birth_year }}"),
        ("Kön", "{{ client.gender_choice }}"),
        ("Ålder när insatsen började", "{{ client.age_at_start }}"),
        ("Adress", "{{ client.address_text }}"),
        ("Telefon", "{{ client.phone }}"),
    ])
    doc.add_heading("Insatsen", level=1)
    facts_table(doc, [
        ("Insats", "{{ insats.service }}"),
        ("Startdatum", "{{ insats.started|iso_date }}"),
        ("Behandlare", "{{ insats.staff.name }}"),
        ("Enhet", "{{ unit.name }}"),
        ("Insatsens id", "{{ insats.id }}"),
    ])
    doc.add_heading("Problem och hjälpbehov vid start", level=1)
    bullets(doc, "for problem in insats.problems", "{{ problem }}")
    doc.add_paragraph("Fler problem eller hjälpbehov:").paragraph_format.keep_with_next = True
    lines(doc, 2)
    doc.add_heading("Andra insatser hos öppenvården", level=1)
    bullets(doc, "for other in other_insatser",
            "{{ other.service }}, {{ other.started|iso_date }}{% if other.ended %} – {{ other.ended|iso_date }}{% endif %} ({{ other.status_text }})")
    lines(doc, 2)
    for heading in ("Boende", "Sysselsättning och försörjning", "Familj och nätverk",
                    "Hur kontakten kom till stånd (aktualisering)"):
        doc.add_heading(heading, level=1)
        lines(doc, 3)
    doc.add_heading("Mål med insatsen", level=1)
    bullets(doc, "for goal in client.goals", "{{ goal }}")
    lines(doc, 3, keep_with_next=True)
    signed(doc)
    return doc


def bilaga_2() -> Document:
    doc = new_document("Öppenvård · Bilaga 2 · Frågor efter avslutad insats", "Öppenvård bilaga 2: frågor efter avslutad insats")
    doc.add_heading("Frågor efter avslutad insats", level=0)
    doc.add_paragraph(
        "Frågorna gäller insatsen du hade hos oss, som avslutades {{ ended|iso_date }}. Dina svar hjälper oss "
        "att se vad som fungerar och vad vi behöver bli bättre på. Det är frivilligt att svara."
    )
    facts_table(doc, [
        ("Formulärets kod", "{{ code }}"),
        ("Från", "{{ unit.name }}, {{ organisation.name }}"),
    ])
    doc.add_paragraph(
        "Formuläret har bara en kod, inte ditt namn. Bara personalen kan se vilken insats koden hör till. "
        "Lämna formuläret till oss eller skicka det till {{ unit.name }}."
    )
    question(doc, "1. Vilka insatser har du fått hos oss?")
    lines(doc, 3)
    question(doc, "2. Hur nöjd är du med kontakten med oss?")
    scale(doc, SATISFACTION)
    question(doc, "3. Hur nöjd är du med resultatet av insatsen?")
    scale(doc, SATISFACTION)
    question(doc, "4. I vilken grad tycker du att du har nått dina mål med insatsen?")
    doc.add_paragraph("☐ Helt    ☐ Till stor del    ☐ Delvis    ☐ Inte alls    ☐ Vet inte")
    question(doc, "5. Har insatsen svarat mot dina behov?")
    doc.add_paragraph("{{ needs_choice }}")
    question(doc, "6. Hur är din situation nu jämfört med när insatsen började?")
    doc.add_paragraph("{{ situation_choice }}")
    question(doc, "7. Vad tycker du om insatsen? Vad var bra, och vad kunde ha varit annorlunda?")
    lines(doc, 4)
    question(doc, "8. Har du förslag på hur vi kan bli bättre?")
    lines(doc, 4)
    question(doc, "9. Har något annat viktigt hänt i ditt liv medan insatsen pågick?")
    lines(doc, 4, keep_with_next=True)
    signed(doc, how=True)
    return doc


def bilaga_3() -> Document:
    doc = new_document("Öppenvård · Bilaga 3 · Frågor till medarbetare, beställare och samarbetspartner",
                       "Öppenvård bilaga 3: frågor till medarbetare, beställare och samarbetspartner")
    sender_and_address(doc, "{{ organisation.name }} · Öppenvården · {{ send_date|iso_date }}")
    doc.add_heading("Frågor till {{ recipient.kind_text }}", level=0)
    doc.add_paragraph("Till: {{ recipient.name }}{{ recipient.organisation_suffix }}")
    doc.add_paragraph(
        "Öppenvården i {{ organisation.name }} följer varje år upp sina insatser. {{ recipient.intro }} "
        "{{ recipient.your|capitalize }} svar hjälper oss att bli bättre."
    )
    doc.add_paragraph("Svara senast {{ answer_by|weekday }} {{ answer_by|long_date }}. "
                      "Skicka svaret till {{ return_to.name }}{{ return_to.contact_suffix }}.").runs[0].bold = True
    question(doc, "1. Hur väl tycker {{ recipient.you }} att öppenvårdens insatser svarar mot klienternas behov?")
    doc.add_paragraph("☐ Mycket väl    ☐ Ganska väl    ☐ Mindre väl    ☐ Inte alls    ☐ Vet inte")
    question(doc, "2. Vad fungerar bra?")
    lines(doc, 4)
    question(doc, "3. Vad kan bli bättre?")
    lines(doc, 4)
    question(doc, "4. Hur fungerar samarbetet och kontakten med öppenvården?")
    lines(doc, 3)
    question(doc, "5. Saknar {{ recipient.you }} någon insats för de hjälpbehov som klienterna har?")
    lines(doc, 3)
    question(doc, "6. Andra synpunkter och förslag")
    lines(doc, 3, keep_with_next=True)
    keep_together([doc.add_paragraph("Namn (frivilligt): ____________________________    Datum: ____________________")])
    return doc


def _figure_table(doc: Document, compare: bool) -> None:
    """One figure's table; rows and the optional total row come from docxtpl row tags."""
    headers = ["{{ f.row_header }}", "{{ period.code }}"] + (["{{ previous_period.code }}"] if compare else []) + ["Diagram"]
    cells = ["{{ r.label }}", "{{ r.value }}"] + (["{{ r.previous }}"] if compare else []) + ["{{ r.bar }}"]
    totals = ["Summa", "{{ f.total.value }}"] + (["{{ f.total.previous }}"] if compare else []) + [""]
    table = doc.add_table(rows=7, cols=len(headers))
    table.style = "Table Grid"
    header, loop, data, end_loop, if_total, total, end_if = table.rows
    for cell, text in zip(header.cells, headers):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
        shade(cell)
    repeat_header(header)
    loop.cells[0].text = "{%tr for r in f.rows %}"
    for i, (cell, text) in enumerate(zip(data.cells, cells)):
        cell.text = text
        if i == len(cells) - 1:  # the bar: block characters, all of one width in the house font
            run = cell.paragraphs[0].runs[0]
            run.font.color.rgb = RGBColor(0x1F, 0x4E, 0x79)
        elif i > 0:
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    end_loop.cells[0].text = "{%tr endfor %}"
    if_total.cells[0].text = "{%tr if f.total %}"
    for i, (cell, text) in enumerate(zip(total.cells, totals)):
        cell.text = text
        if text:
            cell.paragraphs[0].runs[0].bold = True
        if 0 < i < len(totals) - 1:
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    end_if.cells[0].text = "{%tr endif %}"
    widths(table, [6.5, 2.3] + ([2.3] if compare else []) + [5.9 if compare else 8.2])
    no_split_table(table)
    # the table keeps together and with this paragraph; this one does not keep with the next
    # figure, so a chain of kept paragraphs never runs through the whole summary
    doc.add_paragraph().paragraph_format.space_after = Pt(0)


def bilaga_4() -> Document:
    doc = new_document("Öppenvård · Bilaga 4 · Sammanställning", "Öppenvård bilaga 4: sammanställning")
    doc.add_heading("Sammanställning av öppenvårdens insatser", level=0)
    doc.add_paragraph("{{ period.full }}").runs[0].bold = True
    tag(doc, "{%p if preliminary %}")
    mark = doc.add_paragraph().add_run("Preliminär: perioden är inte slut förrän {{ period.end|iso_date }}. "
                                       "Siffrorna kan ändras; gör om sammanställningen när perioden är slut.")
    mark.bold = True
    mark.font.color.rgb = RGBColor(0xA0, 0x1E, 0x1E)
    tag(doc, "{%p endif %}")
    facts_table(doc, [
        ("Organisation", "{{ organisation.name }}"),
        ("Insatser under perioden", "{{ active_count }}"),
        ("Klienter under perioden", "{{ client_count }}"),
        ("Jämförs med", "{{ comparison }}"),
        ("Skapad", "{{ today|iso_date }}"),
    ])
    bullets(doc, "for note in notes", "{{ note }}")
    tag(doc, "{%p for f in figures %}")
    doc.add_heading("{{ f.number }}. {{ f.title }}", level=1)
    doc.add_paragraph("Räknas: {{ f.basis_text }}. Antal {{ f.unit }}: {{ f.basis }}.").paragraph_format.keep_with_next = True
    tag(doc, "{%p if f.note %}")
    doc.add_paragraph("{{ f.note }}").paragraph_format.keep_with_next = True
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if f.empty %}")
    doc.add_paragraph("{{ f.empty_message }}").runs[0].italic = True
    tag(doc, "{%p elif has_previous %}")
    _figure_table(doc, compare=True)
    tag(doc, "{%p else %}")
    _figure_table(doc, compare=False)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")
    doc.add_heading("Analys", level=1)
    doc.add_paragraph(
        "Sammanställningen analyseras en gång per år, i april, av enhetschefen tillsammans med medarbetarna, "
        "och diskuteras i ledningsgruppen i maj. Frågor att besvara: Har verksamheten relevanta insatser för de "
        "hjälpbehov som klienterna har? Uppnås de förväntade målen? Skiljer sig detta mellan olika grupper av klienter?"
    )
    lines(doc, 8)
    return doc


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for number, build in ((1, bilaga_1), (2, bilaga_2), (3, bilaga_3), (4, bilaga_4)):
        path = OUT / f"oppenvard-bilaga-{number}.docx"
        save(build(), path)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
