"""Brukarbrev 1–4: one batch of survey letters a coordinator prints and posts the same day.

Seed 001 (Brukarundersökning hemtjänst): letter 1 in February announces Socialstyrelsen's
survey, letter 2 in June thanks, letter 3 keeps in touch (good examples, synpunkter and
klagomål, synpunktskort and svarskuvert), letter 4 gives the unit's result and planned actions.

``plan`` chooses the recipients (each client of the chosen units, plus a copy to every
representative who looks after the client's rights and receives letters), renders every letter
from templates compiled once when the output is written (``formkit.output.write``):

* ``brukarbrev-<n>_<id>.docx`` per recipient, ``utskrift_brukarbrev-<n>.docx`` (one print file),
  ``adresslista_brukarbrev-<n>.xlsx`` (for the mailing) and ``forteckning_brukarbrev-<n>.csv``;
* clients with protected identity get no address on any page and their letters go to the
  subfolder ``skyddad-identitet/`` with an inner-envelope sheet (name and personal number) for
  forwarding through Skatteverket; they are not in the address list.

Who gets the letters: Socialstyrelsen's survey goes to people who are 65 or older on the
survey's day (``survey.sent``, default 1 March) and have a current home-care decision
(hemtjänst) on the letter's date, so by default only they get the letters; everyone else is
listed as skipped with the reason, and ``--all-clients`` includes them. A coordinator's own list
(``--clients``) is taken as the population she chose. A representative gets a copy when she acts
for the client on the letter's date (``case.law``: a vårdnadshavare only until 18, a god man or
förvaltare who looks after the client's rights, a relative of an adult only with the client's
consent) and receives letters; the copy speaks of the client in the third person.

Deadlines: brukarbrev 1 asks for an answer by ``survey.answer_by`` only while that day is still
ahead; a letter dated after it gets no deadline and the summary warns.

A client without an address is skipped with a reason and the batch goes on; every other
problem stops the batch before anything is written. Per-letter work is kept to building a
small dict: unit, contact and survey contexts are built once per unit.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from formkit import parallel
from formkit import templates as template_files
from formkit.case import clientlist
from formkit.case import law
from formkit.case.model import ROLE_NAMES, Address, Case, Client, Decision, Representative, Unit
from formkit.docx import letterbody
from formkit.docx.combine import PrintFile
from formkit.docx.render import CompiledTemplate, Rendered
from formkit.errors import DataError
from formkit.fields import FieldSet, common_context, register, unit_context
from formkit.letters import addresslist
from formkit.options import Options
from formkit.output import Output, Sink, csv_bytes, write_new

PROTECTED_FOLDER = "skyddad-identitet"
INNER_ENVELOPE = "skyddad-identitet-innerkuvert.docx"
FORWARDING = "skyddad-identitet-instruktion.docx"
# Skatteverket's forwarding address for post to people with skyddade personuppgifter
SKATTEVERKET_FORWARDING = ("Skatteverket", "Box 2820", "403 20 GÖTEBORG")
SURVEY_AGE = 65
# decisions that alone do not make a client part of Socialstyrelsen's hemtjänst survey
NOT_HOME_CARE = {"TRYGGHETSLARM", "MATDISTRIBUTION", "MATLÅDOR", "DAGVERKSAMHET", "KORTTIDSVISTELSE"}
LETTER_NAMES = {
    1: "brukarbrev 1 (enkäten kommer)",
    2: "brukarbrev 2 (tack)",
    3: "brukarbrev 3 (synpunkter och klagomål)",
    4: "brukarbrev 4 (resultatet)",
}

LETTER_FIELDS = {
    "letter": "brevets nummer (1–4)",
    "recipient.name": "mottagarens namn (klienten, eller företrädaren för en kopia)",
    "recipient.address_block": "namn och adress på rader, för fönsterkuvertet (bara namnet vid skyddad identitet)",
    "recipient.is_copy": "sant när brevet är en kopia till en företrädare",
    "recipient.role": "företrädarens roll: god man, förvaltare, vårdnadshavare eller närstående (tom för klienten)",
    "recipient.role_phrase": "rollen med klientens namn, t.ex. \"god man för Åsa Öberg\" (tom för klienten)",
    "recipient.protected": "sant när klienten har skyddad identitet (brevet skickas via Skatteverket)",
    "client.id": "klientens id",
    "client.name": "klientens namn",
    "unit.id": "enhetens id",
    "unit.name": "enhetens namn",
    "unit.phone": "enhetens telefonnummer",
    "unit.email": "enhetens e-postadress",
    "unit.manager.name": "enhetschefens namn",
    "unit.manager.title": "enhetschefens titel",
    "unit.manager.phone": "enhetschefens telefonnummer",
    "unit.manager.email": "enhetschefens e-postadress",
    "contact.name": "kontaktperson i brevet (enhetschefen, annars enheten)",
    "contact.title": "kontaktpersonens titel, t.ex. enhetschef",
    "contact.phone": "kontaktpersonens telefonnummer (annars enhetens eller kommunens)",
    "contact.email": "kontaktpersonens e-postadress (annars enhetens eller kommunens)",
    "survey.year": "brukarundersökningens år",
    "survey.answer_by": "sista dag att svara (kan vara tom); skriv {{ survey.answer_by|long_date }}",
    "survey.results": "enhetens resultat, en rad per fråga (lista)",
    "survey.results[].question": "frågan",
    "survey.results[].value": "enhetens andel positiva svar i procent; skriv {{ row.value|percent }}",
    "survey.results[].municipality": "hela kommunens andel (tom om den saknas)",
    "survey.results[].national": "hela landets andel (tom om den saknas)",
    "survey.results[].previous": "enhetens andel förra året (tom om den saknas)",
    "survey.actions": "enhetens planerade förbättringar (lista av texter)",
    "survey.examples": "goda exempel från enheten (lista av texter)",
}
INNER_ENVELOPE_FIELDS = {
    "client.name": "klientens namn",
    "client.personal_number": "klientens personnummer (bara på innerkuvertet, som Skatteverket kräver)",
    "client.number_label": "Personnummer eller Samordningsnummer",
    "unit.name": "enhetens namn",
    "unit.phone": "enhetens telefonnummer",
    "sender_lines": "avsändaren för kuvertets baksida: enheten och kommunens adress (lista)",
}
FORWARDING_FIELDS = {
    "unit.name": "enhetens namn",
    "unit.phone": "enhetens telefonnummer",
    "letter": "brevets nummer (1–4)",
    "count": "hur många brev som ska skickas via Skatteverket",
    "forwarding_lines": "Skatteverkets adress för vidarebefordran (lista), för ytterkuvertet",
    "sender_lines": "avsändaren för innerkuvertens baksida (lista)",
}

register(FieldSet("letters", ("brukarbrev-*.docx",), "Brukarbrev 1–4", LETTER_FIELDS))
register(FieldSet("letters", (INNER_ENVELOPE,), "Innerkuvert för post via Skatteverket", INNER_ENVELOPE_FIELDS))
register(FieldSet("letters", (FORWARDING,), "Så skickas brev via Skatteverket, med ytterkuvertets adress", FORWARDING_FIELDS))

@dataclass(frozen=True)
class Recipient:
    """One letter to write: to the client, or a copy (``copy`` = 1, 2, …) to a representative."""

    client: Client
    copy: int = 0
    representative: Representative | None = None

    @property
    def id(self) -> str:
        return f"{self.client.id}_kopia-{self.copy}" if self.copy else self.client.id

    @property
    def name(self) -> str:
        return self.representative.name if self.representative else self.client.name

    @property
    def address(self) -> Address | None:
        if self.representative:
            return self.representative.address
        return None if self.client.protected_identity else self.client.address

    @property
    def protected(self) -> bool:
        """Only the client's own letter goes through Skatteverket; a copy goes to the
        representative's own (unprotected) address."""
        return self.client.protected_identity and not self.copy


