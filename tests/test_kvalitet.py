"""formkit kvalitet: the team's file of the four quality questions, its shares, charts,
suppression and regeneration."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from openpyxl import load_workbook

from formkit.case.model import Case
from formkit.cli import main
from formkit.example import build_case
from helpers import BASE, write_case

STAFF = BASE["staff"] + [
    {"id": "bh-2", "name": "Linnéa Broström", "role": "assessor", "unit": "myndighet", "team": "norr"},
    {"id": "bh-3", "name": "Ahmed Yilmaz", "role": "assessor", "unit": "myndighet", "team": "syd"},
]
STAFF = [dict(s, team="norr") if s["id"] == "bh-1" else s for s in STAFF]


def follow(day: str, a: str, b: str = "yes", c: str = "yes", d: str = "yes", **extra) -> dict:
    return {"date": day, "method": "phone", "answers": {"gets_granted_help": a, "plans_when": b, "plans_how": c, "feels_good": d},
            **extra}


def decisions() -> list[dict]:
    """Team norr: January 2026 has 3 Ja and 1 Nej on question 1 (bh-1 and bh-2), March 2 Delvis;
    one follow-up in 2025 (outside the period) and one for team syd."""
    rows = [
        ("D-1", "bh-1", [follow("2026-01-05", "yes"), follow("2026-03-02", "partly")]),
        ("D-2", "bh-1", [follow("2026-01-12", "yes", "no")]),
        ("D-3", "bh-2", [follow("2026-01-20", "yes"), follow("2025-12-30", "no")]),
        ("D-4", "bh-2", [follow("2026-01-28", "no"), follow("2026-03-15", "partly", "partly")]),
        ("D-5", "bh-3", [follow("2026-02-02", "yes")]),
    ]
    return [{"id": i, "client": "b-001" if n % 2 else "b-002", "assessor": a, "services": ["HEMTJÄNST"], "law": "SoL",
             "decided": "2023-05-02", "follow_ups": f} for n, (i, a, f) in enumerate(rows)]


def run(*args: object):
    return CliRunner().invoke(main, ["kvalitet", *map(str, args)], catch_exceptions=False)


def sheet_rows(ws, first: int = 1) -> list[list]:
    return [[c.value for c in row] for row in ws.iter_rows(min_row=first)]


def month_table(ws) -> dict[str, list]:
    """Label -> [Ja, Delvis, Nej, Antal svar] from a question sheet's month table."""
    out = {}
    for row in ws.iter_rows(min_row=6, max_col=5, values_only=True):
        if row[0] is None:
            break
        out[row[0]] = list(row[1:])
    return out


def test_one_row_per_follow_up_and_shares_per_month(tmp_path: Path) -> None:
    case = write_case(tmp_path, staff=STAFF, decisions=decisions())
    out = tmp_path / "ut"
    result = run(case, "--team", "norr", "--period", "2026", "--threshold", "1", "-o", out, "--date", "2026-11-23")
    assert result.exit_code == 0, result.output
    book = load_workbook(out / "kvalitet_norr_2026.xlsx")
    assert book.sheetnames == ["Om filen", "Fråga 1", "Fråga 2", "Fråga 3", "Fråga 4", "Uppföljningar"]
    data = sheet_rows(book["Uppföljningar"])
    header = data[0]
    keys = [r[0] for r in data[1:]]
    assert keys == ["D-1_2026-01-05", "D-2_2026-01-12", "D-3_2026-01-20", "D-4_2026-01-28", "D-1_2026-03-02", "D-4_2026-03-15"]
    assert header[:4] == ["Uppföljning-id", "Beslut-id", "Klient-id", "Handläggare"]
    assert "Klient" not in header  # no names, no personal numbers
    text = " ".join(str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row if v)
    assert "1230" not in text and "Åsa" not in text  # b-001's personal number 19400101-1230 and name
    q1 = month_table(book["Fråga 1"])
    assert q1["januari 2026"] == [0.75, 0, 0.25, 4]
    assert q1["mars 2026"] == [0, 1, 0, 2]
    assert q1["februari 2026"] == [None, None, None, 0]  # no answers: empty, not 0 %
    assert q1["Hela perioden (helåret 2026)"] == pytest.approx([0.5, 2 / 6, 1 / 6, 6])
    q2 = month_table(book["Fråga 2"])
    assert q2["januari 2026"] == [0.75, 0, 0.25, 4]
    per_assessor = {r[0]: r[1:5] for r in book["Fråga 1"].iter_rows(min_row=21, max_col=5, values_only=True) if r[0]}
    assert per_assessor["Karin Ek"] == pytest.approx([2 / 3, 1 / 3, 0, 3])
    assert per_assessor["Linnéa Broström"] == pytest.approx([1 / 3, 1 / 3, 1 / 3, 3])


