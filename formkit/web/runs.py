"""A batch written in the background, with progress the page can poll, and its zip.

The family's plan runs in the request (so a problem is shown at once); ``output.write`` — the
same call the CLI makes — runs in a thread, and its ``progress`` hook counts the items. When it
is done the run holds what the CLI would print: the files written, the summary, the warnings,
what was skipped and why, and which files are the protected-identity set.
"""

from __future__ import annotations

import io
import secrets
import threading
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from formkit.errors import FormkitError
from formkit.letters.batch import PROTECTED_FOLDER
from formkit.output import Output, write
from formkit.web.guard import inside

T = TypeVar("T")


@dataclass
class Run:
    """One batch: where it is written, how far it has come and, at the end, what it made."""

    title: str
    folder: Path
    shown_folder: str  # the folder as the page names it (None-personal: a folder name)
    in_chosen_folder: bool
    id: str = field(default_factory=lambda: secrets.token_urlsafe(9))
    state: str = "running"  # running | done | failed
    label: str = "Förbereder"
    done: int = 0
    total: int = 0
    files: list[str] = field(default_factory=list)
    pdfs: int = 0
    summary: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    text: str = ""
    recovered: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def protected(self) -> list[str]:
        return [f for f in self.files if f.startswith(PROTECTED_FOLDER + "/")]

    @property
    def regular(self) -> list[str]:
        return [f for f in self.files if not f.startswith(PROTECTED_FOLDER + "/")]

    def progress(self, items: Iterable[T], label: str, length: int) -> Iterator[T]:
        """``output.write``'s progress hook: counts items as the family makes them."""
        self.label, self.done, self.total = label, 0, length
        for item in items:
            yield item
            self.done += 1

    def status(self) -> dict[str, object]:
        return {"state": self.state, "label": self.label, "done": self.done, "total": self.total}


def start(run: Run, output: Output, *, pdf: bool) -> threading.Thread:
    """Write ``output`` into ``run.folder`` in a thread; the run says when it is done."""
    run.summary, run.warnings, run.skipped, run.text = list(output.summary), list(output.warnings), list(output.skipped), output.text

    def work() -> None:
        try:
            if output.files:
                written = write(output, run.folder, pdf=pdf, progress=run.progress)
                run.files = [p.relative_to(run.folder).as_posix() for p in written.files]
                run.pdfs = len(written.pdfs)
                run.recovered = written.recovered
                # a family that counts while it writes (the boards) has its summary only now
                run.summary, run.warnings, run.skipped = list(output.summary), list(output.warnings), list(output.skipped)
            run.state = "done"
        except FormkitError as exc:
            run.error, run.state = str(exc), "failed"
        finally:
            if run.state == "running":  # a bug: the page says so (``server`` logs only its kind)
                run.error = "Ett oväntat fel inträffade. Inget halvfärdigt har skrivits. Rapportera felet."
                run.state = "failed"

    thread = threading.Thread(target=work, name=f"formkit-run-{run.id}", daemon=True)
    thread.start()
    return thread


def zip_bytes(run: Run) -> bytes:
    """Every file the run wrote, as one zip (paths as in the folder); each path is checked to
    lie inside the run's folder before it is read."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in run.files:
            archive.write(inside(run.folder, name), name)
    return buffer.getvalue()
