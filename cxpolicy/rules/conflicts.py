"""CX3xx: conflicts, where the policy contradicts itself or promises the wrong thing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from cxpolicy.catalogue import Check
from cxpolicy.findings import Finding, Severity
from cxpolicy.graph import CHANNEL_LEVEL, Application
from cxpolicy.metrics import UNIT_DIMENSION
from cxpolicy.model import PRIORITY_ORDER, Percentage, Quantity
from cxpolicy.policyset import Entity
from cxpolicy.rules.registry import Context, rule


def _objective(standard: Entity) -> tuple[str, Quantity]:
    """A standard's bound (max or min) and threshold."""
    return standard.spec.objective.bound, standard.spec.objective.threshold


def _looser(a: Application, b: Application) -> bool:
    """Whether a's promise is looser than b's (same bound and dimension), judged by the bound."""
    bound_a, value_a = _objective(a.standard)
    bound_b, value_b = _objective(b.standard)
    if bound_a != bound_b or value_a.dimension != value_b.dimension:
        return False
    return value_a.amount > value_b.amount if bound_a == "max" else value_a.amount < value_b.amount


def _loosest(applications: list[Application]) -> Application | None:
    """Of several promises in force, the worst for the customer."""
    loosest = None
    for application in applications:
        if loosest is None or _looser(application, loosest):
            loosest = application
    return loosest


def _pairs(context: Context, touchpoint: Entity) -> Iterator[tuple[tuple[str, str], Entity, Entity]]:
    """The pairs of standards of one metric at equal specificity on a touchpoint, for overlapping
    segments, each in file order with its key: a rule reports each pair once, where it first meets."""
    by_metric: dict[str, list[Application]] = defaultdict(list)
    for application in context.graph.standards_for(touchpoint.id):
        by_metric[application.metric].append(application)
    for group in by_metric.values():
        for index, first in enumerate(group):
            for second in group[index + 1:]:
                if first.specificity != second.specificity:
                    continue
                if first.segments and not first.segments & second.segments:
                    continue
                a, b = sorted((first.standard, second.standard), key=lambda s: (s.file, s.document.index, s.id))
                yield (a.id, b.id), a, b


_SECOND_STANDARD = """\
apiVersion: cxpolicy/v1
kind: ServiceStandard
metadata: {id: answer-floor}
spec:
  owner: care
  appliesTo: {touchpoints: [care-line]}
  metric: time-to-answer
  measuredBy: answer-time
"""

CONTRADICTORY_STANDARDS = Check(
    code="CX301",
    slug="contradictory-standards",
    severity=Severity.ERROR,
    summary="Two equally specific standards on one touchpoint, segment and metric that cannot both hold.",
    why="If one standard says calls are answered within 60 seconds and another that they take at least "
        "two minutes, the team is bound to break one promise, and customers cannot know which to expect.",
    fix="Delete one of the two, or make one more specific (name the segment or the touchpoint it is for).",
    failing=_SECOND_STANDARD + "  objective: {min: 120s}\n",
    passing=_SECOND_STANDARD + "  objective: {min: 5s}\n",
)


@rule(CONTRADICTORY_STANDARDS, each="touchpoint", once=True)
def contradictory_standards(context: Context, touchpoint: Entity) -> Iterator[tuple[tuple[str, str], Finding]]:
    for pair, a, b in _pairs(context, touchpoint):
        (bound_a, value_a), (bound_b, value_b) = _objective(a), _objective(b)
        if bound_a == bound_b or value_a.dimension != value_b.dimension:
            continue
        ceiling, floor = (value_a, value_b) if bound_a == "max" else (value_b, value_a)
        if floor.amount > ceiling.amount:
            yield pair, CONTRADICTORY_STANDARDS.on(
                b, f"standard {b.id} ({bound_b} {value_b}) contradicts standard {a.id} ({bound_a} {value_a}) "
                   f"for {a.spec.metric} at touchpoint {touchpoint.id}: both cannot hold",
                ("spec", "objective"),
                hint="Delete one, or make one more specific by naming a segment or the touchpoint.")


