"""The emotion curve: how the customer feels at each touchpoint, in stage order, on the -2..+2 scale.

A chart has fixed coordinates, which dot's ranking cannot express, so every position is computed here
and Graphviz only draws (`neato -n2` with pinned positions: no layout work at all, which also makes
this view as fast for 2,000 touchpoints as for 20). Nodes are drawn before edges (outputorder), so the
stage bands and scale lines, declared first, sit behind the curve.
"""

from __future__ import annotations

import re

from ..format.model import Journey, Touchpoint
from .dot import FONT, Html, attrs, font, header, legend_line, quoted
from .escape import html, html_lines, one_line, wrap
from .palette import CLUSTER_BORDER, EMOTION_COLOURS, EMOTION_WORDS, MISSING_HANDOFF_COLOUR, MOMENT_COLOUR, TEXT_MUTED

DY = 40.0  # points per emotion step
BAND_BOTTOM, BAND_TOP = -100.0, 160.0
NAMES_Y, STAGES_Y = 130.0, 185.0
CALLOUT_TOP = -115.0
LEFT = 110.0  # room for the scale labels
LOW_POINT = -1  # at or below this a touchpoint is a low point and gets its pain points
DX = 112.0  # points per touchpoint column
NAME_WIDTH = 17  # characters per line of a touchpoint's name (and of its pain points)
TEXT_SIZE = 10  # the smallest text: 10 px even when a 1,500-point row is shown 1,600 px wide
LINE_HEIGHT = 13.0  # points per line of a pain-point callout
MAX_ROW_WIDTH = 1500.0  # points: a longer journey wraps onto another row
ROW_GAP = 40.0


def _pt(value: float) -> str:
    return f"{value:.1f}"


def _pos(x: float, y: float) -> str:
    return f"{_pt(x)},{_pt(y)}!"


