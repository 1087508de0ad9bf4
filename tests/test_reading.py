"""Reading in worker processes, and large files in parts, gives exactly what a plain read gives."""

from __future__ import annotations

import pytest

from cxpolicy import policyset, source
from cxpolicy.discover import DiskFolder


def _documents(count: int) -> str:
    return "".join(f"---\napiVersion: cxpolicy/v1\nkind: Segment\nmetadata: {{id: s{i}}}\nspec: {{priority: core}}\n"
                   for i in range(count))


@pytest.mark.parametrize("text", [
    _documents(30_000),                                          # starts with ---
    "# comments first\n" + _documents(30_000),                   # a comment before the first ---
    "apiVersion: cxpolicy/v1\nkind: Segment\nmetadata: {id: first}\nspec: {priority: core}\n" + _documents(30_000),
    _documents(15_000) + "...\n" + _documents(15_000),           # end markers: read whole
])
def test_a_large_file_read_in_parts_equals_a_whole_read(tmp_path, text):
    (tmp_path / "big.yaml").write_text(text)
    assert len(text.encode()) > policyset.SPLIT_FROM_BYTES
    (parts,) = policyset.read_files(DiskFolder(str(tmp_path)), ["big.yaml"], source.Limits())
    whole = source.read_file(str(tmp_path), "big.yaml")
    assert [d.data for d in parts.documents] == [d.data for d in whole.documents]
    assert [d.index for d in parts.documents] == [d.index for d in whole.documents]
    for position in (1, len(whole.documents) // 2, len(whole.documents) - 1):
        path = ("metadata", "id")
        assert parts.documents[position].where(path) == whole.documents[position].where(path)


def test_many_files_read_by_workers_equal_plain_reads(tmp_path):
    names = [f"f{i:03d}.yaml" for i in range(policyset.PARALLEL_FROM + 20)]
    for number, name in enumerate(names):
        (tmp_path / name).write_text(_documents(3).replace("id: s", f"id: f{number}-s"))
    (tmp_path / "f007.yaml").write_text("broken: [\n")
    reads = policyset.read_files(DiskFolder(str(tmp_path)), names, source.Limits())
    assert [r.file for r in reads] == names
    for read, name in zip(reads, names):
        plain = source.read_file(str(tmp_path), name)
        assert [d.data for d in read.documents] == [d.data for d in plain.documents]
        assert read.findings == plain.findings
