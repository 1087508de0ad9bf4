"""Runs the pipeline and turns raw findings into the verdict.

Rules and loaders emit findings at their default severity; this is the one
place that applies the project's `rules:` overrides and the command line's
`--select` / `--ignore`, sorts, and decides whether the run fails.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cxpolicy.findings import Finding, Severity


@dataclass(frozen=True)
class Options:
    fail_on: Severity = Severity.ERROR
    select: tuple[str, ...] = ()  # codes or prefixes (CX4 = every CX4xx); empty: all
    ignore: tuple[str, ...] = ()
    verbose: bool = False  # list info findings too
    today: dt.date | None = None  # else the project's `today`, else the real date


@dataclass
class Outcome:
    """What a run found, ready for any renderer."""

    root: str
    files: int
    entities: int
    findings: list[Finding]  # sorted; info findings only when verbose
    counts: dict[str, int] = field(default_factory=dict)  # every severity, listed or not

    def failed(self, fail_on: Severity) -> bool:
        return any(self.counts.get(severity.value, 0) for severity in Severity if severity.rank >= fail_on.rank)


def _matches(code: str, patterns: Iterable[str]) -> bool:
    return any(code == pattern or code.startswith(pattern) for pattern in patterns)


def decide(
    findings: Iterable[Finding],
    overrides: Mapping[str, str],
    options: Options,
    *,
    root: str,
    files: int,
    entities: int,
) -> Outcome:
    kept: list[Finding] = []
    for finding in findings:
        if options.select and not _matches(finding.code, options.select):
            continue
        if _matches(finding.code, options.ignore):
            continue
        setting = overrides.get(finding.code)
        if setting == "off":
            continue
        if setting is not None and setting != finding.severity.value:
            finding = dataclasses.replace(finding, severity=Severity(setting))
        kept.append(finding)
    unique = sorted(set(kept))
    counts = {severity.value: sum(1 for f in unique if f.severity is severity) for severity in Severity}
    listed = [f for f in unique if options.verbose or f.severity is not Severity.INFO]
    return Outcome(root, files, entities, listed, counts)


@dataclass
class Run:
    """One pass of the pipeline: the typed policy, its graph, and the verdict."""

    policy: Any  # policyset.PolicySet
    graph: Any  # graph.PolicyGraph, None when rules were not run
    outcome: Outcome
    today: dt.date


def run(root: str, options: Options, *, rules: bool = True) -> Run:
    """discover -> read -> validate -> model -> graph -> rules -> findings -> verdict.

    Raises policyset.PolicyPathError when `root` cannot be used at all.
    """
    # The pipeline builds millions of long-lived objects and almost no reference
    # cycles; the cyclic collector would rescan them again and again (20-75% of
    # the run, growing faster than the input), so it pauses until the run ends.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _run(root, options, rules=rules)
    finally:
        if enabled:
            gc.enable()


def _run(root: str, options: Options, *, rules: bool) -> Run:
    from cxpolicy import metrics, policyset
    from cxpolicy.graph import PolicyGraph
    from cxpolicy.rules import registry

    loaded = policyset.load(root)
    policy = loaded.policy
    today = options.today or policy.project.today or dt.date.today()
    findings = list(loaded.findings)
    graph = None
    if rules:
        graph = PolicyGraph(policy)
        context = registry.Context(policy, graph, today, metrics.catalogue(policy.project.metrics))
        findings.extend(registry.run(context))
    outcome = decide(findings, policy.project.rules, options, root=root, files=len(policy.files), entities=len(policy))
    return Run(policy, graph, outcome, today)
