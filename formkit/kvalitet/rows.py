"""The team's quality file (routine 002, point 3): every follow-up's four answers, and their shares.

"Frågorna ska föras in i excelfil … Varje team har en egen excelfil." The case file holds every
follow-up of every decision; this module picks those of one team's assessors in one period,
makes one row per follow-up (client id, never a name or personal number), and counts the
answers per question and month and per question and assessor. Counts below the threshold are
hidden exactly as in öppenvård bilaga 4 (``formkit.smallcounts``), and a share is shown only
where its count is.

A team is ``staff[].team`` of the assessors; an assessor without a team belongs to the team
named by their unit's id, so a case file without teams still gives one file per unit.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from typing import Any

from formkit.case.model import QUALITY_QUESTIONS, Case, Staff
from formkit.errors import DataError
from formkit.periods import Period
from formkit.smallcounts import Cell, suppress
from formkit.swedish import MONTHS, answer

KEY_HEADER = "Uppföljning-id"
COMMENT_HEADER = "Kommentar"
SOURCE_HEADER = "Källa"
SYSTEM, MANUAL = "System", "Manuell"
QUESTION_HEADERS = {
    "gets_granted_help": "Får beviljad hjälp",
    "plans_when": "Planerar när",
    "plans_how": "Planerar hur",
    "feels_good": "Känns bra",
}
HEADERS = (KEY_HEADER, "Beslut-id", "Klient-id", "Handläggare", "Datum", "Månad", "Uppföljningssätt", "Utfall",
           *QUESTION_HEADERS.values(), COMMENT_HEADER, SOURCE_HEADER)
HAND_HEADERS = (COMMENT_HEADER,)
CHOICES = ("Ja", "Delvis", "Nej")
METHODS = {"phone": "Telefon", "home_visit": "Hembesök", "digital": "Digitalt", "office": "Besök på kontoret"}
OUTCOMES = {"unchanged": "Oförändrat", "new_decision": "Nytt beslut", "ended": "Avslutat"}


def team_of(case: Case, staff: Staff) -> str:
    return staff.team or staff.unit or "utan-team"


def teams(case: Case) -> dict[str, list[Staff]]:
    """Every team and its assessors, in the order of the case file."""
    out: dict[str, list[Staff]] = {}
    for staff in case.staff:
        if staff.role == "assessor":
            out.setdefault(team_of(case, staff), []).append(staff)
    return out


def select_teams(case: Case, team_id: str | None) -> dict[str, list[Staff]]:
    """The teams to make files for; an unknown team names the ones that exist."""
    found = teams(case)
    if not found:
        raise DataError("Ärendefilen har ingen medarbetare med rollen assessor (biståndshandläggare); lägg till "
                        "handläggarna under 'staff' med sitt team (team: ...) för att göra teamets kvalitetsfil.")
    if team_id is None:
        return found
    if team_id not in found:
        close = difflib.get_close_matches(team_id, list(found), n=1)
        hint = f" Menade du '{close[0]}'?" if close else ""
        raise DataError(f"Det finns inget team '{team_id}' bland biståndshandläggarna i ärendefilen.{hint} "
                        f"Team i filen: {', '.join(found)} (fältet team hos staff, annars enhetens id).")
    return {team_id: found[team_id]}


def system_rows(case: Case, assessors: list[Staff], period: Period) -> list[dict[str, Any]]:
    """One row per follow-up in ``period`` by the team's assessors, oldest first."""
    names = {s.id: s.name for s in assessors}
    rows = []
    for decision in case.decisions:
        if decision.assessor not in names:
            continue
        seen: dict[str, int] = {}
        for follow_up in sorted(decision.follow_ups, key=lambda f: f.date):
            if not period.contains(follow_up.date):
                continue
            key = f"{decision.id}_{follow_up.date.isoformat()}"
            seen[key] = seen.get(key, 0) + 1
            if seen[key] > 1:  # two follow-ups of one decision on one day
                key = f"{key}-{seen[key]}"
            answers = follow_up.answers
            row: dict[str, Any] = {
                KEY_HEADER: key,
                "Beslut-id": decision.id,
                "Klient-id": decision.client,
                "Handläggare": names[decision.assessor],
                "Datum": follow_up.date,
                "Månad": follow_up.date.strftime("%Y-%m"),
                "Uppföljningssätt": METHODS[follow_up.method],
                "Utfall": OUTCOMES[follow_up.outcome],
                SOURCE_HEADER: SYSTEM,
            }
            for field, header in QUESTION_HEADERS.items():
                row[header] = answer(getattr(answers, field)) if answers else ""
            rows.append(row)
    return sorted(rows, key=sort_key)


