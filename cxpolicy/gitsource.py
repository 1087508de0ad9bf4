"""A policy folder as it is at a git revision, read from git's objects.

The user's working tree and index are never touched: files are listed with
`git ls-tree` and read through one `git cat-file --batch` process.
"""

from __future__ import annotations

import os
import posixpath
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

    def __init__(self, top: str, prefix: str, revision: str, readings: dict | None = None) -> None:
        self.top = top
        self.prefix = prefix
        self.revision = revision
        # Readings by (path, blob id, limits, positions), shared between the revisions of one history: a
        # file unchanged since an earlier revision is neither fetched from git nor parsed again.
        self.readings = readings if readings is not None else {}
        self.root = f"{prefix or '.'}@{revision}"
        try:
            self.commit = _git(top, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}").decode().strip()
        except PolicyPathError:
            raise PolicyPathError(f"'{revision}' is not a commit, branch or tag of this repository") from None
        self._blobs: dict[str, tuple[str, int]] = {}  # relpath -> (blob id, size)
        self._links: list[str] = []  # links that lead out of the policy folder, or to nothing in it
        self._cache: dict[str, bytes] = {}
        listing = _git(top, "ls-tree", "-r", "-z", "--full-tree", self.commit, "--", f"{prefix}/" if prefix else ".")
        links: dict[str, str] = {}
        files: dict[str, tuple[str, str]] = {}  # relpath -> (blob id, path in the repository)
        for entry in filter(None, listing.split(b"\0")):
            meta, _, path = entry.decode("utf-8", "surrogateescape").partition("\t")
            mode, kind, blob = meta.split()
            if kind != "blob":
                continue
            relpath = path[len(prefix) + 1:] if prefix else path
            if mode == "120000":
                links[relpath] = blob
            else:
                files[relpath] = (blob, path)
        sizes = self._sizes([blob for blob, _ in files.values()])
        for relpath, (blob, path) in files.items():
            if sizes[blob] is None:  # git has no such object
                raise PolicyPathError(f"git object {blob} of {revision} ({path}) is missing from this clone "
                                      "(a shallow or partial clone?); fetch the history it needs")
            self._blobs[relpath] = (blob, sizes[blob])
        self._follow(links)

    def _sizes(self, blobs: list[str]) -> dict[str, int | None]:
        """Each blob's size (None for one git does not have): asked of git once per blob, in one
        `git cat-file --batch-check` run for those not known yet. A blob id names its content, so a
        size once known holds in every revision and repository."""
        unknown = sorted({blob for blob in blobs if blob not in _SIZES})
        if unknown:
            if len(_SIZES) > _SIZES_KEPT:
                _SIZES.clear()
            output = _git(self.top, "cat-file", "--batch-check", data="".join(f"{blob}\n" for blob in unknown).encode())
            for blob, line in zip(unknown, output.decode("ascii", "replace").splitlines()):
                parts = line.split()
                _SIZES[blob] = int(parts[2]) if len(parts) == 3 and parts[1] == "blob" else None
        return {blob: _SIZES.get(blob) for blob in blobs}

    def _follow(self, links: dict[str, str]) -> None:
        """A committed link to a file inside the policy folder reads as that file, as on disk;
        a link out of the folder, to nothing, or in a loop is reported, never followed."""
        targets = dict(zip(links, self._read_blobs(list(links.values()), limit=4096)))
        for relpath in links:
            current, seen = relpath, set()
            while current in targets and current not in seen:
                seen.add(current)
                target = targets[current].decode("utf-8", "surrogateescape")
                joined = posixpath.normpath(posixpath.join(posixpath.dirname(current), target))
                current = "" if target.startswith("/") or joined.startswith("../") or joined == ".." else joined
            if current in self._blobs:
                self._blobs[relpath] = self._blobs[current]
            else:
                self._links.append(relpath)

    def has_project(self) -> bool:
        return discover.PROJECT_FILE in self._blobs

    def files(self, exclude: Iterable[str]) -> discover.Discovered:
        excluded = [discover.glob_to_regex(pattern) for pattern in exclude]
        candidates = sorted(p for p in self._blobs if discover.is_policy_file(p, excluded))
        files = [p for p in candidates if discover.shown(p) == p]
        misnamed = [discover.shown(p) for p in candidates if discover.shown(p) != p]
        links = sorted(p for p in self._links if discover.is_policy_file(p, excluded))
        self._load(files)
        return discover.Discovered(files, links, [], misnamed)

    def _load(self, relpaths: list[str]) -> None:
        """Read the wanted blobs in one `git cat-file --batch` run; none above the hard size limit,
        whose verdict (too large) needs only the size that ls-tree gave."""
        ceiling = source.Limits().max_file_bytes
        known = {(relpath, blob) for relpath, blob, *_ in self.readings}
        wanted = [p for p in relpaths if p not in self._cache and self._blobs[p][1] <= ceiling
                  and (p, self._blobs[p][0]) not in known]
        for relpath, data in zip(wanted, self._read_blobs([self._blobs[p][0] for p in wanted], limit=ceiling)):
            self._cache[relpath] = data

    def _read_blobs(self, blobs: list[str], limit: int) -> list[bytes]:
        """The content of each blob, in one `git cat-file --batch` run."""
        if not blobs:
            return []
        output = _git(self.top, "cat-file", "--batch", data="".join(f"{blob}\n" for blob in blobs).encode())
        found, position = [], 0
        for blob in blobs:
            header_end = output.index(b"\n", position)
            header = output[position:header_end].split()
            if len(header) != 3 or header[1] != b"blob":
                raise PolicyPathError(f"git object {blob} of {self.revision} is missing from this clone "
                                      "(a shallow or partial clone?); fetch the history it needs, e.g. "
                                      "git fetch --unshallow")
            size = int(header[2])
            start = header_end + 1
            found.append(output[start:start + min(size, limit)])
            position = start + size + 1
        return found

    def read(self, relpath: str, limits: source.Limits, *, positions: bool = True) -> source.SourceFile:
        too_large = source.oversized(relpath, self._blobs[relpath][1], limits.at_most(source.Limits()))
        if too_large is not None:
            return too_large
        key = (relpath, self._blobs[relpath][0], limits, positions)
        found = self.readings.get(key)
        if found is None:
            if relpath not in self._cache:  # read by an earlier revision without positions, so not fetched
                self._cache[relpath] = self._read_blobs([self._blobs[relpath][0]], limit=source.Limits().max_file_bytes)[0]
            found = self.readings[key] = source.read_text(relpath, self._cache[relpath], limits, positions=positions)
        return found

    def reread(self, relpath: str, limits: source.Limits) -> list[dict]:
        return [document.positions for document in self.read(relpath, limits).documents]


