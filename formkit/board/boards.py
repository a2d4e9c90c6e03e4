"""The board command: make or regenerate every assessor's board, and the händelse text."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from pathlib import Path

from formkit import parallel
from formkit.board import journal, merge, template
from formkit.board.columns import BACKUP_FOLDER, BOARD_PREFIX, decision_row, is_ended
from formkit.board.sheet import BoardWriter
from formkit.case import personnummer
from formkit.case.model import Case, Decision
from formkit.errors import DataError
from formkit.options import Options
from formkit.output import Output, Sink
from formkit.xlsxpkg.package import Package


# --- the command ---------------------------------------------------------------------------

def assessors(case: Case, assessor_id: str | None) -> list[str]:
    """The assessors to make boards for: all with role assessor, or the one asked for."""
    all_ids = [s.id for s in case.staff if s.role == "assessor"]
    if assessor_id is None:
        if not all_ids:
            raise DataError("Ärendefilen har ingen medarbetare med rollen assessor (biståndshandläggare); "
                            "lägg till en under 'staff' för att kunna göra en uppföljningstavla.")
        return all_ids
    if assessor_id not in all_ids:
        close = difflib.get_close_matches(assessor_id, all_ids, n=1)
        hint = (f" Menade du '{close[0]}'?" if close else "") + f" Biståndshandläggare i filen: {', '.join(all_ids) or '(inga)'}."
        raise DataError(f"Det finns ingen biståndshandläggare med id '{personnummer.echo(assessor_id)}' i ärendefilen.{hint}")
    return [assessor_id]


def board_path(out: Path, assessor_id: str) -> Path:
    return out / f"{BOARD_PREFIX}{assessor_id}.xlsx"


@dataclass(frozen=True)
class BoardOptions(Options):
    """``assessor``: one assessor's board instead of all; ``folder``: where the boards are (the
    existing ones are read and regenerated there); ``now``: the time stamp of the backups."""

    assessor: str | None = None
    folder: Path = Path("ut")
    now: dt.datetime = field(default_factory=dt.datetime.now)


@dataclass
class _Made:
    """One board as a worker made it: the new workbook and what the summary counts."""

    data: bytes
    warnings: list[str]
    decisions: int
    manual_rows: int
    archived: int
    to_notes: int


# boards made in worker processes from this many on: one board is a few tens of milliseconds of
# CPU, more than starting a worker costs; a single board (--assessor) is made here
PARALLEL_FROM = 4


def plan(case: Case, options: BoardOptions) -> Output:
    """Every assessor's board (or one), regenerated from the case file over what is already in
    ``options.folder``; the previous versions go to ``sakerhetskopior/`` in the same commit. A
    board open in Excel or LibreOffice stops the whole run here; one that cannot be read stops
    it when the boards are made (``write``), before anything is in place.

    Each board is read, merged and written in its own right, so the boards are made at write
    time in forked worker processes (``formkit.parallel``, one per core), in order, each written
    to the staging folder as it arrives while the workers make the next; the template is read
    once. The summary counts are added when the boards are made."""
    ids = assessors(case, options.assessor)
    paths = [board_path(options.folder, a) for a in ids]
    for path in paths:
        merge.refuse_if_open(path)
    template_path, template_bytes = template.load(options.templates)
    template_package = Package.read(template_bytes)
    today = options.now.date()
    wanted = set(ids)
    by_assessor: dict[str, list[Decision]] = {a: [] for a in ids}
    for decision in case.decisions:
        if decision.assessor in wanted:
            by_assessor[decision.assessor].append(decision)
    backups = [f"{BACKUP_FOLDER}/{merge.backup_name(path, options.now, options.folder / BACKUP_FOLDER)}"
               if path.exists() else None for path in paths]

    def make(index: int) -> _Made:
        path, backup, decisions = paths[index], backups[index], by_assessor[ids[index]]
        system_rows = [decision_row(case, d) for d in decisions]
        ended = {d.id for d in decisions if is_ended(d)}
        old = merge.read_board(path) if backup is not None else None
        merged = merge.merge(system_rows, ended, old, today=today)
        board = old or merge.open_board(template_package.copy(), template_path, empty=True)
        written = BoardWriter(board, template_package).write(merged, case.staff_member(ids[index]).name, today,
                                                             new=old is None, backup=backup)
        return _Made(board.package.save(), written.warnings, len(system_rows), merged.manual_count,
                     merged.newly_archived, written.formulas_to_notes)

    output = Output("uppföljningstavlor")

    def produce(sink: Sink) -> None:
        made_boards = parallel.ordered_map(make, range(len(ids)), chunk=1, min_items=PARALLEL_FROM)
        total = _Made(b"", [], 0, 0, 0, 0)
        for path, backup, made in zip(paths, backups, sink.progress(made_boards, "Gör uppföljningstavlor", len(ids))):
            sink.add(path.name, made.data)
            if backup is not None:
                sink.add(backup, path.read_bytes())
            output.warnings.extend(f"{path.name}: {w}" for w in made.warnings)
            total.decisions += made.decisions
            total.manual_rows += made.manual_rows
            total.archived += made.archived
            total.to_notes += made.to_notes
        output.summary.extend(_summary(len(ids), total, any(b is not None for b in backups)))

    output.produce([(p.name, False) for p in paths] + [(b, False) for b in backups if b is not None], produce)
    return output


def _summary(n: int, total: _Made, backed_up: bool) -> list[str]:
    text = f"{n} {'uppföljningstavla' if n == 1 else 'uppföljningstavlor'} med {total.decisions} beslut"
    if total.manual_rows:
        text += f", {total.manual_rows} egna rader behållna"
    if total.archived:
        text += f", {total.archived} beslut flyttade till fliken Arkiv"
    lines = [text + "."]
    if total.to_notes:
        lines.append(f"{total.to_notes} egna formler pekade på en kolumn som inte finns på fliken de flyttade till; "
                     "de står som text i Anteckningar.")
    if backed_up:
        lines.append(f"Den tidigare versionen finns i {BACKUP_FOLDER}/.")
    return lines


def journal_output(case: Case, assessor_id: str | None) -> Output:
    """``--journal alla``: a text file per decision with a händelse or a message to the utförare."""
    output = Output("journaltexter")
    for path, text in journal.journal_files(case, assessors(case, assessor_id)).items():
        output.add(path, text.encode("utf-8"))
    output.summary.append("En text per beslut i mappen journal/: händelsen och meddelandet till utförarens funktionsbrevlåda.")
    return output


def journal_text(case: Case, decision_id: str) -> str:
    """The händelse text of one decision's latest follow-up, and the message to the utförare
    (or the note that a new uppdrag goes instead), for ``--journal``."""
    by_id = {d.id: d for d in case.decisions}
    decision = by_id.get(decision_id)
    if decision is None:
        close = difflib.get_close_matches(decision_id, list(by_id), n=1)
        hint = f" Menade du '{close[0]}'?" if close else ""
        raise DataError(f"Det finns inget beslut med id '{personnummer.echo(decision_id)}' i ärendefilen.{hint}")
    text = journal.journal_text(case, decision) if decision.latest_follow_up or not decision.executed else ""
    if not text:
        raise DataError(f"Beslut '{decision_id}' har ingen registrerad uppföljning ännu; lägg till den under "
                        f"'follow_ups' i beslutet (datum, method och outcome).")
    return text
