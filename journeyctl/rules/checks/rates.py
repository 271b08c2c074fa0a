"""Transition rates and entry shares: the numbers the funnel is computed from must be probabilities."""

from __future__ import annotations

from typing import Iterator

from ...check.findings import Hit
from ...format.model import Journey
from .. import RuleContext, rule
from ..memo import per_journey, table


@per_journey
def _invalid_rate_problems(journey: Journey) -> list:
    """invalid_rate_problems, computed once per run (from the journey's table): invalid-rates reports them
    and closed-by-rates skips a journey that has any."""
    from ...analysis.funnel import invalid_rate_problems

    return invalid_rate_problems(journey, table(journey))


@rule("invalid-rates", "error", "transition rates or entry shares that are not probabilities")
def invalid_rates(journey: Journey, ctx: RuleContext) -> Iterator[Hit]:
    """Rates and shares are fractions of customers, so each is between 0 and 1, and they add up.

    The rates leaving one touchpoint sum to at most 1 (the rest drop off there); entry shares, when given,
    sum to exactly 1. Numbers that break this make every funnel figure wrong, so `journeyctl funnel`
    refuses the journey. Usually a percentage was written as 45 instead of 0.45, or a branch was added
    without lowering the others.

    Fails:
        stages:
          - id: s
            touchpoints:
              - id: cart
                entry: true
                next: [{to: paid, rate: 0.7}, {to: left, rate: 0.5}]
              - {id: paid, outcome: converted}
              - {id: left, outcome: dropped}
    Passes:
        stages:
          - id: s
            touchpoints:
              - id: cart
                entry: true
                next: [{to: paid, rate: 0.7}, {to: left, rate: 0.3}]
              - {id: paid, outcome: converted}
              - {id: left, outcome: dropped}
    """
    # One implementation shared with `journeyctl funnel`, so the rule and the funnel always agree.
    for problem in _invalid_rate_problems(journey):
        yield Hit(tuple(problem.path), problem.message)


@rule("share-without-entry", "warning", "a share on a touchpoint that is not an entry")
def share_without_entry(journey: Journey, ctx: RuleContext) -> Iterator[Hit]:
    """`share` says what fraction of customers start at an entry; on any other touchpoint it means nothing.

    The funnel ignores it, so the numbers do not say what the author meant. Usually `entry: true` was
    forgotten (then the touchpoint is also unreachable), or a `rate` belongs on the transition leading here.

    Fails:
        stages:
          - id: s
            touchpoints:
              - {id: ad, entry: true, next: [{to: store}]}
              - {id: store, share: 0.3, outcome: converted}
    Passes:
        stages:
          - id: s
            touchpoints:
              - {id: ad, entry: true, share: 0.7, next: [{to: store}]}
              - {id: store, entry: true, share: 0.3, outcome: converted}
    """
    t = table(journey)
    for row, (share, entry) in enumerate(zip(t.share, t.entry)):
        if share is not None and not entry:
            yield t.touchpoint(row).finding(f"'{t.ids[row]}' has a share but is not an entry: mark it 'entry: "
                                            f"true' or remove the share", "share")


@rule("closed-by-rates", "error", "a loop whose rates leave no customers for its ways out")
def closed_by_rates(journey: Journey, ctx: RuleContext) -> Iterator[Hit]:
    """A loop needs customers leaving it; rates that keep everyone inside make the funnel endless.

    When the rates of the transitions inside a loop add up to 1, its other transitions (an unrated one
    shares what no rate claims: nothing) get no customers, so whoever reaches the loop circles forever and
    `journeyctl funnel` refuses the journey. The graph rules see a way out; the numbers close it. Lower a
    rate inside the loop, or give the way out a rate.

    Cost: linear when no transition can go without customers (a rate of 0, or an unrated one beside rates
    that claim everything); otherwise the loops are found and their members sorted to name them (n log n
    for one loop through every touchpoint).

    Fails:
        stages:
          - id: s
            touchpoints:
              - id: form
                entry: true
                next: [{to: form, rate: 1.0}, {to: done}]
              - {id: done, outcome: converted}
    Passes:
        stages:
          - id: s
            touchpoints:
              - id: form
                entry: true
                next: [{to: form, rate: 0.75}, {to: done}]
              - {id: done, outcome: converted}
    """
    # One implementation shared with `journeyctl funnel`, which refuses such a journey with the same words.
    from ...analysis.funnel import closed_loop_problems

    for problem in closed_loop_problems(journey, _invalid_rate_problems(journey), table(journey)):
        yield Hit(tuple(problem.path), problem.message)
