"""``formkit opencare``: öppenvård bilaga 1–3 (forms) and bilaga 4 (the summary).

* Bilaga 1, background information: one form per insats that started in the period.
* Bilaga 2, questions after a finished insats: one form per insats that ended in the period.
* Bilaga 3, questions to staff, beställare and samarbetspartner: one form per recipient in
  ``open_care_recipients``, sent in February with answers by 1 March of the period's year.
* Bilaga 4, the summary: an xlsx with tables and native charts, and a docx with the same
  figures for the ledningsgrupp. The numbers come from ``formkit.opencare_figures``.

Forms are pre-filled from the case file where it has the data and leave ruled lines where it
has not. Bilaga 2 is the exception: the client answers it, so it is blank, carries no name and no
insats (a form about "Stöd till våldsutsatta" must not lie in a mailbox), and is identified by a
code whose key (code → insats, client) stays with the staff; the staff's own assessment (needs
met, situation after) lives only in the case file, for bilaga 4. A personal number is printed only
on a client's own bilaga 1, never in a print file of many clients (the client id stands there).

Dates are for the coming occasion: bilaga 3 by default goes out the coming February (answer by
1 March); bilaga 4 for a period not yet ended is marked "preliminär" and warned about. ``plan`` returns one ``Output`` that ``formkit.output.write`` commits whole: a bad record
means nothing is written. File names hold ids only, never a personal number.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from formkit import templates
from formkit.case.model import Case, Client, OpenCare, Stakeholder
from formkit.docx.combine import combine
from formkit.errors import DataError, TemplateError, UsageError
from formkit.fields import (
    FieldSet, UNIT_FIELDS, common_context, prefixed, register, staff_context, unit_context,
)
from formkit.opencare.figures import DEFAULT_THRESHOLD, Figure, Period, Summary, compute, ended, started
from formkit.opencare.sheet import TEMPLATE_NAME as SHEET_TEMPLATE, has_chart, template_problems, workbook_bytes
from formkit.docx.render import CompiledTemplate, Rendered
from formkit.options import Options
from formkit.output import Output, csv_bytes
from formkit.periods import first_weekday

STATUS_TEXT = {"ongoing": "pågår", "completed": "genomförd", "interrupted": "avbruten"}
GENDER_CHOICES = [("female", "Kvinna"), ("male", "Man"), ("other", "Annan"), ("unknown", "Okänt/vill inte uppge")]
NEEDS_CHOICES = [("yes", "Ja"), ("partly", "Delvis"), ("no", "Nej")]
SITUATION_CHOICES = [("improved", "Bättre"), ("unchanged", "Oförändrad"), ("worsened", "Sämre")]
KIND_TEXT = {"staff": "medarbetare", "orderer": "beställare av uppdrag", "partner": "samarbetspartner"}
KIND_INTRO = {
    "staff": "Som medarbetare ser du varje dag hur insatserna fungerar för klienterna.",
    "orderer": "Som beställare av uppdrag ser ni om insatserna ger det resultat ni har beställt.",
    "partner": "Som samarbetspartner ser ni hur vårt arbete fungerar tillsammans med ert.",
}
# "du" to a colleague, "ni" to an organisation (beställare, samarbetspartner), as klarspråk asks
KIND_YOU = {"staff": "du", "orderer": "ni", "partner": "ni"}
BAR_WIDTH = 20
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or typed back

CLIENT_FIELDS = {
    "client.name": "klientens namn",
    "client.personal_number": "personnummer (bara i klientens egen fil; i utskriftsfilen klient-id)",
    "client.number_label": "Personnummer, Samordningsnummer eller Klient-id: vad som står i fältet ovan",
    "client.birth_year": "födelseår (från personnumret eller birth_year)",
    "client.gender_choice": "kön som kryssrutor, det kända ikryssat (☒ Kvinna ☐ Man …)",
    "client.gender_text": "kön i ord",
    "client.age_at_start": "ålder den dag insatsen började, t.ex. 34 år",
    "client.address_text": "adressen på en rad; tom vid skyddade personuppgifter",
    "client.phone": "telefonnummer",
    "client.goals": "målen i genomförandeplanen (lista)",
}
INSATS_FIELDS = {
    "insats.id": "insatsens id",
    "insats.service": "insatsens namn",
    "insats.started": "startdatum",
    "insats.ended": "slutdatum (tomt om den pågår)",
    "insats.status_text": "pågår, genomförd eller avbruten",
    "insats.problems": "problem och hjälpbehov vid start (lista)",
    **prefixed("insats.staff", {"name": "namn", "title": "titel", "phone": "telefon", "email": "e-post"}, "behandlaren"),
}
LIST_INSATS = {"service": "insats", "started": "startdatum", "ended": "slutdatum", "status_text": "status"}
FORM_FIELDS = {**CLIENT_FIELDS, **INSATS_FIELDS, **prefixed("unit", UNIT_FIELDS, "enheten som ger insatsen")}

register(FieldSet("forms", ("oppenvard-bilaga-1.docx",), "Öppenvård bilaga 1, bakgrundsinformation (en per insats)", {
    **FORM_FIELDS, **{f"other_insatser[].{k}": f"klientens andra insatser: {v}" for k, v in LIST_INSATS.items()},
}))
register(FieldSet("forms", ("oppenvard-bilaga-2.docx",), "Öppenvård bilaga 2, frågor efter avslutad insats (klienten svarar)", {
    "code": "formulärets kod; nyckeln (kod → insats och klient) finns bara hos personalen",
    "ended": "dagen insatsen slutade",
    **prefixed("unit", UNIT_FIELDS, "enheten som ger insatsen"),
    "needs_choice": "svarade insatsen mot behoven: tomma kryssrutor för klientens svar",
    "situation_choice": "situationen efter insatsen: tomma kryssrutor för klientens svar",
}))
register(FieldSet("forms", ("oppenvard-bilaga-3.docx",), "Öppenvård bilaga 3, frågor till medarbetare, beställare och samarbetspartner", {
    "recipient.name": "mottagarens namn",
    "recipient.kind_text": "medarbetare, beställare av uppdrag eller samarbetspartner",
    "recipient.intro": "en mening om varför just den här mottagarens svar behövs",
    "recipient.you": "du (till en medarbetare) eller ni (till en organisation)",
    "recipient.your": "dina eller era, som recipient.you",
    "recipient.organisation": "mottagarens organisation",
    "recipient.organisation_suffix": "\", organisationen\" eller tomt",
    "recipient.email": "mottagarens e-postadress",
    "recipient.address_lines": "mottagarens adress som rader för fönsterkuvert (lista, kan vara tom)",
    "year": "året enkäten gäller",
    "send_date": "utskicksdag: första vardagen i februari (i dag, om den dagen redan har passerat)",
    "answer_by": "sista svarsdag: 1 mars",
    "return_to.name": "vem svaret skickas till (enhetschefen för öppenvården)",
    "return_to.contact_suffix": "\", e-post …\" eller tomt",
}))
register(FieldSet("forms", ("oppenvard-bilaga-4.docx",), "Öppenvård bilaga 4, sammanställning för ledningsgruppen", {
    **{f"period.{k}": v for k, v in {"label": "perioden i ord, t.ex. tertial 1 2026", "full": "perioden med datum, t.ex. Tertial 1 2026 (2026-01-01 – 2026-04-30)", "code": "2026-T1",
                                      "start": "periodens första dag", "end": "periodens sista dag"}.items()},
    **{f"previous_period.{k}": f"föregående period: {v}" for k, v in {"label": "i ord", "full": "med datum", "code": "kod"}.items()},
    "has_previous": "sant när föregående period har insatser att jämföra med",
    "preliminary": "sant när perioden inte är slut: sammanställningen är preliminär",
    "comparison": "vilken period som jämförs, i ord",
    "active_count": "antal insatser under perioden (eller <5)",
    "client_count": "antal klienter under perioden (eller <5)",
    "threshold": "gränsen för små tal",
    "notes": "förklaringar (lista)",
    **{f"figures[].{k}": v for k, v in {
        "number": "figurens nummer", "title": "rubrik", "basis_text": "vilka som räknas", "unit": "insatser eller klienter",
        "basis": "hur många som räknas", "note": "anmärkning", "empty": "sant när det inte finns något att visa",
        "empty_message": "texten som visas i stället för en tom tabell", "row_header": "rubrik för första kolumnen",
        "rows[].label": "radens namn", "rows[].value": "antal denna period (eller <5)",
        "rows[].previous": "antal föregående period", "rows[].bar": "stapel ritad med tecken",
        "total.value": "summa denna period", "total.previous": "summa föregående period"}.items()},
}))


@dataclass(frozen=True)
class OpenCareOptions(Options):
    """``appendix``: bilaga 1–4; ``period``: ÅÅÅÅ-Tn or ÅÅÅÅ (default depends on the appendix);
    ``threshold``: bilaga 4 hides counts below it; ``client``: bilaga 1–2 for one client only;
    ``source``: the case file's name, for messages."""

    appendix: int = 4
    period: str | None = None
    threshold: int = DEFAULT_THRESHOLD
    client: str | None = None
    source: str = "ärendefilen"


