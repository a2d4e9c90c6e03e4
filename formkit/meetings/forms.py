"""``formkit meetings``: the stödperson's forms for terminssamtal, månadsuppföljning and
hemgångssamtal, one file per client and one combined print file per stödperson.

The rules (questions, who is covered, terms, the 24-hour rule, the rolling schedule) are in
``meetings_rules``; minutes from notes are in ``minutes``; what is due is in ``meetings_due``.
This module builds the contexts, renders every document in memory and writes them in one
``Batch`` so that a bad record leaves nothing half-written.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from formkit import templates as template_files
from formkit.case import law
from formkit.case.model import Case, Client, Meeting
from formkit.docx.combine import combine
from formkit.fields import FieldSet, common_context, register, staff_context, unit_context
from formkit.meetings.rules import (
    DEFAULT_TEAM_DAY, DOCUMENTATION_STATEMENT, HOMECOMING_METHODS, MONTHLY_OPEN_POINTS, MONTHLY_POINTS,
    MONTHLY_QUESTIONS, TERM_QUESTIONS, Period, Question, homecoming_in_time, meetings_of, month_of,
    rolling_schedule, select_clients, term_of, unit_questions,
)
from formkit.docx.render import CompiledTemplate, Rendered
from formkit.output import Output

CHECKBOX = "\u2610"
TEMPLATES = {
    "term": ("terminssamtal-inbjudan.docx", "terminssamtal-fragor.docx", "terminssamtal-minnesanteckningar.docx"),
    "monthly": ("manadsuppfoljning.docx",),
    "homecoming": ("hemgangssamtal.docx",),
}
NO_SUPPORT_PERSON = "utan-stodperson"
KIND_NAMES = {"term": "terminssamtal", "monthly": "månadsuppföljning", "homecoming": "hemgångssamtal"}
BLANK_ROWS = {"participants": 3, "actions": 4, "homecoming": 10}


# --- shared context ------------------------------------------------------------------------

def client_base(case: Case, client: Client, today: dt.date) -> dict[str, Any]:
    """Organisation, unit, stödperson and client: the top of every form (no personal number)."""
    staff = case.staff_by_id.get(client.support_person) if client.support_person else None
    return {
        **common_context(case, today),
        "client": {"id": client.id, "name": client.name},
        "unit": unit_context(case, case.units_by_id[client.unit]),
        "support_person": staff_context(staff),
    }


def meeting_context(meeting: Meeting | None) -> dict[str, Any]:
    if meeting is None:
        return {"date": "", "time": "", "place": "", "status": ""}
    return {"date": meeting.date, "time": meeting.time or "", "place": meeting.place or "", "status": meeting.status}


def period_context(period: Period) -> dict[str, Any]:
    return {"label": period.label, "start": period.start, "end": period.end}


def first_name(name: str) -> str:
    """What a letter's greeting calls a person: "Hej Fatima!", not "Hej Fatima Hägg!"."""
    return name.split()[0] if name.split() else name


def questions_context(who: str, answers: dict[str, str] | None = None,
                      questions: tuple[Question, ...] = TERM_QUESTIONS) -> list[dict[str, Any]]:
    """The samtalsmall's questions (the unit's own, or the routine's), naming the client as
    ``who``: "du" in the copy the client gets, the first name elsewhere (never "brukaren" in a
    question someone is asked). A unit's own question may leave {vem} out."""
    answers = answers or {}
    return [
        {"number": i, "id": q.id, "text": q.text.replace("{vem}", who), "help": q.help, "answer": answers.get(q.id, "")}
        for i, q in enumerate(questions, start=1)
    ]


def recipients(client: Client, day: dt.date | None = None) -> tuple[list[dict[str, Any]], list[str]]:
    """Who gets an invitation: the client and every representative who acts for the client on
    ``day`` (``case.law``: a vårdnadshavare until 18, a god man or förvaltare who looks after the
    client's rights — not always the parent —, a närstående of an adult only with the client's
    consent). Returns (recipients, notes for the summary)."""
    day = day or dt.date.today()
    out, notes = [], []
    if client.protected_identity:
        out.append({"name": client.name, "first_name": first_name(client.name), "is_client": True, "role": "brukare",
                    "address_lines": [], "email": client.email or ""})
        notes.append("protected")
    elif client.address or client.email:
        lines = [client.name, *client.address.lines] if client.address else []
        out.append({"name": client.name, "first_name": first_name(client.name), "is_client": True, "role": "brukare",
                    "address_lines": lines, "email": client.email or ""})
    for rep in law.involved(client, day):
        if rep.address is None and not rep.email:
            notes.append("unreachable")
            continue
        lines = [rep.name, *rep.address.lines] if rep.address else []
        out.append({"name": rep.name, "first_name": first_name(rep.name), "is_client": False,
                    "role": law.role_on(client, rep, day), "address_lines": lines, "email": rep.email or ""})
    if client.is_child_on(day) and not law.involved(client, day):
        notes.append("no_rights")
    return out, notes


