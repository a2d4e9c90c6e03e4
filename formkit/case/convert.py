"""``formkit convert``: the case file from YAML to a workbook and back.

The source is read and validated like for any command (a file with problems is not
converted: the problems are listed instead), then written from the validated model, so the
result holds the same case — the round trip YAML -> xlsx -> YAML gives an equal ``Case``.
The YAML is written with the same commented layout as ``formkit init``'s example.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from formkit.case.loading import load_case
from formkit.case.model import Case
from formkit.case.workbook import WORKBOOK_SUFFIXES
from formkit.case.workbook_write import workbook_bytes
from formkit.errors import OutputError
from formkit.output import Output, write
from formkit.regen import refuse_if_open

YAML_SUFFIXES = (".yaml", ".yml")

HEADER = """\
# formkit ärendefil: alla uppgifter som breven, blanketterna och tavlorna hämtar sina fält från.
#
# Det här är ett PÅHITTAT exempel. Personerna finns inte och personnumren är påhittade.
# Byt ut uppgifterna mot era egna; kontrollera filen med:  formkit check {name}
# Fälten förklaras i README (avsnittet "The case file"); `formkit schema` ger ett JSON Schema
# som en editor (t.ex. VS Code med YAML-tillägget) kan använda för att föreslå och kontrollera fält.
# Samma uppgifter kan stå i en Excel-arbetsbok: formkit convert {name} arenden.xlsx
#
# Datum skrivs ÅÅÅÅ-MM-DD. Postnummer, personnummer och telefonnummer är text.
# En klient med protected_identity: true får aldrig sin adress utskriven.
"""
CONVERTED_HEADER = """\
# formkit ärendefil, skriven av formkit convert från {source}.
# Kontrollera den med:  formkit check {name}
# Datum skrivs ÅÅÅÅ-MM-DD. Postnummer, personnummer och telefonnummer är text.
"""

SECTION_NOTES = {
    "organisation": "Kommunen och förvaltningen: står i brevhuvudet.",
    "units": "Enheter. kind: home_care | short_stay | housing_support | open_care | assessment. meeting_day/meeting_time: enhetens möte (årshjulet, rullande schema).",
    "staff": "Medarbetare. role: unit_manager | assessor | support_person | coordinator | staff. team: biståndshandläggarens team (formkit kvalitet).",
    "clients": "Klienter (brukare). representatives: god man (trustee), förvaltare (administrator), vårdnadshavare (guardian), närstående (relative).",
    "decisions": "Biståndsbeslut för biståndshandläggarnas uppföljningstavlor. Den senaste uppföljningen visas på tavlan.",
    "survey": "Brukarundersökningen: resultat per enhet och fråga (procent), åtgärder (brev 4) och goda exempel (brev 3).",
    "meetings": "Möten: term_meeting (terminssamtal), monthly_review (månadsuppföljning), homecoming (hemgångssamtal).",
    "open_care": "Öppenvårdens insatser (bilaga 1, 2 och 4). status: ongoing | completed | interrupted",
    "open_care_recipients": "Mottagare av bilaga 3: staff (medarbetare), orderer (beställare), partner (samarbetspartner).",
}


def case_yaml(data: dict[str, Any], header: str) -> str:
    """Case data as commented YAML: ``header``, then each section under a note saying what it is."""
    parts = [header]
    for key, value in data.items():
        if key in SECTION_NOTES:
            parts.append(f"\n# {SECTION_NOTES[key]}\n")
        parts.append(yaml.safe_dump({key: value}, allow_unicode=True, sort_keys=False, width=120, default_flow_style=False))
    return "".join(parts)


def case_as_yaml(case: Case, header: str) -> str:
    """A validated case as YAML; fields left at their defaults are left out."""
    return case_yaml(case.model_dump(mode="python", exclude_none=True, exclude_defaults=True), header)


def plan(source: Path, target: Path, overwrite: bool = False) -> Output:
    """The case in ``source`` (YAML or .xlsx) as ``target`` in the other form (by its suffix),
    planned for ``output.write`` into ``target``'s folder; nothing is written here."""
    suffix = target.suffix.lower()
    if suffix not in WORKBOOK_SUFFIXES + YAML_SUFFIXES:
        raise OutputError(f"{target.name}: skriv .xlsx för en Excel-arbetsbok eller .yaml för YAML.")
    if target.exists() and target.resolve() == source.resolve():
        raise OutputError(f"{target} är samma fil som den som läses; välj ett annat namn.")
    if target.exists() and not overwrite:
        raise OutputError(f"{target} finns redan; inget skrevs över. Välj ett annat namn eller lägg till --force.")
    refuse_if_open(target, "filen")
    case = load_case(source)
    if suffix in WORKBOOK_SUFFIXES:
        data = workbook_bytes(case)
    else:
        data = case_as_yaml(case, CONVERTED_HEADER.format(source=source.name, name=target.name)).encode("utf-8")
    output = Output("ärendefil")
    output.add(target.name, data)
    output.summary.append(f"Kontrollera den med: formkit check {target}")
    return output


def convert(source: Path, target: Path, overwrite: bool = False) -> Path:
    """Plan and write in one call, for callers other than the CLI (tests, the web page)."""
    write(plan(source, target, overwrite), target.parent)
    return target
