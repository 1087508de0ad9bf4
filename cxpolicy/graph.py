"""The policy graph: every entity a node, every reference an edge carrying its relation.

Node ids are `kind:id` strings (a journey stage is `journey:ID/STAGE`). The
typed entities are kept beside the graph, not inside it. `PolicyGraph` offers
verbs in the CX office's words (`accountable_team`, `standards_for`,
`executive_of`, `cycles`) and builds the indices those verbs need, so a rule
never scans every entity for each entity.

The graph of a later revision of the same folder can be derived from an earlier
one's (`PolicyGraph(policy, previous)`): only the entities that changed are
drawn again, each index is updated by what they contributed to it, and
`changes` says which answers (incremental.py's reads) may differ. Each graph
keeps its own copy of every index and shares only the entries that did not
change, so the earlier graph still answers as it did. The NetworkX graph, for
reports that walk the structure (`view`, impact, export), is built when first
asked for.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import networkx as nx

from cxpolicy import model
from cxpolicy.policyset import Entity, PolicySet, changed

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


#: Relations whose loops are looked for (conflicts.cycles): their edges are also kept as one list each.
LOOPED = frozenset({"reports_to", "drives", "hands_off_to", "part_of"})

Edge = tuple[str, str, str]  # (from node, to node, relation)
_KEYS: dict[str, tuple[tuple[str, bool], tuple[str, bool]]] = {}  # relation -> its adjacency keys, out and in
_SERIALS = itertools.count(1)


@dataclass(frozen=True)
class Changes:
    """What changed from the graph a graph was derived from."""

    since: int  # the serial of the graph derived from (a number, so that graphs are not kept in a chain)
    entities: dict[str, frozenset[str]]  # kind key -> ids of the entities added, removed or changed
    reads: frozenset[tuple]  # the reads (incremental.py) whose answer may differ


class _Inverse:
    """key -> values, gathered from each source's contribution in the order of the sources' names, so
    that replacing one source's contribution touches only the keys it gave to (copy-on-write: an
    updated index shares its unchanged entries with the one it came from, which stays as it was)."""

    __slots__ = ("made", "_sources", "entries")

    def __init__(self) -> None:
        self.made: dict[str, dict[Any, list[Any]]] = {}  # source -> key -> its values
        self._sources: dict[Any, set[str]] | None = {}  # key -> the sources that gave to it
        self.entries: dict[Any, list[Any]] = {}  # key -> every source's values, sources in order

    def get(self, key: Any, default: Any = None) -> Any:
        return self.entries.get(key, default)

    @property
    def sources(self) -> dict[Any, set[str]]:
        """Which sources gave to each key: worked out when the index is first updated (a graph built
        once, for one check, never is)."""
        if self._sources is None:
            self._sources = {}
            for source, given in self.made.items():
                for key in given:
                    self._sources.setdefault(key, set()).add(source)
        return self._sources

    def updated(self, contributions: dict[str, dict[Any, list[Any]]]) -> tuple["_Inverse", set[Any]]:
        """A copy with these sources' contributions in place of their old ones (an empty one removes
        the source), and the keys whose values changed."""
        new = _Inverse()
        if not self.made:  # from nothing: every key's values are gathered in one pass, sources in order
            for source in sorted(contributions):
                if given := contributions[source]:
                    new.made[source] = given
                    for key, values in given.items():
                        new.entries.setdefault(key, []).extend(values)
            new._sources = None
            return new, set(new.entries)
        contributions = {source: given for source, given in contributions.items() if given != self.made.get(source, {})}
        if not contributions:  # the same as before (a touchpoint changed, but not its channel): shared as it is
            return self, set()
        new.made, new._sources, new.entries = dict(self.made), dict(self.sources), dict(self.entries)
        copied: set[Any] = set()  # keys whose source set is this copy's own

        def sources_of(key: Any) -> set[str]:
            if key not in copied:
                copied.add(key)
                new.sources[key] = set(new.sources.get(key, ()))
            return new.sources[key]

        touched: set[Any] = set()
        for source, given in contributions.items():
            for key in new.made.pop(source, {}):
                sources_of(key).discard(source)
                touched.add(key)
            if given:
                new.made[source] = given
                for key in given:
                    sources_of(key).add(source)
                    touched.add(key)
        changed = set()
        for key in touched:
            values = [value for source in sorted(new.sources[key]) for value in new.made[source][key]]
            if not values:
                del new.sources[key]
            if values != new.entries.get(key, []):
                changed.add(key)
                if values:
                    new.entries[key] = values
                else:
                    del new.entries[key]
        return new, changed


class _Delta:
    """What a graph is derived from, and what it finds changed on the way (PolicyGraph._derive_*)."""

    def __init__(self, previous: Any, policy: PolicySet) -> None:
        self.previous = previous
        self.by_kind = changed(previous.policy, policy)  # kind -> id -> the entity now, None if gone
        self.changed_entities = {f"{kind}:{ident}": entity for kind, of_kind in self.by_kind.items()
                                 if kind not in NOT_IN_GRAPH for ident, entity in of_kind.items()}  # the graph's
        self.derived = previous is not _EMPTY  # built afresh, nothing is said of what changed
        self.entities = {kind: frozenset(of_kind) for kind, of_kind in self.by_kind.items()}
        self.reads: set[tuple] = ({("entity", f"{kind}:{ident}") for kind, ids in self.entities.items() for ident in ids}
                                  | {("kind", kind) for kind in self.entities}) if self.derived else set()
        self.journeys = set(self.by_kind.get("journey", ()))
        self.touchpoints = set(self.by_kind.get("touchpoint", ()))
        self.flipped: set[str] = set()  # nodes added or removed
        self.restaged: set[str] = set()  # touchpoints whose stages changed
        self.journeys_changed: set[str] = set()  # journeys whose touchpoints changed
        self.channels_changed: set[str] = set()  # channels whose touchpoints changed


class PolicyGraph:
    def __init__(self, policy: PolicySet, previous: "PolicyGraph | None" = None) -> None:
        self.policy = policy
        self.serial = next(_SERIALS)
        self.tracker: Any = None  # while set, each verb notes what its answer is made of (incremental.py)
        delta = _Delta(previous if previous is not None else _EMPTY, policy)
        self._derive_nodes(delta)
        self._derive_edges(delta)
        self._derive_journeys(delta)
        self._derive_posts(delta)
        self._derive_lines(delta)
        self._derive_standards(delta)
        self._derive_segments_and_moments(delta)
        self._derive_metrics(delta)
        self.changes = Changes(delta.previous.serial, delta.entities, frozenset(delta.reads)) if delta.derived else None

    def _derive_nodes(self, delta: "_Delta") -> None:
        """Nodes and stages."""
        self._kinds = dict(delta.previous._kinds)  # node -> its kind ("stage" for a journey's stage)
        self.stages = dict(delta.previous.stages)
        for name, entity in delta.changed_entities.items():
            before = name in self._kinds
            if entity is None:
                self._kinds.pop(name, None)
            else:
                self._kinds[name] = name.partition(":")[0]
            if (entity is not None) != before:
                delta.flipped.add(name)
        for journey in sorted(delta.journeys):
            old = {stage.name for stage in delta.previous.stages.get(journey, ())}
            entity = self.policy.get(f"journey:{journey}")
            if entity is None:
                self.stages.pop(journey, None)
            else:
                self.stages[journey] = [Stage(entity, index, stage) for index, stage in enumerate(entity.spec.stages)]
            new = {stage.name for stage in self.stages.get(journey, ())}
            for name in old - new:
                del self._kinds[name]
            for name in new - old:
                self._kinds[name] = "stage"
            delta.flipped |= old ^ new
            delta.reads.add(("stages", journey))
        delta.reads |= {("node", name) for name in delta.flipped}

    def _derive_edges(self, delta: "_Delta") -> None:
        """Edges: what each changed entity draws, and what draws to a node that came or went."""
        self._drawn = dict(delta.previous._drawn)  # entity name -> the edges it draws
        self._dangling = dict(delta.previous._dangling)  # node that does not exist -> entities naming it
        self._adjacent = dict(delta.previous._adjacent)  # node -> (relation, incoming) -> other node -> edges
        self._looped = dict(delta.previous._looped)  # relation in LOOPED -> its edges
        redraw = set(delta.changed_entities)
        for name in delta.flipped:
            redraw |= self._dangling.get(name, set())
            for links in delta.previous._adjacent.get(name, {}).values():
                redraw |= {other.partition("/")[0] for other in links}
        for name in delta.flipped:
            self._dangling.pop(name, None)  # drawn again below, with the edges to it
        noted = delta.reads if delta.derived else None
        adjacent_copied: set[Any] | None = set() if delta.derived else None  # nodes (and looped relations) this graph owns
        for name in redraw:
            old_edges = self._drawn.pop(name, ())
            entity = delta.changed_entities[name] if name in delta.changed_entities else self.policy.get(name)
            new_edges = self._draw(entity) if entity is not None else ()
            if new_edges:
                self._drawn[name] = new_edges
            if old_edges:
                for edge in set(old_edges) - set(new_edges):
                    self._link(edge, -1, adjacent_copied, noted)
                new_edges = set(new_edges) - set(old_edges)
            for edge in new_edges:
                self._link(edge, +1, adjacent_copied, noted)

    def _derive_journeys(self, delta: "_Delta") -> None:
        """Journeys and touchpoints."""
        delta.restaged = self._update(delta, "_stages_of_touchpoint", {
            journey: _stages_by_touchpoint(self.stages.get(journey, ())) for journey in delta.journeys})
        self._served: dict[str, list[str]] = {}  # touchpoint -> segments served, once asked of this graph
        came_or_went = {tp for tp in delta.touchpoints if f"touchpoint:{tp}" in delta.flipped} if delta.derived else ()
        listing = delta.journeys | {stage.journey.id for tp in came_or_went for graph in (delta.previous, self)
                                    for stage in graph._stages_of_touchpoint.get(tp, ())}  # journeys to list again
        self._touchpoints_of_journey = dict(delta.previous._touchpoints_of_journey)
        known = self.policy.entities.get("touchpoint", {})
        for journey in listing:
            stages = self.stages.get(journey)
            listed = None if stages is None else [
                tp for tp in dict.fromkeys(tp for stage in stages for tp in stage.spec.touchpoints) if tp in known]
            if listed != self._touchpoints_of_journey.get(journey):
                delta.journeys_changed.add(journey)
                if listed is None:
                    del self._touchpoints_of_journey[journey]
                else:
                    self._touchpoints_of_journey[journey] = listed
        delta.reads |= {("_touchpoints_of_journey", journey) for journey in delta.journeys_changed}
        delta.channels_changed = self._update(delta, "_touchpoints_of_channel", {
            tp: ({entity.spec.channel: [tp]} if (entity := known.get(tp)) is not None else {}) for tp in delta.touchpoints})

    def _derive_posts(self, delta: "_Delta") -> None:
        """Listening posts."""
        posts = set(delta.by_kind.get("listeningpost", ()))
        self._update(delta, "_covering", {post: _covered(self.policy.get(f"listeningpost:{post}")) for post in posts})
        posts |= {post for tp in delta.restaged for post in self._covering.get(tp, ())}
        self._update(delta, "_listening_posts_of_journey", {
            post: self._heard(self.policy.get(f"listeningpost:{post}")) for post in posts})

    def _derive_lines(self, delta: "_Delta") -> None:
        """Reporting lines: walked again, all of them, when a team changes."""
        self._lines = delta.previous._lines
        if "team" in delta.by_kind:
            self._lines = _reporting_lines(self.policy)
            delta.reads |= {("_lines", team) for team in delta.previous._lines.keys() | self._lines.keys()
                            if delta.previous._lines.get(team) != self._lines.get(team)}

    def _derive_standards(self, delta: "_Delta") -> None:
        """Standards."""
        standards = set(delta.by_kind.get("servicestandard", ()))
        self._update(delta, "_scoped", {
            standard: _scope(self.policy.get(f"servicestandard:{standard}")) for standard in standards})
        standards |= {standard for journey in delta.journeys_changed
                      for standard in self._scoped.get(("journey", journey), ())}
        standards |= {standard for channel in delta.channels_changed
                      for standard in self._scoped.get(("channel", channel), ())}
        levels = {standard: self._levels(self.policy.get(f"servicestandard:{standard}")) for standard in standards}
        applied = self._update(delta, "_applications", {
            standard: _applications(self.policy.get(f"servicestandard:{standard}"), levels[standard])
            for standard in standards})
        self._touchpoints_by_standard = dict(delta.previous._touchpoints_by_standard)
        for standard in standards:
            listed = sorted(levels[standard])
            if listed != self._touchpoints_by_standard.get(standard, []):
                delta.reads.add(("_touchpoints_by_standard", standard))
            if listed:
                self._touchpoints_by_standard[standard] = listed
            else:
                self._touchpoints_by_standard.pop(standard, None)
        self._applications_by_metric = dict(delta.previous._applications_by_metric)
        for tp in applied:
            by_metric: dict[str, list[Application]] = defaultdict(list)
            for application in self._applications.get(tp, ()):
                by_metric[application.metric].append(application)
            if by_metric:
                self._applications_by_metric[tp] = dict(by_metric)
            else:
                self._applications_by_metric.pop(tp, None)

    def _derive_segments_and_moments(self, delta: "_Delta") -> None:
        """The segments journeys serve, and the moments of truth each team is accountable for."""
        self._update(delta, "_journeys_serving", {
            journey: ({segment: [journey] for segment in entity.spec.segments}
                      if (entity := self.policy.get(f"journey:{journey}")) is not None else {})
            for journey in delta.journeys})
        known = self.policy.entities.get("touchpoint", {})
        self._update(delta, "_moments_held", {tp: _moment_held(known.get(tp)) for tp in delta.touchpoints})
        before = delta.previous.policy.entities.get("touchpoint", {}) if delta.previous.policy is not None else {}
        self._moments = delta.previous._moments + sum(
            _is_moment(known.get(tp)) - _is_moment(before.get(tp)) for tp in delta.touchpoints)
        if self._moments != delta.previous._moments:
            delta.reads.add(("_moments",))

    def _derive_metrics(self, delta: "_Delta") -> None:
        """What each metric's KPIs are, and what each team is held to on each metric."""
        kpis = set(delta.by_kind.get("kpi", ()))
        self._update(delta, "_kpis_of_metric", {kpi: _measuring(self.policy.get(f"kpi:{kpi}")) for kpi in kpis})
        holders = [*(f"kpi:{kpi}" for kpi in kpis),
                   *(f"servicestandard:{standard}" for standard in delta.by_kind.get("servicestandard", ()))]
        self._update(delta, "_held_to", {name: _held(self.policy.get(name)) for name in holders})

    def _update(self, delta: "_Delta", index: str, contributions: dict[str, dict[Any, list[Any]]]) -> set[Any]:
        """This graph's `index` (an _Inverse): the last graph's, with these sources' contributions in
        place of theirs. The keys whose entries changed are returned, and noted as changed reads."""
        updated, changed_keys = getattr(delta.previous, index).updated(contributions)
        setattr(self, index, updated)
        delta.reads |= {(index, key) for key in changed_keys}
        return changed_keys

    def _draw(self, entity: Entity) -> tuple[Edge, ...]:
        """The edges an entity draws (a journey's to its stages, then one per reference), noting the
        references it makes to nodes that do not exist."""
        edges: list[Edge] = []
        if entity.kind == "Journey":
            edges += [(entity.name, stage.name, "contains") for stage in self.stages[entity.id]]
        for path, ref, target in entity.references():
            edge = self._reference_edge(entity, path, ref, target)
            if edge is None:
                missing = f"{ref.kind}:{target}" if ref.kind else target
                self._dangling[missing] = self._dangling.get(missing, set()) | {entity.name}
            else:
                edges.append((*edge, ref.relation))
        return tuple(dict.fromkeys(edges))

    def _link(self, edge: Edge, step: int, copied: set[Any] | None, reads: set[tuple] | None) -> None:
        """Count an edge in (step 1) or out (step -1) of both ends' adjacency (and of its relation's
        list, for a looped one), copying what this graph changes the first time it changes it
        (`copied`: what is this graph's own already; None when it shares nothing)."""
        source, target, relation = edge
        adjacent = self._adjacent
        keys = _KEYS.get(relation) or _KEYS.setdefault(relation, ((relation, False), (relation, True)))
        for node, other, key in ((source, target, keys[0]), (target, source, keys[1])):
            held = adjacent.get(node)
            if copied is not None and node not in copied:
                copied.add(node)
                held = adjacent[node] = {key: dict(links) for key, links in held.items()} if held else {}
            elif held is None:
                held = adjacent[node] = {}
            links = held.get(key)
            if links is None:
                links = held[key] = {}
            count = links.get(other, 0) + step
            if count > 0:
                links[other] = count
            else:
                del links[other]
                if not links:
                    del held[key]
            if reads is not None and count == (1 if step > 0 else 0):  # the link came or went
                reads.add(("linked", node, *key))
        if relation in LOOPED:
            if copied is not None and ("looped", relation) not in copied:
                copied.add(("looped", relation))
                self._looped[relation] = dict(self._looped.get(relation, {}))
            elif relation not in self._looped:
                self._looped[relation] = {}
            edges = self._looped[relation]
            count = edges.get((source, target), 0) + step
            if count > 0:
                edges[(source, target)] = count
            else:
                del edges[(source, target)]
            if reads is not None:
                reads.add(("cycles", relation))

    def _reference_edge(self, entity: Entity, path: tuple, ref: model.Ref, target: str) -> tuple[str, str] | None:
        """The edge a reference draws, teams pointing at what they hold; None for an unknown target."""
        source = entity.name
        if entity.kind == "Journey" and path[:2] == ("spec", "stages"):
            source = self.stages[entity.id][path[2]].name
        target_node = f"{ref.kind}:{target}" if ref.kind else target
        if target_node not in self._kinds:
            return None  # an unknown reference, already reported as CX104
        return (target_node, source) if ref.relation in TEAM_TO_ENTITY else (source, target_node)

    @cached_property
    def graph(self) -> nx.MultiDiGraph:
        """The NetworkX graph: nodes in kind and id order, then each entity's edges in the same order."""
        graph = nx.MultiDiGraph()
        for kind in sorted(set(self.policy.entities) - NOT_IN_GRAPH):
            for entity in self.policy.of(kind):
                graph.add_node(entity.name, kind=kind)
        for journey in self.policy.of("journey"):
            for stage in self.stages[journey.id]:
                graph.add_node(stage.name, kind="stage")
        for kind in sorted(set(self.policy.entities) - NOT_IN_GRAPH):
            for entity in self.policy.of(kind):
                for source, target, relation in self._drawn.get(entity.name, ()):
                    graph.add_edge(source, target, key=relation, relation=relation)
        return graph

    # ----------------------------------------------------------------- lookups

    def related(self, name: str, relation: str, *, incoming: bool = False) -> list[str]:
        """Node ids linked to `name` by `relation`, sorted."""
        return sorted(self._linked(name, relation, incoming))

    def has_related(self, name: str, relation: str, *, incoming: bool = False) -> bool:
        """Whether anything is linked to `name` by `relation`."""
        return any(self._linked(name, relation, incoming))

    def _linked(self, name: str, relation: str, incoming: bool) -> Iterator[str]:
        self._read("linked", name, relation, incoming)
        return iter(self._adjacent.get(name, {}).get((relation, incoming), ()))

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
        return team if f"team:{team}" in self._kinds else None

    @staticmethod
    def named_owner(entity: Entity) -> str | None:
        """The team named accountable, whether or not it exists (CX104 reports one that does not)."""
        if entity.kind == "Touchpoint":
            owner = entity.spec.owner
            return owner if owner is None or isinstance(owner, str) else owner.accountable
        if entity.kind == "Segment":
            return entity.spec.sponsor
        return getattr(entity.spec, "owner", None)

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
        managers = nx.DiGraph(sorted(self._looped.get("reports_to", {})))  # edges run from a team to its manager
        node = f"team:{team}"
        below = nx.ancestors(managers, node) if node in managers else set()
        return {team} | {name.partition(":")[2] for name in below}

    def owned_by(self, team: str, relation: str = "accountable") -> list[str]:
        """Names of what a team holds in one relation (accountable by default)."""
        return self.related(f"team:{team}", relation)

    # ----------------------------------------------------------------- journeys

    def stages_of(self, touchpoint: str) -> list[Stage]:
        return self._entry("_stages_of_touchpoint", touchpoint)

    def journeys_of(self, touchpoint: str) -> list[Entity]:
        return list({stage.journey.id: stage.journey for stage in self.stages_of(touchpoint)}.values())

    def touchpoints_of_journey(self, journey: str) -> list[str]:
        return self._entry("_touchpoints_of_journey", journey)

    def touchpoints_of_channel(self, channel: str) -> list[str]:
        return self._entry("_touchpoints_of_channel", channel)

    def segments_served(self, touchpoint: str) -> list[str]:
        """Segments served by the journeys that contain the touchpoint (several rules ask: computed once)."""
        self._read("_stages_of_touchpoint", touchpoint)  # what it is made of, also when it was worked out before
        served = self._served.get(touchpoint)
        if served is None:
            served = self._served[touchpoint] = sorted(
                {segment for journey in self.journeys_of(touchpoint) for segment in journey.spec.segments})
        return served

    def listening_posts_of(self, journey: str) -> list[str]:
        """Listening posts that hear a journey: naming it, or any of its touchpoints."""
        return self._entry("_listening_posts_of_journey", journey)

    # ----------------------------------------------------------------- standards

    def _levels(self, standard: Entity | None) -> dict[str, int]:
        """The touchpoints a standard applies to, each at its most specific level."""
        if standard is None:
            return {}
        scope = standard.spec.applies_to
        levels: dict[str, int] = {}  # assigned least specific first
        for journey in scope.journeys:
            levels.update(dict.fromkeys(self.touchpoints_of_journey(journey), JOURNEY_LEVEL))
        for channel in scope.channels:
            levels.update(dict.fromkeys(self.touchpoints_of_channel(channel), CHANNEL_LEVEL))
        levels.update(dict.fromkeys(scope.touchpoints, TOUCHPOINT_LEVEL))
        return levels

    def _heard(self, post: Entity | None) -> dict[str, list[str]]:
        """The journeys a listening post hears: those it names, and those of the touchpoints it names."""
        if post is None:
            return {}
        journeys = dict.fromkeys(post.spec.covers.journeys)
        for touchpoint in post.spec.covers.touchpoints:
            journeys.update(dict.fromkeys(journey.id for journey in self.journeys_of(touchpoint)))
        return {journey: [post.id] for journey in journeys}

    def touchpoints_of_standard(self, standard: str) -> list[str]:
        """The touchpoints a standard applies to: named, through their channel, or through a journey."""
        return self._entry("_touchpoints_by_standard", standard)

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

    def journeys_serving(self, segment: str) -> list[str]:
        """The ids of the journeys that name a segment among theirs, in id order."""
        return self._entry("_journeys_serving", segment)

    def moments_of_truth(self) -> int:
        """How many touchpoints are moments of truth."""
        self._read("_moments")
        return self._moments

    def moments_held_by(self, team: str) -> list[str]:
        """The ids of the moments of truth a team is named accountable for, in id order."""
        return self._entry("_moments_held", team)

    def kpis_measuring(self, metric: str) -> list[str]:
        """The ids of the KPIs of a metric, in id order."""
        return self._entry("_kpis_of_metric", metric)

    def held_to(self, team: str, metric: str) -> list[str]:
        """The names of the standards and KPIs a team owns on a metric (kpi: first, then servicestandard:)."""
        return self._entry("_held_to", (team, metric))

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

    def _entry(self, index: str, key: Any) -> list[Any]:
        """One index's entry, noted as the read (index, key): the name a derived graph reports it
        changed under (`_update`), and the one `fact` answers again."""
        self._read(index, key)
        return getattr(self, index).get(key, [])

    def fact(self, read: tuple) -> Any:
        """The present answer to one read a verb noted: an index's entry, or the verb's whole answer."""
        name, *arguments = read
        if not arguments:
            return getattr(self, name)
        if name == "node":
            return arguments[0] in self._kinds
        if name == "linked":
            return sorted(self._linked(*arguments))
        if name == "cycles":
            return self.cycles(*arguments)
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
        subgraph = nx.DiGraph(sorted(self._looped.get(relation, {})))  # in one order, however it was derived
        found = []
        for component in nx.strongly_connected_components(subgraph):
            start = min(component)
            if len(component) == 1 and not subgraph.has_edge(start, start):
                continue
            cycle = nx.find_cycle(subgraph.subgraph(component), start)
            found.append([u for u, _ in cycle])
        return sorted(found)


