"""SARIF 2.1.0, for GitHub code scanning and other static-analysis dashboards."""

from __future__ import annotations

import json

from cxpolicy import __version__
from cxpolicy.catalogue import checks
from cxpolicy.engine import Outcome
from cxpolicy.findings import Finding
from cxpolicy.render import ci_path
from cxpolicy.render.rule_docs import page

_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/cxpolicy/cxpolicy"


def render(outcome: Outcome) -> str:
    catalogue = checks()
    index = {check.code: position for position, check in enumerate(catalogue)}
    rules = [
        {
            "id": check.code,
            "name": check.slug,
            "shortDescription": {"text": check.summary},
            "fullDescription": {"text": check.why},
            "help": {"text": f"{check.summary}\n\n{check.fix}", "markdown": page(check, heading="##")},
            "defaultConfiguration": {"level": _LEVEL[check.severity.value]},
        }
        for check in catalogue
    ]
    results = [_result(f, index, outcome.root) for f in outcome.listed]
    for waived in outcome.waived:
        result = _result(waived.finding, index, outcome.root)
        result["suppressions"] = [{"kind": "external", "status": "accepted",
                                   "justification": f"waiver {waived.waiver}: {waived.reason}"}]
        results.append(result)
    document = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "cxpolicy",
                "version": __version__,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }},
            "results": results,
        }],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _result(f: Finding, index: dict[str, int], root: str) -> dict:
    result: dict = {
        "ruleId": f.code,
        "level": _LEVEL[f.severity.value],
        "message": {"text": f.message + (f" ({f.hint})" if f.hint else "")},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": ci_path(root, f.file)},
                "region": {"startLine": f.line, "startColumn": f.column},
            },
            **({"logicalLocations": [{"fullyQualifiedName": f.entity}]} if f.entity else {}),
        }],
    }
    if f.code in index:
        result["ruleIndex"] = index[f.code]
    return result
