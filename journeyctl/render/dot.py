"""The map view as DOT text, written by hand rather than through the graphviz package's quoting.

Three rules keep user text from ever becoming DOT structure (see escape.py for why):
node ids are ours (n0, n1...), every visible text is an HTML-like label built from `escape.html`, and
every other attribute value is one of our constants, which `attrs` checks.

The map's positions are computed in grid.py (stages as aligned columns) and only drawn by `neato -n2`;
the dot settings below (`layout_attrs`, `XLABEL_THRESHOLD`) stay for benchmarks/bench_render.py's
comparison of dot layouts. They were chosen for speed on big journeys (measured in benchmarks/bench_render.py):
`newrank` lets clusters be ranked globally instead of recursively, the network-simplex and mincross
limits stop dot from polishing a layout nobody can see the difference in, and past
`XLABEL_THRESHOLD` touchpoints edge labels become `xlabel`s, which dot places after layout instead of
turning every label into a virtual node that the ranking and crossing passes must move around.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Mapping

from ..format.model import Journey, Touchpoint
from .definitions import Definitions
from .escape import html, html_lines, one_line, wrap
from .palette import (NO_FLOW_COLOUR, CLUSTER_BORDER, CLUSTER_FILL, EDGE_COLOUR, HANDOFF_COLOUR, KIND_SHAPES, KIND_STYLES,
                      KIND_WORDS, MISSING_HANDOFF_COLOUR, MOMENT_COLOUR, NO_TEAM_FILL, OUTCOME_COLOURS,
                      OUTCOME_SYMBOLS, TEXT_MUTED, percent)
from .overlay import mark_colour
from .scene import Scene, SceneEdge, SceneNode

if TYPE_CHECKING:
    from .grid import Box, MapPlan

FONT = "Helvetica"
XLABEL_THRESHOLD = 150

# Attribute values we write ourselves: colours, shapes, numbers. Anything else must go through an
# HTML-like label (`Html`) or `quoted`, so a stray user string fails loudly here instead of in dot.
_CONSTANT = re.compile(r"^[A-Za-z0-9_.,#: %+!-]*$")


class Html(str):
    """An HTML-like label body, already escaped; written as <...>."""


class Quoted(str):
    """Free text for a quoted attribute (tooltips), escaped by `quoted`."""


def quoted(text: object, limit: int = 300) -> Quoted:
    """Text for a quoted DOT attribute such as a tooltip.

    Each backslash is written four times: Graphviz unescapes a tooltip twice (the second pass expands
    `\\N`, `\\G`, `\\L`... into the node's name, the graph's name, its label), so four survive as one and
    `\\N` stays literal (issue 22); `&` is written `&amp;` because Graphviz decodes entities in strings
    and would otherwise let `&lt;b&gt;` turn into `<b>`.
    """
    value = one_line(text, limit)
    return Quoted(value.replace("\\", "\\" * 4).replace('"', '\\"').replace("&", "&amp;"))


def attrs(values: Mapping[str, object]) -> str:
    parts = []
    for key, value in values.items():
        if value is None:
            continue
        if isinstance(value, Html):
            parts.append(f"{key}=<{value}>")
        elif isinstance(value, Quoted):
            parts.append(f'{key}="{value}"')
        elif isinstance(value, bool):
            parts.append(f"{key}={'true' if value else 'false'}")
        elif isinstance(value, (int, float)):
            parts.append(f"{key}={value:g}")
        else:
            text = str(value)
            if not _CONSTANT.match(text):
                raise ValueError(f"refusing to write {text!r} as a DOT attribute value")
            parts.append(f'{key}="{text}"')
    return "[" + ", ".join(parts) + "]"


def card_lines(tp: Touchpoint, defs: Definitions, *, width: int, title_size: float | None,
               badge_size: float, channel_size: float = 8, title_lines: int = 3) -> list[str]:
    """A touchpoint's name, channel and badges (entry, outcome, moment of truth), as the map and the
    blueprint both show them."""
    lines = [font(html_lines(wrap(tp.label, width, title_lines, 200)), size=title_size, bold=True)]
    if tp.channel:
        lines.append(font(html(one_line(defs.channel_name(tp.channel), 40)), size=channel_size, colour=TEXT_MUTED))
    if tp.entry:
        share = f" · {percent(tp.share)}" if tp.share is not None else ""
        lines.append(font(html(f"▶ entry{share}"), size=badge_size, bold=True))
    if tp.outcome:
        lines.append(font(html(f"{OUTCOME_SYMBOLS[tp.outcome]} {tp.outcome}"), size=badge_size,
                          colour=OUTCOME_COLOURS[tp.outcome], bold=True))
    if tp.moment_of_truth:
        lines.append(font("★ moment of truth", size=badge_size, colour=MOMENT_COLOUR, bold=True))
    return lines


def font(text_html: str, *, size: float | None = None, colour: str | None = None, bold: bool = False,
         italic: bool = False) -> str:
    """Wrap already-escaped label text in font tags."""
    if not text_html:
        return ""
    if bold:
        text_html = f"<B>{text_html}</B>"
    if italic:
        text_html = f"<I>{text_html}</I>"
    attributes = ""
    if size is not None:
        attributes += f' POINT-SIZE="{size:g}"'
    if colour is not None:
        attributes += f' COLOR="{colour}"'
    return f"<FONT{attributes}>{text_html}</FONT>" if attributes else text_html


def layout_attrs(node_count: int) -> dict[str, object]:
    """Graph settings that keep dot's time near linear on big journeys (see module docstring).

    The costly step on a long journey is x-positioning: every edge spanning several ranks becomes a
    chain of virtual nodes (100,000 of them for 1,000 touchpoints with skips), and each network-simplex
    iteration walks them all. `nslimit` caps the iterations at nslimit x the number of nodes; 0.05
    keeps a 2,000-touchpoint map to a few seconds with straight enough chains, where 2 takes ten
    times longer (measured in benchmarks/bench_render.py).
    """
    if node_count <= 60:
        # Small maps are laid out in milliseconds either way; let dot polish them.
        return {"newrank": True}
    settings: dict[str, object] = {"newrank": True, "nslimit": 2.0, "nslimit1": 2.0, "mclimit": 0.5,
                                   "searchsize": 30, "remincross": False}
    if node_count > 300:
        settings.update({"nslimit": 0.05, "mclimit": 0.3})
    return settings


def header(journey: Journey, subtitle: str | None, legend_rows: list[str]) -> Html:
    """Title, metadata line and legend, as the graph's own label (it costs the layout nothing)."""
    rows = [f'<TR><TD ALIGN="LEFT">{font(html(one_line(journey.title, 200)), size=18, bold=True)}</TD></TR>']
    meta = [journey.id, journey.status, f"{journey.state} state"]
    if journey.reviewed:
        meta.append(f"reviewed {journey.reviewed}")
    rows.append(f'<TR><TD ALIGN="LEFT">{font(html(one_line(" · ".join(meta), 200)), size=10, colour=TEXT_MUTED)}</TD></TR>')
    if subtitle:
        rows.append(f'<TR><TD ALIGN="LEFT">{font(html(subtitle), size=11, italic=True)}</TD></TR>')
    rows.extend(legend_rows)
    return Html('<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="1">' + "".join(rows) + "</TABLE>")


