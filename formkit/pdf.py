"""Convert documents to PDF with LibreOffice: a whole batch in few processes, two at a time.

Starting ``soffice`` costs over a second, so the files of a batch go to LibreOffice in chunks,
one call per chunk (each chunk one folder and one export filter; at most ``CHUNK`` files, since
LibreOffice drops files beyond about 250 arguments). A batch worth more than a few seconds is
split into chunks of about equal work and converted by two processes at once on a machine with
two cores or more (``benchmarks/letters.py --pdf`` measures both ways). Each process gets a
profile folder of its own: LibreOffice cannot share a user profile between processes, and a
LibreOffice the user has open must not block it. Each PDF is made beside its document;
``formkit.output.write`` calls this inside the batch's staging folder, before the commit, so a
failed conversion leaves the output folder as it was.

Each ``soffice`` runs in a session of its own and is stopped with its whole process group on a
timeout, Ctrl-C or SIGTERM (the CLI turns SIGTERM into KeyboardInterrupt): ``soffice`` is a
script that starts ``oosplash``, which starts ``soffice.bin``, so killing only the process we
started would leave ``soffice.bin`` running on, writing PDFs into a removed staging folder.

The PDFs are PDF/A-2b with tags: a municipality archives what it sends (PDF/A is what the
e-archive accepts), and a tagged PDF can be read aloud by a screen reader, in Swedish, since
the templates name sv-SE as their language (LibreOffice writes it as ``/Lang``), with the
document's title and header rows marked as table headers. LibreOffice takes the export
options as JSON after the filter name (``pdf:writer_pdf_Export:{...}``); Calc's export filter
for workbooks takes the same options.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import signal
import subprocess
import tempfile
import time
import zipfile
from collections import defaultdict, deque
from dataclasses import dataclass, field
from pathlib import Path

from formkit.errors import ConversionError, ConverterMissing

CHUNK = 200
TIMEOUT_PER_FILE = 20  # seconds; generous, a letter takes well under one
PROCESSES = 2  # at most; the pool pays on two cores (benchmarks/letters.py --pdf)
# Estimated LibreOffice CPU seconds, to balance the chunks and to decide on a second process
# (measured with LibreOffice 7.4 on brukarbrev 4): a start costs about 1.1 s, each document
# about 0.1 s, and each MB of its body XML about 2.4 s (the print file of 216 letters: 5.3 s).
SECONDS_PER_FILE = 0.1
SECONDS_PER_MB = 2.4
POOL_FROM = 3.0  # a second process (another 1.1 s start) only for a batch worth this much
BODY_PARTS = ("word/document.xml", "word/header", "word/footer", "xl/worksheets/", "xl/sharedStrings.xml")
POLL = 0.05  # seconds between looks at the running processes
# PDF/A-2b (SelectPdfVersion 2), tagged; the same options for Writer and Calc documents
EXPORT_OPTIONS = json.dumps({
    "SelectPdfVersion": {"type": "long", "value": "2"},
    "UseTaggedPDF": {"type": "boolean", "value": "true"},
    "ExportBookmarks": {"type": "boolean", "value": "true"},
    "DisplayPDFDocumentTitle": {"type": "boolean", "value": "true"},
}, separators=(",", ":"))
EXPORT_FILTERS = {".xlsx": "calc_pdf_Export", ".xls": "calc_pdf_Export", ".ods": "calc_pdf_Export"}
# The profile's settings: Swedish as the default language and locale. A .docx names its own
# language (the templates say sv-SE); a workbook written by openpyxl names none, and without
# this LibreOffice would write /Lang (en-US) into its PDF.
PROFILE_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Linguistic/General"><prop oor:name="DefaultLocale" oor:op="fuse"><value>sv-SE</value></prop></item>
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>sv-SE</value></prop></item>
</oor:items>
"""


def convert_to(path: Path) -> str:
    """The ``--convert-to`` argument for one file: PDF/A-2b, tagged, by its kind's filter."""
    return f"pdf:{EXPORT_FILTERS.get(path.suffix.lower(), 'writer_pdf_Export')}:{EXPORT_OPTIONS}"


def find_soffice() -> str:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    raise ConverterMissing(
        "PDF kräver LibreOffice, men programmet soffice hittades inte. Installera LibreOffice "
        "(t.ex. 'apt-get install libreoffice-writer-nogui') eller kör utan --pdf."
    )




@dataclass
class Chunk:
    """Files of one folder and one export filter, for one ``soffice`` call."""

    folder: Path
    how: str
    files: list[Path] = field(default_factory=list)
    seconds: float = 0.0  # estimated


