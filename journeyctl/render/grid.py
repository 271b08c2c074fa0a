"""Where everything on the map goes: stages as aligned columns, wrapped onto rows of stages.

dot ranked touchpoints by their transitions, so every touchpoint of a journey took a column of its own
and the map became a strip 8 to 13 times wider than tall, with stage boxes at different heights. A
journey map is read stage by stage, so here the positions are ours and Graphviz only draws them
(`neato -n2`, as for the emotion curve; no layout work, so a 2,000-touchpoint map costs what a
20-touchpoint one does):

- each stage is a column: its box, its name and goal on top, its touchpoints stacked in document order;
- every box of a row of stages has the same top and the same height;
- to the right of each column runs a gutter holding the labels of the transitions that leave it, one
  lane per transition, each label sitting on its own line, so no two labels can overlap;
- past `MAX_COLUMNS` stages the journey wraps onto further rows of stages, balanced (8 stages: 4 + 4),
  and columns line up from row to row.

Sizes are in points. `MAX_COLUMNS` columns of `COLUMN` points keep a row within about 1,600 points, the
width at which the map's smallest text (10 points) still reads 10 px when shown 1,600 px wide.
Text widths are estimated from Helvetica's average glyph widths, with labels wrapped well inside
them, because the cards have a fixed size (that is what makes the geometry ours).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .scene import Scene

MAX_COLUMNS = 5
BAND_WIDTH = 168.0  # a stage's box
CARD_WIDTH = 150.0
GUTTER = 128.0  # transition labels between one stage and the next
COLUMN = BAND_WIDTH + GUTTER
LABEL_WIDTH = GUTTER - 10.0
CARD_GAP = 20.0
ROW_GAP = 36.0
LANE_GAP = 4.0
ARROW = 7.0
RETURN_OFFSET = 7.0  # where a transition back into a card's right side meets it, below its middle
LINE = 1.2  # Graphviz's line spacing, times the font size

# Characters per line, chosen so the widest Helvetica text of that size fits the space.
TITLE_CHARS = 19  # 11 pt bold in a card
SMALL_CHARS = 23  # 10 pt in a card
STAGE_CHARS = 18  # 14 pt bold in a stage head
GOAL_CHARS = 28  # 10 pt in a stage head
LABEL_CHARS = 20  # 10 pt (bold) in a gutter


def columns_per_row(stages: int) -> int:
    """Stages per row: all of them up to MAX_COLUMNS, else as evenly split as the rows allow."""
    if stages <= MAX_COLUMNS:
        return max(stages, 1)
    rows = math.ceil(stages / MAX_COLUMNS)
    return math.ceil(stages / rows)


def text_height(lines: list[tuple[int, float]]) -> float:
    """Height of label lines given as (count, font size) pairs."""
    return sum(count * size * LINE for count, size in lines)


@dataclass
class Box:
    """A rectangle, y growing downwards (flipped when written as DOT)."""
    x: float  # centre
    y: float  # centre
    w: float
    h: float

    @property
    def left(self) -> float:
        return self.x - self.w / 2

    @property
    def right(self) -> float:
        return self.x + self.w / 2

    @property
    def top(self) -> float:
        return self.y - self.h / 2

    @property
    def bottom(self) -> float:
        return self.y + self.h / 2


@dataclass
class EdgePlan:
    points: list[tuple[float, float]]  # cubic B-spline control points, 3n+1 of them
    tip: tuple[float, float]  # where the arrowhead touches the target
    label: Box | None


@dataclass
class MapPlan:
    cards: dict[str, Box] = field(default_factory=dict)  # node key → box
    bands: dict[int, Box] = field(default_factory=dict)  # stage index → box
    heads: dict[int, tuple[float, float]] = field(default_factory=dict)  # stage index → label centre
    empties: dict[int, Box] = field(default_factory=dict)  # stage index → "no touchpoints" note
    edges: list[EdgePlan] = field(default_factory=list)  # in scene.edges order


def plan_map(scene: Scene, card_height: dict[str, float], head_height: dict[int, float],
             label_height: list[float]) -> MapPlan:
    """Positions for every card, stage box, head and transition label of the scene.

    card_height: node key → height; head_height: stage → height of its name and goal;
    label_height: per edge (scene order), the height of its label, 0 for none.
    """
    plan = MapPlan()
    stages = len(scene.journey.stages)
    per_row = columns_per_row(stages)
    rows = [list(range(s, min(s + per_row, stages))) for s in range(0, stages, per_row)] or [[]]
    loose = scene.loose_nodes()
    column_of: dict[str, tuple[int, int]] = {}  # node key → (row, column)
    lanes: dict[int, tuple[float, float, Box | None]] = {}  # edge index → (lane x, lane y, label)
    top = 0.0
    for r, row in enumerate(rows):
        head = max((head_height[s] for s in row), default=0.0)
        bottom = top + head + 16.0
        for c, s in enumerate(row):
            x = c * COLUMN + BAND_WIDTH / 2
            plan.heads[s] = (x, top + 8.0 + head_height[s] / 2)
            y = top + head + 20.0
            members = scene.stage_nodes(s)
            if not members:
                plan.empties[s] = Box(x, y + 10.0, CARD_WIDTH, 20.0)
                y += 20.0 + CARD_GAP
            for node in members:
                h = card_height[node.key]
                plan.cards[node.key] = Box(x, y + h / 2, CARD_WIDTH, h)
                column_of[node.key] = (r, c)
                y += h + CARD_GAP
            bottom = max(bottom, y - CARD_GAP + 14.0)
        if r == len(rows) - 1:
            y = top + head + 20.0
            x = len(row) * COLUMN + BAND_WIDTH / 2
            for node in loose:
                h = card_height[node.key]
                plan.cards[node.key] = Box(x, y + h / 2, CARD_WIDTH, h)
                column_of[node.key] = (r, len(row))
                y += h + CARD_GAP
            bottom = max(bottom, y - CARD_GAP + 14.0)
        bottom = max(bottom, _place_labels(scene, plan, column_of, label_height, r, lanes, top) + 10.0)
        for c, s in enumerate(row):
            plan.bands[s] = Box(c * COLUMN + BAND_WIDTH / 2, (top + bottom) / 2, BAND_WIDTH, bottom - top)
        top = bottom + ROW_GAP
    plan.edges = [_route(plan.cards[e.src], plan.cards[e.dst], *lanes[i]) for i, e in enumerate(scene.edges)]
    return plan


def _place_labels(scene: Scene, plan: MapPlan, column_of: dict[str, tuple[int, int]],
                  label_height: list[float], row: int, lanes: dict[int, tuple[float, float, Box | None]],
                  row_top: float) -> float:
    """Give each transition leaving a card of `row` its lane in the gutter; returns the lowest point used.

    Lanes of one gutter are handed out top to bottom in the order of their source cards, each as close
    to level with its source as the lanes above allow, so the labels never overlap.
    """
    lowest = 0.0
    used: dict[int, float] = {}  # column → bottom of the last lane in its gutter
    order = sorted((i for i, e in enumerate(scene.edges) if column_of.get(e.src, (-1, 0))[0] == row),
                   key=lambda i: (column_of[scene.edges[i].src][1], plan.cards[scene.edges[i].src].y, i))
    for i in order:
        src = plan.cards[scene.edges[i].src]
        column = column_of[scene.edges[i].src][1]
        gx0 = column * COLUMN + BAND_WIDTH + 5.0
        height = label_height[i]
        lane_top = max(src.y - height - 2.0, used.get(column, row_top) + LANE_GAP)
        line_y = lane_top + height + 2.0
        used[column] = line_y + 1.0
        label = Box(gx0 + LABEL_WIDTH / 2, lane_top + height / 2, LABEL_WIDTH, height) if height else None
        lanes[i] = (gx0, line_y, label)
        lowest = max(lowest, line_y + 4.0)
    return lowest


def _route(src: Box, dst: Box, gx0: float, line_y: float, label: Box | None) -> EdgePlan:
    """Out of the source's right side, along its lane under the label, into the target's nearer side."""
    start = (src.right, src.y)
    lane_start, lane_end = (gx0, line_y), (gx0 + LABEL_WIDTH, line_y)
    if dst.left > lane_end[0]:
        tip = (dst.left, dst.y)
        end = (dst.left - ARROW, dst.y)
        bend = min(40.0, (end[0] - lane_end[0]) / 2)
        last = [(lane_end[0] + bend, lane_end[1]), (end[0] - bend, end[1]), end]
    else:
        # Back to a card of the same or an earlier stage: down (or up) the gutter's right edge, then
        # left into the card's right side a little below its middle, so the turn crosses no label and
        # never runs over the line of the card's own first transition.
        y = dst.y + RETURN_OFFSET
        tip = (dst.right, y)
        end = (dst.right + ARROW, y)
        corner_x = lane_end[0] + 3.0
        last = [*_straight(lane_end, (corner_x, lane_end[1])), *_straight((corner_x, lane_end[1]), (corner_x, y)),
                *_straight((corner_x, y), end)]
    points = [start, *_straight(start, lane_start), *_straight(lane_start, lane_end), *last]
    return EdgePlan(points, tip, label)


def _straight(a: tuple[float, float], b: tuple[float, float]) -> list[tuple[float, float]]:
    """A straight segment as a cubic: control points at its thirds, then the end point."""
    return [(a[0] + (b[0] - a[0]) / 3, a[1] + (b[1] - a[1]) / 3),
            (a[0] + 2 * (b[0] - a[0]) / 3, a[1] + 2 * (b[1] - a[1]) / 3), b]


def pos(point: tuple[float, float]) -> str:
    """A point in Graphviz's coordinates (y grows upwards)."""
    return f"{point[0]:.1f},{-point[1]:.1f}"


def edge_pos(plan: EdgePlan) -> str:
    """The edge's `pos` attribute: arrow tip, then the spline."""
    return "e," + pos(plan.tip) + " " + " ".join(pos(p) for p in plan.points)