INCONSISTENT_STANDARDS = Check(
    code="CX302",
    slug="inconsistent-standards",
    severity=Severity.WARNING,
    summary="Two equally specific standards on one touchpoint, segment and metric with different thresholds.",
    why="With two different promises of equal standing (60 seconds here, 90 there) nobody can say which "
        "one the customer was given. A more specific standard overriding a general one (a premium variant) "
        "is the normal way to promise more, and is not reported.",
    fix="Keep one threshold, or make one standard more specific (name its segment or touchpoint).",
    failing=_SECOND_STANDARD.replace("answer-floor", "answer-90s") + "  objective: {max: 90s}\n",
    passing=_SECOND_STANDARD.replace("answer-floor", "answer-members-30s").replace(
        "touchpoints: [care-line]", "touchpoints: [care-line], segments: [members]") + "  objective: {max: 30s}\n",
)


@rule(INCONSISTENT_STANDARDS, each="touchpoint", once=True)
def inconsistent_standards(context: Context, touchpoint: Entity) -> Iterator[tuple[tuple[str, str], Finding]]:
    for pair, a, b in _pairs(context, touchpoint):
        (bound_a, value_a), (bound_b, value_b) = _objective(a), _objective(b)
        if bound_a == bound_b and value_a.dimension == value_b.dimension and value_a.amount != value_b.amount:
            yield pair, INCONSISTENT_STANDARDS.on(
                b, f"standard {b.id} ({bound_b} {value_b}) and standard {a.id} ({bound_a} {value_a}) promise "
                   f"different {a.spec.metric} at touchpoint {touchpoint.id}, with equal standing",
                ("spec", "objective"),
                hint="Keep one threshold, or make one of them more specific (name a segment or the touchpoint).")


PRIORITY_INVERSION = Check(
    code="CX303",
    slug="priority-inversion",
    severity=Severity.ERROR,
    needs_every=("servicestandard", "segment"),
    summary="A higher-priority segment promised less than a lower-priority one, on one touchpoint and metric.",
    why="The company says some customers matter most; if they get a looser promise than others at the same "
        "touchpoint, the policy says the opposite of the strategy.",
    fix="Give the higher-priority segment a promise at least as tight (a segment-specific standard), or "
        "loosen the lower-priority one.",
    failing="""\
apiVersion: cxpolicy/v1
kind: Segment
metadata: {id: casual}
spec: {priority: core, sponsor: cco}
---
apiVersion: cxpolicy/v1
kind: ServiceStandard
metadata: {id: answer-casual-20s}
spec:
  owner: care
  appliesTo: {touchpoints: [care-line], segments: [casual]}
  metric: time-to-answer
  objective: {max: 20s}
  measuredBy: answer-time
""",
    passing="""\
apiVersion: cxpolicy/v1
kind: Segment
metadata: {id: casual}
spec: {priority: core, sponsor: cco}
---
apiVersion: cxpolicy/v1
kind: ServiceStandard
metadata: {id: answer-casual-20s}
spec:
  owner: care
  appliesTo: {touchpoints: [care-line], segments: [casual]}
  metric: time-to-answer
  objective: {max: 20s}
  measuredBy: answer-time
---
apiVersion: cxpolicy/v1
kind: ServiceStandard
metadata: {id: answer-members-15s}
spec:
  owner: care
  appliesTo: {touchpoints: [care-line], segments: [members]}
  metric: time-to-answer
  objective: {max: 15s}
  measuredBy: answer-time
""",
)


@rule(PRIORITY_INVERSION, each="touchpoint", once=True)
def priority_inversions(context: Context, touchpoint: Entity) -> Iterator[tuple[tuple[str, ...], Finding]]:
    graph = context.graph
    priority = {segment.id: PRIORITY_ORDER[segment.spec.priority] for segment in context.policy.of("segment")}
    segments = sorted(set(graph.segments_served(touchpoint.id)) | graph.segments_named_at(touchpoint.id),
                      key=lambda s: (-priority.get(s, 0), s))
    segments = [s for s in segments if s in priority]
    for metric in graph.metrics_at(touchpoint.id):
        applications = graph.standards_for(touchpoint.id, metric=metric)
        if not any(a.segments for a in applications):
            continue  # no standard of this metric names a segment: one promise for all
        promise = {s: _loosest(graph.promises(touchpoint.id, s, metric)) for s in segments}
        for index, high in enumerate(segments):
            for low in segments[index + 1:]:
                mine, theirs = promise[high], promise[low]
                if priority[high] <= priority[low] or mine is None or theirs is None or not _looser(mine, theirs):
                    continue
                (_, value_high), (_, value_low) = _objective(mine.standard), _objective(theirs.standard)
                yield (mine.standard.id, theirs.standard.id, high, low), PRIORITY_INVERSION.on(
                    mine.standard,
                    f"at touchpoint {touchpoint.id}, {metric} for {high} ({_priority_name(context, high)}) is "
                    f"{value_high} (standard {mine.standard.id}), looser than {value_low} for {low} "
                    f"({_priority_name(context, low)}, standard {theirs.standard.id})",
                    ("spec", "objective"),
                    hint=f"Add a standard for {high} at least as tight as {value_low}, or loosen the one for {low}.")


