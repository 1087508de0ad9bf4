"""How the policy changed over time: the coverage measures, findings, unowned items, waivers in force
and standards loosened at each past revision of the policy folder, read from git's objects.

Each revision is checked as of its own commit date (a review that was not yet due then is not
overdue in the history). Revisions share their readings by blob: a file unchanged since an earlier
revision is neither fetched from git nor parsed or typed again, so reading a revision costs what
changed in it; and the rules re-run only the parts that what changed can reach (incremental.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cxpolicy.reports.coverage import MEASURES


@dataclass(frozen=True)
class Point:
    """The policy as committed at one revision."""

    commit: str
    date: dt.date
    author: str
    measures: dict[str, str]  # measure -> "met/total (share)"
    shares: dict[str, float | None]  # measure -> percent
    errors: int
    warnings: int
    unowned: int
    waivers: int  # waivers in force on that day
    loosened: int  # standards loosened and targets lowered by this revision, against the one before
    touchpoints: int
    journeys: int

    def row(self) -> dict[str, Any]:
        return {"date": self.date.isoformat(), "commit": self.commit, "author": self.author,
                **{name: self.measures[name] for name, _ in MEASURES},
                **{f"{name}_percent": self.shares[name] for name, _ in MEASURES},
                "errors": self.errors, "warnings": self.warnings, "unowned": self.unowned, "waivers": self.waivers,
                "loosened": self.loosened, "touchpoints": self.touchpoints, "journeys": self.journeys}


@dataclass
class History:
    root: str
    revisions: list[Point]  # oldest first


def build(root: str, *, since: str | None = None, every: int = 1, last: int | None = None) -> History:
    """The history of the policy folder `root` (inside a git repository): every `every`-th revision that
    changed it (the latest always included), from `since` (a revision or a date), at most the `last` ones."""
    from cxpolicy import gitsource

    commits = gitsource.log(root, since)
    chosen = commits[::-1][::max(every, 1)][::-1] if commits else []
    if last is not None:
        chosen = chosen[-last:]
    return History(root, list(points(root, chosen)))


def points(root: str, commits: list[tuple[str, str, str]]) -> Iterator[Point]:
    """Each revision's point, oldest first, from (commit, ISO date, author) as gitsource.log gives them."""
    from cxpolicy import engine, gitsource, incremental
    from cxpolicy.reports import coverage

    readings: dict[Any, Any] = {}
    memo = incremental.Memo(coverage.TALLIES)
    previous = None
    for commit, stamp, author in commits:
        day = dt.datetime.fromisoformat(stamp).date()
        run = engine.run(gitsource.folder_at(root, commit, readings), engine.Options(today=day), memo=memo)
        yield point(run, previous, commit, author, coverage.tallied(run.policy, memo.counts))
        previous = run


def point(run: Any, previous: Any, commit: str, author: str, total: Any) -> Point:
    """One revision's point, from its run (checked as of its own date), the run of the revision before,
    and its coverage total row."""
    from cxpolicy.reports import coverage, diff

    day = run.today
    scores = total.measures
    counts = run.outcome.counts
    loosened = 0
    if previous is not None:
        loosened = sum(1 for change in diff.changes_between(previous, run) if change.category in ("loosened", "lowered"))
    return Point(
        commit, day, author, {name: str(scores[name]) for name, _ in MEASURES},
        {name: (round(scores[name].share * 100, 1) if scores[name].share is not None else None)
         for name, _ in MEASURES},
        counts.get("error", 0), counts.get("warning", 0),
        sum(1 for f in run.outcome.findings if f.code in ("CX401", "CX402")),
        sum(1 for waiver in run.policy.of("waiver") if waiver.spec.expires >= day),
        loosened, scores["owned"].total, len(run.policy.of("journey")))
