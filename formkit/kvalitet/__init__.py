"""``formkit kvalitet``: each team's Excel file of the four quality questions (routine 002).

``plan(case, options)`` reads the team's previous file (to keep what the team typed) and
returns the new file, and a backup of the previous one, as an ``Output``; it writes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from formkit.case.model import Case
from formkit.options import Options
from formkit.output import Output
from formkit.kvalitet import rows as quality_rows
from formkit.kvalitet import sheet
from formkit.periods import Period
from formkit.regen import backup_name, refuse_if_open
from formkit.smallcounts import DEFAULT_THRESHOLD

FILE_PREFIX = "kvalitet_"
BACKUP_FOLDER = "sakerhetskopior"


@dataclass(frozen=True)
class KvalitetOptions(Options):
    folder: Path = Path("ut")  # where the previous files are, to carry over what the team typed
    team: str | None = None
    period: Period | None = None  # default: this year
    threshold: int = DEFAULT_THRESHOLD
    now: dt.datetime = field(default_factory=dt.datetime.now)  # names the backup


def file_name(team: str, period: Period) -> str:
    return f"{FILE_PREFIX}{team}_{period.code}.xlsx"


def plan(case: Case, options: KvalitetOptions) -> Output:
    """One workbook per team (or the team asked for) for the period; nothing is written here."""
    period = options.period or Period(options.today.year)
    chosen = quality_rows.select_teams(case, options.team)
    paths = {team: options.folder / file_name(team, period) for team in chosen}
    for path in paths.values():
        refuse_if_open(path, "filen")
    output = Output("kvalitetsfiler")
    counts = []
    for team, assessors in chosen.items():
        path = paths[team]
        old = sheet.read_file(path) if path.exists() else None
        merged = sheet.merge(quality_rows.system_rows(case, assessors, period), old, options.today)
        figures = quality_rows.figures(merged.rows, period, options.threshold)
        output.add(path.name, sheet.workbook_bytes(
            merged, figures, team=team, assessors=[a.name for a in assessors], period=period,
            threshold=options.threshold, organisation=case.organisation.name, today=options.today))
        if old is not None:
            output.add(f"{BACKUP_FOLDER}/{backup_name(path, options.now, options.folder / BACKUP_FOLDER)}", path.read_bytes())
        answered = figures[0].whole.total.value if figures else 0
        line = f"{team}: {len(merged.rows)} uppföljningar ({answered} med svar)"
        if merged.manual_count:
            line += f", {merged.manual_count} egna rader behållna"
        if merged.newly_archived:
            line += f", {merged.newly_archived} kommenterade rader till fliken Arkiv"
        counts.append(line)
        if not merged.rows:
            output.warnings.append(f"Teamet {team} har inga uppföljningar under {period.label}; filen har bara tomma tabeller.")
    n = len(chosen)
    output.summary.append(f"{n} {'kvalitetsfil' if n == 1 else 'kvalitetsfiler'} för {period.label}: " + "; ".join(counts) + ".")
    if any(name.startswith(BACKUP_FOLDER + "/") for name in output.files):
        output.summary.append(f"Den tidigare versionen finns i {BACKUP_FOLDER}/.")
    return output
