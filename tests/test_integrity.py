"""Integrity under an untrusted pull request: whatever the policy files hold, the verdict stays true,
the run stays bounded and every finding still reaches the author (docs/security.md, threat model)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cxpolicy import source

from .conftest import POLICIES, write_repo

EXECUTIVE = "apiVersion: cxpolicy/v1\nkind: Team\nmetadata: {id: cco}\nspec: {executive: true}\n"
UNOWNED = ("apiVersion: cxpolicy/v1\nkind: Channel\nmetadata: {id: phone}\nspec: {type: assisted, owner: cco}\n---\n"
           "apiVersion: cxpolicy/v1\nkind: Touchpoint\nmetadata: {id: sentinel-line}\nspec: {channel: phone}\n")


def cli(*args: str, cwd: Path | None = None, timeout: int = 120) -> subprocess.CompletedProcess:
    """The real command, as CI runs it; the timeout only guards against a hang."""
    return subprocess.run([sys.executable, "-m", "cxpolicy", *args], capture_output=True, cwd=cwd, timeout=timeout)


def findings_of(result: subprocess.CompletedProcess) -> list[dict]:
    assert b"Traceback" not in result.stderr and b"internal error" not in result.stderr, result.stderr
    return json.loads(result.stdout)["findings"]


def example(tmp_path: Path) -> Path:
    root = tmp_path / "policies"
    shutil.copytree(POLICIES, root)
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


# --------------------------------------------------------------------------- numbers


def test_a_nan_baseline_is_a_finding_not_a_silenced_check(tmp_path):
    root = example(tmp_path)
    path = root / "kpis" / "care.yaml"
    path.write_text(re.sub(r"baseline: \{value: [0-9.]+", "baseline: {value: .nan", path.read_text(), count=1))
    found = findings_of(cli("check", str(root), "--format", "json"))
    assert [(f["code"], f["file"]) for f in found if "finite" in f["message"]] == [("CX103", "kpis/care.yaml")]


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf", "9" * 400])
def test_non_finite_and_huge_numbers_are_cx103(tmp_path, value):
    write_repo(tmp_path, {"team.yaml": EXECUTIVE, "sentinel.yaml": UNOWNED, "kpi.yaml": (
        "apiVersion: cxpolicy/v1\nkind: KPI\nmetadata: {id: k}\nspec: {owner: cco, definition: d, unit: count, "
        f"direction: increase, indicator: leading, baseline: {{value: {value}, asOf: 2026-01-01}}}}\n")})
    found = findings_of(cli("check", str(tmp_path), "--format", "json"))
    assert ("CX103", "kpi.yaml", 4) in {(f["code"], f["file"], f["line"]) for f in found}
    assert "CX401" in {f["code"] for f in found}, "one bad value never hides the other files' findings"


@pytest.mark.parametrize("review", ["{every: 90d, last: 9999-12-31}", "{every: 99999999999999999w, last: 2026-01-01}"])
def test_extreme_dates_and_intervals_do_not_end_the_run(tmp_path, review):
    write_repo(tmp_path, {"team.yaml": EXECUTIVE, "sentinel.yaml": UNOWNED, "journey.yaml": (
        "apiVersion: cxpolicy/v1\nkind: Segment\nmetadata: {id: all}\nspec: {priority: core, sponsor: cco}\n---\n"
        "apiVersion: cxpolicy/v1\nkind: Journey\nmetadata: {id: j}\nspec:\n  owner: cco\n  segments: [all]\n"
        f"  stages: [{{id: s, touchpoints: [sentinel-line]}}]\n  review: {review}\n")})
    found = findings_of(cli("check", str(tmp_path), "--format", "json"))
    assert "CX401" in {f["code"] for f in found}


def test_an_integer_longer_than_python_reads_is_a_finding(tmp_path):
    write_repo(tmp_path, {"team.yaml": EXECUTIVE, "sentinel.yaml": UNOWNED,
                          "big.yaml": "apiVersion: cxpolicy/v1\nkind: Team\nmetadata: {id: big}\n"
                                      f"spec: {{executive: true, lead: {'9' * 5000}}}\n"})
    found = findings_of(cli("check", str(tmp_path), "--format", "json"))
    assert ("CX102", "big.yaml") in {(f["code"], f["file"]) for f in found}
    assert "CX401" in {f["code"] for f in found}


def test_the_non_specific_tag_makes_text():
    read = source.read_text("a.yaml", b"a: ! 12\nb: 12\n")
    assert read.documents[0].data == {"a": "12", "b": 12}
    assert read.findings == []


# --------------------------------------------------------------------------- limits


def _alias_file(levels: int) -> str:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for index in range(1, levels):
        lines.append(f"{chr(97 + index)}: &{chr(97 + index)} [" + ", ".join([f"*{chr(96 + index)}"] * 10) + "]")
    return "\n".join(lines) + "\n"


def test_the_project_file_cannot_raise_the_hard_limits(tmp_path):
    write_repo(tmp_path, {
        "cxpolicy.yaml": "apiVersion: cxpolicy/v1\nkind: Project\nmetadata: {id: p}\n"
                         "spec: {limits: {maxAliasNodes: 1000000000, maxDepth: 100000}}\n",
        "team.yaml": EXECUTIVE, "sentinel.yaml": UNOWNED, "bomb.yaml": _alias_file(9)})
    found = findings_of(cli("check", str(tmp_path), "--format", "json"))
    codes = {(f["code"], f["file"]) for f in found}
    assert ("CX103", "cxpolicy.yaml") in codes
    assert ("CX100", "bomb.yaml") in codes, "the alias bomb is still stopped at the hard limit"
    messages = [f["message"] for f in found if f["file"] == "cxpolicy.yaml"]
    assert any("at most 10000" in message or "at most 10,000" in message for message in messages), messages


def test_the_project_file_may_lower_the_limits(tmp_path):
    write_repo(tmp_path, {
        "cxpolicy.yaml": "apiVersion: cxpolicy/v1\nkind: Project\nmetadata: {id: p}\nspec: {limits: {maxAliasNodes: 5}}\n",
        "team.yaml": EXECUTIVE, "sentinel.yaml": UNOWNED, "aliases.yaml": _alias_file(2)})
    found = findings_of(cli("check", str(tmp_path), "--format", "json"))
    assert ("CX100", "aliases.yaml") in {(f["code"], f["file"]) for f in found}


def test_a_rule_nested_past_the_depth_limit_is_a_finding_not_a_crash(tmp_path):
    condition = "{not: " * 400 + "{title: x}" + "}" * 400
    write_repo(tmp_path, {"team.yaml": EXECUTIVE, "sentinel.yaml": UNOWNED, "rule.yaml": (
        "apiVersion: cxpolicy/v1\nkind: Rule\nmetadata: {id: deep}\nspec:\n  severity: error\n  target: touchpoint\n"
        f"  require: {condition}\n  message: deep\n")})
    found = findings_of(cli("check", str(tmp_path), "--format", "json"))
    assert ("CX100", "rule.yaml") in {(f["code"], f["file"]) for f in found}
    assert "CX401" in {f["code"] for f in found}


def test_a_rule_as_deep_as_the_limit_allows_is_read(tmp_path):
    depth = 45  # two levels of YAML per `not`, beside the document's own
    condition = "{not: " * depth + "{title: x}" + "}" * depth
    write_repo(tmp_path, {"team.yaml": EXECUTIVE, "sentinel.yaml": UNOWNED, "rule.yaml": (
        "apiVersion: cxpolicy/v1\nkind: Rule\nmetadata: {id: deep}\nspec:\n  severity: error\n  target: touchpoint\n"
        f"  require: {condition}\n  message: deep\n")})
    found = findings_of(cli("check", str(tmp_path), "--format", "json"))
    assert "CX401" in {f["code"] for f in found}
    assert not [f for f in found if f["file"] == "rule.yaml" and f["code"].startswith("CX1")], found


def test_a_400_digit_objective_is_a_finding(tmp_path):
    write_repo(tmp_path, {"team.yaml": EXECUTIVE, "sentinel.yaml": UNOWNED, "standard.yaml": (
        "apiVersion: cxpolicy/v1\nkind: ServiceStandard\nmetadata: {id: s}\nspec:\n  owner: cco\n"
        f"  appliesTo: {{touchpoints: [sentinel-line]}}\n  metric: csat\n  objective: {{min: {'9' * 400}}}\n")})
    found = findings_of(cli("check", str(tmp_path), "--format", "json"))
    assert ("CX103", "standard.yaml", 8) in {(f["code"], f["file"], f["line"]) for f in found}


# --------------------------------------------------------------------------- review routing


def _routed_repository(tmp_path: Path, names: list[str]) -> Path:
    """A repository whose policy files include some with hostile names, each defining a touchpoint
    owned by a team with its own reviewers."""
    (tmp_path / ".git").mkdir()
    root = tmp_path / "policies"
    write_repo(root, {
        "cxpolicy.yaml": "apiVersion: cxpolicy/v1\nkind: Project\nmetadata: {id: p}\nspec: {owner: cco}\n",
        "teams.yaml": "apiVersion: cxpolicy/v1\nkind: Team\nmetadata: {id: cco}\n"
                      "spec: {executive: true, codeowners: ['@acme/cx-office']}\n---\n"
                      "apiVersion: cxpolicy/v1\nkind: Team\nmetadata: {id: care}\n"
                      "spec: {reportsTo: cco, codeowners: ['@acme/care']}\n",
        "channels.yaml": "apiVersion: cxpolicy/v1\nkind: Channel\nmetadata: {id: phone}\nspec: {type: assisted, owner: cco}\n",
    })
    for index, name in enumerate(names):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"apiVersion: cxpolicy/v1\nkind: Touchpoint\nmetadata: {{id: line-{index}}}\n"
                        "spec: {channel: phone, owner: care}\n")
    return root


def test_a_file_name_cannot_inject_a_codeowners_line(tmp_path):
    from codeowners import CodeOwners

    root = _routed_repository(tmp_path, ["zz\n*.yaml", "plain.yaml"])
    result = cli("codeowners", str(root))
    text = result.stdout.decode()
    owners = CodeOwners(text)
    assert owners.of("policies/channels.yaml") == [("TEAM", "@acme/cx-office")]
    assert ("TEAM", "@acme/care") in owners.of("policies/plain.yaml")
    assert owners.of(".github/CODEOWNERS") == [("TEAM", "@acme/cx-office")]
    assert result.returncode == 1 and b"cannot be named in CODEOWNERS" in result.stderr
    assert b"zz\\n*.yaml" in result.stderr, "the name is shown with its line break spelled out"


@pytest.mark.parametrize("name", ["*.yaml", "[draft].yaml", "a?.yaml", "back\\slash.yaml", "#hash.yaml", "!bang.yaml"])
def test_names_codeowners_cannot_express_are_reported_not_written(tmp_path, name):
    from codeowners import CodeOwners

    root = _routed_repository(tmp_path, [name])
    result = cli("codeowners", str(root))
    assert result.returncode == 1 and b"cannot be named in CODEOWNERS" in result.stderr
    owners = CodeOwners(result.stdout.decode())
    assert owners.of("policies/channels.yaml") == [("TEAM", "@acme/cx-office")], "no pattern matches other files"


def test_spaces_are_escaped_and_every_line_parses(tmp_path):
    from codeowners import CodeOwners

    root = _routed_repository(tmp_path, ["a b/with space.yaml"])
    result = cli("codeowners", str(root))
    assert result.returncode == 0, result.stderr
    text = result.stdout.decode()
    assert "/policies/a\\ b/with\\ space.yaml" in text
    assert ("TEAM", "@acme/care") in CodeOwners(text).of("policies/a b/with space.yaml")
    for line in text.splitlines():
        if line and not line.startswith("#"):
            pattern, *handles = line.replace("\\ ", "_").split()
            assert handles and all(handle.startswith("@") for handle in handles), line


@pytest.mark.parametrize("handle", ["@org/", "@a/b/c", "@x.y", "@-dash", "@a--b"])
def test_handles_github_rejects_are_cx103(tmp_path, handle):
    write_repo(tmp_path, {"team.yaml": f"apiVersion: cxpolicy/v1\nkind: Team\nmetadata: {{id: cco}}\n"
                                       f"spec: {{executive: true, codeowners: ['{handle}']}}\n"})
    found = findings_of(cli("check", str(tmp_path), "--format", "json"))
    assert [(f["code"], f["line"]) for f in found] == [("CX103", 4)]


@pytest.mark.parametrize("target", ["/proc/self/environ", "/dev/zero"])
def test_codeowners_check_never_shows_what_a_linked_file_holds(tmp_path, target):
    root = _routed_repository(tmp_path, ["plain.yaml"])
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "CODEOWNERS").symlink_to(target)
    result = cli("codeowners", str(root), "--check")
    assert result.returncode == 1
    assert b"is a link" in result.stderr
    assert b"PATH=" not in result.stdout + result.stderr and len(result.stdout) < 1000


# --------------------------------------------------------------------------- cost


def test_unknown_references_are_suggested_from_an_index_not_by_scanning_every_entity(monkeypatch):
    import difflib

    from cxpolicy import suggest

    known = [f"line-{number:05d}" for number in range(20_000)]
    compared = []
    real = difflib.SequenceMatcher.set_seq1

    def counting(self, candidate):
        compared.append(candidate)
        return real(self, candidate)

    monkeypatch.setattr(difflib.SequenceMatcher, "set_seq1", counting)
    index = suggest.Suggestions(known)
    assert index.closest("line-01234x") == "line-01234"
    assert index.closest("lnie-07777") == "line-07777"
    # Two lookups, each comparing at most CANDIDATES names in full (a scan would compare all 20,000).
    assert len([name for name in compared if name]) <= 2 * suggest.CANDIDATES


def test_a_rule_message_cannot_grow_past_the_bound(tmp_path):
    from cxpolicy.findings import MAX_TEXT

    description = "d" * 100_000
    write_repo(tmp_path, {"team.yaml": EXECUTIVE, "sentinel.yaml": UNOWNED.replace(
        "metadata: {id: sentinel-line}", f"metadata: {{id: sentinel-line, description: {description}}}"),
        "rule.yaml": "apiVersion: cxpolicy/v1\nkind: Rule\nmetadata: {id: loud}\nspec:\n  severity: error\n"
                     "  target: touchpoint\n  require: {title: nobody}\n"
                     f"  message: \"{'{description}' * 20_000}\"\n"})
    found = findings_of(cli("check", str(tmp_path), "--format", "json"))
    (loud,) = [f for f in found if f["code"] == "loud"]
    assert len(loud["message"]) <= MAX_TEXT


def test_a_pattern_too_complex_to_match_quickly_is_cx103(tmp_path):
    write_repo(tmp_path, {"team.yaml": EXECUTIVE, "sentinel.yaml": UNOWNED,
                          "rule.yaml": "apiVersion: cxpolicy/v1\nkind: Rule\nmetadata: {id: slow}\nspec:\n"
                                       "  severity: error\n  target: touchpoint\n"
                                       "  require: {title: {matches: '(a|b)*a(a|b){900}x'}}\n  message: slow\n"})
    found = findings_of(cli("check", str(tmp_path), "--format", "json"))
    assert [(f["code"], f["line"]) for f in found if f["file"] == "rule.yaml"] == [("CX103", 7)]
    assert "too complex" in next(f["message"] for f in found if f["file"] == "rule.yaml")


# --------------------------------------------------------------------------- interrupts


@pytest.fixture(scope="module")
def many_files(tmp_path_factory):
    """A policy set large enough (over 100 files) to be read by the two worker processes."""
    import importlib.util

    from .conftest import REPO

    spec = importlib.util.spec_from_file_location("generate", REPO / "benchmarks" / "generate.py")
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    root = tmp_path_factory.mktemp("many")
    generate.generate(6000, 1, root)
    return root


def _group_gone(group: int) -> bool:
    import os
    import time

    for _ in range(100):  # a hang guard of ten seconds, not a speed bound
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("whole_group", [True, False], ids=["ctrl-c-at-a-terminal", "signal-to-the-command"])
@pytest.mark.parametrize("after", [0.2, 0.5, 0.9])
def test_ctrl_c_exits_130_and_leaves_no_worker_behind(many_files, whole_group, after):
    import os
    import signal
    import time

    process = subprocess.Popen([sys.executable, "-m", "cxpolicy", "check", str(many_files)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, start_new_session=True)
    time.sleep(after)
    if whole_group:
        os.killpg(process.pid, signal.SIGINT)
    else:
        process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    if process.returncode == 0:
        pytest.skip("the run finished before the interrupt arrived")
    assert process.returncode == 130, err
    assert err.decode() == "cxpolicy: interrupted\n"
    assert _group_gone(process.pid), "a worker process outlived the command"


_CONVERTED_INTERRUPT = """
import os, signal, sys
from cxpolicy import cli, engine