def plan(case: Case, options: OpenCareOptions) -> Output:
    """One appendix batch: forms with a print file and a list, or the summary."""
    today, period_text = options.today, options.period
    if options.client is not None and options.appendix not in (1, 2):
        raise UsageError("--client gäller bilaga 1 och 2.")
    if options.appendix == 4:
        period = Period.parse(period_text) if period_text else Period.last_finished(today)
        return _bilaga_4(case, period, options.threshold, options.templates, today, options.source)
    if options.appendix == 3:
        year = Period.parse(period_text).year if period_text else coming_year(today)
        return _bilaga_3(case, year, options.templates, today, options.source)
    period = Period.parse(period_text) if period_text else Period.containing(today)
    return _bilaga_1_2(case, options.appendix, period, options.client, options.templates, today, options.source)


# --- shared context ------------------------------------------------------------------------

def choice(options: list[tuple[str, str]], chosen: str | None) -> str:
    """Tick boxes with the known answer ticked: "☒ Ja    ☐ Delvis    ☐ Nej"."""
    return "    ".join(f"{'☒' if value == chosen else '☐'} {label}" for value, label in options)


def client_context(case: Case, client: Client, insats: OpenCare, with_number: bool = True) -> dict[str, Any]:
    """The client on bilaga 1. ``with_number``: the client's own form shows the personal (or
    coordination) number; a print file of many clients shows the client id instead."""
    year = client.year_of_birth
    age = client.age_on(insats.started)
    if client.protected_identity:
        address = "Skyddade personuppgifter: adressen skrivs inte ut"
    else:
        address = ", ".join(client.address.lines) if client.address else ""
    return {
        "name": client.name,
        "personal_number": (client.personal_number or "") if with_number else client.id,
        "number_label": client.number_label if with_number else "Klient-id",
        "birth_year": str(year) if year else "",
        "gender_choice": choice(GENDER_CHOICES, client.gender),
        "gender_text": dict(GENDER_CHOICES)[client.gender],
        "age_at_start": f"{age} år" if age is not None else "",
        "address_text": address,
        "phone": client.phone or "",
        "goals": list(client.care_plan.goals) if client.care_plan else [],
    }