def _priority_name(context: Context, segment: str) -> str:
    entity = context.policy.get(f"segment:{segment}")
    return entity.spec.priority if entity is not None else "unknown priority"


_TARGET_KPI = """\
apiVersion: cxpolicy/v1
kind: KPI
metadata: {id: first-contact-resolution}
spec:
  owner: care
  definition: Share of calls resolved in the first contact
  metric: first-contact-resolution
  unit: "%"
  direction: increase
  indicator: leading
  baseline: {value: 71, asOf: 2026-06-30}
  source: Contact-centre platform
  drives: [nps]
"""

TARGET_REGRESSES = Check(
    code="CX304",
    slug="target-regresses",
    severity=Severity.ERROR,
    summary="A target worse than the baseline, or a later target worse than an earlier one.",
    why="A target below today's level (for a KPI where higher is better) plans for customers to be served "
        "worse: usually a typo, sometimes a quiet retreat that deserves a conversation.",
    fix="Check the numbers against the KPI's direction: for `increase`, each target must be at least the "
        "baseline and the targets before it; for `decrease`, at most.",
    failing=_TARGET_KPI + "  targets: [{value: 75, by: 2027-06-30}, {value: 68, by: 2027-12-31}]\n",
    passing=_TARGET_KPI + "  targets: [{value: 75, by: 2027-06-30}, {value: 80, by: 2027-12-31}]\n",
)


@rule(TARGET_REGRESSES, each="kpi")
def regressing_targets(context: Context, kpi: Entity) -> Iterator[Finding]:
    if _out_of_order(kpi, context) is not None:
        return  # CX311 says so; which pair regresses is only known once the dates are right
    spec = kpi.spec
    worse = (lambda new, old: new < old) if spec.direction == "increase" else (lambda new, old: new > old)
    previous = ("the baseline", spec.baseline.value) if spec.baseline is not None else None
    for index, target in sorted(enumerate(spec.targets), key=lambda item: item[1].by):
        if previous is not None and worse(target.value, previous[1]):
            yield TARGET_REGRESSES.on(
                kpi, f"target {_number(target.value)} by {target.by.isoformat()} of KPI {kpi.id} is worse than "
                     f"{previous[0]} ({_number(previous[1])}) for a KPI that should {spec.direction}",
                ("spec", "targets", index, "value"),
                hint=f"Each target must {'not fall below' if spec.direction == 'increase' else 'not rise above'} "
                     "the baseline and the targets before it.")
        previous = (f"the target for {target.by.isoformat()}", target.value)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


UNIT_MISMATCH = Check(
    code="CX305",
    slug="unit-mismatch",
    severity=Severity.ERROR,
    summary="A value in a unit its metric cannot have, a value out of its scale, or a direction against the catalogue.",
    why="A time-to-answer promised as a percentage, a share above 100% or an NPS of 140 cannot be measured; "
        "the promise is void however it is read.",
    fix="Use the metric's unit (docs/rules.md lists the catalogue) and keep values within their scale: "
        "percentages 0-100%, NPS -100 to 100.",
    failing="""\
apiVersion: cxpolicy/v1
kind: ServiceStandard
metadata: {id: answer-members}
spec:
  owner: care
  appliesTo: {touchpoints: [care-line], segments: [members]}
  metric: time-to-answer
  objective: {max: 95%}
  measuredBy: answer-time
""",
    passing="""\
apiVersion: cxpolicy/v1
kind: ServiceStandard
metadata: {id: answer-members}
spec:
  owner: care
  appliesTo: {touchpoints: [care-line], segments: [members]}
  metric: time-to-answer
  objective: {max: 30s}
  attainment: 95%
  measuredBy: answer-time
""",
)

