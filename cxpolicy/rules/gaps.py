"""CX2xx: gaps, where a customer meets nothing: no touchpoint, no promise, no measure, no ear."""

from __future__ import annotations

from collections.abc import Iterator

from cxpolicy.catalogue import Check
from cxpolicy.findings import Finding, Severity
from cxpolicy.graph import JOURNEY_LEVEL, PolicyGraph
from cxpolicy.model import PRIORITY_ORDER
from cxpolicy.policyset import Entity
from cxpolicy.rules.registry import Context, rule

EMPTY_STAGE = Check(
    code="CX201",
    slug="empty-stage",
    severity=Severity.ERROR,
    summary="A journey stage with no touchpoint.",
    why="A stage the customer must go through, with no touchpoint, is a step where they have nowhere to go "
        "and nobody to meet.",
    fix="List the touchpoints through which customers go through the stage, or remove the stage.",
    failing="""\
apiVersion: cxpolicy/v1
kind: Journey
metadata: {id: complain}
spec:
  owner: care
  segments: [members]
  stages:
    - {id: raise, touchpoints: [care-line]}
    - {id: hear-outcome}
""",
    passing="""\
apiVersion: cxpolicy/v1
kind: Journey
metadata: {id: complain}
spec:
  owner: care
  segments: [members]
  stages:
    - {id: raise, touchpoints: [care-line]}
    - {id: hear-outcome, touchpoints: [care-line]}
""",
)


@rule(EMPTY_STAGE, each="journey")
def empty_stages(context: Context, journey: Entity) -> Iterator[Finding]:
    for stage in context.graph.stages[journey.id]:
        if not stage.spec.touchpoints:
            yield EMPTY_STAGE.on(
                stage, f"stage '{stage.spec.id}' of journey {journey.id} has no touchpoint",
                hint="Add `touchpoints: [...]` to the stage, or remove the stage.")


_CALLBACK = """\
apiVersion: cxpolicy/v1
kind: Touchpoint
metadata: {id: callback}
spec: {channel: phone, owner: care}
"""
_CALLBACK_IN_JOURNEY = _CALLBACK + """\
---
apiVersion: cxpolicy/v1
kind: Journey
metadata: {id: call-back}
spec:
  owner: care
  segments: [members]
  stages:
    - {id: request, touchpoints: [callback]}
"""

ORPHAN_TOUCHPOINT = Check(
    code="CX202",
    slug="orphan-touchpoint",
    severity=Severity.WARNING,
    needs_every=("journey",),
    summary="A touchpoint that no journey contains.",
    why="A touchpoint outside every journey is invisible to journey owners: no end-to-end promise covers it, "
        "and no hand-off into or out of it is planned.",
    fix="Add the touchpoint to the stage of the journey where customers meet it, or retire it.",
    failing=_CALLBACK,
    passing=_CALLBACK_IN_JOURNEY,
)


@rule(ORPHAN_TOUCHPOINT, each="touchpoint")
def orphan_touchpoints(context: Context, touchpoint: Entity) -> Iterator[Finding]:
    if not context.graph.stages_of(touchpoint.id):
        yield ORPHAN_TOUCHPOINT.on(
            touchpoint, f"touchpoint {touchpoint.id} is not part of any journey",
            hint="Add it to a stage of the journey where customers meet it (journeys/*.yaml).")


_COMPLAINTS = """\
apiVersion: cxpolicy/v1
kind: Touchpoint
metadata: {id: complaints-line}
spec: {channel: phone, owner: care, momentOfTruth: true}
---
apiVersion: cxpolicy/v1
kind: Journey
metadata: {id: complain}
spec:
  owner: care
  segments: [members]
  stages:
    - {id: raise, touchpoints: [complaints-line]}
"""

MOMENT_WITHOUT_STANDARD = Check(
    code="CX203",
    slug="moment-without-standard",
    severity=Severity.ERROR,
    needs_every=("servicestandard", "journey", "channel"),
    summary="A moment of truth with no service standard for one of the segments its journeys serve.",
    why="Moments of truth make or break the relationship. Without a promise for every segment that goes "
        "through it, some customers get whatever the day brings at the moment that matters most.",
    fix="Add a ServiceStandard whose appliesTo names the touchpoint (or its channel or journey), for every "
        "segment or for the missing ones.",
    failing=_COMPLAINTS,
    passing=_COMPLAINTS + """\
---
apiVersion: cxpolicy/v1
kind: ServiceStandard
metadata: {id: complaints-answer-60s}
spec:
  owner: care
  appliesTo: {touchpoints: [complaints-line]}
  metric: time-to-answer
  objective: {max: 60s}
  measuredBy: answer-time
""",
)


