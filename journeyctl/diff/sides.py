"""The command line's BASE [HEAD] [PATHS...] → two snapshots → a DiffResult.

The second argument is the head revision when it names a commit, and the first path otherwise; like
git, a name that is both is refused rather than guessed. Two existing files compare as files, in or
out of a repository.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..check.pipeline import effective_severities
from ..config import Config
from . import DiffError, git
from .compare import DiffResult, compare, content_changes
from .snapshot import Checker, Scope, Side, at_revision, repo_prefixes, two_files, work_tree


def load_sides(base: str, rest: list[str], config: Config, cwd: Path, funnel: bool = True) -> DiffResult:
    checker = Checker(config, effective_severities(config), funnel, changes=content_changes)
    if len(rest) == 1 and (cwd / base).is_file() and (cwd / rest[0]).is_file():
        base_side, head_side, notes = two_files(cwd / base, cwd / rest[0], checker)
        result = compare(*checker.snapshots(base_side, head_side), funnel=funnel, renames=False)
        result.notes = notes
        result.head_catalogs = _catalogs(head_side)
        return result

    root = git.toplevel(cwd)
    if root is None:
        if (cwd / base).is_file():
            raise DiffError(f"'{base}' is a file: to compare files give two of them (journeyctl diff OLD NEW)")
        raise DiffError(f"not a git repository, so '{base}' cannot be read as a revision "
                        "(run inside a git work tree, or give two files to compare)")
    base_commit = git.resolve_commit(base, root)
    if base_commit is None:
        if (cwd / base).is_file():
            raise DiffError(f"'{base}' is a file, not a revision: to compare files give two of them "
                            "(journeyctl diff OLD NEW)")
        base_commit = git.require_commit(base, root)  # raises with the reason

    head_commit: str | None = None
    paths = list(rest)
    if rest:
        first = rest[0]
        commit = git.resolve_commit(first, root)
        exists = (cwd / first).exists()
        if commit is not None and exists:
            raise DiffError(f"'{first}' is both a revision and a path: write './{first}' for the path, "
                            "or the commit id for the revision")
        if commit is not None:
            head_commit, paths = commit, rest[1:]
        elif not exists and not any(ch in first for ch in "*?["):
            raise DiffError(f"'{first}' is neither a revision nor a path in the working tree")

    scope = Scope(tuple(config.include), tuple(config.exclude), repo_prefixes(paths, cwd, root))

    def revision(commit: str, rev: str) -> Side:
        return at_revision(commit, git.describe(commit, rev, root), root, scope, checker)

    # The two sides are read at once: most of the time goes to git (inflating blobs), outside the GIL.
    # The threads are gone before checking forks its workers.
    with ThreadPoolExecutor(max_workers=2) as pool:
        base_side = pool.submit(revision, base_commit, base)
        head_side = pool.submit(work_tree, root, scope, checker) if head_commit is None else \
            pool.submit(revision, head_commit, rest[0])
        sides = base_side.result(), head_side.result()
    result = compare(*checker.snapshots(*sides), funnel=funnel)
    result.head_catalogs = _catalogs(sides[1])
    return result


def _catalogs(side: Side) -> dict[str, bytes]:
    """The side's catalog files (path → bytes): --render shows the names they give."""
    from ..check.workspace import is_catalog

    return {rel: value[1] for rel, value in side.files.items() if is_catalog(rel) and isinstance(value, tuple)}
