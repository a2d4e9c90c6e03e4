"""formkit meetings --kind term --minutes NOTES.yaml: minutes filled from the notes, the unit's
copy and the clean copy for the relatives who took part."""

from __future__ import annotations

import csv

import docx
from click.testing import CliRunner

from formkit.cli import main
from formkit.meetings.rules import TERM_QUESTIONS
from test_meetings import NASTY, term_case, text_of

NOTES = """\
client: k-1
informed: ja
participants:
  - {name: Gun Förvaltare}
  - {name: "Ali & Söner <AB> \\"citat\\" 🌟 Åsa"}
  - {name: "Kalle <Vän>", role: vän}
  - {name: Eva Moster, relative: ja, email: eva@example.se}
answers:
  upplevelse: |
    Trivs bra & vill vara ute mer.
    Vill baka <kakor>.
  5: "=1+1 bättre information"
actions:
  - {what: Skicka veckoschema, who: Stödpersonen, when: 2026-12-20}
next_meeting: {date: 2027-03-10, time: "14.00", place: Solrosen}
internal: Bara för enheten.
"""


def invoke(case, notes, out, *extra):
    return CliRunner().invoke(
        main, ["meetings", str(case), "--kind", "term", "--minutes", str(notes), "--at", "2026-12-04", "-o", str(out), *extra],
        catch_exceptions=False,
    )


def test_minutes_from_notes_and_clean_copy(tmp_path):
    notes = tmp_path / "anteckningar.yaml"
    notes.write_text(NOTES, encoding="utf-8")
    out = tmp_path / "ut"
    result = invoke(term_case(tmp_path), notes, out)
    assert result.exit_code == 0, result.output
    assert "k-1 2026-12-03" in result.output and "2 anhöriga" in result.output

    unit_copy = text_of(out / "terminssamtal-minnesanteckningar_k-1_2026-12-03.docx")
    clean = text_of(out / "terminssamtal-renskrivna_k-1_2026-12-03.docx")
    answered = [q for q in TERM_QUESTIONS if q.text.format(vem="Ali") in clean]
    for text in (unit_copy, clean):
        assert "Trivs bra & vill vara ute mer.\nVill baka <kakor>." in text
        assert "=1+1 bättre information" in text
        assert "Skicka veckoschema" in text and "2026-12-20" in text
        assert "2027-03-10 kl. 14.00" in text and "Solrosen & co" in text  # place from the booked meeting
        assert NASTY in text and "Kalle <Vän>" in text
        assert "Alla som deltog informerades om att vi dokumenterar samtalet" in text
    # the unit's copy has every question and says which nobody wrote about; the relatives'
    # clean copy leaves those out instead of printing "Inget antecknat." again and again
    for question in TERM_QUESTIONS:
        assert question.text.format(vem="Ali") in unit_copy
    assert "Inget antecknat." in unit_copy and "Inget antecknat." not in clean
    assert 0 < len(answered) < len(TERM_QUESTIONS)
    assert "brukaren" not in clean
    assert "Bara för enheten." in unit_copy and "brukarpärmen" in unit_copy
    assert "Bara för enheten." not in clean and "brukarpärmen" not in clean
    # the minutes are filled: no empty writing boxes left
    assert len(docx.Document(str(out / "terminssamtal-renskrivna_k-1_2026-12-03.docx")).tables) == 4

    with open(out / "terminssamtal-utskick_k-1_2026-12-03.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    assert rows[0] == ["namn", "roll", "e-post"]
    assert rows[1:] == [["Gun Förvaltare", "förvaltare", ""], ["Eva Moster", "närstående", "eva@example.se"]]
    assert "1 utan e-post" in result.output


def test_unknown_question_is_an_error_with_its_line(tmp_path):
    notes = tmp_path / "anteckningar.yaml"
    notes.write_text("client: k-1\nanswers:\n  upplevelse: bra\n  trivs: hmm\n  12: x\n", encoding="utf-8")
    out = tmp_path / "ut"
    result = invoke(term_case(tmp_path), notes, out)
    assert result.exit_code == 1
    assert "answers.trivs (rad 4): frågan 'trivs' finns inte; menade du 'trivsel'?" in result.output
    assert "answers.12 (rad 5)" in result.output
    assert not out.exists()


def test_every_problem_in_the_notes_at_once(tmp_path):
    notes = tmp_path / "anteckningar.yaml"
    notes.write_text("client: k-9\nactions:\n  - {who: x, when: 2026-02-30}\nsvar: x\n", encoding="utf-8")
    result = invoke(term_case(tmp_path), notes, tmp_path / "ut")
    assert result.exit_code == 1
    out = result.output
    assert "Anteckningsfilen" in out and "4 fel" in out
    assert "client (rad 1)" in out and "actions[0].what" in out and "actions[0].when" in out and "okänt fält 'svar'" in out


def test_notes_without_date_and_no_booked_meeting(tmp_path):
    notes = tmp_path / "anteckningar.yaml"
    notes.write_text("client: k-1\ninformed: ja\n", encoding="utf-8")
    result = invoke(term_case(tmp_path, meetings=[]), notes, tmp_path / "ut")
    assert result.exit_code == 1 and "ange datumet" in result.output