_DIMENSION_WORDS = {"duration": "a duration", "percent": "a percentage", "number": "a plain number"}
_QUANTITY_DIMENSION = {"duration": "duration", "percent": "percent", "number": "number"}


@rule(UNIT_MISMATCH, each="kpi")
def kpi_unit_mismatches(context: Context, kpi: Entity) -> Iterator[Finding]:
    spec = kpi.spec
    metric = context.metric(spec.metric) if spec.metric else None
    dimension = UNIT_DIMENSION[spec.unit]
    expected = _expected_dimension(context, metric.slug) if metric is not None else None
    if expected is not None and expected != dimension:
        yield UNIT_MISMATCH.on(
            kpi, f"KPI {kpi.id} is in {spec.unit}, but {metric.slug} is measured in "
                 f"{_DIMENSION_WORDS[expected]}", ("spec", "unit"),
            hint=f"Use a unit of {_DIMENSION_WORDS[expected]} for {metric.slug}.")
    if metric is not None and metric.direction and metric.direction != spec.direction:
        yield UNIT_MISMATCH.on(
            kpi, f"KPI {kpi.id} says {spec.direction} is better, but for {metric.slug} "
                 f"{metric.direction} is better", ("spec", "direction"),
            hint=f"Write `direction: {metric.direction}`, or use another metric.")
    values = ([("baseline", ("spec", "baseline", "value"), spec.baseline.value)] if spec.baseline else []) + [
        (f"target for {t.by.isoformat()}", ("spec", "targets", i, "value"), t.value) for i, t in enumerate(spec.targets)]
    scale = (0.0, 100.0) if spec.unit == "%" else (metric.scale if metric is not None else None)
    for label, path, value in values:
        if isinstance(value, Percentage) and spec.unit != "%":
            yield UNIT_MISMATCH.on(
                kpi, f"the {label} of KPI {kpi.id} is written {value}, but the KPI is in {spec.unit}", path,
                hint=f"Write the value in {spec.unit} without '%', or set `unit: \"%\"`.")
            continue
        if scale is not None and not scale[0] <= value <= scale[1]:
            yield UNIT_MISMATCH.on(
                kpi, f"the {label} of KPI {kpi.id} is {_number(value)}, outside the scale "
                     f"{_number(scale[0])} to {_number(scale[1])}", path,
                hint="Check the value and the unit.")


@rule(UNIT_MISMATCH, each="servicestandard")
def standard_unit_mismatches(context: Context, standard: Entity) -> Iterator[Finding]:
    spec = standard.spec
    value = spec.objective.threshold
    dimension = _QUANTITY_DIMENSION[value.dimension]
    wanted = _expected_dimension(context, spec.metric)
    if wanted is not None and wanted != dimension:
        yield UNIT_MISMATCH.on(
            standard, f"standard {standard.id} promises {spec.metric} as {_DIMENSION_WORDS[dimension]} "
                      f"({value}), but it is measured in {_DIMENSION_WORDS[wanted]}",
            ("spec", "objective", spec.objective.bound),
            hint=f"Write the objective as {_DIMENSION_WORDS[wanted]}.")
    for label, path, amount in (("objective", ("spec", "objective", spec.objective.bound),
                                 value.amount if value.dimension == "percent" else None),
                                ("attainment", ("spec", "attainment"),
                                 spec.attainment.percent if spec.attainment else None)):
        if amount is not None and not 0 <= amount <= 100:
            yield UNIT_MISMATCH.on(standard, f"the {label} of standard {standard.id} is {_number(amount)}%, "
                                             "above 100%", path, hint="A share cannot exceed 100%.")


def _expected_dimension(context: Context, slug: str) -> str | None:
    """The dimension a metric's values must have: the catalogue's, else that of its first KPI (in id
    order); None when neither says."""
    catalogued = context.metric(slug).dimension
    if catalogued:
        return catalogued
    first = next(iter(context.graph.kpis_measuring(slug)), None)
    kpi = context.policy.get(f"kpi:{first}") if first is not None else None
    return UNIT_DIMENSION[kpi.spec.unit] if kpi is not None else None


