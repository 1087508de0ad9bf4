"""No code from data, no network, and writes that are all or nothing."""

from __future__ import annotations

import os
import socket

import pytest

from cxpolicy import source
from cxpolicy.atomic import write_atomic

from .conftest import POLICIES


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("cxpolicy tried to use the network")

    for name in ("socket", "create_connection", "getaddrinfo", "gethostbyname"):
        monkeypatch.setattr(socket, name, refuse)


@pytest.mark.parametrize("command", [
    ["check", str(POLICIES), "--format", "sarif"],
    ["report", "ownership", str(POLICIES), "--format", "html"],
    ["report", "coverage", str(POLICIES), "--format", "json"],
    ["graph", str(POLICIES), "--format", "graphml"],
    ["codeowners", str(POLICIES)],
    ["impact", "team:stores", str(POLICIES)],
    ["test", str(POLICIES)],
])
def test_commands_work_with_the_network_gone(run, no_network, command):
    assert run(*command).exit_code == 0


def test_the_loader_never_builds_objects_from_tags(tmp_path):
    marker = tmp_path / "executed"
    text = (f"a: !!python/object/apply:os.system ['touch {marker}']\n"
            f"b: !!python/object/new:pathlib.Path ['{marker}']\n"
            "c: !!python/name:os.system\n")
    read = source.read_text("evil.yaml", text.encode())
    assert not marker.exists()
    assert [f.code for f in read.findings] == ["CX102", "CX102", "CX102"]
    assert all(isinstance(value, (str, list)) for value in read.documents[0].data.values())


class Broken:
    """A stream that fails half way through writing."""

    def __init__(self, stream):
        self.stream = stream

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stream.close()

    def write(self, text):
        self.stream.write(text[: len(text) // 2])
        raise OSError(28, "No space left on device")

    def flush(self):
        self.stream.flush()

    def fileno(self):
        return self.stream.fileno()


def test_an_interrupted_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "report.html"
    target.write_text("the old report\n")
    real_fdopen = os.fdopen
    monkeypatch.setattr(os, "fdopen", lambda *args, **kwargs: Broken(real_fdopen(*args, **kwargs)))
    with pytest.raises(OSError):
        write_atomic(str(target), "the new report, much longer than the old one\n" * 100)
    assert target.read_text() == "the old report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_a_failed_output_write_is_a_one_line_error(run, tmp_path):
    folder = tmp_path / "file-not-folder"
    folder.write_text("")
    result = run("check", str(POLICIES), "--output", str(folder / "out.json"))
    assert result.exit_code == 2
    assert result.stderr.startswith("cxpolicy: error: cannot write") and result.stderr.count("\n") == 1
