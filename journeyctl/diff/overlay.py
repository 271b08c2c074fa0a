"""`diff --render`: the head's map with what changed marked, through journeyctl.render's EdgeOverlay.

Added touchpoints are marked "added", changed or moved ones "changed: ..." (the fields), transitions
gain a note (added, new rate, new SLA), and removed transitions are drawn back in, dashed and red, so
the reviewer sees what disappeared too.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from . import DiffError
from .compare import Change, DiffResult, JourneyDiff

if TYPE_CHECKING:  # render (and graphviz) load only when --render is asked for
    from ..render import EdgeOverlay

_SUFFIX_FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": "dot", ".gv": "dot", ".mmd": "mermaid",
                   ".mermaid": "mermaid", ".md": "md"}


def _edge(change: Change) -> tuple[str, str]:
    source, _, target = change.id.partition(" -> ")
    return source, target.split(" #", 1)[0]


def diff_overlay(journey: JourneyDiff, base: str) -> EdgeOverlay:
    from ..render import EdgeOverlay

    marks: dict[str, list[str]] = {}
    notes: dict[tuple[str, str], list[str]] = {}
    removed: list[tuple[str, str]] = []
    for c in journey.changes:
        if c.element == "touchpoint":
            if c.action == "added":
                marks.setdefault(c.id, []).insert(0, "added")
            elif c.action == "moved":
                marks.setdefault(c.id, []).append(f"moved from {c.before}")
            elif c.action == "changed":
                marks.setdefault(c.id, []).append(str(c.field).replace("_", " "))
        elif c.element == "transition":
            edge = _edge(c)
            if c.action == "added":
                notes.setdefault(edge, []).append("added")
            elif c.action == "removed":
                removed.append(edge)
                notes.setdefault(edge, []).append("removed")
            elif c.field == "rate":
                notes.setdefault(edge, []).append(f"rate {c.before} → {c.after}")
        elif c.element == "handoff":
            edge = _edge(c)
            if c.action == "added":
                sla = (c.after or {}).get("sla")
                notes.setdefault(edge, []).append("hand-off added" + (f" ({sla})" if sla else ""))
            elif c.action == "removed":
                notes.setdefault(edge, []).append("hand-off removed")
            elif c.field == "sla":
                notes.setdefault(edge, []).append(f"SLA {c.before} → {c.after}")
    node_marks = {}
    for tp, words in marks.items():
        if words[0] == "added":
            node_marks[tp] = "added"
        else:
            node_marks[tp] = "changed: " + ", ".join(words)
    count = len(journey.changes)
    return EdgeOverlay(notes={edge: "; ".join(n) for edge, n in notes.items()},
                       dashed_extra_edges=tuple(removed), red_edges=frozenset(removed), node_marks=node_marks,
                       subtitle=f"{count} change{'' if count == 1 else 's'} since {base}")


def render_changes(result: DiffResult, out: Path, timeout: float) -> list[Path]:
    """Write the map of each changed journey of head; one file, or one per journey beside `out`."""
    try:
        from ..render import RenderError, render
    except ImportError:
        raise DiffError("--render needs journeyctl.render, which this installation does not have") from None
    fmt = _SUFFIX_FORMATS.get(out.suffix.lower())
    if fmt is None:
        raise DiffError(f"--render {out}: unknown suffix (one of {', '.join(sorted(_SUFFIX_FORMATS))})")
    journeys = [j for j in result.changed if j.changes and j.journey is not None]  # models load on demand
    targets = [out] if len(journeys) == 1 else [out.with_name(f"{out.stem}.{j.id}{out.suffix}") for j in journeys]
    from ..output import OutputError, write_atomic

    for journey, target in zip(journeys, targets):
        try:
            data = render(journey.journey, "map", fmt, overlay=diff_overlay(journey, result.base), timeout=timeout)
            write_atomic(target, data)
        except (RenderError, OutputError) as exc:
            raise DiffError(str(exc)) from None
    return targets
