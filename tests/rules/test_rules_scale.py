"""Graph rules on big journeys: linear passes, no recursion (10,000 touchpoints in one chain or loop)."""

from __future__ import annotations

import random
from typing import Any

from journeyctl.format.model import Journey
from journeyctl.rules import RuleContext
from journeyctl.rules.catalog import all_rules

TEAMS = ("marketing", "sales", "customer-success")
STAGE_SIZE = 50


def synthetic_journey(n: int, seed: int = 7, loops: int = 5, skip_share: float = 0.2) -> Journey:
    """A clean journey of n touchpoints: a chain, `skip_share` of touchpoints with a skip edge forward,
    and `loops` back edges (each a loop with a way out, since the chain goes on). One team per stage, so
    stage boundaries are hand-offs (declared, with an SLA)."""
    rng = random.Random(seed)
    ids = [f"t{i:05d}" for i in range(n)]
    owner = [TEAMS[(i // STAGE_SIZE) % len(TEAMS)] for i in range(n)]
    back = set(rng.sample(range(10, n), min(loops, max(n - 10, 0))))
    stages: list[dict[str, Any]] = []
    for i, tp_id in enumerate(ids):
        if i % STAGE_SIZE == 0:
            stages.append({"id": f"s{i // STAGE_SIZE:04d}", "goal": "move on", "kpis": ["conversion"],
                           "touchpoints": []})
        targets = []
        if i + 1 < n:
            targets.append(i + 1)
        if i + 2 < n and rng.random() < skip_share:
            targets.append(min(i + rng.randint(2, 10), n - 1))
        if i in back:
            targets.append(i - rng.randint(2, 9))
        nxt = []
        for j in targets:
            tr: dict[str, Any] = {"to": ids[j]}
            if owner[j] != owner[i]:
                tr["handoff"] = {"trigger": "stage done", "sla": "24h"}
            nxt.append(tr)
        tp: dict[str, Any] = {"id": tp_id, "owner": owner[i], "channel": "web", "personas": ["p"], "next": nxt}
        if i == 0:
            tp["entry"] = True
        if i == n - 1:
            tp["outcome"] = "converted"
        stages[-1]["touchpoints"].append(tp)
    return Journey.model_validate({
        "journeyctl": 1, "id": "synthetic", "title": "Synthetic", "objectives": ["scale"],
        "personas": [{"id": "p"}], "teams": [{"id": t} for t in TEAMS], "channels": [{"id": "web"}],
        "metrics": [{"id": "conversion", "target": 0.5}], "stages": stages})


def run_checks(journey: Journey, rule_ids: list[str] | None = None) -> dict[str, list[str]]:
    rules = all_rules()
    out: dict[str, list[str]] = {}
    for rule in rules.values():
        if rule.check is None or (rule_ids is not None and rule.id not in rule_ids):
            continue
        hits = [h.message for h in rule.check(journey, RuleContext())]
        if hits:
            out[rule.id] = hits
    return out


def test_ten_thousand_touchpoints_clean() -> None:
    journey = synthetic_journey(10_000)
    # frontstage-without-backstage is off by default and would rightly fire on every stage here.
    assert set(run_checks(journey)) == {"frontstage-without-backstage"}


def test_ten_thousand_touchpoints_stuck_in_one_loop() -> None:
    # t0 → t1 → ... → t9999 → t5000: a deep path into one loop of 5,000; only t0 can still finish.
    n = 10_000
    tps: list[dict[str, Any]] = [{"id": "t0", "entry": True, "next": [{"to": "t1"}, {"to": "done"}]}]
    tps += [{"id": f"t{i}", "next": [{"to": f"t{i + 1}"}]} for i in range(1, n - 1)]
    tps += [{"id": f"t{n - 1}", "next": [{"to": "t5000"}]}, {"id": "done", "outcome": "converted"}]
    journey = Journey.model_validate({"journeyctl": 1, "id": "deep", "title": "Deep",
                                      "stages": [{"id": "s", "touchpoints": tps}]})
    found = run_checks(journey, ["no-path-to-outcome", "unreachable-touchpoint", "dead-end"])
    messages = found["no-path-to-outcome"]
    assert len(messages) == 4_999 + 1
    assert messages[0] == ("loops among 't5000', 't5001', 't5002', 't5003', 't5004', 't5005' and 4994 more "
                           "with no way out: no outcome can be reached from them")
    assert messages[1].startswith("no outcome can be reached from 't1':")
    assert set(found) == {"no-path-to-outcome"}
