"""The policy graph: every entity a node, every reference an edge carrying its relation.

Node ids are `kind:id` strings (a journey stage is `journey:ID/STAGE`). The
typed entities are kept beside the graph, not inside it. `PolicyGraph` wraps
the NetworkX graph with verbs in the CX office's words (`accountable_team`,
`standards_for`, `executive_of`, `cycles`), and builds once the indices those
verbs need, so a rule never scans every entity for each entity.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import networkx as nx

from cxpolicy import model
from cxpolicy.policyset import Entity, PolicySet

#: Relations drawn from the team to what it owns, sponsors or approves.
TEAM_TO_ENTITY = frozenset({"accountable", "responsible", "consulted", "informed", "sponsors", "approves"})
RACI_ROLES = ("accountable", "responsible", "consulted", "informed")
#: Rule tests describe other policy sets; they are not part of this one's graph.
NOT_IN_GRAPH = frozenset({"ruletest"})

#: Specificity of where a standard names a touchpoint (FORMAT.md): touchpoint > channel > journey.
TOUCHPOINT_LEVEL, CHANNEL_LEVEL, JOURNEY_LEVEL = 3, 2, 1


@dataclass(frozen=True)
class Stage:
    """One stage of a journey, with where it is written."""

    journey: Entity
    index: int
    spec: model.Stage

    @property
    def name(self) -> str:
        return f"journey:{self.journey.id}/{self.spec.id}"

    @property
    def path(self) -> tuple:
        return ("spec", "stages", self.index)

    def where(self, path: tuple = ("id",), *, key: bool = False) -> tuple[str, int, int]:
        return self.journey.where(self.path + tuple(path), key=key)

    def end(self, path: tuple = ("id",)) -> tuple[int, int] | None:
        return self.journey.end(self.path + tuple(path))


@dataclass(frozen=True)
class ReportingLine:
    """Where a team's line of managers leads."""

    executive: str | None  # the executive it reaches; None when it reaches none
    end: str | None  # where it stops: that executive, a team reporting to nobody, an unknown team; None for a loop
    depth: int  # teams on the way up to the executive, itself included (0 for an executive)


@dataclass(frozen=True)
class Application:
    """A standard applying to one touchpoint: how specifically it names it, and for which segments."""

    standard: Entity
    level: int  # TOUCHPOINT_LEVEL, CHANNEL_LEVEL or JOURNEY_LEVEL
    segments: frozenset[str]  # empty: every segment
    metric: str = field(init=False)
    #: Naming the segment beats naming none; then touchpoint > channel > journey.
    specificity: tuple[int, int] = field(init=False)

    def __post_init__(self) -> None:  # both are read in every rule's inner loop: worked out once
        object.__setattr__(self, "metric", self.standard.spec.metric)
        object.__setattr__(self, "specificity", (1 if self.segments else 0, self.level))

    def covers(self, segment: str | None) -> bool:
        return segment is None or not self.segments or segment in self.segments