def test_a_native_chart_per_question(tmp_path: Path) -> None:
    case = write_case(tmp_path, staff=STAFF, decisions=decisions())
    out = tmp_path / "ut"
    assert run(case, "--period", "2026", "-o", out).exit_code == 0
    with zipfile.ZipFile(out / "kvalitet_norr_2026.xlsx") as package:
        charts = sorted(n for n in package.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n))
        assert len(charts) == 4
        for n, name in enumerate(charts, start=1):
            xml = package.read(name).decode("utf-8")
            assert re.search(r"<(c:)?barChart>", xml) and 'grouping val="stacked"' in xml
            assert f"'Fråga {n}'!$B$6:$B$17" in xml  # the series point at the question's own month table
    assert (out / "kvalitet_syd_2026.xlsx").exists()  # every team gets its file


def test_small_counts_hidden_as_in_bilaga_4(tmp_path: Path) -> None:
    case = write_case(tmp_path, staff=STAFF, decisions=decisions())
    out = tmp_path / "ut"
    assert run(case, "--team", "norr", "--period", "2026", "-o", out).exit_code == 0
    q1 = month_table(load_workbook(out / "kvalitet_norr_2026.xlsx")["Fråga 1"])
    assert q1["januari 2026"] == ["<5", "<5", "<5", "<5"]  # the zero too: a 0 beside a total helps subtract
    # 6 answers: 3 Ja, 2 Delvis, 1 Nej are all below 5; the total is shown
    assert q1["Hela perioden (helåret 2026)"] == ["<5", "<5", "<5", 6]


def test_regeneration_keeps_comments_and_the_teams_own_rows(tmp_path: Path) -> None:
    case = write_case(tmp_path, staff=STAFF, decisions=decisions())
    out = tmp_path / "ut"
    assert run(case, "--team", "norr", "--period", "2026", "--threshold", "1", "-o", out).exit_code == 0
    path = out / "kvalitet_norr_2026.xlsx"
    book = load_workbook(path)
    ws = book["Uppföljningar"]
    header = [c.value for c in ws[1]]
    comment = header.index("Kommentar") + 1
    ws.cell(2, comment).value = "Ringde tillbaka."
    manual = ws.max_row + 1
    for header_name, value in {"Uppföljning-id": "egen-1", "Handläggare": "Karin Ek", "Datum": dt.date(2026, 2, 10),
                               "Får beviljad hjälp": "nej", "Källa": "Manuell"}.items():
        ws.cell(manual, header.index(header_name) + 1).value = value
    ws.cell(1, len(header) + 1).value = "Vår egen kolumn"
    ws.cell(3, len(header) + 1).value = "=1+1 stannar som text"
    book.save(path)
    again = run(case, "--team", "norr", "--period", "2026", "--threshold", "1", "-o", out)
    assert again.exit_code == 0 and "1 egna rader behållna" in again.output
    book = load_workbook(path)
    rows = {r[0]: r for r in sheet_rows(book["Uppföljningar"], 2)}
    header = [c.value for c in book["Uppföljningar"][1]]
    assert rows["D-1_2026-01-05"][header.index("Kommentar")] == "Ringde tillbaka."
    assert rows["D-2_2026-01-12"][header.index("Vår egen kolumn")] == "=1+1 stannar som text"
    assert rows["egen-1"][header.index("Källa")] == "Manuell"
    q1 = month_table(book["Fråga 1"])
    assert q1["februari 2026"] == [0, 0, 1, 1]  # the team's own row counts
    assert len(list((out / "sakerhetskopior").iterdir())) == 1


def test_unknown_team_names_the_teams(tmp_path: Path) -> None:
    case = write_case(tmp_path, staff=STAFF, decisions=decisions())
    result = run(case, "--team", "nor", "-o", tmp_path / "ut")
    assert result.exit_code == 1 and "Menade du 'norr'?" in result.output and "norr, syd" in result.output
    assert not (tmp_path / "ut").exists()


def test_example_shares_match_the_case_file(tmp_path: Path) -> None:
    today = dt.date(2026, 11, 23)
    data = build_case(today)
    path = tmp_path / "arenden.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    out = tmp_path / "ut"
    result = run(path, "--team", "team-norr", "--date", today.isoformat(), "-o", out)
    assert result.exit_code == 0, result.output
    case = Case.model_validate(data)
    team = {s.id for s in case.staff if s.team == "team-norr"}
    answers = [f.answers.plans_when for d in case.decisions if d.assessor in team for f in d.follow_ups
               if f.date.year == 2026 and f.answers]
    whole = month_table(load_workbook(out / "kvalitet_team-norr_2026.xlsx")["Fråga 2"])["Hela perioden (helåret 2026)"]
    assert whole[3] == len(answers) > 100
    for share, value in zip(whole[:3], ("yes", "partly", "no")):
        assert share == pytest.approx(answers.count(value) / len(answers))


def test_a_damaged_previous_file_is_not_overwritten(tmp_path: Path) -> None:
    case = write_case(tmp_path, staff=STAFF, decisions=decisions())
    out = tmp_path / "ut"
    out.mkdir()
    broken = out / "kvalitet_norr_2026.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    result = run(case, "--team", "norr", "--period", "2026", "-o", out)
    assert result.exit_code == 1 and "Kan inte läsa den tidigare kvalitetsfilen" in result.output
    assert "Traceback" not in result.output and "oväntat" not in result.output
    assert broken.read_bytes() == b"PK\x03\x04 not really a workbook" and sorted(p.name for p in out.iterdir()) == [broken.name]
