"""Convert documents to PDF with LibreOffice, as one process for a whole batch.

Starting ``soffice`` costs over a second, so every file of a batch goes through one call
(chunked: LibreOffice drops files beyond about 250 arguments). It gets a profile folder of
its own so a LibreOffice the user has open does not block it. The PDFs are made in a
temporary folder and moved into place only when all of them exist.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from formkit.errors import ConversionError, ConverterMissing
from formkit.output import Batch

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


def convert(paths: list[Path], out_folder: Path) -> list[Path]:
    """Convert ``paths`` (.docx/.xlsx) to PDFs in ``out_folder``; return the PDF paths."""
    if not paths:
        return []
    soffice = find_soffice()
    with tempfile.TemporaryDirectory(prefix="formkit-pdf-") as work:
        profile = Path(work) / "profile"
        target = Path(work) / "pdf"
        target.mkdir()
        for start in range(0, len(paths), CHUNK):
            chunk = [str(p) for p in paths[start : start + CHUNK]]
            command = [
                soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                "--convert-to", "pdf", "--outdir", str(target), *chunk,
            ]
            try:
                subprocess.run(
                    command, check=False, capture_output=True,
                    timeout=60 + TIMEOUT_PER_FILE * len(chunk), env={**os.environ, "HOME": work},
                )
            except subprocess.TimeoutExpired:
                raise ConversionError("LibreOffice svarade inte inom rimlig tid; inga PDF-filer skrevs.") from None
        batch = Batch(out_folder)
        missing = []
        for path in paths:
            pdf = target / (path.stem + ".pdf")
            if pdf.exists():
                batch.add(pdf.name, pdf.read_bytes())
            else:
                missing.append(path.name)
        if missing:
            raise ConversionError(
                f"LibreOffice kunde inte göra PDF av {len(missing)} fil(er), t.ex. {missing[0]}; inga PDF-filer skrevs."
            )
        return batch.commit()
