"""The customer's side of the map: who it is for, how they feel, and what is done about their pain."""

from __future__ import annotations

from typing import Iterator

from ...check.findings import Hit
from ...format.model import Journey, Touchpoint
from .. import RuleContext, rule


def _felt(tp: Touchpoint) -> str | None:
    """The key that makes a claim about the customer's feelings here, if any: pain points, then emotion."""
    if tp.pain_points:
        return "pain_points"
    if tp.emotion is not None:
        return "emotion"
    return None


@rule("persona-not-served", "warning", "a declared persona no touchpoint serves")
def persona_not_served(journey: Journey, ctx: RuleContext) -> Iterator[Hit]:
    """Each persona the journey is mapped for should be served by some touchpoint.

    A persona no touchpoint serves is a customer the journey forgets: the gift buyer who never gets a
    gift receipt. List the persona under the `personas` of the touchpoints meant for them, or remove it.

    Fails:
        personas: [{id: runner}, {id: gift-buyer}]
        stages:
          - id: s
            touchpoints:
              - {id: t, personas: [runner], entry: true, outcome: converted}
    Passes:
        personas: [{id: runner}, {id: gift-buyer}]
        stages:
          - id: s
            touchpoints:
              - {id: t, personas: [runner, gift-buyer], entry: true, outcome: converted}
    """
    served = {persona for _, tp in journey.touchpoints() for persona in tp.personas}
    for persona in journey.personas:
        if persona.id not in served:
            yield persona.finding(f"no touchpoint serves persona '{persona.id}'", "id")


@rule("no-persona", "warning", "a journey mapped for no persona")
def no_persona(journey: Journey, ctx: RuleContext) -> Iterator[Hit]:
    """A journey should be mapped from a customer's shoes: declare or reference at least one persona.

    Without a persona the map is drawn from the inside (what the teams do) rather than from what a
    customer with goals and pain points experiences. Declare up to three under `personas`, or use those
    of the workspace's shared catalog on the touchpoints.

    Fails:
        personas: []
    Passes:
        personas: [{id: runner, role: Runs three times a week}]
        stages:
          - id: s
            touchpoints:
              - {id: t, personas: [runner], entry: true, outcome: converted}
    """
    if not journey.personas and not any(tp.personas for _, tp in journey.touchpoints()):
        yield journey.finding("no persona: say which customers this journey is mapped for", "id")


@rule("unaddressed-pain", "warning", "a pain point or negative emotion with no opportunity planned")
def unaddressed_pain(journey: Journey, ctx: RuleContext) -> Iterator[Hit]:
    """Where the customer hurts, the map should say what the team plans to do about it.

    A pain point (or a negative emotion) with no opportunity is a known problem nobody owns. Add
    `opportunities:` with the improvement planned, even a small one.

    Fails:
        stages:
          - id: s
            touchpoints:
              - id: t
                entry: true
                outcome: converted
                emotion: -2
                pain_points: [Refunds take ten days]
    Passes:
        stages:
          - id: s
            touchpoints:
              - id: t
                entry: true
                outcome: converted
                emotion: -2
                pain_points: [Refunds take ten days]
                opportunities: [Refund on the carrier's first scan]
    """
    for _, tp in journey.touchpoints():
        if tp.opportunities:
            continue
        if tp.pain_points:
            noun = "pain point" if len(tp.pain_points) == 1 else "pain points"
            yield tp.finding(f"'{tp.id}' has {len(tp.pain_points)} {noun} and no opportunity planned", "pain_points")
        elif tp.emotion is not None and tp.emotion < 0:
            yield tp.finding(f"customers feel bad at '{tp.id}' (emotion {tp.emotion}) and no opportunity "
                             f"is planned", "emotion")


@rule("emotion-without-evidence", "info", "an emotion or pain point with no evidence behind it", enabled=False)
def emotion_without_evidence(journey: Journey, ctx: RuleContext) -> Iterator[Hit]:
    """Claims about how customers feel should come from somewhere: a survey, analytics, interviews.

    A map built on assumptions confirms what the team already believes. Add `evidence:` naming the
    source. Off by default: turn it on once the team has started collecting research.

    Fails:
        stages:
          - id: s
            touchpoints:
              - {id: t, entry: true, outcome: converted, emotion: -1}
    Passes:
        stages:
          - id: s
            touchpoints:
              - id: t
                entry: true
                outcome: converted
                emotion: -1
                evidence: [{source: survey, ref: "Post-purchase survey, n=400"}]
    """
    for _, tp in journey.touchpoints():
        key = _felt(tp)
        if key is not None and not tp.evidence:
            what = "pain points" if key == "pain_points" else "emotion"
            yield tp.finding(f"'{tp.id}' records {what} but cites no evidence (survey, analytics, interviews)", key)
