"""Benchmark: 30 assessors x 300 decisions, boards regenerated over existing boards with notes.

Run from the source tree:  python benchmarks/board.py  [--assessors 30] [--decisions 300]

It writes a case file in a temporary folder, makes every board once, types a note on every row
of every board (and one own row each), then times the regeneration that has to read each old
board, carry the notes over by decision id and write the new one (plus its backup).
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
        loaded = load_case(case)
        loading = time.perf_counter() - t0
        t0 = time.perf_counter()
        write(plan(loaded, BoardOptions(folder=out)), out)
        first = time.perf_counter() - t0
        for path in sorted(out.glob("uppfoljningstavla_*.xlsx")):
            type_notes(path)
        t0 = time.perf_counter()
        output = plan(loaded, BoardOptions(folder=out, now=dt.datetime.now() + dt.timedelta(seconds=1)))
        written = write(output, out)
        again = time.perf_counter() - t0
        boards = len([p for p in written.files if p.parent == out])
        print(f"{boards} tavlor x {args.decisions} beslut: {output.summary[0]}")
        print(f"läsa ärendefilen (en gång per körning): {loading:6.2f} s")
        print(f"första gången:  {first:6.2f} s totalt, {first / boards * 1000:6.0f} ms per tavla")
        print(f"göra om (med anteckningar): {again:6.2f} s totalt, {again / boards * 1000:6.0f} ms per tavla")


if __name__ == "__main__":
    main()
