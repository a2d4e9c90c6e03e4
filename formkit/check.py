"""``formkit check`` and ``formkit fields``: find every problem before a batch runs.

For each .docx template: it must open and compile; each field it uses must be one the data
can supply (the family's ``FieldSet``), with the closest real name suggested; and tags that Word
broke so they will not render (a brace lost, ``{ {`` split, a smart quote left in a tag) are
reported with the paragraph's text.
"""

from __future__ import annotations

import difflib
import logging
import re
import zipfile
from pathlib import Path

import jinja2
from jinja2 import nodes

from formkit import templates as template_files
from formkit.case.model import load_case
from formkit.errors import Problem, TemplateError
from formkit.fields import COMMON_FIELDS, FieldSet, all_field_sets, field_set_for
from formkit.docx.package import Package
from formkit.docx.render import ENVIRONMENT, CompiledTemplate, paragraph_at_line, paragraph_texts, template_sources

JINJA_GLOBALS = {"loop", "range", "namespace", "dict", "lipsum", "cycler", "joiner", "true", "false", "none", "True", "False", "None"}
SMART_QUOTES = "“”„‘’‚«»"
log = logging.getLogger(__name__)


def check_all(case_path: Path, user_templates: Path | None) -> str:
    """Validate the case file and every template; raise with all problems, else a summary."""
    load_case(case_path)  # raises CaseFileError with every problem in the data
    problems: list[Problem] = []
    checked = 0
    for family, path in template_files.all_templates(user_templates):
        if path.suffix != ".docx":
            continue
        checked += 1
        log.info("kontrollerar mallen %s/%s", family, path.name)
        problems.extend(Problem(f"{family}/{path.name}: {p.path}" if p.path else f"{family}/{path.name}", p.message)
                        for p in template_problems(path))
    if problems:
        raise TemplateError("(kontroll)", problems)
    return f"Allt ser bra ut: ärendefilen och {checked} mallar är kontrollerade."


def template_problems(path: Path) -> list[Problem]:
    """Every problem in one .docx template (empty list: it is fine)."""
    try:
        compiled = CompiledTemplate(path)
    except TemplateError as exc:
        return exc.problems + _broken_tags_in_raw(path)
    problems: list[Problem] = []
    field_set = field_set_for(path.name)
    for part, source in compiled.sources.items():
        problems.extend(_broken_tags(source))
        if field_set is not None:
            problems.extend(_unknown_fields(source, field_set))
    return problems


def _broken_tags_in_raw(path: Path) -> list[Problem]:
    """Broken tags in a template that does not compile (they are often why it does not)."""
    try:
        sources = template_sources(Package.read(path))
    except (zipfile.BadZipFile, KeyError, OSError, UnicodeDecodeError):
        return []  # the compile error already says the file cannot be read
    return [p for source in sources.values() for p in _broken_tags(source)]


def _broken_tags(source: str) -> list[Problem]:
    problems = []
    for text in paragraph_texts(source):
        if not re.search(r"[{}]", text):
            continue
        where = f"stycket \"{text[:100]}\""
        if re.search(r"\{\s+[{%]|[}%]\s+\}", text):
            problems.append(Problem(where, "en tagg har ett mellanslag mellan klammerparenteserna ('{ {'); skriv '{{' utan mellanslag"))
        opens, closes = len(re.findall(r"\{\{", text)), len(re.findall(r"\}\}", text))
        block_opens, block_closes = len(re.findall(r"\{%", text)), len(re.findall(r"%\}", text))
        if opens != closes or block_opens != block_closes:
            problems.append(Problem(where, "en tagg är inte stängd eller inte öppnad ({{ … }} eller {% … %}); kontrollera klammerparenteserna"))
        for tag in re.findall(r"\{[{%].*?[}%]\}", text):
            if any(q in tag for q in SMART_QUOTES):
                problems.append(Problem(where, f"taggen {tag} innehåller typografiska citattecken; skriv raka citattecken (\" eller ')"))
    return problems


def _unknown_fields(source: str, field_set: FieldSet) -> list[Problem]:
    known = {**COMMON_FIELDS, **field_set.fields}
    try:
        tree = ENVIRONMENT.parse(source)
    except jinja2.TemplateSyntaxError:
        return []  # already reported by the compiler
    problems = []
    seen: set[str] = set()
    for path, lineno in used_fields(tree):
        if any(part.startswith("_") for part in path.replace("[]", "").split(".")):
            problems.append(Problem(f"stycket \"{paragraph_at_line(source, lineno)[:100]}\"",
                                    "namn som börjar med _ är inte tillåtna i en mall (de når in i Python); ta bort den koden"))
            continue
        if path in seen or _is_known(path, known):
            continue
        seen.add(path)
        close = difflib.get_close_matches(path, list(known), n=1, cutoff=0.6)
        hint = f"; menade du '{close[0]}'?" if close else "; kör 'formkit fields' för att se vilka fält som finns"
        where = paragraph_at_line(source, lineno)
        problems.append(Problem(f"stycket \"{where[:100]}\"", f"fältet '{path}' finns inte i datan{hint}"))
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
