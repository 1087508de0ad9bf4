"""The command line as users and CI meet it: exit codes, output shapes, paths, no tracebacks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from cxpolicy import __version__
from cxpolicy.cli import default_root

from .conftest import FIXTURES, POLICIES, REPO, write_repo

TEAM = "apiVersion: cxpolicy/v1\nkind: Team\nmetadata: {id: cco}\nspec: {executive: true}\n"


def test_validate_example_policy_set_is_clean(run):
    result = run("validate", str(POLICIES))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("No problems found in ")


def test_validate_reports_findings_as_path_line_column_and_exits_1(run, tmp_path):
    write_repo(tmp_path, {"teams/care.yaml": TEAM.replace("executive: true", "executive: yes")})
    result = run("validate", str(tmp_path))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("teams/care.yaml:4:")
    assert " error CX102 " in lines[0]
    assert lines[1].strip().startswith("hint: ")
    assert lines[-1] == "1 error in 1 file, 0 entities."


def test_findings_are_sorted_by_file_line_column_code(run, tmp_path):
    write_repo(tmp_path, {
        "b.yaml": TEAM.replace("cco", "b-team").replace("executive: true", "executive: on"),
        "a.yaml": "x: [\n",
        "c/a.yaml": TEAM.replace("kind: Team", "kind: Tem"),
    })
    result = run("validate", str(tmp_path), "--format", "json")
    files = [f["file"] for f in json.loads(result.output)["findings"]]
    assert files == ["a.yaml", "b.yaml", "c/a.yaml"]


def test_json_output_has_the_documented_shape(run):
    result = run("validate", str(FIXTURES / "negative" / ".."), "--format", "json")
    document = json.loads(result.output)
    assert set(document) == {"version", "tool", "root", "summary", "findings"}
    assert document["version"] == 1
    assert document["tool"] == {"name": "cxpolicy", "version": __version__}
    assert set(document["summary"]) == {"files", "entities", "error", "warning", "info"}
    assert document["findings"], "the fixtures folder holds broken files"
    for finding in document["findings"]:
        assert set(finding) == {"code", "rule", "severity", "entity", "file", "line", "column", "message", "hint"}
        assert "\\" not in finding["file"] and not finding["file"].startswith("/")
    assert result.exit_code == 1


def test_missing_path_is_a_one_line_usage_error(run, tmp_path):
    result = run("validate", str(tmp_path / "nowhere"))
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0
    assert "does not exist" in result.stderr


def _broken_copy(tmp_path):
    """policies/ with a misspelt reference in a touchpoint file and a journey that names that file's ids."""
    root = tmp_path / "policies"
    shutil.copytree(POLICIES, root)
    app = root / "touchpoints" / "app.yaml"
    app.write_text(app.read_text().replace("spec: {channel: app, owner: mobile-app}", "spec: {channel: ap, owner: mobile-app}"))
    return root


def test_files_named_are_checked_in_their_whole_repository_and_only_their_findings_reported(run, tmp_path):
    root = _broken_copy(tmp_path)
    clean = run("check", str(root / "journeys" / "returns.yaml"))
    assert clean.exit_code == 0 and "No problems found in 1 file" in clean.output  # references resolve
    broken = run("check", "--format", "json", str(root / "touchpoints" / "app.yaml"), str(root / "journeys"))
    findings = json.loads(broken.output)["findings"]
    assert broken.exit_code == 1 and [(f["file"], f["code"]) for f in findings] == [("touchpoints/app.yaml", "CX104")]


def test_the_project_file_can_be_named_like_any_policy_file(run, tmp_path):
    root = _broken_copy(tmp_path)
    project = root / "cxpolicy.yaml"
    project.write_text(project.read_text().replace("owner: cx-office", "owner: cx-ofice"))
    result = run("check", str(project))
    assert result.exit_code == 1 and result.output.startswith("cxpolicy.yaml:") and "in 1 file," in result.output
    assert "touchpoints/app.yaml" not in result.output


def test_a_subfolder_is_checked_as_part_of_its_repository_not_as_one_of_its_own(run, tmp_path):
    root = _broken_copy(tmp_path)
    result = run("check", "touchpoints", cwd=root)
    assert result.exit_code == 1
    assert result.output.count("error CX104") == 1 and "in 5 files" in result.output
    assert run("check", "journeys", cwd=root).exit_code == 0


@pytest.mark.parametrize("paths, message", [
    (lambda root, other: [str(root / "nowhere.yaml")], "does not exist"),
    (lambda root, other: [str(root / "journeys"), str(other)], "belong to different policy repositories"),
    (lambda root, other: [str(root / "notes.txt")], "holds no policy file"),
])
def test_paths_that_cannot_be_checked_are_one_line_usage_errors(run, tmp_path, paths, message):
    root = _broken_copy(tmp_path)
    (root / "notes.txt").write_text("not a policy\n")
    other = write_repo(tmp_path / "other", {"cxpolicy.yaml": "apiVersion: cxpolicy/v1\nkind: Project\nmetadata: {id: o}\n"
                                                             "spec: {}\n"})
    result = run("check", *paths(root, other))
    assert result.exit_code == 2 and message in result.stderr and result.stderr.count("\n") == 1


