"""Benchmark: reading the case file as a workbook against the same case as YAML.

Run from the source tree:  python benchmarks/casefile.py  [--clients 1000] [--decisions 9000] [--repeat 3]

It builds one case (clients with addresses, personal numbers, consent and care plans, a
representative for every fifth client, decisions with follow-ups), writes it as
arenden.yaml and as arenden.xlsx (through ``formkit convert``'s writer), checks that both give
the same case, and prints the best of ``--repeat`` timings of ``load_case`` for each (wall clock
and CPU seconds; on a shared machine compare CPU seconds, and the load average it prints) and
the ratio between them. The goals for 1,000 clients and 9,000 decisions: the YAML under 0.5 s
(issue 14), the workbook under 1 s (issue 16).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from formkit.case.loading import load_case  # noqa: E402
from formkit.case.workbook_write import workbook_bytes  # noqa: E402
from formkit.example import personal_number  # noqa: E402

METHODS = ["phone", "home_visit", "digital", "office"]


def case_data(clients: int, decisions: int) -> dict[str, Any]:
    start = dt.date(2021, 1, 1)
    staff = [{"id": "ec-1", "name": "Enhets Chef", "role": "unit_manager", "unit": "ht-norra"}]
    staff += [{"id": f"bh-{a}", "name": f"Handläggare {a}", "role": "assessor", "unit": "myndighet"} for a in range(30)]
    people = []
    for n in range(clients):
        birth = dt.date(1930 + n % 60, 1 + n % 12, 1 + n % 28)
        client: dict[str, Any] = {
            "id": f"k-{n:05d}", "name": f"Klient Åström {n}", "personal_number": personal_number(birth, n % 1000),
            "gender": ["female", "male"][n % 2], "unit": "ht-norra",
            "address": {"street": f"Storgatan {n % 90 + 1}", "postcode": f"{n % 900 + 100:03d} 4{n % 10}", "city": "Exempelby"},
            "phone": f"070-{n % 1000:03d} 12 34",
            "consent": {"signed": (start + dt.timedelta(days=n % 1500)).isoformat(), "valid_years": "3"},
            "care_plan": {"updated": "2026-05-01", "follow_up": "2026-11-01", "goals": ["Klara sin ekonomi", "Delta i en aktivitet"]},
        }
        if n % 5 == 0:
            client["representatives"] = [{"name": f"Anhörig {n}", "role": "relative", "relation": "dotter", "phone": "070-555 12 34"}]
        people.append(client)
    rows = []
    for n in range(decisions):
        row: dict[str, Any] = {"id": f"B-{n:06d}", "client": f"k-{n % clients:05d}", "assessor": f"bh-{n % 30}",
                               "services": ["HEMTJÄNST", "LEDSAGNING"][: 1 + n % 2], "law": "SoL" if n % 5 else "LSS",
                               "decided": (start + dt.timedelta(days=n % 1700)).isoformat(), "executed": str(n % 17 != 0).lower()}
        if n % 3 == 0:
            row["follow_ups"] = [{"date": (start + dt.timedelta(days=n % 1700 + 300)).isoformat(), "method": METHODS[n % 4],
                                  "outcome": "unchanged", "answers": {"gets_granted_help": "yes", "plans_when": "partly"}}]
        rows.append(row)
    return {
        "formkit": 1,
        "organisation": {"name": "Exempelby kommun", "address": {"street": "Box 1", "postcode": "123 45", "city": "Exempelby"}},
        "units": [{"id": "ht-norra", "name": "Hemtjänst Norra", "kind": "home_care", "manager": "ec-1"},
                  {"id": "myndighet", "name": "Biståndsenheten", "kind": "assessment", "manager": "ec-1"}],
        "staff": staff, "clients": people, "decisions": rows,
    }


def best(repeat: int, path: Path) -> tuple[float, float]:
    """Best wall-clock and best CPU time of ``repeat`` loads (CPU time is what the code costs when
    other programs share the machine)."""
    wall, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        load_case(path)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return min(wall), min(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--decisions", type=int, default=9000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="formkit-bench-") as work:
        yaml_path, xlsx_path = Path(work) / "arenden.yaml", Path(work) / "arenden.xlsx"
        yaml_path.write_text(yaml.safe_dump(case_data(args.clients, args.decisions), allow_unicode=True), encoding="utf-8")
        case = load_case(yaml_path)
        xlsx_path.write_bytes(workbook_bytes(case))
        if load_case(xlsx_path) != case:
            raise SystemExit("the workbook does not give the same case as the YAML")
        load_before = os.getloadavg()[0]
        yaml_time, xlsx_time = best(args.repeat, yaml_path), best(args.repeat, xlsx_path)
        print(f"{args.clients} klienter, {args.decisions} beslut "
              f"(YAML {yaml_path.stat().st_size // 1024} kB, xlsx {xlsx_path.stat().st_size // 1024} kB), bästa av {args.repeat}, "
              f"belastning {load_before:.2f} före, {os.getloadavg()[0]:.2f} efter:")
        print(f"  load_case(arenden.yaml): {yaml_time[0]:.3f} s (CPU {yaml_time[1]:.3f} s)  mål: under 0.5 s")
        print(f"  load_case(arenden.xlsx): {xlsx_time[0]:.3f} s (CPU {xlsx_time[1]:.3f} s)  mål: under 1 s")
        print(f"  arbetsboken / YAML: {xlsx_time[1] / yaml_time[1]:.2f} × i CPU-tid ({xlsx_time[0] / yaml_time[0]:.2f} × i väggklocka)")


if __name__ == "__main__":
    main()
