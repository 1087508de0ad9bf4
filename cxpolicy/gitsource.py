"""A policy folder as it is at a git revision, read from git's objects.

The user's working tree and index are never touched: files are listed with
`git ls-tree` and read through one `git cat-file --batch` process.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable

from cxpolicy import discover, source
from cxpolicy.discover import PolicyPathError


def _git(cwd: str, *args: str, data: bytes | None = None) -> bytes:
    try:
        result = subprocess.run(["git", *args], cwd=cwd, input=data, capture_output=True, check=False)
    except OSError as error:
        raise PolicyPathError(f"git cannot be run: {error.strerror or error}") from None
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise PolicyPathError(message[-1] if message else f"git {args[0]} failed")
    return result.stdout


def repository_of(path: str) -> tuple[str, str]:
    """The repository holding `path`, and the path's folder relative to it ('' at the top)."""
    folder = os.path.abspath(path if os.path.isdir(path) else os.path.dirname(path) or ".")
    if not os.path.isdir(folder):
        raise PolicyPathError(f"the policy folder '{path}' does not exist")
    try:
        top = _git(folder, "rev-parse", "--show-toplevel").decode().strip()
    except PolicyPathError:
        raise PolicyPathError(f"'{path}' is not inside a git repository") from None
    prefix = os.path.relpath(os.path.realpath(os.path.abspath(path)), os.path.realpath(top)).replace(os.sep, "/")
    return top, "" if prefix == "." else prefix


class GitFolder:
    """The policy folder `prefix` of the repository at `top`, as it is at `revision`."""

    def __init__(self, top: str, prefix: str, revision: str) -> None:
        self.top = top
        self.prefix = prefix
        self.revision = revision
        self.root = f"{prefix or '.'}@{revision}"
        try:
            self.commit = _git(top, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}").decode().strip()
        except PolicyPathError:
            raise PolicyPathError(f"'{revision}' is not a commit, branch or tag of this repository") from None
        self._blobs: dict[str, tuple[str, int]] = {}  # relpath -> (blob id, size)
        self._links: list[str] = []
        listing = _git(top, "ls-tree", "-r", "-z", "-l", "--full-tree", self.commit,
                       "--", f"{prefix}/" if prefix else ".")
        for entry in filter(None, listing.split(b"\0")):
            meta, _, path = entry.decode("utf-8", "surrogateescape").partition("\t")
            mode, kind, blob, size = meta.split()
            if kind != "blob":
                continue
            relpath = path[len(prefix) + 1:] if prefix else path
            if mode == "120000":
                self._links.append(relpath)
            else:
                self._blobs[relpath] = (blob, int(size))
        self._cache: dict[str, bytes] = {}

    def has_project(self) -> bool:
        return discover.PROJECT_FILE in self._blobs

    def files(self, exclude: Iterable[str]) -> discover.Discovered:
        excluded = [discover.glob_to_regex(pattern) for pattern in exclude]
        files = sorted(p for p in self._blobs if discover.is_policy_file(p, excluded))
        links = sorted(p for p in self._links if discover.is_policy_file(p, excluded))
        self._load(files)
        return discover.Discovered(files, links)

    def _load(self, relpaths: list[str]) -> None:
        """Read the wanted blobs in one `git cat-file --batch` run."""
        wanted = [p for p in relpaths if p not in self._cache]
        if not wanted:
            return
        request = "".join(f"{self._blobs[p][0]}\n" for p in wanted).encode()
        output = _git(self.top, "cat-file", "--batch", data=request)
        position = 0
        for relpath in wanted:
            header_end = output.index(b"\n", position)
            size = int(output[position:header_end].split()[2])
            start = header_end + 1
            self._cache[relpath] = output[start:start + size]
            position = start + size + 1

    def read(self, relpath: str, limits: source.Limits, *, positions: bool = True) -> source.SourceFile:
        too_large = source.oversized(relpath, self._blobs[relpath][1], limits)
        if too_large is not None:
            return too_large
        self._load([relpath])
        return source.read_text(relpath, self._cache[relpath], limits, positions=positions)

    def reread(self, relpath: str, limits: source.Limits) -> list[dict]:
        return [document.positions for document in self.read(relpath, limits).documents]


def folder_at(path: str, revision: str) -> GitFolder:
    top, prefix = repository_of(path)
    return GitFolder(top, prefix, revision)