def convert(paths: list[Path], processes: int | None = None) -> list[Path]:
    """Convert ``paths`` (.docx/.xlsx) to PDFs beside them; return the PDF paths in order.

    ``processes`` is how many ``soffice`` run at once; by default two on a machine with two
    cores or more when the batch is worth it (``POOL_FROM``), otherwise one.
    """
    if not paths:
        return []
    soffice = find_soffice()
    weights = {path: estimate(path) for path in paths}
    if processes is None:
        processes = PROCESSES if sum(weights.values()) >= POOL_FROM else 1
        processes = min(processes, _cores())
    processes = max(1, min(processes, len(paths)))
    chunks = plan_chunks(paths, weights, processes)
    with tempfile.TemporaryDirectory(prefix="formkit-pdf-") as work:
        _run(soffice, chunks, [_profile(Path(work) / f"soffice-{i}") for i in range(min(processes, len(chunks)))])
    pdfs = [p.with_suffix(".pdf") for p in paths]
    missing = [p.name for p, made in zip(paths, pdfs) if not made.exists()]
    if missing:
        raise ConversionError(
            f"LibreOffice kunde inte göra PDF av {len(missing)} fil(er), t.ex. {missing[0]}; inga filer skrevs. "
            "Öppna filen i LibreOffice för att se vad som är fel, eller kör utan --pdf."
        )
    return pdfs


def estimate(path: Path) -> float:
    """LibreOffice's CPU seconds for one document, roughly: a fixed part and its body XML (the
    print file of a batch is worth a few hundred letters; styles are the same in each)."""
    try:
        with zipfile.ZipFile(path) as package:
            body = sum(i.file_size for i in package.infolist() if i.filename.startswith(BODY_PARTS))
    except (OSError, zipfile.BadZipFile):
        body = 0  # not a package: LibreOffice will say so, and the missing PDF is reported
    return SECONDS_PER_FILE + SECONDS_PER_MB * body / 1e6


def plan_chunks(paths: list[Path], weights: dict[Path, float], processes: int) -> list[Chunk]:
    """The ``soffice`` calls, heaviest first: one per folder and export filter, split into at
    most ``CHUNK`` files each. With a pool, a folder worth more than one process's share is
    split into a multiple of ``processes`` chunks of about equal work (the biggest files placed
    first, each into the lightest chunk), so the processes finish together."""
    groups: dict[tuple[Path, str], list[Path]] = defaultdict(list)
    for path in paths:
        groups[(path.parent, convert_to(path))].append(path)
    total = sum(weights.values())
    chunks: list[Chunk] = []
    for (folder, how), files in groups.items():
        group_weight = sum(weights[p] for p in files)
        parts = max(math.ceil(len(files) / CHUNK), math.ceil(processes * group_weight / total - 1e-9))
        if parts > 1:
            parts = min(len(files), math.ceil(parts / processes) * processes)
        parts_of_group = [Chunk(folder, how) for _ in range(parts)]
        for path in sorted(files, key=lambda p: -weights[p]):
            lightest = min((c for c in parts_of_group if len(c.files) < CHUNK), key=lambda c: c.seconds)
            lightest.files.append(path)
            lightest.seconds += weights[path]
        order = {p: i for i, p in enumerate(files)}
        for chunk in parts_of_group:
            chunk.files.sort(key=order.__getitem__)
        chunks += parts_of_group
    return sorted(chunks, key=lambda c: -c.seconds)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _profile(home: Path) -> Path:
    """A LibreOffice profile of its own (one per process), set to Swedish."""
    profile = home / "profile"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(PROFILE_SETTINGS, encoding="utf-8")
    return profile


def _run(soffice: str, chunks: list[Chunk], profiles: list[Path]) -> None:
    """Run the chunks, one ``soffice`` per profile at a time, the next chunk as one finishes."""
    waiting = deque(chunks)
    free = list(profiles)
    running: list[tuple[subprocess.Popen[bytes], float, Path]] = []
    try:
        while waiting or running:
            while waiting and free:
                chunk, profile = waiting.popleft(), free.pop()
                process = subprocess.Popen(
                    [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                     "--convert-to", chunk.how, "--outdir", str(chunk.folder), *map(str, chunk.files)],
                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                    env={**os.environ, "HOME": str(profile.parent)}, start_new_session=True,
                )
                running.append((process, time.monotonic() + 60 + TIMEOUT_PER_FILE * len(chunk.files), profile))
            time.sleep(POLL)
            for entry in list(running):
                process, deadline, profile = entry
                if process.poll() is not None:
                    running.remove(entry)
                    free.append(profile)
                elif time.monotonic() > deadline:
                    raise ConversionError("LibreOffice svarade inte inom rimlig tid; inga filer skrevs.")
    finally:
        for process, _, _ in running:
            _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Kill a running ``soffice`` with everything it started (its own process group)."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGKILL)  # its group id is its pid (a session of its own)
        except ProcessLookupError:
            pass
    process.wait()
