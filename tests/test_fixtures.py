"""Example files kept as data: tests/fixtures/negative/* each state the findings
they must produce (`# expect: CODE at LINE:COL "text in message or hint"`), and
tests/fixtures/positive/* must produce none. One runner serves them all."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from cxpolicy import policyset

from .conftest import FIXTURES

EXPECT = re.compile(r'#\s*expect:\s*(CX\d{3}) at (\d+):(\d+) "(.*)"')


def fixture_root(path: Path, tmp_path: Path) -> Path:
    if path.is_dir():
        return path
    shutil.copy(path, tmp_path / path.name)
    return tmp_path


def expectations(path: Path) -> list[tuple[str, int, int, str]]:
    return [(m[1], int(m[2]), int(m[3]), m[4]) for m in EXPECT.finditer(path.read_text(encoding="utf-8"))]


NEGATIVE = sorted((FIXTURES / "negative").iterdir())
POSITIVE = sorted((FIXTURES / "positive").iterdir())


def test_every_loading_code_has_a_negative_fixture():
    covered = {code for path in NEGATIVE for code, *_ in expectations(path)}
    assert {"CX100", "CX101", "CX102", "CX103", "CX104", "CX105", "CX106"} <= covered


@pytest.mark.parametrize("path", NEGATIVE, ids=lambda p: p.name)
def test_negative_fixture_gives_exactly_the_expected_findings(path, tmp_path):
    expected = expectations(path)
    assert expected, f"{path.name} states no expectation"
    findings = policyset.load(str(fixture_root(path, tmp_path))).findings
    assert [(f.code, f.line, f.column) for f in sorted(findings)] == [(code, line, column) for code, line, column, _ in expected]
    for finding, (_, _, _, text) in zip(sorted(findings), expected):
        assert text in f"{finding.message} {finding.hint}", finding
        assert finding.file == path.name


@pytest.mark.parametrize("path", POSITIVE, ids=lambda p: p.name)
def test_positive_fixture_gives_no_findings(path, tmp_path):
    assert policyset.load(str(fixture_root(path, tmp_path))).findings == []
