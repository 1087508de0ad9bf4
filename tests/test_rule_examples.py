"""Every check's documented examples are run: the failing one fires, the passing one does not.

CX2xx-CX4xx examples are added to the shared base policy set; CX1xx examples
stand alone. The base on its own is clean under every check.
"""

from __future__ import annotations

import datetime as dt

import pytest

from cxpolicy import engine
from cxpolicy.catalogue import checks
from cxpolicy.rules.examples import BASE, TODAY

CHECKS = [check for check in checks() if not check.code.startswith("CX6")]  # CX6xx read data: test_measure.py


def findings_for(text: str, tmp_path):
    (tmp_path / "policy.yaml").write_text(text, encoding="utf-8")
    options = engine.Options(verbose=True, today=dt.date.fromisoformat(TODAY))
    return engine.run(str(tmp_path), options).outcome.findings


def example(check, which: str) -> str:
    snippet = getattr(check, which)
    return snippet if check.code < "CX200" else BASE + "---\n" + snippet


def document_ids(text: str) -> list[set[str]]:
    """For each line, the ids written in its YAML document (to check a finding sits in the right one)."""
    per_line, current, ids = [], [], set()
    for line in text.splitlines():
        if line.strip() == "---":
            per_line.extend([ids] * len(current) + [ids])
            current, ids = [], set()
            continue
        current.append(line)
        for token in line.replace("{", " ").replace(",", " ").replace("}", " ").split():
            ids.add(token)
    per_line.extend([ids] * len(current))
    return per_line


def test_base_is_clean_under_every_check(tmp_path):
    assert findings_for(BASE, tmp_path) == []


def test_every_check_has_both_examples():
    for check in CHECKS:
        assert check.failing.strip() and check.passing.strip(), check.code
        assert check.summary and check.why and check.fix, check.code


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.code)
def test_failing_example_fires_where_its_subject_is_written(check, tmp_path):
    text = example(check, "failing")
    fired = [f for f in findings_for(text, tmp_path) if f.code == check.code]
    assert fired, f"{check.code} did not fire on its failing example"
    lines = text.splitlines()
    ids = document_ids(text)
    for finding in fired:
        assert finding.file == "policy.yaml"
        assert 1 <= finding.line <= len(lines) and finding.column >= 1
        if finding.entity:
            ident = finding.entity.partition(":")[2].partition("/")[0]
            assert ident in ids[finding.line - 1], (finding, lines[finding.line - 1])


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.code)
def test_passing_example_does_not_fire(check, tmp_path):
    fired = [f for f in findings_for(example(check, "passing"), tmp_path) if f.code == check.code]
    assert fired == []


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.code)
def test_passing_example_breaks_no_other_check(check, tmp_path):
    """The docs show the passing examples as the way to write it: none of them may be wrong in another way
    (a standard measured by a KPI of another metric was, until CX310)."""
    errors = [f"{f.code} {f.message}" for f in findings_for(example(check, "passing"), tmp_path)
              if f.severity.value == "error"]
    assert errors == []


def test_explain_prints_the_documentation(run):
    result = run("explain", "CX401")
    assert result.exit_code == 0
    assert result.output.startswith("# CX401 unowned-touchpoint")
    assert "Why it matters" in result.output and "kind: Touchpoint" in result.output


def test_explain_unknown_code_suggests_the_closest(run):
    result = run("explain", "CX41")
    assert result.exit_code == 2
    assert "Did you mean 'CX401'?" in result.stderr


def test_rules_lists_every_check(run, tmp_path):
    lines = run("rules", cwd=tmp_path).output.splitlines()  # no policy repository here: the built-in checks
    assert [line.split()[0] for line in lines] == [c.code for c in checks()]
    assert any(line.split()[:3] == ["CX401", "unowned-touchpoint", "error"] for line in lines)
