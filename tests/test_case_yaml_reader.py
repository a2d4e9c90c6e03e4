"""The YAML reader's two paths give one answer.

``yamlsource.loads`` reads a file first without lines (fast) and finds the lines only when a
message needs one; anything unusual sends the file to the careful reader at once. These tests
hold the fast path to the careful one: the same data, the same lines when they are asked for,
and every refusal made by the careful reader with its line.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest

from formkit import example
from formkit.case import yamlsource
from formkit.case.loading import load_case
from formkit.errors import CaseFileError
from helpers import case_data, dump, write_case

TEXTS = [
    "a: 1\n",
    "---\nformkit: 1\n...\n",
    "- x\n- ~\n- null\n- Null\n- NULL\n-\n- ''\n- 'null'\n- \"~\"\n- !!null x\n- !!str null\n- !!null\n",
    "null: no\n~: yes\n'': 3\nno: ~\n",
    "a: {b: [1, [2, [3, {c: d}]]], e: []}\nf: {}\n",
    "text: |\n  rad ett\n  rad två\nfolded: >\n  a\n  b\nplain: Åsa Öberg-Ängström # comment\n",
    "list:\n- - a\n  - b\n- - c\n-\n  k: v\n  m:\n  - 1\n",
    "postcode: 01234\ndate: 2026-02-30\nsv: ja\nfloat: 1e3\n",
    "x",
    "[a, b, {c: [d]}]",
    "a: !!str 1\nb: !custom 2\nc: \"\\t\\u00e5\"\n",
]


def _careful(text: str) -> tuple[object, dict]:
    data, lines = yamlsource._careful(text, "a.yaml", CaseFileError)
    return data, dict(lines)


def _generated_case() -> str:
    """The init example with awkward values sprinkled over it, seeded."""
    data = example.build_case(dt.date(2026, 11, 23))
    rng = random.Random(14)
    awkward = [None, "", "null", "~", "no", "ja", "01234", "2026-02-30", "a: b", "- x", "#", "'", "å\tä", 0, 1.5, True, [], {}]
    for section in ("clients", "decisions", "meetings", "staff"):
        for record in data.get(section, []):
            for key in list(record)[:3]:
                if rng.random() < 0.3:
                    record[key] = rng.choice(awkward)
    return dump(data)


@pytest.mark.parametrize("text", TEXTS + [dump(case_data()), _generated_case()])
def test_the_fast_reading_gives_the_careful_data_and_lines(text: str) -> None:
    data, lines = yamlsource.loads(text, "a.yaml")
    assert isinstance(lines, yamlsource.LazyLines)  # read on the fast path
    careful_data, careful_lines = _careful(text)
    assert data == careful_data
    assert dict(lines) == careful_lines  # found only now, by reading again


@pytest.mark.parametrize("text, message", [
    ("a: 1\na: 2\n", "står två gånger"),
    ("? [a]\n: 1\n", "enkelt namn"),
    ("a: &x 1\nb: *x\n", "ankare och alias"),
    ("- &x [1]\n", "ankare och alias"),
    ("a: 1\n---\nb: 2\n", "flera YAML-dokument"),
    ("", "tom"),
    ("# only a comment\n", "tom"),
    ("a: [1\n", "YAML-syntaxen är fel"),
    ("a:\n  b: 1\n c: 2\n", "YAML-syntaxen är fel"),
    ("[" * (yamlsource.MAX_DEPTH + 1) + "]" * (yamlsource.MAX_DEPTH + 1), "nivåer"),
])
def test_what_the_fast_reading_gives_up_on_is_refused_by_the_careful_one(text: str, message: str) -> None:
    with pytest.raises(CaseFileError) as fast:
        yamlsource.loads(text, "a.yaml")
    with pytest.raises(CaseFileError) as careful:
        _careful(text)
    assert message in str(fast.value)
    assert fast.value.problems == careful.value.problems


def test_the_deepest_nesting_allowed_is_read_on_the_fast_path() -> None:
    text = "[" * yamlsource.MAX_DEPTH + "]" * yamlsource.MAX_DEPTH
    data, lines = yamlsource.loads(text, "a.yaml")
    assert isinstance(lines, yamlsource.LazyLines) and (data, dict(lines)) == _careful(text)


def test_a_problem_in_a_fast_read_case_file_still_names_its_line(tmp_path) -> None:
    data = case_data()
    data["clients"][1]["address"]["postcode"] = "1234"
    data["clients"][1]["unit"] = "ht-södra"
    with pytest.raises(CaseFileError) as info:
        load_case(write_case(tmp_path, clients=data["clients"]))
    text = (tmp_path / "arenden.yaml").read_text(encoding="utf-8").splitlines()
    by_path = {problem.path: problem for problem in info.value.problems}
    postcode, unit = by_path["clients[1].address.postcode"], by_path["clients[1].unit"]
    assert "1234" in text[postcode.line - 1] and "ht-södra" in text[unit.line - 1]
    assert postcode.record == unit.record == "klient b-002"
