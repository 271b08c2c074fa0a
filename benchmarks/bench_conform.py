"""Benchmark: `journeyctl conform` on 1,000,000 events of 100,000 customers, against pm4py.

Not part of the test suite. Run: `.venv/bin/python benchmarks/bench_conform.py` (pm4py must be installed;
it is AGPL, so it is a benchmark/test dependency only). Each measurement runs in a fresh subprocess so
peak memory (ru_maxrss) and import costs belong to that measurement alone.

pm4py's side is the shortest path from this CSV to a directly-follows graph: pandas read_csv, ISO 8601
timestamps parsed (mixed offsets, so format="ISO8601", utc=True; unparseable ones dropped, as conform
counts them), pm4py.format_dataframe, pm4py.discover_dfg.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
JOURNEY = ROOT / "tests" / "fixtures" / "conform" / "trial.journey.yaml"
EVENTS = 1_000_000
CUSTOMERS = 100_000
# Longer product-usage loops than the test fixture, so 100,000 customers make over a million events.
SESSION_LOOP = 0.95

CONFORM = """
import json, resource, sys, time
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
t0 = time.perf_counter()
from pathlib import Path
import duckdb  # imported up front, as pandas and pm4py are on the other side
from journeyctl.check.pipeline import load_model
from journeyctl.conform.engine import conform_log
journey, _ = load_model(Path(sys.argv[1]))
t1 = time.perf_counter()
c1 = cpu()
result = conform_log(journey, Path(sys.argv[2]))
t2 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "run_s": t2 - t1, "cpu_s": cpu() - c1, "traces": result.traces, "fitness": result.fitness,
                  "pairs": sum(result.visits.values()) - result.traces,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

# The calibration point: one DuckDB query for the consecutive pairs (a bare DFG), on the same file.
PAIRS = """
import json, resource, sys, time
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
t0 = time.perf_counter()
import duckdb
t1 = time.perf_counter()
c1 = cpu()
rows = duckdb.connect().execute(
    "SELECT a, b, count(*) FROM (SELECT event AS a, LEAD(event) OVER (PARTITION BY customer ORDER BY "
    "TRY_CAST(timestamp AS TIMESTAMPTZ)) AS b FROM read_csv(?)) WHERE b IS NOT NULL GROUP BY a, b",
    [sys.argv[1]]).fetchall()
t2 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "run_s": t2 - t1, "cpu_s": cpu() - c1, "edges": len(rows),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

PM4PY = """
import json, resource, sys, time, warnings
warnings.filterwarnings("ignore")
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
t0 = time.perf_counter()
import pandas as pd
import pm4py
t1 = time.perf_counter()
c1 = cpu()
df = pd.read_csv(sys.argv[1], dtype=str)
df["timestamp"] = pd.to_datetime(df["timestamp"], format="ISO8601", utc=True, errors="coerce")
df = df.dropna(subset=["customer", "event", "timestamp"])
df = pm4py.format_dataframe(df, case_id="customer", activity_key="event", timestamp_key="timestamp")
dfg, start, end = pm4py.discover_dfg(df)
t2 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "run_s": t2 - t1, "cpu_s": cpu() - c1, "edges": len(dfg),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def generate(path: Path) -> dict[str, int]:
    sys.path.insert(0, str(ROOT / "tests"))
    import yaml

    from conform_sim import Injection, simulate
    from journeyctl.format.model import Journey

    data = yaml.safe_load(JOURNEY.read_text(encoding="utf-8"))
    for stage in data["stages"]:
        for tp in stage["touchpoints"]:
            if tp["id"] == "app-session":
                tp["next"] = [{"to": "app-session", "rate": SESSION_LOOP}, {"to": "tips", "rate": 0.04}]
    log = simulate(Journey.model_validate(data), CUSTOMERS, seed=2026,
                   inject=Injection(max_steps=80, unmapped_rows=2000, bad_rows=200))
    # Rows are shuffled, so keeping the first million drops a random sliver of events: still a log.
    log.rows = log.rows[:EVENTS]
    log.write_csv(path)
    return {"events": len(log.rows), "customers": len({r["customer"] for r in log.rows})}