@rule(MOMENT_WITHOUT_STANDARD, each="touchpoint")
def moments_without_standard(context: Context, touchpoint: Entity) -> Iterator[Finding]:
    if not touchpoint.spec.moment_of_truth:
        return
    missing = context.graph.segments_without_standard(touchpoint.id)
    if missing:
        yield MOMENT_WITHOUT_STANDARD.on(
            touchpoint, f"moment of truth {touchpoint.id} has no service standard for {_segments(missing)}",
            ("spec", "momentOfTruth"),
            hint="Add a ServiceStandard that applies to this touchpoint (by touchpoint, channel or journey) "
                 "for these segments.")


def _segments(ids: list[str]) -> str:
    return ("segment " if len(ids) == 1 else "segments ") + ", ".join(ids)


TOUCHPOINT_WITHOUT_STANDARD = Check(
    code="CX204",
    slug="touchpoint-without-standard",
    severity=Severity.WARNING,
    needs_every=("servicestandard", "journey", "channel"),
    summary="A touchpoint (not a moment of truth) with no service standard at all.",
    why="Without a promise, each team decides alone what good looks like at its touchpoint, and customers "
        "notice the difference from one channel to the next.",
    fix="Add a ServiceStandard naming the touchpoint, its channel, or a journey that contains it.",
    failing=_CALLBACK_IN_JOURNEY,
    passing=_CALLBACK_IN_JOURNEY + """\
---
apiVersion: cxpolicy/v1
kind: ServiceStandard
metadata: {id: callback-same-day}
spec:
  owner: care
  appliesTo: {journeys: [call-back]}
  metric: time-to-resolve
  objective: {max: 1d}
  measuredBy: hours-to-resolve
""",
)


@rule(TOUCHPOINT_WITHOUT_STANDARD, each="touchpoint")
def touchpoints_without_standard(context: Context, touchpoint: Entity) -> Iterator[Finding]:
    if not touchpoint.spec.moment_of_truth and not context.graph.standards_for(touchpoint.id):
        yield TOUCHPOINT_WITHOUT_STANDARD.on(
            touchpoint, f"touchpoint {touchpoint.id} has no service standard",
            hint="Add a ServiceStandard naming this touchpoint, its channel, or one of its journeys.")


UNMEASURED_STANDARD = Check(
    code="CX205",
    slug="unmeasured-standard",
    severity=Severity.ERROR,
    summary="A service standard with no `measuredBy` KPI.",
    why="A promise nobody measures is a promise nobody knows is broken.",
    fix="Set `measuredBy` to the KPI that tracks the standard, adding the KPI if it does not exist.",
    failing="""\
apiVersion: cxpolicy/v1
kind: ServiceStandard
metadata: {id: answer-members-30s}
spec:
  owner: care
  appliesTo: {touchpoints: [care-line], segments: [members]}
  metric: time-to-answer
  objective: {max: 30s}
""",
    passing="""\
apiVersion: cxpolicy/v1
kind: ServiceStandard
metadata: {id: answer-members-30s}
spec:
  owner: care
  appliesTo: {touchpoints: [care-line], segments: [members]}
  metric: time-to-answer
  objective: {max: 30s}
  measuredBy: answer-time
""",
)


@rule(UNMEASURED_STANDARD, each="servicestandard")
def unmeasured_standards(context: Context, standard: Entity) -> Iterator[Finding]:
    if standard.spec.measured_by is None:
        yield UNMEASURED_STANDARD.on(
            standard, f"standard {standard.id} is not measured by any KPI",
            hint="Add `measuredBy: <kpi id>` to its spec.")


_KPI = """\
apiVersion: cxpolicy/v1
kind: KPI
metadata: {id: callback-kept}
spec:
  owner: care
  definition: Share of promised callbacks made on time
  unit: "%"
  direction: increase
  indicator: leading
  drives: [nps]
"""
_BASELINE = "  baseline: {value: 81, asOf: 2026-09-30}\n  source: Callback scheduler\n"
_TARGETS = "  targets: [{value: 90, by: 2027-06-30}]\n"