# --- planning ----------------------------------------------------------------------------------

def select_units(case: Case, unit_id: str | None) -> list[Unit]:
    """The chosen unit, or every home-care unit (the routine is written for hemtjänst)."""
    if unit_id:
        if unit_id not in case.units_by_id:
            known = ", ".join(u.id for u in case.units) or "(inga enheter)"
            raise DataError(f"Det finns ingen enhet med id '{unit_id}'. Välj en av: {known}.")
        return [case.units_by_id[unit_id]]
    units = [u for u in case.units if u.kind == "home_care"]
    if not units:
        raise DataError("Ärendefilen har ingen hemtjänstenhet (kind: home_care). Välj enhet med --unit.")
    return units


def is_home_care(decision: Decision) -> bool:
    """A decision that puts the client in the hemtjänst survey: any service other than those
    that alone do not count (trygghetslarm, matdistribution, dagverksamhet, …)."""
    return any(service.strip().upper() not in NOT_HOME_CARE for service in decision.services)


def current_on(decision: Decision, day: dt.date) -> bool:
    """Decided by ``day``, not past its end date, and not ended at a follow-up before ``day``."""
    if decision.decided > day or (decision.valid_until is not None and decision.valid_until < day):
        return False
    ended = [f.date for f in decision.follow_ups if f.outcome == "ended" and f.date <= day]
    return not ended


