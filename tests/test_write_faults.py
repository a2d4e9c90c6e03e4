"""A letters batch interrupted or failing at any step leaves the output folder exactly as it
was (or, after SIGKILL, restored by the next run), with no hidden files holding letters."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import io
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import write_case

from formkit import output
from formkit.cli import main
from formkit.docx.render import CompiledTemplate
from formkit.errors import DataError

ROOT = Path(__file__).resolve().parent.parent


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def clients(n: int, name: str = "Klient") -> list[dict]:
    made = [
        {"id": f"b-{i:04d}", "name": f"{name} {i}", "unit": "ht-norra",
         "address": {"street": f"Storgatan {i}", "postcode": "123 45", "city": "Exempelby"}}
        for i in range(n)
    ]
    made[1].update(protected_identity=True, personal_number="19400101-1230", address=None)
    return made


def run_cli(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "formkit", *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)


def start_cli(*args: object) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "formkit", *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})


def wait_for_staged_letters(out: Path, process: subprocess.Popen[str], at_least: int) -> None:
    """Until the batch's staging folder holds ``at_least`` letters (the run is mid-batch)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        staged = list(out.glob(".formkit-staging-*/new/*.docx"))
        if len(staged) >= at_least:
            return
        if process.poll() is not None:
            pytest.fail(f"the run ended before it could be interrupted: {process.stderr.read() if process.stderr else ''}")
        time.sleep(0.005)
    pytest.fail("the batch never started staging letters")


@pytest.fixture
def previous_run(tmp_path: Path) -> tuple[Path, Path, dict[str, bytes]]:
    """A folder holding a complete earlier run; the case file then changes (new names), so a
    new run would change every letter."""
    case = write_case(tmp_path, clients=clients(400, "Förra"))
    out = tmp_path / "ut"
    assert run_cli("letters", case, "-n", 1, "-o", out).returncode == 0
    write_case(tmp_path, clients=clients(400, "Nya"))
    return case, out, snapshot(out)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_an_interrupted_batch_leaves_the_folder_as_it_was(previous_run: tuple[Path, Path, dict[str, bytes]], sig: int) -> None:
    case, out, before = previous_run
    process = start_cli("letters", case, "-n", 1, "-o", out)
    wait_for_staged_letters(out, process, 50)
    process.send_signal(sig)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "avbrutet" in err and "Traceback" not in err
    assert snapshot(out) == before  # byte for byte, hidden files included


def test_after_sigkill_the_next_run_cleans_up_and_says_so(previous_run: tuple[Path, Path, dict[str, bytes]]) -> None:
    case, out, before = previous_run
    process = start_cli("letters", case, "-n", 1, "-o", out)
    wait_for_staged_letters(out, process, 50)
    process.kill()
    process.wait(timeout=60)
    leftovers = {k: v for k, v in snapshot(out).items() if not k.startswith(".formkit-staging-")}
    assert leftovers == before  # nothing outside the staging folder changed
    rerun = run_cli("letters", case, "-n", 1, "-o", out)
    assert rerun.returncode == 0, rerun.stderr
    assert "avbröts" in rerun.stdout
    assert not list(out.glob(".formkit-*"))
    after = snapshot(out)
    assert set(after) == set(before)
    assert after["brukarbrev-1_b-0000.docx"] != before["brukarbrev-1_b-0000.docx"]


def generation(data: bytes) -> str:
    """Which run made a file: "old" (clients named Förra), "new" (Nya) or "same" (no names)."""
    with zipfile.ZipFile(io.BytesIO(data)) if data.startswith(b"PK") else contextlib.nullcontext() as package:
        text = b"".join(package.read(n) for n in package.namelist()) if package else data
    return "new" if b"Nya " in text else "old" if "Förra ".encode() in text else "same"


def test_sigkill_at_any_moment_leaves_old_or_new_once_recovered(tmp_path: Path) -> None:
    """Killed at several moments (some during the commit): after the next run's recovery the
    folder is either exactly the old run or exactly the new one, never a mix."""
    case = write_case(tmp_path, clients=clients(60, "Förra"))
    out = tmp_path / "ut"
    assert run_cli("letters", case, "-n", 1, "-o", out).returncode == 0
    old = snapshot(out)
    write_case(tmp_path, clients=clients(60, "Nya"))
    for delay in (0.3, 0.6, 0.9, 1.2, 1.5, 2.0):
        process = start_cli("letters", case, "-n", 1, "-o", out)
        time.sleep(delay)
        process.kill()
        process.wait(timeout=60)
        messages = output.recover(out)
        state = snapshot(out)
        assert set(state) == set(old), delay
        made_by = {generation(data) for data in state.values()} - {"same"}
        assert state == old or made_by == {"new"}, (delay, messages, made_by)
        if state != old:  # the next round starts from the old run again
            for name, data in old.items():
                (out / name).write_bytes(data)


