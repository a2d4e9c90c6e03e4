"""A template cannot make formkit run away: loops, numbers, texts, output and the .docx zip
itself are bounded, and each refusal names the template and the record (exit 1, a message,
nothing written). ``check`` parses templates and never runs them."""

from __future__ import annotations

import resource
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from formkit.cli import main
from formkit.docx.package import Member, write_zip
from helpers import write_case

RUNAWAY = {
    "nested range(100000)": ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", "range() ger högst 10 000 tal"),
    "nested range(10000)": ("{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}", "går mer än 1 000 000 varv"),
    "a huge power": ("{{ 10**(10**10) }}", "orimligt stort tal"),
    "a huge text": ("{{ 'x'*10**9 }}", "1 000 000 000 tecken"),
    "padding": ("{{ 'x'|center(10**9) }}", "1 000 000 000 tecken"),
    "a format width": ("{{ '%1000000000s'|format('x') }}", "orimlig bredd"),
    "doubling": ("{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}", "tecken"),
    "output": ("{% for i in range(100) %}{{ 'x' * 999999 }}{% endfor %}", "större än 10 MB"),
    "recursion": ("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "anropar sig själv"),
}


def template(folder: Path, *paragraphs: str, name: str = "brukarbrev-1.docx") -> Path:
    folder.mkdir(exist_ok=True)
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(folder / name)
    return folder


@pytest.mark.parametrize("kind", sorted(RUNAWAY))
def test_runaway_template_work_is_stopped_with_a_message(tmp_path: Path, kind: str) -> None:
    code, reason = RUNAWAY[kind]
    folder = template(tmp_path / "mallar", "Hej {{ client.name }}", code)
    case = write_case(tmp_path)
    checked = CliRunner().invoke(main, ["check", str(case), "--templates", str(folder)])
    assert checked.exit_code == 0, checked.output  # check reads the template, it does not run it
    out = tmp_path / "ut"
    result = CliRunner().invoke(main, ["letters", str(case), "-n", "1", "--templates", str(folder), "-o", str(out)])
    assert result.exit_code == 1, result.output
    assert "brukarbrev-1.docx" in result.output and "post b-001" in result.output and reason in result.output, result.output
    assert "Traceback" not in result.output
    assert not out.exists() or not any(out.iterdir())


class Declared(bytes):
    """Packed bytes that declare a larger unpacked size (what a zip directory says)."""

    def __new__(cls, size: int) -> "Declared":
        obj = super().__new__(cls, b"")
        obj.size = size
        return obj

    def __len__(self) -> int:
        return self.size


def zip_bomb(path: Path, gigabytes: int = 3) -> Path:
    """A valid zip of a few MB whose word/document.xml unpacks to ``gigabytes`` GB of spaces."""
    block = 1 << 20
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = compressor.compress(b" " * block) + compressor.flush(zlib.Z_FULL_FLUSH)  # independent of what came before
    count = gigabytes * 1024
    crc = 0
    spaces = b" " * block
    for _ in range(count):
        crc = zlib.crc32(spaces, crc)
    packed = chunk * count + compressor.flush()
    bomb = Member("word/document.xml", Declared(block * count), packed, crc)
    path.write_bytes(write_zip([bomb]))
    return path


def test_a_zip_bomb_is_refused_from_its_directory_with_little_memory(tmp_path: Path) -> None:
    folder = tmp_path / "mallar"
    folder.mkdir()
    bomb = zip_bomb(folder / "brukarbrev-1.docx")
    assert bomb.stat().st_size < 5_000_000
    with zipfile.ZipFile(bomb) as archive:
        assert archive.getinfo("word/document.xml").file_size == 3 << 30
    case = write_case(tmp_path)

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    for command in (["check", str(case)], ["letters", str(case), "-n", "1", "-o", str(tmp_path / "ut")]):
        result = subprocess.run([sys.executable, "-m", "formkit", *command, "--templates", str(folder)], capture_output=True,
                                text=True, preexec_fn=limit_memory, timeout=120, cwd=Path(__file__).parent.parent)
        assert result.returncode == 1, result.stderr
        assert "brukarbrev-1.docx" in result.stderr and "packas upp" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr


def test_a_member_packed_like_a_bomb_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "mallar"
    folder.mkdir()
    block = b" " * (50 << 20)
    with zipfile.ZipFile(folder / "brukarbrev-1.docx", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", block)
    result = CliRunner().invoke(main, ["check", str(write_case(tmp_path)), "--templates", str(folder)])
    assert result.exit_code == 1 and "gånger sin storlek, vilket ingen Word-fil gör" in result.output, result.output


def test_a_zip_of_too_many_members_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "mallar"
    folder.mkdir()
    with zipfile.ZipFile(folder / "brukarbrev-1.docx", "w") as archive:
        for i in range(5001):
            archive.writestr(f"x/{i}.xml", "")
    result = CliRunner().invoke(main, ["check", str(write_case(tmp_path)), "--templates", str(folder)])
    assert result.exit_code == 1 and "5001 delar" in result.output, result.output
