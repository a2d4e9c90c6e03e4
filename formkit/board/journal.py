"""Journal texts of a follow-up, ready to paste: the händelse and the message to the utförare.

Routine 002, point 7: a händelse is registered at every follow-up, whether the need is
unchanged, a new decision was made or the insats ended (the reason only if the case file
records one). Point 8: after a new decision a new uppdrag goes to the utförare; when no new
uppdrag is sent, the utförare is told through its funktionsbrevlåda. Point 6: a decision that
is not executed is either closed or the utförare is told to carry it out. The funktionsbrevlåda
is the e-mail of the client's unit (``units[].email``). Texts name the client by name and id,
never by personal number.
"""

from __future__ import annotations

from formkit.board.columns import METHOD_PHRASE, handelse_text, join_services, next_follow_up
from formkit.case.model import Case, Decision


def _signature(case: Case, decision: Decision) -> list[str]:
    assessor = case.staff_by_id[decision.assessor]
    unit = case.units_by_id.get(assessor.unit or "")
    lines = ["Vänliga hälsningar", assessor.name, ", ".join(x for x in (assessor.title or "Biståndshandläggare", unit.name if unit else "") if x)]
    lines += [x for x in (assessor.phone, assessor.email) if x]
    return lines


def utforare_message(case: Case, decision: Decision) -> str:
    """The message to the utförare's funktionsbrevlåda, or an empty string when a new uppdrag
    goes to the utförare instead (a new decision) or there is nothing to say."""
    client = case.client(decision.client)
    unit = case.units_by_id[client.unit]
    latest = decision.latest_follow_up
    services = join_services(decision.services)
    who = f"{client.name} (klient-id {client.id})"
    if not decision.executed and (latest is None or latest.outcome != "ended"):
        body = [f"Beslutet {decision.id} om {services} för {who}, fattat {decision.decided.isoformat()}, är ännu inte verkställt.",
                "Verkställ insatsen eller meddela mig orsaken till att den inte kan verkställas, så att beslutet kan "
                "avslutas och markeras som ej verkställt."]
    elif latest is None or latest.outcome == "new_decision":
        return ""
    elif latest.outcome == "ended":
        body = [f"En uppföljning av {services} för {who} har genomförts den {latest.date.isoformat()} genom "
                f"{METHOD_PHRASE[latest.method]}. Insatsen avslutas; beslutet {decision.id} upphör."]
        if latest.reason:
            body.append(f"Orsak: {latest.reason}")
    else:
        due = next_follow_up(decision, case.follow_up_years)
        body = [f"En uppföljning av {services} för {who} har genomförts den {latest.date.isoformat()} genom "
                f"{METHOD_PHRASE[latest.method]}. Behovet kvarstår och biståndet fortsätter som tidigare; inget nytt "
                "uppdrag skickas." + (f" Nästa uppföljning är senast {due.isoformat()}." if due else ""),
                "Se till att genomförandeplanen är aktuell och att målen är beskrivna utifrån uppdraget. Hör av er om "
                "brukarens behov förändras."]
    mailbox = unit.email or "funktionsbrevlådan saknas: lägg in units[].email för enheten i ärendefilen"
    head = [f"Till: {unit.name} ({mailbox})", f"Ämne: Uppföljning av beslut {decision.id}", "", "Hej!", ""]
    return "\n".join([*head, *body, "", *_signature(case, decision)])


def journal_text(case: Case, decision: Decision) -> str:
    """Everything to paste for the decision's latest follow-up: the händelse, then the message."""
    parts = []
    handelse = handelse_text(decision)
    if handelse:
        parts.append(handelse)
    message = utforare_message(case, decision)
    if message:
        parts.append("Meddelande till utförarens funktionsbrevlåda:\n" + message)
    elif decision.latest_follow_up is not None and decision.latest_follow_up.outcome == "new_decision":
        parts.append("Ett nytt uppdrag skickas till utföraren i verksamhetssystemet (inget meddelande i funktionsbrevlådan).")
    return "\n\n".join(parts)


def journal_files(case: Case, assessor_ids: list[str]) -> dict[str, str]:
    """One text file per decision with something to paste, by relative path."""
    out = {}
    for decision in case.decisions:
        if decision.assessor in assessor_ids:
            text = journal_text(case, decision)
            if text:
                out[f"journal/beslut_{decision.id}.txt"] = text + "\n"
    return out
