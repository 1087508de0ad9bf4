"""One mistake, one finding: the findings held back while a document they depend on is broken.

A document that cannot be used (unreadable: it does not parse, breaks its schema or has an unknown
kind) or that names something that does not exist (an unresolved reference) is *damaged*; its mistake
is reported where it is. A verdict about another entity that rests on a damaged one would be a
guess, so the finding is held back until the mistake is fixed:

* the entity leans on a damaged one: it references it (a journey listing a broken touchpoint), or
  its reporting line passes through it (every team below a broken executive);
* the check concludes from an absence (`Check.needs_every`: "no journey contains this touchpoint")
  while an entity of a kind it must see all of is damaged (the broken journey may contain it).

Each damaged file then says, once, how many findings it holds back (CX107, info). When nothing is
damaged, which is the common case, the findings pass through untouched.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from cxpolicy.findings import Finding
from cxpolicy.model import kind_key
from cxpolicy.policyset import PolicySet
from cxpolicy.rules.files import HELD_BACK, UNKNOWN_REFERENCE


@dataclass
class Damage:
    files: dict[str, str] = field(default_factory=dict)  # damaged entity name -> its file
    kinds: dict[str, str] = field(default_factory=dict)  # kind key ("" for unknown) -> a damaged file of it
    leaning: dict[str, str] = field(default_factory=dict)  # entity name -> file of the damaged one it leans on

    def __bool__(self) -> bool:
        return bool(self.files)

    def cause(self, finding: Finding, needs: Iterable[str]) -> str | None:
        """The file whose damage holds `finding` back, or None when it stands."""
        subject = (finding.entity or "").split("/", 1)[0]  # a stage's findings are about its journey
        if subject in self.leaning:
            return self.leaning[subject]
        needed = tuple(needs)
        if needed and subject in self.files:  # "has no standard" about a touchpoint whose channel is unknown
            return self.files[subject]
        if needed and "" in self.kinds:  # a document whose kind could not be read may be any kind
            return self.kinds[""]
        return next((self.kinds[kind] for kind in needed if kind in self.kinds), None)


def assess(policy: PolicySet, later: Iterable[Finding] = ()) -> Damage:
    """What is damaged in the policy set and who leans on it: one pass over the references. `later` are
    findings made after loading (the Rules' own CX104s) whose entities are damaged too."""
    damage = Damage()
    for kind, found in sorted(policy.unreadable.items()):
        for unreadable in found.values():
            damage.files.setdefault(unreadable.name, unreadable.file)
            damage.kinds.setdefault(kind, unreadable.file)
    named = [f.entity for f in later if f.code == UNKNOWN_REFERENCE.code and f.entity is not None]
    for name in [*(name for name, _ in policy.unresolved), *named]:
        entity = policy.get(name)
        if entity is not None:
            damage.files.setdefault(name, entity.file)
            damage.kinds.setdefault(kind_key(entity.kind), entity.file)
    if not damage:
        return damage
    for kind in sorted(policy.entities):
        for entity in policy.of(kind):
            for _, ref, target in entity.references():
                name = _name(ref.kind, target)
                cause = damage.files.get(name)
                if cause is None and ":" in name:
                    unreadable = policy.unreadable_as(*name.split(":", 1))
                    cause = unreadable.file if unreadable is not None else None
                if cause is not None and name != entity.name:
                    damage.leaning.setdefault(entity.name, cause)
    _down_reporting_lines(policy, damage)
    return damage


def _name(kind: str | None, target: str) -> str:
    """The `kind:id` a reference names (a stage reference names its journey)."""
    name = f"{kind}:{target}" if kind is not None else target
    return name.split("/", 1)[0]


def _down_reporting_lines(policy: PolicySet, damage: Damage) -> None:
    """Every team below a damaged or leaning team leans too: its line's end is not known."""
    below: dict[str, list[str]] = {}
    for team in policy.of("team"):
        if team.spec.reports_to:
            below.setdefault(team.spec.reports_to, []).append(team.id)
    stack = [(name.partition(":")[2], file) for name, file in [*damage.files.items(), *damage.leaning.items()]
             if name.startswith("team:")]
    while stack:
        ident, file = stack.pop()
        for child in below.get(ident, ()):
            if f"team:{child}" not in damage.leaning:
                damage.leaning[f"team:{child}"] = file
                stack.append((child, file))


def hold_back(findings: list[Finding], damage: Damage, needs: dict[str, tuple[str, ...]]) -> tuple[
        list[Finding], list[tuple[Finding, str]]]:
    """(the findings that stand, those held back with the file holding each); `needs` maps a code to
    the kinds its verdict must see every entity of (see Check.needs_every)."""
    if not damage:
        return findings, []
    kept, held = [], []
    for finding in findings:
        cause = damage.cause(finding, needs.get(finding.code, ()))
        if cause is None:
            kept.append(finding)
        else:
            held.append((finding, cause))
    return kept, held


def held_back_notes(held: list[tuple[Finding, str]], damage: Damage, policy: PolicySet) -> list[Finding]:
    """One CX107 (info) on each damaged file, counting the findings it holds back."""
    counts = Counter(cause for _, cause in held)
    first: dict[str, tuple[int, int]] = {}
    for name, file in sorted(damage.files.items()):
        first.setdefault(file, _place(policy, name))
    notes = []
    for file, count in sorted(counts.items()):
        said = "1 finding about policies that depend on this file is" if count == 1 else \
            f"{count} findings about policies that depend on this file are"
        notes.append(HELD_BACK.at(
            file, *first.get(file, (1, 1)), f"{said} held back until its mistakes are fixed",
            hint="Fix the errors reported in this file; the held-back checks then run again."))
    return notes


def _place(policy: PolicySet, name: str) -> tuple[int, int]:
    """Line and column of a damaged entity's id (the line only, for one read from text)."""
    entity = policy.get(name)
    if entity is not None:
        return entity.where()[1:]
    kind, _, ident = name.partition(":")
    unreadable = policy.unreadable_as(kind, ident)
    return (unreadable.line, 1) if unreadable is not None else (1, 1)


def needs(own_rules: Iterable[Any]) -> dict[str, tuple[str, ...]]:
    """Each check's Check.needs_every, and for the CX office's Rules the kinds they count."""
    from cxpolicy.catalogue import checks

    found = {check.code: check.needs_every for check in checks() if check.needs_every}
    for rule in own_rules:
        if rule.counts:
            found[rule.entity.id] = rule.counts
    return found
