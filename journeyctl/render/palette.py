"""Colours and shapes shared by every view, so a team is the same colour in the map and the blueprint.

Fills are light enough for black text (WCAG AA contrast) and distinct for the usual handful of teams;
past twelve teams the palette repeats, which the legend makes visible rather than hides.
"""

from __future__ import annotations

from ..format.model import Journey

TEAM_FILLS = ("#cfe2ff", "#d3f0d8", "#ffe2b8", "#f8d3d8", "#e3dbf5", "#cdeff0",
              "#fff1a8", "#e6e0d4", "#fbd3ec", "#dde7c7", "#d7e3ee", "#f2d9c4")
NO_TEAM_FILL = "#ffffff"

OUTCOME_COLOURS = {
    "converted": "#1a7f37",
    "retained": "#0969da",
    "advocate": "#8250df",
    "churned": "#cf222e",
    "dropped": "#6e7781",
}
OUTCOME_SYMBOLS = {"converted": "✔", "retained": "↻", "advocate": "♥", "churned": "✖", "dropped": "⤓"}

HANDOFF_COLOUR = "#1f4e99"
MISSING_HANDOFF_COLOUR = "#d1242f"
MOMENT_COLOUR = "#bf8700"
EDGE_COLOUR = "#57606a"
TEXT_MUTED = "#57606a"
NO_FLOW_COLOUR = "#8c959f"  # a declared transition a flow overlay gives nothing: dotted, grey
CLUSTER_FILL = "#f6f8fa"
CLUSTER_BORDER = "#d0d7de"

# Graphviz shape per touchpoint kind; the legend names them.
KIND_SHAPES = {"peripheral": "ellipse", "external": "box", "internal": "component", None: "box"}
KIND_STYLES = {"peripheral": "filled", "external": "rounded,filled", "internal": "filled", None: "filled,dashed"}
KIND_WORDS = {"peripheral": "peripheral (seen in public, referral)", "external": "external (web, store, social)",
              "internal": "internal (service, internal process)", None: "kind not set"}

EMOTION_COLOURS = {-2: "#cf222e", -1: "#e16f24", 0: "#8c959f", 1: "#4ac26b", 2: "#1a7f37"}
EMOTION_WORDS = {-2: "very negative", -1: "negative", 0: "neutral", 1: "positive", 2: "very positive"}


def team_fills(journey: Journey) -> dict[str, str]:
    """Team id → fill: declared teams in order, then undeclared owners in order of first use."""
    order: list[str] = [team.id for team in journey.teams]
    for _, tp in journey.touchpoints():
        if tp.owner and tp.owner not in order:
            order.append(tp.owner)
    seen: dict[str, str] = {}
    for team in order:
        seen.setdefault(team, TEAM_FILLS[len(seen) % len(TEAM_FILLS)])
    return seen


def percent(rate: float) -> str:
    """0.32 → "32%", 0.065 → "6.5%", 0.0004 → "0.04%": enough digits to tell rates apart."""
    value = rate * 100
    for digits in (0, 1, 2):
        text = f"{value:.{digits}f}"
        if abs(float(text) - value) < 1e-9 or digits == 2:
            return text.rstrip("0").rstrip(".") + "%" if "." in text else text + "%"
    return f"{value:.2f}%"  # pragma: no cover - the loop always returns
