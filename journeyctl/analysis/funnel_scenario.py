"""`funnel --set FROM->TO=RATE`: the same journey with some rates changed, for what-if questions.

The changed journey goes through exactly the checks and arithmetic of the original (invalid_rate_problems,
then analyse_funnel), so a scenario cannot produce a figure the real journey could not; a rate that makes
the journey invalid is reported like an `invalid-rates` finding, naming the option that caused it.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from .funnel import (
    FunnelError,
    FunnelReport,
    InvalidRatesError,
    RateProblem,
    Scenario,
    analyse_funnel,
    invalid_rate_problems,
)
from ..format.model import Journey, Path


class RateChange(NamedTuple):
    source: str
    target: str
    rate: float
    option: str  # as the user wrote it, to name it in messages


class ScenarioUsageError(FunnelError):
    """A --set option that names no transition or is not FROM->TO=RATE: a usage error (exit 2)."""


def parse_change(text: str) -> RateChange:
    """`cart->paid=0.45` (or `=45%`) as a RateChange; ScenarioUsageError says what was expected."""
    option = f"--set {text}"
    head, eq, value = text.rpartition("=")
    source, arrow, target = head.partition("->")
    if not eq or not arrow or not source.strip() or not target.strip():
        raise ScenarioUsageError(f"{option}: expected FROM->TO=RATE, e.g. --set cart->paid=0.45")
    value = value.strip()
    try:
        rate = float(value[:-1]) / 100 if value.endswith("%") else float(value)
    except ValueError:
        raise ScenarioUsageError(f"{option}: '{value}' is not a number; write a rate such as 0.45 or 45%") from None
    if not math.isfinite(rate):
        raise ScenarioUsageError(f"{option}: '{value}' is not a finite number")
    return RateChange(source.strip(), target.strip(), rate, option)


def apply_changes(journey: Journey, changes: list[RateChange]) -> tuple[Journey, dict[Path, RateChange],
                                                                         list[dict[str, object]]]:
    """A copy of `journey` with the rates set, where each change landed, and the JSON `set` list.

    A change sets the rate of FROM's first transition whose `to` is TO (an id, or journey/id); FROM is the
    first touchpoint with that id, as everywhere in the funnel.
    """
    from ..suggest import closest

    changed = journey.model_copy(deep=True)
    index = changed.touchpoint_index()
    landed: dict[Path, RateChange] = {}
    listed: list[dict[str, object]] = []
    for change in changes:
        tp = index.get(change.source)
        if tp is None:
            hint = closest(change.source, index)
            raise ScenarioUsageError(f"{change.option}: journey '{journey.id}' has no touchpoint '{change.source}'"
                                     + (f" (did you mean '{hint}'?)" if hint else ""))
        position = next((i for i, tr in enumerate(tp.next) if change.target in (tr.to, tr.target)), None)
        if position is None:
            targets = [tr.to for tr in tp.next]
            hint = closest(change.target, targets)
            where = f"its transitions go to {', '.join(targets)}" if targets else "it has no transitions"
            raise ScenarioUsageError(f"{change.option}: '{change.source}' has no transition to '{change.target}' "
                                     f"({where})" + (f"; did you mean '{hint}'?" if hint else ""))
        transition = tp.next[position]
        listed.append({"from": change.source, "to": transition.to, "rate": change.rate, "was": transition.rate})
        transition.rate = change.rate
        landed[tp.path_of("next", position)] = change
    return changed, landed, listed


def with_scenario(report: FunnelReport, journey: Journey, changes: list[RateChange],
                  entry: str | None = None) -> FunnelReport:
    """`report` (of `journey`) with a Scenario computed from the changed rates.

    Raises ScenarioUsageError for a change that names nothing, InvalidRatesError (problems naming the option)
    when the new rates are not probabilities, and FunnelError when the new rates close a loop.
    """
    changed, landed, listed = apply_changes(journey, changes)
    problems = invalid_rate_problems(changed)
    if problems:
        raise InvalidRatesError([_name_option(p, landed) for p in problems])
    try:
        after = analyse_funnel(changed, entry, fix_share=report.fix_share)
    except InvalidRatesError:  # pragma: no cover - checked just above
        raise
    except FunnelError as exc:
        options = ", ".join(c.option for c in changes)
        raise FunnelError(f"with {options}: {exc}") from None
    from dataclasses import replace

    return replace(report, scenario=Scenario(changes=listed, report=after))


def _name_option(problem: RateProblem, landed: dict[Path, RateChange]) -> RateProblem:
    """The problem, saying which --set made it (a rate's own path, or the touchpoint's `next` for a sum)."""
    causes = [change.option for path, change in landed.items()
              if problem.path in (path + ("rate",), path[:-1])]
    if not causes:
        return problem
    return RateProblem(problem.path, f"{problem.message} (with {', '.join(dict.fromkeys(causes))})")
