"""Letters at scale: the streamed print file holds exactly its letters, and a batch rendered in
worker processes is the batch rendered in one (no timing here: speed is in benchmarks/)."""

from __future__ import annotations

import errno
import io
import multiprocessing
import os
import threading
import zipfile
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from lxml import etree

from formkit import output, parallel
from formkit.cli import main
from formkit.docx import integrity, letterbody
from formkit.docx.combine import PrintFile, combine
from formkit.docx.render import CompiledTemplate
from formkit.errors import TemplateError, WorkerDied
from helpers import BASE, spy_on_fork, write_case

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
SURVEY = {"year": 2026, "answer_by": "2026-05-24",
          "results": [{"unit": u, "question": "Sammantaget nöjd", "value": 84} for u in ("ht-norra", "ht-1", "ht-2")],
          "actions": [{"unit": u, "text": f"Åtgärd {n}"} for u in ("ht-1", "ht-2") for n in (1, 2)]}


def many_clients(n: int) -> list[dict]:
    """``n`` clients over two units, every fifth with a trustee (a copy), one protected."""
    out = []
    for i in range(n):
        client = {"id": f"b-{i:03d}", "name": f"Klient Åström {i}", "unit": f"ht-{1 + i % 2}",
                  "address": {"street": f"Storgatan {i}", "postcode": "123 45", "city": "Exempelby"}}
        if i % 5 == 1:
            client["representatives"] = [{"name": f"God Man {i}", "role": "trustee", "looks_after_rights": True,
                                          "receives_letters": True, "address": {"street": "Box 1", "postcode": "111 22", "city": "Stad"}}]
        if i == 7:
            client.update(protected_identity=True, personal_number="19400101-1230")
        out.append(client)
    return out


@pytest.fixture
def big_case(tmp_path: Path) -> Path:
    units = [*BASE["units"], *({"id": f"ht-{k}", "name": f"Hemtjänst {k}", "kind": "home_care"} for k in (1, 2))]
    return write_case(tmp_path, clients=many_clients(parallel.MIN_ITEMS + 10), units=units, survey=SURVEY)


def section_texts(data: bytes) -> list[tuple[str, str, str]]:
    """(header, body, footer) text of each section of a print file, the body split at the
    section breaks."""
    document = docx.Document(io.BytesIO(data))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        body = etree.fromstring(archive.read("word/document.xml")).find(f"{W}body")
    bodies, current = [], []
    for child in body:
        if child.tag == f"{W}sectPr":
            continue
        current.append("".join(child.itertext()))
        if child.find(f"{W}pPr/{W}sectPr") is not None:
            bodies.append("\n".join(current))
            current = []
    bodies.append("\n".join(current))
    return [("\n".join(p.text for p in s.header.paragraphs), text, "\n".join(p.text for p in s.footer.paragraphs))
            for s, text in zip(document.sections, bodies)]


def letter_text(data: bytes) -> tuple[str, str, str]:
    [section] = section_texts(data)
    return section


