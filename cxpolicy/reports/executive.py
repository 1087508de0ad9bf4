"""The executive view: what is at risk and who must act, how each coverage measure stands, which
exceptions are granted, and where the KPIs are heading.

Plain data, built once from a run (its policy set, graph and verdict) and the coverage scorecard;
the browser page and the other formats render this same object, so their numbers agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from cxpolicy.findings import Finding, Severity
from cxpolicy.reports.coverage import MEASURES, CoverageReport, Ratio

#: What each status is called where a person reads it.
RAG_WORDS = {"green": "on track", "amber": "at risk", "red": "off track", "none": "nothing to measure"}
#: A waiver this close to its end is flagged, so that its renewal or the fix is planned in time.
EXPIRES_SOON_DAYS = 30
NO_EXECUTIVE = "No executive"


@dataclass(frozen=True)
class Risk:
    """One open finding, said for the person who must act on it."""

    severity: str  # error | warning
    code: str
    message: str
    hint: str | None
    subject: str  # the title of what it is about
    team: str | None  # the title of the team that must act
    file: str
    line: int


@dataclass
class RiskGroup:
    """The risks whose acting team reports up to one executive."""

    executive: str  # the executive's title, or NO_EXECUTIVE
    risks: list[Risk]

    def count(self, severity: str) -> int:
        return sum(1 for risk in self.risks if risk.severity == severity)


@dataclass(frozen=True)
class MeasureStatus:
    name: str
    words: str
    ratio: Ratio
    rag: str  # green | amber | red | none


@dataclass(frozen=True)
class WaiverView:
    id: str
    title: str
    rule: str
    rule_summary: str
    targets: tuple[str, ...]  # titles
    reason: str
    approver: str  # title
    expires: dt.date
    days_left: int
    hides: tuple[str, ...]  # the messages of the findings it hides
    state: str  # live | expires soon | expired | unused

    @property
    def flagged(self) -> bool:
        return self.state != "live"


@dataclass(frozen=True)
class KpiPoint:
    when: dt.date
    value: float
    label: str  # "baseline" or "target"


@dataclass(frozen=True)
class KpiView:
    id: str
    title: str
    owner: str | None  # the accountable team's title
    unit: str
    direction: str  # increase | decrease
    indicator: str  # leading | lagging
    points: tuple[KpiPoint, ...]  # the baseline first, then the targets in date order
    drives: tuple[str, ...]  # ids of the KPIs it moves
    status: str  # clean | warning | error
    notes: tuple[str, ...]  # the findings about it


@dataclass
class ExecutiveView:
    risks: list[RiskGroup]
    statuses: list[MeasureStatus]
    waivers: list[WaiverView]
    kpis: list[KpiView]
    waivers_as_of: dt.date
    thresholds: tuple[float, float] = (90.0, 70.0)  # green and amber, in percent
    counts: dict[str, int] = field(default_factory=dict)

    def kpi(self, ident: str) -> KpiView | None:
        return next((kpi for kpi in self.kpis if kpi.id == ident), None)


def build(run: Any, coverage: CoverageReport, *, waivers_as_of: dt.date, measured: Iterable[Finding] = (),
          measured_waived: Iterable[tuple[Finding, Any]] = ()) -> ExecutiveView:
    """`run` is an engine.Run with its policy and graph; waivers are judged as of `waivers_as_of`, the day
    the check judged them by (the calendar's, unless --today pins it). `measured` are the findings of
    `cxpolicy measure` (a promise broken, a KPI off track): they are at risk as much as the policy's own;
    `measured_waived` what the waivers of the data checks hide there."""
    policy, graph, outcome = run.policy, run.graph, run.outcome
    thresholds = policy.project.report.thresholds
    green, amber = thresholds.green.percent, thresholds.amber.percent
    statuses = [MeasureStatus(name, words, coverage.total.measures[name],
                              rag(coverage.total.measures[name], green, amber)) for name, words in MEASURES]
    findings = [f for f in [*outcome.findings, *measured] if f.severity is not Severity.INFO]
    hidden = [(w.finding, w.waiver) for w in outcome.waived] + [(finding, waiver.id) for finding, waiver in measured_waived]
    return ExecutiveView(_risks(policy, graph, findings), statuses, _waivers(policy, hidden, waivers_as_of),
                         _kpis(policy, graph, findings), waivers_as_of, (green, amber), dict(outcome.counts))


def rag(ratio: Ratio, green: float, amber: float) -> str:
    share = ratio.share
    if share is None:
        return "none"
    percent = share * 100
    return "green" if percent >= green else "amber" if percent >= amber else "red"


def severity_order(finding: Finding) -> tuple[int, str, int, int, str]:
    """Errors first, then warnings, then info; within each, by place."""
    return (-finding.severity.rank, finding.file, finding.line, finding.column, finding.code)


def acting_team(policy: Any, graph: Any, entity: Any) -> str | None:
    """The team that must act on what is found about `entity`: the team itself for a team, else its
    accountable team, else (nobody owns it, or no entity) the team that keeps the policy set."""
    if entity is not None and entity.kind == "Team":
        return entity.id
    team = graph.accountable_team(entity) if entity is not None else None
    return team or policy.project.owner


def who_acts(policy: Any, graph: Any, entity: Any) -> str:
    """'Customer Care must act (reporting to Chief Operating Officer).': the hint of a finding whose only
    advice is who acts (the page says that in its own words, and leaves the sentence out)."""
    team = acting_team(policy, graph, entity)
    return _who_acts(policy, team, graph.executive_of(team) if team else None)


def _who_acts(policy: Any, team: str | None, executive: str | None) -> str:
    if team is None:
        return "No team is accountable for it."
    return f"{policy.title_of(f'team:{team}')} must act" + (
        f" (reporting to {policy.title_of(f'team:{executive}')})." if executive and executive != team else ".")


def _risks(policy: Any, graph: Any, findings: list[Finding]) -> list[RiskGroup]:
    groups: dict[str, list[Risk]] = {}
    for finding in sorted(findings, key=severity_order):
        subject_name = (finding.entity or "").split("/")[0]  # a stage's finding is its journey's
        team = acting_team(policy, graph, policy.get(subject_name) if subject_name else None)
        executive = graph.executive_of(team) if team else None
        subject = policy.title_of(subject_name) or finding.file
        if finding.entity and "/" in finding.entity:
            stage = finding.entity.partition("/")[2]
            subject = f"{subject}, stage {stage}"
        hint = finding.hint
        if hint and subject_name:  # "Who acts" is said beside it: not again in the hint
            hint = hint.replace(_who_acts(policy, team, executive), "").strip() or None
        risk = Risk(finding.severity.value, finding.code, finding.message, hint, subject,
                    policy.title_of(f"team:{team}") if team else None, finding.file, finding.line)
        groups.setdefault(policy.title_of(f"team:{executive}") if executive else NO_EXECUTIVE, []).append(risk)
    ordered = sorted(groups.items(), key=lambda item: (item[0] == NO_EXECUTIVE,
                                                        -sum(r.severity == "error" for r in item[1]),
                                                        -len(item[1]), item[0]))
    return [RiskGroup(executive, risks) for executive, risks in ordered]


def _waivers(policy: Any, waived: list[tuple[Finding, str]], today: dt.date) -> list[WaiverView]:
    """Each waiver with what it hides (finding, waiver id), judged as of `today`."""
    from cxpolicy.catalogue import CATALOGUE, checks

    checks()
    hidden: dict[str, list[str]] = {}
    for finding, waiver_id in waived:
        hidden.setdefault(waiver_id, []).append(finding.message)
    views = []
    for waiver in policy.of("waiver"):
        spec = waiver.spec
        days = (spec.expires - today).days
        hides = tuple(hidden.get(waiver.id, ()))
        state = ("expired" if days < 0 else "unused" if not hides else
                 "expires soon" if days <= EXPIRES_SOON_DAYS else "live")
        check = CATALOGUE.get(spec.rule)
        rule = policy.get(f"rule:{spec.rule}")
        summary = check.summary if check else (rule.title if rule is not None else spec.rule)
        views.append(WaiverView(waiver.id, waiver.title, spec.rule, summary,
                                tuple(policy.title_of(target.split("/")[0]) or target for target in spec.targets),
                                spec.reason.strip(), policy.title_of(f"team:{spec.approved_by}") or spec.approved_by,
                                spec.expires, days, hides, state))
    return sorted(views, key=lambda view: (view.expires, view.id))


def _kpis(policy: Any, graph: Any, findings: list[Finding]) -> list[KpiView]:
    about: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.entity and finding.entity.startswith("kpi:"):
            about.setdefault(finding.entity, []).append(finding)
    views = []
    for kpi in policy.of("kpi"):
        spec = kpi.spec
        points = ([KpiPoint(spec.baseline.as_of, float(spec.baseline.value), "baseline")] if spec.baseline else []) + [
            KpiPoint(target.by, float(target.value), "target") for target in sorted(spec.targets, key=lambda t: t.by)]
        mine = about.get(kpi.name, [])
        status = "error" if any(f.severity is Severity.ERROR for f in mine) else "warning" if mine else "clean"
        owner = graph.accountable_team(kpi)
        views.append(KpiView(kpi.id, kpi.title, policy.title_of(f"team:{owner}") if owner else None, spec.unit,
                             spec.direction, spec.indicator, tuple(points), tuple(spec.drives), status,
                             tuple(f.message for f in sorted(mine, key=severity_order))))
    return sorted(views, key=lambda view: (view.indicator != "lagging", view.title.lower(), view.id))
