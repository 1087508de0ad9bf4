"""Plain text for people: one line per finding, grouped by file, and a summary.

Each line starts `path:line:col:` so editors and terminals can jump to it.
Colour is used on a terminal unless NO_COLOR is set, or as --color and FORCE_COLOR say.
"""

from __future__ import annotations

from cxpolicy.engine import Outcome
from cxpolicy.findings import Severity
from cxpolicy.render.neutral import terminal

_COLOURS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}
_DIM, _BOLD, _RESET = "\033[2m", "\033[1m", "\033[0m"


def plural(count: int, word: str) -> str:
    """`3 entities`, `1 day`, `2 infos` never: the count and the word, in the plural where it takes one."""
    if count == 1 or word == "info":
        return f"{count} {word}"
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return f"{count} {word[:-1]}ies"
    return f"{count} {word}{'es' if word.endswith('s') else 's'}"


def summary(outcome: Outcome) -> str:
    counts = outcome.counts
    scope = f"{plural(outcome.files, 'file')}, {plural(outcome.entities, 'entity')}"
    problems = [
        plural(counts.get(severity.value, 0), severity.value)
        for severity in Severity
        if counts.get(severity.value, 0)
    ]
    hidden = 0 if outcome.verbose else counts.get("info", 0)
    notes = ([f"{hidden} info not shown; use -v"] if hidden else []) + (
        [f"{outcome.known} already known, not shown"] if outcome.known else []) + (
        [f"{len(outcome.fixed)} baseline entr{'y' if len(outcome.fixed) == 1 else 'ies'} now fixed"]
        if outcome.fixed else []) + (
        [f"{len(outcome.waived)} waived" + ("" if outcome.show_waived else "; use --show-waived")]
        if outcome.waived else []) + (
        [f"{plural(outcome.elsewhere, 'problem')} in other files, which `cxpolicy check` shows"]
        if outcome.elsewhere else [])
    note = f" ({'; '.join(notes)})" if notes else ""
    if not problems:
        return f"No problems found in {scope}{note}."
    return f"{', '.join(problems)} in {scope}{note}."


def render(outcome: Outcome, *, colour: bool = False) -> str:
    def paint(text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if colour else text

    lines: list[str] = []
    current = None
    for finding in outcome.listed:
        if finding.file != current:
            if current is not None:
                lines.append("")
            current = finding.file
        severity = paint(finding.severity.value, _COLOURS[finding.severity])
        lines.append(f"{paint(terminal(finding.location()), _BOLD)}: {severity} {terminal(finding.code)} "
                     f"{terminal(finding.message)}")
        if finding.hint:
            lines.append(paint(f"    hint: {terminal(finding.hint)}", _DIM))
    if outcome.fixed:
        if lines:
            lines.append("")
        lines.append("Fixed since the baseline (run --write-baseline to shrink it):")
        lines += [terminal(f"    {code} {subject}: {detail}") for code, subject, detail in outcome.fixed]
    if outcome.show_waived and outcome.waived:
        if lines:
            lines.append("")
        lines.append("Waived:")
        for waived in outcome.waived:
            finding = waived.finding
            lines.append(terminal(f"{finding.location()}: waived {finding.code} {finding.message}"))
            lines.append(paint(terminal(f"    by waiver {waived.waiver}: {waived.reason}"), _DIM))
    if lines:
        lines.append("")
    lines.append(summary(outcome))
    return "\n".join(lines) + "\n"
