"""formkit meetings --minutes: one unsent .eml draft per relative who took part, only to an
address recorded in the case file and only with the client's consent to inform them."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import pytest
from click.testing import CliRunner

from formkit.cli import main
from helpers import BASE
from test_meetings import short_stay_clients, term_case, text_of

NOTES = """\
client: k-1
date: 2026-12-03
informed: ja
participants:
  - {name: Gun Förvaltare}
  - {name: Mormor Mejl}
  - {name: Pappa Utan Ansvar}
  - {name: Kusin Okänd, relative: ja, email: kusin@example.se}
  - {name: Granne, relative: nej, email: granne@example.se}
answers:
  upplevelse: Trivs bra & vill vara ute mer.
internal: Bara för enheten.
"""


def case_with_consents(tmp_path: Path, consent: dict | None = None) -> Path:
    clients = short_stay_clients()
    k1 = clients[0]
    k1["representatives"][0].update(email="gun@example.se", consent_to_inform=True)  # gets a draft
    k1["representatives"].append({"name": "Mormor Mejl", "role": "relative", "relation": "mormor",
                                  "email": "mormor@example.se", "consent_to_inform": False})  # no consent
    if consent:
        k1["consent"] = consent
    return term_case(tmp_path, clients=BASE["clients"] + clients)


def invoke(case: Path, notes: Path, out: Path, *extra: str):
    return CliRunner().invoke(main, ["meetings", str(case), "--kind", "term", "--minutes", str(notes), "--at", "2026-12-04",
                                     "-o", str(out), *extra], catch_exceptions=False)


def drafts(out: Path) -> list[email.message.EmailMessage]:
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in sorted(out.glob("*.eml"))]


def test_one_draft_per_consenting_relative_with_the_clean_minutes(tmp_path: Path) -> None:
    notes = tmp_path / "anteckningar.yaml"
    notes.write_text(NOTES, encoding="utf-8")
    out = tmp_path / "ut"
    result = invoke(case_with_consents(tmp_path), notes, out)
    assert result.exit_code == 0, result.output
    found = drafts(out)
    assert len(found) == 1
    message = found[0]
    assert message["X-Unsent"] == "1"
    assert message["To"].addresses[0].addr_spec == "gun@example.se"
    assert message["To"].addresses[0].display_name == "Gun Förvaltare"
    assert message["From"].addresses[0].addr_spec == "lena@exempelby.se"  # the stödperson
    assert message["Subject"] == "Minnesanteckningar från terminssamtalet den 3 december 2026"
    body = message.get_body(("plain",)).get_content()
    assert body.startswith("Hej Gun!") and "renskrivna minnesanteckningarna" in body and "Lena Berg" in body
    assert "19400101" not in message.as_string()  # never the client's personal number
    attachments = list(message.iter_attachments())
    assert [a.get_filename() for a in attachments] == ["terminssamtal-renskrivna_k-1_2026-12-03.docx"]
    attached = tmp_path / "bilaga.docx"
    attached.write_bytes(attachments[0].get_content())
    clean = (out / "terminssamtal-renskrivna_k-1_2026-12-03.docx").read_bytes()
    assert attachments[0].get_content() == clean  # the clean copy, byte for byte: no internal notes
    assert "Trivs bra & vill vara ute mer." in text_of(attached) and "Bara för enheten" not in text_of(attached)
    # everyone left out is named with the reason; the notes' own address is never used
    assert "Mormor Mejl (inget samtycke att informera" in result.output
    assert "Pappa Utan Ansvar (ingen e-postadress i ärendefilen)" in result.output
    assert "Kusin Okänd (finns inte bland klientens företrädare" in result.output
    assert "Granne" not in result.output.split("Ingen e-post till")[-1]


def test_no_draft_when_the_clients_consent_has_run_out(tmp_path: Path) -> None:
    notes = tmp_path / "anteckningar.yaml"
    notes.write_text(NOTES, encoding="utf-8")
    out = tmp_path / "ut"
    result = invoke(case_with_consents(tmp_path, consent={"signed": "2023-01-10", "valid_years": 3}), notes, out)
    assert result.exit_code == 0, result.output
    assert drafts(out) == []
    assert "Gun Förvaltare (klientens samtycke gällde inte 2026-12-03)" in result.output


@pytest.mark.soffice
def test_pdf_attached_with_pdf(tmp_path: Path) -> None:
    notes = tmp_path / "anteckningar.yaml"
    notes.write_text(NOTES, encoding="utf-8")
    out = tmp_path / "ut"
    result = invoke(case_with_consents(tmp_path), notes, out, "--pdf")
    assert result.exit_code == 0, result.output
    (message,) = drafts(out)
    names = [a.get_filename() for a in message.iter_attachments()]
    assert names == ["terminssamtal-renskrivna_k-1_2026-12-03.docx", "terminssamtal-renskrivna_k-1_2026-12-03.pdf"]
    pdf = list(message.iter_attachments())[1].get_content()
    assert pdf.startswith(b"%PDF") and pdf == (out / "terminssamtal-renskrivna_k-1_2026-12-03.pdf").read_bytes()
