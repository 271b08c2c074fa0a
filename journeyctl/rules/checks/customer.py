"""The customer's side of the map: who it is for, how they feel, and what is done about their pain."""

from __future__ import annotations

from typing import Iterator

from ...check.findings import Hit
from ...format.model import Journey
from .. import RuleContext, rule
from ..memo import table


def _felt(pains: int, emotion: int | None) -> str | None:
    """The key that makes a claim about the customer's feelings here, if any: pain points, then emotion."""
    if pains:
        return "pain_points"
    if emotion is not None:
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
    served = table(journey).used["persona"]
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
    if not journey.personas and not table(journey).used["persona"]:
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
    t = table(journey)
    for row, (planned, pains, emotion) in enumerate(zip(t.planned, t.pains, t.emotion)):
        if planned:
            continue
        if pains:
            noun = "pain point" if pains == 1 else "pain points"
            yield t.touchpoint(row).finding(f"'{t.ids[row]}' has {pains} {noun} and no opportunity planned",
                                            "pain_points")
        elif emotion is not None and emotion < 0:
            yield t.touchpoint(row).finding(f"customers feel bad at '{t.ids[row]}' (emotion {emotion}) and no "
                                            f"opportunity is planned", "emotion")


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
    t = table(journey)
    for row, (pains, emotion) in enumerate(zip(t.pains, t.emotion)):
        key = _felt(pains, emotion)
        # Off by default: the evidence is read from the model, for the touchpoints that claim a feeling only.
        if key is not None and not t.touchpoint(row).evidence:
            what = "pain points" if key == "pain_points" else "emotion"
            yield t.touchpoint(row).finding(f"'{t.ids[row]}' records {what} but cites no evidence (survey, "
                                            f"analytics, interviews)", key)
