"""Writing the case file as a workbook people can work in: ``formkit init`` and ``formkit convert``.

Each sheet of ``workbook_layout`` becomes an Excel table with a styled, frozen header (the
style is set on the cells too, since LibreOffice does not draw table styles), column widths,
columns of text formatted as text (so a typed 012 34 keeps its zero), dates shown ÅÅÅÅ-MM-DD,
and dropdowns: Ja/Nej, the Swedish choices, and the ids of the sheet a column refers to. The
"Om filen" sheet explains every column in Swedish, with the format version the reader checks.
Text goes through ``xlsx.put`` so a name typed as ``=1+1`` stays text.
"""

from __future__ import annotations

import io
import types
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Union, get_args, get_origin

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import BaseModel

from formkit.case.model import FORMAT_VERSION, Case
from formkit.case.workbook_layout import (
    ABOUT_SHEET,
    LIST_SEPARATOR,
    OWN_MARK,
    SHEETS,
    SHEETS_BY_NAME,
    VERSION_LABEL,
    Column,
    Sheet,
)
from formkit.errors import DataError
from formkit.xlsx import ISO_DATE, put

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
TITLE_FONT = Font(bold=True, size=14)
SPARE_ROWS = 500  # rows below the data that keep the dropdowns and the text format
GROUP_WORDS = {"address": "adressen", "consent": "samtycket", "care_plan": "genomförandeplanen", "answers": "svaren"}

ABOUT_TEXT = [
    "Det här är formkits ärendefil som Excel-arbetsbok. Alla kommandon läser den som arenden.yaml; kontrollera den med: formkit check arenden.xlsx",
    "Ett blad per slag av uppgifter och en rad per post. Rubrikerna i första raden är det formkit läser: byt inte namn på dem.",
    "Raderna hänvisar till varandra med id: kolumnen Enhet på bladet Klienter innehåller enhetens id från bladet Enheter, och så vidare. Listrutorna visar de id som finns.",
    "Datum skrivs ÅÅÅÅ-MM-DD (eller som Exceldatum). Klockslag skrivs 14.00. Ja/Nej-kolumner: Ja eller Nej. Val som Typ och Roll görs i listrutan.",
    "Postnummer, personnummer och telefonnummer är text. Har Excel gjort ett postnummer till ett tal (12345 eller 1234) läses det som 123 45 och 012 34; ett telefonnummer som blivit ett tal får tillbaka sin inledande nolla.",
    f"Flera värden i en cell (Insatser, Inbjudna, Problem) skiljs åt med semikolon: HEMTJÄNST{LIST_SEPARATOR} LEDSAGNING.",
    f"Egna kolumner och blad: börja rubriken eller bladets namn med {OWN_MARK}, så hoppar formkit över dem. Andra okända kolumner och blad ger fel, så att en felstavning märks.",
    "Tomma rader hoppas över. Sammanfogade celler, formler utan sparat värde och dolda blad ger fel, med blad, rad och kolumn.",
    "Klienter med Skyddad identitet = Ja får aldrig sin adress utskriven. Filen innehåller personuppgifter: spara den där bara behöriga kommer åt den.",
]


@dataclass(frozen=True)
class ColumnDoc:
    """One column as documented in "Om filen" and by ``formkit schema --workbook``."""

    sheet: str
    header: str
    field: str  # the YAML field, e.g. clients[].address.postcode
    required: str  # "Ja", "Ja, om adressen fylls i" or ""
    help: str
    choices: str


def column_docs() -> list[ColumnDoc]:
    """Every column of every sheet, with the field it fills and whether it must be filled in."""
    out = []
    for sheet in SHEETS:
        record, prefix = _record_model(sheet)
        for column in sheet.all_columns:
            if column is sheet.link:
                parent = SHEETS_BY_NAME[sheet.parent or ""]
                field, required = f"{_yaml_path(parent.path, list_=True)}.id", "Ja"
            else:
                field = prefix + "".join(f".{p}" for p in column.path)
                required = _required(record, column.path) if record is not None else ""
            choices = ", ".join(column.choices.values()) if column.choices else ("Ja, Nej" if column.kind == "yesno" else "")
            out.append(ColumnDoc(sheet.name, column.header, field, required, column.help, choices))
    return out