def run_batch(case: Path, out: Path) -> None:
    result = CliRunner().invoke(main, ["letters", str(case), "-n", "4", "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output


def test_streamed_print_file_holds_each_letter_with_its_own_header(tmp_path: Path) -> None:
    """Letters whose header text is the same share one header part; every section still shows
    its own letter's header, body and footer, and the package is whole."""
    path = tmp_path / "t.docx"
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "Enhet {{ unit }}"
    document.sections[0].footer.paragraphs[0].text = "Sida för {{ name }}"
    document.add_paragraph("Hej {{ name }}")
    document.add_paragraph("Punkt", style="List Number")
    document.save(path)
    template = CompiledTemplate(path)
    contexts = [{"name": f"Namn {i}", "unit": f"Enhet {i % 3}"} for i in range(12)]
    letters = [template.render(c, c["name"]) for c in contexts]
    singles = [letter_text(template.render(c, c["name"]).to_bytes()) for c in contexts]
    buffer = io.BytesIO()
    with PrintFile(template, buffer) as print_file:
        for letter in letters:
            print_file.add(letter)
    data = buffer.getvalue()
    assert section_texts(data) == singles
    assert integrity.problems(data) == []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        headers = [n for n in archive.namelist() if n.startswith("word/header")]
        footers = [n for n in archive.namelist() if n.startswith("word/footer")]
        numbering = etree.fromstring(archive.read("word/numbering.xml"))
    assert len(headers) == 3  # one per distinct unit text
    assert len(footers) == 12  # the name differs in every letter
    body_num_ids = {e.get(f"{W}val") for e in etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")).iter(f"{W}numId")}
    assert len(body_num_ids) == 12 and body_num_ids <= {n.get(f"{W}numId") for n in numbering.iter(f"{W}num")}
    assert combine(letters[:1]) and section_texts(combine([template.render(c, c["name"]) for c in contexts])) == singles


def test_batch_print_file_is_its_single_letters(big_case: Path, tmp_path: Path) -> None:
    out = tmp_path / "ut"
    run_batch(big_case, out)
    for folder, print_name in ((out, "utskrift_brukarbrev-4.docx"), (out / "skyddad-identitet", "utskrift-skyddad_brukarbrev-4.docx")):
        singles = sorted(folder.glob("brukarbrev-4_*.docx"), key=lambda p: (p.stem.split("_")[1].split("_kopia")[0], p.stem))
        data = (folder / print_name).read_bytes()
        assert integrity.problems(data) == []
        assert sorted(section_texts(data)) == sorted(letter_text(p.read_bytes()) for p in singles)
        assert len(section_texts(data)) == len(singles) > 0


def test_workers_make_the_same_files_as_one_process(big_case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert parallel.workers() >= 1
    monkeypatch.setattr(parallel, "workers", lambda: 1)
    run_batch(big_case, tmp_path / "one")
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    calls = spy_on_fork(monkeypatch)
    run_batch(big_case, tmp_path / "two")
    assert calls == ["fork"]  # the batch was large enough for the workers
    one = {p.relative_to(tmp_path / "one"): p.read_bytes() for p in (tmp_path / "one").rglob("*.docx")}
    two = {p.relative_to(tmp_path / "two"): p.read_bytes() for p in (tmp_path / "two").rglob("*.docx")}
    assert one.keys() == two.keys() and len(one) > parallel.MIN_ITEMS
    assert one == two  # byte for byte: same letters, same print files


def test_ordered_map_keeps_order_and_raises_the_items_own_error() -> None:
    items = list(range(parallel.MIN_ITEMS * 2))
    assert list(parallel.ordered_map(lambda i: i * i, items, processes=2)) == [i * i for i in items]

    def fails_on_77(i: int) -> int:
        if i == 77:
            raise TemplateError("mall.docx", [])
        return i

    with pytest.raises(TemplateError, match="mall.docx"):
        list(parallel.ordered_map(fails_on_77, items, processes=2))


def test_ordered_map_raises_another_error_as_itself_and_stops_its_workers() -> None:
    """An OSError in a worker (a full disk) comes back with its errno, for the write to word;
    the workers are gone when the error reaches the caller."""
    items = list(range(parallel.MIN_ITEMS * 2))

    def disk_full_on_90(i: int) -> int:
        if i == 90:
            raise OSError(errno.ENOSPC, "No space left on device")
        return i

    with pytest.raises(OSError) as raised:
        list(parallel.ordered_map(disk_full_on_90, items, processes=2))
    assert raised.value.errno == errno.ENOSPC
    assert multiprocessing.active_children() == []


def test_ordered_map_ends_with_an_error_when_a_worker_dies() -> None:
    """A worker killed mid-batch (out of memory, a signal) ends the batch; the caller never
    waits forever for the results it had taken on."""
    items = list(range(parallel.MIN_ITEMS * 2))

    def dies_on_50(i: int) -> int:
        if i == 50:
            os._exit(9)  # as if killed
        return i

    with pytest.raises(WorkerDied, match="Inget har skrivits"):
        list(parallel.ordered_map(dies_on_50, items, processes=2))
    assert multiprocessing.active_children() == []


def test_ordered_map_stopped_early_stops_its_workers() -> None:
    """The caller leaving the loop (an error in the print file, Ctrl-C) ends the workers."""
    results = parallel.ordered_map(lambda i: i, list(range(parallel.MIN_ITEMS * 20)), processes=2)
    assert [next(results) for _ in range(3)] == [0, 1, 2]
    assert len(multiprocessing.active_children()) == 2
    results.close()
    assert multiprocessing.active_children() == []


def test_a_body_parsed_later_is_still_refused_with_the_record(tmp_path: Path) -> None:
    path = tmp_path / "t.docx"
    document = docx.Document()
    # a tag opened in a paragraph and closed inside a table cell: the XML between is cut unevenly
    document.add_paragraph("Start {% if show %}")
    document.add_table(rows=1, cols=1).cell(0, 0).text = "{% endif %} slut"
    document.save(path)
    template = CompiledTemplate(path)
    unchecked = template.render({"show": False}, "b-9", parsed_later=("word/document.xml",))
    with pytest.raises(etree.XMLSyntaxError):
        PrintFile(template, io.BytesIO()).add(unchecked)
    with pytest.raises(TemplateError, match="b-9.*inte giltig XML"):
        template.render({"show": False}, "b-9")


@pytest.mark.parametrize("ends_in_table", [False, True])
def test_letters_prepared_in_workers_give_the_same_print_file_as_combining_here(tmp_path: Path, ends_in_table: bool) -> None:
    """The print file of prepared letters (their own work done in advance, list numbers and
    header copies filled in here) is byte for byte the one made from the rendered letters."""
    path = tmp_path / "t.docx"
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "Enhet {{ unit }}"
    document.sections[0].footer.paragraphs[0].text = "Sida för {{ name }}"
    document.add_paragraph("Hej {{ name }}")
    document.add_paragraph("{%p for item in items %}")
    document.add_paragraph("{{ item }}", style="List Number")
    document.add_paragraph("{%p endfor %}")
    document.add_paragraph("Punkt", style="List Bullet")
    document.add_section()  # a second section in every letter
    document.add_paragraph("Bilaga för {{ name }}", style="List Number 2")
    if ends_in_table:
        document.add_table(rows=1, cols=2).cell(0, 1).text = "{{ name }}"
    document.save(path)
    template = CompiledTemplate(path)
    contexts = [{"name": f"Namn {i} & <Co>", "unit": f"Enhet {i % 3}", "items": [f"sak {k}" for k in range(i % 4)]} for i in range(9)]
    letters = [template.render(c, c["name"]) for c in contexts]
    setup = letterbody.Setup(template)
    prepared = [letterbody.prepare(setup, letter, last=i == len(letters) - 1) for i, letter in enumerate(letters)]
    assert all(p.body is not None for p in prepared)
    buffer = io.BytesIO()
    with PrintFile(template, buffer, setup) as print_file:
        for p in prepared:
            print_file.add_prepared(p)
    assert buffer.getvalue() == combine(letters)
    assert integrity.problems(buffer.getvalue()) == []


def test_a_letter_with_running_ids_is_left_to_the_print_file(tmp_path: Path) -> None:
    """A bookmark's id runs through the print file: such a letter is not prepared, and the
    print file still gives each letter its own."""
    path = tmp_path / "t.docx"
    document = docx.Document()
    paragraph = document.add_paragraph("Hej {{ name }}")
    W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    start = etree.SubElement(paragraph._p, f"{{{W_NS}}}bookmarkStart", {f"{{{W_NS}}}id": "0", f"{{{W_NS}}}name": "namn"})
    start.addnext(etree.Element(f"{{{W_NS}}}bookmarkEnd", {f"{{{W_NS}}}id": "0"}))
    document.save(path)
    template = CompiledTemplate(path)
    letters = [template.render({"name": n}, n) for n in ("Åsa", "Bo", "Cia")]
    setup = letterbody.Setup(template)
    prepared = [letterbody.prepare(setup, letter, last=i == 2) for i, letter in enumerate(letters)]
    assert [p.body for p in prepared] == [None, None, None]
    buffer = io.BytesIO()
    with PrintFile(template, buffer, setup) as print_file:
        for p in prepared:
            print_file.add_prepared(p)
    assert buffer.getvalue() == combine(letters)


def test_a_print_file_refuses_to_end_on_a_letter_prepared_for_one_more(tmp_path: Path) -> None:
    path = tmp_path / "t.docx"
    document = docx.Document()
    document.add_paragraph("Hej {{ name }}")
    document.save(path)
    template = CompiledTemplate(path)
    setup = letterbody.Setup(template)
    print_file = PrintFile(template, io.BytesIO(), setup)
    for name in ("Åsa", "Bo"):
        print_file.add_prepared(letterbody.prepare(setup, template.render({"name": name}, name), last=False))
    with pytest.raises(ValueError, match="prepared for another"):
        print_file.close()


def test_no_workers_are_forked_while_other_threads_run() -> None:
    """The web page writes in a thread of its server: forking there could copy a lock another
    thread holds, so the batch runs in its own process."""
    seen: list[int] = []
    started, release = threading.Event(), threading.Event()

    def other() -> None:
        started.set()
        release.wait(10)

    thread = threading.Thread(target=other)
    thread.start()
    try:
        started.wait(10)
        seen.append(parallel.workers())
    finally:
        release.set()
        thread.join()
    assert seen == [1]


def test_a_worker_that_cannot_write_its_letter_stops_the_batch_cleanly(big_case: Path, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A letter is written by the worker process that renders it: a full disk there ends the
    run with the same message, and nothing is left in the folder."""
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    real = output._new_file

    def new_file(path: str | Path, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if str(path).endswith("_b-070.docx"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(output, "_new_file", new_file)
    out = tmp_path / "ut"
    out.mkdir()
    result = CliRunner().invoke(main, ["letters", str(big_case), "-n", "4", "-o", str(out)])
    assert result.exit_code == 1 and "disken är full" in result.output, result.output
    assert list(out.iterdir()) == []
