"""Time: the journey's own clock (day 0, day 3...) and the map's age."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Iterator

from ...check.findings import Hit
from ...format.model import Journey
from .. import RuleContext, rule
from ..memo import table

_DURATION = re.compile(r"^([0-9]+(?:\.[0-9]+)?)(min|h|d|w)$")
_UNIT = {"min": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


def parse_duration(text: str) -> timedelta:
    """`90d`, `12w`, `24h`, `30min` as a timedelta (ValueError for anything else).

    A period too long for a timedelta (a billion weeks) raises OverflowError; callers decide what it means.
    """
    match = _DURATION.match(text)
    if match is None:
        raise ValueError(f"not a duration: {text!r} (expected e.g. 90d, 12w, 24h, 30min)")
    return float(match[1]) * _UNIT[match[2]]


@rule("timeline-order", "warning", "a transition goes back in time (day 7 → day 3)")
def timeline_order(journey: Journey, ctx: RuleContext) -> Iterator[Hit]:
    """Along a transition, the customer's clock (`at: day N`) cannot go backwards.

    If the welcome email is at day 7 and the tips that follow it at day 3, one of the two days is wrong,
    and so is the cadence the customer experiences. Fix the `at` of one of them.

    Fails:
        stages:
          - id: s
            touchpoints:
              - {id: welcome, at: day 7, entry: true, next: [{to: tips}]}
              - {id: tips, at: day 3, outcome: converted}
    Passes:
        stages:
          - id: s
            touchpoints:
              - {id: welcome, at: day 0, entry: true, next: [{to: tips}]}
              - {id: tips, at: day 3, outcome: converted}
    """
    t = table(journey)
    day = t.day
    for e, (source, dest) in enumerate(zip(t.src, t.dest)):
        # dest: the first definition of the local target (-1: into another journey, or unknown)
        if dest >= 0 and day[source] is not None and day[dest] is not None and day[dest] < day[source]:
            yield t.transition(e).finding(f"'{t.ids[source]}' is at day {day[source]} but leads to "
                                          f"'{t.ids[dest]}' at day {day[dest]}: the timeline goes backwards", "to")


@rule("stale-journey", "warning", "a map not reviewed within its review period")
def stale_journey(journey: Journey, ctx: RuleContext) -> Iterator[Hit]:
    """A journey map must be checked against reality regularly, or it misleads.

    Journeys change with every campaign, product release and reorganisation; an outdated map sends
    teams to fix problems that are gone and hides new ones. Review the map and update `reviewed:`.
    The period is the journey's `review_every`, else the setting `review_every` (default 180d). An
    active journey must say when it was last reviewed, and not with a date in the future (such a map
    could never go stale); retired journeys are not checked.
    (The examples assume today is 2026-02-01.)

    Fails:
        status: active
        reviewed: "2025-03-01"
        review_every: 90d
    Passes:
        status: active
        reviewed: "2026-01-15"
        review_every: 90d
    """
    if journey.status == "retired":
        return
    if journey.reviewed is None:
        if journey.status == "active":
            yield journey.finding("an active journey with no 'reviewed' date: record when the map was last "
                                  "checked against reality", "status")
        return
    every = journey.review_every or ctx.review_every
    reviewed = date.fromisoformat(journey.reviewed)
    if reviewed > ctx.today:  # "reviewed: 2099-01-01" would keep the map fresh for ever
        yield journey.finding(f"'reviewed' is {journey.reviewed}, a date in the future (today is "
                              f"{ctx.today.isoformat()}): record the day the map was last checked", "reviewed")
        return
    try:
        period = parse_duration(every)
        due = reviewed + period  # a date plus a timedelta keeps whole days: 36h is due after one day
    except OverflowError:  # a period past year 9999 never runs out
        return
    late = ctx.today - reviewed > period
    if late:
        age = (ctx.today - reviewed).days
        yield journey.finding(f"last reviewed {journey.reviewed}, {age} days ago; the map is due a review "
                              f"every {every} (overdue since {due.isoformat()})", "reviewed")
