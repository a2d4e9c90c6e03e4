"""Issue 12: documents correct by law and by the routine, on cases built from the `init` example.

Each case starts from ``formkit.example.build_case`` (the example a new user gets), changes the
one thing the acceptance names, runs the command and reads the documents back.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import docx
import pytest
import yaml
from click.testing import CliRunner

from formkit.case import law, personnummer
from formkit.case.loading import load_case
from formkit.case.model import add_years
from formkit.cli import main
from formkit.example import build_case, personal_number

TODAY = dt.date.today()  # the case file reads 10-digit numbers on the day it is loaded


def run(*args: Any):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def write(tmp_path: Path, data: dict[str, Any], name: str = "arenden.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def text_of(path: Path) -> str:
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def client(data: dict[str, Any], client_id: str) -> dict[str, Any]:
    return next(c for c in data["clients"] if c["id"] == client_id)


def short_stay(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in data["clients"] if c["unit"] == "kv-solrosen"]


def home_care(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in data["clients"] if c["unit"] == "ht-norra"]


# --- personal numbers and ages ---------------------------------------------------------------

def test_ten_digit_numbers_get_the_century_that_puts_the_birth_in_the_past() -> None:
    day = dt.date(2026, 11, 23)
    december = personal_number(dt.date(1926, 12, 15), 123)[2:]  # "261215-1236"
    assert personnummer.normalise(december, day) == "19" + december  # 99 years old, not born next month
    assert personnummer.normalise(december.replace("-", "+"), day) == "18" + december  # "+": a hundred years more
    yesterday = personal_number(dt.date(2026, 11, 22), 123)[2:]
    assert personnummer.normalise(yesterday, day)[:4] == "2026"  # born yesterday: this century
    assert personnummer.label("19480374-8718") == "Samordningsnummer"
    assert personnummer.label("19400101-1230") == "Personnummer"


def test_the_example_client_born_1926_with_a_ten_digit_number(tmp_path: Path) -> None:
    """A client who will be 100 next month, written the way the coordinator's list has it."""
    data = build_case(TODAY)
    born = add_years(TODAY, -100) + dt.timedelta(days=22)
    full = personal_number(born, 421)
    old = home_care(data)[0]
    old["personal_number"] = full[2:]  # ÅÅMMDD-NNNN: no century
    path = write(tmp_path, data)
    loaded = load_case(path).client(old["id"])
    assert loaded.birth_date == born and loaded.personal_number == full
    assert loaded.age_on(TODAY) == 99
    out = tmp_path / "ut"
    result = run("letters", path, "-n", "4", "-o", out, "--date", TODAY.isoformat())
    assert result.exit_code == 0, result.output
    assert (out / f"brukarbrev-4_{old['id']}.docx").exists()  # 99 years old: in the survey population
    assert old["id"] not in " ".join(line for line in result.output.splitlines() if line.startswith("Hoppade"))


def test_age_is_from_the_birth_date_on_the_day() -> None:
    from formkit.case.model import Client

    client = Client(id="b-1", name="A", unit="u", personal_number=personal_number(dt.date(1980, 6, 15), 2))
    assert client.age_on(dt.date(2026, 6, 14)) == 45 and client.age_on(dt.date(2026, 6, 15)) == 46
    born_2008 = Client(id="b-2", name="B", unit="u", birth_year=2008)
    assert born_2008.age_on(dt.date(2026, 3, 1)) == 17  # only a year: never counted older than certain
    assert born_2008.is_child_on(dt.date(2026, 3, 1)) is None  # the 18th birthday falls this year


# --- representatives by date -------------------------------------------------------------------

def eighteen_year_old(data: dict[str, Any]) -> dict[str, Any]:
    """The first short-stay client, turned 18 three weeks ago, with the mother still recorded as
    vårdnadshavare and a consent she signed while the client was a child."""
    teen = short_stay(data)[1]
    born = add_years(TODAY - dt.timedelta(days=21), -18)
    teen["personal_number"] = personal_number(born, 512)
    mother = teen["representatives"][0]
    mother.update(role="guardian", looks_after_rights=True, receives_letters=True)
    mother.pop("consent_to_inform", None)
    teen["consent"] = {"signed": add_years(TODAY, -1), "valid_years": 3, "given_by": "guardian"}
    return teen


