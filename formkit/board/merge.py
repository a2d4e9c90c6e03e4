"""Reading an existing board and deciding what each of its rows becomes.

Assessors sort and filter their board, so row numbers mean nothing: a row is matched by its
decision id, and checked by its client id (a mistyped decision id must not carry one client's
notes onto another client's decision). What happens to each row:

* matched: the system columns get the case file's values; everything else on the row (notes,
  own columns, formulas, fills, comments) stays;
* the row's client is not the decision's: kept as Manuell, with a warning;
* added by the assessor (Källa Manuell, or no decision id): kept as typed;
* a decision that has left the case file, or whose latest follow-up ended it, moves with all
  its values to the Arkiv sheet; a decision that comes back gets its values back.

A board that is open (Excel's ``~$name`` or LibreOffice's ``.~lock.name#`` beside it) or that
cannot be read is never overwritten: the assessor would lose what they typed since.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter

from formkit.board.columns import (
    BACKUP_FOLDER,
    CLIENT_ID_HEADER,
    HAND_HEADERS,
    HEADERS,
    ID_HEADER,
    MANUAL,
    Live,
    NOTES_HEADER,
    SOURCE_HEADER,
    SYSTEM,
    sort_key,
)
from formkit.board.layout import ARCHIVE_SHEET, ARCHIVED_HEADER, MAIN_SHEET, SNAPSHOT_SHEET
from formkit.board.snapshot import Generated, read_layout
from formkit.board.snapshot import text as _text
from formkit.case.personnummer import echo  # what the assessor typed is repeated masked
from formkit.errors import BoardFileError, OutputError, PackageError
from formkit.regen import DAMAGED, HEADER_SEARCH_ROWS, backup_name, lock_files, refuse_if_open
from formkit.xlsxpkg.grid import Formula, Grid
from formkit.xlsxpkg.package import Package, q

log = logging.getLogger(__name__)
SRC = "_src"  # where a row came from: (sheet, row number) in the previous board
OLD = "_old"  # the row's values as read, to see what changed
STYLES = "_s"  # the row's cell formats by heading, for a row that moves to another sheet
TYPED_HEADERS = tuple(h for h in HEADERS if h not in HAND_HEADERS and h != SOURCE_HEADER)  # system values one may type over


@dataclass
class Sheet:
    """One sheet of the previous board: its rows' grid and which column holds which heading."""

    grid: Grid
    header_row: int
    names: dict[int, str]  # column -> heading (system columns by their own name, even if renamed)
    shown: dict[int, str]  # column -> the heading text as the sheet shows it
    renamed: list[str] = field(default_factory=list)  # warnings: headings made unique

    @property
    def columns(self) -> dict[str, int]:
        return {name: col for col, name in self.names.items()}


@dataclass
class OldBoard:
    """The previous board as read: its package, and rows keyed by heading."""

    package: Package
    main: Sheet
    rows: list[dict[str, Any]]
    archive_sheet: Sheet | None = None
    archive: list[dict[str, Any]] = field(default_factory=list)
    snapshot_part: str | None = None
    layout: dict[str, int] = field(default_factory=dict)  # system heading -> column, as last written
    _generated: Generated | None = None

    def generated(self, decision_id: str) -> dict[str, Any] | None:
        """The system values last generated for a decision; the hidden sheet is read only when
        a row differs from the new data (most runs never need it), and then only that row."""
        if self._generated is None:
            self._generated = Generated(self.package, self.snapshot_part)
        return self._generated.values(decision_id)


@dataclass
class MergedBoard:
    """What the new workbook holds (rows keyed by heading, with ``_src`` where they came from)."""

    rows: list[dict[str, Any]]
    archive: list[dict[str, Any]]
    manual_count: int = 0
    newly_archived: int = 0
    warnings: list[str] = field(default_factory=list)


# --- reading ---------------------------------------------------------------------------------

