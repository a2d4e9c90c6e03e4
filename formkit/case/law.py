"""Who acts for a client on a given day, and what the case file gets wrong about it.

Documents are dated, and so is representation:

* a **vårdnadshavare** acts for a child only until the child turns 18 (FB 6 kap. 2 §); on the
  18th birthday the parent becomes a relative like any other;
* a **god man** or **förvaltare** acts within the appointment: ``scope`` lists what it covers
  (``rights`` bevaka rätt, ``property`` förvalta egendom, ``person`` sörja för person; FB 11
  kap. 4 § and 7 §). Only one who looks after the client's rights is invited or copied (routine
  000: "rätt intressenter … inte alltid föräldern");
* a **närstående** of an adult is invited and copied only when the client has agreed
  (``consent_to_inform``): an adult who manages her own affairs decides that herself, and needs
  no god man to be taken seriously;
* a **samtycke** signed by a vårdnadshavare lapses when the client turns 18.

``acts_for`` and ``role_on`` are what the letters and meeting forms use; ``client_warnings``
and ``case_warnings`` are what ``formkit check`` and the commands' summaries say. Warnings name
the client's id, never the personal number.
"""

from __future__ import annotations

import datetime as dt

from formkit.case.model import ROLE_NAMES, Case, Client, Representative

CUSTODY_LAW = "FB 6 kap. 2 §"


def role_on(client: Client, rep: Representative, day: dt.date) -> str:
    """The Swedish word for the representative on ``day``: a vårdnadshavare of a client who
    has turned 18 is no longer one, and is called by the relation (or "närstående")."""
    if rep.role == "guardian" and client.is_child_on(day) is False:
        return rep.relation or ROLE_NAMES["relative"]
    if rep.role == "relative":
        return rep.relation or ROLE_NAMES["relative"]
    return ROLE_NAMES[rep.role]


def acts_for(client: Client, rep: Representative, day: dt.date) -> bool:
    """Is ``rep`` invited to the client's meetings and copied on letters on ``day``?"""
    child = client.is_child_on(day)
    if rep.role == "guardian":
        # custody ends at 18; a consent recorded while she was vårdnadshavare does not carry over:
        # the role must be changed to relative with the adult client's own consent (check says so)
        return child is not False
    if rep.role in ("trustee", "administrator"):
        return rep.covers_rights
    if child:
        return rep.looks_after_rights  # a relative of a child: as the guardians have arranged
    return rep.consent_to_inform  # an adult (or age unknown) decides who is involved


def involved(client: Client, day: dt.date) -> list[Representative]:
    """The representatives who act for the client on ``day``, in the case file's order."""
    return [rep for rep in client.representatives if acts_for(client, rep, day)]


def client_warnings(client: Client, day: dt.date) -> list[str]:
    """What is wrong in law with the client's representatives and consent on ``day``."""
    out: list[str] = []
    child = client.is_child_on(day)
    adult_since = client.eighteenth_birthday
    guardians = [r for r in client.representatives if r.role == "guardian"]
    if child is False:
        since = f" (den {adult_since.isoformat()})" if adult_since else ""
        for rep in guardians:
            out.append(
                f"klient {client.id}: {rep.name} är registrerad som vårdnadshavare, men klienten har fyllt 18 år{since} "
                f"och vårdnaden upphörde då ({CUSTODY_LAW}). Ändra rollen till relative och skriv consent_to_inform: ja "
                f"om klienten vill att {rep.name} bjuds in och får kopior, eller registrera god man eller förvaltare om en sådan är förordnad."
            )
        if client.consent and client.consent.given_by == "guardian" and adult_since and client.consent.valid_until >= adult_since:
            out.append(
                f"klient {client.id}: samtycket lämnades av vårdnadshavaren och upphörde när klienten fyllde 18 år "
                f"(den {adult_since.isoformat()}). Be klienten själv om samtycke och skriv det under consent (given_by: client)."
            )
        for rep in client.representatives:
            if rep.role == "relative" and rep.looks_after_rights and not rep.consent_to_inform:
                out.append(
                    f"klient {client.id}: {rep.name} (närstående) är markerad looks_after_rights, men en närstående till en vuxen "
                    "bjuds in och får kopior bara när klienten har samtyckt. Skriv consent_to_inform: ja om klienten vill det, "
                    f"eller registrera förordnandet om {rep.name} är god man eller förvaltare."
                )
    if child:
        if not guardians and not any(r.role in ("trustee", "administrator") for r in client.representatives):
            out.append(
                f"klient {client.id} är under 18 år men har ingen vårdnadshavare i ärendefilen. Lägg till vårdnadshavaren "
                "(role: guardian), eller en särskilt förordnad vårdnadshavare eller god man."
            )
    for rep in client.representatives:
        if rep.role in ("trustee", "administrator") and not rep.scope:
            out.append(
                f"klient {client.id}: ange vad förordnandet för {rep.name} ({ROLE_NAMES[rep.role]}) omfattar: "
                "scope: [rights, property, person] (bevaka rätt, förvalta egendom, sörja för person)."
            )
    return out


def case_warnings(case: Case, day: dt.date, clients: list[Client] | None = None) -> list[str]:
    """``client_warnings`` for every client (or the given ones) on ``day``."""
    return [w for client in (case.clients if clients is None else clients) for w in client_warnings(client, day)]
