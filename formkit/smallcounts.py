"""Small-count suppression, shared by every figure formkit publishes about a group of people.

Socialstyrelsen publishes a unit's results only from a handful of respondents; a count of two
clients in a small unit can point out who they are. So a count from 1 to threshold-1 is shown
as "<threshold" (0 stays 0). In a table whose rows add up to a shown total, a single hidden
row could be worked out as total minus the others, so the smallest other row is hidden too,
shown as "x" (secondary suppression). Öppenvård bilaga 4 and the assessors' quality file both
use this module, so they hide exactly the same things.

A leaf module: it imports nothing from formkit.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_THRESHOLD = 5
SECONDARY_MARK = "x"


@dataclass
class Cell:
    """One count as shown: "<5" when it is small, "x" when it is hidden so that a small count
    cannot be found by subtraction (it may be any size), else the number."""

    value: int
    suppressed: bool = False
    threshold: int = DEFAULT_THRESHOLD
    secondary: bool = False

    @property
    def text(self) -> str:
        if not self.suppressed:
            return str(self.value)
        return SECONDARY_MARK if self.secondary else f"<{self.threshold}"

    @property
    def shown(self) -> int | str:
        """What a spreadsheet cell holds: the number, or the text "<5" or "x"."""
        return self.text if self.suppressed else self.value


def suppress(values: list[int], threshold: int, total: int | None) -> tuple[list[Cell], Cell | None]:
    """Cells for ``values`` (and their ``total`` when they add up to it) with small counts hidden.

    Primary: 0 < n < threshold, shown "<5". Secondary: if the total is shown and exactly one
    row is hidden, the smallest other non-zero row is hidden as well, shown "x" (it is not
    below the threshold, so "<5" would be untrue), so nothing can be found by subtraction.
    """
    cells = [Cell(v, 0 < v < threshold, threshold) for v in values]
    total_cell = Cell(total, 0 < total < threshold, threshold) if total is not None else None
    if total_cell is not None and not total_cell.suppressed:
        hidden = [c for c in cells if c.suppressed]
        if len(hidden) == 1:
            candidates = [c for c in cells if not c.suppressed and c.value > 0] or [c for c in cells if not c.suppressed]
            if candidates:
                chosen = min(candidates, key=lambda c: c.value)
                chosen.suppressed = chosen.secondary = True
    return cells, total_cell
