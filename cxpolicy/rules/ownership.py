"""CX4xx: ownership, the single most important thing the policy settles."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from cxpolicy import model
from cxpolicy.catalogue import Check
from cxpolicy.findings import Finding, Severity
from cxpolicy.graph import RACI_ROLES
from cxpolicy.policyset import Entity
from cxpolicy.rules.registry import Context, rule

#: CX405: share of all moments of truth above which one team's hold is a warning,
#: and the fewest moments of truth for which a share means anything.
CONCENTRATION_SHARE = 0.40
CONCENTRATION_MINIMUM = 5

_FAX = """\
apiVersion: cxpolicy/v1
kind: Touchpoint
metadata: {id: fax-line}
"""

UNOWNED_TOUCHPOINT = Check(
    code="CX401",
    slug="unowned-touchpoint",
    severity=Severity.ERROR,
    summary="A touchpoint with no accountable team.",
    why="A touchpoint nobody is accountable for is where customers fall through: when it breaks, every team "
        "can truthfully say it was not theirs. This is the single most important check.",
    fix="Set `owner` to the one team accountable for the touchpoint (or `owner.accountable` in the long form).",
    failing=_FAX + "spec: {channel: phone}\n",
    passing=_FAX + "spec: {channel: phone, owner: care}\n",
)


@rule(UNOWNED_TOUCHPOINT, each="touchpoint")
def unowned_touchpoints(context: Context, touchpoint: Entity) -> Iterator[Finding]:
    if context.graph.named_owner(touchpoint) is None:  # a named team that does not exist is CX104
        long_form = touchpoint.spec.owner is not None
        yield UNOWNED_TOUCHPOINT.on(
            touchpoint, f"touchpoint {touchpoint.id} has no accountable team",
            ("spec", "owner") if long_form else None, key=long_form,
            hint="Set `owner: <team id>` (or `owner.accountable`) to the one team accountable for it.")


UNOWNED_ENTITY = Check(
    code="CX402",
    slug="unowned-entity",
    severity=Severity.ERROR,
    summary="A journey, standard, KPI, channel or listening post with no owner; a segment with no sponsor.",
    why="A promise, a measure or a journey with no owner is nobody's job to keep, report or improve.",
    fix="Set `owner` (for a segment, `sponsor`) to the accountable team.",
    failing="""\
apiVersion: cxpolicy/v1
kind: Channel
metadata: {id: chat}
spec: {type: assisted}
""",
    passing="""\
apiVersion: cxpolicy/v1
kind: Channel
metadata: {id: chat}
spec: {type: assisted, owner: care}
""",
)

_OWNED_KINDS = (("journey", "owner"), ("servicestandard", "owner"), ("kpi", "owner"), ("channel", "owner"),
                ("listeningpost", "owner"), ("segment", "sponsor"))
_KIND_WORDS = {"servicestandard": "standard", "kpi": "KPI", "listeningpost": "listening post"}


def unowned_entity(context: Context, entity: Entity) -> Iterator[Finding]:
    if context.graph.named_owner(entity) is None:  # a named team that does not exist is CX104
        kind = model.kind_key(entity.kind)
        field = _OWNER_FIELD[kind]
        yield UNOWNED_ENTITY.on(
            entity, f"{_KIND_WORDS.get(kind, kind)} {entity.id} has no {'sponsor' if field == 'sponsor' else 'owner'}",
            hint=f"Set `{field}: <team id>` to the team accountable for it.")


_OWNER_FIELD = dict(_OWNED_KINDS)
for _kind in _OWNER_FIELD:
    rule(UNOWNED_ENTITY, each=_kind)(unowned_entity)


NO_EXECUTIVE_LINE = Check(
    code="CX403",
    slug="no-executive-line",
    severity=Severity.ERROR,
    summary="A non-executive team that reports to nobody, or whose reporting line ends below the executives.",
    why="Ownership is decorative when the owning team's line reaches no executive: when the fix needs money "
        "or another function's help, nobody with authority hears about it.",
    fix="Set `reportsTo` so that the line reaches a team with `executive: true`.",
    failing="""\
