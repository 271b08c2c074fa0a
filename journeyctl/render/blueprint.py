"""The service blueprint: customer actions, frontstage, backstage and support in rows, stages in columns.

A blueprint is a grid, and the grid must line up, so it is drawn as one HTML-like table rather than as
nodes that dot would place on its own: every touchpoint sits exactly in its lane and stage, the lines
of interaction, visibility and internal interaction run the full width, and the layout costs nothing
even for thousands of touchpoints.
"""

from __future__ import annotations

from ..format.model import Journey, Touchpoint
from .definitions import Definitions, definitions
from .dot import FONT, Html, attrs, card_lines, font, header, legend_line, team_legend, touchpoint_markers
from .escape import html, html_lines, one_line, wrap
from .palette import CLUSTER_FILL, EMOTION_WORDS, MOMENT_COLOUR, NO_TEAM_FILL, TEXT_MUTED, team_fills

LANES = (
    ("frontstage", "Frontstage", "what the customer sees"),
    ("backstage", "Backstage", "work the customer does not see"),
    ("support", "Support", "systems and partners"),
)
LINES = {
    "frontstage": "line of interaction",
    "backstage": "line of visibility",
    "support": "line of internal interaction",
}
# The smallest text: 10 px when a blueprint of up to about eight stages is shown 1,600 px wide.
TEXT_SIZE = 10
LINE_COLOURS = {"frontstage": "#57606a", "backstage": "#0969da", "support": "#57606a"}


def to_dot_blueprint(journey: Journey, defs: Definitions | None = None) -> str:
    defs = defs or definitions(journey)
    fills = team_fills(journey)
    columns = len(journey.stages) + 1
    rows: list[str] = []
    head = ['<TD></TD>']
    for stage in journey.stages:
        title = font(html_lines(wrap(stage.label, 22, 4, 80)), size=13, bold=True)
        if stage.goal:
            title += "<BR/>" + font(html_lines(wrap(stage.goal, 26, 9, 200)), size=TEXT_SIZE, colour=TEXT_MUTED)
        head.append(f'<TD BGCOLOR="{CLUSTER_FILL}" BORDER="1" COLOR="#d0d7de" VALIGN="TOP">{title}</TD>')
    rows.append("<TR>" + "".join(head) + "</TR>")

    for key, name in (("does", "Customer does"), ("thinks", "Customer thinks"), ("feels", "Customer feels")):
        cells = [_row_header(name, "customer actions" if key == "does" else "")]
        for stage in journey.stages:
            text = getattr(stage.customer, key, None) if stage.customer else None
            body = html_lines(wrap(text, 26, 17, 400)) if text else ""
            if key == "feels" and stage.emotion is not None:
                mood = f"{stage.emotion:+d} {EMOTION_WORDS[stage.emotion]}" if stage.emotion else "0 neutral"
                body += ("<BR/>" if body else "") + font(html(f"({mood})"), size=TEXT_SIZE, colour=TEXT_MUTED)
            cells.append(f'<TD ALIGN="LEFT" BALIGN="LEFT" VALIGN="TOP">{font(body, size=TEXT_SIZE) if body else " "}</TD>')
        rows.append("<TR>" + "".join(cells) + "</TR>")

    for lane, name, meaning in LANES:
        rows.append(f'<TR><TD COLSPAN="{columns}" SIDES="T" BORDER="1" STYLE="dashed" COLOR="{LINE_COLOURS[lane]}" '
                    f'ALIGN="LEFT">{font(LINES[lane], size=TEXT_SIZE, colour=LINE_COLOURS[lane], italic=True)}</TD></TR>')
        # Cards are cells of the grid itself (a lane spans as many rows as its fullest stage): a
        # nested table would be stretched by Graphviz to fill its cell, making one card lane-high.
        per_stage = [[_card(tp, fills, defs) for tp in stage.touchpoints if tp.lane == lane]
                     for stage in journey.stages]
        depth = max((len(cards) for cards in per_stage), default=0) or 1
        for r in range(depth):
            cells = [_row_header(name, meaning, depth)] if r == 0 else []
            for cards in per_stage:
                if r < len(cards):
                    cells.append(cards[r])
                elif r == len(cards):
                    cells.append(f'<TD ROWSPAN="{depth - r}"> </TD>')
            rows.append("<TR>" + "".join(cells) + "</TR>")

    grid = Html('<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="4" CELLPADDING="5">' + "".join(rows) + "</TABLE>")
    used = {tp.owner for _, tp in journey.touchpoints() if tp.owner}
    markers = touchpoint_markers([tp for _, tp in journey.touchpoints()])
    legend = [team_legend(defs, fills, used), legend_line(markers)]
    graph = {"fontname": FONT, "labelloc": "t", "labeljust": "l", "pad": 0.3, "bgcolor": "white",
             "label": header(journey, "Service blueprint", [row for row in legend if row])}
    return "\n".join([
        "digraph blueprint {",
        f"  graph {attrs(graph)}",
        f"  node {attrs({'fontname': FONT, 'fontsize': 10})}",
        f"  grid {attrs({'shape': 'plain', 'label': grid})}",
        "}",
    ]) + "\n"


def _row_header(name: str, meaning: str, rows: int = 1) -> str:
    body = font(html(name), size=11, bold=True)
    if meaning:
        body += '<BR ALIGN="LEFT"/>' + font(html(meaning), size=TEXT_SIZE, colour=TEXT_MUTED)
    span = f' ROWSPAN="{rows}"' if rows > 1 else ""
    return f'<TD ALIGN="LEFT" BALIGN="LEFT" VALIGN="TOP"{span}>{body}</TD>'


def _card(tp: Touchpoint, fills: dict[str, str], defs: Definitions) -> str:
    lines = card_lines(tp, defs, width=24, title_size=11, badge_size=TEXT_SIZE, channel_size=TEXT_SIZE, title_lines=9)
    fill = fills.get(tp.owner, NO_TEAM_FILL) if tp.owner else NO_TEAM_FILL
    colour = f' COLOR="{MOMENT_COLOUR}"' if tp.moment_of_truth else ' COLOR="#8c959f"'
    return f'<TD BGCOLOR="{fill}" STYLE="rounded" BORDER="1"{colour}>{"<BR/>".join(lines)}</TD>'
