"""Writing outputs: files atomically (a run that fails half-way leaves the previous file as it was), into
directories created on demand, and standard output with a plain message when it cannot take the text."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path


class OutputError(Exception):
    """An output could not be written (exit 2); the message names the path and the reason."""


def _is_special(path: Path) -> bool:
    import stat

    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write to a temporary file beside `path`, flush it to disk, then rename it over `path`."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if _is_special(path):
        # A FIFO, a terminal or /dev/null is written into, never replaced by a regular file.
        # O_NONBLOCK: opening a FIFO nobody reads would otherwise hang the run (it fails with ENXIO).
        try:
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as exc:
            reason = "nothing is reading this pipe" if exc.errno == errno.ENXIO else (exc.strerror or str(exc))
            raise OutputError(f"{path}: cannot write: {reason}") from None
        try:
            os.set_blocking(fd, True)
            with os.fdopen(fd, "wb") as handle:
                handle.write(payload)
        except OSError as exc:
            raise OutputError(f"{path}: write failed: {exc.strerror or exc}") from None
        return
    directory = path.parent if str(path.parent) else Path(".")
    ensure_directory(directory, path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write in {directory}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            mode = path.stat().st_mode & 0o777
        except OSError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise OutputError(f"{path}: write failed: {exc.strerror or exc}") from None


def ensure_directory(directory: Path, path: Path | None = None) -> None:
    """Create `directory` (and its parents) when missing: `-o reports/today/x.json` just works. The
    message names `path` (the output asked for) when a part of the way is a file or not writable."""
    if directory.is_dir():
        return
    shown = path if path is not None else directory
    blocker = next((p for p in [directory, *directory.parents] if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        raise OutputError(f"{shown}: cannot create the directory {directory}: {blocker} is a file")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{shown}: cannot create the directory {directory}: {exc.strerror or exc}") from None


def write_stdout(text: str) -> None:
    """Write `text` to standard output and flush it; OutputError when it cannot be written.

    A closed or full stdout, a pipe whose reader left, or an encoding that cannot show the text
    (PYTHONIOENCODING=ascii and a finding quoting "café") is the output failing, not journeyctl: the
    caller says so in one line and exits 2. After a failure stdout is pointed at /dev/null, so the
    interpreter's own flush at exit does not print a second, raw error.
    """
    import sys

    stream = sys.stdout
    if stream is None:  # started with file descriptor 1 closed
        raise OutputError("cannot write the output: standard output is closed")
    try:
        stream.write(text)
        stream.flush()
    except UnicodeEncodeError as exc:
        _silence(stream)
        raise OutputError(f"cannot write the output: standard output's encoding ({exc.encoding}) cannot show "
                          f"{exc.object[exc.start:exc.end]!a}; set PYTHONIOENCODING=utf-8") from None
    except (OSError, ValueError) as exc:
        _silence(stream)
        reason = getattr(exc, "strerror", None) or str(exc)
        raise OutputError(f"cannot write the output to standard output: {reason}") from None


def _silence(stream: object) -> None:
    import sys

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())  # type: ignore[attr-defined]
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass
    # Whatever the failed write left in the buffer must not be written (and fail again) at exit.
    sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
