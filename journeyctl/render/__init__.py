"""Diagrams of a journey: the map, the service blueprint, the emotion curve, Mermaid and Markdown.

The one entry point other commands use is `render`; `funnel`, `conform` and `diff` draw on the map
through an `EdgeOverlay`. Nothing here imports the graphviz package: DOT is written as text (see
dot.py for why) and Graphviz runs as a subprocess under a timeout (layout.py).

Views and formats:

    view        svg/png/pdf/dot   mermaid              md
    map         yes               flowchart LR         page with the map
    blueprint   yes               -                    -
    emotion     yes               -                    -
    journey     -                 journey diagram      page with the journey diagram
    funnel      yes               flowchart LR         page with the funnel map
"""

from __future__ import annotations

from typing import Iterable, Sequence

from ..format.model import Catalog, Journey
from .layout import GraphvizMissing, RenderError, RenderTimeout
from .overlay import EdgeOverlay

VIEWS = ("map", "blueprint", "emotion", "journey", "funnel")
FORMATS = ("svg", "png", "pdf", "dot", "mermaid", "md")
DEFAULT_TIMEOUT = 60.0

# Which views each kind of output can draw.
_GRAPHVIZ_VIEWS = ("map", "blueprint", "emotion", "funnel")
_MERMAID_VIEWS = ("map", "journey", "funnel")

__all__ = ["render", "to_dot", "to_mermaid", "check_combination", "EdgeOverlay", "RenderError",
           "RenderTimeout", "GraphvizMissing", "VIEWS", "FORMATS", "DEFAULT_TIMEOUT"]


def check_combination(view: str, fmt: str) -> None:
    """RenderError unless `view` can be drawn as `fmt`, with the alternatives in the message."""
    if view not in VIEWS:
        raise RenderError(f"unknown view '{view}' (one of {', '.join(VIEWS)})")
    if fmt not in FORMATS:
        raise RenderError(f"unknown format '{fmt}' (one of {', '.join(FORMATS)})")
    if fmt in ("mermaid", "md") and view not in _MERMAID_VIEWS:
        form = ("Markdown form (the page embeds Mermaid, which cannot draw it)" if fmt == "md"
                else "Mermaid form")
        raise RenderError(f"the {view} view has no {form}; use --format svg, png, pdf or dot")
    if fmt not in ("mermaid", "md") and view not in _GRAPHVIZ_VIEWS:
        raise RenderError(f"the {view} view is Mermaid's journey diagram; use --format mermaid or md "
                          "(or --view emotion for the emotion curve as svg)")


def render(journey: Journey, view: str = "map", fmt: str = "svg", *, findings: Iterable[object] | None = None,
           overlay: EdgeOverlay | None = None, timeout: float = DEFAULT_TIMEOUT,
           catalogs: Sequence[Catalog] = ()) -> bytes | str:
    """The journey drawn as `view` in `fmt`: str for svg, dot, mermaid and md; bytes for png and pdf.

    findings: rule findings to mark on the map (their `path` places them on a touchpoint or stage).
    overlay: emphasis drawn on the map (and the funnel view's own); see EdgeOverlay.
    catalogs: shared catalogs of the workspace, for the names of teams, channels, personas, metrics.
    Raises RenderError (GraphvizMissing, RenderTimeout) with a message meant for the user.
    """
    check_combination(view, fmt)
    findings = list(findings or ())
    if fmt == "md":
        from .markdown import to_markdown

        return to_markdown(journey, to_mermaid(journey, view, findings=findings, overlay=overlay, catalogs=catalogs),
                           view=view, findings=findings, catalogs=catalogs)
    if fmt == "mermaid":
        return to_mermaid(journey, view, findings=findings, overlay=overlay, catalogs=catalogs)
    source = None
    if overlay is None and fmt != "dot":
        from .batch import _SOURCES, prepared

        source = prepared(journey, view, findings, catalogs) if _SOURCES else None
    if source is None:
        source = to_dot(journey, view, findings=findings, overlay=overlay, catalogs=catalogs)
    if fmt == "dot":
        return source
    from .layout import run_dot

    touchpoints = sum(len(stage.touchpoints) for stage in journey.stages)
    from ..plural import count

    what = f"the {view} view of '{journey.id}' ({count(touchpoints, 'touchpoint')})"
    engine, extra = graphviz_engine(view)
    data = run_dot(source, fmt, timeout=timeout, engine=engine, what=what, extra_args=extra)
    if fmt == "svg":
        from .svg import stamp

        return stamp(data.decode("utf-8"), source)
    return data


def graphviz_engine(view: str) -> tuple[str, tuple[str, ...]]:
    """(engine, extra arguments) Graphviz draws `view` with (render.batch primes with the same)."""
    if view in ("emotion", "map", "funnel"):
        # Positions are computed by us (emotion.py, grid.py); neato -n2 only draws them.
        return "neato", ("-n2",)
    return "dot", ()


def to_dot(journey: Journey, view: str = "map", *, findings: Iterable[object] | None = None,
           overlay: EdgeOverlay | None = None, catalogs: Sequence[Catalog] = ()) -> str:
    from .definitions import definitions

    defs = definitions(journey, catalogs)
    overlay = _with_funnel(journey, view, overlay)
    if view == "blueprint":
        from .blueprint import to_dot_blueprint

        return to_dot_blueprint(journey, defs)
    if view == "emotion":
        from .emotion import to_dot_emotion

        return to_dot_emotion(journey)
    from .dot import to_dot_map
    from .scene import build_scene

    return to_dot_map(build_scene(journey, overlay, findings, defs))


def to_mermaid(journey: Journey, view: str = "map", *, findings: Iterable[object] | None = None,
               overlay: EdgeOverlay | None = None, catalogs: Sequence[Catalog] = ()) -> str:
    from .definitions import definitions

    defs = definitions(journey, catalogs)
    overlay = _with_funnel(journey, view, overlay)
    if view == "journey":
        from .mermaid import to_mermaid_journey

        return to_mermaid_journey(journey, defs)
    from .mermaid import to_mermaid_map
    from .scene import build_scene

    return to_mermaid_map(build_scene(journey, overlay, findings, defs))


def _with_funnel(journey: Journey, view: str, overlay: EdgeOverlay | None) -> EdgeOverlay | None:
    """The funnel view is the map with the funnel's flows as overlay (plus the caller's, which wins)."""
    if view != "funnel":
        return overlay
    from .funnel_view import funnel_overlay

    base = funnel_overlay(journey)
    if overlay is None:
        return base
    return EdgeOverlay(
        widths={**base.widths, **overlay.widths},
        notes={**base.notes, **overlay.notes},
        dashed_extra_edges=tuple(base.dashed_extra_edges) + tuple(overlay.dashed_extra_edges),
        red_edges=frozenset(base.red_edges) | frozenset(overlay.red_edges),
        node_marks={**base.node_marks, **overlay.node_marks},
        subtitle=overlay.subtitle or base.subtitle,
    )
