"""Read YAML into plain data where every scalar stays text, and remember each value's line.

Why not ``yaml.safe_load``: it turns ``postcode: 01234`` into the number 1234, ``2026-02-30``
into a crash with a traceback, and ``no`` into False; and it forgets line numbers. Here the
file is read as a stream of parser events and built into plain lists, dicts and strings: every
scalar is kept as the exact text the user typed (typing is left to the pydantic models), and a
map from path (``clients[3].address.postcode``) to line lets every problem be reported with its
line (the map is made only when a message asks for a line; see ``loads``).

The work is bounded before anything is built, because a case file may come from anyone:

* the file may be at most ``MAX_FILE_BYTES`` (a case file of 20,000 clients is about 16 MB);
* anchors and aliases (``&a`` / ``*a``) are refused: a 500-byte file of nested aliases
  ("billion laughs") expands to gigabytes, and a case file never needs them;
* nesting deeper than ``MAX_DEPTH`` is refused as soon as it is seen: a case file is about six
  levels deep, and libyaml's own composer recurses in C, so 200,000 nested ``[`` crashed the
  process (SIGSEGV). The parser that produces the events is iterative, and the builder here
  keeps its own stack, so neither recurses.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from formkit.errors import CaseFileError, Problem, ProblemListError

# libyaml's parser gives the same events and line marks several times faster than the
# pure-Python one, which is the fallback where PyYAML has no libyaml.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
NULL_TAG = "tag:yaml.org,2002:null"
NULL_WORDS = {"", "~", "null", "Null", "NULL"}  # YAML 1.1's plain nulls (PyYAML's resolver)
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_DEPTH = 32
BOMS = [(codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
        (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16")]

LineMap = dict[tuple[Any, ...], int]
Lines = Mapping[tuple[Any, ...], int]  # a LineMap, or LazyLines that finds one when asked


def format_path(loc: tuple[Any, ...]) -> str:
    """``("clients", 3, "address", "postcode")`` -> ``clients[3].address.postcode``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def line_of(lines: Lines, loc: tuple[Any, ...]) -> int | None:
    """The line of ``loc``, or of its nearest parent that has one."""
    loc = tuple(loc)
    while loc:
        if loc in lines:
            return lines[loc]
        loc = loc[:-1]
    return lines.get((), None)


