"""The board workbook's fixed names and its colour rules, shared by the writer and the template
generator (``tools/make_sheet_templates.py``).

The colours are Excel conditional formatting with ``TODAY()``, so the same file changes colour
day by day without being regenerated:

* red: the date has passed, or there is no consent (the cell says ``Saknas``); yellow: it is at
  most two months away (``EDATE(TODAY(),2)``); green: later; an empty cell is not coloured
  (``ISNUMBER`` guard: a blank counts as 0);
* a decision that is not executed (Verkställt = Nej) is orange across the rest of its row (fill
  only: bold text would not fit its cells on paper).

Formulas in rules are written the way the file format stores them: English names, commas. Each
rule is recognised again by its formula (``rule_kind``), so a regeneration replaces formkit's
rules, keeps the fill and font the user gave them, and leaves the user's own rules alone.
"""

from __future__ import annotations

import re

MAIN_SHEET = "Uppföljningstavla"
ARCHIVE_SHEET = "Arkiv"
LEGEND_SHEET = "Förklaring"
SNAPSHOT_SHEET = "formkit"  # hidden: the system values as generated, to tell typed edits apart
TABLE_NAME = "Uppfoljningar"
ARCHIVED_HEADER = "Arkiverad"
TEMPLATE_NAME = "uppfoljningstavla.xlsx"
DATE_FORMAT = "yyyy-mm-dd"
SPARE_ROWS = 200  # rows typed below the table still get the colours
RULE_KINDS = ("passed", "soon", "later", "not_executed")


def rule_formulas(letter: str, row: int, executed_letter: str) -> dict[str, str]:
    """The rules for the date column ``letter`` (top cell in ``row``) and the orange row rule."""
    top = f"{letter}{row}"
    return {
        "passed": f'OR(AND(ISNUMBER({top}),{top}<TODAY()),{top}="Saknas")',
        "soon": f"AND(ISNUMBER({top}),{top}>=TODAY(),{top}<=EDATE(TODAY(),2))",
        "later": f"AND(ISNUMBER({top}),{top}>EDATE(TODAY(),2))",
        "not_executed": f'${executed_letter}{row}="Nej"',
    }


def rule_kind(formula: str) -> str | None:
    """Which of formkit's rules ``formula`` is (also those of earlier formkit versions), or
    ``None`` for a rule the user made."""
    f = formula.replace(" ", "").upper()
    if re.fullmatch(r'\$[A-Z]{1,3}\d+="NEJ"', f):
        return "not_executed"
    if not re.search(r"ISNUMBER\([A-Z]{1,3}\d+\)", f):
        return None
    if ">EDATE(TODAY(),2)" in f:
        return "later"
    if ">=TODAY()" in f and "<=EDATE(TODAY(),2)" in f:
        return "soon"
    if "<TODAY()" in f:
        return "passed"
    return None