def test_a_failed_rerun_keeps_the_previous_protected_letters(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    case = write_case(tmp_path, clients=clients(5))
    out = tmp_path / "ut"
    runner = CliRunner()
    assert runner.invoke(main, ["letters", str(case), "-n", "1", "-o", str(out)]).exit_code == 0
    before = snapshot(out)
    assert any(k.startswith("skyddad-identitet/") for k in before)
    real_render = CompiledTemplate.render

    def render_failing_at_b0003(self: CompiledTemplate, context: dict, record: str, **options: object) -> object:
        if record == "b-0003":
            raise DataError(f"{record}: fältet client.name går inte att skriva ut")
        return real_render(self, context, record, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(CompiledTemplate, "render", render_failing_at_b0003)
    result = runner.invoke(main, ["letters", str(case), "-n", "1", "-o", str(out)])
    assert result.exit_code == 1 and "b-0003" in result.output
    assert snapshot(out) == before


def earlier_batch(tmp_path: Path) -> tuple[Path, Path, dict[str, bytes]]:
    """A small letters batch written into ``ut``, then the case file changed (new names):
    (case file, folder, the folder's bytes) for a run over it that must fail cleanly."""
    case = write_case(tmp_path, clients=clients(4, "Förra"))
    out = tmp_path / "ut"
    assert CliRunner().invoke(main, ["letters", str(case), "-n", "1", "-o", str(out)]).exit_code == 0
    before = snapshot(out)
    write_case(tmp_path, clients=clients(4, "Nya"))
    return case, out, before


def fail_each_call_in_turn(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, owner: object, name: str,
                           calls_per_file: int) -> None:
    """Re-run a small letters batch over an earlier one, failing the k-th call of
    ``owner.name`` with a full disk, for every k: the folder must stay byte-identical."""
    case, out, before = earlier_batch(tmp_path)
    runner = CliRunner()
    real = getattr(owner, name)
    for k in range(1, len(before) * calls_per_file + 1):
        calls = {"n": 0}

        def failing(*args: object, k: int = k, **kwargs: object) -> object:
            calls["n"] += 1
            if calls["n"] == k:
                raise OSError(errno.ENOSPC, "No space left on device")
            return real(*args, **kwargs)

        monkeypatch.setattr(owner, name, failing)
        result = runner.invoke(main, ["letters", str(case), "-n", "1", "-o", str(out)])
        monkeypatch.setattr(owner, name, real)
        assert result.exit_code == 1 and "disken är full" in result.output, (k, result.output)
        assert snapshot(out) == before, k


def test_fault_at_every_rename_of_a_letters_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # each file takes two renames: the old one aside, the new one in
    fail_each_call_in_turn(tmp_path, monkeypatch, output.os, "replace", calls_per_file=2)


def test_fault_while_making_any_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fail_each_call_in_turn(tmp_path, monkeypatch, output, "_new_file", calls_per_file=1)


def test_a_batch_that_cannot_reach_the_disk_leaves_the_folder_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The files are put on disk together before the commit (syncfs); a failed write-back
    (the disk filled after the files were written to memory) stops the run before the commit."""
    if output.SYNCFS is None:
        pytest.skip("syncfs finns bara på Linux; där fsyncas varje fil (nästa test)")
    case, out, before = earlier_batch(tmp_path)

    def failing_syncfs(fd: int) -> int:
        ctypes.set_errno(errno.ENOSPC)
        return -1

    monkeypatch.setattr(output, "SYNCFS", failing_syncfs)
    result = CliRunner().invoke(main, ["letters", str(case), "-n", "1", "-o", str(out)])
    assert result.exit_code == 1 and "disken är full" in result.output, result.output
    assert snapshot(out) == before


def test_without_syncfs_every_file_is_fsynced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if not Path("/proc/self/fd").is_dir():
        pytest.skip("testet läser filnamnen ur /proc (Linux)")
    monkeypatch.setattr(output, "SYNCFS", None)
    synced: list[str] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    monkeypatch.setattr(output.os, "fsync", fsync)
    case = write_case(tmp_path, clients=clients(3))
    out = tmp_path / "ut"
    assert CliRunner().invoke(main, ["letters", str(case), "-n", "1", "-o", str(out)]).exit_code == 0
    made = [p for p in out.rglob("*") if p.is_file()]
    assert made
    for path in made:
        # each file was fsynced under its staging name, which ends in its path in the folder
        assert any(s.endswith("/" + path.relative_to(out).as_posix()) and ".formkit-staging-" in s for s in synced), path