def _find_header(grid: Grid) -> tuple[int, dict[int, str]] | None:
    """The row holding ``Beslut-id`` among the first rows (an assessor may add a title above)."""
    for r in range(1, HEADER_SEARCH_ROWS + 1):
        texts = grid.texts(r)
        if ID_HEADER in texts.values():
            return r, texts
    return None


def read_sheet(grid: Grid, title: str, path: Path, layout: dict[str, int] | None = None) -> tuple[Sheet, list[dict[str, Any]]]:
    found = _find_header(grid)
    if found is None:
        raise OutputError(
            f"Hittar inte kolumnen '{ID_HEADER}' på fliken {echo(title)} i {path}. Utan den går det inte att "
            "känna igen raderna, så tavlan skrivs inte över. Återställ rubriken eller flytta undan filen."
        )
    header_row, texts = found
    last = grid.last_row()
    rows = []
    for r in range(header_row + 1, last + 1):
        if r not in grid.rows:
            continue
        row, styles = grid.row_values(grid.rows[r])
        if row:
            rows.append((r, row, styles))
    width = max([*texts, *(col for _, row, _ in rows for col in row), 0])
    names, renamed = _names(texts, width, layout or {})
    sheet = Sheet(grid, header_row, names, {c: texts.get(c, names[c]) for c in names}, renamed)
    out = []
    for r, row, styles in rows:
        values: dict[str, Any] = {names[col]: v for col, v in row.items()}
        values[SRC] = (title, r)
        values[STYLES] = {names[col]: s for col, s in styles.items() if col in names}
        out.append(values)
    rows = out
    return sheet, rows


def _names(texts: dict[int, str], width: int, layout: dict[str, int]) -> tuple[dict[int, str], list[str]]:
    """Each column's heading as a key: a system heading by its name (also if the assessor renamed
    it where it stands), a blank heading as 'Kolumn V', a repeated one (ignoring case, as Excel's
    table columns must be unique) as 'Anteckningar (2)'."""
    system = {h.casefold(): h for h in [*HEADERS, ARCHIVED_HEADER]}
    names: dict[int, str] = {col: texts.get(col, "") for col in range(1, width + 1)}
    present = set(names.values())
    for col, text in names.items():  # "nästa uppföljning" typed in lower case is still the column
        header = system.get(text.casefold())
        if header is not None and header not in present:
            names[col] = header
            present.add(header)
    for header, col in layout.items():  # renamed where it stood: still the system column
        if header not in present and col in names and names[col] not in system.values() and texts.get(col):
            names[col] = header
            present.add(header)
    taken: set[str] = set()
    renamed = []
    for col in range(1, width + 1):
        base = names[col] or f"Kolumn {get_column_letter(col)}"
        name, n = base, 1
        while name.casefold() in taken:
            n += 1
            name = f"{base} ({n})"
        if name != names[col] and names[col]:
            renamed.append(f"Rubriken '{echo(names[col])}' i kolumn {get_column_letter(col)} fanns redan (stora och små "
                           f"bokstäver räknas lika i en Excel-tabell); den heter nu '{echo(name)}'.")
        taken.add(name.casefold())
        names[col] = name
    return names, renamed


def read_board(path: Path) -> OldBoard:
    """The board at ``path``; a ``BoardFileError`` (and nothing written) if it cannot be read."""
    log.info("läser den tidigare tavlan %s", path)
    try:
        package = Package.read(path)
    except OSError as exc:
        raise BoardFileError(f"Kan inte öppna den tidigare tavlan {path} ({exc.strerror or type(exc).__name__}), så den "
                             "skrivs inte över. Kontrollera att du har behörighet till filen och kör igen.") from None
    except PackageError as exc:
        raise BoardFileError(_damaged(path, str(exc))) from None
    return open_board(package, path)


