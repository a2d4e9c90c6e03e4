"""Run one function over many items on every core, results in order.

Rendering and zipping a letter is pure CPU work on data the parent already holds (the compiled
template, the contexts), so worker processes forked from the parent share it without pickling
anything but an index; only each result travels back. Where ``fork`` does not exist (Windows,
and macOS where it is unsafe), on one core, and for batches too small to pay for starting the
workers, the function runs in this process; so it does while other threads run (``workers``).

A worker whose item fails with a formkit error sends back no exception (it may not survive
pickling): the parent runs the function on that item itself, which raises the same error with
its message. Any other exception comes back through the pool as Python's own.
"""

from __future__ import annotations

import gc
import itertools
import multiprocessing
import os
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.pool import AsyncResult
from typing import Any, TypeVar

from formkit.errors import FormkitError

T = TypeVar("T")
R = TypeVar("R")
MIN_ITEMS = 64  # below this, starting the workers costs more than it saves
CHUNK = 32  # items a worker takes at a time: each message costs the parent about a millisecond (the pool's threads), still an even share at the end
WINDOW = 4  # chunks in flight per worker

_function: Callable[[Any], Any] | None = None
_items: Sequence[Any] = ()
_chunk = CHUNK


class _Failed:
    """What a worker sends back for an item whose function raised."""


def workers() -> int:
    """How many worker processes to use: one per core this process may run on; 1 where fork
    is not available, and while other threads run (the web page writes in a thread of its
    server): fork copies only the calling thread, so a lock another thread held at that moment
    (logging's, an import's) would stay taken forever in the worker."""
    if sys.platform != "linux" or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    if threading.active_count() > 1:
        return 1
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover
        return os.cpu_count() or 1


def ordered_map(function: Callable[[T], R], items: Sequence[T], processes: int | None = None, *,
                chunk: int = CHUNK, min_items: int = MIN_ITEMS) -> Iterator[R]:
    """``function(item)`` for every item, in order, in ``processes`` forked workers (default:
    one per core) or, for batches under ``min_items`` and without fork, in this process.
    ``chunk``: items a worker takes at a time (1 for heavy items such as a whole workbook, so
    that both workers stay busy to the end)."""
    global _function, _items, _chunk
    processes = workers() if processes is None else processes
    if processes < 2 or len(items) < max(2, min_items):
        yield from map(function, items)
        return
    _function, _items, _chunk = function, items, chunk
    # what exists now (the case, the compiled templates) is never garbage: frozen, the collector
    # skips it, here and in the workers, which then share its pages with this process instead
    # of copying each page the collector would otherwise touch
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(processes, _quiet) as pool:
            # a bounded window of chunks in flight: workers that run ahead of the caller would
            # otherwise pile every result up in this process, and memory would grow with the batch
            starts = iter(range(0, len(items), chunk))
            window: deque[AsyncResult[list[Any]]] = deque(
                pool.apply_async(_call_chunk, (start,)) for start in itertools.islice(starts, WINDOW * processes)
            )
            index = 0
            while window:
                results = window.popleft().get()
                start = next(starts, None)
                if start is not None:
                    window.append(pool.apply_async(_call_chunk, (start,)))
                for result in results:
                    yield function(items[index]) if isinstance(result, _Failed) else result
                    index += 1
    finally:
        gc.unfreeze()
        _function, _items = None, ()


def _quiet() -> None:
    """A worker leaves Ctrl-C to the parent (which stops the pool and says so once): the whole
    process group gets the signal, and a worker's KeyboardInterrupt would print a traceback.
    SIGTERM, which the pool sends to stop its workers, just ends one (the parent may have set
    a handler that a worker would inherit)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _call_chunk(start: int) -> list[Any]:
    """The results of items ``start`` … ``start + chunk - 1``, a marker for each that failed."""
    results: list[Any] = []
    for item in _items[start: start + _chunk]:
        try:
            results.append(_function(item))  # type: ignore[misc]  # set before the pool forks
        except FormkitError:  # may not survive pickling: the parent runs the item itself to raise it
            results.append(_Failed())
    return results
