"""Where one `cxpolicy check` spends its time and memory, phase by phase.

    python benchmarks/phases.py [POLICY_FOLDER]     (default: the L repository of `make bench`)

Runs the pipeline's steps in this process, as the engine does, and prints for
each the seconds it took and the resident memory after it. `make bench` says
whether the targets are met; this says where to look when they are not.
"""

from __future__ import annotations

import datetime as dt
import gc
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def resident_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main() -> int:
    root = sys.argv[1] if len(sys.argv) > 1 else str(REPO / "build" / "bench" / "repo-100000")
    gc.disable()  # as the engine does for a run
    clock = time.perf_counter()

    def phase(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        print(f"{name:<28} {now - clock:6.2f} s {resident_mb():8.0f} MB")
        clock = now

    from cxpolicy import discover, reading

    started = reading.start(discover.folder(root))
    phase("find files, start reading")
    from cxpolicy import metrics, policyset
    from cxpolicy.graph import PolicyGraph
    from cxpolicy.rules import registry

    phase("import models and graph")
    loaded = policyset.load(started)
    phase("read, type, resolve")
    graph = PolicyGraph(loaded.policy)
    phase("graph")
    context = registry.Context(loaded.policy, graph, dt.date.today(), metrics.catalogue(loaded.policy.project.metrics))
    findings = registry.run(context)
    phase("built-in rules")
    print(f"{len(loaded.policy):,} entities, {graph.graph.number_of_nodes():,} nodes, "
          f"{graph.graph.number_of_edges():,} edges, {len(loaded.findings) + len(findings):,} findings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
