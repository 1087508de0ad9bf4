"""What `cxpolicy measure` costs on generated interaction data, against a floor.

    python benchmarks/measure.py [--rows 10000000 100000000]

For each size, DuckDB writes that many interactions (Parquet, in a temporary folder) at the
example's five contact-centre queues over twelve months, and the example's policy is pointed at
them. Timed, as whole processes, alternating, the median of --rounds:
* the floor: one hand-written DuckDB query that computes the same attainments (per standard,
  segment and month) in one pass, with the promises as a table it joins to;
* `cxpolicy measure` on the same data.
Printed: seconds, peak memory of each process, and the ratios the issue sets: measure / floor
at most 1.3, and 10 times the rows at most 11 times the time. Recorded in docs/performance.md.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

GENERATE = """
COPY (
  SELECT
    ['Care line', 'Plus line', 'Returns line', 'Billing line', 'Live chat'][CAST(1 + hash(i) % 5 AS BIGINT)] AS queue,
    ['standard', 'plus', 'new', 'trade'][CAST(1 + hash(i * 7) % 4 AS BIGINT)] AS tier,
    TIMESTAMP '2025-12-01 08:00:00' + to_seconds(CAST(hash(i * 13) % (365 * 86400) AS BIGINT)) AS started_at,
    CAST(hash(i * 17) % 120 AS INTEGER) AS wait_seconds,
    hash(i * 19) % 5 <> 0 AS resolved,
    CASE WHEN hash(i * 23) % 3 = 0 THEN hash(i * 29) % 8 <> 0 END AS satisfied
  FROM range({rows}) AS t(i)
) TO '{path}' (FORMAT parquet, ROW_GROUP_SIZE 500000)
"""

#: The floor: the same attainments, hand-written for these columns, in one pass.
FLOOR = """
import duckdb, json, sys
promises, names, segments, path = json.load(open(sys.argv[1]))
db = duckdb.connect()
db.execute("SET memory_limit = ?", [sys.argv[2]])
db.execute("CREATE TABLE promises (touchpoint VARCHAR, segment VARCHAR, metric VARCHAR, standard VARCHAR, bound VARCHAR, threshold DOUBLE, per_interaction BOOLEAN, duration BOOLEAN)")
db.executemany("INSERT INTO promises VALUES (?, ?, ?, ?, ?, ?, ?, ?)", promises)
db.execute("CREATE TABLE names (source VARCHAR, id VARCHAR)"); db.executemany("INSERT INTO names VALUES (?, ?)", names)
db.execute("CREATE TABLE segs (source VARCHAR, id VARCHAR)"); db.executemany("INSERT INTO segs VALUES (?, ?)", segments)
rows = db.execute(f'''
  SELECT p.standard, s.id, date_trunc('month', i.started_at), count(*),
         sum(CASE WHEN NOT p.per_interaction THEN CAST(v.value >= 0.5 AS INTEGER)
                  WHEN p.bound = 'max' THEN CAST(v.value <= p.threshold AS INTEGER)
                  ELSE CAST(v.value >= p.threshold AS INTEGER) END)
  FROM read_parquet('{path}') AS i
  JOIN names AS t ON t.source = i.queue
  JOIN segs AS s ON s.source = i.tier
  CROSS JOIN LATERAL (VALUES ('time-to-answer', CAST(i.wait_seconds AS DOUBLE)),
                             ('time-to-first-response', CAST(i.wait_seconds AS DOUBLE)),
                             ('first-contact-resolution', CAST(i.resolved AS DOUBLE)),
                             ('csat', CAST(i.satisfied AS DOUBLE))) AS v(metric, value)
  JOIN promises AS p ON p.touchpoint = t.id AND p.segment = s.id AND p.metric = v.metric
  WHERE v.value IS NOT NULL
  GROUP BY ALL''').fetchall()
