"""A check that re-runs only the rule work an edit can reach finds exactly what a full check finds.

The language server and `report history` keep an incremental.Memo from check to check. Each test
here edits a policy set and compares the memo's check with a full one of the same files: the same
findings, at the same lines, the same waived findings and the same counts.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxpolicy import discover, engine, incremental, metrics
from cxpolicy.graph import PolicyGraph
from cxpolicy.reports import coverage, diff
from cxpolicy.rules import registry
from cxpolicy.workspace import Workspace

from .conftest import POLICIES

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import generate  # noqa: E402

TODAY = dt.date(2026, 11, 1)


def _verdict(run: engine.Run) -> tuple:
    outcome = run.outcome
    return outcome.findings, outcome.waived, outcome.counts


def _snapshot(graph: PolicyGraph) -> dict:
    """Everything a graph answers from: its nodes, its links, and every index's entries."""
    entries = lambda index: dict(getattr(index, "entries", index))  # noqa: E731
    return {
        "nodes": dict(graph._kinds), "stages": dict(graph.stages),
        "links": {(node, *key): sorted(links) for node, held in graph._adjacent.items() for key, links in held.items()},
        "edges": sorted(graph.graph.edges(keys=True)),
        **{name: entries(getattr(graph, name)) for name in (
            "_stages_of_touchpoint", "_touchpoints_of_journey", "_touchpoints_of_channel",
            "_listening_posts_of_journey", "_lines", "_applications", "_touchpoints_by_standard",
            "_applications_by_metric", "_kpis_of_metric", "_held_to", "_journeys_serving", "_moments_held")},
        "moments": graph._moments,
        "cycles": {relation: graph.cycles(relation) for relation in ("reports_to", "drives", "hands_off_to", "part_of")},
    }


def _audited(workspace: Workspace, today: dt.date) -> engine.Run:
    """The workspace's check, and proof that it asked again every noted answer that changed: each
    answer the last check's parts were given is worked out afresh on the new set, and every one
    that differs must be among the reads the graph said may have changed. (The metrics, and
    the comparisons with today when the day moved, the memo asks again itself.)"""
    memo = workspace._memo
    noted = [read for answers in memo.answers.values() for read, answer in answers.items()]
    before = {read: memo.answers[read[0]][read] for read in noted}
    found = workspace.check(engine.Options(today=today))
    changes = found.graph.changes
    if changes is not None:
        context = registry.Context(found.policy, found.graph, found.today,
                                   metrics.catalogue(found.policy.project.metrics))
        asked = changes.reads | {("today",), ("catalogue",)}
        missed = [read for read in noted if read[0] not in ("metric", "past", "future") and read not in asked
                  and (answer := incremental._answer(read, context)) is not before[read] and answer != before[read]]
        assert not missed, f"answers that changed but were not asked again: {missed[:5]}"
    return found


def _full(root: Path, texts: dict[str, bytes], today: dt.date) -> engine.Run:
    return engine.run(discover.Overlay(str(root), dict(texts)), engine.Options(today=today))


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("incremental") / "policies"
    shutil.copytree(POLICIES, root)
    return root


def _files(root: Path) -> dict[str, str]:
    return {path.relative_to(root).as_posix(): path.read_text(encoding="utf-8")
            for path in sorted(root.rglob("*.yaml"))}


_WORD = re.compile(r"[a-z0-9][a-z0-9-]*")


