"""Benchmark: `journeyctl docs` on generated workspaces of 100 and 1,000 journeys, with and without SVG.

Not part of the test suite. Run from the repository root: `.venv/bin/python benchmarks/bench_docs.py`
(add `--sizes 100 1000 5000` or `--modes no-svg` to change the grid). Each measurement is the real
command (`python -m journeyctl docs WS -o OUT`) in a fresh process, timed from outside; peak memory
is ru_maxrss over that process and its descendants (the largest single process: journeyctl itself,
not the short-lived Graphviz runs, which hold one diagram each). The site is built twice per point and the faster run is kept, after checking
both builds wrote byte-identical files.

Scaling is judged per journey: time/journey and the growth of peak memory from the smaller to the
larger workspace should stay roughly flat (the build holds one journey's model at a time; what grows
is the index rows, the catalog's "used by" lists and the findings of every file, a few KB per journey).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out" / "docs"
sys.path.insert(0, str(ROOT / "benchmarks"))

from generate import generate  # noqa: E402

MODES = {
    "no-svg": ["--no-svg"],
    "svg-map": ["--views", "map"],
    "svg": [],
}

# Runs the command in a child and reports the child's own peak RSS: the wrapper itself stays tiny.
WRAPPER = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
elapsed = time.perf_counter() - started
print(json.dumps({"rc": done.returncode, "seconds": elapsed, "stderr": done.stderr.decode()[-500:],
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def digest(site: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        h.update(path.relative_to(site).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def measure(workspace: Path, site: Path, extra: list[str]) -> dict:
    command = [sys.executable, "-m", "journeyctl", "docs", str(workspace), "-o", str(site), *extra]
    env = dict(os.environ, JOURNEYCTL_TODAY="2026-11-01")
    done = subprocess.run([sys.executable, "-c", WRAPPER, *command], capture_output=True, text=True, env=env,
                          cwd=ROOT, check=True)
    result = json.loads(done.stdout)
    if result["rc"] != 0:
        raise SystemExit(f"journeyctl docs failed: {result['stderr']}")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--modes", nargs="+", default=list(MODES), choices=list(MODES))
    args = parser.parse_args(argv)
    rows = []
    for size in args.sizes:
        workspace = OUT / f"ws-{size}"
        generate(workspace, size)
        files = sorted(workspace.glob("*.journey.yaml"))
        input_mb = sum(p.stat().st_size for p in files) / 2**20
        for mode in args.modes:
            runs, digests = [], []
            for attempt in (1, 2):
                site = OUT / f"site-{size}-{mode}-{attempt}"
                if site.exists():
                    subprocess.run(["rm", "-rf", str(site)], check=True)
                runs.append(measure(workspace, site, MODES[mode]))
                digests.append(digest(site))
            if digests[0] != digests[1]:
                raise SystemExit(f"{size} journeys, {mode}: the two builds differ (not deterministic)")
            best = min(runs, key=lambda r: r["seconds"])
            site_mb = sum(p.stat().st_size for p in site.rglob("*") if p.is_file()) / 2**20
            row = {"journeys": size, "mode": mode, "input_mb": round(input_mb, 1), "seconds": round(best["seconds"], 2),
                   "ms_per_journey": round(1000 * best["seconds"] / size, 1),
                   "peak_rss_mb": round(max(r["peak_rss_mb"] for r in runs), 1), "site_mb": round(site_mb, 1)}
            rows.append(row)
            sys.stdout.write(json.dumps(row) + "\n")
            sys.stdout.flush()
    (OUT / "bench_docs.json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    sys.stdout.write("\n| journeys | mode | input MB | seconds | ms/journey | peak RSS MB | site MB |\n"
                     "| --: | --- | --: | --: | --: | --: | --: |\n")
    for r in rows:
        sys.stdout.write(f"| {r['journeys']} | {r['mode']} | {r['input_mb']} | {r['seconds']} | {r['ms_per_journey']} "
                         f"| {r['peak_rss_mb']} | {r['site_mb']} |\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
