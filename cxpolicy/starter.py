"""`cxpolicy init`: a small starter policy repository that checks clean at once.

One document of each kind a CX office starts with, in the usual folders, with the fields an analyst
needs first and a comment on each; editor settings that map the JSON Schemas onto the folders; the
GitHub workflow, pre-commit hooks and .gitignore a policy repository needs; and a short README.
Nothing is overwritten unless asked (`write` returns the files that already exist).
"""

from __future__ import annotations

import json
import os
from typing import Any

from cxpolicy import schema
from cxpolicy.atomic import write_atomic

PROJECT = """\
# The project's settings. The policy files are every *.yaml file below this folder.
apiVersion: cxpolicy/v1
kind: Project
metadata:
  id: my-company
  title: My Company
spec:
  # The team that keeps this repository: it may approve waivers, like an executive.
  owner: cx-office
  # Folders or files that are not policy (drafts, notes): glob patterns.
  exclude: ["drafts/**"]
"""

TEAMS = """\
# Teams, and who each reports to. Every reporting line must reach an executive.
apiVersion: cxpolicy/v1
kind: Team
metadata:
  id: cco
  title: Chief Customer Officer
spec:
  executive: true
  lead: Name Surname
  codeowners: ["@my-company/cco"]   # the GitHub team that reviews changes to what it owns
---
apiVersion: cxpolicy/v1
kind: Team
metadata:
  id: cx-office
  title: CX Office
spec:
  reportsTo: cco
  codeowners: ["@my-company/cx-office"]
---
apiVersion: cxpolicy/v1
kind: Team
metadata:
  id: customer-care
  title: Customer Care
spec:
  reportsTo: cco
  codeowners: ["@my-company/customer-care"]
"""

SEGMENTS = """\
# Who you serve. Strategic and growth segments must be served by at least one journey.
apiVersion: cxpolicy/v1
kind: Segment
metadata:
  id: members
  title: Members
spec:
  priority: strategic      # strategic, growth, core or maintain
  sponsor: cco             # the executive who answers for this segment
"""

CHANNELS = """\
# The ways customers reach you.
apiVersion: cxpolicy/v1
kind: Channel
metadata:
  id: phone
  title: Phone
spec:
  type: assisted           # assisted (a person), digital or physical
  owner: customer-care
"""

TOUCHPOINTS = """\
# The moments a customer meets you. Every touchpoint has one accountable team.
apiVersion: cxpolicy/v1
kind: Touchpoint
metadata:
  id: care-phone-line
  title: Customer care phone line
spec:
  channel: phone
  owner: customer-care
  momentOfTruth: true      # a moment that decides whether the customer stays
"""

JOURNEYS = """\
# A journey: its stages, in the order the customer lives them, and the touchpoints of each.
apiVersion: cxpolicy/v1
kind: Journey
metadata:
  id: get-help
  title: Get help
spec:
  owner: customer-care
  segments: [members]
  stages:
    - id: contact
      title: Talk to us
      touchpoints: [care-phone-line]
  review: {{every: 1q, last: {today}}}   # reviewed every quarter; update `last` at each review
"""

STANDARDS = """\
# What customers are promised, where, and how it is measured.
apiVersion: cxpolicy/v1
kind: ServiceStandard
metadata:
  id: phone-answer-60s
  title: Calls answered within 60 seconds
spec:
  owner: customer-care
  appliesTo: {channels: [phone]}
  metric: time-to-answer   # a metric of the catalogue (docs/rules.md), or one declared in cxpolicy.yaml
  objective: {max: 60s}
  attainment: 80%          # the share of calls that must meet it
  measuredBy: answer-time
"""

