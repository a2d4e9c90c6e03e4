"""Benchmark: 30 assessors x 300 decisions, boards regenerated over existing boards with notes,
an own sheet with a chart, a comment and a dropdown on every board.

Run from the source tree:  python benchmarks/board.py  [--assessors 30] [--decisions 300]

It writes a case file in a temporary folder, makes every board once, edits every board as an
assessor would (a note on every row, one own row, an own sheet with a chart, a comment, a
dropdown), changes the data (a follow-up on every tenth decision), then times the run an
assessor waits for: reading the case file, then reading each old board, carrying everything
over and writing the new one (plus its backup). Wall-clock and CPU seconds are both printed:
on a shared machine the CPU figure is the one to compare.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import yaml
from openpyxl import load_workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.worksheet.datavalidation import DataValidation

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from formkit.board.boards import BoardOptions, plan  # noqa: E402
from formkit.case.model import load_case  # noqa: E402
from formkit.output import write  # noqa: E402

METHODS = ["phone", "home_visit", "digital", "office"]


def case_data(assessors: int, decisions: int) -> dict:
    staff = [{"id": "ec-1", "name": "Enhets Chef", "role": "unit_manager", "unit": "myndighet"}]
    staff += [{"id": f"bh-{a}", "name": f"Handläggare {a}", "role": "assessor", "unit": "myndighet"} for a in range(assessors)]
    clients, rows = [], []
    start = dt.date(2021, 1, 1)
    for a in range(assessors):
        for d in range(decisions):
            n = a * decisions + d
            clients.append({"id": f"k-{n}", "name": f"Klient Åström {n}", "unit": "myndighet",
                            "consent": {"signed": (start + dt.timedelta(days=n % 1500)).isoformat()}})
            row = {"id": f"B-{n:06d}", "client": f"k-{n}", "assessor": f"bh-{a}",
                   "services": ["HEMTJÄNST", "LEDSAGNING"][: 1 + n % 2], "law": "SoL" if n % 5 else "LSS",
                   "decided": (start + dt.timedelta(days=n % 1700)).isoformat(), "executed": n % 17 != 0}
            if n % 3 == 0:
                row["follow_ups"] = [{"date": (start + dt.timedelta(days=n % 1700 + 300)).isoformat(),
                                      "method": METHODS[n % 4], "outcome": "unchanged",
                                      "answers": {"gets_granted_help": "yes", "plans_when": "partly"}}]
            rows.append(row)
    return {
        "formkit": 1,
        "organisation": {"name": "Exempelby kommun", "address": {"street": "Box 1", "postcode": "123 45", "city": "Exempelby"}},
        "units": [{"id": "myndighet", "name": "Biståndsenheten", "kind": "assessment", "manager": "ec-1"}],
        "staff": staff, "clients": clients, "decisions": rows,
    }


def type_notes(path: Path) -> None:
    """A note on every row and one own row, as an assessor would have typed them."""
    wb = load_workbook(path)
    ws = wb["Uppföljningstavla"]
    headers = [c.value for c in ws[1]]
    note, source, client = headers.index("Anteckningar") + 1, headers.index("Källa") + 1, headers.index("Klient") + 1
    for r in range(2, ws.max_row + 1):
        ws.cell(r, note).value = f"Anteckning rad {r}: ring anhörig"
    r = ws.max_row + 1
    ws.cell(r, client).value = "Egen rad"
    ws.cell(r, source).value = "Manuell"
    ws.cell(2, note).comment = Comment("Ring dottern", "Handläggare")
    dropdown = DataValidation(type="list", formula1='"Ring,Besök,Klar"')
    ws.add_data_validation(dropdown)
    dropdown.add(f"{ws.cell(1, ws.max_column).column_letter}2:{ws.cell(1, ws.max_column).column_letter}400")
    own = wb.create_sheet("Statistik")
    for row in (["Status", "Antal"], ["Ring", 12], ["Klar", 30]):
        own.append(row)
    chart = BarChart()
    chart.add_data(Reference(own, min_col=2, min_row=1, max_row=3), titles_from_data=True)
    own.add_chart(chart, "D2")
    wb.save(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assessors", type=int, default=30)
    parser.add_argument("--decisions", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="formkit-bench-") as work:
        folder = Path(work)
        case = folder / "arenden.yaml"
        case.write_text(yaml.safe_dump(case_data(args.assessors, args.decisions), allow_unicode=True), encoding="utf-8")
        out = folder / "ut"
        t0 = time.perf_counter()
        write(plan(load_case(case), BoardOptions(folder=out)), out)
        first = time.perf_counter() - t0
        for path in sorted(out.glob("uppfoljningstavla_*.xlsx")):
            type_notes(path)
        data = case_data(args.assessors, args.decisions)
        for i, row in enumerate(data["decisions"]):
            if i % 10 == 0:
                row["follow_ups"] = [{"date": "2026-05-02", "method": "phone", "outcome": "unchanged"}]
        case.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        t0, c0 = time.perf_counter(), time.process_time()
        loaded = load_case(case)
        loading, loading_cpu = time.perf_counter() - t0, time.process_time() - c0
        output = plan(loaded, BoardOptions(folder=out, now=dt.datetime.now() + dt.timedelta(seconds=1)))
        written = write(output, out)
        again, again_cpu = time.perf_counter() - t0, time.process_time() - c0
        boards = len([p for p in written.files if p.parent == out])
        print(f"{boards} tavlor x {args.decisions} beslut: {output.summary[0]}")
        print(f"första gången:  {first:6.2f} s totalt, {first / boards * 1000:6.0f} ms per tavla")
        print(f"göra om, med anteckningar, egna blad och diagram, inklusive att läsa ärendefilen: "
              f"{again:6.2f} s ({again_cpu:6.2f} s CPU), varav ärendefilen {loading:6.2f} s ({loading_cpu:6.2f} s CPU); "
              f"{(again - loading) / boards * 1000:4.0f} ms per tavla")


if __name__ == "__main__":
    main()
