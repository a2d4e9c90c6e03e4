"""Every bundled document as a coordinator prints it: made from the `formkit init` example,
converted by LibreOffice through formkit's own PDF export, and read back with poppler.

* page counts, and no page that is nearly empty (a signature or a footer alone);
* the recipient's address in the window of a C5/C4 envelope on the first page of every mailed
  document (word positions from ``pdftotext -bbox``), and nothing else in the window;
* PDF/A-2b with tags: XMP ``pdfaid:part`` 2, ``/Lang (sv-SE)``, a structure tree, the title
  from the document, header rows as table headers; and the offline validator ``page`` agrees.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest
import yaml
from click.testing import CliRunner

from formkit import pdf
from formkit.cli import main

MM = 25.4 / 72  # points to millimetres
WINDOW = (20.0, 45.0, 110.0, 90.0)  # left, top, right, bottom (mm): the C5/C4 left window
BODY = (30.0, 278.0)  # below every page header, above every footer (mm)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

def has_font(family: str) -> bool:
    if not shutil.which("fc-list"):
        return False
    return family in subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True).stdout


pytestmark = [
    pytest.mark.soffice,
    pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) is not installed"),
    # page counts hold for Arial's metrics; LibreOffice has them from Liberation Sans
    pytest.mark.skipif(not has_font("Liberation Sans"), reason="Liberation Sans (fonts-liberation) is not installed"),
]


@dataclass
class Word:
    text: str
    x: float  # mm from the left
    y: float  # mm from the top
    bottom: float


def words_by_page(path: Path) -> list[list[Word]]:
    out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    pages = []
    for page in out.split("<page ")[1:]:
        pages.append([
            Word(html.unescape(m.group(5)), float(m.group(1)) * MM, float(m.group(2)) * MM, float(m.group(4)) * MM)
            for m in re.finditer(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', page)
        ])
    return pages


def run(*args: object) -> None:
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One PDF per kind of document (name -> PDF), all made in one LibreOffice run."""
    base = tmp_path_factory.mktemp("utskrift")
    run("init", base / "demo")
    case = base / "demo" / "arenden.yaml"
    # brukarbrev 4 must stay on one page with eight questions in the result table
    data = yaml.safe_load(case.read_text(encoding="utf-8"))
    first = next(r for r in data["survey"]["results"] if r["unit"] == "ht-norra")
    questions = ["Sammantaget nöjd med hemtjänsten", "Personalen bemöter mig på ett bra sätt",
                 "Personalen tar hänsyn till mina åsikter och önskemål", "Jag kan påverka vid vilka tider jag får hjälp",
                 "Jag känner mig trygg med hemtjänsten", "Lätt att få kontakt med hemtjänstpersonalen vid behov",
                 "Personalen har tillräckligt med tid för att utföra sitt arbete",
                 "Jag får information om tillfälliga förändringar"]  # Socialstyrelsen's, as long as they come
    data["survey"]["results"] = [r for r in data["survey"]["results"] if r["unit"] != "ht-norra"] + [
        dict(first, question=q) for q in questions]
    eight = base / "demo" / "atta-fragor.yaml"
    eight.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    out = base / "ut"
    for n in (1, 2, 3, 4):
        run("letters", case, "-n", n, "-o", out / f"brev-{n}", "-q")
    run("letters", eight, "-n", 4, "--unit", "ht-norra", "-o", out / "brev-4-atta", "-q")
    for kind in ("term", "monthly", "homecoming"):
        run("meetings", case, "--kind", kind, "-o", out / kind, "-q")
    run("meetings", case, "--kind", "term", "--minutes", base / "demo" / "anteckningar.yaml", "-o", out / "minutes", "-q")
    for n in (1, 2, 3, 4):
        run("opencare", case, "--appendix", n, "-o", out / f"bilaga-{n}", "-q")

    def one(folder: str, pattern: str) -> Path:
        return sorted((out / folder).glob(pattern))[0]

    chosen = {
        **{f"brukarbrev-{n}": one(f"brev-{n}", f"brukarbrev-{n}_b-*[0-9].docx") for n in (1, 2, 3, 4)},
        **{f"brukarbrev-{n}-kopia": one(f"brev-{n}", f"brukarbrev-{n}_*_kopia-1.docx") for n in (1, 4)},
        "brukarbrev-4-atta-fragor": one("brev-4-atta", "brukarbrev-4_*_kopia-1.docx"),
        "terminssamtal-inbjudan": max((out / "term").glob("terminssamtal-inbjudan_*.docx"),
                                      key=lambda p: len(docx.Document(str(p)).sections)),
        "terminssamtal-fragor": one("term", "terminssamtal-fragor_*.docx"),
        "terminssamtal-minnesanteckningar": one("term", "terminssamtal-minnesanteckningar_*.docx"),
        "minnesanteckningar-enheten": one("minutes", "terminssamtal-minnesanteckningar_*.docx"),
        "minnesanteckningar-renskrivna": one("minutes", "terminssamtal-renskrivna_*.docx"),
        "manadsuppfoljning": one("monthly", "manadsuppfoljning_*.docx"),
        "hemgangssamtal": one("homecoming", "hemgangssamtal_*.docx"),
        **{f"oppenvard-bilaga-{n}": one(f"bilaga-{n}", f"oppenvard-bilaga-{n}_[!a]*.docx") for n in (1, 2)},
        # bilaga 3 to an outside partner: the one that goes by post
        "oppenvard-bilaga-3": next(p for p in sorted((out / "bilaga-3").glob("oppenvard-bilaga-3_[!a]*.docx"))
                                   if address_groups(docx.Document(str(p)))),
        "oppenvard-bilaga-4": one("bilaga-4", "oppenvard-bilaga-4_*[0-9].docx"),
    }
    staging = base / "docx"
    staging.mkdir()
    for name, path in chosen.items():
        shutil.copy(path, staging / f"{name}.docx")
    # a workbook goes through Calc's export filter: bilaga 4's charts
    shutil.copy(one("bilaga-4", "oppenvard-bilaga-4_*_diagram.xlsx"), staging / "oppenvard-bilaga-4-diagram.xlsx")
    made = pdf.convert(sorted(staging.glob("*.docx")) + [staging / "oppenvard-bilaga-4-diagram.xlsx"])
    assert len(made) == len(chosen) + 1 and all(p.exists() for p in made)  # the PDFs beside the documents
    return {p.stem: p for p in made}


