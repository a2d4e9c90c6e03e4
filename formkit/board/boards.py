"""The board command: make or regenerate every assessor's board, and the händelse text."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from pathlib import Path

from formkit.board import merge, sheet
from formkit.board.columns import BACKUP_FOLDER, BOARD_PREFIX, handelse_text, rows_for
from formkit.case.model import Case, load_case
from formkit.errors import DataError
from formkit.output import Batch


# --- the command ---------------------------------------------------------------------------

@dataclass
class BoardResult:
    written: list[Path] = field(default_factory=list)
    backups: list[Path] = field(default_factory=list)
    decisions: int = 0
    manual_rows: int = 0
    archived: int = 0

    @property
    def summary(self) -> str:
        n = len(self.written)
        folder = self.written[0].parent if self.written else Path(".")
        text = f"Skrev {n} {'uppföljningstavla' if n == 1 else 'uppföljningstavlor'} i {folder} ({self.decisions} beslut"
        if self.manual_rows:
            text += f", {self.manual_rows} egna rader behållna"
        if self.archived:
            text += f", {self.archived} beslut flyttade till fliken Arkiv"
        text += ")."
        if self.backups:
            text += f" Den tidigare versionen finns i {self.backups[0].parent}."
        return text


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
        raise DataError(f"Det finns ingen biståndshandläggare med id '{assessor_id}' i ärendefilen.{hint}")
    return [assessor_id]


def board_path(out: Path, assessor_id: str) -> Path:
    return out / f"{BOARD_PREFIX}{assessor_id}.xlsx"


def build_boards(case_path: Path, out: Path, assessor_id: str | None = None,
                 now: dt.datetime | None = None) -> BoardResult:
    """Make (or regenerate) the board of every assessor (or one), keeping what they typed."""
    return write_boards(load_case(case_path), out, assessor_id, now)


def write_boards(case: Case, out: Path, assessor_id: str | None = None,
                 now: dt.datetime | None = None) -> BoardResult:
    """The boards of a loaded case. Every board is built in memory first; if any is open in
    Excel/LibreOffice or cannot be read, nothing at all is written."""
    now = now or dt.datetime.now()
    ids = assessors(case, assessor_id)
    paths = [board_path(out, a) for a in ids]
    for path in paths:
        merge.refuse_if_open(path)
    result = BoardResult()
    boards = Batch(out)
    backups = Batch(out / BACKUP_FOLDER)
    for a, path in zip(ids, paths):
        system_rows = rows_for(case, a)
        old = merge.read_board(path) if path.exists() else None
        merged = merge.merge(system_rows, old, today=now.date())
        staff = case.staff_member(a)
        boards.add(path.name, sheet.workbook_bytes(merged, assessor_name=staff.name, made=now.date()))
        if old is not None:
            backups.add(merge.backup_name(path, now, out / BACKUP_FOLDER), path.read_bytes())
        result.decisions += len(system_rows)
        result.manual_rows += merged.manual_count
        result.archived += merged.newly_archived
    if backups.files:
        result.backups = backups.commit()
    result.written = boards.commit()
    return result


def journal_text(case_path: Path, decision_id: str) -> str:
    """The händelse text of one decision's latest follow-up, for ``--journal``."""
    case = load_case(case_path)
    by_id = {d.id: d for d in case.decisions}
    decision = by_id.get(decision_id)
    if decision is None:
        close = difflib.get_close_matches(decision_id, list(by_id), n=1)
        hint = f" Menade du '{close[0]}'?" if close else ""
        raise DataError(f"Det finns inget beslut med id '{decision_id}' i ärendefilen.{hint}")
    text = handelse_text(decision)
    if not text:
        raise DataError(f"Beslut '{decision_id}' har ingen registrerad uppföljning ännu; lägg till den under "
                        f"'follow_ups' i beslutet (datum, method och outcome).")
    return text
