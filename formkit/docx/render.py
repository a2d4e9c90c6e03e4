"""Compile a .docx template once, render it many times, safely.

* Templates are untrusted (anyone can edit a .docx): Jinja runs in an immutable sandbox, with
  ``StrictUndefined`` so a misspelt field is an error rather than an empty line.
* Autoescaping is on, so ``Ali & Söner <AB>`` comes out as typed and a value ``{{ 7*7 }}`` in
  the data stays those characters (data is never evaluated as a template).
* The body, headers and footers are cleaned of Word's run splits (docxtpl's ``patch_xml``),
  compiled once, and every rendered part is checked to be well-formed XML before anything is
  written.

The renderer knows nothing about clients: callers pass a context (plain dicts, lists, strings,
dates) and a ``record`` label used in messages.
"""

from __future__ import annotations

import datetime as dt
import re
import traceback
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from docxtpl import DocxTemplate
from jinja2.sandbox import ImmutableSandboxedEnvironment
from lxml import etree
from markupsafe import Markup, escape

from formkit.swedish import FILTERS, iso_date
from formkit.xmlsafe import CONTROL_CHARS, control_char_problem
from formkit.docx.package import Package
from formkit.errors import DataError, Problem, TemplateError

TEMPLATED_PART = re.compile(r"^word/(document|header\d*|footer\d*)\.xml$")
PART_NAMES = {"document": "brödtexten", "header": "sidhuvudet", "footer": "sidfoten"}
# What a template's expressions can raise on unlucky data ({{ a / b }}, {{ d['x'] }}, {{ l[9] }}):
# the message names the template, part, paragraph and record instead of "unexpected error".
TEMPLATE_CODE_ERRORS = (ArithmeticError, LookupError, TypeError, ValueError, AttributeError, RecursionError)
TEMPLATE_CODE_MESSAGES = {ZeroDivisionError: "division med noll", KeyError: "en nyckel som inte finns",
                          IndexError: "en plats i en lista som inte finns", RecursionError: "för djup rekursion"}
LINE_BREAK = Markup('</w:t><w:br/><w:t xml:space="preserve">')


def _finalize(value: Any) -> Any:
    """Dates print as ISO dates; a line break in a value becomes a line break in Word."""
    if isinstance(value, (dt.date, dt.datetime)):
        return iso_date(value)
    if isinstance(value, str) and not isinstance(value, Markup) and "\n" in value:
        return escape(value).replace("\n", LINE_BREAK)
    if value is None:
        return ""
    return value


def make_environment() -> jinja2.Environment:
    env = ImmutableSandboxedEnvironment(
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    return env


ENVIRONMENT = make_environment()


# --- compiling -----------------------------------------------------------------------------

def paragraph_texts(xml: str) -> list[str]:
    """The visible text of each paragraph, for messages that say where a problem is."""
    out = []
    for para in re.findall(r"<w:p[ >].*?</w:p>", xml, flags=re.DOTALL):
        text = "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", para))
        out.append(text)
    return out


def patch(xml: str) -> str:
    """Word's XML made readable for Jinja (run splits removed, smart quotes in tags fixed).
    Each paragraph starts a new line so that Jinja's line numbers point at a paragraph."""
    patched = DocxTemplate.patch_xml(None, xml)  # type: ignore[arg-type]  # uses no state
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", patched)


def template_sources(package: Package) -> dict[str, str]:
    """The patched Jinja source of every part that is rendered: the body always, headers and
    footers only when they hold a field (the others are copied as they are)."""
    sources = {}
    for name in package.by_name:
        if not TEMPLATED_PART.match(name):
            continue
        raw = package.text(name)
        if name == "word/document.xml" or "{" in raw:
            sources[name] = patch(raw)
    return sources


def paragraph_at_line(source: str, lineno: int | None) -> str:
    if not lineno:
        return ""
    lines = source.splitlines()
    if 0 < lineno <= len(lines):
        return re.sub(r"<[^>]+>", "", lines[lineno - 1]).strip()[:120]
    return ""


@dataclass
class Rendered:
    """One rendered document: the template and its rendered XML parts."""

    template: CompiledTemplate
    parts: dict[str, bytes]

    def to_bytes(self) -> bytes:
        return self.template.package.to_bytes(self.parts)


