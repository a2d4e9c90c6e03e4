"""``formkit.pdf``: a batch converted by a pool of LibreOffice processes, each with its own
profile; every PDF is its own document's, a file LibreOffice cannot read is one clear error with
nothing written, and an interrupted run leaves no LibreOffice behind."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from formkit import pdf
from formkit.errors import ConversionError
from formkit.output import Output, write
from helpers import word_template, write_case

needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) is not installed")
ROOT = Path(__file__).resolve().parent.parent


def text_of(pdf_path: Path) -> str:
    return subprocess.run(["pdftotext", str(pdf_path), "-"], capture_output=True, text=True, check=True).stdout


def documents(folder: Path, names: list[str]) -> list[Path]:
    """One small .docx per name, each with a text of its own (the name, spelled out)."""
    folder.mkdir(parents=True, exist_ok=True)
    return [word_template(folder / f"{name}.docx", f"Brev till {name}", f"Kod {name.upper()}-{i}") for i, name in enumerate(names)]


class Recorder:
    """Stands in for ``subprocess.Popen`` while a test runs: keeps each ``soffice`` command line
    and how many ran at once, and starts the real process."""

    def __init__(self) -> None:
        self.commands: list[list[str]] = []
        self.live: set[int] = set()
        self.most = 0
        recorder, real = self, subprocess.Popen

        class Recording(real):  # type: ignore[misc, valid-type]
            def __init__(self, args: list[str], **kwargs: object) -> None:
                super().__init__(args, **kwargs)
                if "--convert-to" in args:  # not pdftotext, which the test runs
                    recorder.commands.append(list(args))
                    recorder.live.add(self.pid)
                    recorder.most = max(recorder.most, len(recorder.live))

            def poll(self) -> int | None:
                code = super().poll()
                if code is not None:
                    recorder.live.discard(self.pid)
                return code

        self.popen = Recording

    def files(self, command: list[str]) -> list[str]:
        return [Path(a).name for a in command[command.index("--outdir") + 2:]]

    def profiles(self) -> set[str]:
        return {a for c in self.commands for a in c if a.startswith("-env:UserInstallation=")}


def test_chunks_are_balanced_with_the_big_file_on_its_own_side(monkeypatch: pytest.MonkeyPatch) -> None:
    """The print file (one big document) takes one process's share; the letters fill the rest."""
    monkeypatch.setattr(pdf, "CHUNK", 40)
    folder = Path("/ut")
    letters = [folder / f"brev_{i:03d}.docx" for i in range(101)]
    print_file = folder / "utskrift.docx"
    protected = [folder / "skyddad" / f"brev_{i}.docx" for i in range(3)]
    paths = [print_file, *letters, *protected]
    weights = {p: 0.1 for p in paths} | {print_file: 5.0}
    chunks = pdf.plan_chunks(paths, weights, 2)
    assert sorted(p for c in chunks for p in c.files) == sorted(paths)  # each file once
    assert all(len(c.files) <= 40 and len({p.parent for p in c.files}) == 1 for c in chunks)
    main = [c for c in chunks if c.folder == folder]
    assert len(main) == 4  # ceil(102 / 40) = 3, rounded up to a multiple of two processes
    assert max(c.seconds for c in main) - min(c.seconds for c in main) <= 5.0  # within one big file
    assert [c.seconds for c in chunks] == sorted((c.seconds for c in chunks), reverse=True)  # heaviest first
    assert [c.folder for c in pdf.plan_chunks(paths, weights, 1)].count(folder) == 3  # one process: as few calls as fit


@pytest.mark.soffice
@needs_poppler
def test_a_pool_of_two_converts_every_file_of_a_batch_over_several_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf, "CHUNK", 3)
    recorder = Recorder()
    monkeypatch.setattr(pdf.subprocess, "Popen", recorder.popen)
    names = ["anna", "bertil", "cesar", "david", "erik", "filip", "gustav", "helge"]
    paths = documents(tmp_path / "ut", names) + documents(tmp_path / "ut" / "skyddad-identitet", ["ivar", "johan"])
    made = pdf.convert(paths, processes=2)
    assert made == [p.with_suffix(".pdf") for p in paths]
    for path, i in zip(made, [*range(8), 0, 1]):
        text = text_of(path)
        name = path.stem
        assert f"Brev till {name}" in text and f"Kod {name.upper()}-{i}" in text, path
        assert not any(f"Brev till {other}\n" in text for other in [*names, "ivar", "johan"] if other != name), path
    # every file in exactly one call, no call over CHUNK files, two profiles, two at once
    called = sorted(f for c in recorder.commands for f in recorder.files(c))
    assert called == sorted(p.name for p in paths)
    assert all(len(recorder.files(c)) <= 3 for c in recorder.commands)
    assert len(recorder.commands) == 5  # ut/: ceil(8 / 3) = 3, rounded up to 4 for two processes; skyddad-identitet/: 1
    assert len(recorder.profiles()) == 2 and recorder.most == 2
    assert not list(tmp_path.rglob("*.docx.pdf")) and sorted(p.name for p in tmp_path.rglob("*.pdf")) == sorted(p.name for p in made)


