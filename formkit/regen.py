"""Regenerating a workbook a team keeps editing: find its rows by a key column, refuse to
overwrite it while it is open, and keep a backup of the previous file.

The assessor board and the team's quality file are both regenerated from the case file while
people type into them, so both need the same three things: rows found by the heading of their
key column (users sort, filter and add a title above), a lock-file check (Excel's ``~$name``
or LibreOffice's ``.~lock.name#``), and a backup name that never overwrites an earlier backup.
Lower layer: imports nothing from a family.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from formkit.case.personnummer import echo  # a sheet name is repeated masked
from formkit.errors import OutputError
from formkit.xlsx import DAMAGED

HEADER_SEARCH_ROWS = 10


def lock_files(path: Path) -> list[Path]:
    """The lock files Excel and LibreOffice keep beside an open workbook."""
    name = path.name
    return [path.with_name(f".~lock.{name}#"), path.with_name(f"~${name}"), path.with_name(f"~${name[2:]}")]


def refuse_if_open(path: Path, what: str = "tavlan") -> None:
    for lock in lock_files(path):
        if lock.exists():
            raise OutputError(
                f"{path} är öppen i Excel eller LibreOffice (låsfilen {lock.name} finns). Stäng {what} och kör "
                f"igen; inget har skrivits. Om {what} inte är öppen kan du ta bort låsfilen."
            )


def backup_name(path: Path, now: dt.datetime, folder: Path) -> str:
    """``uppfoljningstavla_bh-1_2026-05-03_141500.xlsx``, never overwriting an earlier backup."""
    stem = f"{path.stem}_{now.strftime('%Y-%m-%d_%H%M%S')}"
    name, n = f"{stem}.xlsx", 1
    while (folder / name).exists():
        n += 1
        name = f"{stem}-{n}.xlsx"
    return name


def header_row(ws: Worksheet, key_header: str) -> tuple[int, list[str]] | None:
    """The row holding ``key_header`` among the first rows, and its texts (trailing blanks cut)."""
    for r, row in enumerate(ws.iter_rows(min_row=1, max_row=HEADER_SEARCH_ROWS), start=1):
        texts = [str(c.value).strip() if c.value is not None else "" for c in row]
        if key_header in texts:
            while texts and not texts[-1]:
                texts.pop()
            return r, texts
    return None


def unique_names(texts: list[str], taken: list[str] = (), start: int = 0) -> list[str]:
    """Column names as keys: a blank heading becomes 'Kolumn V', a repeated one 'Anteckningar (2)',
    so no value typed under it is lost or merged with another column's."""
    names: list[str] = list(taken)
    out = []
    for i, text in enumerate(texts, start=start):
        name = text or f"Kolumn {get_column_letter(i + 1)}"
        n = 1
        while name in names:
            n += 1
            name = f"{text or 'Kolumn ' + get_column_letter(i + 1)} ({n})"
        names.append(name)
        out.append(name)
    return out


def _value(cell: Any) -> Any:
    value = cell.value
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date()
    if isinstance(value, str) and not value.strip():
        return None
    return value


def read_rows(ws: Worksheet, key_header: str, path: Path) -> tuple[list[str], list[dict[str, Any]]]:
    """Every non-empty row under the heading row that holds ``key_header``, keyed by heading.

    Values typed in a column without a heading get a name of their own ('Kolumn K'), so nothing
    typed is dropped. An ``OutputError`` when the key heading is gone: the rows could not be
    matched, and the file must not be overwritten."""
    if hasattr(ws, "reset_dimensions"):
        ws.reset_dimensions()  # a saved size can be wrong (other programs): read every row there is
    found = header_row(ws, key_header)
    if found is None:
        raise OutputError(f"Hittar inte kolumnen '{key_header}' på fliken {echo(ws.title)} i {path}. Utan den går raderna "
                          "inte att känna igen, så filen skrivs inte över. Återställ rubriken eller flytta undan filen.")
    row_number, texts = found
    headers = unique_names(texts)
    rows = []
    for cells in ws.iter_rows(min_row=row_number + 1):
        values = [_value(c) for c in cells]
        if len(values) > len(headers):
            headers += unique_names(["" for _ in values[len(headers):]], taken=headers, start=len(headers))
        row = {h: v for h, v in zip(headers, values) if v is not None}
        if row:
            rows.append(row)
    used = {h for row in rows for h in row}
    return [h for i, h in enumerate(headers) if (i < len(texts) and texts[i]) or h in used], rows


@contextlib.contextmanager
def open_previous(path: Path, what: str) -> Iterator[Workbook]:
    """The previous file, read-only, closed afterwards. Anything that stops it from being read
    (damaged, not a workbook, no permission) is an ``OutputError`` and nothing is written, since
    regenerating it would lose what was typed into it."""
    hint = f"så den skrivs inte över. Spara den som .xlsx, flytta undan den eller hämta en kopia ur {path.parent.name}/sakerhetskopior och kör igen."
    try:
        book = load_workbook(path, read_only=True)
    except OSError as exc:
        raise OutputError(f"Kan inte öppna den tidigare {what} {path} ({exc.strerror or type(exc).__name__}), {hint}") from None
    except DAMAGED as exc:
        raise OutputError(f"Kan inte läsa den tidigare {what} {path} ({type(exc).__name__}), {hint}") from None
    try:
        yield book
    except DAMAGED as exc:
        raise OutputError(f"Kan inte läsa den tidigare {what} {path} ({type(exc).__name__}), {hint}") from None
    finally:
        book.close()