apiVersion: cxpolicy/v1
kind: Team
metadata: {id: returns-ops}
spec: {codeowners: ["@example/returns"]}
""",
    passing="""\
apiVersion: cxpolicy/v1
kind: Team
metadata: {id: returns-ops}
spec: {reportsTo: care, codeowners: ["@example/returns"]}
""",
)


@rule(NO_EXECUTIVE_LINE)
def no_executive_lines(context: Context) -> Iterator[Finding]:
    """One finding where each broken line ends: the teams below a team that reports to nobody are
    counted in its finding, and a line ending at a team that does not exist is CX104's."""
    lost = [team for team in context.policy.of("team")
            if not team.spec.executive and context.graph.executive_of(team.id) is None]
    ends = {team.id: context.graph.line_end(team.id) for team in lost if team.spec.reports_to is not None}
    below = Counter(end for end in ends.values() if end is not None)
    for team in lost:
        if team.spec.reports_to is None:
            others = below[team.id]
            also = f"; nor do the lines of the {others} team{'s' if others != 1 else ''} below it" if others else ""
            yield NO_EXECUTIVE_LINE.on(
                team, f"team {team.id} reports to nobody, so its line reaches no executive{also}",
                hint="Add `reportsTo: <team id>` so the line reaches an executive.")
            continue
        end = ends[team.id]
        last = context.policy.get(f"team:{end}") if end is not None else None
        if end is None:
            where = "goes round in a circle"
        elif last is None or last.spec.reports_to is None:
            continue  # an unknown team is CX104; a team that reports to nobody has the finding above
        else:
            where = f"ends at {end}, which is not an executive"
        yield NO_EXECUTIVE_LINE.on(
            team, f"the reporting line of team {team.id} {where}", ("spec", "reportsTo"),
            hint="Make the line reach a team with `executive: true`.")


_HANDOFF = """\
apiVersion: cxpolicy/v1
kind: Team
metadata: {id: billing}
spec: {reportsTo: cco, codeowners: ["@example/billing"]}
---
apiVersion: cxpolicy/v1
kind: Touchpoint
metadata: {id: billing-line}
spec: {channel: phone, owner: billing}
---
apiVersion: cxpolicy/v1
kind: Touchpoint
metadata: {id: query-line}
spec:
  channel: phone
  owner: care
"""
_DISPUTE = """\
---
apiVersion: cxpolicy/v1
kind: Journey
metadata: {id: dispute-a-bill}
spec:
  owner: care
  segments: [members]
  stages:
    - {id: ask, touchpoints: [query-line]}
    - {id: settle, touchpoints: [billing-line]}
"""

UNMANAGED_HANDOFF = Check(
    code="CX404",
    slug="unmanaged-handoff",
    severity=Severity.WARNING,
    summary="Consecutive stages where the customer must change team with no declared hand-off.",
    why="Each team's touchpoint can be fine alone while the hand-off between them is nobody's: the silo gap "
        "customers describe as 'I had to explain everything again'.",
    fix="Declare the hand-off on the touchpoint the customer leaves: `handoffs: [{to: <next touchpoint>}]`, "
        "ideally with the standard that governs it.",
    failing=_HANDOFF + _DISPUTE,
    passing=_HANDOFF + "  handoffs: [{to: billing-line}]\n" + _DISPUTE,
)