_BUDGET = """\
apiVersion: cxpolicy/v1
kind: Journey
metadata: {id: fix-a-fault}
spec:
  owner: care
  segments: [members]
  stages:
    - {id: report, touchpoints: [care-line]}
    - {id: follow-up, touchpoints: [care-line]}
---
apiVersion: cxpolicy/v1
kind: ServiceStandard
metadata: {id: call-resolved-1d}
spec:
  owner: care
  appliesTo: {touchpoints: [care-line]}
  metric: time-to-resolve
  objective: {max: 1d}
  measuredBy: hours-to-resolve
---
apiVersion: cxpolicy/v1
kind: ServiceStandard
metadata: {id: fault-fixed}
spec:
  owner: care
  appliesTo: {journeys: [fix-a-fault]}
  metric: time-to-resolve
  measuredBy: hours-to-resolve
"""

END_TO_END_BUDGET = Check(
    code="CX306",
    slug="end-to-end-budget",
    severity=Severity.ERROR,
    needs_every=("servicestandard",),
    summary="Stage standards along a journey that add up to more than the journey's end-to-end promise.",
    why="If each stage keeps its own promise and the customer still waits longer than the journey promised, "
        "the end-to-end promise was never achievable: it will be broken by design.",
    fix="Tighten the stage standards (touchpoint or channel) so that, per stage the loosest, they add up to "
        "no more than the journey standard; or loosen the journey promise.",
    failing=_BUDGET + "  objective: {max: 36h}\n",
    passing=_BUDGET + "  objective: {max: 3d}\n",
)


@rule(END_TO_END_BUDGET, each="servicestandard")
def end_to_end_budgets(context: Context, standard: Entity) -> Iterator[Finding]:
    graph = context.graph
    bound, promise = _objective(standard)
    if bound != "max" or promise.dimension != "duration":
        return
    for journey_id in standard.spec.applies_to.journeys:
        journey = context.policy.get(f"journey:{journey_id}")
        if journey is None:
            continue
        worst: tuple[float, str, list[str]] | None = None
        for segment in journey.spec.segments:
            if standard.spec.applies_to.segments and segment not in standard.spec.applies_to.segments:
                continue
            total, parts = 0.0, []
            for stage in graph.stages[journey_id]:
                stage_worst = _stage_budget(context, stage.spec.touchpoints, segment, standard.spec.metric)
                if stage_worst is not None:
                    total += stage_worst.amount
                    parts.append(f"{stage.spec.id} {stage_worst}")
            if parts and total > promise.amount and (worst is None or total > worst[0]):
                worst = (total, segment, parts)
        if worst is not None:
            total, segment, parts = worst
            yield END_TO_END_BUDGET.on(
                standard,
                f"along journey {journey_id}, the stage standards of {standard.spec.metric} for {segment} add up "
                f"to {_duration(total)} ({' + '.join(parts)}), more than the end-to-end promise of {promise}",
                ("spec", "objective", "max"),
                hint="Tighten the stage standards so they fit, or loosen the end-to-end promise.")


def _stage_budget(context: Context, touchpoints: list[str], segment: str, metric: str) -> Quantity | None:
    """The loosest touchpoint- or channel-scoped max duration promise in force over a stage's touchpoints."""
    loosest: Quantity | None = None
    for touchpoint in dict.fromkeys(touchpoints):
        scoped = [a for a in context.graph.standards_for(touchpoint, segment, metric) if a.level >= CHANNEL_LEVEL]
        if not scoped:
            continue
        best = max(a.specificity for a in scoped)
        for application in scoped:
            bound, value = _objective(application.standard)
            in_force = application.specificity == best and bound == "max" and value.dimension == "duration"
            if in_force and (loosest is None or value.amount > loosest.amount):
                loosest = value
    return loosest


def _duration(seconds: float) -> str:
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size and (seconds / size).is_integer():
            return f"{int(seconds / size)}{unit}"
    return f"{_number(seconds)}s"


_HANDLE_TIME = """\
apiVersion: cxpolicy/v1
kind: KPI
metadata: {id: handle-time}
spec:
  owner: care
  definition: Mean seconds of talk, hold and wrap-up per call
  metric: average-handle-time
  unit: s
  direction: decrease
  indicator: leading
  baseline: {value: 420, asOf: 2026-09-30}
  targets: [{value: 380, by: 2027-06-30}]
  source: Telephony platform
  drives: [nps]
"""

