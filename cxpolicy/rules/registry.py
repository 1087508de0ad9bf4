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

RuleFunction = Callable[..., Iterable[Any]]


@dataclass(frozen=True)
class Registered:
    """A rule function and the check it implements."""

    check: Check
    function: RuleFunction
    each: str | None = None  # the kind it judges one entity at a time, called (context, entity); None: (context)
    once: bool = False  # it yields (key, finding), and of the findings with one key the first subject's is kept

    @property
    def key(self) -> str:
        """Which registration this is: a check may be implemented by one function per kind it judges."""
        return f"{self.check.code} {self.function.__name__} {self.each or ''}"

    def findings(self, context: "Context") -> list[Finding]:
        """Its findings on the whole policy set."""
        if self.each is None:
            return list(self.function(context))
        found = [item for subject in context.policy.of(self.each) for item in self.function(context, subject)]
        return self.merged(found)

    def merged(self, found: Iterable[Any]) -> list[Finding]:
        """The findings its subjects yielded, in subject order: for a rule that reports each key once,
        the first subject's finding of each key."""
        if not self.once:
            return list(found)
        first: dict[Any, Finding] = {}
        for key, finding in found:
            first.setdefault(key, finding)
        return list(first.values())


RULES: list[Registered] = []


def rule(check: Check, *, each: str | None = None, once: bool = False) -> Callable[[RuleFunction], RuleFunction]:
    """Register a rule function as the implementation of `check`. A rule that judges each entity of
    one kind on its own takes `each=` that kind (and the entity as its second argument): a check after
    an edit re-runs it only for the entities the edit can reach (incremental.py)."""

    def register(function: RuleFunction) -> RuleFunction:
        RULES.append(Registered(check, function, each, once))
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

    def past(self, day: dt.date) -> bool:
        """Whether a day is before today. A rule that only compares dates with today asks this (or
        `future`) rather than reading `today`: after the date moves, it runs again only if the answer
        changed (incremental.py)."""
        return day < self.today

    def future(self, day: dt.date) -> bool:
        """Whether a day is after today."""
        return day > self.today


def built_in_rules() -> list[Registered]:
    from cxpolicy import rules

    for module in rules.MODULES:
        importlib.import_module(module)
    return sorted(RULES, key=lambda item: item.check.code)


#: From this many entities up, the conflict checks (CX3xx) run in a forked second process while this
#: one runs the others: both read the one graph built before the fork. About a third of the rule time
#: is saved on two cores; below this size the fork costs more than it saves.
PARALLEL_FROM = 5_000


def run(context: Context, progress: Any = None, memo: Any = None) -> list[Finding]:
    """The findings of every built-in rule. With an incremental.Memo of an earlier check, only the
    parts of the rules that the changes since can reach are run again."""
    rules = built_in_rules()
    if memo is not None:
        return memo.run(rules, context)
    if len(context.policy) < PARALLEL_FROM:
        return _run(rules, context, progress)
    from cxpolicy import fork

    mine, conflicts = fork.alongside(
        lambda: _run([r for r in rules if not r.check.code.startswith("CX3")], context, progress),
        lambda: _run([r for r in rules if r.check.code.startswith("CX3")], context))
    return mine + conflicts


def _run(rules: list[Registered], context: Context, progress: Any = None) -> list[Finding]:
    findings: list[Finding] = []
    for done, registered in enumerate(rules, start=1):
        findings.extend(registered.findings(context))
        if progress is not None:
            progress.update("checking rules", done, len(rules))
    return findings
