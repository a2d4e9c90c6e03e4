"""The rules of the meeting routines, in one place: the questions and points, which clients
each routine covers, terms and months, the 24-hour rule and the rolling schedule.

The forms (``meetings``), the minutes from notes (``minutes``) and the list of what is due
(``meetings_due``) all read these, so a question changed here changes every document.

Sources: the routine "Uppföljning av insatser och brukarundersökning" (korttidsvistelse LSS:
hemgångssamtal, terminssamtal) and "Månadsuppföljning för stödpersoner" (boendestöd).
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass

from formkit.case.model import Case, Client, Meeting, Unit
from formkit.errors import DataError
from formkit.swedish import MONTHS, WEEKDAYS

KINDS = ("term", "monthly", "homecoming")
MEETING_KIND = {"term": "term_meeting", "monthly": "monthly_review", "homecoming": "homecoming"}
# Which units a routine is written for: terminssamtal and hemgångssamtal belong to
# korttidsvistelse, månadsuppföljning to boendestöd. Terminssamtal follow the unit
# (``Unit.has_term_meetings``: short stay, or any unit that sets ``term_meetings: ja``); for the
# other two a client of another unit is covered too when the case file records such a meeting.
KIND_UNITS = {"term": {"short_stay"}, "monthly": {"housing_support"}, "homecoming": {"short_stay"}}
KIND_NAMES = {"term": "terminssamtal", "monthly": "månadsuppföljning", "homecoming": "hemgångssamtal"}


@dataclass(frozen=True)
class Question:
    id: str  # what a notes file names (or the number)
    text: str
    help: str = ""


TERM_QUESTIONS: tuple[Question, ...] = (
    Question("upplevelse", "Hur upplever ni det stöd vi ger på korttidsvistelsen?",
             "Låt brukaren och de närstående berätta fritt."),
    Question("upplagg", "Vi går igenom hur vi har lagt upp stödet. Stämmer det med behoven och önskemålen?",
             "Utgå från genomförandeplanen: vad vi gör, när och hur."),
    Question("trivsel", "Hur trivs {vem} under vistelserna, och vad tycker {vem} mest om att göra?",
             "Fråga brukaren själv först."),
    Question("bra", "Vad fungerar bra?", "Ta med exempel från den senaste terminen."),
    Question("battre", "Vad kan vi göra bättre?", "Skriv ner förslagen så som de sägs."),
    Question("information", "Får ni den information ni behöver från oss, till exempel i hemgångssamtalet efter varje vistelse?",
             "Hemgångssamtalet ska ske inom 24 timmar efter vistelsen."),
    Question("onskemal", "Har behoven förändrats, eller har ni önskemål inför nästa termin?",
             "Behövs en ny genomförandeplan eller en kontakt med handläggaren?"),
    Question("ovrigt", "Är det något mer ni vill ta upp?", ""),
)

MONTHLY_QUESTIONS: tuple[str, ...] = (
    "Önskemål",
    "Hur har stödet fungerat?",
    "Vad har fungerat bra? Vad har fungerat mindre bra?",
    "Behövs det göras en ny genomförandeplan utifrån ändringar?",
)

MONTHLY_OPEN_POINTS = (5, 6)  # open questions: written answers, not Ja/Nej
MONTHLY_POINTS: tuple[str, ...] = (
    "Är genomförandeplanen aktuell och är uppföljningen planerad?",
    "Är beställningen aktuell, eller behöver den följas upp med handläggaren?",
    "Ger stödet det som målen i genomförandeplanen beskriver?",
    "Är målen i genomförandeplanen SMARTA: specifika, mätbara, accepterade, realistiska och tidsatta?",
    "Vilka metoder används och hur leder de till självständighet, delaktighet och självbestämmande?",
    "Hur fungerar stödet enligt dokumentationen? Läs dokumentationen en månad bakåt: "
    "är den skriven utifrån målen i genomförandeplanen?",
    "Är riskbedömningen aktuell? Finns det en handlingsplan kopplad till den?",
)

DOCUMENTATION_STATEMENT = (
    "Alla som deltar informeras om att vi dokumenterar samtalet och använder innehållet för att "
    "utveckla kvaliteten i vår verksamhet."
)

HOMECOMING_METHODS = {"pickup": "vid hämtning", "phone": "telefon", "sms": "sms", "contact_book": "kontaktbok"}
HOMECOMING_LIMIT = dt.timedelta(hours=24)
DEFAULT_TEAM_DAY = "tisdag"


def unit_questions(unit: Unit | None) -> tuple[Question, ...]:
    """The unit's samtalsmall ("utifrån den samtalsmall som är framtagen"): its own questions
    from the case file (``units[].term_questions``), else the routine's."""
    if unit is not None and unit.term_questions:
        return tuple(Question(q.id, q.text, q.help) for q in unit.term_questions)
    return TERM_QUESTIONS