def test_an_18_year_old_with_a_parent_as_vardnadshavare(tmp_path: Path) -> None:
    data = build_case(TODAY)
    teen = eighteen_year_old(data)
    mother = teen["representatives"][0]["name"]
    path = write(tmp_path, data)
    result = run("check", path)
    assert result.exit_code == 0, result.output
    assert f"klient {teen['id']}: {mother} är registrerad som vårdnadshavare, men klienten har fyllt 18 år" in result.output
    assert "FB 6 kap. 2 §" in result.output
    assert f"klient {teen['id']}: samtycket lämnades av vårdnadshavaren och upphörde" in result.output
    case = load_case(path)
    loaded = case.client(teen["id"])
    assert loaded.consent_valid_until == loaded.eighteenth_birthday  # not three years
    assert law.involved(loaded, TODAY) == []  # the mother is a relative now, and the client has not agreed
    assert law.role_on(loaded, loaded.representatives[0], TODAY) == "mamma"
    # three weeks ago, before the birthday, she was vårdnadshavare
    before = TODAY - dt.timedelta(days=22)
    assert [r.name for r in law.involved(loaded, before)] == [mother]
    assert law.role_on(loaded, loaded.representatives[0], before) == "vårdnadshavare"


def test_a_child_without_vardnadshavare_is_reported(tmp_path: Path) -> None:
    data = build_case(TODAY)
    child = short_stay(data)[2]
    assert add_years(personnummer.birth_date(child["personal_number"]), 18) > TODAY
    child["representatives"] = []
    result = run("check", write(tmp_path, data))
    assert result.exit_code == 0
    assert f"klient {child['id']} är under 18 år men har ingen vårdnadshavare" in result.output


def test_an_adult_without_a_representative_is_not_warned_about(tmp_path: Path) -> None:
    """She looks after her own rights; her daughter is involved only if she agrees."""
    data = build_case(TODAY)
    adult = home_care(data)[8]
    assert adult["representatives"][0]["role"] == "relative"
    path = write(tmp_path, data)
    result = run("check", path)
    assert adult["id"] not in result.output and "god man" not in result.output.replace("god man eller förvaltare", "")
    loaded = load_case(path).client(adult["id"])
    assert law.involved(loaded, TODAY) == []
    adult["representatives"][0].update(consent_to_inform=True, receives_letters=True,
                                       address={"street": "Dottervägen 1", "postcode": "123 45", "city": "Exempelby"})
    loaded = load_case(write(tmp_path, data, "samtycke.yaml")).client(adult["id"])
    assert [r.name for r in law.involved(loaded, TODAY)] == [adult["representatives"][0]["name"]]


def test_god_man_records_what_the_appointment_covers(tmp_path: Path) -> None:
    data = build_case(TODAY)
    with_trustee = next(c for c in home_care(data) if any(r["role"] == "trustee" for r in c.get("representatives", [])))
    trustee = with_trustee["representatives"][0]
    assert trustee["scope"] == ["rights", "property"]
    trustee["scope"] = ["property"]  # förvalta egendom only: not the one who looks after rights
    trustee["looks_after_rights"] = False
    loaded = load_case(write(tmp_path, data)).client(with_trustee["id"])
    assert law.involved(loaded, TODAY) == []
    del trustee["scope"]
    result = run("check", write(tmp_path, data, "utan-scope.yaml"))
    assert "ange vad förordnandet för Gustav Ekström (god man) omfattar" in result.output


# --- survey letters ------------------------------------------------------------------------------

