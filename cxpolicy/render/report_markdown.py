"""Reports as Markdown: a pull-request comment, a wiki page, a step summary."""

from __future__ import annotations

from cxpolicy.render.tables import (
    COVERAGE_COLUMNS,
    JOURNEY_COLUMNS,
    OWNERSHIP_COLUMNS,
    coverage_rows,
    journey_rows,
    markdown_table,
)
from cxpolicy.reports.coverage import MEASURES, CoverageReport
from cxpolicy.reports.impact import Impact
from cxpolicy.reports.ownership import OwnershipReport


def ownership(report: OwnershipReport) -> str:
    parts = ["# Ownership" + (f" of team `{report.team}`" if report.team else ""), ""]
    for group in report.executives:
        parts += [f"## {group.title} (`{group.id}`)", ""]
        for team in group.teams:
            rows = [(h.role, h.kind, h.entity.partition(":")[2], h.title, "; ".join(h.where)) for h in team.holdings]
            reports_to = f", reports to `{team.reports_to}`" if team.reports_to else ""
            parts += [f"### {team.title} (`{team.id}`{reports_to})", ""]
            parts += [markdown_table(OWNERSHIP_COLUMNS[2:], rows) if rows else "_Holds nothing._", ""]
    parts += ["## Journeys", ""]
    for journey in report.journeys:
        parts += [f"### {journey.title} (`{journey.id}`)", "",
                  f"Owner: `{journey.owner or 'none'}`. Serves: {', '.join(journey.segments)}.", "",
                  markdown_table(JOURNEY_COLUMNS, journey_rows(journey)), ""]
    parts += ["`*` marks a moment of truth.", "", "## Unowned", ""]
    parts += [f"- `{u.file}:{u.line}` {u.message}" for u in report.unowned] or ["Nothing is unowned."]
    parts += ["", "## Moments of truth by accountable team", ""]
    parts += [markdown_table(("team", "moments of truth", "of", "share"),
                             [(c.team, str(c.moments), str(c.total), f"{c.share:.0%}") for c in report.concentration])]
    return "\n".join(parts) + "\n"


def coverage(report: CoverageReport) -> str:
    legend = [f"- **{name}**: {words}" for name, words in MEASURES]
    return "# Coverage\n\n" + markdown_table(COVERAGE_COLUMNS, coverage_rows(report)) + "\n\n" + "\n".join(legend) + "\n"


def impact(result: Impact) -> str:
    parts = [f"# Impact of `{result.subject}` ({result.title})", "", "## Depends on it", ""]
    parts += [f"- {d.relation}: `{d.entity}` ({d.title})" for d in result.dependents] or ["Nothing refers to it."]
    if result.subject.startswith("team:"):
        parts += ["", "## If it were removed", ""]
        parts += [f"- `{f.location()}` {f.code} {f.message}" for f in result.consequences] or [
            "Nothing would become unowned or lose its executive line."]
    return "\n".join(parts) + "\n"


def _value(value) -> str:
    return "_none_" if value is None else f"`{value}`"


def diff(result) -> str:
    from cxpolicy.reports.diff import ATTENTION, CATEGORIES

    parts = [f"## Policy change: `{result.base}` → `{result.head}`", ""]
    if result.empty:
        return "\n".join(parts + ["No change to the policy."]) + "\n"
    attention = result.attention()
    if attention:
        parts += ["> [!WARNING]", "> **This change weakens what customers are promised.**", ">"]
        parts += [f"> - `{c.entity}` ({c.title}): {c.summary}" for c in attention]
        parts.append("")
    for category, heading in CATEGORIES:
        found = [c for c in result.changes if c.category == category]
        if not found or category in ATTENTION:
            continue
        parts += [f"### {heading}", ""]
        for change in found:
            parts.append(f"- `{change.entity}` ({change.title}): {change.summary}")
            if category == "changed":
                parts += [f"  - `{f.path}`: {_value(f.old)} → {_value(f.new)}" for f in change.fields]
        parts.append("")
    for heading, findings in (("Findings introduced", result.introduced), ("Findings resolved", result.resolved)):
        if findings:
            parts += [f"### {heading}", ""]
            parts += [f"- `{f.location()}` {f.severity.value} {f.code}: {f.message}" for f in findings]
            parts.append("")
    return "\n".join(parts).rstrip("\n") + "\n"
