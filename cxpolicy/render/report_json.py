"""Reports as JSON for other tools. Each document carries `version` and `report` to say what it is."""

from __future__ import annotations

import json
from typing import Any

from cxpolicy import __version__
from cxpolicy.reports.coverage import MEASURES, CoverageReport
from cxpolicy.reports.impact import Impact
from cxpolicy.reports.ownership import OwnershipReport


def _dump(report: str, body: dict[str, Any]) -> str:
    document = {"version": 1, "tool": {"name": "cxpolicy", "version": __version__}, "report": report, **body}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def ownership(report: OwnershipReport) -> str:
    return _dump("ownership", {
        "team": report.team,
        "executives": [{
            "id": group.id,
            "title": group.title,
            "teams": [{
                "id": team.id, "title": team.title, "executive": team.executive, "reportsTo": team.reports_to,
                "codeowners": team.codeowners,
                "holdings": [{"entity": h.entity, "kind": h.kind, "title": h.title, "role": h.role,
                              "where": list(h.where)} for h in team.holdings],
            } for team in group.teams],
        } for group in report.executives],
        "journeys": [{
            "id": journey.id, "title": journey.title, "owner": journey.owner, "segments": journey.segments,
            "stages": [{"id": stage.id, "title": stage.title, "status": stage.status, "notes": list(stage.notes)}
                       for stage in journey.stages],
            "channels": journey.channels,
            "cells": [{
                "stage": c.stage, "touchpoint": c.touchpoint, "title": c.title, "channel": c.channel,
                "accountable": c.accountable, "responsible": c.responsible, "standards": c.standards,
                "kpis": c.kpis, "momentOfTruth": c.moment_of_truth, "status": c.status,
                "handoffs": [{"to": h.to, "toTeam": h.to_team, "standard": h.standard} for h in c.handoffs],
            } for c in journey.cells],
        } for journey in report.journeys],
        "unowned": [{"entity": u.entity, "kind": u.kind, "title": u.title, "file": u.file, "line": u.line,
                     "message": u.message} for u in report.unowned],
        "concentration": [{"team": c.team, "momentsOfTruth": c.moments, "total": c.total,
                           "share": round(c.share, 4)} for c in report.concentration],
    })


def coverage(report: CoverageReport) -> str:
    def row(r) -> dict[str, Any]:
        return {"scope": r.scope, "id": r.id, "title": r.title, "measures": {
            name: {"met": r.measures[name].met, "total": r.measures[name].total,
                   "share": None if r.measures[name].share is None else round(r.measures[name].share, 4)}
            for name, _ in MEASURES}}

    return _dump("coverage", {
        "measures": {name: words for name, words in MEASURES},
        "journeys": [row(r) for r in report.journeys],
        "segments": [row(r) for r in report.segments],
        "total": row(report.total),
    })


def impact(result: Impact) -> str:
    return _dump("impact", {
        "subject": result.subject,
        "title": result.title,
        "dependents": [{"relation": d.relation, "entity": d.entity, "title": d.title} for d in result.dependents],
        "consequences": [{"code": f.code, "entity": f.entity, "file": f.file, "line": f.line, "message": f.message}
                         for f in result.consequences],
    })


def diff(result) -> str:
    from cxpolicy.reports.diff import ATTENTION

    def finding(f) -> dict[str, Any]:
        return {"code": f.code, "severity": f.severity.value, "entity": f.entity, "file": f.file, "line": f.line,
                "message": f.message}

    return _dump("diff", {
        "base": result.base,
        "head": result.head,
        "changes": [{
            "category": c.category, "attention": c.category in ATTENTION, "entity": c.entity, "title": c.title,
            "summary": c.summary, "fields": [{"path": f.path, "old": f.old, "new": f.new} for f in c.fields],
        } for c in result.changes],
        "introduced": [finding(f) for f in result.introduced],
        "resolved": [finding(f) for f in result.resolved],
    })


def history(result) -> str:
    return _dump("history", {"revisions": [point.row() for point in result.revisions]})
