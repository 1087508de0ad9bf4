"""What `cxpolicy report history` costs: 100 revisions of the example, and what one revision costs as
the repository grows.

    python benchmarks/history.py

1. The example with a year of history and small edits after it, 100 commits in all
   (benchmarks/history_example.py): `cxpolicy report history` as a whole process, against the
   target of 10 s.
2. Per revision, at two sizes: a generated repository (benchmarks/generate.py, seed 1) of 1,000 and
   of 10,000 touchpoints, each with 20 commits after the first. Each commit hands one touchpoint to
   the next team (the last touchpoint of a journey file, a different file each time), and is
   dated a day after the one before. Each revision is worked out as `report history`
   does it (reports/history.points): the first reads and checks everything; each later one reads
   only the file that changed (readings are shared by blob id) and checks again only what the
   change reaches (incremental.py). Printed: the files parsed per revision, and its seconds, for
   each size, and how the later revisions' cost grows with the repository (10,000 / 1,000).
Results are recorded in docs/performance.md.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import generate  # noqa: E402
import history_example  # noqa: E402

TARGET_SECONDS = 10.0
EDITS = 20


def _git(repo: Path, *args: str, date: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.invalid",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.invalid",
           "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date, "GIT_CONFIG_GLOBAL": os.devnull}
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def _generated_history(work: Path, touchpoints: int) -> Path:
    repo = work / f"generated-{touchpoints}"
    generate.generate(touchpoints, 1, repo / "policies")
    first = dt.date.fromisoformat(generate.TODAY)  # the day the generated set is written as of
    _git(repo, "init", "-q", "-b", "main", date=f"{first}T10:00:00+00:00")
    _git(repo, "add", "-A", date=f"{first}T10:00:00+00:00")
    _git(repo, "commit", "-q", "-m", "all", date=f"{first}T10:00:00+00:00")
    journeys = sorted((repo / "policies" / "journeys").glob("*.yaml"))
    teams = sorted(_TEAM.findall("".join(p.read_text(encoding="utf-8") for p in (repo / "policies" / "teams").glob("*.yaml"))))
    for edit in range(EDITS):
        path = journeys[edit * len(journeys) // EDITS]
        text = path.read_text(encoding="utf-8")
        last = list(_HELD.finditer(text))[-1]  # the journey comes first in its file: this is a touchpoint's
        team = teams[(teams.index(last.group(2)) + 1) % len(teams)]
        path.write_text(text[:last.start(2)] + team + text[last.end(2):], encoding="utf-8")
        stamp = f"{first + dt.timedelta(days=edit + 1)}T10:00:00+00:00"
        _git(repo, "commit", "-q", "-am", f"hand a touchpoint of {path.stem} to another team", date=stamp)
    return repo / "policies"


_HELD = re.compile(r"\n(  owner|    accountable): (team-[0-9]+)\n")  # who holds a touchpoint
_TEAM = re.compile(r"\n  id: (team-[0-9]+)\n")


def _per_revision(policies: Path) -> tuple[float, float, list[int]]:
    """Seconds of the first revision, the median of the later ones, and the files parsed per revision:
    each revision's work as `report history` does it (its run, as of its date, and its point)."""
    import gc

    from cxpolicy import gitsource, source
    from cxpolicy.reports import history

    gc.disable()  # as `cxpolicy` does for its whole process (cli.main)

    parsed: list[int] = []
    real = source.read_text

    def counted(*args, **kwargs):
        parsed[-1] += 1
        return real(*args, **kwargs)

    source.read_text = counted
    seconds = []
    points = history.points(str(policies), gitsource.log(str(policies)))
    try:
        while True:
            parsed.append(0)
            started = time.perf_counter()
            if next(points, None) is None:
                parsed.pop()
                break
            seconds.append(time.perf_counter() - started)
    finally:
        source.read_text = real
    return seconds[0], statistics.median(seconds[1:]), parsed


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="cxpolicy-history-"))
    try:
        example = history_example.build(work / "example", revisions=100)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "cxpolicy", "report", "history", str(example), "--format", "csv"],
                       check=True, capture_output=True)
        whole = time.perf_counter() - started
        met = whole <= TARGET_SECONDS
        print(f"example, 100 revisions: report history {whole:.2f} s (target {TARGET_SECONDS:.0f} s) "
              f"{'met' if met else 'NOT MET'}")
        laters = []
        for touchpoints in (1_000, 10_000):
            first, later, parsed = _per_revision(_generated_history(work, touchpoints))
            laters.append(later)
            print(f"{touchpoints:>6} touchpoints: first revision {first:.2f} s ({parsed[0]} files parsed); "
                  f"each later revision {later:.3f} s (files parsed: {max(parsed[1:])} at most)")
        print(f"a later revision at 10,000 touchpoints costs {laters[1] / laters[0]:.1f} times one at 1,000")
        return 0 if met else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
