"""A small öppenvård case with counts worked out by hand (see the comments), shared by the
opencare tests.

Period 2026-T1 (2026-01-01–2026-04-30), previous 2025-T3 (2025-09-01–2025-12-31).

T1: 14 active insatser (Samtalsstöd 7, Föräldrastöd 5, Missbruksbehandling 2) for 12
clients (6 women, 4 men, 1 other, 1 unknown; ages in 2026: 0–17 1, 18–24 1, 25–44 6, 45–64 2,
65+ 1, unknown 1). 11 started (problems: Ensamhet 2, Föräldraskap 3, Missbruk 3, Oro 4,
none 1). 7 ended (needs met: yes 4, partly 1, no 1, unanswered 1; situation: improved 4,
unchanged 2, worsened 0, unanswered 1), 2 of them interrupted (Samtalsstöd 1, Föräldrastöd 1).

T3 2025: 3 active (Samtalsstöd 2, Föräldrastöd 1) for 3 clients (2 women, 1 man; ages in 2025:
25–44 1, 45–64 2); 3 started (Ensamhet 2, Föräldraskap 1); none ended.
"""

from __future__ import annotations

from typing import Any

S, F, M = "Samtalsstöd", "Föräldrastöd", "Missbruksbehandling"

UNITS = [
    {"id": "ov", "name": "Öppenvården", "kind": "open_care", "manager": "ec-1"},
    {"id": "ht-norra", "name": "Hemtjänst Norra", "kind": "home_care", "manager": "ec-1"},
    {"id": "bs-syd", "name": "Boendestöd Syd", "kind": "housing_support", "manager": "ec-2"},
    {"id": "myndighet", "name": "Biståndsenheten", "kind": "assessment", "manager": "ec-2"},
]
STAFF = [
    {"id": "ec-1", "name": "Maria Lind", "role": "unit_manager", "unit": "ov", "email": "maria.lind@exempelby.se"},
    {"id": "ec-2", "name": "Per Ek", "role": "unit_manager", "unit": "bs-syd"},
    {"id": "bh-1", "name": "Karin Ek", "role": "assessor", "unit": "myndighet"},
    {"id": "sp-1", "name": "Ali Hassan", "role": "support_person", "unit": "bs-syd"},
    {"id": "be-1", "name": "Lena Å'Berg & Co", "role": "staff", "unit": "ov"},
]
_PEOPLE = [  # id, gender, birth year
    ("c01", "female", 1990), ("c02", "female", 1985), ("c03", "female", 2000), ("c04", "female", 1970),
    ("c05", "female", 2005), ("c06", "female", 1995), ("c07", "male", 1988), ("c08", "male", 1975),
    ("c09", "male", 2010), ("c10", "male", 1960), ("c11", "other", 1992), ("c12", "unknown", None),
]


def clients() -> list[dict[str, Any]]:
    out = []
    for cid, gender, year in _PEOPLE:
        client: dict[str, Any] = {"id": cid, "name": f"Klient {cid}", "gender": gender, "unit": "ov"}
        if year:
            client["birth_year"] = year
        out.append(client)
    out[0]["name"] = "Åsa Öberg & <Söner>"
    out[0]["personal_number"] = "19900101-0017"  # c01; birth year 1990 either way
    del out[0]["birth_year"]
    out[0]["address"] = {"street": "Storgatan 1", "postcode": "012 34", "city": "Exempelby"}
    out[0]["care_plan"] = {"updated": "2026-01-05", "goals": ["Bryta isoleringen", "Sova bättre"]}
    out[1]["protected_identity"] = True
    out[1]["address"] = {"street": "Hemliga vägen 1", "postcode": "123 45", "city": "Exempelby"}
    return out


def _o(oid: str, client: str, service: str, started: str, ended: str | None = None, status: str = "ongoing",
       problems: list[str] | None = None, needs: str | None = None, situation: str | None = None) -> dict[str, Any]:
    record: dict[str, Any] = {"id": oid, "client": client, "service": service, "started": started, "status": status,
                              "staff": "be-1", "problems": problems or []}
    if ended:
        record["ended"] = ended
    if needs:
        record["needs_met"] = needs
    if situation:
        record["situation_after"] = situation
    return record


def open_care() -> list[dict[str, Any]]:
    return [
        _o("o01", "c01", S, "2025-10-01", problems=["Ensamhet"]),
        _o("o02", "c02", S, "2026-01-15", "2026-03-20", "completed", ["Ensamhet", "Oro"], "yes", "improved"),
        _o("o03", "c03", S, "2026-02-01", problems=["Oro"]),
        _o("o04", "c04", S, "2025-11-01", "2026-02-10", "completed", ["Ensamhet"], "yes", "improved"),
        _o("o05", "c05", S, "2026-03-01", "2026-04-30", "interrupted", ["Missbruk"], "no", "unchanged"),
        _o("o06", "c06", S, "2026-04-30"),
        _o("o07", "c07", S, "2026-01-02", "2026-04-01", "completed", ["ORO"], "partly", "improved"),
        _o("o08", "c07", F, "2026-01-10", problems=["Föräldraskap"]),
        _o("o09", "c08", F, "2025-09-15", "2026-01-31", "completed", ["Föräldraskap"], "yes", "unchanged"),
        _o("o10", "c09", F, "2026-02-15", "2026-03-15", "interrupted", ["Föräldraskap", "Oro"]),
        _o("o11", "c10", F, "2026-03-01", problems=["Föräldraskap"]),
        _o("o12", "c11", F, "2026-04-01", problems=["Ensamhet"]),
        _o("o13", "c12", M, "2026-01-20", "2026-02-20", "completed", ["Missbruk"], "yes", "improved"),
        _o("o14", "c01", M, "2026-02-01", problems=["Missbruk"]),
        _o("o15", "c02", S, "2026-05-10", problems=["Oro"]),  # T2: not in T1
        _o("o16", "c08", M, "2025-02-01", "2025-06-30", "completed"),  # before both periods
    ]


RECIPIENTS = [
    {"id": "r-staff", "name": "Lena Berg", "kind": "staff", "email": "lena.berg@exempelby.se"},
    {"id": "r-orderer", "name": "Socialsekreterarna", "kind": "orderer", "organisation": "Myndighetsenheten"},
    {"id": "r-partner", "name": "Ali & Söner <AB>", "kind": "partner", "organisation": "Region Exempel",
     "address": {"street": "Box 7", "postcode": "111 22", "city": "Exempelby"}},
]


def sections(**overrides: Any) -> dict[str, Any]:
    data = {"units": UNITS, "staff": STAFF, "clients": clients(), "open_care": open_care(),
            "open_care_recipients": RECIPIENTS}
    data.update(overrides)
    return data
