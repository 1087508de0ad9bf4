"""Reports as Markdown: a pull-request comment, a wiki page, a step summary.

Every value from the policy files goes through `md` (text) or `code` (an id or a
path): the GitHub renderer then shows it as written, with no markup, HTML, link,
image or mention it could carry.
"""

from __future__ import annotations

from cxpolicy.render.neutral import markdown as md
from cxpolicy.render.neutral import markdown_code as code

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
    parts = ["# Ownership" + (f" of team {code(report.team)}" if report.team else ""), ""]
    for group in report.executives:
        parts += [f"## {md(group.title)} ({code(group.id)})", ""]
        for team in group.teams:
            rows = [(h.role, h.kind, h.entity.partition(":")[2], h.title, "; ".join(h.where)) for h in team.holdings]
            reports_to = f", reports to {code(team.reports_to)}" if team.reports_to else ""
            parts += [f"### {md(team.title)} ({code(team.id)}{reports_to})", ""]
            parts += [markdown_table(OWNERSHIP_COLUMNS[2:], rows) if rows else "_Holds nothing._", ""]
    parts += ["## Journeys", ""]
    for journey in report.journeys:
        parts += [f"### {md(journey.title)} ({code(journey.id)})", "",
                  f"Owner: {code(journey.owner or 'none')}. Serves: {md(', '.join(journey.segments))}.", "",
                  markdown_table(JOURNEY_COLUMNS, journey_rows(journey)), ""]
    parts += ["`*` marks a moment of truth.", "", "## Unowned", ""]
    parts += [f"- {code(f'{u.file}:{u.line}')} {md(u.message)}" for u in report.unowned] or ["Nothing is unowned."]
    parts += ["", "## Moments of truth by accountable team", ""]
    parts += [markdown_table(("team", "moments of truth", "of", "share"),
                             [(c.team, str(c.moments), str(c.total), f"{c.share:.0%}") for c in report.concentration])]
    return "\n".join(parts) + "\n"


def coverage(report: CoverageReport) -> str:
    legend = [f"- **{name}**: {words}" for name, words in MEASURES]
    return "# Coverage\n\n" + markdown_table(COVERAGE_COLUMNS, coverage_rows(report)) + "\n\n" + "\n".join(legend) + "\n"


def impact(result: Impact) -> str:
    parts = [f"# Impact of {code(result.subject)} ({md(result.title)})", "", "## Depends on it", ""]
    parts += [f"- {md(d.relation)}: {code(d.entity)} ({md(d.title)})" for d in result.dependents] or [
        "Nothing refers to it."]
    if result.subject.startswith("team:"):
        parts += ["", "## If it were removed", ""]
        parts += [f"- {code(f.location())} {md(f.code)} {md(f.message)}" for f in result.consequences] or [
            "Nothing would become unowned or lose its executive line."]
    return "\n".join(parts) + "\n"


def _value(value) -> str:
    return "_none_" if value is None else code(value)


def diff(result) -> str:
    from cxpolicy.reports.diff import ATTENTION, CATEGORIES

    parts = [f"## Policy change: {code(result.base)} → {code(result.head)}", ""]
    if result.empty:
        return "\n".join(parts + ["No change to the policy."]) + "\n"
    attention = result.attention()
    if attention:
        parts += ["> [!WARNING]", "> **This change weakens what customers are promised.**", ">"]
        parts += [f"> - {code(c.entity)} ({md(c.title)}): {md(c.summary)}" for c in attention]
        parts.append("")
    for category, heading in CATEGORIES:
        found = [c for c in result.changes if c.category == category]
        if not found or category in ATTENTION:
            continue
        parts += [f"### {heading}", ""]
        for change in found:
            parts.append(f"- {code(change.entity)} ({md(change.title)}): {md(change.summary)}")
            if category == "changed":
                parts += [f"  - {code(f.path)}: {_value(f.old)} → {_value(f.new)}" for f in change.fields]
        parts.append("")
    for heading, findings in (("Findings introduced", result.introduced), ("Findings resolved", result.resolved)):
        if findings:
            parts += [f"### {heading}", ""]
            parts += [f"- {code(f.location())} {f.severity.value} {md(f.code)}: {md(f.message)}" for f in findings]
            parts.append("")
    return "\n".join(parts).rstrip("\n") + "\n"


def history(result) -> str:
    from cxpolicy.render.tables import HISTORY_COLUMNS, history_rows

    if not result.revisions:
        return "# History\n\nNo revision of the policy folder in that range.\n"
    legend = [f"- **{name}**: {words}" for name, words in MEASURES]
    return ("# History\n\n" + markdown_table(HISTORY_COLUMNS, history_rows(result)) + "\n\n" + "\n".join(legend)
            + "\n- **loosened**: standards loosened and targets lowered by that revision\n")
