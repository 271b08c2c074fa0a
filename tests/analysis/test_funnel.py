"""Funnel maths on hand-computed journeys, each also checked against an independent exact solve.

The reference below shares no code with journeyctl.analysis.funnel: it reads the journey itself, builds the
whole transition matrix in exact fractions and solves it by dense Gauss-Jordan elimination. The
conditional expectation E[visits | converted] is computed there by another route (N·N·c, the derivative
of the visit generating function) and, for loops, by stepping the distribution forward in time.
"""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from journeyctl.analysis.funnel import (OUTCOME_KEYS, FunnelError, InvalidRatesError, UnknownEntryError,
                               analyse_funnel, invalid_rate_problems)
from journeyctl.format.model import CONVERTING_OUTCOMES, Journey

TOL = 1e-9


def journey(stages: dict[str, list[dict]], jid: str = "j") -> Journey:
    return Journey.model_validate({"journeyctl": 1, "id": jid, "title": "T",
                                   "stages": [{"id": s, "touchpoints": tps} for s, tps in stages.items()]})


def tp(tid: str, *nexts: tuple[str, float | None], **extra) -> dict:
    return {"id": tid, **extra, "next": [{"to": to, **({} if r is None else {"rate": r})} for to, r in nexts]}


# --- the independent reference -------------------------------------------------------------------

