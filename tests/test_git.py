"""The pull-request workflow on real git repositories: diff, new-only, baselines, GitHub files, pre-commit."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import POLICIES, REPO

GIT_ENV = {**os.environ, "GIT_AUTHOR_NAME": "CX Office", "GIT_AUTHOR_EMAIL": "cx@example.com",
           "GIT_COMMITTER_NAME": "CX Office", "GIT_COMMITTER_EMAIL": "cx@example.com"}


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, env=GIT_ENV, check=True, capture_output=True, text=True).stdout


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository holding the example policies in policies/, one commit on main."""
    git(tmp_path, "init", "-q", "-b", "main")
    shutil.copytree(POLICIES, tmp_path / "policies")
    (tmp_path / ".github").mkdir()
    shutil.copy(REPO / ".github" / "CODEOWNERS", tmp_path / ".github" / "CODEOWNERS")
    commit(tmp_path, "Policies as they are")
    return tmp_path


def edit(repo: Path, relpath: str, old: str, new: str) -> None:
    path = repo / "policies" / relpath
    text = path.read_text()
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new))


def owner_change_and_loosening(repo: Path) -> None:
    edit(repo, "touchpoints/web.yaml", "metadata: {id: product-pages, title: Product pages}\nspec:\n  channel: web\n"
         "  owner: digital-commerce", "metadata: {id: product-pages, title: Product pages}\nspec:\n  channel: web\n"
         "  owner: mobile-app")
    edit(repo, "standards/stores-and-delivery.yaml", "  objective: {max: 5min}", "  objective: {max: 8min}")
    commit(repo, "Move product pages to the app team; relax the store queue promise")


def test_diff_reports_exactly_the_two_changes_loosening_first_in_every_format(run, repo):
    owner_change_and_loosening(repo)
    document = json.loads(run("diff", "HEAD~1", str(repo / "policies"), "--format", "json").output)
    changes = [(c["category"], c["entity"], c["summary"]) for c in document["changes"]]
    assert changes == [
        ("loosened", "servicestandard:store-queue-5min", "queue-time max 5min -> 8min"),
        ("transferred", "touchpoint:product-pages", "accountable digital-commerce -> mobile-app"),
    ]
    assert document["introduced"] == [] and document["resolved"] == []
    text = run("diff", "HEAD~1", str(repo / "policies")).output
    assert text.index("store-queue-5min") < text.index("product-pages")
    assert text.splitlines()[2].startswith("NEEDS ATTENTION")
    markdown = run("diff", "HEAD~1", str(repo / "policies"), "--format", "markdown").output
    assert markdown.index("> [!WARNING]") < markdown.index("store-queue-5min") < markdown.index("### Ownership transferred")
    for output in (text, markdown):
        assert output.count("servicestandard:store-queue-5min") == 1 and output.count("touchpoint:product-pages") == 1


def test_a_policy_file_missing_from_the_clone_is_a_one_line_error(run, repo):
    """A shallow or partial clone may list a file whose content git does not have: the history and
    diff say so and what to do, with exit 2, never a traceback or a file read as empty."""
    blob = git(repo, "rev-parse", "HEAD:policies/journeys/returns.yaml").strip()
    edit(repo, "journeys/returns.yaml", "title: Return an item", "title: Return an item for a refund")
    commit(repo, "Retitle returns")
    (repo / ".git" / "objects" / blob[:2] / blob[2:]).unlink()  # as a partial clone that never fetched it
    for command in (("diff", "HEAD~1", str(repo / "policies")), ("report", "history", str(repo / "policies"))):
        result = run(*command)
        assert result.exit_code == 2, command
        assert "missing from this clone" in result.stderr and result.stderr.count("\n") == 1, result.stderr
        assert "Traceback" not in result.stderr


def test_diff_reads_git_objects_and_leaves_the_working_tree_alone(run, repo):
    owner_change_and_loosening(repo)
    edit(repo, "teams/finance.yaml", "  lead: Sofia Rossi\n", "  lead: Somebody Else\n")
    git(repo, "add", "policies/teams/finance.yaml")
    edit(repo, "teams/finance.yaml", "  lead: Somebody Else\n", "  lead: Yet Another\n")
    status, tree = git(repo, "status", "--porcelain"), (repo / "policies/teams/finance.yaml").read_text()
    document = json.loads(run("diff", "HEAD~1", str(repo / "policies"), "--head", "HEAD", "--format", "json").output)
    assert len(document["changes"]) == 2, "the staged and unstaged edits are not part of HEAD"
    assert git(repo, "status", "--porcelain") == status and (repo / "policies/teams/finance.yaml").read_text() == tree


