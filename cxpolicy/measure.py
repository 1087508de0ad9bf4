"""Promises kept: each interaction a Dataset holds, judged against the promise in force for its
touchpoint, segment and metric; each KPI's actuals against the line from its baseline to its targets.

The computation is SQL written once, in DuckDB's dialect (ATTAINMENT); DuckDB runs it where the data
is (CSV, Parquet or JSON lines read in place, never row by row in Python), and for data that
outgrows one machine SQLGlot transpiles the very same text for Apache Spark. It scans the data once,
whatever the number of standards: the promises are a small table the rows are joined to.

Which promise is in force is the checks' own answer (graph.promises: the most specific standards of
a metric for a touchpoint and segment). A row with no segment is judged against the promises made
to every segment (standards that name none).

What a standard's numbers mean:
* a duration or a plain number (`max: 60s`, `max: 2`): each interaction meets it or not; attainment
  is the share that met it, and the promise is kept when that share reaches the standard's
  `attainment` (a standard without `attainment` promises every interaction: 100%);
* a percentage (`min: 75%` of first-contact resolution): each interaction is a yes or no (true/false,
  1/0); attainment is the share of yeses, and the promise is kept when it is on the right side of
  the percentage (`attainment` does not apply).
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from cxpolicy.findings import Finding, Severity

PERIODS = ("week", "month", "quarter")
#: What a text column may write for "no value" (a call with no survey answer, say): read as empty.
NO_VALUE = ("n/a", "na", "null", "none", "-")
#: Where a person reads the segment of rows whose data names none.
NO_SEGMENT = "no segment given"


class DataError(Exception):
    """A dataset that cannot be read at all (a missing file or column): one plain line, exit 2."""


@dataclass(frozen=True)
class Attainment:
    """How one standard fared for one segment in one period."""

    standard: str
    segment: str  # "" for the rows with no segment
    period: dt.date  # the period's first day
    rows: int
    met: int  # interactions that met the objective (for a percentage objective: the yeses)

    @property
    def share(self) -> float:
        return self.met / self.rows if self.rows else 0.0


@dataclass(frozen=True)
class Problem:
    """Rows of a dataset that were not measured, by why, with the source value where one is named."""

    dataset: str
    problem: str  # missing touchpoint | unreadable time | unknown touchpoint | unknown segment | negative duration | unreadable value
    value: str | None  # the unknown name, or the metric of a value's problem
    rows: int


@dataclass
class Measurement:
    as_of: dt.date
    period: str
    latest: dt.date | None  # the first day of the latest complete period
    attainments: list[Attainment] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    actuals: dict[str, list[tuple[dt.date, str, float]]] = field(default_factory=dict)  # kpi -> (period, segment, value)
    findings: list[Finding] = field(default_factory=list)
    nothing_measured: list[str] = field(default_factory=list)  # interaction datasets none of whose rows met a standard
    waived: list[tuple[Finding, Any]] = field(default_factory=list)  # what a waiver of a data check hides, and the waiver


# --------------------------------------------------------------------------- the computation, written once

#: {period} is a DuckDB date part; {metric_value} is one CASE over the metric columns (see _metric_value).
ATTAINMENT = """
WITH source_rows AS (
  SELECT
    src.*,
    t.id AS touchpoint,
    s.id AS segment,
    CASE
      WHEN src.source_touchpoint IS NULL OR src.source_touchpoint = '' THEN 'missing touchpoint'
      WHEN src.happened IS NULL THEN 'unreadable time'
      WHEN t.id IS NULL THEN 'unknown touchpoint'
      WHEN src.source_segment IS NOT NULL AND src.source_segment <> '' AND s.id IS NULL THEN 'unknown segment'
    END AS row_problem
  FROM (
    SELECT
      CAST(i.{touchpoint} AS VARCHAR) AS source_touchpoint,
      {segment_column} AS source_segment,
      TRY_CAST(i.{time} AS TIMESTAMP) AS happened,
      CAST(DATE_TRUNC('{period}', TRY_CAST(i.{time} AS TIMESTAMP)) AS DATE) AS period,
      {raw_columns}
    FROM interactions AS i
  ) AS src
  LEFT JOIN touchpoint_names AS t ON t.source = src.source_touchpoint
  LEFT JOIN segment_names AS s ON s.source = src.source_segment
),
valued AS (
  SELECT
    r.row_problem, r.source_touchpoint, r.source_segment, r.happened, r.period, m.metric, m.first_metric,
    {metric_value} AS value, {metric_written} AS written,
    CASE WHEN r.row_problem IS NULL THEN r.touchpoint ELSE '' END AS touchpoint_key,
    CASE WHEN r.row_problem IS NULL THEN COALESCE(r.segment, '') ELSE '' END AS segment_key
  FROM source_rows AS r
  CROSS JOIN metrics AS m
),
kept AS (
  SELECT * FROM valued
  WHERE (row_problem IS NULL AND (value IS NOT NULL OR written <> '')) OR (row_problem IS NOT NULL AND first_metric)
),
judged AS (
  SELECT
    k.*, p.promise, p.bound, p.threshold, p.per_interaction,
    COALESCE(k.row_problem, CASE WHEN k.value IS NULL THEN 'unreadable value'
                                 WHEN p.duration AND k.value < 0 THEN 'negative duration' END) AS problem
  FROM kept AS k
  JOIN promises AS p
    ON p.touchpoint = k.touchpoint_key AND p.segment = k.segment_key AND p.metric = k.metric
)
SELECT
  promise,
  CASE WHEN problem IS NULL THEN period END AS period,
  problem,
  CASE WHEN problem = 'unknown touchpoint' THEN source_touchpoint
       WHEN problem = 'unknown segment' THEN source_segment
       WHEN problem IN ('unreadable value', 'negative duration') THEN metric END AS unknown_value,
  COUNT(*) AS row_count,
  SUM(CASE
        WHEN problem IS NOT NULL THEN 0
        WHEN NOT per_interaction THEN CASE WHEN value >= 0.5 THEN 1 ELSE 0 END
        WHEN bound = 'max' AND value <= threshold THEN 1
        WHEN bound = 'min' AND value >= threshold THEN 1
        ELSE 0
      END) AS met_count
