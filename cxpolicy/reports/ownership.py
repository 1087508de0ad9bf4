"""The ownership report: who is accountable for what, up to each executive.

Plain data, built once from the policy, its graph and the check's findings;
every format (text, Markdown, CSV, JSON, HTML) renders this same object, so
their numbers agree.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from cxpolicy.findings import Finding, Severity
from cxpolicy.graph import RACI_ROLES, PolicyGraph
from cxpolicy.policyset import Entity, PolicySet

#: How each kind is called in reports, in the order holdings are listed.
KIND_LABELS = {
    "touchpoint": "touchpoints",
    "journey": "journeys",
    "servicestandard": "standards",
    "kpi": "KPIs",
    "channel": "channels",
    "listeningpost": "listening posts",
    "segment": "segments",
    "waiver": "waivers",
    "dataset": "datasets",
}
ROLES = (*RACI_ROLES, "sponsor", "fed")
UNOWNED_CODES = ("CX401", "CX402")
NO_EXECUTIVE = "(no executive)"


@dataclass(frozen=True)
class Holding:
    """One thing a team holds, in one role."""

    entity: str  # kind:id
    kind: str
    title: str
    role: str  # accountable | responsible | consulted | informed | sponsor | fed
    where: tuple[str, ...] = ()  # for touchpoints: journey/stage names; else empty


@dataclass
class TeamOwnership:
    id: str
    title: str
    executive: str | None  # the executive at the end of its reporting line
    reports_to: str | None
    depth: int  # steps below its executive
    codeowners: list[str]
    holdings: list[Holding]

    def count(self, role: str) -> int:
        return sum(1 for holding in self.holdings if holding.role == role)


@dataclass
class ExecutiveGroup:
    id: str  # an executive team id, or NO_EXECUTIVE
    title: str
    teams: list[TeamOwnership]


@dataclass(frozen=True)
class Handoff:
    to: str
    to_team: str | None
    standard: str | None


@dataclass(frozen=True)
class CellStandard:
    """A standard that applies at a touchpoint, and whether it is the promise in force there: a more
    specific standard of the same metric (for a segment, or for this very touchpoint) overrides it."""

    id: str
    title: str
    text: str  # "time-to-answer max 60s (plus-members)"
    overridden_by: tuple[str, ...]  # the ids of the standards in force instead; empty: it is in force


@dataclass
class MapCell:
    """A touchpoint on a journey map: where it sits, who owns it, what it promises, how it fares."""

    stage: str
    touchpoint: str
    title: str
    channel: str
    accountable: str | None
    responsible: list[str]
    standards: list[str]  # "id: metric max 60s"
    kpis: list[str]
    handoffs: list[Handoff]
    moment_of_truth: bool
    status: str  # clean | warning | error | unowned
    promises: list[CellStandard] = field(default_factory=list)
    accountable_title: str | None = None
    responsible_titles: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class StageHeader:
    id: str
    title: str
    status: str  # clean | warning | error: the worst finding about the stage itself (a hand-off, an empty stage)
    notes: tuple[str, ...]  # those findings' messages


@dataclass
class JourneyMap:
    id: str
    title: str
    owner: str | None
    segments: list[str]
    stages: list[StageHeader]
    channels: list[str]
    cells: list[MapCell]
    owner_title: str | None = None
    segment_titles: list[str] = field(default_factory=list)
    status: str = "clean"  # the worst finding about the journey itself (an overdue review, say)
    notes: tuple[tuple[str, str], ...] = ()  # (severity, message) of those findings


@dataclass(frozen=True)
class Unowned:
    entity: str
    kind: str
    title: str
    file: str
    line: int
    message: str


@dataclass(frozen=True)
class Concentration:
    team: str
    moments: int
    total: int

    @property
    def share(self) -> float:
        return self.moments / self.total if self.total else 0.0


@dataclass
class OwnershipReport:
    executives: list[ExecutiveGroup]
    journeys: list[JourneyMap]
    unowned: list[Unowned]
    concentration: list[Concentration]
    findings: list[Finding] = field(default_factory=list)  # the check's findings, for the browser page
    team: str | None = None  # when narrowed with --team: that team and the teams reporting up through it

    def teams(self) -> list[TeamOwnership]:
        return [team for group in self.executives for team in group.teams]


def build(policy: PolicySet, graph: PolicyGraph, findings: list[Finding], team: str | None = None) -> OwnershipReport:
    teams = {entity.id: _team(policy, graph, entity) for entity in policy.of("team")}
    groups: dict[str, list[TeamOwnership]] = defaultdict(list)
    for ownership in teams.values():
        groups[ownership.executive or NO_EXECUTIVE].append(ownership)
    narrowed = graph.teams_below(team) if team is not None else set(teams)
    executives = []
    for executive in sorted(groups, key=lambda name: (name == NO_EXECUTIVE, name)):
        members = [m for m in sorted(groups[executive], key=lambda t: (t.depth, t.id)) if m.id in narrowed]
        if members:
            title = teams[executive].title if executive in teams else "Teams whose reporting line reaches no executive"
            executives.append(ExecutiveGroup(executive, title, members))
    status = _statuses(findings)
    notes: dict[str, list[str]] = defaultdict(list)
    journey_notes: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for finding in sorted(findings, key=lambda f: (-f.severity.rank, f.file, f.line, f.column, f.code)):
        if finding.severity is Severity.INFO or not finding.entity:
            continue
        if "/" in finding.entity:
            notes[finding.entity].append(finding.message)
        elif finding.entity.startswith("journey:"):
            journey_notes[finding.entity].append((finding.severity.value, finding.message))
    journeys = [_journey(policy, graph, journey, status, notes, journey_notes) for journey in policy.of("journey")]
    if team is not None:
        journeys = [j for j in journeys if j.owner in narrowed or any(
            c.accountable in narrowed or narrowed.intersection(c.responsible) for c in j.cells)]
    unowned = [
        Unowned(f.entity or "", (f.entity or "").partition(":")[0], _title(policy, f.entity), f.file, f.line, f.message)
        for f in findings if f.code in UNOWNED_CODES
    ]
    return OwnershipReport(executives, journeys, unowned, _concentration(policy, graph), findings, team)


def _title(policy: PolicySet, name: str | None) -> str:
    return policy.title_of(name) or ""


def _team(policy: PolicySet, graph: PolicyGraph, team: Entity) -> TeamOwnership:
    holdings = []
    for relation, role in (("accountable", "accountable"), ("responsible", "responsible"),
                           ("consulted", "consulted"), ("informed", "informed"), ("sponsors", "sponsor")):
        for name in graph.owned_by(team.id, relation):
            entity = policy.get(name)
            if entity is None:
                continue
            where = tuple(stage.name.partition(":")[2] for stage in graph.stages_of(entity.id)) \
                if entity.kind == "Touchpoint" else ()
            holdings.append(Holding(name, name.partition(":")[0], entity.title, role, where))
    for name in graph.related(team.name, "feeds", incoming=True):
        entity = policy.get(name)
        if entity is not None:
            holdings.append(Holding(name, "listeningpost", entity.title, "fed"))
    order = {kind: index for index, kind in enumerate(KIND_LABELS)}
    holdings.sort(key=lambda h: (ROLES.index(h.role), order.get(h.kind, 99), h.entity))
    return TeamOwnership(team.id, team.title, graph.executive_of(team.id), team.spec.reports_to,
                         graph.reporting_line(team.id).depth, list(team.spec.codeowners), holdings)


def _statuses(findings: list[Finding]) -> dict[str, str]:
    """Each entity's worst status on a map: unowned beats error beats warning."""
    status: dict[str, str] = {}
    rank = {"clean": 0, "warning": 1, "error": 2, "unowned": 3}
    for finding in findings:
        if not finding.entity or finding.severity is Severity.INFO:
            continue
        value = "unowned" if finding.code == "CX401" else finding.severity.value
        if rank[value] > rank[status.get(finding.entity, "clean")]:
            status[finding.entity] = value
    return status


