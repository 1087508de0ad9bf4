"""What a user rule can ask about each kind: its fields, and its related entities.

Fields are the document's own (`channel`, `momentOfTruth`, `appliesTo.segments`,
`id`, `title`, `labels.brand`) plus a few derived ones named in the CX office's
words (`accountable`, `executive`, `threshold`). Relations are the graph's
edges seen from the entity (`standards` applying to a touchpoint, `journeys`
containing it, the `owner` team...), to be counted and filtered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from cxpolicy.graph import PolicyGraph, Stage
from cxpolicy.policyset import Entity

Subject = Any  # an Entity, a Stage, or a ServedSegment


@dataclass(frozen=True)
class ServedSegment:
    """A segment reached from a touchpoint it is served at: its `standards` are the ones for it there."""

    segment: Entity
    touchpoint: str

    @property
    def name(self) -> str:
        return self.segment.name
Attribute = Callable[[Subject, PolicyGraph], Any]
Relation = tuple[str, Callable[[Subject, PolicyGraph], list[Subject]]]  # (kind of the related, how to find them)


def _entities(graph: PolicyGraph, kind: str, ids: Any) -> list[Entity]:
    found = (graph.policy.get(f"{kind}:{ident}") for ident in dict.fromkeys(ids))
    return [entity for entity in found if entity is not None]


def _owner(entity: Entity, graph: PolicyGraph) -> list[Entity]:
    return _entities(graph, "team", [team] if (team := graph.accountable_team(entity)) else [])


def _related(graph: PolicyGraph, name: str, relation: str, *, incoming: bool = False) -> list[Entity]:
    found = (graph.policy.get(other) for other in graph.related(name, relation, incoming=incoming))
    return [entity for entity in found if entity is not None]


def _standards_at(tp: Entity, graph: PolicyGraph) -> list[Entity]:
    return list({a.standard.id: a.standard for a in graph.standards_for(tp.id)}.values())


DERIVED: dict[str, dict[str, Attribute]] = {
    "touchpoint": {
        "owner": lambda tp, g: g.accountable_team(tp),
        "accountable": lambda tp, g: g.accountable_team(tp),
        "responsible": lambda tp, g: g.raci(tp)["responsible"],
        "consulted": lambda tp, g: g.raci(tp)["consulted"],
        "informed": lambda tp, g: g.raci(tp)["informed"],
        "channelType": lambda tp, g: (c.spec.type if (c := g.policy.get(f"channel:{tp.spec.channel}")) else None),
        "segments": lambda tp, g: g.segments_served(tp.id),
        "journeys": lambda tp, g: [j.id for j in g.journeys_of(tp.id)],
    },
    "servicestandard": {
        "segments": lambda s, g: list(s.spec.applies_to.segments),
        "touchpoints": lambda s, g: list(s.spec.applies_to.touchpoints),
        "channels": lambda s, g: list(s.spec.applies_to.channels),
        "journeys": lambda s, g: list(s.spec.applies_to.journeys),
        "threshold": lambda s, g: s.spec.objective.threshold,
        "bound": lambda s, g: s.spec.objective.bound,
    },
    "team": {
        "executiveLine": lambda t, g: g.executive_of(t.id),
    },
    "stage": {
        "id": lambda s, g: s.spec.id,
        "title": lambda s, g: s.spec.title or s.spec.id,
        "touchpoints": lambda s, g: list(s.spec.touchpoints),
        "journey": lambda s, g: s.journey.id,
    },
}

RELATIONS: dict[str, dict[str, Relation]] = {
    "touchpoint": {
        "standards": ("servicestandard", _standards_at),
        "journeys": ("journey", lambda tp, g: g.journeys_of(tp.id)),
        "stages": ("stage", lambda tp, g: g.stages_of(tp.id)),
        "segments": ("servedsegment", lambda tp, g: [
            ServedSegment(segment, tp.id) for segment in _entities(g, "segment", g.segments_served(tp.id))]),
        "kpis": ("kpi", lambda tp, g: _entities(g, "kpi", (s.spec.measured_by for s in _standards_at(tp, g)
                                                           if s.spec.measured_by))),
        "listeningPosts": ("listeningpost", lambda tp, g: _entities(
            g, "listeningpost", (p for j in g.journeys_of(tp.id) for p in g.listening_posts_of(j.id)))),
        "handoffs": ("touchpoint", lambda tp, g: _entities(g, "touchpoint", (h.to for h in tp.spec.handoffs))),
        "owner": ("team", _owner),
    },
    "journey": {
        "touchpoints": ("touchpoint", lambda j, g: _entities(g, "touchpoint", g.touchpoints_of_journey(j.id))),
        "stages": ("stage", lambda j, g: list(g.stages[j.id])),
        "segments": ("segment", lambda j, g: _entities(g, "segment", j.spec.segments)),
        "standards": ("servicestandard", lambda j, g: _related(g, j.name, "applies_to", incoming=True)),
        "listeningPosts": ("listeningpost", lambda j, g: _entities(g, "listeningpost", g.listening_posts_of(j.id))),
        "owner": ("team", _owner),
    },
    "servicestandard": {
        "touchpoints": ("touchpoint", lambda s, g: _entities(g, "touchpoint", g.touchpoints_of_standard(s.id))),
        "segments": ("segment", lambda s, g: _entities(g, "segment", s.spec.applies_to.segments)),
        "kpis": ("kpi", lambda s, g: _entities(g, "kpi", [s.spec.measured_by] if s.spec.measured_by else [])),
        "owner": ("team", _owner),
    },
    "kpi": {
        "standards": ("servicestandard", lambda k, g: _related(g, k.name, "measured_by", incoming=True)),
        "drives": ("kpi", lambda k, g: _related(g, k.name, "drives")),
        "drivers": ("kpi", lambda k, g: _related(g, k.name, "drives", incoming=True)),
        "segments": ("segment", lambda k, g: _entities(g, "segment", k.spec.scope.segments)),
        "journeys": ("journey", lambda k, g: _entities(g, "journey", k.spec.scope.journeys)),
        "touchpoints": ("touchpoint", lambda k, g: _entities(g, "touchpoint", k.spec.scope.touchpoints)),
        "owner": ("team", _owner),
    },
    "team": {
        "touchpoints": ("touchpoint", lambda t, g: [e for e in _related(g, t.name, "accountable")
                                                    if e.kind == "Touchpoint"]),
        "owns": ("any", lambda t, g: _related(g, t.name, "accountable")),
        "kpis": ("kpi", lambda t, g: [e for e in _related(g, t.name, "accountable") if e.kind == "KPI"]),
        "standards": ("servicestandard", lambda t, g: [
            e for e in _related(g, t.name, "accountable") if e.kind == "ServiceStandard"]),
        "journeys": ("journey", lambda t, g: [e for e in _related(g, t.name, "accountable") if e.kind == "Journey"]),
        "reports": ("team", lambda t, g: _related(g, t.name, "reports_to", incoming=True)),
        "sponsors": ("segment", lambda t, g: _related(g, t.name, "sponsors")),
        "fedBy": ("listeningpost", lambda t, g: _related(g, t.name, "feeds", incoming=True)),
    },
    "segment": {
        "journeys": ("journey", lambda s, g: _related(g, s.name, "serves", incoming=True)),
        "standards": ("servicestandard", lambda s, g: _related(g, s.name, "applies_to", incoming=True)),
        "touchpoints": ("touchpoint", lambda s, g: _entities(g, "touchpoint", (
            tp for j in _related(g, s.name, "serves", incoming=True) for tp in g.touchpoints_of_journey(j.id)))),
        "owner": ("team", _owner),
    },
    "channel": {
        "touchpoints": ("touchpoint", lambda c, g: _entities(g, "touchpoint", g.touchpoints_of_channel(c.id))),
        "standards": ("servicestandard", lambda c, g: _related(g, c.name, "applies_to", incoming=True)),
        "owner": ("team", _owner),
    },
    "listeningpost": {
        "journeys": ("journey", lambda p, g: _entities(g, "journey", p.spec.covers.journeys)),
        "touchpoints": ("touchpoint", lambda p, g: _entities(g, "touchpoint", p.spec.covers.touchpoints)),
        "segments": ("segment", lambda p, g: _entities(g, "segment", p.spec.covers.segments)),
        "feeds": ("team", lambda p, g: _entities(g, "team", p.spec.feeds)),
        "owner": ("team", _owner),
    },
    "stage": {
        "touchpoints": ("touchpoint", lambda s, g: _entities(g, "touchpoint", s.spec.touchpoints)),
    },
    "servedsegment": {
        "standards": ("servicestandard", lambda s, g: list({
            a.standard.id: a.standard for a in g.standards_for(s.touchpoint, s.segment.id)}.values())),
    },
}

METADATA_FIELDS = ("id", "title", "description", "labels")


#: Kinds whose subjects stand for another kind's entity (a segment at a touchpoint is a segment).
FIELDS_OF = {"servedsegment": "segment"}


def field_names(kind: str, spec_model: type[BaseModel] | None) -> list[str]:
    """The top-level field names a rule may test on a kind."""
    names = set(METADATA_FIELDS) | set(DERIVED.get(kind, {}))
    if spec_model is not None:
        names |= {info.alias or name for name, info in spec_model.model_fields.items()}
    return sorted(names)


def field_value(subject: Subject, kind: str, path: str, graph: PolicyGraph) -> Any:
    """The value at a dotted field path (None when absent)."""
    if isinstance(subject, ServedSegment):
        subject, kind = subject.segment, "segment"
    head, _, rest = path.partition(".")
    derived = DERIVED.get(kind, {})
    if head in derived and not rest:
        return derived[head](subject, graph)
    if isinstance(subject, Stage):
        return None
    metadata = subject.model.metadata
    if head == "labels":
        return metadata.labels.get(rest) if rest else dict(metadata.labels)
    if head in ("id", "title", "description") and not rest:
        return subject.title if head == "title" else getattr(metadata, head)
    value: Any = subject.spec
    for part in path.split("."):
        value = _attribute(value, part)
        if value is None:
            return None
    return value


def _attribute(value: Any, alias: str) -> Any:
    if isinstance(value, BaseModel):
        for name, info in type(value).model_fields.items():
            if (info.alias or name) == alias:
                return getattr(value, name)
        return None
    if isinstance(value, dict):
        return value.get(alias)
    return None


#: The derived fields that hold ids, and the kind of entity they name.
DERIVED_REFERENCES: dict[str, dict[str, str]] = {
    "touchpoint": {"owner": "team", "accountable": "team", "responsible": "team", "consulted": "team",
                   "informed": "team", "segments": "segment", "journeys": "journey"},
    "servicestandard": {"segments": "segment", "touchpoints": "touchpoint", "channels": "channel",
                        "journeys": "journey"},
    "team": {"executiveLine": "team"},
    "stage": {"touchpoints": "touchpoint", "journey": "journey"},
}


def referenced_kind(kind: str, path: str, spec_model: type[BaseModel] | None) -> str | None:
    """The kind of entity whose ids the field at `path` holds (`channel` -> channel), or None."""
    kind = FIELDS_OF.get(kind, kind)
    if path in DERIVED_REFERENCES.get(kind, {}):
        return DERIVED_REFERENCES[kind][path]
    if path == "id":
        return kind if kind != "stage" else None
    from cxpolicy.model import field_ref

    info, _ = document_field(spec_model, path)
    found = field_ref(info) if info is not None else None
    return found.kind if found is not None else None


def has_parts(kind: str, path: str, spec_model: type[BaseModel] | None) -> bool:
    """Whether the document field at `path` holds nested fields (`handoffs`, `review`), which a message
    cannot show as text; derived fields and metadata never do."""
    kind = FIELDS_OF.get(kind, kind)
    if path in DERIVED.get(kind, {}) or path.split(".")[0] in METADATA_FIELDS:
        return False
    info, nested = document_field(spec_model, path)
    return info is not None and nested is not None


def document_field(spec_model: type[BaseModel] | None, path: str) -> tuple[Any, type[BaseModel] | None]:
    """The pydantic field at a dotted path of a spec (`appliesTo.segments`), and the model it holds, if
    any; (None, None) when the path names no field."""
    model_class: Any = spec_model
    info = None
    for part in path.split("."):
        fields = getattr(model_class, "model_fields", None) or {}
        info = next((i for name, i in fields.items() if (i.alias or name) == part), None)
        if info is None:
            return None, None
        model_class = next((arg for arg in _types(info.annotation)
                            if isinstance(arg, type) and issubclass(arg, BaseModel)), None)
    return info, model_class


def _types(annotation: Any) -> list[Any]:
    return [annotation, *(t for arg in getattr(annotation, "__args__", ()) for t in _types(arg))]