KPIS = """\
# KPIs: where each stands (baseline) and where it must be by when (targets).
apiVersion: cxpolicy/v1
kind: KPI
metadata:
  id: answer-time
  title: Average time to answer
spec:
  owner: customer-care
  definition: Mean seconds from joining the queue to speaking to an adviser.
  metric: time-to-answer
  unit: s
  direction: decrease
  indicator: leading       # leading KPIs drive the lagging ones (below)
  baseline: {{value: 75, asOf: {today}}}
  targets:
    - {{value: 60, by: {next_year}}}
  source: Telephony platform, daily extract
  drives: [nps]
---
apiVersion: cxpolicy/v1
kind: KPI
metadata:
  id: nps
  title: Relationship NPS
spec:
  owner: cco
  definition: Net Promoter Score from the relationship survey.
  metric: nps
  unit: score
  direction: increase
  indicator: lagging
  baseline: {{value: 30, asOf: {today}}}
  targets:
    - {{value: 35, by: {next_year}}}
  source: Relationship survey
"""

LISTENING = """\
# Where the customer's voice comes from, and which teams must act on it.
apiVersion: cxpolicy/v1
kind: ListeningPost
metadata:
  id: post-call-survey
  title: Post-call survey
spec:
  owner: cx-office
  method: survey
  covers: {journeys: [get-help]}
  cadence: continuous
  feeds: [customer-care]
"""

RULES = """\
# The CX office's own checks, beside the built-in ones (docs/rules-language.md).
apiVersion: cxpolicy/v1
kind: Rule
metadata:
  id: moments-of-truth-are-promised
  title: Every moment of truth has a service standard
spec:
  severity: error
  target: touchpoint
  where: {momentOfTruth: true}
  require:
    standards: {min: 1}
  message: "Moment of truth {title} has no service standard"
  hint: Add a ServiceStandard that applies to this touchpoint, its channel or its journey.
"""

RULE_TESTS = """\
# Tests of the rules in rules/: `cxpolicy test` runs them, and CI fails when one fails.
apiVersion: cxpolicy/v1
kind: RuleTest
metadata:
  id: moments-of-truth-are-promised-today
spec:
  rule: moments-of-truth-are-promised
  expect: []
---
apiVersion: cxpolicy/v1
kind: RuleTest
metadata:
  id: a-moment-without-a-promise-is-reported
spec:
  rule: moments-of-truth-are-promised
  given:
    remove: [servicestandard:phone-answer-60s]
  expect: [touchpoint:care-phone-line]
"""

WORKFLOW = """\
# Checks the policies on every pull request (replace OWNER/cxpolicy@v1 with where cxpolicy lives).
name: cxpolicy
on:
  pull_request:
permissions:
  contents: read
  security-events: write
jobs:
  cxpolicy:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with: {fetch-depth: 0}
      - uses: OWNER/cxpolicy@v1
        with:
          path: .
          fail-on: error
      - uses: github/codeql-action/upload-sarif@v3
        if: always()
        with: {sarif_file: cxpolicy.sarif}
"""

PRE_COMMIT = """\
# pre-commit install: the checks run before each commit (replace OWNER/cxpolicy with where cxpolicy lives).
repos:
  - repo: https://github.com/OWNER/cxpolicy
    rev: v1
    hooks:
      - id: cxpolicy-check
      - id: cxpolicy-test
"""

README = """\
# {title}: customer-experience policy

The CX office's segments, journeys, channels, service standards, KPIs, listening
posts and ownership, checked by cxpolicy on every change.

* `cxpolicy check` finds gaps, conflicts and unowned touchpoints; `cxpolicy check FILE`
  reports on one file.
* `cxpolicy test` runs the rule tests in `rule-tests/`.
* `cxpolicy report ownership --format html --output report.html` writes the page for
  executives.

Open the folder in VS Code and accept the recommended extensions: the YAML extension
checks each document against its kind's schema (in `schemas/`) as you type, and the
language client runs `cxpolicy lsp`, which shows every finding of `cxpolicy check`,
completes ids and fields, and renames an id everywhere it is used.
"""

#: Which schema an editor applies to which folder (one kind per folder keeps each file to one schema).
FOLDERS = {
    "team": "teams", "segment": "segments", "channel": "channels", "touchpoint": "touchpoints",
    "journey": "journeys", "servicestandard": "standards", "kpi": "kpis", "listeningpost": "listening",
    "rule": "rules", "ruletest": "rule-tests", "waiver": "waivers",
}