def _yaml_path(path: tuple[str, ...], list_: bool) -> str:
    return ".".join(path) + ("[]" if list_ else "")


def _record_model(sheet: Sheet) -> tuple[type[BaseModel] | None, str]:
    """The model one row of ``sheet`` is validated by, and its YAML path."""
    if sheet.parent:
        parent = SHEETS_BY_NAME[sheet.parent]
        parent_model, parent_path = _record_model(parent)
        model = _walk_model(parent_model, sheet.path) if parent_model else None
        return model, f"{parent_path}.{'.'.join(sheet.path)}[]"
    model = _walk_model(Case, sheet.path)
    return model, _yaml_path(sheet.path, list_=not sheet.single)


def _walk_model(model: type[BaseModel] | None, path: tuple[str, ...]) -> type[BaseModel] | None:
    for part in path:
        if model is None:
            return None
        model = _model_in(model.model_fields[part].annotation)
    return model


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model inside ``Address | None`` or ``list[Client]``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) in (list, Union, types.UnionType):
        for arg in get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None


def _required(model: type[BaseModel], path: tuple[str, ...]) -> str:
    if not path:
        return "Ja"
    group_optional = None
    for part in path[:-1]:
        info = model.model_fields[part]
        if not info.is_required() and group_optional is None:
            group_optional = part
        model = _model_in(info.annotation)  # type: ignore[assignment]
    if not model.model_fields[path[-1]].is_required():
        return ""
    if group_optional:
        return f"Ja, om {GROUP_WORDS.get(group_optional, group_optional)} fylls i"
    return "Ja"


# --- writing --------------------------------------------------------------------------------

