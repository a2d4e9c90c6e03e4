"""`formkit opencare --appendix 4`: the workbook (tables and native charts, read back with
openpyxl), the docx for the ledningsgrupp with the same figures, and LibreOffice opening both."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from openpyxl import load_workbook

from formkit.cli import main
from formkit.pdf import convert
from helpers import write_case
from opencare_data import F, M, S, sections

XLSX = "oppenvard-bilaga-4_2026-T1_diagram.xlsx"
DOCX = "oppenvard-bilaga-4_2026-T1.docx"


def run(tmp_path: Path, *args: str, **overrides) -> tuple[object, Path]:
    case = write_case(tmp_path, **sections(**overrides))
    out = tmp_path / "ut"
    result = CliRunner().invoke(main, ["opencare", str(case), "--appendix", "4", "-o", str(out), "--date", "2026-05-04", *args])
    return result, out


def table_values(ws, first_row: int = 6) -> list[list[object]]:
    rows = []
    for row in ws.iter_rows(min_row=first_row, max_col=3, values_only=True):
        if row[0] is None:
            break
        rows.append(list(row))
    return rows


def test_workbook_tables_with_suppression(tmp_path):
    result, out = run(tmp_path, "--period", "2026-T1")
    assert result.exit_code == 0, result.output
    # only Insatser, Kön and Ålder have a count of 5 or more to draw
    assert "Jämförd med tertial 3 2025" in result.output and "(3 diagram)" in result.output
    book = load_workbook(out / XLSX)
    assert book.sheetnames == ["Om sammanställningen", "Insatser", "Kön", "Ålder", "Problem vid start",
                               "Behov tillgodosett", "Situation efter", "Avbrutna"]
    assert table_values(book["Insatser"]) == [
        ["Insats", "2026-T1", "2025-T3"], [F, "x", "<5"], [M, "<5", "<5"], [S, 7, "<5"], ["Summa", 14, "<5"]]
    assert table_values(book["Kön"]) == [
        ["Kön", "2026-T1", "2025-T3"], ["Kvinnor", 6, "<5"], ["Män", "<5", "<5"],
        ["Annan könstillhörighet", "<5", "<5"], ["Okänt kön", "<5", "<5"], ["Summa", 12, "<5"]]
    assert table_values(book["Ålder"])[3] == ["25–44 år", 6, "<5"]
    assert table_values(book["Problem vid start"])[-1] == ["Inget problem angivet", "<5", 0]
    assert table_values(book["Behov tillgodosett"])[-1] == ["Summa", 7, 0]
    assert table_values(book["Situation efter"])[3] == ["Försämrad", "<5", 0]
    assert table_values(book["Avbrutna"]) == [["Insats", "2026-T1", "2025-T3"], [F, "<5", 0], [S, "<5", 0], ["Summa", "<5", 0]]
    for title in ("Problem vid start", "Behov tillgodosett", "Situation efter", "Avbrutna"):
        assert book[title]._charts == [] and book[title]["E6"].value == "Inget diagram: alla antal är för små för att visas."
    assert [len(book[t]._charts) for t in ("Insatser", "Kön", "Ålder")] == [1, 1, 1]
    about = {row[0]: row[1] for row in book["Om sammanställningen"].iter_rows(min_row=3, max_row=10, max_col=2, values_only=True)}
    assert about["Period"] == "Tertial 1 2026 (2026-01-01 – 2026-04-30)" and about["Gräns för små tal"] == 5
    assert about["Insatser under perioden"] == 14 and about["Jämförs med"] == "tertial 3 2025"
    # no small number anywhere in a table
    for ws in book.worksheets[1:]:
        for row in table_values(ws)[1:]:
            assert not any(isinstance(v, int) and 0 < v < 5 for v in row[1:]), (ws.title, row)


def test_charts_are_native_and_point_at_the_tables(tmp_path):
    result, out = run(tmp_path, "--period", "2026-T1", "--threshold", "1")
    assert result.exit_code == 0, result.output
    book = load_workbook(out / XLSX)
    expected_last = {"Insatser": 9, "Kön": 10, "Ålder": 12, "Problem vid start": 11, "Behov tillgodosett": 10,
                     "Situation efter": 10, "Avbrutna": 8}
    for title, last in expected_last.items():
        ws = book[title]
        assert len(ws._charts) == 1, title
        chart = ws._charts[0]
        quoted = f"'{title}'"
        values = [s.val.numRef.f for s in chart.series]
        assert values == [f"{quoted}!$B$7:$B${last}", f"{quoted}!$C$7:$C${last}"], title
        assert [s.tx.strRef.f.replace("$", "") for s in chart.series] == [f"{quoted}!B6", f"{quoted}!C6"]
        categories = chart.series[0].cat.numRef or chart.series[0].cat.strRef  # openpyxl writes numRef
        assert categories.f == f"{quoted}!$A$7:$A${last}"
    # the chart parts are real DrawingML charts in the package, one per figure sheet
    with zipfile.ZipFile(out / XLSX) as package:
        charts = [n for n in package.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 7
        xml = package.read(charts[0]).decode()
        assert "<barChart>" in xml and xml.count('<delete val="0"/>') == 2  # both axes shown in Excel


def test_empty_figures_have_a_message_not_an_empty_chart(tmp_path):
    result, out = run(tmp_path, "--period", "2026-T2")
    assert result.exit_code == 0, result.output
    assert "Utan data denna period: Svarade insatsen mot klientens behov?, Klientens situation efter insatsen, Avbrutna insatser" in result.output
    book = load_workbook(out / "oppenvard-bilaga-4_2026-T2_diagram.xlsx")
    for title in ("Behov tillgodosett", "Situation efter", "Avbrutna"):
        assert book[title]._charts == []
        assert book[title]["A6"].value.startswith("Inget att visa: det finns inga insatser som")
    assert len(book["Insatser"]._charts) == 1
    doc = "\n".join(p.text for p in Document(str(out / "oppenvard-bilaga-4_2026-T2.docx")).paragraphs)
    assert "Inget att visa: det finns inga insatser som avbröts under perioden (tertial 2 2026)." in doc


def test_docx_has_the_same_figures(tmp_path):
    result, out = run(tmp_path, "--period", "2026-T1")
    assert result.exit_code == 0, result.output
    doc = Document(str(out / DOCX))
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "Tertial 1 2026 (2026-01-01 – 2026-04-30)" in body
    for n, title in enumerate(["Vilka insatser", "Könsfördelning", "Åldersfördelning", "Problem och hjälpbehov vid start",
                               "Svarade insatsen mot klientens behov?", "Klientens situation efter insatsen",
                               "Avbrutna insatser"], start=1):
        assert f"{n}. {title}" in body
    assert "Analys" in body
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    facts, figures = tables[0], tables[1:]
    assert ["Insatser under perioden", "14"] in facts and ["Jämförs med", "tertial 3 2025"] in facts
    assert len(figures) == 7
    insatser = figures[0]
    assert insatser[0] == ["Insats", "2026-T1", "2025-T3", "Diagram"]
    assert [r[:3] for r in insatser[1:]] == [[F, "x", "<5"], [M, "<5", "<5"], [S, "7", "<5"], ["Summa", "14", "<5"]]
    # a bar for a shown count, none for a hidden one
    assert insatser[3][3] == "█" * 20 and insatser[1][3] == "" and insatser[2][3] == ""
    assert [r[:3] for r in figures[1][1:]] == [["Kvinnor", "6", "<5"], ["Män", "<5", "<5"], ["Annan könstillhörighet", "<5", "<5"],
                                                ["Okänt kön", "<5", "<5"], ["Summa", "12", "<5"]]
    assert figures[3][-1][:3] == ["Inget problem angivet", "<5", "0"]  # no total row for problems
    # the xlsx and docx agree cell by cell
    book = load_workbook(out / XLSX)
    for ws, rows in zip(book.worksheets[1:], figures):
        assert [[str(v) for v in r] for r in table_values(ws)] == [r[:3] for r in rows], ws.title


def test_docx_without_a_previous_period_has_no_comparison_column(tmp_path):
    result, out = run(tmp_path, "--period", "2025-T1", "--threshold", "1")
    assert result.exit_code == 0, result.output
    assert "Ingen föregående period att jämföra med" in result.output
    doc = Document(str(out / "oppenvard-bilaga-4_2025-T1.docx"))
    assert doc.tables[1].rows[0].cells[-1].text == "Diagram" and len(doc.tables[1].columns) == 3
    assert [c.text for c in doc.tables[1].rows[1].cells] == [M, "1", "█" * 20]


def test_formula_like_text_stays_text(tmp_path):
    insatser = sections()["open_care"]
    insatser[0]["service"] = '=HYPERLINK("http://x","klick")'
    insatser[2]["service"] = "@SUM(1)"
    insatser[3]["problems"] = ["+46 Ensamhet 😀"]
    result, out = run(tmp_path, "--period", "2026-T1", "--threshold", "1", open_care=insatser)
    assert result.exit_code == 0, result.output
    book = load_workbook(out / XLSX)
    cells = {c.value: c.data_type for row in book["Insatser"].iter_rows() for c in row if isinstance(c.value, str)}
    assert cells['=HYPERLINK("http://x","klick")'] == "s" and cells["@SUM(1)"] == "s"
    assert book["Problem vid start"]["A7"].value == "+46 Ensamhet 😀"
    with zipfile.ZipFile(out / XLSX) as package:
        sheets = "".join(package.read(n).decode() for n in package.namelist() if n.startswith("xl/worksheets/sheet"))
    assert "<f>" not in sheets
    doc = "\n".join(c.text for t in Document(str(out / DOCX)).tables for row in t.rows for c in row.cells)
    assert '=HYPERLINK("http://x","klick")' in doc


def test_default_period_is_the_last_finished_tertial(tmp_path):
    result, out = run(tmp_path)  # --date 2026-05-04
    assert result.exit_code == 0, result.output
    assert (out / XLSX).exists() and (out / DOCX).exists()


def test_empty_period_writes_nothing(tmp_path):
    result, out = run(tmp_path, "--period", "2024")
    assert result.exit_code == 1
    assert "inga öppenvårdsinsatser under helåret 2024 (2024-01-01 – 2024-12-31)" in result.output
    assert not out.exists()


def test_a_period_that_has_not_begun(tmp_path):
    result, out = run(tmp_path, "--period", "2026-T3")  # --date 2026-05-04
    assert result.exit_code == 1
    assert "Tertial 3 2026 (2026-09-01 – 2026-12-31) har inte börjat" in result.output
    assert not out.exists()


@pytest.mark.soffice
def test_libreoffice_opens_the_workbook_and_the_docx(tmp_path):
    result, out = run(tmp_path, "--period", "2026-T1", "--threshold", "1")
    assert result.exit_code == 0, result.output
    pdfs = convert([out / XLSX, out / DOCX])
    texts = {p.name: subprocess.run(["pdftotext", str(p), "-"], capture_output=True, text=True, check=True).stdout
             for p in pdfs}
    sheet_text = texts["oppenvard-bilaga-4_2026-T1_diagram.pdf"]
    assert "Vilka insatser – tertial 1 2026" in sheet_text and "Antal insatser" in sheet_text  # the chart's axis title
    assert "Sammanställning av öppenvårdens insatser" in texts["oppenvard-bilaga-4_2026-T1.pdf"]