KPI_WITHOUT_TARGET = Check(
    code="CX206",
    slug="kpi-without-target",
    severity=Severity.ERROR,
    summary="A KPI with no target.",
    why="A KPI without a target says where things are, never where they must get to: nobody can tell "
        "whether the number is good enough.",
    fix="Add at least one dated target: `targets: [{value: 90, by: 2027-06-30}]`.",
    failing=_KPI + _BASELINE,
    passing=_KPI + _BASELINE + _TARGETS,
)


@rule(KPI_WITHOUT_TARGET, each="kpi")
def kpis_without_target(context: Context, kpi: Entity) -> Iterator[Finding]:
    if not kpi.spec.targets:
        yield KPI_WITHOUT_TARGET.on(kpi, f"KPI {kpi.id} has no target",
                                   hint="Add `targets: [{value: ..., by: YYYY-MM-DD}]` to its spec.")


KPI_WITHOUT_BASELINE = Check(
    code="CX207",
    slug="kpi-without-baseline",
    severity=Severity.WARNING,
    summary="A KPI with no baseline or no data source.",
    why="Without a baseline a target cannot be judged ambitious or timid; without a source nobody can "
        "reproduce the number the board is shown.",
    fix="Add `baseline: {value: ..., asOf: YYYY-MM-DD}` and `source:` (the system and extract the data comes from).",
    failing=_KPI + _TARGETS,
    passing=_KPI + _BASELINE + _TARGETS,
)


@rule(KPI_WITHOUT_BASELINE, each="kpi")
def kpis_without_baseline(context: Context, kpi: Entity) -> Iterator[Finding]:
    missing = [name for name, value in (("baseline", kpi.spec.baseline), ("data source", kpi.spec.source))
               if not value]
    if missing:
        yield KPI_WITHOUT_BASELINE.on(
            kpi, f"KPI {kpi.id} has no {' and no '.join(missing)}",
            hint="Add `baseline: {value: ..., asOf: YYYY-MM-DD}` and `source: ...` to its spec.")


_TRADE = """\
apiVersion: cxpolicy/v1
kind: Segment
metadata: {id: trade}
spec: {priority: growth, sponsor: cco}
"""

UNSERVED_SEGMENT = Check(
    code="CX208",
    slug="unserved-segment",
    severity=Severity.ERROR,
    needs_every=("journey", "segment"),
    summary="A strategic or growth segment that no journey serves.",
    why="The company says these customers matter most, yet no journey is designed for them: their "
        "experience is whatever the journeys built for others happen to give.",
    fix="Add the segment to the `segments` of the journeys these customers go through (a journey serving a "
        "parent segment serves its sub-segments too).",
    failing=_TRADE,
    passing=_TRADE + """\
---
apiVersion: cxpolicy/v1
kind: Journey
metadata: {id: trade-help}
spec:
  owner: care
  segments: [trade]
  stages:
    - {id: call, touchpoints: [care-line]}
""",
)


@rule(UNSERVED_SEGMENT, each="segment")
def unserved_segments(context: Context, segment: Entity) -> Iterator[Finding]:
    if PRIORITY_ORDER[segment.spec.priority] < PRIORITY_ORDER["growth"]:
        return
    if not any(context.graph.journeys_serving(ancestor) for ancestor in _ancestry(context, segment.id)):
        yield UNSERVED_SEGMENT.on(
            segment, f"{segment.spec.priority} segment {segment.id} is served by no journey",
            ("spec", "priority"),
            hint="Add it to the `segments` of the journeys these customers go through.")


def _ancestry(context: Context, segment: str) -> list[str]:
    """The segment and its parents, up to the top (stopping at a loop)."""
    line: list[str] = []
    current: str | None = segment
    while current is not None and current not in line:
        line.append(current)
        entity = context.policy.get(f"segment:{current}")
        current = entity.spec.parent if entity is not None else None
    return line


_RENEW = """\
apiVersion: cxpolicy/v1
kind: Journey
metadata: {id: renew}
spec:
  owner: care
  segments: [members]
  stages:
    - {id: call, touchpoints: [care-line]}
"""

UNHEARD_JOURNEY = Check(
    code="CX209",
    slug="unheard-journey",
    severity=Severity.WARNING,
    needs_every=("listeningpost",),
    summary="A journey that no listening post covers.",
    why="Without a listening post the company learns how the journey feels only when customers leave.",
    fix="Add the journey (or its touchpoints) to the `covers` of a listening post, or start one.",
    failing=_RENEW,
    passing=_RENEW + """\
---
apiVersion: cxpolicy/v1
kind: ListeningPost
metadata: {id: renewal-survey}
spec:
  owner: cco
  method: survey
  covers: {journeys: [renew]}
  cadence: monthly
  feeds: [care]
""",
)


