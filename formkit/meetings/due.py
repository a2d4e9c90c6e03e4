"""``formkit meetings CASE --due [--at DATE]``: what the routines still ask for, and the
rolling schedule for the verksamhetsmöte.

Three checks, all on the date given with ``--at`` (default today):

* terminssamtal: a covered client with no booked or held terminssamtal this term
  (vårterminen January–June, höstterminen July–December);
* månadsuppföljning: a covered client with no booked or held månadsuppföljning this month;
* hemgångssamtal: every stay that ended with no talk recorded as held, while the 24 hours can
  still be met, with the exact deadline ("ring senast 2026-11-23 kl. 15.00"); once passed, that
  it was missed; a talk recorded more than 24 hours after the stay ended; a talk without who
  held it, whom they spoke with or what was passed on.

The result is a table for the terminal (returned as text; the CLI prints it) and the same
rows in an xlsx, with a second sheet holding the month's rolling schedule.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from formkit.case.model import Case, Client, Meeting
from formkit.meetings.rules import (
    DEFAULT_TEAM_DAY, covered, homecoming_deadline, homecoming_in_time, meetings_of, month_of,
    rolling_schedule, term_of,
)
from formkit.swedish import weekday
from formkit.output import Output
from formkit.xlsx import put

PLURALS = {"terminssamtal": "terminssamtal", "månadsuppföljning": "månadsuppföljningar", "hemgångssamtal": "hemgångssamtal"}
HEADER = ["Vad", "Klient-id", "Klient", "Stödperson", "Datum", "Att göra"]
SCHEDULE_HEADER = ["Verksamhetsmöte", "Veckodag", "Stödperson", "Klient-id", "Klient", "Månadsuppföljning"]


@dataclass(frozen=True)
class Due:
    what: str  # terminssamtal, månadsuppföljning, hemgångssamtal
    client: Client
    support_person: str
    day: dt.date | None
    todo: str


def find_due(case: Case, at: dt.date) -> list[Due]:
    """Everything the three routines still ask for on ``at``, in a stable order."""
    term, month = term_of(at), month_of(at)
    out: list[Due] = []

    def person(client: Client) -> str:
        staff = case.staff_by_id.get(client.support_person or "")
        return staff.name if staff else "(ingen stödperson)"

    for client in covered(case, "term"):
        if not meetings_of(case, client, "term", term):
            out.append(Due("terminssamtal", client, person(client), term.end,
                           f"Boka terminssamtal för {term.label} och skicka inbjudan med frågorna"))
    for client in covered(case, "monthly"):
        if not meetings_of(case, client, "monthly", month):
            out.append(Due("månadsuppföljning", client, person(client), month.end,
                           f"Boka månadsuppföljning för {month.label}"))
    for client in covered(case, "homecoming"):
        for meeting in meetings_of(case, client, "homecoming", term):
            deadline = homecoming_deadline(meeting)
            ended = (meeting.stay_ended or meeting.date).isoformat()
            in_time = homecoming_in_time(meeting)
            if in_time is False:
                out.append(Due("hemgångssamtal", client, person(client), meeting.date,
                               f"Gjordes mer än 24 timmar efter vistelsen (slutade {ended}); ta upp det på enheten"))
            elif meeting.status != "held" and deadline is not None and at <= deadline.date():
                out.append(Due("hemgångssamtal", client, person(client), deadline.date(),
                               f"Ring senast {deadline_text(meeting, deadline)}: vistelsen slutade {ended_text(meeting)}; "
                               "berätta hur vistelsen har varit (vid hämtning, telefon, sms eller kontaktbok)"))
            elif meeting.status != "held" and deadline is not None:
                out.append(Due("hemgångssamtal", client, person(client), meeting.stay_ended,
                               f"Inte dokumenterat som gjort, fast vistelsen slutade {ended}; ring eller skriv i kontaktboken"))
            if meeting.status == "held":
                missing = [what for what, value in (("vem som gjorde samtalet (held_by)", meeting.held_by),
                                                    ("med vem ni talade (spoken_with)", meeting.spoken_with),
                                                    ("vad ni förmedlade (passed_on)", meeting.passed_on)) if not value]
                if missing:
                    out.append(Due("hemgångssamtal", client, person(client), meeting.date,
                                   "Det är inte dokumenterat " + _and(missing)))
    return out


def deadline_text(meeting: Meeting, deadline: dt.datetime) -> str:
    """"2026-11-23 kl. 15.00": 24 hours after the stay ended. Without a recorded time the
    whole next day counts, and the text says to record the time."""
    if meeting.stay_ended_time is None:
        return f"{deadline.date().isoformat()} (klockslaget när vistelsen slutade saknas: fyll i stay_ended_time)"
    return f"{deadline.date().isoformat()} kl. {deadline:%H.%M}"


def ended_text(meeting: Meeting) -> str:
    ended = (meeting.stay_ended or meeting.date).isoformat()
    return f"{ended} kl. {meeting.stay_ended_time}" if meeting.stay_ended_time else ended


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " eller " + items[-1]


def report(case: Case, at: dt.date, team_day: str = DEFAULT_TEAM_DAY) -> Output:
    """The table for the terminal, the xlsx, and the summary line."""
    rows = find_due(case, at)
    month = month_of(at)
    schedule = rolling_schedule(case, month, team_day)
    held_monthly = {c.id for c in covered(case, "monthly") if meetings_of(case, c, "monthly", month)}
    name = f"moten-att-gora_{at.isoformat()}.xlsx"
    result = Output("möten att göra", text=terminal_table(rows, schedule, case, month.label))
    result.add(name, workbook_bytes(case, rows, schedule, held_monthly))
    counts = {what: sum(1 for r in rows if r.what == what) for what in ("terminssamtal", "månadsuppföljning", "hemgångssamtal")}
    if rows:
        summary = (f"{len(rows)} saker att göra den {at.isoformat()}: "
                   + ", ".join(f"{n} {what if n == 1 else PLURALS[what]}" for what, n in counts.items() if n)
                   + f". Listan finns i {name}.")
    else:
        summary = f"Inget saknas den {at.isoformat()}: alla terminssamtal, månadsuppföljningar och hemgångssamtal är i ordning. Listan finns i {name}."
    result.summary.append(summary)
    return result


def terminal_table(rows: list[Due], schedule: list, case: Case, month_label: str) -> str:
    """Plain columns for a terminal: what to do, then who presents whom at which meeting."""
    lines: list[str] = []
    if rows:
        table = [HEADER] + [[r.what, r.client.id, r.client.name, r.support_person, r.day.isoformat() if r.day else "", r.todo] for r in rows]
        table = [[_short(cell, 40 if i < 5 else 200) for i, cell in enumerate(row)] for row in table]
        widths = [max(len(row[i]) for row in table) for i in range(len(HEADER) - 1)]
        for n, row in enumerate(table):
            lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[-1])
            if n == 0:
                lines.append("  ".join("-" * w for w in widths) + "  " + "-" * len("Att göra"))
    if schedule:
        if lines:
            lines.append("")
        lines.append(f"Rullande schema för verksamhetsmötet, {month_label}:")
        by_day: dict[dt.date, dict[str, list[str]]] = {}
        for slot in schedule:
            staff = case.staff_by_id.get(slot.support_person or "")
            by_day.setdefault(slot.date, {}).setdefault(staff.name if staff else "(ingen stödperson)", []).append(slot.client)
        for day, people in by_day.items():
            lines.append(f"  {weekday(day)} {day.isoformat()}: " + "; ".join(f"{p} ({', '.join(c)})" for p, c in people.items()))
    return "\n".join(lines)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- the workbook --------------------------------------------------------------------------

HEAD_FONT = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="DCE6F0")


def _sheet(sheet, header: list[str], rows: list[list], widths: list[int]) -> None:
    _put_row(sheet, 1, header)
    for cell in sheet[1]:
        cell.font, cell.fill = HEAD_FONT, HEAD_FILL  # styled cells: LibreOffice ignores table styles
    for i, row in enumerate(rows, start=2):
        _put_row(sheet, i, row)
        for cell in sheet[i]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for i, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + i)].width = width
    sheet.freeze_panes = "A2"
    if rows:
        sheet.auto_filter.ref = f"A1:{chr(ord('A') + len(header) - 1)}{len(rows) + 1}"


def workbook_bytes(case: Case, rows: list[Due], schedule: list, held_monthly: set[str]) -> bytes:
    book = Workbook()
    todo = book.active
    todo.title = "Att göra"
    _sheet(todo, HEADER, [[r.what, r.client.id, r.client.name, r.support_person, r.day, r.todo] for r in rows],
           [20, 12, 30, 24, 12, 70])
    plan = book.create_sheet("Rullande schema")
    plan_rows = []
    for slot in schedule:
        staff = case.staff_by_id.get(slot.support_person or "")
        client = case.clients_by_id[slot.client]
        plan_rows.append([slot.date, weekday(slot.date), staff.name if staff else "(ingen stödperson)", client.id,
                          client.name, "bokad eller gjord" if client.id in held_monthly else "saknas"])
    _sheet(plan, SCHEDULE_HEADER, plan_rows, [16, 10, 24, 12, 30, 18])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _put_row(sheet, row: int, values: list) -> None:
    for column, value in enumerate(values, start=1):
        put(sheet, row, column, value)
