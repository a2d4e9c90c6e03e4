"""The jobs on the page, by role, and how a submitted form becomes a family's options.

Each job names the family's ``plan`` and builds the same frozen options object the CLI builds
from its flags; nothing here knows how a document is made. ``blocked`` asks the families
themselves (a dry ``plan`` with the job's default options) whether a job can run, so a job is
greyed out for exactly the reason the CLI would give.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from formkit import arshjul, kvalitet
from formkit.arshjul import ArshjulOptions
from formkit.board import boards
from formkit.board.boards import BoardOptions
from formkit.case.model import Case
from formkit.errors import FormkitError, Problem, UsageError
from formkit.letters import batch as letter_batch
from formkit.letters.batch import LETTER_NAMES, LetterOptions
from formkit.meetings import command as meeting_command
from formkit.meetings.command import MeetingOptions
from formkit.meetings.forms import KIND_NAMES, TEMPLATES as MEETING_TEMPLATES
from formkit.opencare import forms as open_care
from formkit.kvalitet import KvalitetOptions
from formkit.kvalitet.rows import teams
from formkit.periods import Period
from formkit.opencare.forms import OpenCareOptions
from formkit.options import Options
from formkit.output import Output

Plan = Callable[[Case, Any], Output]

APPENDIX_NAMES = {
    1: "bilaga 1 – bakgrundsinformation",
    2: "bilaga 2 – frågor efter avslutad insats",
    3: "bilaga 3 – frågor till medarbetare, beställare och samarbetspartner",
    4: "bilaga 4 – sammanställning med diagram",
}


@dataclass(frozen=True)
class Job:
    """One job on the page: who it is for, what it makes, the templates it uses (a problem in one
    of them greys the job out) and the family's ``plan`` with its default options."""

    key: str
    title: str
    role: str
    what: str
    templates: tuple[str, ...]
    plan: Plan
    default: Callable[[Path], Options]


JOBS: tuple[Job, ...] = (
    Job("brukarbrev", "Brukarbrev 1–4", "Koordinator, hemtjänst",
        "Ett brev till varje klient i hemtjänsten, en utskriftsfil, en adresslista och en förteckning.",
        tuple(f"brukarbrev-{n}.docx" for n in LETTER_NAMES) + ("skyddad-identitet-innerkuvert.docx",),
        letter_batch.plan, lambda _out: LetterOptions(number=1)),
    Job("moten", "Mötesblanketter", "Stödperson",
        "Terminssamtal (inbjudan, frågor, minnesanteckningar), månadsuppföljning och hemgångssamtal.",
        tuple(name for names in MEETING_TEMPLATES.values() for name in names),
        meeting_command.plan, lambda _out: MeetingOptions(kind="term")),
    Job("minnesanteckningar", "Minnesanteckningar från anteckningar", "Stödperson",
        "Fyller i minnesanteckningarna från ett terminssamtal utifrån din anteckningsfil (.yaml).",
        ("terminssamtal-minnesanteckningar.docx",), meeting_command.plan, lambda _out: MeetingOptions(kind="term")),
    Job("oppenvard", "Öppenvårdens bilagor 1–4", "Enhetschef, öppenvård",
        "Blanketterna till klienter och samarbetspartner, och sammanställningen med diagram tre gånger om året.",
        tuple(f"oppenvard-bilaga-{n}.docx" for n in APPENDIX_NAMES),
        open_care.plan, lambda _out: OpenCareOptions(appendix=4)),
    Job("tavla", "Uppföljningstavlan", "Biståndshandläggare",
        "Din tavla i Excel, gjord om från ärendefilen utan att det du skrivit i den försvinner.",
        (), boards.plan, lambda out: BoardOptions(folder=out)),
    Job("kvalitet", "Teamets kvalitetsfil", "Biståndshandläggare",
        "De fyra frågorna från varje uppföljning i teamets Excelfil, som andelar och diagram; det teamet skrivit finns kvar.",
        (), kvalitet.plan, lambda out: KvalitetOptions(folder=out)),
    Job("arshjul", "Årshjulet", "Enhetschef, verksamhetschef",
        "Varje rutins steg under året: en kalender att importera i Outlook och en checklista i Excel.",
        (), arshjul.plan, lambda out: ArshjulOptions(folder=out)),
)
BY_KEY = {job.key: job for job in JOBS}


def blocked(case: Case | None, template_problems: list[Problem], out: Path) -> dict[str, str]:
    """Job key -> why it cannot run now (Swedish), for every job that cannot."""
    reasons: dict[str, str] = {}
    for job in JOBS:
        if case is None:
            reasons[job.key] = "Ärendefilen har fel. Rätta dem först (se listan ovan)."
            continue
        broken = sorted({p.path.split(":")[0] for p in template_problems
                         if p.path.split(":")[0].split("/")[-1] in job.templates})
        if broken:
            reasons[job.key] = f"Mallen {', '.join(broken)} har fel. Rätta mallen eller ladda upp en ny under Mallar."
            continue
        if job.key == "minnesanteckningar":
            continue  # needs the notes file; checked when it is uploaded
        try:
            job.plan(case, job.default(out))
        except FormkitError as exc:
            reasons[job.key] = str(exc)
    return reasons


