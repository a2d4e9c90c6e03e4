"""One error taxonomy: every cause the issue lists gets a message that says what, where and
what to do, never "ett oväntat fel"; and the code keeps to the rules that make that true."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import formkit
from formkit import errors
from formkit.cli import main
from formkit.docx.render import CompiledTemplate
from formkit.errors import FormkitError, TemplateError
from helpers import case_data, write_case
from helpers import word_template as template

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = Path(formkit.__file__).parent


def run(*args: object) -> object:
    return CliRunner().invoke(main, [str(a) for a in args])


# --- the rules in the code -----------------------------------------------------------------

def _sources() -> list[tuple[Path, ast.Module]]:
    return [(p, ast.parse(p.read_text(encoding="utf-8"))) for p in sorted(PACKAGE.rglob("*.py"))]


def test_every_error_class_lives_in_errors_py() -> None:
    elsewhere = [f"{p.relative_to(PACKAGE)}:{node.name}" for p, tree in _sources() if p.name != "errors.py"
                 for node in ast.walk(tree) if isinstance(node, ast.ClassDef)
                 and any(getattr(b, "id", getattr(b, "attr", "")).endswith(("Error", "Exception")) for b in node.bases)]
    assert elsewhere == []


def test_no_assert_and_no_broad_except_outside_the_cli_last_resort() -> None:
    found = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Assert):
                found.append(f"{path.name}:{node.lineno} assert")
            if isinstance(node, ast.ExceptHandler):
                names = [n.id for n in ast.walk(node.type) if isinstance(n, ast.Name)] if node.type else ["(bare)"]
                if {"Exception", "BaseException", "(bare)"} & set(names):
                    found.append(f"{path.name}:{node.lineno} except {names}")
    # the CLI's last resort, and a worker process handing any error to its parent, which raises it
    assert len(found) == 2 and found[0].startswith("cli.py") and "Exception" in found[0], found
    assert found[1].startswith("parallel.py") and "Exception" in found[1], found


def test_usage_error_exits_2() -> None:
    assert errors.UsageError.exit_code == 2 and issubclass(errors.UsageError, FormkitError)
    assert issubclass(errors.NotesFileError, errors.ProblemListError)


# --- the causes ------------------------------------------------------------------------------

def test_template_code_failing_on_one_record_names_template_part_paragraph_and_record(tmp_path: Path) -> None:
    compiled = CompiledTemplate(template(tmp_path / "brev.docx", "Intro", "Andel: {{ a / b }}", "Tal: {{ '%d' % n }}"))
    compiled.render({"a": 1, "b": 2, "n": 0}, record="b-499")  # fine
    with pytest.raises(TemplateError) as info:
        compiled.render({"a": 1, "b": 0, "n": 0}, record="b-500")
    assert str(info.value).splitlines()[1] == (
        '  - post b-500, brödtexten, stycket "Andel: {{ a / b }}": mallens kod gick inte att räkna ut för den här '
        "posten (division med noll); rätta koden i mallen eller värdet i datan")
    with pytest.raises(TemplateError, match="post b-501, brödtexten, stycket \"Tal: .*TypeError"):
        compiled.render({"a": 1, "b": 1, "n": "fem"}, record="b-501")


def test_template_code_error_through_the_letters_command(tmp_path: Path) -> None:
    mine = tmp_path / "mallar"
    mine.mkdir()
    template(mine / "brukarbrev-1.docx", "Hej {{ recipient.name }}", "{{ 1 // ((client.id != 'b-001') | int) }}")
    result = run("letters", write_case(tmp_path), "-n", "1", "--unit", "ht-norra", "--templates", mine,
                 "-o", tmp_path / "ut", "--date", "2026-05-01")
    assert result.exit_code == 1
    assert "Mallen brukarbrev-1.docx" in result.output and "post b-001" in result.output
    assert "division med noll" in result.output and "oväntat" not in result.output
    assert not (tmp_path / "ut").exists()


def _damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "cut":
        path.write_bytes(data[: len(data) // 2])
        return
    with zipfile.ZipFile(path) as old:
        members = [(i, old.read(i.filename)) for i in old.infolist()]
    with zipfile.ZipFile(path, "w") as new:
        for info, body in members:
            new.writestr(info, body[: len(body) // 2] if "worksheets/sheet1" in info.filename else body)


@pytest.mark.parametrize("how", ["cut", "sheet-xml"])
def test_damaged_board_names_the_file_and_the_backup(tmp_path: Path, how: str) -> None:
    case, out = write_case(tmp_path), tmp_path / "ut"
    assert run("board", case, "-o", out).exit_code == 0
    assert run("board", case, "-o", out).exit_code == 0  # the second run keeps a backup
    board = out / "uppfoljningstavla_bh-1.xlsx"
    _damage(board, how)
    damaged = board.read_bytes()
    result = run("board", case, "-o", out)
    assert result.exit_code == 1, result.output
    assert f"Den tidigare tavlan {board} är skadad" in result.output
    backups = sorted((out / "sakerhetskopior").glob("uppfoljningstavla_bh-1_*.xlsx"))
    assert f"Återställ den senaste säkerhetskopian, {backups[-1]}" in result.output and "oväntat" not in result.output
    assert board.read_bytes() == damaged


def test_closed_stdout_exits_quietly(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for args in (["fields"], ["check", str(write_case(tmp_path))], ["--help"]):
        proc = subprocess.run(f"{sys.executable} -m formkit {' '.join(args)} | head -c 0", shell=True,
                              capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
        assert proc.stderr == "", (args, proc.stderr)


def test_unexpected_error_hint_names_the_flag_that_shows_the_traceback(tmp_path: Path, monkeypatch) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr("formkit.cli.checking.check_all", broken)
    case = write_case(tmp_path)
    quiet = run("check", case)
    assert quiet.exit_code == 1 and "Kör igen med -vv" in quiet.output and "Traceback" not in quiet.output
    steps = run("check", case, "-v")
    assert "Traceback" not in steps.output
    loud = run("check", case, "-vv")
    assert "Traceback" in loud.output and "RuntimeError: a bug" in loud.output


def test_verbose_shows_the_steps_without_personal_data(tmp_path: Path) -> None:
    data = case_data()
    result = run("check", write_case(tmp_path), "-v")
    assert result.exit_code == 0
    assert "läser ärendefilen" in result.output and "2 klienter" in result.output and "kontrollerar mallen" in result.output
    for client in data["clients"]:
        assert client["name"] not in result.output and client["id"] not in result.output
    assert "1230" not in result.output


def test_verbose_shows_the_write_steps_of_a_command(tmp_path: Path) -> None:
    result = run("letters", write_case(tmp_path), "-n", "1", "--unit", "ht-norra", "-o", tmp_path / "ut",
                 "--date", "2026-05-01", "-v")
    assert result.exit_code == 0, result.output
    assert "i en mellanmapp i" in result.output and "filer på plats i" in result.output
    assert "Åsa" not in result.output and "1230" not in result.output
