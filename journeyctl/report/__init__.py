"""Reporters: a run result → text for a terminal, a CI system or a machine. None of them prints."""

from __future__ import annotations

from typing import Callable

from ..check.pipeline import RunResult

FORMATS = ("text", "json", "sarif", "github", "junit", "markdown")


def get_reporter(name: str, fail_on: str = "error") -> Callable[[RunResult], str]:
    """The reporter for a format; `fail_on` (validate's --fail-on) decides what JUnit calls a failure."""
    if name == "json":
        from .json_report import to_json

        return to_json
    if name == "sarif":
        from .sarif import to_sarif

        return to_sarif
    if name == "github":
        from .github import to_github

        return to_github
    if name == "junit":
        from .junit import to_junit

        return lambda result: to_junit(result, fail_on)
    if name == "markdown":
        from .markdown import to_markdown

        return to_markdown
    from .text import to_text

    return lambda result: to_text(result, color=False)