@st.composite
def _edits(draw, files: dict[str, str]) -> list[tuple[str, str]]:
    """A few edits in a row, each to one line of one file: a word swapped for another word of the
    policy set (an owner, a stage's touchpoint, a segment, a number, a date), the line deleted, or
    the line written twice. Some leave the YAML broken, as a half-typed edit does."""
    words = sorted({word for text in files.values() for word in _WORD.findall(text)})
    texts = dict(files)
    done = []
    for _ in range(draw(st.integers(1, 4))):
        relpath = draw(st.sampled_from(sorted(texts)))
        lines = texts[relpath].splitlines(keepends=True)
        if not lines:
            continue
        index = draw(st.integers(0, len(lines) - 1))
        how = draw(st.sampled_from(["swap", "swap", "swap", "delete", "repeat"]))
        line = lines[index]
        if how == "swap" and (found := list(_WORD.finditer(line))):
            word = draw(st.sampled_from(found))
            lines[index] = line[:word.start()] + draw(st.sampled_from(words)) + line[word.end():]
        elif how == "delete":
            del lines[index]
        else:
            lines.insert(index, line)
        texts[relpath] = "".join(lines)
        done.append((relpath, texts[relpath]))
    return done


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.data_too_large])
@given(data=st.data())
def test_after_random_edits_the_memo_finds_what_a_full_check_finds(example, data):
    files = _files(example)
    workspace = Workspace(str(example))
    workspace._memo = incremental.Memo(coverage.TALLIES)
    days = [TODAY, TODAY, TODAY + dt.timedelta(days=200)]  # some checks on a later day: reviews fall due
    first = workspace.check(engine.Options(today=TODAY))
    assert _verdict(first) == _verdict(_full(example, {}, TODAY))
    for relpath, text in data.draw(_edits(files)):
        workspace.open(relpath, text)
        today = data.draw(st.sampled_from(days))
        found = _audited(workspace, today)
        assert _verdict(found) == _verdict(_full(example, workspace.texts, today)), relpath
        assert _snapshot(found.graph) == _snapshot(PolicyGraph(found.policy)), relpath  # derived = built afresh
        assert coverage.tallied(found.policy, workspace._memo.counts) == coverage.total(found.policy, found.graph)


@pytest.mark.parametrize("posts", ["as written", "hearing touchpoints"])
def test_a_graph_derived_as_files_go_and_come_back_is_the_graph_built_afresh(example, tmp_path, posts):
    """Each file emptied, then written back, one after another: entities go and come back, so links
    to them vanish and return, references that named nothing resolve again, and every index entry
    that they fed changes twice. After each step, the derived graph and the findings are those of
    a full check, and what changed since the step before (`cxpolicy diff`, the history's loosened
    standards), read from the derived graph's changes, is what comparing every entity finds.
    The example's listening posts name journeys; in the second set one names touchpoints, so the
    journeys it hears change when a journey file does."""
    if posts == "hearing touchpoints":
        shutil.copytree(example, tmp_path / "policies")
        example = tmp_path / "policies"
        written = example / "listening" / "listening-posts.yaml"
        text = written.read_text(encoding="utf-8")
        assert "covers: {journeys: [get-help]}" in text
        written.write_text(text.replace("covers: {journeys: [get-help]}",
                                        "covers: {touchpoints: [returns-phone, store-returns-desk]}"), encoding="utf-8")
    files = _files(example)
    workspace = Workspace(str(example))
    workspace._memo = incremental.Memo(coverage.TALLIES)  # as the history's, which counts coverage too
    before = workspace.check(engine.Options(today=TODAY))
    full_before = _full(example, {}, TODAY)
    for relpath, text in files.items():
        for written in ("", text):
            workspace.open(relpath, written)
            found = _audited(workspace, TODAY)
            assert found.graph.changes is not None  # derived, not built afresh
            assert _snapshot(found.graph) == _snapshot(PolicyGraph(found.policy)), relpath
            full = _full(example, workspace.texts, TODAY)
            assert _verdict(found) == _verdict(full), relpath
            assert diff.changes_between(before, found) == diff.changes_between(full_before, full), relpath
            assert coverage.tallied(found.policy, workspace._memo.counts) == coverage.total(full.policy, full.graph)
            before, full_before = found, full


def test_a_reporting_loop_an_edit_makes_is_found_and_gone_when_undone(example):
    """A loop is made of edges from several entities: the rule that looks for loops must run again
    when any edge of the relation changes."""
    relpath = "teams/customer-office.yaml"
    text = (example / relpath).read_text(encoding="utf-8")
    assert "reportsTo: cco" in text
    workspace = Workspace(str(example))
    workspace.check(engine.Options(today=TODAY))
    workspace.open(relpath, text.replace("reportsTo: cco", "reportsTo: voice-of-customer", 1))
    looped = workspace.check(engine.Options(today=TODAY))
    assert any("reporting lines go round in a circle" in f.message for f in looped.outcome.findings)
    assert _verdict(looped) == _verdict(_full(example, workspace.texts, TODAY))
    workspace.open(relpath, text)
    undone = workspace.check(engine.Options(today=TODAY))
    assert _verdict(undone) == _verdict(_full(example, {}, TODAY))


