"""docs/format.md: the format reference for analysts, generated from the models.

The field tables come from the committed JSON Schemas (themselves generated
from cxpolicy.model); the worked example of each kind is loaded by the test
suite, so an example in the docs is always a valid document.
"""

from __future__ import annotations

from typing import Any

from cxpolicy import model, schema

EXAMPLES: dict[str, str] = {
    "Team": """\
apiVersion: cxpolicy/v1
kind: Team
metadata:
  id: customer-care
  title: Customer Care
spec:
  reportsTo: coo
  lead: Dana Ortiz
  contact: care-leads@example.com
  codeowners: ["@northwind/customer-care"]
""",
    "Segment": """\
apiVersion: cxpolicy/v1
kind: Segment
metadata:
  id: premium-members
  title: Premium members
spec:
  priority: strategic
  sponsor: cco
  parent: members
  expectations: ["A person on the phone within a minute"]
""",
    "Channel": """\
apiVersion: cxpolicy/v1
kind: Channel
metadata:
  id: web
  title: Web shop
spec:
  type: digital
  owner: digital-commerce
""",
    "Touchpoint": """\
apiVersion: cxpolicy/v1
kind: Touchpoint
metadata:
  id: returns-portal
  title: Online returns portal
spec:
  channel: web
  owner:
    accountable: returns-ops
    responsible: [digital-commerce]
    informed: [finance]
  momentOfTruth: true
  handoffs:
    - to: refund-notification
      standard: refund-handoff-24h
""",
    "Journey": """\
apiVersion: cxpolicy/v1
kind: Journey
metadata:
  id: returns
  title: Return an item
spec:
  owner: customer-care
  segments: [premium-members, new-customers]
  stages:
    - id: request
      title: Request a return
      touchpoints: [returns-portal, returns-phone]
    - id: refund
      title: Get the refund
      touchpoints: [refund-notification]
  review: {every: 90d, last: 2026-09-15}
""",
    "ServiceStandard": """\
apiVersion: cxpolicy/v1
kind: ServiceStandard
metadata:
  id: premium-answer-60s
  title: Premium members' calls answered within 60 seconds
spec:
  owner: customer-care
  appliesTo:
    touchpoints: [care-phone-line]
    segments: [premium-members]
  metric: time-to-answer
  objective: {max: 60s}
  attainment: 95%
  measuredBy: care-answer-time
""",
    "KPI": """\
apiVersion: cxpolicy/v1
kind: KPI
metadata:
  id: first-contact-resolution
  title: First-contact resolution
spec:
  owner: cx-office
  definition: Share of contacts resolved in the first interaction
  metric: first-contact-resolution
  unit: "%"
  direction: increase
  indicator: leading
  baseline: {value: 71, asOf: 2026-06-30}
  targets:
    - {value: 75, by: 2027-06-30}
    - {value: 80, by: 2027-12-31}
  source: Contact-centre platform, monthly extract
  scope: {journeys: [returns]}
  drives: [retention-rate]
""",
    "ListeningPost": """\
apiVersion: cxpolicy/v1
kind: ListeningPost
metadata:
  id: returns-survey
  title: Post-return survey
spec:
  owner: cx-office
  method: survey
  covers: {journeys: [returns]}
  cadence: continuous
  feeds: [digital-commerce, customer-care]
""",
    "Rule": """\
apiVersion: cxpolicy/v1
kind: Rule
metadata:
  id: premium-moments
  title: Moments of truth promise premium members something
spec:
  severity: error
  target: touchpoint
  where:
    momentOfTruth: true
  require:
    standards: {min: 1, where: {segments: [premium-members]}}
  message: Moments of truth need a premium-member standard
""",
    "Waiver": """\
apiVersion: cxpolicy/v1
kind: Waiver
metadata:
  id: fax-line-unowned
spec:
  rule: CX401
  targets: [touchpoint:legacy-fax-line]
  reason: Fax line closes on 2027-03-31; no team will take it on before then
  approvedBy: cco
  expires: 2027-03-31
""",
    "Dataset": """\
apiVersion: cxpolicy/v1
kind: Dataset
metadata:
  id: contact-centre-interactions
  title: Contact-centre calls and chats
spec:
  owner: care-quality        # the team accountable for the data
  holds: interactions        # or kpi-actuals
  path: data/calls-*.parquet # relative to the policy root; may lie outside git
  columns:
    touchpoint: queue
    segment: tier
    time: started_at
    metrics: {time-to-answer: wait_seconds, first-contact-resolution: resolved}
  values:
    touchpoint: {Plus line: plus-member-line, Care line: care-phone-line}
    segment: {plus: plus-members}
""",
    "RuleTest": """\
apiVersion: cxpolicy/v1
kind: RuleTest
metadata:
  id: premium-moments-flags-a-bare-moment
  title: A new moment of truth with no premium standard is reported
spec:
  rule: premium-moments
  given:
    add:
      - apiVersion: cxpolicy/v1
        kind: Touchpoint
        metadata: {id: callback-line}
        spec: {channel: phone, owner: customer-care, momentOfTruth: true}
    remove: [servicestandard:premium-answer-60s]
  expect: [touchpoint:callback-line]
""",
    "Project": """\
apiVersion: cxpolicy/v1
kind: Project
metadata:
  id: northwind
spec:
  exclude: ["drafts/**"]
  rules: {CX405: off, CX204: error}
  today: 2026-11-22
  metrics:
    notification-time:
      unit: min
      direction: decrease
      channelSpecific: true
""",
}

