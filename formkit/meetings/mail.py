"""The clean minutes by e-mail: one unsent draft (.eml) per relative who took part.

Routine 000: "Renskrivna minnesanteckningar skickas även via mail till anhöriga som deltagit på
mötet." formkit sends nothing: it writes a draft per relative that Outlook opens ready to send
(``X-Unsent: 1``), with a subject, a short Swedish body and the clean minutes attached (.docx,
and the PDF when it was made). A draft is written only to an address recorded in the case file
for that representative (never one typed in the notes file) and only when the case file
records the client's consent to inform that person (``consent_to_inform``) and the client's
samtycke, if recorded, is in force on the day of the meeting. Everyone left out is named with
the reason, so the stödperson can post the minutes or ask for consent instead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import default

from formkit.case.model import Case, Client, Representative
from formkit.swedish import long_date

POLICY = default.clone(linesep="\r\n")
DOCX_TYPE = ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")


@dataclass(frozen=True)
class Skipped:
    name: str
    reason: str


def recipients(client: Client, relative_names: list[str], held: dt.date) -> tuple[list[Representative], list[Skipped]]:
    """Of the relatives who took part, those who may get the minutes by e-mail, and the others
    with why."""
    reps = {r.name.casefold(): r for r in client.representatives}
    consent_ok = client.consent is None or client.consent.signed <= held <= client.consent.valid_until
    to: list[Representative] = []
    skipped: list[Skipped] = []
    for name in relative_names:
        rep = reps.get(name.strip().casefold())
        if rep is None:
            skipped.append(Skipped(name, "finns inte bland klientens företrädare i ärendefilen, så det finns ingen "
                                         "registrerad adress eller samtycke"))
        elif not rep.email:
            skipped.append(Skipped(rep.name, "ingen e-postadress i ärendefilen"))
        elif not rep.consent_to_inform:
            skipped.append(Skipped(rep.name, "inget samtycke att informera (consent_to_inform) i ärendefilen"))
        elif not consent_ok:
            skipped.append(Skipped(rep.name, f"klientens samtycke gällde inte {held.isoformat()}"))
        else:
            to.append(rep)
    return to, skipped


def _address(name: str, email: str) -> Address:
    user, _, domain = email.partition("@")
    return Address(display_name=name, username=user, domain=domain)


def draft(case: Case, client: Client, rep: Representative, held: dt.date, attachments: list[tuple[str, bytes]]) -> bytes:
    """One unsent e-mail to ``rep`` with the clean minutes attached."""
    staff = case.staff_by_id.get(client.support_person or "")
    unit = case.units_by_id[client.unit]
    sender_name = staff.name if staff else unit.name
    sender_email = (staff.email if staff and staff.email else None) or unit.email or case.organisation.email
    message = EmailMessage(policy=POLICY)
    message["X-Unsent"] = "1"  # Outlook opens the file as a draft to send, not as a received mail
    message["To"] = _address(rep.name, rep.email or "")
    if sender_email:
        message["From"] = _address(sender_name, sender_email)
    message["Subject"] = f"Minnesanteckningar från terminssamtalet {long_date(held)}"
    first_name = rep.name.split()[0]
    signature = [sender_name, ", ".join(x for x in ((staff.title if staff else None) or "", unit.name) if x)]
    signature += [x for x in ((staff.phone if staff else None) or unit.phone,) if x]
    message.set_content("\n".join([
        f"Hej {first_name}!", "",
        f"Tack för att du deltog i terminssamtalet {long_date(held)}. Här kommer de renskrivna minnesanteckningarna "
        "från samtalet.", "",
        "Hör av dig om något inte stämmer eller om du har frågor.", "",
        "Vänliga hälsningar", *signature,
    ]) + "\n")
    for name, data in attachments:
        maintype, subtype = ("application", "pdf") if name.endswith(".pdf") else DOCX_TYPE
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()
