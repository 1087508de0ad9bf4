"""The JSON output (version 1), the shape other tools rely on."""

from __future__ import annotations

import json

from cxpolicy import __version__
from cxpolicy.engine import Outcome


def render(outcome: Outcome) -> str:
    document = {
        "version": 1,
        "tool": {"name": "cxpolicy", "version": __version__},
        "root": outcome.root,
        "summary": {"files": outcome.files, "entities": outcome.entities, **outcome.counts},
        "findings": [
            {
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
            for f in outcome.findings
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