_INTRO = """\
# Policy file format (cxpolicy/v1)

This page is generated from the models in `cxpolicy/model.py` by
`cxpolicy docs --write`; a test fails when it is out of date. The JSON Schemas
in `schemas/` come from the same models: point your editor at them (for VS
Code's YAML extension, a `# yaml-language-server: $schema=...` line or the
`yaml.schemas` setting) to get completion and help while typing.

## Files and documents

* A policy repository is a folder of `*.yaml` / `*.yml` files, in any layout
  (the example in `policies/` uses `teams/`, `segments/`, `channels/`,
  `touchpoints/`, `journeys/`, `standards/`, `kpis/`, `listening/`).
  Folders whose name starts with a dot are skipped, and so are the folders and
  globs listed in `exclude` of `cxpolicy.yaml`. A link to a file outside the
  policy folder is reported, not followed.
* A file may hold several documents separated by `---`. An empty document (a
  trailing `---`) is ignored; an empty `cxpolicy.yaml` is an error (CX100).
* Every document has the same envelope: `apiVersion: cxpolicy/v1`, `kind`,
  `metadata` (`id`, optional `title`, `description`, `labels`) and `spec`.
* An `id` is lower-case letters, digits and dashes, at most 64 characters, and
  unique within its kind (a Team and a Segment may share one).
* A reference is the bare `id` where the field says which kind it names
  (`owner` is always a Team). Where it does not (waiver targets), an entity is
  named `kind:id` with the kind in lower case: `touchpoint:returns-portal`,
  `servicestandard:answer-60s`, and a stage `journey:returns/request`.
* The Project document lives only in `cxpolicy.yaml` at the root.

## Values

| written | means | example |
| --- | --- | --- |
| duration | a number and `s`, `min`, `h`, `d` or `w` | `30s`, `15min`, `4h`, `2d`, `1w` |
| interval | a duration, or whole months (`mo`) or quarters (`q`) counted on the calendar: a monthly review from 31 January is due on the last day of February | `90d`, `3mo`, `1q` |
| percentage | a number and `%`; in a KPI whose unit is `%`, `88%` and `88` are the same value | `95%`, `99.9%` |
| score, count, currency | a plain number | `2`, `40`, `640` |
| date | ISO `YYYY-MM-DD`, a real calendar day | `2027-06-30` |
| empty | a field left empty (`owner:`) is the same as leaving it out | |

## Strict YAML

Files are read as YAML 1.2. Anything another YAML reader could read
differently is an error with its line and column, never a guess:

* `yes`, `no`, `on`, `off`, `y`, `n` (any case) unquoted: write `true`/`false`,
  or quote the word (`"no"`). Where a field takes only a fixed list of words
  that includes it (a rule severity `off` in `cxpolicy.yaml`), the plain word
  is accepted.
* Base-60 numbers (`1:30`), leading zeros (`0755`), `1_000`, `0b101`: quote them
  or write them plainly.
* Tags (`!!python/object`, `!custom`) and merge keys (`<<`) are not allowed.
* A key written twice in one mapping, a key that is not a word (`1:`, `? [a]`).
* What some readers accept and YAML does not: a comment glued to a value
  (`title: "Care"# note` needs a space before `#`), a tab at the start of a
  line (indent with spaces), a quoted value or bracketed list continued on a
  line indented no more than its field, `?` glued to a key in brackets.
* Numbers must be finite (`.nan` and `.inf` are not allowed) and durations at
  most 100 years.
* Limits against hostile files (see `limits` under Project, which may lower
  them, never raise them): 10 MiB per file, 100 levels of nesting, 10,000
  values produced by aliases per document. See docs/security.md.

## Kinds
"""