@rule(UNHEARD_JOURNEY, each="journey")
def unheard_journeys(context: Context, journey: Entity) -> Iterator[Finding]:
    if context.graph.listening_posts_of(journey.id):
        return
    yield UNHEARD_JOURNEY.on(
        journey, f"no listening post covers journey {journey.id}",
        hint="Add it to the `covers.journeys` of a listening post (listening/*.yaml).")


_RETENTION = """\
apiVersion: cxpolicy/v1
kind: KPI
metadata: {id: retention}
spec:
  owner: cco
  definition: Share of members who renew
  metric: retention-rate
  unit: "%"
  direction: increase
  indicator: lagging
  baseline: {value: 78, asOf: 2026-09-30}
  targets: [{value: 81, by: 2027-06-30}]
  source: Membership system
"""

UNDRIVEN_LAGGING_KPI = Check(
    code="CX210",
    slug="undriven-lagging-kpi",
    severity=Severity.WARNING,
    needs_every=("kpi",),
    summary="A lagging KPI (NPS, churn, retention) that no leading KPI drives.",
    why="A lagging outcome with no leading indicator tied to it is a vanity metric: nobody knows which "
        "lever moves it, so nobody can be asked to move it.",
    fix="Add this KPI to the `drives` of the leading KPIs that move it.",
    failing=_RETENTION,
    passing=_RETENTION + """\
---
apiVersion: cxpolicy/v1
kind: KPI
metadata: {id: renewal-effort}
spec:
  owner: care
  definition: Customer effort score after renewing
  metric: customer-effort-score
  unit: score
  direction: decrease
  indicator: leading
  baseline: {value: 2.8, asOf: 2026-09-30}
  targets: [{value: 2.4, by: 2027-06-30}]
  source: Post-renewal survey
  drives: [retention]
""",
)


@rule(UNDRIVEN_LAGGING_KPI, each="kpi")
def undriven_lagging_kpis(context: Context, kpi: Entity) -> Iterator[Finding]:
    if kpi.spec.indicator != "lagging":
        return
    drivers = [context.policy.get(name) for name in context.graph.related(kpi.name, "drives", incoming=True)]
    if not any(driver is not None and driver.spec.indicator == "leading" for driver in drivers):
        yield UNDRIVEN_LAGGING_KPI.on(
            kpi, f"lagging KPI {kpi.id} is driven by no leading KPI",
            ("spec", "indicator"),
            hint=f"Add `{kpi.id}` to the `drives` of the leading KPIs that move it.")


_CHAT_STAGE = """\
apiVersion: cxpolicy/v1
kind: Channel
metadata: {id: chat}
spec: {type: assisted, owner: care}
---
apiVersion: cxpolicy/v1
kind: Touchpoint
metadata: {id: care-chat}
spec: {channel: chat, owner: care}
---
apiVersion: cxpolicy/v1
kind: Journey
metadata: {id: fix-an-order}
spec:
  owner: care
  segments: [members]
  stages:
    - {id: contact, touchpoints: [care-line, care-chat]}
---
apiVersion: cxpolicy/v1
kind: ServiceStandard
metadata: {id: resolved-2d}
spec:
  owner: care
  metric: time-to-resolve
  objective: {max: 2d}
  measuredBy: hours-to-resolve
"""

CHANNEL_INCONSISTENCY = Check(
    code="CX211",
    slug="channel-inconsistency",
    severity=Severity.WARNING,
    needs_every=("servicestandard", "touchpoint"),
    summary="In one stage, an outcome metric promised in one channel and not in another.",
    why="Customers choose the channel, not the outcome: if resolution is promised on the phone but not in "
        "chat, the same customer gets two companies under one brand. Channel-specific metrics (time to "
        "answer, availability) are exempt, and standards on the whole journey apply to every channel alike.",
    fix="Promise the outcome for the stage as a whole (appliesTo its journey), or in every channel of the stage.",
    failing=_CHAT_STAGE + "  appliesTo: {touchpoints: [care-line]}\n",
    passing=_CHAT_STAGE + "  appliesTo: {touchpoints: [care-line, care-chat]}\n",
)


