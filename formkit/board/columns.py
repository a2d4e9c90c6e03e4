"""The assessor's follow-up board (uppföljningstavla): one row per biståndsbeslut.

Each biståndshandläggare keeps an Excel board of their decisions (routine 002, point 9). This
module turns the case file's decisions into rows; ``merge`` decides what each row of the
previous board becomes; ``sheet`` writes them into the workbook in place (``layout`` holds the
colour rules, driven by ``TODAY()`` so the same file changes colour day by day).

The next follow-up rule (routine 002, point 5 and 9):

* a decision is followed up three years after it was made (the case file's ``follow_up_years``
  sets the interval per law);
* after a follow-up, that interval after the latest follow-up (the routine's "nytt datum skrivs in");
* a time-limited decision is due at its own end date (``valid_until``) if that comes first;
* a follow-up whose outcome is ``ended`` closes the decision: no next follow-up.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from formkit.case.model import Case, Decision, FollowUpYears, add_years
from formkit.fields import FieldSet, register
from formkit.swedish import answer

BOARD_PREFIX = "uppfoljningstavla_"
BACKUP_FOLDER = "sakerhetskopior"


class Live(str):
    """A formula formkit keeps in one of its own columns, so the value is never a stale snapshot:
    ``{Beslutsdatum}`` stands for that column's cell on the same row (``TODAY()-F7``)."""


@dataclass(frozen=True)
class Column:
    """One column of the board. ``hand`` columns are the assessor's: never overwritten."""

    header: str
    width: float
    explanation: str
    kind: str = "text"  # text | date | wrap | number
    hand: bool = False


COLUMNS: tuple[Column, ...] = (
    # printed on paper (A4 landscape): the columns from Klient to Nästa åtgärd
    Column("Klient", 19, "klientens namn (aldrig personnumret)", "wrap"),
    Column("Klient-id", 8, "klientens id i ärendefilen; raden kontrolleras mot det, ändra det inte"),
    Column("Beslut-id", 11, "beslutets id; raderna känns igen på det när tavlan görs om, ändra det inte"),
    Column("Insatser", 13, "de beviljade insatserna, t.ex. HEMTJÄNST, LEDSAGNING", "wrap"),
    Column("Lag", 5, "SoL eller LSS"),
    Column("Beslutsdatum", 12, "dagen beslutet fattades", "date"),
    Column("Tidsbegränsat till", 11, "slutdatum för ett tidsbegränsat beslut (tomt: gäller tills vidare)", "date"),
    Column("Nästa uppföljning", 12, "tre år (eller det antal år ärendefilen anger för lagen) efter beslutet eller "
           "den senaste uppföljningen; ett tidsbegränsat beslut följs upp senast sitt slutdatum. Grön, gul de sista "
           "två månaderna, röd när datumet passerats", "date"),
    Column("Uppföljningsregel", 21, "vilken regel som gav datumet för nästa uppföljning", "wrap"),
    Column("Samtycke gäller till", 11, "samtycket gäller tre år (eller det antal år som angetts); ett samtycke från "
           "vårdnadshavaren gäller till klientens 18-årsdag. Saknas (röd): inget samtycke finns. Färgas som "
           "uppföljningsdatumet", "date"),
    Column("Verkställt", 9, "Ja, eller Nej för ett beslut som inte verkställts (raden markeras orange)"),
    Column("Dagar sedan beslut", 8, "för ett ej verkställt beslut: dagar sedan beslutet, räknas om varje dag "
           "(efter tre månader ska det rapporteras till IVO, se formkit board --ej-verkstallda)", "number"),
    Column("Orsak ej verkställt", 13, "orsaken till att beslutet inte verkställts, från ärendefilen", "wrap"),
    Column("Anteckningar", 20, "dina egna anteckningar; de följer med när tavlan görs om", "wrap", hand=True),
    Column("Nästa åtgärd", 12, "din egen påminnelse om vad som ska göras; följer med när tavlan görs om", "wrap", hand=True),
    # on screen only
    Column("Senaste uppföljning", 12, "datum för den senaste uppföljningen", "date"),
    Column("Uppföljningssätt", 14, "telefon, hembesök, digitalt eller besök på kontoret"),
    Column("Får beviljad hjälp", 10, "Får du den hjälp/det stöd du är beviljad? (Ja/Delvis/Nej)"),
    Column("Planerar när", 10, "Får du vara med och planera när din hjälp/ditt stöd ska genomföras?"),
    Column("Planerar hur", 10, "Får du vara med och planera hur din hjälp/ditt stöd ska genomföras?"),
    Column("Känns bra", 10, "Får du hjälp/stöd på ett sätt som känns bra för dig?"),
    Column("Händelse", 40, "standardtexten för händelsen i verksamhetssystemet efter den senaste uppföljningen", "wrap"),
    Column("Källa", 9, "System = från ärendefilen; Manuell = en rad du lagt till själv (den behålls)"),
)
PRINT_LAST = "Nästa åtgärd"  # the print area runs from the first column to this one
HEADERS = tuple(c.header for c in COLUMNS)
BY_HEADER = {c.header: c for c in COLUMNS}
HAND_HEADERS = tuple(c.header for c in COLUMNS if c.hand)
ID_HEADER = "Beslut-id"
NOTES_HEADER = "Anteckningar"
SOURCE_HEADER = "Källa"
NEXT_HEADER = "Nästa uppföljning"
CONSENT_HEADER = "Samtycke gäller till"
EXECUTED_HEADER = "Verkställt"
CLIENT_ID_HEADER = "Klient-id"
DECIDED_HEADER = "Beslutsdatum"
DAYS_HEADER = "Dagar sedan beslut"
NO_CONSENT = "Saknas"
SYSTEM, MANUAL = "System", "Manuell"