@rule(UNMANAGED_HANDOFF, each="journey")
def unmanaged_handoffs(context: Context, journey: Entity) -> Iterator[Finding]:
    graph = context.graph
    stages = graph.stages[journey.id]
    for current, following in zip(stages, stages[1:]):
        next_owners: dict[str, str | None] = {}
        for tp in dict.fromkeys(following.spec.touchpoints):
            entity = context.policy.get(f"touchpoint:{tp}")
            if entity is not None:
                next_owners[tp] = graph.accountable_team(entity)
        for tp in dict.fromkeys(current.spec.touchpoints):
            touchpoint = context.policy.get(f"touchpoint:{tp}")
            team = graph.accountable_team(touchpoint) if touchpoint is not None else None
            if touchpoint is None or team is None or not next_owners or team in next_owners.values():
                continue
            declared = {handoff.to for handoff in touchpoint.spec.handoffs}
            if declared & set(next_owners):
                continue
            others = sorted({owner for owner in next_owners.values() if owner})
            yield UNMANAGED_HANDOFF.on(
                current,
                f"in journey {journey.id}, customers leave {tp} ({team}) for stage '{following.spec.id}' "
                f"({', '.join(others) or 'no owner'}) with no declared hand-off",
                ("touchpoints",), key=True,
                hint=f"Add `handoffs: [{{to: {next(iter(next_owners))}}}]` to touchpoint {tp}.")


_MOMENT = """\
---
apiVersion: cxpolicy/v1
kind: Touchpoint
metadata: {{id: {id}}}
spec: {{channel: phone, owner: {owner}, momentOfTruth: true}}
"""


def _moments(owners: list[str]) -> str:
    text = """\
apiVersion: cxpolicy/v1
kind: Team
metadata: {id: stores}
spec: {reportsTo: cco, codeowners: ["@example/stores"]}
---
apiVersion: cxpolicy/v1
kind: Team
metadata: {id: digital}
spec: {reportsTo: cco, codeowners: ["@example/digital"]}
"""
    return text + "".join(_MOMENT.format(id=f"moment-{index}", owner=owner) for index, owner in enumerate(owners))


OWNERSHIP_CONCENTRATION = Check(
    code="CX405",
    slug="ownership-concentration",
    severity=Severity.WARNING,
    needs_every=("touchpoint",),
    summary="One team accountable for more than 40% of all moments of truth (with at least 5 of them).",
    why="When most moments of truth hang on one team, its bad quarter is the whole company's, and the other "
        "functions stop feeling responsible for the experience.",
    fix="Share accountability with the teams that run the touchpoints, or turn the check off in "
        "cxpolicy.yaml (`rules: {CX405: off}`) if the concentration is deliberate.",
    failing=_moments(["care", "care", "care", "stores", "digital"]),
    passing=_moments(["care", "stores", "stores", "digital", "digital"]),
)


@rule(OWNERSHIP_CONCENTRATION, each="team")
def ownership_concentration(context: Context, team: Entity) -> Iterator[Finding]:
    moments = context.graph.moments_of_truth()
    if moments < CONCENTRATION_MINIMUM:
        return
    count = len(context.graph.moments_held_by(team.id))
    share = count / moments
    if share > CONCENTRATION_SHARE:
        yield OWNERSHIP_CONCENTRATION.on(
            team, f"team {team.id} is accountable for {count} of {moments} moments of truth "
                  f"({share:.0%}, above {CONCENTRATION_SHARE:.0%})",
            hint="Share accountability with the teams that run these touchpoints.")


IDLE_TEAM = Check(
    code="CX406",
    slug="idle-team",
    severity=Severity.INFO,
    needs_every=("team", "segment", "channel", "touchpoint", "journey", "servicestandard", "kpi", "listeningpost"),
    summary="A team that owns, sponsors or is fed nothing, and whose reporting teams hold nothing either.",
    why="A team in the policy with nothing to own, sponsor or act on is either missing its assignments or "
        "no longer exists.",
    fix="Give the team what it is accountable or responsible for, feed it a listening post, or remove it.",
    failing="""\
apiVersion: cxpolicy/v1
kind: Team
metadata: {id: legacy-desk}
spec: {reportsTo: cco}
""",
    passing="""\
apiVersion: cxpolicy/v1
kind: Team
metadata: {id: legacy-desk}
spec: {reportsTo: cco}
---
apiVersion: cxpolicy/v1
kind: ListeningPost
metadata: {id: legacy-complaints}
spec:
  owner: cco
  method: complaints
  covers: {journeys: [get-help]}
  cadence: monthly
  feeds: [legacy-desk]
""",
)

_ACTIVE_RELATIONS = ("accountable", "responsible", "sponsors")


