"""What other commands draw on top of the map: flow widths, extra or late edges, node marks.

`funnel` (flow per transition, leaks), `conform` (observed flow, undeclared edges, late hand-offs) and
`diff` (added / removed / changed) all need the map with a few things emphasised. They describe that
here and call `journeyctl.render.render(journey, "map", fmt, overlay=...)`; the map writers (DOT and
Mermaid alike) do the drawing, so every overlay looks the same in every format.

Edges are keyed by (from touchpoint id, `to` as written in the journey): ("webinar", "discovery-call"),
or ("kickoff-call", "billing/first-invoice") for a cross-journey transition.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

Edge = tuple[str, str]

# node_marks whose text starts with one of these words get that colour; any other mark is dark red.
MARK_COLOURS: dict[str, str] = {
    "added": "#1a7f37",
    "removed": "#cf222e",
    "changed": "#9a6700",
    "leak": "#cf222e",
}
DEFAULT_MARK_COLOUR = "#82071e"


@dataclass(frozen=True)
class EdgeOverlay:
    """Emphasis for the map view; every field is optional.

    widths: relative weight per edge (a flow, a count); drawn as line width scaled so the largest is
        the thickest. Edges without a weight keep the normal width.
    notes: a short text added to an edge's label, e.g. "412 customers" or "43% of flow".
    dashed_extra_edges: edges that are not declared in the journey (observed only); drawn dashed, and
        added if the journey has no such transition. Unknown touchpoint ids get a placeholder node.
    red_edges: edges drawn red (a late hand-off, a removed transition).
    node_marks: a short text shown on a touchpoint ("added", "leak: 23% leave here").
    subtitle: a line under the title saying what the overlay shows.
    no_flow: declared edges that carry nothing in what the overlay measures, with why ("the journey
        ends at the outcome"): drawn dotted and grey, so they never read as a thin flow.
    """

    widths: Mapping[Edge, float] = field(default_factory=dict)
    notes: Mapping[Edge, str] = field(default_factory=dict)
    dashed_extra_edges: tuple[Edge, ...] | list[Edge] = ()
    red_edges: frozenset[Edge] | set[Edge] = frozenset()
    node_marks: Mapping[str, str] = field(default_factory=dict)
    subtitle: str | None = None
    no_flow: Mapping[Edge, str] = field(default_factory=dict)


def mark_colour(mark: str) -> str:
    word = mark.strip().split(" ", 1)[0].rstrip(":").lower()
    return MARK_COLOURS.get(word, DEFAULT_MARK_COLOUR)
