"""JUnit XML for CI servers: one test case per check, built-in or the CX office's own.

A check fails (one `<failure>`, listing each of its findings that fails the run)
or passes; findings below the `--fail-on` level are listed in the test case's
output instead, so a run that passes shows no failed tests. `failures` counts
failed test cases, as Jenkins and junit2html read it. The file validates
against Jenkins' JUnit schema (junit-10.xsd), whatever the policy files hold.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

from cxpolicy.catalogue import checks
from cxpolicy.engine import Outcome
from cxpolicy.findings import Finding, Severity
from cxpolicy.render.neutral import xml


def _line(f: Finding) -> str:
    return xml(f"{f.location()}: {f.severity.value} {f.code} {f.message}" + (f"\n    hint: {f.hint}" if f.hint else ""))


def render(outcome: Outcome, fail_on: Severity = Severity.ERROR) -> str:
    by_code: dict[str, list[Finding]] = defaultdict(list)
    for finding in outcome.listed:
        by_code[finding.code].append(finding)
    names = {check.code: check.slug for check in checks()} | {rule.code: "rule" for rule in outcome.own_rules}
    codes = sorted(set(names) | set(by_code))
    failed = {code for code in codes if any(f.severity.rank >= fail_on.rank for f in by_code.get(code, ()))}
    counts = {"tests": str(len(codes)), "failures": str(len(failed)), "errors": "0"}
    suites = ET.Element("testsuites", name="cxpolicy", **counts)
    suite = ET.SubElement(suites, "testsuite", name="cxpolicy", **counts, skipped="0")
    for code in codes:
        case = ET.SubElement(suite, "testcase", classname="cxpolicy", name=xml(f"{code} {names.get(code, code)}"))
        failing = [f for f in by_code.get(code, ()) if f.severity.rank >= fail_on.rank]
        quiet = [_line(f) for f in by_code.get(code, ()) if f.severity.rank < fail_on.rank]
        if failing:
            first = failing[0]
            more = f" (and {len(failing) - 1} more)" if len(failing) > 1 else ""
            failure = ET.SubElement(case, "failure", type=first.severity.value,
                                    message=xml(f"{first.location()}: {first.message}{more}"))
            failure.text = "\n".join(_line(f) for f in failing)
        if quiet:
            ET.SubElement(case, "system-out").text = "\n".join(quiet)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