@rule(IDLE_TEAM)
def idle_teams(context: Context) -> Iterator[Finding]:
    """A team is judged by what its reporting line holds: an executive whose teams own plenty is not idle."""
    graph = context.graph
    teams = context.policy.of("team")
    active = {team.id for team in teams
              if any(graph.has_related(team.name, relation) for relation in _ACTIVE_RELATIONS)
              or graph.has_related(team.name, "feeds", incoming=True)}
    for team in [team for team in teams if team.id in active]:
        manager = team.spec.reports_to
        while manager is not None and manager not in active:  # each manager is marked once: linear, loop-safe
            active.add(manager)
            above = context.policy.get(f"team:{manager}")
            manager = above.spec.reports_to if above is not None else None
    for team in teams:
        if team.id not in active:
            yield IDLE_TEAM.on(team, f"team {team.id} owns, sponsors and is fed nothing, and neither does any "
                                     "team reporting to it", hint="Assign it what it is accountable for, or remove it.")


UNROUTABLE_OWNER = Check(
    code="CX407",
    slug="unroutable-owner",
    severity=Severity.INFO,
    summary="An owning team with no `codeowners` handle, so reviews of its changes cannot be requested.",
    why="Owners are asked to review changes to what they own; without a handle the request goes nowhere and "
        "a change to their promise lands without them.",
    fix="Add the team's GitHub handle: `codeowners: [\"@org/team\"]`.",
    failing="""\
apiVersion: cxpolicy/v1
kind: Team
metadata: {id: chat-team}
spec: {reportsTo: care}
---
apiVersion: cxpolicy/v1
kind: Channel
metadata: {id: chat}
spec: {type: assisted, owner: chat-team}
""",
    passing="""\
apiVersion: cxpolicy/v1
kind: Team
metadata: {id: chat-team}
spec: {reportsTo: care, codeowners: ["@example/chat"]}
---
apiVersion: cxpolicy/v1
kind: Channel
metadata: {id: chat}
spec: {type: assisted, owner: chat-team}
""",
)


@rule(UNROUTABLE_OWNER, each="team")
def unroutable_owners(context: Context, team: Entity) -> Iterator[Finding]:
    owns = context.graph.owned_by(team.id) or context.graph.owned_by(team.id, "sponsors")
    if owns and not team.spec.codeowners:
        yield UNROUTABLE_OWNER.on(
            team, f"team {team.id} owns {len(owns)} item{'s' if len(owns) != 1 else ''} but has no codeowners handle",
            hint='Add `codeowners: ["@org/team"]` so its reviews can be requested.')


RACI_OVERLAP = Check(
    code="CX408",
    slug="raci-overlap",
    severity=Severity.WARNING,
    summary="One team holding two RACI roles on one touchpoint.",
    why="A team both accountable and 'consulted' on the same touchpoint blurs who decides: RACI works only "
        "when each team has one role.",
    fix="Keep the team in its strongest role and remove it from the others.",
    failing="""\
apiVersion: cxpolicy/v1
kind: Touchpoint
metadata: {id: callback}
spec:
  channel: phone
  owner: {accountable: care, consulted: [care]}
""",
    passing="""\
apiVersion: cxpolicy/v1
kind: Touchpoint
metadata: {id: callback}
spec:
  channel: phone
  owner: {accountable: care, consulted: [cco]}
""",
)


@rule(RACI_OVERLAP, each="touchpoint")
def raci_overlaps(context: Context, touchpoint: Entity) -> Iterator[Finding]:
    roles = context.graph.raci(touchpoint)
    held: dict[str, list[str]] = {}
    for role in RACI_ROLES:
        for team in dict.fromkeys(roles[role]):
            held.setdefault(team, []).append(role)
    for team, team_roles in sorted(held.items()):
        if len(team_roles) > 1:
            yield RACI_OVERLAP.on(
                touchpoint, f"team {team} is both {' and '.join(team_roles)} for touchpoint {touchpoint.id}",
                ("spec", "owner"), key=True,
                hint=f"Keep {team} in one role only.")
