"""Which files make up a policy set: every *.yaml / *.yml below the root, minus excludes.

Folders whose name starts with a dot (.git, .github, caches) are not policy
folders and are skipped. Links are not followed out of the root: a policy set
is what is in its folder.
"""

from __future__ import annotations

import dataclasses
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

PROJECT_FILE = "cxpolicy.yaml"


class PolicyPathError(Exception):
    """The policy root cannot be used at all (missing, not a folder, not in git): a usage error, exit 2."""
SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Discovered:
    files: list[str]  # relative, forward slashes, sorted
    outside_links: list[str]  # links that point out of the root, not read
    unreadable: list[str] = field(default_factory=list)  # folders that cannot be listed ("drafts/")
    misnamed: list[str] = field(default_factory=list)  # names that are not UTF-8, as shown ("caf\\xe9.yaml")


def read_plain(path: str, limit: int) -> tuple[bytes | None, str | None]:
    """A file that a pull request may have planted, read safely: its bytes if it is a regular file
    of at most `limit` bytes, opened without following a link and without blocking on a FIFO;
    else None and why not ("missing", "a link", "not a regular file", "too large", or the error)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return None, "missing"
    except OSError as error:
        return None, "a link" if os.path.islink(path) else (error.strerror or str(error))
    with os.fdopen(descriptor, "rb") as handle:
        status = os.fstat(handle.fileno())
        if not stat.S_ISREG(status.st_mode):
            return None, "not a regular file"
        if status.st_size > limit:
            return None, "too large"
        data = handle.read(limit + 1)
    return (data, None) if len(data) <= limit else (None, "too large")


def shown(name: str) -> str:
    """A file name as it can be printed: bytes that are not UTF-8 (kept by the OS as surrogates) as \\xNN."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def glob_to_regex(pattern: str) -> re.Pattern[str]:
    """A gitignore-style glob: `*` within a folder, `**` across folders; a folder name matches all below it."""
    pattern = pattern.strip().lstrip("./").rstrip("/") if pattern.strip() not in (".", "./") else "**"
    out = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if pattern.startswith("**/", index):
            out.append("(?:.*/)?")
            index += 3
            continue
        if pattern.startswith("**", index):
            out.append(".*")
            index += 2
            continue
        out.append("[^/]*" if char == "*" else "[^/]" if char == "?" else re.escape(char))
        index += 1
    return re.compile("".join(out) + "(?:/.*)?\\Z")


def is_policy_file(relpath: str, excluded: list[re.Pattern[str]]) -> bool:
    """A *.yaml / *.yml file outside dot-folders, not the project file, not excluded."""
    parts = relpath.split("/")
    if any(part.startswith(".") for part in parts) or not relpath.endswith(SUFFIXES):
        return False
    return relpath != PROJECT_FILE and not any(regex.match(relpath) for regex in excluded)


def policy_files(root: str, exclude: Iterable[str] = ()) -> Discovered:
    excluded = [glob_to_regex(pattern) for pattern in exclude]
    real_root = os.path.realpath(root)
    files: list[str] = []
    outside: list[str] = []
    unreadable: list[str] = []
    misnamed: list[str] = []

    def cannot_list(error: OSError) -> None:
        relfolder = os.path.relpath(error.filename or root, root).replace(os.sep, "/")
        if relfolder != "." and not is_policy_file(relfolder + "/x.yaml", excluded):
            return  # an excluded or dot folder: it would not have been read anyway
        unreadable.append(shown("" if relfolder == "." else relfolder + "/"))

    for folder, subfolders, names in os.walk(root, onerror=cannot_list):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        relfolder = os.path.relpath(folder, root).replace(os.sep, "/")
        relfolder = "" if relfolder == "." else relfolder + "/"
        for name in names:
            relpath = relfolder + name
            if not is_policy_file(relpath, excluded):
                continue
            if shown(relpath) != relpath:  # not UTF-8: no output format could name it faithfully
                misnamed.append(shown(relpath))
                continue
            full = os.path.join(folder, name)
            if os.path.islink(full):
                target = os.path.realpath(full)
                if os.path.commonpath([real_root, target]) != real_root:
                    outside.append(relpath)
                    continue
            files.append(relpath)
    return Discovered(sorted(files), sorted(outside), sorted(unreadable), sorted(misnamed))


def project_root(folder: str) -> str | None:
    """The nearest folder at or above `folder` that holds cxpolicy.yaml, or None."""
    folder = os.path.abspath(folder)
    while not os.path.isfile(os.path.join(folder, PROJECT_FILE)):
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent
    return folder


class PolicyFolder(Protocol):
    """Where a policy set is read from: a folder on disk, or a folder at a git revision."""

    root: str  # how the folder is named in messages and reports

    def has_project(self) -> bool: ...

    def files(self, exclude: Iterable[str]) -> Discovered: ...

    def read(self, relpath: str, limits: Any, *, positions: bool = True) -> Any: ...  # source.SourceFile

    def reread(self, relpath: str, limits: Any) -> list[Any]: ...  # the position maps of a file's documents


def folder(root: str | PolicyFolder) -> PolicyFolder:
    """A path on disk as a PolicyFolder (any other PolicyFolder as it is); PolicyPathError if it is none."""
    if not isinstance(root, str):
        return root
    if not os.path.exists(root):
        raise PolicyPathError(f"the policy folder '{root}' does not exist")
    if not os.path.isdir(root):
        raise PolicyPathError(f"'{root}' is not a folder; give the folder that holds the policy files")
    return DiskFolder(root)


class DiskFolder:
    def __init__(self, root: str) -> None:
        self.root = root

    def has_project(self) -> bool:
        return os.path.isfile(os.path.join(self.root, PROJECT_FILE))

    def files(self, exclude: Iterable[str]) -> Discovered:
        return policy_files(self.root, exclude)

    def read(self, relpath: str, limits: Any, *, positions: bool = True) -> Any:
        from cxpolicy import source

        return source.read_file(self.root, relpath, limits, positions=positions)

    def reread(self, relpath: str, limits: Any) -> list[Any]:
        return [document.positions for document in self.read(relpath, limits).documents]


class Overlay:
    """A folder on disk with some files' text given instead of read (standard input, an editor's unsaved
    buffers): `texts` maps a relative path to its bytes, whether or not the file exists on disk."""

    def __init__(self, root: str, texts: dict[str, bytes]) -> None:
        self.root = root
        self.disk = DiskFolder(root)
        self.texts = texts

    def has_project(self) -> bool:
        return PROJECT_FILE in self.texts or self.disk.has_project()

    def files(self, exclude: Iterable[str]) -> Discovered:
        found = self.disk.files(exclude)
        excluded = [glob_to_regex(pattern) for pattern in exclude]
        given = [path for path in self.texts if path not in found.files and is_policy_file(path, excluded)]
        return dataclasses.replace(found, files=sorted([*found.files, *given]))

    def read(self, relpath: str, limits: Any, *, positions: bool = True) -> Any:
        from cxpolicy import source

        if relpath not in self.texts:
            return self.disk.read(relpath, limits, positions=positions)
        text = self.texts[relpath]
        return source.oversized(relpath, len(text), limits) or source.read_text(relpath, text, limits,
                                                                               positions=positions)

    def reread(self, relpath: str, limits: Any) -> list[Any]:
        return [document.positions for document in self.read(relpath, limits).documents]