FROM judged
WHERE problem IS NOT NULL OR period_ok(happened)
GROUP BY 1, 2, 3, 4
"""

ACTUALS = """
SELECT
  COALESCE(k.id, CAST(a.{kpi} AS VARCHAR)) AS kpi,
  CAST(TRY_CAST(a.{period} AS TIMESTAMP) AS DATE) AS period,
  {segment_column} AS segment,
  TRY_CAST(REPLACE(CAST(a.{value} AS VARCHAR), '%', '') AS DOUBLE) AS value
FROM actuals AS a
LEFT JOIN kpi_names AS k ON k.source = CAST(a.{kpi} AS VARCHAR)
"""


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _value_columns(columns: dict[str, str]) -> dict[str, str]:
    """The data column each metric reads, named v0, v1... in the query (a column may serve two metrics)."""
    ordered = sorted(set(columns.values()))
    return {column: f"v{index}" for index, column in enumerate(ordered)}


def _text(column: str) -> str:
    """A column's value as the text written, trimmed."""
    return f"TRIM(CAST({column} AS VARCHAR))"


def _metric_value(columns: dict[str, str], kinds: dict[str, str]) -> str:
    """One CASE giving each row's value for the metric of the joined `metrics` row: a number as it is, true
    and false as 1 and 0, and in a text column the words yes/no and true/false as 1 and 0 too. Typed
    columns (Parquet's, say) are read as they are, never through text."""
    branches = []
    named = _value_columns(columns)
    for metric, column in sorted(columns.items()):
        written = f"r.{named[column]}"
        kind = kinds.get(column, "text")
        if kind == "number":
            value = f"CAST({written} AS DOUBLE)"
        elif kind == "boolean":
            value = f"CASE WHEN {written} THEN 1.0 WHEN NOT {written} THEN 0.0 END"
        else:
            text = f"LOWER({_text(written)})"
            value = (f"CASE WHEN {text} IN ('true', 't', 'yes', 'y') THEN 1.0 "
                     f"WHEN {text} IN ('false', 'f', 'no', 'n') THEN 0.0 ELSE TRY_CAST({text} AS DOUBLE) END")
        branches.append(f"WHEN '{metric}' THEN {value}")
    return "CASE m.metric " + " ".join(branches) + " END"


