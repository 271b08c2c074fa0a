"""Per-journey facts that several rules derive, computed once per journey instead of once per rule.

Walking the pydantic model is the rules' main cost on a long journey: a 5,000-touchpoint model no
longer fits the CPU's second-level cache, so every walk pays a cache miss per object. So the model is
walked once per run, into the journey's table (`table`, analysis/table.py), which every rule reads; the
facts derived from it (the graph, the owned transitions...) are shared here too. `run_rules` runs a journey's rules in a row,
so a one-entry cache keyed by the journey's identity is enough; `run_rules` empties every cache first,
so a journey checked again is walked again and nothing outlives its run.
"""

from __future__ import annotations

from functools import wraps
from typing import Any, Callable, TypeVar

T = TypeVar("T")
_CACHES: list[list[Any]] = []


def reset() -> None:
    """Forget every memoised fact (called before each journey's rules)."""
    for last in _CACHES:
        last[0] = last[1] = None


def per_journey(fn: Callable[[Any], T]) -> Callable[[Any], T]:
    """Memoise `fn(journey)` for the most recent journey object (identity, not equality: models are
    not hashable, and two equal journeys of different files must not share a result)."""
    last: list[Any] = [None, None]
    _CACHES.append(last)

    @wraps(fn)
    def cached(journey: Any) -> T:
        if last[0] is not journey:
            last[1] = fn(journey)
            last[0] = journey
        return last[1]

    return cached


@per_journey
def table(journey: Any) -> Any:
    """The journey as plain columns (analysis/table.py), built in one walk of the model per run: every
    rule reads it instead of walking the pydantic objects again."""
    from ..analysis.table import build_table

    return build_table(journey)
