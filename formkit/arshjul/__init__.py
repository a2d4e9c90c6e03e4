"""``formkit arshjul``: the year of each routine that applies to a unit, as a calendar (.ics)
and a checklist workbook.

``plan(case, options)`` reads the unit's previous checklist (to keep status, done dates and
comments) and returns both files per unit, and a backup of the previous checklist, as an
``Output``; it writes nothing.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from formkit.arshjul import calendar, checklist
from formkit.arshjul.steps import Step, routines_for, steps_for
from formkit.case.model import Case, Unit
from formkit.errors import DataError
from formkit.options import Options
from formkit.output import Output
from formkit.regen import backup_name, open_previous, read_rows, refuse_if_open

BACKUP_FOLDER = "sakerhetskopior"


@dataclass(frozen=True)
class ArshjulOptions(Options):
    folder: Path = Path("ut")  # where the previous checklists are
    year: int | None = None  # default: this year
    unit: str | None = None
    case_name: str = "arenden.yaml"  # as the commands in the checklist name the case file
    now: dt.datetime = field(default_factory=dt.datetime.now)


def file_stem(unit: Unit, year: int) -> str:
    return f"arshjul_{unit.id}_{year}"


def select_units(case: Case, unit_id: str | None) -> list[Unit]:
    with_routine = [u for u in case.units if routines_for(u)]
    if unit_id is None:
        if not with_routine:
            raise DataError("Ärendefilen har ingen enhet som någon av rutinerna gäller för; lägg till enheter under 'units'.")
        return with_routine
    unit = case.units_by_id.get(unit_id)
    if unit is None:
        close = difflib.get_close_matches(unit_id, list(case.units_by_id), n=1)
        hint = f" Menade du '{close[0]}'?" if close else ""
        raise DataError(f"Det finns ingen enhet med id '{unit_id}' i ärendefilen.{hint} Enheter: {', '.join(case.units_by_id)}.")
    return [unit]


def _previous(path: Path) -> dict[str, dict[str, Any]]:
    """Status, done date and comment of every step in the previous checklist, by step key."""
    found: dict[str, dict[str, Any]] = {}
    with open_previous(path, "checklistan") as book:
        for ws in book.worksheets:
            for row in read_rows(ws, checklist.KEY_HEADER, path)[1]:
                key = str(row.get(checklist.KEY_HEADER) or "").strip()
                if key:
                    found[key] = {h: row[h] for h in checklist.HAND_HEADERS if row.get(h) is not None}
    return found


def _rows(steps: list[Step], previous: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for step in steps:
        row = checklist.step_row(step)
        row.update(previous.get(step.key, {}))
        rows.append(row)
    return rows


def plan(case: Case, options: ArshjulOptions) -> Output:
    year = options.year or options.today.year
    units = select_units(case, options.unit)
    output = Output("årshjul")
    lines = []
    for unit in units:
        routines = routines_for(unit)
        if not routines:
            output.warnings.append(f"Ingen av rutinerna gäller för enheten {unit.id} (typ {unit.kind}); inget årshjul.")
            continue
        steps = steps_for(unit, year, case.survey, options.case_name)
        stem = file_stem(unit, year)
        xlsx = options.folder / f"{stem}.xlsx"
        refuse_if_open(xlsx, "checklistan")
        previous = _previous(xlsx) if xlsx.exists() else {}
        rows = {r.number: _rows([s for s in steps if s.routine == r], previous) for r in routines}
        output.add(f"{stem}.ics", calendar.calendar_bytes(unit, year, steps, options.today, options.now))
        output.add(xlsx.name, checklist.workbook_bytes(unit.name, year, routines, rows, options.today), pdf=True)
        if xlsx.exists():
            output.add(f"{BACKUP_FOLDER}/{backup_name(xlsx, options.now, options.folder / BACKUP_FOLDER)}", xlsx.read_bytes())
        past = sum(1 for s in steps if s.date < options.today)
        approximate = sum(1 for s in steps if s.note.startswith("datumet är ungefärligt"))
        line = f"{unit.id}: {len(steps)} steg (rutin {', '.join(r.number for r in routines)})"
        if past:
            line += f", {past} redan passerade"
        lines.append(line)
        if approximate:
            output.warnings.append(f"{unit.id}: {approximate} steg har ungefärligt datum; lägg in brukarundersökningens datum "
                                   f"för {year} under survey (sent, answer_by, results_published).")
        if unit.meeting_day is None:
            output.warnings.append(f"{unit.id} har ingen mötesdag (meeting_day) i ärendefilen; stegen ligger på tisdagar.")
    output.summary.append(f"Årshjul för {year}, en kalender (.ics) och en checklista (.xlsx) per enhet: " + "; ".join(lines) + ".")
    return output
