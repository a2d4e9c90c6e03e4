"""Compile a .docx template once, render it many times, safely.

* Templates are untrusted (anyone can edit a .docx): Jinja runs in an immutable sandbox, with
  ``StrictUndefined`` so a misspelt field is an error rather than an empty line, and with
  bounds on loops, numbers, texts, time and output (``formkit.docx.limits``); the zip is
  refused from its directory if it would unpack too big (``formkit.docx.package``).
* Autoescaping is on, so ``Ali & Söner <AB>`` comes out as typed and a value ``{{ 7*7 }}`` in
  the data stays those characters (data is never evaluated as a template).
* Every part a user can type a field into is rendered: the body, headers and footers (first
  page and even pages too), footnotes, endnotes and the document properties (core, app,
  custom). Parts without a field are copied as they are; comments are left as they are.
* Tags are read as Word and LibreOffice write them (``formkit.docx.tags``), compiled once,
  and every rendered part is checked to be well-formed XML before anything is written.
* What cannot be rendered right (a tag Word broke, Strict Open XML, a picture missing from
  the file, a syntax error) is refused when the template is read, with the part in Swedish
  ("sidfoten på första sidan", "fotnot 2", "dokumentegenskaperna") and the paragraph; ``check``
  uses the same functions, so it accepts exactly what the commands accept.

The renderer knows nothing about clients: callers pass a context (plain dicts, lists, strings,
dates) and a ``record`` label used in messages.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import posixpath
import re
import traceback
import zipfile
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from docxtpl import DocxTemplate
from lxml import etree
from markupsafe import Markup, escape

from formkit.swedish import FILTERS, iso_date
from formkit.xmlsafe import CONTROL_CHARS, control_char_problem
from formkit.docx import tags
from formkit.docx.limits import CURRENT, MAX_OUTPUT, BoundedSandbox, Budget
from formkit.docx.package import Package
from formkit.docx.renumber import numbered_ids
from formkit.errors import DataError, LimitExceeded, PackageTooLarge, Problem, TemplateError

# What a template's expressions can raise on unlucky data ({{ a / b }}, {{ d['x'] }}, {{ l[9] }}):
# the message names the template, part, paragraph and record instead of "unexpected error".
TEMPLATE_CODE_ERRORS = (ArithmeticError, LookupError, TypeError, ValueError, AttributeError)
TEMPLATE_CODE_MESSAGES = {ZeroDivisionError: "division med noll", KeyError: "en nyckel som inte finns",
                          IndexError: "en plats i en lista som inte finns"}
LINE_BREAK = Markup('</w:t><w:br/><w:t xml:space="preserve">')


def _finalize(value: Any) -> Any:
    """Dates print as ISO dates; a line break in a value becomes a line break in Word."""
    if type(value) is str:  # the common case first: every field of every letter
        return escape(value).replace("\n", LINE_BREAK) if "\n" in value else value
    if isinstance(value, (dt.date, dt.datetime)):
        return iso_date(value)
    if isinstance(value, str) and not isinstance(value, Markup) and "\n" in value:
        return escape(value).replace("\n", LINE_BREAK)
    if value is None:
        return ""
    return value


def make_environment() -> jinja2.Environment:
    env = BoundedSandbox(
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    return env


ENVIRONMENT = make_environment()


# --- reading and compiling ----------------------------------------------------------------

# every part a user can type a field into; comments are left as they are
TEMPLATED_PART = re.compile(r"^(word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml|docProps/(core|app|custom)\.xml)$")
NOTES = {"word/footnotes.xml": "fotnot", "word/endnotes.xml": "slutnot"}
NOTE_START = re.compile(r"<w:(?:footnote|endnote)\b(?![^>]*w:type=)")
STRICT_NAMESPACE = "http://purl.oclc.org/ooxml/wordprocessingml/main"
HEADER_REFERENCE = re.compile(r"<w:(header|footer)Reference\b([^>]*)/>")
LOOP = re.compile(r"\{%-?\s*for\s")
# ids Word needs unique in a document: drawings (wp:docPr) and content controls (w:sdt)
UNIQUE_ID = re.compile(r'<wp:docPr\b[^>]*\bid="(\d+)"|<w:sdtPr>(?:(?!</w:sdtPr>).)*?<w:id w:val="(-?\d+)"', re.DOTALL)
RELATIONSHIP_ID = re.compile(r'\br:(?:id|embed|link|pict)="([^"]+)"')
PLACES = {"default": "", "first": " på första sidan", "even": " på jämna sidor"}
# |safe; {% autoescape %} (and its scoped form); {% filter %}, whose output is printed as the filter returns it
# (|striptags gives the block's text unescaped, so a value "&lt;w:p&gt;" comes out as markup)
VERBATIM_NODES = (jinja2.nodes.Filter, jinja2.nodes.EvalContextModifier, jinja2.nodes.FilterBlock)


@dataclass(frozen=True)
class Source:
    """The Jinja source of one templated part."""

    part: str  # the part's name in the package, e.g. word/footer2.xml
    label: str  # the part in Swedish, e.g. "sidfoten på första sidan"
    text: str
    fix_tables: bool  # a {%tc %} column loop: the table grid is fixed after rendering
    repeats_ids: bool = False  # a picture or content control and a loop: their ids are made unique after rendering

    def where(self, lineno: int | None) -> str:
        """The part and paragraph at Jinja line ``lineno``, in Swedish, for messages."""
        label = self.label
        lines = self.text.splitlines()
        if self.part in NOTES and lineno:
            label = f"{NOTES[self.part]} {len(NOTE_START.findall(chr(10).join(lines[:lineno])))}"
        text = paragraph_at_line(self.text, lineno)
        return f"{label}, stycket \"{text[:100]}\"" if text else label


def read_package(path: Path) -> Package:
    """The template's package, or a TemplateError saying in Swedish why it cannot be used."""
    name = Path(path).name
    try:
        package = Package.read(path)
        if "word/document.xml" not in package.by_name:
            raise KeyError("word/document.xml")
        strict = STRICT_NAMESPACE in package.text("word/document.xml")[:5000]
    except FileNotFoundError:
        raise TemplateError(name, [Problem("", f"mallen finns inte: {path}")]) from None
    except PackageTooLarge as exc:
        raise TemplateError(name, [Problem("", f"{exc}; använd en vanlig Word-fil som mall")]) from None
    except (zipfile.BadZipFile, KeyError, OSError, UnicodeDecodeError):
        raise TemplateError(
            name, [Problem("", "filen är inte ett Word-dokument (.docx); spara mallen i Word som .docx")]
        ) from None
    if strict:
        raise TemplateError(name, [Problem("", "mallen är sparad som Strikt Open XML-dokument, som formkit inte kan fylla i; "
                                               "öppna den i Word och spara den som Word-dokument (.docx)")])
    return package


