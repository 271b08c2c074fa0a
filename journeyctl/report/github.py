"""GitHub Actions workflow commands: each finding becomes an annotation on the PR's changed line.

Messages carry user text (labels, ids), and the runner reads workflow commands from every line of the
job's output: an unescaped newline would let a journey author forge `::error` (or worse, `::add-mask`,
`::stop-commands`) lines. Escaping follows the runner's rules: the data part escapes %, CR and LF;
property values also escape ':' and ','. Other control characters are replaced outright.
"""

from __future__ import annotations

import re

from ..check.pipeline import RunResult
from ..check.findings import Finding
from .sarif import root_relative, source_root

_COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}
# CR and LF are escaped, not replaced; the rest of C0/C1 and the Unicode line separators go.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")


def escape_data(text: str) -> str:
    text = _CONTROL.sub("\ufffd", text)
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(f: Finding, file: str) -> str:
    command = _COMMANDS.get(f.severity, "warning")
    props = ",".join(f"{key}={escape_property(value)}" for key, value in (
        ("file", file), ("line", str(max(1, f.line))), ("col", str(max(1, f.column))), ("title", f.rule)))
    return f"::{command} {props}::{escape_data(f.message)}"


def to_github(result: RunResult) -> str:
    root = source_root()
    lines = []
    for f in sorted(result.findings, key=Finding.sort_key):
        # Annotations resolve against the repository root, whatever directory the step ran in.
        lines.append(annotation(f, root_relative(f.file, root) or f.file))
    return "".join(line + "\n" for line in lines)
