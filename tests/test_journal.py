"""Journal texts ready to paste: meetings --journal (terminssamtal, månadsuppföljning,
hemgångssamtal) and board --journal (händelse and the message to the utförare)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from openpyxl import load_workbook

from formkit.cli import main
from helpers import BASE, write_case
from test_meetings import STAFF, UNITS, short_stay_clients

HOUSING = {"id": "b-003", "name": "Sara Boende", "unit": "bs-syd", "support_person": "sp-1",
           "care_plan": {"updated": "2026-08-25", "follow_up": "2027-02-23", "risk_assessment": "2026-08-19",
                         "action_plan": True}}
MEETINGS = [
    {"kind": "term_meeting", "client": "k-1", "date": "2026-11-03", "time": "14.00", "place": "Solrosen",
     "status": "held", "held_by": "sp-2", "invitees": ["Gun Förvaltare"]},
    {"kind": "term_meeting", "client": "k-2", "date": "2026-12-10", "status": "booked"},
    {"kind": "monthly_review", "client": "b-003", "date": "2026-11-20", "time": "10.00", "place": "Hemma",
     "status": "held", "held_by": "sp-1", "summary": "Vill ha hjälp med promenader."},
    {"kind": "homecoming", "client": "k-1", "stay_ended": "2026-11-20", "stay_ended_time": "16.00", "date": "2026-11-21",
     "time": "18.30", "method": "phone", "status": "held", "held_by": "sp-2"},
    {"kind": "homecoming", "client": "k-2", "stay_ended": "2026-11-20", "date": "2026-11-20", "time": "18.30",
     "status": "held"},
]


def meetings_case(tmp_path: Path) -> Path:
    units = [dict(u, meeting_day="onsdag") if u["id"] == "bs-syd" else u for u in UNITS]
    return write_case(tmp_path, units=units, staff=STAFF, clients=BASE["clients"] + short_stay_clients() + [HOUSING],
                      meetings=MEETINGS)


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_terminssamtal_note_refers_to_the_brukarparm(tmp_path: Path) -> None:
    result = run("meetings", meetings_case(tmp_path), "--journal", "k-1", "--kind", "term")
    assert result.exit_code == 0, result.output
    text = result.output
    assert "Terminssamtal har genomförts 2026-11-03 kl. 14.00, Solrosen." in text
    assert "Gun Förvaltare (förvaltare)" in text and "Lena Berg" in text
    assert "Minnesanteckningarna finns i brukarpärmen" in text
    assert "19400101" not in text and "Hemgångssamtal" not in text  # only the kind asked for


def test_monthly_summary_for_the_social_journal(tmp_path: Path) -> None:
    result = run("meetings", meetings_case(tmp_path), "--journal", "b-003")
    assert result.exit_code == 0, result.output
    text = result.output
    assert text.startswith("Månadsuppföljning:\nMånadsuppföljning 2026-11-20 kl. 10.00, Hemma, av Ali Hassan")
    assert "Brukarens önskemål och synpunkter: Vill ha hjälp med promenader." in text
    assert "Genomförandeplanen uppdaterades 2026-08-25; uppföljning planerad 2027-02-23." in text
    assert "Riskbedömning 2026-08-19, med kopplad handlingsplan." in text
    # the unit meets on onsdagar; sp-1 presents b-002 at the first and b-003 at the second meeting of a month,
    # and November's (the 11th) was before the review: the second of December
    assert "Redovisas på verksamhetsmötet 2026-12-09 enligt rullande schema." in text


def test_homecoming_note_says_when_how_and_by_whom(tmp_path: Path) -> None:
    case = meetings_case(tmp_path)
    late = run("meetings", case, "--journal", "k-1", "--kind", "homecoming").output
    assert ("Hemgångssamtal efter vistelsen som slutade 2026-11-20 kl. 16.00: genomfört 2026-11-21 kl. 18.30 (telefon) "
            "av Lena Berg (stödperson). Mer än 24 timmar efter att vistelsen slutade.") in late
    unknown = run("meetings", case, "--journal", "k-2", "--kind", "homecoming").output
    assert "(vem som gjorde samtalet är inte antecknat)" in unknown and "Inom 24 timmar." in unknown


def test_journal_for_a_meeting_not_held_is_a_clear_error(tmp_path: Path) -> None:
    result = run("meetings", meetings_case(tmp_path), "--journal", "k-2", "--kind", "term")
    assert result.exit_code == 1 and "status held" in result.output and "Traceback" not in result.output
    result = run("meetings", meetings_case(tmp_path), "--journal", "k-9")
    assert result.exit_code == 1 and "ingen klient med id 'k-9'" in result.output


def test_journal_alla_writes_a_text_file_per_held_meeting(tmp_path: Path) -> None:
    out = tmp_path / "ut"
    result = run("meetings", meetings_case(tmp_path), "--journal", "alla", "-o", out)
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (out / "journal").iterdir())
    assert names == ["hemgangssamtal_k-1_2026-11-21.txt", "hemgangssamtal_k-2_2026-11-20.txt",
                     "manadsuppfoljning_b-003_2026-11-20.txt", "terminssamtal_k-1_2026-11-03.txt"]
    assert "brukarpärmen" in (out / "journal" / "terminssamtal_k-1_2026-11-03.txt").read_text(encoding="utf-8")


# --- board --------------------------------------------------------------------------------

UTFORARE = dict(BASE["units"][0], email="hemtjanst.norra@exempelby.se")
FOLLOW = {"date": "2026-05-02", "method": "phone", "answers": {"gets_granted_help": "yes"}}


def board_case(tmp_path: Path, follow_up: dict, executed: bool = True) -> Path:
    decision = {"id": "B-1", "client": "b-001", "assessor": "bh-1", "services": ["HEMTJÄNST", "LEDSAGNING"], "law": "SoL",
                "decided": "2023-05-02", "executed": executed, "follow_ups": [follow_up] if follow_up else []}
    return write_case(tmp_path, units=[UTFORARE, *BASE["units"][1:]], decisions=[decision])


def test_ended_insats_with_the_recorded_reason_and_a_message_to_the_utforare(tmp_path: Path) -> None:
    case = board_case(tmp_path, dict(FOLLOW, outcome="ended", reason="Brukaren har flyttat."))
    text = run("board", case, "--journal", "B-1").output
    handelse, message = text.strip().split("\n\n", 1)
    assert handelse == ("En uppföljning har genomförts den 2026-05-02 genom ett telefonsamtal. Bedömningen är att behovet "
                        "inte längre finns och biståndet för HEMTJÄNST och LEDSAGNING har avslutats. Orsak: Brukaren har flyttat.")
    assert "Till: Hemtjänst Norra (hemtjanst.norra@exempelby.se)" in message
    assert "Insatsen avslutas; beslutet B-1 upphör." in message and "Orsak: Brukaren har flyttat." in message
    assert "Åsa Öberg-Ängström (klient-id b-001)" in message and "19400101" not in text


def test_no_reason_is_invented(tmp_path: Path) -> None:
    text = run("board", board_case(tmp_path, dict(FOLLOW, outcome="ended")), "--journal", "B-1").output
    assert "Orsak" not in text


def test_unchanged_need_tells_the_utforare_no_new_uppdrag(tmp_path: Path) -> None:
    text = run("board", board_case(tmp_path, FOLLOW), "--journal", "B-1").output
    assert "biståndet för HEMTJÄNST och LEDSAGNING är skäligt" in text
    assert "inget nytt uppdrag skickas" in text and "Nästa uppföljning är senast 2029-05-02." in text


def test_not_executed_asks_the_utforare_to_carry_it_out(tmp_path: Path) -> None:
    text = run("board", board_case(tmp_path, {}, executed=False), "--journal", "B-1").output
    assert "är ännu inte verkställt" in text and "Verkställ insatsen" in text


def test_board_journal_alla(tmp_path: Path) -> None:
    out = tmp_path / "ut"
    result = run("board", board_case(tmp_path, FOLLOW), "--journal", "alla", "-o", out)
    assert result.exit_code == 0, result.output
    assert [p.name for p in (out / "journal").iterdir()] == ["beslut_B-1.txt"]
    assert not list(out.glob("*.xlsx"))  # only the texts, the board is not touched


def test_due_and_the_journal_use_the_units_meeting_day(tmp_path: Path) -> None:
    """Without --team-day the rolling schedule is on the unit's meeting_day (onsdag), as in the journal text."""
    out = tmp_path / "ut"
    result = run("meetings", meetings_case(tmp_path), "--due", "--at", "2026-11-23", "-o", out)
    assert result.exit_code == 0, result.output
    schedule = load_workbook(out / "moten-att-gora_2026-11-23.xlsx")["Rullande schema"]
    days = [row[0] for row in schedule.iter_rows(min_row=2, values_only=True)]
    assert days and all(d.weekday() == 2 for d in days)  # onsdag
    asked = run("meetings", meetings_case(tmp_path), "--due", "--at", "2026-11-23", "--team-day", "fredag", "-o", tmp_path / "f")
    assert asked.exit_code == 0
    days = [r[0] for r in load_workbook(tmp_path / "f" / "moten-att-gora_2026-11-23.xlsx")["Rullande schema"].iter_rows(min_row=2, values_only=True)]
    assert all(d.weekday() == 4 for d in days)
