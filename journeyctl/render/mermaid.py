"""Mermaid text: the map as a `flowchart LR` and the `journey` diagram, for GitHub and docs sites.

Both are checked by the real Mermaid parser in the test suite (tests/mermaid/). The map draws the same
scene as the DOT map (scene.py), so an overlay or a finding looks the same in both.
"""

from __future__ import annotations

from ..format.model import Journey
from .definitions import Definitions, definitions
from .escape import ELLIPSIS, journey_text, mermaid_label, one_line, wrap
from .overlay import mark_colour
from .palette import (NO_FLOW_COLOUR, HANDOFF_COLOUR, MISSING_HANDOFF_COLOUR, MOMENT_COLOUR, OUTCOME_COLOURS,
                      OUTCOME_SYMBOLS, TEXT_MUTED, percent)
from .scene import Scene, SceneEdge, SceneNode

# Mermaid node shapes per touchpoint kind (the DOT map uses ellipse / rounded box / box with tabs).
_SHAPES = {"peripheral": ('(["', '"])'), "external": ('("', '")'), "internal": ('[["', '"]]'), None: ('["', '"]')}


def to_mermaid_map(scene: Scene) -> str:
    journey = scene.journey
    out = ["flowchart LR"]
    for index, stage in enumerate(journey.stages):
        title = [one_line(stage.label, 80)] + scene.stage_marks.get(index, [])
        out.append(f'  subgraph s{index}["{mermaid_label(title)}"]')
        members = scene.stage_nodes(index)
        if not members:
            out.append(f'    s{index}_empty["{mermaid_label(["no touchpoints"])}"]')
        for node in members:
            out.append(f"    {_node(node, scene)}")
        out.append("  end")
    for node in scene.loose_nodes():
        out.append(f"  {_node(node, scene)}")
    styles: list[str] = []
    for number, edge in enumerate(scene.edges):
        out.append(f"  {_edge(edge, scene)}")
        style = _link_style(edge)
        if style:
            styles.append(f"  linkStyle {number} {style}")
    out.extend(styles)
    out.extend(_classes(scene))
    out.extend(_legend(scene))
    return "\n".join(out) + "\n"


def _node(node: SceneNode, scene: Scene) -> str:
    if node.placeholder == "journey":
        journey_id, _, tp_id = node.ref.partition("/")
        return f'{node.key}>"{mermaid_label(["↗ " + one_line(journey_id, 80), one_line(tp_id, 80)])}"]'
    if node.placeholder == "missing":
        return f'{node.key}{{{{"{mermaid_label(["? " + one_line(node.ref, 80), "no such touchpoint"])}"}}}}'
    tp = node.tp
    assert tp is not None
    lines = wrap(tp.label, 24, 3, 200)
    if tp.channel:
        lines.append(one_line(scene.defs.channel_name(tp.channel), 40))
    if tp.entry:
        lines.append("▶ entry" + (f" · {percent(tp.share)}" if tp.share is not None else ""))
    if tp.outcome:
        lines.append(f"{OUTCOME_SYMBOLS[tp.outcome]} {tp.outcome}")
    if tp.moment_of_truth:
        lines.append("★ moment of truth")
    if tp.milestone:
        lines.extend(wrap("◆ " + ("milestone" if tp.milestone is True else str(tp.milestone)), 28, 2, 120))
    lines.extend(node.marks)
    start, end = _SHAPES[tp.kind]
    return f"{node.key}{start}{mermaid_label(lines)}{end}"


def _edge(edge: SceneEdge, scene: Scene) -> str:
    lines = []
    if edge.handoff:
        lines.append(edge.handoff)
    if edge.missing_handoff:
        lines.append(f"⚠ no hand-off: {edge.missing_handoff}")
    if scene.show_conditions and edge.condition:
        lines.extend(wrap(edge.condition, 30, 2, 200))
    if edge.numbers:
        lines.append(edge.numbers)
    if edge.note:
        lines.append(edge.note)
    arrow = "-.->" if edge.extra else ("==>" if edge.handoff else "-->")
    label = f'|"{mermaid_label(lines)}"|' if lines else ""
    return f"{edge.src} {arrow}{label} {edge.dst}"


