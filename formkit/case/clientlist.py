"""The coordinator's own client list (Excel or CSV), used by ``formkit letters --clients``.

Coordinators keep the "brukarlista med adresser" (seed 001) in Excel. The first row holds the
column names, in whatever Swedish the coordinator chose: ``Namn``, ``Adress`` or
``Gatuadress``, ``C/o``, ``Postnummer``, ``Ort`` or ``Postort``, ``Id`` or ``Kundnummer``,
``Enhet``, ``Skyddad identitet``, ``Personnummer``. Unknown columns (phone, notes) are ignored.

Every value is read as text so that "012 34" keeps its zero; a postcode Excel turned into the
number 12345 becomes "123 45". Each row is validated by the case file's own ``Client`` model,
and every problem in the file is reported at once, with its row number and column name. The
messages never contain a personal number.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import logging
import re
import unicodedata
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from pydantic import ValidationError

from formkit.case import personnummer
from formkit.case.loading import translate_error
from formkit.case.model import MAX_TEXT_CHARS, Case, Client
from formkit.errors import ClientListError, Problem
from formkit.xlsx import DAMAGED

COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "kundnummer", "kundnr", "kund-id", "klient-id", "klientid", "klientnummer", "brukar-id", "brukarnummer"),
    "name": ("namn", "fullständigt namn", "brukare", "kund", "klient", "mottagare"),
    "first_name": ("förnamn",),
    "last_name": ("efternamn",),
    "street": ("adress", "gatuadress", "utdelningsadress", "gata", "postadress"),
    "co": ("c/o", "co", "c/o-adress", "c/o adress", "care of"),
    "postcode": ("postnummer", "postnr", "post nr"),
    "city": ("ort", "postort", "stad"),
    "country": ("land",),
    "unit": ("enhet", "enhets-id", "enhetens namn"),
    "protected_identity": ("skyddad identitet", "skyddade personuppgifter", "skyddad", "sekretessmarkering"),
    "personal_number": ("personnummer", "personnr", "pnr"),
}
SWEDISH_COLUMN = {"id": "Id", "name": "Namn", "street": "Adress", "co": "C/o", "postcode": "Postnummer",
                  "city": "Ort", "country": "Land", "unit": "Enhet", "protected_identity": "Skyddad identitet",
                  "personal_number": "Personnummer"}
MAX_FILE_BYTES = 20 * 1024 * 1024  # a list of 100,000 clients is about 10 MB
YES = {"ja", "j", "x", "1", "true", "sant", "yes"}
NO = {"", "nej", "n", "0", "false", "falskt", "no"}


def _key(header: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", header).strip().lower().rstrip(":"))


log = logging.getLogger(__name__)
HEADER_LOOKUP = {name: field for field, names in COLUMNS.items() for name in names}


def read_clients(path: Path, case: Case, unit_id: str | None = None) -> list[Client]:
    """The clients in ``path`` (.xlsx or .csv), as the case file's ``Client`` records."""
    log.info("läser klientlistan %s", path)
    rows = _read_rows(path)
    if not rows:
        raise ClientListError(str(path), [Problem("", "listan är tom; första raden ska ha kolumnnamnen (Namn, Adress, Postnummer, Ort …)")])
    header, body = rows[0], rows[1:]
    columns, problems = _map_header(header)
    if problems:
        raise ClientListError(str(path), problems)
    default_unit = _default_unit(case, unit_id, "unit" in columns, str(path))
    units_by_name = {_key(u.name): u.id for u in case.units} | {_key(u.id): u.id for u in case.units}
    clients: list[Client] = []
    seen: dict[str, int] = {}  # id ignoring case -> row: B-001 and b-001 would be one file on Windows and macOS
    for number, row in enumerate(body, start=2):
        values = {field: (row[i] if i < len(row) else "").strip() for field, i in columns.items()}
        if not any(values.values()):
            continue  # an empty row between groups
        row_problems, client = _client(values, number, units_by_name, default_unit)
        key = client.id.casefold() if client is not None else ""
        if client is not None and key in seen:
            row_problems.append(Problem(f"rad {number}, kolumnen Id", f"id '{client.id}' finns redan på rad {seen[key]} (stora och små "
                                        "bokstäver räknas som samma); varje klient ska ha ett eget id"))
        if client is not None:
            seen.setdefault(key, number)
        if row_problems:
            problems.extend(row_problems)
        elif client is not None:
            clients.append(client)
    if problems:
        raise ClientListError(str(path), problems)
    log.info("klientlistan är rätt: %d klienter", len(clients))
    return clients


def _read_rows(path: Path) -> list[list[str]]:
    suffix = path.suffix.lower()
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ClientListError(str(path), [Problem("", f"filen är större än {MAX_FILE_BYTES // (1024 * 1024)} MB; "
                                                      "kontrollera att det är rätt fil, eller dela upp listan")])
        if suffix in (".xlsx", ".xlsm"):
            return _xlsx_rows(path)
        if suffix in (".csv", ".txt"):
            return _csv_rows(path.read_bytes(), str(path))
    except OSError as exc:
        raise ClientListError(str(path), [Problem("", f"filen går inte att läsa ({exc.strerror or type(exc).__name__}); "
                                                  "kontrollera att filen finns och att du får läsa den")]) from None
    except DAMAGED as exc:
        raise ClientListError(str(path), [Problem("", f"filen är skadad eller inte en Excelfil ({type(exc).__name__}); öppna "
                                                  "den i Excel och spara den igen som .xlsx eller CSV UTF-8")]) from None
    raise ClientListError(str(path), [Problem("", "listan ska vara en Excelfil (.xlsx) eller en CSV-fil (.csv)")])


