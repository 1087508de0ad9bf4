"""Runs the pipeline and turns raw findings into the verdict.

Rules and loaders emit findings at their default severity; this is the one
place that applies the project's `rules:` overrides and the command line's
`--select` / `--ignore`, sorts, and decides whether the run fails.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import os
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cxpolicy.findings import Finding, Severity, stable_key


@dataclass(frozen=True)
class Options:
    fail_on: Severity = Severity.ERROR
    select: tuple[str, ...] = ()  # codes or prefixes (CX4 = every CX4xx); empty: all
    ignore: tuple[str, ...] = ()
    verbose: bool = False  # list info findings too
    today: dt.date | None = None  # else the project's `today`, else the real date
    show_waived: bool = False  # list the findings waivers hide
    cache: bool = False  # reuse the findings of an identical earlier run (cache.py)


@dataclass(frozen=True)
class Waived:
    """A finding a waiver hides, with the waiver and its reason."""

    finding: Finding
    waiver: str
    reason: str


@dataclass(frozen=True)
class OwnRule:
    """One of the CX office's own Rules, as reports describe it beside the built-in checks."""

    code: str  # the Rule's id, which is also its findings' code
    severity: Severity
    summary: str  # its title, else its message
    help: str  # its description and hint
    file: str

    def dump(self) -> dict[str, str]:
        return {"code": self.code, "severity": self.severity.value, "summary": self.summary, "help": self.help,
                "file": self.file}

    @classmethod
    def load(cls, data: dict[str, str]) -> "OwnRule":
        return cls(data["code"], Severity(data["severity"]), data["summary"], data["help"], data["file"])


@dataclass
class Outcome:
    """What a run found, ready for any renderer."""

    root: str
    files: int
    entities: int
    findings: list[Finding]  # every finding, sorted
    counts: dict[str, int] = field(default_factory=dict)  # per severity
    verbose: bool = False  # whether info findings are listed
    waived: list[Waived] = field(default_factory=list)  # sorted; hidden from the findings and the counts
    show_waived: bool = False
    known: int = 0  # findings left out because they exist at the base or in the baseline
    fixed: list[tuple[str, str, str]] = field(default_factory=list)  # baseline entries no longer found
    own_rules: list[OwnRule] = field(default_factory=list)  # the CX office's Rules, for SARIF and JUnit
    paths: tuple[str, ...] = ()  # the policy files read, relative to the root
    elsewhere: int = 0  # errors and warnings in the files `only` left out (a linter's named-files mode)

    def only(self, parts: Iterable[str]) -> "Outcome":
        """The findings in these files and folders (relative to the root) only, counted again: what a
        linter given file names reports. The whole set was read, so references resolve as always."""
        parts = tuple(parts)

        def inside(file: str) -> bool:
            return any(file == part or file.startswith(part.rstrip("/") + "/") for part in parts)

        findings = [f for f in self.findings if inside(f.file)]
        counts = {severity.value: sum(1 for f in findings if f.severity is severity) for severity in Severity}
        from cxpolicy.discover import PROJECT_FILE

        elsewhere = sum(1 for f in self.findings if not inside(f.file) and f.severity is not Severity.INFO)
        return dataclasses.replace(self, findings=findings, counts=counts, elsewhere=elsewhere,
                                   files=sum(1 for path in self.paths if inside(path)) + (PROJECT_FILE in parts),
                                   waived=[w for w in self.waived if inside(w.finding.file)])

    def without(self, known: Counter[tuple[str, str, str]]) -> "Outcome":
        """The findings not already `known` (new-only and baseline modes), counted as a multiset: with one
        known copy of a finding, a second identical one is new."""
        left = Counter(known)
        fresh = []
        counts = dict(self.counts)
        for finding in self.findings:
            key = stable_key(finding)
            if left[key] > 0:
                left[key] -= 1
                counts[finding.severity.value] -= 1
            else:
                fresh.append(finding)
        return dataclasses.replace(self, findings=fresh, counts=counts, known=len(self.findings) - len(fresh))

    @property
    def listed(self) -> list[Finding]:
        """The findings to show: info ones only when verbose."""
        return [f for f in self.findings if self.verbose or f.severity is not Severity.INFO]

    def failed(self, fail_on: Severity) -> bool:
        return any(self.counts.get(severity.value, 0) for severity in Severity if severity.rank >= fail_on.rank)


