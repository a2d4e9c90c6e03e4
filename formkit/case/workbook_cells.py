"""One workbook cell as the case model wants it: Excel's dates as ISO text, a postcode Excel
made a number back as "012 34", Ja/Nej as true/false, a Swedish choice as the model's code.

Each conversion gives (value, problem): the value for the model (None when the cell is
empty), or a Swedish sentence saying what is wrong with the cell. ``CellReader`` does it for
one column of one sheet, converting each distinct value of a repeating column once.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from formkit.case.workbook_layout import LIST_SEPARATOR, NO_WORDS, YES_WORDS, Column, Sheet
from formkit.case.xlsxgrid import NO_VALUE, ErrorValue


def compare_key(name: Any) -> str:
    """A header, sheet name or choice as compared: case, surrounding and repeated spaces ignored."""
    text = str(name).strip().casefold()
    if text.isascii() and "  " not in text:
        return text
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text))


PERSONAL_NUMBER_LIKE = re.compile(r"^\s*(\d{2})?\d{6}\s*[-+]?\s*\d{4}\s*$")


def quoted(value: Any) -> str:
    """A cell's text in a message, unless it looks like a personal number (never repeated)."""
    text = cell_text(value)
    return "värdet" if PERSONAL_NUMBER_LIKE.match(text) else f"'{text}'"


def cell_text(value: Any) -> str:
    """A cell as the text the user sees: 12345.0 -> "12345", a date -> ISO, TRUE -> Ja."""
    if isinstance(value, bool):
        return "Ja" if value else "Nej"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date,)):
        return value.isoformat()
    if isinstance(value, dt.time):
        return f"{value.hour:02d}.{value.minute:02d}"
    return str(value)


TEXT_KINDS = {"text", "id", "ref", "postcode", "phone", "personal_number"}  # typed text is taken as it is
REPEATING_KINDS = {"date", "clock", "yesno", "int", "number", "choice", "list"}  # few values, many rows


class CellReader:
    """``read_cell`` for one column of one sheet, with what is the same on every row worked out once.

    A column of dates, choices or Ja/Nej holds a few values over thousands of rows, so each
    distinct cell value is converted once (by type and value: 1, 1.0 and True are equal keys
    in a dict but read differently)."""

    def __init__(self, column: Column, sheet: Sheet):
        self.column = column
        self.is_link = column is sheet.link
        self.key = "" if sheet.scalar_items else column.path[0] if len(column.path) == 1 else None  # None: a nested path
        self.text = column.kind in TEXT_KINDS
        self.seen: dict[tuple[type, Any], tuple[Any, str | None]] | None = {} if column.kind in REPEATING_KINDS else None

    def read(self, value: Any) -> tuple[Any, str | None]:
        if self.text and type(value) is str:  # the common case first: typed text
            return (value, None) if value.strip() else (None, None)
        if self.seen is None:
            return read_cell(value, self.column)
        key = (type(value), value)
        found = self.seen.get(key)
        if found is None:
            found = self.seen[key] = read_cell(value, self.column)
        if type(found[0]) is list:  # each record gets its own list
            return list(found[0]), found[1]
        return found


def read_cell(value: Any, column: Column) -> tuple[Any, str | None]:
    """(value for the model, or None when empty; a problem, or None). A formula's stored
    result counts as what the user typed."""
    if type(value) is str:  # the common case first: typed text
        if not value.strip():
            return None, None
        if column.kind in TEXT_KINDS:
            return value, None
    elif value is NO_VALUE:
        return None, ("cellen har en formel men inget sparat värde; öppna filen i Excel och spara den "
                      "(så räknas värdet ut), eller skriv in värdet")
    elif isinstance(value, ErrorValue):
        return None, f"cellen visar felet {value}; rätta formeln eller skriv in värdet"
    return CONVERTERS.get(column.kind, _as_text)(value, column)


def _as_text(value: Any, _column: Column) -> tuple[Any, str | None]:
    return cell_text(value), None


