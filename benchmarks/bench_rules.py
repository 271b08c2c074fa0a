"""Time every gap rule (model already built) at 500 and 5,000 touchpoints: the ratio should be ~10.

Run from the repository root: `.venv/bin/python benchmarks/bench_rules.py`. Not part of the test suite;
the journeys (a chain, 20% skip edges, a few loops, hand-offs at stage boundaries) are the ones
tests/test_rules_scale.py checks for correctness. Off-by-default rules are timed too.
"""

from __future__ import annotations

import gc
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "rules"))

from test_rules_scale import synthetic_journey  # noqa: E402

from journeyctl.format.model import Journey  # noqa: E402
from journeyctl.rules import RuleContext, memo  # noqa: E402
from journeyctl.rules.catalog import all_rules  # noqa: E402

SIZES = (500, 5_000)
REPEATS = 7
CONTEXT = RuleContext(today=date(2026, 2, 1), required_stages=("s0000",))


def best_of(check, journey) -> float:
    # The cyclic GC is off while timing, as timeit does: a full collection walks every live model object
    # (5,000 touchpoints are ~100,000 objects), and where one lands decides a run more than the rule does.
    memo.reset()
    list(check(journey, CONTEXT))  # warm-up
    times = []
    gc.collect()
    gc.disable()
    try:
        for _ in range(REPEATS):
            # Each rule pays for the facts it shares with others (rules/memo.py), as the first rule of a
            # run does: per-rule figures are upper bounds, and "all rules" counts a shared graph 3 times.
            memo.reset()
            started = time.perf_counter()
            list(check(journey, CONTEXT))
            times.append(time.perf_counter() - started)
    finally:
        gc.enable()
    return min(times)


def main() -> None:
    rules = [r for r in all_rules().values() if r.check is not None]
    journeys = {n: synthetic_journey(n, loops=max(3, n // 500)) for n in SIZES}
    small, big = SIZES
    print(f"{'rule':<30} {small:>9,} tp {big:>9,} tp   ratio")
    totals = {n: 0.0 for n in SIZES}
    for rule in rules:
        t = {n: best_of(rule.check, journeys[n]) for n in SIZES}
        for n in SIZES:
            totals[n] += t[n]
        print(f"{rule.id:<30} {t[small] * 1e3:>9.3f} ms {t[big] * 1e3:>9.3f} ms {t[big] / t[small]:>7.1f}")
    print(f"{'all rules':<30} {totals[small] * 1e3:>9.3f} ms {totals[big] * 1e3:>9.3f} ms "
          f"{totals[big] / totals[small]:>7.1f}")
    print(f"(best of {REPEATS}, garbage collector off while timing; a linear rule scales by {big // small}x)")
    print()
    print("worst case for the graph rules: a deep chain into one big loop, half the touchpoints reported")
    stuck = {n: stuck_journey(n) for n in SIZES}
    for rule_id in ("no-path-to-outcome", "unreachable-touchpoint", "dead-end"):
        check = all_rules()[rule_id].check
        t = {n: best_of(check, stuck[n]) for n in SIZES}
        print(f"{rule_id:<30} {t[small] * 1e3:>9.3f} ms {t[big] * 1e3:>9.3f} ms {t[big] / t[small]:>7.1f}")


def stuck_journey(n: int) -> Journey:
    """t0 → t1 → ... → t(n-1) → t(n/2): every touchpoint but t0 is stuck; one exit from t0."""
    tps = [{"id": "t0", "entry": True, "next": [{"to": "t1"}, {"to": "done"}]}]
    tps += [{"id": f"t{i}", "next": [{"to": f"t{i + 1}"}]} for i in range(1, n - 1)]
    tps += [{"id": f"t{n - 1}", "next": [{"to": f"t{n // 2}"}]}, {"id": "done", "outcome": "converted"}]
    return Journey.model_validate({"journeyctl": 1, "id": "stuck", "title": "Stuck",
                                   "stages": [{"id": "s", "touchpoints": tps}]})


if __name__ == "__main__":
    main()
