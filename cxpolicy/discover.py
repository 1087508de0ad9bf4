"""Which files make up a policy set: every *.yaml / *.yml below the root, minus excludes.

Folders whose name starts with a dot (.git, .github, caches) are not policy
folders and are skipped. Links are not followed out of the root: a policy set
is what is in its folder.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass

PROJECT_FILE = "cxpolicy.yaml"
SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Discovered:
    files: list[str]  # relative, forward slashes, sorted
    outside_links: list[str]  # links that point out of the root, not read


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


def policy_files(root: str, exclude: Iterable[str] = ()) -> Discovered:
    excluded = [glob_to_regex(pattern) for pattern in exclude]
    real_root = os.path.realpath(root)
    files: list[str] = []
    outside: list[str] = []
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        relfolder = os.path.relpath(folder, root).replace(os.sep, "/")
        relfolder = "" if relfolder == "." else relfolder + "/"
        for name in names:
            if not name.endswith(SUFFIXES) or name.startswith("."):
                continue
            relpath = relfolder + name
            if relpath == PROJECT_FILE or any(regex.match(relpath) for regex in excluded):
                continue
            full = os.path.join(folder, name)
            if os.path.islink(full):
                target = os.path.realpath(full)
                if os.path.commonpath([real_root, target]) != real_root:
                    outside.append(relpath)
                    continue
            files.append(relpath)
    return Discovered(sorted(files), sorted(outside))
