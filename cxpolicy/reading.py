"""Reading a policy set's files, in two worker processes when there is much to read.

`start` finds the files and starts reading them before the models are even
imported; `read_files` gives one SourceFile per file (or per part of a large
file) in file order, as soon as it is read, so the caller types what has
arrived while the workers parse the rest: parsing and typing, the two slowest
steps of a run, overlap on a two-core machine.

* From PARALLEL_FROM files on disk, two forked workers parse them in runs of
  neighbouring files.
* A file above SPLIT_FROM_BYTES that is plain UTF-8 YAML without directives or
  `...` markers is cut at its `---` markers into parts of about PART_BYTES; each
  part is parsed after as many blank lines as come before it in the file, so
  every line number is the file's own.
* A part with any finding is replaced by a reading of the whole file from that
  part on, and the file's later parts are dropped: a broken file reports exactly
  what a whole reading reports.

Workers read without positions and send documents back as `marshal` bytes
(plain data: several times cheaper than pickling); a document finds its
positions again by rereading its file, only if one is ever asked for.
"""

from __future__ import annotations

import codecs
import marshal
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from cxpolicy import discover, source
from cxpolicy.findings import Finding

#: From this many files up, two worker processes read them (below it the pool costs more than it saves).
PARALLEL_FROM = 100
#: A file larger than this is cut at its document markers so that both workers can read it.
SPLIT_FROM_BYTES = 1024 * 1024
#: About how large each part of a cut file is.
PART_BYTES = 1024 * 1024
WORKERS = 2

_MARKER = re.compile(rb"^---(?=[ \t\r\n]|$)", re.M)
_UNSPLITTABLE = re.compile(rb"(?m)^(%|\.\.\.)")  # directives or end markers: documents not counted by `---`
_COMMENTS = re.compile(rb"(?m)^[ \t]*#.*$")
# Characters YAML does not allow (its printable set, in UTF-8): libyaml meets them while buffering
# ahead, so a file holding one is read whole to report it exactly as a whole reading does.
_NOT_PRINTABLE = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\xc2[\x80-\x84\x86-\x9f]|\xef\xbf[\xbe\xbf]")


@dataclass(frozen=True)
class Task:
    """A whole file (end None), or the bytes [start, end) of one, after `line` lines and `index` documents."""

    file: str
    start: int = 0
    end: int | None = None
    line: int = 0
    index: int = 0


@dataclass
class Reading:
    """A policy folder's reading, under way: the project file as read, the settings used to find and
    read the others (exclude, limits), what was found, and their readings as they come."""

    folder: discover.PolicyFolder
    project: source.SourceFile | None  # cxpolicy.yaml, not yet typed
    exclude: tuple[str, ...]
    limits: source.Limits
    found: discover.Discovered
    reads: Readings


class Readings:
    """The readings of a list of files as they come; `close()` stops the workers at once."""

    def __init__(self, readings: Iterator[source.SourceFile], stop: Callable[[], None]) -> None:
        self._readings = readings
        self._stop = stop

    def __iter__(self) -> Iterator[source.SourceFile]:
        return self._readings

    def close(self) -> None:
        self._stop()


def start(folder: discover.PolicyFolder, progress: Any = None, exclude: tuple[str, ...] | None = None,
          limits: source.Limits | None = None) -> Reading:
    """Find the policy files and start reading them now, before the models are even imported.

    Without `exclude` and `limits`, they are taken from cxpolicy.yaml as written (limits no looser
    than the defaults, so a reading that is thrown away costs no more than a default one); the
    caller compares them with the typed project's and starts again in the rare case they differ.
    """
    project = folder.read(discover.PROJECT_FILE, source.Limits()) if folder.has_project() else None
    if exclude is None or limits is None:
        exclude, limits = _settings(project)
    found = folder.files(exclude)
    if isinstance(folder, discover.DiskFolder) and not (project or found.files or found.outside_links
                                                        or found.unreadable or found.misnamed):
        # "No problems found in 0 files" would pass a check pointed at the wrong folder. A folder with
        # a cxpolicy.yaml is a policy repository, if an empty one; a git revision may hold none at all
        # (a pull request can add the first policy files).
        raise discover.PolicyPathError(f"no policy files (*.yaml, *.yml) found under {folder.root}; "
                                       "give the folder that holds them")
    return Reading(folder, project, exclude, limits, found, read_files(folder, found.files, limits, progress))


