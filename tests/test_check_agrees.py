"""``formkit check`` passes exactly what the commands accept (issue 9, point 2).

The example from ``formkit init`` is mutated one field at a time, by hand-picked mistakes and
by a seeded sweep of awkward values over every field. For each mutation: if ``check`` refuses
it, every command refuses it with the same message; if ``check`` accepts it, no command fails
on it. Never a traceback, never "ett oväntat fel".
"""

from __future__ import annotations

import copy
import datetime as dt
import random
from pathlib import Path
from typing import Any, Callable

import pytest
from click.testing import CliRunner

from formkit import example
from formkit.cli import main
from formkit.opencare.figures import Period
from helpers import dump

TODAY = dt.date(2026, 11, 23)
D = TODAY.isoformat()
COMMANDS: list[list[str]] = [
    ["letters", "-n", "1", "--date", D],
    ["letters", "-n", "4", "--date", D],
    ["meetings", "--kind", "term", "--at", D],
    ["meetings", "--kind", "monthly", "--at", D],
    ["meetings", "--kind", "homecoming", "--at", D],
    ["meetings", "--due", "--at", D],
    ["opencare", "--appendix", "1", "--period", str(TODAY.year), "--date", D],
    ["opencare", "--appendix", "2", "--period", str(TODAY.year), "--date", D],
    ["opencare", "--appendix", "3", "--period", str(TODAY.year), "--date", D],
    ["opencare", "--appendix", "4", "--period", Period.last_finished(TODAY).code, "--date", D],
    ["board"],
]
AWKWARD: list[Any] = [None, "", " ", "9999-12-31", "1899-12-31", "2026-02-30", "x" * 40_000, "a\x07b", "19400101-1230",
                      "-1", "0", "ja", "=1+1", "Ali & Söner <AB> \"x\"", "B-001", "ht-norra", "{{ 7*7 }}", "2026-01-01"]


def _example() -> dict[str, Any]:
    return example.build_case(TODAY)


def _leaves(value: Any, loc: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [leaf for key, item in value.items() for leaf in _leaves(item, loc + (key,))]
    if isinstance(value, list):
        return [leaf for i, item in enumerate(value) for leaf in _leaves(item, loc + (i,))]
    return [loc]


def _set(data: dict[str, Any], loc: tuple[Any, ...], value: Any) -> None:
    target: Any = data
    for part in loc[:-1]:
        target = target[part]
    target[loc[-1]] = value


def _find(items: list[dict[str, Any]], test: Callable[[dict[str, Any]], bool]) -> int:
    return next(i for i, item in enumerate(items) if test(item))


def _run(args: list[str], case: Path, out: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, [args[0], str(case), *args[1:], "-o", str(out)] if args[0] != "check"
                                else ["check", str(case)])
    assert "Traceback" not in result.output and "oväntat fel" not in result.output, (args, result.output[-2000:])
    assert result.exit_code in (0, 1), (args, result.exit_code, result.output[-2000:])
    return result.exit_code, result.output


def agree(tmp_path: Path, data: dict[str, Any]) -> bool:
    """Run check and every command on ``data``; assert they agree; True when check refused it."""
    case = tmp_path / "arenden.yaml"
    case.write_text(dump(data), encoding="utf-8")
    refused, message = _run(["check"], case, tmp_path)
    for i, args in enumerate(COMMANDS):
        code, output = _run(args, case, tmp_path / f"ut-{i}")
        if refused:
            assert code == 1 and output == message, (args, output[-1500:], message[-1500:])
        else:
            assert code == 0, (args, output[-1500:])
    return bool(refused)


def test_the_example_passes_check_and_every_command(tmp_path: Path) -> None:
    assert agree(tmp_path, _example()) is False


def _ongoing(data: dict[str, Any]) -> int:
    return _find(data["open_care"], lambda o: o.get("status", "ongoing") == "ongoing" and not o.get("ended"))


def _completed(data: dict[str, Any]) -> int:
    return _find(data["open_care"], lambda o: o.get("status") == "completed")


MISTAKES: dict[str, Callable[[dict[str, Any]], None]] = {
    "year 9999": lambda d: d["decisions"][0].update(decided="9999-12-31"),
    "consent before 1900": lambda d: _set(d, ("clients", _find(d["clients"], lambda c: "consent" in c), "consent", "signed"), "1899-12-31"),
    "insats ends before it starts": lambda d: d["open_care"][_completed(d)].update(ended="2000-01-01"),
    "ongoing insats with an end": lambda d: d["open_care"][_ongoing(d)].update(ended=D),
    "completed insats without an end": lambda d: d["open_care"][_completed(d)].update(ended=None),
    "client id differs only in case": lambda d: d["clients"][1].update(id=d["clients"][0]["id"].upper()),
    "client id differs only in a space": lambda d: d["clients"][1].update(id=d["clients"][0]["id"] + " "),
    "unit id differs only in case": lambda d: d["units"][1].update(id=d["units"][0]["id"].upper()),
    "decision id differs only in case": lambda d: d["decisions"][1].update(id=d["decisions"][0]["id"].lower()),
    "personal number as client id": lambda d: d["clients"][0].update(id="19400101-1230"),
    "40,000-character name": lambda d: d["clients"][0].update(name="x" * 40_000),
    "control character": lambda d: d["clients"][0].update(name="a\x07b"),
    "30 February": lambda d: d["meetings"][0].update(date="2026-02-30"),
    "assessor who is a support person": lambda d: d["decisions"][0].update(
        assessor=next(s["id"] for s in d["staff"] if s["role"] == "support_person")),
}
ACCEPTED: dict[str, Callable[[dict[str, Any]], None]] = {
    "name with markup and a formula": lambda d: d["clients"][0].update(name="=1+1 Ali & Söner <AB> {{ 7*7 }}"),
    "postcode without a space": lambda d: d["organisation"]["address"].update(postcode="12345"),
    "completed insats becomes interrupted": lambda d: d["open_care"][_completed(d)].update(status="interrupted"),
}


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_check_refuses_what_the_commands_refuse(tmp_path: Path, name: str) -> None:
    data = _example()
    MISTAKES[name](data)
    assert agree(tmp_path, data) is True


def test_what_check_accepts_every_command_accepts(tmp_path: Path) -> None:
    data = _example()
    for mutate in ACCEPTED.values():  # all at once: one run of every command
        mutate(data)
    assert agree(tmp_path, data) is False


@pytest.mark.parametrize("seed", range(16))
def test_a_seeded_sweep_of_awkward_values(tmp_path: Path, seed: int) -> None:
    """One random field of the example gets an awkward value (about one in four is still
    valid, e.g. a blank title or a formula as a street); check and the commands agree."""
    rng = random.Random(seed)
    data = _example()
    _set(data, rng.choice(_leaves(data)), copy.deepcopy(rng.choice(AWKWARD)))
    agree(tmp_path, data)