def survey_reason(case: Case, client: Client, day: dt.date, decisions: Sequence[Decision] | None = None) -> str | None:
    """Why the client is not in Socialstyrelsen's survey population (None: the client is, or
    the case file cannot tell: an unknown age or no decisions at all are warned about instead).
    ``decisions``: the client's own, when the caller has sorted them out for every client (a
    batch would otherwise read all of the case file's decisions once per client)."""
    survey_day = case.survey.population_day if case.survey else dt.date(day.year, 3, 1)
    age = client.age_on(survey_day)
    if age is not None and age < SURVEY_AGE:
        return f"är {age} år den {survey_day.isoformat()}; enkäten gäller den som är {SURVEY_AGE} år eller äldre"
    if not case.decisions:
        return None  # a case file without the assessors' decisions: only the age can be judged (the summary says so)
    if decisions is None:
        decisions = [d for d in case.decisions if d.client == client.id]
    if not any(is_home_care(d) and current_on(d, day) for d in decisions):
        if not decisions:
            return "har inget beslut om hemtjänst i ärendefilen"
        last = max(decisions, key=lambda d: d.decided)
        return f"har inget gällande beslut om hemtjänst den {day.isoformat()}; det senaste beslutet är {last.id}"
    return None


def decisions_by_client(case: Case) -> dict[str, list[Decision]]:
    """Each client's decisions, in the case file's order."""
    by_client: dict[str, list[Decision]] = {}
    for decision in case.decisions:
        by_client.setdefault(decision.client, []).append(decision)
    return by_client


def choose_recipients(clients: Sequence[Client], unit_ids: set[str], day: dt.date | None = None,
                      population: Callable[[Client], str | None] | None = None,
                      ) -> tuple[list[Recipient], list[tuple[str, str]]]:
    """Recipients in the clients' order (each copy right after its client) and what was skipped.

    ``population`` says why a client is outside the survey population (None: inside);
    ``day`` is the letter's date, on which representatives are judged (``case.law``)."""
    day = day or dt.date.today()
    recipients: list[Recipient] = []
    skipped: list[tuple[str, str]] = []
    for client in clients:
        if client.unit not in unit_ids:
            continue
        reason = population(client) if population else None
        if reason:
            skipped.append((client.id, reason))
            continue
        if client.protected_identity and not client.personal_number:
            skipped.append((client.id, "skyddad identitet men inget personnummer, som Skatteverket behöver för att skicka brevet vidare"))
            continue
        if not client.protected_identity and client.address is None:
            skipped.append((client.id, "saknar adress"))
            continue
        recipients.append(Recipient(client))
        k = 0
        for rep in client.representatives:
            if not (rep.receives_letters and law.acts_for(client, rep, day)):
                continue
            k += 1
            if rep.address is None:
                skipped.append((f"{client.id}_kopia-{k}", f"kopian till {law.role_on(client, rep, day)} saknar adress"))
                continue
            recipients.append(Recipient(client, k, rep))
    return recipients, skipped


# --- contexts ----------------------------------------------------------------------------------

def contact_context(case: Case, unit: Unit) -> dict[str, str]:
    """The named contact: the unit manager, with the unit's or organisation's phone and e-mail
    where the manager has none."""
    manager = case.staff_by_id.get(unit.manager) if unit.manager else None
    org = case.organisation
    title = ""
    if manager:
        title = manager.title or ("enhetschef" if manager.role == "unit_manager" else "")
    return {
        "name": manager.name if manager else unit.name,
        "title": title,
        "phone": (manager.phone if manager else None) or unit.phone or org.phone or "",
        "email": (manager.email if manager else None) or unit.email or org.email or "",
    }