print(len(rows))
"""


def _timed(command: list[str]) -> tuple[float, float]:
    """Seconds and peak resident memory (MB) of one whole process (its own rusage, from wait4).

    Python may keep its compiled modules, as it does on a user's machine (an environment that sets
    PYTHONDONTWRITEBYTECODE would otherwise make every run compile cxpolicy from source again)."""
    import os

    environment = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment)
    _, _, usage = os.wait4(process.pid, 0)
    process.returncode = 0
    return time.perf_counter() - started, usage.ru_maxrss / 1024


def _prepare(work: Path, rows: int) -> tuple[Path, Path]:
    import json

    import duckdb

    root = work / f"policies-{rows}"
    shutil.copytree(ROOT / "policies", root, ignore=shutil.ignore_patterns("data", "__pycache__", "__init__.py"))
    data = work / f"interactions-{rows}.parquet"
    duckdb.connect().execute(GENERATE.format(rows=rows, path=str(data)))
    dataset = root / "datasets" / "contact-centre.yaml"
    interactions = dataset.read_text(encoding="utf-8").split("\n---\n")[0]  # the interactions, not the KPI actuals
    dataset.write_text(interactions.replace("path: data/contact-centre.parquet", f"path: {data}") + "\n",
                       encoding="utf-8")
    sys.path.insert(0, str(ROOT))
    from cxpolicy import engine, measure

    run = engine.run(str(root), engine.Options())
    spec = run.policy.get("dataset:contact-centre-interactions").spec
    promises = [row[1:] for row in measure._promises(run.policy, run.graph, set(spec.columns.metrics))]
    names = sorted(({tp.id: tp.id for tp in run.policy.of("touchpoint")} | dict(spec.values.touchpoint)).items())
    segments = sorted(({s.id: s.id for s in run.policy.of("segment")} | dict(spec.values.segment)).items())
    floor_input = work / f"floor-{rows}.json"
    floor_input.write_text(json.dumps([promises, names, segments, str(data)]), encoding="utf-8")
    return root, floor_input


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000_000, 100_000_000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--memory-limit", default="2GB", help="DuckDB's limit, for the floor and for measure")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cxpolicy-measure-"))
    floor_script = work / "floor.py"
    floor_script.write_text(FLOOR, encoding="utf-8")
    results = {}
    try:
        for rows in args.rows:
            root, floor_input = _prepare(work, rows)
            floors, measures, peaks, floor_peaks = [], [], [], []
            floor_command = [sys.executable, str(floor_script), str(floor_input), args.memory_limit]
            measure_command = [sys.executable, "-m", "cxpolicy", "measure", str(root), "--as-of", "2026-12-02",
                               "--format", "csv", "--exit-zero", "--memory-limit", args.memory_limit]
            _timed(floor_command)  # one untimed run of each: the data in the page cache, the modules compiled
            _timed(measure_command)
            for _ in range(args.rounds):
                floor_seconds, floor_peak = _timed(floor_command)
                floors.append(floor_seconds)
                floor_peaks.append(floor_peak)
                seconds, peak = _timed(measure_command)
                measures.append(seconds)
                peaks.append(peak)
            results[rows] = (statistics.median(floors), statistics.median(measures), max(peaks))
            floor, measured, peak = results[rows]
            print(f"{rows:>12,} rows: floor {floor:6.2f} s, measure {measured:6.2f} s, ratio {measured / floor:4.2f} "
                  f"(target <= 1.3); peak RSS measure {peak:,.0f} MB, floor {max(floor_peaks):,.0f} MB "
                  f"(DuckDB limit {args.memory_limit})", flush=True)
            for path in work.glob(f"interactions-{rows}.parquet"):
                path.unlink()
        sizes = sorted(results)
        if len(sizes) > 1:
            small, large = sizes[0], sizes[-1]
            growth = results[large][1] / results[small][1]
            print(f"{large // small}x the rows: {growth:.2f}x the time (target <= {1.1 * large / small:.0f}x)")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
