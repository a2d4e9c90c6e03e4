"""The one contract every family returns, and the one way it is written to disk.

Every family (letters, meetings, opencare, board, …) has ``plan(case, options) -> Output``: it
checks everything it can, compiles its templates and decides every file's relative path, but
writes nothing. ``write(output, folder)`` is the only code that touches the output folder, for
the CLI and the web page alike:

1. The files are made inside a staging folder ``.formkit-staging-<random>/`` in the output
   folder, one by one as they are rendered (memory stays flat); with ``pdf=True`` LibreOffice
   converts them there too; then all are put on disk (one syncfs on Linux, else an fsync a
   file). Nothing outside the staging folder has changed yet.
2. The commit: a journal listing every file (and whether an older file is being replaced) is
   written and fsynced; then each older file is moved into the staging folder and the new one
   renamed into its place. SIGINT and SIGTERM are held back during these renames.
3. Any failure or interruption before the commit removes the staging folder: the output
   folder is exactly as it was. A failure during the commit is undone from the journal. After
   SIGKILL, the next ``write`` into that folder finds the staging folder (its lock is free),
   undoes the half-done commit from the journal, removes it, and says so.

Files are created 0600 and folders 0700 (also parents created for ``-o a/b/c``): case data is
sensitive personal data.
"""

from __future__ import annotations

import contextlib
import csv
import ctypes
import errno
import fcntl
import io
import json
import logging
import os
import secrets
import shutil
import signal
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any, TypeVar

from formkit import pdf as pdf_converter
from formkit.errors import OutputError

T = TypeVar("T")
log = logging.getLogger(__name__)  # -v: the steps of a write, file counts and folders only
STAGING_PREFIX = ".formkit-staging-"
JOURNAL = "commit.json"
LOCK = "lock"
NEW = "new"
PREVIOUS = "previous"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Progress = Callable[[Iterable[T], str, int], Iterable[T]]
Producer = Callable[["Sink"], None]
FileWriter = Callable[[IO[bytes]], None]


def _no_progress(items: Iterable[T], _label: str, _length: int) -> Iterable[T]:
    return items


# --- the contract ------------------------------------------------------------------------------

@dataclass
class Output:
    """Everything a run will write, planned but not yet written.

    ``files`` maps each relative POSIX path to whether ``--pdf`` converts it. Its content is
    either bytes in ``contents`` or made by one of the ``producers`` when ``write`` runs them
    (a producer renders many files and hands each to the ``Sink`` as soon as it exists).
    """

    title: str
    files: dict[str, bool] = field(default_factory=dict)
    contents: dict[str, bytes | FileWriter] = field(default_factory=dict)
    producers: list[Producer] = field(default_factory=list)
    finishers: list[Producer] = field(default_factory=list)
    late: set[str] = field(default_factory=set)  # the finishers' files
    summary: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    text: str = ""
    _folded: dict[str, str] = field(default_factory=dict, repr=False)  # casefolded path -> path

    def _declare(self, path: str, pdf: bool) -> None:
        check_relative(path)
        clash = self._folded.get(path.casefold())
        if clash is not None:
            raise OutputError(
                f"Två filer skulle få samma namn ({path}"
                + ("" if clash == path else f" och {clash}: Windows och macOS skiljer inte på stora och små bokstäver")
                + "). Ändra id:t så att varje post har ett eget."
            )
        self.files[path] = pdf
        self._folded[path.casefold()] = path

    def add(self, path: str, content: bytes | FileWriter, *, pdf: bool = False) -> None:
        """A file whose content is known now (bytes) or written by ``content(handle)``."""
        self._declare(path, pdf)
        self.contents[path] = content

    def produce(self, paths: Iterable[tuple[str, bool]], producer: Producer) -> None:
        """Files (path, convert to PDF) that ``producer`` makes through the sink in ``write``."""
        for path, pdf in paths:
            self._declare(path, pdf)
        self.producers.append(producer)

    def finish(self, paths: Iterable[str], producer: Producer) -> None:
        """Files ``producer`` makes after every other file and its PDF exist (it may ``Sink.read``
        them): an e-mail draft that attaches a document and, with ``--pdf``, its PDF."""
        for path in paths:
            self._declare(path, False)
            self.late.add(path)
        self.finishers.append(producer)

    @property
    def pdf_candidates(self) -> list[str]:
        return [p for p, convert in self.files.items() if convert]