def insats_context(case: Case, insats: OpenCare) -> dict[str, Any]:
    return {
        "id": insats.id,
        "service": insats.service,
        "started": insats.started,
        "ended": insats.ended,
        "status_text": STATUS_TEXT[insats.status],
        "problems": list(insats.problems),
        "staff": staff_context(case.staff_by_id.get(insats.staff) if insats.staff else None),
    }


def _insats_unit(case: Case, insats: OpenCare) -> dict[str, Any]:
    """The unit giving the insats: the behandlare's unit, else the client's."""
    staff = case.staff_by_id.get(insats.staff) if insats.staff else None
    unit_id = staff.unit if staff and staff.unit else case.clients_by_id[insats.client].unit
    return unit_context(case, case.units_by_id[unit_id])


def form_context(case: Case, insats: OpenCare, today: dt.date, with_number: bool = True) -> dict[str, Any]:
    client = case.clients_by_id[insats.client]
    own = sorted((o for o in case.open_care if o.client == client.id), key=lambda o: o.started)
    listed = [{"service": o.service, "started": o.started, "ended": o.ended, "status_text": STATUS_TEXT[o.status]} for o in own]
    return {
        **common_context(case, today),
        "client": client_context(case, client, insats, with_number),
        "insats": insats_context(case, insats),
        "unit": _insats_unit(case, insats),
        "other_insatser": [row for o, row in zip(own, listed) if o.id != insats.id],
        "client_insatser": listed,
    }