def to_dot_emotion(journey: Journey) -> str:
    columns: list[tuple[int, Touchpoint | None]] = []  # (stage index, touchpoint) per column
    for s, stage in enumerate(journey.stages):
        if stage.touchpoints:
            columns.extend((s, tp) for tp in stage.touchpoints)
        else:
            columns.append((s, None))
    dense = len(columns) > 300
    dx = 64.0 if dense else DX
    name_width, name_lines = (10, 2) if dense else (NAME_WIDTH, 3)
    # A long journey wraps onto several rows of at most `per_row` columns (balanced), so the chart
    # stays about as wide as a screen and its smallest text readable when it is shown 1,600 px wide.
    per_row = max(1, int((MAX_ROW_WIDTH - LEFT) // dx))
    rows = -(-len(columns) // per_row)
    per_row = -(-len(columns) // rows)
    out = ["digraph emotion {"]
    legend = _legend(journey) + ([font("the curve continues on the next row", colour=TEXT_MUTED)] if rows > 1 else [])
    graph = {"fontname": FONT, "splines": "false", "outputorder": "nodesfirst", "pad": 0.3, "bgcolor": "white",
             "labelloc": "t", "labeljust": "l",
             "label": header(journey, "Emotion curve: how the customer feels at each touchpoint (-2..+2)",
                             [legend_line(items) for items in _legend_rows(legend)])}
    out.append(f"  graph {attrs(graph)}")
    out.append(f"  node {attrs({'fontname': FONT, 'fontsize': TEXT_SIZE, 'shape': 'plain', 'label': ''})}")
    out.append(f"  edge {attrs({'arrowhead': 'none', 'color': '#24292f', 'penwidth': 2})}")
    edges: list[str] = []
    shift = 0.0  # how far below the first row this row is drawn
    for r in range(rows):
        first = r * per_row
        callouts = _row(out, edges, journey, columns, first, per_row, r, shift, dx, name_width, name_lines)
        bottom = min([BAND_BOTTOM] + [CALLOUT_TOP - h for h in callouts])
        shift += (STAGES_Y + 30.0) - bottom + ROW_GAP
    out.extend(edges)
    out.append("}")
    return "\n".join(out) + "\n"


def _row(out: list[str], edges: list[str], journey: Journey, columns: list[tuple[int, Touchpoint | None]],
         first: int, count_: int, r: int, shift: float, dx: float, name_width: int, name_lines: int) -> list[float]:
    """One row of the chart (columns first.. of the journey), `shift` points below the first; returns
    the heights of its pain-point callouts, so the next row starts below the lowest."""
    row = columns[first:first + count_]
    suffix = f"_{r}" if r else ""
    right = LEFT + dx * len(row)

    # Stage bands with their titles (a stage cut by the end of a row is continued on the next).
    start = 0
    for s, stage in enumerate(journey.stages):
        count = sum(1 for c in row if c[0] == s)
        if not count:
            continue
        x0, x1 = LEFT + start * dx, LEFT + (start + count) * dx
        fill = "#f6f8fa" if s % 2 == 0 else "#eef1f4"
        band = {"shape": "box", "style": "filled", "fixedsize": True, "color": CLUSTER_BORDER, "fillcolor": fill,
                "width": round((x1 - x0 - 4) / 72, 3), "height": round((BAND_TOP - BAND_BOTTOM) / 72, 3),
                "pos": _pos((x0 + x1) / 2, (BAND_TOP + BAND_BOTTOM) / 2 - shift)}
        out.append(f"  band{s}{suffix} {attrs(band)}")
        continued = start == 0 and first > 0 and columns[first - 1][0] == s
        label = f"(cont.) {one_line(stage.label, 110)}" if continued else stage.label
        title = html_lines(wrap(label, max(8, int(count * dx / 9.0)), 2, 130))
        head = {"label": Html(font(title, size=12, bold=True)), "pos": _pos((x0 + x1) / 2, STAGES_Y - shift),
                "tooltip": quoted(one_line(stage.label, 300), 400)}  # the whole name, where a narrow band cuts it
        out.append(f"  stage{s}{suffix} {attrs(head)}")
        start += count

    # The -2..+2 scale: a line per level and its name on the left.
    for level in range(2, -3, -1):
        y = level * DY - shift
        line = {"shape": "box", "fixedsize": True, "width": round((right - LEFT) / 72, 3), "height": 0.01,
                "style": "solid" if level == 0 else "dashed", "color": "#8c959f" if level == 0 else "#d0d7de",
                "pos": _pos((LEFT + right) / 2, y)}
        out.append(f"  level{level + 2}{suffix} {attrs(line)}")
        text = f"{level:+d} {EMOTION_WORDS[level]}" if level else "0 neutral"
        label = font(html_lines(wrap(text, 10, 2, 40)), size=TEXT_SIZE, colour=EMOTION_COLOURS[level], bold=True)
        out.append(f"  scale{level + 2}{suffix} {attrs({'label': Html(label), 'pos': _pos(LEFT / 2, y)})}")

    callouts: list[float] = []
    previous: str | None = None  # the curve starts afresh on each row
    for n, (s, tp) in enumerate(row):
        i = first + n
        x = LEFT + (n + 0.5) * dx
        stage_emotion = journey.stages[s].emotion
        if tp is not None:
            name = html_lines(wrap(tp.label, name_width, name_lines, 160))
            known = tp.emotion is not None or stage_emotion is not None
            colour = "#24292f" if known else TEXT_MUTED
            values = {"label": Html(font(name, size=TEXT_SIZE, colour=colour)), "pos": _pos(x, NAMES_Y - shift),
                      "tooltip": quoted(one_line(tp.label, 600), 700)}  # the whole name, where the label cuts it
            out.append(f"  t{i} {attrs(values)}")
        if tp is not None and tp.emotion is not None:
            emotion = tp.emotion
            point = {"shape": "star" if tp.moment_of_truth else "circle", "style": "filled", "fixedsize": True,
                     "width": 0.3 if tp.moment_of_truth else 0.2, "height": 0.3 if tp.moment_of_truth else 0.2,
                     "fillcolor": EMOTION_COLOURS[emotion],
                     "color": MOMENT_COLOUR if tp.moment_of_truth else "#24292f", "pos": _pos(x, emotion * DY - shift)}
            key = f"p{i}"
        elif stage_emotion is not None:
            # No feeling recorded here, but the stage has one: a hollow point at the stage's level, so the
            # curve shows the stage-level data the blueprint shows, and says it is the stage's.
            emotion = stage_emotion
            point = {"shape": "circle", "style": "filled", "fixedsize": True, "width": 0.2, "height": 0.2,
                     "fillcolor": "white", "color": EMOTION_COLOURS[emotion], "penwidth": 2.5,
                     "pos": _pos(x, emotion * DY - shift)}
            key = f"q{i}"
        else:
            previous = None  # a gap in the data is a gap in the curve, not a line across it
            continue
        out.append(f"  {key} {attrs(point)}")
        if previous is not None:
            edges.append(f"  {previous} -> {key}")
        previous = key
        if key.startswith("p") and tp is not None and emotion <= LOW_POINT:
            lines = _pain_lines(tp, name_width)
            height = LINE_HEIGHT * len(lines) + 10
            callouts.append(height)
            body = '<BR ALIGN="LEFT"/>'.join(lines) + '<BR ALIGN="LEFT"/>'
            callout = {"shape": "box", "style": "rounded,filled", "fillcolor": "#ffebe9",
                       "color": MISSING_HANDOFF_COLOUR, "margin": "0.05,0.04", "label": Html(body),
                       "tooltip": quoted(" · ".join(one_line(p, 300) for p in tp.pain_points) or "no pain point recorded", 700),
                       "pos": _pos(x, CALLOUT_TOP - height / 2 - shift)}
            out.append(f"  c{i} {attrs(callout)}")
            edges.append(f"  p{i} -> c{i} {attrs({'style': 'dashed', 'color': MISSING_HANDOFF_COLOUR, 'penwidth': 1})}")
    return callouts


def _pain_lines(tp: Touchpoint, width: int) -> list[str]:
    lines = [font(html(f"low point {tp.emotion:+d}"), size=TEXT_SIZE, colour=MISSING_HANDOFF_COLOUR, bold=True)]
    if not tp.pain_points:
        return lines + [font(html(line), size=TEXT_SIZE, colour=TEXT_MUTED)
                        for line in wrap("no pain point recorded", width, 2, 60)]
    for pain in tp.pain_points[:3]:
        for n, line in enumerate(wrap(pain, width, 4, 240)):
            lines.append(font(html(("• " if n == 0 else "  ") + line), size=TEXT_SIZE))
    if len(tp.pain_points) > 3:
        lines.append(font(html(f"+{len(tp.pain_points) - 3} more"), size=TEXT_SIZE, colour=TEXT_MUTED))
    return lines


def _legend_rows(items: list[str], width: int = 150) -> list[list[str]]:
    """The legend's items on as many lines as keep each under `width` characters of text (not wider than the chart)."""
    rows: list[list[str]] = [[]]
    used = 0
    for item in items:
        length = len(re.sub(r"<[^>]*>", "", item)) + 5
        if rows[-1] and used + length > width:
            rows.append([])
            used = 0
        rows[-1].append(item)
        used += length
    return rows


def _legend(journey: Journey) -> list[str]:
    items = [font(html(f"● {one_line(EMOTION_WORDS[level])}"), colour=EMOTION_COLOURS[level], bold=True)
             for level in range(-2, 3)]
    tps = [tp for _, tp in journey.touchpoints()]
    if any(tp.moment_of_truth for tp in tps):
        items.append(font("★ moment of truth", colour=MOMENT_COLOUR, bold=True))
    if any(tp.emotion is None and stage.emotion is not None for stage in journey.stages for tp in stage.touchpoints) \
            or any(stage.emotion is not None and not stage.touchpoints for stage in journey.stages):
        items.append(font("○ hollow point: the stage's emotion (none recorded for the touchpoint)", colour="#24292f"))
    if any(tp.emotion is None and stage.emotion is None for stage in journey.stages for tp in stage.touchpoints):
        items.append(font("grey name: no emotion recorded (the curve breaks there)", colour=TEXT_MUTED))
    items.append(font("red box: pain points at a low point", colour=MISSING_HANDOFF_COLOUR))
    return items
