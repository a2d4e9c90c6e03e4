"""Swedish words and formats shared by every document: months, weekdays, answers, dates, numbers.

A leaf module: it imports nothing from formkit, so the docx engine, the case model and every
family can use it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

MONTHS = [
    "januari", "februari", "mars", "april", "maj", "juni",
    "juli", "augusti", "september", "oktober", "november", "december",
]
WEEKDAYS = ["måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"]
ANSWERS = {"yes": "Ja", "partly": "Delvis", "no": "Nej", True: "Ja", False: "Nej", None: ""}

def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def iso_date(value: Any) -> str:
    """2026-12-03"""
    return "" if value in (None, "") else _as_date(value).isoformat()


def long_date(value: Any) -> str:
    """den 3 december 2026"""
    if value in (None, ""):
        return ""
    day = _as_date(value)
    return f"den {day.day} {MONTHS[day.month - 1]} {day.year}"


def weekday(value: Any) -> str:
    """torsdag"""
    return "" if value in (None, "") else WEEKDAYS[_as_date(value).weekday()]


def clock(value: Any) -> str:
    """kl. 14.00"""
    if value in (None, ""):
        return ""
    return f"kl. {str(value).replace(':', '.')}"


def answer(value: Any) -> str:
    """yes/partly/no (or True/False) as Ja/Delvis/Nej."""
    return ANSWERS.get(value, str(value))


def number(value: Any, decimals: int = 0) -> str:
    """84.5 -> "84,5" (Swedish decimal comma); None -> "–"."""
    if value is None:
        return "–"
    text = f"{float(value):.{decimals}f}"
    return text.replace(".", ",")


def percent(value: Any, decimals: int = 0) -> str:
    """84 -> "84 %" (with a non-breaking space, as Swedish typography wants)."""
    return "–" if value is None else f"{number(value, decimals)}\u00a0%"


FILTERS = {
    "iso_date": iso_date,
    "long_date": long_date,
    "weekday": weekday,
    "clock": clock,
    "answer": answer,
    "number": number,
    "percent": percent,
}
