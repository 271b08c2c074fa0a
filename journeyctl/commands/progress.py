"""A progress bar on stderr for a long `validate`, and only where a person is watching.

Shown when stderr is a terminal, the output is text (machine formats are read by programs), no CI
variable is set, and the run is still going after PROGRESS_AFTER seconds (JOURNEYCTL_PROGRESS_AFTER
overrides it): a quick run never flickers, and rich is imported only when the bar appears. The bar is
transient: once the run ends, the terminal shows the report alone.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any, TextIO

PROGRESS_AFTER = 1.0
_CI_VARIABLES = ("CI", "GITHUB_ACTIONS", "GITLAB_CI", "BUILDKITE", "JENKINS_URL", "TF_BUILD")


def wanted(fmt: str, stream: TextIO | None = None) -> bool:
    """Whether this run may show a bar at all (it still waits PROGRESS_AFTER seconds)."""
    stream = stream if stream is not None else sys.stderr
    if fmt != "text" or any(os.environ.get(name) for name in _CI_VARIABLES):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


class FileProgress:
    """`progress(done, total)` as files are checked; `close()` at the end of the run."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.started = time.monotonic()
        try:
            self.after = float(os.environ.get("JOURNEYCTL_PROGRESS_AFTER", PROGRESS_AFTER))
        except ValueError:
            self.after = PROGRESS_AFTER
        self.bar: Any = None
        self.task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            if done >= total or time.monotonic() - self.started < self.after:
                return
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(TextColumn("validate"), BarColumn(), MofNCompleteColumn(), TextColumn("files"),
                                TimeElapsedColumn(), console=Console(file=self.stream), transient=True)
            self.bar.start()
            self.task = self.bar.add_task("validate", total=total)
        self.bar.update(self.task, completed=done, total=total)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None