# --- the three kinds of forms --------------------------------------------------------------

def term_documents(case: Case, client: Client, today: dt.date, compiled: dict[str, CompiledTemplate],
                   notes: dict[str, list[str]]) -> dict[str, list[Rendered]]:
    """Invitation (one per recipient, only when the meeting is booked), question sheet, blank minutes."""
    names = TEMPLATES["term"]
    term = term_of(today)
    booked = meetings_of(case, client, "term", term)
    meeting = booked[-1] if booked else None
    base_questions = unit_questions(case.units_by_id[client.unit])
    base = {**client_base(case, client, today), "term": period_context(term), "meeting": meeting_context(meeting),
            "questions": questions_context(first_name(client.name), questions=base_questions)}
    docs: dict[str, list[Rendered]] = {name: [] for name in names}
    invited, recipient_notes = recipients(client, meeting.date if meeting else today)
    if meeting is None:
        notes["not_booked"].append(client.id)
    elif meeting.status == "held":
        notes["held"].append(client.id)
    elif meeting.date < today:
        notes["past"].append(client.id)  # an invitation to a day already gone would be no invitation
    elif not invited:
        notes["nobody"].append(client.id)
    else:
        for n, recipient in enumerate(invited, start=1):
            asked = questions_context("du" if recipient["is_client"] else first_name(client.name), questions=base_questions)
            docs[names[0]].append(compiled[names[0]].render({**base, "recipient": recipient, "questions": asked},
                                                            f"{client.id} (mottagare {n})"))
        if "protected" in recipient_notes:
            notes["protected"].append(client.id)
    if "unreachable" in recipient_notes:
        notes["unreachable"].append(client.id)
    if "no_rights" in recipient_notes:
        notes["no_rights"].append(client.id)
    docs[names[1]].append(compiled[names[1]].render(base, client.id))
    people = [{"name": r["name"], "role": r["role"], "attended": f"{CHECKBOX} Ja  {CHECKBOX} Nej"} for r in invited]
    listed = {p["name"].casefold() for p in people}
    people += [{"name": name, "role": "inbjuden", "attended": f"{CHECKBOX} Ja  {CHECKBOX} Nej"}
               for name in (meeting.invitees if meeting else []) if name.casefold() not in listed]
    if base["support_person"]["name"]:
        people.append({"name": base["support_person"]["name"], "role": "stödperson", "attended": f"{CHECKBOX} Ja  {CHECKBOX} Nej"})
    blank = {"name": "", "role": "", "attended": ""}
    docs[names[2]].append(compiled[names[2]].render({
        **base,
        "participants": people + [blank] * BLANK_ROWS["participants"],
        "documentation_statement": f"{CHECKBOX} {DOCUMENTATION_STATEMENT}",
        "filled": False, "internal": True, "internal_notes": "", "copy_to": "",
        "actions": [{"what": "", "who": "", "when": ""}] * BLANK_ROWS["actions"],
        "next_meeting": meeting_context(None),
    }, client.id))
    return docs


