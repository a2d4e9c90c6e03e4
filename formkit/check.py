"""``formkit check`` and ``formkit fields``: find every problem before a batch runs.

For each sheet template (.xlsx): the sheets and headings its command needs must be there.
For each .docx template, in every part a field can be typed into (body, headers, footers,
footnotes, endnotes, document properties): it must open and parse; each field it uses must be
one the data can supply (the family's ``FieldSet``), with the closest real name suggested; and
tags that Word broke so they will not render (a brace lost, ``{ {``) are reported with the
part and the paragraph's text. The checks are the renderer's own (``formkit.docx.render``), so
``check`` accepts exactly what the commands accept; it parses templates and never runs them.
"""

from __future__ import annotations

import datetime as dt
import difflib
import logging
from pathlib import Path

from jinja2 import nodes

from formkit import templates as template_files
from formkit.board import template as board_template
from formkit.opencare import sheet as opencare_sheet
from formkit.case import law
from formkit.case.loading import load_case
from formkit.case.model import Case
from formkit.errors import Problem, TemplateError
from formkit.fields import COMMON_FIELDS, FieldSet, all_field_sets, field_set_for
from formkit.docx import tags
from formkit.docx.render import Source, parse_source, read_package, template_sources

log = logging.getLogger(__name__)
# sheet templates (xlsx) by file name: what must be in them for their command to work
SHEET_CHECKS = {board_template.TEMPLATE_NAME: board_template.problems,
                opencare_sheet.TEMPLATE_NAME: opencare_sheet.template_problems}
JINJA_GLOBALS = {"loop", "range", "namespace", "dict", "lipsum", "cycler", "joiner", "true", "false", "none", "True", "False", "None"}


def check_all(case_path: Path, user_templates: Path | None, today: dt.date | None = None) -> str:
    """Validate the case file and every template; raise with all problems, else a summary with
    the warnings (data that is valid but wrong in law or by the routine on ``today``) and notes
    on what is used but worth knowing, such as tracked changes."""
    case = load_case(case_path)  # raises CaseFileError with every problem in the data
    warnings = case_warnings(case, today or dt.date.today())
    problems: list[Problem] = []
    notes: list[str] = []
    used = template_files.all_templates(user_templates)
    for family, path in used:
        if path.suffix == ".docx":
            found, said = inspect_template(path)
        elif path.name in SHEET_CHECKS:
            found, said = SHEET_CHECKS[path.name](path), []
        else:
            continue
        log.info("kontrollerar mallen %s/%s", family, path.name)
        label = f"{family}/{path.name}"
        problems.extend(Problem(f"{label}: {p.path}" if p.path else label, p.message) for p in found)
        notes.extend(f"{label}: {note}" for note in said)
    for path in template_files.unused(user_templates, [p for _, p in used]):
        notes.append(f"{path.name}: ingen mall i formkit heter så, så filen används inte; "
                     "döp den efter mallen den ska ersätta (se 'formkit init')")
    if problems:
        raise TemplateError("(kontroll)", problems)
    checked = sum(1 for _, p in used if p.suffix == ".docx" or p.name in SHEET_CHECKS)
    if warnings:
        lines = [f"Ärendefilen och {checked} mallar är kontrollerade, utan fel. {len(warnings)} "
                 f"{'varning' if len(warnings) == 1 else 'varningar'}:", *(f"  - {w}" for w in warnings)]
    else:
        lines = [f"Allt ser bra ut: ärendefilen och {checked} mallar är kontrollerade."]
    return "\n".join([*lines, *(f"Obs: {n}" for n in notes)])


