"""The journey's table (analysis/table.py), which every rule reads instead of the model (issue 22 item 6):
it must say exactly what the model says, be built once per run, and keep a run's facts to a fixed number
of containers whatever the journey's size (the garbage collector then has nothing per touchpoint to walk)."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any
from unittest import mock

from hypothesis import given
from hypothesis import strategies as st
from test_rules_scale import synthetic_journey

from journeyctl.analysis import funnel, table as table_module
from journeyctl.analysis.table import build_table
from journeyctl.check import pipeline as check
from journeyctl.config import Config
from journeyctl.format.loader import load_text
from journeyctl.format.model import Journey
from journeyctl.rules.checks.graph import local_target
from journeyctl.rules.checks.references import references

IDS = ("a", "b", "c", "d")  # few, so ids repeat (duplicate-id) and targets often exist


@st.composite
def journeys(draw: Any) -> Journey:
    """Small journeys with everything the table reads: repeated ids, unknown, outward and
    this-journey targets, rates (0, unrated beside rated...), owners, hand-offs, references."""
    ref = st.sampled_from
    stages = []
    for s in range(draw(st.integers(1, 3))):
        tps = []
        for _ in range(draw(st.integers(0, 4))):
            tp: dict[str, Any] = {"id": draw(ref(IDS))}
            for key, values in (("owner", ("x", "y")), ("channel", ("web", "fax")), ("outcome", ("converted",)),
                                ("emotion", (-1, 1)), ("share", (0.5, 1.0)), ("at", ("day 1", "day 5"))):
                if draw(st.booleans()):
                    tp[key] = draw(ref(values))
            tp["entry"] = draw(st.booleans())
            tp["personas"] = draw(st.lists(ref(("p", "q")), max_size=2))
            tp["kpis"] = draw(st.lists(ref(("m", "n")), max_size=2))
            tp["pain_points"] = draw(st.lists(st.just("slow"), max_size=2))
            tp["opportunities"] = draw(st.lists(st.just("faster"), max_size=1))
            nxt = []
            for _ in range(draw(st.integers(0, 3))):
                tr: dict[str, Any] = {"to": draw(ref(IDS + ("zz", "j/a", "j/zz", "other/a")))}
                rate = draw(ref((None, 0.0, 0.3, 0.5, 1.0)))
                if rate is not None:
                    tr["rate"] = rate
                if draw(st.booleans()):
                    tr["handoff"] = {"trigger": "t", **({"sla": "1d"} if draw(st.booleans()) else {})}
                nxt.append(tr)
            tp["next"] = nxt
            tps.append(tp)
        stages.append({"id": f"s{s}", "kpis": draw(st.lists(ref(("m", "k")), max_size=1)), "touchpoints": tps})
    owner = draw(ref((None, "x", "z")))
    return Journey.model_validate({"journeyctl": 1, "id": "j", "title": "J", "stages": stages,
                                   **({"owner": owner} if owner else {})})


@given(journeys())
def test_the_table_says_what_the_model_says(journey: Journey) -> None:
    t = build_table(journey)
    rows = [tp for _, tp in journey.touchpoints()]
    index = journey.touchpoint_index()
    assert [t.touchpoint(row) for row in range(len(rows))] == rows
    assert all(t.touchpoint(row) is tp for row, tp in enumerate(rows))
    assert [rows[head] is index[tp.id] for head, tp in zip(t.head, rows)] == [True] * len(rows)
    edges = [(row, tr) for row, tp in enumerate(rows) for tr in tp.next]
    assert [t.transition(e) for e in range(len(edges))] == [tr for _, tr in edges]
    assert t.src == [row for row, _ in edges]
    for e, (row, tr) in enumerate(edges):
        target = local_target(journey, tr)
        assert t.outward[e] == (target is None)
        assert t.dest[e] == (-1 if target not in index else rows.index(index[target]))  # type: ignore[index]
        assert (t.rate[e], t.handoff[e]) == (tr.rate, tr.handoff is not None)
        assert t.sla[e] == (tr.handoff is not None and tr.handoff.sla is not None)
    assert t.owner == [tp.owner for tp in rows] and t.outcome == [tp.outcome for tp in rows]
    assert t.pains == [len(tp.pain_points) for tp in rows] and t.day == [tp.day for tp in rows]
    assert t.planned == [bool(tp.opportunities) for tp in rows]
    used: dict[str, set[str]] = {"team": set(), "channel": set(), "persona": set(), "metric": set()}
    for kind, _, _, value in references(journey):
        used[kind].add(value)
    assert t.used == used
    assert t.measured == {s for s, stage in enumerate(journey.stages) if any(tp.kpis for tp in stage.touchpoints)}


@given(journeys())
def test_closed_by_rates_skips_the_chain_only_where_no_loop_can_be_closed(journey: Journey) -> None:
    # The shortcut (no transition can get zero customers, so no loop is closed by its rates) must never
    # change the answer: the full computation, forced, agrees.
    quick = funnel.closed_loop_problems(journey)
    with mock.patch.object(funnel, "_may_starve", return_value=True):
        assert funnel.closed_loop_problems(journey) == quick


def test_a_loop_closed_by_a_zero_rate_or_by_rates_that_claim_everything_is_still_found() -> None:
    for way_out in ({"to": "done", "rate": 0.0}, {"to": "done"}):
        journey = Journey.model_validate({"journeyctl": 1, "id": "j", "title": "J", "stages": [{"id": "s", "touchpoints": [
            {"id": "form", "entry": True, "next": [{"to": "form", "rate": 1.0}, way_out]},
            {"id": "done", "outcome": "converted"}]}]})
        problems = funnel.closed_loop_problems(journey)
        assert [p.path for p in problems] == [("stages", 0, "touchpoints", 0, "next")]
        assert "form -> done" in problems[0].message


TEXT = """
journeyctl: 1
id: shop
title: Shop
stages:
  - id: s
    touchpoints:
      - {id: visit, entry: true, next: [{to: cart}]}
      - {id: cart, outcome: converted}
