"""Reading the case file from a workbook (``arenden.xlsx``) into the same plain data as the YAML.

The workbook is turned into exactly what ``yamlsource`` gives for a YAML file — nested dicts
and lists whose values are text — so the same pydantic model validates both and ``check``
accepts exactly what the commands accept. What is particular to a spreadsheet is settled cell
by cell (``workbook_cells``): Excel's dates become ISO text, a postcode Excel turned into the number 1234
becomes "012 34", Ja/Nej become yes/no, a Swedish choice (hemtjänst) becomes the model's code.

Every value's sheet, row and column is remembered (``SheetMap``), the way ``yamlsource``
remembers lines, so each problem the model finds is reported as "bladet Klienter, rad 12,
kolumn Postnummer: …", all of them in one run. Problems only a workbook can have are found
here: formulas without a stored value, error cells, merged cells, unknown sheets and columns
(a user's own are marked by a leading #), hidden sheets, a sheet with two header names alike.
"""

from __future__ import annotations

import difflib
import logging
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter

from formkit import zipguard
from formkit.case.workbook_cells import CellReader, cell_text, compare_key, quoted
from formkit.case.workbook_layout import (
    ABOUT_SHEET,
    OWN_MARK,
    SHEETS,
    SHEETS_BY_NAME,
    STAFF_ROLES,
    VERSION_LABEL,
    Column,
    Sheet,
)
from formkit.case.xlsxgrid import Grid, read_grids
from formkit.case.yamlsource import format_path
from formkit.errors import CaseFileError, Problem, WorkbookReadError
from formkit.regen import lock_files

log = logging.getLogger("formkit")

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
OTHER_SPREADSHEETS = {
    ".xls": "filen är sparad i det gamla Excelformatet (.xls); öppna den i Excel och spara den som Excel-arbetsbok (.xlsx)",
    ".ods": "filen är ett OpenDocument-kalkylblad (.ods); öppna den i LibreOffice och spara den som Excel 2007-365 (.xlsx)",
    ".numbers": "filen är ett Numbers-dokument; exportera den som Excel (.xlsx)",
    ".csv": "en CSV-fil rymmer bara ett blad, men ärendefilen behöver flera (Klienter, Beslut, Möten …); "
            "använd en Excel-arbetsbok (formkit init skriver ett exempel, arenden.xlsx) eller YAML",
}
_LAST_PART = re.compile(r"(\.[^.\[]+|\[\d+\])$")


def _parent(path: str) -> str:
    """``clients[3].address`` -> ``clients[3]`` -> ``clients`` -> ``""``."""
    shorter = _LAST_PART.sub("", path)
    return "" if shorter == path else shorter


def is_workbook(path: Path) -> bool:
    """True for an .xlsx/.xlsm name, or any file that starts like a zip package."""
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        return True
    try:
        with path.open("rb") as handle:
            return handle.read(4) == zipguard.ZIP_MAGIC
    except OSError:
        return False


def other_spreadsheet_problem(path: Path) -> str | None:
    """Why a spreadsheet that is not .xlsx cannot be the case file, or None."""
    return OTHER_SPREADSHEETS.get(path.suffix.lower())


@dataclass(frozen=True)
class Place:
    """Where a value is: sheet, row and column header (row/column None for a whole sheet/row)."""

    sheet: str
    row: int | None = None
    column: str | None = None
    order: tuple[int, int, int] = (0, 0, 0)

    def __str__(self) -> str:
        parts = [f"bladet {self.sheet}"]
        if self.row is not None:
            parts.append(f"rad {self.row}")
        if self.column is not None:
            parts.append(f"kolumn {self.column}")
        return ", ".join(parts)


@dataclass(frozen=True)
class RowPlace:
    """The row one record came from; a field's column is looked up only when it has a problem."""

    sheet: Sheet
    number: int  # the sheet's place in the layout, for sorting
    row: int
    positions: dict[str, int]  # header -> column number


