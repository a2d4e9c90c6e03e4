"""The meetings family's entry point: forms, minutes from notes, or what is due."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from formkit.case.model import Case
from formkit.errors import UsageError
from formkit.meetings import due, minutes
from formkit.meetings.forms import build_forms
from formkit.meetings.rules import team_day
from formkit.options import Options
from formkit.output import Output

KINDS = ("term", "monthly", "homecoming")


@dataclass(frozen=True)
class MeetingOptions(Options):
    """``kind``: term, monthly or homecoming; ``client``/``support_person``: narrow the batch;
    ``notes``: a notes file to fill the minutes from; ``due``: list what is missing instead;
    ``team_day``: the weekday of the verksamhetsmöte for the rolling schedule."""

    kind: str | None = None
    client: str | None = None
    support_person: str | None = None
    notes: Path | None = None
    due: bool = False
    team_day: str | None = None  # None: the unit's meeting_day in the case file, else tisdag


def plan(case: Case, options: MeetingOptions) -> Output:
    if options.client and options.support_person:
        raise UsageError("Välj antingen --client eller --support-person, inte båda.")
    if options.due:
        return due.report(case, options.today, team_day(case, options.team_day))
    if options.notes is not None:
        if options.kind not in (None, "term"):
            raise UsageError("--minutes gäller terminssamtal: använd --kind term.")
        return minutes.build(case, options.notes, options.today, options.templates)
    if options.kind not in KINDS:
        raise UsageError("Ange --kind term, monthly eller homecoming (eller --due).")
    return build_forms(case, options.kind, options.client, options.support_person, options.today,
                       options.templates, team_day(case, options.team_day))
