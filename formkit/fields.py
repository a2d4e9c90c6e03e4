"""The fields a template may use, with a Swedish explanation, and the shared parts of every
template context (organisation, unit, staff, dates).

Each output family registers a ``FieldSet`` for its templates. ``formkit fields`` prints them
for the person who edits a template in Word; ``formkit check`` compares every field a template
uses against them, so a misspelt field is found before a batch runs.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import importlib
import importlib.util
from dataclasses import dataclass
from typing import Any

from formkit.case.model import Address, Case, Staff, Unit

FAMILY_MODULES = ("formkit.letters", "formkit.meetings", "formkit.opencare", "formkit.board")


@dataclass(frozen=True)
class FieldSet:
    family: str  # "letters", "forms", "sheets"
    templates: tuple[str, ...]  # file names or patterns, e.g. "brukarbrev-*.docx"
    title: str  # Swedish, shown by `formkit fields`
    fields: dict[str, str]  # "client.name" -> Swedish explanation; "results[].value" for list items

    def covers(self, filename: str) -> bool:
        return any(fnmatch.fnmatch(filename, pattern) for pattern in self.templates)


REGISTRY: list[FieldSet] = []


def register(field_set: FieldSet) -> FieldSet:
    REGISTRY.append(field_set)
    return field_set


def all_field_sets() -> list[FieldSet]:
    for module in FAMILY_MODULES:
        if importlib.util.find_spec(module) is not None:
            importlib.import_module(module)
    return list(REGISTRY)


def field_set_for(filename: str) -> FieldSet | None:
    return next((fs for fs in all_field_sets() if fs.covers(filename)), None)


# --- shared context ------------------------------------------------------------------------

ADDRESS_FIELDS = {
    "street": "gatuadress",
    "co": "c/o-adress (kan vara tom)",
    "postcode": "postnummer, t.ex. 123 45",
    "city": "ort",
    "lines": "adressen, en rad i taget, färdig för ett fönsterkuvert (lista)",
}

COMMON_FIELDS: dict[str, str] = {
    "today": "dagens datum (skriv {{ today|iso_date }} eller {{ today|long_date }})",
    "organisation.name": "kommunens namn",
    "organisation.department": "förvaltningens namn",
    "organisation.phone": "kommunens telefonnummer (växel)",
    "organisation.email": "kommunens e-postadress",
    "organisation.website": "kommunens webbplats",
    **{f"organisation.address.{k}": f"kommunens {v}" for k, v in ADDRESS_FIELDS.items()},
}

UNIT_FIELDS = {
    "id": "enhetens id",
    "name": "enhetens namn",
    "phone": "enhetens telefonnummer",
    "email": "enhetens e-postadress",
    "manager.name": "enhetschefens namn",
    "manager.phone": "enhetschefens telefonnummer",
    "manager.email": "enhetschefens e-postadress",
}

STAFF_FIELDS = {
    "name": "namn",
    "title": "titel",
    "phone": "telefonnummer",
    "email": "e-postadress",
}


def prefixed(prefix: str, fields: dict[str, str], what: str = "") -> dict[str, str]:
    """``{"name": "namn"}`` -> ``{"client.name": "namn (klienten)"}``."""
    return {f"{prefix}.{key}": (f"{text} ({what})" if what else text) for key, text in fields.items()}


def address_context(address: Address | None) -> dict[str, Any] | None:
    if address is None:
        return None
    return {
        "street": address.street,
        "co": address.co or "",
        "postcode": address.postcode,
        "city": address.city,
        "lines": address.lines,
    }


def staff_context(staff: Staff | None) -> dict[str, Any]:
    if staff is None:
        return {"name": "", "title": "", "phone": "", "email": ""}
    return {"name": staff.name, "title": staff.title or "", "phone": staff.phone or "", "email": staff.email or ""}


def unit_context(case: Case, unit: Unit) -> dict[str, Any]:
    manager = case.staff_by_id.get(unit.manager) if unit.manager else None
    return {
        "id": unit.id,
        "name": unit.name,
        "phone": unit.phone or (manager.phone if manager else "") or case.organisation.phone or "",
        "email": unit.email or (manager.email if manager else "") or "",
        "manager": staff_context(manager),
    }


def common_context(case: Case, today: dt.date) -> dict[str, Any]:
    org = case.organisation
    return {
        "today": today,
        "organisation": {
            "name": org.name,
            "department": org.department or "",
            "phone": org.phone or "",
            "email": org.email or "",
            "website": org.website or "",
            "address": address_context(org.address),
        },
    }
