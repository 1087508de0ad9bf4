"""Two pieces of work at once, on a machine with a second core.

`alongside(here, there)` forks: the child runs `there` and sends its result
back pickled through a pipe while this process runs `here`. The child starts
with a copy of everything this process holds (the policy set, its graph), so
nothing is sent to it; only its result comes back. Where there is no fork or
no second core, or the child fails, `there` runs here afterwards: the answer
is the same either way, only the time differs.
"""

from __future__ import annotations

import os
import pickle
import signal
from collections.abc import Callable
from typing import TypeVar

Here = TypeVar("Here")
There = TypeVar("There")


def alongside(here: Callable[[], Here], there: Callable[[], There]) -> tuple[Here, There]:
    if not hasattr(os, "fork") or (os.cpu_count() or 1) < 2:
        return here(), there()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: it never returns
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
        from cxpolicy.reading import die_with_parent

        die_with_parent()
        os.close(read_end)
        try:
            payload = pickle.dumps((True, there()), protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException:  # noqa: BLE001 - whatever went wrong, the parent does the work itself
            payload = pickle.dumps((False, None))
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(payload)
        os._exit(0)
    os.close(write_end)
    try:
        mine = here()
    except BaseException:  # an interrupt or a failure here: the child's answer is not wanted
        os.close(read_end)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise
    with os.fdopen(read_end, "rb") as pipe:
        payload = pipe.read()  # the child blocks on a full pipe until this reads it
    os.waitpid(pid, 0)
    try:
        done, theirs = pickle.loads(payload)
    except Exception:  # noqa: BLE001 - the child died before it said anything
        done, theirs = False, None
    return mine, (theirs if done else there())
