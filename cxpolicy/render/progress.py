"""A progress line on stderr for long runs: only on a terminal, never in CI or when output is piped."""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO


class Progress:
    """`update(stage, done, total)` draws `stage done/total` once the run has taken over `delay` seconds."""

    def __init__(self, stream: TextIO = sys.stderr, delay: float = 1.0) -> None:
        self.stream = stream
        self.enabled = stream.isatty() and not os.environ.get("CI")
        self.delay = delay
        self.started = time.monotonic()
        self.last = 0.0
        self.drawn = 0

    def update(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.started < self.delay or (now - self.last < 0.1 and done < total):
            return
        self.last = now
        width = 24
        filled = width * done // max(total, 1)
        line = f"cxpolicy: {stage} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}"
        self.stream.write("\r" + line.ljust(self.drawn))
        self.stream.flush()
        self.drawn = len(line)

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\r" + " " * self.drawn + "\r")
            self.stream.flush()
            self.drawn = 0