def monthly_context(case: Case, client: Client, today: dt.date, team_dates: dict[str, dt.date]) -> dict[str, Any]:
    """The checklist's facts, pre-filled from the case file, with what needs attention."""
    month = month_of(today)
    plan = client.care_plan
    warnings = []
    if plan is None:
        warnings.append("Ingen genomförandeplan finns i ärendefilen.")
    else:
        if plan.follow_up is None:
            warnings.append("Ingen uppföljning av genomförandeplanen är planerad.")
        elif plan.follow_up < month.start:
            warnings.append(f"Uppföljningen av genomförandeplanen skulle ha gjorts {plan.follow_up.isoformat()}.")
        if plan.risk_assessment is None:
            warnings.append("Ingen riskbedömning finns registrerad.")
        elif not plan.action_plan:
            warnings.append("Riskbedömningen har ingen kopplad handlingsplan.")
        if not plan.goals:
            warnings.append("Genomförandeplanen har inga mål i ärendefilen.")
    decisions = [d for d in case.decisions if d.client == client.id]
    order = "; ".join(
        f"Beslut {d.id}: {', '.join(d.services)}" + (f", gäller till {d.valid_until.isoformat()}" if d.valid_until else "")
        for d in decisions
    )
    facts = [
        (f"Uppdaterad {plan.updated.isoformat()}; uppföljning "
         + (f"planerad {plan.follow_up.isoformat()}" if plan.follow_up else "inte planerad")) if plan else "Ingen plan registrerad",
        order,
        f"{len(plan.goals)} mål, se ovan" if plan and plan.goals else "",
        "", "", "",
        (f"Riskbedömning {plan.risk_assessment.isoformat()}; handlingsplan: {'Ja' if plan.action_plan else 'Nej'}"
         if plan and plan.risk_assessment else "Ingen riskbedömning registrerad"),
    ]
    booked = meetings_of(case, client, "monthly", month)
    points = [{"number": i, "text": p, "fact": f, "open": i in MONTHLY_OPEN_POINTS,
               "answer": "" if i in MONTHLY_OPEN_POINTS else f"{CHECKBOX} Ja    {CHECKBOX} Nej"}
              for i, (p, f) in enumerate(zip(MONTHLY_POINTS, facts), start=1)]
    return {
        **client_base(case, client, today),
        "month": period_context(month),
        "care_plan": {
            "updated": plan.updated if plan else "",
            "follow_up": plan.follow_up if plan and plan.follow_up else "",
            "risk_assessment": plan.risk_assessment if plan and plan.risk_assessment else "",
            "action_plan": ("Ja" if plan.action_plan else "Nej") if plan else "",
            "goals": list(plan.goals) if plan else [],
            "warnings": warnings,
        },
        "meeting": meeting_context(booked[-1] if booked else None),
        "team_meeting": {"date": team_dates.get(client.id, "")},
        "questions": [{"number": i, "text": q} for i, q in enumerate(MONTHLY_QUESTIONS, start=1)],
        "points": points,
    }


def homecoming_context(case: Case, client: Client, today: dt.date) -> dict[str, Any]:
    """The log with every hemgångssamtal recorded this term, and empty rows to write in."""
    term = term_of(today)
    rows = []
    for m in meetings_of(case, client, "homecoming", term):
        in_time = homecoming_in_time(m)
        held_by = case.staff_by_id[m.held_by].name if m.held_by else ""
        held_text = " ".join(x for x in [m.date.isoformat(), f"kl. {m.time}" if m.time else ""] if x) if m.status == "held" else "inte gjort"
        rows.append({
            "stay_ended": " ".join(x for x in [(m.stay_ended or m.date).isoformat(), f"kl. {m.stay_ended_time}" if m.stay_ended_time else ""] if x),
            "held": held_text,
            "method": HOMECOMING_METHODS.get(m.method or "", ""),
            "held_by": held_by,
            "in_time": {True: "Ja", False: "Nej", None: ""}[in_time],
            "held_text": "\n".join(x for x in (held_text, HOMECOMING_METHODS.get(m.method or "", ""), held_by) if x),
            "spoken_with": m.spoken_with or "",
            "passed_on": m.passed_on or "",
        })
    rows += [{"stay_ended": "", "held": "", "method": "", "held_by": "", "in_time": "", "held_text": "", "spoken_with": "", "passed_on": ""}] \
        * max(4, BLANK_ROWS["homecoming"] - len(rows))
    contacts = [  # only those the client's information may go to on this day (case.law)
        {"name": r.name, "role": r.relation or law.role_on(client, r, today), "phone": r.phone or "", "email": r.email or ""}
        for r in law.involved(client, today)
    ]
    return {**client_base(case, client, today), "term": period_context(term), "contacts": contacts, "rows": rows}


# --- the batch -----------------------------------------------------------------------------

