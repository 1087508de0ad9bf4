"""The JSON output (version 1), the shape other tools rely on."""

from __future__ import annotations

import json

from cxpolicy import __version__
from cxpolicy.engine import Outcome
from cxpolicy.findings import Finding


def render(outcome: Outcome) -> str:
    document: dict = {
        "version": 1,
        "tool": {"name": "cxpolicy", "version": __version__},
        "root": outcome.root,
        "summary": {"files": outcome.files, "entities": outcome.entities, **outcome.counts},
        "findings": [_finding(f) for f in outcome.listed],
    }
    if outcome.show_waived:
        document["waived"] = [{**_finding(w.finding), "waiver": w.waiver, "reason": w.reason} for w in outcome.waived]
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _finding(f: Finding) -> dict:
    return {
        "code": f.code,
        "rule": f.rule,
        "severity": f.severity.value,
        "entity": f.entity,
        "file": f.file,
        "line": f.line,
        "column": f.column,
        "message": f.message,
        "hint": f.hint,
    }