def workbook_bytes(case: Case) -> bytes:
    """The whole case as an .xlsx file."""
    data = case.model_dump(mode="python", exclude_none=True)
    book = Workbook()
    book.remove(book.active)
    counts = {sheet.name: len(list(_rows(sheet, data))) for sheet in SHEETS}
    for sheet in SHEETS:
        _write_sheet(book.create_sheet(sheet.name), sheet, data, counts)
    _write_about(book.create_sheet(ABOUT_SHEET))
    book.active = 0
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _get(record: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        if not isinstance(record, dict):
            return None
        record = record.get(part)
    return record


def _rows(sheet: Sheet, data: dict[str, Any]) -> Iterator[tuple[str | None, Any]]:
    """(parent id or None, record) for every row of ``sheet``."""
    if sheet.single:
        record = _get(data, sheet.path)
        if record:
            yield None, record
        return
    if sheet.parent is None:
        for record in _get(data, sheet.path) or []:
            yield None, record
        return
    parent = SHEETS_BY_NAME[sheet.parent]
    for parent_record in _get(data, parent.path) or []:
        for record in _get(parent_record, sheet.path) or []:
            yield parent_record["id"], record


def _cell_value(sheet: Sheet, column: Column, value: Any, where: str) -> Any:
    if value is None:
        return None
    if column.choices:
        return column.choices.get(value, value)
    if column.kind == "yesno":
        return "Ja" if value else "Nej"
    if column.kind == "list":
        for item in value:
            if LIST_SEPARATOR in item or "\n" in item:
                raise DataError(f"{where}, fältet {column.header}: '{item}' innehåller semikolon eller radbrytning, som skiljer "
                                f"värdena åt i en cell på bladet {sheet.name}; skriv om texten utan dem och försök igen.")
        return f"{LIST_SEPARATOR} ".join(value) if value else None
    return value


def _write_sheet(ws: Worksheet, sheet: Sheet, data: dict[str, Any], counts: dict[str, int]) -> None:
    columns = sheet.all_columns
    for index, column in enumerate(columns, start=1):
        put(ws, 1, index, column.header, font=HEADER_FONT, fill=HEADER_FILL, alignment=Alignment(vertical="center"))
        ws.column_dimensions[get_column_letter(index)].width = max(column.width, len(column.header) + 3)
    row = 1
    for row, (parent_id, record) in enumerate(_rows(sheet, data), start=2):
        where = f"bladet {sheet.name}, rad {row}"
        for index, column in enumerate(columns, start=1):
            if column is sheet.link:
                value: Any = parent_id
            else:
                value = record if sheet.scalar_items else _get(record, column.path)
            value = _cell_value(sheet, column, value, where)
            if value is None:
                continue
            cell = put(ws, row, index, value)
            if column.is_text:
                cell.number_format = "@"
    last_row = max(row, 2)
    spare = last_row + SPARE_ROWS
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        if column.is_text:  # the column's own format, so what the user types later stays text
            ws.column_dimensions[letter].number_format = "@"
        elif column.kind == "date":
            ws.column_dimensions[letter].number_format = ISO_DATE
        _validation(ws, column, f"{letter}2:{letter}{spare}", counts)
    _print_setup(ws)
    ws.freeze_panes = "C2" if [c.header for c in columns[:2]] == ["Id", "Namn"] else "A2"
    table = Table(displayName=f"Tabell{sheet.table}", ref=f"A1:{get_column_letter(len(columns))}{last_row}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(table)


def _print_setup(ws: Worksheet) -> None:
    """Landscape, as wide as one page, the header row repeated: a sheet prints readably."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_title_rows = "1:1"


def _validation(ws: Worksheet, column: Column, cells: str, counts: dict[str, int]) -> None:
    """A dropdown for choices, Ja/Nej and ids; the column's explanation as the input message."""
    if column.choices:
        source, style = '"' + ",".join(column.choices.values()) + '"', "stop"
    elif column.kind == "yesno":
        source, style = '"Ja,Nej"', "stop"
    elif column.ref:
        target = SHEETS_BY_NAME[column.ref]
        id_col = get_column_letter(next(i for i, c in enumerate(target.all_columns, start=1) if c.path == ("id",) and c is not target.link))
        source, style = f"'{target.name}'!${id_col}$2:${id_col}${counts[target.name] + 1 + SPARE_ROWS}", "warning"
    else:
        return
    rule = DataValidation(type="list", formula1=source, allow_blank=True, showErrorMessage=True, showInputMessage=True,
                          errorStyle=style, errorTitle=column.header[:32], promptTitle=column.header[:32],
                          error="Välj ett värde i listan." if style == "stop" else f"Id:t finns inte på bladet {column.ref}.",
                          prompt=column.help[:250])
    rule.add(cells)
    ws.add_data_validation(rule)


def _write_about(ws: Worksheet) -> None:
    put(ws, 1, 1, ABOUT_SHEET, font=TITLE_FONT)
    put(ws, 2, 1, VERSION_LABEL, font=Font(bold=True))
    put(ws, 2, 2, FORMAT_VERSION)
    row = 4
    for line in ABOUT_TEXT:
        put(ws, row, 1, line)
        row += 1
    row += 1
    for index, header in enumerate(("Blad", "Kolumn", "Krävs", "Förklaring", "Val"), start=1):
        put(ws, row, index, header, font=HEADER_FONT, fill=HEADER_FILL)
    current = None
    for doc in column_docs():
        if doc.sheet != current:
            current = doc.sheet
            row += 1
            put(ws, row, 1, doc.sheet, font=Font(bold=True))
            put(ws, row, 4, SHEETS_BY_NAME[doc.sheet].help, font=Font(italic=True))
        row += 1
        for index, value in enumerate((doc.sheet, doc.header, doc.required, doc.help[:1].upper() + doc.help[1:], doc.choices), start=1):
            put(ws, row, index, value)
    _print_setup(ws)
    for letter, width in zip("ABCDE", (20, 28, 30, 100, 40)):
        ws.column_dimensions[letter].width = width


def workbook_reference() -> str:
    """The workbook's sheets and columns as text, for ``formkit schema --workbook``."""
    lines = ["Ärendefilen som Excel-arbetsbok (arenden.xlsx): ett blad per slag, en rad per post, rubrikerna i rad 1.",
             *(f"  {line}" for line in ABOUT_TEXT), ""]
    current = None
    for doc in column_docs():
        if doc.sheet != current:
            current = doc.sheet
            lines += ["", f"Bladet {doc.sheet}: {SHEETS_BY_NAME[doc.sheet].help}"]
        need = f" [krävs{doc.required[2:]}]" if doc.required else ""
        choices = f" Val: {doc.choices}." if doc.choices else ""
        lines.append(f"  {doc.header} ({doc.field}){need}: {doc.help}{choices}")
    return "\n".join(lines)
