"""The browser report: one self-contained HTML page for executives.

Inline CSS, no script and no network: it opens offline, from an email
attachment or a CI artifact, and reads the same with JavaScript off. Every
string from the policy files is escaped by Jinja2's autoescape.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import jinja2
import markupsafe

from cxpolicy import __version__
from cxpolicy.engine import Outcome
from cxpolicy.render.neutral import html
from cxpolicy.reports.coverage import MEASURES, CoverageReport
from cxpolicy.reports.ownership import ROLES, JourneyMap, OwnershipReport

STATUS_WORDS = {"clean": "clean", "warning": "warning", "error": "error", "unowned": "unowned"}


def _finalize(value: Any) -> Any:
    """Every value the template prints: text from the policy files loses the control characters HTML forbids."""
    if isinstance(value, str) and not isinstance(value, markupsafe.Markup):
        return html(value)
    return value


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        finalize=_finalize,
        loader=jinja2.PackageLoader("cxpolicy.render", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _grid(journey: JourneyMap) -> dict[str, dict[str, list[Any]]]:
    """Cells by channel (rows, the swimlanes) and stage (columns)."""
    grid: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for cell in journey.cells:
        grid[cell.channel][cell.stage].append(cell)
    return grid


def page(ownership: OwnershipReport, coverage: CoverageReport, outcome: Outcome, *, title: str, today: dt.date) -> str:
    statuses = [cell.status for journey in ownership.journeys for cell in journey.cells]
    template = _environment().get_template("report.html.j2")
    return template.render(
        title=title,
        today=today.isoformat(),
        version=__version__,
        outcome=outcome,
        ownership=ownership,
        coverage=coverage,
        measures=MEASURES,
        roles=ROLES,
        grids={journey.id: _grid(journey) for journey in ownership.journeys},
        status_counts={status: statuses.count(status) for status in STATUS_WORDS},
    )
