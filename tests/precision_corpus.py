"""The precision corpus: single realistic mistakes made in copies of policies/, each with its root finding.

Each `Mistake` replaces one piece of text in one file of the example repository, the way an analyst's
edit would, and names the finding that must report it (code, and the line: where `at` is written in
the new text, or, when `at` is not part of it, its nearest appearance before the edit). `measure`
checks a copy and compares its findings with the unchanged repository's: what is new is what the
mistake caused. tests/test_precision.py asserts each case; benchmarks/precision.py prints the totals.
"""

from __future__ import annotations

import functools
import re
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from cxpolicy import engine
from cxpolicy.policyset import _KIND_WORDS
from cxpolicy.findings import Finding, Severity, stable_key

POLICIES = Path(__file__).resolve().parent.parent / "policies"
_UNKNOWN = re.compile(r"'([^']+)' is not a known (.+)$")


@dataclass(frozen=True)
class Mistake:
    name: str
    file: str
    old: str
    new: str
    code: str
    at: str = ""  # where the root finding is (see the module's docstring); empty: where `new` starts


MISTAKES = [
    # Teams
    Mistake("yaml 1.1 boolean on an executive", "teams/executives.yaml",
            "  id: coo\n  title: Chief Operating Officer\nspec:\n  executive: true",
            "  id: coo\n  title: Chief Operating Officer\nspec:\n  executive: Yes", "CX102", "executive"),
    Mistake("reporting line in capitals", "teams/operations.yaml", "reportsTo: coo", "reportsTo: COO", "CX103"),
    Mistake("misspelt reportsTo", "teams/operations.yaml", "reportsTo: coo", "reportTo: coo", "CX103"),
    Mistake("reporting line removed", "teams/operations.yaml", "  reportsTo: coo\n", "", "CX403", "id: customer-care"),
    Mistake("team id misspelt in a reference", "teams/operations.yaml", "reportsTo: customer-care",
            "reportsTo: customer-cair", "CX104"),
    Mistake("tab indentation in a team file", "teams/digital.yaml", "  reportsTo: cdo", "\treportsTo: cdo", "CX100"),
    # Segments
    Mistake("misspelt priority", "segments/segments.yaml", "priority: strategic", "priority: strategc", "CX103"),
    Mistake("sponsor removed", "segments/segments.yaml", "  sponsor: cco\n", "", "CX402", "id: plus-members"),
    # Channels
    Mistake("channel type in capitals", "channels/channels.yaml", "spec: {type: assisted, owner: customer-care}",
            "spec: {type: Assisted, owner: customer-care}", "CX103", "Assisted"),
    Mistake("channel owner misspelt", "channels/channels.yaml", "spec: {type: digital, owner: mobile-app}",
            "spec: {type: digital, owner: mobile-ap}", "CX104", "mobile-ap"),
    # Touchpoints
    Mistake("misspelt momentOfTruth", "touchpoints/app.yaml", "  momentOfTruth: true\n  handoffs:\n    - to: order",
            "  momentOfTruht: true\n  handoffs:\n    - to: order", "CX103", "momentOfTruht"),
    Mistake("yaml 1.1 boolean on a moment of truth", "touchpoints/contact-centre.yaml",
            "  owner: customer-care\n  momentOfTruth: true", "  owner: customer-care\n  momentOfTruth: yes",
            "CX102", "yes"),
    Mistake("channel misspelt", "touchpoints/app.yaml", "spec: {channel: app, owner: mobile-app}",
            "spec: {channel: ap, owner: mobile-app}", "CX104", "ap,"),
    Mistake("kind in lower case", "touchpoints/app.yaml", "kind: Touchpoint\nmetadata: {id: app-checkout",
            "kind: touchpoint\nmetadata: {id: app-checkout", "CX106", "touchpoint"),
    Mistake("kind misspelt", "touchpoints/email.yaml", "kind: Touchpoint", "kind: Touchpiont", "CX106"),
    Mistake("owner removed", "touchpoints/app.yaml", "spec: {channel: app, owner: mobile-app}",
            "spec: {channel: app}", "CX401", "id: app-product-pages"),
    Mistake("owner written as the team's title", "touchpoints/app.yaml", "spec: {channel: app, owner: mobile-app}",
            "spec: {channel: app, owner: Mobile App}", "CX103", "Mobile App"),
    Mistake("two owners in a list", "touchpoints/app.yaml", "spec: {channel: app, owner: mobile-app}",
            "spec: {channel: app, owner: [mobile-app, digital-commerce]}", "CX103", "[mobile-app"),
    Mistake("duplicate key", "touchpoints/contact-centre.yaml", "  channel: phone\n  owner: customer-care\n  moment",
            "  channel: phone\n  owner: customer-care\n  channel: chat\n  moment", "CX101", "channel: chat"),
    Mistake("unclosed quote in a touchpoint file", "touchpoints/web.yaml", "title: ", 'title: "', "CX100", '"'),
    Mistake("handoff to a misspelt touchpoint", "touchpoints/app.yaml", "- to: order-confirmation-email",
            "- to: order-confirmaton-email", "CX104", "order-confirmaton-email"),
    # Journeys
    Mistake("touchpoint repeated in a stage", "journeys/returns.yaml",
            "touchpoints: [returns-portal, app-returns,", "touchpoints: [returns-portal, app-returns, app-returns,",
            "CX216", "returns-portal"),
    Mistake("review date in another form", "journeys/returns.yaml", "last: 2026-09-15", "last: 15/09/2026", "CX103"),
    Mistake("review date in the future", "journeys/returns.yaml", "last: 2026-09-15", "last: 2027-09-15", "CX215"),
    Mistake("review interval in words", "journeys/returns.yaml", "every: 90d", "every: 90 days", "CX103"),
    Mistake("stage touchpoint misspelt", "journeys/get-help.yaml", "touchpoints: [help-centre, app-help,",
            "touchpoints: [help-center, app-help,", "CX104", "help-center"),
    Mistake("segment misspelt", "journeys/returns.yaml", "segments: [plus-members, new-customers",
            "segments: [plus-member, new-customers", "CX104", "plus-member,"),
    Mistake("stage id repeated", "journeys/returns.yaml", "- id: refund", "- id: received", "CX105", "id: received"),
    Mistake("unclosed bracket in a journey", "journeys/returns.yaml",
            "touchpoints: [returns-courier-pickup]", "touchpoints: [returns-courier-pickup", "CX100", "["),
    Mistake("journey owner is a touchpoint", "journeys/get-help.yaml", "  owner: customer-care",
            "  owner: care-phone-line", "CX104", "care-phone-line"),
    # Service standards
    Mistake("metric misspelt", "standards/contact-centre.yaml", "  metric: time-to-answer\n  objective: {max: 60s}",
            "  metric: time-to-anwser\n  objective: {max: 60s}", "CX104", "time-to-anwser"),
    Mistake("measured by a KPI of another metric", "standards/contact-centre.yaml",
            "  objective: {max: 2d}\n  attainment: 90%\n  measuredBy: case-resolution-time",
            "  objective: {max: 2d}\n  attainment: 90%\n  measuredBy: care-answer-time", "CX310", "measuredBy"),
    Mistake("attainment as a fraction", "standards/contact-centre.yaml", "attainment: 80%", "attainment: 0.8",
            "CX103"),
    Mistake("objective in the wrong unit", "standards/contact-centre.yaml", "objective: {max: 60s}",
            "objective: {max: 60%}", "CX305", "objective"),
    Mistake("channel misspelt in appliesTo", "standards/contact-centre.yaml", "appliesTo: {channels: [phone]}",
            "appliesTo: {channels: [phnoe]}", "CX104", "phnoe"),
    Mistake("channel named as a touchpoint", "standards/contact-centre.yaml", "appliesTo: {channels: [chat]}",
            "appliesTo: {touchpoints: [chat]}", "CX104", "chat]"),
    Mistake("KPI misspelt in measuredBy", "standards/returns.yaml", "measuredBy: returns-resolution-time",
            "measuredBy: returns-resolution-tim", "CX104"),
    Mistake("standard kind misspelt", "standards/digital.yaml", "kind: ServiceStandard", "kind: ServiceStandart",
            "CX106"),
    # KPIs
    Mistake("baseline in the future", "kpis/care.yaml", "baseline: {value: 74, asOf: 2026-09-30}",
            "baseline: {value: 74, asOf: 2027-09-30}", "CX215", "asOf"),
    Mistake("targets out of date order", "kpis/care.yaml",
            "    - {value: 60, by: 2027-03-31}\n    - {value: 45, by: 2027-09-30}",
            "    - {value: 60, by: 2027-09-30}\n    - {value: 45, by: 2027-03-31}", "CX311", "by: 2027-03-31"),
    Mistake("target dated before the baseline", "kpis/outcomes.yaml", "{value: 36, by: 2027-06-30}",
            "{value: 36, by: 2026-06-30}", "CX311", "by"),
    Mistake("direction misspelt", "kpis/care.yaml", "direction: decrease", "direction: down", "CX103"),
    Mistake("drives a misspelt KPI", "kpis/care.yaml", "drives: [plus-retention]", "drives: [plus-retension]",
            "CX104", "plus-retension"),
    Mistake("unclosed quote in a KPI file", "kpis/care.yaml", 'title: "Time to first response (chat, email, social)"',
            'title: "Time to first response (chat, email, social)', "CX100", '"'),
    # Listening posts
    Mistake("cadence misspelt", "listening/listening-posts.yaml", "cadence: quarterly", "cadence: quartely",
            "CX103"),
    Mistake("covers a misspelt journey", "listening/listening-posts.yaml", "covers: {journeys: [get-help]}",
            "covers: {journeys: [get-hlep]}", "CX104", "get-hlep"),
    # Rules and rule tests
    Mistake("unknown id in a rule condition", "rules/plus-priority.yaml",
            "    segments: {contains: plus-members}\n  require", "    segments: {contains: plus-member}\n  require",
            "CX104", "plus-member}"),
    Mistake("placeholder that never renders", "rules/phone-ownership.yaml", "is owned by {owner}",
            "is owned by {owners}", "CX103", "message"),
    Mistake("rule severity misspelt", "rules/plus-priority.yaml", "  severity: error\n  target: touchpoint\n  where:\n"
            "    momentOfTruth", "  severity: critical\n  target: touchpoint\n  where:\n    momentOfTruth", "CX103",
            "critical"),
    Mistake("rule test names a misspelt rule", "rules/phone-ownership.yaml",
            "spec:\n  rule: phone-lines-owned-by-operations\n  given:\n    base: none",
            "spec:\n  rule: phone-lines-owned-by-operation\n  given:\n    base: none", "CX104", "rule"),
    # Waivers
    Mistake("waiver rule written as its slug", "waivers/trade-review.yaml", "rule: CX214",
            "rule: stale-journey-review", "CX104"),
    Mistake("waiver target without its kind", "waivers/trade-review.yaml", "targets: [journey:trade-account]",
            "targets: [trade-account]", "CX103", "trade-account"),
    Mistake("waiver approver misspelt", "waivers/trade-review.yaml", "approvedBy: cmo", "approvedBy: cmoo", "CX104"),
    # The project
    Mistake("project owner misspelt", "cxpolicy.yaml", "owner: cx-office", "owner: cx-ofice", "CX104"),
    Mistake("project metric unit in words", "cxpolicy.yaml", "      unit: min\n      direction: decrease\n"
            "      indicator: leading\n      channelSpecific: true\n    queue-time",
            "      unit: minutes\n      direction: decrease\n      indicator: leading\n      channelSpecific: true\n"
            "    queue-time", "CX103", "minutes"),
]


