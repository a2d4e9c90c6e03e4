"""The printed board, as LibreOffice prints it: A4 landscape, no text under 8 pt, the columns an
assessor needs on paper, orange rows readable, the Förklaring sheet's lines apart."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers import BASE, write_case
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from formkit.cli import main

CLIENTS = [*BASE["clients"], {"id": "b-003", "name": "Åsa-Britt Öberg-Lindqvist", "birth_year": 1944, "unit": "ht-norra"}]
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')


def decisions(n: int) -> list[dict[str, Any]]:
    out = []
    for i in range(1, n + 1):
        d = {"id": f"B-2024-{i:04d}", "client": ["b-001", "b-002", "b-003"][i % 3], "assessor": "bh-1",
             "services": ["HEMTJÄNST", "LEDSAGNING"][: 1 + i % 2], "law": "SoL" if i % 5 else "LSS",
             "decided": f"2024-{1 + i % 12:02d}-{1 + i % 27:02d}", "executed": i % 4 != 0}
        if i % 4 == 0:
            d["not_executed_reason"] = "Väntar på ledig plats hos utföraren"
        out.append(d)
    return out


def words(pdf: Path, page: int) -> list[tuple[float, float, float, float, str]]:
    text = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    return [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in WORD.findall(text)]


def pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


@pytest.mark.soffice
def test_printed_board_is_readable_on_a4_landscape(tmp_path: Path) -> None:
    case = write_case(tmp_path, decisions=decisions(30), clients=CLIENTS)
    out = tmp_path / "ut"
    result = CliRunner().invoke(main, ["board", str(case), "-o", str(out)])
    assert result.exit_code == 0, result.output
    board = out / "uppfoljningstavla_bh-1.xlsx"
    # what 8 pt looks like in a word box: a cell in Calibri 8 printed at 100 %
    calibration = tmp_path / "kalibrering.xlsx"
    wb = Workbook()
    wb.active["A1"] = "Kalibrering"
    wb.active["A1"].font = Font(name="Calibri", size=8)
    wb.save(calibration)
    pdfs = tmp_path / "pdf"
    soffice = shutil.which("soffice") or shutil.which("libreoffice") or "soffice"
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless", "--norestore",
                    "--convert-to", "pdf", "--outdir", str(pdfs), str(board), str(calibration)],
                   check=True, capture_output=True, timeout=180)
    pdf = pdfs / "uppfoljningstavla_bh-1.pdf"
    eight = next(d - b for a, b, c, d, w in words(pdfs / "kalibrering.pdf", 1) if w == "Kalibrering")

    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    assert (round(width), round(height)) == (842, 595)  # A4 landscape
    total = pages(pdf)
    assert total <= 5  # 30 decisions on 2 pages, the empty archive, the legend
    smallest = min(d - b for page in range(1, total + 1) for a, b, c, d, w in words(pdf, page))
    assert smallest >= eight * 0.99, f"text printed at {8 * smallest / eight:.1f} pt"

    first = " ".join(w for *_, w in words(pdf, 1))
    for needed in ("Klient", "Beslut-id", "Nästa", "Samtycke", "Verkställt", "Anteckningar", "åtgärd", "Väntar"):
        assert needed in first
    assert "Händelse" not in first and "beviljad" not in first  # on screen only
    # orange rows are filled, not bold (bold text was cut off in its cells)
    styles = load_workbook(board)["Uppföljningstavla"].conditional_formatting
    orange = [r for cf in styles for r in cf.rules if '="Nej"' in r.formula[0]]
    assert orange and not (orange[0].dxf.font and orange[0].dxf.font.b)
    # the Förklaring sheet: no two lines of text overlap
    legend = next(p for p in range(1, total + 1) if "Så används tavlan" in " ".join(w for *_, w in words(pdf, p)))
    spans: list[list[float]] = []  # [top, bottom] of each printed line (words within 2 pt share a line)
    for a, b, c, d, w in sorted(words(pdf, legend), key=lambda x: x[1]):
        if spans and abs(b - spans[-1][0]) < 2:
            spans[-1][1] = max(spans[-1][1], d)
        else:
            spans.append([b, d])
    for (top1, bottom1), (top2, bottom2) in zip(spans, spans[1:]):
        # a word box includes the line gap; text drawn over other text overlaps by far more
        assert top2 >= bottom1 - 0.3 * (bottom1 - top1), f"lines overlap at y={top2:.1f}"
