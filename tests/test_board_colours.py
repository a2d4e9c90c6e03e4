"""The board's colours as LibreOffice computes them from TODAY(), today and with the clock moved.

LibreOffice's HTML export writes each cell's background as the conditional formatting gives it
on the day of the conversion, so converting the workbook and reading ``bgcolor`` shows what a
user sees when opening the file. ``faketime`` moves LibreOffice's clock: the SAME file (not
regenerated) must then show the colours of the new day.
"""

from __future__ import annotations

import calendar
import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import BASE, write_case
from lxml import html

from formkit.case.model import add_years
from formkit.cli import main

RED, YELLOW, GREEN, ORANGE = "#FFC7CE", "#FFEB9C", "#C6EFCE", "#F8CBAD"


def add_months(day: dt.date, months: int) -> dt.date:
    """Excel's EDATE: the same day n months on, or the month's last day."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def expected(due: dt.date | None, today: dt.date) -> str | None:
    """The rule the board promises: red passed, yellow within two months, green later, blank none."""
    if due is None:
        return None
    if due < today:
        return RED
    if due <= add_months(today, 2):
        return YELLOW
    return GREEN


def soffice() -> str:
    return shutil.which("soffice") or shutil.which("libreoffice") or "soffice"


def computed_cells(xlsx: Path, work: Path, fake: dt.date | None = None) -> list[dict[str, tuple[str, str | None]]]:
    """Each row of the main sheet as header -> (text, background) as LibreOffice draws it."""
    out = work / ("html-" + (fake.isoformat() if fake else "today"))
    command = [soffice(), f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--norestore",
               "--convert-to", "html", "--outdir", str(out), str(xlsx)]
    if fake:
        command = ["faketime", "-f", f"@{fake.isoformat()} 08:00:00", *command]
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    page = html.fromstring((out / (xlsx.stem + ".html")).read_bytes())
    table = page.xpath("//table")[0]
    rows = table.xpath("./tr | ./tbody/tr")
    headers = [td.text_content().strip() for td in rows[0].xpath("./td")]
    result = []
    for tr in rows[1:]:
        cells = tr.xpath("./td")
        result.append({h: (td.text_content().strip(), td.get("bgcolor")) for h, td in zip(headers, cells)})
    return [r for r in result if r.get("Beslut-id", ("", None))[0]]


def decisions_due_on(targets: list[dt.date]) -> list[dict[str, object]]:
    """Time-limited decisions whose next follow-up is exactly each target date."""
    out = []
    for i, due in enumerate(targets):
        out.append({"id": f"B-{i:03d}", "client": "b-001" if i % 2 else "b-002", "assessor": "bh-1",
                    "services": ["HEMTJÄNST"], "law": "SoL", "decided": (due - dt.timedelta(days=400)).isoformat(),
                    "valid_until": due.isoformat(), "executed": i != 3})
    return out


def parse(text: str) -> dt.date | None:
    """A date cell's text; "Saknas" (no consent on file) counts as passed: red."""
    if text == "Saknas":
        return dt.date.min
    return dt.date.fromisoformat(text) if text else None


@pytest.mark.soffice
@pytest.mark.faketime
def test_colours_today_and_with_the_clock_moved(tmp_path: Path) -> None:
    today = dt.date.today()
    later = add_years(today, 4)
    window = add_months(today, 2)
    targets = [
        today - dt.timedelta(days=30), today - dt.timedelta(days=1),  # passed
        today, today + dt.timedelta(days=20), window,  # inside the two months
        window + dt.timedelta(days=1), today + dt.timedelta(days=300),  # after
        later + dt.timedelta(days=20), later + dt.timedelta(days=500),  # green now, yellow/green later
    ]
    clients = [dict(BASE["clients"][0], consent={"signed": add_years(today - dt.timedelta(days=10), -3).isoformat()}),
               dict(BASE["clients"][1])]  # no consent: "Saknas", red
    case = write_case(tmp_path, decisions=decisions_due_on(targets), clients=clients)
    result = CliRunner().invoke(main, ["board", str(case), "-o", str(tmp_path / "ut")])
    assert result.exit_code == 0, result.output
    board = tmp_path / "ut" / "uppfoljningstavla_bh-1.xlsx"
    before = board.read_bytes()

    for day in (today, later):
        rows = computed_cells(board, tmp_path, fake=None if day == today else day)
        assert len(rows) == len(targets)
        seen = set()
        for row in rows:
            due_text, due_colour = row["Nästa uppföljning"]
            assert due_colour == expected(parse(due_text), day), (day, row["Beslut-id"], due_text)
            seen.add(due_colour)
            consent_text, consent_colour = row["Samtycke gäller till"]
            assert consent_colour == expected(parse(consent_text), day), (day, row["Beslut-id"], consent_text)
            # a non-executed decision stands out across its row, the date cells keep their colours
            assert (row["Klient"][1] == ORANGE) == (row["Verkställt"][0] == "Nej")
        if day == today:
            assert seen == {RED, YELLOW, GREEN}
            assert {row["Samtycke gäller till"][1] for row in rows} == {RED}
            assert {row["Samtycke gäller till"][0] for row in rows} > {"Saknas"}
        else:
            # four years on: everything due before is red, the later ones yellow and green
            assert seen == {RED, YELLOW, GREEN}
            assert [row["Nästa uppföljning"][1] for row in rows][-2:] == [YELLOW, GREEN]
    assert board.read_bytes() == before  # the same file, not regenerated
