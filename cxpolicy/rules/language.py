"""The rule language: a Rule document's `where` and `require`, compiled once, evaluated per entity.

A condition is a mapping; each key is one of:

* `all: [...]`, `any: [...]`, `not: {...}`: combinations of conditions;
* a relation of the target kind (`standards`, `journeys`, `owner`...) with a
  count `{min, max, where}`: how many related entities, filtered, there must be;
* a field (`channel`, `momentOfTruth`, `appliesTo.segments`, `labels.brand`)
  with a value (equals; for a list field, contains) or tests (`equals`, `in`,
  `notIn`, `matches`, `exists`, `gte`, `gt`, `lte`, `lt`, `contains`).

No code is evaluated. Regular expressions use RE2, whose matching time grows
linearly with the text, so no pattern can hang a check (and the verdict never
depends on a timeout). Mistakes in a rule are CX103 findings at their line.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import re2

from cxpolicy import model
from cxpolicy.findings import MAX_TEXT, Finding, Severity, bounded
from cxpolicy.graph import PolicyGraph, Stage
from cxpolicy.policyset import Entity, PolicySet, kind_words
from cxpolicy.rules import files as checks
from cxpolicy.rules import vocabulary
from cxpolicy.suggest import closest

COMBINATORS = ("all", "any", "not")
COUNT_KEYS = frozenset({"min", "max", "where"})
ORDERING = {"gte": lambda a, b: a >= b, "gt": lambda a, b: a > b, "lte": lambda a, b: a <= b, "lt": lambda a, b: a < b}
#: RE2 matches in time proportional to its compiled program's size times the text's length; bounding
#: the program keeps every rule linear in the policy set's size (a handful of alternatives is about 30).
MAX_PATTERN_SIZE = 250
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False
_SPEC_MODELS = {model.kind_key(name): document.model_fields["spec"].annotation for name, document in model.KINDS.items()}
_SPEC_MODELS["servedsegment"] = _SPEC_MODELS["segment"]
_COUNTED = {"servedsegment": "segment", "stage": "journey"}  # the kind whose documents hold what is counted


class Condition:
    def holds(self, subject: Any, kind: str, graph: PolicyGraph) -> bool:
        raise NotImplementedError


@dataclass(frozen=True)
class AllOf(Condition):
    parts: tuple[Condition, ...]

    def holds(self, subject: Any, kind: str, graph: PolicyGraph) -> bool:
        return all(part.holds(subject, kind, graph) for part in self.parts)


@dataclass(frozen=True)
class AnyOf(Condition):
    parts: tuple[Condition, ...]

    def holds(self, subject: Any, kind: str, graph: PolicyGraph) -> bool:
        return any(part.holds(subject, kind, graph) for part in self.parts)


@dataclass(frozen=True)
class Not(Condition):
    part: Condition

    def holds(self, subject: Any, kind: str, graph: PolicyGraph) -> bool:
        return not self.part.holds(subject, kind, graph)


@dataclass(frozen=True)
class FieldTest(Condition):
    path: str
    tests: tuple[tuple[str, Any], ...]  # (operator, operand), the operand already parsed
    kind: str = field(default="", compare=False)  # the kind it is asked of
    written: tuple = field(default=(), compare=False)  # where it is in the Rule document

    def holds(self, subject: Any, kind: str, graph: PolicyGraph) -> bool:
        value = vocabulary.field_value(subject, kind, self.path, graph)
        return all(_test(operator, operand, value) for operator, operand in self.tests)


@dataclass(frozen=True)
class Count(Condition):
    relation: str
    minimum: int | None
    maximum: int | None
    where: Condition | None

    def holds(self, subject: Any, kind: str, graph: PolicyGraph) -> bool:
        related_kind, find = vocabulary.RELATIONS[kind][self.relation]
        related = find(subject, graph)
        if self.where is not None:
            related = [r for r in related if self.where.holds(r, _kind_of(r, related_kind), graph)]
        return (self.minimum is None or len(related) >= self.minimum) and (
            self.maximum is None or len(related) <= self.maximum)


def _kind_of(subject: Any, declared: str) -> str:
    if isinstance(subject, Stage):
        return "stage"
    return model.kind_key(subject.kind) if declared == "any" else declared


# --------------------------------------------------------------------------- values

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")


def _measure(value: Any) -> tuple[str, float] | None:
    """A value as (dimension, number) for ordering; None when it is not a quantity."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return "number", float(value)
    if isinstance(value, model.Quantity):
        return value.dimension, value.amount
    if isinstance(value, model.Share):
        return "percent", value.percent
    if isinstance(value, model.Duration):
        return "duration", value.seconds
    if isinstance(value, dt.date):
        return "date", float(value.toordinal())
    if isinstance(value, str):
        if _DATE.match(value):
            try:
                return "date", float(dt.date.fromisoformat(value).toordinal())
            except ValueError:
                return None
        try:
            quantity = model.Quantity.parse(value)
        except ValueError:
            return None
        return quantity.dimension, quantity.amount
    return None


