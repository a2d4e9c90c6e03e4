"""``formkit init``: a realistic, fictitious case file (YAML and the same as a workbook) and a copy
of the templates.

The example is generated, not shipped, so that its dates are always relative to the day it is
made: a new user's assessor board then shows every colour (passed, due within two months, not
yet due), the survey is this year's and the meetings are this term's. Names, addresses and
personal numbers are invented (the personal numbers are valid in form only); the random
choices are seeded, so the same day gives the same file.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from pathlib import Path
from typing import Any

import yaml
from openpyxl import Workbook
from openpyxl.styles import Font

from formkit import templates as template_files
from formkit.case import convert, personnummer, yamlsource
from formkit.case.loading import validate_case
from formkit.case.model import add_years
from formkit.case.workbook_write import workbook_bytes
from formkit.errors import OutputError
from formkit.output import Output
from formkit.xlsx import put

CASE_FILE_NAME = "arenden.yaml"
WORKBOOK_FILE_NAME = "arenden.xlsx"  # the same case, for those who keep their lists in Excel
TEMPLATE_FOLDER = "mallar"
NOTES_FILE_NAME = "anteckningar.yaml"  # for `formkit meetings --kind term --minutes`
CLIENT_LIST_NAME = "klientlista.xlsx"  # for `formkit letters --clients`

FIRST_FEMALE = ["Åsa", "Märta", "Birgitta", "Gunnel", "Solveig", "Kerstin", "Inger", "Ingrid", "Margareta", "Elsa",
                "Agneta", "Britt-Marie", "Ulla", "Siv", "Märit", "Lena", "Aisha", "Fatima", "Ebba", "Saga"]
FIRST_MALE = ["Göran", "Åke", "Örjan", "Lennart", "Bengt", "Sven-Erik", "Rolf", "Kjell", "Håkan", "Stig",
              "Yusuf", "Mehmet", "Björn", "Nils", "Olle", "Tage", "Elias", "Hugo", "Liam", "Oskar"]
SURNAMES = ["Öberg", "Ängström", "Åberg", "Lindqvist", "Sjöberg", "Nyström", "Hägg", "Ekström", "Söderlund", "Björk",
            "Lövgren", "Karlsson", "Johansson", "Andersson", "Pettersson", "Holmström", "Wähling", "Yilmaz", "Haddad", "Nordén"]
STREETS = ["Storgatan", "Kyrkvägen", "Björkvägen", "Ängsgatan", "Sjövägen", "Skolgatan", "Åkervägen", "Lärkstigen",
           "Östra Långgatan", "Västergatan", "Hägervägen", "Rönnbärsvägen"]
POSTCODES = ["123 45", "123 46", "123 50", "123 52", "012 34"]

SURVEY_QUESTIONS = [
    ("Sammantaget nöjd med hemtjänsten", 84, 81, 83, 80),
    ("Personalen bemöter mig på ett bra sätt", 95, 93, 94, 94),
    ("Personalen tar hänsyn till mina åsikter och önskemål", 82, 80, 82, 78),
    ("Jag kan påverka vid vilka tider jag får hjälp", 61, 58, 60, 55),
    ("Jag känner mig trygg med hemtjänsten", 88, 86, 87, 85),
    ("Lätt att få kontakt med hemtjänstpersonalen vid behov", 79, 77, 80, 81),
]
SERVICES = ["HEMTJÄNST", "LEDSAGNING", "TRYGGHETSLARM", "MATDISTRIBUTION", "DAGVERKSAMHET"]
OPEN_CARE_SERVICES = ["Föräldraskapsstöd", "Samtalsstöd ungdom", "Familjebehandling", "Missbruksbehandling (ASI)", "Stöd till våldsutsatta"]
PASSED_ON = ["En lugn vistelse; sov gott och åt bra. Följde med på utflykten till badhuset.",
             "Trött efter helgen men glad. Ville ringa hem på lördagskvällen, vilket gick bra.",
             "Lite ont i magen på söndagen, gick över efter vila. Åt mindre än vanligt.",
             "Mycket glad; har fått en ny kompis på korttids. Vill gärna komma samma helg nästa gång."]
PROBLEMS = ["konflikter i familjen", "skolfrånvaro", "missbruk", "psykisk ohälsa", "ekonomi", "våld i nära relation", "ensamhet"]


def personal_number(birth: dt.date, serial: int, coordination: bool = False) -> str:
    """A personal number valid in form (Luhn) for ``birth``; invented, belongs to nobody we know."""
    day = birth.day + (60 if coordination else 0)
    base = f"{birth:%y%m}{day:02d}{serial:03d}"
    digits = [int(c) for c in base]
    total = sum(sum(divmod(d * (2 if i % 2 == 0 else 1), 10)) for i, d in enumerate(digits))
    check = (10 - total % 10) % 10
    return f"{birth.year}{birth:%m}{day:02d}-{serial:03d}{check}"


def build_case(today: dt.date) -> dict[str, Any]:
    """The example case as plain data (dates relative to ``today``)."""
    rng = random.Random(2026)
    year = today.year
    units = [
        {"id": "ht-norra", "name": "Hemtjänst Norra", "kind": "home_care", "manager": "ec-1", "phone": "0123-456 10", "email": "hemtjanst.norra@exempelby.se",
         "meeting_day": "tisdag", "meeting_time": "13.00"},
        {"id": "ht-sodra", "name": "Hemtjänst Södra", "kind": "home_care", "manager": "ec-2", "phone": "0123-456 20", "email": "hemtjanst.sodra@exempelby.se",
         "meeting_day": "onsdag", "meeting_time": "13.00"},
        {"id": "kv-solrosen", "name": "Korttidsvistelse Solrosen (LSS)", "kind": "short_stay", "manager": "ec-3", "phone": "0123-456 30", "meeting_day": "torsdag"},
        {"id": "bs-syd", "name": "Boendestöd Syd", "kind": "housing_support", "manager": "ec-4", "phone": "0123-456 40", "meeting_day": "tisdag", "meeting_time": "09.00"},
        {"id": "ov-vagen", "name": "Öppenvården Vägen", "kind": "open_care", "manager": "ec-5", "phone": "0123-456 50", "meeting_day": "måndag"},
        {"id": "myndighet", "name": "Biståndsenheten", "kind": "assessment", "manager": "ec-6", "phone": "0123-456 60", "meeting_day": "onsdag"},
    ]
    staff = [
        {"id": "ec-1", "name": "Maria Lind", "role": "unit_manager", "unit": "ht-norra", "title": "Enhetschef", "phone": "0123-456 11", "email": "maria.lind@exempelby.se"},
        {"id": "ec-2", "name": "Jonas Åkesson", "role": "unit_manager", "unit": "ht-sodra", "title": "Enhetschef", "phone": "0123-456 21", "email": "jonas.akesson@exempelby.se"},
        {"id": "ec-3", "name": "Leila Haddad", "role": "unit_manager", "unit": "kv-solrosen", "title": "Enhetschef", "phone": "0123-456 31", "email": "leila.haddad@exempelby.se"},
        {"id": "ec-4", "name": "Petra Sjölund", "role": "unit_manager", "unit": "bs-syd", "title": "Enhetschef", "phone": "0123-456 41", "email": "petra.sjolund@exempelby.se"},
        {"id": "ec-5", "name": "Erik Nordén", "role": "unit_manager", "unit": "ov-vagen", "title": "Enhetschef", "phone": "0123-456 51", "email": "erik.norden@exempelby.se"},
        {"id": "ec-6", "name": "Louise Berg", "role": "unit_manager", "unit": "myndighet", "title": "Enhetschef", "phone": "0123-456 61", "email": "louise.berg@exempelby.se"},
        {"id": "ko-1", "name": "Sara Öhman", "role": "coordinator", "unit": "ht-norra", "title": "Koordinator", "phone": "0123-456 12", "email": "sara.ohman@exempelby.se"},
        {"id": "bh-1", "name": "Karin Ek", "role": "assessor", "unit": "myndighet", "title": "Biståndshandläggare", "phone": "0123-456 62", "email": "karin.ek@exempelby.se", "team": "team-norr"},
        {"id": "bh-2", "name": "Linnéa Broström", "role": "assessor", "unit": "myndighet", "title": "Biståndshandläggare", "phone": "0123-456 63", "email": "linnea.brostrom@exempelby.se", "team": "team-norr"},
        {"id": "bh-3", "name": "Ahmed Yilmaz", "role": "assessor", "unit": "myndighet", "title": "Biståndshandläggare", "phone": "0123-456 64", "email": "ahmed.yilmaz@exempelby.se", "team": "team-syd"},
        {"id": "sp-1", "name": "Ali Hassan", "role": "support_person", "unit": "bs-syd", "title": "Stödperson", "phone": "0123-456 42", "email": "ali.hassan@exempelby.se"},
        {"id": "sp-2", "name": "Hanna Wähling", "role": "support_person", "unit": "bs-syd", "title": "Stödperson", "phone": "0123-456 43", "email": "hanna.wahling@exempelby.se"},
        {"id": "sp-3", "name": "Tove Lindqvist", "role": "support_person", "unit": "kv-solrosen", "title": "Stödperson", "phone": "0123-456 32", "email": "tove.lindqvist@exempelby.se"},
        {"id": "ov-1", "name": "Mikael Ström", "role": "staff", "unit": "ov-vagen", "title": "Behandlare", "phone": "0123-456 52", "email": "mikael.strom@exempelby.se"},
    ]
    # (unit, how many, birth years, support persons)
    plan = [("ht-norra", 14, (1928, 1950), None), ("ht-sodra", 12, (1930, 1955), None),
            ("kv-solrosen", 6, (2008, 2016), ["sp-3"]), ("bs-syd", 8, (1975, 2004), ["sp-1", "sp-2"]),
            ("ov-vagen", 8, (1970, 2009), None)]
    clients: list[dict[str, Any]] = []
    number = 0
    for unit, count, (first_year, last_year), support in plan:
        for i in range(count):
            number += 1
            female = rng.random() < 0.55
            first = rng.choice(FIRST_FEMALE if female else FIRST_MALE)
            birth = dt.date(rng.randint(first_year, last_year), rng.randint(1, 12), rng.randint(1, 28))
            client: dict[str, Any] = {
                "id": f"b-{number:03d}",
                "name": f"{first} {rng.choice(SURNAMES)}",
                "personal_number": personal_number(birth, 200 + number * 3),
                "gender": "female" if female else "male",
                "address": {"street": f"{rng.choice(STREETS)} {rng.randint(1, 60)}", "postcode": rng.choice(POSTCODES), "city": "Exempelby"},
                "unit": unit,
            }
            if support:
                client["support_person"] = support[i % len(support)]
            clients.append(client)
    # the special cases a new user should see handled
    clients[0]["name"] = "Åsa Öberg-Ängström"  # hyphenated, å/ä/ö
    clients[1]["name"] = "Britt & Lennart Sjöberg"  # one letter to a couple, with &
    clients[1]["gender"] = "female"
    clients[2]["protected_identity"] = True  # skyddade personuppgifter: no address is ever printed
    clients[2]["name"] = "Kerstin Nyström"
    clients[3]["address"]["co"] = "Ingrid Holmström"
    clients[4]["personal_number"] = personal_number(dt.date(1948, 3, 14), 871, coordination=True)
    del clients[5]["address"]  # no known address: skipped in letter batches, with a reason
    clients[6]["representatives"] = [{
        "name": "Gustav Ekström", "role": "trustee", "scope": ["rights", "property"], "looks_after_rights": True, "receives_letters": True,
        "address": {"street": "Advokatgatan 4", "postcode": "123 60", "city": "Exempelby"},
        "phone": "070-123 45 67", "email": "gustav.ekstrom@example.se",
    }]
    for client in clients[7:12]:
        client["representatives"] = [{"name": f"{rng.choice(FIRST_FEMALE)} {client['name'].split()[-1]}", "role": "relative",
                                      "relation": rng.choice(["dotter", "son", "make", "maka", "syster"]),
                                      "phone": f"070-{rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}"}]
    for client in clients:
        if client["unit"] == "kv-solrosen":
            surname = client["name"].split()[-1]
            client["representatives"] = [
                {"name": f"{rng.choice(FIRST_FEMALE)} {surname}", "role": "guardian", "relation": "mamma", "looks_after_rights": True,
                 "receives_letters": True, "email": f"vardnadshavare.{client['id']}@example.se", "address": dict(client["address"]),
                 "consent_to_inform": True},
            ]
            if add_years(personnummer.birth_date(client["personal_number"]), 18) <= today:  # custody ended at 18 (FB 6 kap. 2 §)
                client["representatives"][0].update(role="relative", consent_to_inform=True)
        if client["unit"] in ("bs-syd", "kv-solrosen"):
            updated = today - dt.timedelta(days=rng.randint(20, 300))
            client["consent"] = {"signed": add_years(today, -rng.randint(1, 3)) - dt.timedelta(days=rng.randint(0, 200)), "valid_years": 3}
            client["care_plan"] = {"updated": updated, "follow_up": updated + dt.timedelta(days=182),
                                   "risk_assessment": updated - dt.timedelta(days=rng.randint(0, 60)),
                                   "action_plan": rng.random() < 0.7,
                                   "goals": ["Klara sin ekonomi med stöd av en budget", "Delta i en fritidsaktivitet varje vecka"]}
    for i, client in enumerate(c for c in clients if c["unit"] in ("ht-norra", "ht-sodra")):
        if i % 4 != 3:  # some have no consent on file: the board leaves the cell uncoloured
            client["consent"] = {"signed": today - dt.timedelta(days=[1200, 1060, 400, 90][i % 4]), "valid_years": 3}
    # a boendestöd client whose only representative is a relative who does not look after rights
    housing = [c for c in clients if c["unit"] == "bs-syd"]
    housing[0]["representatives"] = [{"name": "Lisa " + housing[0]["name"].split()[-1], "role": "relative", "relation": "syster",
                                      "looks_after_rights": False, "phone": "070-555 12 34"}]
    # one trustee who looks after rights in a short-stay family: not the parent
    short_stay = [c for c in clients if c["unit"] == "kv-solrosen"]
    short_stay[0]["representatives"] = [{"name": "Eva Lövgren", "role": "trustee", "scope": ["rights", "person"],
                                          "looks_after_rights": True, "receives_letters": True,
                                          "address": {"street": "Rådhusgatan 2", "postcode": "123 45", "city": "Exempelby"},
                                          "email": "eva.lovgren@example.se", "consent_to_inform": True},
                                         {"name": "Peter " + short_stay[0]["name"].split()[-1], "role": "relative", "relation": "pappa",
                                          "looks_after_rights": False, "receives_letters": False}]
    # a short-stay client with nobody to invite (no address, no representative): a warning, not a crash
    short_stay[-1]["representatives"] = [{"name": "Jonas " + short_stay[-1]["name"].split()[-1], "role": "guardian",
                                          "relation": "pappa", "looks_after_rights": True}]  # no address or e-mail on file
    del short_stay[-1]["address"]

    decisions = _decisions(clients, today, rng)
    survey = {
        "year": year,
        "sent": dt.date(year, 3, 9),
        "answer_by": dt.date(year, 5, 24),
        "results_published": dt.date(year, 10, 14),
        "results": [
            {"unit": unit, "question": q, "value": max(0, min(100, v + delta)), "municipality": m, "national": n, "previous": max(0, min(100, p + delta))}
            for unit, delta in (("ht-norra", 0), ("ht-sodra", -4))
            for q, v, m, n, p in SURVEY_QUESTIONS
        ],
        "actions": [
            {"unit": "ht-norra", "text": "Du ska kunna påverka tiderna mer: vi inför en fast kontaktperson för varje kund under våren."},
            {"unit": "ht-norra", "text": "Vi ringer alltid om vi blir mer än 15 minuter sena."},
            {"unit": "ht-sodra", "text": "Vi ser över våra telefontider så att det blir lättare att nå oss."},
            {"unit": "ht-sodra", "text": "Nya medarbetare går med en erfaren kollega de första veckorna."},
        ],
        "examples": [
            {"unit": "ht-norra", "text": "En kund ville komma ut mer. Nu går hon och personalen till caféet vid torget varje tisdag."},
            {"unit": "ht-sodra", "text": "Vi har startat en läsecirkel på träffpunkten tillsammans med biblioteket."},
        ],
    }
    meetings = _meetings(clients, today, rng)
    open_care = _open_care(clients, today, rng)
    recipients = [
        {"id": "m-1", "name": "Mikael Ström", "kind": "staff", "organisation": "Öppenvården Vägen", "email": "mikael.strom@exempelby.se"},
        {"id": "m-2", "name": "Johanna Björk", "kind": "orderer", "organisation": "Socialtjänsten, barn och unga", "email": "johanna.bjork@exempelby.se"},
        {"id": "m-3", "name": "Anders Hägg", "kind": "orderer", "organisation": "Socialtjänsten, vuxen", "email": "anders.hagg@exempelby.se"},
        {"id": "m-4", "name": "BUP Exempelby", "kind": "partner", "organisation": "Region Exempellän",
         "address": {"street": "Sjukhusvägen 1", "postcode": "123 70", "city": "Exempelby"}},
        {"id": "m-5", "name": "Elevhälsan, Ängsskolan", "kind": "partner", "organisation": "Exempelby kommun", "email": "elevhalsan@exempelby.se"},
    ]
    return {
        "formkit": 1,
        "organisation": {
            "name": "Exempelby kommun",
            "department": "Vård- och omsorgsförvaltningen",
            "address": {"street": "Box 100", "postcode": "123 45", "city": "Exempelby"},
            "phone": "0123-456 00",
            "email": "vard.omsorg@exempelby.se",
            "website": "exempelby.se",
        },
        "units": units,
        "staff": staff,
        "clients": clients,
        "decisions": decisions,
        "survey": survey,
        "meetings": meetings,
        "open_care": open_care,
        "open_care_recipients": recipients,
    }


def _decisions(clients: list[dict[str, Any]], today: dt.date, rng: random.Random) -> list[dict[str, Any]]:
    """Decisions over the last four years for the home-care clients, spread over three assessors,
    with every case the board must show: due long ago, due within two months, not yet due,
    time-limited, not executed, decided on 29 February."""
    out = []
    home = [c for c in clients if c["unit"] in ("ht-norra", "ht-sodra")]
    assessors = ["bh-1", "bh-2", "bh-3"]
    days_ago = [1450, 1400, 1120, 1080, 1060, 1050, 1040, 900, 800, 700, 600, 500, 420, 365, 300, 250, 200, 150, 120, 90, 60, 30, 20, 10, 5, 2]
    for i, client in enumerate(home):
        decided = today - dt.timedelta(days=days_ago[i % len(days_ago)])
        decision: dict[str, Any] = {
            "id": f"B-{decided.year}-{1000 + i:04d}",
            "client": client["id"],
            "assessor": assessors[i % 3],
            # every home-care client has hemtjänst; the other services come with it
            "services": ["HEMTJÄNST"] + [x for x in rng.sample(SERVICES, k=rng.randint(1, 2)) if x != "HEMTJÄNST"],
            "law": "SoL",
            "decided": decided,
            "valid_until": None,
            "executed": True,
            "follow_ups": [],
        }
        if i % 7 == 3:
            decision["valid_until"] = today + dt.timedelta(days=rng.choice([-10, 40, 200]))
        if i % 9 == 4:
            decision["executed"] = False
        if decided < today - dt.timedelta(days=365) and i % 2 == 0:
            follow_day = decided + dt.timedelta(days=rng.randint(200, 360))
            decision["follow_ups"].append({
                "date": follow_day, "method": rng.choice(["phone", "home_visit"]),
                "outcome": rng.choice(["unchanged", "unchanged", "new_decision"]),
                "answers": {"gets_granted_help": "yes", "plans_when": rng.choice(["yes", "partly", "no"]),
                            "plans_how": rng.choice(["yes", "partly"]), "feels_good": "yes"},
            })
        out.append(decision)
    ended = [d for d in out if d["follow_ups"] and d["executed"]][-1]
    ended["follow_ups"][-1]["outcome"] = "ended"  # insatsen avslutad: no next follow-up
    ended["follow_ups"][-1]["reason"] = "Brukaren har flyttat till ett särskilt boende."
    out.extend(_followed_up_this_year(home, today))
    leap = dt.date(2024, 2, 29)
    out.append({"id": "B-2024-0229", "client": home[-1]["id"], "assessor": "bh-1", "services": ["HEMTJÄNST", "LEDSAGNING"],
                "law": "SoL", "decided": leap, "valid_until": None, "executed": True,
                "follow_ups": [{"date": leap + dt.timedelta(days=300), "method": "phone", "outcome": "unchanged",
                                "answers": {"gets_granted_help": "yes", "plans_when": "yes", "plans_how": "partly", "feels_good": "yes"}}]})
    lss = [c for c in clients if c["unit"] == "kv-solrosen"]
    for i, client in enumerate(lss[:3]):
        decided = today - dt.timedelta(days=200 + 300 * i)
        out.append({"id": f"L-{decided.year}-{2000 + i:04d}", "client": client["id"], "assessor": "bh-2",
                    "services": ["KORTTIDSVISTELSE"], "law": "LSS", "decided": decided,
                    "valid_until": add_years(decided, 1) if i == 0 else None, "executed": True, "follow_ups": []})
    return out


def _followed_up_this_year(home: list[dict[str, Any]], today: dt.date) -> list[dict[str, Any]]:
    """Decisions followed up this year, about twenty a month, so that each team's quality file
    (formkit kvalitet) has answers to count in every month so far. Their next follow-up is
    three years away: the boards' other colours stay as they are. A generator of its own keeps
    the rest of the example as it was."""
    rng = random.Random(15)
    out = []
    for month in range(1, today.month + 1):
        last = min(today - dt.timedelta(days=1), (dt.date(today.year, month, 28)))
        first = dt.date(today.year, month, 1)
        if last < first:
            continue
        for k in range(20):
            client = home[(month * 20 + k) % len(home)]
            day = first + dt.timedelta(days=(k * 7) % ((last - first).days + 1))
            weights = ["yes"] * 6 + ["partly"] * 3 + ["no"]
            out.append({
                "id": f"B-{day.year - 2}-{3000 + month * 20 + k:04d}", "client": client["id"],
                "assessor": ["bh-1", "bh-2", "bh-3", "bh-1", "bh-2"][k % 5], "services": [rng.choice(SERVICES)], "law": "SoL",
                "decided": day - dt.timedelta(days=rng.randint(700, 1090)), "valid_until": None, "executed": True,
                "follow_ups": [{"date": day, "method": rng.choice(["phone", "home_visit", "digital"]),
                                "outcome": "new_decision" if k == 4 else "unchanged",
                                "answers": {"gets_granted_help": rng.choice(weights), "plans_when": rng.choice(weights),
                                            "plans_how": rng.choice(weights), "feels_good": rng.choice(weights)}}],
            })
    return out


def _term_start(today: dt.date) -> dt.date:
    return dt.date(today.year, 1 if today.month <= 6 else 7, 1)


def _meetings(clients: list[dict[str, Any]], today: dt.date, rng: random.Random) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    supported = [c for c in clients if c.get("support_person")]
    term_start = _term_start(today)
    for i, client in enumerate(supported):
        if i % 4 == 3:
            continue  # not yet booked this term: shows up in `formkit meetings --due`
        day = today + dt.timedelta(days=7 + 2 * i) if i % 2 else max(term_start, today - dt.timedelta(days=20 + i))
        invitees = [r["name"] for r in client.get("representatives", []) if r.get("looks_after_rights")]
        time = rng.choice(["09.30", "13.00", "14.00", "15.30"])
        if client["unit"] != "kv-solrosen":
            continue  # terminssamtal belong to korttidsvistelse (routine 000), not to boendestöd
        out.append({"kind": "term_meeting", "client": client["id"], "date": day, "time": time,
                    "place": "Solrosens samtalsrum" if client["unit"] == "kv-solrosen" else "Boendestödets kontor, Ängsgatan 3",
                    "status": "booked" if day >= today else "held", "held_by": client["support_person"], "invitees": invitees})
    month_start = today.replace(day=1)
    for i, client in enumerate(c for c in supported if c["unit"] == "bs-syd"):
        if i % 3 == 2:
            continue  # this month's review missing
        day = max(month_start, today - dt.timedelta(days=3 + i))
        review: dict[str, Any] = {"kind": "monthly_review", "client": client["id"], "date": day, "time": "10.00",
                                  "place": "Hemma hos brukaren", "status": "held" if day < today else "booked",
                                  "held_by": client["support_person"]}
        if day < today:
            review["summary"] = ["Vill ha hjälp att komma i gång med promenader. Stödet med ekonomin fungerar bra.",
                                 "Tycker att tiderna passar. Vill ha stöd att boka tid hos tandläkaren."][i % 2]
        out.append(review)
    for i, client in enumerate(c for c in supported if c["unit"] == "kv-solrosen"):
        ended = today - dt.timedelta(days=2 + 7 * i)
        late = i == 1
        out.append({"kind": "homecoming", "client": client["id"], "stay_ended": ended, "stay_ended_time": "16.00",
                    "date": ended + dt.timedelta(days=2 if late else 0), "time": "18.30" if not late else "10.00",
                    "method": ["pickup", "phone", "sms", "contact_book"][i % 4], "status": "held", "held_by": client["support_person"],
                    "spoken_with": client["representatives"][0]["relation"] if client.get("representatives") and client["representatives"][0].get("relation") else "god man",
                    "passed_on": PASSED_ON[i % len(PASSED_ON)]})
    waiting = [c for c in supported if c["unit"] == "kv-solrosen"][-1]
    out.append({"kind": "homecoming", "client": waiting["id"], "stay_ended": today - dt.timedelta(days=1), "stay_ended_time": "15.00",
                "date": today, "status": "booked", "held_by": waiting["support_person"]})  # not yet done: --due shows it
    return out


def _open_care(clients: list[dict[str, Any]], today: dt.date, rng: random.Random) -> list[dict[str, Any]]:
    out = []
    people = [c for c in clients if c["unit"] == "ov-vagen"]
    year_start = dt.date(today.year, 1, 1)
    for i in range(24):
        client = people[i % len(people)]
        started = year_start - dt.timedelta(days=120) + dt.timedelta(days=rng.randint(0, 300))
        length = rng.randint(40, 160)
        ended = started + dt.timedelta(days=length)
        status = "completed" if i % 5 else "interrupted"
        if ended >= today:
            ended, status = None, "ongoing"
        record: dict[str, Any] = {
            "id": f"ov-{i + 1:03d}", "client": client["id"], "service": OPEN_CARE_SERVICES[i % len(OPEN_CARE_SERVICES)],
            "started": started, "ended": ended, "status": status, "staff": "ov-1",
            "problems": rng.sample(PROBLEMS, k=rng.randint(1, 3)),
        }
        if status == "completed":
            record["needs_met"] = rng.choice(["yes", "yes", "partly", "no"])
            record["situation_after"] = rng.choice(["improved", "improved", "unchanged", "worsened"])
        out.append(record)
    # some that started in the last few months, so the current tertial has figures too
    for i, (start_ago, end_ago, status) in enumerate([(80, 10, "completed"), (70, 25, "interrupted"), (60, 5, "completed"),
                                                       (45, None, "ongoing"), (30, None, "ongoing")]):
        record = {"id": f"ov-{len(out) + 1:03d}", "client": people[(i + 3) % len(people)]["id"],
                  "service": OPEN_CARE_SERVICES[(i + 2) % len(OPEN_CARE_SERVICES)], "started": today - dt.timedelta(days=start_ago),
                  "ended": today - dt.timedelta(days=end_ago) if end_ago else None, "status": status, "staff": "ov-1",
                  "problems": rng.sample(PROBLEMS, k=2)}
        if status == "completed":
            record.update(needs_met=["yes", "partly"][i % 2], situation_after="improved")
        out.append(record)
    return out


def case_yaml(today: dt.date) -> str:
    return convert.case_yaml(build_case(today), convert.HEADER.format(name=CASE_FILE_NAME))


def notes_yaml(data: dict[str, Any], today: dt.date) -> str:
    """A stödperson's notes from a terminssamtal that has been held, in the shape
    ``formkit meetings --kind term --minutes`` reads: a client of the example, the meeting's
    date, who took part (a representative among them), answers by question id or number,
    what was agreed and the next meeting."""
    held = [m for m in data["meetings"] if m["kind"] == "term_meeting" and m["status"] == "held"]
    clients = {c["id"]: c for c in data["clients"]}
    meeting = next(m for m in held if any(r.get("looks_after_rights") for r in clients[m["client"]].get("representatives", [])))
    client = clients[meeting["client"]]
    relative = next(r for r in client["representatives"] if r.get("looks_after_rights"))
    staff = {s["id"]: s for s in data["staff"]}
    next_day = meeting["date"] + dt.timedelta(days=182)
    while next_day.weekday() >= 5:
        next_day += dt.timedelta(days=1)
    email = f", email: {relative['email']}" if relative.get("email") else ""
    return f"""\
