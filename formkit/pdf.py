"""Convert documents to PDF with LibreOffice, as one process for a whole batch.

Starting ``soffice`` costs over a second, so every file of a batch goes through one call per
folder (chunked: LibreOffice drops files beyond about 250 arguments). It gets a profile folder
of its own so a LibreOffice the user has open does not block it. Each PDF is made beside its
document; ``formkit.output.write`` calls this inside the batch's staging folder, before the
commit, so a failed conversion leaves the output folder as it was.

The PDFs are PDF/A-2b with tags: a municipality archives what it sends (PDF/A is what the
e-archive accepts), and a tagged PDF can be read aloud by a screen reader, in Swedish, since
the templates name sv-SE as their language (LibreOffice writes it as ``/Lang``), with the
document's title and header rows marked as table headers. LibreOffice takes the export
options as JSON after the filter name (``pdf:writer_pdf_Export:{...}``); Calc's export filter
for workbooks takes the same options.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections import defaultdict
from pathlib import Path

from formkit.errors import ConversionError, ConverterMissing

CHUNK = 200
TIMEOUT_PER_FILE = 20  # seconds; generous, a letter takes well under one
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


def convert(paths: list[Path]) -> list[Path]:
    """Convert ``paths`` (.docx/.xlsx) to PDFs beside them; return the PDF paths in order."""
    if not paths:
        return []
    soffice = find_soffice()
    # one call per folder and kind of document (Writer or Calc export filter)
    groups: dict[tuple[Path, str], list[Path]] = defaultdict(list)
    for path in paths:
        groups[(path.parent, convert_to(path))].append(path)
    with tempfile.TemporaryDirectory(prefix="formkit-pdf-") as work:
        profile = Path(work) / "profile"
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(PROFILE_SETTINGS, encoding="utf-8")
        for (folder, how), files in groups.items():
            for start in range(0, len(files), CHUNK):
                chunk = [str(p) for p in files[start : start + CHUNK]]
                command = [
                    soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                    "--convert-to", how, "--outdir", str(folder), *chunk,
                ]
                try:
                    subprocess.run(
                        command, check=False, capture_output=True,
                        timeout=60 + TIMEOUT_PER_FILE * len(chunk), env={**os.environ, "HOME": work},
                    )
                except subprocess.TimeoutExpired:
                    raise ConversionError("LibreOffice svarade inte inom rimlig tid; inga filer skrevs.") from None
    pdfs = [p.with_suffix(".pdf") for p in paths]
    missing = [p.name for p, made in zip(paths, pdfs) if not made.exists()]
    if missing:
        raise ConversionError(
            f"LibreOffice kunde inte göra PDF av {len(missing)} fil(er), t.ex. {missing[0]}; inga filer skrevs. "
            "Öppna filen i LibreOffice för att se vad som är fel, eller kör utan --pdf."
        )
    return pdfs