def _metric_written(columns: dict[str, str], kinds: dict[str, str]) -> str:
    """The text written for the metric of the joined `metrics` row, for columns read as text (CSV's): a
    value there that is not empty yet not a number or a yes/no cannot be read. NULL for typed columns,
    whose values are numbers or nothing."""
    named = _value_columns(columns)
    no_value = ", ".join(f"'{word}'" for word in NO_VALUE)
    branches = [f"WHEN '{metric}' THEN CASE WHEN LOWER({text}) IN ({no_value}) THEN '' ELSE {text} END"
                for metric, column in sorted(columns.items()) if kinds.get(column, "text") == "text"
                for text in [_text(f"r.{named[column]}")]]
    return "CASE m.metric " + " ".join(branches) + " END" if branches else "CAST(NULL AS VARCHAR)"


def attainment_sql(columns: Any, period: str, start: dt.date | None, kinds: dict[str, str] | None = None) -> str:
    """The one query, for one dataset's columns (and their kinds: number, boolean or text), in DuckDB's dialect."""
    kinds = kinds or {}
    segment = f"CAST(i.{_quoted(columns.segment)} AS VARCHAR)" if columns.segment else "CAST(NULL AS VARCHAR)"
    window = f"happened >= CAST('{start.isoformat()}' AS TIMESTAMP)" if start else "TRUE"
    time = _quoted(columns.time)
    # NULLIF also keeps DuckDB from pushing the cast into its CSV reader, where a bad time would stop the scan.
    happened = (f"CAST(i.{time} AS TIMESTAMP)" if kinds.get(columns.time) == "time"
                else f"TRY_CAST(NULLIF(CAST(i.{time} AS VARCHAR), '') AS TIMESTAMP)")
    named = _value_columns(columns.metrics)
    sql = ATTAINMENT.format(touchpoint=_quoted(columns.touchpoint), segment_column=segment, time=time,
                            metric_value=_metric_value(columns.metrics, kinds),
                            metric_written=_metric_written(columns.metrics, kinds), period=period,
                            raw_columns=", ".join(f"i.{_quoted(column)} AS {name}" for column, name in named.items()))
    sql = sql.replace(f"TRY_CAST(i.{time} AS TIMESTAMP)", happened)
    return sql.replace("period_ok(happened)", window)


def actuals_sql(columns: Any) -> str:
    segment = f"CAST(a.{_quoted(columns.segment)} AS VARCHAR)" if columns.segment else "CAST(NULL AS VARCHAR)"
    return ACTUALS.format(kpi=_quoted(columns.kpi), period=_quoted(columns.period), value=_quoted(columns.value),
                          segment_column=segment)


# --------------------------------------------------------------------------- the engines


