"""The observed flow drawn on the journey map: edge widths by traffic, undeclared edges dashed, late
hand-offs red, and where traces drop out marked on the touchpoint."""

from __future__ import annotations

from typing import TYPE_CHECKING

import math
from dataclasses import dataclass

from .result import Conformance, PairCount

if TYPE_CHECKING:
    from ..render.overlay import EdgeOverlay


# By default an undeclared transition is drawn only when at least this share of traces took it, and at
# most DEFAULT_TOP of them: a log of real customers holds hundreds of one-off paths (a 5578x3699 pt
# tangle on the first real log tried), and the map must stay readable. The report lists all of them.
DEFAULT_MIN_SHARE = 0.01
DEFAULT_TOP = 20


@dataclass(frozen=True)
class Shown:
    """Which undeclared transitions the map draws, and how many it leaves out (said in its subtitle)."""
    pairs: tuple[PairCount, ...]
    hidden: int
    hidden_count: int  # times the hidden transitions were taken, together
    min_count: int
    top: int | None


def undeclared_shown(result: Conformance, min_count: int | None = None, top: int | None = None) -> Shown:
    """The undeclared transitions to draw: seen at least `min_count` times (default: 1% of the traces,
    at least once), the `top` most frequent of those (default DEFAULT_TOP; 0 or less means no cap)."""
    if min_count is None:
        min_count = max(1, math.ceil(DEFAULT_MIN_SHARE * result.traces))
    if top is None:
        top = DEFAULT_TOP
    ranked = sorted(result.undeclared, key=lambda p: (-p.count, p.source, p.target))
    kept = [p for p in ranked if p.count >= min_count]
    if top > 0:
        kept = kept[:top]
    keep = {(p.source, p.target) for p in kept}
    hidden = [p for p in ranked if (p.source, p.target) not in keep]
    return Shown(tuple(kept), len(hidden), sum(p.count for p in hidden), min_count, top if top > 0 else None)


def observed_overlay(result: Conformance, log_name: str, *, min_count: int | None = None,
                     top: int | None = None) -> "EdgeOverlay":
    from ..render.overlay import EdgeOverlay

    shown = undeclared_shown(result, min_count, top)

    widths: dict[tuple[str, str], float] = {}
    notes: dict[tuple[str, str], str] = {}
    for t in result.transitions:
        if t.observed:
            widths[(t.source, t.target)] = float(t.observed)
            rate = f", {t.observed_rate * 100:.0f}%" if t.observed_rate is not None else ""
            notes[(t.source, t.target)] = f"{t.observed:,} seen{rate}"
    for p in shown.pairs:
        widths[(p.source, p.target)] = float(p.count)
        notes[(p.source, p.target)] = f"{p.count:,} undeclared"
    late = {(h.source, h.target) for h in result.handoffs if h.late}
    for h in result.handoffs:
        if h.late:
            notes[(h.source, h.target)] += f", {h.late:,} late"
    return EdgeOverlay(
        widths=widths,
        notes=notes,
        dashed_extra_edges=tuple((p.source, p.target) for p in shown.pairs),
        red_edges=frozenset(late),
        node_marks={tp: f"leak: {n:,} traces end here" for tp, n in result.dropped_at.items()},
        subtitle=(f"observed in {log_name}: {result.traces:,} traces, fitness "
                  + (f"{result.fitness * 100:.1f}%" if result.fitness is not None else "n/a")
                  + (f"; {hidden_note(shown)}" if shown.hidden else "")),
    )


def hidden_note(shown: Shown) -> str:
    """"3 rarer undeclared transitions not drawn (5 times in all; --min-count 1 --top 0 draws all)"."""
    what = "transition" if shown.hidden == 1 else "transitions"
    times = "once" if shown.hidden_count == 1 else f"{shown.hidden_count:,} times in all"
    return f"{shown.hidden:,} rarer undeclared {what} not drawn ({times}; --min-count 1 --top 0 draws all)"
