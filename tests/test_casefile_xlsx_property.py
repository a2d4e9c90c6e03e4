"""YAML -> xlsx -> YAML gives the same case, for generated cases that use every sheet."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from formkit.case.convert import convert
from formkit.case.loading import load_case
from formkit.example import personal_number

# text a person types: letters (åäö too), digits, punctuation, symbols and spaces; not only
# spaces, and no semicolon (it separates the values of a list cell)
TEXT = st.text(st.characters(whitelist_categories=("L", "N", "P", "S", "Zs"), blacklist_characters=";"),
               min_size=1, max_size=16).filter(lambda t: t.strip() != "")
IDS = st.from_regex(r"[a-z][a-z0-9-]{0,5}", fullmatch=True)
DATES = st.dates(dt.date(1990, 1, 1), dt.date(2035, 12, 31))
POSTCODES = st.from_regex(r"[0-9]{3} ?[0-9]{2}", fullmatch=True)
PHONES = st.one_of(st.from_regex(r"0[0-9]{1,3}-[0-9]{3} [0-9]{2} [0-9]{2}", fullmatch=True), st.from_regex(r"0[0-9]{9}", fullmatch=True))
CLOCKS = st.from_regex(r"([01][0-9]|2[0-3])\.[0-5][0-9]", fullmatch=True)
PERCENT = st.integers(0, 1000).map(lambda tenths: tenths / 10)  # results are published to one decimal


def maybe(strategy: Any) -> Any:
    return st.one_of(st.none(), strategy)


def drop_none(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if v is not None}


def address() -> Any:
    return st.builds(lambda street, co, postcode, city, country: drop_none(
        {"street": street, "co": co, "postcode": postcode, "city": city, "country": country}),
        TEXT, maybe(TEXT), POSTCODES, TEXT, maybe(TEXT))


@st.composite
def cases(draw: Any) -> dict[str, Any]:
    unit_ids = draw(st.lists(IDS, min_size=1, max_size=3, unique=True))
    staff_ids = draw(st.lists(IDS, min_size=2, max_size=4, unique=True))
    roles = ["assessor", "support_person"] + draw(st.lists(st.sampled_from(["unit_manager", "coordinator", "staff"]),
                                                           min_size=len(staff_ids) - 2, max_size=len(staff_ids) - 2))
    units = [drop_none({"id": u, "name": draw(TEXT), "kind": draw(st.sampled_from(["home_care", "short_stay", "housing_support", "open_care", "assessment"])),
                        "manager": draw(maybe(st.sampled_from(staff_ids))), "phone": draw(maybe(PHONES)), "email": draw(maybe(TEXT)),
                        "meeting_day": draw(maybe(st.sampled_from(["måndag", "tisdag", "onsdag", "torsdag", "fredag"]))),
                        "meeting_time": draw(maybe(CLOCKS))})
             for u in unit_ids]
    staff = [drop_none({"id": s, "name": draw(TEXT), "role": role, "unit": draw(maybe(st.sampled_from(unit_ids))),
                        "title": draw(maybe(TEXT)), "phone": draw(maybe(PHONES)), "team": draw(maybe(IDS))})
             for s, role in zip(staff_ids, roles)]
    client_ids = draw(st.lists(IDS, min_size=1, max_size=4, unique=True))
    clients = []
    for n, c in enumerate(client_ids):
        birth = draw(st.dates(dt.date(1920, 1, 1), dt.date(2015, 12, 31)))
        client = drop_none({
            "id": c, "name": draw(TEXT), "unit": draw(st.sampled_from(unit_ids)),
            "personal_number": draw(maybe(st.just(personal_number(birth, 100 + n, coordination=draw(st.booleans()))))),
            "birth_year": draw(maybe(st.integers(1900, 2020))), "gender": draw(st.sampled_from(["female", "male", "other", "unknown"])),
            "address": draw(maybe(address())), "protected_identity": draw(st.booleans()),
            "support_person": draw(maybe(st.just(staff_ids[1]))), "phone": draw(maybe(PHONES)), "email": draw(maybe(TEXT)),
            "consent": draw(maybe(st.builds(lambda s, y, g: {"signed": s, "valid_years": y, "given_by": g}, DATES, st.integers(1, 10),
                                            st.sampled_from(["client", "guardian", "representative"])))),
            "care_plan": draw(maybe(st.builds(lambda u, f, r, a, g: drop_none({"updated": u, "follow_up": f, "risk_assessment": r, "action_plan": a, "goals": g}),
                                              DATES, maybe(DATES), maybe(DATES), st.booleans(), st.lists(TEXT, max_size=2)))),
            "representatives": draw(st.lists(st.builds(
                lambda name, role, relation, rights, letters, addr, phone, inform: drop_none({
                    "name": name, "role": role, "relation": relation, "looks_after_rights": rights,
                    "receives_letters": letters, "address": addr, "phone": phone, "consent_to_inform": inform}),
                TEXT, st.sampled_from(["trustee", "administrator", "guardian", "relative"]), maybe(TEXT), st.booleans(),
                st.booleans(), maybe(address()), maybe(PHONES), st.booleans()), max_size=2)),
        })
        clients.append(client)
    # an answers group with no answer in it is no group in a workbook row: not generated
    answers = st.builds(lambda a, b, c, d: drop_none({"gets_granted_help": a, "plans_when": b, "plans_how": c, "feels_good": d}),
                        *[maybe(st.sampled_from(["yes", "partly", "no"]))] * 4).filter(bool)
    decision_ids = draw(st.lists(st.from_regex(r"B-[0-9]{1,4}", fullmatch=True), max_size=3, unique=True))
    decisions = [drop_none({
        "id": d, "client": draw(st.sampled_from(client_ids)), "assessor": staff_ids[0], "services": draw(st.lists(TEXT, min_size=1, max_size=3)),
        "law": draw(st.sampled_from(["SoL", "LSS"])), "decided": draw(DATES), "valid_until": draw(maybe(DATES)), "executed": draw(st.booleans()),
        "not_executed_reason": draw(maybe(TEXT)),
        "follow_ups": draw(st.lists(st.builds(lambda day, method, outcome, reason, ans: drop_none(
            {"date": day, "method": method, "outcome": outcome, "reason": reason, "answers": ans}),
            DATES, st.sampled_from(["phone", "home_visit", "digital", "office"]),
            st.sampled_from(["unchanged", "new_decision", "ended"]), maybe(TEXT), maybe(answers)), max_size=2)),
    }) for d in decision_ids]
    meetings = draw(st.lists(st.builds(
        lambda kind, client, day, time, place, status, held_by, invitees, ended, ended_time, method, summary: drop_none({
            "kind": kind, "client": client, "date": day, "time": time, "place": place, "status": status, "held_by": held_by,
            "invitees": invitees, "stay_ended": ended, "stay_ended_time": ended_time, "method": method, "summary": summary}),
        st.sampled_from(["term_meeting", "monthly_review", "homecoming"]), st.sampled_from(client_ids), DATES, maybe(CLOCKS), maybe(TEXT),
        st.sampled_from(["booked", "held", "cancelled"]), maybe(st.sampled_from(staff_ids)), st.lists(TEXT, max_size=2),
        maybe(DATES), maybe(CLOCKS), maybe(st.sampled_from(["pickup", "phone", "sms", "contact_book"])), maybe(TEXT)), max_size=2))
    open_care = []
    for i in range(draw(st.integers(0, 2))):
        started, status = draw(DATES), draw(st.sampled_from(["ongoing", "completed", "interrupted"]))
        ended = None if status == "ongoing" else started + dt.timedelta(days=draw(st.integers(0, 400)))
        open_care.append(drop_none({
            "id": f"ov-{i}", "client": draw(st.sampled_from(client_ids)), "service": draw(TEXT), "started": started, "ended": ended,
            "status": status, "staff": draw(maybe(st.sampled_from(staff_ids))),
            "problems": draw(st.lists(TEXT, max_size=3)), "needs_met": draw(maybe(st.sampled_from(["yes", "partly", "no"]))),
            "situation_after": draw(maybe(st.sampled_from(["improved", "unchanged", "worsened"]))),
        }))
    recipients = [drop_none({"id": f"m-{i}", "name": draw(TEXT), "kind": draw(st.sampled_from(["staff", "orderer", "partner"])),
                             "organisation": draw(maybe(TEXT)), "email": draw(maybe(TEXT)), "address": draw(maybe(address()))})
                  for i in range(draw(st.integers(0, 2)))]
    survey = draw(maybe(st.builds(lambda year, sent, by, published, results, actions, examples: drop_none(
        {"year": year, "sent": sent, "answer_by": by, "results_published": published, "results": results, "actions": actions, "examples": examples}),
        st.integers(2000, 2100), maybe(DATES), maybe(DATES), maybe(DATES),
        st.lists(st.builds(lambda u, q, v, m, n, p: drop_none({"unit": u, "question": q, "value": v, "municipality": m, "national": n, "previous": p}),
                           st.sampled_from(unit_ids), TEXT, PERCENT, maybe(PERCENT), maybe(PERCENT), maybe(PERCENT)), max_size=2),
        st.lists(st.builds(lambda u, t: {"unit": u, "text": t}, st.sampled_from(unit_ids), TEXT), max_size=2),
        st.lists(st.builds(lambda u, t: {"unit": u, "text": t}, st.sampled_from(unit_ids), TEXT), max_size=2))))
    organisation = drop_none({"name": draw(TEXT), "department": draw(maybe(TEXT)), "address": draw(address()),
                              "phone": draw(maybe(PHONES)), "email": draw(maybe(TEXT)), "website": draw(maybe(TEXT))})
    return drop_none({"formkit": 1, "organisation": organisation, "units": units, "staff": staff, "clients": clients,
                      "decisions": decisions, "survey": survey, "meetings": meetings, "open_care": open_care,
                      "open_care_recipients": recipients,
                      "follow_up_years": draw(maybe(st.builds(lambda sol, lss: {"SoL": sol, "LSS": lss}, st.integers(1, 10), st.integers(1, 10))))})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(cases())
def test_yaml_to_workbook_to_yaml_gives_the_same_case(data: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        source = folder / "a.yaml"
        source.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        original = load_case(source)
        convert(source, folder / "a.xlsx")
        assert load_case(folder / "a.xlsx") == original
        convert(folder / "a.xlsx", folder / "b.yaml")
        assert load_case(folder / "b.yaml") == original