class DuckDB:
    """The default engine: embedded, reads the files in place, memory bounded by its own limit."""

    dialect = "duckdb"

    def __init__(self, memory_limit: str | None = None) -> None:
        import duckdb

        self.connection = duckdb.connect()
        if memory_limit is not None:  # e.g. "2GB": DuckDB spills to disk rather than grow past it
            try:
                self.connection.execute("SET memory_limit = ?", [memory_limit])
            except duckdb.Error:
                raise DataError(f"--memory-limit '{memory_limit}' is not a size, such as 2GB or 512MB") from None

    def table(self, name: str, columns: list[tuple[str, str]], rows: list[tuple]) -> None:
        declared = ", ".join(f"{column} {kind}" for column, kind in columns)
        self.connection.execute(f"CREATE OR REPLACE TEMP TABLE {name} ({declared})")
        if rows:
            self.connection.executemany(f"INSERT INTO {name} VALUES ({', '.join('?' * len(columns))})", rows)

    def files(self, name: str, paths: list[str], kind: str) -> None:
        reader = {"csv": "read_csv", "parquet": "read_parquet", "jsonl": "read_json"}[kind]
        options = ", all_varchar = true" if kind == "csv" else ", format = 'newline_delimited'" if kind == "jsonl" else ""
        listed = "[" + ", ".join("'" + path.replace("'", "''") + "'" for path in paths) + "]"
        self.connection.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM {reader}({listed}{options})")

    def columns(self, name: str) -> dict[str, str]:
        """Each column's kind: number, boolean, time or text."""
        return {row[0]: _kind(row[1]) for row in self.connection.execute(f"DESCRIBE {name}").fetchall()}

    def query(self, sql: str) -> list[tuple]:
        return self.connection.execute(sql).fetchall()

    def close(self) -> None:
        self.connection.close()


class Spark:
    """The same computation on Apache Spark: a local session, a cluster master, or Spark Connect."""

    dialect = "spark"

    def __init__(self, master: str | None = None, remote: str | None = None) -> None:
        from pyspark.sql import SparkSession

        builder = SparkSession.builder.appName("cxpolicy measure")
        builder = builder.remote(remote) if remote else builder.master(master or "local[*]")
        self.session = builder.config("spark.sql.session.timeZone", "UTC").config(
            "spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false").getOrCreate()
        self.session.sparkContext.setLogLevel("ERROR")

    def table(self, name: str, columns: list[tuple[str, str]], rows: list[tuple]) -> None:
        kinds = {"VARCHAR": "string", "DOUBLE": "double", "BOOLEAN": "boolean", "INTEGER": "int"}
        schema = ", ".join(f"{column} {kinds[kind]}" for column, kind in columns)
        self.session.createDataFrame(rows, schema).createOrReplaceTempView(name)

    def files(self, name: str, paths: list[str], kind: str) -> None:
        reader = self.session.read
        if kind == "csv":
            frame = reader.option("header", True).csv(paths)
        elif kind == "parquet":
            frame = reader.parquet(*paths)
        else:
            frame = reader.json(paths)
        frame.createOrReplaceTempView(name)

    def columns(self, name: str) -> dict[str, str]:
        return {column: _kind(kind) for column, kind in self.session.table(name).dtypes}

    def query(self, sql: str) -> list[tuple]:
        import sqlglot

        (spark_sql,) = sqlglot.transpile(sql, read="duckdb", write="spark")
        return [tuple(row) for row in self.session.sql(spark_sql).collect()]

    def close(self) -> None:
        self.session.stop()


def _kind(written: str) -> str:
    """An engine's column type as number, boolean, time or text."""
    upper = written.upper()
    if upper.startswith(("BOOL",)):
        return "boolean"
    if upper.startswith(("TIMESTAMP", "DATE")):
        return "time"
    if upper.startswith(("TINYINT", "SMALLINT", "INT", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                         "UBIGINT", "FLOAT", "DOUBLE", "DECIMAL", "REAL", "LONG", "SHORT", "BYTE")):
        return "number"
    return "text"


# --------------------------------------------------------------------------- periods


def period_start(day: dt.date, period: str) -> dt.date:
    if period == "week":
        return day - dt.timedelta(days=day.weekday())
    if period == "quarter":
        return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return day.replace(day=1)


