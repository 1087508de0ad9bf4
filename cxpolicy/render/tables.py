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


#: The narrowest a column is made when a table is fitted to a width; its text wraps within it.
NARROWEST = 8


def text_table(headers: Sequence[str], rows: Sequence[Sequence[str]], width: int | None = None) -> str:
    """A table for a terminal; with `width`, the widest columns are narrowed (their text wrapped onto more
    lines) until every line fits, as far as NARROWEST columns allow."""
    rows = [[terminal(cell) for cell in row] for row in rows]
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows)]
    if width is not None:
        words = [max([len(h), *(len(word) for cell in column for word in str(cell).split())])
                 for h, column in zip(headers, zip(*rows) if rows else [()] * len(headers))]
        room = width - 2 * (len(widths) - 1)
        widths = _fitted(widths, words, room)  # down to each column's longest word, keeping ids whole
        if sum(widths) > room:  # too many columns for the width: one record per row instead
            return _records(headers, rows, width)
    lines = [_row(headers, widths)]
    lines.append("  ".join("-" * w for w in widths))
    lines += [_row(row, widths) for row in rows]
    return "\n".join(lines)


def _records(headers: Sequence[str], rows: Sequence[Sequence[str]], width: int) -> str:
    """Each row as a block: its first cell as a heading, then `header: value` lines wrapped to `width`."""
    import textwrap

    blocks = []
    for row in rows:
        lines = textwrap.wrap(f"{headers[0]} {row[0]}", width) or [""]
        for header, cell in zip(headers[1:], row[1:]):
            if str(cell):
                lines += textwrap.wrap(f"{header}: {cell}", width, initial_indent="  ", subsequent_indent="      ",
                                       break_on_hyphens=False)
        blocks.append("\n".join(lines))
    return "\n".join(blocks)


def _fitted(widths: list[int], floors: list[int], room: int) -> list[int]:
    """Narrow the widest column that can still be narrowed, one character at a time, until they fit."""
    widths = list(widths)
    while sum(widths) > room:
        narrowable = [i for i in range(len(widths)) if widths[i] > max(floors[i], NARROWEST)]
        if not narrowable:
            break
        widths[max(narrowable, key=lambda i: (widths[i], -i))] -= 1
    return widths


def _row(cells: Sequence[str], widths: list[int]) -> str:
    import textwrap

    wrapped = [textwrap.wrap(str(cell), w, break_on_hyphens=False) or [""] for cell, w in zip(cells, widths)]
    height = max(len(lines) for lines in wrapped)
    return "\n".join("  ".join((lines[i] if i < len(lines) else "").ljust(w) for lines, w in zip(wrapped, widths)).rstrip()
                     for i in range(height))


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A GitHub table; every cell is text, neutralised here (ids in `code` columns as code)."""
    lines = ["| " + " | ".join(markdown(h) for h in headers) + " |", "|" + " --- |" * len(headers)]
    lines += ["| " + " | ".join(markdown(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)
