"""Hand-offs: where the customer passes from one team to another, the passing must be designed."""

from __future__ import annotations

from typing import Iterator

from ...check.findings import Hit
from ...format.model import Journey, Touchpoint, Transition
from .. import RuleContext, rule
from ..memo import per_journey
from .graph import JourneyGraph


@per_journey
def _owned_transitions(journey: Journey) -> list[tuple[Touchpoint, Transition, Touchpoint]]:
    """(source, transition, target) for local transitions whose two ends both have an owner.

    Read from the shared graph's transitions (first definition of an id wins, as in
    `Journey.touchpoint_index()`), once per run for both hand-off rules: on a long journey each walk of
    the pydantic model is memory-bound (a cache miss per object), so the model is walked once."""
    graph = JourneyGraph.of(journey)
    index = graph.first
    out = []
    for tp, tr, target_id in graph.edges:
        if tp.owner is None or target_id is None:
            continue
        target = index.get(target_id)
        if target is not None and target.owner is not None:
            out.append((tp, tr, target))
    return out


@rule("missing-handoff", "error", "the customer passes between two teams with no hand-off declared")
def missing_handoff(journey: Journey, ctx: RuleContext) -> Iterator[Hit]:
    """Where the customer moves from one team's touchpoint to another team's, the hand-off must be explicit.

    This is where journeys break: marketing assumes sales called the lead, sales assumes the lead was not
    ready, and the customer hears from nobody. Declare `handoff:` on the transition with the trigger that
    passes the customer on, how fast the receiving team responds (`sla`) and what carries it (`via`).
    A transition into another journey of the workspace (`to: journey/touchpoint`) is checked the same
    way against the owner of the touchpoint it enters.

    Fails:
        teams: [{id: sales}, {id: success}]
        stages:
          - id: s
            touchpoints:
              - id: contract
                owner: sales
                entry: true
                next: [{to: kickoff}]
              - {id: kickoff, owner: success, outcome: converted}
    Passes:
        teams: [{id: sales}, {id: success}]
        stages:
          - id: s
            touchpoints:
              - id: contract
                owner: sales
                entry: true
                next:
                  - to: kickoff
                    handoff: {trigger: contract signed, sla: 24h, via: CRM handover form}
              - {id: kickoff, owner: success, outcome: converted}
    """
    for tp, tr, target in _owned_transitions(journey):
        if tp.owner != target.owner and tr.handoff is None:
            yield tr.finding(
                f"the customer passes from {tp.owner} ('{tp.id}') to {target.owner} ('{target.id}') with no "
                f"hand-off declared: add 'handoff' with a trigger and an sla", "to")


@rule("handoff-without-sla", "info", "a hand-off with no response time (sla)")
def handoff_without_sla(journey: Journey, ctx: RuleContext) -> Iterator[Hit]:
    """A hand-off should say how fast the receiving team picks the customer up.

    Without a response time, "we'll be in touch" can mean an hour or a month, and speed-to-lead, the
    first thing a customer notices after a hand-off, goes unmeasured. Add `sla:` (e.g. 24h, 2d).

    Fails:
        teams: [{id: sales}, {id: success}]
        stages:
          - id: s
            touchpoints:
              - id: contract
                owner: sales
                entry: true
                next:
                  - to: kickoff
                    handoff: {trigger: contract signed}
              - {id: kickoff, owner: success, outcome: converted}
    Passes:
        teams: [{id: sales}, {id: success}]
        stages:
          - id: s
            touchpoints:
              - id: contract
                owner: sales
                entry: true
                next:
                  - to: kickoff
                    handoff: {trigger: contract signed, sla: 24h}
              - {id: kickoff, owner: success, outcome: converted}
    """
    for tp, tr, _ in JourneyGraph.of(journey).edges:
        if tr.handoff is not None and tr.handoff.sla is None:
            yield tr.finding(f"the hand-off from '{tp.id}' to '{tr.to}' has no sla: say how fast the "
                             f"receiving team responds (e.g. sla: 24h)", "to")


@rule("handoff-without-owner-change", "info", "a hand-off declared between two touchpoints of the same team")
def handoff_without_owner_change(journey: Journey, ctx: RuleContext) -> Iterator[Hit]:
    """A hand-off passes the customer between teams; between two touchpoints of one team it is a mistake.

    Usually one of the owners is wrong (the receiving touchpoint really belongs to another team), or the
    hand-off was copied from another transition. Fix the owner, or remove the hand-off.

    Fails:
        teams: [{id: sales}]
        stages:
          - id: s
            touchpoints:
              - id: demo
                owner: sales
                entry: true
                next:
                  - to: proposal
                    handoff: {trigger: demo done, sla: 24h}
              - {id: proposal, owner: sales, outcome: converted}
    Passes:
        teams: [{id: sales}]
        stages:
          - id: s
            touchpoints:
              - id: demo
                owner: sales
                entry: true
                next: [{to: proposal}]
              - {id: proposal, owner: sales, outcome: converted}
    """
    for tp, tr, target in _owned_transitions(journey):
        if tp.owner == target.owner and tr.handoff is not None:
            yield tr.finding(f"a hand-off is declared from '{tp.id}' to '{target.id}', but {tp.owner} owns "
                             f"both: fix an owner or remove the hand-off", "handoff", on_key=True)