@dataclass
class Result:
    mistake: Mistake
    line: int  # where the root finding belongs
    findings: list[Finding] = field(default_factory=list)  # what the mistake added, errors and warnings

    @property
    def root(self) -> Finding | None:
        return next((f for f in self.findings if (f.code, f.file, f.line)
                     == (self.mistake.code, self.mistake.file, self.line)), None)

    @property
    def elsewhere(self) -> list[Finding]:
        """Findings in other files: a mistake inside one document reports on that document only."""
        return [f for f in self.findings if f.file != self.mistake.file]

    def false_unknowns(self, defined: set[str]) -> list[Finding]:
        """Findings that call an entity the repository defines (a `kind:id` of `defined`) unknown."""
        false = []
        for finding in self.findings:
            said = _UNKNOWN.match(finding.message) if finding.code == "CX104" else None
            if said is not None:
                ident, words = said.groups()
                kind = next((key for key, word in _KIND_WORDS.items() if word == words), words)
                if (ident if ":" in ident else f"{kind}:{ident}") in defined:
                    false.append(finding)
        return false


def _errors_and_warnings(root: str) -> list[Finding]:
    outcome = engine.run(root, engine.Options()).outcome
    return [f for f in outcome.findings if f.severity is not Severity.INFO]


@functools.cache
def baseline() -> tuple[Finding, ...]:
    """The unchanged repository's errors and warnings (computed once)."""
    return tuple(_errors_and_warnings(str(POLICIES)))


