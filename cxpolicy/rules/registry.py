"""How a rule is declared and what it sees.

A rule is a generator over the `Context` (the typed policy, its graph, the
metric catalogue and today's date) that yields findings at their default
severity. It never sees severities, waivers or output formats.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from cxpolicy import metrics
from cxpolicy.catalogue import Check
from cxpolicy.findings import Finding
from cxpolicy.graph import PolicyGraph
from cxpolicy.policyset import PolicySet

RuleFunction = Callable[["Context"], Iterable[Finding]]
RULES: list[tuple[Check, RuleFunction]] = []


def rule(check: Check) -> Callable[[RuleFunction], RuleFunction]:
    """Register a rule function as the implementation of `check`."""

    def register(function: RuleFunction) -> RuleFunction:
        RULES.append((check, function))
        return function

    return register


@dataclass
class Context:
    policy: PolicySet
    graph: PolicyGraph
    today: dt.date
    catalogue: dict[str, metrics.Metric] = field(default_factory=dict)

    def metric(self, slug: str) -> metrics.Metric:
        return self.catalogue.get(slug) or metrics.unknown(slug)


def built_in_rules() -> list[tuple[Check, RuleFunction]]:
    from cxpolicy import rules

    for module in rules.MODULES:
        importlib.import_module(module)
    return sorted(RULES, key=lambda item: item[0].code)


#: From this many entities up, the conflict checks (CX3xx) run in a forked second process while this
#: one runs the others: both read the one graph built before the fork. About a third of the rule time
#: is saved on two cores; below this size the fork costs more than it saves.
PARALLEL_FROM = 5_000


def run(context: Context, progress: Any = None) -> list[Finding]:
    """The findings of every built-in rule."""
    rules = built_in_rules()
    if len(context.policy) < PARALLEL_FROM:
        return _run(rules, context, progress)
    from cxpolicy import fork

    mine, conflicts = fork.alongside(
        lambda: _run([r for r in rules if not r[0].code.startswith("CX3")], context, progress),
        lambda: _run([r for r in rules if r[0].code.startswith("CX3")], context))
    return mine + conflicts


def _run(rules: list[tuple[Check, RuleFunction]], context: Context, progress: Any = None) -> list[Finding]:
    findings: list[Finding] = []
    for done, (_, function) in enumerate(rules, start=1):
        findings.extend(function(context))
        if progress is not None:
            progress.update("checking rules", done, len(rules))
    return findings
