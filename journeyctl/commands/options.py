"""Option vocabularies several commands share, defined once so their spellings cannot drift."""

from __future__ import annotations

from enum import Enum


class Severity(str, Enum):
    error = "error"
    warning = "warning"
    info = "info"


class ReportFormat(str, Enum):
    """The formats of the analysis commands (funnel, conform, diff, stats): terminal, machine, PR comment."""

    text = "text"
    json = "json"
    md = "md"
