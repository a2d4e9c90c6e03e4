"""Loading the case file: YAML or a workbook, validated against the models in
``formkit.case.model`` and cross-checked.

``load_case(path)`` is the only way in. It reports *every* problem in one
``CaseFileError`` — YAML syntax, unknown or missing fields, wrong types, impossible dates,
wrong personal-number checksums, duplicate ids, references to ids that do not exist — each
with its path (``clients[3].address.postcode``) and line (or sheet, row and column).
"""

from __future__ import annotations

import difflib
import gc
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from formkit.case import personnummer, workbook, yamlsource
from formkit.case.model import FORMAT_VERSION, ID_LISTS, REFERENCES, SURVEY_REFERENCES, SWEDISH_LIST_NAMES, Case, Model
from formkit.errors import CaseFileError, FieldRuleError, Problem

log = logging.getLogger(__name__)


def load_case(path: Path | str) -> Case:
    """Read, validate and cross-check the case file at ``path``: YAML, or a workbook (.xlsx)."""
    path = Path(path)
    log.info("läser ärendefilen %s", path)
    refusal = workbook.other_spreadsheet_problem(path)
    if refusal:
        raise CaseFileError(str(path), [Problem("", refusal)])
    with _cycle_collection_paused():
        if workbook.is_workbook(path):
            return _load_workbook(path)
        data, lines = yamlsource.load(path)
        return _logged(validate_case(data, lines, str(path)))


@contextmanager
def _cycle_collection_paused() -> Iterator[None]:
    """Python's cycle collector off while a case file is read, and back on afterwards.

    Reading 1,000 clients and 9,000 decisions makes a few hundred thousand lists, dicts and
    models that all live on; each time enough have been made the collector walks every one of
    them again, which cost about a fifth of the reading time. None of it forms a cycle, so
    nothing is lost by collecting once, later. (If another thread paused it too, whichever
    started with the collector on turns it back on.)"""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _logged(case: Case) -> Case:
    log.info("ärendefilen är rätt: %d enheter, %d medarbetare, %d klienter, %d beslut, %d möten, %d insatser",
             len(case.units), len(case.staff), len(case.clients), len(case.decisions), len(case.meetings), len(case.open_care))
    return case


def _load_workbook(path: Path) -> Case:
    """The same validation as for YAML; each problem is then told by sheet, row and column."""
    data, places = workbook.read_workbook(path)
    data.setdefault("formkit", str(FORMAT_VERSION))  # a workbook without its "Om filen" sheet
    case: Case | None = None
    problems: list[Problem] = []
    try:
        case = validate_case(data, {}, str(path))
    except CaseFileError as exc:
        problems = exc.problems
    problems = places.relocate(problems)
    if problems or case is None:
        raise CaseFileError(str(path), problems)
    return _logged(case)


def validate_case(data: Any, lines: yamlsource.Lines, source: str) -> Case:
    """The case, or one ``CaseFileError`` listing every problem: the models' own checks and
    rules (types, dates, ids, an insats's dates against its status), then ids and references
    across records. What passes here is what every command accepts."""
    problems: list[Problem] = []
    case: Case | None = None
    try:
        case = Case.model_validate(data)
    except ValidationError as exc:
        problems.extend(translate_error(err, lines, data) for err in exc.errors())
    if isinstance(data, dict):
        problems.extend(_cross_check(data, lines))
    if problems or case is None:
        problems.sort(key=lambda p: (p.line or 0, p.path))
        raise CaseFileError(source, problems)
    if case.formkit != FORMAT_VERSION:
        raise CaseFileError(
            source,
            [Problem("formkit", f"formatversion {case.formkit} känns inte igen; denna formkit läser version {FORMAT_VERSION}", lines.get(("formkit",)))],
        )
    return case


def _all_field_names() -> set[str]:
    names: set[str] = set()
    for model in Model.__subclasses__() + [Case]:
        names.update(model.model_fields)
    return names


def record_name(data: Any, loc: tuple[Any, ...]) -> str | None:
    """"klient b-003" for a path inside ``clients[3]`` whose id is b-003: a message names the
    record, not only its place in the list (ids that look like personal numbers are masked)."""
    if len(loc) < 2 or loc[0] not in SWEDISH_LIST_NAMES or not isinstance(loc[1], int) or not isinstance(data, dict):
        return None
    items = data.get(loc[0])
    if not isinstance(items, list) or not 0 <= loc[1] < len(items) or not isinstance(items[loc[1]], dict):
        return None
    record_id = items[loc[1]].get("id")
    if not isinstance(record_id, str) or not record_id.strip():
        return None
    return f"{SWEDISH_LIST_NAMES[loc[0]]} {personnummer.echo(record_id.strip())}"


