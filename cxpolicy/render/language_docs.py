"""docs/rules-language.md: the rule language, with examples the test suite runs."""

from __future__ import annotations

from dataclasses import dataclass

from cxpolicy.rules import vocabulary
from cxpolicy.rules.examples import BASE


@dataclass(frozen=True)
class Example:
    title: str
    rule: str
    failing: str  # added to the base policy set, with the rule: the rule reports `reported`
    passing: str  # added likewise: the rule reports nothing
    reported: str


def _rule(ident: str, body: str) -> str:
    return f"apiVersion: cxpolicy/v1\nkind: Rule\nmetadata: {{id: {ident}}}\nspec:\n{body}"


_RENEW_JOURNEY = """\
apiVersion: cxpolicy/v1
kind: Segment
metadata: {id: premium}
spec: {priority: strategic, sponsor: cco}
---
apiVersion: cxpolicy/v1
kind: Journey
metadata: {id: renew, title: Renew membership}
spec:
  owner: care
  segments: [premium]
  stages: [{id: call, touchpoints: [care-line]}]
"""

EXAMPLES = [
    Example(
        "Every moment of truth serving a strategic segment has a standard for that segment with at least 90% attainment",
        _rule("strategic-moments-promised", """\
  severity: error
  target: touchpoint
  where: {momentOfTruth: true}
  require:
    segments:              # no strategic segment served here...
      max: 0
      where:
        priority: strategic
        not:               # ...lacks a standard for it here with 90%+ attainment
          standards: {where: {attainment: {gte: 90%}}}
  message: "Moment of truth {title} has no standard of 90%+ attainment for a strategic segment it serves"
"""),
        "",
        """\
apiVersion: cxpolicy/v1
kind: ServiceStandard
metadata: {id: answer-members-30s}
spec:
  owner: care
  appliesTo: {touchpoints: [care-line], segments: [members]}
  metric: time-to-answer
  objective: {max: 30s}
  attainment: 95%
  measuredBy: answer-time
""",
        "touchpoint:care-line",
    ),
    Example(
        "Every handle-time KPI's owner also owns a quality counterweight (first-contact resolution or CSAT)",
        _rule("handle-time-balanced", """\
  severity: warning
  target: kpi
  where: {metric: average-handle-time}
  require:
    owner:
      where:
        kpis: {min: 1, where: {metric: {in: [first-contact-resolution, csat]}}}
  message: "{owner} is targeted on handle time ({id}) but owns no first-contact-resolution or CSAT KPI"
"""),
        """\
apiVersion: cxpolicy/v1
kind: KPI
metadata: {id: handle-time}
spec: {owner: care, definition: Seconds per call, metric: average-handle-time, unit: s, direction: decrease,
       indicator: leading}
""",
        """\
apiVersion: cxpolicy/v1
kind: KPI
metadata: {id: handle-time}
spec: {owner: care, definition: Seconds per call, metric: average-handle-time, unit: s, direction: decrease,
       indicator: leading}
---
apiVersion: cxpolicy/v1
kind: KPI
metadata: {id: fcr}
spec: {owner: care, definition: Resolved first time, metric: first-contact-resolution, unit: "%",
       direction: increase, indicator: leading}
""",
        "kpi:handle-time",
    ),
    Example(
        "No touchpoint in the phone channel is owned by marketing",
        _rule("phone-not-marketing", """\
  severity: error
  target: touchpoint
  where: {channel: phone}
  require:
    owner: {notIn: [marketing]}
  message: "Phone touchpoint {title} is owned by marketing"
"""),
        """\
apiVersion: cxpolicy/v1
kind: Team
metadata: {id: marketing}
spec: {reportsTo: cco}
---
apiVersion: cxpolicy/v1
kind: Touchpoint
metadata: {id: offers-line, title: Offers hotline}
spec: {channel: phone, owner: marketing}
""",
        """\
apiVersion: cxpolicy/v1
kind: Team
metadata: {id: marketing}
spec: {reportsTo: cco}
---
apiVersion: cxpolicy/v1
kind: Touchpoint
metadata: {id: offers-line, title: Offers hotline}
spec: {channel: phone, owner: {accountable: care, consulted: [marketing]}}
""",
        "touchpoint:offers-line",
    ),
    Example(
        "Every journey serving premium members is reviewed at least every 90 days",
        _rule("premium-journeys-reviewed", """\
  severity: warning
  target: journey
  where:
    segments: {contains: premium}
  require:
    review.every: {lte: 90d}
  message: "Journey {title} serves premium members but is not reviewed every 90 days"
"""),
        _RENEW_JOURNEY + "  review: {every: 180d, last: 2026-10-01}\n",
        _RENEW_JOURNEY + "  review: {every: 60d, last: 2026-10-01}\n",
        "journey:renew",
    ),
    Example(
        "Every lagging KPI is driven by at least two leading KPIs",
        _rule("lagging-needs-two-levers", """\
  severity: warning
  target: kpi
  where: {indicator: lagging}
  require:
    drivers: {min: 2, where: {indicator: leading}}
  message: "Lagging KPI {id} has fewer than two leading KPIs driving it"
"""),
        "",
        """\
apiVersion: cxpolicy/v1
kind: KPI
metadata: {id: resolution-time}
spec: {owner: care, definition: Hours to resolve, metric: time-to-resolve, unit: h, direction: decrease,
       indicator: leading, drives: [nps]}
""",
        "kpi:nps",
    ),
    Example(
        "Every listening post feeds at least one team outside the CX office",
        _rule("feedback-leaves-the-cx-office", """\
  severity: warning
  target: listeningpost
  require:
    feeds: {min: 1, where: {id: {notIn: [cco]}}}
  message: "Listening post {title} only feeds the CX office"
"""),
        """\
apiVersion: cxpolicy/v1
kind: ListeningPost
metadata: {id: complaints, title: Complaints tracker}
spec: {owner: cco, method: complaints, cadence: weekly, feeds: [cco]}
""",
        """\
apiVersion: cxpolicy/v1
kind: ListeningPost
metadata: {id: complaints, title: Complaints tracker}
spec: {owner: cco, method: complaints, cadence: weekly, feeds: [cco, care]}
""",
        "listeningpost:complaints",
    ),
    Example(
        "Standards for a strategic segment promise at least 90% attainment",
        _rule("strategic-attainment", """\
  severity: error
  target: servicestandard
  where:
    segments: {contains: members}
  require:
    attainment: {gte: 90%}
  message: "Standard {id} for members promises only {attainment}"
"""),
        """\
apiVersion: cxpolicy/v1
kind: ServiceStandard
metadata: {id: answer-members-30s}
spec: {owner: care, appliesTo: {touchpoints: [care-line], segments: [members]}, metric: time-to-answer,
       objective: {max: 30s}, attainment: 80%, measuredBy: answer-time}
""",
        """\
apiVersion: cxpolicy/v1
kind: ServiceStandard
metadata: {id: answer-members-30s}
spec: {owner: care, appliesTo: {touchpoints: [care-line], segments: [members]}, metric: time-to-answer,
       objective: {max: 30s}, attainment: 95%, measuredBy: answer-time}
""",
        "servicestandard:answer-members-30s",
    ),
    Example(
        "Every team accountable for a moment of truth has a named lead",
        _rule("moment-owners-have-a-lead", """\
  severity: warning
  target: team
  where:
    touchpoints: {where: {momentOfTruth: true}}
  require:
    lead: {exists: true}
  message: "Team {title} owns a moment of truth but has no named lead"
"""),
        """\
apiVersion: cxpolicy/v1
kind: Team
metadata: {id: stores, title: Store operations}
spec: {reportsTo: cco}
---
apiVersion: cxpolicy/v1
kind: Touchpoint
metadata: {id: store-tills}
spec: {channel: phone, owner: stores, momentOfTruth: true}
""",
        """\
apiVersion: cxpolicy/v1
kind: Team
metadata: {id: stores, title: Store operations}
spec: {reportsTo: cco, lead: Claire Dubois}
---
apiVersion: cxpolicy/v1
kind: Touchpoint
metadata: {id: store-tills}
spec: {channel: phone, owner: stores, momentOfTruth: true}
""",
        "team:stores",
    ),
    Example(
        "No moment of truth is still a placeholder ('TBD' or 'TODO' in its title)",
        _rule("no-placeholder-moments", """\
  severity: error
  target: touchpoint
  where: {momentOfTruth: true}
  require:
    not:
      title: {matches: "(?i)\\\\b(tbd|todo)\\\\b"}
  message: "Moment of truth {id} is still a placeholder: {title}"
"""),
        """\
apiVersion: cxpolicy/v1
kind: Touchpoint
metadata: {id: callback, title: Callback TBD}
spec: {channel: phone, owner: care, momentOfTruth: true}
""",
        """\
apiVersion: cxpolicy/v1
kind: Touchpoint
metadata: {id: callback, title: Callback within the hour}
spec: {channel: phone, owner: care, momentOfTruth: true}
""",
        "touchpoint:callback",
    ),
]