def team_legend(defs: Definitions, fills: Mapping[str, str], used: set[str]) -> str:
    """"Teams ■ Marketing ■ Sales", each square a stronger shade of the team's fill.

    Plain text on purpose: Graphviz stretches a nested table to the width of the title row, which
    would spread the team swatches across the whole header.
    """
    items = []
    for team, fill in fills.items():
        if team not in used:
            continue
        items.append(font("■", size=14, colour=swatch(fill)) + " " + html(one_line(defs.team_name(team), 60)))
    if not items:
        return ""
    return f'<TR><TD ALIGN="LEFT">{font(font("Teams", bold=True) + "   " + "    ".join(items), size=10)}</TD></TR>'


def swatch(fill: str) -> str:
    """The fill's hue, darker and saturated, so a small square in the legend is easy to match."""
    import colorsys

    r, g, b = (int(fill[i:i + 2], 16) / 255 for i in (1, 3, 5))
    h, _, s = colorsys.rgb_to_hls(r, g, b)
    r, g, b = colorsys.hls_to_rgb(h, 0.62, min(1.0, s * 0.9))
    return "#{:02x}{:02x}{:02x}".format(round(r * 255), round(g * 255), round(b * 255))


def touchpoint_markers(tps: list[Touchpoint]) -> list[str]:
    """Legend entries for the touchpoint markers present: entry, each outcome, moment of truth."""
    marks = []
    if any(tp.entry for tp in tps):
        marks.append(font("▶ entry", bold=True))
    for outcome, colour in OUTCOME_COLOURS.items():
        if any(tp.outcome == outcome for tp in tps):
            marks.append(font(html(f"{OUTCOME_SYMBOLS[outcome]} {outcome}"), colour=colour, bold=True))
    if any(tp.moment_of_truth for tp in tps):
        marks.append(font("★ moment of truth", colour=MOMENT_COLOUR, bold=True))
    return marks