# --- forms to options ----------------------------------------------------------------------

def _date(value: str | None, today: dt.date) -> dt.date:
    if not value:
        return today
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(f"'{value}' är inget datum; skriv ÅÅÅÅ-MM-DD, t.ex. {today.isoformat()}.") from None


def _choice(value: str | None, allowed: Mapping[str, object], what: str) -> str | None:
    """An optional choice from a list the page offered ('' = all)."""
    if not value:
        return None
    if value not in allowed:
        raise UsageError(f"'{value}' finns inte bland {what} i ärendefilen; välj i listan.")
    return value


def _number(value: str | None, allowed: Mapping[int, str], what: str) -> int:
    try:
        number = int(value or "")
    except ValueError:
        number = 0
    if number not in allowed:
        raise UsageError(f"Välj {what} ({', '.join(str(n) for n in allowed)}).")
    return number


def home_care_units(case: Case) -> dict[str, str]:
    return {u.id: u.name for u in case.units if u.kind == "home_care"}


def people(case: Case, role: str) -> dict[str, str]:
    return {s.id: s.name for s in case.staff if s.role == role}


def letter_options(case: Case, form: Mapping[str, str], today: dt.date, templates: Path | None) -> LetterOptions:
    return LetterOptions(number=_number(form.get("number"), LETTER_NAMES, "vilket brukarbrev"),
                         unit=_choice(form.get("unit"), home_care_units(case), "hemtjänstens enheter"),
                         today=_date(form.get("date"), today), templates=templates)


def meeting_options(case: Case, form: Mapping[str, str], today: dt.date, templates: Path | None) -> MeetingOptions:
    kind = form.get("kind") or ""
    if kind not in KIND_NAMES:
        raise UsageError("Välj vilket slags möte: terminssamtal, månadsuppföljning eller hemgångssamtal.")
    who = form.get("who") or ""
    support_person = client = None
    if who.startswith("sp:"):
        support_person = _choice(who[3:], people(case, "support_person"), "stödpersonerna")
    elif who.startswith("klient:"):
        client = _choice(who[7:], case.clients_by_id, "klienterna")
    elif who:
        raise UsageError("Välj en stödperson eller en klient i listan.")
    return MeetingOptions(kind=kind, client=client, support_person=support_person,
                          today=_date(form.get("date"), today), templates=templates)


def minutes_options(form: Mapping[str, str], notes: Path, today: dt.date, templates: Path | None) -> MeetingOptions:
    return MeetingOptions(kind="term", notes=notes, today=_date(form.get("date"), today), templates=templates)


def open_care_options(form: Mapping[str, str], today: dt.date, templates: Path | None, source: str) -> OpenCareOptions:
    appendix = _number(form.get("appendix"), APPENDIX_NAMES, "vilken bilaga")
    period = _period(form.get("period"))
    return OpenCareOptions(appendix=appendix, period=period.code if period else None, source=source, today=_date(form.get("date"), today),
                           templates=templates)


def board_options(case: Case, form: Mapping[str, str], folder: Path, templates: Path | None) -> BoardOptions:
    return BoardOptions(assessor=_choice(form.get("assessor"), people(case, "assessor"), "biståndshandläggarna"),
                        folder=folder, templates=templates)


def quality_options(case: Case, form: Mapping[str, str], folder: Path, today: dt.date,
                    templates: Path | None) -> KvalitetOptions:
    return KvalitetOptions(team=_choice(form.get("team"), teams(case), "teamen"), period=_period(form.get("period")),
                           folder=folder, today=today, templates=templates)


def year_options(case: Case, form: Mapping[str, str], folder: Path, today: dt.date, templates: Path | None,
                 case_name: str) -> ArshjulOptions:
    years = {str(y): y for y in (today.year, today.year + 1)}
    year = _choice(form.get("year"), years, "åren")
    return ArshjulOptions(year=years[year] if year else None, unit=_choice(form.get("unit"), case.units_by_id, "enheterna"),
                          folder=folder, case_name=case_name, today=today, templates=templates)


def _period(value: str | None) -> Period | None:
    text = (value or "").strip()
    if not text:
        return None
    try:
        return Period.parse(text)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def file_stem(title: str) -> str:
    """A title as a plain file-name part: 'brukarbrev 1 (enkäten kommer)' -> 'brukarbrev-1-enkaten-kommer'."""
    plain = title.lower().translate(str.maketrans("åäöé", "aaoe"))
    return "-".join("".join(ch if ch.isascii() and ch.isalnum() else " " for ch in plain).split()) or "resultat"