class CompiledTemplate:
    """A .docx template parsed and compiled once; ``render`` is cheap."""

    def __init__(self, path: Path, env: jinja2.Environment = ENVIRONMENT):
        self.path = Path(path)
        self.name = self.path.name
        try:
            self.package = Package.read(self.path)
            if "word/document.xml" not in self.package.by_name:
                raise KeyError("word/document.xml")
        except FileNotFoundError:
            raise TemplateError(self.name, [Problem("", f"mallen finns inte: {self.path}")]) from None
        except (zipfile.BadZipFile, KeyError, OSError, UnicodeDecodeError):
            raise TemplateError(
                self.name,
                [Problem("", "filen är inte ett Word-dokument (.docx); spara mallen i Word som .docx")],
            ) from None
        self.sources = template_sources(self.package)
        self.compiled: dict[str, jinja2.Template] = {}
        problems: list[Problem] = []
        for name, source in self.sources.items():
            try:
                self.compiled[name] = env.from_string(source)
            except jinja2.TemplateSyntaxError as exc:
                where = paragraph_at_line(source, exc.lineno)
                problems.append(Problem(f"stycket \"{where}\"" if where else name, f"mallkoden går inte att läsa: {exc.message}"))
        if problems:
            raise TemplateError(self.name, problems)

    def render(self, context: dict[str, Any], record: str) -> Rendered:
        """Render every templated part for one ``record`` (an id used in messages)."""
        check_context(context, record)
        parts: dict[str, bytes] = {}
        for name, template in self.compiled.items():
            try:
                xml = template.render(context)
            except jinja2.exceptions.SecurityError as exc:
                raise TemplateError(
                    self.name,
                    [Problem("", f"mallen försöker göra något som inte är tillåtet i en mall ({exc}); ta bort den koden")],
                ) from None
            except jinja2.UndefinedError as exc:
                raise TemplateError(
                    self.name,
                    [Problem(f"post {record}", f"{_undefined_message(exc)}; kör 'formkit fields' för att se vilka fält som finns")],
                ) from None
            except jinja2.TemplateError as exc:
                raise TemplateError(self.name, [Problem(f"post {record}", f"mallen gick inte att fylla i: {exc}")]) from None
            except TEMPLATE_CODE_ERRORS as exc:  # the template's own code failed on this record's data
                raise self._code_failed(name, record, exc) from None
            data = xml.replace("\n<w:p", "<w:p").encode("utf-8")
            try:
                etree.fromstring(data)
            except etree.XMLSyntaxError as exc:
                raise TemplateError(
                    self.name,
                    [Problem(f"post {record}", f"resultatet blev inte giltig XML i {name} ({exc.msg}); "
                             "troligen går en {% %}-tagg över flera stycken eller en tabell på fel sätt")],
                ) from None
            parts[name] = data
        return Rendered(self, parts)


    def _code_failed(self, part: str, record: str, exc: Exception) -> TemplateError:
        """Name the template, the part and paragraph (from the template's line in the traceback)
        and the record, for an error raised by the template's code, e.g. ``{{ a / b }}`` with b 0."""
        lines = [f.lineno for f in traceback.extract_tb(exc.__traceback__) if f.filename == "<template>"]
        paragraph = paragraph_at_line(self.sources[part], lines[-1] if lines else None)
        kind = re.sub(r"^word/|\d*\.xml$", "", part)
        where = f"post {record}, {PART_NAMES.get(kind, part)}"
        if paragraph:
            where += f", stycket \"{paragraph[:100]}\""
        what = TEMPLATE_CODE_MESSAGES.get(type(exc), f"{type(exc).__name__}: {exc}")
        return TemplateError(self.name, [Problem(where, f"mallens kod gick inte att räkna ut för den här posten ({what}); "
                                                 "rätta koden i mallen eller värdet i datan")])


def _undefined_message(exc: jinja2.UndefinedError) -> str:
    text = str(exc)
    match = re.search(r"has no attribute '([^']+)'", text) or re.search(r"'([^']+)' is undefined", text)
    if match:
        return f"fältet '{match.group(1)}' finns inte"
    return f"ett fält saknas ({text})"


def check_context(context: Any, record: str) -> None:
    """Refuse characters XML cannot hold, naming the record and the field.

    One regex over all the text finds whether there is any (the common case: none); only then
    is the context walked to name the field."""
    if not CONTROL_CHARS.search("".join(_texts(context))):
        return
    for path, text in _strings(context, ""):
        problem = control_char_problem(text)
        if problem:
            raise DataError(f"Post {record}, fältet {path or '(värdet)'}: {problem}.")


def _texts(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _texts(item)


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from _strings(item, f"{path}[{i}]")