def _solve(a: list[list[Fraction]], b: list[Fraction]) -> list[Fraction]:
    """Dense Gauss-Jordan in exact arithmetic; raises ZeroDivisionError on a singular matrix."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for col in range(n):
        pivot = next(r for r in range(col, n) if m[r][col] != 0)  # StopIteration: singular
        m[col], m[pivot] = m[pivot], m[col]
        for r in range(n):
            if r != col and m[r][col] != 0:
                f = m[r][col] / m[col][col]
                m[r] = [x - f * y for x, y in zip(m[r], m[col])]
    return [m[i][n] / m[i][i] for i in range(n)]


def exact_chain(j: Journey) -> tuple[dict, dict, dict, dict, dict]:
    """(touchpoints, stage of each, edges, drop-off mass, mass handed over) in exact fractions."""
    tps: dict[str, object] = {}
    stage_of: dict[str, str] = {}
    for stage in j.stages:
        for t in stage.touchpoints:
            tps.setdefault(t.id, t)
            stage_of.setdefault(t.id, stage.id)
    edges: dict[str, dict[str, Fraction]] = {}
    leak: dict[str, Fraction] = {}
    away: dict[str, Fraction] = {}
    for tid, t in tps.items():
        edges[tid], leak[tid], away[tid] = {}, Fraction(0), Fraction(0)
        if t.outcome:
            continue
        rated = sum((Fraction(tr.rate) for tr in t.next if tr.rate is not None), Fraction(0))
        unrated = [tr for tr in t.next if tr.rate is None]
        rest = 1 - rated
        if not unrated:
            leak[tid] += rest
        for tr in t.next:
            p = Fraction(tr.rate) if tr.rate is not None else rest / len(unrated)
            if "/" in tr.to and tr.to.split("/")[0] != j.id:
                away[tid] += p
            elif tr.to.split("/")[-1] in tps:
                target = tr.to.split("/")[-1]
                edges[tid][target] = edges[tid].get(target, Fraction(0)) + p
            else:
                leak[tid] += p
    return tps, stage_of, edges, leak, away


def reference(j: Journey, starts: dict[str, float], chain: tuple | None = None) -> dict:
    """Outcomes, drop-off, visits, E[V], E[V|conv] from a dense exact solve over reachable touchpoints.

    `chain` replaces the journey's own exact chain (the fix-first reference changes one row of it).
    """
    tps, stage_of, edges, leak, away = chain or exact_chain(j)
    seen, todo = set(starts), list(starts)
    while todo:
        for w, p in edges[todo.pop()].items():
            if p and w not in seen:
                seen.add(w)
                todo.append(w)
    ids = [t for t in tps if t in seen]
    n = len(ids)
    pos = {t: i for i, t in enumerate(ids)}
    a = [[Fraction(int(r == c)) - edges[ids[r]].get(ids[c], Fraction(0)) for c in range(n)] for r in range(n)]
    at = [list(col) for col in zip(*a)]
    s = [Fraction(starts.get(t, 0)) for t in ids]
    visits = _solve(at, s)  # x (I - Q) = s
    conv = [Fraction(int(tps[t].outcome in CONVERTING_OUTCOMES)) for t in ids]
    h = _solve(a, conv)  # (I - Q) h = c
    g = _solve(a, h)  # N N c: E[V * 1{converted}] from each touchpoint
    outcomes = dict.fromkeys(OUTCOME_KEYS, Fraction(0))
    for t in ids:
        if tps[t].outcome:
            outcomes[tps[t].outcome] += visits[pos[t]]
    outcomes["handed_over"] = sum((visits[pos[t]] * away[t] for t in ids), Fraction(0))
    conversion = sum(outcomes[k] for k in CONVERTING_OUTCOMES)
    v_conv = sum(Fraction(w) * g[pos[t]] for t, w in starts.items())
    stages = {st.id: Fraction(0) for st in j.stages}
    for t in ids:
        stages[stage_of[t]] += Fraction(starts.get(t, 0))
        for w, p in edges[t].items():
            if stage_of[w] != stage_of[t]:
                stages[stage_of[w]] += visits[pos[t]] * p
    return {
        "outcomes": outcomes, "conversion": conversion,
        "dropoff": sum((visits[pos[t]] * leak[t] for t in ids), Fraction(0)),
        "expected_touchpoints": sum(visits),
        "expected_touchpoints_to_convert": v_conv / conversion if conversion else None,
        "visits": {t: visits[pos[t]] if t in pos else Fraction(0) for t in tps},
        "stages": stages,
    }


def assert_matches_reference(j: Journey, result, starts: dict[str, float]) -> None:
    ref = reference(j, starts)
    for kind in OUTCOME_KEYS:
        assert result.outcomes[kind] == pytest.approx(float(ref["outcomes"][kind]), abs=TOL), kind
    for key in ("conversion", "dropoff", "expected_touchpoints"):
        assert getattr(result, key) == pytest.approx(float(ref[key]), abs=TOL), key
    if ref["expected_touchpoints_to_convert"] is None:
        assert result.expected_touchpoints_to_convert is None
    else:
        assert result.expected_touchpoints_to_convert == pytest.approx(
            float(ref["expected_touchpoints_to_convert"]), abs=TOL)
    for t, v in ref["visits"].items():
        assert result.touchpoints[t].visits == pytest.approx(float(v), abs=TOL), t
    for s, f in ref["stages"].items():
        assert result.stages[s] == pytest.approx(float(f), abs=TOL), s


def stepped(j: Journey, start: str, steps: int = 2000) -> tuple[float, float, float]:
    """(conversion, E[V], E[V * 1{converted}]) by moving the customers one touchpoint at a time."""
    index = j.touchpoint_index()
    dist = {start: 1.0}
    conversion = visits = visits_converting = 0.0
    for t in range(steps):
        visits += sum(dist.values())
        nxt: dict[str, float] = {}
        for tid, mass in dist.items():
            here = index[tid]
            if here.outcome:
                if here.outcome in CONVERTING_OUTCOMES:
                    conversion += mass
                    visits_converting += (t + 1) * mass
                continue
            rated = sum(tr.rate for tr in here.next if tr.rate is not None)
            unrated = [tr for tr in here.next if tr.rate is None]
            for tr in here.next:
                p = tr.rate if tr.rate is not None else (1 - rated) / len(unrated)
                if tr.to in index:
                    nxt[tr.to] = nxt.get(tr.to, 0.0) + mass * p
        dist = nxt
    return conversion, visits, visits_converting


# --- hand-computed journeys ----------------------------------------------------------------------

CHAIN = journey({
    "top": [tp("a", ("b", 0.8), entry=True), tp("b", ("c", 0.5))],
    "bottom": [tp("c", ("d", None)), tp("d", outcome="converted")],
})
# a keeps 0.8 (0.2 drops: rates < 1, no unrated), b keeps 0.5, c's only transition is unrated: 1.
CHAIN_EXPECTED = dict(
    outcomes={"converted": 0.4}, dropoff=0.6, conversion=0.4, expected_touchpoints=1 + 0.8 + 0.4 + 0.4,
    expected_touchpoints_to_convert=4.0, visits={"a": 1, "b": 0.8, "c": 0.4, "d": 0.4},
    drops={"a": 0.2, "b": 0.4, "c": 0, "d": 0}, stages={"top": 1.0, "bottom": 0.4},
    leaks=[("b", 0.4), ("a", 0.2)])

BRANCH = journey({
    "s": [tp("a", ("b", 0.6), ("c", 0.3), entry=True),
          tp("b", ("win", 0.5), ("lost", None)),
          tp("c", ("win", 0.2), ("dead", None)),
          tp("dead"),  # no transition, no outcome: everyone who reaches it drops off
          tp("win", outcome="converted"), tp("lost", outcome="churned")],
})
# win = 0.6*0.5 + 0.3*0.2 = 0.36; lost = 0.3; dead = 0.3*0.8 = 0.24; drop-off = 0.1 (a) + 0.24 (dead).
BRANCH_EXPECTED = dict(
    outcomes={"converted": 0.36, "churned": 0.3}, dropoff=0.34, conversion=0.36,
    expected_touchpoints=1 + 0.6 + 0.3 + 0.24 + 0.36 + 0.3, expected_touchpoints_to_convert=3.0,
    visits={"a": 1, "b": 0.6, "c": 0.3, "dead": 0.24, "win": 0.36, "lost": 0.3},
    drops={"a": 0.1, "b": 0, "c": 0, "dead": 0.24, "win": 0, "lost": 0}, stages={"s": 1.0},
    leaks=[("dead", 0.24), ("a", 0.1)])

LOOP = journey({
    "awareness": [tp("ad", ("landing", 0.5), entry=True), tp("landing", ("signup", 0.4), ("ad", None))],
    "purchase": [tp("signup", ("paid", 0.5), ("landing", 0.25)), tp("paid", outcome="converted")],
})
# Visits: ad = 1 + 0.6 L, L = 0.5 ad + 0.25 S, S = 0.4 L  =>  L = 5/6, ad = 3/2, S = 1/3, paid = 1/6.
# h (P(convert) from): h_L = 1/3, h_S = 7/12, h_ad = 1/6; E[V 1conv] = 3/2/6 + 5/18 + 7/36 + 1/6 = 8/9.
LOOP_EXPECTED = dict(
    outcomes={"converted": 1 / 6}, dropoff=5 / 6, conversion=1 / 6, expected_touchpoints=17 / 6,
    expected_touchpoints_to_convert=16 / 3, visits={"ad": 1.5, "landing": 5 / 6, "signup": 1 / 3, "paid": 1 / 6},
    drops={"ad": 0.75, "landing": 0, "signup": 1 / 12, "paid": 0},
    stages={"awareness": 1 + 1 / 12, "purchase": 1 / 3}, leaks=[("ad", 0.75), ("signup", 1 / 12)])

SELF_LOOP = journey({"s": [tp("form", ("form", 0.75), ("done", None), entry=True), tp("done", outcome="retained")]})
# Retries are geometric: 4 visits of the form on average, everyone ends retained after 5 touchpoints.
SELF_LOOP_EXPECTED = dict(
    outcomes={"retained": 1.0}, dropoff=0.0, conversion=1.0, expected_touchpoints=5.0,
    expected_touchpoints_to_convert=5.0, visits={"form": 4, "done": 1}, drops={"form": 0, "done": 0},
    stages={"s": 1.0}, leaks=[])

UNRATED = journey({"s": [
    tp("a", ("b", 0.3), ("c", None), ("d", None), entry=True),  # the 0.7 left is shared: 0.35 each
    tp("b", ("e", None), ("f", None)),  # no rate at all: 0.5 each
    tp("c", outcome="advocate"), tp("d", outcome="dropped"), tp("e", outcome="converted"), tp("f"),
]})
UNRATED_EXPECTED = dict(
    outcomes={"advocate": 0.35, "dropped": 0.35, "converted": 0.15}, dropoff=0.15, conversion=0.5,
    expected_touchpoints=1 + 0.3 + 0.35 + 0.35 + 0.15 + 0.15, expected_touchpoints_to_convert=(0.35 * 2 + 0.15 * 3) / 0.5,
    visits={"a": 1, "b": 0.3, "c": 0.35, "d": 0.35, "e": 0.15, "f": 0.15},
    drops={"a": 0, "b": 0, "c": 0, "d": 0, "e": 0, "f": 0.15}, stages={"s": 1.0}, leaks=[("f", 0.15)])

ELSEWHERE = journey({"s": [
    tp("a", ("onboarding/welcome", 0.4), ("j/b", None), entry=True),  # j/b: a reference to this very journey
    tp("b", ("ghost", 0.5), ("c", 0.5)),  # 'ghost' is not a touchpoint: its mass drops off at b
    tp("c", outcome="converted"),
]})
ELSEWHERE_EXPECTED = dict(
    outcomes={"converted": 0.3, "handed_over": 0.4}, dropoff=0.3, conversion=0.3, expected_touchpoints=1 + 0.6 + 0.3,
    expected_touchpoints_to_convert=3.0, visits={"a": 1, "b": 0.6, "c": 0.3}, drops={"a": 0, "b": 0.3, "c": 0},
    stages={"s": 1.0}, leaks=[("b", 0.3)])

NOBODY_CONVERTS = journey({"s": [tp("a", ("b", 0.5), entry=True), tp("b", outcome="churned"),
                                 tp("c", outcome="converted")]})
NOBODY_CONVERTS_EXPECTED = dict(
    outcomes={"churned": 0.5}, dropoff=0.5, conversion=0.0, expected_touchpoints=1.5,
    expected_touchpoints_to_convert=None, visits={"a": 1, "b": 0.5, "c": 0}, drops={"a": 0.5, "b": 0, "c": 0},
    stages={"s": 1.0}, leaks=[("a", 0.5)])

HAND_COMPUTED = {
    "chain": (CHAIN, CHAIN_EXPECTED), "branch-and-dead-end": (BRANCH, BRANCH_EXPECTED),
    "loop": (LOOP, LOOP_EXPECTED), "self-loop": (SELF_LOOP, SELF_LOOP_EXPECTED),
    "unrated": (UNRATED, UNRATED_EXPECTED), "handover-and-dangling": (ELSEWHERE, ELSEWHERE_EXPECTED),
    "no-conversion": (NOBODY_CONVERTS, NOBODY_CONVERTS_EXPECTED),
}


@pytest.mark.parametrize("name", HAND_COMPUTED)
def test_hand_computed_journey(name):
    j, want = HAND_COMPUTED[name]
    report = analyse_funnel(j)
    (entry, result), = report.entries.items()
    assert report.combined == result
    assert result.outcomes == pytest.approx({k: want["outcomes"].get(k, 0.0) for k in OUTCOME_KEYS}, abs=TOL)
    for key in ("dropoff", "conversion", "expected_touchpoints"):
        assert getattr(result, key) == pytest.approx(want[key], abs=TOL), key
    if want["expected_touchpoints_to_convert"] is None:
        assert result.expected_touchpoints_to_convert is None
    else:
        assert result.expected_touchpoints_to_convert == pytest.approx(want["expected_touchpoints_to_convert"], abs=TOL)
    assert {t: f.visits for t, f in result.touchpoints.items()} == pytest.approx(want["visits"], abs=TOL)
    assert {t: f.dropoff for t, f in result.touchpoints.items()} == pytest.approx(want["drops"], abs=TOL)
    assert result.stages == pytest.approx(want["stages"], abs=TOL)
    assert [t for t, _ in result.leaks] == [t for t, _ in want["leaks"]]
    assert [d for _, d in result.leaks] == pytest.approx([d for _, d in want["leaks"]], abs=TOL)
    assert_matches_reference(j, result, {entry: 1.0})


@pytest.mark.parametrize("name", ["loop", "self-loop"])
def test_conditional_visits_agree_with_stepping_customers_through_the_loop(name):
    j, want = HAND_COMPUTED[name]
    (entry, result), = analyse_funnel(j).entries.items()
    conversion, visits, visits_converting = stepped(j, entry)
    assert result.conversion == pytest.approx(conversion, abs=TOL)
    assert result.expected_touchpoints == pytest.approx(visits, abs=TOL)
    assert result.expected_touchpoints_to_convert == pytest.approx(visits_converting / conversion, abs=TOL)


SEVERAL = [tp("A", ("X", 0.5), entry=True), tp("B", ("C", None), entry=True)]
REST = [tp("C", ("X", None)), tp("X", ("win", 0.4)), tp("win", outcome="converted")]
# From A: A, X .5, win .2: conversion .2, E[V] 1.7, every converter saw 3 touchpoints.
# From B: B, C, X, win .4: conversion .4, E[V] 3.4, every converter saw 4 touchpoints.


@pytest.mark.parametrize("shares, weights, conversion, visits, to_convert, top_inflow", [
    (None, {"A": 0.5, "B": 0.5}, 0.3, 2.55, (0.5 * 0.2 * 3 + 0.5 * 0.4 * 4) / 0.3, 0.5 * 0.5 + 0.5),
    ((0.7, 0.3), {"A": 0.7, "B": 0.3}, 0.26, 0.7 * 1.7 + 0.3 * 3.4, (0.7 * 0.2 * 3 + 0.3 * 0.4 * 4) / 0.26, 0.35 + 0.3),
    ((1.0, None), {"A": 1.0, "B": 0.0}, 0.2, 1.7, 3.0, 0.5),  # a share given elsewhere: B weighs 0
])
def test_several_entries_combine_by_weight(shares, weights, conversion, visits, to_convert, top_inflow):
    entries = [dict(e) for e in SEVERAL]
    for e, share in zip(entries, shares or (None, None)):
        if share is not None:
            e["share"] = share
    j = journey({"top": entries, "rest": REST})
    report = analyse_funnel(j)
    assert report.weights == pytest.approx(weights)
    assert list(report.entries) == ["A", "B"]
    assert report.entries["A"].conversion == pytest.approx(0.2, abs=TOL)
    assert report.entries["B"].conversion == pytest.approx(0.4, abs=TOL)
    assert report.entries["A"].expected_touchpoints_to_convert == pytest.approx(3.0, abs=TOL)
    assert report.entries["B"].expected_touchpoints_to_convert == pytest.approx(4.0, abs=TOL)
    assert report.combined.conversion == pytest.approx(conversion, abs=TOL)
    assert report.combined.expected_touchpoints == pytest.approx(visits, abs=TOL)
    assert report.combined.expected_touchpoints_to_convert == pytest.approx(to_convert, abs=TOL)
    assert report.combined.stages == pytest.approx({"top": 1.0, "rest": top_inflow}, abs=TOL)
    for entry in ("A", "B"):
        assert_matches_reference(j, report.entries[entry], {entry: 1.0})
    assert_matches_reference(j, report.combined, weights)


def test_entry_option_starts_everyone_at_one_touchpoint_even_a_non_entry():
    report = analyse_funnel(LOOP, entry="signup")
    assert list(report.entries) == ["signup"] and report.weights == {"signup": 1.0}
    # From signup: S = 1 + 0.4 L, L = 0.25 S + 0.5 ad, ad = 0.6 L  =>  L = S / 2.8, S = 7/6.
    assert report.combined.touchpoints["signup"].visits == pytest.approx(7 / 6, abs=TOL)
    assert report.combined.conversion == pytest.approx(7 / 12, abs=TOL)
    assert report.combined.stages["purchase"] == pytest.approx(1 + 0.4 * (7 / 6) / 2.8, abs=TOL)
    assert_matches_reference(LOOP, report.combined, {"signup": 1.0})


def test_rates_that_sum_to_one_in_decimal_leak_nothing_in_floating_point():
    j = journey({"s": [tp("a", ("b", 0.7), ("c", 0.2), ("d", 0.1), ("e", None), entry=True),
                       tp("b", outcome="converted"), tp("c", outcome="converted"),
                       tp("d", outcome="churned"), tp("e", outcome="churned")]})
    result = analyse_funnel(j).combined
    assert 0.7 + 0.2 + 0.1 != 1.0  # the trap this guards against
    assert result.dropoff == 0.0 and result.leaks == []
    assert result.touchpoints["e"].visits == 0.0  # unrated transitions share nothing
    assert result.conversion == pytest.approx(0.9, abs=1e-15)


def test_transitions_after_an_outcome_are_never_taken():
    j = journey({"s": [tp("a", ("b", None), entry=True), tp("b", ("a", 1.0), outcome="converted")]})
    result = analyse_funnel(j).combined
    assert result.conversion == 1.0 and result.expected_touchpoints == 2.0


def test_a_loop_nobody_can_leave_is_refused_only_when_customers_reach_it():
    closed = [tp("x", ("y", None)), tp("y", ("x", 1.0))]
    with pytest.raises(FunnelError, match=r"loop x, y never leave it"):
        analyse_funnel(journey({"s": [tp("a", ("x", 0.5), entry=True), *closed]}))
    result = analyse_funnel(journey({"s": [tp("a", entry=True), *closed]})).combined
    assert result.dropoff == 1.0 and result.touchpoints["x"].visits == 0.0


@pytest.mark.parametrize("stages, entry, error, message", [
    ({"s": [tp("a")]}, None, FunnelError, "no entry touchpoint"),
    ({"s": [tp("a", entry=True)]}, "nope", UnknownEntryError, "has no touchpoint 'nope'"),
    ({"s": [tp("a", ("b", 1.5), entry=True), tp("b")]}, None, InvalidRatesError, "invalid rate"),
])
def test_journeys_the_funnel_refuses(stages, entry, error, message):
    with pytest.raises(error, match=message):
        analyse_funnel(journey(stages), entry)


@pytest.mark.parametrize("touchpoints, problems", [
    ([tp("a", ("b", -0.1), ("b", 0.5), entry=True), tp("b")],
     [(("stages", 0, "touchpoints", 0, "next", 0, "rate"),
       "rate -0.1 of the transition from 'a' to 'b' is not between 0 and 1")]),
    ([tp("a", ("b", 1.2), entry=True), tp("b")],
     [(("stages", 0, "touchpoints", 0, "next", 0, "rate"),
       "rate 1.2 of the transition from 'a' to 'b' is not between 0 and 1")]),
    ([tp("a", ("b", 0.6), ("c", 0.5), entry=True), tp("b"), tp("c")],
     [(("stages", 0, "touchpoints", 0, "next"), "rates of the transitions leaving 'a' sum to 1.1, more than 1")]),
    ([tp("a", ("b", 0.6), ("c", 0.4 + 5e-10), entry=True), tp("b"), tp("c")], []),  # within the 1e-9 tolerance
    ([tp("a", ("b", float("nan")), entry=True), tp("b")],
     [(("stages", 0, "touchpoints", 0, "next", 0, "rate"),
       "rate nan of the transition from 'a' to 'b' is not between 0 and 1")]),
    ([tp("a", entry=True, share=0.5), tp("b", entry=True, share=0.3), tp("c", entry=True)],
     [(("stages", 0, "touchpoints", 0, "share"),
       "entry shares sum to 0.8 (a: 0.5, b: 0.3), not 1; entries without a share: c")]),
    ([tp("a", entry=True, share=1.5), tp("b", entry=True, share=-0.5)],
     [(("stages", 0, "touchpoints", 0, "share"), "share 1.5 of entry 'a' is not between 0 and 1"),
      (("stages", 0, "touchpoints", 1, "share"), "share -0.5 of entry 'b' is not between 0 and 1")]),
    ([tp("a", entry=True, share=0.25), tp("b", entry=True, share=0.75), tp("c", ("a", 1.0))], []),
    ([tp("a", ("b", 0.5), ("c", None), entry=True), tp("b", ("c", 1.0), outcome="converted"), tp("c")], []),
])
def test_invalid_rate_problems(touchpoints, problems):
    assert [tuple(p) for p in invalid_rate_problems(journey({"s": touchpoints}))] == problems


def test_json_shape_and_key_order():
    data = analyse_funnel(LOOP).to_json()
    assert list(data) == ["journey", "combined", "entries"]
    assert data["journey"] == "j" and list(data["entries"]) == ["ad"]
    result = data["combined"]
    assert list(result) == ["outcomes", "dropoff", "conversion", "expected_touchpoints",
                            "expected_touchpoints_to_convert", "touchpoints", "stages", "leaks",
                            "reach", "fix_first"]  # issue 19: new keys only, after the old ones
    assert result["reach"] == {"stages": {"awareness": 1.0, "purchase": 0.285714285714},
                               "touchpoints": {"ad": 1.0, "landing": 0.5, "signup": 0.285714285714,
                                               "paid": 0.166666666667}}
    assert result["fix_first"] == [["ad", 0.166666666667], ["signup", 0.033333333333]]
    assert "customers" not in result and "counts" not in result
    assert list(result["outcomes"]) == ["converted", "retained", "advocate", "churned", "dropped", "handed_over"]
    assert result["touchpoints"]["ad"] == {"visits": 1.5, "dropoff": 0.75}
    assert list(result["touchpoints"]) == ["ad", "landing", "signup", "paid"]
    assert result["stages"] == {"awareness": {"inflow": 1.083333333333}, "purchase": {"inflow": 0.333333333333}}
    assert result["leaks"] == [["ad", 0.75], ["signup", 0.083333333333]]
    assert json.loads(json.dumps(data)) == data
    assert analyse_funnel(NOBODY_CONVERTS).to_json()["combined"]["expected_touchpoints_to_convert"] is None


# --- random journeys against the reference -------------------------------------------------------

# Rates on a grid of eighths are exact in binary, so the exact reference and the float solve agree on
# which loops are closed (a float 1e-17 leak would make a loop "open" for the fractions only).
EIGHTHS = st.sampled_from([None, None, 0.0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 1.0])


@st.composite
def random_journeys(draw):
    n = draw(st.integers(2, 7))
    ids = [f"t{i}" for i in range(n)]
    touchpoints = []
    for i, tid in enumerate(ids):
        outcome = draw(st.sampled_from([None] * 6 + ["converted", "churned", "retained"]))
        targets = st.sampled_from(ids * 3 + ["other/x", "ghost"])  # mostly local, so loops are common
        nexts = draw(st.lists(st.tuples(targets, EIGHTHS), max_size=3))
        total = sum(r for _, r in nexts if r is not None)
        if total > 1:
            nexts = [(to, None) for to, _ in nexts]
        touchpoints.append(tp(tid, *nexts, **({"outcome": outcome} if outcome else {}),
                              **({"entry": True} if i == 0 or draw(st.booleans()) and i < 3 else {})))
    cut = draw(st.integers(1, n))
    return journey({"first": touchpoints[:cut], "second": touchpoints[cut:]} if cut < n else {"first": touchpoints})


@settings(max_examples=150, deadline=None)
@given(random_journeys())
def test_random_journeys_agree_with_a_dense_exact_solve(j):
    entries = [t.id for _, t in j.touchpoints() if t.entry]
    try:
        refs = {e: reference(j, {e: 1.0}) for e in entries}
    except StopIteration:  # singular: customers reach a loop they can never leave
        with pytest.raises(FunnelError, match="never leave it"):
            analyse_funnel(j)
        return
    report = analyse_funnel(j)
    for e in entries:
        assert_matches_reference(j, report.entries[e], {e: 1.0})
        assert refs[e]["conversion"] == pytest.approx(report.entries[e].conversion, abs=TOL)
    assert_matches_reference(j, report.combined, {e: 1 / len(entries) for e in entries})
    total = sum(report.combined.outcomes.values()) + report.combined.dropoff
    assert total == pytest.approx(1.0, abs=TOL)


def test_yaml_source_reads_the_same_as_the_dicts():
    text = """
