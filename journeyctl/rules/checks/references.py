"""Ids and the references to them: each declared once, each reference resolving, each declaration used."""

from __future__ import annotations

from typing import Collection, Iterator

from ...check.findings import Hit, format_path
from ...format.model import Journey, Node
from ...suggest import closest
from .. import RuleContext, rule
from ..memo import table

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


def declared(journey: Journey, ctx: RuleContext, kind: str) -> set[str]:
    """Ids a reference of this kind may use: the journey's own, plus the workspace's shared catalog."""
    plural = CATALOGS[kind]
    ids = {item.id for item in getattr(journey, plural)}
    if ctx.workspace is not None:
        ids.update(getattr(ctx.workspace, plural))
    return ids


class _Hints:
    """'Did you mean' per kind of id, memoised: a typo repeated on 500 touchpoints costs one fuzzy search.

    A fuzzy search compares the unknown id with every declared one, so a journey with many distinct unknown
    ids would make this rule quadratic (1,000 unknown targets among 1,000 touchpoints took 15 s). The
    comparisons are budgeted per run: past BUDGET, an unknown id is still reported, without a suggestion.
    A journey that far from consistent is a generated or half-migrated file, where hints are noise anyway.
    """

    BUDGET = 50_000  # id comparisons per journey (about 0.5 s at worst); a typo or ten never come close

    def __init__(self, known: dict[str, Collection[str]]) -> None:
        self.known = known
        self.cache: dict[tuple[str, str], str | None] = {}
        self.spent = 0

    def __call__(self, kind: str, value: str) -> str | None:
        key = (kind, value)
        if key not in self.cache:
            cost = len(self.known[kind])
            if self.spent + cost > self.BUDGET:
                self.cache[key] = None
            else:
                self.spent += cost
                self.cache[key] = closest(value, self.known[kind])
        return self.cache[key]


@rule("unknown-reference", "error", "a reference to a team, channel, persona, metric or touchpoint that does not exist")
def unknown_reference(journey: Journey, ctx: RuleContext) -> Iterator[Hit]:
    """Every id a journey refers to must be declared: in the journey, or in a shared workspace catalog.

    A typo in a channel, an owner or a transition target silently breaks the map: coverage tables miss
    the touchpoint, hand-off checks cannot see the owner, and the diagram loses an edge. The message
    suggests the closest declared id (in a journey with hundreds of distinct unknown ids, only the first
    ones get a suggestion, so that the check stays fast; every one is still reported). Links into another journey (`to: onboarding/welcome`) are checked
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
    t = table(journey)  # one walk of the model per run: the ids used, transitions resolved to rows
    known = {kind: declared(journey, ctx, kind) for kind in CATALOGS}
    hints = _Hints({**known, "touchpoint": t.ids})
    # Only a journey that uses an undeclared id is walked again, to report each reference in document order.
    if any(t.used[kind] - known[kind] for kind in CATALOGS):
        for kind, holder, keys, value in references(journey):
            if value not in known[kind]:
                hint = hints(kind, value)
                advice = f" (did you mean '{hint}'?)" if hint else f": declare it under '{CATALOGS[kind]}'"
                yield holder.finding(f"unknown {kind} '{value}'{advice}", *keys)
    # Links into other journeys (`to: other/tp`) are resolved by the workspace's second pass
    # (journeyctl.workspace.resolve), which sees every journey. `to: this-journey/tp` is a local transition
    # that the second pass skips, so it is checked here with the plain ones: each reported exactly once.
    # A local target that is no touchpoint's id is one the table could not resolve to a row.
    for e, (outward, dest) in enumerate(zip(t.outward, t.dest)):
        if not outward and dest < 0:
            tr = t.transition(e)
            hint = hints("touchpoint", tr.target)
            advice = f" (did you mean '{hint}'?)" if hint else ""
            yield tr.finding(f"transition from '{t.ids[t.src[e]]}' leads to unknown touchpoint '{tr.to}'{advice}", "to")


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
              ("metric", journey.metrics), ("stage", journey.stages)]
    for kind, items in groups:
        first: dict[str, Node] = {}
        for item in items:
            if item.id in first:
                yield _duplicate(kind, item, first[item.id], ctx)
            else:
                first[item.id] = item
    t = table(journey)  # touchpoints: the table knows each row's first definition already
    for row, head in enumerate(t.head):
        if head != row:
            yield _duplicate("touchpoint", t.touchpoint(row), t.touchpoint(head), ctx)


def _duplicate(kind: str, item: Node, first: Node, ctx: RuleContext) -> Hit:
    where = format_path(first.path)
    if ctx.line_of is not None:
        where = f"line {ctx.line_of(first.path)} ({where})"
    return item.finding(f"duplicate {kind} id '{item.id}': also defined at {where}", "id")  # type: ignore[attr-defined]


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
    used = table(journey).used
    for kind in ("team", "channel", "metric"):
        for item in getattr(journey, CATALOGS[kind]):
            if item.id not in used[kind]:
                yield item.finding(f"{kind} '{item.id}' is declared but unused: {_UNUSED_ADVICE[kind]}", "id")
