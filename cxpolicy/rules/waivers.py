"""CX5xx: waivers, dated exceptions the CX office grants. The engine applies them (cxpolicy/waivers.py)."""

from cxpolicy.catalogue import Check
from cxpolicy.findings import Severity

_WAIVER = """\
apiVersion: cxpolicy/v1
kind: Touchpoint
metadata: {id: fax-line}
spec: {channel: phone}
---
apiVersion: cxpolicy/v1
kind: Journey
metadata: {id: fax-orders}
spec:
  owner: care
  segments: [members]
  stages: [{id: send, touchpoints: [fax-line]}]
---
apiVersion: cxpolicy/v1
kind: Waiver
metadata: {id: fax-line-unowned}
spec:
  rule: CX401
  targets: [touchpoint:fax-line]
  reason: The fax line closes at the end of March; no team will take it on before then
"""

EXPIRED_WAIVER = Check(
    code="CX501",
    slug="expired-waiver",
    severity=Severity.ERROR,
    summary="A waiver past its `expires` date; the findings it hid are reported again.",
    why="An exception is granted for a time. Once it has run out, the problem it covered is back, and the "
        "waiver left in place tells readers the opposite.",
    fix="Fix what the waiver covered and delete the waiver, or have the approver renew it with a new `expires`.",
    failing=_WAIVER + "  approvedBy: cco\n  expires: 2026-10-31\n",
    passing=_WAIVER + "  approvedBy: cco\n  expires: 2027-03-31\n",
)

UNUSED_WAIVER = Check(
    code="CX502",
    slug="unused-waiver",
    severity=Severity.WARNING,
    summary="A waiver that matches no finding.",
    why="A waiver that waives nothing is either out of date (the problem was fixed) or mistyped (and the "
        "problem it was meant for is still failing): both deserve a look.",
    fix="Delete the waiver if the problem is fixed; otherwise correct its `rule` or `targets`.",
    failing=_WAIVER.replace("rule: CX401", "rule: CX202") + "  approvedBy: cco\n  expires: 2027-03-31\n",
    passing=_WAIVER + "  approvedBy: cco\n  expires: 2027-03-31\n",
)

UNAUTHORISED_WAIVER = Check(
    code="CX503",
    slug="unauthorised-waiver",
    severity=Severity.ERROR,
    summary="A waiver approved by a team that is neither an executive nor the CX office; it does not count.",
    why="An exception to a customer promise needs someone with authority over it. A team waiving its own "
        "finding is marking its own homework.",
    fix="Have an executive team, or the team that keeps the policy set (`owner` in cxpolicy.yaml), approve it.",
    failing=_WAIVER + "  approvedBy: care\n  expires: 2027-03-31\n",
    passing=_WAIVER + "  approvedBy: cco\n  expires: 2027-03-31\n",
)