def open_board(package: Package, path: Path, empty: bool = False) -> OldBoard:
    """The board in ``package`` (``empty``: a template, whose rows are not the assessor's)."""
    try:
        sheets = {s.name: s for s in package.sheets()}
        if not sheets:
            raise PackageError("arbetsboken har inga blad")
        main_entry = sheets.get(MAIN_SHEET) or next(iter(sheets.values()))
        snapshot = _snapshot_part(package, sheets)
        layout = read_layout(package, snapshot)
        main, rows = read_sheet(Grid(package, main_entry.part), main_entry.name, path, layout)
        board = OldBoard(package, main, [] if empty else rows, snapshot_part=snapshot, layout=layout)
        if ARCHIVE_SHEET in sheets:
            board.archive_sheet, archive = read_sheet(Grid(package, sheets[ARCHIVE_SHEET].part), ARCHIVE_SHEET, path)
            board.archive = [] if empty else archive
    except (PackageError, *DAMAGED, IndexError) as exc:
        raise BoardFileError(_damaged(path, type(exc).__name__)) from None
    return board


def _damaged(path: Path, what: str) -> str:
    """What to do with a board that cannot be read: restore the newest backup, or move it away."""
    backups = sorted((path.parent / BACKUP_FOLDER).glob(f"{path.stem}_*.xlsx"))
    restore = (f"Återställ den senaste säkerhetskopian, {backups[-1]}, genom att kopiera den till {path}"
               if backups else f"Det finns ingen säkerhetskopia i {path.parent / BACKUP_FOLDER}; öppna filen i Excel och spara "
               "den som .xlsx om det går")
    return (f"Den tidigare tavlan {path} är skadad och går inte att läsa ({what}), så den skrivs inte över. "
            f"{restore}, och kör igen. Vill du börja om utan anteckningarna: flytta undan filen.")


def _snapshot_part(package: Package, sheets: dict[str, Any]) -> str | None:
    entry = sheets.get(SNAPSHOT_SHEET)
    return entry.part if entry is not None else None


# --- merging ---------------------------------------------------------------------------------

def _same(a: Any, b: Any) -> bool:
    def norm(v: Any) -> Any:
        if isinstance(v, dt.datetime):
            return v.date()
        if isinstance(v, str):
            return v.strip() or None
        return v
    return norm(a) == norm(b)


def typed_over(previous: dict[str, Any], generated: Any, decision_id: str, new: dict[str, Any]) -> list[str]:
    """Values the assessor typed over system columns that the new data would overwrite.

    Only knowable where the previous board recorded what it generated (the hidden sheet): a cell
    that differs from that was typed by hand."""
    lines = []
    was: dict[str, Any] | None = None
    for header in TYPED_HEADERS:
        typed = previous.get(header)
        value = new.get(header)
        if typed is None or (typed.__class__ is value.__class__ and typed == value):  # the usual case: unchanged
            continue
        if isinstance(typed, (Formula, Live)) or isinstance(value, (Formula, Live)) or _same(typed, value):
            continue
        if was is None:
            was = generated(decision_id)
            if was is None:
                return []
        if not _same(typed, was.get(header)):
            shown = typed.isoformat() if isinstance(typed, dt.date) else str(typed)
            lines.append(f"Du hade skrivit {shown} i {header}; ärendefilen säger något annat, så ändra där.")
    return lines


def _is_manual(row: dict[str, Any]) -> bool:
    return not _text(row.get(ID_HEADER)) or _text(row.get(SOURCE_HEADER)).casefold() == MANUAL.casefold()


def _client_matches(row: dict[str, Any], new: dict[str, Any]) -> bool:
    """The row's client is the decision's: by Klient-id, or by name on a board without ids."""
    client_id = _text(row.get(CLIENT_ID_HEADER))
    if client_id:
        return client_id == new[CLIENT_ID_HEADER]
    name = _text(row.get("Klient"))
    return not name or name == _text(new.get("Klient"))


