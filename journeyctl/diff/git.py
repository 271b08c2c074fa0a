"""Reading journeys out of git without touching the work tree or the index.

Only plumbing commands are used (rev-parse, ls-tree, cat-file), so the output never depends on the
user's git configuration (pagers, colours, diff drivers), and blobs are read in one `cat-file --batch`
process rather than one `git show` per file.
"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

from . import DiffError

GIT_TIMEOUT = 120


def _git(args: list[str], cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True, timeout=GIT_TIMEOUT)
    except FileNotFoundError:
        raise DiffError("git is not installed (needed to read revisions)") from None
    except subprocess.TimeoutExpired:
        raise DiffError(f"git {args[0]} took longer than {GIT_TIMEOUT}s") from None


def toplevel(cwd: Path) -> Path | None:
    """The work tree root containing `cwd`, or None outside a repository (or without git)."""
    try:
        done = _git(["rev-parse", "--show-toplevel"], cwd)
    except DiffError:
        return None
    top = done.stdout.decode("utf-8", "surrogateescape").strip()
    return Path(top) if done.returncode == 0 and top else None


def resolve_commit(rev: str, cwd: Path) -> str | None:
    """The commit id `rev` names, or None when it names nothing (or not a commit)."""
    if not rev or rev.startswith("-"):  # would be read as an option by git
        return None
    done = _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], cwd)
    return done.stdout.decode().strip() if done.returncode == 0 else None


def require_commit(rev: str, cwd: Path) -> str:
    commit = resolve_commit(rev, cwd)
    if commit is not None:
        return commit
    message = f"unknown revision '{rev}'"
    shallow = _git(["rev-parse", "--is-shallow-repository"], cwd).stdout.decode().strip() == "true"
    if shallow:
        message += (f" (this is a shallow clone: fetch it first, e.g. 'git fetch --depth=1 origin {rev}', "
                    "or check out with fetch-depth: 0)")
    raise DiffError(message)


def list_blobs(commit: str, cwd: Path) -> list[tuple[str, str]]:
    """(path from the repository root, blob id) of every file in the commit, sorted by path."""
    done = _git(["ls-tree", "-r", "-z", "--full-tree", commit], cwd)
    if done.returncode != 0:
        raise DiffError(f"cannot list files of {commit}: {done.stderr.decode(errors='replace').strip()}")
    out: list[tuple[str, str]] = []
    for record in done.stdout.split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        mode, kind, sha = meta.split(b" ")
        if kind != b"blob" or mode == b"120000":  # submodules are commits; symlinks are not journeys
            continue
        out.append((raw_path.decode("utf-8", "surrogateescape"), sha.decode()))
    return sorted(out)


def read_blobs(shas: list[str], cwd: Path) -> dict[str, bytes]:
    """Contents of the blobs, read through a single `git cat-file --batch`."""
    unique = sorted(set(shas))
    if not unique:
        return {}
    done = _git(["cat-file", "--batch"], cwd, stdin="".join(s + "\n" for s in unique).encode())
    if done.returncode != 0:
        raise DiffError(f"git cat-file failed: {done.stderr.decode(errors='replace').strip()}")
    data = done.stdout
    blobs: dict[str, bytes] = {}
    pos = 0
    for sha in unique:
        end = data.index(b"\n", pos)
        header = data[pos:end].split(b" ")
        pos = end + 1
        if len(header) != 3:  # "<sha> missing": a partial clone without the blob
            raise DiffError(f"blob {sha} is not available locally (partial or shallow clone?)")
        size = int(header[2])
        blobs[sha] = data[pos:pos + size]
        pos += size + 1
    return blobs


def blob_id(data: bytes) -> str:
    """The id git gives these bytes as a blob, so a work-tree file can be compared with a revision's."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def describe(commit: str, rev: str, cwd: Path) -> str:
    """A label for a revision: what the user typed and the short commit id."""
    short = _git(["rev-parse", "--short", commit], cwd).stdout.decode().strip() or commit[:12]
    return rev if rev == short or commit.startswith(rev) else f"{rev} ({short})"
