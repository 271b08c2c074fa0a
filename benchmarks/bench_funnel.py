"""Time `analyse_funnel` (model already built): acyclic 500 vs 5,000 for linearity, and 5,000 with loops.

Run from the repository root: `.venv/bin/python benchmarks/bench_funnel.py`. Not part of the test
suite; the journeys are the ones tests/test_funnel_scale.py checks for correctness.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from test_funnel_scale import synthetic_journey  # noqa: E402

from journeyctl.funnel import analyse_funnel  # noqa: E402

REPEATS = 7


def best_of(n: int, loops: str) -> float:
    journey = synthetic_journey(n, loops)
    analyse_funnel(journey)  # warm-up
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        analyse_funnel(journey)
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    rows = [(n, loops, best_of(n, loops)) for n, loops in
            [(500, "none"), (5000, "none"), (500, "local"), (5000, "local"),
             (5000, "winback"), (5000, "home"), (50000, "none"), (50000, "home")]]
    print(f"{'touchpoints':>11}  {'loops':<8} {'best of ' + str(REPEATS):>10}")
    for n, loops, t in rows:
        print(f"{n:>11}  {loops:<8} {t * 1000:>8.1f} ms")
    by = {(n, loops): t for n, loops, t in rows}
    print(f"acyclic 5,000 / 500: {by[5000, 'none'] / by[500, 'none']:.1f}x for 10x the touchpoints")
    print(f"acyclic 50,000 / 5,000: {by[50000, 'none'] / by[5000, 'none']:.1f}x for 10x the touchpoints")
    print(f"with loops 5,000 / 500: {by[5000, 'local'] / by[500, 'local']:.1f}x for 10x the touchpoints")


if __name__ == "__main__":
    main()
