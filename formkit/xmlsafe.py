"""What an XML 1.0 document (and so a .docx or .xlsx) cannot hold. A leaf module."""

from __future__ import annotations

import re

# Characters an XML 1.0 document (and so a .docx or .xlsx) cannot hold.
CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def control_char_problem(value: str) -> str | None:
    """A Swedish message if ``value`` holds a character Word/Excel cannot store."""
    found = CONTROL_CHARS.search(value)
    if found:
        return (
            f"innehåller ett osynligt styrtecken (U+{ord(found.group()):04X}) som Word och Excel "
            "inte kan lagra; skriv om texten utan det"
        )
    return None
