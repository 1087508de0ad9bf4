"""The warm-run cache and the progress line."""

from __future__ import annotations

import io
import json
import shutil

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
