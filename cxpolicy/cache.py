"""The warm-run cache (`--cache`): an unchanged policy set is not checked twice.

A run's findings are stored under an address made of the tool's version, the
date and options the findings depend on, and the content of every YAML file
below the policy root (excluded ones too: cheaper than reading the project
file to know which, and never stale). Any edit changes the address, so a
cached answer is only ever reused for exactly the same input.

The cache folder `.cxpolicy_cache/` sits in the policy folder, which a pull
request's author controls, so nothing in it is trusted:

* entries are JSON (reading one can never run code), signed with a key kept
  in the user's own cache folder (created private, 0600 in a 0700 folder);
* the signature covers the entry's address and the policy root's real path as
  well as its body, so an entry copied from another repository, another
  address or another checkout is refused;
* an entry that is a link, or not a regular file, or larger than MAX_ENTRY_BYTES,
  or not UTF-8 JSON, is refused; a cache folder that is a link is neither read
  nor written, and pruning removes only regular files named like entries;
* policy files are hashed only when they are regular files, in bounded chunks,
  so a FIFO or a huge blob cannot stall or exhaust the run.

The answer keeps nothing of the run that made it but its findings: the root is
always the one named now, so annotations point at this checkout's files.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import stat
from pathlib import Path
from typing import Any

from cxpolicy import __version__
from cxpolicy.atomic import write_atomic
from cxpolicy.discover import PROJECT_FILE, policy_files, read_plain
from cxpolicy.findings import Finding, Severity
from cxpolicy.source import Limits

FOLDER = ".cxpolicy_cache"
KEEP = 8  # entries kept: the latest runs (every edit makes a new one)
MAX_ENTRY_BYTES = 64 * 1024 * 1024
_ENTRY_NAME = re.compile(r"[0-9a-f]{64}\.json\Z")
_CHUNK = 1024 * 1024


def _secret() -> bytes:
    home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "cxpolicy"
    path = home / "signing-key"
    try:
        return path.read_bytes()
    except OSError:
        home.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(home, 0o700)
        write_atomic(str(path), secrets.token_hex(32), mode=0o600)  # private from its first byte
        return path.read_bytes()


def _file_digest(path: str) -> str:
    """A policy file's content hash; only regular files are opened for reading, in bounded chunks."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO opens without blocking, then is refused
    except OSError:
        return "unreadable"
    with os.fdopen(descriptor, "rb") as handle:
        status = os.fstat(handle.fileno())
        if not stat.S_ISREG(status.st_mode):
            return "not-a-regular-file"
        if status.st_size > Limits().max_file_bytes:
            return f"too-large:{status.st_size}"  # refused whatever it holds: its size is the whole verdict
        digest = hashlib.sha256()
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
        return digest.hexdigest()


def key(root: str, settings: dict[str, Any]) -> str:
    """The content address of a run: tool version, settings, and every YAML file's bytes."""
    digest = hashlib.sha256(json.dumps({"version": __version__, **settings}, sort_keys=True).encode())
    found = policy_files(root)
    files = sorted(found.files + ([PROJECT_FILE] if os.path.isfile(os.path.join(root, PROJECT_FILE)) else []))
    for relpath in files:
        digest.update(f"{relpath}\0{_file_digest(os.path.join(root, relpath))}\n".encode("utf-8", "backslashreplace"))
    for relpath in found.outside_links + found.unreadable + found.misnamed:
        digest.update(f"{relpath}\0outside\n".encode("utf-8", "backslashreplace"))
    return digest.hexdigest()


def _folder(root: str) -> Path | None:
    """The cache folder, or None when it exists as anything but a real folder (a link is never followed)."""
    folder = Path(root) / FOLDER
    try:
        status = os.lstat(folder)
    except FileNotFoundError:
        return folder
    except OSError:
        return None
    return folder if stat.S_ISDIR(status.st_mode) else None


def _signature(address: str, root: str, body: str) -> str:
    bound = f"{address}\0{os.path.realpath(root)}\0{body}".encode("utf-8", "surrogatepass")
    return hmac.new(_secret(), bound, hashlib.sha256).hexdigest()


def load(root: str, address: str) -> dict[str, Any] | None:
    folder = _folder(root)
    raw = read_plain(str(folder / f"{address}.json"), MAX_ENTRY_BYTES)[0] if folder is not None else None
    if raw is None:
        return None
    try:
        signature, _, body = raw.decode("utf-8").partition("\n")
    except UnicodeDecodeError:
        return None
    if not hmac.compare_digest(signature.encode("ascii", "replace"), _signature(address, root, body).encode()):
        return None
    try:
        record = json.loads(body)
    except ValueError:
        return None
    return record if isinstance(record, dict) and record.get("address") == address else None


def store(root: str, address: str, record: dict[str, Any]) -> None:
    folder = _folder(root)
    if folder is None:
        return  # a link or a file where the folder should be: never written through
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        if _folder(root) is None:
            return
        ignore = folder / ".gitignore"
        if not os.path.lexists(ignore):
            write_atomic(str(ignore), "# cxpolicy's cache: safe to delete\n*\n")
        body = json.dumps({**record, "address": address}, sort_keys=True, ensure_ascii=True)
        write_atomic(str(folder / f"{address}.json"), f"{_signature(address, root, body)}\n{body}", mode=0o600)
        _prune(folder)
    except OSError:
        pass  # a read-only checkout still gets its answer, just not cached


def _prune(folder: Path) -> None:
    """Keep the KEEP newest entries; only regular files named like entries are ever removed."""
    entries = []
    for path in folder.iterdir():
        status = os.lstat(path)
        if _ENTRY_NAME.match(path.name) and stat.S_ISREG(status.st_mode):
            entries.append((status.st_mtime_ns, path.name, path))
    for _, _, stale in sorted(entries, reverse=True)[KEEP:]:
        stale.unlink(missing_ok=True)


def dump_finding(finding: Finding) -> dict[str, Any]:
    return {"file": finding.file, "line": finding.line, "column": finding.column, "code": finding.code,
            "message": finding.message, "rule": finding.rule, "severity": finding.severity.value,
            "entity": finding.entity, "hint": finding.hint, "end": list(finding.end) if finding.end else None,
            "fix": list(finding.fix) if finding.fix else None}


def load_finding(data: dict[str, Any]) -> Finding:
    end, fix = data.get("end"), data.get("fix")
    return Finding(data["file"], data["line"], data["column"], data["code"], data["message"], data["rule"],
                   Severity(data["severity"]), data["entity"], data["hint"], tuple(end) if end else None,
                   (fix[0], fix[1]) if fix else None)