def _settings(project: source.SourceFile | None) -> tuple[tuple[str, ...], source.Limits]:
    """cxpolicy.yaml's exclude and limits as written, limits at most the defaults; the defaults
    where they are not of the right types."""
    data = project.documents[0].data if project is not None and project.documents else None
    spec = data.get("spec") if isinstance(data, dict) else None
    spec = spec if isinstance(spec, dict) else {}
    exclude = spec.get("exclude", [])
    if not isinstance(exclude, list) or not all(isinstance(pattern, str) for pattern in exclude):
        exclude = []
    written = spec.get("limits")
    written = written if isinstance(written, dict) else {}
    defaults = source.Limits()
    named = {"maxFileBytes": defaults.max_file_bytes, "maxDepth": defaults.max_depth,
             "maxAliasNodes": defaults.max_alias_nodes}
    bounds = [written.get(key, default) for key, default in named.items()]
    if not all(isinstance(bound, int) and not isinstance(bound, bool) for bound in bounds):
        return tuple(exclude), defaults
    return tuple(exclude), source.Limits(*bounds).at_most(defaults)


def read_files(folder: discover.PolicyFolder, files: list[str], limits: source.Limits,
               progress: Any = None) -> Readings:
    """Each file's reading (several for a file read in parts), in file order, without positions.
    The worker processes start at once, not at the first reading asked for."""
    tasks = plan(folder, files, limits)
    results, stop = _results(folder, tasks, limits)
    return Readings(_attached(folder, results, limits, len(files), progress), stop)


def _attached(folder: discover.PolicyFolder, results: Iterator[tuple[Task, source.SourceFile]],
              limits: source.Limits, total: int, progress: Any) -> Iterator[source.SourceFile]:
    """Each reading with its documents able to find their positions, a broken part replaced by the rest."""
    reloads: dict[str, Callable[[], list[Any]]] = {}
    broken = None  # a file whose later parts are already in the reading of its rest
    for task, read in results:
        if task.file == broken:
            continue
        if task.end is not None and read.findings:
            read, broken = _rest(folder, task, limits), task.file
        if task.file not in reloads:
            reloads[task.file] = _reloader(folder, task.file, limits)
            if progress is not None:
                progress.update("reading files", len(reloads), total)
        if not read.documents or read.documents[0].reload is None:  # else attached when first read: a reading
            for document in read.documents:                          # is kept only while its file's text is
                document.reload = reloads[task.file]
        yield read


def plan(folder: discover.PolicyFolder, files: list[str], limits: source.Limits) -> list[Task]:
    """One task a file, or several parts for a large file on disk."""
    if not isinstance(folder, discover.DiskFolder):
        return [Task(relpath) for relpath in files]
    return [task for relpath in files for task in _parts(folder.root, relpath, limits)]


def _parts(root: str, relpath: str, limits: source.Limits) -> list[Task]:
    whole = [Task(relpath)]
    path = os.path.join(root, relpath)
    try:
        if not SPLIT_FROM_BYTES < os.path.getsize(path) <= limits.max_file_bytes:
            return whole
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError:
        return whole  # reading it again reports why
    if _UNSPLITTABLE.search(raw) or not _plain_text(raw):
        return whole
    starts = [match.start() for match in _MARKER.finditer(raw)]
    if not starts:
        return whole
    # Content before the first `---` is a document of its own, in front of all the others.
    implicit = 1 if _COMMENTS.sub(b"", raw[:starts[0]].removeprefix(codecs.BOM_UTF8)).strip() else 0
    tasks = [Task(relpath, 0, None, 0, 0)]
    line = 0
    for number, start in enumerate(starts):
        if start - tasks[-1].start >= PART_BYTES:
            line += raw.count(b"\n", tasks[-1].start, start)
            tasks[-1] = Task(relpath, tasks[-1].start, start, tasks[-1].line, tasks[-1].index)
            tasks.append(Task(relpath, start, None, line, number + implicit))
    if len(tasks) == 1:
        return whole
    tasks[-1] = Task(relpath, tasks[-1].start, len(raw), tasks[-1].line, tasks[-1].index)
    return tasks