def test_a_reference_to_a_broken_document_resolves_only_while_the_document_keeps_its_id(example):
    """A reference to a document that cannot be used (its mistake reported where it is) resolves.
    When that document's id changes, no entity's id changes, yet the reference names nothing now:
    the references are resolved again, and CX104 appears."""
    relpath = "touchpoints/contact-centre.yaml"
    text = (example / relpath).read_text(encoding="utf-8")
    written = "metadata: {id: returns-phone, title: Returns by phone}\nspec:\n  channel: phone\n"
    assert written in text
    broken = text.replace(written, written.replace("channel: phone", "channel: [phone]"))
    workspace = Workspace(str(example))
    workspace.check(engine.Options(today=TODAY))
    for step in (broken, broken.replace("id: returns-phone,", "id: returns-phone-line,"), text):
        workspace.open(relpath, step)
        found = workspace.check(engine.Options(today=TODAY))
        assert _verdict(found) == _verdict(_full(example, workspace.texts, TODAY))
    assert not any(f.code == "CX104" for f in found.outcome.findings)
    workspace.open(relpath, broken.replace("id: returns-phone,", "id: returns-phone-line,"))
    moved = workspace.check(engine.Options(today=TODAY))
    assert any(f.code == "CX104" and "returns-phone" in f.message for f in moved.outcome.findings)


def test_a_reference_to_a_stage_is_resolved_again_when_the_stage_is_renamed(example):
    """Renaming a stage changes no id, yet a waiver naming `journey:delivery/dispatch` names
    nothing then (CX104), and again something when the name comes back."""
    waiver = example / "waivers" / "dispatch.yaml"
    waiver.write_text(
        "apiVersion: cxpolicy/v1\nkind: Waiver\nmetadata: {id: dispatch-redesign}\nspec:\n  rule: CX201\n"
        "  targets: [journey:delivery/dispatch]\n  reason: The dispatch stage is being redrawn\n"
        "  approvedBy: cmo\n  expires: 2027-01-31\n", encoding="utf-8")
    relpath = "journeys/delivery.yaml"
    text = (example / relpath).read_text(encoding="utf-8")
    assert "    - id: dispatch\n" in text
    try:
        workspace = Workspace(str(example))
        workspace.check(engine.Options(today=TODAY))
        for step, broken in ((text.replace("    - id: dispatch\n", "    - id: dispatched\n"), True), (text, False)):
            workspace.open(relpath, step)
            found = workspace.check(engine.Options(today=TODAY))
            assert _verdict(found) == _verdict(_full(example, workspace.texts, TODAY))
            assert any(f.code == "CX104" and "dispatch" in f.message for f in found.outcome.findings) is broken
    finally:
        waiver.unlink()


def test_a_check_that_fails_half_way_leaves_nothing_the_next_check_trusts(example, monkeypatch):
    """A rule that fails after the memo has noted the new answers must not leave the parts that did
    not run again looking up to date: the next check is a whole one, and finds what a full check does."""
    relpath = "touchpoints/contact-centre.yaml"
    text = (example / relpath).read_text(encoding="utf-8")
    workspace = Workspace(str(example))
    workspace.check(engine.Options(today=TODAY))
    assert "\n  owner: customer-care\n" in text
    workspace.open(relpath, text.replace("\n  owner: customer-care\n", "\n", 1))  # a touchpoint nobody owns
    real = incremental.Memo._run
    calls = []

    def failing(self, *args):
        calls.append(args[0])
        if len(calls) == 2:
            raise RuntimeError("a rule failed")
        return real(self, *args)

    monkeypatch.setattr(incremental.Memo, "_run", failing)
    with pytest.raises(RuntimeError):
        workspace.check(engine.Options(today=TODAY))
    monkeypatch.setattr(incremental.Memo, "_run", real)
    found = workspace.check(engine.Options(today=TODAY))
    assert _verdict(found) == _verdict(_full(example, workspace.texts, TODAY))
    assert any(f.code == "CX401" for f in found.outcome.findings)


