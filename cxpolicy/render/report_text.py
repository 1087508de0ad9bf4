"""Reports as plain text for a terminal."""

from __future__ import annotations

import textwrap

from cxpolicy.render.neutral import terminal
from cxpolicy.render.tables import (COVERAGE_COLUMNS, HISTORY_COLUMNS, JOURNEY_COLUMNS, coverage_rows, history_rows,
                                    journey_rows, text_table)
from cxpolicy.reports.coverage import MEASURES, CoverageReport
from cxpolicy.reports.impact import Impact
from cxpolicy.reports.ownership import ROLES, OwnershipReport


def _counts(team) -> str:
    parts = [f"{team.count(role)} {role}" for role in ROLES if team.count(role)]
    return ", ".join(parts) or "holds nothing"


def ownership(report: OwnershipReport, width: int | None = None) -> str:
    lines = ["OWNERSHIP" + (f" of team {report.team}" if report.team else ""), ""]
    for group in report.executives:
        lines.append(f"{group.id}  {group.title}")
        for team in group.teams:
            indent = "  " * (team.depth + 1)
            lines.append(f"{indent}{team.id} ({team.title}): {_counts(team)}")
            for holding in team.holdings:
                where = f"  [{'; '.join(holding.where)}]" if holding.where else ""
                lines.append(f"{indent}    {holding.role:<11} {holding.kind} {holding.entity.partition(':')[2]}{where}")
        lines.append("")
    for journey in report.journeys:
        heading = (f"JOURNEY {journey.id} ({journey.title}), owner {journey.owner or 'NONE'}, "
                   f"serving {', '.join(journey.segments)}")
        lines += textwrap.wrap(heading, width, subsequent_indent="  ") if width else [heading]
        lines += text_table(JOURNEY_COLUMNS, journey_rows(journey), width).split("\n")
        lines.append("")
    lines.append("UNOWNED")
    lines += [f"  {u.file}:{u.line}: {u.message}" for u in report.unowned] or ["  Nothing is unowned."]
    lines += ["", "MOMENTS OF TRUTH BY ACCOUNTABLE TEAM"]
    lines += [f"  {c.team}: {c.moments} of {c.total} ({c.share:.0%})" for c in report.concentration] or ["  None."]
    lines.append("")
    lines.append("* moment of truth")
    return _text(lines, width)


def _text(lines: list[str], width: int | None = None) -> str:
    """The report: each line built by this module from values it neutralises here, whatever they hold;
    with `width`, a longer line wraps, its continuation indented below its start."""
    shown = [terminal(line) for text in lines for line in text.split("\n")]
    if width is not None:
        shown = [part for line in shown for part in (_wrap(line, width) if len(line) > width else [line])]
    return "\n".join(shown) + "\n"


def _wrap(line: str, width: int) -> list[str]:
    indent = " " * (len(line) - len(line.lstrip()))
    return textwrap.wrap(line, width, initial_indent=indent, subsequent_indent=indent + "    ",
                         break_on_hyphens=False) or [line]


def coverage(report: CoverageReport, width: int | None = None) -> str:
    legend = [f"  {name}: {words}" for name, words in MEASURES]
    return _text(["COVERAGE", "", *text_table(COVERAGE_COLUMNS, coverage_rows(report), width).split("\n"), "", *legend],
                 width)


def impact(result: Impact) -> str:
    lines = [f"IMPACT of {result.subject} ({result.title})", "", "Depends on it:"]
    lines += [f"  {d.relation:<16} {d.entity}" for d in result.dependents] or ["  Nothing refers to it."]
    if result.subject.startswith("team:"):
        lines += ["", "If it were removed:"]
        lines += [f"  {f.location()}: {f.code} {f.message}" for f in result.consequences] or [
            "  Nothing would become unowned or lose its executive line."]
    return _text(lines)


def diff(result) -> str:
    from cxpolicy.reports.diff import ATTENTION, CATEGORIES

    lines = [f"POLICY CHANGE {result.base} -> {result.head}", ""]
    if result.empty:
        return _text(lines + ["No change to the policy."])
    attention = result.attention()
    if attention:
        lines.append("NEEDS ATTENTION: this change weakens what customers are promised")
        lines += [f"  ! {c.entity}: {c.summary}" for c in attention]
        lines.append("")
    for category, heading in CATEGORIES:
        found = [c for c in result.changes if c.category == category]
        if not found or category in ATTENTION:
            continue
        lines.append(heading.upper())
        for change in found:
            lines.append(f"  {change.entity}: {change.summary}")
            lines += [f"      {f.path}: {f.old!r} -> {f.new!r}" for f in change.fields if category == "changed"]
        lines.append("")
    for heading, findings in (("FINDINGS INTRODUCED", result.introduced), ("FINDINGS RESOLVED", result.resolved)):
        if findings:
            lines.append(heading)
            lines += [f"  {f.location()}: {f.severity.value} {f.code} {f.message}" for f in findings]
            lines.append("")
    while lines and not lines[-1]:
        lines.pop()
    return _text(lines)


def history(result, width: int | None = None) -> str:
    if not result.revisions:
        return _text(["HISTORY", "", "No revision of the policy folder in that range."])
    legend = [f"  {name}: {words}" for name, words in MEASURES]
    return _text([f"HISTORY of {result.root} ({len(result.revisions)} revisions, oldest first)", "",
                  *text_table(HISTORY_COLUMNS, history_rows(result), width).split("\n"), "", *legend,
                  "  loosened: standards loosened and targets lowered by that revision"], width)
