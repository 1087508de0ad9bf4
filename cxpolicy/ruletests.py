"""Rule tests: run each RuleTest's policy set through the checks and compare what its rule reports.

A test starts from the surrounding policy set (`base: policy`) or from nothing
but its Project settings and Rule documents (`base: none`), removes and adds
documents, runs every check, and passes when the rule under test reports
exactly the entities it expects.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from cxpolicy import engine, metrics, model, policyset
from cxpolicy.findings import Finding
from cxpolicy.graph import PolicyGraph
from cxpolicy.policyset import Entity, PolicySet
from cxpolicy.rules import language, registry


@dataclass
class CaseResult:
    test: Entity
    expected: list[str]
    reported: list[str]
    problems: list[Finding]  # what is wrong with the test's own documents, or with the rule it tests
    ran: bool = True  # False when the rule under test has mistakes: what it reported means nothing

    @property
    def passed(self) -> bool:
        return not self.problems and self.expected == self.reported


def given(policy: PolicySet, test: Entity) -> tuple[PolicySet, list[Finding]]:
    """The policy set a test describes, and the problems with the documents it adds."""
    spec = test.spec.given
    keep = set(policy.entities) if spec.base == "policy" else {"rule"}
    entities = {kind: dict(found) for kind, found in policy.entities.items() if kind in keep}
    entities.pop("ruletest", None)
    for name in spec.remove:
        kind, _, ident = name.partition(":")
        entities.get(kind, {}).pop(ident, None)
    documents = [test.document.part(("spec", "given", "add", index)) for index in range(len(spec.add))]
    for document in documents:
        data = document.data
        if isinstance(data, dict) and isinstance(data.get("metadata"), dict):
            entities.get(model.kind_key(str(data.get("kind", ""))), {}).pop(data["metadata"].get("id"), None)
    problems = policyset.add_documents(documents, entities)
    smaller = replace(policy, entities=entities, unresolved=[])
    # Only the test's own documents can be wrong here: a reference left dangling by
    # `remove`, or settings naming what a bare test leaves out, is part of the scenario.
    problems += [f for f in policyset.resolve_references(smaller) if f.file == test.file]
    return smaller, problems


def run_case(policy: PolicySet, test: Entity, today: dt.date) -> CaseResult:
    variant, problems = given(policy, test)
    graph = PolicyGraph(variant)
    context = registry.Context(variant, graph, today, metrics.catalogue(variant.project.metrics))
    rules, rule_problems = language.compile_rules(variant)
    findings = [*registry.run(context), *language.run(rules, variant, graph)]
    reported = sorted({f.entity or "" for f in findings if f.code == test.spec.rule})
    broken = _broken_rule(policy, test, [
        f for f in rule_problems if f.entity == f"rule:{test.spec.rule}" and f.code != "CX104"])
    return CaseResult(test, sorted(set(test.spec.expect)), reported, problems + broken, ran=not broken)


def _broken_rule(policy: PolicySet, test: Entity, mistakes: list[Finding]) -> list[Finding]:
    """Why the rule under test cannot run, when it has mistakes (check reports each of them): the test
    says so rather than failing on a rule that never ran. An id a condition names that the test's
    smaller world lacks is no mistake (CX104 is judged on the whole policy set)."""
    from cxpolicy.rules.files import SCHEMA

    unreadable = policy.unreadable_as("rule", test.spec.rule)
    if unreadable is None and not mistakes:
        return []
    where = f"{unreadable.file}:{unreadable.line}" if unreadable is not None else mistakes[0].location()
    file, line, column = test.where(("spec", "rule"))
    return [SCHEMA.at(file, line, column, f"rule {test.spec.rule} has mistakes (see {where}), so this test cannot "
                                          "run", entity=test.name,
                      hint="Fix the rule first; `cxpolicy check` lists its mistakes.")]


def run_all(root: str, today: dt.date | None = None) -> tuple[list[CaseResult], list[Finding]]:
    """Every rule test of the policy set, and the problems that stop the set itself from loading."""
    result = engine.run(root, engine.Options(today=today), rules=False)
    errors = [f for f in result.outcome.findings if f.severity.value == "error"]
    tests = sorted(result.policy.of("ruletest"), key=lambda test: test.where())
    cases = [run_case(result.policy, test, result.today) for test in tests]
    return cases, errors