@pytest.mark.parametrize("into", ["channels/channels.yaml", "waivers/trade-review.yaml"])
def test_an_id_defined_again_in_another_file_is_a_duplicate_and_gone_when_removed(example, into):
    """Each file is typed on its own once and then added as a whole; one that repeats an id an
    earlier file defines is typed against the set, and the later definition is the duplicate,
    whichever file comes first."""
    document = "apiVersion: cxpolicy/v1\nkind: Touchpoint\nmetadata: {id: returns-phone}\nspec: {channel: phone, owner: customer-care}\n"
    text = (example / into).read_text(encoding="utf-8")
    workspace = Workspace(str(example))
    workspace.check(engine.Options(today=TODAY))
    for written in (text + "---\n" + document, text):
        workspace.open(into, written)
        found = workspace.check(engine.Options(today=TODAY))
        assert _verdict(found) == _verdict(_full(example, workspace.texts, TODAY))
        assert any("defined twice" in f.message for f in found.outcome.findings) == (written != text)


def _effort_kpi(ident: str, unit: str) -> str:
    return (f"apiVersion: cxpolicy/v1\nkind: KPI\nmetadata: {{id: {ident}}}\nspec:\n  owner: customer-care\n"
            f"  definition: How hard it was.\n  metric: effort-score\n  unit: \"{unit}\"\n  direction: decrease\n"
            "  indicator: leading\n  baseline: {value: 40, asOf: 2026-09-30}\n  targets: [{value: 30, by: 2027-06-30}]\n"
            "  source: Post-contact survey\n")


def test_a_metric_measured_as_its_first_kpi_is_judged_again_when_another_kpi_comes_first(example, tmp_path):
    """A metric the catalogue gives no unit is measured in its first KPI's, in id order (CX305).
    A KPI added before the others changes what every other KPI of the metric is judged against,
    though their files did not change."""
    shutil.copytree(example, tmp_path / "policies")
    root = tmp_path / "policies"
    project = (root / "cxpolicy.yaml").read_text(encoding="utf-8")
    assert "  metrics:\n" in project
    (root / "cxpolicy.yaml").write_text(project.replace(
        "  metrics:\n", "  metrics:\n    effort-score:\n      direction: decrease\n", 1), encoding="utf-8")
    (root / "kpis" / "effort-m.yaml").write_text(_effort_kpi("m-effort", "s"), encoding="utf-8")
    (root / "kpis" / "effort-n.yaml").write_text(_effort_kpi("n-effort", "%"), encoding="utf-8")
    workspace = Workspace(str(root))
    first = workspace.check(engine.Options(today=TODAY))
    assert {f.entity for f in first.outcome.findings if f.code == "CX305"} == {"kpi:n-effort"}
    workspace.open("kpis/effort-b.yaml", _effort_kpi("b-effort", "%"))
    found = workspace.check(engine.Options(today=TODAY))
    assert _verdict(found) == _verdict(_full(root, workspace.texts, TODAY))
    assert {f.entity for f in found.outcome.findings if f.code == "CX305"} == {"kpi:m-effort"}


def test_an_edit_re_runs_only_the_parts_it_can_reach(tmp_path):
    """The saving itself: after one touchpoint's owner changes, the rules run again for that
    touchpoint and what depends on it, not for the whole set."""
    root = tmp_path / "policies"
    generate.generate(300, 1, root)
    memo = incremental.Memo()
    workspace = Workspace(str(root))
    workspace._memo = memo
    workspace.check(engine.Options(today=TODAY))
    everything = memo.runs
    relpath, text = next((path.relative_to(root).as_posix(), path.read_text(encoding="utf-8"))
                         for path in sorted(root.rglob("journeys/*.yaml")))
    owner = re.search(r"owner: ([a-z0-9-]+)", text)
    team = sorted(re.findall(r"id: ([a-z0-9-]+)", (root / "teams").joinpath(
        sorted(p.name for p in (root / "teams").iterdir())[0]).read_text(encoding="utf-8")))[0]
    edited = text[:owner.start(1)] + team + text[owner.end(1):]
    workspace.open(relpath, edited)
    found = workspace.check(engine.Options(today=TODAY))
    assert _verdict(found) == _verdict(_full(root, workspace.texts, TODAY))
    assert 0 < memo.runs < everything / 5, (memo.runs, everything)
    noted = sum(len(answers) for answers in memo.answers.values())
    assert 0 < memo.asked < noted / 5, (memo.asked, noted)  # only what the edit reaches is asked again
    workspace.open(relpath, text)  # and back
    assert _verdict(workspace.check(engine.Options(today=TODAY))) == _verdict(_full(root, {}, TODAY))


