"""Same input, same bytes: across hash seeds, the order files were created in, and repeated runs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .conftest import POLICIES

COMMANDS = [
    ["check", "{root}", "-v"],
    ["check", "{root}", "--format", "json", "--show-waived"],
    ["check", "{root}", "--format", "sarif"],
    ["check", "{root}", "--format", "github"],
    ["check", "{root}", "--format", "junit"],
    ["report", "ownership", "{root}", "--format", "text"],
    ["report", "ownership", "{root}", "--format", "markdown"],
    ["report", "ownership", "{root}", "--format", "csv"],
    ["report", "ownership", "{root}", "--format", "json"],
    ["report", "ownership", "{root}", "--format", "html"],
    ["report", "coverage", "{root}", "--format", "json"],
    ["graph", "{root}", "--format", "json"],
    ["graph", "{root}", "--format", "graphml"],
    ["graph", "{root}", "--format", "dot"],
    ["graph", "{root}", "--format", "mermaid"],
    ["impact", "team:customer-care", "{root}", "--format", "json"],
    ["codeowners", "{root}"],
]

SCRIPT = """
import hashlib, json, sys
from click.testing import CliRunner
from cxpolicy.cli import cli
root, commands = sys.argv[1], json.loads(sys.argv[2])
digests = []
for command in commands:
    result = CliRunner().invoke(cli, [part.replace("{root}", root) for part in command])
    digests.append(hashlib.sha256(result.output.encode()).hexdigest() + f" {result.exit_code}")
print(json.dumps(digests))
"""


def digests(root: Path, seed: str) -> list[str]:
    """Output digests of every command, run as users do: on `policies` from the folder above it."""
    env = {**os.environ, "PYTHONHASHSEED": seed}
    result = subprocess.run([sys.executable, "-c", SCRIPT, root.name, json.dumps(COMMANDS)], cwd=root.parent, env=env,
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def copy_in_order(target: Path, reverse: bool) -> Path:
    """The example policies, with files and folders created in sorted or reversed order."""
    files = sorted(POLICIES.rglob("*"), reverse=reverse)
    for path in files:
        if path.is_file():
            destination = target / path.relative_to(POLICIES)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)
    return target


def test_outputs_are_byte_identical_across_hash_seeds_file_order_and_runs(tmp_path):
    forward = copy_in_order(tmp_path / "a" / "policies", reverse=False)
    backward = copy_in_order(tmp_path / "b" / "policies", reverse=True)
    baseline = digests(forward, "0")
    assert digests(forward, "12345") == baseline
    assert digests(forward, "0") == baseline
    assert digests(backward, "999") == baseline
    assert all(digest.endswith(" 0") for digest in baseline), "every command ran cleanly"

