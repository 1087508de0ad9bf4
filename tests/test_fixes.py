"""`cxpolicy check --fix` and `--diff`: the safe fixes, made where the mistake is written and nowhere
else, idempotent, and the same patch either way."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from cxpolicy import fixes
from cxpolicy.findings import Finding, Severity

from .conftest import POLICIES

#: (file, text as it is, the mistake) for each kind of safe fix.
MISTAKES = [
    ("journeys/returns.yaml", "  owner: returns-ops", "  owner: returns-op"),  # an id, one meaning
    ("journeys/returns.yaml", "kind: Journey", "kind: Journy"),  # a kind
    ("touchpoints/web.yaml", "  channel: web\n  owner: digital-commerce", "  chanel: web\n  owner: digital-commerce"),
    ("teams/executives.yaml", "  executive: true\n  lead: Amara Osei", "  executive: yes\n  lead: Amara Osei"),
    ("waivers/trade-review.yaml", "targets: [journey:trade-account]", "targets: [trade-account]"),  # the kind
]


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    root = tmp_path / "policies"
    shutil.copytree(POLICIES, root)
    for relpath, right, wrong in MISTAKES:
        path = root / relpath
        text = path.read_text(encoding="utf-8")
        assert right in text
        path.write_text(text.replace(right, wrong, 1), encoding="utf-8")
    return root


def _texts(root: Path) -> dict[str, str]:
    return {path.relative_to(root).as_posix(): path.read_text(encoding="utf-8") for path in sorted(root.rglob("*.yaml"))}


def test_fix_mends_each_mistake_and_nothing_else(run, broken: Path):
    assert run("check", str(broken)).exit_code == 1
    result = run("check", "--fix", str(broken))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert _texts(broken) == _texts(POLICIES)  # byte for byte: comments and layout untouched
    said = result.stderr.splitlines()
    assert len([line for line in said if line.startswith("fixed ")]) == len(MISTAKES)
    assert any(line.endswith("CX104 returns-op -> returns-ops") for line in said)
    assert any(line.endswith("CX103 trade-account -> journey:trade-account") for line in said)
    assert "No problems found" in result.stdout


def test_fix_is_idempotent(run, broken: Path):
    run("check", "--fix", str(broken))
    again = run("check", "--fix", str(broken))
    assert again.exit_code == 0 and "fixed" not in again.stderr


def test_diff_prints_the_patch_and_writes_nothing(run, broken: Path, tmp_path: Path):
    before = _texts(broken)
    result = run("check", "--diff", str(broken))
    assert result.exit_code == 1
    assert _texts(broken) == before
    assert "-  owner: returns-op\n+  owner: returns-ops\n" in result.stdout
    patched = subprocess.run(["patch", "-p1", "-d", str(broken)], input=result.stdout, capture_output=True, text=True)
    assert patched.returncode == 0, patched.stdout + patched.stderr
    assert _texts(broken) == _texts(POLICIES)
    assert run("check", "--diff", str(broken)).exit_code == 0


def test_a_yes_becomes_quoted_text_where_the_field_takes_text(run, tmp_path: Path):
    root = tmp_path / "policies"
    shutil.copytree(POLICIES, root)
    path = root / "teams" / "executives.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("lead: Amara Osei", "lead: yes", 1), encoding="utf-8")
    assert run("check", "--fix", str(root)).exit_code == 0
    assert 'lead: "yes"' in path.read_text(encoding="utf-8")


def test_fix_reports_only_on_the_named_files(run, broken: Path):
    result = run("check", "--fix", str(broken / "journeys" / "returns.yaml"))
    assert "owner: returns-ops" in (broken / "journeys" / "returns.yaml").read_text(encoding="utf-8")
    assert "chanel: web" in (broken / "touchpoints" / "web.yaml").read_text(encoding="utf-8")  # not named
    assert all("returns.yaml" in line for line in result.stderr.splitlines() if line.startswith("fixed "))


def _finding(line: int, column: int, fix: tuple[str, str]) -> Finding:
    return Finding("f.yaml", line, column, "CX104", "m", "unknown-reference", Severity.ERROR, fix=fix)


def test_a_fix_lands_only_where_its_text_is_still_written():
    text = "spec:\n  owner: returns-op\n  other: 'care-lin'\n"
    found = fixes.for_findings([_finding(2, 10, ("returns-op", "returns-ops")), _finding(2, 3, ("care", "x")),
                                _finding(3, 10, ("care-lin", "care-line"))], text)
    assert fixes.apply(text, found) == "spec:\n  owner: returns-ops\n  other: 'care-line'\n"
    assert fixes.for_findings([_finding(9, 1, ("a", "b"))], text) == []  # past the end: nothing


def test_stale_codeowners_is_rewritten(run, tmp_path: Path):
    repo = tmp_path / "repo"
    shutil.copytree(POLICIES, repo / "policies")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / ".github").mkdir()
    assert run("codeowners", str(repo / "policies"), "--output", str(repo / ".github" / "CODEOWNERS")).exit_code == 0
    teams = repo / "policies" / "teams" / "operations.yaml"
    teams.write_text(teams.read_text(encoding="utf-8").replace('"@northwind/returns', '"@northwind/returns-team', 1),
                     encoding="utf-8")
    assert run("codeowners", str(repo / "policies"), "--check").exit_code == 1
    result = run("check", "--fix", str(repo / "policies"))
    assert "CODEOWNERS: rewritten" in result.stderr
    assert run("codeowners", str(repo / "policies"), "--check").exit_code == 0
