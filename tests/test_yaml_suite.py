"""The YAML test suite (tests/vendor/yaml-test-suite): the reader against every case of the standard.

* No case raises or hangs.
* Every invalid case is rejected, or is one of libyaml's known leniencies (LENIENT), none of
  which an analyst is likely to write; the list can only shrink.
* Every valid case reads exactly as its in.json says, or is rejected by one of cxpolicy's
  documented strictness rules (tags, YAML 1.1 scalars, keys that are not words, tabs, too little
  indentation), or is valid YAML that libyaml cannot read (LIBYAML_REJECTS); that list can only
  shrink too.

docs/security.md lists both, and a test keeps it in step with this module.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cxpolicy import source

SUITE = Path(__file__).resolve().parent / "vendor" / "yaml-test-suite"
CASES = sorted(path.parent for path in SUITE.glob("**/in.yaml"))
DOCS = Path(__file__).resolve().parent.parent / "docs" / "security.md"

#: Invalid YAML that libyaml reads without complaint: directives without a document-end marker
#: before them, dashes inside flow sequences, and block-scalar indentation corner cases.
LENIENT = frozenset({"EB22", "G5U8", "MUS6/00", "MUS6/01", "RHX7", "S98Z", "YJV2"})

#: Valid YAML 1.2 that libyaml rejects as a syntax error (CX100): mostly flow-collection and
#: directive forms from the specification's corners.
LIBYAML_REJECTS = frozenset({
    "2JQS", "2LFX", "2SXE", "4ABK", "4MUZ/00", "4MUZ/01", "4MUZ/02", "58MP", "5MUD", "5T43", "6BCT", "6CA3",
    "6LVF", "6M2F", "7Z25", "8XYN", "96NN/00", "96NN/01", "9SA2", "A2M4", "BEC7", "CFD4", "DBG4", "DK3J",
    "DK95/00", "DK95/03", "DK95/04", "FP8R", "FRK4", "HM87/00", "HWV9", "K3WX", "M2N8/00", "M7A3", "MUS6/05",
    "MUS6/06", "NHX8", "NJ66", "NKF9", "Q5MG", "QT73", "R4YG", "S3PD", "SM9W/01", "UKK6/00", "UT92", "VJP3/01",
    "W4TN", "W5VH", "Y79Y/001", "Y79Y/010",
})

#: cxpolicy's own strictness (docs/format.md, "Strict YAML"): what it rejects on purpose.
STRICT_MESSAGES = ("indented with a tab", "continues the value begun", "'?' glued", "anchor name cannot hold")


def _name(case: Path) -> str:
    return case.relative_to(SUITE).as_posix()


def _expected(case: Path) -> list:
    decoder, text, position, documents = json.JSONDecoder(), (case / "in.json").read_text().strip(), 0, []
    while position < len(text):
        document, position = decoder.raw_decode(text, position)
        documents.append(document)
        while position < len(text) and text[position].isspace():
            position += 1
    return documents


def _strict(finding) -> bool:
    return finding.code in ("CX101", "CX102") or any(words in finding.message for words in STRICT_MESSAGES)


def test_the_suite_is_all_there():
    assert len(CASES) >= 350
    assert sum((case / "error").exists() for case in CASES) >= 90


@pytest.mark.parametrize("case", CASES, ids=_name)
def test_yaml_suite_case(case):
    name = _name(case)
    read = source.read_text("in.yaml", (case / "in.yaml").read_bytes())
    for finding in read.findings:
        assert finding.line >= 1 and finding.column >= 1
    if (case / "error").exists():
        if name in LENIENT:
            assert not read.findings, f"{name} is rejected now: remove it from LENIENT and docs/security.md"
        else:
            assert read.findings, f"{name} is invalid YAML and was read without a finding"
        return
    if name in LIBYAML_REJECTS:
        assert any(f.code == "CX100" and not _strict(f) for f in read.findings), \
            f"{name} is read now: remove it from LIBYAML_REJECTS and docs/security.md"
        return
    if read.findings:
        assert all(_strict(f) for f in read.findings), [f.message for f in read.findings]
        return
    if (case / "in.json").exists():
        assert [document.data for document in read.documents] == _expected(case)


def test_docs_list_the_leniencies_and_the_rejected_cases():
    text = DOCS.read_text()
    for name in sorted(LENIENT | LIBYAML_REJECTS):
        assert f"`{name}`" in text, f"docs/security.md does not list {name}"