#: Blob id -> size, for every folder read in this process (a long history asks for the same blobs again).
_SIZES: dict[str, int | None] = {}
_SIZES_KEPT = 200_000


def folder_at(path: str, revision: str, readings: dict | None = None) -> GitFolder:
    top, prefix = repository_of(path)
    return GitFolder(top, prefix, revision, readings)


def log(path: str, since: str | None = None) -> list[tuple[str, str, str]]:
    """(commit, ISO date, author) of every commit on the first-parent line that changed the policy
    folder at `path`, oldest first; from `since` (a revision, not included, or a date) to HEAD."""
    top, prefix = repository_of(path)
    span = ["HEAD"]
    if since is not None:
        if _is_date(since):
            span = [f"--since={since}", "HEAD"]
        else:
            try:
                _git(top, "rev-parse", "--verify", "--quiet", f"{since}^{{commit}}")
            except PolicyPathError:
                raise PolicyPathError(f"'{since}' is neither a commit, branch or tag of this repository nor a "
                                      "date (YYYY-MM-DD)") from None
            span = [f"{since}..HEAD"]
    output = _git(top, "log", "--first-parent", "--reverse", "--format=%H%x00%cI%x00%an", *span, "--",
                  f"{prefix}/" if prefix else ".")
    return [tuple(line.split("\0")) for line in output.decode("utf-8", "replace").splitlines() if line]  # type: ignore[misc]


def _is_date(text: str) -> bool:
    import datetime as dt

    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True
