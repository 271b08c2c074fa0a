"""What every check produces: a finding that points at a file, a line and a column."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, NamedTuple

SEVERITIES = ("error", "warning", "info")
_RANK = {"error": 3, "warning": 2, "info": 1}


def severity_rank(severity: str) -> int:
    return _RANK.get(severity, 0)


def format_path(path: tuple[str | int, ...]) -> str:
    """A document path as users write it: stages[0].touchpoints[2].next[0].to"""
    out = ""
    for step in path:
        if isinstance(step, int):
            out += f"[{step}]"
        else:
            out += ("." if out else "") + str(step)
    return out


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    severity: str
    file: str
    line: int
    column: int
    message: str
    path: str = ""
    # What the finding is about, stable across edits that only move text (journeyctl.identity).
    identity: str = ""

    def sort_key(self) -> tuple[Any, ...]:
        return (self.file, self.line, self.column, self.rule, self.message)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Hit(NamedTuple):
    """What a rule yields: where (a document path) and what; the engine adds rule, severity and line."""

    path: tuple[str | int, ...]
    message: str
    on_key: bool = False