def previous_period(start: dt.date, period: str) -> dt.date:
    if period == "week":
        return start - dt.timedelta(days=7)
    months = 3 if period == "quarter" else 1
    month = start.month - months
    return dt.date(start.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


# --------------------------------------------------------------------------- the run


#: The promises table's columns; `promise` numbers its rows, and the query groups by that number, not
#: by the standard's and segment's text.
PROMISE_COLUMNS = [("promise", "INTEGER"), ("touchpoint", "VARCHAR"), ("segment", "VARCHAR"), ("metric", "VARCHAR"),
                   ("standard", "VARCHAR"), ("bound", "VARCHAR"), ("threshold", "DOUBLE"),
                   ("per_interaction", "BOOLEAN"), ("duration", "BOOLEAN")]


def _promises(policy: Any, graph: Any, metrics: set[str]) -> list[tuple]:
    """(promise, touchpoint, segment, metric, standard, bound, threshold, per_interaction, duration) for
    every promise in force, numbered from 0; segment "" is the promise to a customer whose segment the
    data does not say. A row ("", "", metric, no standard) per metric takes the rows that cannot be
    measured, so that one inner join carries both them and the measured rows (touchpoint ids are never
    empty)."""
    rows = [("", "", metric, None, None, None, None, False) for metric in sorted(metrics)]
    segments = [segment.id for segment in policy.of("segment")]
    for touchpoint in policy.of("touchpoint"):
        for metric in sorted({a.metric for a in graph.standards_for(touchpoint.id)} & metrics):
            for segment in ["", *segments]:
                for application in graph.promises(touchpoint.id, segment, metric):
                    objective = application.standard.spec.objective
                    threshold = objective.threshold
                    rows.append((touchpoint.id, segment, metric, application.standard.id, objective.bound,
                                 float(threshold.amount), threshold.dimension != "percent",
                                 threshold.dimension == "duration"))
    return [(number, *row) for number, row in enumerate(rows)]


def _paths(root: str, dataset: Any) -> tuple[list[str], str]:
    import glob

    pattern = os.path.join(root, dataset.spec.path)
    found = sorted(glob.glob(pattern, recursive=True))
    if not found:
        raise DataError(f"{dataset.file}: dataset {dataset.id} reads '{dataset.spec.path}', which matches no file "
                        f"under {root}")
    kind = dataset.spec.format or {".csv": "csv", ".parquet": "parquet", ".jsonl": "jsonl",
                                   ".ndjson": "jsonl", ".json": "jsonl"}.get(os.path.splitext(found[0])[1].lower())
    if kind is None:
        raise DataError(f"{dataset.file}: dataset {dataset.id}: say `format:` (csv, parquet or jsonl) for "
                        f"{os.path.basename(found[0])}")
    return found, kind


def _register(engine: Any, name: str, root: str, dataset: Any) -> dict[str, str]:
    paths, kind = _paths(root, dataset)
    empty = next((path for path in paths if os.path.getsize(path) == 0), None)
    if empty is not None:  # no header row to find the columns by: the reader would make some up
        raise DataError(f"{dataset.file}: dataset {dataset.id}: {os.path.relpath(empty, root)} is empty "
                        f"(not even a header row); write the export again, or remove the file")
    try:
        engine.files(name, paths, kind)
        present = engine.columns(name)
    except DataError:
        raise
    except Exception as error:  # the engine's own words: a file it cannot read
        raise DataError(f"{dataset.file}: dataset {dataset.id}: cannot read {paths[0]}: "
                        f"{str(error).splitlines()[0]}") from None
    columns = dataset.spec.columns
    wanted = [getattr(columns, name) for name in ("touchpoint", "segment", "time", "kpi", "period", "value")]
    wanted += list(columns.metrics.values())
    for column in wanted:
        if column is not None and column not in present:
            from cxpolicy.suggest import did_you_mean

            raise DataError(f"{dataset.file}: dataset {dataset.id}: the data has no column '{column}'."
                            f"{did_you_mean(column, present)} It has: {', '.join(sorted(present)) or 'none'}.")
    return present


def measure(run: Any, *, period: str = "month", as_of: dt.date, engine: Any) -> Measurement:
    """Every Dataset of the policy set, measured; the CX6xx findings in `.findings`."""
    from cxpolicy.rules import measures as checks

    policy, graph = run.policy, run.graph
    latest_start = previous_period(period_start(as_of, period), period)
    result = Measurement(as_of, period, latest_start)
    datasets = policy.of("dataset")
    interactions = [d for d in datasets if d.spec.holds == "interactions"]
    metrics = {metric for d in interactions for metric in d.spec.columns.metrics}
    promises = _promises(policy, graph, metrics)
    engine.table("promises", PROMISE_COLUMNS, promises)
    for dataset in interactions:
        spec = dataset.spec
        names = {tp.id: tp.id for tp in policy.of("touchpoint")} | dict(spec.values.touchpoint)
        segments = {s.id: s.id for s in policy.of("segment")} | dict(spec.values.segment)
        engine.table("touchpoint_names", [("source", "VARCHAR"), ("id", "VARCHAR")], sorted(names.items()))
        engine.table("segment_names", [("source", "VARCHAR"), ("id", "VARCHAR")], sorted(segments.items()))
        engine.table("metrics", [("metric", "VARCHAR"), ("first_metric", "BOOLEAN")],
                     [(metric, index == 0) for index, metric in enumerate(sorted(spec.columns.metrics))])
        kinds = _register(engine, "interactions", policy.root, dataset)
        found = engine.query(attainment_sql(spec.columns, period, None, kinds))
        if not found:
            result.nothing_measured.append(dataset.id)
        for promise, start, problem, value, rows, met in found:
            if problem is not None:
                result.problems.append(Problem(dataset.id, problem, value, int(rows)))
            elif start is not None and start < period_start(as_of, period):
                _, _, segment, _, standard, *_ = promises[promise]
                result.attainments.append(Attainment(standard, segment, start, int(rows), int(met)))
    for dataset in (d for d in datasets if d.spec.holds == "kpi-actuals"):
        names = {kpi.id: kpi.id for kpi in policy.of("kpi")} | dict(dataset.spec.values.kpi)
        engine.table("kpi_names", [("source", "VARCHAR"), ("id", "VARCHAR")], sorted(names.items()))
        _register(engine, "actuals", policy.root, dataset)
        for kpi, start, segment, value in engine.query(actuals_sql(dataset.spec.columns)):
            if start is not None and value is not None and start <= as_of:
                result.actuals.setdefault(kpi, []).append((start, segment or "", float(value)))
    result.attainments = _merged(result.attainments)
    result.problems = sorted(_merged_problems(result.problems), key=lambda p: (p.dataset, p.problem, -p.rows, p.value or ""))
    for values in result.actuals.values():
        values.sort()
    from cxpolicy import waivers

    # Waivers of the data checks hide their findings here, judged as of the day measured (as check's --today).
    applied = waivers.apply(_findings(run, result, checks), policy, as_of, data=True)
    result.findings = sorted(applied.kept, key=lambda f: (-f.severity.rank, f.file, f.line, f.code))
    result.waived = sorted(applied.waived, key=lambda pair: pair[0])
    return result


def _merged(found: list[Attainment]) -> list[Attainment]:
    """One attainment per standard, segment and period, whichever datasets the rows came from."""
    totals: dict[tuple[str, str, dt.date], list[int]] = defaultdict(lambda: [0, 0])
    for item in found:
        totals[(item.standard, item.segment, item.period)][0] += item.rows
        totals[(item.standard, item.segment, item.period)][1] += item.met
    return [Attainment(standard, segment, start, rows, met) for (standard, segment, start), (rows, met) in sorted(totals.items())]


def _merged_problems(found: list[Problem]) -> list[Problem]:
    counts: Counter[tuple[str, str, str | None]] = Counter()
    for item in found:
        counts[(item.dataset, item.problem, item.value)] += item.rows
    return [Problem(dataset, problem, value, rows) for (dataset, problem, value), rows in counts.items()]


# --------------------------------------------------------------------------- findings


def target_share(standard: Any) -> float:
    """The share of interactions a standard promises (see the module's words on what its numbers mean)."""
    threshold = standard.spec.objective.threshold
    if threshold.dimension == "percent":
        return threshold.amount / 100
    return standard.spec.attainment.fraction if standard.spec.attainment is not None else 1.0


def kept(standard: Any, share: float) -> bool:
    objective = standard.spec.objective
    if objective.threshold.dimension == "percent" and objective.bound == "max":
        return share <= target_share(standard)
    return share >= target_share(standard)


def _who(run: Any, entity: Any) -> str:
    from cxpolicy.reports.executive import who_acts

    return who_acts(run.policy, run.graph, entity)


def _label(start: dt.date, period: str) -> str:
    if period == "month":
        return start.strftime("%Y-%m")
    if period == "quarter":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return f"the week of {start.isoformat()}"


def _findings(run: Any, result: Measurement, checks: Any) -> list[Finding]:
    policy = run.policy
    findings: list[Finding] = []
    latest = [a for a in result.attainments if a.period == result.latest]
    shortfall = []
    for item in latest:
        standard = policy.get(f"servicestandard:{item.standard}")
        if standard is not None and not kept(standard, item.share):
            shortfall.append((item.share - target_share(standard), item, standard))
    for _, item, standard in sorted(shortfall, key=lambda entry: (entry[0], entry[1].standard, entry[1].segment)):
        who = policy.get(f"segment:{item.segment}")
        segment = f"for {who.title}" if who is not None else "for customers whose segment the data does not give"
        findings.append(checks.STANDARD_BREACHED.on(
            standard, f"in {_label(item.period, result.period)}, {standard.spec.metric} {segment}: "
                      f"{item.share:.0%} of {item.rows:,} interactions met {standard.spec.objective.bound} "
                      f"{standard.spec.objective.threshold}, below the {target_share(standard):.0%} promised",
            hint=_who(run, standard)))
    measured = {a.standard for a in latest}
    ever = {a.standard for a in result.attainments}  # measured in some period: its feed exists
    for standard in policy.of("servicestandard"):
        if standard.id in ever and standard.id not in measured and result.latest is not None:
            findings.append(checks.NO_DATA.on(
                standard, f"no interaction measured standard {standard.id} in {_label(result.latest, result.period)}",
                hint="Check the feed of the dataset that holds " + standard.spec.metric + ". " + _who(run, standard)))
    for dataset in (policy.get(f"dataset:{ident}") for ident in result.nothing_measured):
        findings.append(checks.NO_DATA.on(
            dataset, f"no row of dataset {dataset.id} could be measured against a standard",
            ("spec", "path"), hint=f"Check that {dataset.spec.path} has rows, that `columns:` names the right "
                                   "ones, and that its touchpoints have standards for its metrics. "
                                   + _who(run, dataset)))
    has_actuals = any(d.spec.holds == "kpi-actuals" for d in policy.of("dataset"))
    for kpi in policy.of("kpi") if has_actuals else ():
        findings.extend(_kpi_findings(run, kpi, result.actuals.get(kpi.id, []), result, checks))
    datasets = {d.id: d for d in policy.of("dataset")}
    for problem in result.problems:
        dataset = datasets[problem.dataset]
        if problem.problem.startswith("unknown"):
            kind = problem.problem.split()[1]
            from cxpolicy.suggest import did_you_mean

            known = [e.id for e in policy.of(kind)] + list(getattr(dataset.spec.values, kind))
            findings.append(checks.UNKNOWN_IN_DATA.on(
                dataset, f"{_rows(problem.rows)} of dataset {dataset.id} {'names' if problem.rows == 1 else 'name'} the {kind} "
                         f"'{problem.value}', which the policy does not know", ("spec", "columns"),
                hint=f"{did_you_mean(problem.value or '', known).strip()} Map it under `values: {{{kind}: "
                     f"{{\"{problem.value}\": <id>}}}}`, or add the {kind}. {_who(run, dataset)}".strip()))
        else:
            one = problem.rows == 1
            findings.append(checks.UNUSABLE_ROWS.on(
                dataset, f"{_rows(problem.rows)} of dataset {dataset.id} {'has' if one else 'have'} "
                         f"{_problem_words(problem)} and {'was' if one else 'were'} not measured",
                ("spec", "columns", "metrics", problem.value) if problem.value else ("spec", "columns"),
                hint=f"Correct the rows at the source, or point `columns:` at the right column. {_who(run, dataset)}"))
    return findings


def _rows(count: int) -> str:
    return f"{count:,} row" + ("" if count == 1 else "s")


def _problem_words(problem: Problem) -> str:
    """What is wrong with the rows, in words; a value's problem names its metric."""
    return {"missing touchpoint": "no touchpoint", "unreadable time": "a time that cannot be read",
            "negative duration": f"a negative {problem.value}",
            "unreadable value": f"a {problem.value} value that is not a number"}.get(problem.problem, problem.problem)


def trajectory_value(kpi: Any, when: dt.date) -> tuple[float, Any] | None:
    """The value on the straight line from the baseline to the first target after `when`, and that target."""
    baseline = kpi.spec.baseline
    ahead = sorted((t for t in kpi.spec.targets if t.by >= when), key=lambda t: t.by)
    if baseline is None or not ahead or when < baseline.as_of:
        return None
    target = ahead[0]
    span = (target.by - baseline.as_of).days or 1
    return float(baseline.value) + (float(target.value) - float(baseline.value)) * (when - baseline.as_of).days / span, target


def _better(kpi: Any, value: float, than: float) -> bool:
    return value <= than if kpi.spec.direction == "decrease" else value >= than


def on_track(kpi: Any, value: float, line: tuple[float, Any] | None) -> bool | None:
    """Whether an actual is at least as good as `line`, the trajectory_value on its date (None: no line)."""
    return None if line is None else _better(kpi, value, line[0])


def _kpi_findings(run: Any, kpi: Any, actuals: list[tuple[dt.date, str, float]], result: Measurement,
                  checks: Any) -> list[Finding]:
    overall = [(when, value) for when, segment, value in actuals if not segment]
    findings = []
    if not overall:
        return findings  # not in the data at all: nothing says its feed stopped
    if result.latest is not None and overall[-1][0] < result.latest:
        findings.append(checks.NO_DATA.on(kpi, f"KPI {kpi.id} has no actual for {_label(result.latest, result.period)}"
                                          if result.latest else f"KPI {kpi.id} has no actual", hint=_who(run, kpi)))
    for target in kpi.spec.targets:
        if target.by >= result.as_of:
            continue
        due = [value for when, value in overall if when <= target.by and period_start(target.by, "month") <= when]
        if due and not _better(kpi, due[-1], float(target.value)):
            findings.append(checks.TARGET_MISSED.on(
                kpi, f"KPI {kpi.id} was {due[-1]:g} at its target date {target.by.isoformat()}, short of the "
                     f"target {float(target.value):g}", hint=_who(run, kpi)))
    if overall:
        when, value = overall[-1]
        line = trajectory_value(kpi, when)
        if on_track(kpi, value, line) is False:
            findings.append(checks.KPI_OFF_TRACK.on(
                kpi, f"KPI {kpi.id} was {value:g} on {when.isoformat()}; on the line from its baseline to "
                     f"{float(line[1].value):g} by {line[1].by.isoformat()} it would be {line[0]:.1f}",
                hint=_who(run, kpi)))
    return findings
