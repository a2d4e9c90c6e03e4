"""Acceptance on the `formkit init` example: letters 1–4 with --pdf, read back by python-docx,
LibreOffice (the PDFs it made) and pdfinfo/pdftotext."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from formkit.case.loading import load_case
from formkit.cli import main


def pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("exempel")
    result = CliRunner().invoke(main, ["init", str(folder)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return folder / "arenden.yaml"


@pytest.mark.soffice
@pytest.mark.skipif(not shutil.which("pdfinfo"), reason="pdfinfo (poppler-utils) is not installed")
@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_example_letters_with_pdf(example: Path, tmp_path: Path, n: int) -> None:
    out = tmp_path / "ut"
    result = CliRunner().invoke(main, ["letters", str(example), "-n", str(n), "--pdf", "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    case = load_case(example)
    for folder, combined in ((out, f"utskrift_brukarbrev-{n}"), (out / "skyddad-identitet", f"utskrift-skyddad_brukarbrev-{n}")):
        singles = sorted(folder.glob(f"brukarbrev-{n}_*.docx"))
        if not singles:
            continue
        for path in [*singles, folder / f"{combined}.docx"]:
            text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
            assert "{{" not in text and "{%" not in text, path
            assert path.with_suffix(".pdf").exists(), path  # LibreOffice opened it
        assert pages(folder / f"{combined}.pdf") == sum(pages(p.with_suffix(".pdf")) for p in singles)
    # no protected client's street anywhere, not even in the PDFs
    streets = [c.address.street for c in case.clients if c.protected_identity and c.address]
    for pdf in out.rglob("*.pdf"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert not any(street in text for street in streets), pdf
        assert not any(c.personal_number in text for c in case.clients if c.personal_number) or pdf.name.startswith("innerkuvert"), pdf


@pytest.mark.soffice
@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) is not installed")
def test_address_sits_in_the_envelope_window(example: Path, tmp_path: Path) -> None:
    """The first address line starts 20 mm from the left and 45–50 mm from the top (C5/C4
    left window), whatever LibreOffice does with the frame."""
    out = tmp_path / "ut"
    CliRunner().invoke(main, ["letters", str(example), "-n", "2", "--pdf", "-o", str(out)], catch_exceptions=False)
    pdf = sorted(out.glob("brukarbrev-2_*.pdf"))[0]
    bbox = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    name = docx.Document(str(pdf.with_suffix(".docx"))).paragraphs[0].text.split("\n")[0].split()[0]
    word = re.search(rf'xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>{re.escape(name)}<', bbox)
    assert word, name
    x_mm, y_mm = float(word.group(1)) * 25.4 / 72, float(word.group(2)) * 25.4 / 72
    assert 19 <= x_mm <= 22 and 45 <= y_mm <= 52, (x_mm, y_mm)
