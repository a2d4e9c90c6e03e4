"""The figures of öppenvård bilaga 4: every cell of every table against counts worked out by
hand (tests/opencare_data.py), with and without suppression of small counts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from formkit.case.loading import load_case
from formkit.errors import CaseFileError, DataError
from formkit.opencare.figures import Period, Summary, compute, suppress
from helpers import write_case
from opencare_data import F, M, S, sections


def summary(tmp_path: Path, period: str = "2026-T1", threshold: int = 5, **overrides) -> Summary:
    case = load_case(write_case(tmp_path, **sections(**overrides)))
    return compute(case, Period.parse(period), threshold)


def table(s: Summary, key: str) -> dict[str, object]:
    """{row: (current, previous)} plus "Summa" and "bas", as the texts shown."""
    figure = next(f for f in s.figures if f.key == key)
    out: dict[str, object] = {}
    for i, row in enumerate(figure.rows):
        out[row] = (figure.current.cells[i].text, figure.previous.cells[i].text if figure.previous else None)
    if figure.current.total is not None:
        out["Summa"] = (figure.current.total.text, figure.previous.total.text if figure.previous else None)
    out["bas"] = (figure.current.basis.text, figure.previous.basis.text if figure.previous else None)
    return out


# --- periods -------------------------------------------------------------------------------

@pytest.mark.parametrize("text, start, end, previous", [
    ("2026-T1", dt.date(2026, 1, 1), dt.date(2026, 4, 30), "2025-T3"),
    ("2026t2", dt.date(2026, 5, 1), dt.date(2026, 8, 31), "2026-T1"),
    ("2026-T3", dt.date(2026, 9, 1), dt.date(2026, 12, 31), "2026-T2"),
    ("2026", dt.date(2026, 1, 1), dt.date(2026, 12, 31), "2025"),
])
def test_periods(text, start, end, previous):
    period = Period.parse(text)
    assert (period.start, period.end, period.previous().code) == (start, end, previous)


@pytest.mark.parametrize("text", ["2026-T4", "T1", "2026-1", "", "26-T1"])
def test_bad_period_says_how_to_write_it(text):
    with pytest.raises(ValueError, match="2026-T1"):
        Period.parse(text)


def test_default_period_for_the_summary_is_the_last_finished_tertial():
    assert Period.last_finished(dt.date(2026, 5, 3)).code == "2026-T1"
    assert Period.last_finished(dt.date(2026, 1, 15)).code == "2025-T3"
    assert Period.containing(dt.date(2026, 8, 31)).code == "2026-T2"


# --- every cell ----------------------------------------------------------------------------

def test_every_cell_without_suppression(tmp_path):
    s = summary(tmp_path, threshold=1)
    assert s.has_previous and s.previous_period.code == "2025-T3"
    assert (s.active_count.text, s.client_count.text) == ("14", "12")
    assert table(s, "insatser") == {F: ("5", "1"), M: ("2", "0"), S: ("7", "2"), "Summa": ("14", "3"), "bas": ("14", "3")}
    assert table(s, "kon") == {
        "Kvinnor": ("6", "2"), "Män": ("4", "1"), "Annan könstillhörighet": ("1", "0"), "Okänt kön": ("1", "0"),
        "Summa": ("12", "3"), "bas": ("12", "3"),
    }
    assert table(s, "alder") == {
        "0–17 år": ("1", "0"), "18–24 år": ("1", "0"), "25–44 år": ("6", "1"), "45–64 år": ("2", "2"),
        "65 år och äldre": ("1", "0"), "Okänd ålder": ("1", "0"), "Summa": ("12", "3"), "bas": ("12", "3"),
    }
    # "ORO" is counted with "Oro" (first spelling in the file); "none written" comes last
    assert table(s, "problem") == {
        "Ensamhet": ("2", "2"), "Föräldraskap": ("3", "1"), "Missbruk": ("3", "0"), "Oro": ("4", "0"),
        "Inget problem angivet": ("1", "0"), "bas": ("11", "3"),
    }
    assert table(s, "behov") == {
        "Ja": ("4", "0"), "Delvis": ("1", "0"), "Nej": ("1", "0"), "Uppgift saknas": ("1", "0"),
        "Summa": ("7", "0"), "bas": ("7", "0"),
    }
    assert table(s, "situation") == {
        "Förbättrad": ("4", "0"), "Oförändrad": ("2", "0"), "Försämrad": ("0", "0"), "Uppgift saknas": ("1", "0"),
        "Summa": ("7", "0"), "bas": ("7", "0"),
    }
    assert table(s, "avbrutna") == {F: ("1", "0"), S: ("1", "0"), "Summa": ("2", "0"), "bas": ("2", "0")}


def test_every_cell_with_small_counts_hidden(tmp_path):
    s = summary(tmp_path, threshold=5)
    # Missbruksbehandling (2) is hidden; total minus Samtalsstöd would give it away, so the
    # smallest other row (Föräldrastöd, 5) is hidden too, as "x" (it is not below 5)
    assert table(s, "insatser") == {F: ("x", "<5"), M: ("<5", "<5"), S: ("7", "<5"), "Summa": ("14", "<5"), "bas": ("14", "<5")}
    # zeros beside a total are hidden too: a printed 0 would help subtract
    assert table(s, "kon") == {
        "Kvinnor": ("6", "<5"), "Män": ("<5", "<5"), "Annan könstillhörighet": ("<5", "<5"), "Okänt kön": ("<5", "<5"),
        "Summa": ("12", "<5"), "bas": ("12", "<5"),
    }
    assert table(s, "alder") == {
        "0–17 år": ("<5", "<5"), "18–24 år": ("<5", "<5"), "25–44 år": ("6", "<5"), "45–64 år": ("<5", "<5"),
        "65 år och äldre": ("<5", "<5"), "Okänd ålder": ("<5", "<5"), "Summa": ("12", "<5"), "bas": ("12", "<5"),
    }
    assert table(s, "problem") == {
        "Ensamhet": ("<5", "<5"), "Föräldraskap": ("<5", "<5"), "Missbruk": ("<5", "0"), "Oro": ("<5", "0"),
        "Inget problem angivet": ("<5", "0"), "bas": ("11", "<5"),
    }
    assert table(s, "behov")["Summa"] == ("7", "0")
    assert {v for k, v in table(s, "behov").items() if k not in ("Summa", "bas")} == {("<5", "0")}
    assert table(s, "situation") == {
        "Förbättrad": ("<5", "0"), "Oförändrad": ("<5", "0"), "Försämrad": ("<5", "0"), "Uppgift saknas": ("<5", "0"),
        "Summa": ("7", "0"), "bas": ("7", "0"),
    }
    assert table(s, "avbrutna") == {F: ("<5", "0"), S: ("<5", "0"), "Summa": ("<5", "0"), "bas": ("<5", "0")}
    assert (s.active_count.text, s.client_count.text) == ("14", "12")


def test_threshold_is_an_option(tmp_path):
    s = summary(tmp_path, threshold=3)
    # problem rows do not add up to a total, so nothing is hidden beyond the small counts
    assert table(s, "problem") == {
        "Ensamhet": ("<3", "<3"), "Föräldraskap": ("3", "<3"), "Missbruk": ("3", "0"), "Oro": ("4", "0"),
        "Inget problem angivet": ("<3", "0"), "bas": ("11", "3"),
    }


def test_no_hidden_count_can_be_recomputed_from_a_total(tmp_path):
    s = summary(tmp_path, threshold=5)
    for figure in s.figures:
        for column in [figure.current] + ([figure.previous] if figure.previous else []):
            if column.total is None or column.total.suppressed:
                continue
            hidden = [c for c in column.cells if c.suppressed]
            assert len(hidden) != 1, figure.key


@pytest.mark.parametrize("values, total, shown", [
    ([7, 5, 2], 14, ["7", "x", "<5"]),
    ([7, 6, 0], 13, ["7", "x", "<5"]),  # the zero is hidden, and then 6 so that it cannot be subtracted back
    ([3, 1, 0], 4, ["<5", "<5", "<5"]),
    ([9, 1, 1], 11, ["9", "<5", "<5"]),
    ([8, 2, 0, 0], 10, ["8", "<5", "<5", "<5"]),  # three hidden cells sharing 2: none can be told
])
def test_suppress(values, total, shown):
    cells, total_cell = suppress(values, 5, total)
    assert [c.text for c in cells] == shown
    assert total_cell is not None and total_cell.text == (str(total) if total >= 5 else "<5")


def test_no_comparison_without_previous_data(tmp_path):
    s = summary(tmp_path, period="2025-T1", threshold=1)  # only o16; nothing in 2024-T3
    assert not s.has_previous
    assert all(f.previous is None for f in s.figures)
    assert "Ingen jämförelse" in s.notes[1]


def test_whole_year_and_empty_figures(tmp_path):
    s = summary(tmp_path, period="2026-T2", threshold=1)
    # o01, o03, o06, o08, o11, o12, o14 continue into T2 and o15 starts; nothing ends
    assert table(s, "insatser")["Summa"] == ("8", "14")
    assert [f.key for f in s.figures if f.empty] == ["behov", "situation", "avbrutna"]
    year = summary(tmp_path, period="2026", threshold=1)
    # 2026: o01–o15; 2025: o01, o04, o09 and o16
    assert table(year, "insatser")["Summa"] == ("15", "4")
    assert year.previous_period.code == "2025"


# --- bad input -----------------------------------------------------------------------------

def test_empty_period_is_a_clear_message(tmp_path):
    with pytest.raises(DataError, match=r"inga öppenvårdsinsatser under tertial 1 2024 \(2024-01-01 – 2024-04-30\).*--period"):
        summary(tmp_path, period="2024-T1")


def test_insats_ending_before_it_starts(tmp_path):
    insatser = [{"id": "bad-1", "client": "c01", "service": S, "started": "2026-03-01", "ended": "2026-02-01",
                 "status": "completed"},
                {"id": "bad-2", "client": "c02", "service": S, "started": "2026-03-01", "status": "interrupted"}]
    with pytest.raises(CaseFileError) as caught:  # the case model refuses them, so check does too
        summary(tmp_path, open_care=insatser)
    message = str(caught.value)
    assert "open_care[0].ended (insats bad-1" in message and "före startdatumet 2026-03-01" in message
    assert "open_care[1].ended (insats bad-2" in message and "inget slutdatum" in message


def test_threshold_below_one(tmp_path):
    with pytest.raises(DataError, match="minst 1"):
        summary(tmp_path, threshold=0)
