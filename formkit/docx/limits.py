"""Bounds on the work a template may do.

Jinja's sandbox stops a template from reaching into Python, not from running away: a
template anyone can edit could ask for ``range(10**9)``, ``'x' * 10**9``, ``10 ** (10**10)``
or loops nested until the batch never ends. Here every such road has a limit:

* ``range`` gives at most ``MAX_RANGE`` items; every ``{% for %}`` loop draws its items
  through ``Budget.iterate``, which allows ``MAX_ITERATIONS`` items per document and stops
  when the document has taken ``MAX_SECONDS`` (checked every 1,024 items, so it costs
  nothing measurable);
* ``*``, ``**``, ``+``, ``%`` and ``~`` refuse results longer than ``MAX_LENGTH`` characters
  or items, or integers of more than ``MAX_INT_BITS`` bits, before they are computed; so do
  the string methods and filters that pad (``center``, ``ljust``, ``format``, ``indent``…);
* the renderer stops a document whose output passes ``MAX_OUTPUT`` characters.

A limit reached raises ``LimitExceeded`` with a Swedish reason; the renderer names the
template and the record.
"""

from __future__ import annotations

import contextvars
import re
import time
from collections.abc import Iterable, Iterator
from typing import Any

from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.sandbox import ImmutableSandboxedEnvironment

from formkit.errors import LimitExceeded

MAX_RANGE = 10_000
MAX_ITERATIONS = 1_000_000
MAX_SECONDS = 5.0
MAX_LENGTH = 1_000_000
MAX_INT_BITS = 10_000
MAX_OUTPUT = 10_000_000
BIG_NUMBER = re.compile(r"\d{7,}")  # a width or precision of a million or more in a format
PADDING_METHODS = {"center", "ljust", "rjust", "zfill", "expandtabs", "format", "format_map", "replace", "join"}


class Budget:
    """The work left for one document."""

    __slots__ = ("deadline", "iterations")

    def __init__(self) -> None:
        self.deadline = time.monotonic() + MAX_SECONDS
        self.iterations = MAX_ITERATIONS

    def iterate(self, iterable: Iterable[Any]) -> Iterator[Any]:
        for item in iterable:
            self.iterations -= 1
            if self.iterations & 1023 == 0:
                self.check()
            yield item

    def check(self) -> None:
        if self.iterations <= 0:
            raise LimitExceeded(f"mallens {{% for %}}-slingor går mer än {MAX_ITERATIONS:,} varv".replace(",", " "))
        if time.monotonic() > self.deadline:
            raise LimitExceeded(f"dokumentet tog mer än {MAX_SECONDS:g} sekunder att fylla i")


CURRENT: contextvars.ContextVar[Budget | None] = contextvars.ContextVar("formkit_budget", default=None)


def bounded(iterable: Iterable[Any]) -> Iterable[Any]:
    """What every ``{% for %}`` loop iterates over: the items, drawn from the current budget."""
    budget = CURRENT.get()
    return iterable if budget is None else budget.iterate(iterable)


def capped_range(*args: int) -> range:
    items = range(*args)
    if len(items) > MAX_RANGE:
        raise LimitExceeded(f"range() ger högst {MAX_RANGE:,} tal i en mall".replace(",", " "))
    return items


def _too_long(n: int) -> None:
    if n > MAX_LENGTH:
        raise LimitExceeded(f"mallen försöker göra en text eller lista med {n:,} tecken eller delar".replace(",", " "))


def _int_bits(value: Any) -> int:
    return abs(value).bit_length() if isinstance(value, int) and not isinstance(value, bool) else 0