def test_default_root_is_nearest_folder_with_cxpolicy_yaml(tmp_path):
    write_repo(tmp_path, {"repo/cxpolicy.yaml": "", "repo/journeys/deep/x.yaml": ""})
    assert default_root(str(tmp_path / "repo" / "journeys" / "deep")) == str((tmp_path / "repo").resolve())


def test_default_root_falls_back_to_policies_then_here(tmp_path):
    (tmp_path / "policies").mkdir()
    assert default_root(str(tmp_path)) == str((tmp_path / "policies").resolve())
    assert default_root(str(tmp_path / "policies")) == str((tmp_path / "policies").resolve())


def test_validate_without_path_uses_the_default_root(run):
    result = run("validate", cwd=REPO)
    assert result.exit_code == 0
    assert "No problems found" in result.output


def test_output_file_is_written_and_nothing_printed(run, tmp_path):
    target = tmp_path / "out" / "report.json"
    result = run("validate", str(POLICIES), "--format", "json", "--output", str(target))
    assert result.exit_code == 0 and result.output == ""
    assert json.loads(target.read_text())["summary"]["error"] == 0
    assert [p.name for p in target.parent.iterdir()] == ["report.json"]


def test_project_override_turns_a_loading_check_off(run, tmp_path):
    write_repo(tmp_path, {
        "cxpolicy.yaml": "apiVersion: cxpolicy/v1\nkind: Project\nmetadata: {id: p}\nspec:\n  rules: {CX102: warning}\n",
        "team.yaml": "apiVersion: cxpolicy/v1\nkind: Team\nmetadata: {id: cco}\nspec:\n  executive: true\n  lead: on\n",
    })
    result = run("validate", str(tmp_path), "--format", "json")
    findings = json.loads(result.output)["findings"]
    assert [(f["code"], f["severity"]) for f in findings] == [("CX102", "warning")]
    assert result.exit_code == 0


def test_module_entry_point_and_version():
    result = subprocess.run([sys.executable, "-m", "cxpolicy", "--version"], capture_output=True, text=True)
    assert result.returncode == 0
    assert __version__ in result.stdout


def test_no_traceback_for_a_directory_of_broken_inputs(tmp_path):
    write_repo(tmp_path, {
        "a.yaml": "\t- broken: [\n",
        "b.yaml": "!!python/object/apply:os.system ['true']\n",
        "c.yaml": "- 1\n- 2\n",
        "d.yaml": "apiVersion: cxpolicy/v1\nkind: Journey\nmetadata: {id: j}\nspec: {stages: 3, segments: {}}\n",
        "e.yaml": "apiVersion: cxpolicy/v1\nkind: Team\nmetadata: {id: [x]}\nspec: 5\n",
    })
    (tmp_path / "f.yaml").write_bytes(b"\xff\xfe\x00\x01garbage")
    env = {**os.environ, "NO_COLOR": "1"}
    result = subprocess.run([sys.executable, "-m", "cxpolicy", "validate", str(tmp_path)],
                            capture_output=True, text=True, env=env)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert "internal error" not in result.stderr
    reported = {line.split(":")[0] for line in result.stdout.splitlines() if ".yaml:" in line}
    assert reported == {"a.yaml", "b.yaml", "c.yaml", "d.yaml", "e.yaml", "f.yaml"}


def test_quiet_prints_only_the_summary_and_nothing_when_clean(run, tmp_path):
    assert run("check", "-q", str(POLICIES)).output == ""
    result = run("check", "--quiet", str(_broken_copy(tmp_path)))
    assert result.exit_code == 1
    assert result.output == ("1 error, 1 info in 34 files, 143 entities "
                             "(1 info not shown; use -v; 1 waived; use --show-waived).\n")


def test_exit_zero_passes_findings_but_not_usage_errors(run, tmp_path):
    assert run("check", "--exit-zero", str(_broken_copy(tmp_path))).exit_code == 0
    assert run("check", "--exit-zero", str(tmp_path / "nowhere")).exit_code == 2


