"""The rule registry: every gap check is a small function registered here with an id and a severity.

A rule module holds one theme (graph, handoffs, references...). Importing `journeyctl.rules.catalog`
imports them all, so adding a rule touches only its own module.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Iterator

from ..check.findings import Hit
from ..format.model import Journey, Path


@dataclass
class Workspace:
    """Shared catalogs, for rules that resolve references beyond the journey's own declarations.

    `personas`, `teams`, `channels`, `metrics` map a catalog id to (file, line) of its definition.
    Cross-journey links (`to: journey/touchpoint`) are NOT resolved by per-journey rules: files are
    checked one at a time (in parallel, cached), so journeyctl.workspace resolves links, duplicate
    journey ids and catalog usage in a second pass over every journey's summary.
    """

    personas: dict[str, tuple[str, int]] = field(default_factory=dict)
    teams: dict[str, tuple[str, int]] = field(default_factory=dict)
    channels: dict[str, tuple[str, int]] = field(default_factory=dict)
    metrics: dict[str, tuple[str, int]] = field(default_factory=dict)


@dataclass
class RuleContext:
    """What a rule may know beyond the journey: the team's settings, today's date, the workspace."""

    required_stages: tuple[str, ...] = ()
    review_every: str = "180d"
    today: date = field(default_factory=date.today)
    workspace: Workspace | None = None  # None: a lone file, cross-journey links cannot be resolved
    # The line of a document path, where the journey came from a file: for messages that point elsewhere.
    line_of: Callable[[tuple[str | int, ...]], int] | None = None


Check = Callable[[Journey, RuleContext], Iterator[Hit]]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    summary: str
    check: Check | None  # None: reported by the loading pipeline itself (schema, yaml-syntax...)
    enabled: bool = True
    docstring: str = ""

    @property
    def doc(self) -> str:
        return inspect.cleandoc(self.docstring or (self.check.__doc__ if self.check else "") or self.summary)


RULES: dict[str, Rule] = {}


def rule(rule_id: str, severity: str, summary: str, enabled: bool = True) -> Callable[[Check], Check]:
    def register(check: Check) -> Check:
        if rule_id in RULES:
            raise ValueError(f"rule id {rule_id!r} registered twice")
        RULES[rule_id] = Rule(rule_id, severity, summary, check, enabled)
        return check
    return register


def pipeline_rule(rule_id: str, severity: str, summary: str, doc: str) -> None:
    """Register a finding the loading pipeline reports (not a check over the model), for docs and SARIF."""
    RULES[rule_id] = Rule(rule_id, severity, summary, None, True, doc)


def hit(path: Path, message: str, on_key: bool = False) -> Hit:
    return Hit(tuple(path), message, on_key)