def build_forms(case: Case, kind: str, client_id: str | None, support_person: str | None, today: dt.date,
                user_templates: Path | None, team_day: str = DEFAULT_TEAM_DAY) -> Output:
    """Every form of ``kind`` for the chosen clients, one file each and a print file per stödperson."""
    clients = select_clients(case, kind, client_id, support_person)
    compiled = {name: CompiledTemplate(template_files.find("forms", name, user_templates)) for name in TEMPLATES[kind]}
    notes: dict[str, list[str]] = {k: [] for k in ("not_booked", "held", "past", "nobody", "protected", "unreachable", "no_rights")}
    team_dates = {s.client: s.date for s in rolling_schedule(case, month_of(today), team_day)} if kind == "monthly" else {}
    groups: dict[str, dict[str, list[Rendered]]] = {}
    result = Output(KIND_NAMES[kind])
    for client in clients:
        if kind == "term":
            docs = term_documents(case, client, today, compiled, notes)
        elif kind == "monthly":
            name = TEMPLATES[kind][0]
            docs = {name: [compiled[name].render(monthly_context(case, client, today, team_dates), client.id)]}
        else:
            name = TEMPLATES[kind][0]
            docs = {name: [compiled[name].render(homecoming_context(case, client, today), client.id)]}
        group = groups.setdefault(client.support_person or NO_SUPPORT_PERSON, {})
        for name, rendered in docs.items():
            if not rendered:
                continue
            stem = name.removesuffix(".docx")
            result.add(f"{stem}_{client.id}.docx", rendered[0].to_bytes() if len(rendered) == 1 else combine(rendered), pdf=True)
            group.setdefault(name, []).extend(rendered)
    for person, docs in sorted(groups.items()):
        for name, rendered in docs.items():
            result.add(f"utskrift_{person}_{name.removesuffix('.docx')}.docx", combine(rendered), pdf=True)
    result.summary.append(summary_line(kind, clients, groups, notes))
    return result


def summary_line(kind: str, clients: list[Client], groups: dict, notes: dict[str, list[str]]) -> str:
    people = len([g for g in groups if g != NO_SUPPORT_PERSON])
    line = (f"{KIND_NAMES[kind].capitalize()} för {len(clients)} {'klient' if len(clients) == 1 else 'klienter'} "
            f"({people} {'stödperson' if people == 1 else 'stödpersoner'}).")
    warnings = {
        "nobody": "Ingen att bjuda in (lägg till adress eller e-post, eller en företrädare med looks_after_rights)",
        "not_booked": "Inget bokat terminssamtal denna termin, så ingen inbjudan",
        "held": "Terminssamtalet är redan hållet denna termin, så ingen inbjudan",
        "past": "Terminssamtalet är bokat till en dag som redan har varit (ändra status till held, eller boka om), så ingen inbjudan",
        "unreachable": "En företrädare som bevakar rättigheterna saknar adress och e-post",
        "no_rights": "Barn utan vårdnadshavare eller annan företrädare att bjuda in; kontrollera vem som har vårdnaden",
        "protected": "Skyddade personuppgifter: inbjudan utan adress, lämna den personligen",
    }
    for key, text in warnings.items():
        if notes.get(key):
            line += f" {text}: {', '.join(notes[key])}."
    if NO_SUPPORT_PERSON in groups:
        line += f" Utan stödperson (samlade i utskrift_{NO_SUPPORT_PERSON}_*): {len(sum(groups[NO_SUPPORT_PERSON].values(), []))} dokument."
    return line


# --- the fields each template may use ------------------------------------------------------

