"""The validate benchmark: journeyctl against the tools a team would otherwise use, on this machine, in one go.

    .venv/bin/python benchmarks/run.py            # everything (a few minutes); `make bench` runs this
    .venv/bin/python benchmarks/run.py --quick    # fewer repetitions, no 10,000-journey run
    .venv/bin/python benchmarks/run.py --profile  # also: where validate's time goes (cProfile)

Every command runs as its own process, as a user or a CI job runs it, and is timed from the outside:
wall time, CPU time (user + sys, children included) and peak resident memory come from os.wait4.
Each figure is the median of several runs. Workspaces come from benchmarks/generate.py (deterministic),
in benchmarks/out/ (not committed). Results are printed as Markdown tables and written to
benchmarks/out/results.md and results.json; docs/benchmarks.md discusses a run.

Not part of the test suite: timings on a shared machine vary, and the targets below are checked here,
not asserted in CI. The load average is printed before and after, so a busy machine shows.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "benchmarks" / "out"
BIN = Path(sys.executable).parent
SCHEMA = REPO / "schemas" / "journey.schema.json"
TODAY = "2026-11-01"

sys.path.insert(0, str(REPO / "benchmarks"))
from generate import generate, journey_text  # noqa: E402


@dataclass
class Sample:
    wall: float
    cpu: float
    rss_mb: float
    code: int


@dataclass
class Result:
    label: str
    samples: list[Sample] = field(default_factory=list)
    note: str = ""

    @property
    def wall(self) -> float:
        return statistics.median(s.wall for s in self.samples) if self.samples else float("nan")

    @property
    def cpu(self) -> float:
        return statistics.median(s.cpu for s in self.samples) if self.samples else float("nan")

    @property
    def rss(self) -> float:
        return statistics.median(s.rss_mb for s in self.samples) if self.samples else float("nan")


GNU_TIME = "/usr/bin/time" if Path("/usr/bin/time").exists() else None


def run_once(cmd: list[str], cwd: Path, env: dict[str, str] | None = None, ok: tuple[int, ...] = (0, 1)) -> Sample:
    """Run a command to completion: wall time from here; CPU time and peak RSS of its whole process tree.

    CPU and memory come from GNU time when present: a child forked from this (large) Python process
    would otherwise report this process's memory as its own peak. Without it, os.wait4.
    """
    environ = {**os.environ, "NO_COLOR": "1", "JOURNEYCTL_TODAY": TODAY, **(env or {})}
    environ.pop("GITHUB_ACTIONS", None)
    with tempfile.TemporaryDirectory() as tmp:
        stats = Path(tmp) / "time"
        wrapped = [GNU_TIME, "-f", "%e %U %S %M", "-o", str(stats), *cmd] if GNU_TIME else cmd
        with open(Path(tmp) / "stderr", "w+b") as err:
            start = time.perf_counter()
            proc = subprocess.Popen(wrapped, cwd=cwd, env=environ, stdout=subprocess.DEVNULL, stderr=err)
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - start
            code = os.waitstatus_to_exitcode(status)
            proc.returncode = code
            if code not in ok:
                err.seek(0)
                raise RuntimeError(f"{' '.join(cmd[:4])}... exited {code}: {err.read().decode()[-2000:]}")
        if GNU_TIME:
            fields = stats.read_text().split()[-4:]  # "Command exited with non-zero status 1" may come first
            return Sample(wall, float(fields[1]) + float(fields[2]), int(fields[3]) / 1024, code)
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, code)


def measure(label: str, cmd: list[str], cwd: Path, reps: int, env: dict[str, str] | None = None,
            before=None, ok: tuple[int, ...] = (0, 1)) -> Result:
    result = Result(label)
    for _ in range(reps):
        if before:
            before()
        result.samples.append(run_once(cmd, cwd, env, ok))
    sys.stderr.write(f"  {label}: {result.wall:.3f} s wall, {result.cpu:.3f} s CPU, {result.rss:.0f} MB\n")
    return result


def tool(name: str) -> str | None:
    path = BIN / name
    return str(path) if path.exists() else shutil.which(name)


def workspace(n: int, touchpoints: int = 14) -> tuple[Path, list[str]]:
    directory = OUT / f"ws-{n}"
    paths = generate(directory, n, touchpoints)
    for extra in sorted(directory.glob("*.journey.yaml"))[n:]:
        extra.unlink()
    return directory, sorted(p.name for p in paths)


FLOOR = ("import sys, yaml\n"
         "for name in sys.argv[1:]:\n"
         "    with open(name, 'rb') as f:\n"
         "        yaml.load(f, Loader=yaml.CSafeLoader)\n")


def compare_tools(reps: int) -> dict[str, Result]:
    ws, names = workspace(1000)
    cache = OUT / "cache-1000"
    journeyctl = [str(BIN / "journeyctl"), "validate", "."]
    out: dict[str, Result] = {}
    sys.stderr.write("1,000 journeys:\n")
    out["floor"] = measure("parse floor: CSafeLoader, one process", [sys.executable, "-c", FLOOR, *names], ws, reps)
    out["validate"] = measure("journeyctl validate --no-cache", [*journeyctl, "--no-cache"], ws, reps)
    out["validate-1"] = measure("journeyctl validate --no-cache, 1 process", [*journeyctl, "--no-cache"], ws, reps,
                                env={"JOURNEYCTL_JOBS": "1"})

    def clear() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    env = {"JOURNEYCTL_CACHE_DIR": str(cache)}
    out["first"] = measure("journeyctl validate, empty cache", journeyctl, ws, reps, env=env, before=clear)
    out["rerun"] = measure("journeyctl validate, unchanged (cached)", journeyctl, ws, reps, env=env)
    checker = tool("check-jsonschema")
    if checker:
        # Its default regex dialect (ECMAScript) once rejected the schema's URL pattern, and then checked
        # nothing: exit status 0 is required, so a schema it cannot load fails the benchmark loudly.
        out["check-jsonschema"] = measure("check-jsonschema --schemafile",
                                          [checker, "--schemafile", str(SCHEMA), *names],
                                          ws, max(1, reps // 2), ok=(0,))
    else:
        out["check-jsonschema"] = Result("check-jsonschema", note="not installed (.venv/bin/pip install check-jsonschema)")
    linter = tool("yamllint")
    if linter:
        # Pure Python and slow: one run is enough to place it.
        out["yamllint"] = measure("yamllint (default config)", [linter, *names], ws, 1)
    else:
        out["yamllint"] = Result("yamllint", note="not installed (.venv/bin/pip install yamllint)")
    return out


def scaling(reps: int) -> dict[str, Result]:
    out = {}
    sys.stderr.write("scaling:\n")
    for n in (1000, 10000):
        ws, _ = workspace(n)
        out[str(n)] = measure(f"journeyctl validate --no-cache, {n:,} journeys",
                              [str(BIN / "journeyctl"), "validate", ".", "--no-cache"], ws, reps)
    return out


def rule_time(reps: int) -> dict[str, float]:
    """Seconds the rules take on one journey of 500 and of 5,000 touchpoints (load and schema excluded)."""
    from journeyctl.check import pipeline as check
    from journeyctl.config import Config
    from journeyctl.format.loader import load_text
    from journeyctl.format.model import Journey

    config = Config(cache=False)
    severities = check.effective_severities(config)
    out = {}
    for m in (500, 5000):
        doc = load_text(journey_text(0, m), Path("big.journey.yaml"))
        journey = Journey.model_validate(doc.data)
        times = []
        for _ in range(max(3, reps)):
            start = time.process_time()
            check.run_rules(journey, doc, "big.journey.yaml", severities, check._context(config))
            times.append(time.process_time() - start)
        out[str(m)] = statistics.median(times)
        sys.stderr.write(f"  rules on {m:,} touchpoints: {out[str(m)]:.3f} s CPU\n")
    return out


def start_up(reps: int) -> dict[str, Result]:
    small = OUT / "small"
    small.mkdir(parents=True, exist_ok=True)
    (small / "small.journey.yaml").write_text(journey_text(0, 3), encoding="utf-8")
    sys.stderr.write("start-up:\n")
    return {
        "pass": measure("python3 -c pass", [sys.executable, "-c", "pass"], small, reps),
        "version": measure("journeyctl --version", [str(BIN / "journeyctl"), "--version"], small, reps),
        "validate-small": measure("journeyctl validate --no-cache (one small file)",
                                  [str(BIN / "journeyctl"), "validate", "--no-cache", "small.journey.yaml"], small, reps),
    }


def render_bench() -> str:
    script = REPO / "benchmarks" / "bench_render.py"
    if not script.exists():
        return "skipped: benchmarks/bench_render.py (the render engineer's harness) does not exist yet"
    proc = subprocess.run([sys.executable, str(script)], cwd=REPO, capture_output=True, text=True, timeout=1800)
    text = "From benchmarks/bench_render.py (the render engineer's harness"
    text += ")" if proc.returncode == 0 else f"; it exited {proc.returncode}, i.e. a render target was missed)"
    return text + ":\n\n```\n" + (proc.stdout.strip() or proc.stderr.strip()[-2000:]) + "\n```"


def profile_validate(top: int = 18) -> str:
    """cProfile of one serial validate of the 1,000-journey workspace, in process, no cache."""
    import cProfile
    import io
    import pstats

    from journeyctl.config import Config
    from journeyctl.check.run import run_checks

    ws, _ = workspace(1000)
    cwd = os.getcwd()
    os.environ["JOURNEYCTL_JOBS"] = "1"
    os.environ["JOURNEYCTL_TODAY"] = TODAY
    os.chdir(ws)
    try:
        profiler = cProfile.Profile()
        profiler.enable()
        run_checks([Path(".")], Config(root=ws, cache=False))
        profiler.disable()
    finally:
        os.chdir(cwd)
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream)
    total = sum(row[2] for row in stats.stats.values())  # type: ignore[attr-defined]
    groups: dict[str, float] = {}
    for (filename, _, name), row in stats.stats.items():  # type: ignore[attr-defined]
        groups[_group(filename, name)] = groups.get(_group(filename, name), 0.0) + row[2]
    lines = ["| where (own time, profiled) | share |", "|---|---:|"]
    lines += [f"| {k} | {v / total:.0%} |" for k, v in sorted(groups.items(), key=lambda kv: -kv[1])]
    stats.sort_stats("tottime").print_stats(top)
    body = stream.getvalue()
    body = body[body.find("   ncalls"):]
    return "\n".join(lines) + "\n\n```\n" + body.rstrip().replace(str(REPO) + "/", "") + "\n```"


def _group(filename: str, name: str) -> str:
    if "journeyctl/loader.py" in filename:
        return "YAML → nodes → data (journeyctl.format.loader, libyaml)" if name != "read_source" else "reading files"
    if name in ("get_single_node", "resolve") or "yaml/" in filename:
        return "YAML → nodes → data (journeyctl.format.loader, libyaml)"
    if "pydantic" in filename or "validate_python" in name or "journeyctl/model.py" in filename:
        return "schema: pydantic model validation"
    if "journeyctl/rules/" in filename:
        return "rules"
    if "journeyctl/workspace.py" in filename:
        return "workspace summaries (cross-file pass)"
    if "pathlib" in filename or "posixpath" in filename or name in ("display_path", "realpath", "lstat", "stat"):
        return "paths (display_path, discovery)"
    if "journeyctl/" in filename:
        return "other journeyctl (check pipeline, suppressions, findings)"
    return "other (interpreter, stdlib)"


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b and b == b and a == a else "n/a"


def verdict(value: float, limit: float) -> str:
    return "n/a" if value != value else ("met" if value <= limit else "MISSED")


def report(tools: dict[str, Result], scale: dict[str, Result] | None, rules: dict[str, float],
           boot: dict[str, Result], render: str, profile: str | None, load: tuple[str, str]) -> str:
    v, floor = tools["validate"], tools["floor"]
    lines = [f"Machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}; load average before "
             f"{load[0]}, after {load[1]}. Medians of several runs; wall time unless stated.", "",
             "### 1,000 journeys (~16 KB each)", "",
             "| command | wall s | CPU s | peak MB | journeyctl validate vs this |", "|---|---:|---:|---:|---:|"]
    for key in ("validate", "validate-1", "first", "rerun", "check-jsonschema", "yamllint", "floor"):
        r = tools[key]
        if r.note:
            lines.append(f"| {r.label} | {r.note} | | | |")
            continue
        lines.append(f"| {r.label} | {r.wall:.3f} | {r.cpu:.3f} | {r.rss:.0f} | {ratio(v.wall, r.wall)} |")
    cj, yl = tools["check-jsonschema"], tools["yamllint"]
    lines += ["", "| target | measured | limit | |", "|---|---:|---:|---|",
              f"| validate / check-jsonschema (wall) | {ratio(v.wall, cj.wall)} | 0.15x | "
              f"{verdict(v.wall / cj.wall if cj.samples else float('nan'), 0.15)} |",
              f"| validate / parse floor (wall) | {ratio(v.wall, floor.wall)} | 1.3x | {verdict(v.wall / floor.wall, 1.3)} |",
              f"| validate / parse floor (CPU, both cores summed) | {ratio(v.cpu, floor.cpu)} | (info) | |",
              f"| validate / yamllint (wall) | {ratio(v.wall, yl.wall) if yl.samples else 'n/a'} | (info) | |",
              f"| cached re-run / first run (wall) | {ratio(tools['rerun'].wall, tools['first'].wall)} | 0.1x | "
              f"{verdict(tools['rerun'].wall / tools['first'].wall, 0.1)} |"]
    if scale:
        a, b = scale["1000"], scale["10000"]
        lines += ["", "### Scaling", "", "| journeys | wall s | CPU s | peak MB |", "|---:|---:|---:|---:|",
                  f"| 1,000 | {a.wall:.3f} | {a.cpu:.3f} | {a.rss:.0f} |",
                  f"| 10,000 | {b.wall:.3f} | {b.cpu:.3f} | {b.rss:.0f} |", "",
                  "| target | measured | limit | |", "|---|---:|---:|---|",
                  f"| time 10,000 / 1,000 | {ratio(b.wall, a.wall)} | 10.5x | {verdict(b.wall / a.wall, 10.5)} |",
                  f"| peak memory 10,000 / 1,000 | {ratio(b.rss, a.rss)} | 1.5x | {verdict(b.rss / a.rss, 1.5)} |"]
    lines += ["", f"Rules alone on one journey: {rules['500']:.3f} s CPU at 500 touchpoints, {rules['5000']:.3f} s at "
              f"5,000 ({ratio(rules['5000'], rules['500'])} for 10x the touchpoints).",
              "", "### Start-up", "", "| command | wall s | vs python3 -c pass | limit |", "|---|---:|---:|---|"]
    p = boot["pass"]
    lines += [f"| {boot['pass'].label} | {p.wall:.3f} | 1.00x | |",
              f"| {boot['version'].label} | {boot['version'].wall:.3f} | {ratio(boot['version'].wall, p.wall)} | 8x: "
              f"{verdict(boot['version'].wall / p.wall, 8)} |",
              f"| {boot['validate-small'].label} | {boot['validate-small'].wall:.3f} | "
              f"{ratio(boot['validate-small'].wall, p.wall)} | |",
              "", "### Render (journeyctl vs dot, 1,000 touchpoints)", "", render]
    if profile:
        lines += ["", "### Where validate's time goes (1,000 journeys, one process, cProfile)", "", profile]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="journeyctl validate benchmark")
    parser.add_argument("--quick", action="store_true", help="3 repetitions, no 10,000-journey run")
    parser.add_argument("--reps", type=int, default=None, help="repetitions per command (default 5, quick 3)")
    parser.add_argument("--profile", action="store_true", help="add a cProfile breakdown of validate")
    args = parser.parse_args(argv)
    reps = args.reps or (3 if args.quick else 5)
    OUT.mkdir(parents=True, exist_ok=True)
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    tools = compare_tools(reps)
    scale = None if args.quick else scaling(max(1, reps - 2))
    rules = rule_time(reps)
    boot = start_up(max(reps, 7))
    render = render_bench()
    profile = profile_validate() if args.profile else None
    load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())
    text = report(tools, scale, rules, boot, render, profile, (load_before, load_after))
    sys.stdout.write(text)
    (OUT / "results.md").write_text(text, encoding="utf-8")
    raw = {k: [vars(s) for s in r.samples] for k, r in {**tools, **(scale or {}), **boot}.items()}
    (OUT / "results.json").write_text(json.dumps({"results": raw, "rules": rules}, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