"""


def test_a_run_builds_the_table_once(monkeypatch) -> None:
    builds = []
    real = table_module.build_table

    def counting(journey: Journey) -> Any:
        builds.append(journey.id)
        return real(journey)

    monkeypatch.setattr(table_module, "build_table", counting)
    doc = load_text(TEXT, Path("shop.journey.yaml"))
    journey = Journey.model_validate(doc.data)
    config = Config(cache=False)
    for run in (1, 2):
        check.run_rules(journey, doc, "shop.journey.yaml", check.effective_severities(config), check._context(config))
        assert builds == ["shop"] * run


def _containers_kept(journey: Journey) -> int:
    """How many objects the garbage collector tracks after a run of every rule (the run's shared facts
    stay memoised until the next run) minus before it."""
    doc = load_text("journeyctl: 1\n", Path("x.journey.yaml"))  # positions only: the journey is clean
    config = Config(cache=False)
    severities, context = check.effective_severities(config), check._context(config)
    check.run_rules(journey, doc, "x.journey.yaml", severities, context)  # warm: imports, registry
    gc.collect()
    gc.disable()
    try:
        before = len(gc.get_objects())
        check.run_rules(journey, doc, "x.journey.yaml", severities, context)
        return len(gc.get_objects()) - before
    finally:
        gc.enable()


def test_a_run_keeps_a_fixed_number_of_containers_whatever_the_journey_size() -> None:
    # One list or tuple per touchpoint would make the collector count and walk thousands of young
    # objects per run (and 5,000-touchpoint runs paid for it in collections): the facts are columns.
    small, big = _containers_kept(synthetic_journey(100)), _containers_kept(synthetic_journey(2_000))
    assert big - small <= 10, (small, big)