def edited(mistake: Mistake, into: Path) -> int:
    """Write the repository with the mistake into `into`; return the line of the root finding."""
    shutil.copytree(POLICIES, into)
    path = into / mistake.file
    text = path.read_text(encoding="utf-8")
    start = text.index(mistake.old)
    changed = text[:start] + mistake.new + text[start + len(mistake.old):]
    if mistake.at and mistake.at in mistake.new:
        index = start + mistake.new.index(mistake.at)
    elif mistake.at:
        index = changed.rindex(mistake.at, 0, start + 1)
    else:
        index = start + len(mistake.new) - len(mistake.new.lstrip())
    path.write_text(changed, encoding="utf-8")
    return changed.count("\n", 0, index) + 1


@functools.cache
def measure(mistake: Mistake) -> Result:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "policies"
        line = edited(mistake, root)
        found = _errors_and_warnings(str(root))
    known = Counter(stable_key(f) for f in baseline())
    added = []
    for finding in found:
        key = stable_key(finding)
        if known[key] > 0:
            known[key] -= 1
        else:
            added.append(finding)
    return Result(mistake, line, added)


def defined_ids() -> set[str]:
    """Every entity the unchanged repository defines, as `kind:id`."""
    run = engine.run(str(POLICIES), engine.Options())
    return {entity.name for kind in run.policy.entities.values() for entity in kind.values()}
