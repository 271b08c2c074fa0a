"""KPIs: each stage measured, each metric with a target to measure against."""

from __future__ import annotations

from typing import Iterator

from ...check.findings import Hit
from ...format.model import Journey
from .. import RuleContext, rule
from ..memo import table


@rule("stage-without-kpi", "warning", "a stage with no KPI, on itself or on any of its touchpoints")
def stage_without_kpi(journey: Journey, ctx: RuleContext) -> Iterator[Hit]:
    """Each stage needs at least one KPI, so the team knows whether it works.

    Opens, clicks, conversions, response times, NPS: a stage nobody measures cannot be improved, and its
    problems surface only as complaints. List a declared metric under the stage's `kpis`, or under one
    of its touchpoints'.

    Fails:
        stages:
          - id: s
            touchpoints:
              - {id: t, entry: true, outcome: converted}
    Passes:
        metrics: [{id: signup-rate, target: 0.3}]
        stages:
          - id: s
            kpis: [signup-rate]
            touchpoints:
              - {id: t, entry: true, outcome: converted}
    """
    measured = table(journey).measured  # stages with a touchpoint that lists a KPI
    for s, stage in enumerate(journey.stages):
        if not stage.kpis and s not in measured:
            yield stage.finding(f"stage '{stage.id}' has no KPI: list a metric under its kpis or a "
                                f"touchpoint's", "id")


@rule("metric-without-target", "info", "a metric with no target value")
def metric_without_target(journey: Journey, ctx: RuleContext) -> Iterator[Hit]:
    """A KPI without a target cannot say whether the stage is doing well.

    "Response time: 3 hours" is good or bad only against a goal. Add `target:` (and `direction:` up or
    down, to say which way is better).

    Fails:
        metrics: [{id: nps}]
    Passes:
        metrics: [{id: nps, target: 40, direction: up}]
    """
    for metric in journey.metrics:
        if metric.target is None:
            yield metric.finding(f"metric '{metric.id}' has no target: what value is good enough?", "id")