# most pages each document may take (per recipient where a file holds several)
MAX_PAGES = {
    "brukarbrev-1": 1, "brukarbrev-2": 1, "brukarbrev-3": 2, "brukarbrev-4": 1, "brukarbrev-1-kopia": 1,
    "brukarbrev-4-kopia": 1, "brukarbrev-4-atta-fragor": 1,
    "terminssamtal-inbjudan": 2, "terminssamtal-fragor": 2, "terminssamtal-minnesanteckningar": 3,
    "minnesanteckningar-enheten": 3, "minnesanteckningar-renskrivna": 2, "manadsuppfoljning": 2,
    "hemgangssamtal": 1, "oppenvard-bilaga-1": 2, "oppenvard-bilaga-2": 2, "oppenvard-bilaga-3": 2,
    "oppenvard-bilaga-4": 3,
}
MAILED = ["brukarbrev-1", "brukarbrev-2", "brukarbrev-3", "brukarbrev-4", "brukarbrev-1-kopia", "brukarbrev-4-kopia",
          "brukarbrev-4-atta-fragor", "terminssamtal-inbjudan", "oppenvard-bilaga-3"]


def source(printed: dict[str, Path], name: str) -> docx.document.Document:
    return docx.Document(str(printed[name].with_suffix(".docx")))


@pytest.mark.parametrize("name", sorted(MAX_PAGES))
def test_page_count_and_no_nearly_empty_page(printed: dict[str, Path], name: str) -> None:
    pages = words_by_page(printed[name])
    recipients = len(source(printed, name).sections) if name == "terminssamtal-inbjudan" else 1
    assert len(pages) <= MAX_PAGES[name] * recipients, (name, len(pages))
    top, bottom = BODY
    for number, words in enumerate(pages, start=1):
        body = [w for w in words if top <= w.y <= bottom]
        lowest = max((w.bottom for w in body), default=top)
        # a page whose text ends in the top fifth of the body, or holds a few words only, is
        # a page a coordinator would not send (a signature or closing lines alone)
        assert lowest - top > 0.2 * (bottom - top) or len(body) > 60, (name, number, [w.text for w in body])
        assert len(body) >= 12, (name, number, [w.text for w in body])


def address_groups(document: docx.document.Document) -> list[str]:
    """The text of each run of framed paragraphs (one address per recipient), as words."""
    groups: list[list[str]] = []
    previous_framed = False
    for para in document.paragraphs:
        framed = para._p.pPr is not None and para._p.pPr.find(f"{W}framePr") is not None
        if framed and not previous_framed:
            groups.append([])
        if framed:
            groups[-1] += para.text.split()
        previous_framed = framed
    return [" ".join(g) for g in groups]


