"""formkit arshjul: the year of each routine as a calendar (.ics) and a checklist (xlsx)."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

import icalendar
import pytest
import yaml
from click.testing import CliRunner
from openpyxl import load_workbook

from formkit.arshjul.steps import SPECS
from formkit.cli import main
from formkit.example import build_case
from formkit.periods import holidays
from helpers import write_case

TODAY = dt.date(2026, 11, 23)
# Routine 001, step by step, in the month the routine gives it ("I februari skickas brukarbrev 1" …)
ROUTINE_001 = {
    "001-brukarmapp": 1, "001-apt": 1, "001-workshop-jan": 1,
    "001-webb": 2, "001-brukarlista": 2, "001-brev-1": 2, "001-brukarfika-feb": 2,
    "001-enkat": 3, "001-under": 3, "001-brukarfika-var": 4, "001-sista-svar": 5, "001-brev-2": 6, "001-brev-3": 9,
    "001-resultat-lg": 10, "001-resultat-enhet": 10,
    "001-brev-4": 11, "001-webb-resultat": 11, "001-brukarfika-nov": 11, "001-workshop-nov": 11,
    "001-stratsys": 12, "001-genomgang": 12, "001-arshjul": 12,
}


def example(tmp_path: Path) -> Path:
    path = tmp_path / "arenden.yaml"
    path.write_text(yaml.safe_dump(build_case(TODAY), allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def run(*args: object):
    return CliRunner().invoke(main, ["arshjul", *map(str, args)], catch_exceptions=False)


def events(path: Path) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT"))


def key_of(event: icalendar.Event, unit: str, year: int) -> str:
    uid = str(event["UID"])
    assert uid.startswith(f"{year}-{unit}-") and uid.endswith("@formkit")
    return uid[len(f"{year}-{unit}-"):-len("@formkit")]


def test_every_step_of_routine_001_in_its_month(tmp_path: Path) -> None:
    out = tmp_path / "ut"
    result = run(example(tmp_path), "--year", 2026, "--unit", "ht-norra", "--date", TODAY, "-o", out)
    assert result.exit_code == 0, result.output
    found = events(out / "arshjul_ht-norra_2026.ics")
    months = {key_of(e, "ht-norra", 2026): e.decoded("DTSTART").month for e in found}
    assert months == ROUTINE_001
    for event in found:  # what Outlook and LibreOffice need of every event
        for name in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "DESCRIPTION"):
            assert name in event, name
        start = event.decoded("DTSTART")
        day = start.date() if isinstance(start, dt.datetime) else start
        assert day.year == 2026
        if key_of(event, "ht-norra", 2026) != "001-sista-svar":  # the survey's own date (a Sunday) is kept as it is
            assert day.weekday() < 5 and day not in holidays(2026)
        assert "Ansvarig: " in event["DESCRIPTION"] and "Förbered: " in event["DESCRIPTION"]
        alarms = list(event.walk("VALARM"))
        if day < TODAY:
            assert alarms == [] and "Passerat när årshjulet gjordes (2026-11-23)" in event["DESCRIPTION"]
        else:
            (alarm,) = alarms
            assert alarm["ACTION"] == "DISPLAY" and alarm.decoded("TRIGGER") < dt.timedelta(0) and alarm["DESCRIPTION"]
    assert len({str(e["UID"]) for e in found}) == len(found)


def test_dates_follow_the_case_file(tmp_path: Path) -> None:
    out = tmp_path / "ut"
    assert run(example(tmp_path), "--year", 2026, "--unit", "ht-norra", "--date", TODAY, "-o", out).exit_code == 0
    by_key = {key_of(e, "ht-norra", 2026): e for e in events(out / "arshjul_ht-norra_2026.ics")}
    # the survey's dates (sent 9 March, answer by 24 May, results 14 October)
    assert by_key["001-enkat"].decoded("DTSTART") == dt.date(2026, 3, 9)
    assert by_key["001-sista-svar"].decoded("DTSTART") == dt.date(2026, 5, 24)
    results = by_key["001-resultat-lg"].decoded("DTSTART")
    # at the unit's first meeting (tisdag 13.00) after the results came; the unit's own the week after
    assert results == dt.datetime(2026, 10, 20, 13, 0, tzinfo=results.tzinfo) and str(results.tzinfo) == "Europe/Stockholm"
    assert by_key["001-brev-1"].decoded("DTSTART").weekday() == 1
    assert "Dokument: formkit letters arenden.yaml -n 1 --unit ht-norra --pdf" in by_key["001-brev-1"]["DESCRIPTION"]


def test_calendar_is_well_formed_for_importers(tmp_path: Path) -> None:
    out = tmp_path / "ut"
    assert run(example(tmp_path), "--year", 2027, "--date", TODAY, "-o", out).exit_code == 0
    raw = (out / "arshjul_ht-norra_2027.ics").read_bytes()
    lines = raw.split(b"\r\n")
    assert raw.endswith(b"\r\n") and all(len(line) <= 75 for line in lines)  # RFC 5545 folding, CRLF
    text = raw.decode("utf-8")
    assert text.index("BEGIN:VTIMEZONE") < text.index("BEGIN:VEVENT")  # the zone before the events that name it
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" in text
    assert "VTODO" not in text  # Outlook imports events, not tasks
    # 2027 has no survey in the example: the survey steps keep their month and say so
    by_key = {key_of(e, "ht-norra", 2027): e for e in events(out / "arshjul_ht-norra_2027.ics")}
    assert "datumet är ungefärligt" in by_key["001-sista-svar"]["DESCRIPTION"]
    # every kind of unit gets its routine
    for unit, routine in (("kv-solrosen", "000"), ("bs-syd", "003"), ("ov-vagen", "004"), ("myndighet", "002")):
        keys = {key_of(e, unit, 2027) for e in events(out / f"arshjul_{unit}_2027.ics")}
        assert keys and all(k.startswith(routine + "-") for k in keys), unit
    ov = {key_of(e, "ov-vagen", 2027): e for e in events(out / "arshjul_ov-vagen_2027.ics")}
    assert ov["004-bilaga-3"].decoded("DTSTART") == dt.date(2027, 2, 1)
    assert ov["004-bilaga-3-svar"].decoded("DTSTART") == dt.date(2027, 3, 1)
    assert ov["004-ledningsgrupp"].decoded("DTSTART").month == 5 and ov["004-analys"].decoded("DTSTART").month == 4
    kv = [e.decoded("DTSTART").month for e in events(out / "arshjul_kv-solrosen_2027.ics")
          if str(e["UID"]).split("-", 3)[-1].startswith("000-klart")]
    assert kv == [6, 12]  # terminssamtal twice a year


def test_checklist_has_the_same_steps_a_status_list_and_late_colours(tmp_path: Path) -> None:
    out = tmp_path / "ut"
    assert run(example(tmp_path), "--year", 2026, "--unit", "ht-norra", "--date", TODAY, "-o", out).exit_code == 0
    book = load_workbook(out / "arshjul_ht-norra_2026.xlsx")
    assert book.sheetnames == ["Rutin 001"]
    ws = book["Rutin 001"]
    header = [c.value for c in ws[4]]
    assert header[:10] == ["Steg", "Månad", "Datum", "Ansvarig", "Förbered", "Dokument (formkit)", "Status", "Klart datum",
                           "Kommentar", "Läge"]
    rows = [dict(zip(header, r)) for r in ws.iter_rows(min_row=5, values_only=True)]
    assert {r["Nyckel"]: r["Datum"].month for r in rows} == ROUTINE_001
    ics = {key_of(e, "ht-norra", 2026) for e in events(out / "arshjul_ht-norra_2026.ics")}
    assert {r["Nyckel"] for r in rows} == ics
    assert all(r["Status"] == "Ej påbörjad" and "TODAY()" in r["Läge"] for r in rows)
    brev = next(r for r in rows if r["Nyckel"] == "001-brev-2")
    assert brev["Månad"] == "juni" and brev["Ansvarig"] == "Koordinator" and brev["Dokument (formkit)"].startswith("formkit letters")
    (validation,) = ws.data_validations.dataValidation
    assert validation.formula1 == '"Ej påbörjad,Pågår,Klar,Ej aktuell"'
    rules = [r.formula[0] for cf in ws.conditional_formatting for r in cf.rules]
    assert any("<TODAY()" in f for f in rules) and any('"Klar"' in f for f in rules)
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
    assert ws.print_title_rows == "$4:$4" and ws.column_dimensions["K"].hidden


def test_regeneration_keeps_status_and_comments(tmp_path: Path) -> None:
    case, out = example(tmp_path), tmp_path / "ut"
    assert run(case, "--year", 2026, "--unit", "ht-norra", "--date", TODAY, "-o", out).exit_code == 0
    path = out / "arshjul_ht-norra_2026.xlsx"
    book = load_workbook(path)
    ws = book["Rutin 001"]
    header = [c.value for c in ws[4]]
    row = next(r for r in range(5, ws.max_row + 1) if ws.cell(r, header.index("Nyckel") + 1).value == "001-brev-1")
    ws.cell(row, header.index("Status") + 1).value = "Klar"
    ws.cell(row, header.index("Klart datum") + 1).value = dt.date(2026, 2, 11)
    ws.cell(row, header.index("Kommentar") + 1).value = "=skickat med posten"
    book.save(path)
    again = run(case, "--year", 2026, "--unit", "ht-norra", "--date", TODAY, "-o", out)
    assert again.exit_code == 0, again.output
    rows = [dict(zip(header, r)) for r in load_workbook(path)["Rutin 001"].iter_rows(min_row=5, values_only=True)]
    kept = next(r for r in rows if r["Nyckel"] == "001-brev-1")
    assert kept["Status"] == "Klar" and kept["Klart datum"].date() == dt.date(2026, 2, 11)
    assert kept["Kommentar"] == "=skickat med posten"  # text, never run as a formula
    assert len(list((out / "sakerhetskopior").iterdir())) == 1


def test_meeting_day_and_missing_unit(tmp_path: Path) -> None:
    units = [{"id": "ht-norra", "name": "Hemtjänst Norra", "kind": "home_care", "manager": "ec-1", "meeting_day": "Onsdag"}]
    case = write_case(tmp_path, units=units + [{"id": "bs-syd", "name": "B", "kind": "housing_support"},
                                               {"id": "myndighet", "name": "M", "kind": "assessment"}])
    out = tmp_path / "ut"
    result = run(case, "--year", 2027, "--unit", "ht-norra", "-o", out)
    assert result.exit_code == 0, result.output
    days = {e.decoded("DTSTART").weekday() for e in events(out / "arshjul_ht-norra_2027.ics")
            if "Enhetschef" in str(e["CATEGORIES"].to_ical())}
    assert 2 in days  # onsdag
    apt = next(e for e in events(out / "arshjul_ht-norra_2027.ics") if str(e["UID"]).endswith("-001-apt@formkit"))
    assert apt.decoded("DTSTART") == dt.date(2027, 1, 20)  # the second working onsdag: the 6th is trettondedag jul
    wrong = run(case, "--unit", "ht-nora", "-o", tmp_path / "ut2")
    assert wrong.exit_code == 1 and "Menade du 'ht-norra'?" in wrong.output and not (tmp_path / "ut2").exists()


@pytest.mark.soffice
def test_checklist_prints_on_a4_one_page_wide_nothing_under_8_pt(tmp_path: Path) -> None:
    out = tmp_path / "ut"
    result = run(example(tmp_path), "--year", 2026, "--unit", "ht-norra", "--date", TODAY, "--pdf", "-o", out)
    assert result.exit_code == 0, result.output
    pdf = out / "arshjul_ht-norra_2026.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    width, height = (float(x) for x in re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    assert round(width) == 842 and round(height) == 595  # A4 landscape
    first_page = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "Läge" in first_page and "Kommentar" in first_page  # every column on the page: one page wide
    boxes = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    heights = [float(b) - float(a) for a, b in re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', boxes)]
    # a word box is about 1.22 times the font size (Carlito/Calibri): 8 pt is a box of 9.8
    assert heights and min(heights) >= 9.6


def test_every_command_in_the_year_is_a_real_formkit_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the checklist tells people to run parses as a formkit command line, options and all."""
    monkeypatch.chdir(tmp_path)
    example(tmp_path)
    (tmp_path / "anteckningar.yaml").write_text("client: b-027\n", encoding="utf-8")
    commands = {part.strip() for spec in SPECS for part in spec.command.split(";") if part.strip()}
    assert len(commands) > 15
    for line in commands:
        line = line.format(case="arenden.yaml", unit="ht-norra", year=2027, next=2028, previous=2026)
        words = line.split()
        assert words[0] == "formkit", line
        command = main.commands[words[1]]
        command.make_context(words[1], words[2:])  # raises on an unknown option or a bad value