def check_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse an operation whose result would be too big, before it is computed."""
    if operator == "**" and _int_bits(left) > 1 and isinstance(right, int) and right > 0:
        if (_int_bits(left) - 1) * right > MAX_INT_BITS:
            raise LimitExceeded("mallen försöker räkna med ett orimligt stort tal")
    elif operator == "*":
        if isinstance(right, int) and hasattr(left, "__len__"):
            _too_long(len(left) * right)
        elif isinstance(left, int) and hasattr(right, "__len__"):
            _too_long(len(right) * left)
        elif _int_bits(left) + _int_bits(right) > MAX_INT_BITS:
            raise LimitExceeded("mallen försöker räkna med ett orimligt stort tal")
    elif operator == "+" and hasattr(left, "__len__") and hasattr(right, "__len__"):
        _too_long(len(left) + len(right))
    elif operator == "%" and isinstance(left, str) and BIG_NUMBER.search(left):
        raise LimitExceeded("mallen försöker fylla ut en text till en orimlig bredd")


def check_call(obj: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Refuse a string method that would pad or repeat a text to an unreasonable size."""
    owner = getattr(obj, "__self__", None)
    if not isinstance(owner, str) or getattr(obj, "__name__", "") not in PADDING_METHODS:
        return
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and value > MAX_LENGTH:
            _too_long(value)
    if obj.__name__ in ("format", "format_map") and BIG_NUMBER.search(owner):
        raise LimitExceeded("mallen försöker fylla ut en text till en orimlig bredd")
    if obj.__name__ == "replace" and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str) and args[0]:
        _too_long(len(owner) + owner.count(args[0]) * max(len(args[1]) - len(args[0]), 0))
    if obj.__name__ == "join" and args and hasattr(args[0], "__len__"):
        _too_long(len(owner) * len(args[0]))


def sized(value: Any) -> Any:
    """The result of ``~`` (joined text), refused when too long."""
    _too_long(len(value))
    return value


def _width_filter(name: str, original: Any) -> Any:
    """A padding filter (``center``, ``indent``, ``format``…) with its sizes checked first."""

    def filtered(value: Any, *args: Any, **kwargs: Any) -> Any:
        for arg in (*args, *kwargs.values()):
            if isinstance(arg, int) and arg > MAX_LENGTH:
                _too_long(arg)
        if name == "format" and isinstance(value, str) and BIG_NUMBER.search(value):
            raise LimitExceeded("mallen försöker fylla ut en text till en orimlig bredd")
        if name == "replace" and len(args) >= 2 and str(args[0]):
            text = str(value)
            _too_long(len(text) + text.count(str(args[0])) * max(len(str(args[1])) - len(str(args[0])), 0))
        return original(value, *args, **kwargs)

    filtered.__dict__.update(original.__dict__)  # keeps Jinja's pass_eval_context marks
    return filtered


class BoundedCodeGenerator(CodeGenerator):
    """Jinja's code generator with every loop drawn through ``bounded`` and every ``~``
    result checked by ``sized``."""

    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:
        # wrapped before code is generated: the generator collects the filters it imports first
        for loop in node.find_all(nodes.For):
            if not (isinstance(loop.iter, nodes.Filter) and loop.iter.name == "formkit_bounded"):
                loop.iter = nodes.Filter(loop.iter, "formkit_bounded", [], [], None, None, lineno=loop.lineno)
        super().visit_Template(node, frame)

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.formkit_sized(")
        super().visit_Concat(node, frame)
        self.write(")")


DICT_ATTRIBUTES = frozenset(dir(dict))


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with the limits above."""

    code_generator_class = BoundedCodeGenerator
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.globals["range"] = capped_range
        self.globals.pop("lipsum", None)
        self.filters["formkit_bounded"] = bounded
        for name in ("center", "indent", "format", "replace", "wordwrap", "truncate"):
            self.filters[name] = _width_filter(name, self.filters[name])
        self.formkit_sized = sized

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        check_binop(operator, left, right)
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 (Jinja's signature)
        check_call(__obj, args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)

    def getattr(self, obj: Any, attribute: str) -> Any:
        """``unit.name`` on a context dict: its key, read directly. Jinja first tries the
        attribute and takes the key when that raises, which costs an exception for almost every
        field of every letter. A name that is also a dict method (``items``, ``get``) still
        goes Jinja's way, so it means what it always meant."""
        if type(obj) is dict and attribute not in DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)
