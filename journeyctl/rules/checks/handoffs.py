"""Hand-offs: where the customer passes from one team to another, the passing must be designed."""

from __future__ import annotations

from typing import Iterator

from ...check.findings import Hit
from ...format.model import Journey
from .. import RuleContext, rule
from ..memo import per_journey, table


@per_journey
def _owned_transitions(journey: Journey) -> list[int]:
    """The local transitions (edges of the journey's table) whose two ends both have an owner, the target
    being its id's first definition (as in `Journey.touchpoint_index()`); once per run for both hand-off
    rules."""
    t = table(journey)
    owner = t.owner
    return [e for e, (source, dest) in enumerate(zip(t.src, t.dest))
            if dest >= 0 and owner[source] is not None and owner[dest] is not None]


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
    t = table(journey)
    for e in _owned_transitions(journey):
        source, dest = t.src[e], t.dest[e]
        if t.owner[source] != t.owner[dest] and not t.handoff[e]:
            yield t.transition(e).finding(
                f"the customer passes from {t.owner[source]} ('{t.ids[source]}') to {t.owner[dest]} "
                f"('{t.ids[dest]}') with no hand-off declared: add 'handoff' with a trigger and an sla", "to")


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
    t = table(journey)
    for e, (handoff, sla) in enumerate(zip(t.handoff, t.sla)):
        if handoff and not sla:
            yield t.transition(e).finding(f"the hand-off from '{t.ids[t.src[e]]}' to '{t.transition(e).to}' has no "
                                          f"sla: say how fast the receiving team responds (e.g. sla: 24h)", "to")


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
    t = table(journey)
    for e in _owned_transitions(journey):
        source, dest = t.src[e], t.dest[e]
        if t.owner[source] == t.owner[dest] and t.handoff[e]:
            yield t.transition(e).finding(f"a hand-off is declared from '{t.ids[source]}' to '{t.ids[dest]}', "
                                          f"but {t.owner[source]} owns both: fix an owner or remove the hand-off",
                                          "handoff", on_key=True)
