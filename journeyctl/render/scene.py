"""What the map shows, decided once for every target (DOT and Mermaid draw the same scene).

Node ids are generated here (n0, n1, ...) and never taken from the journey: a touchpoint id with a
colon would name a DOT port, and a Mermaid id like `end` is a keyword. Touchpoints keep their
document order; targets outside the journey (another journey's touchpoint, or an id that does not
exist, which the rules report) get placeholder nodes so the edge is still drawn.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable

from ..format.model import Journey, Touchpoint, Transition
from .escape import one_line
from .overlay import Edge, EdgeOverlay
from .definitions import Definitions, definitions
from .palette import percent, team_fills

# Past this many touchpoints the map drops the conditions from edge labels (rate and wait stay):
# hundreds of sentences on edges are unreadable and are what makes dot's layout slow.
CONDITION_TEXT_MAX = 300
MAX_WIDTH = 9.0
MIN_WIDTH = 0.8


@dataclass
class SceneNode:
    key: str
    ref: str  # the touchpoint id, or the reference a placeholder stands for
    tp: Touchpoint | None = None
    stage: int | None = None
    placeholder: str | None = None  # "journey" (another journey) or "missing" (no such touchpoint)
    marks: list[str] = field(default_factory=list)


@dataclass
class SceneEdge:
    src: str
    dst: str
    pair: Edge
    transition: Transition | None = None
    handoff: str | None = None  # "sales → customer-success · 24h"
    missing_handoff: str | None = None  # "marketing → sales": teams change, no hand-off declared
    extra: bool = False  # from the overlay: observed, not declared
    red: bool = False
    width: float | None = None
    note: str | None = None
    no_flow: bool = False  # the overlay measures flow and this edge carries none (note says why)

    @property
    def condition(self) -> str:
        return one_line(self.transition.when) if self.transition and self.transition.when else ""

    @property
    def numbers(self) -> str:
        """"32% · 6d": rate and wait, the part of the label that is always shown."""
        if self.transition is None:
            return ""
        parts = []
        if self.transition.rate is not None:
            parts.append(percent(self.transition.rate))
        if self.transition.wait:
            parts.append(self.transition.wait)
        return " · ".join(parts)


@dataclass
class Scene:
    journey: Journey
    nodes: list[SceneNode]
    edges: list[SceneEdge]
    fills: dict[str, str]
    defs: Definitions
    stage_marks: dict[int, list[str]]
    subtitle: str | None
    show_conditions: bool

    def stage_nodes(self, index: int) -> list[SceneNode]:
        return [n for n in self.nodes if n.stage == index]

    def loose_nodes(self) -> list[SceneNode]:
        return [n for n in self.nodes if n.stage is None]


_TP_PATH = re.compile(r"^stages\[(\d+)\](?:\.touchpoints\[(\d+)\])?")


def build_scene(journey: Journey, overlay: EdgeOverlay | None = None, findings: Iterable[object] | None = None,
                defs: Definitions | None = None) -> Scene:
    overlay = overlay or EdgeOverlay()
    nodes: list[SceneNode] = []
    first: dict[str, SceneNode] = {}
    by_position: dict[tuple[int, int], SceneNode] = {}
    for s, stage in enumerate(journey.stages):
        for t, tp in enumerate(stage.touchpoints):
            node = SceneNode(f"n{len(nodes)}", tp.id, tp, s)
            nodes.append(node)
            first.setdefault(tp.id, node)
            by_position[(s, t)] = node
    placeholders: dict[str, SceneNode] = {}

    own_prefix = f"{journey.id}/"

    def target(ref: str) -> SceneNode:
        # `this-journey/tp` is a local transition (as in the rules and the funnel), not a link out.
        if ref.startswith(own_prefix) and ref[len(own_prefix):] in first:
            ref = ref[len(own_prefix):]
        if "/" not in ref and ref in first:
            return first[ref]
        if ref not in placeholders:
            kind = "journey" if "/" in ref else "missing"
            placeholders[ref] = SceneNode(f"n{len(nodes)}", ref, placeholder=kind)
            nodes.append(placeholders[ref])
        return placeholders[ref]

    edges: list[SceneEdge] = []
    declared: set[Edge] = set()
    for stage, tp in journey.touchpoints():
        source = first[tp.id]
        if source.tp is not tp:  # a duplicate id: its edges still start from its own node
            source = next(n for n in nodes if n.tp is tp)
        for tr in tp.next:
            dst = target(tr.to)
            edge = SceneEdge(source.key, dst.key, (tp.id, tr.to), tr)
            owner_to = dst.tp.owner if dst.tp else None
            if tr.handoff is not None:
                teams = f"{tp.owner or '?'} → {owner_to or ('?' if dst.tp else tr.journey or '?')}"
                edge.handoff = f"{teams} · {tr.handoff.sla}" if tr.handoff.sla else teams
            elif tp.owner and owner_to and tp.owner != owner_to:
                edge.missing_handoff = f"{tp.owner} → {owner_to}"
            declared.add(edge.pair)
            edges.append(edge)
    for pair in overlay.dashed_extra_edges:
        pair = (str(pair[0]), str(pair[1]))
        if pair in declared:
            continue
        declared.add(pair)
        edges.append(SceneEdge(target(pair[0]).key, target(pair[1]).key, pair, extra=True))

    top = max((float(w) for w in overlay.widths.values() if w and w > 0), default=0.0)
    for edge in edges:
        if top and edge.pair in overlay.widths:
            weight = max(float(overlay.widths[edge.pair] or 0.0), 0.0)
            edge.width = round(MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * weight / top, 2)
        if edge.pair in overlay.red_edges:
            edge.red = True
        if edge.pair in overlay.notes:
            edge.note = one_line(overlay.notes[edge.pair], 80)
        if edge.pair in overlay.no_flow and edge.width is None and not edge.extra:
            edge.no_flow = True
            edge.note = one_line(f"no flow: {overlay.no_flow[edge.pair]}", 80)
    for ref, mark in sorted(overlay.node_marks.items()):
        if ref in first:
            first[ref].marks.append(one_line(mark, 80))

    stage_marks: dict[int, list[str]] = {}
    for finding in findings or ():
        match = _TP_PATH.match(str(getattr(finding, "path", "") or ""))
        if not match:
            continue
        text = f"⚠ {getattr(finding, 'rule', 'finding')}"
        if match.group(2) is not None:
            node = by_position.get((int(match.group(1)), int(match.group(2))))
            if node is not None and text not in node.marks:
                node.marks.append(text)
        else:
            marks = stage_marks.setdefault(int(match.group(1)), [])
            if text not in marks:
                marks.append(text)

    touchpoint_count = sum(1 for n in nodes if n.tp is not None)
    return Scene(journey, nodes, edges, team_fills(journey), defs or definitions(journey),
                 stage_marks, one_line(overlay.subtitle, 400) if overlay.subtitle else None,
                 touchpoint_count <= CONDITION_TEXT_MAX)
