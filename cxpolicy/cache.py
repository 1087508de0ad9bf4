"""The warm-run cache (`--cache`): an unchanged policy set is not checked twice.

A run's findings are stored under a key made of the tool's version, the date
and options the findings depend on, and the content hash of every YAML file
below the policy root (excluded ones too: cheaper than reading the project
file to know which, and never stale). Any edit changes the key, so a cached
answer is only ever reused for exactly the same input.

Entries are JSON (reading one can never run code) signed with a key kept in
the user's cache folder, so a cache committed to a repository, or edited by
hand, is ignored rather than trusted. The folder is `.cxpolicy_cache/` at the
policy root; it ignores itself in git and is safe to delete.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path
from typing import Any

from cxpolicy import __version__
from cxpolicy.atomic import write_atomic
from cxpolicy.discover import PROJECT_FILE, policy_files
from cxpolicy.findings import Finding, Severity

FOLDER = ".cxpolicy_cache"
KEEP = 8  # entries kept: the latest runs (every edit makes a new one)


def _secret() -> bytes:
    home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "cxpolicy"
    path = home / "signing-key"
    try:
        return path.read_bytes()
    except OSError:
        home.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(32)
        write_atomic(str(path), key.hex())
        os.chmod(path, 0o600)
        return path.read_bytes()


def key(root: str, settings: dict[str, Any]) -> str:
    """The content address of a run: tool version, settings, and every YAML file's bytes."""
    digest = hashlib.sha256(json.dumps({"version": __version__, **settings}, sort_keys=True).encode())
    files = sorted(policy_files(root).files + ([PROJECT_FILE] if os.path.isfile(os.path.join(root, PROJECT_FILE)) else []))
    for relpath in files:
        try:
            with open(os.path.join(root, relpath), "rb") as handle:
                content = hashlib.sha256(handle.read()).hexdigest()
        except OSError:
            content = "unreadable"
        digest.update(f"{relpath}\0{content}\n".encode())
    return digest.hexdigest()


def _entry(root: str, address: str) -> Path:
    return Path(root) / FOLDER / f"{address}.json"


def load(root: str, address: str) -> dict[str, Any] | None:
    try:
        text = _entry(root, address).read_text(encoding="utf-8")
        signature, _, body = text.partition("\n")
    except OSError:
        return None
    expected = hmac.new(_secret(), body.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(signature, expected):
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


def store(root: str, address: str, record: dict[str, Any]) -> None:
    folder = Path(root) / FOLDER
    try:
        folder.mkdir(exist_ok=True)
        if not (folder / ".gitignore").exists():
            write_atomic(str(folder / ".gitignore"), "# cxpolicy's cache: safe to delete\n*\n")
        body = json.dumps(record, sort_keys=True, ensure_ascii=False)
        signature = hmac.new(_secret(), body.encode(), hashlib.sha256).hexdigest()
        write_atomic(str(_entry(root, address)), f"{signature}\n{body}")
        entries = sorted(folder.glob("*.json"), key=lambda path: path.stat().st_mtime, reverse=True)
        for stale in entries[KEEP:]:
            stale.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only checkout still gets its answer, just not cached


def dump_finding(finding: Finding) -> dict[str, Any]:
    return {"file": finding.file, "line": finding.line, "column": finding.column, "code": finding.code,
            "message": finding.message, "rule": finding.rule, "severity": finding.severity.value,
            "entity": finding.entity, "hint": finding.hint}


def load_finding(data: dict[str, Any]) -> Finding:
    return Finding(data["file"], data["line"], data["column"], data["code"], data["message"], data["rule"],
                   Severity(data["severity"]), data["entity"], data["hint"])
