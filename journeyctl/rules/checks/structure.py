"""The skeleton of a journey: stages with touchpoints, a way in, a way out."""

from __future__ import annotations

from typing import Iterator

from ...findings import Hit
from ...model import Journey
from .. import RuleContext, rule


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
