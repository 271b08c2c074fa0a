"""Time the gap rules (model already built) at 500 and 5,000 touchpoints: the ratio should be ~10.

Run from the repository root: `.venv/bin/python benchmarks/bench_rules.py`. Not part of the test suite.

1. The journey of `benchmarks/run.py` (its `rule_time`: `journey_text(0, m)`, every default rule through
   `check.pipeline.run_rules`, CPU time, garbage collector on): the whole run, then where it goes: the
   journey's table (analysis/table.py, the one walk of the model every rule reads) and each rule after it,
   in run order, sharing the run's facts as they do in a run.
2. The leaner synthetic journey of tests/rules/test_rules_scale.py (a chain, 20% skip edges, a few loops,
   hand-offs at stage boundaries), off-by-default rules included, the same way.
3. The worst case of the graph rules: a deep chain into one big loop.

Figures are the best of REPEATS (and the median where shown): the machine is shared, and the load average
is printed before and after.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "rules"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from generate import journey_text  # noqa: E402
from test_rules_scale import synthetic_journey  # noqa: E402

from journeyctl.check import pipeline as check  # noqa: E402
from journeyctl.config import Config  # noqa: E402
from journeyctl.format.loader import load_text  # noqa: E402
from journeyctl.format.model import Journey  # noqa: E402
from journeyctl.rules import RuleContext, memo  # noqa: E402
from journeyctl.rules.catalog import all_rules  # noqa: E402

SIZES = (500, 5_000)
REPEATS = 15
CONTEXT = RuleContext(today=date(2026, 2, 1), required_stages=("s0000",))


def whole_run(journey: Journey, doc, severities, context) -> tuple[float, float]:
    """(best, median) CPU seconds of `run_rules`, as benchmarks/run.py's rule_time times it."""
    times = []
    for _ in range(REPEATS):
        start = time.process_time()
        check.run_rules(journey, doc, "big.journey.yaml", severities, context)
        times.append(time.process_time() - start)
    return min(times), statistics.median(times)


def breakdown(journey: Journey, rule_ids: list[str], context: RuleContext) -> dict[str, float]:
    """Best CPU seconds of the table build and of each rule after it, in run order (facts shared)."""
    rules = all_rules()
    best: dict[str, float] = {}
    for _ in range(REPEATS):
        memo.reset()
        start = time.process_time()
        memo.table(journey)
        spans = [("(the journey's table)", time.process_time() - start)]
        for rule_id in rule_ids:
            start = time.process_time()
            for _hit in rules[rule_id].check(journey, context):  # type: ignore[misc]
                pass
            spans.append((rule_id, time.process_time() - start))
        for name, seconds in spans:
            best[name] = min(best.get(name, seconds), seconds)
    return best


def report(title: str, times: dict[int, dict[str, float]]) -> None:
    small, big = SIZES
    print(title)
    print(f"{'':<32} {small:>9,} tp {big:>9,} tp   ratio")
    for name in sorted(times[big], key=lambda k: -times[big][k]):
        a, b = times[small][name], times[big][name]
        print(f"{name:<32} {a * 1e3:>9.3f} ms {b * 1e3:>9.3f} ms {b / a if a else float('nan'):>7.1f}")
    a, b = sum(times[small].values()), sum(times[big].values())
    print(f"{'sum':<32} {a * 1e3:>9.3f} ms {b * 1e3:>9.3f} ms {b / a:>7.1f}")
    print()


def main() -> None:
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    config = Config(cache=False)
    severities, context = check.effective_severities(config), check._context(config)
    default = [r.id for r in all_rules().values() if r.check is not None and r.id in severities]
    every = [r.id for r in all_rules().values() if r.check is not None]

    small, big = SIZES
    runs, parts = {}, {}
    for n in SIZES:
        doc = load_text(journey_text(0, n), Path("big.journey.yaml"))
        journey = Journey.model_validate(doc.data)
        runs[n] = whole_run(journey, doc, severities, context)
        parts[n] = breakdown(journey, default, context)
    print("benchmarks/run.py's journey, every default rule through run_rules (CPU, garbage collector on):")
    print(f"  best   {runs[small][0] * 1e3:8.3f} ms at {small:,}  {runs[big][0] * 1e3:8.3f} ms at {big:,}  "
          f"ratio {runs[big][0] / runs[small][0]:.1f}")
    print(f"  median {runs[small][1] * 1e3:8.3f} ms at {small:,}  {runs[big][1] * 1e3:8.3f} ms at {big:,}  "
          f"ratio {runs[big][1] / runs[small][1]:.1f}")
    print()
    report("where it goes (best of each; rules in run order, sharing the run's facts):", parts)

    journeys = {n: synthetic_journey(n, loops=max(3, n // 500)) for n in SIZES}
    report("the synthetic journey of tests/rules/test_rules_scale.py, every rule (off-by-default ones too):",
           {n: breakdown(journeys[n], every, CONTEXT) for n in SIZES})

    print("worst case for the graph rules: a deep chain into one big loop, half the touchpoints reported")
    stuck = {n: stuck_journey(n) for n in SIZES}
    report("", {n: breakdown(stuck[n], ["no-path-to-outcome", "unreachable-touchpoint", "dead-end"], CONTEXT)
                for n in SIZES})
    print(f"(best of {REPEATS}; a linear rule scales by {big // small}x)")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def stuck_journey(n: int) -> Journey:
    """t0 → t1 → ... → t(n-1) → t(n/2): every touchpoint but t0 is stuck; one exit from t0."""
    tps = [{"id": "t0", "entry": True, "next": [{"to": "t1"}, {"to": "done"}]}]
    tps += [{"id": f"t{i}", "next": [{"to": f"t{i + 1}"}]} for i in range(1, n - 1)]
    tps += [{"id": f"t{n - 1}", "next": [{"to": f"t{n // 2}"}]}, {"id": "done", "outcome": "converted"}]
    return Journey.model_validate({"journeyctl": 1, "id": "stuck", "title": "Stuck",
                                   "stages": [{"id": "s", "touchpoints": tps}]})


if __name__ == "__main__":
    main()