def _link_style(edge: SceneEdge) -> str:
    parts = []
    if edge.red or edge.missing_handoff:
        parts.append(f"stroke:{MISSING_HANDOFF_COLOUR}")
    elif edge.handoff:
        parts.append(f"stroke:{HANDOFF_COLOUR}")
    if edge.no_flow:
        parts += [f"stroke:{NO_FLOW_COLOUR}", "stroke-dasharray:2 3"]
    if edge.width is not None:
        parts.append(f"stroke-width:{edge.width:g}px")
    elif edge.missing_handoff:
        parts.append("stroke-width:2px")
    return ",".join(parts)


def _classes(scene: Scene) -> list[str]:
    out = []
    members: dict[str, list[str]] = {}
    for node in scene.nodes:
        if node.tp is None:
            members.setdefault("placeholder", []).append(node.key)
            continue
        tp = node.tp
        if tp.owner and tp.owner in scene.fills:
            members.setdefault(f"team{list(scene.fills).index(tp.owner)}", []).append(node.key)
        if tp.outcome:
            members.setdefault(f"outcome_{tp.outcome}", []).append(node.key)
        if tp.moment_of_truth:
            members.setdefault("moment", []).append(node.key)
        for mark in node.marks:
            colour = mark_colour(mark)
            members.setdefault(f"mark{colour[1:]}", []).append(node.key)
    legend_teams = {n.tp.owner for n in scene.nodes if n.tp is not None and n.tp.owner}
    for number, (team, fill) in enumerate(scene.fills.items()):
        if f"team{number}" in members or team in legend_teams:
            out.append(f"  classDef team{number} fill:{fill},stroke:#6e7781,color:#1f2328")
    for outcome, colour in OUTCOME_COLOURS.items():
        if f"outcome_{outcome}" in members:
            out.append(f"  classDef outcome_{outcome} stroke:{colour},stroke-width:3px")
    if "moment" in members:
        out.append(f"  classDef moment stroke:{MOMENT_COLOUR},stroke-width:4px")
    if "placeholder" in members:
        out.append(f"  classDef placeholder fill:#ffffff,stroke:{TEXT_MUTED},stroke-dasharray:4 3")
    for name in sorted(members):
        if name.startswith("mark"):
            out.append(f"  classDef {name} stroke:#{name[4:]},stroke-width:3px")
    for name in sorted(members, key=lambda n: (not n.startswith("team"), n)):
        out.append(f"  class {','.join(members[name])} {name}")
    return out


def _legend(scene: Scene) -> list[str]:
    used = {n.tp.owner for n in scene.nodes if n.tp is not None and n.tp.owner}
    teams = [(i, team) for i, team in enumerate(scene.fills) if team in used]
    keys = []
    tps = [n.tp for n in scene.nodes if n.tp is not None]
    if any(tp.entry for tp in tps):
        keys.append("▶ entry")
    keys.extend(f"{OUTCOME_SYMBOLS[o]} {o}" for o in OUTCOME_COLOURS if any(tp.outcome == o for tp in tps))
    if any(tp.moment_of_truth for tp in tps):
        keys.append("★ moment of truth")
    if any(e.handoff for e in scene.edges):
        keys.append("thick blue arrow: hand-off")
    if any(e.missing_handoff for e in scene.edges):
        keys.append("red arrow: teams change without a hand-off")
    if any(e.extra for e in scene.edges):
        keys.append("dotted arrow: not declared in this journey")
    if any(e.no_flow for e in scene.edges):
        keys.append("grey dotted arrow: no flow")
    if not teams and not keys:
        return []
    out = ['  subgraph legend["Legend"]', "    direction TB"]
    for i, team in teams:
        out.append(f'    legend_team{i}["{mermaid_label([one_line(scene.defs.team_name(team), 60)])}"]:::team{i}')
    if keys:
        out.append(f'    legend_keys["{mermaid_label(keys)}"]')
    out.append("  end")
    return out


