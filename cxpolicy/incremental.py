"""Checking a policy set again after a change, re-running only the rule work the change can reach.

A rule is run in parts: one per subject for a rule that judges the entities of one kind one at a
time (`@rule(..., each="touchpoint")`), else one part for the whole set. While a part runs, every
answer it is given is noted: each entity it looks up, each kind it lists, today's date, each metric,
and what each graph verb's answer is made of (an index entry, or the verb's whole answer; graph.py).
The next check runs again only the parts that were given an answer that changed; the others'
findings are kept as they were. Which answers to look at again comes from the graph, derived from
the last check's (graph.py): the entities that changed, and the index entries and links that what
they contributed changed. Only those answers (and today's date and the metrics, a handful) are asked
again, so a check after a small edit costs what the edit reaches, not what the set holds. A graph
built from nothing says nothing of what changed: then every noted answer is asked again.

Nothing else reaches a rule: it sees the policy set and the graph through views that offer only
these lookups (any other attribute is an AttributeError, never an answer that goes unnoted), and
an entity is unchanged only while it is the same object, which it stays while its file's text does
(policyset types each document once). So a kept finding is the finding a full check would make,
at the same line; tests/test_incremental.py checks that against full checks after random edits.
"""

from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass
from itertools import chain
from typing import Any

from cxpolicy.findings import Finding

Read = tuple  # ("entity", name), ("kind", kind), ("today",), ("past", day), ("future", day), ("catalogue",),
#                ("metric", slug), or a graph read

#: What a rule may ask of the graph. Each verb notes what its answer is made of; `named_owner` and
#: `raci` answer from the entity they are given, which the rule got through a noted lookup.
GRAPH_VERBS = frozenset({
    "related", "has_related", "owned_by", "raci", "accountable_team", "named_owner", "reporting_line",
    "executive_of", "line_end", "stages_of", "journeys_of", "touchpoints_of_journey",
    "touchpoints_of_channel", "segments_served", "listening_posts_of", "touchpoints_of_standard",
    "standards_for", "promises", "segments_without_standard", "metrics_at", "segments_named_at", "cycles",
    "kpis_measuring", "held_to", "journeys_serving", "moments_of_truth", "moments_held_by",
})


class _Tracker:
    """Where the part running now notes what it reads."""

    __slots__ = ("reads",)

    def __init__(self) -> None:
        self.reads: set[Read] = set()


class _Policy:
    """The policy set as a rule sees it while its reads are noted."""

    __slots__ = ("_policy", "_tracker")

    def __init__(self, policy: Any, tracker: _Tracker) -> None:
        self._policy = policy
        self._tracker = tracker

    def get(self, name: str) -> Any:
        self._tracker.reads.add(("entity", name))
        return self._policy.get(name)

    def of(self, kind: str) -> list[Any]:
        self._tracker.reads.add(("kind", kind))
        return self._policy.of(kind)


class _Stages:
    """`graph.stages[journey]`: a journey's stages, made from the journey alone."""

    __slots__ = ("_stages", "_tracker")

    def __init__(self, stages: dict[str, list[Any]], tracker: _Tracker) -> None:
        self._stages = stages
        self._tracker = tracker

    def __getitem__(self, journey: str) -> list[Any]:
        self._tracker.reads.add(("stages", journey))
        return self._stages[journey]


class _Graph:
    """The graph as a rule sees it while its reads are noted."""

    __slots__ = ("_graph", "policy", "stages")

    def __init__(self, graph: Any, policy: _Policy, tracker: _Tracker) -> None:
        self._graph = graph
        self.policy = policy
        self.stages = _Stages(graph.stages, tracker)

    def __getattr__(self, name: str) -> Any:
        if name not in GRAPH_VERBS:
            raise AttributeError(f"a rule checked part by part cannot use graph.{name}: add it to GRAPH_VERBS, "
                                 "with what its answer is made of noted in graph.py")
        return getattr(self._graph, name)


