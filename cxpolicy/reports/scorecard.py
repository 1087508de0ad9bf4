"""The page's scorecard: whether each measured promise is kept, over time, and each KPI's actuals
against the line to its targets. Built from a measure.Measurement; plain data for the page.

Red, amber, green: a standard is green when its worst segment kept the promise in the latest
complete period, amber when it fell short by less than AMBER_POINTS percentage points, red beyond;
a KPI is green on or ahead of the line from its baseline to its next target, amber behind it by
less than AMBER_SHARE of the line's value, red beyond.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from cxpolicy.measure import NO_SEGMENT, Measurement, kept, on_track, target_share, trajectory_value

AMBER_POINTS = 5.0
AMBER_SHARE = 0.05


@dataclass(frozen=True)
class StandardCard:
    id: str
    title: str
    team: str | None
    promised: float  # the share promised, 0..1
    latest: float | None  # the worst segment's share in the latest complete period
    rag: str
    periods: tuple[str, ...]  # the periods' first days, oldest first
    series: tuple[tuple[str, tuple[float | None, ...]], ...]  # (segment title, share in percent per period)


@dataclass(frozen=True)
class KpiCard:
    id: str
    title: str
    owner: str | None
    unit: str
    points: tuple[tuple[dt.date, float, str], ...]  # baseline and targets
    actuals: tuple[tuple[dt.date, float], ...]
    latest: float | None
    line: float | None  # where the trajectory is on the latest actual's date
    rag: str


@dataclass
class Scorecard:
    as_of: dt.date
    period: str
    latest: dt.date | None
    standards: list[StandardCard] = field(default_factory=list)
    kpis: list[KpiCard] = field(default_factory=list)
    error: str | None = None  # why the data could not be read, said on the page instead


def build(run: Any, result: Measurement) -> Scorecard:
    policy, graph = run.policy, run.graph
    card = Scorecard(result.as_of, result.period, result.latest)
    periods = sorted({a.period for a in result.attainments})
    by_standard: dict[str, dict[str, dict[dt.date, float]]] = {}
    for item in result.attainments:
        by_standard.setdefault(item.standard, {}).setdefault(item.segment, {})[item.period] = item.share
    for ident, segments in sorted(by_standard.items()):
        standard = policy.get(f"servicestandard:{ident}")
        if standard is None:
            continue
        promised = target_share(standard)
        latest = [shares[result.latest] for shares in segments.values() if result.latest in shares]
        worst = min(latest, key=lambda share: (kept(standard, share), share)) if latest else None
        if worst is None:
            rag = "none"
        elif kept(standard, worst):
            rag = "green"
        else:
            rag = "amber" if abs(worst - promised) * 100 < AMBER_POINTS else "red"
        series = tuple((policy.title_of(f"segment:{segment}") if segment else NO_SEGMENT,
                        tuple(round(shares[p] * 100, 1) if p in shares else None for p in periods))
                       for segment, shares in sorted(segments.items()))
        team = graph.accountable_team(standard)
        card.standards.append(StandardCard(ident, standard.title, policy.title_of(f"team:{team}") if team else None,
                                           promised, worst, rag, tuple(p.isoformat() for p in periods), series))
    card.standards.sort(key=lambda c: ({"red": 0, "amber": 1, "green": 2, "none": 3}[c.rag], c.title.lower()))
    for kpi in policy.of("kpi"):
        actuals = tuple((when, value) for when, segment, value in result.actuals.get(kpi.id, []) if not segment)
        if not actuals:
            continue
        when, value = actuals[-1]
        found = trajectory_value(kpi, when)
        line = found[0] if found else None
        if line is None:
            rag = "none"
        else:
            rag = ("green" if on_track(kpi, value, found) else
                   "amber" if abs(value - line) < AMBER_SHARE * abs(line) else "red")
        points = ((kpi.spec.baseline.as_of, float(kpi.spec.baseline.value), "baseline"),) if kpi.spec.baseline else ()
        points += tuple((t.by, float(t.value), "target") for t in sorted(kpi.spec.targets, key=lambda t: t.by))
        owner = graph.accountable_team(kpi)
        card.kpis.append(KpiCard(kpi.id, kpi.title, policy.title_of(f"team:{owner}") if owner else None,
                                 kpi.spec.unit, points, actuals, value, line, rag))
    card.kpis.sort(key=lambda c: ({"red": 0, "amber": 1, "green": 2, "none": 3}[c.rag], c.title.lower()))
    return card