def _as_postcode(value: Any, _column: Column) -> tuple[Any, str | None]:
    """Excel makes 12345 a number and drops the zero of 01234: both come back as "NNN NN"."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer() and 0 < value < 100_000:
        digits = f"{int(value):05d}"
        return f"{digits[:3]} {digits[3:]}", None
    return cell_text(value), None


def _as_phone(value: Any, _column: Column) -> tuple[Any, str | None]:
    """A phone number Excel made a number lost its leading zero (or its +46)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        digits = str(int(value))
        return ("+" + digits if digits.startswith("46") and len(digits) >= 11 else "0" + digits), None
    return cell_text(value), None


def _as_personal_number(value: Any, _column: Column) -> tuple[Any, str | None]:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        digits = str(int(value))
        return (digits.zfill(10) if len(digits) < 10 else digits), None
    return cell_text(value), None


def _as_date(value: Any, _column: Column) -> tuple[Any, str | None]:
    if isinstance(value, dt.datetime):
        if value.time() != dt.time():
            return None, "cellen har ett klockslag; skriv bara datumet, ÅÅÅÅ-MM-DD"
        return value.date().isoformat(), None
    if isinstance(value, dt.date):
        return value.isoformat(), None
    if isinstance(value, str):
        return value.strip(), None
    return None, f"{quoted(value)} är inget datum; skriv datumet som ÅÅÅÅ-MM-DD (t.ex. 2026-11-22) eller formatera cellen som datum"


def _as_clock(value: Any, _column: Column) -> tuple[Any, str | None]:
    if isinstance(value, dt.datetime) and value.date() <= dt.date(1900, 1, 1):
        value = value.time()
    if isinstance(value, dt.time):
        return f"{value.hour:02d}.{value.minute:02d}", None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 0 <= value < 1:  # a time of day Excel kept as a fraction of a day
            minutes = round(value * 24 * 60)
            return f"{minutes // 60:02d}.{minutes % 60:02d}", None
        if 1 <= value < 24:  # 14.3 from a typed 14.30
            return f"{value:.2f}", None
    if isinstance(value, str):
        return value.strip(), None
    return None, "klockslaget ska skrivas som 14.00"


def _as_yes_no(value: Any, _column: Column) -> tuple[Any, str | None]:
    word = compare_key(cell_text(value))
    if word in YES_WORDS:
        return "true", None
    if word in NO_WORDS:
        return "false", None
    return None, f"{quoted(value)} går inte att tolka; skriv Ja eller Nej"


def _as_number(value: Any, _column: Column) -> tuple[Any, str | None]:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (str(int(value)) if float(value).is_integer() else repr(float(value))), None
    text = cell_text(value).strip().rstrip("%").strip().replace(",", ".").replace("\u00a0", "").replace(" ", "")
    return text, None


def _as_int(value: Any, column: Column) -> tuple[Any, str | None]:
    if isinstance(value, float) and not value.is_integer():
        return repr(value), None  # the model says it must be a whole number
    return _as_number(value, column)


def _as_list(value: Any, _column: Column) -> tuple[Any, str | None]:
    items = [item.strip() for item in re.split(rf"[{LIST_SEPARATOR}\n]", cell_text(value))]
    return [item for item in items if item] or None, None


_CHOICES: dict[int, dict[str, str]] = {}


def _as_choice(value: Any, column: Column) -> tuple[Any, str | None]:
    choices = column.choices or {}
    lookup = _CHOICES.get(id(choices))
    if lookup is None:
        lookup = _CHOICES[id(choices)] = {compare_key(word): code for code, label in choices.items() for word in (code, label)}
    code = lookup.get(compare_key(cell_text(value)))
    if code is not None:
        return code, None
    return None, f"{quoted(value)} går inte att välja här; välj en av: {', '.join(choices.values())}"


CONVERTERS = {
    "postcode": _as_postcode,
    "phone": _as_phone,
    "personal_number": _as_personal_number,
    "date": _as_date,
    "clock": _as_clock,
    "yesno": _as_yes_no,
    "int": _as_int,
    "number": _as_number,
    "list": _as_list,
    "choice": _as_choice,
}
