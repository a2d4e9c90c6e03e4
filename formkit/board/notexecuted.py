"""The quarter's list of ej verkställda beslut: decisions not carried out within three months.

The municipality reports every such decision to IVO each quarter (SoL 16 kap. 6 f §, LSS 28 f §),
and routine 002 point 6 asks the assessor to find out why a decision has not been executed. The
list holds what the report needs and nothing that identifies the client beyond the case file's
id: gender and birth year, never the personal number.
"""

from __future__ import annotations

import calendar
import datetime as dt
import io
import re
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from formkit.board.columns import is_ended
from formkit.case.model import Case
from formkit.errors import DataError
from formkit.options import Options
from formkit.output import Output
from formkit.xlsx import landscape_fit, put

LEGAL_BASIS = {"SoL": "SoL 16 kap. 6 f §", "LSS": "LSS 28 f §"}
GENDER = {"female": "Kvinna", "male": "Man", "other": "Annat", "unknown": "Okänt"}
HEADERS = ["Beslut-id", "Klient-id", "Kön", "Födelseår", "Lag", "Rapporteras enligt", "Insatser", "Beslutsdatum",
           "Dagar sedan beslut", "Orsak", "Handläggare"]
WIDTHS = [13, 10, 8, 10, 6, 17, 24, 13, 10, 40, 18]
HEADER_FILL = PatternFill("solid", start_color="1F4E78", end_color="1F4E78")


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        m = re.fullmatch(r"(\d{4})-[KkQq]([1-4])", text.strip())
        if not m:
            raise DataError(f"'{text}' är inget kvartal; skriv till exempel 2026-K3 (juli–september 2026).")
        return cls(int(m.group(1)), int(m.group(2)))

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def end(self) -> dt.date:
        month = self.number * 3
        return dt.date(self.year, month, calendar.monthrange(self.year, month)[1])

    @property
    def code(self) -> str:
        return f"{self.year}-K{self.number}"


def add_months(day: dt.date, months: int) -> dt.date:
    """Excel's EDATE: the same day ``months`` on, or the month's last day."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class NotExecutedOptions(Options):
    """``quarter``: the reporting quarter (default: the one ``today`` is in); ``assessor``: one only."""

    quarter: Quarter | None = None
    assessor: str | None = None


def plan(case: Case, options: NotExecutedOptions) -> Output:
    quarter = options.quarter or Quarter.of(options.today)
    end = quarter.end
    due = [d for d in case.decisions
           if not d.executed and not is_ended(d) and add_months(d.decided, 3) <= end
           and (options.assessor is None or d.assessor == options.assessor)]
    due.sort(key=lambda d: (d.decided, d.id))
    wb = Workbook()
    ws = wb.active
    ws.title = "Ej verkställda"
    put(ws, 1, 1, f"Ej verkställda beslut äldre än tre månader, {quarter.code} (per {end.isoformat()})",
        font=Font(bold=True, size=13))
    put(ws, 2, 1, "Rapporteras till IVO varje kvartal (SoL 16 kap. 6 f §, LSS 28 f §). Klienten anges med id, "
        "kön och födelseår, aldrig personnummer.")
    for col, (header, width) in enumerate(zip(HEADERS, WIDTHS), start=1):
        put(ws, 4, col, header, font=Font(bold=True, color="FFFFFF"), fill=HEADER_FILL,
            alignment=Alignment(wrap_text=True, vertical="center"))
        ws.column_dimensions[ws.cell(4, col).column_letter].width = width
    for r, d in enumerate(due, start=5):
        client = case.client(d.client)
        values = [d.id, client.id, GENDER[client.gender], client.year_of_birth, d.law, LEGAL_BASIS[d.law],
                  ", ".join(d.services), d.decided, (end - d.decided).days, d.not_executed_reason or "Orsak ej angiven",
                  case.staff_member(d.assessor).name]
        for col, value in enumerate(values, start=1):
            put(ws, r, col, value, alignment=Alignment(vertical="top", wrap_text=col == 10))
    ws.freeze_panes = "A5"
    landscape_fit(ws)
    ws.print_title_rows = "4:4"
    buffer = io.BytesIO()
    wb.save(buffer)
    output = Output("ej verkställda beslut")
    output.add(f"ej-verkstallda_{quarter.code}.xlsx", buffer.getvalue())
    by_law = {law: sum(d.law == law for d in due) for law in ("SoL", "LSS")}
    output.summary.append(f"{len(due)} ej verkställda beslut äldre än tre månader per {end.isoformat()} "
                          f"(SoL {by_law['SoL']}, LSS {by_law['LSS']}); listan är underlaget till kvartalsrapporten till IVO.")
    if any(not d.not_executed_reason for d in due):
        output.warnings.append("Orsak saknas för " + ", ".join(d.id for d in due if not d.not_executed_reason)
                               + "; skriv den under not_executed_reason i beslutet.")
    return output
