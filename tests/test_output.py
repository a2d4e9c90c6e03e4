"""The one write path: all files or none, owner-only permissions, clear messages, recovery."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from formkit import output, pdf
from formkit.errors import ConverterMissing, OutputError
from formkit.output import Output, Sink, csv_bytes, write


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (hidden ones too) with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def planned(*names: str) -> Output:
    result = Output("test")
    for name in names:
        result.add(name, f"ny {name}".encode())
    return result


def test_files_and_folders_are_owner_only(tmp_path: Path) -> None:
    written = write(planned("a.txt", "under/b.txt"), tmp_path / "x" / "y" / "ut")
    assert [p.name for p in written.files] == ["a.txt", "b.txt"]
    for path in written.files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for folder in (tmp_path / "x", tmp_path / "x" / "y", tmp_path / "x" / "y" / "ut", tmp_path / "x" / "y" / "ut" / "under"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    assert snapshot(tmp_path / "x") == {"y/ut/a.txt": b"ny a.txt", "y/ut/under/b.txt": b"ny under/b.txt"}


def test_a_full_disk_midway_leaves_the_folder_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "ut"
    folder.mkdir()
    (folder / "f1.txt").write_text("gammal")
    before = snapshot(folder)
    calls = {"n": 0}
    real_fdopen = os.fdopen

    def failing_fdopen(fd: int, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 3:
            os.close(fd)
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_fdopen(fd, *args, **kwargs)

    monkeypatch.setattr(output.os, "fdopen", failing_fdopen)
    with pytest.raises(OutputError) as info:
        write(planned(*(f"f{i}.txt" for i in range(5))), folder)
    assert "disken är full" in str(info.value) and "Mappen är som förut" in str(info.value)
    assert snapshot(folder) == before


def test_a_new_folder_is_removed_again_when_the_run_fails(tmp_path: Path) -> None:
    def broken(sink: Sink) -> None:
        sink.add("a.txt", b"x")
        raise KeyboardInterrupt

    result = Output("test")
    result.produce([("a.txt", False), ("b.txt", False)], broken)
    with pytest.raises(KeyboardInterrupt):
        write(result, tmp_path / "a" / "b")
    assert list(tmp_path.iterdir()) == []


def test_output_path_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "ut").write_text("en fil")
    with pytest.raises(OutputError) as info:
        write(planned("a.txt"), tmp_path / "ut")
    assert "inte en mapp" in str(info.value)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write in a read-only folder; the errno path is tested below")
def test_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ut"
    folder.mkdir()
    folder.chmod(0o500)
    with pytest.raises(OutputError) as info:
        write(planned("a.txt"), folder)
    assert "skrivskyddad" in str(info.value)


def test_read_only_errno_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(output.os, "open", refuse)
    with pytest.raises(OutputError) as info:
        write(planned("a.txt"), tmp_path)
    assert "skrivskyddad" in str(info.value) and "Mappen är som förut" in str(info.value)


def test_csv_is_excel_friendly_and_formula_safe() -> None:
    data = csv_bytes(["id", "fil"], [["=HYPERLINK(\"x\")", "å;ä"], ["+1", "@SUM(A1)"], ["-2+3", "ok"]])
    text = data.decode("utf-8-sig")
    assert data.startswith(b"\xef\xbb\xbf")
    assert "'=HYPERLINK" in text and "'+1" in text and "'@SUM" in text and "'-2+3" in text
    assert '"å;ä"' in text


def test_missing_soffice_is_a_clear_error_and_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    folder = tmp_path / "ut"
    folder.mkdir()
    result = Output("test")
    result.add("a.docx", b"x", pdf=True)
    with pytest.raises(ConverterMissing) as info:
        write(result, folder, pdf=True)
    assert "LibreOffice" in str(info.value)
    assert snapshot(folder) == {}


@pytest.mark.parametrize("failing_call", [1, 2, 3, 4])
def test_a_failed_rename_puts_the_folder_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing_call: int) -> None:
    folder = tmp_path / "ut"
    folder.mkdir()
    (folder / "a.txt").write_text("gammal a")
    before = snapshot(folder)
    real_replace = os.replace
    calls = {"n": 0}

    def failing_replace(src: object, dst: object) -> None:
        calls["n"] += 1
        if calls["n"] == failing_call:
            raise OSError(errno.EACCES, "Permission denied")
        real_replace(src, dst)

    monkeypatch.setattr(output.os, "replace", failing_replace)
    with pytest.raises(OutputError) as info:
        write(planned("a.txt", "b.txt", "ny/c.txt"), folder)
    monkeypatch.setattr(output.os, "replace", real_replace)
    assert "Mappen är som förut" in str(info.value)
    assert snapshot(folder) == before
    assert sorted(p.name for p in folder.iterdir()) == ["a.txt"]


def test_two_paths_that_differ_only_in_case_are_refused() -> None:
    result = planned("brev_b-001.docx")
    with pytest.raises(OutputError) as info:
        result.add("brev_B-001.docx", b"x")
    assert "stora och små bokstäver" in str(info.value)


def test_a_path_outside_the_folder_is_a_bug() -> None:
    for bad in ("../a.txt", "/etc/passwd", "a/../../b", ""):
        with pytest.raises(ValueError):
            planned(bad)


def test_leftovers_of_a_killed_commit_are_undone_by_the_next_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A commit stopped half-way (as SIGKILL would) is undone from its journal by the next write."""
    folder = tmp_path / "ut"
    folder.mkdir()
    (folder / "a.txt").write_text("gammal a")
    (folder / "b.txt").write_text("gammal b")
    before = snapshot(folder)
    real_replace = os.replace
    calls = {"n": 0}

    class Killed(BaseException):
        pass

    def dying_replace(src: object, dst: object) -> None:
        calls["n"] += 1
        if calls["n"] == 4:  # a aside, a in, b aside: then the process "dies"
            raise Killed
        real_replace(src, dst)

    monkeypatch.setattr(output.os, "replace", dying_replace)
    monkeypatch.setattr(output.shutil, "rmtree", lambda *a, **k: None)  # a killed process cleans nothing
    with pytest.raises(Killed):
        write(planned("a.txt", "b.txt", "c.txt"), folder)
    monkeypatch.undo()
    assert (folder / "a.txt").read_text() == "ny a.txt"  # half-committed
    assert [p.name for p in folder.glob(".formkit-staging-*")]
    messages = output.recover(folder)
    assert messages and "avbröts" in messages[0]
    assert snapshot(folder) == before
