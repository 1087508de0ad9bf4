"""Benchmark `cxpolicy check` against the parsing floor and two peers, and write docs/performance.md.

    python benchmarks/run.py [--sizes S,M,L] [--repeat 3] [--output docs/performance.md]

For each size (S = 1,000, M = 10,000, L = 100,000 touchpoints) it generates a
policy repository (benchmarks/generate.py, seed 1) and times whole processes,
in one run and alternating, taking the median of --repeat rounds:

  floor             a Python process that only loads every file with yaml.load(CSafeLoader)
  cxpolicy          `cxpolicy check`, the real thing
  cxpolicy (warm)   `cxpolicy check --cache` with the cache filled by a first run
  check-jsonschema  the peer, on the same documents with our generated schemas
  yamllint          the peer, `yamllint -d relaxed` on the same files

check-jsonschema reads one document per file, so it is given each file as a
YAML list of its documents, validated against a schema that dispatches each
item on its `kind` to our schemas: the same files and the same content.
Peak memory is each process's maximum resident set size (os.wait4).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

SIZES = {"S": 1_000, "M": 10_000, "L": 100_000}
FLOOR = """
import os, sys, yaml
documents = []
for folder, _, names in os.walk(sys.argv[1]):
    for name in sorted(names):
        if name.endswith((".yaml", ".yml")):
            with open(os.path.join(folder, name), "rb") as handle:
                documents.extend(yaml.load_all(handle, Loader=yaml.CSafeLoader))
