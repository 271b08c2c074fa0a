"""Files as the user names them: display paths, and bytes → a positioned document or the findings why not.

The lowest layer of the checking engine: the pipeline and the workspace pass both read files through it.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..config import Config
from ..format.loader import Document, LoadError, load_document
from .findings import Finding


def _nameable(text: str) -> str:
    """A path whose bytes are not UTF-8 (Python keeps them as lone surrogates) with those bytes shown
    as \\xNN: every report, page and cache key can then carry it."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return text


def display_path(path: Path) -> str:
    """Paths as the user would type them: relative to the working directory when below it."""
    # abspath, not resolve(): resolve() raises on a symlink loop and would show link targets, not the
    # path the user knows.
    if isinstance(path, Path) and not path.is_absolute() and ".." not in path.parts:
        return _nameable(path.as_posix())  # already relative to the working directory (the usual case: fast)
    absolute = os.path.abspath(path)
    cwd = os.getcwd()
    if absolute == cwd or not absolute.startswith(cwd.rstrip(os.sep) + os.sep):
        return _nameable(Path(path).as_posix())
    return _nameable(Path(os.path.relpath(absolute, cwd)).as_posix())


def name_is_utf8(path: Path) -> bool:
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def read_document(path: Path, config: Config) -> tuple[Document | None, list[Finding]]:
    display = display_path(path)
    if not name_is_utf8(path):
        # Reported, not checked: links, SARIF and pages could only carry a name that is not its own.
        return None, [Finding("file-error", "error", display, 1, 1,
                              "the file name is not valid UTF-8 (its odd bytes are shown as \\xNN): rename it")]
    try:
        return load_document(path, config.max_file_size), []
    except LoadError as exc:
        return None, [Finding(exc.rule, "error", display, exc.line, exc.column, exc.message)]
    except IsADirectoryError:
        return None, [Finding("file-error", "error", display, 1, 1, "is a directory, not a journey file")]
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return None, [Finding("file-error", "error", display, 1, 1, f"cannot read file: {reason}")]


def document_from_bytes(raw: bytes, display: str, config: Config) -> tuple[Document | None, list[Finding]]:
    """read_document for content that is not a file on disk (a git blob)."""
    from ..format.loader import decode, load_text

    try:
        if len(raw) > config.max_file_size:
            raise LoadError("file-error", f"file is larger than {config.max_file_size} bytes; split the journey "
                            "or raise max_file_size in the config")
        return load_text(decode(raw), Path(display)), []
    except LoadError as exc:
        return None, [Finding(exc.rule, "error", display, exc.line, exc.column, exc.message)]
