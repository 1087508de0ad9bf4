"""Applying waivers: which findings they hide, and the findings about the waivers themselves.

A waiver hides the findings of its `rule` about its `targets` while it is in
force: approved by an executive team or the team that keeps the policy set,
and not past its `expires` date (the date itself still counts).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from cxpolicy.findings import Finding
from cxpolicy.policyset import Entity, PolicySet
from cxpolicy.rules.waivers import EXPIRED_WAIVER, UNAUTHORISED_WAIVER, UNUSED_WAIVER

WAIVER_CODES = (EXPIRED_WAIVER.code, UNUSED_WAIVER.code, UNAUTHORISED_WAIVER.code)


@dataclass
class Applied:
    kept: list[Finding]  # the findings still reported, with those about waivers
    waived: list[tuple[Finding, Entity]]  # each hidden finding and the waiver that hid it
    held: list[tuple[Finding, str]] = field(default_factory=list)  # what a waiver with a mistake may hide, and its file


def authorised_approvers(policy: PolicySet) -> set[str]:
    approvers = {team.id for team in policy.of("team") if team.spec.executive}
    if policy.project.owner:
        approvers.add(policy.project.owner)
    return approvers


def apply(findings: list[Finding], policy: PolicySet, today: dt.date, *, complete: bool = True,
          held: Collection[Finding] = (), damaged: Collection[str] = (), pinned: dt.date | None = None,
          data: bool = False) -> Applied:
    """`complete` says the findings include every rule's, so a waiver matching none is unused (CX502).

    A run judges the waivers of its own findings only: `check` those of every check but the data checks
    (CX6xx), `measure` (`data`) those of the data checks. The other waivers are neither applied nor
    reported as expired, unauthorised or unused there.

    The findings `held` back (cascade.py) count as matched. A waiver among the `damaged` (one naming
    something that does not exist: its CX104 is reported) is in doubt: the findings it seems meant
    to hide are held back with it, and it is not reported as unused or unauthorised."""
    from cxpolicy.catalogue import codes_by_slug
    from cxpolicy.rules.measures import DATA_CODES

    slugs = codes_by_slug()
    mine = [waiver for waiver in policy.of("waiver") if (slugs.get(waiver.spec.rule, waiver.spec.rule) in DATA_CODES) == data]
    approvers = authorised_approvers(policy)
    in_force: dict[tuple[str, str], Entity] = {}
    in_doubt: dict[tuple[str, str], Any] = {}  # (rule, target) -> the waiver, an Entity or an Unreadable
    about_waivers: list[Finding] = []
    for unreadable in policy.unreadable.get("waiver", {}).values():  # its CX103 is reported
        spec = unreadable.data.get("spec") if isinstance(unreadable.data, dict) else None
        if isinstance(spec, dict) and isinstance(spec.get("rule"), str) and isinstance(spec.get("targets"), list):
            for rule, target in _meant(policy, spec["rule"], [t for t in spec["targets"] if isinstance(t, str)]):
                in_doubt.setdefault((rule, target), unreadable)
    for waiver in mine:
        spec = waiver.spec
        if waiver.name in damaged and spec.expires >= today:
            for rule, target in _meant(policy, spec.rule, spec.targets):
                in_doubt.setdefault((rule, target), waiver)
            continue
        if spec.expires < today:
            still = (f" (cxpolicy.yaml pins today to {pinned.isoformat()}, but a waiver's expiry is judged by the "
                     f"calendar, {today.isoformat()})") if pinned is not None and spec.expires >= pinned else ""
            about_waivers.append(EXPIRED_WAIVER.on(
                waiver, f"waiver {waiver.id} expired on {spec.expires.isoformat()}; the {spec.rule} findings it hid "
                        f"are reported again{still}", ("spec", "expires"),
                hint="Fix what it covered and delete it, or have it renewed with a new `expires`."))
            continue
        if spec.approved_by not in approvers:
            about_waivers.append(UNAUTHORISED_WAIVER.on(
                waiver, f"waiver {waiver.id} is approved by {spec.approved_by}, which is neither an executive "
                        "nor the team that keeps the policy set, so it does not count", ("spec", "approvedBy"),
                hint=f"Have one of these approve it: {', '.join(sorted(approvers)) or 'an executive team'}."))
            continue
        for target in spec.targets:
            in_force.setdefault((spec.rule, target), waiver)
    kept, waived, doubted, used = [], [], [], {(finding.code, finding.entity) for finding in held}
    for finding in findings:
        key = (finding.code, finding.entity or "")
        waiver = in_force.get(key)
        if finding.code in WAIVER_CODES or (waiver is None and key not in in_doubt):
            kept.append(finding)
        elif waiver is None:
            doubted.append((finding, in_doubt[key].file))
        else:
            waived.append((finding, waiver))
            used.add((finding.code, finding.entity))
    for waiver in mine if complete else ():
        unused = [t for t in waiver.spec.targets if (waiver.spec.rule, t) not in used
                  and in_force.get((waiver.spec.rule, t)) is waiver]
        if unused:
            about_waivers.append(UNUSED_WAIVER.on(
                waiver, f"waiver {waiver.id} hides no {waiver.spec.rule} finding for {', '.join(unused)}",
                ("spec", "targets"), key=True,
                hint="Delete the waiver (or these targets) if the problem is fixed; otherwise check the rule and targets."))
    return Applied(kept + about_waivers, waived, doubted)


def _meant(policy: PolicySet, rule: str, targets: list[str]) -> list[tuple[str, str]]:
    """What a waiver with a mistake seems meant to match: its rule written as a slug read as the code,
    a target without its kind read as the one entity of that id."""
    from cxpolicy.catalogue import codes_by_slug

    code = codes_by_slug().get(rule, rule)
    meant = []
    for target in targets:
        if ":" not in target:
            kinds = policy.kinds_with(target)
            target = f"{kinds[0]}:{target}" if len(kinds) == 1 else target
        meant.append((code, target))
    return meant