def legend_line(items: list[str]) -> str:
    if not items:
        return ""
    return f'<TR><TD ALIGN="LEFT">{font("  ·  ".join(items), size=10)}</TD></TR>'


# --- the map --------------------------------------------------------------------------------------


def node_label(node: SceneNode, scene: Scene) -> Html:
    if node.placeholder == "journey":
        journey_id, _, tp_id = node.ref.partition("/")
        body = font("↗ " + html(one_line(journey_id, 80)), size=9, colour=TEXT_MUTED) + "<BR/>" + html(one_line(tp_id, 80))
        return Html(body)
    if node.placeholder == "missing":
        return Html(font("? " + html(one_line(node.ref, 80)), colour=MISSING_HANDOFF_COLOUR) + "<BR/>"
                    + font("no such touchpoint", size=8, colour=MISSING_HANDOFF_COLOUR))
    tp = node.tp
    assert tp is not None
    lines = card_lines(tp, scene.defs, width=24, title_size=None, badge_size=9)
    if tp.milestone:
        text = "milestone" if tp.milestone is True else tp.milestone
        lines.append(font(html_lines(wrap("◆ " + str(text), 28, 2, 120)), size=8))
    for mark in node.marks:
        lines.append(font(html(mark), size=9, colour=mark_colour(mark), bold=True))
    return Html("<BR/>".join(lines))


def node_attrs(node: SceneNode, scene: Scene) -> dict[str, object]:
    if node.placeholder is not None:
        colour = MISSING_HANDOFF_COLOUR if node.placeholder == "missing" else TEXT_MUTED
        return {"shape": "box", "style": "dashed,rounded", "color": colour, "fillcolor": "white",
                "label": node_label(node, scene)}
    tp = node.tp
    assert tp is not None
    values: dict[str, object] = {
        "shape": KIND_SHAPES[tp.kind],
        "style": KIND_STYLES[tp.kind],
        "fillcolor": scene.fills.get(tp.owner, NO_TEAM_FILL) if tp.owner else NO_TEAM_FILL,
        "label": node_label(node, scene),
    }
    if tp.description:
        values["tooltip"] = quoted(tp.description)
    if tp.outcome:
        values["peripheries"] = 2
        values["color"] = OUTCOME_COLOURS[tp.outcome]
    if tp.moment_of_truth:
        values["color"] = MOMENT_COLOUR
        values["penwidth"] = 3
    elif tp.entry:
        values["penwidth"] = 2
    return values


def edge_label(edge: SceneEdge, scene: Scene) -> Html | None:
    lines = []
    if edge.handoff:
        lines.append(font(html(edge.handoff), colour=HANDOFF_COLOUR, bold=True))
    if edge.missing_handoff:
        lines.append(font(html(f"⚠ no hand-off: {edge.missing_handoff}"), colour=MISSING_HANDOFF_COLOUR, bold=True))
    if scene.show_conditions and edge.condition:
        lines.append(html_lines(wrap(edge.condition, 30, 2, 200)))
    if edge.numbers:
        lines.append(font(html(edge.numbers), bold=True))
    if edge.note:
        lines.append(font(html(edge.note), colour=TEXT_MUTED if edge.no_flow else "#0550ae", bold=not edge.no_flow))
    return Html("<BR/>".join(lines)) if lines else None


