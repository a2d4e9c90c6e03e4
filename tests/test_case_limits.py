"""Bounded input and safe ids: what a hostile or mistaken case file cannot do.

The YAML bombs run in a subprocess with a timeout, so a regression shows as a failed test
(a crash is a negative exit status, a hang a timeout), never as a dead test run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from formkit.case import personnummer, yamlsource
from formkit.case.loading import load_case
from formkit.cli import main
from formkit.errors import CaseFileError
from helpers import case_data, dump, write_case

ROOT = Path(__file__).resolve().parents[1]
GUARD_SECONDS = 60  # a guard against a hang on a loaded machine, not a speed requirement
# Runs formkit's CLI and reports the child's own peak memory (kB) on the last line of stderr.
MEASURED = textwrap.dedent("""\
    import atexit, resource, sys
    atexit.register(lambda: print("maxrss", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr))
    from formkit.cli import main
    main(sys.argv[1:], prog_name="formkit")
""")


def formkit(*args: str | Path) -> tuple[subprocess.CompletedProcess[str], int]:
    """Run formkit in a fresh process; returns the result and the peak memory in MB."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", MEASURED, *map(str, args)], capture_output=True, text=True,
                            timeout=GUARD_SECONDS, env=env, cwd=ROOT)
    last = result.stderr.strip().splitlines()[-1] if result.stderr.strip() else ""
    peak_mb = int(last.split()[1]) // 1024 if last.startswith("maxrss") else -1
    return result, peak_mb