def test_diff_of_renames_and_deletions(run, repo):
    git(repo, "mv", "policies/kpis/outcomes.yaml", "policies/kpis/commercial-outcomes.yaml")
    commit(repo, "Rename a file")
    assert json.loads(run("diff", "HEAD~1", str(repo / "policies"), "--format", "json").output)["changes"] == []
    (repo / "policies" / "waivers" / "trade-review.yaml").unlink()
    commit(repo, "Drop the waiver")
    document = json.loads(run("diff", "HEAD~1", str(repo / "policies"), "--format", "json").output)
    assert [(c["category"], c["entity"]) for c in document["changes"]] == [("removed", "waiver:trade-journey-review-deferred")]
    assert [(f["code"], f["entity"]) for f in document["introduced"]] == [("CX214", "journey:trade-account")]


def test_diff_when_a_file_fails_to_parse_at_the_base(run, repo):
    (repo / "policies" / "teams" / "extra.yaml").write_text("apiVersion: cxpolicy/v1\nkind: Team\nmetadata: {id: [\n")
    commit(repo, "Broken file")
    (repo / "policies" / "teams" / "extra.yaml").write_text(
        "apiVersion: cxpolicy/v1\nkind: Team\nmetadata: {id: pricing, title: Pricing}\nspec: {reportsTo: cfo}\n")
    commit(repo, "Fixed")
    document = json.loads(run("diff", "HEAD~1", str(repo / "policies"), "--format", "json").output)
    assert [(c["category"], c["entity"]) for c in document["changes"]] == [("added", "team:pricing")]
    assert [f["code"] for f in document["resolved"]] == ["CX100"]


def test_diff_errors_are_one_line(run, repo, tmp_path_factory):
    result = run("diff", "no-such-branch", str(repo / "policies"))
    assert result.exit_code == 2 and "is not a commit, branch or tag" in result.stderr
    outside = tmp_path_factory.mktemp("plain")
    shutil.copytree(POLICIES, outside / "policies")
    result = run("diff", "HEAD", str(outside / "policies"))
    assert result.exit_code == 2 and "not inside a git repository" in result.stderr


def test_new_only_ignores_a_moved_old_error_and_fails_on_a_new_one(run, repo):
    edit(repo, "touchpoints/web.yaml", "metadata: {id: product-pages, title: Product pages}\nspec:\n  channel: web\n"
         "  owner: digital-commerce\n", "metadata: {id: product-pages, title: Product pages}\nspec:\n  channel: web\n")
    commit(repo, "An existing error: product pages unowned")
    git(repo, "checkout", "-q", "-b", "feature")
    edit(repo, "touchpoints/web.yaml", "# Touchpoints on northwind.example.\n",
         "# Touchpoints on northwind.example.\n# Reviewed with the web team.\n#\n")
    commit(repo, "Only moves lines")
    policies = str(repo / "policies")
    assert run("check", policies).exit_code == 1
    moved = run("check", policies, "--new-only", "--base", "main")
    assert moved.exit_code == 0, moved.output
    assert "already known, not shown" in moved.output
    edit(repo, "touchpoints/web.yaml", "metadata: {id: help-centre, title: Help centre}\nspec:\n  channel: web\n  owner:\n"
         "    accountable: customer-care\n", "metadata: {id: help-centre, title: Help centre}\nspec:\n  channel: web\n"
         "  owner:\n")
    commit(repo, "A new error")
    added = run("check", policies, "--new-only", "--base", "main", "--format", "json")
    assert added.exit_code == 1
    assert [(f["code"], f["entity"]) for f in json.loads(added.output)["findings"]] == [("CX401", "touchpoint:help-centre")]


def test_baseline_fails_only_on_new_findings_and_shrinks(run, repo, tmp_path):
    policies = str(repo / "policies")
    edit(repo, "touchpoints/web.yaml", "metadata: {id: product-pages, title: Product pages}\nspec:\n  channel: web\n"
         "  owner: digital-commerce\n", "metadata: {id: product-pages, title: Product pages}\nspec:\n  channel: web\n")
    baseline = tmp_path / "baseline.json"
    assert run("check", policies, "--write-baseline", str(baseline)).exit_code == 0
    assert run("check", policies, "--baseline", str(baseline)).exit_code == 0
    edit(repo, "touchpoints/web.yaml", "# Touchpoints on northwind.example.\n", "# Touchpoints.\n\n\n")
    assert run("check", policies, "--baseline", str(baseline)).exit_code == 0, "moved lines are not new findings"
    edit(repo, "touchpoints/web.yaml", "metadata: {id: product-pages, title: Product pages}\nspec:\n  channel: web\n",
         "metadata: {id: product-pages, title: Product pages}\nspec:\n  channel: web\n  owner: digital-commerce\n")
    fixed = run("check", policies, "--baseline", str(baseline))
    assert fixed.exit_code == 0 and "Fixed since the baseline" in fixed.output and "CX401 touchpoint:product-pages" in fixed.output
    assert run("check", policies, "--baseline", str(tmp_path / "missing.json")).exit_code == 2


@pytest.mark.parametrize("schema,files", [
    ("vendor.github-workflows", [".github/workflows/ci.yml", ".github/workflows/policy-pr.yml"]),
    ("vendor.github-actions", ["action.yml"]),
])
def test_github_files_validate_against_githubs_schemas(schema, files):
    result = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema,
                             *[str(REPO / f) for f in files]], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def try_repo(repo: Path, hook: str, home: Path) -> subprocess.CompletedProcess:
    env = {**GIT_ENV, "PRE_COMMIT_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(REPO), hook, "--all-files"],
                          cwd=repo, env=env, capture_output=True, text=True, timeout=600)


