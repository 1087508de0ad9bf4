"""The rows every tabular format shows (text, Markdown, CSV), built once so their numbers agree."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cxpolicy.render.neutral import markdown, terminal
from cxpolicy.reports.coverage import MEASURES, CoverageReport
from cxpolicy.reports.ownership import JourneyMap, OwnershipReport

OWNERSHIP_COLUMNS = ("team", "executive", "role", "kind", "entity", "title", "where")
JOURNEY_COLUMNS = ("stage", "touchpoint", "channel", "accountable", "responsible", "standards", "KPIs", "hand-offs")
COVERAGE_COLUMNS = ("scope", "id", "title", *(name for name, _ in MEASURES))
HISTORY_COLUMNS = ("date", "commit", "author", *(name for name, _ in MEASURES), "errors", "warnings", "unowned",
                   "waivers", "loosened")


def ownership_rows(report: OwnershipReport) -> list[tuple[str, ...]]:
    """One row per (entity, team, role)."""
    return [
        (team.id, team.executive or "", holding.role, holding.kind, holding.entity.partition(":")[2], holding.title,
         "; ".join(holding.where))
        for team in report.teams() for holding in team.holdings
    ]


def journey_rows(journey: JourneyMap) -> list[tuple[str, ...]]:
    rows = []
    for cell in journey.cells:
        handoffs = "; ".join(
            f"{h.to} ({h.to_team or 'no owner'})" + (f" under {h.standard}" if h.standard else "") for h in cell.handoffs)
        touchpoint = cell.touchpoint + (" *" if cell.moment_of_truth else "")
        rows.append((cell.stage, touchpoint, cell.channel, cell.accountable or "UNOWNED", ", ".join(cell.responsible),
                     "; ".join(cell.standards), ", ".join(cell.kpis), handoffs))
    return rows


def coverage_rows(report: CoverageReport) -> list[tuple[str, ...]]:
    return [(row.scope, row.id, row.title, *(str(row.measures[name]) for name, _ in MEASURES)) for row in report.rows()]


def history_rows(history: Any) -> list[tuple[str, ...]]:
    """One row per revision, oldest first."""
    return [(p.date.isoformat(), p.commit[:10], p.author, *(p.measures[name] for name, _ in MEASURES), str(p.errors),
             str(p.warnings), str(p.unowned), str(p.waivers), str(p.loosened)) for p in history.revisions]


def text_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    rows = [[terminal(cell) for cell in row] for row in rows]
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows)]
    lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(line, widths)).rstrip()
             for line in (headers, *rows)]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A GitHub table; every cell is text, neutralised here (ids in `code` columns as code)."""
    lines = ["| " + " | ".join(markdown(h) for h in headers) + " |", "|" + " --- |" * len(headers)]
    lines += ["| " + " | ".join(markdown(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)