def _promises(policy: PolicySet, graph: PolicyGraph, tp_id: str) -> list[CellStandard]:
    """Each standard at a touchpoint, with the standards in force instead of it where it is overridden:
    the same specificity as the checks use (graph.promises), for every segment served there."""
    segments = sorted(set(graph.segments_served(tp_id)) | graph.segments_named_at(tp_id))
    found = []
    for application in sorted(graph.standards_for(tp_id), key=lambda a: (a.metric, a.standard.id)):
        spec = application.standard.spec
        in_force_for = []
        instead: set[str] = set()
        for segment in segments if segments else ():
            if not application.covers(segment):
                continue
            winners = graph.promises(tp_id, segment, application.metric)
            if application in winners:
                in_force_for.append(segment)
            else:
                instead.update(w.standard.id for w in winners)
        named = f" ({', '.join(_titles(policy, 'segment', sorted(application.segments)))})" if application.segments else ""
        found.append(CellStandard(application.standard.id, application.standard.title,
                                  f"{spec.metric} {spec.objective.bound} {spec.objective.threshold}{named}",
                                  () if in_force_for or not segments else tuple(sorted(instead))))
    return found


def _titles(policy: PolicySet, kind: str, ids: list[str]) -> list[str]:
    return [_title(policy, f"{kind}:{ident}") for ident in ids]


