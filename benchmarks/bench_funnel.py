"""Time `analyse_funnel` (model already built), with the share spent on reach, and the growth with size.

Run from the repository root: `.venv/bin/python benchmarks/bench_funnel.py`. Not part of the test
suite; the journeys are the ones tests/test_funnel_scale.py checks for correctness. Every run includes
reach per stage and touchpoint and the fix-first ranking (issue 19); "reach" is the time inside
journeyctl.analysis.funnel_reach.no_return (fix-first is O(1) per touchpoint on top of it), "json" the time to
turn the report into the JSON document as `funnel -f json` does.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from test_funnel_scale import synthetic_journey  # noqa: E402

import journeyctl.analysis.funnel_reach as funnel_reach  # noqa: E402
from journeyctl.analysis.funnel import analyse_funnel  # noqa: E402

REPEATS = 5
_reach_time = [0.0]
_no_return = funnel_reach.no_return


def _timed_no_return(*args):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    try:
        return _no_return(*args)
    finally:
        _reach_time[0] += time.perf_counter() - started


funnel_reach.no_return = _timed_no_return


def best_of(n: int, loops: str, repeats: int) -> tuple[float, float, float]:
    """(total, reach, json) seconds of the fastest of `repeats` runs."""
    journey = synthetic_journey(n, loops)
    analyse_funnel(journey)  # warm-up
    best = (float("inf"), 0.0, 0.0)
    for _ in range(repeats):
        _reach_time[0] = 0.0
        started = time.perf_counter()
        report = analyse_funnel(journey)
        total = time.perf_counter() - started
        started = time.perf_counter()
        report.to_json()
        as_json = time.perf_counter() - started
        if total < best[0]:
            best = (total, _reach_time[0], as_json)
    return best


def main() -> None:
    cases = [(500, "none"), (5000, "none"), (500, "local"), (5000, "local"), (500, "winback"),
             (5000, "winback"), (500, "home"), (5000, "home"), (50000, "none"), (50000, "local"),
             (50000, "winback"), (50000, "home")]
    rows = [(n, loops, *best_of(n, loops, REPEATS if n <= 5000 else 1)) for n, loops in cases]
    print(f"{'touchpoints':>11}  {'loops':<8} {'total':>10} {'reach':>10} {'json':>10}")
    for n, loops, total, reach, as_json in rows:
        print(f"{n:>11}  {loops:<8} {total * 1000:>8.1f}ms {reach * 1000:>8.1f}ms {as_json * 1000:>8.1f}ms")
    by = {(n, loops): total for n, loops, total, _, _ in rows}
    for loops in ("none", "local", "winback", "home"):
        print(f"{loops:<8} 5,000 / 500: {by[5000, loops] / by[500, loops]:5.1f}x   "
              f"50,000 / 5,000: {by[50000, loops] / by[5000, loops]:5.1f}x   (for 10x the touchpoints)")


if __name__ == "__main__":
    main()
