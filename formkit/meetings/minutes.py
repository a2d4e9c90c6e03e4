"""``formkit meetings --kind term --minutes NOTES.yaml``: the terminssamtal minutes filled in
from the stödperson's notes.

The routine asks for two things after the meeting: the notes go into the brukarpärm (and to
the administrator), and a clean copy (renskrivna minnesanteckningar) is mailed to the
relatives who took part. So one notes file gives two documents from the same template: the
unit's copy (with internal notes and the after-the-meeting checklist) and the clean copy
without them, plus a small mailing list (csv) of the relatives who should get it and an
unsent e-mail draft (.eml) to each of them who may get it by e-mail (``meetings.mail``).

The notes file is YAML read with ``yamlsource`` (every value is text, every problem has its
line). A question that does not exist is an error naming the line and the questions that do.
"""

from __future__ import annotations

import datetime as dt
import difflib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from formkit import templates as template_files
from formkit.case import personnummer, yamlsource
from formkit.case.loading import translate_error
from formkit.case.model import ROLE_NAMES, Case, Clock, Date, Model, Text, YesNo
from formkit.errors import NotesFileError, Problem
from formkit.meetings import mail
from formkit.meetings.forms import TEMPLATES, client_base, first_name, period_context, questions_context
from formkit.meetings.rules import DOCUMENTATION_STATEMENT, find_question, meetings_of, term_of, unit_questions
from formkit.docx.render import CompiledTemplate
from formkit.output import Output, Sink, csv_bytes

EXAMPLE = """\
client: b-012
date: 2026-12-03            # utan datum: det bokade terminssamtalet denna termin
informed: ja                # alla fick veta att samtalet dokumenteras
participants:
  - {name: Eva Ek, role: vårdnadshavare, relative: ja, email: eva.ek@example.se}
answers:
  upplevelse: Trivs bra, vill gärna vara ute mer.
  5: Bättre information om vad som hänt under helgen.
actions:
  - {what: Skicka veckoschema, who: Stödpersonen, when: 2026-12-20}
next_meeting: {date: 2027-03-10, time: "14.00", place: Solrosen}
"""


class Participant(Model):
    name: Text
    role: Text | None = None
    relative: YesNo | None = None  # None: decided from the client's representatives
    email: Text | None = None


class Action(Model):
    what: Text
    who: Text | None = None
    when: Date | None = None


class NextMeeting(Model):
    date: Date | None = None
    time: Clock | None = None
    place: Text | None = None


class Notes(Model):
    """What was said at one terminssamtal."""

    client: Text
    date: Date | None = None
    time: Clock | None = None
    place: Text | None = None
    informed: YesNo = False
    participants: list[Participant] = []
    answers: dict[str, Text] = {}
    actions: list[Action] = []
    next_meeting: NextMeeting | None = None
    internal: Text | None = None  # for the unit only, never in the clean copy


def load_notes(path: Path, case: Case) -> tuple[Notes, dict[str, str]]:
    """The notes and their answers by question id; every problem at once, with its line."""
    data, lines = yamlsource.load(path, error=NotesFileError)
    problems: list[Problem] = []
    notes: Notes | None = None
    try:
        notes = Notes.model_validate(data)
    except ValidationError as exc:
        problems.extend(translate_error(err, lines, data) for err in exc.errors())
    answers: dict[str, str] = {}
    raw_answers = data.get("answers") if isinstance(data, dict) else None
    client_id = data.get("client") if isinstance(data, dict) else None
    known = case.clients_by_id.get(client_id) if isinstance(client_id, str) else None
    questions = unit_questions(case.units_by_id[known.unit] if known else None)
    if isinstance(raw_answers, dict):
        valid = [q.id for q in questions]
        for key, text in raw_answers.items():
            question = find_question(str(key), questions)
            line = yamlsource.line_of(lines, ("answers", key))
            if question is None:
                close = difflib.get_close_matches(key.lower(), valid, n=1)
                hint = f"menade du '{close[0]}'? " if close else ""
                problems.append(Problem(f"answers.{key}", f"frågan '{personnummer.echo(key)}' finns inte; {hint}"
                                        f"frågorna är {', '.join(valid)} (eller numren 1–{len(valid)})", line))
            elif question.id in answers:
                problems.append(Problem(f"answers.{key}", f"fråga {question.id} har redan ett svar i filen; skriv ihop svaren", line))
            elif isinstance(text, str):
                answers[question.id] = text.strip()
    if isinstance(client_id, str) and client_id not in case.clients_by_id:
        close = difflib.get_close_matches(client_id, list(case.clients_by_id), n=1)
        problems.append(Problem("client", f"det finns ingen klient med id '{personnummer.echo(client_id)}' i ärendefilen"
                                + (f"; menade du '{close[0]}'?" if close else ""), lines.get(("client",))))
    if problems or notes is None:
        problems.sort(key=lambda p: (p.line or 0, p.path))
        raise NotesFileError(str(path), problems)
    return notes, answers