def part_labels(package: Package) -> dict[str, str]:
    """Part name -> Swedish name for headers and footers ("sidfoten på första sidan")."""
    rels_name = "word/_rels/document.xml.rels"
    if rels_name not in package.by_name:
        return {}
    targets = {rel.get("Id"): "word/" + rel.get("Target", "").removeprefix("/word/").removeprefix("./")
               for rel in etree.fromstring(package.by_name[rels_name].data)}
    labels: dict[str, str] = {}
    for kind, attributes in HEADER_REFERENCE.findall(package.text("word/document.xml")):
        place = re.search(r'w:type="(\w+)"', attributes)
        rid = re.search(r'r:id="([^"]+)"', attributes)
        if rid and rid.group(1) in targets:
            word = "sidhuvudet" if kind == "header" else "sidfoten"
            labels.setdefault(targets[rid.group(1)], word + PLACES.get(place.group(1) if place else "default", ""))
    return labels


def part_label(part: str, labels: dict[str, str]) -> str:
    if part == "word/document.xml":
        return "brödtexten"
    if part.startswith("docProps/"):
        return "dokumentegenskaperna"
    if part in NOTES:
        return "fotnoterna" if "foot" in part else "slutnoterna"
    return labels.get(part, "sidhuvudet" if "header" in part else "sidfoten")


def template_sources(package: Package) -> tuple[list[Source], list[Problem]]:
    """The Jinja source of every part that is rendered (the body always, the other parts only
    when they hold a field), and the tags Word broke so that they would not render."""
    labels = part_labels(package)
    sources: list[Source] = []
    problems: list[Problem] = missing_parts(package, labels)
    for name in package.by_name:
        if not TEMPLATED_PART.match(name):
            continue
        raw = package.text(name)
        if name != "word/document.xml" and "{" not in raw:
            continue
        if name.startswith("docProps/"):
            joined = tags.TAG.sub(tags.clean_tag, raw)
            lined = joined
        else:
            joined = tags.join_tags(raw)
            lined = tags.paragraph_lines(joined)
        source = Source(name, part_label(name, labels), tags.to_source(lined),
                        fix_tables=not name.startswith("docProps/") and tags.has_column_loop(raw),
                        repeats_ids=("docPr" in raw or "sdtPr" in raw) and bool(LOOP.search(lined)))
        for lineno, message in tags.broken_tags(lined):
            problems.append(Problem(source.where(lineno), message))
        sources.append(source)
    return sources, problems


