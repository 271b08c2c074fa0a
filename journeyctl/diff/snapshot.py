"""One side of a diff: every journey (and catalog) file of a revision, of the work tree, or one file.

A side is checked the way `validate` checks a workspace (check.check_paths): catalogs first, then each
journey against them, then the cross-file pass (journeyctl.workspace.resolve). The difference is the
input: bytes from `git cat-file` or the disk, never temporary files. The per-file work is memoised on
(content, path, catalogs), so a file identical on both sides (the common case in a pull request) is
parsed and checked once; only the cheap cross-file pass runs twice.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable

from ..check import SKIP_DIRS, apply_suppressions, check_document, discover, document_from_bytes, unused_suppressions
from ..config import Config
from ..findings import Finding
from ..model import Journey
from ..rules import Workspace
from ..suppress import Suppression
from ..workspace import CATALOG_PATTERNS, CROSS_FILE_RULES, CatalogEntry, JourneySummary, collect_catalogs, is_catalog, resolve
from . import DiffError, git


@dataclass
class Entry:
    """One checked file on one side."""

    file: str  # path shown to the user: from the repository root in git mode
    blob: str  # git blob id of the content; equal ids mean byte-identical files
    journey: Journey | None  # None also for a journey identical on both sides (the model is not needed)
    findings: list[Finding]
    journey_id: str | None = None


@dataclass
class Snapshot:
    label: str
    entries: list[Entry] = field(default_factory=list)


@dataclass
class Side:
    """A side before checking: its files (resolution scope) and the paths the diff reports on."""

    label: str
    files: "Files"
    shown: set[str]


@dataclass
class _Outcome:
    journey: Journey | None
    findings: list[Finding]
    summary: JourneySummary | None
    deferred: list[Suppression]  # suppressions of cross-file rules, judged after resolve()
    journey_id: str | None = None


# A side's input: repository path → (blob id, bytes), or a finding when the file could not be read.
Files = dict[str, tuple[str, bytes] | Finding]


@dataclass
class Checker:
    """The validate pipeline on bytes, memoised across the two sides."""

    config: Config
    severities: dict[str, str]
    _journeys: dict[tuple[str, str, tuple[tuple[str, str], ...]], _Outcome] = field(default_factory=dict)
    _catalogs: dict[tuple[tuple[str, str], ...], tuple[Workspace, list[CatalogEntry], dict[str, list[Finding]]]] = \
        field(default_factory=dict)

    def __post_init__(self) -> None:
        self._defer = frozenset(CROSS_FILE_RULES)

    def snapshots(self, *sides: Side) -> list[Snapshot]:
        """Check every side; many files identical on all sides are checked in parallel first."""
        self._warm(sides)
        return [self.side(s.label, s.files, s.shown) for s in sides]

    def _warm(self, sides: tuple[Side, ...]) -> None:
        # Only files identical on every side go to worker processes: their Journey model is never
        # compared, so a worker sends back findings and a summary only. Shipping models back would cost
        # about half of what checking them does (pickling pydantic objects), eating the gain; the few
        # files that changed are checked here, models and all.
        keyed = []
        for s in sides:
            key, workspace = self._catalog_state(s.files)
            keyed.append({(v[0], rel, key): (v[1], rel, workspace) for rel, v in s.files.items()
                          if not isinstance(v, Finding) and not is_catalog(rel)})
        common = set.intersection(*(set(k) for k in keyed)) if keyed else set()
        order = sorted(m for m in common if m not in self._journeys)
        n = _workers(len(order))
        if n <= 1:
            return
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        global _WORKER_CHECKER
        size = max(1, -(-len(order) // (n * 4)))
        chunks = [[keyed[0][m] for m in order[i:i + size]] for i in range(0, len(order), size)]
        _WORKER_CHECKER = self  # inherited by the forked workers, never pickled
        try:
            with ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("fork")) as pool:
                results = [o for chunk in pool.map(_check_chunk, chunks) for o in chunk]
        finally:
            _WORKER_CHECKER = None
        self._journeys.update(zip(order, results))

    def _catalog_state(self, files: Files) -> tuple[tuple[tuple[str, str], ...], Workspace]:
        catalog_files = {rel: v for rel, v in files.items() if is_catalog(rel) and not isinstance(v, Finding)}
        key = tuple(sorted((rel, v[0]) for rel, v in catalog_files.items()))
        if key not in self._catalogs:
            self._catalogs[key] = self._load_catalogs({rel: v[1] for rel, v in catalog_files.items()})
        return key, self._catalogs[key][0]

    def side(self, label: str, files: Files, shown: Iterable[str]) -> Snapshot:
        """Check `files` as one workspace; entries for the paths in `shown`."""
        key, _ = self._catalog_state(files)
        workspace, catalog_entries, catalog_findings = self._catalogs[key]
        outcomes: dict[str, _Outcome] = {}
        for rel in sorted(files):
            value = files[rel]
            if isinstance(value, Finding) or is_catalog(rel):
                continue
            memo = (value[0], rel, key)
            if memo not in self._journeys:
                self._journeys[memo] = self._journey(value[1], rel, workspace)
            outcomes[rel] = self._journeys[memo]
        cross = resolve([o.summary for o in outcomes.values() if o.summary is not None], catalog_entries,
                        self.severities)
        entries = []
        for rel in sorted(set(shown)):
            value = files[rel]
            if isinstance(value, Finding):
                entries.append(Entry(rel, "", None, [value]))
            elif rel in outcomes:
                outcome = outcomes[rel]
                # Fresh copies: apply_suppressions marks suppressions used, and the outcome is shared.
                deferred = [replace(s, used=set(s.used)) for s in outcome.deferred]
                extra = apply_suppressions(cross.get(rel, []), deferred)
                extra += unused_suppressions(deferred, rel, self.severities)
                entries.append(Entry(rel, value[0], outcome.journey,
                                     sorted(outcome.findings + extra, key=Finding.sort_key), outcome.journey_id))
            else:
                own = [f for f in catalog_findings.get(rel, []) + cross.get(rel, []) if f.rule in self.severities]
                entries.append(Entry(rel, value[0], None, sorted(own, key=Finding.sort_key)))
        return Snapshot(label, entries)

    def _journey(self, raw: bytes, display: str, workspace: Workspace) -> _Outcome:
        doc, findings = document_from_bytes(raw, display, self.config)
        outcome, journey = check_document(doc, findings, display, self.config, self.severities, workspace,
                                          self._defer)
        return _Outcome(journey, outcome.result.findings, outcome.summary, outcome.suppressions,
                        outcome.result.journey_id)

    def _load_catalogs(self, files: dict[str, bytes]) -> tuple[Workspace, list[CatalogEntry], dict[str, list[Finding]]]:
        return collect_catalogs((display, *document_from_bytes(files[display], display, self.config))
                                for display in sorted(files))


# Below this many files to check, starting worker processes costs more than it saves.
PARALLEL_MIN_FILES = 32
_WORKER_CHECKER: Checker | None = None


def _workers(jobs: int) -> int:
    """Processes for `jobs` files: one per core ($JOURNEYCTL_JOBS overrides), 1 when not worth it."""
    import multiprocessing
    import threading

    # fork is the only cheap start (workers inherit the loaded rules); it is unsafe with other threads.
    if jobs < PARALLEL_MIN_FILES or threading.active_count() > 1 or \
            "fork" not in multiprocessing.get_all_start_methods():
        return 1
    env = os.environ.get("JOURNEYCTL_JOBS", "")
    if env.strip().isdigit() and int(env) > 0:
        cores = int(env)
    else:
        try:
            cores = len(os.sched_getaffinity(0))
        except (AttributeError, OSError):
            cores = os.cpu_count() or 1
    return max(1, min(cores, jobs // PARALLEL_MIN_FILES + 1))


def _check_chunk(chunk: list[tuple[bytes, str, Workspace]]) -> list[_Outcome]:
    assert _WORKER_CHECKER is not None
    out = []
    for raw, rel, workspace in chunk:
        outcome = _WORKER_CHECKER._journey(raw, rel, workspace)
        outcome.journey = None  # identical on every side: never compared, not worth pickling
        out.append(outcome)
    return out


@dataclass(frozen=True)
class Scope:
    """Which repository paths take part: journey and catalog files (include/exclude), then PATHS."""

    include: tuple[str, ...]
    exclude: tuple[str, ...]
    prefixes: tuple[str, ...] = ()  # repository-relative; empty means the whole repository

    def candidate(self, rel: str) -> bool:
        """A journey or catalog file by name, wherever it is."""
        if any(part in SKIP_DIRS for part in rel.split("/")[:-1]):
            return False
        return _matches(rel, (*self.include, *CATALOG_PATTERNS)) and not _matches(rel, self.exclude)

    def shown(self, rel: str) -> bool:
        """A file the diff reports on: a candidate under PATHS, or a file PATHS name exactly."""
        if not self.prefixes:
            return self.candidate(rel)
        if rel in self.prefixes:
            return True
        return self.candidate(rel) and any(_under(rel, p) for p in self.prefixes)


def _under(rel: str, prefix: str) -> bool:
    if prefix in ("", "."):
        return True
    return rel == prefix or rel.startswith(prefix.rstrip("/") + "/") or fnmatch.fnmatchcase(rel, prefix)


def _matches(rel: str, patterns: Iterable[str]) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(name, p) for p in patterns)


def repo_prefixes(paths: Iterable[str], cwd: Path, root: Path) -> tuple[str, ...]:
    """PATHS as typed (relative to the working directory) → paths from the repository root."""
    real_root = os.path.realpath(root)
    out = []
    for raw in paths:
        full = os.path.realpath(os.path.join(cwd, raw))
        rel = os.path.relpath(full, real_root)
        if rel == ".." or rel.startswith("../"):
            raise DiffError(f"{raw}: outside the repository {root}")
        out.append("." if rel == "." else Path(rel).as_posix())
    return tuple(sorted(set(out)))


def resolution_scope(scope: Scope, config: Config, root: Path, shown: set[str], rel: str) -> bool:
    """Whether `rel` takes part in cross-file resolution, as in check.workspace_files: the whole
    workspace under the config's root when a config file exists, else only the files shown."""
    if rel in shown:
        return True
    if config.source is None or not scope.candidate(rel):
        return False
    base = os.path.relpath(os.path.realpath(config.root), os.path.realpath(root))
    return base == "." or (not base.startswith("..") and _under(rel, Path(base).as_posix()))