_KIND_NAMES = {"servicestandard": "ServiceStandard", "kpi": "KPI", "listeningpost": "ListeningPost"}


def _type_words(root: dict[str, Any], node: dict[str, Any]) -> str:
    reference = node.get("x-cxpolicy-reference")
    if reference not in (None, "kind:id") and "anyOf" not in node:
        return f"{_KIND_NAMES.get(reference, reference.capitalize())} id"
    if node.get("$ref") == "#/$defs/Predicate":
        return "condition (docs/rules-language.md)"
    if "$ref" in node:
        target = schema.resolve(root, node)
        return "mapping, below" if target.get("type") == "object" else _type_words(root, target)
    if "anyOf" in node:
        branches = [dict(branch, **({"x-cxpolicy-reference": reference} if reference and branch.get("type") == "string" else {}))
                    for branch in node["anyOf"] if branch.get("type") != "null"]
        words = [_type_words(root, branch) for branch in branches]
        return " or ".join(dict.fromkeys(words))
    if "enum" in node:
        return " / ".join(f"`{value}`" for value in node["enum"])
    if "const" in node:
        return f"`{node['const']}`"
    kind = node.get("type")
    if kind == "array":
        return f"list of {_type_words(root, node.get('items', {}))}"
    if kind == "object" and "additionalProperties" in node and isinstance(node["additionalProperties"], dict):
        inner = node["additionalProperties"]
        return "mapping of name to " + (_type_words(root, inner) if inner else "anything")
    if kind == "object":
        return "mapping"
    pattern = node.get("pattern")
    if pattern in schema.PATTERNS:
        words = schema.PATTERNS[pattern][0]
        return f"number or {words}" if isinstance(kind, list) and "number" in kind and "number" not in words else words
    if isinstance(kind, list):
        return " or ".join(schema.TYPE_WORDS.get(k, k) for k in kind)
    return {"string": "text", "boolean": "true / false", "integer": "whole number", "number": "number"}.get(kind, "value")


def _rows(root: dict[str, Any], node: dict[str, Any], prefix: str) -> list[tuple[str, str, str, str]]:
    node = schema.resolve(root, node) if "$ref" in node else node
    rows = []
    required = set(node.get("required", ()))
    for name, prop in node.get("properties", {}).items():
        path = f"{prefix}.{name}" if prefix else name
        default = prop.get("default")
        needed = "required" if name in required else ("" if default in (None, [], {}) else f"default `{_yaml(default)}`")
        rows.append((path, _type_words(root, prop), needed, prop.get("description", "")))
        for nested, suffix in _nested(root, prop):
            rows.extend(_rows(root, nested, f"{path}{suffix}"))
    return rows


def _nested(root: dict[str, Any], prop: dict[str, Any]) -> list[tuple[dict[str, Any], str]]:
    found = []
    for branch in prop.get("anyOf", [prop]):
        if branch.get("$ref") == "#/$defs/Predicate":
            continue  # recursive: the rule language has its own page
        if "$ref" in branch and schema.resolve(root, branch).get("type") == "object":
            found.append((branch, ""))
        elif branch.get("type") == "array" and "$ref" in branch.get("items", {}):
            found.append((branch["items"], "[]"))
        elif branch.get("type") == "object" and isinstance(branch.get("additionalProperties"), dict) \
                and "$ref" in branch["additionalProperties"]:
            found.append((branch["additionalProperties"], ".NAME"))
    return found


def _yaml(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def render() -> str:
    parts = [_INTRO]
    for kind, document_model in model.KINDS.items():
        root = schema.generate(kind)
        spec = root["properties"]["spec"]
        parts.append(f"### {kind}\n")
        parts.append(f"{(document_model.__doc__ or '').strip()}\n")
        parts.append(f"```yaml\n{EXAMPLES[kind]}```\n")
        parts.append("| field | type | | meaning |\n| --- | --- | --- | --- |")
        for path, words, needed, description in _rows(root, spec, "spec"):
            cells = (f"`{path}`", words, needed, description)
            parts.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
        parts.append(f"\nSchema: [`schemas/{schema.schema_filename(kind)}`](../schemas/{schema.schema_filename(kind)})\n")
    return "\n".join(parts)
