from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from cxpolicy.cli import cli

REPO = Path(__file__).resolve().parent.parent
POLICIES = REPO / "policies"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def write_repo(root: Path, files: dict[str, str]) -> Path:
    """Create a policy folder from {relative path: text}."""
    for relpath, text in files.items():
        target = root / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def run():
    """Run the CLI in-process; returns click's Result (exit_code, stdout, stderr)."""
    runner = CliRunner()

    def invoke(*args: str, cwd: Path | None = None):
        previous = os.getcwd()
        if cwd is not None:
            os.chdir(cwd)
        try:
            return runner.invoke(cli, list(args), catch_exceptions=False)
        finally:
            os.chdir(previous)

    return invoke
