"""Small case files built inline: ``write_case(tmp_path, clients=[...])``.

The base case is the smallest valid one (an organisation, one unit of each kind used by the
tests, a few staff, two clients); keyword arguments replace or extend its sections.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import docx
import yaml

from formkit import parallel

BASE: dict[str, Any] = {
    "formkit": 1,
    "organisation": {
        "name": "Exempelby kommun",
        "department": "Vård- och omsorgsförvaltningen",
        "address": {"street": "Box 100", "postcode": "123 45", "city": "Exempelby"},
        "phone": "08-123 456 00",
        "website": "exempelby.se",
    },
    "units": [
        {"id": "ht-norra", "name": "Hemtjänst Norra", "kind": "home_care", "manager": "ec-1", "phone": "08-123 456 10"},
        {"id": "bs-syd", "name": "Boendestöd Syd", "kind": "housing_support", "manager": "ec-2"},
        {"id": "myndighet", "name": "Biståndsenheten", "kind": "assessment", "manager": "ec-2"},
    ],
    "staff": [
        {"id": "ec-1", "name": "Maria Lind", "role": "unit_manager", "unit": "ht-norra", "phone": "08-123 456 11", "email": "maria.lind@exempelby.se"},
        {"id": "ec-2", "name": "Per Ek", "role": "unit_manager", "unit": "bs-syd"},
        {"id": "bh-1", "name": "Karin Ek", "role": "assessor", "unit": "myndighet"},
        {"id": "sp-1", "name": "Ali Hassan", "role": "support_person", "unit": "bs-syd"},
    ],
    "clients": [
        {
            "id": "b-001", "name": "Åsa Öberg-Ängström", "personal_number": "19400101-1230", "gender": "female",
            "address": {"street": "Storgatan 1", "postcode": "012 34", "city": "Exempelby"}, "unit": "ht-norra",
        },
        {
            "id": "b-002", "name": "Bo Ek", "birth_year": 1950, "gender": "male",
            "address": {"street": "Lillgatan 2", "postcode": "123 46", "city": "Exempelby"}, "unit": "bs-syd",
            "support_person": "sp-1",
        },
    ],
}


class NoAliasDumper(yaml.SafeDumper):
    """Writes a value used twice out twice: formkit refuses YAML anchors and aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump(data: Any) -> str:
    return yaml.dump(data, Dumper=NoAliasDumper, allow_unicode=True, sort_keys=False)


def case_data(**sections: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data.update(copy.deepcopy(sections))
    return data


def write_case(folder: Path, name: str = "arenden.yaml", **sections: Any) -> Path:
    path = folder / name
    path.write_text(dump(case_data(**sections)), encoding="utf-8")
    return path


def word_template(path: Path, *paragraphs: str) -> Path:
    """A plain .docx with one paragraph per text, for template and check tests."""
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(path)
    return path


def spy_on_fork(monkeypatch: Any) -> list[str]:
    """The start methods ``formkit.parallel`` asks multiprocessing for from now on (``["fork"]``
    once a batch was large enough for its worker processes)."""
    calls: list[str] = []
    real = parallel.multiprocessing.get_context

    def spy(method: str) -> Any:
        calls.append(method)
        return real(method)

    monkeypatch.setattr(parallel.multiprocessing, "get_context", spy)
    return calls

