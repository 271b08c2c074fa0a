"""Markdown for a PR comment or a job summary: a count table, then the findings grouped by file.

Messages quote journey text, and a PR comment renders HTML and pings @mentions: user text is escaped so
a label can neither inject markup nor notify a team.
"""

from __future__ import annotations

import re
from itertools import groupby

from ..check.pipeline import RunResult
from ..check.findings import Finding

_SPECIAL = re.compile(r"([\\`*_\[\]|~])")  # enough mid-line; user text never starts a line
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_ICONS = {"error": "❌", "warning": "⚠️", "info": "ℹ️"}


def md_escape(text: str) -> str:
    """User text as inert Markdown on one line: no markup, no HTML, no mentions, no line breaks."""
    text = _CONTROL.sub(" ", text.replace("\r\n", " "))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("@", "&#64;")
    return _SPECIAL.sub(r"\\\1", text)


def md_code(text: str) -> str:
    """User text shown as inline code: HTML <code> so backticks inside cannot close it early."""
    text = _CONTROL.sub(" ", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "&#124;")
    return f"<code>{text.replace('@', '&#64;')}</code>"


def to_markdown(result: RunResult) -> str:
    counts = result.counts()
    files = len(result.files)
    with_findings = sum(1 for r in result.files if r.findings)
    lines = ["## journeyctl validate", "",
             "| files | with findings | errors | warnings | info |",
             "|---:|---:|---:|---:|---:|",
             f"| {files} | {with_findings} | {counts['error']} | {counts['warning']} | {counts['info']} |", ""]
    findings = sorted(result.findings, key=Finding.sort_key)
    if not findings:
        lines.append("No findings. ✅")
        return "\n".join(lines) + "\n"
    for file, group in groupby(findings, key=lambda f: f.file):
        lines.append(f"### {md_code(file)}")
        lines.append("")
        for f in group:
            lines.append(f"- {_ICONS.get(f.severity, '')} **{f.severity}** {md_code(f.rule)} "
                         f"line {f.line}:{f.column}: {md_escape(f.message)}")
        lines.append("")
    return "\n".join(lines)
