"""SARIF 2.1.0, for GitHub code scanning and other static-analysis dashboards.

Every result's rule has a descriptor, the CX office's own Rules included;
file locations are percent-encoded URIs relative to the checkout (`SRCROOT`),
and each result carries a fingerprint of its stable key, so a dashboard tracks
a finding across edits that move its line.
"""

from __future__ import annotations

import hashlib
import json
from urllib.parse import quote

from cxpolicy import __version__
from cxpolicy.catalogue import checks
from cxpolicy.engine import Outcome
from cxpolicy.findings import Finding, stable_key
from cxpolicy.render import ci_path
from cxpolicy.render.rule_docs import page

_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/cxpolicy/cxpolicy"
SOURCE_ROOT = "SRCROOT"


def _rules(outcome: Outcome) -> list[dict]:
    descriptors = [
        {
            "id": check.code,
            "name": check.slug,
            "shortDescription": {"text": check.summary},
            "fullDescription": {"text": check.why},
            "help": {"text": f"{check.summary}\n\n{check.fix}", "markdown": page(check, heading="##")},
            "defaultConfiguration": {"level": _LEVEL[check.severity.value]},
        }
        for check in checks()
    ]
    for rule in outcome.own_rules:
        help_text = rule.help or f"The CX office's rule {rule.code}, declared in {rule.file}."
        descriptors.append({
            "id": rule.code,  # a Rule's id is already its readable name: SARIF then leaves `name` out
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": f"{rule.summary} (the CX office's own rule, in {rule.file})"},
            "help": {"text": help_text},
            "defaultConfiguration": {"level": _LEVEL[rule.severity.value]},
        })
    return descriptors


def render(outcome: Outcome) -> str:
    rules = _rules(outcome)
    index = {rule["id"]: position for position, rule in enumerate(rules)}
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
            "originalUriBaseIds": {SOURCE_ROOT: {
                "description": {"text": "The checkout: the folder cxpolicy was run from."}}},
            "results": results,
        }],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _result(f: Finding, index: dict[str, int], root: str) -> dict:
    region: dict = {"startLine": f.line, "startColumn": f.column}
    if f.end is not None:
        region.update(endLine=f.end[0], endColumn=f.end[1])
    key = "\0".join(stable_key(f))
    result: dict = {
        "ruleId": f.code,
        "level": _LEVEL[f.severity.value],
        "message": {"text": f.message + (f" ({f.hint})" if f.hint else "")},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": quote(ci_path(root, f.file), safe="/"), "uriBaseId": SOURCE_ROOT},
                "region": region,
            },
            **({"logicalLocations": [{"fullyQualifiedName": f.entity}]} if f.entity else {}),
        }],
        "partialFingerprints": {"cxpolicyFinding/v1": hashlib.sha256(key.encode("utf-8", "backslashreplace")).hexdigest()},
    }
    if f.code in index:
        result["ruleIndex"] = index[f.code]
    return result