def files(today: str, next_year: str) -> dict[str, str]:
    """The starter repository: relative path -> text. Dates are given so the repository checks clean
    on the day it is made (a review or baseline dated later would be CX215)."""
    return {**_policies(today, next_year), **_around(README.format(title="My Company"))}


#: The example policy sets `init --example NAME` writes, and the package that holds each.
EXAMPLES = {"retail": "cxpolicy.example"}


def example_files(name: str) -> dict[str, Any]:
    """A full example policy set (Northwind, a retailer, for `retail`), with the same editor settings,
    workflow, hooks and README as the starter."""
    from importlib import resources

    root = resources.files(EXAMPLES[name])
    found: dict[str, str] = {}

    def collect(folder: Any, prefix: str) -> None:
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.is_dir() and not entry.name.startswith((".", "_")):
                collect(entry, f"{prefix}{entry.name}/")
            elif entry.name.endswith((".yaml", ".yml")):
                found[prefix + entry.name] = entry.read_text(encoding="utf-8")
            elif prefix.startswith("data/"):  # what the example's Datasets read, for `cxpolicy measure`
                found[prefix + entry.name] = entry.read_bytes()  # type: ignore[assignment]

    collect(root, "")
    return {**found, **_around(README.format(title="Northwind Home & Living"))}


def _policies(today: str, next_year: str) -> dict[str, str]:
    return {
        "cxpolicy.yaml": PROJECT,
        "teams/teams.yaml": TEAMS,
        "segments/segments.yaml": SEGMENTS,
        "channels/channels.yaml": CHANNELS,
        "touchpoints/touchpoints.yaml": TOUCHPOINTS,
        "journeys/get-help.yaml": JOURNEYS.format(today=today),
        "standards/standards.yaml": STANDARDS,
        "kpis/kpis.yaml": KPIS.format(today=today, next_year=next_year),
        "listening/listening-posts.yaml": LISTENING,
        "rules/moments-of-truth.yaml": RULES,
        "rule-tests/moments-of-truth.yaml": RULE_TESTS,
    }


def _around(readme: str) -> dict[str, str]:
    """What every new repository has beside its policies: schemas, editor settings, CI, hooks, README."""
    found = {
        ".github/workflows/cxpolicy.yml": WORKFLOW,
        ".pre-commit-config.yaml": PRE_COMMIT,
        ".gitignore": ".cxpolicy_cache/\n",
        "README.md": readme,
    }
    for name, text in schema.generated_files().items():
        found[f"schemas/{name}"] = text
    found[".vscode/settings.json"] = json.dumps(editor_settings(), indent=2) + "\n"
    found[".vscode/extensions.json"] = json.dumps({"recommendations": list(EXTENSIONS)}, indent=2) + "\n"
    return found


#: VS Code's YAML extension (the schema as you type) and a generic language client that starts
#: `cxpolicy lsp` (every finding, completion of ids, rename...): docs/editors.md.
EXTENSIONS = ("redhat.vscode-yaml", "zsol.vscode-glspc")


def editor_settings() -> dict[str, Any]:
    """VS Code's settings: the combined schema on every policy file (it picks each document's kind), and
    the language server on YAML files."""
    globs = ["cxpolicy.yaml", *(f"{folder}/**/*.{ext}" for folder in FOLDERS.values() for ext in ("yaml", "yml"))]
    return {
        "yaml.schemas": {f"./schemas/{schema.EDITOR_FILE}": globs},
        "glspc.server.command": "cxpolicy",
        "glspc.server.commandArguments": ["lsp"],
        "glspc.server.languageId": ["yaml"],
    }


def existing(folder: str, wanted: dict[str, str]) -> list[str]:
    """The files of `wanted` already present in `folder`."""
    return sorted(path for path in wanted if os.path.lexists(os.path.join(folder, path)))


def write(folder: str, wanted: dict[str, str]) -> None:
    """Write every file (atomically), making the folders."""
    for path, text in sorted(wanted.items()):
        target = os.path.join(folder, path)
        os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
        write_atomic(target, text)