def test_brev_1_after_the_answer_date_asks_for_no_past_date(tmp_path: Path) -> None:
    data = build_case(TODAY)
    data["survey"]["answer_by"] = dt.date(TODAY.year, 5, 24)
    day = dt.date(TODAY.year, 11, 23) if TODAY < dt.date(TODAY.year, 11, 23) else TODAY
    out = tmp_path / "ut"
    result = run("letters", write(tmp_path, data), "-n", "1", "-o", out, "--date", day.isoformat())
    assert result.exit_code == 0, result.output
    assert f"Obs: Brukarbrev 1 är daterat {day.isoformat()}, efter enkätens sista svarsdag {TODAY.year}-05-24" in result.output
    letter = text_of(next(out.glob("brukarbrev-1_b-0*.docx")))
    assert "maj" not in letter and "Svara senast" not in letter
    # the same letter prepared in February asks for the coming date
    feb = tmp_path / "feb"
    run("letters", write(tmp_path, data, "feb.yaml"), "-n", "1", "-o", feb, "--date", f"{TODAY.year}-02-03")
    assert f"Svara senast den 24 maj {TODAY.year}." in text_of(next(feb.glob("brukarbrev-1_b-0*.docx")))


def test_brev_1_promises_confidentiality_not_anonymity_and_copies_speak_of_the_client(tmp_path: Path) -> None:
    data = build_case(TODAY)
    out = tmp_path / "ut"
    result = run("letters", write(tmp_path, data), "-n", "1", "-o", out, "--date", f"{TODAY.year}-02-03")
    assert result.exit_code == 0, result.output
    own = text_of(out / "brukarbrev-1_b-001.docx")
    assert "anonym" not in own and "konfidentiella" in own and "enkäten har ett nummer" in own
    assert "Snart får du en enkät" in own
    copy_path = next(out.glob("brukarbrev-1_*_kopia-1.docx"))
    client_id = copy_path.stem.split("_")[1]
    name = client(data, client_id)["name"]
    copy = text_of(copy_path)
    assert f"Snart får {name} en enkät" in copy and "Snart får du" not in copy
    assert f"Du får det här brevet som god man för {name}" in copy
    assert "dina svar" not in copy.lower() and "Dina svar" not in copy


def test_survey_letters_go_to_the_survey_population(tmp_path: Path) -> None:
    data = build_case(TODAY)
    young, ended = home_care(data)[9], home_care(data)[10]
    young["personal_number"] = personal_number(add_years(TODAY, -50), 733)
    for decision in data["decisions"]:
        if decision["client"] == ended["id"]:
            decision.update(decided=dt.date(2021, 3, 1), valid_until=dt.date(2023, 6, 30))
    path = write(tmp_path, data)
    out = tmp_path / "ut"
    result = run("letters", path, "-n", "2", "-o", out, "--date", TODAY.isoformat())
    assert result.exit_code == 0, result.output
    assert not (out / f"brukarbrev-2_{young['id']}.docx").exists()
    assert not (out / f"brukarbrev-2_{ended['id']}.docx").exists()
    manifest = (out / "forteckning_brukarbrev-2.csv").read_text("utf-8-sig")
    survey_day = data["survey"].get("sent") or dt.date(TODAY.year, 3, 1)
    assert f"{young['id']};{young['id']};hoppades över;;\"är " in manifest
    assert f"år den {survey_day.isoformat()}; enkäten gäller den som är 65 år eller äldre" in manifest
    assert f"{ended['id']};{ended['id']};hoppades över;;\"har inget gällande beslut om hemtjänst" in manifest
    everyone = tmp_path / "alla"
    result = run("letters", path, "-n", "2", "--all-clients", "-o", everyone, "--date", TODAY.isoformat())
    assert result.exit_code == 0, result.output
    assert (everyone / f"brukarbrev-2_{young['id']}.docx").exists() and (everyone / f"brukarbrev-2_{ended['id']}.docx").exists()


def test_protected_identity_kit_follows_skatteverkets_forwarding(tmp_path: Path) -> None:
    data = build_case(TODAY)
    protected = client(data, "b-003")
    assert protected["protected_identity"]
    out = tmp_path / "ut"
    result = run("letters", write(tmp_path, data), "-n", "3", "-o", out, "--date", TODAY.isoformat())
    assert result.exit_code == 0, result.output
    envelope = text_of(out / "skyddad-identitet" / f"innerkuvert_brukarbrev-3_{protected['id']}.docx")
    assert f"{protected['name']}\nPersonnummer: {protected['personal_number']}" in envelope
    assert "Vi känner inte till din adress" not in envelope
    assert "lämnar vi breven personligen" in envelope
    kit = text_of(out / "skyddad-identitet" / "sa-skickar-du_brukarbrev-3.docx")
    assert "Helst: lämna brevet vid ett besök" in kit
    assert "Skriv avsändaren på innerkuvertets baksida" in kit and "Box 2820" in kit
    assert protected["personal_number"] not in kit


