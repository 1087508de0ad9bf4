"""The browser report: one self-contained HTML page for executives.

Inline CSS, no script and no network: it opens offline, from an email
attachment or a CI artifact, and reads the same with JavaScript off. Every
string from the policy files is escaped by Jinja2's autoescape.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

import jinja2
import markupsafe

from cxpolicy import __version__
from cxpolicy.engine import Outcome
from cxpolicy.render import svg
from cxpolicy.render.neutral import html
from cxpolicy.render.text import plural
from cxpolicy.reports.coverage import MEASURES, CoverageReport
from cxpolicy.reports.executive import RAG_WORDS, ExecutiveView, rag, severity_order
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


_CODE = re.compile(r"`([^`]+)`")


def inline(text: str) -> markupsafe.Markup:
    """A hint's inline Markdown as HTML: `code` spans (the only markup hints use); everything else is text."""
    escaped = str(markupsafe.escape(html(text)))
    return markupsafe.Markup(_CODE.sub(r"<code>\1</code>", escaped))


@dataclass(frozen=True)
class Card:
    value: str
    label: str
    change: str = ""


def _cards(ownership: OwnershipReport, coverage: CoverageReport, outcome: Outcome, view: ExecutiveView,
           history: Any, scorecard: Any = None) -> list[Card]:
    """The headline numbers. The errors and warnings are the policy's; with data, the promises not kept in
    the latest complete period (the scorecard's standards off track or at risk) stand beside them."""
    live = sum(1 for waiver in view.waivers if waiver.state in ("live", "expires soon"))
    numbers = [("policy errors", outcome.counts.get("error", 0)), ("policy warnings", outcome.counts.get("warning", 0))]
    if scorecard is not None and not scorecard.error:
        numbers.append(("promises not kept", sum(1 for card in scorecard.standards if card.rag in ("red", "amber"))))
    numbers += [("unowned items", len(ownership.unowned)), ("waivers in force", live),
                ("touchpoints", coverage.total.measures["owned"].total), ("journeys", len(ownership.journeys))]
    base = history.revisions[0] if history is not None and len(history.revisions) > 1 else None
    before = {"policy errors": base.errors, "policy warnings": base.warnings, "unowned items": base.unowned,
              "waivers in force": base.waivers, "touchpoints": base.touchpoints,
              "journeys": base.journeys} if base is not None else {}
    cards = []
    for label, value in numbers:
        change = ""
        if label in before:
            delta = value - before[label]
            change = f"{'+' if delta > 0 else ''}{delta} since {base.date}" if delta else f"unchanged since {base.date}"
        cards.append(Card(str(value), label, change))
    return cards


def _touchpoint_counts(ownership: OwnershipReport) -> str:
    """How many touchpoints are in each state: a touchpoint in two journeys is counted once."""
    states: dict[str, str] = {}
    for journey in ownership.journeys:
        for cell in journey.cells:
            states[cell.touchpoint] = cell.status
    counts = Counter(states.values())
    shown = [f"{counts[status]} {status}" for status in STATUS_WORDS if counts[status]]
    return f"{plural(len(states), 'touchpoint')}: " + ", ".join(shown) if states else "no touchpoints on a map"


def _scorecard_charts(scorecard: Any) -> dict[str, Any]:
    charts: dict[str, Any] = {}
    for index, card in enumerate(scorecard.standards):
        promise = ("promised", tuple(round(card.promised * 100, 1) for _ in card.periods), "#5b6475")
        lines = [(name, values, colour) for (name, values), colour in zip(card.series, _SERIES_COLOURS)]
        charts[card.id] = svg.history(f"kept-{index}", f"{card.title}: share of interactions that met it, by period",
                                      [*lines, promise], list(card.periods), width=320, height=150,
                                      dashed=frozenset({"promised"}), legend_below=True)
    for index, card in enumerate(scorecard.kpis):
        charts["kpi:" + card.id] = svg.trajectory(f"kept-kpi-{index}", card.title, list(card.points), card.unit,
                                                  scorecard.as_of, actuals=list(card.actuals))
    return charts


