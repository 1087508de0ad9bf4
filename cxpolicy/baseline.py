"""Baselines: the findings a repository already had, so CI fails only on new ones.

For repositories without the history `--new-only --base REF` needs. The file
lists each finding's stable key (code, entity or file, message without line
numbers), sorted and repeated as often as the finding occurs, so it diffs well,
shrinks as findings are fixed, and a second copy of a known finding is new.
"""

from __future__ import annotations

import json
from collections import Counter

from cxpolicy import __version__
from cxpolicy.atomic import write_atomic
from cxpolicy.findings import Finding, stable_key

Key = tuple[str, str, str]


class BaselineError(Exception):
    """The baseline file cannot be read (a usage error)."""


def write(path: str, findings: list[Finding]) -> int:
    keys = sorted(stable_key(finding) for finding in findings)  # repeated as often as the finding is
    document = {
        "version": 1,
        "tool": {"name": "cxpolicy", "version": __version__},
        "findings": [{"code": code, "subject": subject, "detail": detail} for code, subject, detail in keys],
    }
    write_atomic(path, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return len(keys)


def read(path: str) -> Counter[Key]:
    """The baseline's findings, each as many times as it was recorded."""
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
        return Counter((item["code"], item["subject"], item["detail"]) for item in document["findings"])
    except OSError as error:
        raise BaselineError(f"cannot read the baseline {path}: {error.strerror or error}") from None
    except (ValueError, KeyError, TypeError):
        raise BaselineError(f"{path} is not a cxpolicy baseline (write one with --write-baseline)") from None
