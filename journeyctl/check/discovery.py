"""Which files a run reads: paths named, directories walked, globs expanded, the workspace around them.

Standard library only, because two callers need the same answer: the checking pipeline, and the run
replay (replay.py), which must re-derive the file list of a previous run without loading the checker.
"""

from __future__ import annotations

import fnmatch
import glob
import os
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator

if TYPE_CHECKING:
    from ..config import Config

SKIP_DIRS = {".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".journeyctl_cache"}
CATALOG_SUFFIXES = (".catalog.yaml", ".catalog.yml")
CATALOG_PATTERNS = tuple("*" + s for s in CATALOG_SUFFIXES)


class UsageError(Exception):
    """The command line points at something unusable (exit 2)."""


def matches(rel: str, patterns: Iterable[str]) -> bool:
    """A path matches a pattern by its whole relative path or by its file name alone."""
    name = rel.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(name, p) for p in patterns)


def discover(paths: Iterable[Path], config: Config) -> list[Path]:
    """Files named, directories walked for journeys, globs expanded; a path that is not there is an error."""
    found: dict[str, Path] = {}
    for raw in paths:
        text = str(raw)
        if any(ch in text for ch in "*?[") and not raw.exists():
            hits = sorted(glob.glob(text, recursive=True))
            if not hits:
                raise UsageError(f"{text}: no file matches this pattern")
            for match in hits:
                if os.path.isfile(match):
                    found.setdefault(os.path.normpath(match), Path(match))
            continue
        if raw.is_dir():
            for file in _walk(raw, config):
                found.setdefault(os.path.normpath(file), file)
        elif raw.exists() or raw.is_symlink():
            found.setdefault(os.path.normpath(raw), raw)
        else:
            raise UsageError(f"{text}: no such file or directory")
    return [found[k] for k in sorted(found)]


def _walk(root: Path, config: Config) -> Iterator[Path]:
    # os.walk does not follow directory symlinks, so a symlink loop cannot trap the walk.
    patterns = (*config.include, *CATALOG_PATTERNS)
    for directory, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not _excluded(Path(directory, d), root, config))
        for name in sorted(files):
            file = Path(directory, name)
            if matches(name, patterns) and not _excluded(file, root, config):
                yield file


def _excluded(path: Path, root: Path, config: Config) -> bool:
    if not config.exclude:
        return False
    return matches(path.relative_to(root).as_posix(), config.exclude)


def workspace_files(paths: list[Path], config: Config) -> list[Path]:
    """The files the run resolves against: the whole workspace when a config file marks its root."""
    files = discover(paths, config)
    if config.source is None:
        return files
    # Keyed by the real path: the same file reached as `a.journey.yaml` and `/ws/a.journey.yaml` is one file,
    # and the form the user typed wins so findings show the path they know.
    everything = {os.path.realpath(f): f for f in files}
    for f in discover([config.root], config):
        everything.setdefault(os.path.realpath(f), f)
    return [everything[k] for k in sorted(everything)]