def test_an_edit_types_only_the_file_it_changed(tmp_path, monkeypatch):
    """The set after an edit is the last set with the edited file's entities typed again: no other
    file is typed, and the set is not assembled file by file."""
    from cxpolicy import policyset

    root = tmp_path / "policies"
    generate.generate(300, 1, root)
    workspace = Workspace(str(root))
    workspace._memo = incremental.Memo()
    workspace.check(engine.Options(today=TODAY))
    typed, whole = [], []
    real_typed, real_whole = policyset._typed_into, policyset._assembled
    monkeypatch.setattr(policyset, "_typed_into", lambda read, *args: typed.append(read.file) or real_typed(read, *args))
    monkeypatch.setattr(policyset, "_assembled", lambda *args: whole.append(1) or real_whole(*args))
    path = sorted(root.rglob("journeys/*.yaml"))[1]
    text = path.read_text(encoding="utf-8")
    assert "momentOfTruth: true" in text
    workspace.open(path.relative_to(root).as_posix(), text.replace("momentOfTruth: true", "momentOfTruth: false", 1))
    found = workspace.check(engine.Options(today=TODAY))
    assert (typed, whole) == ([path.relative_to(root).as_posix()], [])
    assert _verdict(found) == _verdict(_full(root, workspace.texts, TODAY))


def test_nothing_changed_runs_nothing_again(example):
    memo = incremental.Memo()
    workspace = Workspace(str(example))
    workspace._memo = memo
    workspace.check(engine.Options(today=TODAY))
    workspace.check(engine.Options(today=TODAY))
    assert memo.runs == 0


@pytest.mark.parametrize("days", [1, 400])
def test_a_later_day_re_runs_only_the_parts_whose_dates_fall_the_other_side_of_it(example, days):
    """A part that reads today's date runs again; one that only asked whether a date is past (or
    future) runs again only when the answer changed: a review falling due, a target passing."""
    memo = incremental.Memo()
    workspace = Workspace(str(example))
    workspace._memo = memo
    workspace.check(engine.Options(today=TODAY))
    later_day = TODAY + dt.timedelta(days=days)

    def flips(read: tuple) -> bool:
        return read[0] == "today" or (read[0] == "past" and (read[1] < TODAY) != (read[1] < later_day)) or (
            read[0] == "future" and (read[1] > TODAY) != (read[1] > later_day))

    expected = sum(1 for parts in memo.parts.values() for part in parts.values() if any(map(flips, part.reads)))
    dated = sum(1 for parts in memo.parts.values() for part in parts.values()
                if any(read[0] in ("today", "past", "future") for read in part.reads))
    later = workspace.check(engine.Options(today=later_day))
    assert _verdict(later) == _verdict(_full(example, {}, later_day))
    assert memo.runs == expected < dated
    if days == 400:
        assert expected > 0  # reviews fall due in 400 days


def test_a_rule_cannot_read_the_graph_past_the_noted_verbs():
    """A lookup the memo would not note must fail loudly, not go unnoticed."""
    policy = engine.run(str(POLICIES), engine.Options(today=TODAY), rules=False).policy
    context = incremental._Context(_Context(policy, PolicyGraph(policy)), incremental._Tracker())
    with pytest.raises(AttributeError, match="GRAPH_VERBS"):
        context.graph.view()
    with pytest.raises(AttributeError):
        context.policy.entities


class _Context:
    def __init__(self, policy, graph):
        self.policy, self.graph, self.today, self.catalogue = policy, graph, TODAY, {}