@dataclass
class Written:
    """What ``write`` put in place."""

    folder: Path
    files: list[Path] = field(default_factory=list)
    pdfs: list[Path] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)


def report(output: Output, written: Written | None) -> str:
    """The lines the CLI prints at the end: what was written, then the family's summary,
    warnings and what was skipped. Never a personal number (families name record ids)."""
    lines: list[str] = list(written.recovered) if written else []
    if written is not None and written.files:
        n = len(written.files)
        lines.append(
            f"Skrev {n} {'fil' if n == 1 else 'filer'} ({output.title}) i {written.folder}"
            + (f", varav {len(written.pdfs)} PDF" if written.pdfs else "") + "."
        )
    lines += output.summary
    lines += [f"Obs: {w}" for w in output.warnings]
    if output.skipped:
        shown = ", ".join(f"{rid} ({reason})" for rid, reason in output.skipped[:5])
        more = f" och {len(output.skipped) - 5} till (se förteckningen)" if len(output.skipped) > 5 else ""
        lines.append(f"Hoppade över {len(output.skipped)}: {shown}{more}.")
    return "\n".join(lines)


def check_relative(path: str) -> None:
    """A planned path must stay inside the output folder (a bug otherwise, not user input)."""
    parts = path.split("/")  # a string split: a batch declares thousands of paths
    if path.startswith("/") or "\\" in path or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"not a relative path inside the output folder: {path!r}")
    if any(p.startswith(STAGING_PREFIX) for p in parts):
        raise ValueError(f"reserved name: {path!r}")


# --- small helpers the families use --------------------------------------------------------------

def csv_safe(value: object) -> str:
    """A cell value that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_bytes(header: list[str], rows: list[list[object]]) -> bytes:
    """CSV as Excel in Sweden opens it: semicolons, UTF-8 with BOM, no formulas."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([[csv_safe(v) for v in row] for row in rows])
    return buffer.getvalue().encode("utf-8-sig")


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC or exc.errno == errno.EDQUOT:
        return "disken är full; frigör utrymme eller välj en annan mapp med -o"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "mappen går inte att skriva i (skrivskyddad eller saknar behörighet); välj en annan mapp med -o"
    return exc.strerror or str(exc)


