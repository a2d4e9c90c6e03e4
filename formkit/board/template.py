"""The board's sheet template: found like every template (the user's ``--templates`` first),
read as a package, and checked for the headings formkit needs to recognise its rows."""

from __future__ import annotations

from pathlib import Path

from formkit import templates
from formkit.board.columns import CLIENT_ID_HEADER, EXECUTED_HEADER, ID_HEADER, NEXT_HEADER, NOTES_HEADER, SOURCE_HEADER
from formkit.board.layout import ARCHIVE_SHEET, MAIN_SHEET, SNAPSHOT_SHEET, TEMPLATE_NAME
from formkit.regen import HEADER_SEARCH_ROWS
from formkit.errors import PackageError, Problem, TemplateError
from formkit.xlsxpkg.grid import Grid
from formkit.xlsxpkg.package import Package

REQUIRED_HEADERS = (ID_HEADER, CLIENT_ID_HEADER, NEXT_HEADER, EXECUTED_HEADER, NOTES_HEADER, SOURCE_HEADER)
REQUIRED_SHEETS = (MAIN_SHEET, ARCHIVE_SHEET, SNAPSHOT_SHEET)


def problems(path: Path) -> list[Problem]:
    """What stops ``path`` from being used as the board's template (empty: it is fine)."""
    try:
        package = Package.read(path)
        names = [s.name for s in package.sheets()]
    except PackageError as exc:
        return [Problem("", f"kan inte läsas som en Excel-arbetsbok ({exc}); spara den som .xlsx")]
    found = [Problem(f"bladet {name}", "bladet saknas; formkit skriver raderna och arkivet där. Lägg tillbaka det "
                     "(kopiera det från den medföljande mallen)") for name in REQUIRED_SHEETS if name not in names]
    if MAIN_SHEET in names:
        grid = Grid(package, package.sheet(MAIN_SHEET).part)
        rows = [set(grid.texts(r).values()) for r in range(1, HEADER_SEARCH_ROWS + 1)]
        header = next((r for r in rows if ID_HEADER in r), set())
        for name in REQUIRED_HEADERS:
            if name not in header:
                found.append(Problem(f"bladet {MAIN_SHEET}, rubrikraden",
                                     f"kolumnen '{name}' saknas; skriv rubriken '{name}' i rubrikraden (bland de "
                                     f"{HEADER_SEARCH_ROWS} första raderna), stavad exakt så"))
    return found


def load(user_dir: Path | None) -> tuple[Path, bytes]:
    """The template to make new boards from, checked; a ``TemplateError`` lists what is wrong."""
    path = templates.find("sheets", TEMPLATE_NAME, user_dir)
    found = problems(path)
    if found:
        raise TemplateError(str(path), found)
    return path, path.read_bytes()
