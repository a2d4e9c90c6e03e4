"""The family contract of issue 9, in the shape the lead described, until it lands on main.

Every family gets ``plan(case, options) -> Output`` (writes nothing) and the CLI calls one
``write(output, out_dir, pdf=...)``. The årshjul and the quality file are written in that
shape from the start; when ``formkit.options.Options`` and ``formkit.output.Output``/``write``
exist on main, these names are replaced by imports of them and this module goes.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from formkit import pdf as pdf_conversion
from formkit.output import Batch

Writer = Callable[[BinaryIO], None]


@dataclass(frozen=True)
class Options:
    """What every command has: the user's templates folder and the day it counts from."""

    templates: Path | None = None
    today: dt.date = field(default_factory=dt.date.today)


@dataclass
class Output:
    """Everything one run would write, by relative POSIX path, and what to tell the user."""

    files: dict[str, bytes | Writer] = field(default_factory=dict)
    printable: list[str] = field(default_factory=list)  # converted to PDF with --pdf
    summary: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (record id, reason)
    text: str = ""  # for the terminal, e.g. a table or a journal text

    def add(self, path: str, data: bytes | Writer, pdf: bool = False) -> None:
        parts = PurePosixPath(path).parts
        if not parts or any(p in ("", ".", "..") for p in parts) or "\\" in path or path.startswith("/"):
            raise ValueError(f"not a relative path: {path!r}")  # a bug, not user input
        self.files[path] = data
        if pdf:
            self.printable.append(path)

    def data(self, path: str) -> bytes:
        """The bytes of one planned file (a writer is run into memory)."""
        value = self.files[path]
        if isinstance(value, bytes):
            return value
        buffer = io.BytesIO()
        value(buffer)
        return buffer.getvalue()


def write(output: Output, out_dir: Path, pdf: bool = False) -> list[Path]:
    """Write every planned file (one atomic batch per folder), then the PDFs of the printable ones."""
    batches: dict[str, Batch] = {}
    for path in output.files:
        folder = str(PurePosixPath(path).parent)
        batches.setdefault(folder, Batch(out_dir if folder == "." else out_dir / folder)).add(PurePosixPath(path).name, output.data(path))
    written: list[Path] = []
    for batch in batches.values():
        written += batch.commit()
    if pdf and output.printable:
        by_folder: dict[Path, list[Path]] = {}
        for path in output.printable:
            target = out_dir / path
            by_folder.setdefault(target.parent, []).append(target)
        for folder, paths in by_folder.items():
            written += pdf_conversion.convert(paths, folder)
    return written