# Mermaid draws each task in a box `journey.width` wide (150 by default) and `journey.height` high (50),
# and cuts what does not fit. Measured in headless Chromium (a wide sans-serif, so a narrower font fits
# more): two lines of about width / 9 characters fit in 50, three in 64 (the tallest box that keeps
# Mermaid's axis above its faces). Where a name needs it, boxes grow to three lines and up to 300 wide;
# a name longer than that is shortened at a word with "…" rather than cut mid-line by its box.
JOURNEY_BOX, JOURNEY_BOX_MAX, JOURNEY_BOX_STEP = 150, 300, 10
JOURNEY_TALL = 64  # journey.height for three lines of text
JOURNEY_SECTION_GAP = 50  # Mermaid's journey.diagramMarginX, between the tasks a section spans


def journey_box_chars(width: int, lines: int = 2) -> int:
    """Characters of a name that fit in a journey box `width` wide on `lines` lines (words kept whole)."""
    return lines * (width // 9) - 4 * (lines - 1)


def _shorten(text: str, chars: int, line: int) -> str:
    """`text` cut at a word to at most `chars` characters with "…"; a word longer than a `line` (which
    the box would cut at its edge) ends the text there."""
    position = 0
    for word in text.split(" "):
        if len(word) > line:
            chars = min(chars, position + line)
            break
        position += len(word) + 1
    if len(text) <= chars:
        return text
    cut = text[: chars - 1]
    if " " in cut[chars // 2:]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:-") + ELLIPSIS


def journey_box(tasks: list[str], sections: list[tuple[str, int]]) -> tuple[int, int]:
    """(width, lines): Mermaid's default box where every name fits on two lines, else the narrowest
    three-line box (a multiple of 10, up to 300) in which they fit, else the widest."""
    def fits(width: int, lines: int) -> bool:
        return all(len(t) <= journey_box_chars(width, lines) for t in tasks) and all(
            len(name) <= journey_box_chars(width * n + JOURNEY_SECTION_GAP * (n - 1), lines) for name, n in sections)

    if fits(JOURNEY_BOX, 2):
        return JOURNEY_BOX, 2
    for width in range(JOURNEY_BOX, JOURNEY_BOX_MAX + 1, JOURNEY_BOX_STEP):
        if fits(width, 3):
            return width, 3
    return JOURNEY_BOX_MAX, 3


def to_mermaid_journey(journey: Journey, defs: Definitions | None = None) -> str:
    """Mermaid's user-journey diagram: sections are stages, tasks touchpoints, actors owning teams.

    The score is the emotion moved from -2..+2 to Mermaid's 1..5; a touchpoint without one takes its
    stage's emotion, else neutral (3), because Mermaid requires a score. The boxes are made big enough
    for the names (front matter `config: journey: width/height`), and a name too long for the biggest
    box is shortened with "…", so no name is silently cut by its box.
    """
    defs = defs or definitions(journey)
    stages = [s for s in journey.stages if s.touchpoints]
    tasks = [one_line(tp.label, 120) for s in stages for tp in s.touchpoints]
    sections = [(one_line(s.label, 80), len(s.touchpoints)) for s in stages]
    width, lines = journey_box(tasks, sections)
    out = []
    if lines == 3:
        out += ["---", "config:", "  journey:", f"    width: {width}", f"    height: {JOURNEY_TALL}", "---"]
    out += ["journey", f"  title {journey_text(one_line(journey.title, 200), title=True)}"]
    for stage in journey.stages:
        n = max(1, len(stage.touchpoints))  # Mermaid draws no box for a section without tasks
        room = journey_box_chars(width * n + JOURNEY_SECTION_GAP * (n - 1), lines)
        span = width * n + JOURNEY_SECTION_GAP * (n - 1)
        out.append(f"  section {journey_text(_shorten(one_line(stage.label, 80), room, span // 11))}")
        for tp in stage.touchpoints:
            emotion = tp.emotion if tp.emotion is not None else (stage.emotion if stage.emotion is not None else 0)
            actor = journey_text(one_line(defs.team_name(tp.owner), 60), actor=True) if tp.owner else "no owner"
            name = _shorten(one_line(tp.label, 120), journey_box_chars(width, lines), width // 11)
            out.append(f"    {journey_text(name)}: {emotion + 3}: {actor}")
    return "\n".join(out) + "\n"
