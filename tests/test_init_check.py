"""formkit init, check, fields and the CLI's common behaviour."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from formkit import __version__, fields
from formkit.case.loading import load_case
from formkit.check import template_problems
from formkit.cli import main
from helpers import word_template as template


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_init_writes_a_valid_realistic_example_and_refuses_to_overwrite(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    result = run("init", str(folder))
    assert result.exit_code == 0, result.output
    case_file = folder / "arenden.yaml"
    assert stat.S_IMODE(case_file.stat().st_mode) == 0o600
    case = load_case(case_file)
    assert len(case.clients) >= 40
    names = [c.name for c in case.clients]
    assert any("-" in n for n in names) and any("&" in n for n in names) and any(re.search("[åäöÅÄÖ]", n) for n in names)
    assert sum(c.protected_identity for c in case.clients) == 1
    assert any(r.role == "trustee" and r.looks_after_rights for c in case.clients for r in c.representatives)
    assert sum(any(r.role == "relative" for r in c.representatives) for c in case.clients) >= 3
    assessors = {d.assessor for d in case.decisions}
    assert len(assessors) >= 3
    assert any(d.valid_until for d in case.decisions) and any(not d.executed for d in case.decisions)
    assert any(str(d.decided).endswith("02-29") for d in case.decisions)
    assert case.survey and case.survey.results
    assert any(m.kind == "term_meeting" for m in case.meetings)
    assert {o.status for o in case.open_care} >= {"completed", "interrupted"}
    again = run("init", str(folder))
    assert again.exit_code == 1
    assert "inget skrevs över" in again.output


def test_check_on_the_example_passes(tmp_path: Path) -> None:
    run("init", str(tmp_path / "demo"))
    result = run("check", str(tmp_path / "demo" / "arenden.yaml"))
    assert result.exit_code == 0, result.output
    assert "Allt ser bra ut" in result.output


@pytest.fixture
def test_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fields, "REGISTRY", [fields.FieldSet("letters", ("provbrev.docx",), "Provbrev",
                                                              {"client.name": "namn", "results[].value": "värde"})])
    monkeypatch.setattr(fields, "FAMILY_MODULES", ())


def test_check_finds_misspelt_fields_and_broken_tags(tmp_path: Path, test_fields: None) -> None:
    path = template(
        tmp_path / "provbrev.docx",
        "Hej {{ client.nme }}",
        "{% for r in results %}{{ r.value }} {{ r.valeu }}{% endfor %}",
        "Datum {{ organisation.name }} {{ today|long_date }}",
        "Trasig { { client.name }}",
        "{{ ''.__class__.__mro__ }}",
    )
    text = "\n".join(str(p) for p in template_problems(path))
    assert "fältet 'client.nme' finns inte i datan; menade du 'client.name'?" in text
    assert "'results[].valeu'" in text
    assert "organisation.name' finns" not in text and "'results[].value' finns" not in text, text
    assert "mellanslag mellan klammerparenteserna" in text
    assert "inte tillåtna i en mall" in text
    unclosed = "\n".join(str(p) for p in template_problems(template(tmp_path / "provbrev.docx", "Öppen {{ client.name }", "Nästa")))
    assert "inte stängd" in unclosed and "Öppen {{ client.name }" in unclosed


def test_check_reports_template_syntax_errors_with_the_paragraph(tmp_path: Path, test_fields: None) -> None:
    path = template(tmp_path / "provbrev.docx", "Första", "{% if client.name %}aldrig stängd")
    [problem] = template_problems(path)
    assert "aldrig stängd" in str(problem)


def test_fields_lists_common_fields() -> None:
    result = run("fields")
    assert result.exit_code == 0
    assert "organisation.name" in result.output and "kommunens namn" in result.output


def test_fields_unknown_family() -> None:
    result = CliRunner().invoke(main, ["fields", "finnsinte"])
    assert result.exit_code == 1
    assert "okänd malltyp" in result.output


def test_version_and_usage_errors() -> None:
    assert run("--version").output.strip() == f"formkit {__version__}"
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 2


def test_every_command_has_an_example_and_a_readme_section() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    for name, command in main.commands.items():
        assert "Exempel" in (command.help or ""), f"{name} --help has no example"
        assert f"formkit {name}" in readme, f"README does not mention formkit {name}"
