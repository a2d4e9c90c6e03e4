"""The meetings command: forms, minutes from notes, or what is due."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from formkit.case.model import load_case
from formkit.meetings import due, minutes
from formkit.meetings.forms import Result, build_forms
from formkit.meetings.rules import DEFAULT_TEAM_DAY


def run(case_path: Path, *, kind: str | None, client: str | None = None, support_person: str | None = None,
        out: Path = Path("ut"), templates: Path | None = None, make_pdf: bool = False,
        at: dt.date | None = None, notes: Path | None = None, show_due: bool = False,
        team_day: str = DEFAULT_TEAM_DAY) -> Result:
    """The one entry point of the command: forms, minutes from notes, or what is due."""
    case = load_case(case_path)
    today = at or dt.date.today()
    if show_due:
        return due.report(case, today, out, team_day)
    if notes is not None:
        return minutes.build(case, notes, today, out, templates, make_pdf)
    assert kind is not None  # the CLI requires --kind here
    return build_forms(case, kind, client, support_person, today, out, templates, make_pdf, team_day)


