"""Small-count suppression, shared by every figure formkit publishes about a group of people.

Socialstyrelsen publishes a unit's results only from a handful of respondents; a count of two
clients in a small unit can point out who they are. So a count from 1 to threshold-1 is shown
as "<threshold". In a table whose rows add up to a shown total, zeros are hidden with the
small counts (a printed 0 beside a total lets the reader subtract), and then, as long as any
hidden cell could be solved for from the total and the shown cells (one equation, each hidden
cell known only to lie in its range: "<5" is 0–4, "x" any count), the smallest shown cell is
hidden as well, shown as "x" (secondary suppression). ``determined`` is that solver; the tests
run it on every published table. The threshold is a choice: 5 is common in Swedish official
statistics; Socialstyrelsen publishes a unit's survey results only from 7 respondents
(``--threshold 7`` gives the same rule here). Öppenvård bilaga 4 and the assessors' quality file both
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


def bounds(cell: Cell, total: int, strict: bool) -> tuple[int, int]:
    """What a reader knows of a hidden cell: "<5" is 0–4; "x" is any count up to the total (a
    reader who knows the rule also knows it is at least the threshold: ``strict``)."""
    if cell.secondary:
        return (cell.threshold if strict else 0), total
    return 0, cell.threshold - 1


def determined(cells: list[Cell], total: int, strict: bool = True) -> list[int]:
    """Indexes of hidden cells whose value follows from the total and the shown cells.

    The hidden cells must add up to ``total`` minus the shown ones, each within its bounds;
    a cell is determined when that leaves it a single possible value (with one equation and
    whole-number ranges, every value between the extremes is possible)."""
    hidden = [i for i, c in enumerate(cells) if c.suppressed]
    if not hidden:
        return []
    rest = total - sum(c.value for c in cells if not c.suppressed)
    ranges = {i: bounds(cells[i], total, strict) for i in hidden}
    low_sum, high_sum = sum(lo for lo, _ in ranges.values()), sum(hi for _, hi in ranges.values())
    out = []
    for i, (lo, hi) in ranges.items():
        least = max(lo, rest - (high_sum - hi))
        most = min(hi, rest - (low_sum - lo))
        if least >= most:
            out.append(i)
    return out


def suppress(values: list[int], threshold: int, total: int | None) -> tuple[list[Cell], Cell | None]:
    """Cells for ``values`` (and their ``total`` when they add up to it) with small counts hidden.

    Primary: a count below the threshold, shown "<5" (zeros too, where a total is shown).
    Secondary: while ``determined`` finds a hidden cell that the total gives away, the smallest
    shown cell is hidden too, shown "x" (it is not below the threshold, so "<5" would be untrue).
    """
    if threshold <= 1:
        cells = [Cell(v, False, threshold) for v in values]
        return cells, (Cell(total, False, threshold) if total is not None else None)
    if total is None:
        return [Cell(v, 0 < v < threshold, threshold) for v in values], None
    if total == 0:  # nobody to count: nothing to hide
        return [Cell(v, False, threshold) for v in values], Cell(total, False, threshold)
    cells = [Cell(v, v < threshold, threshold) for v in values]
    total_cell = Cell(total, 0 < total < threshold, threshold)
    if total_cell.suppressed or not any(c.suppressed for c in cells):
        return cells, total_cell
    while determined(cells, total):
        shown = [c for c in cells if not c.suppressed]
        if not shown:
            break
        chosen = min(shown, key=lambda c: c.value)
        chosen.suppressed = chosen.secondary = True
    if determined(cells, total, strict=False):
        # every row is small and together they fill their ranges (say 4 + 4 = 8): "<5" on each
        # would tell; marked "x" (any count) they do not
        for cell in cells:
            cell.secondary = True
    return cells, total_cell
