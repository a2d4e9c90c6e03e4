"""Journal texts of the meeting routines, ready to paste into the case system.

* terminssamtal (routine 000): "dokumenteras i LifeCare att terminssamtal har utförts med
  hänvisning till brukarpärm";
* månadsuppföljning (routine 003): the stödperson "sammanställer brukarens önskemål/synpunkter
  samt nedanstående punkter och dokumenterar detta i social journal", and presents the client
  at the verksamhetsmöte by the rolling schedule;
* hemgångssamtal (routine 000): "Det ska dokumenteras på enheten att samtalet är utfört och av
  vem som utfört det", within 24 hours of the end of the stay.

Only meetings recorded as held get a text, and each says only what the case file records: what
was not recorded is named as missing, never guessed. No personal number appears.
"""

from __future__ import annotations

import datetime as dt
import difflib

from formkit.case.model import ROLE_NAMES, Case, Meeting
from formkit.errors import DataError
from formkit.output import Output
from formkit.meetings.rules import (
    HOMECOMING_METHODS, KIND_NAMES, MEETING_KIND, homecoming_in_time, month_of, rolling_schedule, team_day,
)

KIND_OF = {v: k for k, v in MEETING_KIND.items()}
FILE_WORDS = {"term_meeting": "terminssamtal", "monthly_review": "manadsuppfoljning", "homecoming": "hemgangssamtal"}


def _when(day: dt.date, clock: str | None) -> str:
    return f"{day.isoformat()} kl. {clock}" if clock else day.isoformat()


def _staff(case: Case, staff_id: str | None) -> str:
    staff = case.staff_by_id.get(staff_id or "")
    return f"{staff.name} ({(staff.title or 'stödperson').lower()})" if staff else ""


def term_note(case: Case, meeting: Meeting) -> str:
    client = case.client(meeting.client)
    reps = {r.name: r for r in client.representatives}
    invited = [f"{name} ({reps[name].relation or ROLE_NAMES[reps[name].role]})" if name in reps else name
               for name in meeting.invitees]
    lines = [f"Terminssamtal har genomförts {_when(meeting.date, meeting.time)}"
             + (f", {meeting.place}" if meeting.place else "") + "."]
    lines.append(f"Inbjudna: {client.name} (brukare)" + "".join(f", {x}" for x in invited) + ".")
    held_by = _staff(case, meeting.held_by or client.support_person)
    if held_by:
        lines.append(f"Samtalet hölls av {held_by} utifrån samtalsmallen.")
    lines.append("Deltagarna informerades om att samtalet dokumenteras och används för att utveckla kvaliteten i verksamheten.")
    lines.append("Minnesanteckningarna finns i brukarpärmen och har lämnats till administratör.")
    return "\n".join(lines)


def monthly_note(case: Case, meeting: Meeting) -> str:
    client = case.client(meeting.client)
    unit = case.units_by_id[client.unit]
    lines = [f"Månadsuppföljning {_when(meeting.date, meeting.time)}" + (f", {meeting.place}" if meeting.place else "")
             + (f", av {_staff(case, meeting.held_by or client.support_person)}" if meeting.held_by or client.support_person else "") + "."]
    lines.append("Brukarens önskemål och synpunkter: " + (meeting.summary or "(inte antecknat i ärendefilen; skriv vad brukaren sa)"))
    plan = client.care_plan
    if plan is None:
        lines.append("Genomförandeplan: ingen registrerad.")
    else:
        lines.append(f"Genomförandeplanen uppdaterades {plan.updated.isoformat()}; uppföljning "
                     + (f"planerad {plan.follow_up.isoformat()}." if plan.follow_up else "inte planerad."))
        lines.append(f"Riskbedömning {plan.risk_assessment.isoformat()}, " if plan.risk_assessment else "Riskbedömning: ingen registrerad, ")
        lines[-1] += "med kopplad handlingsplan." if plan.action_plan else "utan kopplad handlingsplan."
    day = team_day(case, None, unit)
    month = month_of(meeting.date)
    slots = [s.date for m in (month, month_of(month.end + dt.timedelta(days=1))) for s in rolling_schedule(case, m, day)
             if s.client == client.id and s.date >= meeting.date]
    if slots:
        lines.append(f"Redovisas på verksamhetsmötet {slots[0].isoformat()} enligt rullande schema.")
    return "\n".join(lines)


def homecoming_note(case: Case, meeting: Meeting) -> str:
    ended = meeting.stay_ended or meeting.date
    method = HOMECOMING_METHODS.get(meeting.method or "", "")
    held_by = _staff(case, meeting.held_by)
    text = (f"Hemgångssamtal efter vistelsen som slutade {_when(ended, meeting.stay_ended_time)}: genomfört "
            f"{_when(meeting.date, meeting.time)}" + (f" ({method})" if method else "")
            + (f" av {held_by}" if held_by else " (vem som gjorde samtalet är inte antecknat)") + ".")
    in_time = homecoming_in_time(meeting)
    if in_time is True:
        text += " Inom 24 timmar."
    elif in_time is False:
        text += " Mer än 24 timmar efter att vistelsen slutade."
    return text


NOTES = {"term_meeting": term_note, "monthly_review": monthly_note, "homecoming": homecoming_note}


def held(case: Case, kind: str | None) -> list[Meeting]:
    """Every meeting recorded as held, of one kind (term, monthly, homecoming) or all, by date."""
    wanted = {MEETING_KIND[kind]} if kind else set(NOTES)
    return sorted((m for m in case.meetings if m.kind in wanted and m.status == "held"), key=lambda m: (m.date, m.client))


def note(case: Case, meeting: Meeting) -> str:
    return NOTES[meeting.kind](case, meeting)


def client_text(case: Case, client_id: str, kind: str | None) -> str:
    """The journal text of the client's latest held meeting of each kind (or of ``kind``)."""
    if client_id not in case.clients_by_id:
        close = difflib.get_close_matches(client_id, list(case.clients_by_id), n=1)
        raise DataError(f"Det finns ingen klient med id '{client_id}' i ärendefilen" + (f"; menade du '{close[0]}'?" if close else "."))
    latest: dict[str, Meeting] = {}
    for meeting in held(case, kind):
        if meeting.client == client_id:
            latest[meeting.kind] = meeting
    if not latest:
        what = KIND_NAMES[kind] if kind else "terminssamtal, månadsuppföljning eller hemgångssamtal"
        raise DataError(f"{client_id} har inget {what} med status held i ärendefilen; journaltexten görs när mötet är "
                        "antecknat som hållet (status: held).")
    return "\n\n".join(f"{KIND_NAMES[KIND_OF[k]].capitalize()}:\n{note(case, m)}" for k, m in latest.items())


def journal_files(case: Case, kind: str | None) -> dict[str, str]:
    """A text file per held meeting, by relative path (client id and date, never a name)."""
    out: dict[str, str] = {}
    for meeting in held(case, kind):
        stem = f"journal/{FILE_WORDS[meeting.kind]}_{meeting.client}_{meeting.date.isoformat()}"
        name, n = f"{stem}.txt", 1
        while name in out:
            n += 1
            name = f"{stem}-{n}.txt"
        out[name] = note(case, meeting) + "\n"
    return out


def journal_output(case: Case, kind: str | None) -> Output:
    """``--journal alla``: the text files, planned like every other output."""
    output = Output("journaltexter")
    for path, text in journal_files(case, kind).items():
        output.add(path, text.encode("utf-8"))
    output.summary.append("En journaltext per hållet möte i mappen journal/, att klistra in i journalen.")
    return output