@pytest.mark.soffice
def test_a_big_enough_batch_gets_two_processes_by_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf, "CHUNK", 2)
    monkeypatch.setattr(pdf, "_cores", lambda: 2)
    recorder = Recorder()
    monkeypatch.setattr(pdf.subprocess, "Popen", recorder.popen)
    paths = documents(tmp_path, ["a", "b", "c", "d"])
    monkeypatch.setattr(pdf, "POOL_FROM", 10.0)  # 4 letters are worth about 0.4 s: one process
    pdf.convert(paths)
    assert len(recorder.profiles()) == 1 and recorder.most == 1
    for made in tmp_path.glob("*.pdf"):
        made.unlink()
    recorder.commands.clear()
    monkeypatch.setattr(pdf, "POOL_FROM", 0.3)
    pdf.convert(paths)
    assert len(recorder.profiles()) == 2 and recorder.most == 2
    monkeypatch.setattr(pdf, "_cores", lambda: 1)  # one core: never a second process
    recorder.commands.clear()
    pdf.convert(paths)
    assert len(recorder.profiles()) == 1


@pytest.mark.soffice
def test_a_file_libreoffice_cannot_read_is_a_clear_error_and_nothing_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf, "CHUNK", 2)
    monkeypatch.setattr(pdf, "_cores", lambda: 2)
    monkeypatch.setattr(pdf, "POOL_FROM", 0.0)
    source = tmp_path / "källa"
    good = documents(source, ["anna", "bertil", "cesar", "david"])
    broken = source / "trasig.docx"
    with zipfile.ZipFile(broken, "w") as package:  # a zip, but nothing Word or LibreOffice can open
        package.writestr("x.txt", "hej")
    output = Output("test")
    for path in [*good[:2], broken, *good[2:]]:
        output.add(f"brev/{path.name}", path.read_bytes(), pdf=True)
    folder = tmp_path / "ut"
    folder.mkdir()
    (folder / "gammal.txt").write_text("finns kvar")
    with pytest.raises(ConversionError) as info:
        write(output, folder, pdf=True)
    message = str(info.value)
    assert "1 fil(er), t.ex. trasig.docx" in message and "inga filer skrevs" in message and "utan --pdf" in message
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")) == ["gammal.txt"]


@pytest.mark.soffice
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_an_interrupted_run_leaves_no_libreoffice_behind(tmp_path: Path, stop: signal.Signals) -> None:
    """Stopped while LibreOffice converts, formkit kills its whole process tree (soffice starts
    oosplash, which starts soffice.bin) and leaves the output folder as it was."""
    clients = [{"id": f"b-{i:03d}", "name": f"Klient Nummer{i}", "unit": "ht-norra", "birth_year": 1938,
                "address": {"street": f"Storgatan {i}", "postcode": "123 45", "city": "Exempelby"}} for i in range(60)]
    case = write_case(tmp_path, clients=clients)
    own_tmp = tmp_path / "tmp"  # the profile folders are made here: the processes are found by it
    own_tmp.mkdir()
    out = tmp_path / "ut"
    env = {**os.environ, "TMPDIR": str(own_tmp), "PYTHONPATH": str(ROOT)}
    run = subprocess.Popen([sys.executable, "-m", "formkit", "letters", str(case), "-n", "3", "--all-clients", "--pdf", "-o", str(out)],
                           env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def ours() -> list[str]:
        found = subprocess.run(["pgrep", "-af", str(own_tmp)], capture_output=True, text=True).stdout
        return [line for line in found.splitlines() if "soffice" in line or "oosplash" in line]

    waited = 0.0
    while not any("soffice.bin" in line for line in ours()):
        assert run.poll() is None and waited < 120, "LibreOffice never started"
        time.sleep(0.1)
        waited += 0.1
    run.send_signal(stop)
    _, err = run.communicate(timeout=60)
    assert run.returncode == 130, err
    assert "avbrutet" in err and "Traceback" not in err
    waited = 0.0
    while ours() and waited < 10:  # SIGKILLed processes may take a moment to be gone
        time.sleep(0.1)
        waited += 0.1
    assert ours() == []
    assert not out.exists() or [p for p in out.rglob("*")] == []
    assert re.sub(r"\s+", " ", err).count("formkit:") == 1
