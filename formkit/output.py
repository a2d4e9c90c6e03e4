"""Writing outputs so that nothing is half-written and nothing is readable by others.

A ``Batch`` collects every file of a run in memory first; ``commit`` writes each to a
temporary name in the output folder and only when all are written renames them into place.
If the disk fills or the folder is read-only midway, the temporaries are removed and one
``OutputError`` says what happened: the folder is as it was. Files are created 0600 and
folders 0700 (case data is sensitive personal data).
"""

from __future__ import annotations

import csv
import errno
import io
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from formkit.errors import OutputError

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "disken är full; frigör utrymme eller välj en annan mapp med -o"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "mappen går inte att skriva i (skrivskyddad eller saknar behörighet); välj en annan mapp med -o"
    return exc.strerror or str(exc)


def ensure_folder(folder: Path) -> Path:
    """Create ``folder`` (owner-only) if needed and check that it can be written."""
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except FileExistsError:
        raise OutputError(f"Kan inte skriva till {folder}: det finns en fil med det namnet, inte en mapp.") from None
    except OSError as exc:
        raise OutputError(f"Kan inte skapa mappen {folder}: {_reason(exc)}.") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"Kan inte skriva till {folder}: {_reason(OSError(errno.EACCES, ''))}.")
    return folder


def write_atomic(path: Path, data: bytes) -> None:
    """Write one file by temporary name + rename (0600)."""
    batch = Batch(path.parent)
    batch.add(path.name, data)
    batch.commit()


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


@dataclass
class Batch:
    """All files of one run, written together or not at all."""

    folder: Path
    files: dict[str, bytes] = field(default_factory=dict)

    def add(self, name: str, data: bytes) -> None:
        if "/" in name or "\\" in name or name in {"", ".", ".."}:
            raise ValueError(f"not a plain file name: {name!r}")  # a bug, not user input
        self.files[name] = data

    def commit(self) -> list[Path]:
        """Write every file; on any failure put the folder back as it was and raise OutputError.

        The data of all files reaches the disk (one ``os.sync``, not one fsync per file: a
        thousand fsyncs cost seconds) before any file is renamed over an older one, so a crash
        never leaves an empty file where a good one was.
        """
        folder = ensure_folder(self.folder)
        temporaries: list[tuple[str, Path]] = []
        try:
            for name, data in self.files.items():
                fd, tmp = tempfile.mkstemp(prefix=".formkit-", suffix=".tmp", dir=folder)
                temporaries.append((name, Path(tmp)))
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
            os.sync()
        except OSError as exc:
            for _, tmp in temporaries:
                tmp.unlink(missing_ok=True)
            raise OutputError(f"Kunde inte skriva i {folder}: {_reason(exc)}. Inget har skrivits.") from None
        return self._rename_all(folder, temporaries)

    @staticmethod
    def _rename_all(folder: Path, temporaries: list[tuple[str, Path]]) -> list[Path]:
        """Rename into place; if one rename fails, undo the others (older files come back)."""
        done: list[tuple[Path, Path | None]] = []  # (target, hard link to the file it replaced)
        try:
            for name, tmp in temporaries:
                target = folder / name
                previous = None
                if target.exists():
                    previous = target.with_name(f".formkit-{tmp.stem}.old")
                    try:
                        os.link(target, previous)
                    except OSError:  # a file system without hard links: no undo for this one
                        previous = None
                os.replace(tmp, target)
                done.append((target, previous))
        except OSError as exc:
            for target, previous in reversed(done):
                if previous is not None:
                    os.replace(previous, target)
                else:
                    target.unlink(missing_ok=True)
            for _, tmp in temporaries:
                tmp.unlink(missing_ok=True)
            raise OutputError(f"Kunde inte skriva {name} i {folder}: {_reason(exc)}. Mappen är som förut.") from None
        for _, previous in done:
            if previous is not None:
                previous.unlink(missing_ok=True)
        return [target for target, _ in done]
