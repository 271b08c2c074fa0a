"""Inline suppressions: `# journeyctl: disable=rule-id` on or just above a line, `disable-file=` anywhere.

A suppression is a decision a reviewer should be able to see and revisit, so one that suppresses nothing
is reported itself (rule `unused-suppression`), as ruff does with unused `noqa` comments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_MARK = "journeyctl: disable"
_COMMENT = re.compile(r"#\s*journeyctl:\s*(disable|disable-file)\s*=\s*([A-Za-z0-9_,\s-]+?)\s*(?:--.*|#.*)?$")


@dataclass
class Suppression:
    line: int  # where the comment is
    column: int
    target: int  # the line it applies to; 0 for the whole file
    rules: tuple[str, ...]
    used: set[str] = field(default_factory=set)


def parse_suppressions(text: str) -> list[Suppression]:
    if _MARK not in text:  # the common case costs one substring search
        return []
    out: list[Suppression] = []
    lines = text.split("\n")
    pending: list[Suppression] = []
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        match = _COMMENT.search(line) if _MARK in line else None
        if match:
            rules = tuple(r.strip() for r in match[2].split(",") if r.strip())
            column = match.start() + 1
            if match[1] == "disable-file":
                out.append(Suppression(number, column, 0, rules))
            elif stripped.startswith("#"):  # a comment alone on its line covers the next content line
                pending.append(Suppression(number, column, -1, rules))
            else:
                out.append(Suppression(number, column, number, rules))
            continue
        if pending and stripped and not stripped.startswith("#"):
            for item in pending:
                item.target = number
            out.extend(pending)
            pending = []
    return out
