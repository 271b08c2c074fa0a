"""Benchmark: `journeyctl docs` on generated workspaces of 100 and 1,000 journeys, with and without SVG.

Not part of the test suite. Run from the repository root: `.venv/bin/python benchmarks/bench_docs.py`
(add `--sizes 100 1000 5000` or `--modes no-svg` to change the grid). Each measurement is the real
command (`python -m journeyctl docs WS -o OUT`) in a fresh process, timed from outside; peak memory
is ru_maxrss over that process and its descendants (the largest single process: journeyctl itself,
not the short-lived Graphviz runs, which hold one diagram each). The site is built twice per point and the faster run is kept, after checking
both builds wrote byte-identical files.

Every build of the grid starts from an empty cache (its own JOURNEYCTL_CACHE_DIR): the figures are cold
builds. `--rebuild` adds, per point, a rebuild of the same site with nothing changed and a rebuild after one
journey's title changed (the page cache's case: issue 18 asks for 1 s at 1,000 journeys); the edit is
undone afterwards. CPU seconds are those of journeyctl and every process it waited for (Graphviz, the check
workers); the load average is printed before and after, as the machine may be shared.

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
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"rc": done.returncode, "seconds": elapsed, "stderr": done.stderr.decode()[-500:],
                  "peak_rss_mb": usage.ru_maxrss / 1024, "cpu_seconds": usage.ru_utime + usage.ru_stime}))
"""


def digest(site: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        h.update(path.relative_to(site).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def measure(workspace: Path, site: Path, extra: list[str], cache: Path) -> dict:
    command = [sys.executable, "-m", "journeyctl", "docs", str(workspace), "-o", str(site), *extra]
    env = dict(os.environ, JOURNEYCTL_TODAY="2026-11-01", JOURNEYCTL_CACHE_DIR=str(cache))
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
    parser.add_argument("--rebuild", action="store_true", help="also time an unchanged rebuild and one edit")
    parser.add_argument("--attempts", type=int, default=2, help="builds per point; the fastest is kept")
    args = parser.parse_args(argv)
    sys.stdout.write(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}\n")
    rows = []
    for size in args.sizes:
        workspace = OUT / f"ws-{size}"
        generate(workspace, size)
        files = sorted(workspace.glob("*.journey.yaml"))
        input_mb = sum(p.stat().st_size for p in files) / 2**20
        for mode in args.modes:
            runs, digests, unchanged, edited = [], [], [], []
            for attempt in range(1, max(1, args.attempts) + 1):
                site = OUT / f"site-{size}-{mode}-{attempt}"
                cache = OUT / f"cache-{size}-{mode}-{attempt}"
                for old in (site, cache):
                    if old.exists():
                        subprocess.run(["rm", "-rf", str(old)], check=True)
                runs.append(measure(workspace, site, MODES[mode], cache))
                digests.append(digest(site))
                if args.rebuild:
                    unchanged.append(measure(workspace, site, MODES[mode], cache))
                    if digest(site) != digests[-1]:
                        raise SystemExit(f"{size} journeys, {mode}: an unchanged rebuild changed the site")
                    edited.append(_one_edit(files[len(files) // 2], workspace, site, MODES[mode], cache))
            if len(set(digests)) != 1:
                raise SystemExit(f"{size} journeys, {mode}: the builds differ (not deterministic)")
            best = min(runs, key=lambda r: r["seconds"])
            site_mb = sum(p.stat().st_size for p in site.rglob("*") if p.is_file()) / 2**20
            row = {"journeys": size, "mode": mode, "input_mb": round(input_mb, 1), "seconds": round(best["seconds"], 2),
                   "ms_per_journey": round(1000 * best["seconds"] / size, 1),
                   "peak_rss_mb": round(max(r["peak_rss_mb"] for r in runs), 1), "site_mb": round(site_mb, 1),
                   "cpu_seconds": round(best["cpu_seconds"], 2)}
            if args.rebuild:
                row["unchanged_seconds"] = round(min(r["seconds"] for r in unchanged), 2)
                row["one_edit_seconds"] = round(min(r["seconds"] for r in edited), 2)
                row["one_edit_cpu_seconds"] = round(min(r["cpu_seconds"] for r in edited), 2)
            rows.append(row)
            sys.stdout.write(json.dumps(row) + "\n")
            sys.stdout.flush()
    sys.stdout.write(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}\n")
    (OUT / "bench_docs.json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    sys.stdout.write("\n| journeys | mode | input MB | cold s | CPU s | ms/journey | peak RSS MB | site MB "
                     "| unchanged s | one edit s |\n| --: | --- | --: | --: | --: | --: | --: | --: | --: | --: |\n")
    for r in rows:
        sys.stdout.write(f"| {r['journeys']} | {r['mode']} | {r['input_mb']} | {r['seconds']} | {r['cpu_seconds']} "
                         f"| {r['ms_per_journey']} | {r['peak_rss_mb']} | {r['site_mb']} "
                         f"| {r.get('unchanged_seconds', '')} | {r.get('one_edit_seconds', '')} |\n")
    return 0


def _one_edit(path: Path, workspace: Path, site: Path, extra: list[str], cache: Path) -> dict:
    """Rebuild after one journey's title changed, then put the file back."""
    original = path.read_bytes()
    path.write_bytes(original.replace(b"title: ", b"title: Edited ", 1))
    try:
        return measure(workspace, site, extra, cache)
    finally:
        path.write_bytes(original)


if __name__ == "__main__":
    sys.exit(main())
