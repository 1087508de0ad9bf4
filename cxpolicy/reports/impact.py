"""Impact: what depends on an entity, and for a team, what its removal would leave unowned.

A team's consequences are found the way `check` would find them after its
document is deleted: the team is taken out of the policy set, the graph is
rebuilt and the ownership rules are run again; whatever they report that they
did not report before is the impact.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from cxpolicy import metrics
from cxpolicy.findings import Finding
from cxpolicy.graph import TEAM_TO_ENTITY, PolicyGraph
from cxpolicy.policyset import PolicySet, resolve_references
from cxpolicy.rules import language, registry

#: What "unowned or without an executive line" means: the ownership rules that say so, and the
#: references to the team that would name nobody (CX104).
OWNERSHIP_CODES = ("CX104", "CX401", "CX402", "CX403")


@dataclass(frozen=True)
class Dependent:
    relation: str
    entity: str  # kind:id, or journey:id/stage for a stage
    title: str


@dataclass
class Impact:
    subject: str
    title: str
    dependents: list[Dependent]
    consequences: list[Finding]  # for a team: ownership findings its removal would add


class UnknownEntity(Exception):
    """The entity named does not exist (a usage error)."""


def dependents(policy: PolicySet, graph: PolicyGraph, name: str) -> list[Dependent]:
    """Everything that refers to the entity: holds it, contains it, applies to it, measures it..."""
    found = set()
    for source, _, relation in graph.graph.in_edges(name, keys=True):
        if relation not in TEAM_TO_ENTITY:
            found.add((relation, source))
    for _, target, relation in graph.graph.out_edges(name, keys=True):
        if relation in TEAM_TO_ENTITY:
            found.add((relation, target))
    result = []
    for relation, other in sorted(found):
        entity = policy.get(other)
        title = entity.title if entity is not None else other.partition(":")[2]
        result.append(Dependent(relation, other, title))
    return result


def ownership_findings(policy: PolicySet, today: dt.date) -> list[Finding]:
    """What the ownership rules report on a policy set, run exactly as `check` runs them."""
    context = registry.Context(policy, PolicyGraph(policy), today, metrics.catalogue(policy.project.metrics))
    fresh = replace(policy, unresolved=[])
    return sorted([
        *resolve_references(fresh),
        *(finding for finding in language.compile_rules(fresh)[1] if finding.code == "CX104"),
        *(finding for registered in registry.built_in_rules() if registered.check.code in OWNERSHIP_CODES
          for finding in registered.findings(context)),
    ])


def without(policy: PolicySet, name: str) -> PolicySet:
    """The policy set as if the entity's document were deleted."""
    kind, _, ident = name.partition(":")
    entities = {key: dict(found) for key, found in policy.entities.items()}
    entities.get(kind, {}).pop(ident, None)
    return replace(policy, entities=entities, unresolved=[])


def build(policy: PolicySet, graph: PolicyGraph, name: str, today: dt.date) -> Impact:
    entity = policy.get(name)
    if entity is None:
        raise UnknownEntity(name)
    consequences: list[Finding] = []
    if entity.kind == "Team":
        before = {(finding.code, finding.entity) for finding in ownership_findings(policy, today)}
        consequences = [finding for finding in ownership_findings(without(policy, name), today)
                        if (finding.code, finding.entity) not in before]
    return Impact(name, entity.title, dependents(policy, graph, name), consequences)