@pytest.mark.parametrize("name", MAILED)
def test_the_address_and_nothing_else_shows_in_the_envelope_window(printed: dict[str, Path], name: str) -> None:
    expected = address_groups(source(printed, name))
    assert expected and all(re.search(r"\d{3} \d{2} [A-ZÅÄÖ]", a) for a in expected), expected
    left, top, right, bottom = WINDOW
    first_pages = [words for words in words_by_page(printed[name])
                   if any(re.fullmatch(r"(?i)sida", a.text) and b.text == "1" for a, b in zip(words, words[1:]))]
    assert len(first_pages) == len(expected)
    for words, address in zip(first_pages, expected):
        shown = sorted((w for w in words if w.x < right and w.bottom > top and w.y < bottom and w.x + 1 > left),
                       key=lambda w: (round(w.y), w.x))
        assert " ".join(w.text for w in shown) == address, (name, [w.text for w in shown])
        assert 19 <= shown[0].x <= 22 and 47 <= shown[0].y <= 52, (shown[0].x, shown[0].y)
        assert all(w.bottom <= bottom - 1 and w.x >= left - 1 for w in shown)


def test_the_results_table_header_is_marked_as_a_table_header(printed: dict[str, Path]) -> None:
    data = printed["brukarbrev-4-atta-fragor"].read_bytes()
    assert len(re.findall(rb"/S\s*/TH\b", data)) >= 5  # Fråga, the unit, Kommunen, Hela landet, Förra året


@pytest.mark.parametrize("name", sorted(MAX_PAGES))
def test_pdf_a_2b_tagged_swedish_with_the_documents_title(printed: dict[str, Path], name: str) -> None:
    data = printed[name].read_bytes()
    assert re.search(rb"<pdfaid:part>2</pdfaid:part>", data) and re.search(rb"<pdfaid:conformance>B<", data)
    assert re.search(rb"/Lang\s*\(sv-SE\)", data)
    assert b"/StructTreeRoot" in data and b"/MarkInfo" in data
    title = source(printed, name).core_properties.title
    info = subprocess.run(["pdfinfo", str(printed[name])], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Title:\s+(.*)$", info, re.M).group(1) == title
    assert_pdf_a_2b(printed[name])


def test_a_workbook_is_pdf_a_2b_in_swedish_too(printed: dict[str, Path]) -> None:
    """openpyxl's workbooks name no language; the export profile makes LibreOffice write sv-SE."""
    data = printed["oppenvard-bilaga-4-diagram"].read_bytes()
    assert re.search(rb"<pdfaid:part>2</pdfaid:part>", data) and re.search(rb"/Lang\s*\(sv-SE\)", data)
    assert b"/StructTreeRoot" in data
    assert_pdf_a_2b(printed["oppenvard-bilaga-4-diagram"])


def stream_length_problems(path: Path) -> list[str]:
    """Streams whose /Length differs from the bytes between ``stream``'s EOL and the EOL before
    ``endstream`` (CR LF or LF, which ISO 19005-2 6.1.7.1 both allow and do not count)."""
    data = path.read_bytes()
    lengths = {m.group(1): int(m.group(2)) for m in re.finditer(rb"\n(\d+) 0 obj\s*(\d+)\s*endobj", data)}
    problems = []
    for m in re.finditer(rb"\n(\d+) 0 obj\s*<<((?:(?!endobj).)*?)>>\s*stream(\r\n|\n)", data, re.S):
        declared = re.search(rb"/Length (\d+)( 0 R)?", m.group(2))
        if declared is None:
            continue
        length = lengths.get(declared.group(1), -1) if declared.group(2) else int(declared.group(1))
        start = m.end()
        tail = data[start + length : start + length + 11]
        if not (tail.startswith(b"\r\nendstream") or tail.startswith(b"\nendstream") or tail.startswith(b"\rendstream")):
            problems.append(f"objekt {m.group(1).decode()}: /Length {length}")
    return problems


def assert_pdf_a_2b(path: Path) -> None:
    """The offline validator ``page`` agrees. LibreOffice 7.4 ends some page streams with a CR
    that /Length counts, then LF and ``endstream``; ``page`` takes CR LF as the end-of-line and
    reports the length one byte long. Where it reports that rule, every stream's /Length must
    instead end exactly at an end-of-line marker before ``endstream`` (ISO 19005-2, 6.1.7.1)."""
    page = pytest.importorskip("page", reason="the PDF/A validator page-validation is not installed")
    report = page.validate_pdf(path, profile="2b")
    failures = [(f.rule_id, f.message) for f in report.failures]
    if any(rule == "PDFA2B-STREAM-LENGTH-001" for rule, _ in failures):
        assert stream_length_problems(path) == []
        failures = [f for f in failures if f[0] != "PDFA2B-STREAM-LENGTH-001"]
    assert failures == []
