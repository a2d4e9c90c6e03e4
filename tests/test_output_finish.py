"""Output.finish: files made after every other file (and its PDF) exists, from them."""

from __future__ import annotations

from pathlib import Path

import pytest

from formkit.output import Output, Sink, write


def test_a_finisher_reads_what_the_run_made_and_is_committed_with_it(tmp_path: Path) -> None:
    output = Output("test")
    output.add("a.txt", b"first")

    def finish(sink: Sink) -> None:
        assert sink.read("a.pdf") is None  # no --pdf: no PDF to attach
        sink.add("b.txt", (sink.read("a.txt") or b"") + b" then second")

    output.finish(["b.txt"], finish)
    written = write(output, tmp_path)
    assert sorted(p.name for p in written.files) == ["a.txt", "b.txt"]
    assert (tmp_path / "b.txt").read_bytes() == b"first then second"


def test_a_finisher_that_does_not_make_its_file_writes_nothing(tmp_path: Path) -> None:
    output = Output("test")
    output.add("a.txt", b"first")
    output.finish(["b.txt"], lambda sink: None)
    with pytest.raises(ValueError, match="planned but not made"):
        write(output, tmp_path)
    assert not (tmp_path / "a.txt").exists()
