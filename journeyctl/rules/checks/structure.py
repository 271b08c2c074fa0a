"""The skeleton of a journey: stages with touchpoints, a way in, a way out."""

from __future__ import annotations

from typing import Iterator

from ...check.findings import Hit
from ...format.model import Journey
from .. import RuleContext, rule
from ..memo import table


@rule("stage-without-touchpoints", "error", "a stage with no touchpoint is a hole in the journey")
def stage_without_touchpoints(journey: Journey, ctx: RuleContext) -> Iterator[Hit]:
    """Every stage needs at least one touchpoint where the customer meets the brand.

    A stage with none is a hole: the customer passes through it with nothing to engage them.

    Fails:
        stages:
          - id: retention
            touchpoints: []
    Passes:
        stages:
          - id: retention
            touchpoints:
              - id: renewal-email
    """
    for stage in journey.stages:
        if not stage.touchpoints:
            yield stage.finding(f"stage '{stage.id}' has no touchpoints", "id")


@rule("no-entry", "error", "no touchpoint where customers enter the journey")
def no_entry(journey: Journey, ctx: RuleContext) -> Iterator[Hit]:
    """A journey needs at least one entry: the point where customers start (the first ad, the sign-up form).

    Without one, nobody can tell where the journey begins; reachability and funnel numbers have no
    starting point. Mark the first touchpoint(s) with `entry: true`.

    Fails:
        stages:
          - id: s
            touchpoints:
              - {id: signup-form, outcome: converted}
    Passes:
        stages:
          - id: s
            touchpoints:
              - {id: signup-form, entry: true, outcome: converted}
    """
    if not any(table(journey).entry):
        yield journey.finding("no entry touchpoint: mark where customers start with 'entry: true'", "id")


@rule("no-outcome", "error", "no touchpoint where the journey ends with an outcome")
def no_outcome(journey: Journey, ctx: RuleContext) -> Iterator[Hit]:
    """A journey needs at least one outcome: how it ends (converted, retained, advocate, churned, dropped).

    A map with no ending cannot say whether the journey works: there is nothing to convert into and no
    place where customers are lost. Mark the touchpoints where the journey ends with `outcome:`.

    Fails:
        stages:
          - id: s
            touchpoints:
              - {id: signup-form, entry: true}
    Passes:
        stages:
          - id: s
            touchpoints:
              - {id: signup-form, entry: true, outcome: converted}
    """
    if all(outcome is None for outcome in table(journey).outcome):
        yield journey.finding("no outcome: mark the touchpoints where the journey ends with 'outcome' "
                              "(converted, retained, advocate, churned or dropped)", "id")


@rule("no-objective", "warning", "a journey with no objectives: nobody said why it is mapped")
def no_objective(journey: Journey, ctx: RuleContext) -> Iterator[Hit]:
    """A journey map should say why it exists: the pain to fix, the engagement or revenue to raise.

    Without objectives a map becomes a poster: nobody can tell which gaps matter, or whether the changes
    made since worked. List one to three measurable objectives.

    Fails:
        objectives: []
    Passes:
        objectives:
          - Cut onboarding drop-off from 40% to 25% by the end of Q2
    """
    if not any(text.strip() for text in journey.objectives):
        yield journey.finding("no objectives: say why this journey is mapped (the pain to fix, the "
                              "engagement or revenue to raise)", "id")


@rule("stage-without-goal", "warning", "a stage that does not say what it must achieve")
def stage_without_goal(journey: Journey, ctx: RuleContext) -> Iterator[Hit]:
    """Each stage should state its goal, for the customer and for the business.

    The goal is what its touchpoints and KPIs are judged against; without it, a stage is a heading on a
    slide. Add `goal:`, e.g. "First-time buyers check out without calling support".

    Fails:
        stages:
          - id: s
            touchpoints:
              - {id: t, entry: true, outcome: converted}
    Passes:
        stages:
          - id: s
            goal: Visitors who are ready to buy check out without help
            touchpoints:
              - {id: t, entry: true, outcome: converted}
    """
    for stage in journey.stages:
        if not (stage.goal or "").strip():
            yield stage.finding(f"stage '{stage.id}' has no goal: say what it must achieve", "id")


@rule("missing-stage", "warning", "a stage the team's settings require is absent")
def missing_stage(journey: Journey, ctx: RuleContext) -> Iterator[Hit]:
    """Every journey must have the stages the team agreed on (setting `required_stages`).

    Teams often agree that every map covers, say, awareness to advocacy, because journeys mapped only up
    to the purchase forget retention, where most of the revenue is. Add the missing stages, or change
    `required_stages` in `.journeyctl.yaml`. (The examples assume `required_stages: [awareness, purchase]`.)

    Fails:
        stages:
          - id: awareness
            touchpoints:
              - {id: t, entry: true, outcome: converted}
    Passes:
        stages:
          - id: awareness
            touchpoints:
              - {id: ad, entry: true, next: [{to: checkout}]}
          - id: purchase
            touchpoints:
              - {id: checkout, outcome: converted}
    """
    present = {stage.id for stage in journey.stages}
    missing = [stage for stage in ctx.required_stages if stage not in present]
    if missing:
        noun = "stage" if len(missing) == 1 else "stages"
        yield journey.finding(f"missing required {noun}: {', '.join(missing)} (required_stages: "
                              f"{', '.join(ctx.required_stages)})", "stages", on_key=True)
