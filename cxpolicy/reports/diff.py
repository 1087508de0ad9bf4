"""What a change does to the policy, in the CX office's words.

Compares two checked policy sets (usually the base and the head of a pull
request) entity by entity: ownership transfers, standards tightened or
loosened, targets raised or lowered, segment priorities, journey membership,
anything else changed field by field, and the findings the change introduces
or resolves. Changes that make a promise weaker come first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cxpolicy.engine import Run
from cxpolicy.findings import Finding, stable_key
from cxpolicy.model import PRIORITY_ORDER
from cxpolicy.policyset import Entity

#: Categories in the order a reviewer should read them; the first ones weaken a promise.
CATEGORIES = (
    ("loosened", "Standards loosened"),
    ("lowered", "Targets lowered"),
    ("lost-owner", "Ownership lost"),
    ("deprioritised", "Segments deprioritised"),
    ("transferred", "Ownership transferred"),
    ("tightened", "Standards tightened"),
    ("raised", "Targets raised"),
    ("prioritised", "Segments prioritised"),
    ("journey", "Journeys changed"),
    ("added", "Added"),
    ("removed", "Removed"),
    ("changed", "Changed"),
)
ATTENTION = frozenset({"loosened", "lowered", "lost-owner", "deprioritised"})


@dataclass(frozen=True)
class FieldChange:
    path: str
    old: Any
    new: Any


@dataclass
class Change:
    category: str
    entity: str  # kind:id
    title: str
    summary: str
    fields: list[FieldChange] = field(default_factory=list)


@dataclass
class Diff:
    base: str
    head: str
    changes: list[Change]
    introduced: list[Finding]
    resolved: list[Finding]

    def attention(self) -> list[Change]:
        return [change for change in self.changes if change.category in ATTENTION]

    @property
    def empty(self) -> bool:
        """Nothing changed in the policy and no finding came or went."""
        return not self.changes and not self.introduced and not self.resolved


def _flat(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        found: dict[str, Any] = {}
        for key, item in value.items():
            found.update(_flat(item, f"{prefix}.{key}" if prefix else key))
        return found
    return {prefix: value}


def _data(entity: Entity) -> dict[str, Any]:
    """The document as its author wrote it (`8min`, not 480 seconds), flattened to dotted paths."""
    return _flat({key: value for key, value in entity.document.data.items() if key in ("metadata", "spec")})


def field_changes(old: Entity, new: Entity) -> list[FieldChange]:
    before, after = _data(old), _data(new)
    return [FieldChange(path, before.get(path), after.get(path)) for path in sorted(set(before) | set(after))
            if before.get(path) != after.get(path)]


def _standard(old: Entity, new: Entity) -> tuple[str, str] | None:
    """('tightened' | 'loosened', summary) when the promise changed in strength."""
    a, b = old.spec.objective, new.spec.objective
    if a.bound != b.bound or a.threshold.dimension != b.threshold.dimension or a.threshold.amount == b.threshold.amount:
        return None
    tighter = b.threshold.amount < a.threshold.amount if a.bound == "max" else b.threshold.amount > a.threshold.amount
    return ("tightened" if tighter else "loosened",
            f"{new.spec.metric} {a.bound} {a.threshold} -> {b.threshold}")


def _targets(old: Entity, new: Entity) -> list[tuple[str, str]]:
    before = {t.by: t.value for t in old.spec.targets}
    better = (lambda n, o: n > o) if new.spec.direction == "increase" else (lambda n, o: n < o)
    found = []
    for target in new.spec.targets:
        previous = before.get(target.by)
        if previous is not None and previous != target.value:
            category = "raised" if better(target.value, previous) else "lowered"
            found.append((category, f"target for {target.by.isoformat()}: {_number(previous)} -> {_number(target.value)}"))
    return found


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _journey(old: Entity, new: Entity) -> str | None:
    before = {tp for stage in old.spec.stages for tp in stage.touchpoints}
    after = {tp for stage in new.spec.stages for tp in stage.touchpoints}
    parts = [f"+ {tp}" for tp in sorted(after - before)] + [f"- {tp}" for tp in sorted(before - after)]
    return f"touchpoints {', '.join(parts)}" if parts else None


def _compare(old: Entity, new: Entity, base: Run, head: Run) -> list[Change]:
    fields = field_changes(old, new)
    if not fields:
        return []
    changes: list[Change] = []
    owner_before = base.graph.accountable_team(old) if old.kind != "Team" else None
    owner_after = head.graph.accountable_team(new) if new.kind != "Team" else None
    if owner_before != owner_after:
        role = "sponsor" if new.kind == "Segment" else "accountable"
        if owner_after is None:
            changes.append(Change("lost-owner", new.name, new.title, f"{role} {owner_before} -> nobody"))
        else:
            changes.append(Change("transferred", new.name, new.title, f"{role} {owner_before or 'nobody'} -> {owner_after}"))
    if new.kind == "ServiceStandard":
        strength = _standard(old, new)
        if strength is not None:
            changes.append(Change(strength[0], new.name, new.title, strength[1]))
    if new.kind == "KPI":
        changes += [Change(category, new.name, new.title, summary) for category, summary in _targets(old, new)]
    if new.kind == "Segment" and old.spec.priority != new.spec.priority:
        up = PRIORITY_ORDER[new.spec.priority] > PRIORITY_ORDER[old.spec.priority]
        changes.append(Change("prioritised" if up else "deprioritised", new.name, new.title,
                              f"priority {old.spec.priority} -> {new.spec.priority}"))
    if new.kind == "Journey":
        membership = _journey(old, new)
        if membership is not None:
            changes.append(Change("journey", new.name, new.title, membership))
    if changes:
        changes[0].fields = fields
        return changes
    return [Change("changed", new.name, new.title, ", ".join(change.path for change in fields), fields)]


def build(base: Run, head: Run) -> Diff:
    names = {kind: set(base.policy.entities.get(kind, {})) | set(head.policy.entities.get(kind, {}))
             for kind in set(base.policy.entities) | set(head.policy.entities)}
    changes: list[Change] = []
    for kind in sorted(names):
        for ident in sorted(names[kind]):
            old, new = base.policy.get(f"{kind}:{ident}"), head.policy.get(f"{kind}:{ident}")
            if old is None and new is not None:
                changes.append(Change("added", new.name, new.title, f"new {new.kind} in {new.file}"))
            elif new is None and old is not None:
                changes.append(Change("removed", old.name, old.title, f"{old.kind} removed from {old.file}"))
            elif old is not None and new is not None:
                changes += _compare(old, new, base, head)
    order = {category: index for index, (category, _) in enumerate(CATEGORIES)}
    changes.sort(key=lambda change: (order[change.category], change.entity))
    before = {stable_key(f): f for f in base.outcome.findings}
    after = {stable_key(f): f for f in head.outcome.findings}
    introduced = sorted(f for key, f in after.items() if key not in before)
    resolved = sorted(f for key, f in before.items() if key not in after)
    return Diff(base.outcome.root, head.outcome.root, changes, introduced, resolved)
