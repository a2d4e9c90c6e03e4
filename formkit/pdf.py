"""Convert documents to PDF with LibreOffice, as one process for a whole batch.

Starting ``soffice`` costs over a second, so every file of a batch goes through one call per
folder (chunked: LibreOffice drops files beyond about 250 arguments). It gets a profile folder
of its own so a LibreOffice the user has open does not block it. Each PDF is made beside its
document; ``formkit.output.write`` calls this inside the batch's staging folder, before the
commit, so a failed conversion leaves the output folder as it was.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections import defaultdict
from pathlib import Path

from formkit.errors import ConversionError, ConverterMissing

CHUNK = 200
TIMEOUT_PER_FILE = 20  # seconds; generous, a letter takes well under one


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
    by_folder: dict[Path, list[Path]] = defaultdict(list)
    for path in paths:
        by_folder[path.parent].append(path)
    with tempfile.TemporaryDirectory(prefix="formkit-pdf-") as work:
        profile = Path(work) / "profile"
        for folder, files in by_folder.items():
            for start in range(0, len(files), CHUNK):
                chunk = [str(p) for p in files[start : start + CHUNK]]
                command = [
                    soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                    "--convert-to", "pdf", "--outdir", str(folder), *chunk,
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