BASE_FIELDS = {
    "client.id": "klientens id (aldrig personnumret)",
    "client.name": "klientens namn",
    "unit.name": "enhetens namn", "unit.phone": "enhetens telefonnummer", "unit.email": "enhetens e-post",
    "unit.manager.name": "enhetschefens namn",
    "support_person.name": "stödpersonens namn", "support_person.phone": "stödpersonens telefon",
    "support_person.email": "stödpersonens e-post", "support_person.title": "stödpersonens titel",
}
TERM_FIELDS = {
    **BASE_FIELDS,
    "term.label": "terminen, t.ex. höstterminen 2026", "term.start": "terminens första dag", "term.end": "terminens sista dag",
    "meeting.date": "terminssamtalets datum (tomt om inget är bokat)", "meeting.time": "klockslag, t.ex. 14.00",
    "meeting.place": "plats", "meeting.status": "booked, held eller cancelled",
    "questions[].number": "frågans nummer", "questions[].id": "frågans id (används i anteckningsfilen)",
    "questions[].text": "frågan", "questions[].help": "stöd till den som leder samtalet",
    "questions[].answer": "svaret från anteckningarna (tomt på den tomma blanketten)",
}
register(FieldSet("forms", ("terminssamtal-inbjudan.docx",), "Inbjudan till terminssamtal (en per mottagare)", {
    **TERM_FIELDS,
    "recipient.name": "mottagarens namn", "recipient.first_name": "mottagarens förnamn (till hälsningen)",
    "recipient.is_client": "sant när inbjudan går till klienten själv", "recipient.role": "brukare, god man, förvaltare, vårdnadshavare eller närstående",
    "recipient.address_lines": "mottagarens namn och adress, en rad i taget (tom vid skyddade personuppgifter)",
    "recipient.email": "mottagarens e-post",
}))
register(FieldSet("forms", ("terminssamtal-fragor.docx",), "Frågor till terminssamtal", TERM_FIELDS))
register(FieldSet("forms", ("terminssamtal-minnesanteckningar.docx",), "Minnesanteckningar från terminssamtal", {
    **TERM_FIELDS,
    "participants[].name": "deltagarens namn", "participants[].role": "roll eller relation",
    "participants[].attended": "deltog (Ja, eller rutor att kryssa på den tomma blanketten)",
    "documentation_statement": "att innehållet dokumenteras och används för kvalitetsutveckling",
    "filled": "sant när blanketten fylls i från anteckningar", "internal": "sant i enhetens exemplar, falskt i kopian till anhöriga",
    "internal_notes": "anteckningar bara för enheten", "copy_to": "anhöriga som deltog och får den renskrivna kopian",
    "actions[].what": "överenskommen åtgärd", "actions[].who": "vem som gör den", "actions[].when": "klart senast",
    "next_meeting.date": "nästa terminssamtal, datum", "next_meeting.time": "klockslag", "next_meeting.place": "plats",
    "next_meeting.status": "(används inte)",
}))
register(FieldSet("forms", ("manadsuppfoljning.docx",), "Månadsuppföljning för stödpersoner", {
    **BASE_FIELDS,
    "month.label": "månaden, t.ex. november 2026", "month.start": "månadens första dag", "month.end": "månadens sista dag",
    "care_plan.updated": "genomförandeplanen senast uppdaterad", "care_plan.follow_up": "nästa uppföljning av planen",
    "care_plan.risk_assessment": "riskbedömningens datum", "care_plan.action_plan": "handlingsplan kopplad till riskbedömningen (Ja/Nej)",
    "care_plan.goals": "målen i genomförandeplanen (lista)", "care_plan.warnings": "det som behöver uppmärksammas (lista)",
    "meeting.date": "bokad månadsuppföljning, datum", "meeting.time": "klockslag", "meeting.place": "plats",
    "meeting.status": "booked, held eller cancelled",
    "team_meeting.date": "verksamhetsmötet där klienten redovisas (rullande schema)",
    "questions[].number": "frågans nummer", "questions[].text": "frågan till brukaren",
    "points[].number": "punktens nummer (1–7)", "points[].text": "punkten att redovisa", "points[].fact": "vad ärendefilen säger",
    "points[].open": "sant för de öppna frågorna (5 och 6), som besvaras med text",
    "points[].answer": "rutorna Ja/Nej; tomt för de öppna frågorna 5 och 6, som besvaras med text",
}))
register(FieldSet("forms", ("hemgangssamtal.docx",), "Hemgångssamtal – logg", {
    **BASE_FIELDS,
    "term.label": "terminen", "term.start": "periodens första dag", "term.end": "periodens sista dag",
    "contacts[].name": "närstående eller företrädare", "contacts[].role": "relation eller roll",
    "contacts[].phone": "telefon", "contacts[].email": "e-post",
    "rows[].stay_ended": "när vistelsen slutade", "rows[].held": "när samtalet gjordes", "rows[].method": "hur",
    "rows[].held_by": "vem som gjorde det", "rows[].in_time": "inom 24 timmar (Ja/Nej)",
    "rows[].held_text": "när, hur och av vem samtalet gjordes, på rader",
    "rows[].spoken_with": "vem vi talade med (namn eller relation)", "rows[].passed_on": "vad vi förmedlade om vistelsen",
}))