def survey_context(case: Case, unit: Unit, number: int, today: dt.date) -> dict[str, Any]:
    survey = case.survey
    if survey is None:
        if number == 4:
            raise DataError("Brukarbrev 4 visar resultatet, men ärendefilen saknar avsnittet survey. Lägg till survey med results.")
        return {"year": today.year, "answer_by": None, "results": [], "actions": [], "examples": []}
    results = [
        {"question": r.question, "value": r.value, "municipality": r.municipality, "national": r.national, "previous": r.previous}
        for r in survey.results
        if r.unit == unit.id
    ]
    if number == 4 and not results:
        raise DataError(
            f"Brukarbrev 4 visar enhetens resultat, men survey.results har inga rader för enheten {unit.id}. "
            f"Lägg till rader med unit: {unit.id}, eller välj en annan enhet med --unit."
        )
    return {
        "year": survey.year,
        "answer_by": survey.answer_by if survey.answer_by and survey.answer_by >= today else None,
        "results": results,
        "actions": [a.text for a in survey.actions if a.unit == unit.id],
        "examples": [e.text for e in survey.examples if e.unit == unit.id],
    }


def role_phrase(role: str, client_name: str) -> str:
    """"god man för Åsa Öberg", "dotter till Åsa Öberg": a relation takes "till", a role "för"."""
    preposition = "för" if role in (ROLE_NAMES["trustee"], ROLE_NAMES["administrator"], ROLE_NAMES["guardian"]) else "till"
    return f"{role} {preposition} {client_name}"


def letter_context(base: dict[str, Any], recipient: Recipient, day: dt.date | None = None) -> dict[str, Any]:
    """The per-letter part: who it goes to. Never the personal number."""
    address = recipient.address
    lines = [recipient.name, *(address.lines if address else [])]
    rep = recipient.representative
    role = law.role_on(recipient.client, rep, day or base.get("today") or dt.date.today()) if rep else ""
    return {
        **base,
        "recipient": {
            "name": recipient.name,
            "address_block": "\n".join(lines),
            "is_copy": bool(recipient.copy),
            "role": role,
            "role_phrase": role_phrase(role, recipient.client.name) if rep else "",
            "protected": recipient.protected,
        },
        "client": {"id": recipient.client.id, "name": recipient.client.name},
    }


# --- the batch ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class LetterOptions(Options):
    """``number``: brukarbrev 1–4; ``unit``: one unit instead of every home-care unit;
    ``client_list``: the coordinator's own list (xlsx/csv) instead of the case file's clients."""

    number: int = 1
    unit: str | None = None
    client_list: Path | None = None
    all_clients: bool = False  # every client of the units, not only the survey population


