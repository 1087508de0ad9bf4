"""`cxpolicy measure` in each format: the attainments of the latest complete period, the KPIs against
their trajectories, and the CX6xx findings. Rows are built once (rows, kpi_rows) so the formats agree."""

from __future__ import annotations

import json
from typing import Any

from cxpolicy import __version__
from cxpolicy.measure import NO_SEGMENT, Measurement, kept, on_track, target_share, trajectory_value

COLUMNS = ("period", "standard", "segment", "interactions", "met", "attainment", "promised", "kept")
KPI_COLUMNS = ("kpi", "latest", "value", "on the line", "on track", "next target", "by")


def rows(result: Measurement, policy: Any, *, latest_only: bool = True) -> list[tuple[str, ...]]:
    found = []
    for item in result.attainments:
        if latest_only and item.period != result.latest:
            continue
        standard = policy.get(f"servicestandard:{item.standard}")
        if standard is None:
            continue
        found.append((item.period.isoformat(), item.standard, item.segment or NO_SEGMENT, str(item.rows), str(item.met),
                      f"{item.share:.1%}", f"{target_share(standard):.0%}", "yes" if kept(standard, item.share) else "NO"))
    return found


def kpi_rows(result: Measurement, policy: Any) -> list[tuple[str, ...]]:
    found = []
    for kpi in policy.of("kpi"):
        overall = [(when, value) for when, segment, value in result.actuals.get(kpi.id, []) if not segment]
        if not overall:
            continue
        when, value = overall[-1]
        line = trajectory_value(kpi, when)
        track = on_track(kpi, value, line)
        found.append((kpi.id, when.isoformat(), f"{value:g}", f"{line[0]:.1f}" if line else "",
                      "" if track is None else "yes" if track else "NO",
                      f"{float(line[1].value):g}" if line else "", line[1].by.isoformat() if line else ""))
    return found


def text(result: Measurement, policy: Any, outcome: Any, *, colour: bool = False, width: int | None = None) -> str:
    from cxpolicy.render import text as findings_text
    from cxpolicy.render.neutral import terminal
    from cxpolicy.render.tables import text_table

    period = result.latest.isoformat() if result.latest else "none"
    lines = [f"MEASURED as of {result.as_of.isoformat()}, by {result.period}; latest complete {result.period} from "
             f"{period}", ""]
    found = rows(result, policy)
    lines += text_table(COLUMNS, found, width).split("\n") if found else ["  No interaction in that period."]
    kpis = kpi_rows(result, policy)
    if kpis:
        lines += ["", "KPIS"] + text_table(KPI_COLUMNS, kpis, width).split("\n")
    return "\n".join(terminal(line) for line in lines) + "\n\n" + findings_text.render(outcome, colour=colour)


def markdown(result: Measurement, policy: Any, outcome: Any) -> str:
    from cxpolicy.render.neutral import markdown as md
    from cxpolicy.render.tables import markdown_table

    parts = [f"# Promises kept, as of {result.as_of.isoformat()}", ""]
    found = rows(result, policy)
    parts += [markdown_table(COLUMNS, found) if found else "No interaction in the latest complete period.", ""]
    kpis = kpi_rows(result, policy)
    if kpis:
        parts += ["## KPIs", "", markdown_table(KPI_COLUMNS, kpis), ""]
    parts += ["## Findings", ""]
    parts += [f"- **{f.severity.value}** {f.code} `{f.file}:{f.line}`: {md(f.message)}" for f in outcome.listed] or [
        "No promise broken."]
    return "\n".join(parts) + "\n"


def csv(result: Measurement, policy: Any, outcome: Any) -> str:
    from cxpolicy.render.report_csv import _csv

    return _csv(COLUMNS, rows(result, policy, latest_only=False))


def json_document(result: Measurement, policy: Any, outcome: Any) -> str:
    from cxpolicy.cache import dump_finding

    def attainment(item: Any) -> dict[str, Any]:
        standard = policy.get(f"servicestandard:{item.standard}")
        return {"standard": item.standard, "segment": item.segment or None, "period": item.period.isoformat(),
                "interactions": item.rows, "met": item.met, "attainment": round(item.share, 6),
                "promised": target_share(standard) if standard else None,
                "kept": kept(standard, item.share) if standard else None}

    document = {
        "version": 1, "tool": {"name": "cxpolicy", "version": __version__}, "report": "measure",
        "asOf": result.as_of.isoformat(), "period": result.period,
        "latest": result.latest.isoformat() if result.latest else None,
        "attainments": [attainment(item) for item in result.attainments],
        "kpis": {kpi: [{"period": when.isoformat(), "segment": segment or None, "value": value}
                       for when, segment, value in values] for kpi, values in sorted(result.actuals.items())},
        "unmeasured": [{"dataset": p.dataset, "problem": p.problem, "value": p.value, "rows": p.rows}
                       for p in result.problems],
        "findings": [dump_finding(f) for f in outcome.findings],
        "counts": outcome.counts,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