def case_warnings(case: Case, today: dt.date) -> list[str]:
    """Valid data that is wrong on ``today``: representatives and consent in law
    (``case.law``), survey dates that do not fit together, and terminssamtal recorded for a unit
    the routine does not cover. (A letter dated after its deadline is warned about when it is
    made: ``letters.batch.deadline_warnings``.)"""
    warnings = law.case_warnings(case, today)
    survey = case.survey
    if survey is not None and survey.answer_by is not None and survey.answer_by.year != survey.year:
        warnings.append(f"survey.answer_by ({survey.answer_by.isoformat()}) ligger inte i undersökningens år {survey.year}; "
                        "brukarbrev 1 skulle be om svar vid fel tillfälle. Rätta year eller answer_by.")
    if survey is not None and survey.answer_by is not None and survey.population_day > survey.answer_by:
        warnings.append(f"survey.sent ({survey.population_day.isoformat()}) ligger efter sista svarsdagen "
                        f"({survey.answer_by.isoformat()}); målgruppen räknas den dag enkäten skickas ut.")
    for i, meeting in enumerate(case.meetings):
        unit = case.units_by_id.get(case.clients_by_id[meeting.client].unit) if meeting.client in case.clients_by_id else None
        if meeting.kind == "term_meeting" and unit is not None and not unit.has_term_meetings:
            warnings.append(f"meetings[{i}]: terminssamtal för klient {meeting.client}, men enheten {unit.id} har inga "
                            "terminssamtal (rutinen gäller korttidsvistelse). Ta bort mötet, eller skriv term_meetings: ja på enheten.")
    return warnings


def template_problems(path: Path) -> list[Problem]:
    """Every problem in one .docx template (empty list: it is fine)."""
    return inspect_template(path)[0]


def inspect_template(path: Path) -> tuple[list[Problem], list[str]]:
    """Every problem in one .docx template, each with its part and paragraph, and notes on
    what formkit handles but the user should know. Reads and parses; never runs the template."""
    try:
        package = read_package(path)
    except TemplateError as exc:
        return exc.problems, []
    sources, problems = template_sources(package)
    broken = {p.path for p in problems}
    field_set = field_set_for(path.name)
    for source in sources:
        tree = parse_source(source, broken, problems)
        if tree is not None and field_set is not None:
            problems.extend(_unknown_fields(source, tree, field_set))
    notes = []
    if any(tags.has_tracked_changes(package.text(s.part)) for s in sources):
        notes.append("mallen har spårade ändringar; formkit fyller i den som om alla vore godkända "
                     "(text som strukits med spårning kommer inte med). Godkänn eller avvisa dem i Word under Granska.")
    if any(s.part == "word/endnotes.xml" for s in sources) or b"endnoteReference" in package.by_name["word/document.xml"].data:
        notes.append("mallen har slutnoter; i utskriftsfilen samlar LibreOffice dem efter sista brevet när PDF:en görs "
                     "(Word sätter dem sist i varje brev). Använd hellre fotnoter.")
    return problems, notes


def _unknown_fields(source: Source, tree: nodes.Template, field_set: FieldSet) -> list[Problem]:
    known = {**COMMON_FIELDS, **field_set.fields}
    problems = []
    seen: set[str] = set()
    for path, lineno in used_fields(tree):
        if any(part.startswith("_") for part in path.replace("[]", "").split(".")):
            problems.append(Problem(source.where(lineno),
                                    "namn som börjar med _ är inte tillåtna i en mall (de når in i Python); ta bort den koden"))
            continue
        if path in seen or _is_known(path, known):
            continue
        seen.add(path)
        close = difflib.get_close_matches(path, list(known), n=1, cutoff=0.6)
        hint = f"; menade du '{close[0]}'?" if close else "; kör 'formkit fields' för att se vilka fält som finns"
        problems.append(Problem(source.where(lineno), f"fältet '{path}' finns inte i datan{hint}"))
    return problems


def _is_known(path: str, known: dict[str, str]) -> bool:
    if path in known or path.removesuffix("[]") in known:  # "goals[]": an item of a known list
        return True
    # a group ("client", "results") or something below a known leaf ("client.name.upper")
    if any(k.startswith(path + ".") or k.startswith(path + "[]") for k in known):
        return True
    parts = path.split(".")
    return any(".".join(parts[:i]).removesuffix("[]") in known for i in range(1, len(parts)))