def example_policy(example: Example, which: str) -> str:
    """The base policy set, the rule, and the example's failing or passing documents."""
    extra = getattr(example, which)
    return BASE + "---\n" + example.rule + (("---\n" + extra) if extra else "")


_INTRO = """\
# The rule language

The CX office writes its own checks as documents of kind `Rule`. A rule names
the kind of entity it looks at (`target`), which of them (`where`), what each
must satisfy (`require`), and what to say when one does not (`message`). It is
declarative: no code is run, no expression evaluated. Rules are checked like
the built-in ones: findings carry the rule's id as their code, take its
`severity` (overridable in `cxpolicy.yaml`: `rules: {my-rule: off}`), can be
waived, and appear in every output format.

This page is generated by `cxpolicy docs --write`; every example below is run
by the test suite.

```yaml
apiVersion: cxpolicy/v1
kind: Rule
metadata: {id: phone-not-marketing, title: No phone touchpoint is owned by marketing}
spec:
  severity: error                 # error | warning | info
  target: touchpoint              # the kind it looks at
  where: {channel: phone}         # which of them (all when absent)
  require:                        # what each must satisfy
    owner: {notIn: [marketing]}
  message: "Phone touchpoint {title} is owned by marketing"   # {field} is filled in
  hint: Make the team that staffs the line accountable.         # optional
```

## Conditions

`where` and `require` are conditions: a mapping whose entries must all hold.
Each entry is one of:

| entry | holds when |
| --- | --- |
| `field: value` | the field equals the value; for a list field, the list contains it (a list value: contains all of them) |
| `field: {equals: v}` | the field equals `v` exactly (a list field: the same list) |
| `field: {in: [a, b]}` / `{notIn: [a, b]}` | the field is (is not) one of these; for a list field, any (none) of its items |
| `field: {contains: v}` | the list field contains `v` |
| `field: {exists: true}` / `{exists: false}` | the field is set (is absent or empty) |
| `field: {gte: v}`, `gt`, `lte`, `lt` | a number, duration (`4h`), percentage (`90%`) or date (`2027-06-30`) compared with `v`; a plain number compares with a percentage's points |
| `field: {matches: "regex"}` | the field (or one of its items) matches the regular expression |
| `relation: {min: n, max: m, where: {...}}` | between n and m related entities satisfy the inner condition (just `where`: at least one). `max: 0` says none may |
| `all: [{...}, {...}]` | every condition in the list holds |
| `any: [{...}, {...}]` | at least one holds |
| `not: {...}` | the condition does not hold |

Several tests in one mapping must all hold: `attainment: {gte: 90%, lte: 99%}`.
A field path may go into nested fields with dots: `review.every`,
`appliesTo.segments`, `labels.brand`. When the same name is both a field and
a relation (`segments` of a journey), a `{min, max, where}` mapping counts the
related entities and anything else tests the field.

**Regular expressions** use RE2 syntax (`(?i)` for case-insensitive; no
back-references or look-around). RE2 matches in time linear in the length of
the text, so no pattern, however it is written, can make a check hang, and the
result never depends on how fast the machine is. A pattern RE2 cannot compile
is reported at its line.

**Mistakes in a rule** (an unknown field or relation, a value that cannot be
compared, a pattern that does not compile, `min` above `max`) are CX103
findings at the line where they are written, with a did-you-mean. A rule with
a mistake is not run.
"""

