"""The benchmark generator makes valid, clean, reproducible policy sets, so benchmarks time the real path."""

from __future__ import annotations

import filecmp
import importlib.util

import pytest

from cxpolicy import engine

from .conftest import REPO

spec = importlib.util.spec_from_file_location("generate", REPO / "benchmarks" / "generate.py")
generate = importlib.util.module_from_spec(spec)
spec.loader.exec_module(generate)


@pytest.mark.parametrize("touchpoints", [1, 7, 95, 1000])
def test_generated_repo_checks_clean(touchpoints, tmp_path):
    stats = generate.generate(touchpoints, 1, tmp_path)
    outcome = engine.run(str(tmp_path), engine.Options(verbose=True)).outcome
    assert outcome.findings == []
    assert len(engine.run(str(tmp_path), engine.Options()).policy.of("touchpoint")) == touchpoints == stats["touchpoints"]


def test_same_seed_same_files(tmp_path):
    generate.generate(300, 7, tmp_path / "a")
    generate.generate(300, 7, tmp_path / "b")
    comparison = filecmp.dircmp(tmp_path / "a", tmp_path / "b")
    assert not comparison.diff_files and not comparison.left_only and not comparison.right_only
    assert all(not sub.diff_files for sub in comparison.subdirs.values())
