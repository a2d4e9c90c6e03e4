"""Run one function over many items on every core, results in order.

Rendering and zipping a letter is pure CPU work on data the parent already holds (the compiled
template, the contexts), so worker processes forked from the parent share it without pickling
anything but an index; only each result travels back. Where ``fork`` does not exist (Windows,
and macOS where it is unsafe), on one core, and for batches too small to pay for starting the
workers, the function runs in this process; so it does while other threads run (``workers``).

The workers take chunks of items from one pipe (the start index of each chunk, written by this
process) and send each chunk's results back through a pipe of their own. No thread and no
queue sits in between: ``multiprocessing.Pool`` spent about half a millisecond of this
process's time per chunk in its three helper threads (a tenth of a second for a thousand
letters in chunks of 8), on the cores the workers need; these pipes cost a tenth of that. A
bounded window of chunks is handed out at a time, so workers that run ahead of the caller
never pile every result up in this process.

A worker whose item fails with a formkit error sends back no exception (it may not survive
pickling): the parent runs the function on that item itself, which raises the same error with
its message. Any other exception comes back as Python's own (an OSError keeps its errno), and a
worker that dies ends the batch with ``WorkerDied`` instead of leaving the parent waiting.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import multiprocessing
import os
import pickle
import signal
import struct
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection, wait
from multiprocessing.reduction import ForkingPickler
from typing import Any, TypeVar

from formkit.errors import FormkitError, WorkerDied

T = TypeVar("T")
R = TypeVar("R")
MIN_ITEMS = 64  # below this, starting the workers costs more than it saves
CHUNK = 32  # items a worker takes at a time: fewer messages, still an even share at the end
WINDOW = 4  # chunks in flight per worker
START = struct.Struct("<i")  # a chunk's start index in the task pipe (a write this small is atomic)
PIPE_SIZE = 1 << 20  # a result pipe holds a window of letters, so a worker seldom waits for the parent


class _Failed:
    """What a worker sends back for an item whose function raised a formkit error."""


class _Raised:
    """What a worker sends back for a chunk whose function raised any other exception."""

    def __init__(self, error: BaseException):
        self.error = error


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
    processes = workers() if processes is None else processes
    if processes < 2 or len(items) < max(2, min_items):
        yield from map(function, items)
        return
    starts = range(0, len(items), chunk)
    context = multiprocessing.get_context("fork")
    tasks_read, tasks_write = os.pipe()
    results = [context.Pipe(duplex=False) for _ in range(processes)]
    for reader, _ in results:
        with contextlib.suppress(OSError):  # a smaller pipe only makes a worker wait sooner
            fcntl.fcntl(reader.fileno(), fcntl.F_SETPIPE_SZ, PIPE_SIZE)
    # what exists now (the case, the compiled templates) is never garbage: frozen, the collector
    # skips it, here and in the workers, which then share its pages with this process instead
    # of copying each page the collector would otherwise touch
    gc.freeze()
    started: list[multiprocessing.process.BaseProcess] = []
    finished = False
    try:
        for k in range(processes):
            started.append(context.Process(target=_work, args=(function, items, chunk, tasks_read, tasks_write, results, k),
                                           daemon=True))
            started[-1].start()
        tasks_read = _close(tasks_read)
        for _, writer in results:
            writer.close()
        readers = [reader for reader, _ in results]
        handed_out = min(len(starts), WINDOW * processes)
        os.write(tasks_write, b"".join(START.pack(s) for s in starts[:handed_out]))
        if handed_out == len(starts):
            tasks_write = _close(tasks_write)  # the workers end when they find the task pipe empty and closed
        arrived: dict[int, list[Any] | _Raised] = {}
        index = 0
        for start in starts:
            while start not in arrived:
                if not readers:
                    raise WorkerDied
                for reader in wait(readers):
                    try:
                        got_start, got = reader.recv()
                    except EOFError:  # the worker ended: normal once the tasks ran out, else it died
                        if tasks_write >= 0:
                            raise WorkerDied from None
                        readers.remove(reader)
                        continue
                    arrived[got_start] = got
            if handed_out < len(starts):
                os.write(tasks_write, START.pack(starts[handed_out]))
                handed_out += 1
                if handed_out == len(starts):
                    tasks_write = _close(tasks_write)
            chunk_results = arrived.pop(start)
            if isinstance(chunk_results, _Raised):  # raised in order, as if the items ran here
                raise chunk_results.error
            for result in chunk_results:
                yield function(items[index]) if isinstance(result, _Failed) else result
                index += 1
        finished = True
    finally:
        gc.unfreeze()
        _close(tasks_read)
        _close(tasks_write)
        for reader, writer in results:
            reader.close()
            writer.close()
        for process in started:
            if not finished:
                process.terminate()
            process.join()


def _work(function: Callable[[Any], Any], items: Sequence[Any], chunk: int, tasks_read: int, tasks_write: int,
          results: list[tuple[Connection, Connection]], number: int) -> None:
    """A worker: the chunks it takes from the task pipe, each chunk's results (a marker for an
    item that failed) sent back through its own result pipe, until the task pipe is closed.

    Ctrl-C is left to the parent (which stops the workers and says so once): the whole process
    group gets the signal, and a worker's KeyboardInterrupt would print a traceback. SIGTERM,
    which the parent sends to stop its workers, just ends one (the parent may have set a handler
    that a worker would inherit)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.close(tasks_write)  # the parent's alone: the workers see the end of the tasks when it closes it
    for k, (reader, writer) in enumerate(results):
        reader.close()
        if k != number:
            writer.close()
    send = results[number][1]
    while True:
        data = os.read(tasks_read, START.size)
        if not data:
            return
        start, = START.unpack(data)
        out: list[Any] = []
        try:
            for item in items[start: start + chunk]:
                try:
                    out.append(function(item))
                except FormkitError:  # may not survive pickling: the parent runs the item itself to raise it
                    out.append(_Failed())
            send.send((start, out))
        except Exception as error:  # noqa: BLE001  # any error goes to the parent, which raises it as its own (as Pool did)
            try:
                send.send((start, _Raised(error if _picklable(error) else RuntimeError(repr(error)))))
            except OSError:  # the parent is gone, and its end of the pipe with it
                return


def _picklable(error: BaseException) -> bool:
    try:
        ForkingPickler.dumps(error)
    except (pickle.PicklingError, TypeError, AttributeError, ValueError):  # then the error is sent as its text
        return False
    return True


def _close(fd: int) -> int:
    """Close ``fd`` unless it is closed already (-1); returns -1."""
    if fd >= 0:
        os.close(fd)
    return -1