def plan(case: Case, options: LetterOptions) -> Output:
    """Brukarbrev ``options.number`` for the chosen units' clients: everything is checked and
    every file named here; the letters are rendered one by one when the output is written."""
    number = options.number
    if number not in LETTER_NAMES:
        raise DataError(f"Det finns inget brukarbrev {number}; välj 1, 2, 3 eller 4.")
    today = options.today
    clients = (clientlist.read_clients(options.client_list, case, options.unit)
               if options.client_list is not None else case.clients)
    units = select_units(case, options.unit)
    unit_ids = {u.id for u in units}
    if not any(c.unit in unit_ids for c in clients):
        raise DataError(f"Inga klienter hör till {', '.join(sorted(unit_ids))}; inget har skrivits.")
    population = None
    if options.client_list is None and not options.all_clients:
        by_client = decisions_by_client(case)
        population = lambda client: survey_reason(case, client, today, by_client.get(client.id, []))  # noqa: E731
    recipients, skipped = choose_recipients(clients, unit_ids, today, population)
    if not recipients:
        raise DataError(f"Inga brev att skriva: alla klienter hoppades över ({'; '.join(f'{i}: {r}' for i, r in skipped[:5])})."
                        + (" Med --all-clients får alla enhetens klienter brevet." if population else ""))

    template = CompiledTemplate(template_files.find("letters", f"brukarbrev-{number}.docx", options.templates))
    envelope = CompiledTemplate(template_files.find("letters", INNER_ENVELOPE, options.templates))
    forwarding = CompiledTemplate(template_files.find("letters", FORWARDING, options.templates))
    common = common_context(case, today)
    bases = {
        u.id: {
            **common,
            "letter": number,
            "unit": unit_context(case, u),
            "contact": contact_context(case, u),
            "survey": survey_context(case, u, number, today),
        }
        for u in units
    }
    stem = f"brukarbrev-{number}"
    main = [r for r in recipients if not r.protected]
    protected = [r for r in recipients if r.protected]
    sets = [(main, "", f"utskrift_{stem}.docx")]
    if protected:
        sets.append((protected, f"{PROTECTED_FOLDER}/", f"utskrift-skyddad_{stem}.docx"))
    # one inner-envelope sheet per client: a personal number never shares a file with another client's
    envelope_names = {r.client.id: f"{PROTECTED_FOLDER}/innerkuvert_{stem}_{r.client.id}.docx" for r in protected}
    forwarding_name = f"{PROTECTED_FOLDER}/sa-skickar-du_{stem}.docx"
    output = Output(LETTER_NAMES[number], skipped=skipped)

    def folder_of(recipient: Recipient) -> str:
        return f"{PROTECTED_FOLDER}/" if recipient.protected else ""

    def letter_path(recipient: Recipient) -> str:
        return f"{folder_of(recipient)}{stem}_{recipient.id}.docx"

    manifest_name, address_list_name = f"forteckning_{stem}.csv", f"adresslista_{stem}.xlsx"
    paths = [(letter_path(r), True) for group, _, _ in sets for r in group]
    paths += [(prefix + print_name, True) for group, prefix, print_name in sets if group]
    if protected:
        paths += [(name, True) for name in envelope_names.values()] + [(forwarding_name, True)]
    paths += [(manifest_name, False), (address_list_name, False)]

    def make_lists(sink: Sink) -> None:
        """The manifest and the address list: made while the workers render the letters (until
        they start, only one core is busy)."""
        rows: list[list[object]] = [
            [r.id, r.client.id, "kopia" if r.copy else "brev", f"{prefix}{stem}_{r.id}.docx", ""]
            for group, prefix, _ in sets for r in group
        ]
        rows += [[rid, rid.split("_kopia-")[0], "hoppades över", "", reason] for rid, reason in skipped]
        sink.add(manifest_name, csv_bytes(["mottagare", "klient", "slag", "fil", "anmärkning"], rows))
        sink.add(address_list_name, addresslist.workbook_bytes(
            [(r.name, r.address, r.client.id, "kopia" if r.copy else "brev", f"{stem}_{r.id}.docx") for r in main],
            title=f"Adresslista brukarbrev {number}",
        ))

    setup = letterbody.Setup(template)
    firsts = {group[0].id for group, _, _ in sets}
    lasts = {group[-1].id for group, _, _ in sets}

    # parts the print file parses anyway (a header shared by its text was parsed for an earlier letter)
    parsed_later = ("word/document.xml", *(f"word/{target}" for target in setup.templated_rels.values()))

    def letter(recipient: Recipient, parsed_later: tuple[str, ...] = parsed_later) -> Rendered:
        return template.render(letter_context(bases[recipient.client.unit], recipient, today), record=recipient.id,
                               parsed_later=parsed_later)

    def make(sink: Sink) -> None:
        def make_one(recipient: Recipient) -> letterbody.Prepared:
            """One letter: its own .docx written into the staging folder, and the letter made
            ready for its print file. Runs in a worker process for a large batch, so only the
            prepared body travels back. Its XML is checked when it is parsed for the print file."""
            rendered = letter(recipient)
            write_new(sink.location(letter_path(recipient)), rendered.to_bytes())
            return letterbody.prepare(setup, rendered, last=recipient.id in lasts, first=recipient.id in firsts)

        with contextlib.ExitStack() as stack:
            print_files = {
                prefix: stack.enter_context(PrintFile(template, stack.enter_context(sink.open(prefix + print_name)), setup))
                for group, prefix, print_name in sets if group
            }
            for group, _, _ in sets:
                if group:  # each folder made here, before the workers start (see Sink.location)
                    sink.location(letter_path(group[0]))
            # closed when the loop ends, however it ends: the workers stop before the staging folder goes
            prepared_letters = stack.enter_context(contextlib.closing(parallel.ordered_map(make_one, recipients)))
            placed = [(r, letter_path(r), print_files[folder_of(r)]) for r in recipients]
            for (recipient, path, print_file), prepared in zip(sink.progress(placed, "Skriver brev", len(placed)), prepared_letters):
                if recipient is recipients[0]:  # the workers, if any, have started
                    make_lists(sink)
                sink.adopt(path)
                try:
                    print_file.add_prepared(prepared)
                except etree.XMLSyntaxError:
                    letter(recipient, parsed_later=())  # raises the TemplateError naming the letter and paragraph
                    raise
                if recipient.protected:  # made here, while the workers go on with the next letters
                    sink.add(envelope_names[recipient.client.id], inner_envelope(envelope, recipient, bases, case))
        if protected:
            sink.add(forwarding_name, forwarding.render(
                {**bases[protected[0].client.unit], "count": len(protected), "forwarding_lines": list(SKATTEVERKET_FORWARDING),
                 "sender_lines": sender_lines(case, case.units_by_id[protected[0].client.unit])}, record="skyddad-identitet").to_bytes())

    output.produce(paths, make)
    letters = sum(1 for r in recipients if not r.copy)
    copies = len(recipients) - letters
    output.summary.append(
        f"Brukarbrev {number} till {_count(letters, 'klient', 'klienter')}"
        + (f" och {_count(copies, 'kopia', 'kopior')} till företrädare" if copies else "")
        + f": en fil per mottagare, utskrift_{stem}.docx, adresslista_{stem}.xlsx och forteckning_{stem}.csv."
    )
    if protected:
        output.summary.append(
            f"{len(protected)} med skyddad identitet: breven ligger i {PROTECTED_FOLDER}/ med innerkuvert och "
            f"instruktion (sa-skickar-du_{stem}.docx): lämna dem vid ett besök, eller skicka dem via Skatteverket."
        )
    unknown_age = [r.client.id for r in recipients if not r.copy and r.client.age_on(today) is None]
    if population is not None and unknown_age:
        output.warnings.append(f"{_count(len(unknown_age), 'klient', 'klienter')} utan personnummer eller födelseår fick brevet "
                               f"({', '.join(unknown_age[:5])}{' …' if len(unknown_age) > 5 else ''}); enkäten gäller den som är "
                               f"{SURVEY_AGE} år eller äldre, så kontrollera åldern.")
    if population is not None and not case.decisions:
        output.warnings.append("Ärendefilen har inga beslut (decisions), så det går inte att se vem som har gällande beslut "
                               "om hemtjänst: alla klienter som är 65 år eller äldre får brevet.")
    if population is not None:
        output.summary.append(
            f"Enkätens målgrupp: {SURVEY_AGE} år eller äldre den {(case.survey.population_day if case.survey else dt.date(today.year, 3, 1)).isoformat()} "
            "med gällande beslut om hemtjänst; övriga klienter står som överhoppade (--all-clients tar med alla)."
        )
    output.warnings.extend(deadline_warnings(case, number, today))
    output.warnings.extend(law.case_warnings(case, today, [r.client for r in recipients if not r.copy]))
    return output


