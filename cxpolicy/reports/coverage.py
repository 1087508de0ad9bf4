"""The coverage scorecard: how much of what customers meet is owned, promised, measured, targeted and heard.

Per journey, per segment and in total, each measure is a count out of a
count; the share is derived, so every format shows the same numbers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cxpolicy.graph import PolicyGraph
from cxpolicy.policyset import PolicySet

#: The measures, in order, with the words a scorecard shows.
MEASURES = (
    ("owned", "touchpoints with an accountable team"),
    ("moments", "moments of truth with a standard for every segment served"),
    ("measured", "standards measured by a KPI"),
    ("targeted", "KPIs with a target"),
    ("heard", "journeys heard by a listening post"),
)


@dataclass(frozen=True)
class Ratio:
    met: int
    total: int

    @property
    def share(self) -> float | None:
        return self.met / self.total if self.total else None

    def __str__(self) -> str:
        share = self.share
        return f"{self.met}/{self.total}" + (f" ({share:.0%})" if share is not None else "")


@dataclass(frozen=True)
class Row:
    scope: str  # "journey", "segment" or "total"
    id: str
    title: str
    measures: dict[str, Ratio]


@dataclass
class CoverageReport:
    journeys: list[Row]
    segments: list[Row]
    total: Row

    def rows(self) -> list[Row]:
        return [*self.journeys, *self.segments, self.total]


def build(policy: PolicySet, graph: PolicyGraph) -> CoverageReport:
    journeys = [
        _row(policy, graph, "journey", journey.id, journey.title, [journey.id], segment=None)
        for journey in policy.of("journey")
    ]
    segments = [
        _row(policy, graph, "segment", segment.id, segment.title,
             [j.id for j in policy.of("journey") if segment.id in j.spec.segments], segment=segment.id)
        for segment in policy.of("segment")
    ]
    return CoverageReport(journeys, segments, total(policy, graph))


def total(policy: PolicySet, graph: PolicyGraph) -> Row:
    """The whole policy set's row alone (what the history shows at each revision)."""
    return _row(policy, graph, "total", "total", "All journeys", [j.id for j in policy.of("journey")],
                segment=None, touchpoints=[tp.id for tp in policy.of("touchpoint")],
                standards=[s.id for s in policy.of("servicestandard")])


@dataclass(frozen=True)
class Tally:
    """What each entity of a kind adds to the total row: the words of the measures it meets. An
    incremental.Memo given these counts them, and counts again only for the entities a change
    reaches (the history's revisions); `tallied` makes the total row from the counts."""

    each: str
    function: Any

    @property
    def key(self) -> str:
        return f"coverage {self.each}"

    def merged(self, found: Any) -> list:
        return []  # it finds nothing: what it yields is counted


def _touchpoint(context: Any, touchpoint: Any) -> Iterator[str]:
    if context.graph.accountable_team(touchpoint):
        yield "owned"
    if touchpoint.spec.moment_of_truth:
        yield "moment"
        if not context.graph.segments_without_standard(touchpoint.id):
            yield "promised"


def _standard(context: Any, standard: Any) -> Iterator[str]:
    if standard.spec.measured_by:
        yield "measured"


def _kpi(context: Any, kpi: Any) -> Iterator[str]:
    if kpi.spec.targets:
        yield "targeted"


def _journey(context: Any, journey: Any) -> Iterator[str]:
    if context.graph.listening_posts_of(journey.id):
        yield "heard"


TALLIES = (Tally("touchpoint", _touchpoint), Tally("servicestandard", _standard), Tally("kpi", _kpi),
           Tally("journey", _journey))


def tallied(policy: PolicySet, counts: dict[str, Counter]) -> Row:
    """The total row from what a memo counted with TALLIES: the same as `total(policy, graph)`."""
    def count(kind: str, word: str) -> int:
        return counts.get(f"coverage {kind}", Counter())[word]

    def size(kind: str) -> int:
        return len(policy.entities.get(kind, {}))

    measures = {
        "owned": Ratio(count("touchpoint", "owned"), size("touchpoint")),
        "moments": Ratio(count("touchpoint", "promised"), count("touchpoint", "moment")),
        "measured": Ratio(count("servicestandard", "measured"), size("servicestandard")),
        "targeted": Ratio(count("kpi", "targeted"), size("kpi")),
        "heard": Ratio(count("journey", "heard"), size("journey")),
    }
    return Row("total", "total", "All journeys", measures)


def _row(policy: PolicySet, graph: PolicyGraph, scope: str, ident: str, title: str, journeys: list[str], *,
         segment: str | None, touchpoints: list[str] | None = None, standards: list[str] | None = None) -> Row:
    if touchpoints is None:
        touchpoints = list(dict.fromkeys(tp for j in journeys for tp in graph.touchpoints_of_journey(j)))
    entities = [policy.get(f"touchpoint:{tp}") for tp in touchpoints]
    present = [tp for tp in entities if tp is not None]
    moments = [tp for tp in present if tp.spec.moment_of_truth]
    if segment is None:
        promised = [tp for tp in moments if not graph.segments_without_standard(tp.id)]
    else:
        promised = [tp for tp in moments if graph.standards_for(tp.id, segment)]
    if standards is None:
        standards = sorted({a.standard.id for tp in present for a in graph.standards_for(tp.id, segment)})
    standard_entities = [policy.get(f"servicestandard:{s}") for s in standards]
    kpi_ids = sorted({s.spec.measured_by for s in standard_entities if s is not None and s.spec.measured_by})
    if scope == "total":
        kpi_ids = [kpi.id for kpi in policy.of("kpi")]
    kpis = [policy.get(f"kpi:{k}") for k in kpi_ids]
    measures = {
        "owned": Ratio(sum(1 for tp in present if graph.accountable_team(tp)), len(present)),
        "moments": Ratio(len(promised), len(moments)),
        "measured": Ratio(sum(1 for s in standard_entities if s is not None and s.spec.measured_by), len(standards)),
        "targeted": Ratio(sum(1 for k in kpis if k is not None and k.spec.targets), len(kpis)),
        "heard": Ratio(sum(1 for j in journeys if graph.listening_posts_of(j)), len(journeys)),
    }
    return Row(scope, ident, title, measures)
