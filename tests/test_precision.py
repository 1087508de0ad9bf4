"""Precision: each single mistake of the corpus gives its root finding, and nothing about other files.

The corpus (tests/precision_corpus.py) edits copies of policies/ the way analysts get things wrong;
benchmarks/precision.py prints the same measures over the whole corpus.
"""

from __future__ import annotations

import pytest

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
