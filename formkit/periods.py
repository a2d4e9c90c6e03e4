"""Periods and calendar days that several routines count in: tertials, years, first weekdays.

A tertial (T1 January–April, T2 May–August, T3 September–December) is the öppenvård summary's
period (three times a year, routine 004); the assessors' quality file and the årshjul use the
same periods and the same first-weekday rule, so they live here, below the families.

A leaf module: it imports nothing from formkit.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

TERMS = {1: (1, 4), 2: (5, 8), 3: (9, 12)}  # tertial -> first and last month
# The days formkit believes in: a date outside is a typing mistake (9999-12-31, 0202-05-01), and
# arithmetic on it (three years later, the next month) would fail far from where it was typed.
# The case model, the date options and the periods all use these bounds.
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2199, 12, 31)
DAY_RANGE_TEXT = f"mellan år {FIRST_DAY.year} och {LAST_DAY.year}"
TERM_MONTHS = {1: "januari–april", 2: "maj–augusti", 3: "september–december"}


def first_weekday(year: int, month: int) -> dt.date:
    """The first Monday–Friday of the month (1 February 2026 is a Sunday: the 2nd)."""
    day = dt.date(year, month, 1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


@dataclass(frozen=True, order=True)
class Period:
    """A tertial (T1 Jan–Apr, T2 May–Aug, T3 Sep–Dec) or, with ``term=None``, a whole year."""

    year: int
    term: int | None = None

    @classmethod
    def parse(cls, text: str) -> Period:
        """``2026-T1`` (also ``2026T1``, ``2026-t1``) or ``2026``; ValueError in Swedish otherwise."""
        match = re.fullmatch(r"\s*(\d{4})(?:-?[Tt]([123]))?\s*", text or "")
        if not match:
            raise ValueError(f"'{text}' är ingen period; skriv t.ex. 2026-T1 (januari–april), 2026-T2, 2026-T3 eller 2026 för hela året")
        year = int(match.group(1))
        if not FIRST_DAY.year <= year <= LAST_DAY.year:
            raise ValueError(f"'{text.strip()}' är inget rimligt år; välj en period {DAY_RANGE_TEXT}")
        return cls(year, int(match.group(2)) if match.group(2) else None)

    @classmethod
    def containing(cls, day: dt.date) -> Period:
        return cls(day.year, (day.month - 1) // 4 + 1)

    @classmethod
    def last_finished(cls, today: dt.date) -> Period:
        """The latest tertial that has ended by ``today``: the one bilaga 4 is made for."""
        return cls.containing(today).previous()

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, TERMS[self.term][0] if self.term else 1, 1)

    @property
    def end(self) -> dt.date:
        last_month = TERMS[self.term][1] if self.term else 12
        return (dt.date(self.year + 1, 1, 1) if last_month == 12 else dt.date(self.year, last_month + 1, 1)) - dt.timedelta(days=1)

    def previous(self) -> Period:
        """The period before, to compare with: T1 follows last year's T3; a year follows a year."""
        if self.term is None:
            return Period(self.year - 1)
        return Period(self.year - 1, 3) if self.term == 1 else Period(self.year, self.term - 1)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    @property
    def code(self) -> str:
        """2026-T1 or 2026: used in file names."""
        return f"{self.year}-T{self.term}" if self.term else str(self.year)

    @property
    def label(self) -> str:
        """tertial 1 2026 or helåret 2026: the one name people see for a period, mid-sentence."""
        return f"tertial {self.term} {self.year}" if self.term else f"helåret {self.year}"

    @property
    def dates(self) -> str:
        """2026-01-01 – 2026-04-30: the period's first and last day."""
        return f"{self.start.isoformat()} – {self.end.isoformat()}"

    @property
    def full(self) -> str:
        """Tertial 1 2026 (2026-01-01 – 2026-04-30): the label with its dates, as a heading."""
        return f"{self.label[:1].upper()}{self.label[1:]} ({self.dates})"


def easter_sunday(year: int) -> dt.date:
    """Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def holidays(year: int) -> set[dt.date]:
    """Swedish public holidays on weekdays that matter for a meeting, and the eves offices close
    (julafton, nyårsafton, midsommarafton)."""
    easter = easter_sunday(year)
    midsummer_eve = next(dt.date(year, 6, d) for d in range(19, 26) if dt.date(year, 6, d).weekday() == 4)
    return {
        dt.date(year, 1, 1), dt.date(year, 1, 6), easter - dt.timedelta(days=2), easter + dt.timedelta(days=1),
        dt.date(year, 5, 1), easter + dt.timedelta(days=39), dt.date(year, 6, 6), midsummer_eve,
        dt.date(year, 12, 24), dt.date(year, 12, 25), dt.date(year, 12, 26), dt.date(year, 12, 31),
    }


def is_workday(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in holidays(day.year)


def first_workday(year: int, month: int) -> dt.date:
    """The first weekday of the month that is not a holiday (2 January 2026; 7 January 2027 is a Thursday)."""
    day = dt.date(year, month, 1)
    while not is_workday(day):
        day += dt.timedelta(days=1)
    return day
