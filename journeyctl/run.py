"""Running checks over many files: the one place that decides how (in order, cached, in parallel)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from .check import RunResult, check_paths
from .config import Config


def run_checks(paths: Iterable[Path], config: Config, select: Iterable[str] = (),
               ignore: Iterable[str] = ()) -> RunResult:
    return check_paths(paths, config, select, ignore)