def answer_code(insats: OpenCare) -> str:
    """The code on a bilaga 2 form: the same for an insats every time it is printed, and
    saying nothing of who the client is (the key is the staff's list)."""
    digest = hashlib.sha256(f"formkit bilaga 2|{insats.id}|{insats.client}".encode()).digest()
    letters = "".join(CODE_ALPHABET[b % len(CODE_ALPHABET)] for b in digest[:6])
    return f"{letters[:3]}-{letters[3:]}"


def answer_form_context(case: Case, insats: OpenCare, today: dt.date) -> dict[str, Any]:
    """Bilaga 2 is answered by the client: blank boxes, a code, no name, no insats."""
    return {
        **common_context(case, today),
        "code": answer_code(insats),
        "ended": insats.ended,
        "unit": _insats_unit(case, insats),
        "needs_choice": choice(NEEDS_CHOICES, None),
        "situation_choice": choice(SITUATION_CHOICES, None),
    }


def _compile(number: int, template_dir: Path | None) -> CompiledTemplate:
    return CompiledTemplate(templates.find("forms", f"oppenvard-bilaga-{number}.docx", template_dir))


def _add_print_batch(output: Output, stem: str, items: list[tuple[str, Rendered]], tail: str,
                     printed: list[Rendered] | None = None) -> str:
    """One file per record and one combined print file (the one converted by --pdf), made of
    ``printed`` where the print file must differ (no personal numbers); returns its name."""
    for record, rendered in items:
        output.add(f"{stem}_{record}.docx", rendered.to_bytes())
    name = f"{stem}_alla_{tail}.docx"
    output.add(name, combine(printed if printed is not None else [rendered for _, rendered in items]), pdf=True)
    return name


# --- bilaga 1 and 2 ------------------------------------------------------------------------

def _bilaga_1_2(case: Case, number: int, period: Period, client_id: str | None,
                template_dir: Path | None, today: dt.date, source: str) -> Output:
    chosen = started(case, period) if number == 1 else ended(case, period)
    what = "började" if number == 1 else "avslutades eller avbröts"
    if client_id is not None:
        if client_id not in case.clients_by_id:
            close = difflib.get_close_matches(client_id, list(case.clients_by_id), n=1)
            hint = f"; menade du '{close[0]}'?" if close else ""
            raise DataError(f"Det finns ingen klient med id '{client_id}' i {source}{hint}")
        chosen = [o for o in chosen if o.client == client_id]
    if not chosen:
        whose = f" för klient {client_id}" if client_id else ""
        raise DataError(
            f"Ingen insats{whose} {what} under {period.label} ({period.dates}), "
            f"så det finns ingen bilaga {number} att skriva. Välj en annan period med --period, t.ex. "
            f"{period.previous().code}. Inget har skrivits."
        )
    template = _compile(number, template_dir)
    ordered = sorted(chosen, key=lambda o: (o.started, o.id))
    output = Output(f"öppenvård bilaga {number}")
    stem = f"oppenvard-bilaga-{number}"
    if number == 1:
        items = [(o.id, template.render(form_context(case, o, today), record=o.id)) for o in ordered]
        printed = [template.render(form_context(case, o, today, with_number=False), record=o.id) for o in ordered]
        print_file = _add_print_batch(output, stem, items, period.code, printed)
    else:
        items = [(o.id, template.render(answer_form_context(case, o, today), record=o.id)) for o in ordered]
        print_file = _add_print_batch(output, stem, items, period.code)
        output.add(f"{stem}_kodnyckel_{period.code}.csv", csv_bytes(
            ["kod", "insats", "klient", "insatsens namn", "slut", "fil"],
            [[answer_code(o), o.id, o.client, o.service, o.ended.isoformat() if o.ended else "", f"{stem}_{o.id}.docx"] for o in ordered]))
    rows = [[o.id, o.client, o.service, o.started.isoformat(), o.ended.isoformat() if o.ended else "", f"{stem}_{o.id}.docx"]
            for o in sorted(chosen, key=lambda o: (o.started, o.id))]
    output.add(f"{stem}_lista_{period.code}.csv",
              csv_bytes(["insats", "klient", "insatsens namn", "start", "slut", "fil"], rows))
    n = len(items)
    output.summary.append(f"Bilaga {number} för {n} {'insats' if n == 1 else 'insatser'} som {what} under {period.label}: "
                          f"en fil per insats, utskriftsfilen {print_file} och en lista (csv).")
    if number == 2:
        output.summary.append(f"Formulären har bara en kod, inget namn och ingen insats. Nyckeln är {stem}_kodnyckel_{period.code}.csv: "
                              "behåll den hos personalen och skicka den aldrig med formulären.")
    return output