def build(case: Case, notes_path: Path, today: dt.date, user_templates: Path | None) -> Output:
    """The unit's copy, the clean copy for the relatives and their mailing list, all or nothing."""
    notes, answers = load_notes(notes_path, case)
    client = case.clients_by_id[notes.client]
    held = notes.date
    booked = [m for m in meetings_of(case, client, "term", term_of(held or today)) if held is None or m.date == held]
    meeting = booked[-1] if booked else None
    if held is None:
        if meeting is None:
            raise NotesFileError(str(notes_path), [Problem("date", f"ange datumet för samtalet; {client.id} har inget bokat terminssamtal denna termin")])
        held = meeting.date
    meeting_ctx = {
        "date": held,
        "time": notes.time or (meeting.time if meeting and meeting.time else ""),
        "place": notes.place or (meeting.place if meeting and meeting.place else ""),
        "status": "held",
    }
    relatives = _relatives(case, notes)
    people = [{"name": p.name, "role": p.role or _role_of(case, notes.client, p.name), "attended": "Ja"} for p in notes.participants]
    nxt = notes.next_meeting or NextMeeting()
    questions = questions_context(first_name(client.name), answers, unit_questions(case.units_by_id[client.unit]))
    statement = ("Alla som deltog informerades om att vi dokumenterar samtalet och använder innehållet för att "
                 "utveckla kvaliteten i vår verksamhet." if notes.informed else f"\u2610 {DOCUMENTATION_STATEMENT}")
    context: dict[str, Any] = {
        **client_base(case, client, today),
        "term": period_context(term_of(held)),
        "meeting": meeting_ctx,
        "questions": questions,
        "participants": people or [{"name": "", "role": "", "attended": ""}],
        "documentation_statement": statement,
        "filled": True,
        "internal_notes": notes.internal or "",
        "copy_to": ", ".join(r["name"] for r in relatives) or "ingen anhörig deltog",
        "actions": [{"what": a.what, "who": a.who or "", "when": a.when or ""} for a in notes.actions]
        or [{"what": "Inga åtgärder bestämdes.", "who": "", "when": ""}],
        "next_meeting": {"date": nxt.date or "", "time": nxt.time or "", "place": nxt.place or "", "status": ""},
    }
    name = TEMPLATES["term"][2]
    template = CompiledTemplate(template_files.find("forms", name, user_templates))
    stem = f"{client.id}_{held.isoformat()}"
    result = Output("minnesanteckningar")
    result.add(f"terminssamtal-minnesanteckningar_{stem}.docx",
               template.render({**context, "internal": True}, client.id).to_bytes(), pdf=True)
    result.add(f"terminssamtal-renskrivna_{stem}.docx",
               template.render({**context, "internal": False}, client.id).to_bytes(), pdf=True)
    result.add(f"terminssamtal-utskick_{stem}.csv", csv_bytes(
        ["namn", "roll", "e-post"], [[r["name"], r["role"], r["email"]] for r in relatives]))
    clean = f"terminssamtal-renskrivna_{stem}.docx"
    to, not_mailed = mail.recipients(client, [r["name"] for r in relatives], held)
    drafts = [f"terminssamtal-epost_{stem}_{n}.eml" for n in range(1, len(to) + 1)]

    def write_drafts(sink: Sink) -> None:
        """After the PDFs: each draft attaches the clean copy, and its PDF when --pdf made one."""
        pdf_name = clean.removesuffix(".docx") + ".pdf"
        attachments = [(name, data) for name in (clean, pdf_name) if (data := sink.read(name)) is not None]
        for name, representative in zip(drafts, to):
            sink.add(name, mail.draft(case, client, representative, held, attachments))

    if drafts:
        result.finish(drafts, write_drafts)
    without_email = sum(1 for r in relatives if not r["email"])
    summary = (f"Minnesanteckningarna från terminssamtalet med {client.id} {held.isoformat()}: "
               f"enhetens exemplar och en renskriven kopia till {len(relatives)} "
               f"{'anhörig' if len(relatives) == 1 else 'anhöriga'} som deltog"
               + (f" ({without_email} utan e-post: skicka med post)" if without_email else "") + ".")
    if not notes.informed:
        summary += " Obs: anteckningarna säger inte att deltagarna informerades om dokumentationen (informed: ja)."
    if not answers:
        summary += " Obs: inga svar på frågorna i anteckningsfilen."
    if to:
        summary += (f" {len(to)} e-postutkast (.eml, öppnas i Outlook, inget är skickat) till "
                    + ", ".join(r.name for r in to) + ".")
    if not_mailed:
        summary += " Ingen e-post till " + "; ".join(f"{s.name} ({s.reason})" for s in not_mailed) + ": skicka med post."
    result.summary.append(summary)
    return result


def _role_of(case: Case, client_id: str, name: str) -> str:
    client = case.clients_by_id[client_id]
    if name.strip().casefold() == client.name.casefold():
        return "brukare"
    rep = next((r for r in client.representatives if r.name.casefold() == name.strip().casefold()), None)
    return (rep.relation or ROLE_NAMES[rep.role]) if rep else ""


def _relatives(case: Case, notes: Notes) -> list[dict[str, str]]:
    """The relatives who took part: marked ``relative: ja``, or (when not marked) named as
    one of the client's representatives. Their e-mail comes from the notes or the case file."""
    client = case.clients_by_id[notes.client]
    reps = {r.name.casefold(): r for r in client.representatives}
    out = []
    for p in notes.participants:
        rep = reps.get(p.name.casefold())
        if p.relative is False or (p.relative is None and rep is None):
            continue
        out.append({
            "name": p.name,
            "role": p.role or ((rep.relation or ROLE_NAMES[rep.role]) if rep else "närstående"),
            "email": p.email or (rep.email if rep and rep.email else ""),
        })
    return out