def _where(row: dict[str, Any]) -> str:
    sheet, number = row.get(SRC, ("", 0))
    return f"bladet {sheet}, rad {number}"


def merge(system_rows: list[dict[str, Any]], ended: set[str], old: OldBoard | None, today: dt.date) -> MergedBoard:
    """The new board: fresh system rows with the assessor's values carried over by decision id.
    ``ended``: decision ids that go to the Arkiv sheet (their latest follow-up ended them)."""
    if old is None:
        active = [r for r in system_rows if r[ID_HEADER] not in ended]
        archive = [{**r, ARCHIVED_HEADER: today} for r in system_rows if r[ID_HEADER] in ended]
        return MergedBoard(sorted(active, key=sort_key), archive)
    by_id = {r[ID_HEADER]: r for r in system_rows}
    warnings: list[str] = [*old.main.renamed]
    matched: dict[str, dict[str, Any]] = {}
    manual: list[dict[str, Any]] = []
    for row in old.rows:
        decision_id = _text(row.get(ID_HEADER))
        new = by_id.get(decision_id)
        if _is_manual(row):
            manual.append({**row, SOURCE_HEADER: MANUAL, OLD: row})
        elif new is not None and not _client_matches(row, new):
            warnings.append(
                f"Raden med Beslut-id {echo(decision_id)} ({_where(row)}) gäller klient {echo(_text(row.get(CLIENT_ID_HEADER)) or '?')}, "
                f"men beslutet gäller klient {new[CLIENT_ID_HEADER]}. Raden behålls som Manuell med dina anteckningar; "
                "rätta Beslut-id på raden (beslutet har fått en egen rad).")
            manual.append({**row, SOURCE_HEADER: MANUAL, OLD: row})
        elif decision_id in matched:  # a copied row keeps its notes as a manual row
            manual.append({**row, SOURCE_HEADER: MANUAL, OLD: row})
        else:
            matched[decision_id] = row
    archived = {_text(r.get(ID_HEADER)): r for r in old.archive if _text(r.get(ID_HEADER))}
    archive_rest = [r for r in old.archive if not _text(r.get(ID_HEADER))]

    rows: list[dict[str, Any]] = []
    archive: list[dict[str, Any]] = []
    moved = 0
    for new in system_rows:
        decision_id = new[ID_HEADER]
        previous = matched.pop(decision_id, None) or archived.pop(decision_id, None)
        row = dict(new)
        if previous is not None:
            row.update({h: v for h, v in previous.items() if h not in HEADERS or h in HAND_HEADERS})
            row.pop(ARCHIVED_HEADER, None)
            row[OLD] = previous
            kept_edits = typed_over(previous, old.generated, decision_id, new)
            if kept_edits:  # nothing typed is lost: an edit of a system column moves to the notes
                stamp = f"[{today.isoformat()}] "
                notes = [str(row[NOTES_HEADER])] if row.get(NOTES_HEADER) is not None else []
                row[NOTES_HEADER] = "\n".join([*notes, *(stamp + line for line in kept_edits)])
        if decision_id in ended:
            was = previous.get(ARCHIVED_HEADER) if previous is not None else None
            row[ARCHIVED_HEADER] = was or today
            moved += previous is not None and previous.get(SRC, ("",))[0] != ARCHIVE_SHEET
            archive.append(row)
        else:
            rows.append(row)
    left = [{**r, ARCHIVED_HEADER: today, OLD: r} for r in matched.values()]
    rows.extend(manual)
    rows.sort(key=sort_key)
    archive = [*left, *archive, *({**r, OLD: r} for r in [*archived.values(), *archive_rest])]
    return MergedBoard(rows, archive, manual_count=len(manual), newly_archived=len(left) + moved, warnings=warnings)


__all__ = ["Formula", "MergedBoard", "OldBoard", "merge", "read_board", "refuse_if_open", "backup_name",
           "lock_files", "SYSTEM", "MANUAL"]