# Anteckningar från ett terminssamtal (påhittade), för:
#   formkit meetings {CASE_FILE_NAME} --kind term --minutes {NOTES_FILE_NAME}
# Det ger enhetens exemplar och en renskriven kopia till de anhöriga som deltog.
client: {client['id']}              # klientens id i ärendefilen ({client['name']})
date: {meeting['date'].isoformat()}          # dagen för samtalet
informed: ja                # alla fick veta att samtalet dokumenteras
participants:               # de som deltog; relative: ja för en anhörig som ska få kopian
  - {{name: {client['name']}}}
  - {{name: {relative['name']}, relative: ja{email}}}
  - {{name: {staff[meeting['held_by']]['name']}, role: stödperson}}
answers:                    # svar per fråga: id (upplevelse, upplagg, trivsel, bra, battre,
                            # information, onskemal, ovrigt) eller nummer 1–8
  upplevelse: Tryggt och bra. Personalen är lyhörd.
  trivsel: Trivs bäst när det blir utflykter och musik.
  5: Bättre information om vad som hänt under helgen.
actions:                    # vad ni kom överens om
  - {{what: Skicka veckoschema före varje vistelse, who: {staff[meeting['held_by']]['name']}, when: {(meeting['date'] + dt.timedelta(days=14)).isoformat()}}}
