"""How fast is `formkit letters` compared with the obvious docxtpl loop, and how much memory?

For each batch size (1,000, 5,000 and 20,000 home-care clients unless ``--clients`` says; some
clients have a trustee who gets a copy, a few have protected identity) it builds a case file
and, in a fresh process so that the peak RSS is that size's own, times:

1. the letters batch as the command does it (read the case file, render every letter from the
   template compiled once, the streamed print file, address list, manifest, write all with
   fsync; no PDF), its CPU seconds (workers included) and peak RSS;
2. the obvious alternative on the same contexts: for every letter ``DocxTemplate(path)``,
   ``render(context)`` and ``save()``; above ``--loop-sample`` letters only a sample spread over
   the batch is timed and the time scaled up (marked *).

Before the batch it notes what a new empty file costs in the folder ("ny fil µs"): on ext4
without a journal, as on the development VM, about 10 µs, but 100-250 µs for a few minutes
after thousands of files were deleted there (by an earlier run, or the test suite), since the
kernel then passes over the inodes freed lately; a batch makes a file per letter.

``--pdf`` instead times the PDF conversion in seconds per page: the print file, the single letters
by one LibreOffice process and by a pool of two, and one ``soffice`` call per letter. Run:

    python benchmarks/letters.py                          # 1,000, 5,000 and 20,000 clients
    python benchmarks/letters.py --clients 1000
    python benchmarks/letters.py --pdf --clients 40
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from docxtpl import DocxTemplate

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from formkit import pdf, templates  # noqa: E402
from formkit.letters import batch as letters  # noqa: E402
from formkit.letters.batch import LetterOptions  # noqa: E402
from formkit.output import write  # noqa: E402
from formkit.case.loading import load_case  # noqa: E402
from formkit.fields import common_context, unit_context  # noqa: E402
from formkit.docx.render import make_environment  # noqa: E402

FIRST = ["Åsa", "Bo", "Märta", "Örjan", "Karin", "Ali", "Leila", "Sven", "Ingrid", "Göran"]
LAST = ["Öberg", "Ek", "Lind", "Hassan", "Ström", "Nilsson", "Ängström", "Berg", "Sjö", "Yilmaz"]


def case_data(n: int) -> dict:
    units = [{"id": f"ht-{i}", "name": f"Hemtjänst {name}", "kind": "home_care", "manager": f"ec-{i}"}
             for i, name in enumerate(["Norra", "Södra", "Östra", "Västra"])]
    staff = [{"id": f"ec-{i}", "name": f"Chef {i} Lind", "role": "unit_manager", "unit": f"ht-{i}",
              "phone": f"08-123 456 1{i}", "email": f"chef{i}@exempelby.se"} for i in range(4)]
    clients = []
    for i in range(n):
        client = {
            "id": f"b-{i:04d}", "name": f"{FIRST[i % 10]} {LAST[(i // 10) % 10]}-{i}", "unit": f"ht-{i % 4}",
            "address": {"street": f"Storgatan {i % 90 + 1}", "postcode": f"1{i % 90 + 10:02d} {i % 90 + 10:02d}", "city": "Exempelby"},
        }
        if i % 50 == 7:
            client["protected_identity"] = True
            client["personal_number"] = "19400101-1230"
        if i % 10 == 3:
            client["representatives"] = [{"name": f"God Man {i}", "role": "trustee", "looks_after_rights": True, "receives_letters": True,
                                          "address": {"street": "Box 12", "postcode": "111 22", "city": "Stad"}}]
        clients.append(client)
    results = [{"unit": u["id"], "question": q, "value": 80 + j, "municipality": 81, "national": 83, "previous": 78 + j}
               for u in units for j, q in enumerate(["Sammantaget nöjd", "Bemötande", "Trygghet", "Inflytande"])]
    return {
        "formkit": 1,
        "organisation": {"name": "Exempelby kommun", "department": "Vård- och omsorgsförvaltningen",
                         "address": {"street": "Box 100", "postcode": "123 45", "city": "Exempelby"}, "phone": "08-123 456 00"},
        "units": units, "staff": staff, "clients": clients,
        "survey": {"year": 2026, "answer_by": "2026-05-24", "results": results,
                   "actions": [{"unit": u["id"], "text": "Fler besök av samma personal"} for u in units]},
    }


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the render workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def write_case(path: Path, clients: int) -> None:
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    path.write_text(yaml.dump(case_data(clients), Dumper=dumper, allow_unicode=True, sort_keys=False), encoding="utf-8")


def one_run(clients: int, letter: int, sample: int, work: Path) -> dict:
    """One batch, timed, then the docxtpl loop on the same contexts (all letters, or ``sample``
    of them spread over the batch, extrapolated); in this process, so its peak RSS is the batch's.
    Everything is made in a new folder in ``work``, which the caller deletes after the last
    run: deleting thousands of files makes new ones dearer for minutes (``new_file_cost``)."""
    today = dt.date(2026, 2, 3)
    folder = Path(tempfile.mkdtemp(prefix=f"{clients}-", dir=work))
    case_path = folder / "arenden.yaml"
    write_case(case_path, clients)
    new_file = new_file_cost(folder / "prov")

    start, cpu = time.perf_counter(), _cpu()
    case = load_case(case_path)
    read = time.perf_counter() - start
    written = write(letters.plan(case, LetterOptions(number=letter, today=today)), folder / "formkit")
    formkit_time, formkit_cpu = time.perf_counter() - start, _cpu() - cpu
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    worker_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    count = sum(1 for p in written.files if p.name.startswith(f"brukarbrev-{letter}_"))

    # the obvious loop, with the very same contexts
    recipients, _ = letters.choose_recipients(case.clients, {u.id for u in case.units})
    common = common_context(case, today)
    bases = {u.id: {**common, "letter": letter, "unit": unit_context(case, u),
                    "contact": letters.contact_context(case, u),
                    "survey": letters.survey_context(case, u, letter, today)} for u in case.units}
    path = templates.find("letters", f"brukarbrev-{letter}.docx")
    env = make_environment()
    loop_folder = folder / "docxtpl"
    loop_folder.mkdir()
    chosen = recipients if len(recipients) <= sample else recipients[:: math.ceil(len(recipients) / sample)]
    start = time.perf_counter()
    for recipient in chosen:
        document = DocxTemplate(path)
        document.render(letters.letter_context(bases[recipient.client.unit], recipient), jinja_env=env, autoescape=True)
        document.save(loop_folder / f"brukarbrev-{letter}_{recipient.id}.docx")
    loop_time = (time.perf_counter() - start) * len(recipients) / len(chosen)
    return {"clients": clients, "letters": count, "seconds": formkit_time, "cpu": formkit_cpu, "read": read, "new_file": new_file,
            "rss": rss, "worker_rss": worker_rss, "loop": loop_time, "loop_sampled": len(chosen) < len(recipients),
            "loop_letters": len(chosen)}


def new_file_cost(probe: Path, files: int = 200) -> float:
    """Microseconds to make one empty file in the batch's filesystem, for reading the figures:
    on ext4 without a journal (as on the development VM) a new file costs 10 us, or 250 us
    when thousands of files were deleted there in the last minutes (the kernel skips inodes
    freed recently), and a batch makes a file per letter. The files stay until the run ends,
    so that measuring deletes nothing."""
    probe.mkdir()
    start = time.perf_counter()
    for i in range(files):
        os.close(os.open(probe / f"{i}", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    return (time.perf_counter() - start) / files * 1e6


def pdf_run(clients: int, letter: int, singles_sampled: int) -> None:
    """Seconds per page, wall and CPU (LibreOffice's, from RUSAGE_CHILDREN), in one run: the print
    file; all single letters by one LibreOffice process (chunked) and by the pool of two; the
    whole ``--pdf`` batch as ``write`` converts it (its own choice); one ``soffice`` per letter."""
    today = dt.date(2026, 2, 3)
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="formkit-bench-") as work:
        folder = Path(work)
        write_case(folder / "arenden.yaml", clients)
        output = letters.plan(load_case(folder / "arenden.yaml"), LetterOptions(number=letter, today=today))
        written = write(output, folder / "ut")
        singles = sorted(p for p in written.files if p.parent == folder / "ut" and p.name.startswith(f"brukarbrev-{letter}_"))
        print_file = folder / "ut" / f"utskrift_brukarbrev-{letter}.docx"
        sample = singles[:: max(1, len(singles) // singles_sampled)][:singles_sampled]
        runs = {
            "a": ("utskriftsfilen, ett anrop", [print_file], 1),
            "b": (f"{len(singles)} enskilda brev, en process i omgångar", singles, 1),
            "c": (f"{len(singles)} enskilda brev, två processer", singles, 2),
            "e": (f"hela --pdf-omgången, {len(output.pdf_candidates)} filer (som write)", [folder / "ut" / p for p in output.pdf_candidates], None),
        }
        rows = {}
        for key, (label, paths, processes) in runs.items():
            start, cpu = time.perf_counter(), _cpu()
            made = pdf.convert(paths, processes=processes)
            rows[key] = (label, time.perf_counter() - start, _cpu() - cpu, sum(_pages(p) for p in made))
            for p in made:
                p.unlink()
        start, cpu, pages = time.perf_counter(), _cpu(), 0
        for single in sample:
            [made] = pdf.convert([single])
            pages += _pages(made)
        rows["d"] = (f"ett soffice-anrop per brev (urval {len(sample)} brev)", time.perf_counter() - start, _cpu() - cpu, pages)
    after = os.getloadavg()
    print(f"PDF, brukarbrev {letter}, {clients} klienter; {os.cpu_count()} kärnor; "
          f"belastning före {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, efter {after[0]:.2f} {after[1]:.2f} {after[2]:.2f}")
    print(f"     {'':52} {'s':>7} {'CPU s':>7} {'sidor':>6} {'s/sida':>7} {'CPU s/sida':>10}")
    for key in "abcde":
        label, seconds, cpu, pages = rows[key]
        print(f"  {key}) {label:52} {seconds:7.2f} {cpu:7.2f} {pages:6} {seconds / pages:7.3f} {cpu / pages:10.3f}")
    per_page = {key: (seconds / pages, cpu / pages) for key, (_, seconds, cpu, pages) in rows.items()}
    for name, slow, fast in (("två processer mot en (enskilda brev)", "b", "c"), ("en process mot ett anrop per brev", "d", "b"),
                             ("två processer mot ett anrop per brev", "d", "c")):
        print(f"  {name:40} {per_page[slow][0] / per_page[fast][0]:5.2f}× snabbare, "
              f"{per_page[fast][1] / per_page[slow][1]:4.2f}× CPU-tiden")


def _pages(pdf_path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf_path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, flags=re.M).group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, action="append", help="antal klienter (kan upprepas); 1000, 5000 och 20000 om inget anges")
    parser.add_argument("--letter", type=int, default=4, choices=[1, 2, 3, 4])
    parser.add_argument("--loop-sample", type=int, default=1200, help="högst så många brev i docxtpl-slingan; fler räknas upp")
    parser.add_argument("--pdf", action="store_true", help="mät PDF i stället (sekunder per sida); --clients 40 om inget anges")
    parser.add_argument("--pdf-sample", type=int, default=5, help="med --pdf: så många brev med ett soffice-anrop vardera")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # one batch in this process, as JSON
    parser.add_argument("--work", help=argparse.SUPPRESS)  # with --one: the folder to make it in
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_run(args.one, args.letter, args.loop_sample, Path(args.work))))
        return 0
    if args.pdf:
        pdf_run((args.clients or [40])[0], args.letter, args.pdf_sample)
        return 0
    load = os.getloadavg()
    print(f"brukarbrev {args.letter}; {os.cpu_count()} kärnor; belastning (uptime) före: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"{'klienter':>8} {'brev':>6} {'formkit s':>9} {'brev/s':>7} {'ms/brev':>7} {'CPU s':>6} {'RSS MB':>11} "
          f"{'slingan s':>10} {'gånger':>7} {'ny fil µs':>9}")
    # every run's files stay until the last run is done (see one_run)
    with tempfile.TemporaryDirectory(prefix="formkit-bench-") as work:
        for clients in args.clients or [1000, 5000, 20000]:
            # each size in a fresh process, so the peak RSS is that size's own
            result = subprocess.run([sys.executable, __file__, "--one", str(clients), "--letter", str(args.letter),
                                     "--loop-sample", str(args.loop_sample), "--work", work], capture_output=True, text=True, check=True)
            r = json.loads(result.stdout.strip().splitlines()[-1])
            loop = f"{r['loop']:9.1f}" + ("*" if r["loop_sampled"] else " ")
            print(f"{r['clients']:8} {r['letters']:6} {r['seconds']:9.2f} {r['letters'] / r['seconds']:7.0f} "
                  f"{r['seconds'] / r['letters'] * 1000:7.2f} {r['cpu']:6.2f} {r['rss']:5}/{r['worker_rss']:<5} {loop} "
                  f"{r['loop'] / r['seconds']:6.1f}× {r['new_file']:9.0f}", flush=True)
    load = os.getloadavg()
    print(f"belastning efter: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print("RSS: huvudprocessen / största arbetsprocessen (ru_maxrss). *: slingan mätt på ett urval brev och uppräknad.")
    print("ny fil: vad en tom ny fil kostar i mappen före körningen (formkit gör en fil per brev).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