_TESTS = """\
## Testing rules

Keep test cases beside the rules, as documents of kind `RuleTest`, and run
them with `cxpolicy test` (what conftest's `verify` does for Rego). Each test
describes a policy set and exactly what one rule must report on it:

```yaml
apiVersion: cxpolicy/v1
kind: RuleTest
metadata: {id: phone-not-marketing-flags-the-offers-line}
spec:
  rule: phone-not-marketing        # the Rule id (or a built-in code) under test
  given:
    base: policy                   # policy: start from this policy set (default); none: only its Rules
    remove: [touchpoint:care-line] # entities taken out, as kind:id
    add:                           # documents added (one with an existing kind and id replaces it)
      - apiVersion: cxpolicy/v1
        kind: Touchpoint
        metadata: {id: offers-line}
        spec: {channel: phone, owner: marketing}
  expect: [touchpoint:offers-line] # exactly these are reported; [] expects nothing
```

`cxpolicy test` prints `PASS` or `FAIL` with the file and line of each test,
what was expected but not reported and what was reported but not expected,
and `N passed, N failed`; it exits 1 when a test fails. Findings in the added
documents point at their lines in the test's file. `cxpolicy check` reads
`RuleTest` documents (their schema and references are checked) but they are
not part of the policy set it checks.
"""


