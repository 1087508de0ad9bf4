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