def _comparable(a: tuple[str, float] | None, b: tuple[str, float] | None) -> bool:
    """A plain number compares with any quantity (95 with 95%); otherwise the dimensions must match."""
    return a is not None and b is not None and (a[0] == b[0] or "number" in (a[0], b[0]))


def _same(value: Any, operand: Any) -> bool:
    measured, wanted = _measure(value), _measure(operand)
    if not isinstance(value, str) and _comparable(measured, wanted):
        return measured[1] == wanted[1]  # type: ignore[index]
    if isinstance(value, (str, bool)) or value is None:
        return value == operand
    return str(value) == str(operand)


def _items(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _test(operator: str, operand: Any, value: Any) -> bool:
    if operator == "exists":
        present = value is not None and value != [] and value != {}
        return present == operand
    if operator in ("equals", "literal"):
        if isinstance(value, list):
            wanted = _items(operand)
            return all(any(_same(v, w) for v in value) for w in wanted) if operator == "literal" else value == wanted
        if isinstance(operand, list):
            return any(_same(value, w) for w in operand)
        return _same(value, operand)
    if operator == "in":
        return any(_same(v, w) for v in _items(value) for w in operand) if value is not None else False
    if operator == "notIn":
        return not any(_same(v, w) for v in _items(value) for w in operand)
    if operator == "contains":
        return any(_same(v, operand) for v in _items(value))
    if operator == "matches":
        return any(operand.search(str(v)) is not None for v in _items(value))
    measured = _measure(value)
    return _comparable(measured, operand) and ORDERING[operator](measured[1], operand[1])  # type: ignore[index]


# --------------------------------------------------------------------------- compiling


@dataclass(frozen=True)
class Problem:
    path: tuple
    message: str
    hint: str | None = None
    key: bool = True


def compile_condition(data: dict[str, Any], kind: str, path: tuple, problems: list[Problem]) -> Condition:
    parts: list[Condition] = []
    for key in data:
        value = data[key]
        here = path + (key,)
        if key in ("all", "any"):
            compiled = tuple(compile_condition(item, kind, here + (i,), problems) for i, item in enumerate(value))
            parts.append(AllOf(compiled) if key == "all" else AnyOf(compiled))
        elif key == "not":
            parts.append(Not(compile_condition(value, kind, here, problems)))
        elif isinstance(value, dict) and value and set(value) <= COUNT_KEYS:
            parts.append(_compile_count(key, value, kind, here, problems))
        else:
            field = _compile_field(key, value, kind, here, problems)
            if field is not None:
                parts.append(field)
    return parts[0] if len(parts) == 1 else AllOf(tuple(parts))


def _compile_count(relation: str, value: dict[str, Any], kind: str, path: tuple, problems: list[Problem]) -> Condition:
    relations = vocabulary.RELATIONS.get(kind, {})
    if relation not in relations:
        suggestion = closest(relation, relations)
        noun = vocabulary.FIELDS_OF.get(kind, kind)
        problems.append(Problem(path, f"'{relation}' is not a relation of a {noun} that can be counted",
                                (f"Did you mean '{suggestion}'? " if suggestion else "")
                                + f"Relations of a {noun}: {', '.join(sorted(relations)) or 'none'}."))
        return AllOf(())
    related_kind = relations[relation][0]
    where = None
    if "where" in value:
        where = compile_condition(value["where"], related_kind, path + ("where",), problems) \
            if related_kind != "any" else _compile_loose(value["where"], path + ("where",), problems)
    minimum, maximum = value.get("min"), value.get("max")
    if minimum is None and maximum is None:
        minimum = 1
    if minimum is not None and maximum is not None and minimum > maximum:
        problems.append(Problem(path, f"min ({minimum}) is greater than max ({maximum}): nothing can satisfy it"))
    return Count(relation, minimum, maximum, where)


def _compile_loose(data: dict[str, Any], path: tuple, problems: list[Problem]) -> Condition:
    """A condition on entities of mixed kinds (a team's `owns`): any field name is allowed."""
    return compile_condition(data, "any", path, problems)


def _compile_field(name: str, value: Any, kind: str, path: tuple, problems: list[Problem]) -> Condition | None:
    if kind != "any":
        known = vocabulary.field_names(vocabulary.FIELDS_OF.get(kind, kind), _SPEC_MODELS.get(kind))
        head = name.split(".")[0]
        if head not in known:
            relations = vocabulary.RELATIONS.get(kind, {})
            suggestion = closest(head, [*known, *relations])
            noun = vocabulary.FIELDS_OF.get(kind, kind)
            problems.append(Problem(
                path, f"'{name}' is not a field of a {noun}",
                (f"Did you mean '{suggestion}'? " if suggestion else "")
                + f"Fields: {', '.join(known)}." + (f" Relations (counted with min/max/where): "
                                                    f"{', '.join(sorted(relations))}." if relations else "")))
            return None
    if not isinstance(value, dict):
        return FieldTest(name, (("literal", value),), kind, path)
    tests = []
    for operator, operand in value.items():
        where = path + (operator,)
        if operator == "matches":
            try:
                pattern = re2.compile(operand, _RE2_OPTIONS)
            except re2.error as error:
                detail = error.args[0].decode() if error.args and isinstance(error.args[0], bytes) else str(error)
                problems.append(Problem(where, f"the pattern '{bounded(operand, 80)}' cannot be used: {detail}",
                                        "Patterns use RE2 syntax: no back-references or look-around.", key=False))
                continue
            if pattern.programsize > MAX_PATTERN_SIZE:
                problems.append(Problem(
                    where, f"the pattern '{bounded(operand, 80)}' is too complex to match quickly "
                           f"(size {pattern.programsize}, at most {MAX_PATTERN_SIZE})",
                    "Shorten it: fewer alternatives and smaller repeat counts ({n}).", key=False))
                continue
            tests.append((operator, pattern))
        elif operator in ORDERING:
            measured = _measure(operand)
            if measured is None:
                problems.append(Problem(where, f"'{operand}' is not a number, duration, percentage or date to compare with",
                                        "Write e.g. 90%, 4h, 2027-06-30 or 3.", key=False))
            else:
                tests.append((operator, measured))
        else:
            tests.append((operator, operand))
    return FieldTest(name, tuple(tests), kind, path)


# --------------------------------------------------------------------------- running


@dataclass(frozen=True)
class UserRule:
    entity: Entity  # the Rule document
    where: Condition | None
    require: Condition

    @property
    def target(self) -> str:
        return self.entity.spec.target

    @property
    def counts(self) -> tuple[str, ...]:
        """The kinds its conditions count (`standards: {min: 1}`): a count is only right when every
        entity of them can be read (cascade.py)."""
        counted = {vocabulary.RELATIONS[kind][condition.relation][0]
                   for condition, kind in walk([self.where, self.require], self.target) if isinstance(condition, Count)}
        return tuple(sorted({_COUNTED.get(kind, kind) for kind in counted}))


def walk(conditions: list[Condition | None], kind: str) -> Iterator[tuple[Condition, str]]:
    """Every condition in these trees, with the kind it is asked of (a count's `where` asks of the
    related kind)."""
    stack = [(condition, kind) for condition in conditions]
    while stack:
        condition, asked = stack.pop()
        if condition is None:
            continue
        yield condition, asked
        if isinstance(condition, (AllOf, AnyOf)):
            stack.extend((part, asked) for part in condition.parts)
        elif isinstance(condition, Not):
            stack.append((condition.part, asked))
        elif isinstance(condition, Count):
            stack.append((condition.where, vocabulary.RELATIONS[asked][condition.relation][0]))


def compile_rules(policy: PolicySet) -> tuple[list[UserRule], list[Finding]]:
    """The policy's Rule documents, compiled; the mistakes in them as CX103 findings at their lines."""
    compiled, findings = [], []
    for rule in policy.of("rule"):
        problems: list[Problem] = []
        spec = rule.spec
        where = compile_condition(spec.where, spec.target, ("spec", "where"), problems) if spec.where else None
        require = compile_condition(spec.require, spec.target, ("spec", "require"), problems)
        for name in _placeholders(spec.message):
            head = name.split(".")[0]
            if head not in vocabulary.field_names(spec.target, _SPEC_MODELS.get(spec.target)):
                problems.append(Problem(("spec", "message"), f"the message names '{{{name}}}', which is not a field of a "
                                        f"{spec.target}", "Use fields such as {id} or {title}.", key=False))
            elif vocabulary.has_parts(spec.target, name, _SPEC_MODELS.get(spec.target)):
                problems.append(Problem(("spec", "message"), f"the message names '{{{name}}}', a field made of parts, "
                                        "which cannot be shown as text", "Name one of its parts, or a plain field "
                                        "such as {id} or {title}.", key=False))
        for problem in problems:
            file, line, column = rule.where(problem.path, key=problem.key)
            findings.append(checks.SCHEMA.at(file, line, column, f"rule {rule.id}: {problem.message}",
                                             entity=rule.name, hint=problem.hint))
        if not problems:
            compiled.append(UserRule(rule, where, require))
            findings.extend(_unknown_ids(policy, rule, [where, require]))
    return compiled, findings


_ID_OPERATORS = ("literal", "equals", "in", "notIn", "contains")


def _unknown_ids(policy: PolicySet, rule: Entity, conditions: list[Condition | None]) -> Iterator[Finding]:
    """CX104 for an id in a condition on a field that names entities (`channel: phnoe`): the rule would
    silently match nothing."""
    for condition, _ in walk(conditions, rule.spec.target):
        if isinstance(condition, FieldTest) and condition.kind != "any":
            named = vocabulary.referenced_kind(condition.kind, condition.path, _SPEC_MODELS.get(condition.kind))
            if named is None:
                continue
            for operator, operand in condition.tests:
                if operator not in _ID_OPERATORS:
                    continue
                for ident in _items(operand):
                    if not isinstance(ident, str) or ident in policy.entities.get(named, {}) \
                            or policy.unreadable_as(named, ident) is not None:
                        continue
                    where = condition.written + (() if operator == "literal" else (operator,))
                    file, line, column = rule.where(where)
                    words = kind_words(named)
                    found = [*policy.entities.get(named, {}), *policy.unreadable.get(named, {})]
                    suggestion = closest(ident, found)
                    yield checks.UNKNOWN_REFERENCE.at(
                        file, line, column, f"rule {rule.id}: '{ident}' is not a known {words}, so the condition "
                                            "matches nothing", entity=rule.name,
                        hint=(f"Did you mean '{suggestion}'? " if suggestion else "")
                        + f"Write the id of an existing {words}.")


_PLACEHOLDER = re.compile(r"\{([A-Za-z][A-Za-z0-9.]*)\}")


def _placeholders(template: str) -> list[str]:
    return _PLACEHOLDER.findall(template)


def _render(template: str, subject: Entity, kind: str, graph: PolicyGraph) -> str:
    """The message with its placeholders filled in, never longer than a finding's message may be:
    a template of thousands of placeholders over a long description stops growing at the bound."""
    parts: list[str] = []
    size = 0
    position = 0
    for match in _PLACEHOLDER.finditer(template):
        value = vocabulary.field_value(subject, kind, match.group(1), graph)
        if isinstance(value, (list, tuple)):
            value = ", ".join(str(v) for v in value) or None
        # A field with no value on this subject reads "(none)": an empty gap in a sentence reads as a typo.
        piece = template[position:match.start()] + ("(none)" if value is None else bounded(str(value), MAX_TEXT))
        parts.append(piece)
        size += len(piece)
        position = match.end()
        if size > MAX_TEXT:
            break
    else:
        parts.append(template[position:])
    return bounded("".join(parts))


def run(rules: list[UserRule], policy: PolicySet, graph: PolicyGraph) -> Iterator[Finding]:
    for rule in rules:
        spec = rule.entity.spec
        for subject in policy.of(rule.target):
            if rule.where is not None and not rule.where.holds(subject, rule.target, graph):
                continue
            if rule.require.holds(subject, rule.target, graph):
                continue
            file, line, column = subject.where()
            yield Finding(
                file=file, line=line, column=column, code=rule.entity.id,
                message=_render(spec.message, subject, rule.target, graph),
                rule=rule.entity.id, severity=Severity(spec.severity), entity=subject.name,
                hint=bounded(spec.hint or f"This is the CX office's rule {rule.entity.id} ({rule.entity.file})."),
            )