def _stages_by_touchpoint(stages: list[Stage]) -> dict[str, list[Stage]]:
    found: dict[str, list[Stage]] = defaultdict(list)
    for stage in stages:
        for touchpoint in dict.fromkeys(stage.spec.touchpoints):
            found[touchpoint].append(stage)
    return dict(found)


def _covered(post: Entity | None) -> dict[str, list[str]]:
    return {} if post is None else {touchpoint: [post.id] for touchpoint in dict.fromkeys(post.spec.covers.touchpoints)}


def _is_moment(touchpoint: Entity | None) -> bool:
    return touchpoint is not None and bool(touchpoint.spec.moment_of_truth)


def _moment_held(touchpoint: Entity | None) -> dict[str, list[str]]:
    """The team named accountable for a moment of truth."""
    team = PolicyGraph.named_owner(touchpoint) if _is_moment(touchpoint) else None
    return {team: [touchpoint.id]} if team else {}


def _measuring(kpi: Entity | None) -> dict[str, list[str]]:
    return {kpi.spec.metric: [kpi.id]} if kpi is not None and kpi.spec.metric else {}


def _held(entity: Entity | None) -> dict[tuple[str, str], list[str]]:
    """What a standard or KPI holds its owner to: (team, metric)."""
    if entity is None or not entity.spec.owner or not entity.spec.metric:
        return {}
    return {(entity.spec.owner, entity.spec.metric): [entity.name]}


