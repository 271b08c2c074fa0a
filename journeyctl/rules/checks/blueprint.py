"""The service blueprint: who runs each touchpoint, through which channel, and what works behind it."""

from __future__ import annotations

from typing import Iterator

from ...check.findings import Hit
from ...format.model import Journey
from .. import RuleContext, rule
from ..memo import table


@rule("touchpoint-without-owner", "warning", "a touchpoint no team is responsible for")
def touchpoint_without_owner(journey: Journey, ctx: RuleContext) -> Iterator[Hit]:
    """Every touchpoint needs an owner: the team that answers for it when it goes wrong.

    Touchpoints nobody owns are where silos show: the confirmation email marketing thinks support sends.
    Without owners, hand-offs between teams cannot be checked either. Set `owner:` to a declared team.

    Fails:
        stages:
          - id: s
            touchpoints:
              - {id: t, entry: true, outcome: converted}
    Passes:
        teams: [{id: marketing}]
        stages:
          - id: s
            touchpoints:
              - {id: t, owner: marketing, entry: true, outcome: converted}
    """
    t = table(journey)
    for row, owner in enumerate(t.owner):
        if owner is None:
            yield t.touchpoint(row).finding(f"touchpoint '{t.ids[row]}' has no owner: which team answers for it?",
                                            "id")


@rule("touchpoint-without-channel", "warning", "a touchpoint that does not say through which channel it happens")
def touchpoint_without_channel(journey: Journey, ctx: RuleContext) -> Iterator[Hit]:
    """Every touchpoint happens somewhere: web, email, phone, store, chat...

    The channel is what tells a team whether the journey is consistent across media, and where a
    customer switches channel (and has to repeat themselves). Set `channel:` to a declared channel.

    Fails:
        stages:
          - id: s
            touchpoints:
              - {id: t, entry: true, outcome: converted}
    Passes:
        channels: [{id: email}]
        stages:
          - id: s
            touchpoints:
              - {id: t, channel: email, entry: true, outcome: converted}
    """
    t = table(journey)
    for row, channel in enumerate(t.channel):
        if channel is None:
            yield t.touchpoint(row).finding(f"touchpoint '{t.ids[row]}' has no channel: where does it happen?", "id")


@rule("frontstage-without-backstage", "info", "a stage whose frontstage touchpoints have nothing backstage behind them",
      enabled=False)
def frontstage_without_backstage(journey: Journey, ctx: RuleContext) -> Iterator[Hit]:
    """For a service blueprint, each stage the customer sees should show the work behind it.

    What the customer sees (frontstage) depends on internal work (backstage) and systems or partners
    (support): the warehouse behind the checkout, the CRM behind the call. A stage with only frontstage
    touchpoints hides where things go wrong. Off by default: turn it on for journeys kept as blueprints.

    Fails:
        stages:
          - id: s
            touchpoints:
              - {id: checkout, entry: true, outcome: converted}
    Passes:
        stages:
          - id: s
            touchpoints:
              - {id: checkout, entry: true, next: [{to: pick-and-pack}]}
              - {id: pick-and-pack, lane: backstage, outcome: converted}
    """
    # Off by default, so it reads the lanes from the model itself: the journey's table (one walk per run)
    # carries only what the rules on by default read.
    for stage in journey.stages:
        lanes = {tp.lane for tp in stage.touchpoints}
        if "frontstage" in lanes and not lanes & {"backstage", "support"}:
            front = [tp.id for tp in stage.touchpoints]
            shown = ", ".join(f"'{i}'" for i in front[:5]) + (f" and {len(front) - 5} more" if len(front) > 5 else "")
            yield stage.finding(f"stage '{stage.id}' shows only frontstage touchpoints ({shown}): add the "
                                f"backstage or support work behind them", "id")
