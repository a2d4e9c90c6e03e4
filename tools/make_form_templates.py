"""Generate the bundled meeting forms in ``templates/forms/`` with python-docx.

Why a script: the forms are real .docx files a user edits in Word, but writing them by hand
makes them drift from the fields ``formkit.meetings`` offers. Running this script rebuilds
them from one place; the result is committed beside it.

    python tools/make_form_templates.py

The forms print on A4 with 2 cm margins and leave room to write by hand: framed boxes with a
minimum height (they grow when the box is filled from notes) and tall table rows. The texts of
the questions and of the seven points come from the context (``questions``, ``points``), so
they live in one place, ``formkit/meetings.py``.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.text import WD_BREAK
from docx.shared import Pt

from docxbuild import (  # noqa: E402  (tools/ is on sys.path when run as a script)
    save, keep_together, new_document, no_split_table, repeat_header, row_height, sender_and_address, shade, tag, widths,
)

FOOTER = "{{ organisation.name }} · {{ organisation.department }} · sida "
OUT = Path(__file__).resolve().parent.parent / "templates" / "forms"
CHECKBOX = "\u2610"


# --- building blocks -----------------------------------------------------------------------

def header_row(table, labels: list[str]) -> None:
    row = table.rows[0]
    for cell, label in zip(row.cells, labels):
        cell.text = label
        cell.paragraphs[0].runs[0].bold = True
        shade(cell)
    repeat_header(row)


def facts_table(doc: Document, rows: list[tuple[str, str]]) -> None:
    """Two columns: label (shaded) and value; for the pre-filled facts of a form."""
    table = doc.add_table(rows=len(rows), cols=2)
    table.style = "Table Grid"
    for row, (label, value) in zip(table.rows, rows):
        row.cells[0].text = label
        row.cells[0].paragraphs[0].runs[0].bold = True
        shade(row.cells[0])
        row.cells[1].text = value
        row_height(row, 0.8)
    widths(table, [6.0, 11.0])
    no_split_table(table)
    doc.add_paragraph().paragraph_format.space_after = Pt(0)


def writing_box(doc: Document, height_cm: float, content: str = "", keep_with_next: bool = False) -> None:
    """A framed box with room to write by hand (at least ``height_cm`` high), never split over
    two pages; ``keep_with_next`` ties it to what follows (a signature line)."""
    table = doc.add_table(rows=1, cols=1)
    table.style = "Table Grid"
    row_height(table.rows[0], height_cm)
    table.rows[0].cells[0].text = content
    table.rows[0].cells[0].paragraphs[0].paragraph_format.keep_with_next = keep_with_next
    widths(table, [17.0])


def loop_table(doc: Document, labels: list[str], fields: list[str], loop: str, cms: list[float], height: float) -> None:
    """A table with a header row and one row per item of a list ({%tr for %})."""
    table = doc.add_table(rows=4, cols=len(labels))
    table.style = "Table Grid"
    header_row(table, labels)
    table.rows[1].cells[0].text = f"{{%tr for {loop} %}}"
    for cell, field in zip(table.rows[2].cells, fields):
        cell.text = field
    row_height(table.rows[2], height)
    table.rows[3].cells[0].text = "{%tr endfor %}"
    widths(table, cms)
    doc.add_paragraph().paragraph_format.space_after = Pt(0)


def page_break(doc: Document) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


# --- the forms -------------------------------------------------------------------------------

def invitation() -> Document:
    doc = new_document("Inbjudan till terminssamtal", "Inbjudan till terminssamtal", footer=FOOTER, heading_size=15)
    sender_and_address(doc, "{{ organisation.name }} · {{ unit.name }} · {{ today|iso_date }}")
    doc.add_paragraph("Inbjudan till terminssamtal", style="Title")
    doc.add_paragraph("Hej {{ recipient.first_name }}!")
    doc.add_paragraph(
        "{% if recipient.is_client %}Du är välkommen till terminssamtal om ditt stöd på korttidsvistelsen."
        "{% else %}Du är välkommen till terminssamtal om stödet till {{ client.name }}.{% endif %} "
        "Tillsammans går vi igenom hur vi har lagt upp stödet, och du får berätta hur du upplever det."
    )
    facts_table(doc, [
        ("Datum", "{{ meeting.date|weekday }} {{ meeting.date|iso_date }}"),
        ("Tid", "{{ meeting.time|clock }}"),
        ("Plats", "{{ meeting.place }}"),
        ("Stödperson", "{{ support_person.name }}"),
        ("Telefon", "{{ support_person.phone }}"),
        ("E-post", "{{ support_person.email }}"),
    ])
    doc.add_paragraph(
        "Det är frivilligt att delta. Passar inte tiden, eller vill du att någon annan ska vara med? "
        "Hör av dig till stödpersonen, så hittar vi en annan tid."
    )
    doc.add_paragraph(
        "Vi dokumenterar samtalet och använder innehållet för att utveckla kvaliteten i vår "
        "verksamhet. Du som deltar får en renskriven kopia av minnesanteckningarna."
    )
    doc.add_paragraph(
        "Frågorna vi kommer att prata om finns på nästa sida. Läs gärna igenom dem och skriv ner "
        "dina tankar före samtalet."
    )
    welcome = doc.add_paragraph("Välkommen!")
    name = doc.add_paragraph("{{ support_person.name }}")
    name.paragraph_format.space_after = Pt(0)
    keep_together([welcome, name, doc.add_paragraph("Stödperson, {{ unit.name }}")])
    page_break(doc)
    doc.add_paragraph("Frågor inför terminssamtalet", style="Heading 1")
    doc.add_paragraph(
        "{% if recipient.is_client %}Om ditt stöd.{% else %}Om stödet till {{ client.name }}.{% endif %} "
        "Här kan du skriva dina tankar före samtalet."
    )
    tag(doc, "{%p for q in questions %}")
    doc.add_paragraph("{{ q.number }}. {{ q.text }}", style="Heading 3")
    writing_box(doc, 1.6)
    tag(doc, "{%p endfor %}")
    return doc


def question_sheet() -> Document:
    doc = new_document("Terminssamtal – frågor · {{ client.name }}", "Terminssamtal – frågor", footer=FOOTER, heading_size=15)
    doc.add_paragraph("Terminssamtal – frågor", style="Title")
    facts_table(doc, [
        ("Brukare", "{{ client.name }}"),
        ("Enhet", "{{ unit.name }}"),
        ("Stödperson", "{{ support_person.name }}"),
        ("Termin", "{{ term.label }}"),
        ("Samtalet", "{{ meeting.date|iso_date }} {{ meeting.time|clock }} {{ meeting.place }}"),
    ])
    doc.add_paragraph("Inför samtalet", style="Heading 2")
    doc.add_paragraph(
        "Berätta för alla som deltar att vi dokumenterar samtalet och använder innehållet för att "
        "utveckla kvaliteten i vår verksamhet. Det är frivilligt att delta."
    )
    tag(doc, "{%p for q in questions %}")
    doc.add_paragraph("{{ q.number }}. {{ q.text }}", style="Heading 2")
    doc.add_paragraph("{{ q.help }}")
    writing_box(doc, 2.6)
    tag(doc, "{%p endfor %}")
    return doc


def minutes() -> Document:
    doc = new_document("Terminssamtal – minnesanteckningar · {{ client.name }}", "Minnesanteckningar från terminssamtal",
                       footer=FOOTER, heading_size=15)
    doc.add_paragraph("Minnesanteckningar från terminssamtal", style="Title")
    facts_table(doc, [
        ("Brukare", "{{ client.name }}"),
        ("Enhet", "{{ unit.name }}"),
        ("Stödperson", "{{ support_person.name }}"),
        ("Termin", "{{ term.label }}"),
        ("Datum och tid", "{{ meeting.date|iso_date }} {{ meeting.time|clock }}"),
        ("Plats", "{{ meeting.place }}"),
    ])
    doc.add_paragraph("Deltagare", style="Heading 2")
    loop_table(doc, ["Namn", "Roll eller relation", "Deltog"], ["{{ p.name }}", "{{ p.role }}", "{{ p.attended }}"],
               "p in participants", [8.0, 6.0, 3.0], 0.9)
    doc.add_paragraph("{{ documentation_statement }}")
    doc.add_paragraph("Samtalet", style="Heading 1")
    # the relatives' clean copy leaves out the questions nobody answered; the unit's copy says so
    tag(doc, "{%p for q in questions %}")
    tag(doc, "{%p if not filled or q.answer or internal %}")
    doc.add_paragraph("{{ q.number }}. {{ q.text }}", style="Heading 2")
    tag(doc, "{%p if not filled %}")
    writing_box(doc, 4.0)
    tag(doc, "{%p elif q.answer %}")
    doc.add_paragraph("{{ q.answer }}")
    tag(doc, "{%p else %}")
    doc.add_paragraph("Inget antecknat.")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")
    doc.add_paragraph("Överenskomna åtgärder", style="Heading 1")
    loop_table(doc, ["Åtgärd", "Vem gör det", "Klart senast"], ["{{ a.what }}", "{{ a.who }}", "{{ a.when|iso_date }}"],
               "a in actions", [9.5, 4.5, 3.0], 1.2)
    doc.add_paragraph("Nästa terminssamtal", style="Heading 2")
    facts_table(doc, [
        ("Datum och tid", "{{ next_meeting.date|iso_date }} {{ next_meeting.time|clock }}"),
        ("Plats", "{{ next_meeting.place }}"),
    ])
    tag(doc, "{%p if internal %}")
    doc.add_paragraph("För enheten (skickas inte till anhöriga)", style="Heading 2")
    doc.add_paragraph("{{ internal_notes }}")
    doc.add_paragraph(f"{CHECKBOX} Anteckningarna är insatta i brukarpärmen")
    doc.add_paragraph(f"{CHECKBOX} Skickade till administratören")
    doc.add_paragraph(f"{CHECKBOX} Dokumenterat i journalen att terminssamtal är utfört, med hänvisning till brukarpärmen")
    doc.add_paragraph(f"{CHECKBOX} Renskrivna anteckningar mejlade till anhöriga som deltog: {{{{ copy_to }}}}")
    tag(doc, "{%p else %}")
    doc.add_paragraph("Renskrivna minnesanteckningar till: {{ copy_to }}")
    tag(doc, "{%p endif %}")
    return doc


def monthly() -> Document:
    doc = new_document("Månadsuppföljning {{ month.label }} · {{ client.name }}", "Månadsuppföljning för stödpersoner",
                       footer=FOOTER, heading_size=15)
    doc.add_paragraph("Månadsuppföljning för stödpersoner", style="Title")
    facts_table(doc, [
        ("Brukare", "{{ client.name }}"),
        ("Stödperson", "{{ support_person.name }}"),
        ("Månad", "{{ month.label }}"),
        ("Genomförandeplanen uppdaterad", "{{ care_plan.updated|iso_date }}"),
        ("Nästa uppföljning av planen", "{{ care_plan.follow_up|iso_date }}"),
        ("Riskbedömning gjord", "{{ care_plan.risk_assessment|iso_date }}"),
        ("Handlingsplan till riskbedömningen", "{{ care_plan.action_plan }}"),
        ("Månadsuppföljning bokad", "{{ meeting.date|iso_date }} {{ meeting.time|clock }} {{ meeting.place }}"),
        ("Redovisas på verksamhetsmötet", "{{ team_meeting.date|weekday }} {{ team_meeting.date|iso_date }}"),
    ])
    doc.add_paragraph("Mål i genomförandeplanen", style="Heading 2")
    tag(doc, "{%p for goal in care_plan.goals %}")
    doc.add_paragraph("{{ goal }}", style="List Bullet")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if care_plan.warnings %}")
    doc.add_paragraph("Att uppmärksamma", style="Heading 3")
    tag(doc, "{%p for warning in care_plan.warnings %}")
    doc.add_paragraph("{{ warning }}", style="List Bullet")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")
    doc.add_paragraph("Del 1. Samtal med brukaren", style="Heading 1")
    doc.add_paragraph("Fråga vad brukaren tänker om det här, och skriv ner svaren:")
    tag(doc, "{%p for q in questions %}")
    doc.add_paragraph("{{ q.number }}. {{ q.text }}", style="Heading 3")
    writing_box(doc, 2.2)
    tag(doc, "{%p endfor %}")
    doc.add_paragraph("Del 2. Att redovisa på verksamhetsmötet", style="Heading 1")
    doc.add_paragraph(
        "Sammanställ brukarens önskemål och synpunkter och punkterna nedan. Dokumentera i social "
        "journal och redovisa på verksamhetsmötet enligt det rullande schemat. Ta med "
        "genomförandeplanen och eventuella metodblad."
    )
    # points 5–6 are open questions: their answer cell has no Ja/Nej, only room to write
    loop_table(
        doc, ["Nr", "Punkt", "Svar och kommentar"],
        ["{{ p.number }}", "{{ p.text }}", "{{ p.answer }}\n{{ p.fact }}"],
        "p in points", [1.0, 7.5, 8.5], 1.9,
    )
    doc.add_paragraph("Åtgärder som enhetschefen ska få veta om", style="Heading 2")
    writing_box(doc, 2.2, keep_with_next=True)
    keep_together([
        doc.add_paragraph(f"{CHECKBOX} Genomförandeplanen behöver revideras     {CHECKBOX} Enhetschefen är meddelad"),
        doc.add_paragraph(f"{CHECKBOX} Dokumenterat i social journal"),
        doc.add_paragraph("Datum: ____________________     Signatur: ______________________________"),
    ])
    return doc


def homecoming() -> Document:
    doc = new_document("Hemgångssamtal · {{ client.name }}", "Hemgångssamtal – logg", footer=FOOTER, heading_size=15)
    doc.add_paragraph("Hemgångssamtal – logg", style="Title")
    facts_table(doc, [
        ("Brukare", "{{ client.name }}"),
        ("Enhet", "{{ unit.name }}"),
        ("Stödperson", "{{ support_person.name }}"),
        ("Period", "{{ term.label }} ({{ term.start|iso_date }} – {{ term.end|iso_date }})"),
    ])
    doc.add_paragraph(
        "Inom 24 timmar från att brukaren har åkt hem efter sin vistelse ska närstående få veta hur "
        "vistelsen har varit och om det är något särskilt vi vill förmedla. Samtalet kan ske vid "
        "hämtningen, via telefon eller sms eller genom kontaktboken. Skriv in varje samtal: när det "
        "gjordes, hur och av vem, med vem ni talade och vad ni förmedlade."
    )
    doc.add_paragraph("Närstående och företrädare att kontakta", style="Heading 2")
    tag(doc, "{%p for c in contacts %}")
    doc.add_paragraph("{{ c.name }} ({{ c.role }}) {{ c.phone }} {{ c.email }}", style="List Bullet")
    tag(doc, "{%p endfor %}")
    doc.add_paragraph("Samtal", style="Heading 2")
    doc.add_paragraph(f"Hur: {CHECKBOX} vid hämtning  {CHECKBOX} telefon  {CHECKBOX} sms  {CHECKBOX} kontaktbok").paragraph_format.keep_with_next = True
    loop_table(
        doc,
        ["Vistelsen slutade", "Samtalet: när, hur, av vem", "Med vem", "Vad vi förmedlade", "Inom 24 h"],
        ["{{ r.stay_ended }}", "{{ r.held_text }}", "{{ r.spoken_with }}", "{{ r.passed_on }}",
         "{{ r.in_time }}"],
        "r in rows", [2.6, 3.6, 3.0, 5.8, 2.0], 1.2,
    )
    return doc


FORMS = {
    "terminssamtal-inbjudan.docx": invitation,
    "terminssamtal-fragor.docx": question_sheet,
    "terminssamtal-minnesanteckningar.docx": minutes,
    "manadsuppfoljning.docx": monthly,
    "hemgangssamtal.docx": homecoming,
}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, build in FORMS.items():
        save(build(), OUT / name)
        print(f"wrote {OUT / name}")


if __name__ == "__main__":
    main()