# --- meetings: the right routine for the unit ------------------------------------------------------

def housing(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in data["clients"] if c["unit"] == "bs-syd"]


def test_a_boendestod_client_gets_no_terminssamtal(tmp_path: Path) -> None:
    data = build_case(TODAY)
    path = write(tmp_path, data)
    out = tmp_path / "ut"
    result = run("meetings", path, "--kind", "term", "-o", out, "--at", TODAY.isoformat())
    assert result.exit_code == 0, result.output
    made = {p.stem.split("_")[-1] for p in out.glob("terminssamtal-fragor_*.docx")}
    assert made == {c["id"] for c in short_stay(data)}
    assert "korttidsvistelsen" in text_of(next(out.glob("terminssamtal-fragor_*.docx")))
    one = housing(data)[0]
    refused = run("meetings", path, "--kind", "term", "--client", one["id"], "-o", tmp_path / "bs")
    assert refused.exit_code == 1 and "Boendestöd Syd har inga terminssamtal" in refused.output
    # a unit that sets terminssamtal on, with its own samtalsmall
    unit = next(u for u in data["units"] if u["id"] == "bs-syd")
    unit["term_meetings"] = True
    unit["term_questions"] = [{"id": "boende", "text": "Hur fungerar boendestödet i vardagen?", "help": "Utgå från veckoschemat."},
                              {"id": "mal", "text": "Hur går det med målen i genomförandeplanen?"}]
    own = tmp_path / "egen"
    result = run("meetings", write(tmp_path, data, "egen.yaml"), "--kind", "term", "--client", one["id"], "-o", own)
    assert result.exit_code == 0, result.output
    sheet = text_of(own / f"terminssamtal-fragor_{one['id']}.docx")
    assert "1. Hur fungerar boendestödet i vardagen?" in sheet and "2. Hur går det med målen" in sheet
    assert "korttidsvistelsen" not in sheet


def test_manadsuppfoljning_points_5_and_6_leave_room_to_write(tmp_path: Path) -> None:
    data = build_case(TODAY)
    one = housing(data)[1]
    out = tmp_path / "ut"
    result = run("meetings", write(tmp_path, data), "--kind", "monthly", "--client", one["id"], "-o", out)
    assert result.exit_code == 0, result.output
    document = docx.Document(str(out / f"manadsuppfoljning_{one['id']}.docx"))
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Nr")
    answers = {row.cells[0].text: row.cells[2].text for row in table.rows[1:]}
    assert list(answers) == ["1", "2", "3", "4", "5", "6", "7"]
    for number, answer in answers.items():  # Ja/Nej only where the point is a yes/no question
        assert ("Ja" in answer and "Nej" in answer) == (number not in ("5", "6")), (number, answer)
    assert answers["5"].strip() == "" and answers["6"].strip() == ""  # room to write


def test_hemgangssamtal_due_with_the_exact_deadline_and_the_log(tmp_path: Path) -> None:
    data = build_case(TODAY)
    waiting = next(m for m in data["meetings"] if m["kind"] == "homecoming" and m["status"] == "booked")
    waiting.update(stay_ended=TODAY - dt.timedelta(days=1), stay_ended_time="15.00")
    held = next(m for m in data["meetings"] if m["kind"] == "homecoming" and m["status"] == "held")
    held.update(spoken_with="mamma", passed_on="Sov gott, åt bra, ont i magen på söndagen.")
    path = write(tmp_path, data)
    result = run("meetings", path, "--due", "--at", TODAY.isoformat(), "-o", tmp_path / "due")
    assert result.exit_code == 0, result.output
    assert f"Ring senast {TODAY.isoformat()} kl. 15.00" in result.output
    late = run("meetings", path, "--due", "--at", (TODAY + dt.timedelta(days=1)).isoformat(), "-o", tmp_path / "due2")
    assert "Ring senast" not in late.output and "Inte dokumenterat som gjort" in late.output
    out = tmp_path / "logg"
    result = run("meetings", path, "--kind", "homecoming", "--client", held["client"], "-o", out, "--at", TODAY.isoformat())
    assert result.exit_code == 0, result.output
    log = text_of(out / f"hemgangssamtal_{held['client']}.docx")
    assert "Med vem" in log and "Vad vi förmedlade" in log
    assert "mamma" in log and "Sov gott, åt bra, ont i magen på söndagen." in log