def test_pre_commit_check_hook_runs_green_then_red(repo, pre_commit_home):
    green = try_repo(repo, "cxpolicy-check", pre_commit_home)
    assert green.returncode == 0, green.stdout + green.stderr
    (repo / "policies" / "teams" / "broken.yaml").write_text("apiVersion: cxpolicy/v1\nkind: Team\nmetadata: {id: x\n")
    git(repo, "add", "-A")
    red = try_repo(repo, "cxpolicy-check", pre_commit_home)
    assert red.returncode == 1 and "teams/broken.yaml" in red.stdout


def test_pre_commit_check_hook_is_given_the_changed_files_and_skips_other_yaml(repo, pre_commit_home):
    """pre-commit passes file names: YAML that is not a policy file (a workflow) is left out, and only the
    named files' findings are reported, with the repository read whole so that references resolve."""
    (repo / ".github" / "workflows").mkdir(parents=True, exist_ok=True)
    (repo / ".github" / "workflows" / "other.yml").write_text("on: push\njobs: {}\n")
    edit(repo, "journeys/returns.yaml", "  owner: returns-ops\n", "  owner: returns-op\n")
    git(repo, "add", "-A")
    env = {**GIT_ENV, "PRE_COMMIT_HOME": str(pre_commit_home)}
    red = subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "cxpolicy-check", "--files",
                          "policies/journeys/returns.yaml", ".github/workflows/other.yml"],
                         cwd=repo, env=env, capture_output=True, text=True, timeout=600)
    assert red.returncode == 1 and "'returns-op' is not a known team" in red.stdout, red.stdout + red.stderr
    assert "other.yml" not in red.stdout.replace("- hook id", "")
    green = subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "cxpolicy-check", "--verbose",
                            "--files", "policies/teams/executives.yaml", ".github/workflows/other.yml"],
                           cwd=repo, env=env, capture_output=True, text=True, timeout=600)
    assert green.returncode == 0 and "1 problem in other files" in green.stdout, green.stdout + green.stderr


def test_pre_commit_test_hook_fails_on_a_failing_rule_test(repo, pre_commit_home):
    assert try_repo(repo, "cxpolicy-test", pre_commit_home).returncode == 0
    edit(repo, "rules/plus-priority.yaml", "  expect: [touchpoint:care-chat]\n", "  expect: []\n")
    git(repo, "add", "-A")
    red = try_repo(repo, "cxpolicy-test", pre_commit_home)
    assert red.returncode == 1 and "FAIL rules/plus-priority.yaml" in red.stdout


def test_pre_commit_codeowners_hook_runs_green_then_red(repo, pre_commit_home):
    assert try_repo(repo, "cxpolicy-codeowners", pre_commit_home).returncode == 0
    edit(repo, "journeys/trade-account.yaml", "  owner: trade-desk\n", "  owner: customer-care\n")
    git(repo, "add", "-A")
    red = try_repo(repo, "cxpolicy-codeowners", pre_commit_home)
    assert red.returncode == 1 and "trade-account.yaml" in red.stdout


def test_diff_judges_priorities_targets_journeys_and_tightening(run, repo):
    edit(repo, "segments/segments.yaml", "  priority: growth\n  sponsor: trade-desk\n", "  priority: core\n  sponsor: trade-desk\n")
    edit(repo, "kpis/care.yaml", "    - {value: 80, by: 2027-12-31}\n  source: CRM case records joined",
         "    - {value: 78, by: 2027-12-31}\n  source: CRM case records joined")
    edit(repo, "kpis/outcomes.yaml", "    - {value: 40, by: 2027-12-31}\n", "    - {value: 42, by: 2027-12-31}\n")
    edit(repo, "journeys/trade-account.yaml", "      touchpoints: [trade-account-line]\n",
         "      touchpoints: [trade-account-line, care-email-inbox]\n")
    edit(repo, "standards/contact-centre.yaml", "  objective: {max: 4h}\n", "  objective: {max: 2h}\n")
    commit(repo, "Mixed changes")
    document = json.loads(run("diff", "HEAD~1", str(repo / "policies"), "--format", "json").output)
    assert [(c["category"], c["entity"], c["attention"]) for c in document["changes"]] == [
        ("lowered", "kpi:first-contact-resolution", True),
        ("deprioritised", "segment:trade-customers", True),
        ("tightened", "servicestandard:email-first-response-4h", False),
        ("raised", "kpi:nps-relationship", False),
        ("journey", "journey:trade-account", False),
    ]
    summaries = {c["entity"]: c["summary"] for c in document["changes"]}
    assert summaries["kpi:first-contact-resolution"] == "target for 2027-12-31: 80 -> 78"
    assert summaries["journey:trade-account"] == "touchpoints + care-email-inbox"
