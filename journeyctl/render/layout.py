"""Running Graphviz: a subprocess under a timeout, sandboxed, with its output made reproducible.

dot's layout time explodes on dense graphs, and a CI job must not hang on one, so dot runs in its own
process group and the whole group is killed when the timeout passes. Environment settings:

- SERVER_NAME with an empty GV_FILE_PATH puts Graphviz in its "web server" mode, in which it refuses
  to load any file (images, shape files). Labels are escaped anyway; this is the second lock.
- TZ=UTC: the PDF renderer writes a CreationDate in local time; it is then replaced by a fixed date
  of the same length (so the PDF's byte offsets stay valid). PNG and SVG carry no timestamp.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

BINARY_FORMATS = ("png", "pdf")
GRAPHVIZ_FORMATS = ("svg", "png", "pdf")
INSTALL_HINT = ("Graphviz's 'dot' program is needed for svg, png and pdf: install Graphviz "
                "(apt-get install graphviz, brew install graphviz, choco install graphviz, or "
                "https://graphviz.org/download/) and make sure 'dot' is on PATH; "
                "--format dot, mermaid and md work without it")


class RenderError(Exception):
    """A diagram could not be produced (exit 2); the message says why and what to do."""


class GraphvizMissing(RenderError):
    pass


class RenderTimeout(RenderError):
    pass


def dot_binary() -> str | None:
    return _which(os.environ.get("JOURNEYCTL_DOT", "dot"), os.environ.get("PATH"))


@functools.lru_cache(maxsize=8)
def _which(name: str, path: str | None) -> str | None:
    # Asked once per view of a docs build: searching PATH each time cost ~2 s per 1,000 journeys.
    return shutil.which(name, path=path)


def dot_version() -> str | None:
    binary = dot_binary()
    if binary is None:
        return None
    try:
        done = subprocess.run([binary, "-V"], capture_output=True, timeout=10, env=_env())
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(rb"version\s+(\S+)", done.stderr + done.stdout)
    return match.group(1).decode("ascii", "replace") if match else None


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update({"SERVER_NAME": "journeyctl", "GV_FILE_PATH": "", "TZ": "UTC"})
    return env


# Rendered diagrams cached by content (`use_cache`): the key is the DOT source, the Graphviz binary and
# version, the engine and the format, so an unchanged journey is never drawn twice, and any change to
# the journey, to journeyctl's drawing of it or to Graphviz draws it again. Off unless a caller (the
# docs build) names a directory.
_CACHE: Path | None = None


def use_cache(directory: Path | None) -> None:
    """Cache Graphviz output under `directory` from now on (None: stop caching)."""
    global _CACHE
    _CACHE = directory


def _cache_key(binary: str, command: list[str], source: str) -> str:
    h = hashlib.sha256()
    h.update(f"{os.path.realpath(binary)}\0{_binary_version(binary)}\0{' '.join(command[1:])}\0".encode())
    h.update(source.encode("utf-8"))
    return h.hexdigest()


@functools.lru_cache(maxsize=4)
def _binary_version(binary: str) -> str:
    try:
        done = subprocess.run([binary, "-V"], capture_output=True, timeout=10, env=_env())
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    return (done.stderr + done.stdout).decode("utf-8", "replace").strip()


# Drawings not used for KEEP_DAYS are deleted (prune_cache): a hit refreshes its file's time, at most hourly.
KEEP_DAYS = 7
_TOUCH_SECONDS = 3600


def _cached(key: str, fmt: str) -> bytes | None:
    if _CACHE is None:
        return None
    path = _CACHE / key[:2] / f"{key}.{fmt}"
    try:
        data = path.read_bytes()
    except OSError:
        return None
    try:
        now = time.time()
        if now - path.stat().st_mtime > _TOUCH_SECONDS:
            os.utime(path, (now, now))
    except OSError:
        pass
    return data


def prune_cache(directory: Path, now: float | None = None) -> int:
    """Delete drawings under `directory` unused for KEEP_DAYS; at most once a day (a stamp file says
    when), so a build does not walk thousands of files every time. Best effort; returns how many went."""
    now = time.time() if now is None else now
    stamp = directory / ".pruned"
    try:
        if now - stamp.stat().st_mtime < 86400:
            return 0
    except OSError:
        pass
    removed = 0
    try:
        folders = [entry for entry in os.scandir(directory) if entry.is_dir(follow_symlinks=False)]
        for folder in folders:
            for entry in os.scandir(folder.path):
                try:
                    if entry.is_file(follow_symlinks=False) and now - entry.stat().st_mtime > KEEP_DAYS * 86400:
                        os.unlink(entry.path)
                        removed += 1
                except OSError:
                    continue
        stamp.touch()
        os.utime(stamp, (now, now))
    except OSError:
        pass
    return removed


def _store(key: str, fmt: str, data: bytes) -> None:
    """Best effort: a cache that cannot be written only costs time."""
    if _CACHE is None:
        return
    import tempfile

    folder = _CACHE / key[:2]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".render.", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, folder / f"{key}.{fmt}")
    except OSError:
        pass


# Drawings made ahead by render.batch for this process, taken (once) by run_dot: key → bytes.
_PRIMED: dict[str, bytes] = {}


def remember(key: str, data: bytes) -> None:
    """Keep a drawing made ahead (render.batch) for run_dot, and in the cache when there is one."""
    _PRIMED[key] = data
    _store(key, "svg", data)


def is_primed(key: str) -> bool:
    return key in _PRIMED


def run_dot(source: str, fmt: str, *, timeout: float, engine: str = "dot", what: str = "the diagram",
            extra_args: tuple[str, ...] = ()) -> bytes:
    """The diagram drawn by Graphviz in `fmt` (svg, png, pdf). Raises RenderError, never hangs."""
    binary = dot_binary()
    if binary is None:
        raise GraphvizMissing(INSTALL_HINT)
    if fmt not in GRAPHVIZ_FORMATS:
        raise ValueError(f"run_dot cannot produce {fmt}")
    command = [binary, f"-K{engine}", f"-T{fmt}", *extra_args]
    key = _cache_key(binary, command, source) if _CACHE is not None or _PRIMED else ""
    if key and fmt == "svg" and key in _PRIMED:
        return _PRIMED.pop(key)
    if key:
        hit = _cached(key, fmt)
        if hit is not None:
            return hit
    data = _run(binary, command, source, fmt, timeout=timeout, what=what)
    if key:
        _store(key, fmt, data)  # no-op without a cache directory
    return data


def _run(binary: str, command: list[str], source: str, fmt: str, *, timeout: float, what: str) -> bytes:
    try:
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, env=_env(), start_new_session=True)
    except OSError as exc:
        raise RenderError(f"cannot run {binary}: {exc.strerror or exc}") from None
    try:
        out, err = process.communicate(source.encode("utf-8"), timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        raise RenderTimeout(
            f"Graphviz took longer than {timeout:g} s to lay out {what} and was stopped; "
            "raise the limit with --timeout or 'render: timeout:' in the config, or use "
            "--format mermaid or dot") from None
    if process.returncode != 0:
        message = err.decode("utf-8", "replace").strip().splitlines()
        detail = "; ".join(message[:3]) or f"exit status {process.returncode}"
        raise RenderError(f"Graphviz failed on {what}: {detail}")
    return reproducible(out, fmt)


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()
    process.communicate()


_PDF_DATE = re.compile(rb"(/(?:CreationDate|ModDate) \(D:)(\d{14})")


def reproducible(data: bytes, fmt: str) -> bytes:
    """Remove what differs between two runs of the same Graphviz on the same input."""
    if fmt == "pdf":
        # Same length on purpose: the xref table holds byte offsets.
        return _PDF_DATE.sub(lambda m: m.group(1) + b"19700101000000", data)
    return data