def _suffix(path: tuple[str, ...]) -> str:
    return "".join(f".{part}" for part in path)


COLUMN_SUFFIXES = {sheet.name: {_suffix(c.path): c for c in sheet.columns} for sheet in SHEETS}


@dataclass
class SheetMap:
    """Model path (``clients[3].address.postcode``) -> place, and the problems found while reading."""

    places: dict[str, Place] = field(default_factory=dict)
    # every record's row, as (record path ("clients", 3), sheet, sheet number, row, positions);
    # made into ``rows`` only when a problem is placed (most files have none)
    records: list[tuple[tuple[Any, ...], Sheet, int, int, dict[str, int]]] = field(default_factory=list)
    problems: list[tuple[Place, str]] = field(default_factory=list)
    claimed: set[str] = field(default_factory=set)  # paths a reading problem already covers
    missing: dict[tuple[str, str], Place] = field(default_factory=dict)  # (sheet, header) absent

    def add(self, place: Place, message: str, path: str | None = None) -> None:
        self.problems.append((place, message))
        if path is not None:
            self.claimed.add(path)

    def place_of(self, path: str) -> Place | None:
        rows = self.rows
        base = path
        while base:
            if base in self.places:
                return self.places[base]
            if base in rows:
                return self._in_row(rows[base], path[len(base):])
            base = _parent(base)
        return None

    @cached_property
    def rows(self) -> dict[str, RowPlace]:
        """Record path (``clients[3]``) -> its row."""
        return {format_path(base): RowPlace(sheet, number, row, positions) for base, sheet, number, row, positions in self.records}

    @staticmethod
    def _in_row(where: RowPlace, suffix: str) -> Place:
        columns = COLUMN_SUFFIXES[where.sheet.name]
        column = columns.get("") if where.sheet.scalar_items else None
        while suffix and column is None:
            column = columns.get(suffix)
            suffix = _parent(suffix)
        if column is None:
            return Place(where.sheet.name, where.row, None, (where.number, where.row, 0))
        return Place(where.sheet.name, where.row, column.header, (where.number, where.row, where.positions.get(column.header, 0)))

    def relocate(self, model_problems: list[Problem]) -> list[Problem]:
        """The reading problems and the model's, each at its sheet, row and column, in sheet order."""
        found = list(self.problems)
        reported_missing: set[tuple[str, str]] = set()
        for problem in model_problems:
            if self._claimed(problem.path):
                continue
            place = self.place_of(problem.path) or Place(ABOUT_SHEET if problem.path == "formkit" else "Organisation")
            key = (place.sheet, place.column or "")
            if key in self.missing:
                if key not in reported_missing:
                    reported_missing.add(key)
                    found.append((self.missing[key], f"kolumnen {place.column} saknas men behövs; lägg till den i rubrikraden"))
                continue
            found.append((place, _workbook_words(problem.message)))
        found.sort(key=lambda item: item[0].order)
        out: list[Problem] = []
        for place, message in found:
            problem = Problem(str(place), message)
            if problem not in out:
                out.append(problem)
        return out

    def _claimed(self, path: str) -> bool:
        while path:
            if path in self.claimed:
                return True
            path = _parent(path)
        return False


def _workbook_words(message: str) -> str:
    """The model's messages speak of YAML lists and English role codes; say it as the workbook does."""
    for sheet in SHEETS:
        if sheet.parent is None and len(sheet.path) == 1:
            message = message.replace(f"under '{sheet.path[0]}'", f"på bladet {sheet.name}")
    for code, word in STAFF_ROLES.items():
        message = message.replace(f"rollen {code} ", f"rollen {word} ").replace(f"(har '{code}')", f"(har {word})")
    return message


