"""The årshjul as an iCalendar file (.ics) that Outlook, Google Calendar and LibreOffice import.

One VEVENT per step: Outlook imports events but not VTODO tasks, so a step is an event on its
day, with the responsible role and what to prepare in the description and a reminder (VALARM)
inside the event, where every importer keeps it. A step on the unit's meeting day gets the
meeting's time when the case file has one (``units[].meeting_time``, Europe/Stockholm, with
a VTIMEZONE written as Outlook writes it: the EU rule, not a list of past transitions); otherwise it is an all-day event that does not block the day.
UIDs are stable (year, unit, step), so importing a regenerated file updates the events instead
of doubling them. A step already past when the file is made gets no reminder: Outlook would
pop up every past reminder at once on import.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard

from formkit.arshjul.steps import Step
from formkit.case.model import Unit

TIMEZONE = ZoneInfo("Europe/Stockholm")
MEETING_LENGTH = dt.timedelta(hours=1)


def description(step: Step, past: bool, made: dt.date) -> str:
    lines = [f"Ansvarig: {step.responsible}", f"Förbered: {step.prepare}"]
    if step.command:
        lines.append(f"Dokument: {step.command}")
    lines.append(f"Rutin {step.routine.number}: {step.routine.title}")
    if step.note:
        lines.append(f"Obs: {step.note}")
    if past:
        lines.append(f"Passerat när årshjulet gjordes ({made.isoformat()}): bocka av i checklistan om det är gjort.")
    return "\n".join(lines)


def calendar_bytes(unit: Unit, year: int, steps: list[Step], today: dt.date, stamp: dt.datetime) -> bytes:
    """The .ics file of one unit's year."""
    cal = Calendar()
    cal.add("prodid", "-//formkit//årshjul//SV")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"Årshjul {year} – {unit.name}")
    cal.add("x-wr-timezone", "Europe/Stockholm")
    if unit.meeting_time and any(s.on_meeting for s in steps):
        cal.add_component(_stockholm())  # before the events that name it, as Outlook writes it
    for step in steps:
        past = step.date < today
        event = Event()
        event.add("uid", f"{year}-{unit.id}-{step.key}@formkit")
        event.add("dtstamp", stamp.astimezone(dt.timezone.utc))
        if unit.meeting_time and step.on_meeting:
            hours, minutes = (int(x) for x in unit.meeting_time.split("."))
            start = dt.datetime.combine(step.date, dt.time(hours, minutes), tzinfo=TIMEZONE)
            event.add("dtstart", start)
            event.add("dtend", start + MEETING_LENGTH)
        else:
            event.add("dtstart", step.date)
            event.add("dtend", step.date + dt.timedelta(days=1))
            event.add("transp", "TRANSPARENT")
        event.add("summary", step.title)
        event.add("description", description(step, past, today))
        event.add("categories", [f"Rutin {step.routine.number}", step.responsible])
        if not past:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", f"Påminnelse: {step.title}")
            alarm.add("trigger", -dt.timedelta(days=step.alarm_days))
            event.add_component(alarm)
        cal.add_component(event)
    return cal.to_ical()


def _stockholm() -> Timezone:
    """Europe/Stockholm by the EU rule: summer time from the last Sunday of March to the last
    Sunday of October."""
    zone = Timezone()
    zone.add("tzid", "Europe/Stockholm")
    for part, start, month, before, after, name in (
        (TimezoneDaylight(), dt.datetime(1981, 3, 29, 2), 3, 1, 2, "CEST"),
        (TimezoneStandard(), dt.datetime(1996, 10, 27, 3), 10, 2, 1, "CET"),
    ):
        part.add("dtstart", start)
        part.add("rrule", {"freq": "yearly", "bymonth": month, "byday": "-1su"})
        part.add("tzoffsetfrom", dt.timedelta(hours=before))
        part.add("tzoffsetto", dt.timedelta(hours=after))
        part.add("tzname", name)
        zone.add_component(part)
    return zone