def at_revision(commit: str, label: str, root: Path, scope: Scope, checker: Checker) -> Side:
    listed = git.list_blobs(commit, root)
    shown = {path for path, _ in listed if scope.shown(path)}
    wanted = [(path, sha) for path, sha in listed
              if resolution_scope(scope, checker.config, root, shown, path)]
    blobs = git.read_blobs([sha for _, sha in wanted], root)
    return Side(label, {path: (sha, blobs[sha]) for path, sha in wanted}, shown)


def work_tree(root: Path, scope: Scope, checker: Checker) -> Side:
    """The files on disk (tracked or not, as validate sees them), with paths from the repository root."""
    # discover() joins names onto `root`, so the relative path is textual: no symlink resolution.
    found = {Path(os.path.relpath(p, root)).as_posix(): p for p in discover([root], checker.config)}
    for prefix in scope.prefixes:  # files named explicitly, whatever their name
        candidate = Path(root, prefix)
        if prefix != "." and candidate.is_file():
            found.setdefault(prefix, candidate)
    shown = {rel for rel in found if scope.shown(rel)}
    files: Files = {}
    for rel in sorted(found):
        if resolution_scope(scope, checker.config, root, shown, rel):
            files[rel] = _read(found[rel], rel, checker.config)
    return Side("working tree", files, shown)


def two_files(base: Path, head: Path, checker: Checker) -> tuple[Side, Side]:
    from ..check import display_path

    sides = []
    for path in (base, head):
        display = display_path(path)
        sides.append(Side(display, {display: _read(path, display, checker.config)}, {display}))
    return sides[0], sides[1]


def _read(path: Path, display: str, config: Config) -> tuple[str, bytes] | Finding:
    try:
        with open(path, "rb") as handle:
            raw = handle.read(config.max_file_size + 1)
    except OSError as exc:
        return Finding("file-error", "error", display, 1, 1, f"cannot read file: {exc.strerror or exc}")
    return git.blob_id(raw), raw