UNBALANCED_EFFICIENCY_TARGET = Check(
    code="CX307",
    slug="unbalanced-efficiency-target",
    severity=Severity.WARNING,
    needs_every=("servicestandard", "kpi"),
    summary="A team's efficiency standard or KPI (handle time) with no quality counterweight in the same scope.",
    why="A team targeted only on handle time learns to end calls early: the number improves while customers "
        "call back. A quality measure in the same scope (first-contact resolution, CSAT) keeps it honest.",
    fix="Give the same team a standard or KPI on a counterweight metric (the catalogue's `balancedBy`) that "
        "covers at least the same touchpoints and segments.",
    failing=_HANDLE_TIME,
    passing=_HANDLE_TIME + """\
---
apiVersion: cxpolicy/v1
kind: KPI
metadata: {id: first-contact-resolution}
spec:
  owner: care
  definition: Share of calls resolved in the first contact
  metric: first-contact-resolution
  unit: "%"
  direction: increase
  indicator: leading
  baseline: {value: 71, asOf: 2026-06-30}
  targets: [{value: 75, by: 2027-06-30}]
  source: Contact-centre platform
  drives: [nps]
""",
)


def unbalanced_efficiency_target(context: Context, entity: Entity) -> Iterator[Finding]:
    metric = context.metric(entity.spec.metric) if entity.spec.metric else None
    if metric is None or not metric.balanced_by or entity.spec.owner is None:
        return
    scope = _scope(context, entity)
    balanced = any(
        _covers(_scope(context, other), scope)
        for counterweight in metric.balanced_by
        for name in context.graph.held_to(entity.spec.owner, counterweight)
        if (other := context.policy.get(name)) is not None
    )
    if not balanced:
        yield UNBALANCED_EFFICIENCY_TARGET.on(
            entity, f"{entity.spec.owner} is held to {metric.slug} ({entity.kind} {entity.id}) with no "
                    f"{' or '.join(metric.balanced_by)} in the same scope to balance it",
            ("spec", "metric"),
            hint=f"Give {entity.spec.owner} a standard or KPI on {' or '.join(metric.balanced_by)} covering the same scope.")


for _kind in ("servicestandard", "kpi"):
    rule(UNBALANCED_EFFICIENCY_TARGET, each=_kind)(unbalanced_efficiency_target)


def _scope(context: Context, entity: Entity) -> tuple[frozenset[str] | None, frozenset[str]]:
    """The touchpoints (None: all) and segments (empty: all) a standard or KPI covers."""
    graph = context.graph
    if entity.kind == "ServiceStandard":
        scope = entity.spec.applies_to
        touchpoints = set(scope.touchpoints)
        for channel in scope.channels:
            touchpoints.update(graph.touchpoints_of_channel(channel))
        for journey in scope.journeys:
            touchpoints.update(graph.touchpoints_of_journey(journey))
        return frozenset(touchpoints), frozenset(scope.segments)
    scope = entity.spec.scope
    if not scope.touchpoints and not scope.journeys:
        return None, frozenset(scope.segments)
    touchpoints = set(scope.touchpoints)
    for journey in scope.journeys:
        touchpoints.update(graph.touchpoints_of_journey(journey))
    return frozenset(touchpoints), frozenset(scope.segments)


def _covers(outer: tuple, inner: tuple) -> bool:
    (outer_tps, outer_segments), (inner_tps, inner_segments) = outer, inner
    tps_ok = outer_tps is None or (inner_tps is not None and inner_tps <= outer_tps)
    segments_ok = not outer_segments or (bool(inner_segments) and inner_segments <= outer_segments)
    return tps_ok and segments_ok


CYCLE = Check(
    code="CX308",
    slug="cycle",
    severity=Severity.ERROR,
    summary="A cycle in reporting lines, in `drives`, in hand-offs, or in segments' parents.",
    why="A reporting line that goes round in a circle reaches no executive; KPIs that drive each other explain "
        "nothing; hand-offs in a loop send the customer back where they started.",
    fix="Break the loop: point one of the links named in the message elsewhere.",
    failing="""\
apiVersion: cxpolicy/v1
kind: Team
metadata: {id: billing}
spec: {reportsTo: finance}
---
apiVersion: cxpolicy/v1
kind: Team
metadata: {id: finance}
spec: {reportsTo: billing}
""",
    passing="""\
apiVersion: cxpolicy/v1
kind: Team
metadata: {id: billing}
spec: {reportsTo: finance}
---
apiVersion: cxpolicy/v1
kind: Team
metadata: {id: finance}
spec: {reportsTo: cco}
""",
)

