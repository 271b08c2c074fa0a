"""Running checks over many files: the one place that decides how (in order, cached, in parallel).

`check.check_paths` owns what a run means (workspace, cross-file pass); it hands each journey file to
a `mapper`, and this module's mapper decides how: an unchanged file's outcome comes from the cache
(journeyctl.check.cache), and when more than PARALLEL_MIN_FILES files are left to check they are checked
by a pool of processes, one per core, in chunks. Results come back in the order of the files, so the
output is the same whichever way a file was checked.

A bug in a rule must not cost the rest of the run: a file whose check raises becomes a `file-error`
finding naming the exception (JOURNEYCTL_DEBUG=1 re-raises), and a worker process that dies (a crash
in a C extension) is replaced, each file of its chunk re-checked alone so the culprit is named.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from .pipeline import RunResult, check_paths
from ..config import Config

# Below this many files to check, starting worker processes costs more than it saves.
PARALLEL_MIN_FILES = 32
# Chunks per worker: enough to balance uneven files, few enough that messaging stays cheap.
CHUNKS_PER_WORKER = 8
MAX_CHUNK = 64
# Cache entries are written in transactions of this many as results arrive.
WRITE_BATCH = 500


def run_checks(paths: Iterable[Path], config: Config, select: Iterable[str] = (),
               ignore: Iterable[str] = (), progress: Callable[[int, int], None] | None = None,
               split: bool = False) -> RunResult:
    """check_paths with the cache and the pool; `progress(done, total)` hears of each file checked. With
    `split` (settings found, not given), paths of different workspaces are each checked in their own
    workspace (workspace_groups.py)."""
    groups = [(list(paths), config)]
    if split:
        from .workspace_groups import group_paths

        groups = group_paths(groups[0][0], config)
    files = []
    for members, settings in groups:
        mapper = Mapper(settings, progress)
        try:
            files += check_paths(members, settings, select, ignore, mapper=mapper).files
        finally:
            mapper.close()
    if len(groups) > 1:
        files.sort(key=lambda f: f.path)
    return RunResult(files)


def workers() -> int:
    """Processes to use: $JOURNEYCTL_JOBS, else the cores this process may run on."""
    env = os.environ.get("JOURNEYCTL_JOBS", "")
    if env.strip().isdigit() and int(env) > 0:
        return int(env)
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class Mapper:
    """`mapper(job, files)` for check_paths: cached outcomes, the rest checked in order or in parallel."""

    def __init__(self, config: Config, progress: Callable[[int, int], None] | None = None) -> None:
        self.config = config
        self.progress = progress
        self.cache: Any = None
        if config.cache:
            from .cache import ResultCache, cache_dir

            self.cache = ResultCache(cache_dir(config.root))

    def close(self) -> None:
        if self.cache is not None:
            self.cache.close()

    def __call__(self, job: Callable[[Path], Any], files: Iterable[Path]) -> list[Any]:
        files = list(files)
        keys = self._keys(job, files) if self.cache is not None else None
        outcomes: list[Any] = [None] * len(files)
        compact = _Compactor()
        if keys:
            where = {key: i for i, (key, _) in keys.items()}
            for key, outcome in self.cache.iter_many(where):
                if type(outcome).__name__ == "FileOutcome":
                    outcomes[where[key]] = compact(outcome)
            # SQLite connections must not cross a fork: closed before workers start, reopened to write.
            self.cache.close()
        todo = [i for i, outcome in enumerate(outcomes) if outcome is None]
        none = (None, None)
        tasks = [(files[i], *(keys.get(i, none) if keys is not None else none)) for i in todo]
        directory = self.cache.directory if keys is not None else None
        # The generator is run to its end (not cut short by zip), so its pool is shut down and waited for.
        cached = len(files) - len(todo)
        for n, outcome in enumerate(_check_many(job, tasks, directory)):
            outcomes[todo[n]] = compact(outcome)
            if self.progress is not None:
                self.progress(cached + n + 1, len(files))
        return outcomes

    def _keys(self, job: Callable[[Path], Any], files: list[Path]) -> dict[int, tuple[str, str]] | None:
        """File index → (cache key, content hash) for every file that can be cached; None: no cache."""
        from .cache import Uncacheable, content_hash, entry_key, run_fingerprint
        from ..format.loader import read_source

        try:
            run = run_fingerprint(job)
        except Uncacheable:
            return None
        # display_path depends on the path as given and the working directory as spelled (not resolved);
        # where the path really leads is kept in the key too, should display ever follow links again.
        cwd = os.getcwd()
        keys = {}
        for i, path in enumerate(files):
            try:
                data = read_source(path, self.config.max_file_size)
            except Exception:  # unreadable, too large, not a file: checked (and reported) every time
                continue
            digest = content_hash(data)
            keys[i] = (entry_key(run, str(path), os.path.realpath(path), cwd, digest), digest)
        return keys


class _Compactor:
    """Shares equal strings and frozensets between the outcomes a run keeps for its cross-file pass.

    Each outcome arrives as its own object graph (unpickled from a worker, or decoded from the cache),
    so the same team, channel or persona id would otherwise be a separate string in every journey
    that uses it, and the same set of ids a separate frozenset: most of a large run's memory.
    """

    def __init__(self) -> None:
        self.sets: dict[frozenset[Any], frozenset[Any]] = {}

    def __call__(self, outcome: Any) -> Any:
        summary = getattr(outcome, "summary", None)
        if summary is not None and dataclasses.is_dataclass(summary) and not _frozen(summary):
            for f in dataclasses.fields(summary):
                value = getattr(summary, f.name)
                shared = self._share(value)
                if shared is not value:
                    setattr(summary, f.name, shared)
        return outcome

    def _share(self, value: Any) -> Any:
        if type(value) is str:
            return sys.intern(value)
        if type(value) is frozenset:
            if not all(type(v) is str for v in value):
                return value
            key = frozenset(sys.intern(v) for v in value)
            return self.sets.setdefault(key, key)
        if type(value) is dict:
            return {self._share(k): self._share(v) for k, v in value.items()}
        return value


def _frozen(obj: Any) -> bool:
    params = getattr(type(obj), "__dataclass_params__", None)
    return bool(params and params.frozen)


# --- checking ---------------------------------------------------------------------------------------
# A task is (path, cache key, content hash when the key was made); key and hash are None when the
# outcome is not to be stored. Whoever checks a file stores its outcome: the parent when it checks in
# order, each worker for its own chunks (with its own SQLite connection), so no outcome's JSON crosses
# a pipe or waits in the parent's memory.

Task = tuple[Path, "str | None", "str | None"]
_JOB: Callable[[Path], Any] | None = None
_WRITER: "_Writer | None" = None


class _Writer:
    """Cache entries of one process, written in transactions of WRITE_BATCH."""

    def __init__(self, directory: Path) -> None:
        from .cache import ResultCache

        self.cache = ResultCache(directory)
        self.pending: list[tuple[str, str]] = []

    def store(self, task: Task, outcome: Any) -> None:
        path, key, digest = task
        if key is None:
            return
        from .cache import content_hash, dumps
        from ..format.loader import read_source

        try:
            payload = dumps(outcome)
            after = content_hash(read_source(path, sys.maxsize))
        except Exception:  # an outcome the cache cannot hold, or the file is gone: no entry
            return
        # An edit made while the run went must not be cached under the bytes the key was made from.
        if after == digest:
            self.pending.append((key, payload))
            if len(self.pending) >= WRITE_BATCH:
                self.flush()

    def flush(self) -> None:
        if self.pending:
            self.cache.put_many(self.pending)
            self.pending = []

    def close(self) -> None:
        self.flush()
        self.cache.close()


def _init_worker(job: Callable[[Path], Any], directory: Path | None) -> None:
    global _JOB, _WRITER
    _JOB = job
    _WRITER = _Writer(directory) if directory is not None else None
    import gc

    # Everything imported so far lives as long as the worker: keep the collector from rescanning it
    # after every few thousand allocations (a few percent of a worker's time).
    gc.freeze()


def _check_chunk(chunk: list[Task]) -> list[Any]:
    assert _JOB is not None
    out = []
    for task in chunk:
        outcome = _check_one(_JOB, task[0])
        if _WRITER is not None:
            _WRITER.store(task, outcome)
        out.append(outcome)
    if _WRITER is not None:
        _WRITER.flush()  # the chunk's entries are saved even if this worker dies later
    return out


def _check_one(job: Callable[[Path], Any], path: Path) -> Any:
    try:
        return job(path)
    except Exception as exc:
        if os.environ.get("JOURNEYCTL_DEBUG"):
            raise
        return _crashed(path, f"internal error while checking this file: {type(exc).__name__}: {exc}; "
                              "please report it (JOURNEYCTL_DEBUG=1 shows the traceback)")


def _crashed(path: Path, message: str) -> Any:
    from .pipeline import FileOutcome, FileResult, display_path
    from .findings import Finding

    display = display_path(path)
    return FileOutcome(FileResult(display, [Finding("file-error", "error", display, 1, 1, message)]))


def _check_many(job: Callable[[Path], Any], tasks: list[Task], directory: Path | None) -> Iterator[Any]:
    """Each task's outcome, in order, as soon as it is known; outcomes are stored in `directory`'s cache."""
    n = min(workers(), len(tasks) // PARALLEL_MIN_FILES + 1) if len(tasks) > PARALLEL_MIN_FILES else 1
    if n <= 1:
        writer = _Writer(directory) if directory is not None else None
        try:
            for task in tasks:
                outcome = _check_one(job, task[0])
                if writer is not None:
                    writer.store(task, outcome)
                yield outcome
        finally:
            if writer is not None:
                writer.close()
        return
    size = max(1, min(MAX_CHUNK, -(-len(tasks) // (n * CHUNKS_PER_WORKER))))
    done = 0
    while done < len(tasks):
        chunks = [tasks[i:i + size] for i in range(done, len(tasks), size)]
        pool = _pool(n, job, directory)
        interrupted = True
        try:
            futures = [pool.submit(_check_chunk, chunk) for chunk in chunks]
            for future in futures:
                result = future.result()
                done += len(result)
                yield from result
            interrupted = False
        except Exception as exc:
            if not _is_broken_pool(exc):
                raise
            interrupted = False
        finally:
            # Stopped early (an error, ^C): drop queued chunks rather than finishing them.
            pool.shutdown(wait=not interrupted, cancel_futures=True)
        if done < len(tasks):
            # A worker died. All unfinished chunks failed with it, but the culprit is in one of the chunks
            # that were running, the first of them at the latest: check its files one process each,
            # then carry on with a fresh pool (which isolates the next chunk if it dies again).
            first = tasks[done:done + size]
            yield from _isolate(job, first, directory)
            done += len(first)


def _pool(n: int, job: Callable[[Path], Any], directory: Path | None) -> Any:
    import multiprocessing
    import threading
    from concurrent.futures import ProcessPoolExecutor

    # fork shares what the parent already imported and loaded (rules, schema, catalogs) for free; it is
    # unsafe only when other threads hold locks, so a threaded host gets spawned workers instead.
    methods = multiprocessing.get_all_start_methods()
    method = "fork" if "fork" in methods and threading.active_count() == 1 else (
        "forkserver" if "forkserver" in methods else "spawn")
    return ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context(method),
                               initializer=_init_worker, initargs=(job, directory))


def _is_broken_pool(exc: BaseException) -> bool:
    from concurrent.futures.process import BrokenProcessPool

    return isinstance(exc, BrokenProcessPool)


def _isolate(job: Callable[[Path], Any], chunk: list[Task], directory: Path | None) -> list[Any]:
    """A worker died on this chunk: check each file in a process of its own, naming the one that kills it."""
    out = []
    for task in chunk:
        try:
            with _pool(1, job, directory) as pool:
                out.append(pool.submit(_check_chunk, [task]).result()[0])
        except Exception as exc:
            if not _is_broken_pool(exc):
                raise
            out.append(_crashed(task[0], "the checking process died on this file (a crash in the YAML parser or "
                                         "another C extension); please report it with the file"))
    return out
