"""The output of `cxpolicy test`: PASS or FAIL per rule test, what differs, and `N passed, N failed`."""

from __future__ import annotations

from cxpolicy.findings import Finding
from cxpolicy.render.neutral import terminal
from cxpolicy.ruletests import CaseResult


def render(cases: list[CaseResult], errors: list[Finding]) -> str:
    lines = [f"{error.location()}: error {error.code} {error.message}" for error in errors]
    for case in cases:
        file, line, _ = case.test.where()
        lines.append(f"{'PASS' if case.passed else 'FAIL'} {file}:{line} {case.test.id} (rule {case.test.spec.rule})")
        if case.passed:
            continue
        lines += [f"    {problem.location()}: {problem.code} {problem.message}" for problem in case.problems]
        if not case.ran:
            continue
        missing = sorted(set(case.expected) - set(case.reported))
        extra = sorted(set(case.reported) - set(case.expected))
        if missing:
            lines.append(f"    expected but not reported: {', '.join(missing)}")
        if extra:
            lines.append(f"    reported but not expected: {', '.join(extra)}")
    failed = sum(1 for case in cases if not case.passed)
    lines.append(f"{len(cases) - failed} passed, {failed} failed")
    return "\n".join(terminal(line) for line in lines) + "\n"  # each line built from one case


def junit(cases: list[CaseResult], errors: list[Finding]) -> str:
    """JUnit XML for CI: one test case per rule test (classname: its rule), failing as the text says; a
    policy set that cannot be loaded is one erroring case. Valid against Jenkins' junit-10.xsd."""
    import xml.etree.ElementTree as ET

    from cxpolicy.render.neutral import xml

    failed = [case for case in cases if not case.passed]
    counts = {"tests": str(len(cases) + (1 if errors else 0)), "failures": str(len(failed)),
              "errors": "1" if errors else "0"}
    suites = ET.Element("testsuites", name="cxpolicy rule tests", **counts)
    suite = ET.SubElement(suites, "testsuite", name="cxpolicy rule tests", **counts, skipped="0")
    if errors:
        case = ET.SubElement(suite, "testcase", classname="cxpolicy", name="the policy set loads")
        error = ET.SubElement(case, "error", type="error", message=xml(f"{errors[0].location()}: {errors[0].message}"))
        error.text = "\n".join(xml(f"{e.location()}: {e.code} {e.message}") for e in errors)
    for result in cases:
        case = ET.SubElement(suite, "testcase", classname=xml(result.test.spec.rule), name=xml(result.test.id))
        if not result.passed:
            details = render([result], []).splitlines()[:-1]  # the text output's lines about this test
            failure = ET.SubElement(case, "failure", type="failure",
                                    message=xml(details[1].strip() if len(details) > 1 else details[0]))
            failure.text = "\n".join(xml(line) for line in details)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