# --- bilaga 3 ------------------------------------------------------------------------------

def coming_year(today: dt.date) -> int:
    """The year of the coming bilaga 3 round: this year until its answer date, then next year."""
    return today.year if today <= send_dates(today.year)[1] else today.year + 1


def send_dates(year: int) -> tuple[dt.date, dt.date]:
    """Bilaga 3 goes out in February (its first weekday) and is answered by 1 March."""
    return first_weekday(year, 2), dt.date(year, 3, 1)


def return_to(case: Case) -> dict[str, str]:
    """Answers go to the manager of the first öppenvård unit, else to the organisation."""
    unit = next((u for u in case.units if u.kind == "open_care"), None)
    manager = case.staff_by_id.get(unit.manager) if unit and unit.manager else None
    if unit and manager:
        contact = manager.email or manager.phone or unit.email or unit.phone
        return {"name": f"{manager.name}, {unit.name}", "contact_suffix": f", {contact}" if contact else ""}
    org = case.organisation
    return {"name": org.name, "contact_suffix": f", {', '.join(org.address.lines)}"}


def recipient_context(recipient: Stakeholder) -> dict[str, Any]:
    return {
        "name": recipient.name,
        "kind_text": KIND_TEXT[recipient.kind],
        "intro": KIND_INTRO[recipient.kind],
        "you": KIND_YOU[recipient.kind],
        "your": {"du": "dina", "ni": "era"}[KIND_YOU[recipient.kind]],
        "organisation": recipient.organisation or "",
        "organisation_suffix": f", {recipient.organisation}" if recipient.organisation else "",
        "email": recipient.email or "",
        "address_lines": ([recipient.name] + ([recipient.organisation] if recipient.organisation else [])
                          + recipient.address.lines) if recipient.address else [],
    }


def _bilaga_3(case: Case, year: int, template_dir: Path | None, today: dt.date, source: str) -> Output:
    if not case.open_care_recipients:
        raise DataError(
            f"{source} har inga mottagare för bilaga 3. Lägg till medarbetare, beställare och samarbetspartner under "
            "open_care_recipients (id, name, kind: staff/orderer/partner). Inget har skrivits."
        )
    planned, answer_by = send_dates(year)
    warnings = []
    send = planned
    if answer_by < today:
        warnings.append(f"Bilaga 3 för {year} ber om svar senast {answer_by.isoformat()}, som redan har passerat "
                        f"(i dag {today.isoformat()}). Utan --period gäller nästa utskick ({coming_year(today)}).")
    elif planned < today:
        send = today
        warnings.append(f"Utskicksdagen för bilaga 3 ({planned.isoformat()}) har passerat; formulären är daterade i dag "
                        f"och svaret behövs senast {answer_by.isoformat()}.")
    template = _compile(3, template_dir)
    shared = {**common_context(case, today), "year": year, "send_date": send, "answer_by": answer_by,
              "return_to": return_to(case)}
    items = [(r.id, template.render({**shared, "recipient": recipient_context(r)}, record=r.id))
             for r in case.open_care_recipients]
    output = Output("öppenvård bilaga 3")
    stem = "oppenvard-bilaga-3"
    print_file = _add_print_batch(output, stem, items, str(year))
    rows = [[r.id, r.name, KIND_TEXT[r.kind], r.organisation or "", r.email or "",
             ", ".join(r.address.lines) if r.address else "", f"{stem}_{r.id}.docx"] for r in case.open_care_recipients]
    output.add(f"{stem}_sandlista_{year}.csv",
              csv_bytes(["mottagare", "namn", "roll", "organisation", "e-post", "adress", "fil"], rows))
    n = len(items)
    output.summary.append(f"Bilaga 3 till {n} mottagare: skicka {send.isoformat()}, "
                          f"svar senast {answer_by.isoformat()}. Utskriftsfil {print_file}, sändlista i csv.")
    output.warnings.extend(warnings)
    return output