class SelectionError(Exception):
    """--select or --ignore names no check: a usage error (exit 2), never a silent "no problems"."""


def selection(patterns: Iterable[str], own_rules: Iterable[OwnRule], option: str) -> tuple[str, ...]:
    """The codes, code prefixes, slugs and Rule ids of --select / --ignore, as codes; letter case does not
    matter for built-in codes and slugs. Anything that names no check is a SelectionError."""
    patterns = tuple(patterns)
    if not patterns:
        return ()  # without loading the catalogue, which imports every rule (and the graph library)
    from cxpolicy.catalogue import checks, codes_by_slug
    from cxpolicy.suggest import did_you_mean

    catalogue = checks()
    codes = [check.code for check in catalogue] + [rule.code for rule in own_rules]
    slugs = codes_by_slug()
    found = []
    for pattern in patterns:
        upper = pattern.upper()
        if pattern in codes or (upper.startswith("CX") and any(code.startswith(upper) for code in codes)):
            found.append(pattern if pattern in codes else upper)
        elif pattern.lower() in slugs:
            found.append(slugs[pattern.lower()])
        else:
            hint = did_you_mean(upper if upper.startswith("CX") else pattern.lower(), [*codes, *slugs])
            raise SelectionError(f"{option} '{pattern}' names no check.{hint} See `cxpolicy rules` for the codes "
                                 "and names (a prefix such as CX4 selects a whole family).")
    return tuple(found)


def _matches(code: str, patterns: Iterable[str]) -> bool:
    return any(code == pattern or code.startswith(pattern) for pattern in patterns)


def _adjusted(finding: Finding, overrides: Mapping[str, str], options: Options) -> Finding | None:
    """The finding at the severity the project sets, or None when it is turned off or not selected."""
    if options.select and not _matches(finding.code, options.select):
        return None
    if _matches(finding.code, options.ignore):
        return None
    setting = overrides.get(finding.code)
    if setting == "off":
        return None
    if setting is not None and setting != finding.severity.value:
        return dataclasses.replace(finding, severity=Severity(setting))
    return finding


def decide(
    findings: Iterable[Finding],
    overrides: Mapping[str, str],
    options: Options,
    *,
    root: str,
    files: int,
    entities: int,
    waived: Iterable[Waived] = (),
    own_rules: Iterable[OwnRule] = (),
    paths: Iterable[str] = (),
) -> Outcome:
    unique = sorted({f for f in (_adjusted(f, overrides, options) for f in findings) if f is not None})
    counts = {severity.value: sum(1 for f in unique if f.severity is severity) for severity in Severity}
    hidden = sorted(
        (Waived(kept, w.waiver, w.reason) for w in waived
         if (kept := _adjusted(w.finding, overrides, options)) is not None),
        key=lambda w: w.finding,
    )
    return Outcome(root, files, entities, unique, counts, options.verbose, hidden, options.show_waived,
                   own_rules=sorted(own_rules, key=lambda rule: rule.code), paths=tuple(paths))


@dataclass
class Run:
    """One pass of the pipeline: the typed policy, its graph, and the verdict."""

    policy: Any  # policyset.PolicySet
    graph: Any  # graph.PolicyGraph, None when rules were not run
    outcome: Outcome
    today: dt.date


def run(root: Any, options: Options, *, rules: bool = True, progress: Any = None, memo: Any = None) -> Run:
    """discover -> read -> validate -> model -> graph -> rules -> findings -> verdict.

    `root` is a folder's path, or a discover.PolicyFolder (such as a git revision).
    `progress`, when given, is told `update(stage, done, total)` as the run goes.
    `memo`, an incremental.Memo kept from run to run (the language server's, the history's), lets
    the rules re-run only what the changes since the last run can reach.
    Raises discover.PolicyPathError when it cannot be used at all.
    """
    # The pipeline builds millions of long-lived objects and almost no reference
    # cycles; the cyclic collector would rescan them again and again (20-75% of
    # the run, growing faster than the input), so it pauses until the run ends.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _run(root, options, rules=rules, progress=progress, memo=memo)
    finally:
        if enabled:
            gc.enable()


def _run(root: Any, options: Options, *, rules: bool, progress: Any, memo: Any) -> Run:
    if options.cache and memo is None and isinstance(root, str) and os.path.isdir(root):
        return _cached(root, options, rules=rules, progress=progress)
    return _checked(root, options, rules=rules, progress=progress, memo=memo)


