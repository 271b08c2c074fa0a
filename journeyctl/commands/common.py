"""What every command shares: one way to fail with a message, to find the settings, to write output."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, List, Optional

import typer

if TYPE_CHECKING:
    from ..config import Config


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print one clear message to stderr and return the Exit to raise."""
    from ..report.text import clean

    sys.stderr.write(f"journeyctl: {clean(message)}\n")
    return typer.Exit(code)


def use_color(stream: object = None) -> bool:
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return bool(getattr(stream, "isatty", lambda: False)())


def load_settings(config_path: Optional[Path], paths: Optional[List[Path]] = None) -> Config:
    """The config from --config, else found upward from the working directory, else from the first path."""
    from ..config import ConfigError, load_settings as settings

    try:
        return settings(config_path, paths or ())
    except ConfigError as exc:
        raise fail(f"{exc.file}:{exc.line}:{exc.column}: {exc.message}")


def stdout_if_dash(output: Optional[Path]) -> Optional[Path]:
    """`-o -` means stdout, as in most command-line tools: never a file named '-'."""
    return None if output is not None and str(output) == "-" else output


def emit(text: str, output: Optional[Path]) -> None:
    from ..output import OutputError, write_atomic, write_stdout

    output = stdout_if_dash(output)
    try:
        if output is None:
            write_stdout(text)
        else:
            write_atomic(output, text)
    except OutputError as exc:
        raise fail(str(exc))
