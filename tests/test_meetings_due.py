"""formkit meetings --due: what is missing, as a table and xlsx, and the rolling schedule."""

from __future__ import annotations

import copy
import datetime as dt
import zipfile

import openpyxl
import pytest
from click.testing import CliRunner

from formkit.case.loading import load_case
from formkit.case.model import Meeting
from formkit.cli import main
from formkit.meetings.rules import homecoming_deadline, homecoming_in_time, month_of, rolling_schedule, team_meetings
from helpers import BASE, write_case
from test_meetings import term_case


def due_case(tmp_path):
    clients = copy.deepcopy(BASE["clients"]) + [
        {"id": "b-003", "name": "=HYPERLINK(\"http://x\")", "unit": "bs-syd", "support_person": "sp-1"},
        {"id": "k-1", "name": "Elsa Öst", "unit": "kt", "support_person": "sp-2"},
        {"id": "k-2", "name": "Nils Ek", "unit": "kt", "support_person": "sp-2"},
    ]
    meetings = [
        {"kind": "term_meeting", "client": "k-1", "date": "2026-09-10", "status": "held"},
        {"kind": "term_meeting", "client": "k-2", "date": "2026-05-10", "status": "held"},  # last term
        {"kind": "term_meeting", "client": "k-2", "date": "2026-12-01", "status": "cancelled"},
        {"kind": "monthly_review", "client": "b-002", "date": "2026-11-25"},
        {"kind": "homecoming", "client": "k-1", "date": "2026-10-03", "time": "10.00", "status": "held", "held_by": "sp-2",
         "stay_ended": "2026-10-02", "stay_ended_time": "16.00", "method": "phone", "spoken_with": "mamma", "passed_on": "En bra helg."},
        {"kind": "homecoming", "client": "k-1", "date": "2026-10-05", "time": "17.00", "status": "held", "held_by": "sp-2",
         "stay_ended": "2026-10-04", "stay_ended_time": "16.00", "method": "sms", "spoken_with": "pappa", "passed_on": "Trött."},
        {"kind": "homecoming", "client": "k-2", "date": "2026-11-20", "stay_ended": "2026-11-19"},
        {"kind": "homecoming", "client": "k-2", "date": "2026-11-21", "status": "held", "stay_ended": "2026-11-21", "method": "pickup"},
    ]
    return term_case(tmp_path, clients=clients, meetings=meetings)