def _plain_text(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return _NOT_PRINTABLE.search(raw) is None


def read_task(folder: discover.PolicyFolder, task: Task, limits: source.Limits) -> source.SourceFile:
    if task.end is None:
        return folder.read(task.file, limits, positions=False)
    with open(os.path.join(folder.root, task.file), "rb") as handle:  # type: ignore[attr-defined]
        handle.seek(task.start)
        raw = handle.read(task.end - task.start)
    read = source.read_text(task.file, b"\n" * task.line + raw, limits, positions=False)
    for document in read.documents:
        document.index += task.index
    return read


def _rest(folder: discover.PolicyFolder, task: Task, limits: source.Limits) -> source.SourceFile:
    """The whole file's reading from the part `task` on."""
    whole = folder.read(task.file, limits)
    return source.SourceFile(task.file, [d for d in whole.documents if d.index >= task.index],
                             [f for f in whole.findings if f.line > task.line],
                             recovered=[r for r in whole.recovered if r[2] > task.line])


def _reloader(folder: discover.PolicyFolder, relpath: str, limits: source.Limits) -> Callable[[], list[Any]]:
    cache: list[Any] = []

    def reload() -> list[Any]:
        if not cache:
            cache.append(folder.reread(relpath, limits))
        return cache[0]

    return reload


def _results(folder: discover.PolicyFolder, tasks: list[Task],
             limits: source.Limits) -> tuple[Iterator[tuple[Task, source.SourceFile]], Callable[[], None]]:
    """(task, reading) pairs in task order, and how to stop the workers early."""
    parallel = (isinstance(folder, discover.DiskFolder) and (os.cpu_count() or 1) > 1
                and (len(tasks) >= PARALLEL_FROM or any(task.end is not None for task in tasks)))
    if parallel:
        try:
            pool, from_workers = _in_workers(folder, tasks, limits)
            return _with_fallback(folder, tasks, limits, from_workers), lambda: stop_now(pool)
        except OSError:
            pass  # no processes to be had: everything is read here
    return ((task, read_task(folder, task, limits)) for task in tasks), lambda: None


def _with_fallback(folder: discover.PolicyFolder, tasks: list[Task], limits: source.Limits,
                   from_workers: Iterator[source.SourceFile]) -> Iterator[tuple[Task, source.SourceFile]]:
    from concurrent.futures.process import BrokenProcessPool

    done = 0
    try:
        for read in from_workers:
            yield tasks[done], read
            done += 1
    except (BrokenProcessPool, OSError):
        pass  # a worker died (a pathological file?): read the rest here
    for task in tasks[done:]:
        yield task, read_task(folder, task, limits)


def _in_workers(folder: discover.PolicyFolder, tasks: list[Task],
                limits: source.Limits) -> tuple[Any, Iterator[source.SourceFile]]:
    """Every run of tasks handed to two forked workers now: the pool, and their readings in order as they come."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    size = max(1, len(tasks) // (WORKERS * 16))  # small runs, so the first arrive early
    runs = [tasks[start:start + size] for start in range(0, len(tasks), size)]
    pool = ProcessPoolExecutor(WORKERS, mp_context=multiprocessing.get_context("fork"), initializer=_worker_start)
    try:
        results = pool.map(_read_run, [folder] * len(runs), runs, [limits] * len(runs))
    except BaseException:
        stop_now(pool)
        raise
    return pool, _collected(pool, results)


def _worker_start() -> None:
    """Ctrl-C is the parent's to handle: it stops the workers itself, at once; and a worker whose
    parent is gone for any reason is ended by the system, never left waiting for work."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()


def die_with_parent() -> None:
    """Linux: have this process killed when its parent exits (prctl PR_SET_PDEATHSIG); elsewhere nothing."""
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def stop_now(pool: Any) -> None:
    """Stop the workers without waiting for the runs they are reading (an interrupt, an early close)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(5)
    if manager is not None:
        manager.join(5)  # it reaps the workers too: once it is done, none is left


def _collected(pool: Any, results: Iterator[list[Any]]) -> Iterator[source.SourceFile]:
    finished = False
    try:
        for packed in results:
            yield from (_unpack(read) for read in packed)
        finished = True
    finally:
        if finished:
            pool.shutdown()
        else:
            stop_now(pool)


def _read_run(folder: discover.PolicyFolder, tasks: list[Task], limits: source.Limits) -> list[Any]:
    import gc

    gc.disable()  # a short-lived process: the cyclic collector would only rescan what it builds
    return [_pack(read_task(folder, task, limits)) for task in tasks]


def _pack(read: source.SourceFile) -> tuple[str, bytes, list[Finding], list[tuple[str | None, str, int]]]:
    documents = [(document.index, document.data, document.known_positions()) for document in read.documents]
    return read.file, marshal.dumps(documents), read.findings, read.recovered


def _unpack(packed: tuple[str, bytes, list[Finding], list[tuple[str | None, str, int]]]) -> source.SourceFile:
    file, documents, findings, recovered = packed
    return source.SourceFile(file, [source.Document(file, index, data, positions)
                                    for index, data, positions in marshal.loads(documents)], findings,
                             recovered=recovered)