class _Context:
    """registry.Context as a rule sees it while its reads are noted."""

    __slots__ = ("_context", "_tracker", "policy", "graph")

    def __init__(self, context: Any, tracker: _Tracker) -> None:
        self._context = context
        self._tracker = tracker
        self.policy = _Policy(context.policy, tracker)
        self.graph = _Graph(context.graph, self.policy, tracker)

    @property
    def today(self) -> Any:
        self._tracker.reads.add(("today",))
        return self._context.today

    @property
    def catalogue(self) -> Any:
        self._tracker.reads.add(("catalogue",))
        return self._context.catalogue

    def metric(self, slug: str) -> Any:
        self._tracker.reads.add(("metric", slug))
        return self._context.metric(slug)

    def past(self, day: Any) -> bool:
        self._tracker.reads.add(("past", day))
        return self._context.past(day)

    def future(self, day: Any) -> bool:
        self._tracker.reads.add(("future", day))
        return self._context.future(day)


def _answer(read: Read, context: Any) -> Any:
    """The present answer to a noted read (the graph's tracker is off while this runs)."""
    name = read[0]
    if name == "entity":
        return context.policy.get(read[1])
    if name == "kind":
        return context.policy.of(read[1])
    if name == "today":
        return context.today
    if name == "catalogue":
        return context.catalogue
    if name in ("metric", "past", "future"):
        return getattr(context, name)(read[1])
    return context.graph.fact(read)


@dataclass
class _Part:
    found: list[Any]  # findings, or (key, finding) for a rule that reports each key once
    reads: frozenset[Read]


