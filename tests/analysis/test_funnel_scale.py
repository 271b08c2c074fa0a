"""The funnel at 5,000 touchpoints: fast, and still exact (checked by the balance equations).

A dense exact solve is out of reach at this size, so correctness is checked the other way round: the
visits must satisfy visits(w) = start(w) + sum over u of visits(u) * P(u -> w) at every touchpoint,
and every customer must end somewhere. `synthetic_journey` is shared with benchmarks/bench_funnel.py.
"""

from __future__ import annotations

import time

import pytest

from journeyctl.analysis.funnel import analyse_funnel
from journeyctl.format.model import Journey

STAGE_SIZE = 50


def synthetic_journey(n: int, loops: str = "local") -> Journey:
    """n touchpoints in stages of 50, a long funnel that ends converted.

    loops: "none" (acyclic), "local" (every 5th touchpoint sends 2% back 3 steps: many small loops),
    "winback" (local loops plus 30% of the last step sent back to the start: one loop of n - 1), or
    "home" (local loops plus 1% of every touchpoint back to the start: one loop through a hub, the
    worst case for elimination order).
    """
    touchpoints = []
    for i in range(n - 1):
        nexts = [{"to": f"t{i + 1}", "rate": 0.997}]
        if loops != "none" and i % 5 == 4:
            nexts = [{"to": f"t{i + 1}", "rate": 0.977}, {"to": f"t{i - 3}", "rate": 0.02}]
        if i % 7 == 3 and i + 2 < n:
            nexts[0]["rate"] -= 0.01
            nexts.append({"to": f"t{i + 2}"})  # unrated: takes 0.01 + whatever else is left (0.003)
        if loops == "home" and i > 0:
            nexts[0]["rate"] -= 0.01
            nexts.append({"to": "t0", "rate": 0.01})
        if loops == "winback" and i == n - 2:
            nexts = [{"to": f"t{n - 1}", "rate": 0.6}, {"to": "t0", "rate": 0.3}]
        touchpoints.append({"id": f"t{i}", "next": nexts, **({"entry": True} if i == 0 else {})})
    touchpoints.append({"id": f"t{n - 1}", "outcome": "converted"})
    stages = [{"id": f"stage-{s}", "touchpoints": touchpoints[s:s + STAGE_SIZE]}
              for s in range(0, n, STAGE_SIZE)]
    return Journey.model_validate({"journeyctl": 1, "id": "synthetic", "title": "Synthetic", "stages": stages})


def probabilities(j: Journey) -> dict[str, list[tuple[str, float]]]:
    """Each touchpoint's outgoing probabilities, spelled out independently of journeyctl.analysis.funnel."""
    out = {}
    for _, t in j.touchpoints():
        rated = sum(tr.rate for tr in t.next if tr.rate is not None)
        unrated = [tr for tr in t.next if tr.rate is None]
        out[t.id] = [(tr.to, tr.rate if tr.rate is not None else (1 - rated) / len(unrated)) for tr in t.next]
    return out


@pytest.mark.parametrize("loops", ["none", "local", "winback", "home"])
def test_five_thousand_touchpoints_solve_fast_and_balance(loops):
    j = synthetic_journey(5000, loops)
    started = time.perf_counter()
    result = analyse_funnel(j).combined
    elapsed = time.perf_counter() - started
    assert elapsed < 5.0  # typically ~0.05 s; loose so a busy CI machine does not flake
    inflow = {t: 0.0 for t in result.touchpoints}
    inflow["t0"] = 1.0
    for source, edges in probabilities(j).items():
        for target, p in edges:
            inflow[target] += result.touchpoints[source].visits * p
    worst = max(abs(inflow[t] - f.visits) for t, f in result.touchpoints.items())
    assert worst < 1e-9
    assert result.conversion + result.dropoff == pytest.approx(1.0, abs=1e-9)
    assert result.outcomes["converted"] == result.touchpoints["t4999"].visits
    # A converter walks from t0 to t4999; a skip (one every 7 touchpoints) saves at most one visit.
    assert result.expected_touchpoints_to_convert >= 5000 - (5000 + 6) // 7
    revisited = {"none": [], "local": ["t1"], "winback": ["t0", "t1"], "home": ["t0", "t1"]}[loops]
    for t in ("t0", "t1"):
        assert (result.touchpoints[t].visits > 1.0) == (t in revisited)


def test_winback_makes_the_journey_one_loop_and_the_answer_changes_accordingly():
    plain = analyse_funnel(synthetic_journey(400, "local")).combined
    winback = analyse_funnel(synthetic_journey(400, "winback")).combined
    # 30% of those at t398 restart instead of 40% leaving: t0 is revisited, conversion changes.
    assert winback.touchpoints["t0"].visits > 1.0
    reach = plain.touchpoints["t398"].visits  # P(reaching the last step) on one pass
    restart = reach * 0.3
    assert winback.touchpoints["t0"].visits == pytest.approx(1 / (1 - restart), rel=1e-9)
    assert winback.conversion == pytest.approx(reach * 0.6 / (1 - restart), rel=1e-9)


@pytest.mark.parametrize("loops", ["local", "winback", "home"])
def test_reach_in_long_loops_agrees_with_a_dense_solve_per_target(loops):
    """Reach by censoring (journeyctl.analysis.funnel_reach) against the textbook route: one dense solve per target.

    200 touchpoints in 4 stages: big enough for loops spanning stages (winback, home), small enough for
    numpy to solve the 204 absorbing chains (each target made absorbing) in well under a second.
    """
    np = pytest.importorskip("numpy")
    j = synthetic_journey(200, loops)
    result = analyse_funnel(j).combined
    ids = list(result.touchpoints)
    pos = {t: i for i, t in enumerate(ids)}
    q = np.zeros((len(ids), len(ids)))
    for source, edges in probabilities(j).items():
        for target, p in edges:
            q[pos[source], pos[target]] += p
    start = np.zeros(len(ids))
    start[pos["t0"]] = 1.0

    def reach(targets: set[str]) -> float:
        cut = q.copy()
        for t in targets:
            cut[pos[t], :] = 0.0  # absorbing: visits there = probability of arriving
        visits = np.linalg.solve((np.eye(len(ids)) - cut).T, start)
        return float(sum(visits[pos[t]] for t in targets))

    for t in ids:
        assert result.reach_touchpoints[t] == pytest.approx(reach({t}), abs=1e-9), t
    for stage in j.stages:
        assert result.reach_stages[stage.id] == pytest.approx(reach({t.id for t in stage.touchpoints}), abs=1e-9)
    if loops != "local":
        assert result.reach_touchpoints["t0"] == 1.0 < result.touchpoints["t0"].visits  # revisited, reached once