@rule(CHANNEL_INCONSISTENCY, each="journey")
def channel_inconsistencies(context: Context, journey: Entity) -> Iterator[Finding]:
    graph = context.graph
    for stage in graph.stages[journey.id]:
        touchpoints = [context.policy.get(f"touchpoint:{tp}") for tp in dict.fromkeys(stage.spec.touchpoints)]
        present = [tp for tp in touchpoints if tp is not None]
        if len({tp.spec.channel for tp in present}) < 2:
            continue
        metrics = sorted({metric for tp in present for metric in graph.metrics_at(tp.id)})
        for metric in metrics:
            if context.metric(metric).channel_specific:
                continue
            promised = {tp.spec.channel for tp in present if _promised_by_channel(graph, tp.id, metric)}
            lacking = [tp for tp in present if tp.spec.channel not in promised]
            if promised and lacking:
                names = ", ".join(f"{tp.id} ({tp.spec.channel})" for tp in lacking)
                yield CHANNEL_INCONSISTENCY.on(
                    stage,
                    f"in stage '{stage.spec.id}' of journey {journey.id}, {metric} is promised in "
                    f"{', '.join(sorted(promised))} but not at {names}",
                    hint=f"Apply the {metric} standard to the whole journey, or add one for these touchpoints.")


def _promised_by_channel(graph: PolicyGraph, touchpoint: str, metric: str) -> bool:
    """A standard of `metric` names the touchpoint or its channel. Journey-wide standards apply to
    every channel alike, so they neither cause nor hide a difference between channels."""
    return any(application.level > JOURNEY_LEVEL for application in graph.standards_for(touchpoint, metric=metric))


_STALE_KPI = """\
apiVersion: cxpolicy/v1
kind: KPI
metadata: {id: callback-kept}
spec:
  owner: care
  definition: Share of promised callbacks made on time
  unit: "%"
  direction: increase
  indicator: leading
  baseline: {value: 81, asOf: 2025-09-30}
  source: Callback scheduler
  drives: [nps]
"""

STALE_TARGET = Check(
    code="CX212",
    slug="stale-target",
    severity=Severity.WARNING,
    summary="A KPI whose every target date has passed.",
    why="When the last target date has passed the KPI is steered by nothing: teams keep reporting it but "
        "nobody has agreed what the next step is.",
    fix="Add the next dated target (and record whether the last one was met in the KPI's description).",
    failing=_STALE_KPI + "  targets: [{value: 85, by: 2026-06-30}]\n",
    passing=_STALE_KPI + "  targets: [{value: 85, by: 2026-06-30}, {value: 90, by: 2027-06-30}]\n",
)


@rule(STALE_TARGET, each="kpi")
def stale_targets(context: Context, kpi: Entity) -> Iterator[Finding]:
    targets = kpi.spec.targets
    if targets and all(context.past(target.by) for target in targets):
        last = max(target.by for target in targets)
        yield STALE_TARGET.on(
            kpi, f"every target of KPI {kpi.id} is past (the last was due {last.isoformat()})",
            ("spec", "targets"), key=True,
            hint="Add the next dated target.")


_POST = """\
apiVersion: cxpolicy/v1
kind: ListeningPost
metadata: {id: call-complaints}
spec:
  owner: cco
  method: complaints
  covers: {journeys: [get-help]}
  cadence: weekly
"""

OPEN_FEEDBACK_LOOP = Check(
    code="CX213",
    slug="open-feedback-loop",
    severity=Severity.WARNING,
    summary="A listening post that feeds no team besides its owner.",
    why="Feedback that circulates inside the team that collects it never reaches the people who can fix "
        "the cause: customers are heard, and nothing changes.",
    fix="List in `feeds` the teams that own what the listening post hears about.",
    failing=_POST + "  feeds: [cco]\n",
    passing=_POST + "  feeds: [cco, care]\n",
)


@rule(OPEN_FEEDBACK_LOOP, each="listeningpost")
def open_feedback_loops(context: Context, post: Entity) -> Iterator[Finding]:
    if not set(post.spec.feeds) - {post.spec.owner}:
        yield OPEN_FEEDBACK_LOOP.on(
            post, f"listening post {post.id} feeds no team besides its owner",
            hint="Add to `feeds` the teams that can act on what it hears.")


_REVIEWED = """\
apiVersion: cxpolicy/v1
kind: Journey
metadata: {id: get-help-members}
spec:
  owner: care
  segments: [members]
  stages:
    - {id: call, touchpoints: [care-line]}
"""

