"""How fast is `formkit board` over boards an assessor has worked on, and how much memory?

Run from the source tree:  python benchmarks/board.py  [--assessors 30] [--decisions 300]

It writes a case file in a temporary folder, makes every board once, edits every board as an
assessor would (a note on every row, one own row, an own sheet with a chart and a text box, a
comment, a dropdown), changes the data (a follow-up on every tenth decision), then times, in a
fresh process so that the peak RSS is the run's own, what an assessor waits for: reading the
case file, then reading each old board, carrying everything over and writing the new one (plus
its backup), with fsync. It prints the time, boards per second, ms per board, CPU seconds (the
worker processes included), peak RSS, and, on copies of the same edited boards, the obvious
alternative: for each board openpyxl's ``load_workbook``, the rows written by decision id,
``save()``. The last line says what each kept of the assessor's sheet: openpyxl 3.1 keeps a
chart it can model (this one, which openpyxl made) but drops the text box, as it drops every
shape and ``extLst`` (x14 dropdowns, sparklines) it reads. On a shared machine compare the CPU
seconds; the load is printed before and after.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import yaml
from openpyxl import load_workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from formkit.board.boards import BoardOptions, assessors, plan  # noqa: E402
from formkit.board.columns import BOARD_PREFIX, DECIDED_HEADER, HAND_HEADERS, ID_HEADER, Live, decision_row  # noqa: E402
from formkit.case.loading import load_case  # noqa: E402
from formkit.output import write  # noqa: E402

METHODS = ["phone", "home_visit", "digital", "office"]
DRAWING_A = "http://schemas.openxmlformats.org/drawingml/2006/main"


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
    add_text_box(path, TEXT_BOX)


TEXT_BOX = "Att göra: ring alla gula före fredag"


def add_text_box(path: Path, text: str) -> None:
    """A text box beside the chart (Infoga > Textruta in Excel): a shape in the sheet's drawing."""
    shape = (f'<twoCellAnchor><from><col>3</col><colOff>0</colOff><row>16</row><rowOff>0</rowOff></from><to><col>8</col>'
             f'<colOff>0</colOff><row>19</row><rowOff>0</rowOff></to><sp macro="" textlink=""><nvSpPr><cNvPr id="2" '
             f'name="Textruta 1"/><cNvSpPr txBox="1"/></nvSpPr><spPr><a:xfrm xmlns:a="{DRAWING_A}"><a:off x="0" y="0"/>'
             f'<a:ext cx="3000000" cy="500000"/></a:xfrm><a:prstGeom xmlns:a="{DRAWING_A}" prst="rect"><a:avLst/>'
             f'</a:prstGeom></spPr><txBody><a:bodyPr xmlns:a="{DRAWING_A}"/><a:p xmlns:a="{DRAWING_A}"><a:r><a:t>{text}'
             f'</a:t></a:r></a:p></txBody></sp><clientData/></twoCellAnchor>')
    with zipfile.ZipFile(path) as archive:
        parts = {info: archive.read(info) for info in archive.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in parts.items():
            if info.filename == "xl/drawings/drawing1.xml":
                data = data.replace(b"</wsDr>", shape.encode() + b"</wsDr>")
            archive.writestr(info, data)


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the board workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def regenerate(folder: Path) -> dict:
    """The timed run, in a fresh process: read the case file, regenerate every board, write."""
    out = folder / "ut"
    start, cpu = time.perf_counter(), _cpu()
    case = load_case(folder / "arenden.yaml")
    read, read_cpu = time.perf_counter() - start, _cpu() - cpu
    output = plan(case, BoardOptions(folder=out, now=dt.datetime.now() + dt.timedelta(seconds=1)))
    written = write(output, out)
    seconds, cpu = time.perf_counter() - start, _cpu() - cpu
    return {"seconds": seconds, "cpu": cpu, "read": read, "read_cpu": read_cpu, "summary": output.summary[0],
            "boards": len([p for p in written.files if p.parent == out]),
            "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
            "worker_rss": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024}


def openpyxl_way(folder: Path) -> float:
    """The obvious alternative on the same boards: read the case file, then for each board
    ``load_workbook``, write the system columns of each decision's row (found by decision id,
    a new row at the end otherwise), ``save()``. No archive, no check of the client, and the
    assessor's chart is gone afterwards."""
    start = time.perf_counter()
    case = load_case(folder / "arenden.yaml")
    for assessor in assessors(case, None):
        path = folder / "ut" / f"{BOARD_PREFIX}{assessor}.xlsx"
        wb = load_workbook(path)
        ws = wb["Uppföljningstavla"]
        col = {c.value: c.column for c in ws[1] if c.value}
        id_col = col[ID_HEADER]
        rows = {ws.cell(r, id_col).value: r for r in range(2, ws.max_row + 1)}
        for decision in case.decisions:
            if decision.assessor != assessor:
                continue
            values = decision_row(case, decision)
            r = rows.get(decision.id) or ws.max_row + 1
            for header, value in values.items():
                if header not in col or header in HAND_HEADERS:
                    continue
                if isinstance(value, Live):  # TODAY()-{Beslutsdatum} -> =TODAY()-F7
                    value = "=" + str(value).replace(f"{{{DECIDED_HEADER}}}", f"{get_column_letter(col[DECIDED_HEADER])}{r}")
                ws.cell(r, col[header]).value = value
        wb.save(path)
    return time.perf_counter() - start


def kept(out: Path) -> tuple[int, int, int]:
    """Of the boards in ``out``: how many still hold the assessor's chart, her text box; how many boards."""
    boards = sorted(out.glob(f"{BOARD_PREFIX}*.xlsx"))
    charts = boxes = 0
    for path in boards:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            charts += any(n.startswith("xl/charts/chart") for n in names)
            boxes += any(TEXT_BOX.encode() in archive.read(n) for n in names if n.startswith("xl/drawings/drawing"))
    return charts, boxes, len(boards)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assessors", type=int, default=30)
    parser.add_argument("--decisions", type=int, default=300)
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)  # the timed run in this process, as JSON
    args = parser.parse_args()
    if args.one:
        print(json.dumps(regenerate(args.one)))
        return 0
    load = os.getloadavg()
    print(f"uppföljningstavlor, {args.assessors} handläggare x {args.decisions} beslut; {os.cpu_count()} kärnor; "
          f"belastning (uptime) före: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    with tempfile.TemporaryDirectory(prefix="formkit-bench-") as work:
        folder = Path(work) / "formkit"
        folder.mkdir()
        case = folder / "arenden.yaml"
        case.write_text(yaml.dump(case_data(args.assessors, args.decisions), Dumper=dumper, allow_unicode=True), encoding="utf-8")
        out = folder / "ut"
        t0 = time.perf_counter()
        write(plan(load_case(case), BoardOptions(folder=out)), out)
        first = time.perf_counter() - t0
        for path in sorted(out.glob(f"{BOARD_PREFIX}*.xlsx")):
            type_notes(path)
        data = case_data(args.assessors, args.decisions)
        for i, row in enumerate(data["decisions"]):
            if i % 10 == 0:
                row["follow_ups"] = [{"date": "2026-05-02", "method": "phone", "outcome": "unchanged"}]
        case.write_text(yaml.dump(data, Dumper=dumper, allow_unicode=True), encoding="utf-8")
        alternative = Path(work) / "openpyxl"
        shutil.copytree(folder, alternative)

        result = subprocess.run([sys.executable, __file__, "--one", str(folder)], capture_output=True, text=True, check=True)
        r = json.loads(result.stdout.strip().splitlines()[-1])
        loop = openpyxl_way(alternative)
        charts, boxes, boards = kept(out)
        other_charts, other_boxes, _ = kept(alternative / "ut")
    n = r["boards"]
    print(f"första gången (nya tavlor, utan anteckningar): {first:.2f} s, {first / n * 1000:.0f} ms per tavla")
    print(f"göra om: {r['summary']}")
    print(f"{'tavlor':>6} {'formkit s':>9} {'tavlor/s':>8} {'ms/tavla':>8} {'CPU s':>6} {'ärendefilen s (CPU)':>19} "
          f"{'RSS MB':>9} {'openpyxl s':>10} {'gånger':>7}")
    print(f"{n:6} {r['seconds']:9.2f} {n / r['seconds']:8.1f} {(r['seconds'] - r['read']) / n * 1000:8.0f} {r['cpu']:6.2f} "
          f"{r['read']:9.2f} ({r['read_cpu']:5.2f})  {r['rss']:4}/{r['worker_rss']:<4} {loop:10.2f} {loop / r['seconds']:6.1f}×")
    load = os.getloadavg()
    print(f"belastning efter: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print("formkit s: hela körningen, inklusive att läsa ärendefilen och skriva med fsync; ms/tavla: utan ärendefilen; "
          "CPU s: med arbetsprocesserna; RSS: huvudprocessen / största arbetsprocessen (ru_maxrss).")
    print(f"Kvar efteråt på bladet Statistik: diagrammet i {charts} av {boards} tavlor med formkit och {other_charts} av "
          f"{boards} med openpyxl-sättet; textrutan i {boxes} av {boards} med formkit och {other_boxes} av {boards} med "
          "openpyxl-sättet (openpyxl läser bara diagram och bilder ur en ritning; former, textrutor och extLst försvinner "
          "vid save()). openpyxl-sättet flyttar inte heller avslutade beslut till Arkiv och kontrollerar inte klienten.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