def load(path: Path, error: type[ProblemListError] = CaseFileError) -> tuple[Any, Lines]:
    """Return (data, lines) for the YAML file at ``path``; raise ``error`` on any problem."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise error(str(path), [Problem("", f"filen är {size // (1024 * 1024)} MB; högst {MAX_FILE_BYTES // (1024 * 1024)} MB "
                                            "går att läsa. Kontrollera att det är rätt fil, eller dela upp den")])
        data = path.read_bytes()
    except FileNotFoundError:
        raise error(str(path), [Problem("", "filen finns inte")]) from None
    except IsADirectoryError:
        raise error(str(path), [Problem("", "det är en mapp, inte en fil")]) from None
    except OSError as exc:
        raise error(str(path), [Problem("", f"filen kan inte läsas: {exc.strerror}")]) from None
    return loads(decode(data, str(path), error), str(path), error)


def decode(data: bytes, source: str, error: type[ProblemListError] = CaseFileError) -> str:
    """The file's text as UTF-8 (a byte-order mark is allowed); any other encoding is refused
    with a message that names it where it can be recognised (Notepad's "Unicode" is UTF-16)."""
    for bom, name in BOMS:
        if data.startswith(bom):
            raise error(source, [Problem("", f"filen är sparad som {name}; spara den som UTF-8 och försök igen "
                                         "(i Anteckningar: Spara som, Kodning: UTF-8)")])
    if b"\x00" in data[:1000]:
        raise error(source, [Problem("", "filen innehåller nolltecken och är troligen sparad som UTF-16 eller är ingen textfil; "
                                     "spara den som UTF-8 och försök igen")])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise error(source, [Problem("", "filen är inte sparad som UTF-8 (troligen Windows-1252 eller Latin-1); "
                                     "spara den som UTF-8 och försök igen", line)]) from None


def loads(text: str, source: str, error: type[ProblemListError] = CaseFileError) -> tuple[Any, Lines]:
    """(data, lines) for YAML ``text``; ``source`` names it in messages.

    Lines are only needed when something is wrong, and keeping one per value costs more than
    reading the file (a tuple path and a dict entry for each of 200,000 values). So a file is
    first read by ``_plain``, which builds the same data without lines and gives up at anything
    unusual; the lines are then found by a second, careful reading only if a message asks for
    one. Any file ``_plain`` gives up on (a syntax error, an alias, a duplicate key, too deep,
    two documents, empty) is read carefully at once, so every refusal is the careful reader's."""
    if len(text) > MAX_FILE_BYTES:
        raise error(source, [Problem("", f"texten är längre än {MAX_FILE_BYTES // (1024 * 1024)} MB; dela upp den")])
    data = _plain(text)
    if data is not _NOTHING:
        return data, LazyLines(text)
    return _careful(text, source, error)


class LazyLines(Mapping[tuple[Any, ...], int]):
    """The lines of a file ``_plain`` read without trouble, found when first looked up."""

    def __init__(self, text: str) -> None:
        self._text: str | None = text
        self._lines: LineMap = {}

    def _found(self) -> LineMap:
        if self._text is not None:
            builder = _Builder()
            for event in yaml.parse(self._text, Loader=LOADER):
                builder.add(event)
            self._lines, self._text = builder.lines, None
        return self._lines

    def __getitem__(self, loc: tuple[Any, ...]) -> int:
        return self._found()[loc]

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(self._found())

    def __len__(self) -> int:
        return len(self._found())


def _plain(text: str) -> Any:
    """The data in ``text`` as ``_Builder`` would build it, without lines; ``_NOTHING`` as soon
    as anything is unusual (the careful reader then reads the file and names the problem).

    One flat loop over libyaml's events, with no call per event: this loop is most of the
    time it takes to read a large case file."""
    loader = LOADER(text)
    scalar_event, mapping_start, sequence_start = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
    collection_end = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    passing = (yaml.StreamStartEvent, yaml.DocumentEndEvent)
    get_event = loader.get_event
    root: Any = _NOTHING
    container: Any = None  # the list or dict being filled; None at the top
    is_map = False
    key: Any = _NOTHING  # in a mapping: the key whose value comes next
    stack: list[tuple[Any, bool]] = []
    documents = 0
    try:
        while True:
            event = get_event()
            kind = type(event)
            if kind is scalar_event:
                if event.anchor is not None:
                    return _NOTHING
                value = event.value
                if is_map and key is _NOTHING:
                    if value in container:
                        return _NOTHING
                    key = value
                    continue
                tag = event.tag
                if (tag is None and value in NULL_WORDS and event.implicit[0]) or tag == NULL_TAG:
                    value = None
                if is_map:
                    container[key] = value
                    key = _NOTHING
                elif container is not None:
                    container.append(value)
                else:
                    root = value
            elif kind is mapping_start or kind is sequence_start:
                if event.anchor is not None or len(stack) >= MAX_DEPTH or (is_map and key is _NOTHING):
                    return _NOTHING
                new: Any = {} if kind is mapping_start else []
                if is_map:
                    container[key] = new
                elif container is not None:
                    container.append(new)
                else:
                    root = new
                stack.append((container, is_map))
                container, is_map, key = new, kind is mapping_start, _NOTHING
            elif kind in collection_end:
                container, is_map = stack.pop()
                key = _NOTHING
            elif kind in passing:
                continue
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    return _NOTHING
            elif kind is yaml.StreamEndEvent:
                return root
            else:  # an alias, or an event this loop does not know
                return _NOTHING
    except yaml.YAMLError:
        return _NOTHING
    finally:
        loader.dispose()


def _careful(text: str, source: str, error: type[ProblemListError]) -> tuple[Any, Lines]:
    """(data, lines) with a line for every value, and every problem the builder finds."""
    builder = _Builder()
    try:
        for event in yaml.parse(text, Loader=LOADER):
            if not builder.add(event):
                break
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = exc.problem or "fel i YAML-syntaxen"
        raise error(source, [Problem("", f"YAML-syntaxen är fel: {what}. Kontrollera indrag och kolon.", line)]) from None
    except yaml.YAMLError as exc:
        raise error(source, [Problem("", f"YAML-syntaxen är fel: {exc}")]) from None
    problems = builder.finish()
    if problems:
        raise error(source, problems)
    if builder.root is _NOTHING:
        raise error(source, [Problem("", "filen är tom")])
    return builder.root, builder.lines


_NOTHING = object()  # no value yet (an empty file; a mapping waiting for its key)
_DROP = object()  # a mapping key whose value is thrown away (duplicate or not a plain name)


@dataclass
class _Frame:
    """A sequence or mapping being built."""

    loc: tuple[Any, ...]
    value: list[Any] | dict[str, Any]
    key: Any = _NOTHING  # mappings: the key whose value comes next


@dataclass
class _Builder:
    """Plain data from parser events, with its own stack (no recursion) and the limits above."""

    root: Any = _NOTHING
    lines: LineMap = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    stack: list[_Frame] = field(default_factory=list)
    documents: int = 0
    aliases: list[int] = field(default_factory=list)  # lines of every anchor and alias

    def add(self, event: yaml.Event) -> bool:
        """Take one event; False stops reading (the rest of the file is not needed)."""
        if isinstance(event, (yaml.StreamStartEvent, yaml.StreamEndEvent, yaml.DocumentEndEvent)):
            return True
        line = event.start_mark.line + 1
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                self.problems.append(Problem("", "filen har flera YAML-dokument (avdelade med ---); en fil ska vara ett dokument", line))
                return False
            return True
        if isinstance(event, yaml.CollectionEndEvent):
            frame = self.stack.pop()
            self._place(frame.value, frame.loc, line, plain=False)
            return True
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            self.aliases.append(line)
        loc = self._loc()
        if isinstance(event, yaml.ScalarEvent):  # a key is kept as typed, even "null" or "no"
            self._place(event.value if self.stack and self._expects_key() else _scalar(event), loc, line, plain=True)
        elif isinstance(event, yaml.AliasEvent):
            self._place(None, loc, line, plain=True)
        elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            if len(self.stack) >= MAX_DEPTH:
                where = format_path(loc[:4]) + ("…" if len(loc) > 4 else "")  # [0][0][0]… says enough
                self.problems.append(Problem(where, f"filen har fler än {MAX_DEPTH} nivåer inuti varandra (en ärendefil har "
                                             "ett tiotal); kontrollera hakparenteser [ ] och klamrar { } och indrag", line))
                return False
            if not (self.stack and self._expects_key()):
                self.lines[loc] = line
            self.stack.append(_Frame(loc, [] if isinstance(event, yaml.SequenceStartEvent) else {}))
        return True

    def finish(self) -> list[Problem]:
        """Every problem found, the anchors and aliases as one (they usually come in dozens)."""
        problems = list(self.problems)
        if self.aliases:
            count = len(self.aliases)
            more = f" ({count} ställen, första på rad {self.aliases[0]})" if count > 1 else ""
            problems.insert(0, Problem("", f"YAML-ankare och alias (&namn och *namn) används inte i formkits filer{more}; "
                                       "skriv ut värdet på varje ställe där det behövs", self.aliases[0]))
        return problems

    def _expects_key(self) -> bool:
        top = self.stack[-1]
        return isinstance(top.value, dict) and top.key is _NOTHING

    def _loc(self) -> tuple[Any, ...]:
        """Where the next node goes: an index in a list, a key's value in a mapping."""
        if not self.stack:
            return ()
        top = self.stack[-1]
        if isinstance(top.value, list):
            return top.loc + (len(top.value),)
        if top.key is _NOTHING or top.key is _DROP:
            return top.loc
        return top.loc + (top.key,)

    def _place(self, value: Any, loc: tuple[Any, ...], line: int, plain: bool) -> None:
        if not self.stack:
            self.root = value
            self.lines.setdefault((), line)
            return
        top = self.stack[-1]
        if isinstance(top.value, list):
            self.lines.setdefault(loc, line)
            top.value.append(value)
        elif top.key is _NOTHING:  # this node is a key
            self._take_key(top, value, line, plain)
        else:
            if top.key is not _DROP:
                self.lines.setdefault(loc, line)
                top.value[top.key] = value
            top.key = _NOTHING

    def _take_key(self, top: _Frame, key: Any, line: int, plain: bool) -> None:
        if not plain or not isinstance(key, str):
            self.problems.append(Problem(format_path(top.loc), "en nyckel måste vara ett enkelt namn", line))
            top.key = _DROP
        elif key in top.value:
            self.problems.append(Problem(format_path(top.loc + (key,)), f"fältet '{key[:60]}' står två gånger", line))
            top.key = _DROP
        else:
            top.key = key


def _scalar(event: yaml.ScalarEvent) -> str | None:
    """The text as typed; None for a plain null (``~``, ``null`` or nothing) or ``!!null``."""
    if event.tag == NULL_TAG or (event.tag is None and event.implicit[0] and event.value in NULL_WORDS):
        return None
    return event.value
