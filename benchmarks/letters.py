"""How fast is `formkit letters` compared with the obvious docxtpl loop?

Builds a case file with 1,000 home-care clients (some with a trustee who gets a copy, a few
with protected identity), then times, in one run:

1. the letters batch as the command does it (read the case file, render every letter from
   the template compiled once, the combined print file, address list, manifest, write all;
   no PDF);
2. the obvious alternative: for every letter, ``DocxTemplate(path)``, ``render(context)``
   and ``save()`` (same contexts, same Jinja environment, so the same filters work);

and prints both times and their ratio. Run:

    python benchmarks/letters.py            # 1,000 clients, letter 4
    python benchmarks/letters.py --clients 200 --letter 1
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import yaml
from docxtpl import DocxTemplate

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from formkit import templates  # noqa: E402
from formkit.letters import batch as letters  # noqa: E402
from formkit.letters.batch import LetterOptions  # noqa: E402
from formkit.output import write  # noqa: E402
from formkit.case.model import load_case  # noqa: E402
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--letter", type=int, default=4, choices=[1, 2, 3, 4])
    args = parser.parse_args()
    today = dt.date(2026, 2, 3)
    with tempfile.TemporaryDirectory(prefix="formkit-bench-") as work:
        folder = Path(work)
        case_path = folder / "arenden.yaml"
        case_path.write_text(yaml.safe_dump(case_data(args.clients), allow_unicode=True, sort_keys=False), encoding="utf-8")

        start = time.perf_counter()
        case = load_case(case_path)
        written = write(letters.plan(case, LetterOptions(number=args.letter, today=today)), folder / "formkit")
        formkit_time = time.perf_counter() - start
        count = sum(1 for p in written.files if p.name.startswith(f"brukarbrev-{args.letter}_"))

        # the obvious loop, with the very same contexts
        recipients, _ = letters.choose_recipients(case.clients, {u.id for u in case.units})
        common = common_context(case, today)
        bases = {u.id: {**common, "letter": args.letter, "unit": unit_context(case, u),
                        "contact": letters.contact_context(case, u),
                        "survey": letters.survey_context(case, u, args.letter, today)} for u in case.units}
        path = templates.find("letters", f"brukarbrev-{args.letter}.docx")
        env = make_environment()
        loop_folder = folder / "docxtpl"
        loop_folder.mkdir()
        start = time.perf_counter()
        for recipient in recipients:
            document = DocxTemplate(path)
            document.render(letters.letter_context(bases[recipient.client.unit], recipient), jinja_env=env, autoescape=True)
            document.save(loop_folder / f"brukarbrev-{args.letter}_{recipient.id}.docx")
        loop_time = time.perf_counter() - start

    print(f"{count} brev (brukarbrev {args.letter}, {args.clients} klienter)")
    print(f"formkit letters (enskilda brev + utskriftsfil + adresslista, utan PDF): {formkit_time:6.2f} s")
    print(f"DocxTemplate(path).render(ctx); save() per brev (utan utskriftsfil):   {loop_time:6.2f} s")
    print(f"formkit är {loop_time / formkit_time:.1f} gånger snabbare")
    return 0


if __name__ == "__main__":
    sys.exit(main())
