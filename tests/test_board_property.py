"""Property: however the assessor edits a board (notes, sorting, own rows) and however the data
changes, regenerating it loses no note, and each note stays with its decision."""

from __future__ import annotations

import datetime as dt
import random
import tempfile
from pathlib import Path
from typing import Any

from helpers import write_case
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from formkit.board.boards import BoardOptions, plan
from formkit.case.loading import load_case
from formkit.output import write


def build_boards(case: Path, out: Path) -> None:
    write(plan(load_case(case), BoardOptions(folder=out)), out)

NOTE = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"),
    min_size=1, max_size=40,
).map(lambda s: s if s.strip() else "x" + s)


def decision(i: int) -> dict[str, Any]:
    day = dt.date(2020, 1, 1) + dt.timedelta(days=97 * i)
    return {"id": f"B-{i:03d}", "client": "b-001" if i % 2 else "b-002", "assessor": "bh-1",
            "services": ["HEMTJÄNST"], "law": "SoL", "decided": day.isoformat()}


def read(path: Path, sheet: str) -> list[dict[str, Any]]:
    rows = list(load_workbook(path)[sheet].iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:] if any(v is not None for v in r)]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    before=st.sets(st.integers(0, 15), max_size=10),
    after=st.sets(st.integers(0, 20), max_size=10),
    notes=st.dictionaries(st.integers(0, 15), NOTE, max_size=8),
    manual=st.lists(st.tuples(NOTE, st.booleans()), max_size=3),
    seed=st.integers(0, 2**16),
)
def test_regeneration_loses_no_note(before: set[int], after: set[int], notes: dict[int, str],
                                    manual: list[tuple[str, bool]], seed: int) -> None:
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        out = folder / "ut"
        case = write_case(folder, decisions=[decision(i) for i in sorted(before)])
        build_boards(case, out)
        path = out / "uppfoljningstavla_bh-1.xlsx"

        # The assessor: sorts the rows at random, types notes, adds own rows.
        wb = load_workbook(path)
        ws = wb["Uppföljningstavla"]
        headers = [c.value for c in ws[1]]
        col = {h: i + 1 for i, h in enumerate(headers)}
        data = [list(r) for r in ws.iter_rows(min_row=2, values_only=True) if any(v is not None for v in r)]
        random.Random(seed).shuffle(data)
        for r, values in enumerate(data, start=2):
            for c, v in enumerate(values, start=1):
                ws.cell(r, c).value = v
        typed: dict[str, str] = {}
        for r in range(2, len(data) + 2):
            number = int(str(ws.cell(r, col["Beslut-id"]).value)[2:])
            if number in notes:
                cell = ws.cell(r, col["Anteckningar"])
                cell.value = notes[number]
                cell.data_type = "s"
                typed[f"B-{number:03d}"] = notes[number]
        own: list[str] = []
        for i, (note, with_source) in enumerate(manual):
            r = len(data) + 2 + i
            ws.cell(r, col["Klient"]).value = f"Egen rad {i}"
            ws.cell(r, col["Anteckningar"]).value = note
            ws.cell(r, col["Anteckningar"]).data_type = "s"
            if with_source:
                ws.cell(r, col["Källa"]).value = "Manuell"
            own.append(note)
        wb.save(path)

        # The data changes, and the board is made again (twice: the result is stable).
        write_case(folder, decisions=[decision(i) for i in sorted(after)])
        build_boards(case, out)
        build_boards(case, out)

        main = read(path, "Uppföljningstavla")
        archive = read(path, "Arkiv")
        by_id = {r["Beslut-id"]: r for r in main + archive if r.get("Beslut-id")}
        for decision_id, note in typed.items():
            assert by_id[decision_id]["Anteckningar"] == note
            sheet_rows = main if int(decision_id[2:]) in after else archive
            assert any(r.get("Beslut-id") == decision_id for r in sheet_rows)
        manual_notes = sorted(r["Anteckningar"] for r in main if r["Källa"] == "Manuell")
        assert manual_notes == sorted(own)
        assert {r["Beslut-id"] for r in main if r["Källa"] == "System"} == {f"B-{i:03d}" for i in after}
        due = [r["Nästa uppföljning"] for r in main if r["Nästa uppföljning"] is not None]
        assert due == sorted(due)