@pytest.mark.parametrize("flag, environment, coloured", [
    ("--color=always", {}, True),
    ("--color=never", {"FORCE_COLOR": "1"}, False),
    ("--color=auto", {"FORCE_COLOR": "1"}, True),
    ("--color=auto", {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
    ("--color=auto", {"NO_COLOR": ""}, False),  # not a terminal, and an empty NO_COLOR means nothing
])
def test_colour_follows_the_flag_then_no_color_and_force_color(run, tmp_path, monkeypatch, flag, environment,
                                                              coloured):
    for name in ("NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    result = run("check", flag, str(_broken_copy(tmp_path)))
    assert ("\033[" in result.output) is coloured


def _broken_rule_copy(tmp_path):
    root = tmp_path / "policies"
    shutil.copytree(POLICIES, root)
    rule = root / "rules" / "plus-priority.yaml"
    rule.write_text(rule.read_text().replace("severity: error", "severity: critical", 1))
    return root


@pytest.mark.parametrize("broken", [False, True])
def test_rule_tests_as_junit_meet_jenkins_schema(run, tmp_path, broken):
    import junitparser
    import xmlschema

    root = _broken_rule_copy(tmp_path) if broken else POLICIES
    out = tmp_path / "tests.xml"
    result = run("test", str(root), "--format", "junit", "--output", str(out))
    assert result.exit_code == (1 if broken else 0) and result.output == ""
    xmlschema.XMLSchema(str(REPO / "tests" / "vendor" / "junit" / "junit-10.xsd")).validate(str(out))
    cases = [case for suite in junitparser.JUnitXml.fromfile(str(out)) for case in suite]
    failing = sorted(case.name for case in cases if case.result)
    assert len(cases) == 7 + broken
    assert failing == (["plus-priority-flags-a-new-assisted-moment", "plus-priority-notices-a-removed-variant",
                        "plus-priority-passes-the-policy", "the policy set loads"] if broken else [])


def test_rules_and_explain_know_the_cx_offices_rules(run):
    listed = json.loads(run("rules", str(POLICIES), "--format", "json").output)["checks"]
    own = [row for row in listed if row["origin"] != "built-in"]
    assert [row["code"] for row in own] == ["phone-lines-owned-by-operations", "plus-journeys-reviewed-twice-a-year",
                                            "plus-priority-at-assisted-moments"]
    assert any(row["code"] == "CX401" and row["name"] == "unowned-touchpoint" for row in listed)
    text = run("rules", str(POLICIES)).output
    assert "phone-lines-owned-by-operations  (rule in rules/phone-ownership.yaml) error" in text
    page = run("explain", "phone-lines-owned-by-operations", str(POLICIES))
    assert page.exit_code == 0 and page.output.startswith("# phone-lines-owned-by-operations\n\nThe CX office's rule")
    unknown = run("explain", "phone-lines-owned", str(POLICIES))
    assert unknown.exit_code == 2 and "no check is called" in unknown.stderr


def _cxpolicy(*args: str, stdin: bytes = b"", cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cxpolicy", *args], input=stdin, capture_output=True, cwd=cwd,
                          timeout=120)


def test_standard_input_stands_for_the_named_file_in_its_repository():
    edited = (POLICIES / "journeys" / "returns.yaml").read_bytes().replace(b"owner: returns-ops", b"owner: returns-opps")
    result = _cxpolicy("check", "-", "--stdin-filename", "journeys/returns.yaml", stdin=edited, cwd=POLICIES)
    out = result.stdout.decode()
    assert result.returncode == 1 and out.startswith("journeys/returns.yaml:9:10: error CX104 'returns-opps'")
    assert "in 1 file, 143 entities" in out  # the rest of the repository was read from disk, unchanged
    assert b"returns-opps" not in (POLICIES / "journeys" / "returns.yaml").read_bytes()


def test_standard_input_may_be_a_file_not_yet_saved():
    text = (POLICIES / "journeys" / "returns.yaml").read_bytes().replace(b"id: returns\n", b"id: returns-again\n")
    result = _cxpolicy("check", "-", "--stdin-filename", str(POLICIES / "journeys" / "new.yaml"), stdin=text)
    assert result.returncode == 0 and "journeys/new.yaml" in result.stdout.decode()
    assert not (POLICIES / "journeys" / "new.yaml").exists()


@pytest.mark.parametrize("args, message", [
    (("check", "-"), "give --stdin-filename FILE"),
    (("check", "policies", "--stdin-filename", "x.yaml"), "goes with the path '-'"),
    (("check", "-", "policies", "--stdin-filename", "policies/x.yaml"), "give no other path"),
])
def test_standard_input_misused_is_a_usage_error(args, message):
    result = _cxpolicy(*args, cwd=REPO)
    assert result.returncode == 2 and message in result.stderr.decode() and result.stderr.count(b"\n") == 1


def _commands(group, path=()):
    import click

    for name, command in sorted(group.commands.items()):
        yield (*path, name)
        if isinstance(command, click.Group):
            yield from _commands(command, (*path, name))


def test_every_help_page_reads_as_written(run):
    """A help text is shown as written: no %-escapes, which click does not format."""
    from cxpolicy.cli import cli

    for command in _commands(cli):
        result = run(*command, "--help")
        assert result.exit_code == 0, command
        assert "%%" not in result.output and "%(" not in result.output, (command, result.output)