def _xlsx_rows(path: Path) -> list[list[str]]:
    book = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        return [[_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _text(value: Any) -> str:
    """A cell as the text the coordinator sees: 12345.0 -> "12345", a date -> ISO date."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return (value.date() if isinstance(value, dt.datetime) else value).isoformat()
    return str(value)


def _csv_rows(data: bytes, source: str) -> list[list[str]]:
    """CSV as Excel in Sweden writes it: UTF-8 (with or without BOM), Windows-1252, or UTF-16
    with its byte-order mark (Excel's "Unicode text"), and semicolons, commas or tabs."""
    text = _decode(data, source)
    first = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        return list(reader)
    except csv.Error:  # the csv module's own limit on one field (128 kB), or a stray NUL
        row = reader.line_num
        raise ClientListError(source, [Problem(f"rad {row}", f"ett fält på raden är för långt eller innehåller otillåtna tecken; "
                                               f"högst {MAX_TEXT_CHARS:,} tecken ryms i ett fält. Rätta raden i Excel och spara "
                                               "som CSV igen".replace(",", " "))]) from None


def _decode(data: bytes, source: str) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass  # a broken UTF-16 file: refused below
    elif b"\x00" not in data[:1000]:
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
    raise ClientListError(source, [Problem("", "filen är sparad i en teckenkodning som inte går att läsa (varken UTF-8, "
                                           "Windows-1252 eller UTF-16 med byte-ordningsmärke); spara listan i Excel som "
                                           "CSV UTF-8 eller .xlsx")])


def _map_header(header: list[str]) -> tuple[dict[str, int], list[Problem]]:
    columns: dict[str, int] = {}
    problems: list[Problem] = []
    for i, name in enumerate(header):
        field = HEADER_LOOKUP.get(_key(name))
        if field is None:
            continue
        if field in columns:
            problems.append(Problem(f"rad 1, kolumnen {personnummer.echo(name)}", f"två kolumner betyder samma sak ({personnummer.echo(header[columns[field]])} och {personnummer.echo(name)}); ta bort den ena"))
        else:
            columns[field] = i
    has_name = "name" in columns or {"first_name", "last_name"} <= columns.keys()
    missing = [label for field, label in (("street", "Adress"), ("postcode", "Postnummer"), ("city", "Ort")) if field not in columns]
    if not has_name:
        missing.insert(0, "Namn")
    if missing:
        found = ", ".join(personnummer.echo(h, 40) for h in header if h.strip()) or "(inga)"
        problems.append(Problem("rad 1", f"kolumnen {', '.join(missing)} saknas; listan har kolumnerna {found}"))
    return columns, problems


def _default_unit(case: Case, unit_id: str | None, has_column: bool, source: str) -> str | None:
    if unit_id or has_column:
        return unit_id
    home_care = [u.id for u in case.units if u.kind == "home_care"]
    if len(home_care) == 1:
        return home_care[0]
    raise ClientListError(source, [Problem("rad 1", "listan har ingen kolumn Enhet; lägg till den eller välj enhet med --unit")])


def _client(values: dict[str, str], number: int, units: dict[str, str], default_unit: str | None) -> tuple[list[Problem], Client | None]:
    problems: list[Problem] = []
    name = values.get("name") or " ".join(v for v in (values.get("first_name", ""), values.get("last_name", "")) if v)
    unit_text = values.get("unit", "")
    unit = units.get(_key(unit_text)) if unit_text else default_unit
    if unit is None:
        problems.append(Problem(f"rad {number}, kolumnen Enhet", f"det finns ingen enhet '{personnummer.echo(unit_text)}' i ärendefilen" if unit_text else "enheten saknas"))
    protected = _key(values.get("protected_identity", ""))
    if protected not in YES | NO:
        problems.append(Problem(f"rad {number}, kolumnen Skyddad identitet", "skriv ja eller nej"))
    if not name:
        problems.append(Problem(f"rad {number}, kolumnen Namn", "namnet saknas"))
    street, postcode, city = (values.get(k, "") for k in ("street", "postcode", "city"))
    address = None
    if (street or postcode or city) and not (street and postcode and city):
        empty = ", ".join(label for value, label in ((street, "Adress"), (postcode, "Postnummer"), (city, "Ort")) if not value)
        problems.append(Problem(f"rad {number}, kolumnen {empty}", "adressen är ofullständig; fyll i adress, postnummer och ort (eller lämna alla tomma)"))
    elif street:
        address = {"street": street, "postcode": _postcode(postcode), "city": city, "co": values.get("co") or None,
                   "country": values.get("country") or None}
    data = {
        "id": values.get("id") or f"rad-{number}",
        "name": name,
        "unit": unit or "okand",
        "address": address,
        "protected_identity": protected in YES,
        "personal_number": values.get("personal_number") or None,
    }
    try:
        client = Client.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            field = next((str(p) for p in reversed(err["loc"]) if str(p) in SWEDISH_COLUMN), str(err["loc"][0]))
            message = translate_error(err, {}).message  # the case file's Swedish wording
            problems.append(Problem(f"rad {number}, kolumnen {SWEDISH_COLUMN.get(field, field)}", message))
        return problems, None
    return problems, client


def _postcode(value: str) -> str:
    """Excel turns 12345 into a number and may drop a leading zero: "1234" -> "012 34"."""
    digits = value.replace(" ", "")
    if digits.isdigit() and 3 <= len(digits) <= 5:
        digits = digits.zfill(5)
        return f"{digits[:3]} {digits[3:]}"
    return value
