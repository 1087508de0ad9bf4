"""What a change does to the policy, in the CX office's words.

Compares two checked policy sets (usually the base and the head of a pull
request) entity by entity: ownership transfers, standards tightened or
loosened, targets raised or lowered, segment priorities, journey membership,
anything else changed field by field, and the findings the change introduces
or resolves. Changes that make a promise weaker come first.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from cxpolicy.engine import Run
from cxpolicy.findings import Finding, Severity, stable_key
from cxpolicy.model import PRIORITY_ORDER
from cxpolicy.policyset import Entity

#: Categories in the order a reviewer should read them; the first ones weaken a promise.
CATEGORIES = (
    ("settings-weakened", "Project settings that weaken the checks"),
    ("loosened", "Standards loosened"),
    ("lowered", "Targets lowered"),
    ("lost-owner", "Ownership lost"),
    ("deprioritised", "Segments deprioritised"),
    ("transferred", "Ownership transferred"),
    ("tightened", "Standards tightened"),
    ("raised", "Targets raised"),
    ("prioritised", "Segments prioritised"),
    ("journey", "Journeys changed"),
    ("settings", "Project settings changed"),
    ("added", "Added"),
    ("removed", "Removed"),
    ("changed", "Changed"),
)
ATTENTION = frozenset({"settings-weakened", "loosened", "lowered", "lost-owner", "deprioritised"})
#: How strongly a check can be set in cxpolicy.yaml's `rules:`: a severity's rank, and `off` below all.
_STRENGTH = {"off": 0, **{severity.value: severity.rank for severity in Severity}}


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


def _standard(old: Entity, new: Entity) -> list[tuple[str, str]]:
    """('tightened' | 'loosened', summary) for each way the promise changed in strength: its
    threshold, and the share of interactions that must meet it (a missing attainment is 100%)."""
    found = []
    a, b = old.spec.objective, new.spec.objective
    if a.bound == b.bound and a.threshold.dimension == b.threshold.dimension and a.threshold.amount != b.threshold.amount:
        tighter = b.threshold.amount < a.threshold.amount if a.bound == "max" else b.threshold.amount > a.threshold.amount
        found.append(("tightened" if tighter else "loosened", f"{new.spec.metric} {a.bound} {a.threshold} -> {b.threshold}"))
    before, after = old.spec.attainment, new.spec.attainment
    share_before = before.percent if before is not None else 100.0
    share_after = after.percent if after is not None else 100.0
    if share_before != share_after:
        found.append(("tightened" if share_after > share_before else "loosened",
                      f"attainment {before or '100% (unset)'} -> {after or '100% (unset)'}"))
    return found


def _scope(standard: Entity) -> tuple:
    """What a standard promises about: its metric and where, for whom (to recognise a renamed standard)."""
    scope = standard.spec.applies_to
    return (standard.spec.metric, tuple(sorted(scope.touchpoints)), tuple(sorted(scope.channels)),
            tuple(sorted(scope.journeys)), tuple(sorted(scope.segments)))


def _renames(base: Run, head: Run) -> dict[str, str]:
    """Standards removed at the base and added at the head with the same metric and scope: new id -> old id."""
    removed = {ident: e for ident, e in base.policy.entities.get("servicestandard", {}).items()
               if ident not in head.policy.entities.get("servicestandard", {})}
    added = {ident: e for ident, e in head.policy.entities.get("servicestandard", {}).items()
             if ident not in base.policy.entities.get("servicestandard", {})}
    by_scope: dict[tuple, list[str]] = {}
    for ident in sorted(removed):
        by_scope.setdefault(_scope(removed[ident]), []).append(ident)
    found = {}
    for ident in sorted(added):
        candidates = by_scope.get(_scope(added[ident]))
        if candidates:
            found[ident] = candidates.pop(0)
    return found


def _settings(base: Run, head: Run) -> list[Change]:
    """What changed in cxpolicy.yaml: a check switched off or downgraded, `today` moved back (which
    keeps expired waivers and overdue reviews quiet), limits changed or folders excluded weaken the
    checks themselves, and come first."""
    from cxpolicy.catalogue import CATALOGUE, checks

    checks()
    old, new = base.policy.project, head.policy.project
    name = "project:" + (head.policy.project_entity.id if head.policy.project_entity is not None else "cxpolicy")
    changes = []

    def change(weakens: bool, summary: str) -> None:
        changes.append(Change("settings-weakened" if weakens else "settings", name, "cxpolicy.yaml", summary))

    for code in sorted(set(old.rules) | set(new.rules)):
        default = CATALOGUE[code].severity.value if code in CATALOGUE else "error"
        before, after = old.rules.get(code, default), new.rules.get(code, default)
        if before != after:
            change(_STRENGTH[after] < _STRENGTH[before], f"check {code} {before} -> {after}")
    if old.today != new.today:
        moved_back = new.today is not None and new.today < (old.today or base.today)
        change(moved_back, f"today {old.today or 'the real date'} -> {new.today or 'the real date'}"
                           + (" (expired waivers and overdue reviews go quiet)" if moved_back else ""))
    for field_name, label in (("max_file_bytes", "maxFileBytes"), ("max_depth", "maxDepth"),
                              ("max_alias_nodes", "maxAliasNodes")):
        before, after = getattr(old.limits, field_name), getattr(new.limits, field_name)
        if before != after:
            change(after > before, f"limits.{label} {before:,} -> {after:,}")
    for pattern in sorted(set(new.exclude) - set(old.exclude)):
        change(True, f"exclude + {pattern} (its files are no longer checked)")
    for pattern in sorted(set(old.exclude) - set(new.exclude)):
        change(False, f"exclude - {pattern}")
    for metric in sorted(set(old.metrics) | set(new.metrics)):
        if old.metrics.get(metric) != new.metrics.get(metric):
            change(False, f"metric {metric} {'added' if metric not in old.metrics else 'removed' if metric not in new.metrics else 'redefined'}")
    if old.owner != new.owner:
        change(new.owner is None, f"owner {old.owner or 'nobody'} -> {new.owner or 'nobody'}")
    return changes


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
        changes += [Change(category, new.name, new.title, summary) for category, summary in _standard(old, new)]
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
    introduced = head.outcome.without(Counter(stable_key(f) for f in base.outcome.findings)).findings
    resolved = base.outcome.without(Counter(stable_key(f) for f in head.outcome.findings)).findings
    return Diff(base.outcome.root, head.outcome.root, changes_between(base, head), introduced, resolved)


def _names(base: Run, head: Run) -> dict[str, set[str]]:
    """The ids of each kind that may differ: those the head's graph says changed when it was derived
    from the base's (history's revisions in a row), else every id on either side."""
    since = head.graph.changes if head.graph is not None else None
    if since is not None and base.graph is not None and since.since == base.graph.serial:
        return {kind: set(ids) for kind, ids in since.entities.items()}
    return {kind: set(base.policy.entities.get(kind, {})) | set(head.policy.entities.get(kind, {}))
            for kind in set(base.policy.entities) | set(head.policy.entities)}


def changes_between(base: Run, head: Run) -> list[Change]:
    """What changed from the base to the head, settings first, then by category and entity."""
    names = _names(base, head)
    changes: list[Change] = _settings(base, head)
    renamed = _renames(base, head)
    for kind in sorted(names):
        for ident in sorted(names[kind]):
            if kind == "servicestandard" and ident in renamed.values():
                continue  # compared under its new id
            old, new = base.policy.get(f"{kind}:{ident}"), head.policy.get(f"{kind}:{ident}")
            if kind == "servicestandard" and ident in renamed:
                old = base.policy.get(f"servicestandard:{renamed[ident]}")
                found = _compare(old, new, base, head)
                for change in found:
                    change.summary = f"renamed from {renamed[ident]}; {change.summary}"
                changes += found or [Change("changed", new.name, new.title, f"renamed from {renamed[ident]}")]
                continue
            if old is None and new is not None:
                changes.append(Change("added", new.name, new.title, f"new {new.kind} in {new.file}"))
            elif new is None and old is not None:
                changes.append(Change("removed", old.name, old.title, f"{old.kind} removed from {old.file}"))
            elif old is not None and new is not None and old is not new:  # the same object: an unchanged file
                changes += _compare(old, new, base, head)
    order = {category: index for index, (category, _) in enumerate(CATEGORIES)}
    changes.sort(key=lambda change: (order[change.category], change.entity))
    return changes