_CYCLE_WORDS = {
    "reports_to": ("reporting lines go round in a circle", ("spec", "reportsTo")),
    "drives": ("KPIs drive each other in a circle", ("spec", "drives")),
    "hands_off_to": ("hand-offs send the customer round in a circle", ("spec", "handoffs")),
    "part_of": ("segments are each other's parents", ("spec", "parent")),
}


@rule(CYCLE)
def cycles(context: Context) -> Iterator[Finding]:
    for relation, (words, path) in _CYCLE_WORDS.items():
        for cycle in context.graph.cycles(relation):
            first = context.policy.get(cycle[0])
            if first is None:
                continue
            loop = " -> ".join(name.partition(":")[2] for name in cycle + cycle[:1])
            yield CYCLE.on(first, f"{words}: {loop}", path, key=True,
                           hint="Break the loop by pointing one of these links elsewhere.")


_ORDER = """\
apiVersion: cxpolicy/v1
kind: ServiceStandard
metadata: {id: call-resolved-1h}
spec:
  owner: care
  appliesTo: {touchpoints: [care-line]}
  metric: time-to-resolve
  objective: {max: 1h}
  measuredBy: hours-to-resolve
---
apiVersion: cxpolicy/v1
kind: ServiceStandard
metadata: {id: call-first-response}
spec:
  owner: care
  appliesTo: {touchpoints: [care-line]}
  metric: time-to-first-response
  measuredBy: first-response-time
"""

METRIC_ORDER = Check(
    code="CX309",
    slug="metric-order",
    severity=Severity.ERROR,
    needs_every=("servicestandard",),
    summary="Promises that break the catalogue's order in one scope (first response later than resolution).",
    why="A first response promised later than the resolution is impossible to keep in the promised order; "
        "one of the two numbers is wrong.",
    fix="Make the first-response promise no later than the resolution promise for the same touchpoint and segment.",
    failing=_ORDER + "  objective: {max: 2h}\n",
    passing=_ORDER + "  objective: {max: 15min}\n",
)


@rule(METRIC_ORDER, each="touchpoint", once=True)
def metric_order(context: Context, touchpoint: Entity) -> Iterator[tuple[tuple[str, str], Finding]]:
    graph = context.graph
    ordered = [(slug, metric.not_above) for slug, metric in sorted(context.catalogue.items()) if metric.not_above]
    present = set(graph.metrics_at(touchpoint.id))
    served = graph.segments_served(touchpoint.id) or sorted(graph.segments_named_at(touchpoint.id)) or [None]
    for earlier, later in ordered:
        if earlier not in present or later not in present:
            continue
        named = {s for m in (earlier, later) for a in graph.standards_for(touchpoint.id, metric=m) for s in a.segments}
        # Segments no standard names all get the general promise: one of them stands for the rest.
        general = [s for s in served if s not in named][:1]
        for segment in [s for s in served if s in named] + general:
            first = _loosest(graph.promises(touchpoint.id, segment, earlier) if segment else
                             graph.standards_for(touchpoint.id, None, earlier))
            last = _loosest(graph.promises(touchpoint.id, segment, later) if segment else
                            graph.standards_for(touchpoint.id, None, later))
            if first is None or last is None:
                continue
            (bound_first, value_first), (bound_last, value_last) = _objective(first.standard), _objective(last.standard)
            if bound_first != "max" or bound_last != "max" or value_first.dimension != value_last.dimension:
                continue
            if value_first.amount > value_last.amount:
                yield (first.standard.id, last.standard.id), METRIC_ORDER.on(
                    first.standard,
                    f"at touchpoint {touchpoint.id}, {earlier} is promised within {value_first} "
                    f"(standard {first.standard.id}) but {later} within {value_last} "
                    f"(standard {last.standard.id}): {earlier} cannot come later",
                    ("spec", "objective", "max"),
                    hint=f"Promise {earlier} no later than {value_last}, or loosen {later}.")


