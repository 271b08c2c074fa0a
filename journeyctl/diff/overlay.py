"""`diff --render`: the head's map with what changed marked, through journeyctl.render's EdgeOverlay.

Every mark is a word as well as a colour, so nothing depends on telling colours apart: touchpoints are
labelled "added" (green), "removed" (red) or "changed: ..." (amber, the fields; a renamed one says
"renamed from ..."); transitions gain a note ("added", "removed", a new rate or SLA). What the change
removed is drawn back in: removed touchpoints in their old stage (a removed stage comes back marked
"removed" in its title), removed transitions dashed and red. Teams and channels show the names the
workspace's catalogs give them, as `journeyctl render` does, and the subtitle carries the legend.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from . import DiffError
from .compare import Change, DiffResult, JourneyDiff

if TYPE_CHECKING:  # render (and graphviz) load only when --render is asked for
    from ..format.model import Catalog, Journey
    from ..render import EdgeOverlay

_SUFFIX_FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": "dot", ".gv": "dot", ".mmd": "mermaid",
                   ".mermaid": "mermaid", ".md": "md"}


def _edge(change: Change) -> tuple[str, str]:
    source, _, target = change.id.partition(" -> ")
    return source, target.split(" #", 1)[0]


LEGEND = ("legend: “added” green · “removed” red (removed transitions dashed) · "
          "“changed: …” amber")


def diff_overlay(journey: JourneyDiff, base: str) -> EdgeOverlay:
    from ..render import EdgeOverlay

    marks: dict[str, list[str]] = {}
    notes: dict[tuple[str, str], list[str]] = {}
    removed: list[tuple[str, str]] = []
    for c in journey.changes:
        if c.element == "touchpoint":
            if c.action == "added":
                marks.setdefault(c.id, []).insert(0, "added")
            elif c.action == "removed":
                marks.setdefault(c.id, []).insert(0, "removed")
            elif c.action == "renamed":
                marks.setdefault(c.id, []).append(f"renamed from {c.before}")
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
        if words[0] in ("added", "removed"):
            node_marks[tp] = words[0]
        else:
            node_marks[tp] = "changed: " + ", ".join(words)
    count = len(journey.changes)
    return EdgeOverlay(notes={edge: "; ".join(n) for edge, n in notes.items()},
                       dashed_extra_edges=tuple(removed), red_edges=frozenset(removed), node_marks=node_marks,
                       subtitle=f"{count} change{'' if count == 1 else 's'} since {base} · {LEGEND}")


def with_removed(journey: JourneyDiff) -> Journey | None:
    """Head's journey with what the change removed put back (touchpoints without their transitions,
    which the overlay draws dashed; removed stages at their old place, titled as removed)."""
    head = journey.journey
    if head is None:
        return None
    gone = {c.id for c in journey.changes if c.element == "touchpoint" and c.action == "removed"}
    gone_stages = {c.id for c in journey.changes if c.element == "stage" and c.action == "removed"}
    base = journey.base_entry.model() if journey.base_entry is not None and (gone or gone_stages) else None
    if base is None:
        return head
    stages = [s.model_copy(update={"touchpoints": list(s.touchpoints)}) for s in head.stages]
    by_id = {s.id: s for s in stages}
    for index, stage in enumerate(base.stages):
        back = [tp.model_copy(update={"next": [], "entry": False, "outcome": None})
                for tp in stage.touchpoints if tp.id in gone]
        if stage.id in gone_stages:
            label = f"{stage.name or stage.id} (removed)"
            stages.insert(min(index, len(stages)), stage.model_copy(update={"name": label, "touchpoints": back}))
        elif back:
            target = by_id.get(stage.id) or (stages[-1] if stages else None)
            if target is not None:
                target.touchpoints.extend(back)
    return head.model_copy(update={"stages": stages})


def head_catalogs(result: DiffResult) -> list[Catalog]:
    """The catalogs of the head side, for the names of teams and channels (broken ones are skipped)."""
    from ..check.pipeline import document_from_bytes
    from ..config import Config
    from ..format.model import Catalog

    out = []
    for rel, raw in sorted(result.head_catalogs.items()):
        doc, _ = document_from_bytes(raw, rel, Config())
        try:
            out.append(Catalog.model_validate(doc.data if doc is not None else None))
        except Exception:  # noqa: BLE001 - validate reports a broken catalog; the render only loses names
            continue
    return out


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
    catalogs = head_catalogs(result)
    targets = [out] if len(journeys) == 1 else [out.with_name(f"{out.stem}.{j.id}{out.suffix}") for j in journeys]
    from ..output import OutputError, write_atomic

    for journey, target in zip(journeys, targets):
        try:
            data = render(with_removed(journey), "map", fmt, overlay=diff_overlay(journey, result.base),
                          timeout=timeout, catalogs=catalogs)
            write_atomic(target, data)
        except (RenderError, OutputError) as exc:
            raise DiffError(str(exc)) from None
    return targets