# --- open care ---------------------------------------------------------------------------------------

def ended_insats(data: dict[str, Any], service: str) -> dict[str, Any]:
    return next(o for o in data["open_care"] if o["status"] != "ongoing" and o["service"] == service)


def test_bilaga_2_for_an_ended_insats_is_blank_and_coded(tmp_path: Path) -> None:
    data = build_case(TODAY)
    insats = ended_insats(data, "Stöd till våldsutsatta")
    insats.update(needs_met="yes", situation_after="improved")
    person = client(data, insats["client"])
    out = tmp_path / "ut"
    result = run("opencare", write(tmp_path, data), "--appendix", "2", "--period", str(insats["ended"].year), "-o", out,
                 "--date", TODAY.isoformat())
    assert result.exit_code == 0, result.output
    form = text_of(out / f"oppenvard-bilaga-2_{insats['id']}.docx")
    assert person["name"] not in form and "våldsutsatta" not in form and person["personal_number"] not in form
    assert "☒" not in form and "☐ Ja    ☐ Delvis    ☐ Nej" in form and "☐ Bättre" in form
    key = (out / f"oppenvard-bilaga-2_kodnyckel_{insats['ended'].year}.csv").read_text("utf-8-sig")
    row = next(line.split(";") for line in key.splitlines() if f";{insats['id']};" in line)
    assert row[0] in form and row[2] == person["id"]
    printed = text_of(next(out.glob("oppenvard-bilaga-2_alla_*.docx")))
    assert person["name"] not in printed and "våldsutsatta" not in printed


def test_bilaga_1_ages_and_numbers(tmp_path: Path) -> None:
    data = build_case(TODAY)
    insats = next(o for o in data["open_care"] if o["started"].year == TODAY.year)
    person = client(data, insats["client"])
    born = dt.date(insats["started"].year - 30, insats["started"].month, 1) + dt.timedelta(days=40)
    person["personal_number"] = personal_number(born, 777, coordination=True)  # turns 30 after the start
    out = tmp_path / "ut"
    result = run("opencare", write(tmp_path, data), "--appendix", "1", "--period", str(TODAY.year), "-o", out)
    assert result.exit_code == 0, result.output
    own = text_of(out / f"oppenvard-bilaga-1_{insats['id']}.docx")
    assert f"Samordningsnummer\n{person['personal_number']}" in own
    assert "Ålder när insatsen började\n29 år" in own  # not 30: the year difference
    printed = out / f"oppenvard-bilaga-1_alla_{TODAY.year}.docx"
    text = text_of(printed)
    for other in data["clients"]:
        assert other["personal_number"] not in text
    assert f"Klient-id\n{person['id']}" in text


def test_bilaga_3_dates_for_the_coming_round(tmp_path: Path) -> None:
    data = build_case(TODAY)
    path = write(tmp_path, data)
    november = dt.date(TODAY.year, 11, 23)
    out = tmp_path / "ut"
    result = run("opencare", path, "--appendix", "3", "-o", out, "--date", november.isoformat())
    assert result.exit_code == 0, result.output
    form = text_of(next(out.glob("oppenvard-bilaga-3_m-*.docx")))
    assert f"1 mars {TODAY.year + 1}" in form and f"{TODAY.year}-02" not in form
    old = run("opencare", path, "--appendix", "3", "--period", str(TODAY.year), "-o", tmp_path / "gammal",
              "--date", november.isoformat())
    assert f"Obs: Bilaga 3 för {TODAY.year} ber om svar senast {TODAY.year}-03-01, som redan har passerat" in old.output