def edge_attrs(edge: SceneEdge, scene: Scene, use_xlabels: bool) -> dict[str, object]:
    values: dict[str, object] = {}
    label = edge_label(edge, scene)
    if label is not None:
        values["xlabel" if use_xlabels else "label"] = label
    if edge.handoff:
        values.update({"color": HANDOFF_COLOUR, "penwidth": 2.5, "style": "bold"})
    if edge.missing_handoff:
        values.update({"color": MISSING_HANDOFF_COLOUR, "penwidth": 2})
    if edge.red:
        values["color"] = MISSING_HANDOFF_COLOUR
    if edge.extra:
        values["style"] = "dashed"
    if edge.width is not None:
        values["penwidth"] = edge.width
    if edge.no_flow:
        values.update({"style": "dotted", "color": NO_FLOW_COLOUR, "penwidth": 1})
    return values


def to_dot_map(scene: Scene) -> str:
    """The map: stages as aligned columns, positions computed in grid.py, drawn by `neato -n2`.

    Node, cluster and edge names stay what they were under dot (n0.., cluster_s0.., n0->n1), so
    overlays, tests and anyone reading the SVG find the same things.
    """
    from . import grid

    journey = scene.journey
    cards = {n.key: _map_card(n, scene) for n in scene.nodes}
    heads = {i: _stage_head(i, scene) for i in range(len(journey.stages))}
    labels = [_transition_label(e, scene) for e in scene.edges]
    plan = grid.plan_map(scene, {k: h for k, (_, h) in cards.items()}, {i: h for i, (_, h) in heads.items()},
                         [h for _, h in labels])
    out = ["digraph journey {"]
    graph = {"fontname": FONT, "labelloc": "t", "labeljust": "l", "outputorder": "edgesfirst", "pad": 0.3,
             "bgcolor": "white", "label": header(journey, scene.subtitle, _map_legend(scene))}
    out.append(f"  graph {attrs(graph)}")
    out.append(f"  node {attrs({'fontname': FONT, 'fontsize': 11, 'color': '#6e7781', 'margin': '0.1,0.06', 'fixedsize': True})}")
    out.append(f"  edge {attrs({'fontname': FONT, 'fontsize': 10, 'color': EDGE_COLOUR, 'arrowsize': 0.7})}")
    for index, stage in enumerate(journey.stages):
        band, (hx, hy) = plan.bands[index], plan.heads[index]
        cluster = {"label": heads[index][0], "style": "rounded,filled", "fillcolor": CLUSTER_FILL,
                   "color": CLUSTER_BORDER, "bb": _bb(band), "lp": _xy(hx, hy)}
        if stage.goal:  # the full goal, where the head shows three wrapped lines of it
            cluster["tooltip"] = quoted(f"{one_line(stage.label, 80)}: {one_line(stage.goal, 600)}", 700)
        out.append(f"  subgraph cluster_s{index} {{")
        out.append(f"    graph {attrs(cluster)}")
        if index in plan.empties:
            box = plan.empties[index]
            note = Html(font("no touchpoints", size=10, colour=TEXT_MUTED, italic=True))
            out.append(f"    s{index}_empty {attrs({'shape': 'plain', 'label': note, **_place(box)})}")
        for node in scene.stage_nodes(index):
            out.append(f"    {node.key} {attrs(_map_node_attrs(node, scene, cards, plan))}")
        out.append("  }")
    for node in scene.loose_nodes():
        out.append(f"  {node.key} {attrs(_map_node_attrs(node, scene, cards, plan))}")
    for edge, route, (label, _) in zip(scene.edges, plan.edges, labels):
        values = edge_attrs(edge, scene, False)
        values.pop("label", None)
        values["pos"] = grid.edge_pos(route)
        if label is not None and route.label is not None:
            values["label"] = label
            values["lp"] = _xy(route.label.x, route.label.y)
        tooltip = _transition_tooltip(edge, scene)
        if tooltip:
            values["tooltip"] = quoted(tooltip, 700)
        out.append(f"  {edge.src} -> {edge.dst} {attrs(values)}")
    out.append("}")
    return "\n".join(out) + "\n"