def test_due_lists_what_is_missing_on_the_terminal_and_in_xlsx(tmp_path):
    out = tmp_path / "ut"
    result = CliRunner().invoke(main, ["meetings", str(due_case(tmp_path)), "--due", "--at", "2026-11-22", "-o", str(out)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    term = [line for line in lines if line.startswith("terminssamtal")]
    monthly = [line for line in lines if line.startswith("månadsuppföljning")]
    home = [line for line in lines if line.startswith("hemgångssamtal")]
    assert len(term) == 1 and "k-2" in term[0]  # held last term and cancelled this term: not done
    assert len(monthly) == 1 and "b-003" in monthly[0]  # b-002 is booked this month
    assert any("k-1" in line and "mer än 24 timmar" in line for line in home)
    assert any("k-2" in line and "Inte dokumenterat som gjort" in line for line in home)
    assert any("k-2" in line and "vem som gjorde" in line and "vad ni förmedlade" in line for line in home)
    assert len(home) == 3  # the talk 18 hours after the stay is in time
    assert "Rullande schema för verksamhetsmötet, november 2026:" in result.output
    assert "5 saker att göra den 2026-11-22: 1 terminssamtal, 1 månadsuppföljning, 3 hemgångssamtal" in result.output

    path = out / "moten-att-gora_2026-11-22.xlsx"
    book = openpyxl.load_workbook(path)
    todo = book["Att göra"]
    rows = list(todo.iter_rows(values_only=True))
    assert rows[0] == ("Vad", "Klient-id", "Klient", "Stödperson", "Datum", "Att göra")
    assert len(rows) == 6
    formula = next(cell for cell in todo["C"] if cell.value == '=HYPERLINK("http://x")')
    assert formula.data_type == "s"
    with zipfile.ZipFile(path) as package:
        assert "<f>" not in package.read("xl/worksheets/sheet1.xml").decode()
    assert todo["A1"].font.bold and todo.freeze_panes == "A2"
    schedule = list(book["Rullande schema"].iter_rows(values_only=True))
    assert schedule[0][:4] == ("Verksamhetsmöte", "Veckodag", "Stödperson", "Klient-id")
    assert {row[3] for row in schedule[1:]} == {"b-002", "b-003"}
    assert all(row[1] == "tisdag" for row in schedule[1:])
    status = {row[3]: row[5] for row in schedule[1:]}
    assert status == {"b-002": "bokad eller gjord", "b-003": "saknas"}


def test_nothing_due(tmp_path):
    case = write_case(tmp_path, meetings=[{"kind": "monthly_review", "client": "b-002", "date": "2026-11-03", "status": "held"}])
    result = CliRunner().invoke(main, ["meetings", str(case), "--due", "--at", "2026-11-22", "-o", str(tmp_path / "ut")])
    assert result.exit_code == 0
    assert "Inget saknas den 2026-11-22" in result.output


def test_rolling_schedule_spreads_each_support_persons_clients(tmp_path):
    staff = BASE["staff"] + [{"id": "sp-3", "name": "Sara Ny", "role": "support_person", "unit": "bs-syd"}]
    clients = [
        {"id": f"c-{person}-{n}", "name": f"Klient {n}", "unit": "bs-syd", "support_person": person}
        for person in ("sp-1", "sp-3") for n in range(5)
    ]
    case = load_case(write_case(tmp_path, staff=staff, clients=clients))
    month = month_of(dt.date(2026, 11, 1))
    dates = team_meetings(month, "tisdag")
    assert dates == [dt.date(2026, 11, 3), dt.date(2026, 11, 10), dt.date(2026, 11, 17), dt.date(2026, 11, 24)]
    slots = rolling_schedule(case, month, "tisdag")
    assert len(slots) == 10 and {s.client for s in slots} == {c["id"] for c in clients}
    for person in ("sp-1", "sp-3"):
        per_meeting = [sum(1 for s in slots if s.support_person == person and s.date == d) for d in dates]
        assert max(per_meeting) - min(per_meeting) <= 1  # spread over the month
    load = [sum(1 for s in slots if s.date == d) for d in dates]
    assert max(load) - min(load) <= 1  # the second stödperson starts a meeting later
    # stable from month to month: the same client is presented in the same week
    december = rolling_schedule(case, month_of(dt.date(2026, 12, 1)), "tisdag")
    assert [s.client for s in sorted(slots, key=lambda s: s.client)] == [s.client for s in sorted(december, key=lambda s: s.client)]


def test_homecoming_24_hour_rule(tmp_path):
    case = load_case(due_case(tmp_path))
    home = {(m.client, m.date.isoformat()): m for m in case.meetings if m.kind == "homecoming"}
    assert homecoming_in_time(home[("k-1", "2026-10-03")]) is True  # 18 hours
    assert homecoming_in_time(home[("k-1", "2026-10-05")]) is False  # 25 hours
    assert homecoming_in_time(home[("k-2", "2026-11-20")]) is None  # not held yet
    assert homecoming_in_time(home[("k-2", "2026-11-21")]) is True  # same day, no times


def test_team_day_option(tmp_path):
    result = CliRunner().invoke(main, ["meetings", str(write_case(tmp_path)), "--due", "--at", "2026-11-22",
                                       "--team-day", "torsdag", "-o", str(tmp_path / "ut")])
    assert result.exit_code == 0
    assert "torsdag 2026-11-05: Ali Hassan (b-002)" in result.output


def _homecoming(ended: str, ended_time: str | None, held: str, held_time: str | None, status: str = "held") -> Meeting:
    return Meeting(kind="homecoming", client="k-1", date=held, time=held_time, stay_ended=ended,
                   stay_ended_time=ended_time, status=status)


@pytest.mark.parametrize(("held", "held_time", "in_time"), [
    ("2026-10-03", "16.00", True),   # exactly 24 hours: still in time
    ("2026-10-03", "16.01", False),  # one minute over
    ("2026-10-02", "16.00", True),   # the same hour
])
def test_the_24_hour_boundary_with_times(held: str, held_time: str, in_time: bool) -> None:
    meeting = _homecoming("2026-10-02", "16.00", held, held_time)
    assert homecoming_in_time(meeting) is in_time
    assert homecoming_deadline(meeting) == dt.datetime(2026, 10, 3, 16, 0)


@pytest.mark.parametrize(("ended_time", "held", "held_time", "in_time"), [
    (None, "2026-10-03", "23.30", True),    # no end time: the whole next day counts
    ("09.00", "2026-10-03", None, True),    # no talk time: the dates decide, next day is in time
    (None, "2026-10-04", "08.00", False),   # two days later is late, whatever the hour
    (None, "2026-10-02", None, True),       # the same day
])
def test_the_next_day_rule_when_a_time_is_missing(ended_time: str | None, held: str, held_time: str | None, in_time: bool) -> None:
    meeting = _homecoming("2026-10-02", ended_time, held, held_time)
    assert homecoming_in_time(meeting) is in_time


def test_deadline_without_an_end_time_is_the_end_of_the_next_day() -> None:
    assert homecoming_deadline(_homecoming("2026-12-31", None, "2027-01-01", None)) == dt.datetime(2027, 1, 1, 23, 59)
    assert homecoming_in_time(_homecoming("2026-10-02", None, "2026-10-03", None, status="booked")) is None