def _vocabulary() -> str:
    lines = ["## What each kind offers", "",
             "Fields are the document's own (see docs/format.md) plus `id`, `title`, `description`,",
             "`labels.NAME` and those derived below. Relations can be counted.", "",
             "| target | derived fields | relations (related kind) |", "| --- | --- | --- |"]
    for kind in sorted(vocabulary.RELATIONS):
        if kind in ("stage", "servedsegment"):
            continue
        derived = ", ".join(f"`{name}`" for name in sorted(vocabulary.DERIVED.get(kind, {})))
        relations = ", ".join(f"`{name}` ({target})" for name, (target, _) in sorted(vocabulary.RELATIONS[kind].items()))
        lines.append(f"| {kind} | {derived} | {relations} |")
    lines += ["", "A touchpoint's `segments` are the segments it serves, each seen at that touchpoint: their",
              "`standards` are the standards in force for that segment there. A journey's `stages` have the",
              "fields `id`, `title`, `touchpoints` and the relation `touchpoints`.", ""]
    return "\n".join(lines)


def render() -> str:
    parts = [_INTRO, _vocabulary(), "## Examples", "",
             "Each example is run on the small base policy set of docs/rules.md: it reports the entity named",
             "on the failing documents, and nothing on the passing ones.", ""]
    for number, example in enumerate(EXAMPLES, start=1):
        parts += [f"### {number}. {example.title}", "", "```yaml", example.rule.rstrip(), "```", ""]
        if example.failing:
            parts += [f"Reports `{example.reported}` with:", "", "```yaml", example.failing.rstrip(), "```", ""]
        else:
            parts += [f"Reports `{example.reported}` on the base policy set as it is.", ""]
        parts += ["Reports nothing with:", "", "```yaml", example.passing.rstrip(), "```", ""]
    parts.append(_TESTS)
    return "\n".join(parts)



