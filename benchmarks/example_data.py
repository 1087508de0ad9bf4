"""The example's data: a year of Northwind's contact-centre interactions and monthly KPI actuals.

    python benchmarks/example_data.py [OUT]      (default: policies/data)

Seeded, so the same files every time. Twelve months (December 2025 to November 2026) of calls and
chats at five queues, named as the contact-centre platform names them ("Plus line"), each with the
customer's tier, the seconds waited, whether the contact was resolved first time and, for about a
third, whether the customer was satisfied. The story in it: Plus members, promised nine in ten calls
answered within 20 seconds, get it until the autumn, when the Plus line's waits grow and the promise
slips below nine in ten in October and November; the phone KPI drifts off its trajectory with it. A few rows are as real
exports have them: a queue renamed for a week ("Plus Line"), a time the export could not write.

policies/datasets/contact-centre.yaml declares these files; `make demo` measures them.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MONTHS = [dt.date(2025, 12, 1)] + [dt.date(2026, month, 1) for month in range(1, 12)]
#: queue -> (calls a month, tiers with their shares, typical wait in seconds, chat?)
QUEUES = {
    "Care line": (1500, {"standard": 0.7, "new": 0.2, "plus": 0.05, "trade": 0.05}, 24, False),
    "Plus line": (900, {"plus": 1.0}, 7, False),
    "Returns line": (700, {"standard": 0.75, "new": 0.15, "plus": 0.1}, 22, False),
    "Billing line": (400, {"standard": 0.8, "plus": 0.2}, 20, False),
    "Live chat": (1100, {"standard": 0.65, "new": 0.25, "plus": 0.1}, 9, True),
}
#: How much longer the Plus line's waits grow each autumn month (the story).
PLUS_SLIP = {9: 1.3, 10: 1.5, 11: 1.7}


def interactions(seed: int = 7) -> list[tuple]:
    rng = random.Random(seed)
    rows = []
    for month in MONTHS:
        days = ((month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - month).days
        for queue, (volume, tiers, wait, chat) in QUEUES.items():
            slip = PLUS_SLIP.get(month.month, 1.0) if queue == "Plus line" and month.year == 2026 else 1.0
            for _ in range(int(volume * rng.uniform(0.92, 1.08))):
                tier = rng.choices(list(tiers), weights=list(tiers.values()))[0]
                started = dt.datetime.combine(month, dt.time(8)) + dt.timedelta(
                    days=rng.randrange(days), seconds=rng.randrange(12 * 3600))
                priority = 0.3 if tier == "plus" and queue != "Plus line" else 1.0  # Plus calls jump the queue
                seconds = max(1, round(rng.expovariate(1 / (wait * slip * priority))))
                resolved = rng.random() < 0.8
                satisfied = (rng.random() < (0.95 - 0.002 * seconds)) if rng.random() < 0.33 else None
                name = "Plus Line" if queue == "Plus line" and month == dt.date(2026, 3, 1) and rng.random() < 0.05 else queue
                at = started.isoformat(sep=" ")
                if rng.random() < 0.0005:
                    at = "#VALUE!"
                rows.append((name, tier, at, seconds, resolved, satisfied))
    rows.sort(key=lambda row: (row[2], row[0]))
    return rows


#: kpi -> the value in each month, December 2025 first (a story consistent with the interactions).
KPI_ACTUALS = {
    "care-answer-time": [80, 79, 78, 77, 77, 76, 75, 75, 74, 76, 79, 83],
    "first-contact-resolution": [69, 69, 70, 70, 71, 71, 71, 72, 72, 73, 73, 74],
    "care-csat": [80, 80, 81, 81, 81, 82, 82, 82, 82, 83, 83, 84],
    "nps-relationship": [29, 29, 30, 30, 30, 31, 31, 31, 31, 32, 32, 33],
    "plus-retention": [77, 77, 77, 78, 78, 78, 78, 78, 78, 79, 79, 79],
}


def write(out: Path) -> None:
    import duckdb

    out.mkdir(parents=True, exist_ok=True)
    connection = duckdb.connect()
    connection.execute("CREATE TABLE calls (queue VARCHAR, tier VARCHAR, started_at VARCHAR, wait_seconds INTEGER, "
                       "resolved BOOLEAN, satisfied BOOLEAN)")
    connection.executemany("INSERT INTO calls VALUES (?, ?, ?, ?, ?, ?)", interactions())
    target = str(out / "contact-centre.parquet").replace("'", "''")
    connection.execute(f"COPY calls TO '{target}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 100000)")
    lines = ["kpi,month,value"]
    for kpi, values in KPI_ACTUALS.items():
        lines += [f"{kpi},{month.isoformat()},{value}" for month, value in zip(MONTHS, values)]
    (out / "kpi-actuals.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "policies" / "data")
