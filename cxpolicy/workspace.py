"""A policy repository as an editor sees it, checked again and again as the analyst types.

The files on disk, with the text of the open buffers in their place (saved or
not). A check reads only what changed since the last one: every file's reading
is kept with the text it was read from (a buffer's bytes, a disk file's size
and modification time), and each document keeps its typed entity (policyset),
so an edit to one file costs one file's parsing and typing, then the whole-set
steps (references, the graph), then the parts of the rules the edit can reach
(incremental.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from cxpolicy import discover, engine, incremental, source
from cxpolicy.findings import Finding


class Workspace:
    """The repository at `root` with the open buffers `texts` (relative path -> text)."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.texts: dict[str, bytes] = {}
        self._folder = _Remembering(root, self.texts)
        self.last: engine.Run | None = None  # the latest check's run
        self.previous: engine.Run | None = None  # the one before, until `retire` lets it go
        self._memo = incremental.Memo()  # what the rules found, part by part, for the next check

    def open(self, relpath: str, text: str) -> None:
        """An open buffer's text (on opening and on every change)."""
        self.texts[relpath] = text.encode("utf-8")

    def close(self, relpath: str) -> None:
        """The buffer is closed: the file on disk counts again."""
        self.texts.pop(relpath, None)

    def check(self, options: engine.Options = engine.Options()) -> engine.Run:
        """Every finding of `cxpolicy check`, on the buffers as they are now."""
        self._folder.texts = dict(self.texts)  # as they are now: the buffers may change while this runs
        self.previous, self.last = self.last, engine.run(self._folder, options, memo=self._memo)
        self._folder.forget_others()
        return self.last

    def retire(self) -> None:
        """Let the previous check's policy set go. Freeing a large set object by object takes a
        noticeable time, so the server does it once the findings are out, not before."""
        self.previous = None

    def findings(self, relpath: str) -> list[Finding]:
        """The latest check's findings in one file, info ones included (an editor shows them as such)."""
        if self.last is None:
            return []
        return [finding for finding in self.last.outcome.findings if finding.file == relpath]

    def text(self, relpath: str) -> str | None:
        """A file's text as the analyst sees it: the buffer's, else the file's on disk."""
        if relpath in self.texts:
            return self.texts[relpath].decode("utf-8", "replace")
        try:
            with open(os.path.join(self.root, relpath), encoding="utf-8", errors="replace") as handle:
                return handle.read()
        except OSError:
            return None

    def reading(self, relpath: str) -> source.SourceFile:
        """A file's reading with positions, shared with the checks."""
        return self._folder.read(relpath, source.Limits())


class _Remembering(discover.Overlay):
    """An Overlay that keeps each reading for as long as its text is unchanged."""

    def __init__(self, root: str, texts: dict[str, bytes]) -> None:
        super().__init__(root, texts)
        self._kept: dict[tuple[str, bool], tuple[Any, source.SourceFile]] = {}
        self._used: set[tuple[str, bool]] = set()

    def read(self, relpath: str, limits: Any, *, positions: bool = True) -> Any:
        stamp = self._stamp(relpath)
        key = (relpath, positions)
        self._used.add(key)
        kept = self._kept.get(key)
        if kept is not None and kept[0] == stamp and stamp is not None:
            return kept[1]
        read = super().read(relpath, limits, positions=positions)
        self._kept[key] = (stamp, read)
        return read

    def _stamp(self, relpath: str) -> Any:
        """What says a file's text is unchanged: a buffer's bytes, or a disk file's identity and times."""
        if relpath in self.texts:
            return self.texts[relpath]
        try:
            info = os.stat(os.path.join(self.root, relpath))
        except OSError:
            return None
        return info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns

    def forget_others(self) -> None:
        """Drop the readings of files the last check did not read (deleted, renamed, excluded)."""
        for key in [key for key in self._kept if key not in self._used]:
            del self._kept[key]
        self._used.clear()


def relative(root: str, path: str) -> str | None:
    """`path` relative to `root` with forward slashes, or None when it lies outside."""
    relpath = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    if relpath == os.curdir or relpath.startswith(os.pardir + os.sep) or relpath == os.pardir:
        return None
    return relpath.replace(os.sep, "/")