def parse_source(source: Source, broken: set[str], problems: list[Problem],
                 env: jinja2.Environment = ENVIRONMENT) -> jinja2.nodes.Template | None:
    """The parsed template of ``source``, or None with its syntax error added to ``problems``
    (unless a broken tag in ``broken`` already says it better)."""
    try:
        return env.parse(source.text)
    except jinja2.TemplateSyntaxError as exc:
        where = source.where(exc.lineno)
        if where not in broken:
            problems.append(Problem(where, f"mallkoden går inte att läsa: {exc.message}"))
        return None


def missing_parts(package: Package, labels: dict[str, str]) -> list[Problem]:
    """Pictures and other parts that the body, a header, a footer or the notes point at but that
    are not in the file (a picture linked from a folder that is gone, a file another program
    cut short): formkit cannot carry them into the letters, so the template is refused."""
    problems = []
    for name in package.by_name:
        if not (TEMPLATED_PART.match(name) and name.startswith("word/")):
            continue
        rels_name = posixpath.join(posixpath.dirname(name), "_rels", posixpath.basename(name) + ".rels")
        rels = etree.fromstring(package.by_name[rels_name].data) if rels_name in package.by_name else []
        targets = {rel.get("Id"): rel for rel in rels}
        used = set(RELATIONSHIP_ID.findall(package.text(name)))
        for rid in sorted(used):
            rel = targets.get(rid)
            missing = rel is None or (
                rel.get("TargetMode") != "External"
                and posixpath.normpath(posixpath.join(posixpath.dirname(name), rel.get("Target", ""))).lstrip("/") not in package.by_name
                and rel.get("Target", "").lstrip("/") not in package.by_name
            )
            if missing:
                what = "en bild" if rel is None or rel.get("Type", "").endswith("/image") else "ett inbäddat objekt"
                problems.append(Problem(part_label(name, labels), f"{what} som visas här finns inte i filen, så den kan inte följa med "
                                                                   "i breven; ta bort den och infoga den på nytt (Infoga > Bilder)"))
                break
    return problems


def paragraph_at_line(source: str, lineno: int | None) -> str:
    if not lineno:
        return ""
    lines = source.splitlines()
    if 0 < lineno <= len(lines):
        return re.sub(r"\s+", " ", tags.line_text(lines[lineno - 1])).strip()[:120]
    return ""


@dataclass
class Rendered:
    """One rendered document: the template and its rendered XML parts; for each part left
    unchecked (``parsed_later``), its skeleton (``skeleton``)."""

    template: CompiledTemplate
    parts: dict[str, bytes]
    skeletons: dict[str, Skeleton | None] = field(default_factory=dict)

    def to_bytes(self) -> bytes:
        return self.template.package.to_bytes(self.parts)


