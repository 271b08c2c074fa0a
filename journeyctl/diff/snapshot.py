"""One side of a diff: every journey (and catalog) file of a revision, of the work tree, or one file.

A side is checked the way `validate` checks a workspace (check.check_paths): catalogs first, then each
journey against them, then the cross-file pass (journeyctl.workspace.resolve). The difference is the
input: bytes from `git cat-file` or the disk, never temporary files. The per-file work is memoised on
(content, path, catalogs), so a file identical on both sides (the common case in a pull request) is
parsed and checked once; only the cheap cross-file pass runs twice. Many files go to worker processes
(diff.workers), where a path edited on both sides is checked twice and compared in one job.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any, Callable, Iterable

from ..check.pipeline import stamped, apply_suppressions, check_document, document_from_bytes, unused_suppressions
from ..check.discovery import SKIP_DIRS, discover, matches
from ..config import Config
from ..check.findings import Finding
from ..format.model import Journey
from ..rules import Workspace
from ..check.suppress import Suppression
from ..check.workspace import (
    CATALOG_PATTERNS,
    CROSS_FILE_RULES,
    CatalogEntry,
    JourneySummary,
    collect_catalogs,
    is_catalog,
    resolve,
)
from . import DiffError, git
from .workers import Pair, Precomputed, Single, run, workers


@dataclass
class Entry:
    """One checked file on one side."""

    file: str  # path shown to the user: from the repository root in git mode
    blob: str  # git blob id of the content; equal ids mean byte-identical files
    journey: Journey | None  # None also when a worker checked the file: see model()
    findings: list[Finding]
    journey_id: str | None = None  # set exactly when the file is a journey (has a model)
    # The comparison with the base's version of the same path, when a worker made it (head entries only).
    precomputed: Precomputed | None = field(default=None, repr=False, compare=False)
    load: Callable[[], Journey | None] | None = field(default=None, repr=False, compare=False)
    title: str | None = None  # the journey's title, shown beside its id

    def model(self) -> Journey | None:
        """The journey's model. Workers never send models back, so one that is needed after all (a
        journey matched across two paths, --render) is checked again here, the way it was checked."""
        if self.journey is None and self.journey_id is not None and self.load is not None:
            self.journey = self.load()
        return self.journey


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
    title: str | None = None


# A side's input: repository path → (blob id, bytes), or a finding when the file could not be read.
Files = dict[str, tuple[str, bytes] | Finding]
_Memo = tuple[str, str, tuple[tuple[str, str], ...]]  # (blob id, path, catalogs' key)


@dataclass
class Checker:
    """The validate pipeline on bytes, memoised across the two sides."""

    config: Config
    severities: dict[str, str]
    funnel: bool = True  # what compare() will be asked for: workers compute funnel changes only then
    # compare.content_changes, handed in by whoever compares (sides.py), so that workers can compare two
    # versions of a path without this module depending on the comparison.
    changes: Callable[..., Any] | None = None
    _journeys: dict[_Memo, _Outcome] = field(default_factory=dict)
    _catalogs: dict[tuple[tuple[str, str], ...], tuple[Workspace, list[CatalogEntry], dict[str, list[Finding]]]] = \
        field(default_factory=dict)
    _pairs: dict[tuple[str, str, str], Precomputed] = field(default_factory=dict)  # (path, base blob, head blob)

    def __post_init__(self) -> None:
        self._defer = frozenset(CROSS_FILE_RULES)

    def snapshots(self, *sides: Side) -> list[Snapshot]:
        """Check every side, in worker processes when there are many files; compare two sides' versions
        of a path there too."""
        self._warm(sides)
        snapshots = [self.side(s.label, s.files, s.shown) for s in sides]
        if len(snapshots) == 2:
            base = {e.file: e.blob for e in snapshots[0].entries}
            for entry in snapshots[1].entries:
                entry.precomputed = self._pairs.get((entry.file, base.get(entry.file, ""), entry.blob))
        return snapshots

    def _warm(self, sides: tuple[Side, ...]) -> None:
        singles: dict[_Memo, Single] = {}
        states = [self._catalog_state(s.files) for s in sides]
        for s, (key, workspace) in zip(sides, states):
            for rel, value in sorted(s.files.items()):
                if isinstance(value, Finding) or is_catalog(rel) or (value[0], rel, key) in self._journeys:
                    continue
                singles.setdefault((value[0], rel, key), Single(rel, value[1], workspace))
        jobs: list[tuple[str, tuple[_Memo, ...], Single | Pair]] = []
        if len(sides) == 2:
            (base_key, base_ws), (head_key, head_ws) = states
            for rel, a in sides[0].files.items():
                b = sides[1].files.get(rel)
                if isinstance(a, Finding) or isinstance(b, Finding) or b is None or a[0] == b[0]:
                    continue
                memos = (a[0], rel, base_key), (b[0], rel, head_key)
                if all(m in singles for m in memos):
                    jobs.append((rel, memos, Pair(rel, a[1], base_ws, b[1], head_ws)))
                    for m in memos:
                        del singles[m]
        jobs += [(job.rel, (memo,), job) for memo, job in singles.items()]
        jobs.sort(key=lambda item: (-item[2].files, item[0], item[1]))  # the big jobs first: an even finish
        n = workers(sum(job.files for _, _, job in jobs))
        if n <= 1:
            return  # checked in order by side(), models and all
        for (rel, memos, job), result in zip(jobs, run(self, [job for _, _, job in jobs], n)):
            if isinstance(job, Single):
                self._journeys[memos[0]] = result
                continue
            self._journeys[memos[0]], self._journeys[memos[1]], changes = result
            if changes is not None:
                key = (rel, memos[0][0], memos[1][0])
                self._pairs[key] = Precomputed(*key, self.funnel, tuple(changes[0]), tuple(changes[1]))

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
                extra += stamped(unused_suppressions(deferred, rel, self.severities), outcome.summary, rel)
                entries.append(Entry(rel, value[0], outcome.journey,
                                     sorted(outcome.findings + extra, key=Finding.sort_key), outcome.journey_id,
                                     load=partial(self._model, (value[0], rel, key), value[1], workspace),
                                     title=outcome.title))
            else:
                own = [f for f in catalog_findings.get(rel, []) + cross.get(rel, []) if f.rule in self.severities]
                entries.append(Entry(rel, value[0], None, sorted(own, key=Finding.sort_key)))
        return Snapshot(label, entries)

    def _model(self, memo: _Memo, raw: bytes, workspace: Workspace) -> Journey | None:
        outcome = self._journeys[memo]
        if outcome.journey is None:
            outcome.journey = self._journey(raw, memo[1], workspace).journey
        return outcome.journey

    def _journey(self, raw: bytes, display: str, workspace: Workspace) -> _Outcome:
        doc, findings = document_from_bytes(raw, display, self.config)
        outcome, journey = check_document(doc, findings, display, self.config, self.severities, workspace,
                                          self._defer)
        return _Outcome(journey, outcome.result.findings, outcome.summary, outcome.suppressions,
                        outcome.result.journey_id, journey.title if journey is not None else None)

    def _load_catalogs(self, files: dict[str, bytes]) -> tuple[Workspace, list[CatalogEntry], dict[str, list[Finding]]]:
        return collect_catalogs((display, *document_from_bytes(files[display], display, self.config))
                                for display in sorted(files))


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
        return matches(rel, (*self.include, *CATALOG_PATTERNS)) and not matches(rel, self.exclude)

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


def two_files(base: Path, head: Path, checker: Checker) -> tuple[Side, Side, list[str]]:
    """Each file with the workspace it lives in (its catalogs and other journeys, found as validate
    finds them from that file), and notes for the reader when a file lives in none.

    The other compared file is left out of each side (two versions of one journey in one workspace
    are not duplicates of each other). A file outside any workspace (`git show main:j.yaml >
    /tmp/old.yaml`) is resolved against the other file's workspace, and a note says so.
    """
    from ..check.pipeline import display_path

    both = (os.path.realpath(base), os.path.realpath(head))
    found = [_workspace_of(path, both, checker.config) for path in (base, head)]
    notes = []
    for i, path in enumerate((base, head)):
        if found[i] is None:
            other = found[1 - i]
            if other is not None:
                notes.append(f"{display_path(path)} is in no workspace (no .journeyctl.yaml or pyproject.toml "
                             f"[tool.journeyctl] above it): resolved against the catalogs and journeys of "
                             f"{display_path(head if i == 0 else base)}'s workspace")
            else:
                notes.append(f"{display_path(path)} is in no workspace (no .journeyctl.yaml or pyproject.toml "
                             "[tool.journeyctl] above it): its references to catalogs and other journeys cannot be "
                             "resolved")
    sides = []
    for i, path in enumerate((base, head)):
        display = display_path(path)
        files: Files = {display: _read(path, display, checker.config)}
        for extra in found[i] if found[i] is not None else (found[1 - i] or []):
            files.setdefault(display_path(extra), _read(extra, display_path(extra), checker.config))
        sides.append(Side(display, files, {display}))
    return sides[0], sides[1], notes


def _workspace_of(path: Path, compared: tuple[str, str], config: Config) -> list[Path] | None:
    """The other files of the workspace `path` lives in (None: no settings file marks one above it)."""
    from ..config import ConfigError, load_config

    try:
        settings = load_config(None, start=path.resolve().parent)
    except ConfigError as exc:
        raise DiffError(str(exc)) from None
    if settings.source is None:
        return None
    return [f for f in discover([settings.root], settings) if os.path.realpath(f) not in compared]


def _read(path: Path, display: str, config: Config) -> tuple[str, bytes] | Finding:
    try:
        with open(path, "rb") as handle:
            raw = handle.read(config.max_file_size + 1)
    except OSError as exc:
        return Finding("file-error", "error", display, 1, 1, f"cannot read file: {exc.strerror or exc}")
    return git.blob_id(raw), raw
