"""Reading an existing board and carrying over everything the assessor typed.

Assessors sort and filter their board, so row numbers mean nothing: rows are matched by
decision id. What survives regeneration:

* the hand-kept columns (Anteckningar, Nästa åtgärd) and any column the assessor added herself,
  matched by decision id;
* rows the assessor added (source Manuell, or no decision id), with every value as typed;
* a decision that has left the case file moves, with all its values, to the "Arkiv" sheet; the
  Arkiv sheet itself is carried over, and a decision that comes back gets its notes back.

A board that is open (Excel's ``~$name`` or LibreOffice's ``.~lock.name#`` beside it) or that
cannot be read is never overwritten: the assessor would lose what they typed since.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from formkit.board.columns import (
    BACKUP_FOLDER,
    HAND_HEADERS,
    HEADERS,
    ID_HEADER,
    MANUAL,
    NOTES_HEADER,
    SOURCE_HEADER,
    SYSTEM,
    sort_key,
)
from formkit.errors import BoardFileError, OutputError
from formkit.regen import DAMAGED, backup_name, header_row as find_header_row, lock_files, refuse_if_open, unique_names

log = logging.getLogger(__name__)
MAIN_SHEET = "Uppföljningstavla"
ARCHIVE_SHEET = "Arkiv"
SNAPSHOT_SHEET = "formkit"  # hidden: the system values as generated, to tell typed edits apart
ARCHIVED_HEADER = "Arkiverad"


class Formula(str):
    """A formula the assessor typed into their own column: written back as a formula, its
    relative references moved with its row (``=H2-TODAY()`` read in row 2, written in row 7,
    becomes ``=H7-TODAY()``).

    Everything else that is text is written as text (never run), whatever it starts with."""

    origin: str = "A1"

    def __new__(cls, text: str, origin: str = "A1") -> Formula:
        made = super().__new__(cls, text)
        made.origin = origin
        return made


@dataclass
class OldBoard:
    """The previous board as read: rows keyed by header."""

    headers: list[str]
    rows: list[dict[str, Any]]
    archive_headers: list[str] = field(default_factory=list)
    archive: list[dict[str, Any]] = field(default_factory=list)
    generated: dict[str, dict[str, Any]] = field(default_factory=dict)  # decision id -> system values


@dataclass
class MergedBoard:
    """What the new workbook holds."""

    headers: list[str]  # the board's columns, then the assessor's own extra columns
    rows: list[dict[str, Any]]
    archive_headers: list[str]
    archive: list[dict[str, Any]]
    manual_count: int = 0
    newly_archived: int = 0


# --- reading ---------------------------------------------------------------------------------

def _cell_value(cell: Any) -> Any:
    value = cell.value
    if value is None:
        return None
    if cell.data_type == "f" and isinstance(value, str):
        return Formula(value, cell.coordinate)
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date()
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _read_sheet(ws: Worksheet, path: Path) -> tuple[list[str], list[dict[str, Any]]]:
    if hasattr(ws, "reset_dimensions"):
        ws.reset_dimensions()  # a saved size can be wrong (other programs): read every row there is
    found = find_header_row(ws, ID_HEADER)
    if found is None:
        raise OutputError(
            f"Hittar inte kolumnen '{ID_HEADER}' på fliken {ws.title} i {path}. Utan den går det inte att "
            "känna igen raderna, så tavlan skrivs inte över. Återställ rubriken eller flytta undan filen."
        )
    header_row, texts = found
    rows, headers = [], list(unique_names(texts))
    for cells in ws.iter_rows(min_row=header_row + 1):
        values = [_cell_value(c) for c in cells]
        if len(values) > len(headers):  # values typed in a column that has no heading
            headers.extend(unique_names(["" for _ in values[len(headers):]], taken=headers, start=len(headers)))
        row = {h: v for h, v in zip(headers, values) if v is not None}
        if row:
            rows.append(row)
    used = {h for row in rows for h in row}
    return [h for i, h in enumerate(headers) if i < len(texts) and texts[i] or h in used], rows


def read_board(path: Path) -> OldBoard:
    """The board at ``path``; a ``BoardFileError`` (and nothing written) if it cannot be read."""
    log.info("läser den tidigare tavlan %s", path)
    try:
        # read-only streams the sheet: about twice as fast on a board of hundreds of rows
        wb = load_workbook(path, read_only=True, data_only=False)
    except OSError as exc:
        raise BoardFileError(f"Kan inte öppna den tidigare tavlan {path} ({exc.strerror or type(exc).__name__}), så den "
                             "skrivs inte över. Kontrollera att du har behörighet till filen och kör igen.") from None
    except DAMAGED as exc:
        raise BoardFileError(_damaged(path, exc)) from None
    try:
        main = wb[MAIN_SHEET] if MAIN_SHEET in wb.sheetnames else wb.worksheets[0]
        headers, rows = _read_sheet(main, path)
        board = OldBoard(headers, rows)
        if ARCHIVE_SHEET in wb.sheetnames:
            board.archive_headers, board.archive = _read_sheet(wb[ARCHIVE_SHEET], path)
        if SNAPSHOT_SHEET in wb.sheetnames:
            _, snapshot = _read_sheet(wb[SNAPSHOT_SHEET], path)
            board.generated = {_text(r.get(ID_HEADER)): r for r in snapshot if _text(r.get(ID_HEADER))}
    except DAMAGED as exc:
        raise BoardFileError(_damaged(path, exc)) from None
    finally:
        wb.close()
    return board


def _damaged(path: Path, exc: BaseException) -> str:
    """What to do with a board that cannot be read: restore the newest backup, or move it away."""
    backups = sorted((path.parent / BACKUP_FOLDER).glob(f"{path.stem}_*.xlsx"))
    restore = (f"Återställ den senaste säkerhetskopian, {backups[-1]}, genom att kopiera den till {path}"
               if backups else f"Det finns ingen säkerhetskopia i {path.parent / BACKUP_FOLDER}; öppna filen i Excel och spara "
               "den som .xlsx om det går")
    return (f"Den tidigare tavlan {path} är skadad och går inte att läsa ({type(exc).__name__}), så den skrivs inte över. "
            f"{restore}, och kör igen. Vill du börja om utan anteckningarna: flytta undan filen.")


# --- merging ---------------------------------------------------------------------------------

def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _same(a: Any, b: Any) -> bool:
    def norm(v: Any) -> Any:
        if isinstance(v, dt.datetime):
            return v.date()
        if isinstance(v, str):
            return v.strip() or None
        return v
    return norm(a) == norm(b)


def typed_over(previous: dict[str, Any], generated: dict[str, Any] | None, new: dict[str, Any]) -> list[str]:
    """Values the assessor typed over system columns that the new data would overwrite.

    Only knowable where the previous board recorded what it generated (the hidden sheet): a cell
    that differs from that was typed by hand."""
    if generated is None:
        return []
    lines = []
    for header in HEADERS:
        if header in HAND_HEADERS or header == SOURCE_HEADER:
            continue
        typed = previous.get(header)
        if typed is None:  # a cleared cell holds nothing to keep
            continue
        if not _same(typed, generated.get(header)) and not _same(typed, new.get(header)):
            shown = typed.isoformat() if isinstance(typed, dt.date) else str(typed)
            lines.append(f"Du hade skrivit {shown} i {header}; ärendefilen säger något annat, så ändra där.")
    return lines


def _is_manual(row: dict[str, Any]) -> bool:
    return not _text(row.get(ID_HEADER)) or _text(row.get(SOURCE_HEADER)).casefold() == MANUAL.casefold()


def _union(*header_lists: list[str]) -> list[str]:
    out: list[str] = []
    for headers in header_lists:
        out.extend(h for h in headers if h not in out)
    return out


def merge(system_rows: list[dict[str, Any]], old: OldBoard | None, today: dt.date) -> MergedBoard:
    """The new board: fresh system rows with the assessor's values carried over by decision id."""
    if old is None:
        rows = sorted(system_rows, key=sort_key)
        return MergedBoard(list(HEADERS), rows, [*HEADERS, ARCHIVED_HEADER], [])
    archive_own = [h for h in old.archive_headers if h != ARCHIVED_HEADER]
    extra = [h for h in _union(old.headers, archive_own) if h not in HEADERS]
    headers = [*HEADERS, *extra]
    kept = [*HAND_HEADERS, *extra]

    matched: dict[str, dict[str, Any]] = {}
    manual: list[dict[str, Any]] = []
    for row in old.rows:
        decision_id = _text(row.get(ID_HEADER))
        if _is_manual(row) or decision_id in matched:
            manual.append({**row, SOURCE_HEADER: MANUAL})  # a copied row keeps its notes as a manual row
        else:
            matched[decision_id] = row
    archived = {_text(r.get(ID_HEADER)): r for r in old.archive if _text(r.get(ID_HEADER))}
    archive_rest = [r for r in old.archive if not _text(r.get(ID_HEADER))]

    rows = []
    system_ids = set()
    for new in system_rows:
        decision_id = new[ID_HEADER]
        system_ids.add(decision_id)
        previous = matched.get(decision_id) or archived.pop(decision_id, None)
        row = dict(new)
        if previous is not None:
            row.update({h: previous.get(h) for h in kept if previous.get(h) is not None})
            kept_edits = typed_over(previous, old.generated.get(decision_id), new)
            if kept_edits:  # nothing typed is lost: an edit of a system column moves to the notes
                stamp = f"[{today.isoformat()}] "
                notes = [str(row[NOTES_HEADER])] if row.get(NOTES_HEADER) is not None else []
                row[NOTES_HEADER] = "\n".join([*notes, *(stamp + line for line in kept_edits)])
        rows.append(row)
    moved = [{**r, ARCHIVED_HEADER: today} for d, r in matched.items() if d not in system_ids]
    rows.extend(manual)
    rows.sort(key=sort_key)
    archive = [*moved, *archived.values(), *archive_rest]
    archive_headers = [*headers, ARCHIVED_HEADER]
    return MergedBoard(headers, rows, archive_headers, archive, manual_count=len(manual), newly_archived=len(moved))


def all_typed_values(board: OldBoard | MergedBoard) -> list[Any]:
    """Every hand-kept value on both sheets: what a regeneration must not lose (used by tests)."""
    extra = [h for h in board.headers if h not in HEADERS]
    values = []
    for row in [*board.rows, *board.archive]:
        for h in [*HAND_HEADERS, *extra]:
            if row.get(h) is not None:
                values.append(row[h])
    return values


__all__ = ["Formula", "MergedBoard", "OldBoard", "merge", "read_board", "refuse_if_open", "backup_name",
           "lock_files", "SYSTEM", "MANUAL"]
