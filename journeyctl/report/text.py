"""`path:line:col: severity rule-id message`, one per line, then a summary.

User text (ids, labels) can reach a terminal through messages, so control characters are replaced
before printing: an ANSI sequence in a label must not repaint the terminal.
"""

from __future__ import annotations

import re

from ..check.pipeline import RunResult

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_COLORS = {"error": "\x1b[31m", "warning": "\x1b[33m", "info": "\x1b[36m"}


def clean(text: str) -> str:
    """Printable text: newlines become '\\n', other control characters U+FFFD."""
    return _CONTROL.sub("\ufffd", text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def summary_line(result: RunResult) -> str:
    counts = result.counts()
    files = len(result.files)
    total = sum(counts.values())
    noun = "file" if files == 1 else "files"
    if not total:
        return f"{files} {noun} checked, no findings"
    from ..plural import severities

    return f"{files} {noun} checked: " + severities(counts, skip_zero=True)


def to_text(result: RunResult, color: bool = False, summary: bool = True) -> str:
    lines = []
    for f in sorted(result.findings, key=lambda f: f.sort_key()):
        severity = f"{_COLORS[f.severity]}{f.severity}\x1b[0m" if color else f.severity
        lines.append(f"{clean(f.file)}:{f.line}:{f.column}: {severity} {f.rule} {clean(f.message)}")
    if summary:
        lines.append(summary_line(result))
    return "\n".join(lines) + "\n"