def run(*args, **kwargs):  # as pydantic-core does while it builds a validator: the interrupt becomes its own error
    try:
        os.kill(os.getpid(), signal.SIGINT)
    except BaseException as caught:
        raise RuntimeError(f"Error building validator: Interrupted: {caught!r}") from None

engine.run = run
sys.argv = ["cxpolicy", "check", sys.argv[1]]
cli.main()
"""


def test_ctrl_c_that_a_library_turns_into_its_own_error_is_still_an_interrupt():
    result = subprocess.run([sys.executable, "-c", _CONVERTED_INTERRUPT, str(POLICIES)], capture_output=True,
                            text=True, timeout=60)
    assert (result.returncode, result.stderr) == (130, "cxpolicy: interrupted\n")


# --------------------------------------------------------------------------- where the output goes


@pytest.mark.parametrize("command", [["check", str(POLICIES)], ["rules"], ["test", str(POLICIES)],
                                     ["report", "ownership", str(POLICIES), "--format", "html"]])
def test_a_full_disk_is_a_one_line_error(command):
    with open("/dev/full", "w") as full:
        result = subprocess.run([sys.executable, "-m", "cxpolicy", *command], stdout=full, stderr=subprocess.PIPE,
                                timeout=120)
    assert result.returncode == 2
    assert result.stderr.decode() == "cxpolicy: error: cannot write the output: No space left on device\n"


def test_a_closed_standard_output_is_a_one_line_error():
    result = subprocess.run([sys.executable, "-m", "cxpolicy", "check", str(POLICIES)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, timeout=120, close_fds=True,
                            preexec_fn=lambda: __import__("os").close(1))
    assert result.returncode == 2
    assert result.stderr.decode() == "cxpolicy: error: cannot write the output: standard output is closed\n"


# --------------------------------------------------------------------------- git revisions


def _git_repository(tmp_path: Path) -> Path:
    from .test_git import commit, git

    git(tmp_path, "init", "-q", "-b", "main")
    write_repo(tmp_path / "policies", {"team.yaml": EXECUTIVE, "sentinel.yaml": UNOWNED})
    commit(tmp_path, "Policies")
    return tmp_path


def test_a_revision_reads_links_inside_the_folder_as_the_disk_does(tmp_path):
    from .test_git import commit

    repo = _git_repository(tmp_path)
    (repo / "policies" / "shared").mkdir()
    (repo / "policies" / "shared" / "alias.yaml").symlink_to("../sentinel.yaml")
    (repo / "outside.yaml").write_text(EXECUTIVE.replace("cco", "stranger"))
    (repo / "policies" / "escape.yaml").symlink_to("../outside.yaml")
    commit(repo, "Links")
    on_disk = findings_of(cli("check", str(repo / "policies"), "--format", "json"))
    from cxpolicy import engine, gitsource

    at_head = engine.run(gitsource.folder_at(str(repo / "policies"), "HEAD"), engine.Options()).outcome.listed
    assert sorted((f["code"], f["file"], f["line"]) for f in on_disk) == sorted((f.code, f.file, f.line) for f in at_head)
    assert ("CX105", "shared/alias.yaml") in {(f.code, f.file) for f in at_head}, "the link is read, as on disk"
    assert ("CX100", "escape.yaml") in {(f.code, f.file) for f in at_head}, "a link out of the folder is not"


def test_a_blob_above_the_size_limit_is_never_read_from_git(tmp_path):
    from cxpolicy import gitsource, source
    from .test_git import commit

    repo = _git_repository(tmp_path)
    (repo / "policies" / "huge.yaml").write_bytes(b"# padding\n" * (source.Limits().max_file_bytes // 10 + 10))
    commit(repo, "A huge file")
    folder = gitsource.folder_at(str(repo / "policies"), "HEAD")
    folder.files(())
    assert "huge.yaml" not in folder._cache and "team.yaml" in folder._cache
    result = folder.read("huge.yaml", source.Limits())
    assert [f.code for f in result.findings] == ["CX100"] and "above the" in result.findings[0].message


def test_a_missing_git_object_is_a_one_line_error(tmp_path):
    from .test_git import git

    repo = _git_repository(tmp_path)
    blob = git(repo, "rev-parse", "HEAD:policies/team.yaml").strip()
    (repo / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    result = cli("check", str(repo / "policies"), "--new-only", "--base", "HEAD")
    assert result.returncode == 2
    assert result.stderr.decode().startswith("cxpolicy: error: git object ") and result.stderr.count(b"\n") == 1


# --------------------------------------------------------------------------- what a change weakens


@pytest.fixture
def policy_repo(tmp_path):
    from .test_git import commit, git

    git(tmp_path, "init", "-q", "-b", "main")
    shutil.copytree(POLICIES, tmp_path / "policies")
    commit(tmp_path, "Policies as they are")
    return tmp_path


def _diff(repo: Path) -> dict:
    result = cli("diff", "HEAD~1", str(repo / "policies"), "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_project_settings_that_weaken_the_checks_come_first(policy_repo):
    from .test_git import commit

    edit(policy_repo / "policies" / "cxpolicy.yaml", "  today: 2026-11-22\n",
         "  today: 2019-11-22\n  rules: {CX401: off, CX214: info}\n  limits: {maxDepth: 50}\n")
    edit(policy_repo / "policies" / "cxpolicy.yaml", 'exclude: ["drafts/**"]', 'exclude: ["drafts/**", "touchpoints/**"]')
    commit(policy_repo, "Quietly weaken the checks")
    changes = _diff(policy_repo)["changes"]
    weakened = [c["summary"] for c in changes if c["category"] == "settings-weakened"]
    assert any("CX401 error -> off" in s for s in weakened) and any("CX214 warning -> info" in s for s in weakened)
    assert any(s.startswith("today 2026-11-22 -> 2019-11-22") for s in weakened)
    assert any("exclude + touchpoints/**" in s for s in weakened)
    assert any("limits.maxDepth 100 -> 50" in s for s in [c["summary"] for c in changes])
    assert changes[0]["category"] == "settings-weakened"
    markdown = cli("diff", "HEAD~1", str(policy_repo / "policies"), "--format", "markdown").stdout.decode()
    assert markdown.index("CX401") < markdown.index("### "), "called out above every other section"


def test_lowered_attainment_is_a_loosening(policy_repo):
    from .test_git import commit

    path = policy_repo / "policies" / "standards" / "contact-centre.yaml"
    text = path.read_text()
    assert "attainment: 80%" in text
    path.write_text(text.replace("attainment: 80%", "attainment: 1%", 1))
    commit(policy_repo, "Lower the bar")
    loosened = [c for c in _diff(policy_repo)["changes"] if c["category"] == "loosened"]
    assert [c["summary"] for c in loosened] == ["attainment 80% -> 1%"]


def test_a_standard_renamed_while_loosened_is_called_a_loosening(policy_repo):
    from .test_git import commit

    path = policy_repo / "policies" / "standards" / "stores-and-delivery.yaml"
    text = path.read_text()
    assert "  id: store-queue-5min\n" in text and "objective: {max: 5min}" in text
    path.write_text(text.replace("  id: store-queue-5min\n", "  id: store-queue-relaxed\n")
                    .replace("objective: {max: 5min}", "objective: {max: 3d}"))
    commit(policy_repo, "A new name and a looser promise")
    changes = _diff(policy_repo)["changes"]
    loosened = [c for c in changes if c["category"] == "loosened"]
    assert [(c["entity"], c["summary"]) for c in loosened] == [
        ("servicestandard:store-queue-relaxed", "renamed from store-queue-5min; queue-time max 5min -> 3d")]
    assert not [c for c in changes if c["category"] in ("added", "removed")]


def test_new_only_counts_findings_as_a_multiset(policy_repo):
    from .test_git import commit

    team = "apiVersion: cxpolicy/v1\nkind: Team\nmetadata: {{id: {ident}}}\nspec: {{reportsTo: cco, lead: yes}}\n"
    path = policy_repo / "policies" / "teams" / "pilots.yaml"
    path.write_text(team.format(ident="pilot-a"))
    commit(policy_repo, "One ambiguous 'yes'")
    path.write_text("---\n".join(team.format(ident=ident) for ident in ("pilot-a", "pilot-b", "pilot-c")))
    result = cli("check", str(policy_repo / "policies"), "--new-only", "--base", "HEAD", "--format", "json")
    assert result.returncode == 1
    fresh = [f for f in json.loads(result.stdout)["findings"] if f["code"] == "CX102"]
    assert len(fresh) == 2, "two more copies of a known finding are two new findings"


# --------------------------------------------------------------------------- files discovery would skip


def test_an_unreadable_folder_is_reported_not_skipped(tmp_path, monkeypatch):
    import os

    from cxpolicy import discover

    write_repo(tmp_path, {"team.yaml": EXECUTIVE, "locked/inner.yaml": EXECUTIVE.replace("cco", "hidden")})
    real_scandir = os.scandir

    def refusing(path="."):
        if os.fspath(path).endswith("locked"):  # tests run as root, where permissions never refuse
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)
    found = discover.policy_files(str(tmp_path))
    assert found.unreadable == ["locked/"] and found.files == ["team.yaml"]
    from cxpolicy import engine

    outcome = engine.run(str(tmp_path), engine.Options()).outcome
    assert ("CX100", "locked/") in {(f.code, f.file) for f in outcome.findings}


@pytest.mark.parametrize("output_format", ["text", "json", "sarif", "github", "junit"])
def test_a_file_name_that_is_not_utf8_is_a_finding_in_every_format(tmp_path, output_format):
    import os

    write_repo(tmp_path / "policies", {"team.yaml": EXECUTIVE, "sentinel.yaml": UNOWNED})
    with open(os.path.join(os.fsencode(tmp_path / "policies"), b"caf\xe9.yaml"), "w") as handle:
        handle.write(EXECUTIVE)
    target = tmp_path / f"out.{output_format}"
    result = cli("check", str(tmp_path / "policies"), "--format", output_format, "-o", str(target), "--cache")
    assert result.returncode == 1 and result.stderr == b"", result.stderr
    text = target.read_text(encoding="utf-8")
    shown = {"json": "caf\\\\xe9.yaml", "sarif": "caf%5Cxe9.yaml"}.get(output_format, "caf\\xe9.yaml")
    assert shown in text, "the file is named, its bytes spelled out"


def test_a_file_name_that_is_not_utf8_does_not_break_the_page_or_codeowners(tmp_path):
    import os

    root = _routed_repository(tmp_path, ["plain.yaml"])
    with open(os.path.join(os.fsencode(root), b"caf\xe9.yaml"), "w") as handle:
        handle.write("apiVersion: cxpolicy/v1\nkind: Touchpoint\nmetadata: {id: odd}\nspec: {channel: phone, owner: care}\n")
    page = cli("report", "ownership", str(root), "--format", "html", "-o", str(tmp_path / "page.html"))
    assert page.returncode == 0 and page.stderr == b""
    routing = cli("codeowners", str(root))
    assert routing.returncode == 0 and b"caf" not in routing.stdout


# --------------------------------------------------------------------------- no silent pass


@pytest.mark.parametrize("selected", ["cx104", "CX104", "unknown-reference", "CX1", "cx1"])
def test_select_takes_codes_in_any_case_prefixes_and_names(tmp_path, selected):
    write_repo(tmp_path, {"team.yaml": EXECUTIVE.replace("spec: {executive: true}", "spec: {reportsTo: nobody}")})
    result = cli("check", str(tmp_path), "--select", selected, "--format", "json")
    assert result.returncode == 1
    assert "CX104" in {f["code"] for f in findings_of(result)}


@pytest.mark.parametrize("option, value, suggestion", [("--select", "CX9", "CX"), ("--ignore", "unknown-refrence",
                                                       "unknown-reference"), ("--select", "bogus", None)])
def test_a_selection_that_names_no_check_is_a_usage_error(tmp_path, option, value, suggestion):
    write_repo(tmp_path, {"team.yaml": EXECUTIVE})
    result = cli("check", str(tmp_path), option, value)
    assert result.returncode == 2
    message = result.stderr.decode()
    assert message.startswith(f"cxpolicy: error: {option} '{value}' names no check") and message.count("\n") == 1
    assert suggestion is None or f"Did you mean '{suggestion}" in message


def test_a_selection_may_name_the_cx_offices_own_rule(tmp_path):
    write_repo(tmp_path, {"team.yaml": EXECUTIVE, "sentinel.yaml": UNOWNED, "rule.yaml": (
        "apiVersion: cxpolicy/v1\nkind: Rule\nmetadata: {id: loud}\nspec:\n  severity: error\n  target: touchpoint\n"
        "  require: {title: nobody}\n  message: loud\n")})
    found = findings_of(cli("check", str(tmp_path), "--select", "loud", "--format", "json"))
    assert {f["code"] for f in found} == {"loud"}


def test_a_folder_with_no_policy_files_is_a_usage_error(tmp_path):
    (tmp_path / "notes.txt").write_text("nothing to check\n")
    result = cli("check", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.decode().startswith("cxpolicy: error: no policy files (*.yaml, *.yml) found under ")
