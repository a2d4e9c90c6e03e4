"""Swedish personal identity numbers (personnummer) and coordination numbers
(samordningsnummer, where 60 is added to the day of birth).

python-stdnum's ``se.personnummer`` does the Luhn checksum but rejects samordningsnummer, which
municipal care must accept, so the date rule is here and the checksum is stdnum's.
Messages never repeat the number itself (it is sensitive personal data).
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
    day = int(dd) - 60 if int(dd) > 60 else int(dd)
    if century is None:
        today = today or dt.date.today()
        year = 2000 + int(yy)
        while year > today.year:
            year -= 100
        if sep == "+":
            year -= 100
        century = str(year // 100)
    try:
        dt.date(int(century + yy), int(mm), day)
    except ValueError:
        raise ValueError("personnumret innehåller ett datum som inte finns") from None
    return f"{century}{yy}{mm}{dd}-{tail}"


def birth_date(number: str) -> dt.date:
    """Birth date of a normalised number (samordningsnummer: day minus 60)."""
    day = int(number[6:8])
    return dt.date(int(number[0:4]), int(number[4:6]), day - 60 if day > 60 else day)


def is_coordination_number(number: str) -> bool:
    return int(number[6:8]) > 60


def looks_like(value: str) -> bool:
    """True for anything shaped like a personnummer or samordningsnummer (10 or 12 digits,
    optionally with - or + before the last four), valid or not: such a value may not be an id."""
    return bool(PATTERN.match(value.strip().replace(" ", "")))


def mask(text: str) -> str:
    """``text`` with everything shaped like a personal number replaced by ``[personnummer]``."""
    return ANYWHERE.sub(MASK, text)


def echo(value: object, limit: int = ECHO_LIMIT) -> str:
    """A value the user typed, as a message may repeat it: personal numbers masked, and cut
    to ``limit`` characters (a 100 kB field is not printed back)."""
    text = mask(str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"
