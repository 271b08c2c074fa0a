"""Rules on long journeys (issue 22 item 6): what keeps their cost per touchpoint flat. Timing ratios on a
shared machine are benchmarks' business (benchmarks/bench_rules.py); these tests pin the mechanisms."""

from __future__ import annotations

from pathlib import Path

import yaml

from journeyctl.check import pipeline as check
from journeyctl.config import Config
from journeyctl.format.loader import load_text
from journeyctl.format.model import Journey
from journeyctl.rules.checks import graph

TEXT = """
journeyctl: 1
id: shop
title: Shop
stages:
  - id: s
    touchpoints:
      - {id: visit, entry: true, next: [{to: cart}, {to: "shop/basket-2"}]}
      - {id: cart, next: [{to: visit}, {to: basket-2}]}
      - {id: basket-2, outcome: converted}
"""


def test_ids_and_local_targets_are_one_string_object() -> None:
    # Built from separate string objects, as any parser hands them over.
    data = yaml.safe_load(TEXT)
    journey = Journey.model_validate(data)
    tps = {tp.id: tp for _, tp in journey.touchpoints()}
    visit, cart = tps["visit"], tps["cart"]
    assert cart.next[0].target is visit.id          # a dict keyed by ids answers by identity
    assert cart.next[1].target is tps["basket-2"].id
    assert visit.next[0].to is cart.id


def test_the_graph_rules_walk_the_model_once_per_run(monkeypatch) -> None:
    builds = []
    real = graph.JourneyGraph.build.__func__

    def counting(cls, journey):
        builds.append(journey.id)
        return real(cls, journey)

    monkeypatch.setattr(graph.JourneyGraph, "build", classmethod(counting))
    doc = load_text(TEXT, Path("shop.journey.yaml"))
    journey = Journey.model_validate(doc.data)
    config = Config(cache=False)
    severities = check.effective_severities(config)
    for run in (1, 2):
        check.run_rules(journey, doc, "shop.journey.yaml", severities, check._context(config))
        assert builds == ["shop"] * run  # one build for dead-end, unreachable-touchpoint, no-path-to-outcome
