"""Rule cases kept as data (tests/rules/cases.yaml): edits of the example policy set and the findings they cause."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cxpolicy import engine, source

from .conftest import POLICIES

CASES_FILE = Path(__file__).resolve().parent / "rules" / "cases.yaml"
CASES = source.read_file(str(CASES_FILE.parent), CASES_FILE.name).documents[0].data["cases"]


def apply_edits(root: Path, edits: list[dict]) -> None:
    for edit in edits:
        path = root / edit["file"]
        text = path.read_text(encoding="utf-8")
        if "append" in edit:
            text = text.rstrip("\n") + "\n---\n" + edit["append"]
        else:
            assert text.count(edit["replace"]) == 1, f"{edit['replace']!r} must occur once in {edit['file']}"
            text = text.replace(edit["replace"], edit["with"])
        path.write_text(text, encoding="utf-8")


def test_every_rule_of_the_catalogue_has_a_case():
    from cxpolicy.catalogue import checks

    covered = {case["code"] for case in CASES}
    assert {c.code for c in checks() if "CX200" <= c.code < "CX600"} <= covered  # CX6xx: tests/test_measure.py


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_rule_case(case, tmp_path):
    root = tmp_path / "policies"
    shutil.copytree(POLICIES, root)
    apply_edits(root, case["edits"])
    findings = engine.run(str(root), engine.Options(verbose=True)).outcome.findings
    found = sorted({(f.entity, f.file, f.line) for f in findings if f.code == case["code"]})
    expected = sorted((e["entity"], e["file"], e["line"]) for e in case["expect"])
    assert found == expected, [f"{f.location()} {f.entity} {f.message}" for f in findings if f.code == case["code"]]