def _checked(root: Any, options: Options, *, rules: bool, progress: Any = None,
             record: dict[str, Any] | None = None, memo: Any = None) -> Run:
    from cxpolicy import discover, reading

    # The files are found and the workers start reading them before the models and the graph
    # library are imported: those imports then overlap the reading.
    started = reading.start(discover.folder(root), progress)
    try:
        from cxpolicy import cache, cascade, metrics, policyset, waivers
        from cxpolicy.graph import PolicyGraph
        from cxpolicy.rules import language, registry

        loaded = policyset.load(started, progress, memo.graph.policy if memo is not None and memo.graph else None)
    except BaseException:  # an interrupt while the workers read: stop them now, not at exit
        started.reads.close()
        raise
    policy = loaded.policy
    today = options.today or policy.project.today or dt.date.today()
    user_rules, rule_problems = language.compile_rules(policy)
    findings = [*loaded.findings, *rule_problems]
    graph = None
    damage = cascade.assess(policy, rule_problems)
    held: list[tuple[Finding, str]] = []
    if rules:
        graph = PolicyGraph(policy, memo.graph if memo is not None else None)  # derived from the last check's
        context = registry.Context(policy, graph, today, metrics.catalogue(policy.project.metrics))
        derived = [*registry.run(context, progress, memo), *language.run(user_rules, policy, graph)]
        kept, held = cascade.hold_back(derived, damage, cascade.needs(user_rules))
        findings.extend(kept)
    # A waiver's deadline is kept by the calendar: a `today` pinned in cxpolicy.yaml (for reproducible
    # verdicts) does not keep an expired waiver alive; only --today does (docs/decisions.md).
    applied = waivers.apply(findings, policy, options.today or dt.date.today(), complete=rules,
                            held=[f for f, _ in held], damaged=damage.files, pinned=policy.project.today)
    applied.kept.extend(cascade.held_back_notes([*held, *applied.held], damage, policy))
    hidden = [Waived(finding, waiver.id, waiver.spec.reason) for finding, waiver in applied.waived]
    own = [OwnRule(rule.id, Severity(rule.spec.severity), rule.model.metadata.title or rule.spec.message,
                   " ".join(filter(None, (rule.model.metadata.description, rule.spec.hint))), rule.file)
           for rule in policy.of("rule")]
    if record is not None:  # what a later identical run needs to skip all of the above
        record.update(
            files=len(policy.files), paths=list(policy.files), entities=len(policy), today=today.isoformat(),
            overrides=dict(policy.project.rules), findings=[cache.dump_finding(f) for f in applied.kept],
            waived=[{**cache.dump_finding(w.finding), "waiver": w.waiver, "reason": w.reason} for w in hidden],
            own_rules=[rule.dump() for rule in own])
    options = _selected(options, own)
    outcome = decide(applied.kept, policy.project.rules, options, root=policy.root, files=len(policy.files),
                     entities=len(policy), waived=hidden, own_rules=own, paths=policy.files)
    return Run(policy, graph, outcome, today)


def _selected(options: Options, own: list[OwnRule]) -> Options:
    return dataclasses.replace(options, select=selection(options.select, own, "--select"),
                               ignore=selection(options.ignore, own, "--ignore"))


def _cached(root: str, options: Options, *, rules: bool, progress: Any) -> Run:
    """The run, answered from the cache when an identical one was made before (no policy or graph then)."""
    from cxpolicy import cache

    settings = {"rules": rules, "today": options.today.isoformat() if options.today else None,
                "date": dt.date.today().isoformat()}
    address = cache.key(root, settings)
    found = cache.load(root, address)
    if found is None:
        record: dict[str, Any] = {}
        result = _checked(root, options, rules=rules, progress=progress, record=record)
        cache.store(root, address, record)
        return result
    hidden = [Waived(cache.load_finding(w), w["waiver"], w["reason"]) for w in found["waived"]]
    own = [OwnRule.load(rule) for rule in found["own_rules"]]
    outcome = decide([cache.load_finding(f) for f in found["findings"]], found["overrides"], _selected(options, own),
                     root=root, files=found["files"], entities=found["entities"], waived=hidden, own_rules=own,
                     paths=found.get("paths", ()))
    return Run(None, None, outcome, dt.date.fromisoformat(found["today"]))