journeyctl: 1
id: j
title: T
stages:
  - id: awareness
    touchpoints:
      - {id: ad, entry: true, next: [{to: landing, rate: 0.5}]}
      - {id: landing, next: [{to: signup, rate: 0.4}, {to: ad}]}
  - id: purchase
    touchpoints:
      - {id: signup, next: [{to: paid, rate: 0.5}, {to: landing, rate: 0.25}]}
      - {id: paid, outcome: converted}
"""
    assert analyse_funnel(Journey.model_validate(yaml.safe_load(text))) == analyse_funnel(LOOP)


# --- reach and fix-first (issue 19) against exact references --------------------------------------

def reference_reach(j: Journey, starts: dict[str, float], targets: set[str]) -> Fraction:
    """P(ever visiting one of `targets`): the same chain with the targets made absorbing, solved exactly."""
    tps, stage_of, edges, leak, away = exact_chain(j)
    cut = {t: ({} if t in targets else e) for t, e in edges.items()}
    visits = reference(j, starts, (tps, stage_of, cut, leak, away))["visits"]
    return sum((visits[t] for t in targets), Fraction(0))


def reference_fix_first(j: Journey, starts: dict[str, float], share: Fraction) -> list[tuple[str, Fraction]]:
    """Conversion gained per touchpoint when `share` of its drop-off follows its transitions pro rata.

    Each gain is a whole new exact solve of the changed chain; the list is ranked like the funnel's.
    """
    tps, stage_of, edges, leak, away = exact_chain(j)
    before = reference(j, starts)["conversion"]
    gains = []
    for position, (tid, t) in enumerate(tps.items()):
        known = [tr for tr in t.next if tr.rate is not None and tr.rate > 0
                 and (("/" in tr.to and tr.to.split("/")[0] != j.id) or tr.to.split("/")[-1] in tps)]
        if t.outcome or not leak[tid] or not known:
            continue
        saved = share * leak[tid]
        scale = (1 - leak[tid] + saved) / (1 - leak[tid])  # the kept mass grows pro rata
        changed = (tps, stage_of, {**edges, tid: {w: p * scale for w, p in edges[tid].items()}},
                   {**leak, tid: leak[tid] - saved}, {**away, tid: away[tid] * scale})
        gains.append((position, tid, reference(j, starts, changed)["conversion"] - before))
    gains.sort(key=lambda g: (-g[2], g[0]))
    return [(tid, gain) for _, tid, gain in gains]


def assert_reach_and_fixes_match(j: Journey, result, starts: dict[str, float], share: float = 0.5) -> None:
    for tid in result.touchpoints:
        want = reference_reach(j, starts, {tid})
        assert result.reach_touchpoints[tid] == pytest.approx(float(want), abs=TOL), tid
    for stage in j.stages:
        want = reference_reach(j, starts, {t.id for t in stage.touchpoints})
        assert result.reach_stages[stage.id] == pytest.approx(float(want), abs=TOL), stage.id
    want_fixes = reference_fix_first(j, starts, Fraction(share))
    assert [t for t, _ in result.fix_first] == [t for t, _ in want_fixes] or \
        [g for _, g in result.fix_first] == pytest.approx([float(g) for _, g in want_fixes], abs=TOL)
    got = dict(result.fix_first)
    assert got.keys() == dict(want_fixes).keys()
    for tid, gain in want_fixes:
        assert got[tid] == pytest.approx(float(gain), abs=TOL), tid


# Hand-computed: in LOOP, landing is reached by the half that leaves the ad; from landing, signup is
# reached with p = 0.4 + 0.6 * 0.5 * p, so p = 4/7 and reach(signup) = 2/7 (and so is the purchase
# stage's: paid is only reached through signup). Saving half the ad's drop-off (0.25 more to landing)
# gives L = 5/3, paid = 1/3: +1/6; half of signup's (paid 7/12, landing 7/24) gives paid = 1/5: +1/30.
LOOP_REACH = ({"ad": 1.0, "landing": 0.5, "signup": 2 / 7, "paid": 1 / 6}, {"awareness": 1.0, "purchase": 2 / 7},
              [("ad", 1 / 6), ("signup", 1 / 30)])
# In CHAIN nothing loops: reach is the visits; stage bottom is reached by the 0.4 reaching c. Saving half
# of a's 0.2: 0.9 * 0.5 = 0.45 (+0.05); half of b's 0.5 (b keeps 0.75): 0.8 * 0.75 = 0.6 (+0.2).
CHAIN_REACH = ({"a": 1.0, "b": 0.8, "c": 0.4, "d": 0.4}, {"top": 1.0, "bottom": 0.4}, [("b", 0.2), ("a", 0.05)])
# SELF_LOOP: the form is visited 4 times on average but reached once; nothing drops off, nothing to fix.
SELF_LOOP_REACH = ({"form": 1.0, "done": 1.0}, {"s": 1.0}, [])
# BRANCH: 'dead' has no transition, so nothing can be saved there; a keeps 0.9 of which 0.6 to b.
# Saving 0.05 of a: scale 0.95 / 0.9; conversion 0.36 * 0.95 / 0.9 = 0.38: +0.02.
BRANCH_REACH = ({"a": 1.0, "b": 0.6, "c": 0.3, "dead": 0.24, "win": 0.36, "lost": 0.3}, {"s": 1.0}, [("a", 0.02)])


@pytest.mark.parametrize("j, want", [(LOOP, LOOP_REACH), (CHAIN, CHAIN_REACH), (SELF_LOOP, SELF_LOOP_REACH),
                                     (BRANCH, BRANCH_REACH)], ids=["loop", "chain", "self-loop", "branch"])
def test_reach_and_fix_first_hand_computed(j, want):
    touchpoints, stages, fixes = want
    report = analyse_funnel(j)
    (entry, result), = report.entries.items()
    assert result.reach_touchpoints == pytest.approx(touchpoints, abs=TOL)
    assert result.reach_stages == pytest.approx(stages, abs=TOL)
    assert [t for t, _ in result.fix_first] == [t for t, _ in fixes]
    assert [g for _, g in result.fix_first] == pytest.approx([g for _, g in fixes], abs=TOL)
    assert_reach_and_fixes_match(j, result, {entry: 1.0})


def test_a_stage_left_and_re_entered_is_reached_once():
    # Stage 'shop' is entered at 'browse', left for 'advice' (another stage) and re-entered at 'cart':
    # inflow counts both entries (1.3), reach counts the customer once (1.0 here: everyone starts there).
    j = journey({"shop": [tp("browse", ("advice", 0.6), ("cart", 0.4), entry=True), tp("cart", ("paid", 0.5))],
                 "help": [tp("advice", ("cart", 0.5))], "end": [tp("paid", outcome="converted")]})
    result = analyse_funnel(j).combined
    assert result.stages["shop"] == pytest.approx(1.3, abs=TOL)
    assert result.reach_stages["shop"] == pytest.approx(1.0, abs=TOL)
    assert result.reach_stages["help"] == pytest.approx(0.6, abs=TOL)
    assert result.reach_stages["end"] == pytest.approx(0.35, abs=TOL)
    assert_reach_and_fixes_match(j, result, {"browse": 1.0})


@pytest.mark.parametrize("share", [0.25, 1.0])
def test_fix_share_changes_the_gain_as_the_exact_solve_does(share):
    result = analyse_funnel(LOOP, fix_share=share).combined
    assert_reach_and_fixes_match(LOOP, result, {"ad": 1.0}, share)
    assert analyse_funnel(LOOP, fix_share=share).fix_share == share


def test_counts_are_the_probabilities_times_the_customers():
    report = analyse_funnel(CHAIN).with_customers(2000)
    data = report.to_json()["combined"]
    assert data["customers"] == 2000
    counts = data["counts"]
    assert counts["conversion"] == 800.0 and counts["dropoff"] == 1200.0
    assert counts["reach"]["stages"] == {"top": 2000.0, "bottom": 800.0}
    assert counts["fix_first"] == [["b", 400.0], ["a", 100.0]]
    assert counts["touchpoints"]["b"] == {"visits": 1600.0, "dropoff": 800.0}
    assert counts["touchpoint_visits"] == pytest.approx(2000 * 2.6)
    assert data["conversion"] == 0.4  # the probabilities stay


@settings(max_examples=150, deadline=None)
@given(random_journeys())
def test_random_journeys_reach_and_fix_first_agree_with_exact_solves(j):
    entries = [t.id for _, t in j.touchpoints() if t.entry]
    try:
        reference(j, {e: Fraction(1, len(entries)) for e in entries})
    except StopIteration:  # customers reach a loop they cannot leave: refused, checked above
        return
    report = analyse_funnel(j)
    for e in entries[:2]:
        assert_reach_and_fixes_match(j, report.entries[e], {e: 1.0})
    assert_reach_and_fixes_match(j, report.combined, {e: Fraction(1, len(entries)) for e in entries})


@settings(max_examples=150, deadline=None)
@given(random_journeys())
def test_every_journey_the_funnel_refuses_has_a_validate_finding_saying_why(j):
    from journeyctl.rules.checks.graph import no_path_to_outcome
    from journeyctl.rules.checks.rates import closed_by_rates
    from journeyctl.rules.checks.structure import no_outcome

    try:
        analyse_funnel(j)
    except FunnelError as exc:
        closed = list(closed_by_rates(j, None))
        structural = list(no_path_to_outcome(j, None)) + list(no_outcome(j, None))
        if "the rates inside it sum to 1" in str(exc):
            assert [h.message for h in closed if h.message == str(exc)], (str(exc), closed)
        else:
            assert "no transition out of it" in str(exc)
            assert structural and not closed


def test_a_loop_closed_by_its_rates_is_refused_naming_the_starved_way_out():
    j = journey({"s": [tp("form", ("form", 1.0), ("done", None), entry=True), tp("done", outcome="converted")]})
    message = ("customers who reach the loop form never leave it: the rates inside it sum to 1 (form -> form 1), "
               "so its way out (form -> done) gets no customers; lower a rate inside the loop")
    with pytest.raises(FunnelError) as refused:
        analyse_funnel(j)
    assert str(refused.value) == message
    from journeyctl.analysis.funnel import closed_loop_problems

    assert [tuple(p) for p in closed_loop_problems(j)] == [(("stages", 0, "touchpoints", 0, "next"), message)]