def sort_key(row: dict[str, Any]) -> tuple[Any, ...]:
    day = as_date(row.get("Datum"))
    return (day is None, day or dt.date.max, str(row.get(KEY_HEADER) or ""))


def as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def choice(value: Any) -> str | None:
    """Ja/Delvis/Nej as typed (any case); anything else is not an answer."""
    text = str(value or "").strip().capitalize()
    return text if text in CHOICES else None


# --- the figures ---------------------------------------------------------------------------

@dataclass
class ShareRow:
    """One line of a figure: counts of Ja/Delvis/Nej (suppressed), their total and shares."""

    label: str
    counts: list[Cell]
    total: Cell

    @property
    def shares(self) -> list[float | str]:
        """The share of each answer where its count (and the total) is shown, else the mark."""
        out: list[float | str] = []
        for cell in self.counts:
            if cell.suppressed:
                out.append(cell.text)
            elif self.total.value == 0:
                out.append("")  # no answers at all: nothing to show, not 0 %
            else:
                out.append(cell.value / self.total.value)  # a shown count: its share, also 0 % beside a hidden total
        return out


@dataclass
class QuestionFigure:
    field: str
    question: str
    header: str
    by_month: list[ShareRow]
    whole: ShareRow
    by_assessor: list[ShareRow]


def share_row(label: str, answers: list[str], threshold: int) -> ShareRow:
    values = [answers.count(c) for c in CHOICES]
    cells, total = suppress(values, threshold, sum(values))
    return ShareRow(label, cells, total or Cell(0))  # a total was given, so suppress returns its cell


def months_of(period: Period) -> list[tuple[str, str]]:
    """(2026-03, mars 2026) for every month of the period."""
    out = []
    for month in range(period.start.month, period.end.month + 1):
        out.append((f"{period.year}-{month:02d}", f"{MONTHS[month - 1]} {period.year}"))
    return out


def figures(rows: list[dict[str, Any]], period: Period, threshold: int) -> list[QuestionFigure]:
    """Per question: shares per month, for the whole period, and per assessor.

    Every row counts that has a date in the period and a Ja/Delvis/Nej answer (the team's own
    rows too); a row without an answer to a question is not counted for that question."""
    counted = [r for r in rows if (d := as_date(r.get("Datum"))) is not None and period.contains(d)]
    assessors = sorted({str(r.get("Handläggare") or "").strip() for r in counted} - {""})
    out = []
    for field, header in QUESTION_HEADERS.items():
        answered = [(r, c) for r in counted if (c := choice(r.get(header)))]
        by_month = [share_row(label, [c for r, c in answered if as_date(r["Datum"]).strftime("%Y-%m") == code], threshold)
                    for code, label in months_of(period)]
        by_assessor = [share_row(name, [c for r, c in answered if str(r.get("Handläggare") or "").strip() == name], threshold)
                       for name in assessors]
        out.append(QuestionFigure(field, QUALITY_QUESTIONS[field], header, by_month,
                                  share_row(f"Hela perioden ({period.label})", [c for _, c in answered], threshold), by_assessor))
    return out
