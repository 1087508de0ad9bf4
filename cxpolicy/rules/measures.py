"""CX6xx: promises kept or broken, measured against the data a Dataset declares (`cxpolicy measure`).

These checks read data, not only the policy files, so `check` never runs them: `measure` is its own
command, so that a pull request that edits YAML is not failed by last month's calls. Each example
below is a Dataset with its data (CSV), added to the examples' base policy set.
"""

from cxpolicy.catalogue import Check
from cxpolicy.findings import Severity

#: The example data's month, and the day the examples are measured on (the month after it).
AS_OF = "2026-12-02"

_DATASET = """\
apiVersion: cxpolicy/v1
kind: Dataset
metadata: {id: calls}
spec:
  owner: care
  holds: interactions
  path: calls.csv
  columns: {touchpoint: queue, segment: tier, time: at, metrics: {time-to-answer: answer_s}}
  values: {touchpoint: {Main line: care-line}, segment: {plus: members}}
"""
_ACTUALS = """\
apiVersion: cxpolicy/v1
kind: Dataset
metadata: {id: kpi-actuals}
spec:
  owner: care
  holds: kpi-actuals
  path: actuals.csv
  columns: {kpi: kpi, period: month, value: value}
"""
_PAST_TARGET = """\
---
apiVersion: cxpolicy/v1
kind: KPI
metadata: {id: callbacks-kept, title: Callbacks kept}
spec:
  owner: care
  definition: Share of promised callbacks made on time
  unit: "%"
  direction: increase
  indicator: leading
  baseline: {value: 70, asOf: 2026-01-31}
  targets: [{value: 75, by: 2026-06-30}, {value: 85, by: 2027-06-30}]
  source: Callback scheduler
  drives: [nps]
"""


def _calls(*seconds: int, queue: str = "Main line", day: str = "2026-11-10") -> str:
    return "queue,tier,at,answer_s\n" + "".join(f"{queue},plus,{day} 10:{i:02d}:00,{s}\n" for i, s in enumerate(seconds))


STANDARD_BREACHED = Check(
    code="CX601",
    slug="standard-breached",
    severity=Severity.ERROR,
    summary="A standard kept for fewer interactions than it promises, in the latest complete period.",
    why="The promise in the policy is what customers are told; the data says it was not kept. The accountable "
        "team has to act, and its executive has to know, before the next period repeats it.",
    fix="Find out why the promise slipped (staffing, a process, a system) and fix that; if the promise cannot be "
        "kept, change it openly in the policy rather than letting the data contradict it.",
    failing=_DATASET,
    passing=_DATASET,
    failing_data=_calls(30, 45, 90),
    passing_data=_calls(30, 45, 50),
)

KPI_OFF_TRACK = Check(
    code="CX602",
    slug="kpi-off-track",
    severity=Severity.WARNING,
    summary="A KPI whose latest actual is worse than the straight line from its baseline to its next target.",
    why="A target is reached by steady progress; a KPI behind its own trajectory now will miss its target later "
        "unless something changes.",
    fix="Act on the levers (the leading indicators that drive it), or, if the target was unrealistic, reset it "
        "openly with the sponsor.",
    failing=_ACTUALS,
    passing=_ACTUALS,
    failing_data="kpi,month,value\nanswer-time,2026-11-01,80\n",
    passing_data="kpi,month,value\nanswer-time,2026-11-01,70\n",
)

TARGET_MISSED = Check(
    code="CX603",
    slug="target-missed",
    severity=Severity.ERROR,
    summary="A KPI target whose date has passed, and the actual for that date falls short of it.",
    why="A missed target is a broken commitment to the executive committee; left in the policy unremarked, "
        "the next target is not believed either.",
    fix="Record what happened and set the next target (or a new date) with the KPI's owner and sponsor.",
    failing=_ACTUALS + _PAST_TARGET,
    passing=_ACTUALS + _PAST_TARGET,
    failing_data="kpi,month,value\ncallbacks-kept,2026-06-01,72\ncallbacks-kept,2026-11-01,80\n",
    passing_data="kpi,month,value\ncallbacks-kept,2026-06-01,76\ncallbacks-kept,2026-11-01,80\n",
)

NO_DATA = Check(
    code="CX604",
    slug="no-data",
    severity=Severity.WARNING,
    summary="A standard or KPI that the data could measure, with no data in the latest complete period; or a "
            "dataset none of whose rows could be measured.",
    why="A promise with no measurement is a promise nobody checks: a feed that stopped looks like a promise kept.",
    fix="Restore the feed the Dataset reads (or correct its path or columns), or say in the policy that the "
        "promise is no longer measured.",
    failing=_DATASET,
    passing=_DATASET,
    failing_data=_calls(30, 45, day="2026-09-10"),
    passing_data=_calls(30, 45),
)

UNKNOWN_IN_DATA = Check(
    code="CX605",
    slug="unknown-in-data",
    severity=Severity.WARNING,
    summary="Data naming a touchpoint or segment the policy does not know; those rows are measured against nothing.",
    why="A renamed queue or a new customer tier in the data silently drops its interactions from every "
        "measurement, so a breach there is never seen.",
    fix="Map the data's name to an id under `values:` in the Dataset, or add the touchpoint or segment.",
    failing=_DATASET,
    passing=_DATASET,
    failing_data=_calls(30, 45) + "Main lines,plus,2026-11-10 11:00:00,20\n",
    passing_data=_calls(30, 45),
)

UNUSABLE_ROWS = Check(
    code="CX606",
    slug="unusable-rows",
    severity=Severity.WARNING,
    summary="Rows of a dataset that cannot be measured: no touchpoint, a time that cannot be read, a negative "
            "duration, or a value that is not a number.",
    why="Rows dropped without a word make attainment look better or worse than it is.",
    fix="Correct the rows at their source (the export, the query), or the Dataset's columns if it reads the "
        "wrong ones.",
    failing=_DATASET,
    passing=_DATASET,
    failing_data=_calls(30, 45) + "Main line,plus,yesterday,20\nMain line,plus,2026-11-10 12:00:00,-5\n",
    passing_data=_calls(30, 45),
)

#: The codes `measure` reports, and whose waivers it applies and judges; `check` leaves those waivers alone.
DATA_CODES = frozenset(check.code for check in (STANDARD_BREACHED, KPI_OFF_TRACK, TARGET_MISSED, NO_DATA,
                                                UNKNOWN_IN_DATA, UNUSABLE_ROWS))
