"""Every `formkit …` command line in the README's code blocks runs on the `formkit init`
example, as written (the README is what a new user copies first)."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from formkit import example
from formkit.cli import main

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    """The formkit command lines of the README's ``sh`` blocks (comments cut, ``&&`` chains split)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        for line in block.splitlines():
            line = line.split("  #")[0].split(" # ")[0].strip()
            commands += [part.strip() for part in line.split("&&") if part.strip().startswith("formkit")]
    return commands


def test_the_readme_has_commands_for_every_family() -> None:
    commands = readme_commands()
    for command in ("init", "check", "letters", "meetings", "opencare", "board"):
        assert any(c.split()[1] == command for c in commands if len(c.split()) > 1), command
    assert any("--minutes " + example.NOTES_FILE_NAME in c for c in commands)
    assert any("--clients " + example.CLIENT_LIST_NAME in c for c in commands)


@pytest.mark.soffice  # some of the README's lines make PDFs
def test_every_readme_command_runs_on_the_init_example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    # `arenden.yaml` in the README is the example written into the current folder
    assert runner.invoke(main, ["init", "."], catch_exceptions=False).exit_code == 0
    for name in (example.CASE_FILE_NAME, example.NOTES_FILE_NAME, example.CLIENT_LIST_NAME):
        assert (tmp_path / name).exists(), name
    for command in readme_commands():
        argv = shlex.split(command)[1:]
        if argv[:1] == ["init"] and len(argv) > 1:
            # each README section that starts with `formkit init demo` starts from a new folder
            shutil.rmtree(tmp_path / argv[1], ignore_errors=True)
        result = runner.invoke(main, argv, catch_exceptions=False)
        assert result.exit_code == 0, f"{command}\n{result.output}"