class PolicyGraph:
    def __init__(self, policy: PolicySet) -> None:
        self.policy = policy
        self.graph = nx.MultiDiGraph()
        self.stages: dict[str, list[Stage]] = {}
        self._edges: dict[str, list[tuple[str, str]]] = {}  # relation -> edges, for one relation's subgraph
        self._served: dict[str, list[str]] = {}  # touchpoint -> segments served, once asked
        self.tracker: Any = None  # while set, each verb notes what its answer is made of (incremental.py)
        for kind in sorted(set(policy.entities) - NOT_IN_GRAPH):
            for entity in policy.of(kind):
                self.graph.add_node(entity.name, kind=kind)
        for journey in policy.of("journey"):
            self.stages[journey.id] = [Stage(journey, index, stage) for index, stage in enumerate(journey.spec.stages)]
            for stage in self.stages[journey.id]:
                self.graph.add_node(stage.name, kind="stage")
                self.graph.add_edge(journey.name, stage.name, key="contains", relation="contains")
        for kind in sorted(set(policy.entities) - NOT_IN_GRAPH):
            for entity in policy.of(kind):
                for path, ref, target in entity.references():
                    edge = self._reference_edge(entity, path, ref, target)
                    if edge is not None:
                        self.graph.add_edge(*edge, key=ref.relation, relation=ref.relation)
                        self._edges.setdefault(ref.relation, []).append(edge)

    def _reference_edge(self, entity: Entity, path: tuple, ref: model.Ref, target: str) -> tuple[str, str] | None:
        """The edge a reference draws, teams pointing at what they hold; None for an unknown target."""
        source = entity.name
        if entity.kind == "Journey" and path[:2] == ("spec", "stages"):
            source = self.stages[entity.id][path[2]].name
        target_node = f"{ref.kind}:{target}" if ref.kind else target
        if target_node not in self.graph:
            return None  # an unknown reference, already reported as CX104
        return (target_node, source) if ref.relation in TEAM_TO_ENTITY else (source, target_node)

    # ----------------------------------------------------------------- lookups

    def related(self, name: str, relation: str, *, incoming: bool = False) -> list[str]:
        """Node ids linked to `name` by `relation`, sorted."""
        return sorted(self._linked(name, relation, incoming))

    def has_related(self, name: str, relation: str, *, incoming: bool = False) -> bool:
        """Whether anything is linked to `name` by `relation`."""
        return any(self._linked(name, relation, incoming))

    def _linked(self, name: str, relation: str, incoming: bool) -> Iterator[str]:
        self._read("linked", name, relation, incoming)
        if name not in self.graph:
            return iter(())
        neighbours = self.graph.pred[name] if incoming else self.graph.succ[name]  # node -> {relation: data}
        return (node for node, relations in neighbours.items() if relation in relations)

    # ----------------------------------------------------------------- ownership

    def raci(self, touchpoint: Entity) -> dict[str, list[str]]:
        """Team ids per RACI role on a touchpoint."""
        owner = touchpoint.spec.owner
        if owner is None:
            return {role: [] for role in RACI_ROLES}
        if isinstance(owner, str):
            return {"accountable": [owner], "responsible": [], "consulted": [], "informed": []}
        return {
            "accountable": [owner.accountable] if owner.accountable else [],
            "responsible": list(owner.responsible),
            "consulted": list(owner.consulted),
            "informed": list(owner.informed),
        }

    def accountable_team(self, entity: Entity) -> str | None:
        """The one team accountable: a touchpoint's accountable, a segment's sponsor, anything else's owner.

        A team that does not exist is no owner: the entity is as unowned as if nobody were named.
        """
        team = self.named_owner(entity)
        if team is None:
            return None
        self._read("node", f"team:{team}")
        return team if f"team:{team}" in self.graph else None

    @staticmethod
    def named_owner(entity: Entity) -> str | None:
        """The team named accountable, whether or not it exists (CX104 reports one that does not)."""
        if entity.kind == "Touchpoint":
            owner = entity.spec.owner
            return owner if owner is None or isinstance(owner, str) else owner.accountable
        if entity.kind == "Segment":
            return entity.spec.sponsor
        return getattr(entity.spec, "owner", None)

    @cached_property
    def _lines(self) -> dict[str, ReportingLine]:
        """Every team's reporting line, each walked once: a team's line is its manager's plus one step."""
        found: dict[str, ReportingLine] = {}
        for team in self.policy.of("team"):
            path: list[str] = []
            current: str | None = team.id
            while current is not None and current not in found:
                entity = self.policy.get(f"team:{current}")
                if entity is None:  # an unknown manager: the line stops there
                    found[current] = ReportingLine(None, current, 0)
                elif entity.spec.executive:
                    found[current] = ReportingLine(current, current, 0)
                elif entity.spec.reports_to is None:
                    found[current] = ReportingLine(None, current, 1)
                elif current in path:  # a loop: it reaches no executive and stops nowhere
                    loop = path[path.index(current):]
                    for member in loop:
                        found[member] = ReportingLine(None, None, len(loop))
                    path = path[:path.index(current)]
                else:
                    path.append(current)
                    current = entity.spec.reports_to
                    continue
                break
            for member in reversed(path):
                above = found[self.policy.get(f"team:{member}").spec.reports_to]
                found[member] = ReportingLine(above.executive, above.end, above.depth + 1)
        return found

    def reporting_line(self, team: str) -> ReportingLine:
        self._read("_lines", team)
        return self._lines.get(team, ReportingLine(None, team, 0))

    def executive_of(self, team: str) -> str | None:
        return self.reporting_line(team).executive

    def line_end(self, team: str) -> str | None:
        """Where a team's reporting line stops: the last team reached (None for a loop)."""
        return self.reporting_line(team).end

    def teams_below(self, team: str) -> set[str]:
        """The team and every team whose reporting line passes through it."""
        self._read("teams_below", team)
        managers = nx.DiGraph(self._edges.get("reports_to", []))  # edges run from a team to its manager
        node = f"team:{team}"
        below = nx.ancestors(managers, node) if node in managers else set()
        return {team} | {name.partition(":")[2] for name in below}

    def owned_by(self, team: str, relation: str = "accountable") -> list[str]:
        """Names of what a team holds in one relation (accountable by default)."""
        return self.related(f"team:{team}", relation)

    # ----------------------------------------------------------------- journeys

    @cached_property
    def _stages_of_touchpoint(self) -> dict[str, list[Stage]]:
        found: dict[str, list[Stage]] = defaultdict(list)
        for journey in self.policy.of("journey"):
            for stage in self.stages[journey.id]:
                for touchpoint in dict.fromkeys(stage.spec.touchpoints):
                    found[touchpoint].append(stage)
        return found

    def stages_of(self, touchpoint: str) -> list[Stage]:
        self._read("_stages_of_touchpoint", touchpoint)
        return self._stages_of_touchpoint.get(touchpoint, [])

    def journeys_of(self, touchpoint: str) -> list[Entity]:
        return list({stage.journey.id: stage.journey for stage in self.stages_of(touchpoint)}.values())

    def touchpoints_of_journey(self, journey: str) -> list[str]:
        self._read("_touchpoints_of_journey", journey)
        return self._touchpoints_of_journey.get(journey, [])

    @cached_property
    def _touchpoints_of_journey(self) -> dict[str, list[str]]:
        known = self.policy.entities.get("touchpoint", {})
        return {journey: [tp for tp in dict.fromkeys(tp for stage in stages for tp in stage.spec.touchpoints)
                          if tp in known]
                for journey, stages in self.stages.items()}

    @cached_property
    def _touchpoints_of_channel(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = defaultdict(list)
        for touchpoint in self.policy.of("touchpoint"):
            found[touchpoint.spec.channel].append(touchpoint.id)
        return found

    def touchpoints_of_channel(self, channel: str) -> list[str]:
        self._read("_touchpoints_of_channel", channel)
        return self._touchpoints_of_channel.get(channel, [])

    def segments_served(self, touchpoint: str) -> list[str]:
        """Segments served by the journeys that contain the touchpoint (several rules ask: computed once)."""
        self._read("_stages_of_touchpoint", touchpoint)  # what it is made of, also when it was worked out before
        served = self._served.get(touchpoint)
        if served is None:
            served = self._served[touchpoint] = sorted(
                {segment for journey in self.journeys_of(touchpoint) for segment in journey.spec.segments})
        return served

    @cached_property
    def _listening_posts_of_journey(self) -> dict[str, list[str]]:
        found: dict[str, set[str]] = defaultdict(set)
        for post in self.policy.of("listeningpost"):
            for journey in post.spec.covers.journeys:
                found[journey].add(post.id)
            for touchpoint in post.spec.covers.touchpoints:
                for journey in self.journeys_of(touchpoint):
                    found[journey.id].add(post.id)
        return {journey: sorted(posts) for journey, posts in found.items()}

    def listening_posts_of(self, journey: str) -> list[str]:
        """Listening posts that hear a journey: naming it, or any of its touchpoints."""
        self._read("_listening_posts_of_journey", journey)
        return self._listening_posts_of_journey.get(journey, [])

    # ----------------------------------------------------------------- standards

    @cached_property
    def _applications(self) -> dict[str, list[Application]]:
        found: dict[str, list[Application]] = defaultdict(list)
        for standard in self.policy.of("servicestandard"):
            scope = standard.spec.applies_to
            levels: dict[str, int] = {}  # touchpoint -> its most specific level, assigned least specific first
            for journey in scope.journeys:
                levels.update(dict.fromkeys(self.touchpoints_of_journey(journey), JOURNEY_LEVEL))
            for channel in scope.channels:
                levels.update(dict.fromkeys(self.touchpoints_of_channel(channel), CHANNEL_LEVEL))
            levels.update(dict.fromkeys(scope.touchpoints, TOUCHPOINT_LEVEL))
            segments = frozenset(scope.segments)
            at_level = {level: Application(standard, level, segments) for level in set(levels.values())}
            for touchpoint, level in levels.items():
                found[touchpoint].append(at_level[level])
        return found

    @cached_property
    def _touchpoints_by_standard(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = defaultdict(list)
        for touchpoint in sorted(self._applications):
            for application in self._applications[touchpoint]:
                found[application.standard.id].append(touchpoint)
        return found

    def touchpoints_of_standard(self, standard: str) -> list[str]:
        """The touchpoints a standard applies to: named, through their channel, or through a journey."""
        self._read("_touchpoints_by_standard", standard)
        return self._touchpoints_by_standard.get(standard, [])

    @cached_property
    def _applications_by_metric(self) -> dict[str, dict[str, list[Application]]]:
        found: dict[str, dict[str, list[Application]]] = {}
        for touchpoint, applications in self._applications.items():
            by_metric: dict[str, list[Application]] = defaultdict(list)
            for application in applications:
                by_metric[application.metric].append(application)
            found[touchpoint] = dict(by_metric)
        return found

    def standards_for(self, touchpoint: str, segment: str | None = None, metric: str | None = None) -> list[Application]:
        """Standards applying to a touchpoint (for a segment, of a metric, when given)."""
        self._read("_applications", touchpoint)
        if metric is None:
            applications = self._applications.get(touchpoint, [])
        else:
            applications = self._applications_by_metric.get(touchpoint, {}).get(metric, [])
        if segment is None:
            return list(applications)
        return [application for application in applications if application.covers(segment)]

    def promises(self, touchpoint: str, segment: str, metric: str) -> list[Application]:
        """The promise in force: the most specific standards of a metric for a touchpoint and segment."""
        self._read("_applications", touchpoint)
        best: tuple[int, int] = (-1, -1)
        found: list[Application] = []
        for application in self._applications_by_metric.get(touchpoint, {}).get(metric, ()):
            if not application.covers(segment):
                continue
            if application.specificity > best:
                best, found = application.specificity, [application]
            elif application.specificity == best:
                found.append(application)
        return found

    def segments_without_standard(self, touchpoint: str) -> list[str]:
        """Segments served at a touchpoint that no standard applying there is for."""
        self._read("_applications", touchpoint)
        applications = self._applications.get(touchpoint, [])
        if any(not application.segments for application in applications):
            return []  # a standard for every segment applies here
        named = {segment for application in applications for segment in application.segments}
        return [segment for segment in self.segments_served(touchpoint) if segment not in named]

    def metrics_at(self, touchpoint: str) -> list[str]:
        self._read("_applications", touchpoint)
        return sorted(self._applications_by_metric.get(touchpoint, {}))

    def segments_named_at(self, touchpoint: str) -> set[str]:
        self._read("_applications", touchpoint)
        return {segment for application in self._applications.get(touchpoint, []) for segment in application.segments}

    # ----------------------------------------------------------------- what an answer is made of

    def _read(self, *read: Any) -> None:
        if self.tracker is not None:
            self.tracker.reads.add(read)

    def fact(self, read: tuple) -> Any:
        """The present answer to one read a verb noted: an index's entry, or the verb's whole answer."""
        name, *arguments = read
        if name == "node":
            return arguments[0] in self.graph
        if name == "linked":
            return sorted(self._linked(*arguments))
        if name in ("cycles", "teams_below"):
            return getattr(self, name)(*arguments)
        return getattr(self, name).get(arguments[0])

    # ----------------------------------------------------------------- structure

    def view(self, focus: str | None = None, depth: int | None = None,
             relations: tuple[str, ...] = ()) -> nx.MultiDiGraph:
        """A part of the graph: only some relations, and/or what lies within `depth` steps of `focus`."""
        graph = self.graph
        if relations:
            graph = graph.edge_subgraph([(u, v, k) for u, v, k in graph.edges(keys=True) if k in relations])
        if focus is not None:
            near = {focus} if focus not in graph else set(
                nx.single_source_shortest_path_length(graph.to_undirected(as_view=True), focus, cutoff=depth))
            graph = self.graph.subgraph(near) if not relations else graph.subgraph(near)
        return graph

    def cycles(self, relation: str) -> list[list[str]]:
        """Each cycle of one relation (reports_to, drives, hands_off_to), as the nodes around it."""
        self._read("cycles", relation)
        subgraph = nx.DiGraph(self._edges.get(relation, []))
        found = []
        for component in nx.strongly_connected_components(subgraph):
            start = min(component)
            if len(component) == 1 and not subgraph.has_edge(start, start):
                continue
            cycle = nx.find_cycle(subgraph.subgraph(component), start)
            found.append([u for u, _ in cycle])
        return sorted(found)
