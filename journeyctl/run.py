"""Running checks over many files: the one place that decides how (in order, cached, in parallel).

`check.check_paths` owns what a run means (workspace, cross-file pass); it hands each journey file to
a `mapper`, and this module's mapper decides how: an unchanged file's outcome comes from the cache
(journeyctl.cache), and when more than PARALLEL_MIN_FILES files are left to check they are checked
by a pool of processes, one per core, in chunks. Results come back in the order of the files, so the
output is the same whichever way a file was checked.

A bug in a rule must not cost the rest of the run: a file whose check raises becomes a `file-error`
finding naming the exception (JOURNEYCTL_DEBUG=1 re-raises), and a worker process that dies (a crash
in a C extension) is replaced, each file of its chunk re-checked alone so the culprit is named.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Callable, Iterable

from .check import RunResult, check_paths
from .config import Config

# Below this many files to check, starting worker processes costs more than it saves.
PARALLEL_MIN_FILES = 32
# Chunks per worker: enough to balance uneven files, few enough that messaging stays cheap.
CHUNKS_PER_WORKER = 8
MAX_CHUNK = 64


def run_checks(paths: Iterable[Path], config: Config, select: Iterable[str] = (),
               ignore: Iterable[str] = ()) -> RunResult:
    mapper = Mapper(config)
    try:
        return check_paths(paths, config, select, ignore, mapper=mapper)
    finally:
        mapper.close()


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

    def __init__(self, config: Config) -> None:
        self.config = config
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
        if keys is not None:
            found = self.cache.get_many(k for k, _ in keys.values())
            # SQLite connections must not cross a fork: closed before workers start, reopened to write.
            self.cache.close()
            for i, (key, _) in keys.items():
                outcome = found.get(key)
                if outcome is not None and type(outcome).__name__ == "FileOutcome":
                    outcomes[i] = outcome
        todo = [i for i, o in enumerate(outcomes) if o is None]
        store = keys is not None
        fresh = _check_many(job, [files[i] for i in todo], encode=store)
        writes = []
        for i, (outcome, payload, digest) in zip(todo, fresh):
            outcomes[i] = outcome
            # Stored only if the file still has the bytes it was looked up by: an edit made while the
            # run went must not be cached under the old content.
            if store and i in keys and payload is not None and digest == keys[i][1]:
                writes.append((keys[i][0], payload))
        if store:
            self.cache.put_many(writes)
        return outcomes

    def _keys(self, job: Callable[[Path], Any], files: list[Path]) -> dict[int, tuple[str, str]] | None:
        """File index → (cache key, content hash) for every file that can be cached; None: no cache."""
        from .cache import Uncacheable, content_hash, entry_key, run_fingerprint
        from .loader import read_source

        try:
            run = run_fingerprint(job)
        except Uncacheable:
            return None
        cwd = os.path.realpath(os.getcwd())
        keys = {}
        for i, path in enumerate(files):
            try:
                data = read_source(path, self.config.max_file_size)
            except Exception:  # unreadable, too large, not a file: checked (and reported) every time
                continue
            digest = content_hash(data)
            # display_path depends on the path as given, where it really leads, and the working directory.
            keys[i] = (entry_key(run, str(path), os.path.realpath(path), cwd, digest), digest)
        return keys



# --- checking ---------------------------------------------------------------------------------------

_JOB: Callable[[Path], Any] | None = None


def _init_worker(job: Callable[[Path], Any]) -> None:
    global _JOB
    _JOB = job
    import gc

    # Everything imported so far lives as long as the worker: keep the collector from rescanning it
    # after every few thousand allocations (a few percent of a worker's time).
    gc.freeze()


def _check_chunk(chunk: list[Path], encode: bool) -> list[tuple[Any, str | None, str | None]]:
    assert _JOB is not None
    return [_check_one(_JOB, path, encode) for path in chunk]


def _check_one(job: Callable[[Path], Any], path: Path, encode: bool) -> tuple[Any, str | None, str | None]:
    """(outcome, its cache payload, the file's content hash after the check)."""
    try:
        outcome = job(path)
    except Exception as exc:
        if os.environ.get("JOURNEYCTL_DEBUG"):
            raise
        return _crashed(path, f"internal error while checking this file: {type(exc).__name__}: {exc}; "
                              "please report it (JOURNEYCTL_DEBUG=1 shows the traceback)"), None, None
    if not encode:
        return outcome, None, None
    from .cache import content_hash, dumps
    from .loader import read_source

    try:
        payload = dumps(outcome)
        digest = content_hash(read_source(path, sys.maxsize))
    except Exception:
        return outcome, None, None
    return outcome, payload, digest


def _crashed(path: Path, message: str) -> Any:
    from .check import FileOutcome, FileResult, display_path
    from .findings import Finding

    display = display_path(path)
    return FileOutcome(FileResult(display, [Finding("file-error", "error", display, 1, 1, message)]))


def _check_many(job: Callable[[Path], Any], files: list[Path], encode: bool) -> list[tuple[Any, str | None, str | None]]:
    n = min(workers(), len(files) // PARALLEL_MIN_FILES + 1) if len(files) > PARALLEL_MIN_FILES else 1
    if n <= 1:
        return [_check_one(job, path, encode) for path in files]
    size = max(1, min(MAX_CHUNK, -(-len(files) // (n * CHUNKS_PER_WORKER))))
    chunks = [files[i:i + size] for i in range(0, len(files), size)]
    results: list[list[tuple[Any, str | None, str | None]] | None] = [None] * len(chunks)
    try:
        with _pool(n, job) as pool:
            futures = [pool.submit(_check_chunk, chunk, encode) for chunk in chunks]
            for i, future in enumerate(futures):
                try:
                    results[i] = future.result()
                except Exception as exc:
                    if not _is_broken_pool(exc):
                        raise
    except Exception as exc:
        if not _is_broken_pool(exc):
            raise
    out: list[tuple[Any, str | None, str | None]] = []
    for chunk, result in zip(chunks, results):
        out.extend(result if result is not None else _isolate(job, chunk, encode))
    return out


def _pool(n: int, job: Callable[[Path], Any]) -> Any:
    import multiprocessing
    import threading
    from concurrent.futures import ProcessPoolExecutor

    # fork shares what the parent already imported and loaded (rules, schema, catalogs) for free; it is
    # unsafe only when other threads hold locks, so a threaded host gets spawned workers instead.
    methods = multiprocessing.get_all_start_methods()
    method = "fork" if "fork" in methods and threading.active_count() == 1 else ("forkserver" if "forkserver" in methods else "spawn")
    return ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context(method),
                               initializer=_init_worker, initargs=(job,))


def _is_broken_pool(exc: BaseException) -> bool:
    from concurrent.futures.process import BrokenProcessPool

    return isinstance(exc, BrokenProcessPool)


def _isolate(job: Callable[[Path], Any], chunk: list[Path], encode: bool) -> list[tuple[Any, str | None, str | None]]:
    """A worker died on this chunk: check each file in a process of its own, naming the one that kills it."""
    out = []
    for path in chunk:
        try:
            with _pool(1, job) as pool:
                out.append(pool.submit(_check_chunk, [path], encode).result()[0])
        except Exception as exc:
            if not _is_broken_pool(exc):
                raise
            out.append((_crashed(path, "the checking process died on this file (a crash in the YAML parser or "
                                       "another C extension); please report it with the file"), None, None))
    return out

