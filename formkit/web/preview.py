"""A look at the first document of a batch before the batch is made.

Only the first document is made: a file the plan already holds is taken as it is; otherwise
the family's producer runs with a sink that stops it as soon as that file exists. The first
page becomes a PNG through LibreOffice (``formkit.pdf.convert``, its own profile) and
``pdftoppm``; where either is missing the page shows the document's text instead.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TypeVar

import docx
import openpyxl

from formkit import pdf as pdf_converter
from formkit.errors import FormkitError, PreviewReady
from formkit.output import FileWriter, Output
from formkit.web.guard import Upload, save_private

T = TypeVar("T")
DOCUMENTS = (".docx", ".xlsx")
TEXT_LINES = 80


@dataclass(frozen=True)
class Preview:
    """The first document's name and either its first page as PNG or its text."""

    name: str
    png: bytes | None
    text: str


class _CaptureSink:
    """Stands in for ``output.Sink``: keeps the one file wanted, then stops the producer.
    A file a worker writes itself (``location``/``adopt``) goes to ``folder`` (private, temporary)."""

    def __init__(self, wanted: str, folder: Path):
        self.wanted = wanted
        self.folder = folder
        self.data: bytes | None = None

    def location(self, path: str) -> Path:
        target = self.folder / path
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        return target

    def adopt(self, path: str) -> None:
        if path == self.wanted:
            self.data = (self.folder / path).read_bytes()
            raise PreviewReady

    def add(self, path: str, content: bytes | FileWriter) -> None:
        if path == self.wanted:
            self.data = _as_bytes(content)
            raise PreviewReady

    @contextlib.contextmanager
    def open(self, path: str) -> Iterator[IO[bytes]]:
        """A file written bit by bit (a print file): kept in memory, and only if wanted."""
        buffer = io.BytesIO()
        yield buffer
        if path == self.wanted:
            self.data = buffer.getvalue()
            raise PreviewReady

    def progress(self, items: Iterable[T], _label: str, _length: int) -> Iterable[T]:
        return items


def _as_bytes(content: bytes | FileWriter) -> bytes:
    if isinstance(content, bytes):
        return content
    buffer = io.BytesIO()
    content(buffer)
    return buffer.getvalue()


def first_document(output: Output) -> tuple[str, bytes] | None:
    """The first .docx/.xlsx the batch would write, made on its own (None: there is none)."""
    wanted = next((p for p in output.files if p.endswith(DOCUMENTS)), None)
    if wanted is None:
        return None
    if wanted in output.contents:
        return wanted, _as_bytes(output.contents[wanted])
    with tempfile.TemporaryDirectory(prefix="formkit-preview-") as folder:
        sink = _CaptureSink(wanted, Path(folder))
        for producer in output.producers:
            try:
                producer(sink)  # type: ignore[arg-type]  # duck-typed Sink
            except PreviewReady:
                return wanted, sink.data or b""
    return None


def make_preview(output: Output, workdir: Path) -> Preview | None:
    """The preview of ``output``'s first document; temporary files stay in ``workdir``."""
    found = first_document(output)
    if found is None:
        return None
    name, data = found
    path = save_private(workdir, Upload(Path(name).name, data))
    png = first_page_png(path)
    return Preview(name, png, "" if png else document_text(path))


def first_page_png(path: Path) -> bytes | None:
    """The first page as a PNG, or None where LibreOffice or pdftoppm is missing or fails."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        return None
    try:
        (pdf,) = pdf_converter.convert([path])
    except FormkitError:
        return None
    stem = path.with_suffix("")
    result = subprocess.run([pdftoppm, "-f", "1", "-l", "1", "-r", "70", "-png", "-singlefile", str(pdf), str(stem)],
                            capture_output=True, timeout=60, check=False)
    png = stem.with_suffix(".png")
    return png.read_bytes() if result.returncode == 0 and png.exists() else None


def document_text(path: Path) -> str:
    """The text of a .docx (paragraphs and table cells) or the first sheet of a .xlsx."""
    lines: list[str] = []
    if path.suffix == ".docx":
        document = docx.Document(str(path))
        lines = [p.text for p in document.paragraphs]
        for table in document.tables:
            for row in table.rows:
                lines.append(" | ".join(cell.text for cell in row.cells))
    else:
        workbook = openpyxl.load_workbook(path, read_only=True)
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(max_row=TEXT_LINES, values_only=True):
            lines.append(" | ".join("" if v is None else str(v) for v in row))
        workbook.close()
    text = "\n".join(line for line in lines if line.strip())
    return "\n".join(text.splitlines()[:TEXT_LINES])