STALE_JOURNEY_REVIEW = Check(
    code="CX214",
    slug="stale-journey-review",
    severity=Severity.WARNING,
    summary="A journey whose last review is older than its review interval.",
    why="Journey maps drift from what customers live: new channels open, teams reorganise. A map past its "
        "review date is a guess presented as a fact.",
    fix="Review the journey with its owner and update `review.last`, or change the interval.",
    failing=_REVIEWED + "  review: {every: 90d, last: 2026-06-01}\n",
    passing=_REVIEWED + "  review: {every: 90d, last: 2026-10-01}\n",
)


@rule(STALE_JOURNEY_REVIEW, each="journey")
def stale_journey_reviews(context: Context, journey: Entity) -> Iterator[Finding]:
    review = journey.spec.review
    if review is None:
        return
    if review.last is None:
        yield STALE_JOURNEY_REVIEW.on(journey, f"journey {journey.id} has a review interval but was never reviewed",
                                      ("spec", "review"), key=True, hint="Record the last review date in `review.last`.")
        return
    due = review.every.due(review.last)  # None past the calendar's end: never due
    if due is not None and context.past(due):
        yield STALE_JOURNEY_REVIEW.on(
            journey, f"journey {journey.id} was due for review on {due.isoformat()} "
                     f"(last reviewed {review.last.isoformat()}, every {review.every})",
            ("spec", "review", "last"),
            hint="Review the map with its owner and update `review.last`.")


FUTURE_DATE = Check(
    code="CX215",
    slug="date-in-the-future",
    severity=Severity.ERROR,
    summary="A date that records the past (a journey's `review.last`, a KPI's `baseline.asOf`) set after today.",
    why="A review dated next year keeps the journey from ever looking overdue (CX214), and a baseline measured "
        "in the future cannot have been measured: both are usually a mistyped year.",
    fix="Write the date the review or the measurement took place. If cxpolicy.yaml pins `today`, move it "
        "forward at the policy review.",
    failing=_REVIEWED + "  review: {every: 90d, last: 2027-10-01}\n",
    passing=_REVIEWED + "  review: {every: 90d, last: 2026-10-01}\n",
)


@rule(FUTURE_DATE, each="journey")
def reviews_in_the_future(context: Context, journey: Entity) -> Iterator[Finding]:
    review = journey.spec.review
    if review is not None and review.last is not None and context.future(review.last):
        yield FUTURE_DATE.on(
            journey, f"journey {journey.id} was last reviewed on {review.last.isoformat()}, which is after "
                     f"today ({context.today.isoformat()})", ("spec", "review", "last"),
            hint="Write the date the review took place (a mistyped year?).")


@rule(FUTURE_DATE, each="kpi")
def baselines_in_the_future(context: Context, kpi: Entity) -> Iterator[Finding]:
    baseline = kpi.spec.baseline
    if baseline is not None and context.future(baseline.as_of):
        yield FUTURE_DATE.on(
            kpi, f"the baseline of KPI {kpi.id} was measured on {baseline.as_of.isoformat()}, which is after "
                 f"today ({context.today.isoformat()})", ("spec", "baseline", "asOf"),
            hint="Write the date the baseline value was measured (a mistyped year?).")


REPEATED_TOUCHPOINT = Check(
    code="CX216",
    slug="repeated-touchpoint",
    severity=Severity.ERROR,
    summary="A touchpoint listed twice in one journey stage.",
    why="Listing a touchpoint twice adds nothing; it is nearly always a copy-paste where another touchpoint was "
        "meant, which then is missing from the stage.",
    fix="Remove the repeated entry, or replace it with the touchpoint that was meant.",
    failing=_REVIEWED.replace("touchpoints: [care-line]", "touchpoints: [care-line, care-line]"),
    passing=_REVIEWED,
)


@rule(REPEATED_TOUCHPOINT, each="journey")
def repeated_touchpoints(context: Context, journey: Entity) -> Iterator[Finding]:
    for index, stage in enumerate(journey.spec.stages):
        seen: set[str] = set()
        for position, touchpoint in enumerate(stage.touchpoints):
            if touchpoint in seen:
                yield REPEATED_TOUCHPOINT.on(
                    journey, f"touchpoint {touchpoint} is listed twice in stage '{stage.id}' of journey "
                             f"{journey.id}", ("spec", "stages", index, "touchpoints", position),
                    hint="Remove the repeated entry, or write the touchpoint that was meant.")
            seen.add(touchpoint)