def shape_of(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for _ in handle) - 1


def run(script: str, *args: str) -> dict[str, float]:
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0 or '{"import_s"' not in out.stdout:
        raise SystemExit(f"benchmark step failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
    wall = time.perf_counter() - start
    # pm4py prints a licence banner (colour codes, no final newline) around its output, so the
    # measurement is found by its first key.
    start = out.stdout.index('{"import_s"')
    result = json.loads(out.stdout[start:].splitlines()[0])
    result["wall_s"] = wall
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side; the best is reported")
    parser.add_argument("--regenerate", action="store_true", help="write the CSV again")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    csv_path = OUT / "events-1m.csv"
    if args.regenerate or not csv_path.exists():
        start = time.perf_counter()
        shape = generate(csv_path)
        print(f"generated {shape['events']:,} events of {shape['customers']:,} customers "
              f"in {time.perf_counter() - start:.1f}s -> {csv_path.relative_to(ROOT)}")
    size = csv_path.stat().st_size / 1e6
    print(f"log: {csv_path.relative_to(ROOT)} ({size:.0f} MB)")

    # Interleaved, so both sides see the same background load on a shared machine.
    conform: list[dict[str, float]] = []
    pm4py: list[dict[str, float]] = []
    pairs: list[dict[str, float]] = []
    for _ in range(args.repeat):
        conform.append(run(CONFORM, str(JOURNEY), str(csv_path)))
        pm4py.append(run(PM4PY, str(csv_path)))
        pairs.append(run(PAIRS, str(csv_path)))
    best_c = min(conform, key=lambda r: r["run_s"])
    best_p = min(pm4py, key=lambda r: r["run_s"])
    median = lambda rows, key: statistics.median(r[key] for r in rows)  # noqa: E731
    report = {
        "events": shape_of(csv_path),
        "conform": best_c, "pm4py": best_p,
        "ratio_best_run": best_c["run_s"] / best_p["run_s"],
        "ratio_median_run": median(conform, "run_s") / median(pm4py, "run_s"),
        "ratio_cpu": median(conform, "cpu_s") / median(pm4py, "cpu_s"),
        "ratio_process_wall": median(conform, "wall_s") / median(pm4py, "wall_s"),
        "conform_run_s": [round(r["run_s"], 3) for r in conform],
        "pm4py_run_s": [round(r["run_s"], 3) for r in pm4py],
        "conform_cpu_s": [round(r["cpu_s"], 3) for r in conform],
        "pm4py_cpu_s": [round(r["cpu_s"], 3) for r in pm4py],
        "pairs_run_s": [round(r["run_s"], 3) for r in pairs],
        "pairs_cpu_s": [round(r["cpu_s"], 3) for r in pairs],
        "load_average": list(os.getloadavg()),
    }
    print(f"conform: {best_c['run_s']:.2f}s analysis (cpu {best_c['cpu_s']:.2f}s), {best_c['wall_s']:.2f}s process "
          f"wall, peak RSS {best_c['peak_rss_mb']:.0f} MB; {best_c['traces']:,} traces, fitness {best_c['fitness']:.4f}")
    print(f"pm4py:   {best_p['run_s']:.2f}s read+DFG (cpu {best_p['cpu_s']:.2f}s), {best_p['wall_s']:.2f}s process "
          f"wall, peak RSS {best_p['peak_rss_mb']:.0f} MB; {best_p['edges']} DFG edges")
    best_pairs = min(pairs, key=lambda r: r["run_s"])
    print(f"pairs:   {best_pairs['run_s']:.2f}s one DuckDB query for the consecutive pairs (cpu "
          f"{best_pairs['cpu_s']:.2f}s): conform costs {best_c['run_s'] / best_pairs['run_s']:.2f}x a bare DFG")
    print(f"ratio conform/pm4py (target <= 0.25): best {report['ratio_best_run']:.3f}, "
          f"median {report['ratio_median_run']:.3f}, cpu {report['ratio_cpu']:.3f}, "
          f"process wall {report['ratio_process_wall']:.3f}")
    (OUT / "bench_conform.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
