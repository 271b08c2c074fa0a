"""The observed flow drawn on the journey map: edge widths by traffic, undeclared edges dashed, late
hand-offs red, and where traces drop out marked on the touchpoint."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .result import Conformance

if TYPE_CHECKING:
    from ..render.overlay import EdgeOverlay


def observed_overlay(result: Conformance, log_name: str) -> "EdgeOverlay":
    from ..render.overlay import EdgeOverlay

    widths: dict[tuple[str, str], float] = {}
    notes: dict[tuple[str, str], str] = {}
    for t in result.transitions:
        if t.observed:
            widths[(t.source, t.target)] = float(t.observed)
            rate = f", {t.observed_rate * 100:.0f}%" if t.observed_rate is not None else ""
            notes[(t.source, t.target)] = f"{t.observed:,} seen{rate}"
    for p in result.undeclared:
        widths[(p.source, p.target)] = float(p.count)
        notes[(p.source, p.target)] = f"{p.count:,} undeclared"
    late = {(h.source, h.target) for h in result.handoffs if h.late}
    for h in result.handoffs:
        if h.late:
            notes[(h.source, h.target)] += f", {h.late:,} late"
    return EdgeOverlay(
        widths=widths,
        notes=notes,
        dashed_extra_edges=tuple((p.source, p.target) for p in result.undeclared),
        red_edges=frozenset(late),
        node_marks={tp: f"leak: {n:,} traces end here" for tp, n in result.dropped_at.items()},
        subtitle=(f"observed in {log_name}: {result.traces:,} traces, fitness "
                  + (f"{result.fitness * 100:.1f}%" if result.fitness is not None else "n/a")),
    )