def page(ownership: OwnershipReport, coverage: CoverageReport, outcome: Outcome, *, title: str, today: dt.date,
         view: ExecutiveView, policy: Any, history: Any = None, scorecard: Any = None) -> str:
    template = _environment().get_template("report.html.j2")
    green, amber = view.thresholds
    charts = {kpi.id: svg.trajectory(f"kpi-chart-{index}", kpi.title,
                                     [(point.when, point.value, point.label) for point in kpi.points], kpi.unit, today)
              for index, kpi in enumerate(view.kpis) if kpi.points}
    leading = [(kpi.id, kpi.title) for kpi in view.kpis if kpi.indicator == "leading"]
    lagging = [(kpi.id, kpi.title) for kpi in view.kpis if kpi.indicator == "lagging"]
    links = [(kpi.id, target) for kpi in view.kpis if kpi.indicator == "leading" for target in kpi.drives]
    titles = {kind: {entity.id: entity.title for entity in policy.of(kind)} for kind in ("team", "touchpoint", "channel")}
    return template.render(
        title=title,
        today=today.isoformat(),
        version=__version__,
        outcome=outcome,
        findings=sorted(outcome.listed, key=severity_order),
        ownership=ownership,
        coverage=coverage,
        view=view,
        cards=_cards(ownership, coverage, outcome, view, history, scorecard),
        charts=charts,
        drives_chart=svg.drives("drives", leading, lagging, links),
        history=history,
        scorecard=scorecard,
        scorecard_charts=_scorecard_charts(scorecard) if scorecard is not None and not scorecard.error else {},
        history_charts=_history_charts(history) if history is not None else None,
        measures=MEASURES,
        roles=ROLES,
        rag=lambda ratio: rag(ratio, green, amber),
        rag_words=RAG_WORDS,
        kind_words={"touchpoint": "touchpoint", "journey": "journey", "servicestandard": "standard", "kpi": "KPI",
                    "channel": "channel", "listeningpost": "listening post", "segment": "segment", "waiver": "waiver",
                    "dataset": "dataset"},
        inline=inline,
        plural=plural,
        percent=lambda value: f"{value:g}%",
        waived_journeys=_waived_journeys(outcome, view, policy),
        everyone_fed=_fed_to_every_executive(ownership),
        grids={journey.id: _grid(journey) for journey in ownership.journeys},
        touchpoint_counts=_touchpoint_counts(ownership),
        team_titles=titles["team"],
        touchpoint_titles=titles["touchpoint"],
        channel_titles=titles["channel"],
    )


def _fed_to_every_executive(ownership: OwnershipReport) -> list[str]:
    """The listening posts that feed every executive (a monthly scorecard, say): said once, not in each box."""
    fed = [{h.title for h in team.holdings if h.role == "fed"} for group in ownership.executives
           for team in group.teams if team.depth == 0 and team.id == group.id]
    if len(fed) < 2:
        return []
    return sorted(set.intersection(*fed))


@dataclass(frozen=True)
class WaivedNote:
    title: str
    expires: dt.date
    message: str


def _waived_journeys(outcome: Outcome, view: ExecutiveView, policy: Any) -> dict[str, list[WaivedNote]]:
    """The waived findings about each journey (or its stages), to show on its map with the waiver's end."""
    waivers = {waiver.id: waiver for waiver in view.waivers}
    found: dict[str, list[WaivedNote]] = {}
    for waived in outcome.waived:
        name = (waived.finding.entity or "").split("/")[0]
        waiver = waivers.get(waived.waiver)
        if name.startswith("journey:") and waiver is not None:
            found.setdefault(name.partition(":")[2], []).append(
                WaivedNote(waiver.title, waiver.expires, waived.finding.message))
    return found


#: A colour for each line of the history charts, told apart by their labels as well.
_SERIES_COLOURS = ("#2b5fb4", "#1a7a43", "#8a5a00", "#6b46c1", "#c53030")


def _history_charts(history: Any) -> dict[str, Any]:
    labels = [str(point.date) for point in history.revisions]
    shares = [(name, [point.shares[name] for point in history.revisions], colour)
              for (name, _), colour in zip(MEASURES, _SERIES_COLOURS)]
    counts = [("errors", [float(p.errors) for p in history.revisions], "#c53030"),
              ("warnings", [float(p.warnings) for p in history.revisions], "#8a5a00"),
              ("unowned", [float(p.unowned) for p in history.revisions], "#6b46c1")]
    return {"coverage": svg.history("history-coverage", "Coverage measures over time (percent)", shares, labels),
            "findings": svg.history("history-findings", "Errors, warnings and unowned items over time", counts, labels,
                                    percent=False)}
