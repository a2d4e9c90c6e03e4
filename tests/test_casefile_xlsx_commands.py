"""Every command on the ``formkit init`` example gives the same documents from arenden.xlsx as
from arenden.yaml: the files by name, and their text (docx), cell values (xlsx) or bytes (csv)."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from formkit.cli import main

TODAY = dt.date.today().isoformat()
COMMANDS = [
    ["letters", "-n", "1", "--date", TODAY],
    ["letters", "-n", "4", "--date", TODAY],
    ["meetings", "--kind", "term"],
    ["meetings", "--kind", "monthly", "--at", TODAY],
    ["meetings", "--kind", "homecoming"],
    ["meetings", "--due", "--at", TODAY],
    ["opencare", "--appendix", "1", "--date", TODAY],
    ["opencare", "--appendix", "2", "--period", str(dt.date.today().year), "--date", TODAY],
    ["opencare", "--appendix", "3", "--date", TODAY],
    ["opencare", "--appendix", "4", "--period", str(dt.date.today().year), "--date", TODAY],
    ["board"],
]


def contents(folder: Path) -> dict[str, object]:
    """What a reader sees in each output file, by its path in the output folder."""
    out: dict[str, object] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        if path.suffix == ".docx":
            with zipfile.ZipFile(path) as package:
                out[name] = [re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", package.read(part).decode("utf-8"))
                             for part in sorted(package.namelist()) if part.startswith("word/") and part.endswith(".xml")]
        elif path.suffix == ".xlsx":
            book = load_workbook(path)
            out[name] = {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in book.worksheets}
        else:
            out[name] = path.read_bytes()
    return out


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    assert CliRunner().invoke(main, ["init", str(folder / "demo")]).exit_code == 0
    return folder / "demo"


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c[:3]) for c in COMMANDS])
def test_each_command_gives_the_same_documents_from_the_workbook(example: Path, command: list[str], tmp_path: Path) -> None:
    outputs = {}
    for case in ("arenden.yaml", "arenden.xlsx"):
        out = tmp_path / case
        result = CliRunner().invoke(main, [command[0], str(example / case), *command[1:], "-o", str(out)])
        assert result.exit_code == 0, result.output
        outputs[case] = (contents(out) if out.exists() else {}, result.stdout.replace("arenden.xlsx", "arenden.yaml"))
    from_yaml, from_xlsx = outputs["arenden.yaml"], outputs["arenden.xlsx"]
    assert from_yaml[0] or from_yaml[1].strip(), "the command made nothing to compare"
    assert sorted(from_xlsx[0]) == sorted(from_yaml[0])
    for name in from_yaml[0]:
        assert from_xlsx[0][name] == from_yaml[0][name], name
    assert from_xlsx[1] == from_yaml[1]
