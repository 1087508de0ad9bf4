"""`cxpolicy check` as users drive it, and a property over generated policy sets."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxpolicy import engine
from cxpolicy.findings import Severity
from cxpolicy.rules.examples import BASE

from .conftest import POLICIES, write_repo

PROJECT = "apiVersion: cxpolicy/v1\nkind: Project\nmetadata: {id: p}\nspec:\n  today: 2026-11-22\n"
ORPHAN = "apiVersion: cxpolicy/v1\nkind: Touchpoint\nmetadata: {id: orphan}\nspec: {channel: phone, owner: care}\n"
UNOWNED = "apiVersion: cxpolicy/v1\nkind: Touchpoint\nmetadata: {id: fax}\nspec: {channel: phone}\n"


def codes(result) -> list[str]:
    return [f["code"] for f in json.loads(result.output)["findings"]]


def test_example_policy_set_checks_clean_with_info_shown(run):
    result = run("check", str(POLICIES), "-v")
    assert result.exit_code == 0
    assert result.output.startswith("No problems found")


def test_warnings_pass_unless_fail_on_warning(run, tmp_path):
    write_repo(tmp_path, {"cxpolicy.yaml": PROJECT, "p.yaml": BASE + "---\n" + ORPHAN})
    assert run("check", str(tmp_path)).exit_code == 0
    result = run("check", str(tmp_path), "--fail-on", "warning")
    assert result.exit_code == 1
    assert "warning CX202" in result.output


def test_select_and_ignore_by_code_or_prefix(run, tmp_path):
    write_repo(tmp_path, {"cxpolicy.yaml": PROJECT, "p.yaml": BASE + "---\n" + ORPHAN + "---\n" + UNOWNED})
    everything = codes(run("check", str(tmp_path), "--format", "json"))
    assert {"CX202", "CX401"} <= set(everything)
    assert set(codes(run("check", str(tmp_path), "--format", "json", "--select", "CX4"))) == {"CX401"}
    assert "CX401" not in codes(run("check", str(tmp_path), "--format", "json", "--ignore", "CX401,CX3"))
    assert run("check", str(tmp_path), "--ignore", "CX401").exit_code == 0


def test_project_settings_override_severity_or_turn_off(run, tmp_path):
    write_repo(tmp_path, {
        "cxpolicy.yaml": PROJECT + "  rules: {CX401: warning, CX202: off}\n",
        "p.yaml": BASE + "---\n" + ORPHAN + "---\n" + UNOWNED,
    })
    result = run("check", str(tmp_path), "--format", "json")
    findings = json.loads(result.output)["findings"]
    assert ("CX401", "warning") in [(f["code"], f["severity"]) for f in findings]
    assert "CX202" not in [f["code"] for f in findings]
    assert result.exit_code == 0


def test_today_decides_which_dates_have_passed(run):
    assert "CX212" not in codes(run("check", str(POLICIES), "--format", "json"))
    later = run("check", str(POLICIES), "--format", "json", "--today", "2028-06-01")
    found = codes(later)
    assert found.count("CX212") == 18 and "CX214" in found
    assert found.count("CX501") == 1, "the trade-review waiver has expired by then"
    assert later.exit_code == 1
    assert run("check", str(POLICIES), "--today", "2026-12-01", "--fail-on", "warning").exit_code == 0


def test_bad_today_is_a_usage_error(run):
    result = run("check", str(POLICIES), "--today", "next tuesday")
    assert result.exit_code == 2


def test_info_findings_are_counted_and_shown_with_verbose(run, tmp_path):
    idle = "apiVersion: cxpolicy/v1\nkind: Team\nmetadata: {id: idle}\nspec: {reportsTo: cco}\n"
    write_repo(tmp_path, {"cxpolicy.yaml": PROJECT, "p.yaml": BASE + "---\n" + idle})
    quiet = run("check", str(tmp_path))
    assert "CX406" not in quiet.output and "1 info not shown; use -v" in quiet.output
    assert "info CX406" in run("check", str(tmp_path), "-v").output


# --------------------------------------------------------------------------- property

TEAMS = ["exec", "care", "web-team", "stores"]
CHANNELS = ["web", "phone"]
METRICS = ["time-to-answer", "time-to-resolve", "csat", "first-contact-resolution", "custom-metric"]


def _document(kind: str, ident: str, spec: dict) -> dict:
    return {"apiVersion": "cxpolicy/v1", "kind": kind, "metadata": {"id": ident}, "spec": spec}


@st.composite
def policy_sets(draw) -> list[dict]:
    documents = [_document("Team", "exec", {"executive": True})]
    documents += [_document("Team", t, {"reportsTo": draw(st.sampled_from(TEAMS))}) for t in TEAMS[1:]]
    segments = [f"seg-{i}" for i in range(draw(st.integers(1, 3)))]
    documents += [_document("Segment", s, {"priority": draw(st.sampled_from(["strategic", "growth", "core", "maintain"])),
                                           "sponsor": draw(st.sampled_from(TEAMS))}) for s in segments]
    documents += [_document("Channel", c, {"type": "digital", "owner": draw(st.sampled_from(TEAMS))}) for c in CHANNELS]
    touchpoints = [f"tp-{i}" for i in range(draw(st.integers(1, 8)))]
    for tp in touchpoints:
        owner = draw(st.one_of(st.none(), st.sampled_from(TEAMS),
                               st.builds(lambda a, r: {"accountable": a, "responsible": r},
                                         st.one_of(st.none(), st.sampled_from(TEAMS)),
                                         st.lists(st.sampled_from(TEAMS), max_size=2))))
        spec = {"channel": draw(st.sampled_from(CHANNELS)), "momentOfTruth": draw(st.booleans())}
        if owner is not None:
            spec["owner"] = owner
        if draw(st.booleans()):
            spec["handoffs"] = [{"to": draw(st.sampled_from(touchpoints))}]
        documents.append(_document("Touchpoint", tp, spec))
    journeys = [f"journey-{i}" for i in range(draw(st.integers(1, 3)))]
    for journey in journeys:
        stages = [{"id": f"s{i}", "touchpoints": draw(st.lists(st.sampled_from(touchpoints), max_size=3))}
                  for i in range(draw(st.integers(1, 3)))]
        documents.append(_document("Journey", journey, {
            "owner": draw(st.sampled_from(TEAMS)), "segments": draw(st.lists(st.sampled_from(segments), min_size=1)),
            "stages": stages}))
    documents.append(_document("KPI", "kpi", {
        "owner": "care", "definition": "A measure", "unit": "s", "direction": "decrease", "indicator": "leading",
        "baseline": {"value": draw(st.integers(0, 100)), "asOf": "2026-01-31"},
        "targets": [{"value": draw(st.integers(0, 100)), "by": draw(st.sampled_from(["2026-06-30", "2027-06-30"]))}]}))
    for index in range(draw(st.integers(0, 5))):
        scope = draw(st.sampled_from(["touchpoints", "channels", "journeys"]))
        names = {"touchpoints": touchpoints, "channels": CHANNELS, "journeys": journeys}[scope]
        applies = {scope: draw(st.lists(st.sampled_from(names), min_size=1, max_size=2)),
                   "segments": draw(st.lists(st.sampled_from(segments), max_size=2))}
        value = draw(st.sampled_from(["30s", "2h", "1d", "80%", "95%", 4]))
        documents.append(_document("ServiceStandard", f"std-{index}", {
            "owner": draw(st.sampled_from(TEAMS)), "appliesTo": applies, "metric": draw(st.sampled_from(METRICS)),
            "objective": {draw(st.sampled_from(["max", "min"])): value}, "measuredBy": "kpi"}))
    return documents


def _check(documents: list[dict]):
    with tempfile.TemporaryDirectory() as folder:
        text = yaml.safe_dump_all(documents, sort_keys=False)
        Path(folder, "policy.yaml").write_text(text, encoding="utf-8")
        outcome = engine.run(folder, engine.Options(verbose=True, today=dt.date(2026, 11, 22))).outcome
        return outcome, text.count("\n")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(policy_sets())
def test_check_never_raises_and_owning_an_unowned_touchpoint_removes_its_cx401(documents):
    outcome, lines = _check(documents)
    for finding in outcome.findings:
        assert finding.file == "policy.yaml" and 1 <= finding.line <= lines + 1
    unowned = [f.entity for f in outcome.findings if f.code == "CX401"]
    if not unowned:
        return
    target = unowned[0].partition(":")[2]
    for document in documents:
        if document["kind"] == "Touchpoint" and document["metadata"]["id"] == target:
            document["spec"]["owner"] = "care"
    after, _ = _check(documents)

    def errors(result) -> set:
        return {(f.code, f.entity, f.message) for f in result.findings if f.severity is Severity.ERROR}

    assert ("CX401", unowned[0]) not in {(f.code, f.entity) for f in after.findings}
    assert errors(after) <= errors(outcome)


def test_an_executive_whose_teams_own_plenty_is_not_idle(tmp_path):
    from cxpolicy import engine

    write_repo(tmp_path, {"policy.yaml": """\
apiVersion: cxpolicy/v1
kind: Team
metadata: {id: coo}
spec: {executive: true}
---
apiVersion: cxpolicy/v1
kind: Team
metadata: {id: operations}
spec: {reportsTo: coo}
---
apiVersion: cxpolicy/v1
kind: Team
metadata: {id: stores}
spec: {reportsTo: operations}
---
apiVersion: cxpolicy/v1
kind: Team
metadata: {id: spare}
spec: {reportsTo: coo}
---
apiVersion: cxpolicy/v1
kind: Channel
metadata: {id: store}
spec: {type: physical, owner: stores}
"""})
    findings = engine.run(str(tmp_path), engine.Options(verbose=True)).outcome.findings
    idle = sorted(f.entity for f in findings if f.code == "CX406")
    assert idle == ["team:spare"], "coo and operations hold what stores owns; only spare holds nothing"
