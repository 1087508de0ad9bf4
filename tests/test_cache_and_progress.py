"""The warm-run cache and the progress line."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys

import pytest

from cxpolicy.render.progress import Progress

from .conftest import POLICIES


def test_warm_run_gives_the_same_answer_and_sees_an_edit(run, tmp_path):
    root = tmp_path / "policies"
    shutil.copytree(POLICIES, root)
    cold = run("check", str(root), "--cache", "--format", "json", "--show-waived")
    warm = run("check", str(root), "--cache", "--format", "json", "--show-waived")
    assert warm.output == cold.output and warm.exit_code == cold.exit_code == 0
    entries = list((root / ".cxpolicy_cache").glob("*.json"))
    assert len(entries) == 1
    assert (root / ".cxpolicy_cache" / ".gitignore").read_text().splitlines()[-1] == "*"
    path = root / "touchpoints" / "web.yaml"
    path.write_text(path.read_text().replace("metadata: {id: product-pages, title: Product pages}\nspec:\n  channel: web\n"
                                             "  owner: digital-commerce\n",
                                             "metadata: {id: product-pages, title: Product pages}\nspec:\n  channel: web\n"))
    edited = run("check", str(root), "--cache", "--format", "json")
    assert edited.exit_code == 1
    assert ("CX401", "touchpoint:product-pages") in {(f["code"], f["entity"]) for f in json.loads(edited.output)["findings"]}


def test_an_answer_from_the_cache_loads_neither_the_models_nor_the_graph_library(tmp_path):
    """What makes a warm run fast: the cached verdict is rendered without importing pydantic, the
    models, the rules or networkx (they cost most of a small run's time)."""
    root = tmp_path / "policies"
    shutil.copytree(POLICIES, root)
    command = [sys.executable, "-X", "importtime", "-m", "cxpolicy", "check", str(root), "--cache"]
    assert subprocess.run(command, capture_output=True, timeout=120).returncode == 0
    warm = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert warm.returncode == 0
    imported = {line.rsplit("|", 1)[-1].strip() for line in warm.stderr.splitlines() if line.startswith("import time:")}
    assert "cxpolicy.cache" in imported  # the answer came from the cache
    assert not imported & {"networkx", "pydantic", "cxpolicy.model", "cxpolicy.graph", "cxpolicy.rules.registry"}


def test_options_apply_to_a_cached_answer(run, tmp_path):
    root = tmp_path / "policies"
    shutil.copytree(POLICIES, root)
    assert run("check", str(root), "--cache").exit_code == 0
    later = run("check", str(root), "--cache", "--today", "2028-06-01", "--format", "json", "--select", "CX212")
    codes = {f["code"] for f in json.loads(later.output)["findings"]}
    assert codes == {"CX212"}


def test_a_tampered_cache_entry_is_not_trusted(run, tmp_path):
    root = tmp_path / "policies"
    shutil.copytree(POLICIES, root)
    path = root / "touchpoints" / "web.yaml"
    path.write_text(path.read_text().replace("  owner: digital-commerce\n  momentOfTruth: true\n", "  momentOfTruth: true\n"))
    assert run("check", str(root), "--cache").exit_code == 1
    (entry,) = (root / ".cxpolicy_cache").glob("*.json")
    signature, body = entry.read_text().split("\n", 1)
    record = json.loads(body)
    record["findings"] = []
    entry.write_text(signature + "\n" + json.dumps(record, sort_keys=True))
    assert run("check", str(root), "--cache").exit_code == 1, "the forged 'clean' answer is ignored"


def test_cache_keeps_only_the_latest_entries(run, tmp_path):
    root = tmp_path / "policies"
    shutil.copytree(POLICIES, root)
    for day in range(1, 12):
        run("check", str(root), "--cache", "--today", f"2026-12-{day:02d}")
    assert len(list((root / ".cxpolicy_cache").glob("*.json"))) == 8


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_draws_on_a_terminal_after_the_delay_and_clears(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    stream = Terminal()
    progress = Progress(stream, delay=0)
    progress.update("reading files", 5, 10)
    assert "reading files [############............] 5/10" in stream.getvalue()
    progress.close()
    assert stream.getvalue().endswith("\r")


def test_progress_stays_silent_in_ci_when_piped_or_for_quick_runs(monkeypatch):
    monkeypatch.setenv("CI", "true")
    quiet_ci = Terminal()
    Progress(quiet_ci, delay=0).update("reading files", 1, 2)
    monkeypatch.delenv("CI")
    piped = io.StringIO()
    Progress(piped, delay=0).update("reading files", 1, 2)
    quick = Terminal()
    Progress(quick, delay=60).update("reading files", 1, 2)
    assert quiet_ci.getvalue() == piped.getvalue() == quick.getvalue() == ""


def test_cli_output_has_no_progress_when_piped(run):
    result = run("check", str(POLICIES))
    assert "reading files" not in result.stderr and "checking rules" not in result.stderr


# --------------------------------------------------------------------------- a cache the pull request wrote


def _failing_copy(tmp_path, name):
    root = tmp_path / name
    shutil.copytree(POLICIES, root)
    path = root / "touchpoints" / "web.yaml"
    path.write_text(path.read_text().replace("  owner: digital-commerce\n  momentOfTruth: true\n", "  momentOfTruth: true\n"))
    return root


def _address(root):
    import datetime as dt

    from cxpolicy import cache

    return cache.key(str(root), {"rules": True, "today": None, "date": dt.date.today().isoformat()})


@pytest.mark.parametrize("plant", ["copy", "link"])
def test_a_clean_entry_from_another_repository_does_not_make_a_failing_one_pass(run, tmp_path, plant):
    clean = tmp_path / "clean"
    shutil.copytree(POLICIES, clean)
    assert run("check", str(clean), "--cache").exit_code == 0
    (entry,) = (clean / ".cxpolicy_cache").glob("*.json")
    failing = _failing_copy(tmp_path, "failing")
    planted = failing / ".cxpolicy_cache" / f"{_address(failing)}.json"
    planted.parent.mkdir()
    if plant == "copy":
        shutil.copy(entry, planted)
    else:
        planted.symlink_to(entry)
    result = run("check", str(failing), "--cache")
    assert result.exit_code == 1 and "CX401" in result.output


def test_entries_that_are_devices_or_not_text_are_ignored_without_an_error(run, tmp_path):
    failing = _failing_copy(tmp_path, "failing")
    folder = failing / ".cxpolicy_cache"
    folder.mkdir()
    (folder / f"{_address(failing)}.json").symlink_to("/dev/zero")
    assert run("check", str(failing), "--cache").exit_code == 1
    (folder / f"{_address(failing)}.json").unlink()
    (folder / f"{_address(failing)}.json").write_bytes(b"\xff\xfe caf\xc3\xa9 \x00\n{}")
    assert run("check", str(failing), "--cache").exit_code == 1


def test_a_cache_folder_that_is_a_link_is_neither_read_nor_written(run, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for index in range(10):
        (elsewhere / f"precious-{index}.json").write_text("{}")
    root = tmp_path / "policies"
    shutil.copytree(POLICIES, root)
    (root / ".cxpolicy_cache").symlink_to(elsewhere)
    assert run("check", str(root), "--cache").exit_code == 0
    assert sorted(path.name for path in elsewhere.iterdir()) == [f"precious-{index}.json" for index in range(10)]


def test_pruning_removes_only_entries(run, tmp_path):
    root = tmp_path / "policies"
    shutil.copytree(POLICIES, root)
    folder = root / ".cxpolicy_cache"
    folder.mkdir()
    (folder / "notes.json").write_text("{}")
    for day in range(1, 12):
        run("check", str(root), "--cache", "--today", f"2026-12-{day:02d}")
    assert (folder / "notes.json").exists()
    assert len(list(folder.glob("*.json"))) == 8 + 1


def test_the_signing_key_is_private_from_the_start(tmp_path, monkeypatch):
    from cxpolicy import atomic, cache

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))
    modes = []
    real_replace = atomic.os.replace

    def watching(source, target):
        modes.append(os.stat(source).st_mode & 0o777)
        real_replace(source, target)

    monkeypatch.setattr(atomic.os, "replace", watching)
    cache._secret()
    folder = tmp_path / "home-cache" / "cxpolicy"
    assert modes == [0o600]
    assert (folder / "signing-key").stat().st_mode & 0o777 == 0o600
    assert folder.stat().st_mode & 0o777 == 0o700


def test_a_cached_answer_names_the_root_as_typed_now(run, tmp_path):
    root = tmp_path / "policies"
    shutil.copytree(POLICIES, root)
    (root / "touchpoints" / "web.yaml").write_text(
        (root / "touchpoints" / "web.yaml").read_text().replace("  owner: digital-commerce\n  momentOfTruth: true\n",
                                                                "  momentOfTruth: true\n"))
    first = run("check", str(root), "--cache", "--format", "json")
    second = run("check", "policies", "--cache", "--format", "json", cwd=tmp_path)
    assert json.loads(first.output)["root"] == str(root)
    assert json.loads(second.output)["root"] == "policies"
    assert len(list((root / ".cxpolicy_cache").glob("*.json"))) == 1, "the second run was answered from the cache"


def test_cache_does_not_block_on_a_fifo(tmp_path):
    import subprocess
    import sys

    root = tmp_path / "policies"
    shutil.copytree(POLICIES, root)
    os.mkfifo(root / "pipe.yaml")
    result = subprocess.run([sys.executable, "-m", "cxpolicy", "check", str(root), "--cache"], capture_output=True,
                            timeout=60)
    assert result.returncode == 1 and b"pipe.yaml:1:1: error CX100" in result.stdout
