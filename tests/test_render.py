"""Every output format, checked for structure: SARIF against the official schema, JUnit as XML,
GitHub workflow commands parsed back, text grouped by file with colour only when asked."""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from cxpolicy import engine
from cxpolicy.catalogue import checks
from cxpolicy.findings import Severity
from cxpolicy.render import github, junit, sarif, text
from cxpolicy.rules.examples import BASE, TODAY

from .conftest import POLICIES, write_repo

SARIF_SCHEMA = json.loads((Path(__file__).parent / "vendor" / "sarif-schema-2.1.0.json").read_text())


@pytest.fixture
def broken(tmp_path, monkeypatch):
    """A repo with findings of every severity in several files (the examples' ids clash: CX105 too)."""
    failing = "\n---\n".join(c.failing for c in checks() if c.code >= "CX200")
    write_repo(tmp_path, {"a/base.yaml": BASE, "b/broken.yaml": "x: [1, 2\n", "c/more.yaml": failing})
    monkeypatch.chdir(tmp_path)
    options = engine.Options(verbose=True, today=dt.date.fromisoformat(TODAY))
    return engine.run(".", options).outcome


def test_fixture_has_every_severity(broken):
    assert {f.severity for f in broken.findings} == set(Severity)


def test_sarif_validates_against_the_official_schema(broken):
    document = json.loads(sarif.render(broken))
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(document)
    run = document["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [c.code for c in checks()]
    assert all(r["help"]["text"] and r["defaultConfiguration"]["level"] in ("error", "warning", "note") for r in rules)
    assert len(run["results"]) == len(broken.findings)
    for result, finding in zip(run["results"], broken.findings):
        assert rules[result["ruleIndex"]]["id"] == finding.code == result["ruleId"]
        region = result["locations"][0]["physicalLocation"]["region"]
        assert (region["startLine"], region["startColumn"]) == (finding.line, finding.column)


def test_sarif_of_a_clean_run_validates(run):
    result = run("check", str(POLICIES), "--format", "sarif")
    assert result.exit_code == 0
    document = json.loads(result.output)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(document)
    (waived,) = document["runs"][0]["results"]
    assert waived["ruleId"] == "CX214" and waived["suppressions"][0]["kind"] == "external"
    assert "trade-journey-review-deferred" in waived["suppressions"][0]["justification"]


def test_junit_has_a_case_per_check_and_one_failure_per_failing_check(broken):
    root = ET.fromstring(junit.render(broken, Severity.ERROR))
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == len(checks())
    failures = root.findall(".//failure")
    errors = [f for f in broken.findings if f.severity is Severity.ERROR]
    failing_checks = {f.code for f in errors}
    assert len(failures) == len(failing_checks) == int(root.get("failures"))
    for case in cases:
        assert len(case.findall("failure")) <= 1, "Jenkins shows only the first failure of a case"
    failed_text = "".join(node.text or "" for node in failures)
    assert all(f.message in failed_text for f in errors), "every failing finding is listed in its check's failure"
    assert {f.get("type") for f in failures} == {"error"}
    warnings_listed = "".join(node.text or "" for node in root.findall(".//system-out"))
    assert all(f.message in warnings_listed for f in broken.findings if f.severity is not Severity.ERROR)


def test_junit_fail_on_warning_turns_warnings_into_failures(broken):
    root = ET.fromstring(junit.render(broken, Severity.WARNING))
    failing = {f.code for f in broken.findings if f.severity.rank >= Severity.WARNING.rank}
    assert len(root.findall(".//failure")) == len(failing)


_COMMAND = re.compile(r"^::(error|warning|notice) (file=[^,]*,line=\d+,col=\d+,title=[^:]*)::(.*)$")


def _unescape(value: str) -> str:
    return value.replace("%0A", "\n").replace("%0D", "\r").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")


def test_github_commands_parse_back_to_the_findings(broken):
    lines = github.render(broken).splitlines()
    commands = [line for line in lines if line.startswith("::")]
    assert len(commands) == len(broken.findings)
    for line, finding in zip(commands, broken.findings):
        match = _COMMAND.match(line)
        assert match, line
        properties = dict(item.split("=", 1) for item in match[2].split(","))
        assert _unescape(properties["file"]) == finding.file
        assert (int(properties["line"]), int(properties["col"])) == (finding.line, finding.column)
        assert _unescape(properties["title"]) == f"{finding.code} {finding.rule}"
        message = _unescape(match[3])
        assert message.startswith(finding.message)
        assert {"error": "error", "warning": "warning", "info": "notice"}[finding.severity.value] == match[1]
    assert not lines[-1].startswith("::")


def test_github_escaping_of_special_characters():
    assert github.escape_data("50% done\nnext") == "50%25 done%0Anext"
    assert github.escape_property("a:b,c%") == "a%3Ab%2Cc%25"


def test_text_groups_by_file_and_colours_only_when_asked(broken):
    plain = text.render(broken)
    assert "\033[" not in plain
    blocks = plain.strip().split("\n\n")
    files = [{line.split(":")[0] for line in block.splitlines() if not line.startswith(" ")} for block in blocks[:-1]]
    assert all(len(names) == 1 for names in files)
    assert "\033[31m" in text.render(broken, colour=True)


def test_cli_never_colours_piped_output_and_respects_no_color(run, tmp_path, monkeypatch):
    write_repo(tmp_path, {"t.yaml": "apiVersion: cxpolicy/v1\nkind: Team\nmetadata: {id: x}\nspec: {executive: yes}\n"})
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\033[" not in run("check", str(tmp_path)).output


@pytest.mark.parametrize("output_format", ["text", "json", "sarif", "github", "junit"])
def test_output_option_writes_every_format_atomically(run, tmp_path, output_format):
    target = tmp_path / f"report.{output_format}"
    result = run("check", str(POLICIES), "--format", output_format, "--output", str(target))
    assert result.exit_code == 0 and result.output == ""
    assert target.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]
