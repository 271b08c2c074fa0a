"""Benchmark: `journeyctl conform` on one very long journey (issue 22 item 4).

A linear journey of 10,000 touchpoints and a log of 1,000,000 events (100,000 customers, ten steps each,
starting anywhere along the line; 5% of steps skip ahead 2-5 touchpoints, 2% jump back: unexpected).
Goals: the run under 30 s and 1 GB, `--emit-sql` (every dialect) under 5 s each.

Not part of the test suite. Run: `.venv/bin/python benchmarks/bench_conform_scale.py [--touchpoints N]
[--events N]`. Each measurement is a fresh process: wall time from outside, peak memory (ru_maxrss of
the child) from os.wait4. Inputs are written to benchmarks/out/ (not committed); figures to
benchmarks/out/bench_conform_scale.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
STEPS = 10


def journey_yaml(touchpoints: int) -> str:
    lines = ["journeyctl: 1", f"id: line{touchpoints}", "title: A very long line", "stages:", "  - id: s",
             "    touchpoints:"]
    for i in range(touchpoints):
        lines.append(f"      - id: t{i}")
        if i == 0:
            lines.append("        entry: true")
        if i + 1 < touchpoints:
            lines.append(f"        next: [{{to: t{i + 1}}}]")
        else:
            lines.append("        outcome: converted")
    return "\n".join(lines) + "\n"


def write_log(path: Path, touchpoints: int, events: int, seed: int = 22) -> None:
    rng = random.Random(seed)
    customers = events // STEPS
    with path.open("w", encoding="utf-8") as out:
        out.write("customer,event,timestamp\n")
        for c in range(customers):
            position = rng.randrange(touchpoints)
            for step in range(STEPS):
                out.write(f"c{c},t{position},2025-03-01T{step:02d}:00:00Z\n")
                roll = rng.random()
                if roll < 0.05:
                    position += rng.randint(2, 5)
                elif roll < 0.07:
                    position -= rng.randint(1, 50)
                else:
                    position += 1
                position = min(max(position, 0), touchpoints - 1)


def measure(args: list[str]) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "journeyctl", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, cwd=ROOT)
    stdout = proc.stdout.read() if proc.stdout else b""
    stderr = proc.stderr.read() if proc.stderr else b""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"journeyctl {' '.join(args[:3])} failed ({code}):\n{stderr.decode(errors='replace')}")
    return {"wall_s": round(wall, 3), "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
            "peak_rss_mb": round(usage.ru_maxrss / 1024, 1), "stdout_bytes": len(stdout), "stdout": stdout}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--touchpoints", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    journey = OUT / f"line-{args.touchpoints}.journey.yaml"
    log = OUT / f"line-{args.touchpoints}-{args.events}.csv"
    journey.write_text(journey_yaml(args.touchpoints), encoding="utf-8")
    if not log.exists():
        write_log(log, args.touchpoints, args.events)
    report: dict[str, object] = {"touchpoints": args.touchpoints, "events": args.events,
                                 "load_average_before": list(os.getloadavg())}
    run = measure(["conform", str(journey), str(log), "-f", "json"])
    data = json.loads(run.pop("stdout"))
    report["conform"] = {**run, "traces": data["traces"], "rows": data["rows"],
                         "skipped": data["deviations"]["skipped"],
                         "unexpected": data["deviations"]["unexpected-transition"],
                         "undeclared_pairs": len(data["undeclared"])}
    print(f"conform {args.touchpoints:,} touchpoints, {args.events:,} events: {run['wall_s']:.2f} s wall, "
          f"{run['cpu_s']:.2f} s cpu, peak {run['peak_rss_mb']:.0f} MB (goal 30 s, 1 GB); "
          f"{data['deviations']['skipped']:,} skips, {data['deviations']['unexpected-transition']:,} unexpected "
          f"in {len(data['undeclared']):,} undeclared pairs")
    for dialect in ("duckdb", "bigquery", "snowflake", "spark"):
        emitted = measure(["conform", str(journey), "--emit-sql", dialect])
        emitted.pop("stdout")
        report[f"emit_sql_{dialect}"] = emitted
        print(f"--emit-sql {dialect}: {emitted['wall_s']:.2f} s wall, peak {emitted['peak_rss_mb']:.0f} MB, "
              f"{emitted['stdout_bytes'] / 1e6:.1f} MB of SQL (goal 5 s)")
    report["load_average_after"] = list(os.getloadavg())
    (OUT / "bench_conform_scale.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