next_meeting: {{date: {next_day.isoformat()}, time: "{meeting['time']}", place: {meeting['place']}}}
internal: Bara för enheten, skickas inte till de anhöriga.
"""


def client_list_bytes(data: dict[str, Any]) -> bytes:
    """A coordinator's own client list as she might keep it in Excel (Swedish column names,
    postal codes as text), for ``formkit letters --clients``: the home-care clients."""
    home_care = {u["id"] for u in data["units"] if u["kind"] == "home_care"}
    book = Workbook()
    sheet = book.active
    sheet.title = "Klienter"
    header = ["Id", "Namn", "Adress", "C/o", "Postnummer", "Ort", "Enhet", "Skyddad identitet", "Personnummer"]
    for column, name in enumerate(header, start=1):
        put(sheet, 1, column, name, font=Font(bold=True))
    row = 2
    for client in data["clients"]:
        if client["unit"] not in home_care or not client.get("address"):
            continue
        address = client["address"]
        values = [client["id"], client["name"], address.get("street") or "", address.get("co") or "",
                  address.get("postcode") or "", address.get("city") or "", client["unit"],
                  "Ja" if client.get("protected_identity") else "", client.get("personal_number") or ""]
        for column, value in enumerate(values, start=1):
            put(sheet, row, column, value)
        row += 1
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def plan(folder: Path, today: dt.date) -> Output:
    """The example case (YAML, and the same case as a workbook), a notes file, a client list and
    the templates for ``folder``; refuse to overwrite anything."""
    data = build_case(today)
    output = Output("exempel och mallar")
    text = case_yaml(today)
    output.add(CASE_FILE_NAME, text.encode("utf-8"))
    case = validate_case(*yamlsource.loads(text, CASE_FILE_NAME), CASE_FILE_NAME)
    output.add(WORKBOOK_FILE_NAME, workbook_bytes(case))
    output.add(NOTES_FILE_NAME, notes_yaml(data, today).encode("utf-8"))
    output.add(CLIENT_LIST_NAME, client_list_bytes(data))
    for family, path in template_files.all_templates(None):
        output.add(f"{TEMPLATE_FOLDER}/{family}/{path.name}", path.read_bytes())
    existing = [p for p in output.files if (folder / p).exists()]
    if existing:
        raise OutputError(
            f"{folder} innehåller redan {existing[0]}"
            + (f" och {len(existing) - 1} fil(er) till" if len(existing) > 1 else "")
            + "; inget skrevs över. Välj en tom mapp."
        )
    output.summary.append(f"Börja med: formkit check {folder / CASE_FILE_NAME}")
    return output
