"""Swedish personal identity numbers (personnummer) and coordination numbers
(samordningsnummer, where 60 is added to the day of birth).

python-stdnum's ``se.personnummer`` does the Luhn checksum but rejects samordningsnummer, which
municipal care must accept, so the date rule is here and the checksum is stdnum's.
Messages never repeat the number itself (it is sensitive personal data).

A 10-digit number (``ÅÅMMDD-NNNN``) does not say its century. Skatteverket's rule: the
separator is ``-`` until the year the person turns 100 and ``+`` from then on, so the century
is the one that puts the birth date in the past (on or before the day the number is read), and
a ``+`` moves it a further hundred years back. "261215-1239" read on 2026-11-23 is therefore
1926-12-15, not a birth three weeks ahead.
"""

from __future__ import annotations

import datetime as dt
import re

from stdnum import luhn
from stdnum.exceptions import ValidationError as StdnumError

PATTERN = re.compile(r"^(\d{2})?(\d{2})(\d{2})(\d{2})([-+]?)(\d{4})$")
# The shape alone (6 or 8 digits, an optional - or + or space, 4 digits), wherever it stands in a
# text: what messages must never repeat, whether or not the checksum is right.
ANYWHERE = re.compile(r"(?<!\d)(?:\d{2})?\d{6}[-+ ]?\d{4}(?!\d)")
MASK = "[personnummer]"
ECHO_LIMIT = 60

LABELS = {"personnummer": "Personnummer", "samordningsnummer": "Samordningsnummer"}


def _birth(year: int, month: int, day: int) -> dt.date:
    return dt.date(year, month, day - 60 if day > 60 else day)


def _on_or_before(year: int, month: int, day: int, today: dt.date) -> bool:
    """Is the birth on or before ``today``? (29 February of a common year compares as 28 February;
    the date itself is checked afterwards.)"""
    try:
        return _birth(year, month, day) <= today
    except ValueError:
        return _birth(year, month, day - 1) <= today


def normalise(value: str, today: dt.date | None = None) -> str:
    """Return the number as ``ÅÅÅÅMMDD-NNNN``; raise ValueError (Swedish) if it is not valid."""
    match = PATTERN.match(value.replace(" ", ""))
    if not match:
        raise ValueError("personnumret ska skrivas ÅÅÅÅMMDD-NNNN (12 siffror) eller ÅÅMMDD-NNNN")
    century, yy, mm, dd, sep, tail = match.groups()
    try:
        luhn.validate(yy + mm + dd + tail)
    except StdnumError:
        raise ValueError("personnumret har fel kontrollsiffra; kontrollera siffrorna") from None
    try:
        if century is None:
            today = today or dt.date.today()
            year = 2000 + int(yy)
            if year > today.year:
                year -= 100
            if not _on_or_before(year, int(mm), int(dd), today):  # the century that puts the birth in the past
                year -= 100
            if sep == "+":
                year -= 100
            century = str(year // 100)
        _birth(int(century + yy), int(mm), int(dd))
    except ValueError:
        raise ValueError("personnumret innehåller ett datum som inte finns") from None
    return f"{century}{yy}{mm}{dd}-{tail}"


def birth_date(number: str) -> dt.date:
    """Birth date of a normalised number (samordningsnummer: day minus 60)."""
    return _birth(int(number[0:4]), int(number[4:6]), int(number[6:8]))


def is_coordination_number(number: str) -> bool:
    return int(number[6:8]) > 60


def looks_like(value: str) -> bool:
    """True for anything shaped like a personnummer or samordningsnummer (10 or 12 digits,
    optionally with - or + before the last four), valid or not: such a value may not be an id."""
    text = value.strip()
    # every id and reference of a case file comes here; most start with a letter, which no
    # number does (the pattern's \d matches nothing str.isdigit refuses)
    return text[:1].isdigit() and bool(PATTERN.match(text.replace(" ", "")))


def mask(text: str) -> str:
    """``text`` with everything shaped like a personal number replaced by ``[personnummer]``."""
    return ANYWHERE.sub(MASK, text)


def echo(value: object, limit: int = ECHO_LIMIT) -> str:
    """A value the user typed, as a message may repeat it: personal numbers masked, and cut
    to ``limit`` characters (a 100 kB field is not printed back)."""
    text = mask(str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"

def label(number: str) -> str:
    """What the number is called on a form: "Personnummer" or "Samordningsnummer"."""
    return LABELS["samordningsnummer" if is_coordination_number(number) else "personnummer"]
