"""Reading in worker processes, and large files in parts, gives exactly what a plain read gives."""

from __future__ import annotations

import multiprocessing

import pytest

from cxpolicy import reading, source
from cxpolicy.discover import DiskFolder


def _documents(count: int, start: int = 0) -> str:
    return "".join(f"---\napiVersion: cxpolicy/v1\nkind: Segment\nmetadata: {{id: s{i}}}\nspec: {{priority: core}}\n"
                   for i in range(start, start + count))


HALF = _documents(15_000)
REST = _documents(15_000, 15_000)


@pytest.mark.parametrize("text", [
    HALF + REST,                                                 # starts with ---
    "# comments first\n" + HALF + REST,                          # a comment before the first ---
    "\ufeff" + HALF + REST,                                      # a byte-order mark before the first ---
    "apiVersion: cxpolicy/v1\nkind: Segment\nmetadata: {id: first}\nspec: {priority: core}\n" + HALF + REST,
    HALF + "...\n" + REST,                                       # end markers: read whole
    HALF + "---\nbroken: [\n" + REST,                            # a syntax error ends the reading there
    HALF + "---\nkind: Team\nkind: Team\n" + REST,               # a duplicate key: reported, reading goes on
    HALF + "---\nflag: yes\n" + REST,                            # a YAML 1.1 surprise
    HALF + "---\nquoted: 'opens\n" + REST,                       # a quoted text that a marker interrupts
    HALF + "---\nnul: \x00\n" + REST,                            # a character YAML does not allow
    HALF + "---\nlatin1: caf\udce9\n" + REST,                    # a byte that is not UTF-8
], ids=["markers", "comment", "bom", "implicit-first", "end-markers", "syntax-error", "duplicate-key",
        "surprise", "open-quote", "nul", "not-utf8"])
def test_a_large_file_read_in_parts_equals_a_whole_read(tmp_path, text):
    (tmp_path / "big.yaml").write_bytes(text.encode("utf-8", "surrogateescape"))
    assert len(text) > reading.SPLIT_FROM_BYTES
    reads = list(reading.read_files(DiskFolder(str(tmp_path)), ["big.yaml"], source.Limits()))
    documents = [d for read in reads for d in read.documents]
    whole = source.read_file(str(tmp_path), "big.yaml")
    assert [d.data for d in documents] == [d.data for d in whole.documents]
    assert [d.index for d in documents] == [d.index for d in whole.documents]
    assert [f for read in reads for f in read.findings] == whole.findings
    for position in (1, len(whole.documents) // 2, len(whole.documents) - 1) if whole.documents else ():
        path = ("metadata", "id")
        assert documents[position].where(path) == whole.documents[position].where(path)


def test_each_part_of_a_large_file_knows_its_lines_and_documents(tmp_path):
    text = HALF + REST + "---\nbroken: [\n"
    (tmp_path / "big.yaml").write_text(text)
    tasks = reading.plan(DiskFolder(str(tmp_path)), ["big.yaml"], source.Limits())
    assert len(tasks) >= len(text.encode()) // reading.PART_BYTES
    last = reading.read_task(DiskFolder(str(tmp_path)), tasks[-1], source.Limits())
    assert [(f.code, f.line) for f in last.findings] == [("CX100", text.count("\n") + 1)]
    first = last.documents[0]
    assert first.index == tasks[-1].index > 0 and first.data["metadata"]["id"] == f"s{first.index}"


def test_many_files_read_by_workers_equal_plain_reads(tmp_path):
    names = [f"f{i:03d}.yaml" for i in range(reading.PARALLEL_FROM + 20)]
    for number, name in enumerate(names):
        (tmp_path / name).write_text(_documents(3).replace("id: s", f"id: f{number}-s"))
    (tmp_path / "f007.yaml").write_text("broken: [\n")
    reads = list(reading.read_files(DiskFolder(str(tmp_path)), names, source.Limits()))
    assert [r.file for r in reads] == names
    for read, name in zip(reads, names):
        plain = source.read_file(str(tmp_path), name)
        assert [d.data for d in read.documents] == [d.data for d in plain.documents]
        assert read.findings == plain.findings


def test_closing_a_reading_stops_its_workers_at_once(tmp_path):
    names = [f"f{i:03d}.yaml" for i in range(reading.PARALLEL_FROM + 20)]
    for name in names:
        (tmp_path / name).write_text(_documents(3))
    readings = reading.read_files(DiskFolder(str(tmp_path)), names, source.Limits())
    assert multiprocessing.active_children(), "the workers start before the first reading is asked for"
    readings.close()
    assert multiprocessing.active_children() == []