class CompiledTemplate:
    """A .docx template read, checked and compiled once; ``render`` is cheap."""

    def __init__(self, path: Path, env: jinja2.Environment = ENVIRONMENT):
        self.path = Path(path)
        self.name = self.path.name
        self.package = read_package(self.path)
        sources, problems = template_sources(self.package)
        self.sources = {s.part: s for s in sources}
        self.compiled: dict[str, jinja2.Template] = {}
        # context values (by identity) already found free of control characters: the letters
        # of a batch share most of their context (organisation, unit, survey)
        self.clean: dict[int, Any] = {}
        # parts whose template can print a value unescaped (|safe, an autoescape block), so that
        # a value can add markup of its own
        self.verbatim: set[str] = set()
        broken = {p.path for p in problems}
        for source in sources:
            tree = parse_source(source, broken, problems, env)
            if tree is not None:
                self.compiled[source.part] = env.from_string(tree)
                if any(getattr(node, "name", "safe") == "safe" for node in tree.find_all(VERBATIM_NODES)):
                    self.verbatim.add(source.part)
                if source.repeats_ids and not ids_repeated(tree):  # a loop elsewhere in the part: nothing to renumber
                    self.sources[source.part] = dataclasses.replace(source, repeats_ids=False)
        if problems:
            raise TemplateError(self.name, problems)
        # a picture or content control repeated by a loop gets ids above every id in the template
        self.max_id = max((int(a or b) for m in self.package.members if m.name.startswith("word/") and m.name.endswith(".xml")
                           for a, b in UNIQUE_ID.findall(m.data.decode("utf-8", "replace"))), default=0) \
            if any(s.repeats_ids for s in self.sources.values()) else 0

    def render(self, context: dict[str, Any], record: str, parsed_later: Collection[str] = ()) -> Rendered:
        """Render every templated part for one ``record`` (an id used in messages), within
        the limits of ``formkit.docx.limits`` for the document as a whole.

        Each part is checked to be well-formed XML, except those in ``parsed_later``: a caller
        that parses them anyway (a print file does) saves the second parse, and renders the
        record again without ``parsed_later`` to word the error if its parse fails."""
        check_context(context, record, self.clean)
        parts: dict[str, bytes] = {}
        skeletons: dict[str, Skeleton | None] = {}
        budget = Budget()
        token = CURRENT.set(budget)
        output = 0
        fresh_ids = itertools.count(max(self.max_id, 0) + 1)
        try:
            for name, template in self.compiled.items():
                source = self.sources[name]
                chunks = self._render_part(template, context, record, source, MAX_OUTPUT - output)
                xml = "".join(chunks)
                output += len(xml)
                parts[name] = self._finish(xml, source, record, fresh_ids, name not in parsed_later)
                if name in parsed_later:
                    skeletons[name] = skeleton(chunks)
        finally:
            CURRENT.reset(token)
        return Rendered(self, parts, skeletons)

    def _render_part(self, template: jinja2.Template, context: dict[str, Any], record: str, source: Source, room: int) -> list[str]:
        where = f"post {record}, {source.label}"
        try:
            chunks = []
            for chunk in template.generate(context):
                room -= len(chunk)
                if room < 0:
                    raise LimitExceeded(f"dokumentet blir större än {MAX_OUTPUT // 1_000_000} MB")
                chunks.append(chunk)
            return chunks
        except LimitExceeded as exc:
            where = f"post {record}, {source.where(_template_line(exc))}"
            raise TemplateError(self.name, [Problem(where, f"{exc}; en mall får inte göra så mycket arbete, förenkla slingorna och uttrycken")]) from None
        except RecursionError:
            raise TemplateError(self.name, [Problem(where, "mallen anropar sig själv utan slut (ett makro som anropar sig självt); ta bort den koden")]) from None
        except MemoryError:
            raise TemplateError(self.name, [Problem(where, "mallen försöker göra något som inte får plats i minnet; förenkla uttrycken")]) from None
        except jinja2.exceptions.SecurityError as exc:
            raise TemplateError(
                self.name,
                [Problem(source.label, f"mallen försöker göra något som inte är tillåtet i en mall ({exc}); ta bort den koden")],
            ) from None
        except jinja2.UndefinedError as exc:
            raise TemplateError(
                self.name,
                [Problem(where, f"{_undefined_message(exc)}; kör 'formkit fields' för att se vilka fält som finns")],
            ) from None
        except jinja2.TemplateError as exc:
            raise TemplateError(self.name, [Problem(where, f"mallen gick inte att fylla i: {exc}")]) from None
        except TEMPLATE_CODE_ERRORS as exc:  # the template's own code failed on this record's data
            raise self._code_failed(source, record, exc) from None

    def _code_failed(self, source: Source, record: str, exc: Exception) -> TemplateError:
        """Name the template, the part and paragraph (from the template's line in the traceback)
        and the record, for an error raised by the template's code, e.g. ``{{ a / b }}`` with b 0."""
        where = f"post {record}, {source.where(_template_line(exc))}"
        what = TEMPLATE_CODE_MESSAGES.get(type(exc), f"{type(exc).__name__}: {exc}")
        return TemplateError(self.name, [Problem(where, f"mallens kod gick inte att räkna ut för den här posten ({what}); "
                                                 "rätta koden i mallen eller värdet i datan")])

    def _finish(self, xml: str, source: Source, record: str, fresh_ids: Iterator[int], check: bool = True) -> bytes:
        """The rendered part as bytes, checked to be well-formed XML (its table grids fixed
        after a column loop, the ids of pictures and content controls a loop repeated made
        unique)."""
        data = xml.replace("\n<w:p", "<w:p").encode("utf-8")
        if not (check or source.fix_tables or source.repeats_ids):
            return data
        try:
            root = etree.fromstring(data)
        except etree.XMLSyntaxError as exc:
            raise TemplateError(
                self.name,
                [Problem(f"post {record}, {source.label}", f"resultatet blev inte giltig XML ({exc.msg}); "
                         "troligen går en {% %}-tagg över flera stycken eller en tabell på fel sätt")],
            ) from None
        if source.fix_tables:
            root = DocxTemplate.fix_tables(None, data)  # type: ignore[arg-type]  # uses no state
        if source.repeats_ids:
            for element, attribute in numbered_ids([root]):
                element.set(attribute, str(next(fresh_ids)))
        if source.fix_tables or source.repeats_ids:
            return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        return data


