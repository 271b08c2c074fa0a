"""Ids and the references to them: each declared once, each reference resolving, each declaration used."""

from __future__ import annotations

from typing import Iterator

from ...check.findings import Hit, format_path
from ...format.model import Journey, Node
from ...suggest import closest
from .. import RuleContext, rule
from ..memo import per_journey
from .graph import JourneyGraph

# kind of reference → the journey (and workspace) list that declares it
CATALOGS = {"persona": "personas", "team": "teams", "channel": "channels", "metric": "metrics"}


def references(journey: Journey) -> Iterator[tuple[str, Node, tuple[str | int, ...], str]]:
    """Every reference to a declared persona, team, channel or metric: (kind, holder, keys, id)."""
    if journey.owner is not None:
        yield "team", journey, ("owner",), journey.owner
    for stage in journey.stages:
        for i, metric in enumerate(stage.kpis):
            yield "metric", stage, ("kpis", i), metric
        for tp in stage.touchpoints:
            if tp.owner is not None:
                yield "team", tp, ("owner",), tp.owner
            if tp.channel is not None:
                yield "channel", tp, ("channel",), tp.channel
            for i, persona in enumerate(tp.personas):
                yield "persona", tp, ("personas", i), persona
            for i, metric in enumerate(tp.kpis):
                yield "metric", tp, ("kpis", i), metric


@per_journey
def _references(journey: Journey) -> list[tuple[str, Node, tuple[str | int, ...], str]]:
    """`references(journey)` as a list built once per run, for the two rules that read it (a walk of a
    long journey's model is memory-bound: each walk saved is a cache miss per object saved)."""
    return list(references(journey))


def declared(journey: Journey, ctx: RuleContext, kind: str) -> set[str]:
    """Ids a reference of this kind may use: the journey's own, plus the workspace's shared catalog."""
    plural = CATALOGS[kind]
    ids = {item.id for item in getattr(journey, plural)}
    if ctx.workspace is not None:
        ids.update(getattr(ctx.workspace, plural))
    return ids


class _Hints:
    """'Did you mean' per kind of id, memoised: a typo repeated on 500 touchpoints costs one fuzzy search."""

    def __init__(self, known: dict[str, set[str]]) -> None:
        self.known = known
        self.cache: dict[tuple[str, str], str | None] = {}

    def __call__(self, kind: str, value: str) -> str | None:
        key = (kind, value)
        if key not in self.cache:
            self.cache[key] = closest(value, self.known[kind])
        return self.cache[key]


@rule("unknown-reference", "error", "a reference to a team, channel, persona, metric or touchpoint that does not exist")
def unknown_reference(journey: Journey, ctx: RuleContext) -> Iterator[Hit]:
    """Every id a journey refers to must be declared: in the journey, or in a shared workspace catalog.

    A typo in a channel, an owner or a transition target silently breaks the map: coverage tables miss
    the touchpoint, hand-off checks cannot see the owner, and the diagram loses an edge. The message
    suggests the closest declared id. Links into another journey (`to: onboarding/welcome`) are checked
    when the whole workspace is validated, since a lone file cannot know the other journeys.

    Fails:
        channels: [{id: email}]
        stages:
          - id: s
            touchpoints:
              - id: t
                channel: emial
                entry: true
                outcome: converted
    Passes:
        channels: [{id: email}]
        stages:
          - id: s
            touchpoints:
              - id: t
                channel: email
                entry: true
                outcome: converted
    """
    known = {kind: declared(journey, ctx, kind) for kind in CATALOGS}
    graph = JourneyGraph.of(journey)  # the shared walk of the model (a long journey's model is slow to walk)
    known["touchpoint"] = set(graph.first)  # every touchpoint id, inserted in document order as before
    hints = _Hints(known)
    for kind, holder, keys, value in _references(journey):
        if value not in known[kind]:
            hint = hints(kind, value)
            advice = f" (did you mean '{hint}'?)" if hint else f": declare it under '{CATALOGS[kind]}'"
            yield holder.finding(f"unknown {kind} '{value}'{advice}", *keys)
    # Links into other journeys (`to: other/tp`) are resolved by the workspace's second pass
    # (journeyctl.workspace.resolve), which sees every journey. `to: this-journey/tp` is a local transition
    # that the second pass skips, so it is checked here with the plain ones: each reported exactly once.
    for tp, tr, target in graph.edges:
        if target is not None and target not in known["touchpoint"]:
            hint = hints("touchpoint", target)
            advice = f" (did you mean '{hint}'?)" if hint else ""
            yield tr.finding(f"transition from '{tp.id}' leads to unknown touchpoint '{tr.to}'{advice}", "to")


@rule("duplicate-id", "error", "two touchpoints, stages, personas, teams, channels or metrics share an id")
def duplicate_id(journey: Journey, ctx: RuleContext) -> Iterator[Hit]:
    """An id names one thing: references to a repeated id are ambiguous.

    Touchpoint ids are unique across the whole journey (transitions name them without their stage);
    stage, persona, team, channel and metric ids are unique among their kind. Rename one of the two, or
    merge them if they are the same thing described twice.

    Fails:
        stages:
          - id: s
            touchpoints:
              - {id: t, entry: true, next: [{to: done}]}
              - {id: done, outcome: converted}
              - {id: done, outcome: dropped}
    Passes:
        stages:
          - id: s
            touchpoints:
              - {id: t, entry: true, next: [{to: done}, {to: gave-up}]}
              - {id: done, outcome: converted}
              - {id: gave-up, outcome: dropped}
    """
    groups = [("persona", journey.personas), ("team", journey.teams), ("channel", journey.channels),
              ("metric", journey.metrics), ("stage", journey.stages),
              ("touchpoint", [tp for _, tp in journey.touchpoints()])]
    for kind, items in groups:
        first: dict[str, Node] = {}
        for item in items:
            if item.id in first:
                where = format_path(first[item.id].path)
                if ctx.line_of is not None:
                    where = f"line {ctx.line_of(first[item.id].path)} ({where})"
                yield item.finding(f"duplicate {kind} id '{item.id}': also defined at {where}", "id")
            else:
                first[item.id] = item


_UNUSED_ADVICE = {
    "team": "neither the journey nor any touchpoint is owned by it",
    "channel": "no touchpoint uses it",
    "metric": "no stage or touchpoint lists it in its kpis",
}


@rule("unused-definition", "info", "a declared team, channel or metric that nothing uses")
def unused_definition(journey: Journey, ctx: RuleContext) -> Iterator[Hit]:
    """A declared team, channel or metric that nothing refers to is clutter, or a sign of a missing link.

    Often the touchpoint that should use it was forgotten (the support team is declared, but no
    touchpoint is owned by it), or a reference has a typo. Use it, or remove the declaration. Personas
    nobody serves are reported by `persona-not-served`.

    Fails:
        channels: [{id: web}, {id: fax}]
        stages:
          - id: s
            touchpoints:
              - {id: t, channel: web, entry: true, outcome: converted}
    Passes:
        channels: [{id: web}]
        stages:
          - id: s
            touchpoints:
              - {id: t, channel: web, entry: true, outcome: converted}
    """
    used: dict[str, set[str]] = {kind: set() for kind in CATALOGS}
    for kind, _, _, value in _references(journey):
        used[kind].add(value)
    for kind in ("team", "channel", "metric"):
        for item in getattr(journey, CATALOGS[kind]):
            if item.id not in used[kind]:
                yield item.finding(f"{kind} '{item.id}' is declared but unused: {_UNUSED_ADVICE[kind]}", "id")
