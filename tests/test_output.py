"""Output writing: all files or none, owner-only permissions, clear messages."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from formkit import output
from formkit.errors import ConverterMissing, OutputError
from formkit.output import Batch, csv_bytes


def test_files_are_owner_only(tmp_path: Path) -> None:
    batch = Batch(tmp_path / "ut")
    batch.add("a.txt", b"x")
    [path] = batch.commit()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "ut").stat().st_mode) == 0o700


def test_a_full_disk_midway_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "ut").mkdir()
    (tmp_path / "ut" / "old.txt").write_text("kvar")
    calls = {"n": 0}
    real_fdopen = os.fdopen

    def failing_fdopen(fd: int, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 3:
            os.close(fd)
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_fdopen(fd, *args, **kwargs)

    monkeypatch.setattr(output.os, "fdopen", failing_fdopen)
    batch = Batch(tmp_path / "ut")
    for i in range(5):
        batch.add(f"f{i}.txt", b"data")
    with pytest.raises(OutputError) as info:
        batch.commit()
    assert "disken är full" in str(info.value)
    assert sorted(p.name for p in (tmp_path / "ut").iterdir()) == ["old.txt"]


def test_output_path_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "ut").write_text("en fil")
    with pytest.raises(OutputError) as info:
        Batch(tmp_path / "ut").commit()
    assert "inte en mapp" in str(info.value)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write in a read-only folder; the errno path is tested above")
def test_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ut"
    folder.mkdir()
    folder.chmod(0o500)
    batch = Batch(folder)
    batch.add("a.txt", b"x")
    with pytest.raises(OutputError) as info:
        batch.commit()
    assert "skrivskyddad" in str(info.value)


def test_read_only_errno_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(output.tempfile, "mkstemp", refuse)
    batch = Batch(tmp_path)
    batch.add("a.txt", b"x")
    with pytest.raises(OutputError) as info:
        batch.commit()
    assert "skrivskyddad" in str(info.value) and "Inget har skrivits" in str(info.value)


def test_csv_is_excel_friendly_and_formula_safe() -> None:
    data = csv_bytes(["id", "fil"], [["=HYPERLINK(\"x\")", "å;ä"], ["+1", "@SUM(A1)"]])
    text = data.decode("utf-8-sig")
    assert data.startswith(b"\xef\xbb\xbf")
    assert "'=HYPERLINK" in text and "'+1" in text and "'@SUM" in text
    assert '"å;ä"' in text


def test_missing_soffice_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from formkit import pdf

    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    (tmp_path / "a.docx").write_bytes(b"x")
    with pytest.raises(ConverterMissing) as info:
        pdf.convert([tmp_path / "a.docx"], tmp_path / "pdf")
    assert "LibreOffice" in str(info.value)
    assert not (tmp_path / "pdf").exists()


def test_a_failed_rename_puts_the_folder_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "ut"
    folder.mkdir()
    (folder / "a.txt").write_text("gammal a")
    real_replace = os.replace
    calls = {"n": 0}

    def failing_replace(src: object, dst: object) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(errno.EACCES, "Permission denied")
        real_replace(src, dst)

    monkeypatch.setattr(output.os, "replace", failing_replace)
    batch = Batch(folder)
    batch.add("a.txt", b"ny a")
    batch.add("b.txt", b"ny b")
    with pytest.raises(OutputError) as info:
        batch.commit()
    monkeypatch.setattr(output.os, "replace", real_replace)
    assert "Mappen är som förut" in str(info.value)
    assert sorted(p.name for p in folder.iterdir()) == ["a.txt"]
    assert (folder / "a.txt").read_text() == "gammal a"