def billion_laughs() -> str:
    """The classic: nine levels of ten aliases each, 10**9 "lol" once expanded, in under 600 bytes."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in "bcdefghi":
        previous = chr(ord(level) - 1)
        lines.append(f"{level}: &{level} [" + ",".join([f"*{previous}"] * 10) + "]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused_at_once_with_flat_memory(tmp_path: Path) -> None:
    path = tmp_path / "arenden.yaml"
    path.write_text(billion_laughs(), encoding="utf-8")
    assert path.stat().st_size < 600
    result, peak_mb = formkit("check", path)
    assert result.returncode == 1, result.stderr
    assert "YAML-ankare och alias" in result.stderr and "(hela filen) (rad 1)" in result.stderr
    assert "Traceback" not in result.stderr
    assert 0 < peak_mb < 1024


def test_deeply_nested_brackets_do_not_crash_libyaml(tmp_path: Path) -> None:
    path = tmp_path / "arenden.yaml"
    path.write_text("[" * 200_000, encoding="utf-8")
    result, peak_mb = formkit("check", path)
    assert result.returncode == 1, (result.returncode, result.stderr[-500:])  # -11 was SIGSEGV
    assert f"fler än {yamlsource.MAX_DEPTH} nivåer" in result.stderr and "Traceback" not in result.stderr
    assert 0 < peak_mb < 1024


def test_deep_block_nesting_is_refused(tmp_path: Path) -> None:
    text = "".join("  " * i + f"k{i}:\n" for i in range(200)) + "  " * 200 + "x\n"
    with pytest.raises(CaseFileError, match="nivåer"):
        yamlsource.loads(text, "a.yaml")


def test_a_single_anchor_is_refused_with_its_line() -> None:
    text = "formkit: 1\norganisation: &org\n  name: X\ncopy: *org\n"
    with pytest.raises(CaseFileError) as info:
        yamlsource.loads(text, "a.yaml")
    assert "(rad 2)" in str(info.value) and "2 ställen" in str(info.value)


def test_more_than_one_document_is_refused() -> None:
    with pytest.raises(CaseFileError, match="flera YAML-dokument"):
        yamlsource.loads("a: 1\n---\nb: 2\n", "a.yaml")


def test_a_huge_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "arenden.yaml"
    with path.open("wb") as f:
        f.truncate(yamlsource.MAX_FILE_BYTES + 1)  # sparse: costs no disk
    with pytest.raises(CaseFileError, match="högst 20 MB"):
        load_case(path)


def test_a_131_kb_field_names_record_and_field(tmp_path: Path) -> None:
    data = case_data()
    data["clients"][1]["name"] = "x" * 131_072
    result = CliRunner().invoke(main, ["check", str(write_case(tmp_path, clients=data["clients"]))])
    assert result.exit_code == 1
    assert "clients[1].name (klient b-002, rad" in result.output and "131 072 tecken" in result.output
    assert "oväntat" not in result.output and len(result.output) < 1000


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_a_case_file_in_utf16_says_so(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "arenden.yaml"
    path.write_bytes(("\ufeff" + dump(case_data())).encode(encoding))
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 1
    assert "sparad som UTF-" in result.output and "spara den som UTF-8" in result.output


def test_utf8_with_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "arenden.yaml"
    path.write_bytes(("\ufeff" + dump(case_data())).encode("utf-8"))
    assert load_case(path).clients[0].id == "b-001"


@pytest.mark.parametrize("day", ["9999-12-31", "1899-12-31", "2200-01-01"])
def test_absurd_dates_are_refused_by_the_model(tmp_path: Path, day: str) -> None:
    decisions = [{"id": "B-1", "client": "b-001", "assessor": "bh-1", "services": ["HEMTJÄNST"], "law": "SoL", "decided": day}]
    with pytest.raises(CaseFileError) as info:
        load_case(write_case(tmp_path, decisions=decisions))
    assert "decisions[0].decided (beslut B-1, rad" in str(info.value) and f"datumet {day} är inte rimligt" in str(info.value)


# --- ids -------------------------------------------------------------------------------------

def _records(kind: str, first: str, second: str) -> dict[str, list[dict[str, object]]]:
    """Two records of ``kind`` with the ids ``first`` and ``second``, otherwise valid."""
    data = case_data()
    if kind == "units":
        return {"units": data["units"] + [dict(data["units"][0], id=first), dict(data["units"][0], id=second)]}
    if kind == "staff":
        return {"staff": data["staff"] + [dict(data["staff"][0], id=first), dict(data["staff"][0], id=second)]}
    if kind == "clients":
        return {"clients": [dict(data["clients"][0], id=first), dict(data["clients"][1], id=second)]}
    decision = {"client": "b-001", "assessor": "bh-1", "services": ["HEMTJÄNST"], "law": "SoL", "decided": "2024-01-02"}
    return {"decisions": [dict(decision, id=first), dict(decision, id=second)]}


@pytest.mark.parametrize("kind", ["units", "staff", "clients", "decisions"])
@pytest.mark.parametrize("other", ["x-001 ", " x-001", "X-001"])
def test_ids_are_unique_ignoring_case_and_spaces(tmp_path: Path, kind: str, other: str) -> None:
    with pytest.raises(CaseFileError) as info:
        load_case(write_case(tmp_path, **_records(kind, "x-001", other)))
    message = str(info.value)
    assert "används redan" in message and f"{kind}[" in message
    if other.strip() != "x-001":
        assert "stora och små bokstäver räknas som samma" in message


@pytest.mark.parametrize("number", ["19400101-1230", "194001011230", "400101-1230", "4001011230", "19400161-0007",
                                    "19400101-1231", "400101+1230"])
def test_a_personal_number_is_refused_as_an_id_and_never_echoed(tmp_path: Path, number: str) -> None:
    data = case_data()
    data["clients"][0]["id"] = number
    decisions = [{"id": "B-1", "client": number, "assessor": "bh-1", "services": ["HEMTJÄNST"], "law": "SoL",
                  "decided": "2024-01-02"}]
    meetings = [{"kind": "term_meeting", "client": number, "date": "2026-03-01"}]
    path = write_case(tmp_path, clients=data["clients"], decisions=decisions, meetings=meetings)
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 1
    assert "clients[0].id" in result.output and "decisions[0].client" in result.output
    assert "får inte vara ett personnummer" in result.output or "ett id får bara innehålla" in result.output
    digits = number.replace("-", "").replace("+", "")
    assert digits[-4:] not in result.output.replace("rad ", "")  # not even the last four digits


def test_a_personal_number_given_as_an_option_is_not_echoed(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["board", str(write_case(tmp_path)), "--assessor", "19400101-1230", "-o", str(tmp_path / "ut")])
    assert result.exit_code == 1 and "1230" not in result.output and "[personnummer]" in result.output


def test_mask_hides_every_shape_of_personal_number() -> None:
    text = "id 19400101-1230, 400101-1230 och 194001011230 och 400101+1230 och 19400101 1230; telefon 08-123 456 00"
    masked = personnummer.mask(text)
    assert "1230" not in masked and masked.count("[personnummer]") == 5 and "08-123 456 00" in masked
    assert personnummer.echo("x" * 500).endswith("…") and len(personnummer.echo("x" * 500)) == personnummer.ECHO_LIMIT


def test_client_list_ids_are_unique_ignoring_case_and_refuse_personal_numbers(tmp_path: Path) -> None:
    case = write_case(tmp_path)
    listing = tmp_path / "lista.csv"
    listing.write_text("Id;Namn;Adress;Postnummer;Ort;Enhet\n"
                       "k-1;Anna;Storg 1;12345;Exempelby;ht-norra\n"
                       "K-1 ;Bo;Storg 2;12345;Exempelby;ht-norra\n"
                       "19400101-1230;Cia;Storg 3;12345;Exempelby;ht-norra\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["letters", str(case), "-n", "1", "--clients", str(listing), "-o", str(tmp_path / "ut")])
    assert result.exit_code == 1
    assert "rad 3, kolumnen Id" in result.output and "finns redan på rad 2" in result.output
    assert "rad 4, kolumnen Id" in result.output and "personnummer" in result.output and "1230" not in result.output
    assert not (tmp_path / "ut").exists()


def test_client_list_in_utf16_is_read(tmp_path: Path) -> None:
    """Excel's "Unicode text" is UTF-16 with tabs."""
    case = write_case(tmp_path)
    listing = tmp_path / "lista.txt"
    listing.write_text("Id\tNamn\tAdress\tPostnummer\tOrt\tEnhet\nk-1\tÅsa Öberg\tStorg 1\t12345\tExempelby\tht-norra\n",
                       encoding="utf-16")
    result = CliRunner().invoke(main, ["letters", str(case), "-n", "1", "--clients", str(listing), "-o", str(tmp_path / "ut"),
                                       "--date", "2026-05-01"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "ut" / "brukarbrev-1_k-1.docx").exists()


def test_client_list_field_over_the_csv_limit_names_the_row(tmp_path: Path) -> None:
    case = write_case(tmp_path)
    listing = tmp_path / "lista.csv"
    listing.write_text("Id;Namn;Adress;Postnummer;Ort;Enhet\nk-1;Anna;Storg 1;12345;Exempelby;ht-norra\n"
                       f"k-2;{'y' * 131_073};Storg 2;12345;Exempelby;ht-norra\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["letters", str(case), "-n", "1", "--clients", str(listing), "-o", str(tmp_path / "ut")])
    assert result.exit_code == 1 and "rad 3" in result.output and "för långt" in result.output
    assert "oväntat" not in result.output


def test_a_damaged_client_list_workbook_says_so(tmp_path: Path) -> None:
    case = write_case(tmp_path)
    good = tmp_path / "lista.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(["Id", "Namn", "Adress", "Postnummer", "Ort", "Enhet"])
    workbook.active.append(["k-1", "Anna", "Storg 1", "12345", "Exempelby", "ht-norra"])
    workbook.save(good)
    damaged = tmp_path / "skadad.xlsx"
    with zipfile.ZipFile(good) as old, zipfile.ZipFile(damaged, "w") as new:
        for info in old.infolist():
            body = old.read(info.filename)
            new.writestr(info, body[: len(body) // 2] if "worksheets/sheet1" in info.filename else body)
    result = CliRunner().invoke(main, ["letters", str(case), "-n", "1", "--clients", str(damaged), "-o", str(tmp_path / "ut")])
    assert result.exit_code == 1 and "Klientlistan" in result.output and "är skadad" in result.output
    assert "oväntat" not in result.output


@pytest.mark.parametrize(("args", "expected"), [
    (["meetings", "--due", "--at", "9999-12-31"], "9999-12-31 är inget rimligt datum"),
    (["letters", "-n", "1", "--date", "0001-01-01"], "0001-01-01 är inget rimligt datum"),
    (["opencare", "--appendix", "4", "--period", "0000"], "'0000' är inget rimligt år"),
])
def test_absurd_dates_in_options_are_usage_errors(tmp_path: Path, args: list[str], expected: str) -> None:
    result = CliRunner().invoke(main, [args[0], str(write_case(tmp_path)), *args[1:], "-o", str(tmp_path / "ut")])
    assert result.exit_code == 2 and expected in result.output and "oväntat" not in result.output
