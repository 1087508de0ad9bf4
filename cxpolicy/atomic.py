"""The one way cxpolicy writes a file: all of it or none of it."""

from __future__ import annotations

import errno
import os
import secrets
import stat
import tempfile


class NotARegularFile(OSError):
    """The path exists as a device, FIFO, socket or folder: writing would replace it with a file."""


def write_atomic(path: str, text: str | bytes, *, mode: int | None = None) -> None:
    """Write `text` (or bytes) to `path` through a temporary file in the same folder and a rename.

    A reader sees the old file or the new one, never half of one; if anything
    fails on the way the old file is untouched and nothing else is left. Where
    the system allows it (Linux's O_TMPFILE), the data is written to a file
    with no name, which vanishes if the process is killed; it is given a name
    only for the instant before the rename. A link at `path` is replaced, never
    written through. `mode` sets the permissions (default: the old file's, else 0644).
    """
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    try:
        existing = os.lstat(path)
    except FileNotFoundError:
        existing = None
    if existing is not None and not (stat.S_ISREG(existing.st_mode) or stat.S_ISLNK(existing.st_mode)):
        raise NotARegularFile(errno.EINVAL, "it exists and is not a regular file", path)
    if mode is None:
        mode = existing.st_mode & 0o777 if existing is not None and stat.S_ISREG(existing.st_mode) else 0o644
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    try:
        descriptor = os.open(folder, os.O_TMPFILE | os.O_WRONLY, mode)  # type: ignore[attr-defined]
    except (AttributeError, OSError):
        descriptor = None
    if descriptor is None:
        _named_temporary(folder, path, data, mode)
        return
    try:
        _write_all(descriptor, data)
        os.fchmod(descriptor, mode)
        temporary = os.path.join(folder, f".{os.path.basename(path)}.{secrets.token_hex(6)}.tmp")
        os.link(f"/proc/self/fd/{descriptor}", temporary)
    except OSError:
        os.close(descriptor)
        _named_temporary(folder, path, data, mode)
        return
    os.close(descriptor)
    _replace(temporary, path)


def _write_all(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view):]
    os.fsync(descriptor)


def _named_temporary(folder: str, path: str, data: bytes, mode: int) -> None:
    descriptor, temporary = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)
    try:
        try:
            _write_all(descriptor, data)
            os.fchmod(descriptor, mode)
        finally:
            os.close(descriptor)
    except BaseException:
        os.unlink(temporary)
        raise
    _replace(temporary, path)


def _replace(temporary: str, path: str) -> None:
    try:
        os.replace(temporary, path)
    except BaseException:
        if os.path.lexists(temporary):
            os.unlink(temporary)
        raise