# --- bilaga 4 ------------------------------------------------------------------------------

def _bar(value: int, top: int) -> str:
    return "█" * max(1, round(BAR_WIDTH * value / top)) if value > 0 and top > 0 else ""


def figure_context(number: int, figure: Figure, period: Period) -> dict[str, Any]:
    current, previous = figure.current, figure.previous
    top = max((c.value for c in current.cells if not c.suppressed), default=0)
    rows = [{"label": label, "value": cell.text, "previous": previous.cells[i].text if previous else "",
             "bar": "" if cell.suppressed else _bar(cell.value, top)} for i, (label, cell) in enumerate(zip(figure.rows, current.cells))]
    total = None
    if figure.additive and current.total is not None:
        total = {"value": current.total.text, "previous": previous.total.text if previous and previous.total else ""}
    return {
        "number": number, "key": figure.key, "title": figure.title, "basis_text": figure.basis_text, "unit": figure.unit,
        "basis": current.basis.text, "note": figure.note, "empty": figure.empty, "row_header": figure.row_header,
        "empty_message": f"Inget att visa: det finns inga {figure.basis_text} ({period.label}).",
        "rows": rows, "total": total,
    }


def summary_context(case: Case, summary: Summary, today: dt.date) -> dict[str, Any]:
    def period_context(p: Period) -> dict[str, Any]:
        return {"label": p.label, "full": p.full, "code": p.code, "start": p.start, "end": p.end}

    return {
        **common_context(case, today),
        "period": period_context(summary.period),
        "previous_period": period_context(summary.previous_period),
        "has_previous": summary.has_previous,
        "preliminary": summary.period.end >= today,
        "comparison": summary.previous_period.label if summary.has_previous else "ingen jämförelse (inga insatser)",
        "active_count": summary.active_count.text,
        "client_count": summary.client_count.text,
        "threshold": summary.threshold,
        "notes": summary.notes,
        "figures": [figure_context(i, f, summary.period) for i, f in enumerate(summary.figures, start=1)],
    }


def _bilaga_4(case: Case, period: Period, threshold: int, template_dir: Path | None, today: dt.date,
              source: str) -> Output:
    if period.start > today:
        raise DataError(
            f"{period.full} har inte börjat; en sammanställning av den skulle bara "
            f"visa pågående insatser. Välj en period som har börjat, t.ex. {Period.last_finished(today).code}."
        )
    summary = compute(case, period, threshold, source)
    template = _compile(4, template_dir)
    docx_name = f"oppenvard-bilaga-4_{period.code}.docx"
    xlsx_name = f"oppenvard-bilaga-4_{period.code}_diagram.xlsx"
    output = Output("öppenvård bilaga 4")
    output.add(docx_name, template.render(summary_context(case, summary, today), record=period.code).to_bytes(), pdf=True)
    sheet_template = templates.find("sheets", SHEET_TEMPLATE, template_dir)
    problems = template_problems(sheet_template)
    if problems:
        raise TemplateError(str(sheet_template), problems)
    output.add(xlsx_name, workbook_bytes(summary, case.organisation.name, today, sheet_template), pdf=True)
    if period.end >= today:
        output.warnings.append(f"Perioden {period.label} är inte slut förrän {period.end.isoformat()}: sammanställningen är "
                               "preliminär och märkt så. Gör om den när perioden är slut.")
    charts = sum(1 for f in summary.figures if has_chart(f))
    empty = [f.title for f in summary.figures if f.empty]
    text = (f"Bilaga 4 för {period.label}: {xlsx_name} ({charts} diagram) och {docx_name}. "
            + ("Jämförd med " + summary.previous_period.label + "." if summary.has_previous else "Ingen föregående period att jämföra med.")
            + (f" Utan data denna period: {', '.join(empty)}." if empty else ""))
    output.summary.append(text)
    return output
