"""Precision: each single mistake of the corpus gives its root finding, and nothing about other files.

The corpus (tests/precision_corpus.py) edits copies of policies/ the way analysts get things wrong;
benchmarks/precision.py prints the same measures over the whole corpus.
"""

from __future__ import annotations

import pytest

from cxpolicy import cascade, engine, ruletests

from . import precision_corpus as corpus

DEFINED = corpus.defined_ids()


def test_the_example_is_clean_so_every_finding_is_the_mistakes():
    assert corpus.baseline() == ()


def test_the_corpus_covers_every_kind_and_enough_mistakes():
    kinds = {"teams", "segments", "channels", "touchpoints", "journeys", "standards", "kpis", "listening",
             "rules", "waivers", "cxpolicy.yaml"}
    assert len(corpus.MISTAKES) >= 40
    assert {mistake.file.split("/")[0] for mistake in corpus.MISTAKES} == kinds
    assert len({mistake.name for mistake in corpus.MISTAKES}) == len(corpus.MISTAKES)


@pytest.mark.parametrize("mistake", corpus.MISTAKES, ids=lambda mistake: mistake.name)
def test_one_mistake_is_found_where_it_is_and_nowhere_else(mistake):
    result = corpus.measure(mistake)
    shown = [f"{f.location()} {f.code} {f.message}" for f in result.findings]
    assert result.root is not None, f"no {mistake.code} at {mistake.file}:{result.line}; found {shown}"
    assert result.elsewhere == [], shown
    assert result.false_unknowns(DEFINED) == [], shown


def test_the_corpus_stays_within_the_findings_per_mistake_bound():
    results = [corpus.measure(mistake) for mistake in corpus.MISTAKES]
    assert sum(len(result.findings) for result in results) <= 1.1 * len(results)


# --------------------------------------------------------------------------- how the cascade is held back

def _edited_run(tmp_path, mistake: corpus.Mistake, **options):
    root = tmp_path / "policies"
    corpus.edited(mistake, root)
    return engine.run(str(root), engine.Options(verbose=True, **options))


BROKEN_JOURNEY = corpus.Mistake("unclosed bracket", "journeys/returns.yaml", "touchpoints: [returns-courier-pickup]",
                                "touchpoints: [returns-courier-pickup", "CX100")


def test_a_file_that_does_not_parse_keeps_the_ids_it_defines(tmp_path):
    run = _edited_run(tmp_path, BROKEN_JOURNEY)
    unreadable = run.policy.unreadable["journey"]["returns"]
    assert (unreadable.file, unreadable.line) == ("journeys/returns.yaml", 5)
    assert not [f for f in run.outcome.findings if f.code == "CX104"]  # the standards and posts naming it


def test_the_broken_file_says_how_many_findings_it_holds_back(tmp_path):
    run = _edited_run(tmp_path, BROKEN_JOURNEY)
    (note,) = [f for f in run.outcome.findings if f.code == "CX107"]
    assert (note.file, note.line, note.severity.value) == ("journeys/returns.yaml", 5, "info")
    # Its seven touchpoints would be orphans (CX202) and more; the count is what the checks would say.
    held = int(note.message.split()[0])
    assert held >= 7 and "held back until its mistakes are fixed" in note.message


def test_nothing_is_held_back_once_the_file_is_fixed(tmp_path):
    root = tmp_path / "policies"
    corpus.edited(corpus.Mistake("none", "journeys/returns.yaml", "", "", "CX100"), root)
    assert not [f for f in engine.run(str(root), engine.Options(verbose=True)).outcome.findings if f.code == "CX107"]


def test_a_broken_executive_holds_back_the_lines_below_it_and_only_those(tmp_path):
    mistake = next(m for m in corpus.MISTAKES if m.name == "yaml 1.1 boolean on an executive")
    run = _edited_run(tmp_path, mistake)
    damage = cascade.assess(run.policy)
    assert damage.leaning["team:customer-care"] == "teams/executives.yaml"
    assert damage.leaning["team:care-quality"] == "teams/executives.yaml"  # two levels below
    assert "team:mobile-app" not in damage.leaning  # reports to cdo, which is fine


def test_an_absence_check_holds_back_only_while_a_document_of_its_kind_is_damaged():
    from cxpolicy.rules.gaps import ORPHAN_TOUCHPOINT, STALE_TARGET

    orphan = cascade.Damage(files={"journey:x": "j.yaml"}, kinds={"journey": "j.yaml"})
    orphaned = ORPHAN_TOUCHPOINT.at("t.yaml", 1, 1, "orphan", entity="touchpoint:t")
    stale = STALE_TARGET.at("k.yaml", 1, 1, "stale", entity="kpi:k")
    needs = cascade.needs([])
    kept, held = cascade.hold_back([orphaned, stale], orphan, needs)
    assert kept == [stale] and held == [(orphaned, "j.yaml")]
    assert cascade.hold_back([orphaned, stale], cascade.Damage(), needs) == ([orphaned, stale], [])


def test_a_rule_test_of_a_rule_with_mistakes_says_so(tmp_path):
    mistake = next(m for m in corpus.MISTAKES if m.name == "rule severity misspelt")
    root = tmp_path / "policies"
    corpus.edited(mistake, root)
    cases, _ = ruletests.run_all(str(root))
    broken = [case for case in cases if case.test.spec.rule == "plus-priority-at-assisted-moments"]
    assert broken and all(not case.passed for case in broken)
    for case in broken:
        (problem,) = case.problems
        assert "has mistakes (see rules/plus-priority.yaml:6), so this test cannot run" in problem.message
    from cxpolicy.render import ruletests as shown

    assert "expected but not reported" not in shown.render(broken, [])  # a rule that never ran reported nothing