def _scope(standard: Entity | None) -> dict[tuple[str, str], list[str]]:
    """Where a standard is scoped by journey or channel, so that it is applied again when they change."""
    if standard is None:
        return {}
    scope = standard.spec.applies_to
    return {**{("journey", journey): [standard.id] for journey in scope.journeys},
            **{("channel", channel): [standard.id] for channel in scope.channels}}


def _applications(standard: Entity | None, levels: dict[str, int]) -> dict[str, list[Application]]:
    if standard is None:
        return {}
    segments = frozenset(standard.spec.applies_to.segments)
    at_level = {level: Application(standard, level, segments) for level in set(levels.values())}
    return {touchpoint: [at_level[level]] for touchpoint, level in levels.items()}


def _reporting_lines(policy: PolicySet) -> dict[str, ReportingLine]:
    """Every team's reporting line, each walked once: a team's line is its manager's plus one step."""
    found: dict[str, ReportingLine] = {}
    for team in policy.of("team"):
        path: list[str] = []
        current: str | None = team.id
        while current is not None and current not in found:
            entity = policy.get(f"team:{current}")
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
            above = found[policy.get(f"team:{member}").spec.reports_to]
            found[member] = ReportingLine(above.executive, above.end, above.depth + 1)
    return found



class _Empty:
    """What a graph derived from nothing starts from."""

    policy = None
    serial = 0
    _kinds: dict = {}
    stages: dict = {}
    _drawn: dict = {}
    _dangling: dict = {}
    _adjacent: dict = {}
    _looped: dict = {}
    _stages_of_touchpoint = _Inverse()
    _touchpoints_of_journey: dict = {}
    _touchpoints_of_channel = _Inverse()
    _covering = _Inverse()
    _listening_posts_of_journey = _Inverse()
    _lines: dict = {}
    _scoped = _Inverse()
    _applications = _Inverse()
    _touchpoints_by_standard: dict = {}
    _applications_by_metric: dict = {}
    _kpis_of_metric = _Inverse()
    _held_to = _Inverse()
    _journeys_serving = _Inverse()
    _moments_held = _Inverse()
    _moments = 0


_EMPTY: Any = _Empty()
