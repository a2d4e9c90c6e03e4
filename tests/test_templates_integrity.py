"""Every .docx the example makes — single documents and print files, from every bundled
template — is a whole package: ids unique, references resolved (``formkit.docx.integrity``),
and it opens in python-docx."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from formkit.cli import main
from formkit.docx import integrity

COMMANDS = [
    *(["letters", "-n", str(n), "--date", "2026-02-01"] for n in (1, 2, 3, 4)),
    *(["meetings", "--kind", kind, "--at", "2026-11-20"] for kind in ("term", "monthly", "homecoming")),
    *(["opencare", "--appendix", str(n)] for n in (1, 2, 3, 4)),
]


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(main, ["init", str(folder / "demo")])
    assert result.exit_code == 0, result.output
    return folder / "demo" / "arenden.yaml"


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:3]))
def test_every_example_document_is_a_whole_package(example: Path, tmp_path: Path, command: list[str]) -> None:
    out = tmp_path / "ut"
    result = CliRunner().invoke(main, [command[0], str(example), *command[1:], "-o", str(out)])
    assert result.exit_code == 0, result.output
    made = sorted(out.rglob("*.docx"))
    assert made
    for path in made:
        data = path.read_bytes()
        assert integrity.problems(data) == [], path.name
        docx.Document(path)
