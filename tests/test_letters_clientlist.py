"""formkit letters --clients: the coordinator's own list in Excel or CSV."""

from __future__ import annotations

from pathlib import Path

import docx
import openpyxl
from click.testing import CliRunner

from formkit.cli import main
from helpers import write_case


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def letter_text(path: Path) -> str:
    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


def test_xlsx_list_with_swedish_headers(tmp_path: Path) -> None:
    case = write_case(tmp_path)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Kundnummer", "Namn", "Gatuadress", "C/o", "Postnummer", "Postort", "Enhet", "Skyddad identitet", "Personnummer", "Telefon"])
    sheet.append(["k1", "Greta Ström", "Ågatan 5", "", "012 34", "Exempelby", "Hemtjänst Norra", "nej", "", "070-1"])
    sheet.append([42, "=Siffer Namn", "Bogatan 1", "Sonen Ek", 12345, "Exempelby", "ht-norra", "", None, None])
    sheet["B3"].data_type = "s"  # typed as text in Excel: a name that only looks like a formula
    sheet.append([None] * 10)  # an empty row is ignored
    sheet.append(["k3", "Skyddad Sara", "Hemlig 1", "", "123 45", "Gömby", "ht-norra", "ja", "19400101-1230", ""])
    sheet.append(["k4", "Utan Adress", "", "", "", "", "ht-norra", "", "", ""])
    book.save(tmp_path / "lista.xlsx")
    result = run("letters", case, "-n", 1, "--clients", tmp_path / "lista.xlsx", "-o", tmp_path / "ut")
    assert result.exit_code == 0, result.output
    out = tmp_path / "ut"
    assert "Greta Ström\nÅgatan 5\n012 34 EXEMPELBY" in letter_text(out / "brukarbrev-1_k1.docx")
    assert "=Siffer Namn\nc/o Sonen Ek\nBogatan 1\n123 45 EXEMPELBY" in letter_text(out / "brukarbrev-1_42.docx")
    assert (out / "skyddad-identitet" / "brukarbrev-1_k3.docx").exists()
    assert "Hemlig 1" not in letter_text(out / "skyddad-identitet" / "brukarbrev-1_k3.docx")
    assert "k4 (saknar adress)" in result.output
    assert not (out / "brukarbrev-1_b-001.docx").exists()  # the list replaces the case file's clients
    rows = list(openpyxl.load_workbook(out / "adresslista_brukarbrev-1.xlsx").active.iter_rows(min_row=2, values_only=True))
    assert [r[3] for r in rows] == ["012 34", "123 45"]


def test_csv_in_windows_1252_with_semicolons(tmp_path: Path) -> None:
    case = write_case(tmp_path)
    text = "Id;Namn;Adress;Postnummer;Ort\r\nc1;Östen Åberg;Storgatan 1;012 34;Exempelby\r\n"
    (tmp_path / "lista.csv").write_bytes(text.encode("cp1252"))
    result = run("letters", case, "-n", 2, "--clients", tmp_path / "lista.csv", "-o", tmp_path / "ut")
    assert result.exit_code == 0, result.output
    assert "Östen Åberg\nStorgatan 1\n012 34 EXEMPELBY" in letter_text(tmp_path / "ut" / "brukarbrev-2_c1.docx")


def test_comma_csv_without_id_column_uses_row_numbers(tmp_path: Path) -> None:
    case = write_case(tmp_path)
    (tmp_path / "lista.csv").write_text("Förnamn,Efternamn,Utdelningsadress,Postnr,Postort\nBo,Ek,\"Väg 1, lgh 1101\",123 45,Exempelby\n", encoding="utf-8-sig")
    result = run("letters", case, "-n", 2, "--clients", tmp_path / "lista.csv", "-o", tmp_path / "ut")
    assert result.exit_code == 0, result.output
    assert "Bo Ek\nVäg 1, lgh 1101" in letter_text(tmp_path / "ut" / "brukarbrev-2_rad-2.docx")


def test_bad_rows_are_all_reported_with_row_numbers(tmp_path: Path) -> None:
    case = write_case(tmp_path)
    (tmp_path / "lista.csv").write_text(
        "Id;Namn;Adress;Postnummer;Ort;Enhet;Skyddad identitet;Personnummer\n"
        "a1;Ett;Gata 1;12;Stad;ht-norra;nej;\n"
        "a2;Två;Gata 2;123 45;;ht-norra;nej;\n"
        "a3;Tre;Gata 3;123 45;Stad;okänd-enhet;kanske;\n"
        "a3;;Gata 4;123 45;Stad;ht-norra;ja;19400101-1231\n",
        encoding="utf-8",
    )
    result = run("letters", case, "-n", 1, "--clients", tmp_path / "lista.csv", "-o", tmp_path / "ut")
    assert result.exit_code == 1
    output = result.output
    assert "rad 2, kolumnen Postnummer" in output
    assert "rad 3, kolumnen Ort" in output and "ofullständig" in output
    assert "rad 4, kolumnen Enhet" in output and "okänd-enhet" in output
    assert "rad 4, kolumnen Skyddad identitet" in output
    assert "rad 5, kolumnen Namn" in output
    assert "rad 5, kolumnen Personnummer" in output and "kontrollsiffra" in output
    assert "19400101-1231" not in output  # never a personal number in a message
    assert not (tmp_path / "ut").exists()


def test_missing_columns_are_named(tmp_path: Path) -> None:
    case = write_case(tmp_path)
    (tmp_path / "lista.csv").write_text("Namn;Telefon\nBo;070\n", encoding="utf-8")
    result = run("letters", case, "-n", 1, "--clients", tmp_path / "lista.csv", "-o", tmp_path / "ut")
    assert result.exit_code == 1
    assert "Adress, Postnummer, Ort saknas" in result.output and "Namn, Telefon" in result.output


def test_not_a_spreadsheet(tmp_path: Path) -> None:
    case = write_case(tmp_path)
    (tmp_path / "lista.xlsx").write_text("inte excel")
    result = run("letters", case, "-n", 1, "--clients", tmp_path / "lista.xlsx", "-o", tmp_path / "ut")
    assert result.exit_code == 1 and ".xlsx" in result.output
