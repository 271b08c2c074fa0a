"""Checking a diff's files in forked worker processes.

A worker sends back only small, cheaply pickled data: findings, the cross-file summary, deferred
suppressions, never a Journey model (pickling pydantic models costs about as much as checking them).
A path whose content differs between the two sides is one job: the worker checks both versions and
compares them there, so the comparison, the costliest part of a diff after checking, runs in parallel
too. A model the main process still needs (a journey matched across paths, --render) is re-checked
there on demand (snapshot.Entry.model).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..rules import Workspace

if TYPE_CHECKING:
    from .compare import Change
    from .snapshot import Checker

# Below this many file checks, starting worker processes costs more than it saves.
PARALLEL_MIN_FILES = 32
# Chunks per worker: enough to balance uneven jobs (a pair costs twice a single file), few enough that
# messaging stays cheap.
CHUNKS_PER_WORKER = 32


@dataclass(frozen=True)
class Single:
    """A file checked once: identical on both sides, or on one side only."""

    rel: str
    raw: bytes
    workspace: Workspace

    @property
    def files(self) -> int:
        return 1


@dataclass(frozen=True)
class Pair:
    """One path with different content on the two sides: both checked, then compared."""

    rel: str
    base: bytes
    base_workspace: Workspace
    head: bytes
    head_workspace: Workspace

    @property
    def files(self) -> int:
        return 2


@dataclass(frozen=True)
class Precomputed:
    """What compare.content_changes gave for (base, head) of one path, computed by a worker."""

    file: str
    base_blob: str
    head_blob: str
    funnel: bool  # the `funnel` argument it was computed with
    changes: tuple[Change, ...]
    funnel_changes: tuple[Change, ...]

    def fits(self, base_file: str, base_blob: str, head_file: str, head_blob: str, funnel: bool) -> bool:
        """Whether compare() paired the very versions this was computed for, asking the same of the funnel."""
        return (base_file, head_file, base_blob, head_blob, funnel) == \
            (self.file, self.file, self.base_blob, self.head_blob, self.funnel)


Job = Single | Pair

# Set in the parent just before the fork and inherited by the workers, so no job crosses a pipe:
# a chunk is sent as two indices.
_STATE: tuple[Checker, list[Job]] | None = None


def workers(jobs: int) -> int:
    """Processes for `jobs` file checks: one per core ($JOURNEYCTL_JOBS overrides), 1 when not worth it."""
    import multiprocessing
    import threading

    # fork is the only cheap start (workers inherit the loaded rules); it is unsafe with other threads.
    if jobs < PARALLEL_MIN_FILES or threading.active_count() > 1 or \
            "fork" not in multiprocessing.get_all_start_methods():
        return 1
    from ..check.run import workers as cores

    return max(1, min(cores(), jobs // PARALLEL_MIN_FILES + 1))


def run(checker: Checker, jobs: list[Job], n: int) -> list[Any]:
    """Each job's result, in order: for a Single its outcome; for a Pair (base outcome, head outcome,
    compare.content_changes or None when either version is not a journey). Outcomes carry no model."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _STATE
    # Loaded once here rather than once per worker after the fork.
    from ..analysis.funnel import analyse_funnel
    from ..rules.catalog import all_rules

    all_rules()
    size = max(1, -(-len(jobs) // (n * CHUNKS_PER_WORKER)))
    bounds = [(i, min(i + size, len(jobs))) for i in range(0, len(jobs), size)]
    _STATE = (checker, jobs)
    try:
        with ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("fork"),
                                 initializer=_init_worker) as pool:
            return [r for chunk in pool.map(_run_chunk, bounds) for r in chunk]
    finally:
        _STATE = None


def _init_worker() -> None:
    import gc

    # What the worker inherited lives as long as it does: keep the collector from rescanning it.
    gc.freeze()


def _run_chunk(bounds: tuple[int, int]) -> list[Any]:
    import gc

    assert _STATE is not None
    checker, jobs = _STATE
    # A check allocates many objects, nearly all freed by reference counting as soon as the job is done;
    # the collector's passes over them cost a tenth of a worker's time. It runs again between chunks.
    gc.disable()
    try:
        return [_run_job(checker, job) for job in jobs[bounds[0]:bounds[1]]]
    finally:
        gc.enable()


def _run_job(checker: Checker, job: Job) -> Any:
    if isinstance(job, Single):
        outcome = checker._journey(job.raw, job.rel, job.workspace)
        outcome.journey = None
        return outcome
    base = checker._journey(job.base, job.rel, job.base_workspace)
    head = checker._journey(job.head, job.rel, job.head_workspace)
    changes = None
    if base.journey is not None and head.journey is not None and checker.changes is not None:
        changes = checker.changes(base.journey, head.journey, checker.funnel)
    base.journey = head.journey = None
    return base, head, changes
