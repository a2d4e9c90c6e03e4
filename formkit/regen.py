"""Regenerating a workbook a team keeps editing: find its rows by a key column, refuse to
overwrite it while it is open, and keep a backup of the previous file.

The assessor board and the team's quality file are both regenerated from the case file while
people type into them, so both need the same three things: rows found by the heading of their
key column (users sort, filter and add a title above), a lock-file check (Excel's ``~$name``
or LibreOffice's ``.~lock.name#``), and a backup name that never overwrites an earlier backup.
Lower layer: imports nothing from a family.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from formkit.errors import OutputError

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
