"""`render --view funnel` draws only what the funnel model computes, and numbers what to fix first."""

from __future__ import annotations

import pytest

from journeyctl.analysis.funnel import analyse_funnel, transition_flows
from journeyctl.format.model import Journey
from journeyctl.render import to_dot
from journeyctl.render.funnel_view import funnel_overlay


def journey(touchpoints: list[dict]) -> Journey:
    return Journey.model_validate({"journeyctl": 1, "id": "j", "title": "T",
                                   "stages": [{"id": "s", "touchpoints": touchpoints}]})


# Four leaks of different sizes, an unrated transition sharing what is left, an outcome with a `next`
# (never taken), a transition that gets nothing (rates already sum to 1), and one to another journey.
LEAKY = journey([
    {"id": "a", "entry": True, "next": [{"to": "b", "rate": 0.9}]},  # leaks 0.1
    {"id": "b", "next": [{"to": "c", "rate": 0.5}, {"to": "x", "rate": 0.3}, {"to": "y", "rate": 0.2},
                         {"to": "d"}]},  # d gets 0
    {"id": "c", "next": [{"to": "e", "rate": 0.5}, {"to": "other/start", "rate": 0.2}]},  # leaks 0.3
    {"id": "x", "next": [{"to": "e", "rate": 0.7}]},  # leaks 0.3
    {"id": "y", "next": [{"to": "e", "rate": 0.4}]},  # leaks 0.6
    {"id": "d", "next": [{"to": "e", "rate": 0.1}]},  # leaks, but nobody gets here: nothing to gain
    {"id": "e", "next": [{"to": "won", "rate": 0.5}, {"to": "lost"}]},  # lost: the unrated rest, 0.5
    {"id": "won", "outcome": "converted", "next": [{"to": "a", "rate": 1.0}]},  # never taken
    {"id": "lost", "outcome": "churned"},
])


def test_flows_are_the_model_s_and_balance_every_touchpoint():
    result = analyse_funnel(LEAKY).combined
    flows = transition_flows(LEAKY, result)
    assert ("won", "a") not in flows  # an outcome ends the journey
    assert ("b", "d") not in flows  # the rates leave nothing for the unrated transition
    assert flows[("e", "lost")] == pytest.approx(result.touchpoints["e"].visits * 0.5, abs=1e-12)  # unrated
    assert flows[("c", "other/start")] == pytest.approx(0.9 * 0.5 * 0.2, abs=1e-12)
    inflow = {tp: (1.0 if tp == "a" else 0.0) for tp in result.touchpoints}
    for (source, target), flow in flows.items():
        if "/" not in target:
            inflow[target] += flow
    for tp, f in result.touchpoints.items():
        assert inflow[tp] == pytest.approx(f.visits, abs=1e-12), tp


def test_the_map_draws_no_flow_after_an_outcome_and_numbers_the_top_three_fixes():
    report = analyse_funnel(LEAKY).combined
    top = [tp for tp, gain in report.fix_first if gain > 0][:3]
    assert len([tp for tp, gain in report.fix_first if gain > 0]) == 4  # a, c, x, y; d has no customers
    overlay = funnel_overlay(LEAKY)
    assert ("won", "a") not in overlay.widths
    for rank, tp in enumerate(top, start=1):
        assert f"fix first #{rank}: +" in overlay.node_marks[tp]
    assert not any("#4" in mark for mark in overlay.node_marks.values())
    dot = to_dot(LEAKY, "funnel")
    assert [dot.count(f"fix first #{n}: +") for n in (1, 2, 3, 4)] == [1, 1, 1, 0]
    assert "fix first #1-#3" in dot  # the subtitle says what the numbers mean


def test_transitions_without_flow_are_dotted_grey_and_say_why_in_dot_and_mermaid():
    overlay = funnel_overlay(LEAKY)
    assert overlay.no_flow[("won", "a")] == "the journey ends at the outcome"
    assert overlay.no_flow[("b", "d")] == "no customers take it"  # the rates leave it nothing
    assert ("d", "e") in overlay.no_flow  # nobody reaches d
    assert not set(overlay.no_flow) & set(overlay.widths)  # a transition is flow or no flow, never both
    dot = to_dot(LEAKY, "funnel")
    ids = {tp.id: n for n, (_, tp) in enumerate(LEAKY.touchpoints())}
    back = next(line for line in dot.splitlines() if line.strip().startswith(f"n{ids['won']} -> n{ids['a']} "))
    assert 'style="dotted"' in back and "penwidth=1," in back and "no flow: the journey" in back
    assert "flow " not in back.replace("no flow", "")
    flowing = next(line for line in dot.splitlines() if line.strip().startswith(f"n{ids['a']} -> n{ids['b']} "))
    assert "dotted" not in flowing and "flow 90%" in flowing
    assert "dotted grey: no flow" in dot  # the legend says what the dots mean
    from journeyctl.render import to_mermaid

    mermaid = to_mermaid(LEAKY, "funnel")
    assert "no flow#58; the journey ends at the outcome" in mermaid
    assert "stroke-dasharray:2 3" in mermaid and "grey dotted arrow#58; no flow" in mermaid