def used_fields(tree: nodes.Template) -> list[tuple[str, int]]:
    """(dotted path, line) for every data field a template reads; loop variables resolve to
    ``list[]`` paths, names set in the template are left out."""
    found: list[tuple[str, int]] = []

    def path_of(node: nodes.Node, scope: dict[str, str | None]) -> str | None:
        if isinstance(node, nodes.Name):
            if node.name in scope:
                return scope[node.name]
            return None if node.name in JINJA_GLOBALS else node.name
        if isinstance(node, nodes.Getattr):
            base = path_of(node.node, scope)
            return f"{base}.{node.attr}" if base else None
        if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
            base = path_of(node.node, scope)
            return f"{base}.{node.arg.value}" if base else None
        if isinstance(node, nodes.Getitem):
            base = path_of(node.node, scope)
            return f"{base}[]" if base else None
        return None

    def visit(node: nodes.Node, scope: dict[str, str | None]) -> None:
        if isinstance(node, nodes.Getattr) and node.attr.startswith("_"):
            found.append((f"_.{node.attr}", node.lineno))  # reaching into Python: always refused
        if isinstance(node, nodes.For):
            visit(node.iter, scope)
            iterated = path_of(node.iter, scope)
            inner = dict(scope)
            for target in node.target.find_all(nodes.Name) if not isinstance(node.target, nodes.Name) else [node.target]:
                inner[target.name] = f"{iterated}[]" if iterated and isinstance(node.target, nodes.Name) else None
            for child in node.body + node.else_:
                visit(child, inner)
            if node.test is not None:
                visit(node.test, inner)
            return
        if isinstance(node, (nodes.Assign, nodes.AssignBlock)):
            for target in node.target.find_all(nodes.Name) if not isinstance(node.target, nodes.Name) else [node.target]:
                scope[target.name] = None
        if isinstance(node, (nodes.Macro, nodes.CallBlock)):
            if isinstance(node, nodes.Macro):
                scope[node.name] = None  # a macro the template defines is not a data field
            inner = dict(scope)
            for arg in getattr(node, "args", []):
                inner[arg.name] = None
            for child in node.body:
                visit(child, inner)
            return
        if isinstance(node, (nodes.Name, nodes.Getattr, nodes.Getitem)):
            path = path_of(node, scope)
            if path:
                found.append((path, node.lineno))
                if isinstance(node, nodes.Getitem) and not isinstance(node.arg, nodes.Const):
                    visit(node.arg, scope)
                return
        for child in node.iter_child_nodes():
            visit(child, scope)

    visit(tree, {})
    return found


def describe_fields(family: str | None) -> str:
    """The fields of every template (or of one family or template), explained in Swedish."""
    sets = all_field_sets()
    if family:
        sets = [fs for fs in sets if fs.family == family or fs.covers(family) or family in fs.templates]
        if not sets:
            names = sorted({fs.family for fs in all_field_sets()})
            raise TemplateError(family, [Problem("", f"okänd malltyp; välj en av: {', '.join(names)} eller ett mallnamn")])
    out = ["Fält som alla mallar kan använda:"]
    out += [f"  {{{{ {name} }}}}  {text}" for name, text in COMMON_FIELDS.items()]
    for fs in sets:
        out.append("")
        out.append(f"{fs.title} ({fs.family}: {', '.join(fs.templates)}):")
        out += [f"  {name}  {text}" for name, text in fs.fields.items()]
    out.append("")
    out.append("Filter: iso_date (2026-12-03), long_date (den 3 december 2026), weekday (torsdag), "
               "clock (kl. 14.00), answer (Ja/Delvis/Nej), number (84,5), percent (84 %).")
    out.append("Listor (namn med []) går igenom med {% for rad in lista %} … {% endfor %}.")
    return "\n".join(out)
