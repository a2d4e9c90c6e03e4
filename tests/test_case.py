"""The case file: every problem in one run, with its path and line; text stays text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner
from stdnum import luhn

from formkit.case import personnummer
from formkit.case.loading import load_case
from formkit.cli import main
from formkit.errors import CaseFileError
from helpers import case_data, write_case

FIVE_MISTAKES = """\
formkit: 1
organisation:
  name: Exempelby kommun
  address: {street: Box 100, postcode: "123 45", city: Exempelby}
units:
  - {id: ht-norra, name: Hemtjänst Norra, kind: home_care}
clients:
  - id: b-001
    name: Åsa Öberg
    unit: ht-sodra
    address: {street: Storgatan 1, postcode: "012 34", city: Exempelby}
  - id: b-001
    name: Bo Ek
    unit: ht-norra
    personal_number: 19400101-1231
  - id: b-003
    name: Cia Berg
    unit: ht-norra
    adress: Storgatan 3
decisions: []
meetings:
  - {kind: term_meeting, client: b-003, date: 2026-02-30}
"""


def test_five_mistakes_are_all_reported_with_lines(tmp_path: Path) -> None:
    path = tmp_path / "arenden.yaml"
    path.write_text(FIVE_MISTAKES, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 1, result.output
    out = result.output
    assert "har 5 fel" in out
    assert "clients[0].unit (klient b-001, rad 10): det finns ingen enhet med id 'ht-sodra'" in out
    assert "clients[1].id (rad 12)" in out and "används redan" in out
    assert "clients[1].personal_number (klient b-001, rad 15): personnumret har fel kontrollsiffra" in out
    assert "clients[2].adress (klient b-003, rad 19): okänt fält 'adress'; menade du 'address'?" in out
    assert "meetings[0].date (rad 22): ogiltigt datum" in out
    assert "Traceback" not in out
    assert "19400101-1231" not in out  # never repeat a personal number


def test_text_stays_text(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(
        "formkit: 1\norganisation: {name: X, address: {street: Box 1, postcode: 01234, city: Y}, phone: 08-123 456 00}\n",
        encoding="utf-8",
    )
    case = load_case(path)
    assert case.organisation.address.postcode == "01234"
    assert case.organisation.phone == "08-123 456 00"


def test_samordningsnummer_and_leap_day_are_accepted(tmp_path: Path) -> None:
    data = case_data()
    data["clients"][0]["personal_number"] = "19400161-0007"  # day 01 + 60
    data["decisions"] = [{"id": "B-1", "client": "b-001", "assessor": "bh-1", "services": ["HEMTJÄNST"],
                          "law": "SoL", "decided": "2024-02-29"}]
    path = write_case(tmp_path, **{k: v for k, v in data.items() if k in ("clients", "decisions")})
    case = load_case(path)
    assert case.clients[0].year_of_birth == 1940
    assert str(case.decisions[0].decided) == "2024-02-29"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("formkit: 1\norganisation: [\n", "YAML-syntaxen är fel"),
        ("", "filen är tom"),
        ("formkit: 1\nformkit: 1\norganisation: {name: X, address: {street: a, postcode: '12345', city: b}}\n", "står två gånger"),
        ("formkit: 2\norganisation: {name: X, address: {street: a, postcode: '12345', city: b}}\n", "formatversion 2"),
        ('formkit: 1\norganisation: {name: "A\\x07B", address: {street: a, postcode: "12345", city: b}}\n', "styrtecken (U+0007)"),
        ("formkit: 1\norganisation: {name: X, address: {street: a, postcode: '1234', city: b}}\n", "fem siffror"),
    ],
)
def test_bad_files_give_one_clear_message(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CaseFileError) as info:
        load_case(path)
    assert expected in str(info.value)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes("formkit: 1\nname: Åsa\n".encode("latin-1"))
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 1
    assert "UTF-8" in result.output


def test_reference_with_wrong_role(tmp_path: Path) -> None:
    data = case_data()
    data["clients"][1]["support_person"] = "bh-1"  # an assessor, not a stödperson
    path = write_case(tmp_path, clients=data["clients"])
    with pytest.raises(CaseFileError) as info:
        load_case(path)
    assert "clients[1].support_person" in str(info.value)
    assert "rollen support_person" in str(info.value)


def test_schema_is_json_schema() -> None:
    import json

    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["title"] == "formkit ärendefil"
    assert "clients" in schema["properties"]
    assert schema["$defs"]["Address"]["additionalProperties"] is False


TODAY = dt.date(2026, 11, 23)


@pytest.mark.parametrize(("typed", "normalised"), [
    ("19400101-1230", "19400101-1230"),
    ("194001011230", "19400101-1230"),
    ("400101-1230", "19400101-1230"),   # 2040 has not come yet: the 1900s
    ("4001011230", "19400101-1230"),
    ("400101+1230", "18400101-1230"),   # + : a hundred years or more, so one century earlier
    ("100101-1236", "20100101-1236"),   # ten digits and this century
    ("100101+1236", "19100101-1236"),
    ("260101-1238", "20260101-1238"),   # born this year
    ("270101-1237", "19270101-1237"),   # next year's date: the previous century
    ("991231 0000", None),              # wrong checksum
])
def test_personnummer_century_from_ten_digits_and_plus(typed: str, normalised: str | None) -> None:
    if normalised is None:
        with pytest.raises(ValueError, match="kontrollsiffra"):
            personnummer.normalise(typed, today=TODAY)
    else:
        assert personnummer.normalise(typed, today=TODAY) == normalised
        assert personnummer.birth_date(normalised).year == int(normalised[:4])


def test_samordningsnummer_with_plus() -> None:
    body = "400161123"  # day 01 + 60
    number = f"{body[:6]}+{body[6:]}{luhn.calc_check_digit(body)}"
    normalised = personnummer.normalise(number, today=TODAY)
    assert normalised.startswith("18400161") and personnummer.is_coordination_number(normalised)
    assert personnummer.birth_date(normalised) == dt.date(1840, 1, 1)