def find_question(reference: str, questions: tuple[Question, ...] = TERM_QUESTIONS) -> Question | None:
    """A terminssamtal question by id or by its number (1–n)."""
    ref = reference.strip().lower()
    if ref.isdigit() and 1 <= int(ref) <= len(questions):
        return questions[int(ref) - 1]
    return next((q for q in questions if q.id == ref), None)


# --- periods -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    label: str

    def __contains__(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def term_of(day: dt.date) -> Period:
    """Vårtermin is January–June, hösttermin July–December (the terminssamtal comes twice a year)."""
    if day.month <= 6:
        return Period(dt.date(day.year, 1, 1), dt.date(day.year, 6, 30), f"vårterminen {day.year}")
    return Period(dt.date(day.year, 7, 1), dt.date(day.year, 12, 31), f"höstterminen {day.year}")


def month_of(day: dt.date) -> Period:
    start = day.replace(day=1)
    following = (start + dt.timedelta(days=32)).replace(day=1)
    return Period(start, following - dt.timedelta(days=1), f"{MONTHS[day.month - 1]} {day.year}")


# --- who is covered ------------------------------------------------------------------------

def covered(case: Case, kind: str) -> list[Client]:
    """The clients a routine covers: those of its kind of unit, and any client with a
    meeting of that kind in the case file."""
    if kind == "term":
        return [c for c in case.clients if case.units_by_id[c.unit].has_term_meetings]
    with_meeting = {m.client for m in case.meetings if m.kind == MEETING_KIND[kind]}
    return [
        c for c in case.clients
        if case.units_by_id[c.unit].kind in KIND_UNITS[kind] or c.id in with_meeting
    ]


def select_clients(case: Case, kind: str, client_id: str | None, support_person: str | None) -> list[Client]:
    """The clients one run makes forms for; unknown ids are errors with a suggestion."""
    if client_id:
        if client_id not in case.clients_by_id:
            raise DataError(f"Det finns ingen klient med id '{client_id}' i ärendefilen{_hint(client_id, case.clients_by_id)}.")
        client = case.clients_by_id[client_id]
        unit = case.units_by_id[client.unit]
        if kind == "term" and not unit.has_term_meetings:
            raise DataError(f"{unit.name} har inga terminssamtal: rutinen gäller korttidsvistelse. Skriv term_meetings: ja "
                            f"på enheten {unit.id} om den också ska ha terminssamtal.")
        return [client]
    clients = covered(case, kind)
    if support_person:
        staff = case.staff_by_id.get(support_person)
        if staff is None:
            raise DataError(f"Det finns ingen medarbetare med id '{support_person}' i ärendefilen{_hint(support_person, case.staff_by_id)}.")
        if staff.role != "support_person":
            raise DataError(f"'{support_person}' ({staff.name}) är inte stödperson i ärendefilen (rollen är {staff.role}).")
        clients = [c for c in clients if c.support_person == support_person]
        if not clients:
            raise DataError(
                f"{staff.name} ({support_person}) har inga klienter som har {KIND_NAMES[kind]}. "
                "Kontrollera support_person hos klienterna eller välj en klient med --client."
            )
    if not clients:
        raise DataError(
            f"Ärendefilen har inga klienter som har {KIND_NAMES[kind]} (enheter av typen "
            f"{' eller '.join(sorted(KIND_UNITS[kind]))}"
            + (", eller en enhet med term_meetings: ja)." if kind == "term" else f", eller ett möte av typen {MEETING_KIND[kind]}).")
        )
    return clients


def _hint(value: str, known: dict) -> str:
    close = difflib.get_close_matches(value, list(known), n=1)
    return f"; menade du '{close[0]}'?" if close else ""


def meetings_of(case: Case, client: Client, kind: str, period: Period) -> list[Meeting]:
    """The client's meetings of ``kind`` in ``period`` that are not cancelled, by date."""
    wanted = MEETING_KIND[kind]
    found = [
        m for m in case.meetings
        if m.kind == wanted and m.client == client.id and m.status != "cancelled"
        and ((m.stay_ended or m.date) if kind == "homecoming" else m.date) in period
    ]
    return sorted(found, key=lambda m: (m.stay_ended or m.date, m.date, m.time or ""))


# --- the 24-hour rule ----------------------------------------------------------------------

def _at(day: dt.date, clock: str | None) -> dt.datetime | None:
    if clock is None:
        return None
    hours, minutes = clock.split(".")
    return dt.datetime.combine(day, dt.time(int(hours), int(minutes)))


def homecoming_in_time(meeting: Meeting) -> bool | None:
    """Was the hemgångssamtal held within 24 hours after the stay ended?

    With both times recorded, the times decide. Without them, only the dates: the next day
    counts as in time, later does not. None when it cannot be known (no stay_ended, or the
    talk is not recorded as held)."""
    if meeting.stay_ended is None or meeting.status != "held":
        return None
    ended, held = _at(meeting.stay_ended, meeting.stay_ended_time), _at(meeting.date, meeting.time)
    if ended is not None and held is not None:
        return held - ended <= HOMECOMING_LIMIT
    return (meeting.date - meeting.stay_ended).days <= 1


def homecoming_deadline(meeting: Meeting) -> dt.datetime | None:
    if meeting.stay_ended is None:
        return None
    ended = _at(meeting.stay_ended, meeting.stay_ended_time)
    if ended is None:  # dates only: the whole next day
        return dt.datetime.combine(meeting.stay_ended + dt.timedelta(days=1), dt.time(23, 59))
    return ended + HOMECOMING_LIMIT


# --- the rolling schedule for the verksamhetsmöte -------------------------------------------

@dataclass(frozen=True)
class Slot:
    date: dt.date
    support_person: str | None
    client: str


def team_day(case: Case, override: str | None = None, unit: Unit | None = None) -> str:
    """The weekday of the verksamhetsmöte: as asked (``--team-day``), else the unit's
    ``meeting_day`` in the case file (the client's unit, or the first boendestöd unit that has
    one), else tisdag. The forms, the list of what is due and the journal texts then agree."""
    if override:
        return override
    units = [unit] if unit is not None else [u for u in case.units if u.kind in KIND_UNITS["monthly"]]
    return next((u.meeting_day for u in units if u.meeting_day), DEFAULT_TEAM_DAY)


def team_meetings(month: Period, weekday: str = DEFAULT_TEAM_DAY) -> list[dt.date]:
    """Every ``weekday`` of the month: the verksamhetsmöte is held once a week."""
    number = WEEKDAYS.index(weekday)
    first = month.start + dt.timedelta(days=(number - month.start.weekday()) % 7)
    out = []
    while first <= month.end:
        out.append(first)
        first += dt.timedelta(days=7)
    return out


def rolling_schedule(case: Case, month: Period, weekday: str = DEFAULT_TEAM_DAY) -> list[Slot]:
    """Which stödperson presents which client at which verksamhetsmöte this month.

    Rule: each stödperson's boendestöd clients, in client-id order, are spread over the
    month's meetings one per meeting in turn, so nobody presents all their clients at once;
    each stödperson starts one meeting later than the previous one (stödpersoner in id
    order), so the meetings get about the same number of clients. The order is stable from
    month to month, so a client is presented in about the same week every month."""
    dates = team_meetings(month, weekday)
    by_person: dict[str | None, list[Client]] = {}
    for client in covered(case, "monthly"):
        by_person.setdefault(client.support_person, []).append(client)
    slots = []
    for offset, person in enumerate(sorted(by_person, key=lambda p: (p is None, p or ""))):
        for i, client in enumerate(sorted(by_person[person], key=lambda c: c.id)):
            slots.append(Slot(dates[(i + offset) % len(dates)], person, client.id))
    return sorted(slots, key=lambda s: (s.date, s.support_person or "~", s.client))