def small_unit(data: dict[str, Any], period_start: dt.date) -> None:
    """A small öppenvård unit: six insatser in the current tertial, one client worse off."""
    people = [c["id"] for c in data["clients"] if c["unit"] == "ov-vagen"]
    outcomes = ["improved", "improved", "improved", "improved", "worsened", None]
    data["open_care"] = [
        {"id": f"sm-{i}", "client": people[i], "service": "Samtalsstöd ungdom", "started": period_start + dt.timedelta(days=i),
         "ended": period_start + dt.timedelta(days=20 + i) if outcome else None,
         "status": "completed" if outcome else "ongoing", "staff": "ov-1", "problems": ["skolfrånvaro"],
         **({"needs_met": "yes", "situation_after": outcome} if outcome else {})}
        for i, outcome in enumerate(outcomes)
    ]


def table_cells(document: docx.document.Document) -> list[tuple[list[str], str]]:
    """Every published figure table with a total: (the shown cells of the period, the total)."""
    out = []
    for table in document.tables:
        rows = [[c.text for c in row.cells] for row in table.rows]
        if rows and rows[-1][0] == "Summa":
            out.append(([r[1] for r in rows[1:-1]], rows[-1][1]))
    return out


def solve(shown: list[str], total: int, threshold: int) -> list[int]:
    """The hidden cells a reader can pin down: each "<t" is 0..t-1, each "x" 0..total."""
    ranges = [(0, threshold - 1) if s.startswith("<") else (0, total) for s in shown if not s.isdigit()]
    rest = total - sum(int(s) for s in shown if s.isdigit())
    lows, highs = sum(r[0] for r in ranges), sum(r[1] for r in ranges)
    return [i for i, (lo, hi) in enumerate(ranges) if max(lo, rest - (highs - hi)) >= min(hi, rest - (lows - lo))]


def test_bilaga_4_for_a_small_unit(tmp_path: Path) -> None:
    from formkit.opencare.figures import Period

    data = build_case(TODAY)
    period = Period.containing(TODAY)
    small_unit(data, period.start)
    out = tmp_path / "ut"
    result = run("opencare", write(tmp_path, data), "--appendix", "4", "--period", period.code, "-o", out,
                 "--date", TODAY.isoformat())
    assert result.exit_code == 0, result.output
    assert f"Obs: Perioden {period.label} är inte slut" in result.output
    document = docx.Document(str(out / f"oppenvard-bilaga-4_{period.code}.docx"))
    text = text_of(out / f"oppenvard-bilaga-4_{period.code}.docx")
    assert "Preliminär: perioden är inte slut" in text
    assert "Socialstyrelsen visar en enhets resultat först från 7 svarande" in text
    tables = table_cells(document)
    assert tables
    for shown, total in tables:
        assert total.isdigit() or total.startswith("<")
        if total.isdigit():
            assert "0" not in shown  # a zero beside a total would help subtract
            assert solve(shown, int(total), 5) == [], (shown, total)


def test_no_invitation_to_a_meeting_already_past(tmp_path: Path) -> None:
    data = build_case(TODAY)
    meeting = next(m for m in data["meetings"] if m["kind"] == "term_meeting" and m["status"] == "booked")
    meeting["date"] = TODAY - dt.timedelta(days=1) if TODAY.month not in (1, 7) or TODAY.day > 1 else TODAY
    if meeting["date"] == TODAY:
        pytest.skip("the first day of a term has no earlier day in it")
    out = tmp_path / "ut"
    result = run("meetings", write(tmp_path, data), "--kind", "term", "--client", meeting["client"], "-o", out,
                 "--at", TODAY.isoformat())
    assert result.exit_code == 0, result.output
    assert not list(out.glob("terminssamtal-inbjudan_*.docx"))
    assert f"bokat till en dag som redan har varit (ändra status till held, eller boka om), så ingen inbjudan: {meeting['client']}" in result.output
