"""Click's own words in Swedish: help pages, usage errors, and every string the installed Click
marks for translation."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from formkit import cli_swedish
from formkit.cli import main

# English words Click prints when its strings are not translated
ENGLISH = re.compile(
    r"Usage:|Options:|Commands:|Show this message|Show the version|\[OPTIONS\]|COMMAND \[ARGS\]|No such|Missing|"
    r"Error:|Try '|for help|Invalid value|is not one of|does not exist|default:|required\]|Did you mean|"
    r"INTEGER|FLOAT|BOOLEAN|PATH|DIRECTORY|FILENAME"
)
COMMANDS = sorted(main.commands)


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), prog_name="formkit")


@pytest.mark.parametrize("args", [[], *[[name] for name in COMMANDS]], ids=["formkit", *COMMANDS])
def test_every_help_page_is_swedish(args: list[str]) -> None:
    result = run(*args, "--help")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Användning: formkit")
    assert "Alternativ:" in result.output and "Visa den här hjälpen och avsluta." in result.output
    assert not ENGLISH.search(result.output), ENGLISH.search(result.output)


@pytest.mark.parametrize("args, swedish", [
    (["letters", "--bogus"], "Fel: Det finns inget alternativ '--bogus'."),
    (["letters"], "Fel: Det saknas ett argument: 'ÄRENDEFIL'."),
    (["letters", "README.md", "-n", "7"], "'7' är inte något av '1', '2', '3', '4'."),
    (["nosuch"], "Fel: Det finns inget kommando 'nosuch'."),
    (["letters", "finns-inte.yaml", "-n", "1"], "finns inte."),
    (["opencare", "README.md", "--appendix", "4", "--threshold", "0"], "ligger inte i intervallet"),
    (["opencare", "README.md", "--appendix", "4", "--threshold", "x"], "'x' är inget giltigt heltal."),
    (["letters", "README.md"], "Det saknas ett alternativ: '-n' / '--number'."),
])
def test_usage_errors_are_swedish(args: list[str], swedish: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(Path(__file__).resolve().parent.parent)
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert swedish in result.output
    assert "Skriv 'formkit" in result.output and "för hjälp." in result.output
    assert not ENGLISH.search(result.output), ENGLISH.search(result.output)


def _click_messages() -> tuple[set[str], set[tuple[str, str]]]:
    """Every literal message the installed Click passes to ``_()`` or ``ngettext()``."""
    singles, plurals = set(), set()
    for source in Path(click.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            texts = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if node.func.id == "_" and texts:
                singles.add(texts[0])
            elif node.func.id == "ngettext" and len(texts) == 2:
                plurals.add((texts[0], texts[1]))
    return singles, plurals


def test_every_string_of_the_installed_click_has_a_swedish_translation() -> None:
    singles, plurals = _click_messages()
    assert len(singles) > 40 and plurals  # the scan found Click's strings
    assert sorted(singles - cli_swedish.MESSAGES.keys()) == []
    assert sorted(plurals - cli_swedish.PLURALS.keys()) == []


def test_translations_keep_every_placeholder() -> None:
    """A Swedish text with a different {placeholder} would raise KeyError inside Click."""
    field = re.compile(r"\{[^}]*\}|%\([a-z]+\)s")
    for english, swedish in cli_swedish.MESSAGES.items():
        assert sorted(field.findall(english)) == sorted(field.findall(swedish)), english
    for (one, many), (sv_one, sv_many) in cli_swedish.PLURALS.items():
        assert sorted(field.findall(one)) == sorted(field.findall(sv_one)), one
        assert sorted(field.findall(many)) == sorted(field.findall(sv_many)), many