class Memo:
    """What the last check's rules found, part by part, and what each part was given."""

    def __init__(self, tallies: Any = ()) -> None:
        # Run beside the rules at each check: each yields words for each subject, which are counted
        # in `counts` (reports/coverage.py's TALLIES) rather than merged into findings.
        self.tallies = list(tallies)
        self._forget_everything()

    def _forget_everything(self) -> None:
        self.counts: dict[str, Counter] = {tally.key: Counter() for tally in self.tallies}  # tally's key -> words
        self.parts: dict[str, dict[str, _Part]] = {}  # rule's key -> subject's name ("" for the whole set) -> part
        self.answers: dict[str, dict[Read, Any]] = {}  # read's first word -> every such read a kept part made -> its answer
        self.readers: dict[Read, set[tuple[str, str]]] = {}  # read -> the parts (rule's key, subject) that made it
        self.runs = 0  # parts run by the last check (the rest were kept)
        self.asked = 0  # noted answers the last check asked again
        self.graph: Any = None  # the last check's graph, for the next check's to be derived from
        self.found: dict[str, list[Finding]] = {}  # rule's key -> its findings at the last check
        self.yielded: dict[str, dict[str, list[Any]]] = {}  # rule's key -> subject -> its part's findings, if any
        self.order: dict[str, list[str]] = {}  # rule's key -> the subjects in `yielded`, sorted
        self.today: Any = None  # the last check's date

    def run(self, rules: list[Any], context: Any) -> list[Finding]:
        """The findings of every rule (registry.Registered) on `context`, re-running only the parts
        whose answers changed. When the graph was derived from the last check's, only those parts
        and the subjects that came or went are visited; otherwise every subject is.

        A check that does not finish (a rule fails, Ctrl-C) leaves answers noted for a set whose
        parts did not all run again: the memo then forgets everything, and the next check is whole."""
        try:
            return self._checked(rules, context)
        except BaseException:
            self._forget_everything()
            raise

    def _checked(self, rules: list[Any], context: Any) -> list[Finding]:
        changes = context.graph.changes
        derived = changes is not None and self.graph is not None and changes.since == self.graph.serial
        stale = self._changed(context, changes if derived else None)
        touched: dict[str, set[str]] = {}  # rule's key -> the subjects to look at again
        for key, name in stale:
            touched.setdefault(key, set()).add(name)
        tracker = _Tracker()
        tracked = _Context(context, tracker)
        self.runs = 0
        findings: list[Finding] = []
        for rule in [*rules, *self.tallies]:
            key = rule.key
            parts = self.parts.setdefault(key, {})
            if derived and key in self.found:  # the stale parts, and the subjects that came, went or changed
                names = set(touched.get(key, ()))
                if rule.each:
                    names |= {f"{rule.each}:{ident}" for ident in changes.entities.get(rule.each, ())}
            else:  # every subject; those that are gone are forgotten
                names = {subject.name for subject in context.policy.of(rule.each)} if rule.each else {""}
                for name in set(parts) - names:
                    self._forget(key, name)
            for name in names:
                subject = context.policy.get(name) if rule.each else None
                if rule.each and subject is None:
                    self._forget(key, name)  # a subject that is gone
                elif name not in parts or (key, name) in stale:
                    self._run(key, name, rule, subject, tracked, tracker, context)
            if names or key not in self.found:  # in subject order, which decides who reports a shared key
                yielded = self.yielded.get(key, {})
                self.found[key] = rule.merged(chain.from_iterable(map(yielded.__getitem__, self.order.get(key, ()))))
            findings.extend(self.found[key])
        self.graph = context.graph
        return findings

    def _changed(self, context: Any, changes: Any) -> set[tuple[str, str]]:
        """The parts given an answer that is no longer the answer: of those the graph's `changes`
        list, or of every noted answer when there are none to go by."""
        if changes is None:
            suspects: Any = [read for noted in self.answers.values() for read in noted]
        else:
            suspects = {*changes.reads, ("today",), ("catalogue",), *self.answers.get("metric", ())}
            if context.today != self.today:  # a comparison with today may come out the other way
                suspects.update(self.answers.get("past", ()), self.answers.get("future", ()))
        self.today = context.today
        stale: set[tuple[str, str]] = set()
        self.asked = 0
        for read in suspects:
            noted = self.answers.get(read[0])
            if noted is None or read not in noted:
                continue  # no kept part was given it
            self.asked += 1
            old, new = noted[read], _answer(read, context)
            if old is not new and old != new:  # an entity equals only itself: a changed one is another object
                noted[read] = new
                stale.update(self.readers.get(read, ()))
        return stale

    def _run(self, key: str, name: str, rule: Any, subject: Any, tracked: _Context, tracker: _Tracker,
             context: Any) -> None:
        self.runs += 1
        tracker.reads = {("entity", name)} if subject is not None else set()
        context.graph.tracker = tracker
        try:
            found = list(rule.function(tracked) if subject is None else rule.function(tracked, subject))
        finally:
            context.graph.tracker = None
        self._forget(key, name)
        part = self.parts[key][name] = _Part(found, frozenset(tracker.reads))
        if key in self.counts:  # a tally's words are counted, not merged
            self.counts[key].update(found)
        elif found:
            self.yielded.setdefault(key, {})[name] = found
            bisect.insort(self.order.setdefault(key, []), name)
        for read in part.reads:
            self.readers.setdefault(read, set()).add((key, name))
            noted = self.answers.setdefault(read[0], {})
            if read not in noted:
                noted[read] = _answer(read, context)

    def _forget(self, key: str, name: str) -> None:
        part = self.parts[key].pop(name, None)
        if part is None:
            return
        if self.yielded.get(key, {}).pop(name, None) is not None:
            order = self.order[key]
            del order[bisect.bisect_left(order, name)]
        if key in self.counts:
            self.counts[key].subtract(part.found)
        for read in part.reads:
            readers = self.readers.get(read)
            if readers is not None:
                readers.discard((key, name))
                if not readers:
                    del self.readers[read]
                    self.answers[read[0]].pop(read, None)
