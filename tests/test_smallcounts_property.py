"""Property: no published table can be solved for a hidden count (issue 12, point 4).

Whatever the counts and the threshold, a table as ``formkit.smallcounts`` publishes it — cells
shown as numbers, "<5" or "x", with the total — leaves every hidden cell at least two possible
values. The reader's solver here is written from the published texts alone: "<t" is 0…t-1, "x"
is any count up to the total (and, for a reader who knows the rule, at least t).
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from formkit.smallcounts import suppress


def reader_solves(texts: list[str], total: int, threshold: int, strict: bool) -> list[int]:
    """Which hidden cells the published table pins down: the hidden cells add up to the total
    minus the shown ones, each within what its mark says; with one equation, a cell is pinned
    exactly when its lowest and highest possible values meet."""
    hidden = [i for i, t in enumerate(texts) if not t.isdigit()]
    rest = total - sum(int(t) for t in texts if t.isdigit())
    ranges = {i: ((threshold if strict else 0), total) if texts[i] == "x" else (0, threshold - 1) for i in hidden}
    lows, highs = sum(lo for lo, _ in ranges.values()), sum(hi for _, hi in ranges.values())
    return [i for i, (lo, hi) in ranges.items() if max(lo, rest - (highs - hi)) >= min(hi, rest - (lows - lo))]


@settings(max_examples=600, deadline=None)
@given(values=st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=9),
       threshold=st.integers(min_value=2, max_value=8))
def test_no_hidden_count_can_be_worked_out(values: list[int], threshold: int) -> None:
    total = sum(values)
    cells, total_cell = suppress(values, threshold, total)
    texts = [c.text for c in cells]
    for value, cell in zip(values, cells):
        if cell.suppressed:
            assert cell.text == ("x" if cell.secondary else f"<{threshold}")
            assert cell.secondary == (value >= threshold) or all(c.secondary for c in cells)
        else:
            assert cell.text == str(value)
            assert value >= threshold or total == 0 or (total_cell is not None and total_cell.suppressed and value == 0)
    if total == 0 or total_cell is None or total_cell.suppressed:
        return  # no total to subtract from (or nothing to count)
    assert "0" not in texts  # a zero beside a total is hidden with the small counts
    assert reader_solves(texts, total, threshold, strict=False) == []
    if any(t.isdigit() for t in texts):  # while something is still shown, even a reader who knows x ≥ t learns nothing
        assert reader_solves(texts, total, threshold, strict=True) == []


def test_the_issues_example_is_no_longer_solvable() -> None:
    """T2: "Förbättrad 6, <5, <5, <5, Summa 9" told that each hidden cell was 1 while "<5" meant
    1–4 (zeros printed as 0). Now a zero is hidden too, so "<5" is 0–4 and the three hidden cells
    that share 3 could be 3, 0, 0 as well as 1, 1, 1."""
    cells, _ = suppress([6, 1, 1, 1], 5, 9)
    texts = [c.text for c in cells]
    assert texts == ["6", "<5", "<5", "<5"]
    assert reader_solves(texts, 9, 5, strict=True) == []
    cells, _ = suppress([6, 3, 0, 0], 5, 9)  # the worsened row is 0: no longer printed as "0"
    assert [c.text for c in cells] == ["6", "<5", "<5", "<5"]


def test_rows_that_fill_their_ranges_are_marked_x() -> None:
    cells, _ = suppress([4, 4], 5, 8)  # "<5", "<5" with total 8 would mean 4 and 4
    assert [c.text for c in cells] == ["x", "x"] and reader_solves(["x", "x"], 8, 5, strict=False) == []
