"""The safe fixes: a finding that knows the one right text (Finding.fix) is mended where it is written.

A fix replaces the text written at the finding's line and column, and only if that text is still
written there (as is, or in quotes), so a fix made from an older reading never lands in the wrong
place. Nothing else in the file moves: comments, layout and the other lines stay as they are.
`check --fix` and the language server's quick fixes both come from here.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from cxpolicy.findings import Finding


@dataclass(frozen=True)
class Edit:
    """Replace the characters [column, end_column) of a 1-based line with `text`."""

    line: int
    column: int
    end_column: int
    text: str


@dataclass(frozen=True)
class Fix:
    finding: Finding
    title: str
    edits: tuple[Edit, ...]


def for_findings(findings: Iterable[Finding], text: str) -> list[Fix]:
    """The fixes that apply to one file's `text`, one per finding that has one, never two on one place."""
    lines = text.split("\n")
    fixes: list[Fix] = []
    taken: set[tuple[int, int]] = set()
    for finding in sorted(findings):
        if finding.fix is None or (finding.line, finding.column) in taken:
            continue
        edit = _edit(lines, finding)
        if edit is not None:
            taken.add((finding.line, finding.column))
            written, wanted = finding.fix
            fixes.append(Fix(finding, f"Write {wanted} instead of {written} ({finding.code})", (edit,)))
    return fixes


def _edit(lines: list[str], finding: Finding) -> Edit | None:
    assert finding.fix is not None
    written, wanted = finding.fix
    if not 1 <= finding.line <= len(lines) or not written or "\n" in written + wanted:
        return None
    here = lines[finding.line - 1]
    start = finding.column - 1
    if here.startswith(written, start):
        return Edit(finding.line, finding.column, finding.column + len(written), wanted)
    for quote in ("'", '"'):
        if here.startswith(quote + written + quote, start) and not wanted.startswith(('"', "'")):
            return Edit(finding.line, finding.column + 1, finding.column + 1 + len(written), wanted)
    return None


def apply(text: str, fixes: Iterable[Fix]) -> str:
    """`text` with the fixes' edits made (from the last to the first, so that none moves another)."""
    lines = text.split("\n")
    edits = sorted((edit for fix in fixes for edit in fix.edits), key=lambda e: (e.line, e.column), reverse=True)
    last: tuple[int, int] | None = None
    for edit in edits:
        if last is not None and edit.line == last[0] and edit.end_column > last[1]:
            continue  # overlaps the edit after it on this line: left for the next round
        here = lines[edit.line - 1]
        lines[edit.line - 1] = here[: edit.column - 1] + edit.text + here[edit.end_column - 1:]
        last = (edit.line, edit.column)
    return "\n".join(lines)


def diff(before: str, after: str, relpath: str) -> str:
    """A unified diff of one file, as `git apply` and `patch -p1` take it."""
    lines = difflib.unified_diff(before.splitlines(True), after.splitlines(True), f"a/{relpath}", f"b/{relpath}")
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)