def translate_error(err: Any, lines: yamlsource.Lines, data: Any = None) -> Problem:
    """A pydantic error as a Swedish problem with path, line and (given ``data``) record."""
    loc = tuple(err["loc"])
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "missing":
        message = "fältet saknas men behövs"
    elif kind == "extra_forbidden":
        name = str(loc[-1])
        close = difflib.get_close_matches(name, sorted(_all_field_names()), n=1)
        shown = personnummer.echo(name)
        message = f"okänt fält '{shown}'" + (f"; menade du '{close[0]}'?" if close else "; ta bort det eller kontrollera stavningen")
    elif kind.startswith("date") or kind.startswith("datetime"):
        message = "ogiltigt datum; skriv ett datum som finns, som ÅÅÅÅ-MM-DD (t.ex. 2026-11-22)"
    elif kind == "literal_error":
        message = f"ska vara ett av: {ctx.get('expected', '')}".replace("'", "")
    elif kind == "bool_parsing":
        message = "ska vara ja eller nej (true/false)"
    elif kind in {"int_parsing", "int_from_float"}:
        message = "ska vara ett heltal"
    elif kind == "float_parsing":
        message = "ska vara ett tal (decimaltecken: punkt)"
    elif kind in {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}:
        limit = ctx.get("ge", ctx.get("le", ctx.get("gt", ctx.get("lt"))))
        word = "minst" if kind.startswith("greater") else "högst"
        message = f"ska vara {word} {limit}"
    elif kind == "string_pattern_mismatch":
        message = "ett id får bara innehålla bokstäverna a–z, siffror, '-', '_' och '.' (högst 64 tecken)"
    elif kind == "string_type":
        message = "ska vara text"
    elif kind == "list_type":
        message = "ska vara en lista (rader som börjar med '-')"
    elif kind in {"model_type", "dict_type", "model_attributes_type"}:
        message = "ska vara en grupp av fält (namn: värde)"
    elif kind == "too_short":
        message = "listan får inte vara tom"
    elif kind == "value_error":
        error = ctx.get("error")
        if isinstance(error, FieldRuleError):
            loc = loc + (error.field,)
        message = str(error if error is not None else err["msg"])
    else:  # pragma: no cover - a message we have not translated yet is still shown
        message = personnummer.mask(err["msg"])
    return Problem(yamlsource.format_path(loc), message, yamlsource.line_of(lines, loc), record_name(data, loc))


def _cross_check(data: dict[str, Any], lines: yamlsource.Lines) -> list[Problem]:
    """Duplicate ids and dangling references, read from the raw data so they are found even
    when other fields of the same record are wrong.

    Ids are compared without surrounding spaces and ignoring case: ``b-001``, ``"b-001 "`` and
    ``B-001`` are one id, since their files would overwrite each other on Windows and macOS."""
    problems: list[Problem] = []
    ids: dict[str, dict[str, dict[str, Any]]] = {}
    for list_name in ID_LISTS:
        known: dict[str, dict[str, Any]] = {}
        first: dict[str, tuple[int, str]] = {}  # folded id -> (index, id as written)
        for i, record in _records(data, list_name):
            record_id = record.get("id")
            if not isinstance(record_id, str) or personnummer.looks_like(record_id):
                continue  # the model reports a missing id, or one that is a personal number
            record_id = record_id.strip()
            folded = record_id.casefold()
            if folded not in first:
                first[folded] = (i, record_id)
                known[record_id] = record
                continue
            index, written = first[folded]
            case_note = "" if written == record_id else (
                f" ('{personnummer.echo(written)}': stora och små bokstäver räknas som samma, annars skriver filerna över varandra "
                "i Windows och macOS)")
            loc = (list_name, i, "id")
            problems.append(Problem(
                yamlsource.format_path(loc),
                f"id '{personnummer.echo(record_id)}' används redan av en annan {SWEDISH_LIST_NAMES[list_name]} "
                f"({list_name}[{index}]){case_note}; ett id får bara finnas en gång",
                lines.get(loc),
            ))
        ids[list_name] = known
    for list_name, field, target, role in REFERENCES:
        for i, record in _records(data, list_name):
            problems.extend(_check_reference(record.get(field), (list_name, i, field), target, role, ids, lines, data))
    survey = data.get("survey")
    if isinstance(survey, dict):
        for part in SURVEY_REFERENCES:
            for i, record in _records(survey, part):
                problems.extend(_check_reference(record.get("unit"), ("survey", part, i, "unit"), "units", None, ids, lines, data))
    return problems


def _check_reference(
    value: Any,
    loc: tuple[Any, ...],
    target: str,
    role: str | None,
    ids: dict[str, dict[str, dict[str, Any]]],
    lines: yamlsource.Lines,
    data: dict[str, Any],
) -> list[Problem]:
    if not isinstance(value, str) or personnummer.looks_like(value):
        return []  # not text, or a personal number (the model refuses it without repeating it)
    value = value.strip()
    known = ids.get(target, {})
    if value not in known:
        what = SWEDISH_LIST_NAMES[target]
        close = difflib.get_close_matches(value, list(known), n=1)
        hint = f"; menade du '{close[0]}'?" if close else f"; lägg till den under '{target}' eller rätta id:t"
        message = f"det finns ingen {what} med id '{personnummer.echo(value)}'{hint}"
    elif role and known[value].get("role") != role:
        has = personnummer.echo(known[value].get("role"))
        message = f"'{value}' har inte rollen {role} (har '{has}')"
    else:
        return []  # the common case: nothing to report, so no path, line or record is looked up
    return [Problem(yamlsource.format_path(loc), message, yamlsource.line_of(lines, loc), record_name(data, loc))]


def _records(container: dict[str, Any], key: str) -> list[tuple[int, dict[str, Any]]]:
    items = container.get(key)
    if not isinstance(items, list):
        return []
    return [(i, item) for i, item in enumerate(items) if isinstance(item, dict)]


def json_schema() -> dict[str, Any]:
    """JSON Schema of the case file, for editors that complete and check YAML."""
    schema = Case.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "formkit ärendefil"
    return schema