def deadline_warnings(case: Case, number: int, day: dt.date) -> list[str]:
    """A letter whose deadline does not fit its date: brukarbrev 1 after the answer date (it
    then asks for no date), brukarbrev 2 (thanks) before it."""
    survey = case.survey
    if survey is None or survey.answer_by is None:
        return ["survey.answer_by saknas i ärendefilen, så brukarbrev 1 säger inget sista svarsdatum."] if number == 1 else []
    if number == 1 and survey.answer_by < day:
        return [f"Brukarbrev 1 är daterat {day.isoformat()}, efter enkätens sista svarsdag {survey.answer_by.isoformat()} "
                f"(survey.answer_by). Brevet nämner därför ingen svarsdag. Lägg in nästa undersökning under survey "
                "(year, answer_by), eller sätt brevets datum med --date."]
    if number == 2 and day < survey.answer_by:
        return [f"Brukarbrev 2 (tack) är daterat {day.isoformat()}, före enkätens sista svarsdag {survey.answer_by.isoformat()}; "
                "rutinen skickar det i juni, när svaren har kommit in."]
    return []


def sender_lines(case: Case, unit: Unit) -> list[str]:
    """The sender for the back of an inner envelope: the unit and the organisation's address."""
    return [unit.name, case.organisation.name, *case.organisation.address.lines]


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def inner_envelope(template: CompiledTemplate, recipient: Recipient, bases: dict[str, dict[str, Any]], case: Case) -> bytes:
    """The sheet for one protected client's inner envelope: name and personal number, as
    Skatteverket's forwarding needs, in a file of its own."""
    context = {
        **bases[recipient.client.unit],
        "client": {"name": recipient.client.name, "personal_number": recipient.client.personal_number or "",
                   "number_label": recipient.client.number_label},
        "sender_lines": sender_lines(case, case.units_by_id[recipient.client.unit]),
    }
    return template.render(context, record=recipient.client.id).to_bytes()