def _journey(policy: PolicySet, graph: PolicyGraph, journey: Entity, status: dict[str, str],
             notes: dict[str, list[str]], journey_notes: dict[str, list[tuple[str, str]]]) -> JourneyMap:
    cells = []
    channels: set[str] = set()
    for stage in graph.stages[journey.id]:
        for tp_id in dict.fromkeys(stage.spec.touchpoints):
            touchpoint = policy.get(f"touchpoint:{tp_id}")
            if touchpoint is None:
                continue
            raci = graph.raci(touchpoint)
            standards, kpis = [], []
            for application in sorted(graph.standards_for(tp_id), key=lambda a: a.standard.id):
                spec = application.standard.spec
                segments = f" ({', '.join(sorted(application.segments))})" if application.segments else ""
                standards.append(f"{application.standard.id}: {spec.metric} {spec.objective.bound} "
                                 f"{spec.objective.threshold}{segments}")
                if spec.measured_by and spec.measured_by not in kpis:
                    kpis.append(spec.measured_by)
            handoffs = []
            for handoff in touchpoint.spec.handoffs:
                target = policy.get(f"touchpoint:{handoff.to}")
                handoffs.append(Handoff(handoff.to, graph.accountable_team(target) if target else None,
                                        handoff.standard))
            channels.add(touchpoint.spec.channel)
            accountable = graph.accountable_team(touchpoint)
            cells.append(MapCell(
                stage.spec.id, tp_id, touchpoint.title, touchpoint.spec.channel, accountable,
                raci["responsible"], standards, sorted(kpis), handoffs, touchpoint.spec.moment_of_truth,
                status.get(touchpoint.name, "clean"), _promises(policy, graph, tp_id),
                _title(policy, f"team:{accountable}") if accountable else None,
                _titles(policy, "team", raci["responsible"]),
            ))
    stages = [StageHeader(stage.spec.id, stage.spec.title or stage.spec.id, status.get(stage.name, "clean"),
                          tuple(notes.get(stage.name, ()))) for stage in graph.stages[journey.id]]
    owner = graph.accountable_team(journey)
    return JourneyMap(journey.id, journey.title, owner, list(journey.spec.segments), stages, sorted(channels), cells,
                      _title(policy, f"team:{owner}") if owner else None,
                      _titles(policy, "segment", list(journey.spec.segments)),
                      status.get(journey.name, "clean"), tuple(journey_notes.get(journey.name, ())))


def _concentration(policy: PolicySet, graph: PolicyGraph) -> list[Concentration]:
    moments = [tp for tp in policy.of("touchpoint") if tp.spec.moment_of_truth]
    held = Counter(graph.accountable_team(tp) or "(unowned)" for tp in moments)
    ranked = sorted(held.items(), key=lambda item: (-item[1], item[0]))
    return [Concentration(team, count, len(moments)) for team, count in ranked[:5]]