def read_workbook(path: Path) -> tuple[dict[str, Any], SheetMap]:
    """The case data in the workbook at ``path`` as plain data, and where each value stands.

    Raises ``CaseFileError`` only when the file cannot be read as a workbook at all; problems
    in its contents are in the returned map, to be reported with the model's.
    """
    lock = next((lock for lock in lock_files(path) if lock.exists()), None)
    if lock is not None:
        log.warning("%s är öppen i Excel eller LibreOffice (låsfilen %s finns): ändringar som inte är sparade kommer "
                    "inte med. Spara filen först.", path.name, lock.name)
    try:
        grids = read_grids(path)
    except WorkbookReadError as exc:
        raise CaseFileError(str(path), [Problem("", str(exc))]) from None
    except FileNotFoundError:
        raise CaseFileError(str(path), [Problem("", "filen finns inte")]) from None
    except OSError as exc:
        raise CaseFileError(str(path), [Problem("", f"filen kan inte läsas: {exc.strerror}")]) from None
    reader = _Reader(grids)
    reader.read()
    return reader.data, reader.map


class _Reader:
    """One pass over the grids, sheet by sheet in the layout's order (parents before children)."""

    def __init__(self, grids: list[Grid]):
        self.grids = {compare_key(g.name): g for g in grids}
        self.order = {compare_key(g.name): i for i, g in enumerate(grids)}
        self.data: dict[str, Any] = {}
        self.map = SheetMap()
        self.ids: dict[str, dict[str, int]] = {}  # sheet name -> record id -> index
        self.covered: set[tuple[int, int]] = set()  # cells of the current sheet hidden under a merge

    def read(self) -> None:
        self._unknown_sheets()
        self._version()
        for number, sheet in enumerate(SHEETS, start=1):
            self._sheet(number, sheet)

    def _unknown_sheets(self) -> None:
        known = {compare_key(s.name) for s in SHEETS} | {compare_key(ABOUT_SHEET)}
        names = [s.name for s in SHEETS]
        for key, grid in self.grids.items():
            if key in known or grid.name.strip().startswith(OWN_MARK) or grid.state != "visible":
                continue
            close = difflib.get_close_matches(grid.name, names, n=1, cutoff=0.6)
            hint = f"; menade du '{close[0]}'?" if close else ""
            self.map.add(Place(grid.name, order=(0, 0, self.order[key])),
                         f"okänt blad{hint} Ett eget blad som formkit ska hoppa över: börja namnet med {OWN_MARK}")

    def _version(self) -> None:
        grid = self.grids.get(compare_key(ABOUT_SHEET))
        if grid is None:
            return
        for row, cells in sorted(grid.cells.items()):
            if compare_key(cells.get(1, "")) == compare_key(VERSION_LABEL) and cells.get(2) is not None:
                self.data["formkit"] = cell_text(cells[2])
                self.map.places["formkit"] = Place(ABOUT_SHEET, row, "B", (99, row, 2))
                return

    def _sheet(self, number: int, sheet: Sheet) -> None:
        grid = self.grids.get(compare_key(sheet.name))
        if grid is None:
            if sheet.single:
                self._register_single(number, sheet, 2)
            if sheet.name == "Organisation":
                self.map.add(Place(sheet.name, order=(number, 0, 0)),
                             "bladet saknas; det behövs för brevhuvudet (formkit init visar hur det ser ut)", "organisation")
            return
        if grid.state != "visible":
            self.map.add(Place(sheet.name, order=(number, 0, 0)),
                         "bladet är dolt; ta fram det (högerklicka på en flik och välj Ta fram) så att du ser vad som används, "
                         f"eller ta bort det. Ett eget blad som ska hoppas över: börja namnet med {OWN_MARK}")
        if not grid.cells:
            if sheet.single:
                self._register_single(number, sheet, 2)
            return
        header_row = min(grid.cells)
        columns = self._header(number, sheet, grid, header_row)
        self._merged(number, grid, columns, header_row)
        if sheet.single:
            self._register_single(number, sheet, header_row + 1)
        rows_read = 0
        stray: set[int] = set()
        positions = {c.header: col for col, c in columns.items()}  # header -> column number
        cells_read = {col: CellReader(column, sheet) for col, column in columns.items()}
        for row in sorted(r for r in grid.cells if r > header_row):
            values: dict[int, Any] = {}
            for col, value in grid.cells[row].items():
                if col in columns:
                    values[col] = value
                elif col not in stray and not self._ignored(grid, header_row, col):
                    stray.add(col)
                    self.map.add(Place(sheet.name, row, get_column_letter(col), (number, row, col)),
                                 "cellen har ett värde men kolumnen saknar rubrik; skriv en rubrik "
                                 f"(börja den med {OWN_MARK} om kolumnen är din egen) eller töm kolumnen")
            if not values:
                continue  # an empty row between groups, or only the user's own columns
            rows_read += 1
            if sheet.single and rows_read > 1:
                self.map.add(Place(sheet.name, row, None, (number, row, 0)), f"bladet {sheet.name} ska ha en enda rad; ta bort den här")
                continue
            self._row(number, sheet, row, cells_read, positions, values)

    def _ignored(self, grid: Grid, header_row: int, col: int) -> bool:
        header = grid.cells[header_row].get(col)
        return isinstance(header, str) and header.strip().startswith(OWN_MARK)

    def _header(self, number: int, sheet: Sheet, grid: Grid, header_row: int) -> dict[int, Column]:
        by_key = {compare_key(c.header): c for c in sheet.all_columns}
        columns: dict[int, Column] = {}
        seen: dict[str, int] = {}
        for col, value in sorted(grid.cells[header_row].items()):
            text = cell_text(value).strip()
            place = Place(sheet.name, header_row, text or get_column_letter(col), (number, header_row, col))
            if text.startswith(OWN_MARK):
                continue
            column = by_key.get(compare_key(text))
            if column is None:
                close = difflib.get_close_matches(text, [c.header for c in sheet.all_columns], n=1, cutoff=0.6)
                hint = f"; menade du '{close[0]}'?" if close else "."
                self.map.add(place, f"okänd kolumn{hint} En egen kolumn som formkit ska hoppa över: börja rubriken med {OWN_MARK}")
                continue
            if column.header in seen:
                self.map.add(place, f"kolumnen finns två gånger (också i kolumn {get_column_letter(seen[column.header])}); ta bort den ena")
                continue
            seen[column.header] = col
            columns[col] = column
        for column in sheet.all_columns:
            if column.header not in seen:
                where = Place(sheet.name, header_row, column.header, (number, header_row, 10_000))
                if column is sheet.link:
                    self.map.add(where, f"kolumnen {column.header} saknas; den säger vilken rad på bladet {sheet.parent} raden hör till")
                else:
                    self.map.missing[(sheet.name, column.header)] = where
        return columns

    def _merged(self, number: int, grid: Grid, columns: dict[int, Column], header_row: int) -> None:
        """Report each merged range once; the empty cells it covers are not reported again."""
        self.covered = {(r, c) for min_col, min_row, max_col, max_row in grid.merged
                        for r in range(min_row, max_row + 1) for c in range(min_col, max_col + 1)
                        if (r, c) != (min_row, min_col) and (max_row - min_row + 1) * (max_col - min_col + 1) <= 10_000}
        for min_col, min_row, max_col, max_row in grid.merged:
            if max_row < header_row:
                continue
            ref = f"{get_column_letter(min_col)}{min_row}:{get_column_letter(max_col)}{max_row}"
            column = columns.get(min_col)
            self.map.add(Place(grid.name, min_row, column.header if column else get_column_letter(min_col), (number, min_row, min_col)),
                         f"cellerna {ref} är sammanfogade; dela upp dem och skriv värdet på varje rad (bara den första cellen har ett värde)")

    def _register_single(self, number: int, sheet: Sheet, row: int) -> None:
        self._register(number, sheet, sheet.path, row, {c.header: i for i, c in enumerate(sheet.columns, start=1)})

    def _register(self, number: int, sheet: Sheet, base: tuple[Any, ...], row: int, positions: dict[str, int]) -> None:
        self.map.records.append((base, sheet, number, row, positions))

    def _row(self, number: int, sheet: Sheet, row: int, cells_read: dict[int, CellReader], positions: dict[str, int],
             values: dict[int, Any]) -> None:
        record: dict[str, Any] = {}
        problems: list[tuple[Column, str]] = []
        link: str | None = None
        for col, raw in values.items():
            reader = cells_read[col]
            value, message = reader.read(raw)
            if message:
                problems.append((reader.column, message))
            elif reader.is_link:
                link = value
            elif value is not None:
                if reader.key is not None:
                    record[reader.key] = value
                else:
                    _put(record, reader.column.path, value)
        base = self._base(number, sheet, row, positions, link, problems)
        if base is None:
            return
        self._register(number, sheet, base, row, positions)
        if self.covered:
            for col, reader in cells_read.items():
                if (row, col) in self.covered:
                    self.map.claimed.add(format_path(base + reader.column.path))
        for column, message in problems:
            path = format_path(base + column.path)
            self.map.add(Place(sheet.name, row, column.header, (number, row, positions.get(column.header, 0))), message, path)
        self._store(sheet, base, record.get("") if sheet.scalar_items else record)

    def _base(self, number: int, sheet: Sheet, row: int, positions: dict[str, int], link: str | None,
              problems: list[tuple[Column, str]]) -> tuple[Any, ...] | None:
        """The record's path in the data: clients[4], or clients[2].representatives[0] for a child row."""
        if sheet.single:
            return sheet.path
        if sheet.parent is None or sheet.link is None:
            container = self._container(sheet.path)
            return sheet.path + (len(container),)
        parent = SHEETS_BY_NAME[sheet.parent]
        known = self.ids.get(parent.name, {})
        link_problem = next((m for c, m in problems if c is sheet.link), None) if problems else None
        index = known.get(link.strip()) if link is not None and not link_problem else None
        if index is None:  # the row's link is wrong: say so at the link's cell
            link_place = Place(sheet.name, row, sheet.link.header, (number, row, positions.get(sheet.link.header, 0)))
            if link_problem:
                self.map.add(link_place, link_problem)
            elif link is None:
                self.map.add(link_place, f"tom; skriv id:t för raden på bladet {parent.name} som raden hör till")
            else:
                close = difflib.get_close_matches(link, list(known), n=1)
                hint = f"; menade du '{close[0]}'?" if close else f"; lägg till den på bladet {parent.name} eller rätta id:t"
                self.map.add(link_place, f"det finns ingen rad med id {quoted(link)} på bladet {parent.name}{hint}")
            return None
        parent_record = self.data[parent.path[0]][index]
        items = _container_in(parent_record, sheet.path)
        return parent.path + (index,) + sheet.path + (len(items),)

    def _container(self, path: tuple[str, ...]) -> list[Any]:
        return _container_in(self.data, path)

    def _store(self, sheet: Sheet, base: tuple[Any, ...], item: Any) -> None:
        if sheet.single:
            target = self.data
            for part in sheet.path[:-1]:
                target = target.setdefault(part, {})
            existing = target.get(sheet.path[-1])
            target[sheet.path[-1]] = {**item, **existing} if isinstance(existing, dict) else item
            return
        if sheet.parent is None:
            container = self._container(sheet.path)
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                self.ids.setdefault(sheet.name, {}).setdefault(item["id"].strip(), len(container))
            container.append(item)
            return
        parent = SHEETS_BY_NAME[sheet.parent]
        _container_in(self.data[parent.path[0]][base[1]], sheet.path).append(item)


def _container_in(target: dict[str, Any], path: tuple[str, ...]) -> list[Any]:
    """The list at ``path`` inside ``target``, made (with the dicts above it) if absent."""
    for part in path[:-1]:
        target = target.setdefault(part, {})
    return target.setdefault(path[-1], [])


def _put(record: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for part in path[:-1]:
        record = record.setdefault(part, {})
    record[path[-1]] = value