def _map_node_attrs(node: SceneNode, scene: Scene, cards: dict[str, tuple[Html, float]],
                    plan: "MapPlan") -> dict[str, object]:
    """A card: its style, its fixed place, and a tooltip with its whole name (the card may cut it)."""
    values = {**node_attrs(node, scene), "label": cards[node.key][0], **_place(plan.cards[node.key])}
    if node.tp is not None:
        full = one_line(node.tp.label, 300)
        if node.tp.description:
            full += " — " + one_line(node.tp.description, 400)
        values["tooltip"] = quoted(full, 700)
    return values


def _xy(x: float, y: float) -> str:
    return f"{x:.1f},{-y:.1f}"


def _bb(b: "Box") -> str:
    """A cluster's bounding box in Graphviz's coordinates (the plan's y grows downwards)."""
    return f"{b.left:.1f},{-b.bottom:.1f},{b.right:.1f},{-b.top:.1f}"


def _place(b: "Box") -> dict[str, object]:
    """A pinned node of the box's size (inches, as Graphviz wants them)."""
    return {"pos": _xy(b.x, b.y) + "!", "width": round(b.w / 72, 3), "height": round(b.h / 72, 3)}


def _map_card(node: SceneNode, scene: Scene) -> tuple[Html, float]:
    """A card's label for the map (nothing under 10 points) and the height it needs."""
    from .grid import SMALL_CHARS, TITLE_CHARS, text_height

    if node.placeholder == "journey":
        journey_id, _, tp_id = node.ref.partition("/")
        body = (font("↗ " + html_lines(wrap(journey_id, SMALL_CHARS, 2, 80)), size=10, colour=TEXT_MUTED) + "<BR/>"
                + html_lines(wrap(tp_id, TITLE_CHARS, 2, 80)))
        return Html(body), text_height([(4, 11)]) + 14
    if node.placeholder == "missing":
        body = (font("? " + html_lines(wrap(node.ref, TITLE_CHARS, 2, 80)), colour=MISSING_HANDOFF_COLOUR) + "<BR/>"
                + font("no such touchpoint", size=10, colour=MISSING_HANDOFF_COLOUR))
        return Html(body), text_height([(3, 11), (1, 10)]) + 14
    tp = node.tp
    assert tp is not None
    title = wrap(tp.label, TITLE_CHARS, 4, 200)
    lines = [font(html_lines(title), bold=True)]
    sizes: list[tuple[int, float]] = [(len(title), 11)]

    def small(text_lines: list[str], **style: object) -> None:
        lines.append(font(html_lines(text_lines), size=10, **style))  # type: ignore[arg-type]
        sizes.append((len(text_lines), 10))

    if tp.channel:
        small(wrap(scene.defs.channel_name(tp.channel), SMALL_CHARS, 2, 80), colour=TEXT_MUTED)
    if tp.entry:
        share = f" · {percent(tp.share)}" if tp.share is not None else ""
        small([f"▶ entry{share}"], bold=True)
    if tp.outcome:
        small([f"{OUTCOME_SYMBOLS[tp.outcome]} {tp.outcome}"], colour=OUTCOME_COLOURS[tp.outcome], bold=True)
    if tp.moment_of_truth:
        small(["★ moment of truth"], colour=MOMENT_COLOUR, bold=True)
    if tp.milestone:
        text = "milestone" if tp.milestone is True else tp.milestone
        small(wrap("◆ " + str(text), SMALL_CHARS, 2, 120))
    for mark in node.marks:
        small(wrap(mark, SMALL_CHARS, 2, 80), colour=mark_colour(mark), bold=True)
    height = text_height(sizes) + 14
    if tp.kind == "peripheral":  # an ellipse needs more height for the same lines
        height = height * 1.45
    return Html("<BR/>".join(lines)), round(height, 1)


