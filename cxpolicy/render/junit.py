"""JUnit XML for CI servers: one test case per check, one failure per finding that fails the run.

Findings below the `--fail-on` level are listed in the test case's output
instead, so a run that passes shows no failed tests.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

from cxpolicy.catalogue import checks
from cxpolicy.engine import Outcome
from cxpolicy.findings import Finding, Severity


def _line(f: Finding) -> str:
    return f"{f.location()}: {f.severity.value} {f.code} {f.message}" + (f"\n    hint: {f.hint}" if f.hint else "")


def render(outcome: Outcome, fail_on: Severity = Severity.ERROR) -> str:
    by_code: dict[str, list[Finding]] = defaultdict(list)
    for finding in outcome.listed:
        by_code[finding.code].append(finding)
    names = {check.code: check.slug for check in checks()}
    codes = sorted(set(names) | set(by_code))
    failing = sum(1 for f in outcome.listed if f.severity.rank >= fail_on.rank)
    suites = ET.Element("testsuites", name="cxpolicy", tests=str(len(codes)), failures=str(failing))
    suite = ET.SubElement(suites, "testsuite", name="cxpolicy", tests=str(len(codes)), failures=str(failing),
                          errors="0", skipped="0")
    for code in codes:
        case = ET.SubElement(suite, "testcase", classname="cxpolicy", name=f"{code} {names.get(code, code)}")
        quiet = []
        for finding in by_code.get(code, []):
            if finding.severity.rank >= fail_on.rank:
                failure = ET.SubElement(case, "failure", type=finding.severity.value,
                                        message=f"{finding.location()}: {finding.message}")
                failure.text = _line(finding)
            else:
                quiet.append(_line(finding))
        if quiet:
            ET.SubElement(case, "system-out").text = "\n".join(quiet)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
