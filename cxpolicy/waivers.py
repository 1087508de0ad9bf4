"""Applying waivers: which findings they hide, and the findings about the waivers themselves.

A waiver hides the findings of its `rule` about its `targets` while it is in
force: approved by an executive team or the team that keeps the policy set,
and not past its `expires` date (the date itself still counts).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cxpolicy.findings import Finding
from cxpolicy.policyset import Entity, PolicySet
from cxpolicy.rules.waivers import EXPIRED_WAIVER, UNAUTHORISED_WAIVER, UNUSED_WAIVER

WAIVER_CODES = (EXPIRED_WAIVER.code, UNUSED_WAIVER.code, UNAUTHORISED_WAIVER.code)


@dataclass
class Applied:
    kept: list[Finding]  # the findings still reported, with those about waivers
    waived: list[tuple[Finding, Entity]]  # each hidden finding and the waiver that hid it


def authorised_approvers(policy: PolicySet) -> set[str]:
    approvers = {team.id for team in policy.of("team") if team.spec.executive}
    if policy.project.owner:
        approvers.add(policy.project.owner)
    return approvers


def apply(findings: list[Finding], policy: PolicySet, today: dt.date, *, complete: bool = True) -> Applied:
    """`complete` says the findings include every rule's, so a waiver matching none is unused (CX502)."""
    approvers = authorised_approvers(policy)
    in_force: dict[tuple[str, str], Entity] = {}
    about_waivers: list[Finding] = []
    for waiver in policy.of("waiver"):
        spec = waiver.spec
        if spec.expires < today:
            about_waivers.append(EXPIRED_WAIVER.on(
                waiver, f"waiver {waiver.id} expired on {spec.expires.isoformat()}; the {spec.rule} findings it hid "
                        f"are reported again", ("spec", "expires"),
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
    kept, waived, used = [], [], set()
    for finding in findings:
        waiver = in_force.get((finding.code, finding.entity or ""))
        if waiver is None or finding.code in WAIVER_CODES:
            kept.append(finding)
        else:
            waived.append((finding, waiver))
            used.add((finding.code, finding.entity))
    for waiver in policy.of("waiver") if complete else ():
        unused = [t for t in waiver.spec.targets if (waiver.spec.rule, t) not in used
                  and in_force.get((waiver.spec.rule, t)) is waiver]
        if unused:
            about_waivers.append(UNUSED_WAIVER.on(
                waiver, f"waiver {waiver.id} hides no {waiver.spec.rule} finding for {', '.join(unused)}",
                ("spec", "targets"), key=True,
                hint="Delete the waiver (or these targets) if the problem is fixed; otherwise check the rule and targets."))
    return Applied(kept + about_waivers, waived)