def _stage_head(index: int, scene: Scene) -> tuple[Html, float]:
    """A stage's name, goal and stage-level findings, and the height they need."""
    from .grid import GOAL_CHARS, SMALL_CHARS, STAGE_CHARS, text_height

    stage = scene.journey.stages[index]
    name = wrap(stage.label, STAGE_CHARS, 2, 80)
    title = font(html_lines(name), size=14, bold=True)
    sizes: list[tuple[int, float]] = [(len(name), 14)]
    if stage.goal:
        goal = wrap(stage.goal, GOAL_CHARS, 3, 200)
        title += "<BR/>" + font(html_lines(goal), size=10, colour=TEXT_MUTED)
        sizes.append((len(goal), 10))
    for mark in scene.stage_marks.get(index, []):
        lines = wrap(mark, SMALL_CHARS, 2, 80)
        title += "<BR/>" + font(html_lines(lines), size=10, colour=mark_colour(mark), bold=True)
        sizes.append((len(lines), 10))
    return Html(title), round(text_height(sizes) + 4, 1)


def _transition_label(edge: SceneEdge, scene: Scene) -> tuple[Html | None, float]:
    """What the gutter shows for a transition (wrapped to the gutter), and its height."""
    from .grid import LABEL_CHARS, text_height

    lines: list[str] = []
    count = 0

    def add(text: str, limit: int = 2, **style: object) -> None:
        nonlocal count
        wrapped = wrap(text, LABEL_CHARS, limit, 300)
        lines.append(font(html_lines(wrapped), **style))  # type: ignore[arg-type]
        count += len(wrapped)

    if edge.handoff:
        add(edge.handoff, 3, colour=HANDOFF_COLOUR, bold=True)
    if edge.missing_handoff:
        add(f"⚠ no hand-off: {edge.missing_handoff}", 3, colour=MISSING_HANDOFF_COLOUR, bold=True)
    if scene.show_conditions and edge.condition:
        add(edge.condition)
    if edge.numbers:
        add(edge.numbers, bold=True)
    if edge.note:
        add(edge.note, colour=TEXT_MUTED if edge.no_flow else "#0550ae", bold=not edge.no_flow)
    if not lines:
        return None, 0.0
    return Html("<BR/>".join(lines)), round(text_height([(count, 10)]) + 4, 1)


def _transition_tooltip(edge: SceneEdge, scene: Scene) -> str:
    """The transition in full, for the SVG tooltip: the gutter wraps and may cut the condition."""
    parts = [edge.handoff or "", f"no hand-off: {edge.missing_handoff}" if edge.missing_handoff else "",
             edge.condition, edge.numbers, edge.note or ""]
    text = " · ".join(p for p in parts if p)
    names = {n.key: (n.tp.label if n.tp is not None else n.ref) for n in scene.nodes if n.key in (edge.src, edge.dst)}
    return f"{one_line(names[edge.src], 120)} → {one_line(names[edge.dst], 120)}" + (f": {text}" if text else "")


def _map_legend(scene: Scene) -> list[str]:
    used_teams = {n.tp.owner for n in scene.nodes if n.tp is not None and n.tp.owner}
    rows = [team_legend(scene.defs, scene.fills, used_teams)]
    kinds = []
    shapes = {"peripheral": "ellipse", "external": "rounded box", "internal": "box with tabs", None: "dashed box"}
    present = {n.tp.kind for n in scene.nodes if n.tp is not None}
    for kind in ("peripheral", "external", "internal", None):
        if kind in present:
            kinds.append(f"{shapes[kind]}: {KIND_WORDS[kind]}")
    rows.append(legend_line([html(k) for k in kinds]))
    marks = touchpoint_markers([n.tp for n in scene.nodes if n.tp is not None])
    if any(e.handoff for e in scene.edges):
        marks.append(font("━ hand-off (from → to team · SLA)", colour=HANDOFF_COLOUR, bold=True))
    if any(e.missing_handoff for e in scene.edges):
        marks.append(font("━ teams change without a hand-off", colour=MISSING_HANDOFF_COLOUR, bold=True))
    if any(e.extra for e in scene.edges):
        marks.append(font("╌ dashed: not declared in this journey", colour=TEXT_MUTED))
    if any(e.width is not None for e in scene.edges):
        marks.append(font("line width: flow"))
    if any(e.no_flow for e in scene.edges):
        marks.append(font("┈ dotted grey: no flow", colour=NO_FLOW_COLOUR))
    rows.append(legend_line(marks))
    return [r for r in rows if r]


