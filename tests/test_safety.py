"""No code from data, no network, and writes that are all or nothing."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

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


def test_an_interrupted_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    from cxpolicy import atomic

    target = tmp_path / "report.html"
    target.write_text("the old report\n")
    real_write = atomic.os.write

    def disk_full(descriptor, data):
        real_write(descriptor, bytes(data[: len(data) // 2]))
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "write", disk_full)
    with pytest.raises(OSError):
        write_atomic(str(target), "the new report, much longer than the old one\n" * 100)
    assert target.read_text() == "the old report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_a_process_killed_while_writing_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "report.html"
    target.write_text("the old report\n")
    # The child kills itself with SIGKILL half way through writing: nothing can clean up after it.
    script = (
        "import os, signal, sys\n"
        "from cxpolicy import atomic\n"
        "real = atomic.os.write\n"
        "def dying(fd, data):\n"
        "    real(fd, bytes(data[:10]))\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "atomic.os.write = dying\n"
        "atomic.write_atomic(sys.argv[1], 'the new report\\n' * 1000)\n"
    )
    result = subprocess.run([sys.executable, "-c", script, str(target)], timeout=60)
    assert result.returncode == -9
    assert target.read_text() == "the old report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_output_onto_a_fifo_or_device_is_refused(run, tmp_path, kind):
    target = tmp_path / "out"
    if kind == "fifo":
        os.mkfifo(target)
    else:
        target = Path("/dev/null")
    result = run("check", str(POLICIES), "--output", str(target))
    assert result.exit_code == 2
    assert "not a regular file" in result.stderr and result.stderr.count("\n") == 1
    assert kind != "fifo" or stat.S_ISFIFO(os.lstat(target).st_mode), "the FIFO is left as it was"
    assert kind != "device" or stat.S_ISCHR(os.lstat(target).st_mode)


def test_a_failed_output_write_is_a_one_line_error(run, tmp_path):
    folder = tmp_path / "file-not-folder"
    folder.write_text("")
    result = run("check", str(POLICIES), "--output", str(folder / "out.json"))
    assert result.exit_code == 2
    assert result.stderr.startswith("cxpolicy: error: cannot write") and result.stderr.count("\n") == 1