# A rendered part's skeleton: its chunks as Jinja yielded them, the template's own text as it is
# (a plain str), each value printed (escaped, a Markup) as None, or as BROKEN_LINES where the
# value's line breaks were made Word's (``_finalize``).
Skeleton = tuple[str | bool | None, ...]
BROKEN_LINES = True  # not a str: never equal to a chunk of the template's own text
# markup in a printed value, or an "&" that starts none of the escapes: a value a template expression
# made (``{{ x|e|truncate(9) }}`` can cut "&amp;" short, ``|reverse`` turn it round)
VALUE_MARKUP = re.compile("[<\"']|&(?!(?:amp|lt|gt|#34|#39);)")


def skeleton(chunks: list[str]) -> Skeleton | None:
    """The skeleton of a part rendered as ``chunks``, or None where a printed value holds
    markup other than Word's line breaks, a quote, an "&" that is not an escape's, or a
    character XML cannot hold (a value a template expression made).

    Two renderings with the same skeleton differ only in printed values that are escaped text,
    with or without line breaks in the same places. Where the template's tags (``{% %}``) all
    stand outside the XML's tags, each value lands in a text or a quoted attribute value (a
    value with line breaks in a w:t, or the rendering is not well-formed), so either both are
    well-formed XML or neither is: a print file checks one rendering of each skeleton
    (``letterbody``)."""
    key: list[str | bool | None] = []
    values = []
    for chunk in chunks:
        if chunk.__class__ is str:
            key.append(chunk)
        elif LINE_BREAK in chunk:
            key.append(BROKEN_LINES)
            values.append(chunk.replace(LINE_BREAK, ""))
        else:
            key.append(None)
            values.append(chunk)
    text = "".join(values)
    if VALUE_MARKUP.search(text) or CONTROL_CHARS.search(text):
        return None
    return tuple(key)


# what can print the same template text more than once: a loop, a macro or call block, a block
# (``self.name()``), a {% set %} block
REPEATING_NODES = (jinja2.nodes.For, jinja2.nodes.Macro, jinja2.nodes.CallBlock, jinja2.nodes.Block, jinja2.nodes.AssignBlock)


def ids_repeated(tree: jinja2.nodes.Template) -> bool:
    """Whether a picture's or content control's XML stands where the template can print it
    more than once, so that its id must be made unique after rendering."""
    return any("docPr" in data.data or "sdtPr" in data.data
               for block in tree.find_all(REPEATING_NODES) for data in block.find_all(jinja2.nodes.TemplateData))


def _template_line(exc: BaseException) -> int | None:
    """The template's line (a paragraph) where ``exc`` was raised, from the traceback."""
    lines = [f.lineno for f in traceback.extract_tb(exc.__traceback__) if f.filename == "<template>"]
    return lines[-1] if lines else None


def _undefined_message(exc: jinja2.UndefinedError) -> str:
    text = str(exc)
    match = re.search(r"has no attribute '([^']+)'", text) or re.search(r"'([^']+)' is undefined", text)
    if match:
        return f"fältet '{match.group(1)}' finns inte"
    return f"ett fält saknas ({text})"


def check_context(context: Any, record: str, clean: dict[int, Any] | None = None) -> None:
    """Refuse characters XML cannot hold, naming the record and the field.

    One regex over all the text finds whether there is any (the common case: none); only then
    is the context walked to name the field. ``clean`` remembers the top-level values of a
    dict context found clean (by identity, holding them so the identity stays theirs), so that
    values shared by many records are read once."""
    values = context.values() if isinstance(context, dict) and clean is not None else None
    if values is not None:
        fresh = [value for value in values if clean.get(id(value)) is not value]
        if not CONTROL_CHARS.search("".join(_texts(fresh))):
            if len(clean) > CLEAN_VALUES:
                clean.clear()
            clean.update((id(value), value) for value in fresh if isinstance(value, (dict, list, tuple)))
            return
    elif not CONTROL_CHARS.search("".join(_texts(context))):
        return
    for path, text in _strings(context, ""):
        problem = control_char_problem(text)
        if problem:
            raise DataError(f"Post {record}, fältet {path or '(värdet)'}: {problem}.")


CLEAN_VALUES = 256


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