print(len(documents))
"""
TARGETS = {
    "cxpolicy / floor (M, L)": "<= 1.3",
    "cxpolicy / check-jsonschema": "<= 0.5",
    "cxpolicy L / M": "<= 11",
    "cxpolicy RSS / floor RSS (L)": "<= 2",
    "warm / cold": "<= 0.3",
}


def tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        sys.exit(f"benchmark: {name} is not installed (make bench installs it)")
    return found


def measure(command: list[str], cwd: Path | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS in MB of one whole process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        sys.exit(f"benchmark: {' '.join(command[:3])}... failed")
    return elapsed, usage.ru_maxrss / 1024


def prepare(size: int, work: Path) -> Path:
    """The generated repository, its peer mirror and the dispatching schema, made once per size."""
    root = work / f"repo-{size}"
    if not (root / "cxpolicy.yaml").exists():
        shutil.rmtree(root, ignore_errors=True)
        generate.generate(size, 1, root)
    mirror = work / f"peer-{size}"
    if not mirror.exists():
        for path in sorted(root.rglob("*.yaml")):
            target = mirror / path.relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            documents = path.read_text().split("---\n")
            items = ["- " + doc.rstrip("\n").replace("\n", "\n  ") + "\n" for doc in documents if doc.strip()]
            target.write_text("".join(items))
        kinds = ["Team", "Segment", "Channel", "Touchpoint", "Journey", "ServiceStandard", "KPI", "ListeningPost",
                 "Project"]
        dispatch = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "array",
            "items": {"allOf": [
                {"if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
                 "then": {"$ref": (REPO / "schemas" / f"{kind.lower()}.schema.json").as_uri()}}
                for kind in kinds]},
        }
        (work / f"dispatch-{size}.json").write_text(json.dumps(dispatch))
    return root


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="S,M,L", help="comma-separated: S, M, L")
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the median is reported (at least 3)")
    parser.add_argument("--work", type=Path, default=REPO / "build" / "bench", help="where repositories are generated")
    parser.add_argument("--output", type=Path, default=REPO / "docs" / "performance.md")
    args = parser.parse_args()
    sizes = [name.strip() for name in args.sizes.split(",")]
    args.work.mkdir(parents=True, exist_ok=True)
    cxpolicy, peer, yamllint = tool("cxpolicy"), tool("check-jsonschema"), tool("yamllint")
    roots = {name: prepare(SIZES[name], args.work) for name in sizes}
    written = str(args.work / "report.json")  # --output refuses a device such as /dev/null: a file it is
    tools = {
        "floor": lambda n: [sys.executable, "-c", FLOOR, str(roots[n])],
        "cxpolicy": lambda n: [cxpolicy, "check", str(roots[n]), "--format", "json", "--output", written],
        "cxpolicy (warm)": lambda n: [cxpolicy, "check", str(roots[n]), "--cache", "--format", "json",
                                      "--output", written],
        "check-jsonschema": lambda n: [peer, "--schemafile", str(args.work / f"dispatch-{SIZES[n]}.json"),
                                       *map(str, sorted((args.work / f"peer-{SIZES[n]}").rglob("*.yaml")))],
        "yamllint": lambda n: [yamllint, "-d", "relaxed", str(roots[n])],
    }
    results: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for round_number in range(max(3, args.repeat)):
        for name in sizes:
            shutil.rmtree(roots[name] / ".cxpolicy_cache", ignore_errors=True)
            order = list(tools) if round_number % 2 == 0 else list(reversed(tools))
            if "cxpolicy (warm)" in order:  # the warm run needs a filled cache: fill it first
                measure(tools["cxpolicy (warm)"](name))
            for label in order:
                results.setdefault((name, label), []).append(measure(tools[label](name)))
            print(f"round {round_number + 1}: {name} done", file=sys.stderr)
    median = {key: (statistics.median(t for t, _ in runs), statistics.median(m for _, m in runs))
              for key, runs in results.items()}
    small = [measure([cxpolicy, "check", str(REPO / "policies")])[0] for _ in range(5)]
    helps = [measure([cxpolicy, "--help"])[0] for _ in range(5)]
    text = report(sizes, median, statistics.median(small), statistics.median(helps), max(3, args.repeat))
    print(text)
    args.output.write_text(text + kept_notes(args.output))
    return 0


#: What follows this line in docs/performance.md is written by hand and kept when the tables are measured again.
NOTES_MARKER = "<!-- Written by hand from here on; benchmarks/run.py keeps it. -->"


def kept_notes(page: Path) -> str:
    try:
        text = page.read_text()
    except OSError:
        return ""
    return "\n" + text[text.index(NOTES_MARKER):] if NOTES_MARKER in text else ""


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def report(sizes: list[str], median: dict, small: float, help_time: float, rounds: int) -> str:
    lines = [
        "# Performance",
        "",
        "Measured by `make bench` (`python benchmarks/run.py`), which generates the repositories",
        "(`benchmarks/generate.py`, seed 1), times whole processes alternating between tools, and",
        f"reports the median of {rounds} rounds. Regenerate this page by running it again.",
        "",
        f"Machine: {os.cpu_count()} cores ({_cpu()}), Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}; {dt.date.today().isoformat()}.",
        "",
        "| size | touchpoints | tool | seconds | peak RSS (MB) |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name in sizes:
        for label in ("floor", "cxpolicy", "cxpolicy (warm)", "check-jsonschema", "yamllint"):
            seconds, rss = median[(name, label)]
            lines.append(f"| {name} | {SIZES[name]:,} | {label} | {seconds:.2f} | {rss:.0f} |")
    lines += ["", "| ratio | size | value | target | met |", "| --- | --- | --- | --- | --- |"]

    def row(label: str, size: str, value: float, target: str) -> None:
        bound = float(target.split()[-1])
        lines.append(f"| {label} | {size} | {value:.2f} | {target} | {'yes' if value <= bound else 'NO'} |")

    for name in sizes:
        row("cxpolicy / floor", name, median[(name, "cxpolicy")][0] / median[(name, "floor")][0],
            TARGETS["cxpolicy / floor (M, L)"] if name in ("M", "L") else "<= 99")
        row("cxpolicy / check-jsonschema", name,
            median[(name, "cxpolicy")][0] / median[(name, "check-jsonschema")][0], TARGETS["cxpolicy / check-jsonschema"])
        row("warm / cold", name, median[(name, "cxpolicy (warm)")][0] / median[(name, "cxpolicy")][0],
            TARGETS["warm / cold"])
    if "M" in sizes and "S" in sizes:
        row("cxpolicy M / S", "", median[("M", "cxpolicy")][0] / median[("S", "cxpolicy")][0], "<= 11")
    if "L" in sizes and "M" in sizes:
        row("cxpolicy L / M", "", median[("L", "cxpolicy")][0] / median[("M", "cxpolicy")][0], TARGETS["cxpolicy L / M"])
    if "L" in sizes:
        row("cxpolicy RSS / floor RSS", "L", median[("L", "cxpolicy")][1] / median[("L", "floor")][1],
            TARGETS["cxpolicy RSS / floor RSS (L)"])
    row("`cxpolicy check policies` (s)", "", small, "<= 1.0")
    row("`cxpolicy --help` (s)", "", help_time, "<= 0.3")
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