def ensure_folder(folder: Path) -> list[Path]:
    """Create ``folder`` and any missing parents, each 0700; return those created (outermost
    first) so that a failed run can remove them again."""
    missing: list[Path] = []
    current = folder
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    created: list[Path] = []
    try:
        for path in reversed(missing):
            path.mkdir(mode=0o700)
            created.append(path)
    except FileExistsError:
        _remove_empty(created)
        raise OutputError(f"Kan inte skriva till {folder}: det finns en fil med det namnet, inte en mapp.") from None
    except OSError as exc:
        _remove_empty(created)
        raise OutputError(f"Kan inte skapa mappen {folder}: {_reason(exc)}.") from None
    if not folder.is_dir():
        raise OutputError(f"Kan inte skriva till {folder}: det finns en fil med det namnet, inte en mapp.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"Kan inte skriva till {folder}: {_reason(OSError(errno.EACCES, ''))}.")
    return created


def _remove_empty(folders: list[Path]) -> None:
    for path in reversed(folders):
        with contextlib.suppress(OSError):
            path.rmdir()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_file(path: Path, content: bytes | FileWriter, sync: bool = True) -> None:
    with _new_file(path, sync) as handle:
        if isinstance(content, bytes):
            handle.write(content)
        else:
            content(handle)


@contextlib.contextmanager
def _new_file(path: str | Path, sync: bool = True, make_folder: bool = True) -> Iterator[IO[bytes]]:
    """A new file (0600, never an existing one), flushed and, with ``sync``, fsynced when the
    block ends; its folder is made first unless ``make_folder`` is false."""
    if make_folder:
        Path(path).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        yield handle
        handle.flush()
        if sync:
            os.fsync(handle.fileno())


def write_new(path: str | Path, content: bytes) -> None:
    """Write a new file in the staging folder the way the sink does (``Sink.location``, which
    made its folder: a worker that outlives a failed run never makes the staging folder again)."""
    with _new_file(path, sync=SYNCFS is None, make_folder=False) as handle:
        handle.write(content)


def _syncfs_function() -> Callable[[int], int] | None:
    """Linux's syncfs(2), which puts every file of a filesystem on disk at once (and, since
    Linux 5.8, reports a failed write), or None where the C library has none."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return getattr(ctypes.CDLL(None, use_errno=True), "syncfs", None)
    except OSError:  # pragma: no cover
        return None


SYNCFS = _syncfs_function()


def _make_durable(root: Path, paths: Iterable[str]) -> None:
    """Every file made in the staging folder on disk before the commit. With syncfs, one call
    for the whole batch: a thousand letters cost one journal commit instead of a thousand
    (the files were written without fsync); elsewhere, each file is fsynced."""
    if SYNCFS is not None:
        fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
        try:
            if SYNCFS(fd) != 0:
                number = ctypes.get_errno()
                raise OSError(number, os.strerror(number))
        finally:
            os.close(fd)
        return
    for path in paths:
        fd = os.open(root / path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# --- the sink producers write through --------------------------------------------------------------

class Sink:
    """Where a producer puts each file the moment it exists (inside the staging folder)."""

    def __init__(self, root: Path, declared: dict[str, bool], progress: Progress):
        self._root = root
        self._root_name = str(root)
        self._folders: set[str] = set()  # folders ``location`` made (a batch's letters share a few)
        self._declared = declared
        self._progress = progress
        self.made: set[str] = set()

    def add(self, path: str, content: bytes | FileWriter) -> None:
        """Write ``path`` now (safe to call from several threads for different paths)."""
        self._check(path)
        _write_file(self._root / path, content, sync=SYNCFS is None)
        self.made.add(path)

    @contextlib.contextmanager
    def open(self, path: str) -> Iterator[IO[bytes]]:
        """``path`` as a file open for writing while the block runs, for a file written bit by
        bit alongside others (a print file streamed while each of its letters is written too)."""
        self._check(path)
        with _new_file(self._root / path, sync=SYNCFS is None) as handle:
            yield handle
        self.made.add(path)

    def location(self, path: str) -> str:
        """Where ``path`` goes in the staging folder, for a worker process of the batch to write
        it (with ``write_new``); the producer then calls ``adopt``. The letters of a batch are
        written by the processes that render them, so they never travel between processes.
        Its folder is made the first time: a producer asks for one path of each folder before
        its workers start, so that a worker never makes one (nor, outliving a failed run, makes
        the staging folder again)."""
        self._check(path)
        folder = path.rpartition("/")[0]
        if folder not in self._folders:
            os.makedirs(os.path.join(self._root_name, folder), mode=0o700, exist_ok=True)
            self._folders.add(folder)
        return os.path.join(self._root_name, path)

    def adopt(self, path: str) -> None:
        """``path`` was written at ``location(path)`` by a worker process."""
        self._check(path)
        if not os.path.isfile(os.path.join(self._root_name, path)):
            raise ValueError(f"{path!r} was not written")  # a bug in a family
        self.made.add(path)

    def _check(self, path: str) -> None:
        if path not in self._declared:
            raise ValueError(f"{path!r} was not declared in the plan")  # a bug in a family
        if path in self.made:
            raise ValueError(f"{path!r} made twice")

    def progress(self, items: Iterable[T], label: str, length: int) -> Iterable[T]:
        return self._progress(items, label, length)

    def read(self, path: str) -> bytes | None:
        """A file already made in this run (or its PDF), for a finisher; None if it was not made."""
        target = self._root / path
        return target.read_bytes() if target.is_file() else None


# --- the write ---------------------------------------------------------------------------------

def write(output: Output, folder: Path, *, pdf: bool = False, progress: Progress | None = None) -> Written:
    """Write ``output`` into ``folder``: everything, or nothing at all (see the module text)."""
    created = ensure_folder(folder)
    written = Written(folder, recovered=recover(folder))
    try:
        _check_targets(folder, list(output.files))
    except OutputError:
        _remove_empty(created)
        raise
    staging: Path | None = None
    try:
        staging, lock = _new_staging(folder)
        try:
            log.info("gör %d filer (%s) i en mellanmapp i %s", len(output.files), output.title, folder)
            paths, pdfs = _make(output, staging / NEW, pdf, progress or _no_progress)
            log.info("lägger %d filer på plats i %s", len(paths) + len(pdfs), folder)
            _commit(folder, staging, paths + pdfs)
        finally:
            os.close(lock)
        written.files = [folder / p for p in paths + pdfs]
        written.pdfs = [folder / p for p in pdfs]
    except OSError as exc:
        raise OutputError(f"Kunde inte skriva i {folder}: {_reason(exc)}. Mappen är som förut.") from None
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        if not written.files:
            _remove_empty(created)
    return written


def _make(output: Output, root: Path, pdf: bool, progress: Progress) -> tuple[list[str], list[str]]:
    """Every planned file inside the staging folder (and its PDF); returns both lists of paths."""
    sink = Sink(root, output.files, progress)
    for path, content in output.contents.items():
        sink.add(path, content)
    for producer in output.producers:
        producer(sink)
    unmade = [p for p in output.files if p not in sink.made and p not in output.late]
    if unmade:
        raise ValueError(f"planned but not made: {unmade[:3]}")  # a bug in a family
    pdfs: list[str] = []
    if pdf:
        log.info("gör PDF av %d filer med LibreOffice", len(output.pdf_candidates))
        for made in pdf_converter.convert([root / p for p in output.pdf_candidates]):
            os.chmod(made, 0o600)
            pdfs.append(made.relative_to(root).as_posix())
    for finisher in output.finishers:
        finisher(sink)
    unfinished = [p for p in output.files if p not in sink.made]
    if unfinished:
        raise ValueError(f"planned but not made: {unfinished[:3]}")  # a bug in a family
    _make_durable(root, [*output.files, *pdfs])
    for directory in _folders([*output.files, *pdfs]):
        _fsync_dir(root / directory)
    return list(output.files), pdfs


def _folders(paths: Iterable[str]) -> set[str]:
    """The folders ``paths`` are in ("" for the top), by string: a batch has thousands of files
    in a few folders."""
    return {path.rpartition("/")[0] for path in paths}


def _check_targets(folder: Path, paths: list[str]) -> set[str]:
    """Only files are ever replaced: a folder (or anything else) where a file is planned, or a
    file where a folder is needed, stops the run before anything is made. Returns the paths
    that exist now (regular files). One ``lstat`` a path and one a folder: a batch has
    thousands of files in a few folders."""
    folders: dict[str, bool] = {}  # relative folder -> exists (as a folder)
    existing = set()
    for rel in paths:
        parent = rel.rpartition("/")[0]
        if parent and parent not in folders:
            for above in [str(p) for p in reversed(PurePosixPath(parent).parents) if str(p) != "."] + [parent]:
                if above not in folders:
                    kind = _kind(os.path.join(folder, above))
                    if kind is not None and kind != stat.S_IFDIR and not (kind == stat.S_IFLNK and os.path.isdir(os.path.join(folder, above))):
                        raise OutputError(f"Kan inte skriva {rel} i {folder}: {above} är en fil, inte en mapp. "
                                          "Flytta undan den eller välj en annan mapp med -o. Inget har skrivits.")
                    folders[above] = kind is not None
        if parent and not folders[parent]:
            continue  # a folder this run creates holds nothing yet
        kind = _kind(os.path.join(folder, rel))
        if kind is None:
            continue
        if kind != stat.S_IFREG:
            raise OutputError(f"Kan inte skriva {rel} i {folder}: där finns redan något som inte är en vanlig fil "
                              "(en mapp eller en länk). Flytta undan det eller välj en annan mapp med -o. Inget har skrivits.")
        existing.add(rel)
    return existing


def _kind(path: str) -> int | None:
    """The file type of ``path`` itself (a link is a link), or None if nothing is there."""
    try:
        return stat.S_IFMT(os.lstat(path).st_mode)
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        return stat.S_IFREG  # a file where a folder was expected; the caller names it


def _new_staging(folder: Path) -> tuple[Path, int]:
    staging = folder / f"{STAGING_PREFIX}{secrets.token_hex(4)}"
    staging.mkdir(mode=0o700)
    (staging / NEW).mkdir(mode=0o700)
    lock = os.open(staging / LOCK, os.O_WRONLY | os.O_CREAT, 0o600)
    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return staging, lock


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT/SIGTERM back while files are renamed, so an interrupt lands after the commit
    (or its undo) rather than in the middle."""
    held = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _commit(folder: Path, staging: Path, paths: list[str]) -> None:
    """Move the older files aside and the new ones into place, from a journal that ``recover``
    can undo after SIGKILL."""
    existing = _check_targets(folder, paths)
    entries = [{"path": p, "previous": p in existing} for p in paths]
    folders = _folders(paths)
    parents = {str(parent) for folder_name in folders if folder_name
               for parent in (PurePosixPath(folder_name), *PurePosixPath(folder_name).parents)} - {"."}
    new_dirs = [d for d in sorted(parents, key=len) if not (folder / d).exists()]
    journal = staging / JOURNAL
    with _signals_held():
        _write_file(journal, json.dumps({"files": entries, "dirs": new_dirs}).encode())
        _fsync_dir(staging)
        try:
            for d in new_dirs:
                (folder / d).mkdir(mode=0o700)
            made_aside = set()
            for entry in entries:
                rel = entry["path"]
                target = os.path.join(folder, rel)
                if entry["previous"]:
                    aside = os.path.join(staging, PREVIOUS, rel)
                    if os.path.dirname(aside) not in made_aside:
                        os.makedirs(os.path.dirname(aside), mode=0o700, exist_ok=True)
                        made_aside.add(os.path.dirname(aside))
                    os.replace(target, aside)
                os.replace(os.path.join(staging, NEW, rel), target)
            for directory in folders:
                _fsync_dir(folder / directory)
        except OSError:
            _undo(folder, staging)
            raise
        journal.unlink()
        _fsync_dir(staging)


def _undo(folder: Path, staging: Path) -> None:
    """Put every older file back and remove every new one, from the journal."""
    journal = json.loads((staging / JOURNAL).read_text())
    for entry in reversed(journal["files"]):
        rel = entry["path"]
        target = folder / rel
        aside = staging / PREVIOUS / rel
        if entry["previous"]:
            if aside.exists():
                os.replace(aside, target)
        elif not (staging / NEW / rel).exists() and target.exists():
            target.unlink()
    for d in reversed(journal["dirs"]):
        with contextlib.suppress(OSError):
            (folder / d).rmdir()
    _fsync_dir(folder)


def recover(folder: Path) -> list[str]:
    """Remove what an interrupted run left in ``folder``: a staging folder whose lock nobody
    holds. A commit it was in the middle of is undone first. Returns what was done, in Swedish."""
    messages = []
    for staging in sorted(folder.glob(f"{STAGING_PREFIX}*")):
        if not staging.is_dir():
            continue
        try:
            lock = os.open(staging / LOCK, os.O_WRONLY)
        except FileNotFoundError:
            lock = None
        except OSError:
            continue
        try:
            if lock is not None:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # another formkit is writing here right now
            if (staging / JOURNAL).exists():
                _undo(folder, staging)
                what = ("avbröts mitt i bytet av filer; filerna den hann ersätta lades tillbaka och dess nya togs bort. "
                        "Mappen är som före den körningen.")
            elif (staging / PREVIOUS).exists():
                what = "hann skriva klart men inte städa efter sig; dess kopior av de gamla filerna togs bort."
            else:
                what = "avbröts innan den var klar; dess ofärdiga filer togs bort. Mappen är som före den körningen."
            shutil.rmtree(staging, ignore_errors=True)
            messages.append(f"En tidigare körning ({staging.name}) {what}")
        finally:
            if lock is not None:
                os.close(lock)
    return messages


def write_file(path: Path, data: bytes, title: str = "fil") -> Written:
    """One file, the same safe way (used for single files such as a saved template)."""
    output = Output(title)
    output.add(path.name, data)
    return write(output, path.parent)