METHOD_LABEL = {"phone": "Telefon", "home_visit": "Hembesök", "digital": "Digitalt", "office": "Besök på kontoret"}
METHOD_PHRASE = {
    "phone": "ett telefonsamtal",
    "home_visit": "ett hembesök",
    "digital": "ett digitalt möte",
    "office": "ett besök på kontoret",
}

register(FieldSet(
    family="sheets",
    templates=("uppfoljningstavla*.xlsx",),
    title="Uppföljningstavla för biståndshandläggare (formkit board), kolumnerna",
    fields={c.header: c.explanation + (" [du skriver]" if c.hand else "") for c in COLUMNS},
))


# --- rows from the case file -----------------------------------------------------------------

def follow_up_rule(decision: Decision, years: FollowUpYears | None = None) -> tuple[dt.date | None, str]:
    """The date the decision is next due for follow-up and, in words, the rule that gave it
    (see the module docstring); the interval per law comes from the case file."""
    interval = getattr(years or FollowUpYears(), decision.law)
    latest = decision.latest_follow_up
    if latest is not None and latest.outcome == "ended":
        return None, f"avslutat vid uppföljningen {latest.date.isoformat()}"
    base = latest.date if latest is not None else decision.decided
    due = add_years(base, interval)
    what = f"uppföljningen {latest.date.isoformat()}" if latest is not None else "beslut"
    rule = f"{interval} år efter {what} ({decision.law})"
    if decision.valid_until is not None and decision.valid_until < due:
        return decision.valid_until, "tidsbegränsat: beslutets slutdatum"
    return due, rule


def next_follow_up(decision: Decision, years: FollowUpYears | None = None) -> dt.date | None:
    """The date the decision is next due for follow-up."""
    return follow_up_rule(decision, years)[0]


def is_ended(decision: Decision) -> bool:
    """A decision whose latest follow-up ended it: it leaves the active sheet for Arkiv."""
    latest = decision.latest_follow_up
    return latest is not None and latest.outcome == "ended"


def join_services(services: list[str]) -> str:
    """HEMTJÄNST, LEDSAGNING och MATDISTRIBUTION — the Swedish list the händelse text uses."""
    if len(services) <= 1:
        return "".join(services)
    return ", ".join(services[:-1]) + " och " + services[-1]


def handelse_text(decision: Decision) -> str:
    """The standard händelse text for the latest follow-up (routine 002, point 7); empty if none."""
    latest = decision.latest_follow_up
    if latest is None:
        return ""
    head = f"En uppföljning har genomförts den {latest.date.isoformat()} genom {METHOD_PHRASE[latest.method]}."
    services = join_services(decision.services)
    if latest.outcome == "new_decision":
        tail = "Behovet har utretts och ett nytt beslut har fattats."
    elif latest.outcome == "ended":
        tail = f"Bedömningen är att behovet inte längre finns och biståndet för {services} har avslutats."
        if latest.reason:  # only a recorded reason: the händelse never guesses why
            tail += f" Orsak: {latest.reason.rstrip('.')}."
    else:
        tail = f"Bedömningen är att behovet kvarstår och att biståndet för {services} är skäligt."
    return f"{head} {tail}"


def decision_row(case: Case, decision: Decision) -> dict[str, Any]:
    """One board row, keyed by column header."""
    client = case.client(decision.client)
    latest = decision.latest_follow_up
    answers = latest.answers if latest is not None else None
    due, rule = follow_up_rule(decision, case.follow_up_years)
    consent = client.consent_valid_until
    return {
        "Klient": client.name,
        "Klient-id": client.id,
        "Beslut-id": decision.id,
        "Insatser": ", ".join(decision.services),
        "Lag": decision.law,
        "Beslutsdatum": decision.decided,
        "Tidsbegränsat till": decision.valid_until,
        "Nästa uppföljning": due,
        "Uppföljningsregel": rule,
        "Samtycke gäller till": consent if consent is not None else NO_CONSENT,
        "Verkställt": "Ja" if decision.executed else "Nej",
        "Dagar sedan beslut": Live(f"TODAY()-{{{DECIDED_HEADER}}}") if not decision.executed else None,
        "Orsak ej verkställt": (decision.not_executed_reason or "Orsak ej angiven") if not decision.executed else "",
        "Senaste uppföljning": latest.date if latest else None,
        "Uppföljningssätt": METHOD_LABEL[latest.method] if latest else "",
        "Får beviljad hjälp": answer(answers.gets_granted_help) if answers else "",
        "Planerar när": answer(answers.plans_when) if answers else "",
        "Planerar hur": answer(answers.plans_how) if answers else "",
        "Känns bra": answer(answers.feels_good) if answers else "",
        "Händelse": handelse_text(decision),
        "Källa": SYSTEM,
    }


def sort_key(row: dict[str, Any]) -> tuple[Any, ...]:
    """Oldest next follow-up first; rows without a date last, then by client and decision."""
    due = row.get(NEXT_HEADER)
    if isinstance(due, dt.datetime):
        due = due.date()
    has_date = isinstance(due, dt.date)
    return (not has_date, due if has_date else dt.date.max, str(row.get("Klient") or ""), str(row.get(ID_HEADER) or ""))