MEASURED_BY_ANOTHER_METRIC = Check(
    code="CX310",
    slug="measured-by-another-metric",
    severity=Severity.ERROR,
    summary="A service standard whose `measuredBy` KPI measures another metric, or in a unit of another kind.",
    why="A time-to-resolve promise measured by a time-to-answer KPI is never measured at all: the dashboard "
        "reports on something else, and the promise can be broken for months unseen.",
    fix="Point `measuredBy` at a KPI of the standard's metric, or add one.",
    failing="""\
apiVersion: cxpolicy/v1
kind: ServiceStandard
metadata: {id: resolve-2d}
spec:
  owner: care
  appliesTo: {touchpoints: [care-line]}
  metric: time-to-resolve
  objective: {max: 2d}
  measuredBy: answer-time
""",
    passing="""\
apiVersion: cxpolicy/v1
kind: ServiceStandard
metadata: {id: answer-45s}
spec:
  owner: care
  appliesTo: {touchpoints: [care-line], segments: [members]}
  metric: time-to-answer
  objective: {max: 45s}
  measuredBy: answer-time
""",
)


@rule(MEASURED_BY_ANOTHER_METRIC, each="servicestandard")
def measured_by_another_metric(context: Context, standard: Entity) -> Iterator[Finding]:
    kpi = context.policy.get(f"kpi:{standard.spec.measured_by}") if standard.spec.measured_by else None
    if kpi is None:
        return
    metric = standard.spec.metric
    if metric not in context.catalogue:
        return  # an unknown metric is CX104
    if kpi.spec.metric is not None and kpi.spec.metric != metric:
        yield MEASURED_BY_ANOTHER_METRIC.on(
            standard, f"standard {standard.id} promises {metric} but is measured by KPI {kpi.id}, which measures "
                      f"{kpi.spec.metric}", ("spec", "measuredBy"),
            hint=f"Point `measuredBy` at a KPI whose metric is {metric}, or add one.")
        return
    # A KPI of no named metric: its unit must be of the kind the promise is in (the metric's kind when the
    # catalogue knows it, since CX305 reports an objective in another; else the objective's own).
    objective = standard.spec.objective
    value = objective.max if objective.max is not None else objective.min
    promised = context.metric(metric).dimension or value.dimension
    measured = UNIT_DIMENSION.get(kpi.spec.unit)
    if kpi.spec.metric is None and measured is not None and promised != measured:
        yield MEASURED_BY_ANOTHER_METRIC.on(
            standard, f"standard {standard.id} promises {_DIMENSION_WORDS[promised]} but is measured by KPI "
                      f"{kpi.id} in {kpi.spec.unit}, {_DIMENSION_WORDS[measured]}", ("spec", "measuredBy"),
            hint="Point `measuredBy` at a KPI measured in the same kind of unit as the promise.")


DATES_OUT_OF_ORDER = Check(
    code="CX311",
    slug="dates-out-of-order",
    severity=Severity.ERROR,
    summary="A KPI's targets not listed in date order, or a target dated on or before its baseline.",
    why="Targets are a trajectory from the baseline: one dated before the measurement it improves on, or a list "
        "in jumbled order, is usually a mistyped year, and the regression check then compares the wrong pairs.",
    fix="List the targets from the earliest date to the latest, each after the baseline's `asOf`.",
    failing=_TARGET_KPI + "  targets: [{value: 80, by: 2027-12-31}, {value: 75, by: 2027-06-30}]\n",
    passing=_TARGET_KPI + "  targets: [{value: 75, by: 2027-06-30}, {value: 80, by: 2027-12-31}]\n",
)


def _out_of_order(kpi: Any, context: Context) -> tuple[int, str] | None:
    """The first target out of date order (its index and what it comes before), or None. A baseline
    dated after today is CX215's, and not compared."""
    spec = kpi.spec
    baseline = spec.baseline if spec.baseline is not None and not context.future(spec.baseline.as_of) else None
    previous = (baseline.as_of, "the baseline") if baseline is not None else None
    for index, target in enumerate(spec.targets):
        if previous is not None and target.by <= previous[0]:
            return index, f"{previous[1]} ({previous[0].isoformat()})"
        previous = (target.by, "the target before it")
    return None


@rule(DATES_OUT_OF_ORDER, each="kpi")
def dates_out_of_order(context: Context, kpi: Entity) -> Iterator[Finding]:
    found = _out_of_order(kpi, context)
    if found is not None:
        index, before = found
        target = kpi.spec.targets[index]
        yield DATES_OUT_OF_ORDER.on(
            kpi, f"target {_number(target.value)} of KPI {kpi.id} is dated {target.by.isoformat()}, not after "
                 f"{before}", ("spec", "targets", index, "by"),
            hint="List the targets from the earliest date to the latest, each after the baseline's `asOf`.")
