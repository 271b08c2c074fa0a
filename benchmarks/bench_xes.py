"""Benchmark: reading a 1,000,000-event XES log, journeyctl's reader against pm4py's own XES import.

Not part of the test suite. Run: `.venv/bin/python benchmarks/bench_xes.py [--events N] [--repeat R]`
(pm4py must be installed; it is AGPL, a benchmark/test dependency only). Target (issue 21): journeyctl's
read within 0.5x pm4py's import time, with pm4py's `rustxes` variant where installed, else its default.

Each measurement runs in a fresh subprocess (wall time, CPU time, peak RSS of that process alone):
- journeyctl: `conform.xes.readable_log` streaming the XES into the Parquet the engine reads (what
  `conform LOG.xes` does before the SQL), and the whole `conform_log` run on that XES;
- pm4py: `pm4py.read_xes(path)` (its default variant, or `variant="rustxes"` when rustxes is installed).
The generated log: 100,000 traces of 10 events, each event with concept:name, lifecycle:transition,
time:timestamp and an org:resource, as process-mining exports write them.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
JOURNEY = ROOT / "tests" / "fixtures" / "conform" / "trial.journey.yaml"
ACTIVITIES = ["ad-click", "landing", "pricing", "signup", "welcome", "session_start", "tips", "checkin", "demo",
              "contract"]

JOURNEYCTL = """
import json, resource, sys, time
from pathlib import Path
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
t0 = time.perf_counter(); c0 = cpu()
from journeyctl.conform.xes import readable_log
with readable_log(Path(sys.argv[1])) as log:
    t1 = time.perf_counter(); c1 = cpu()
    n = log.events_read
    if sys.argv[2] == "conform":
        from journeyctl.check.pipeline import load_model
        from journeyctl.conform.engine import conform_log
        journey, _ = load_model(Path(sys.argv[3]))
        result = conform_log(journey, log.path, customer=log.customer, event=log.event, timestamp=log.timestamp)
t2 = time.perf_counter()
print(json.dumps({"read_s": t1 - t0, "total_s": t2 - t0, "cpu_s": cpu() - c0, "events": n,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

PM4PY = """
import json, resource, sys, time, warnings
warnings.simplefilter("ignore")
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
import pm4py
try:
    import rustxes  # noqa: F401
    variant = "rustxes"
except ImportError:
    variant = None
t0 = time.perf_counter(); c0 = cpu()
df = pm4py.read_xes(sys.argv[1], variant=variant, show_progress_bar=False) if variant else pm4py.read_xes(sys.argv[1], show_progress_bar=False)
t1 = time.perf_counter()
print(json.dumps({"read_s": t1 - t0, "cpu_s": cpu() - c0, "events": len(df), "variant": variant or "default",
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def generate(path: Path, events: int, seed: int = 1849) -> Path:
    """A plain XES log of `events` events, 10 per trace."""
    rng = random.Random(seed)
    base = datetime(2025, 3, 1, tzinfo=timezone.utc)
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<log xes.version="1849-2016" '
                  'xmlns="http://www.xes-standard.org/">\n'
                  '  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>\n'
                  '  <extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>\n'
                  '  <extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>\n'
                  '  <extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>\n')
        for t in range(events // 10):
            out.write(f'  <trace>\n    <string key="concept:name" value="cust-{t:07d}"/>\n')
            when = base + timedelta(seconds=rng.randrange(30 * 86400))
            for _ in range(10):
                when += timedelta(seconds=rng.randrange(60, 86400))
                out.write('    <event>\n'
                          f'      <string key="concept:name" value="{rng.choice(ACTIVITIES)}"/>\n'
                          '      <string key="lifecycle:transition" value="complete"/>\n'
                          f'      <date key="time:timestamp" value="{when.isoformat(timespec="milliseconds")}"/>\n'
                          f'      <string key="org:resource" value="team-{rng.randrange(5)}"/>\n'
                          '    </event>\n')
            out.write('  </trace>\n')
        out.write('</log>\n')
    return path


def run(code: str, *args: str) -> dict:
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=3600)
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"events-{args.events}.xes"
    if not path.exists():
        generate(path, args.events)
    size_mb = path.stat().st_size / 1e6
    ours = [run(JOURNEYCTL, str(path), "read") for _ in range(args.repeat)]
    whole = [run(JOURNEYCTL, str(path), "conform", str(JOURNEY)) for _ in range(args.repeat)]
    theirs = [run(PM4PY, str(path)) for _ in range(args.repeat)]
    assert {r["events"] for r in ours} == {r["events"] for r in theirs} == {args.events}, (ours, theirs)

    def med(rows: list[dict], key: str) -> float:
        return statistics.median(r[key] for r in rows)

    ratio = med(ours, "read_s") / med(theirs, "read_s")
    print(f"XES log: {args.events:,} events, {size_mb:,.0f} MB; medians of {args.repeat} runs")
    print("| reader | wall s | CPU s | peak RSS MB |")
    print("|---|---:|---:|---:|")
    print(f"| journeyctl readable_log (XES → Parquet) | {med(ours, 'read_s'):.2f} | {med(ours, 'cpu_s'):.2f} | "
          f"{med(ours, 'peak_rss_mb'):.0f} |")
    print(f"| journeyctl conform_log on the XES (read + SQL) | {med(whole, 'total_s'):.2f} | {med(whole, 'cpu_s'):.2f} | "
          f"{med(whole, 'peak_rss_mb'):.0f} |")
    print(f"| pm4py.read_xes ({theirs[0]['variant']}) | {med(theirs, 'read_s'):.2f} | {med(theirs, 'cpu_s'):.2f} | "
          f"{med(theirs, 'peak_rss_mb'):.0f} |")
    print(f"ratio journeyctl / pm4py (read): {ratio:.2f}x (target <= 0.5x: {'met' if ratio <= 0.5 else 'NOT met'})")


if __name__ == "__main__":
    main()
