"""`journeyctl diff` between two revisions of a 200-journey repository vs `journeyctl validate` of one.

Target: diff ≤ 2x validate. A diff must check both sides, so it would cost 2x validate if it re-checked
everything; it stays below by checking a file identical on both sides once (most files of a pull
request are). When every journey is edited there is nothing to share: it keeps up by checking and
comparing both versions of a path in one worker job, so all cores work, as validate's do. Two
scenarios: a typical PR (10% of journeys edited, 2 moved, 1 added, 1 removed) and the worst case
(every journey edited).

    python benchmarks/bench_diff.py [--journeys 200] [--touchpoints 14] [--repeat 5] [--json OUT]

Times are the best of --repeat runs, validate and diff interleaved, of the CLI as a user runs it (a
fresh process each time; validate may use a process pool) and of the core functions in-process (no
interpreter start-up, both serial: check.check_paths vs diff.sides.load_sides).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

GIT_ENV = {"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com", "GIT_COMMITTER_NAME": "bench",
           "GIT_COMMITTER_EMAIL": "bench@example.com", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def journey_text(index: int, touchpoints: int) -> str:
    try:
        from generate import journey_text as generated
    except ImportError:  # benchmarks/generate.py absent: repeat a test fixture under new ids
        fixture = HERE.parent / "tests" / "fixtures" / "diff" / "base" / "journeys" / "onboarding.journey.yaml"
        return fixture.read_text(encoding="utf-8").replace("id: onboarding", f"id: journey-{index:05d}", 1)
    return generated(index, touchpoints)


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env={**os.environ, **GIT_ENV})


def edit(text: str, index: int) -> str:
    """A reviewer-visible edit: an owner, an SLA, a rate and a KPI target change."""
    for old, new in (("owner: sales", "owner: support"), ("sla: 24h", "sla: 12h"), ("rate: 0.", "rate: 0.0"),
                     ("target: ", "target: 1")):
        text = text.replace(old, new, 1)
    return text + f"# edited in revision 2 ({index})\n"


def build(root: Path, journeys: int, touchpoints: int, edit_every: int) -> Path:
    repo = root / "repo"
    (repo / "journeys").mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    for i in range(journeys):
        (repo / "journeys" / f"j{i:05d}.journey.yaml").write_text(journey_text(i, touchpoints), encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "rev1")
    git(repo, "tag", "rev1")
    files = sorted((repo / "journeys").glob("*.journey.yaml"))
    for i, path in enumerate(files):
        if i % edit_every == 0:
            path.write_text(edit(path.read_text(encoding="utf-8"), i), encoding="utf-8")
    if edit_every > 1:
        (repo / "journeys" / "moved").mkdir()
        for path in files[1:3]:
            git(repo, "mv", str(path.relative_to(repo)), f"journeys/moved/{path.name}")
        git(repo, "rm", "-q", str(files[3].relative_to(repo)))
        (repo / "journeys" / "new.journey.yaml").write_text(journey_text(journeys, touchpoints), encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "rev2")
    git(repo, "tag", "rev2")
    return repo


def best_pair(repeat: int, first, second) -> tuple[float, float]:
    """Best times of two runs, interleaved so that load from other processes hits both alike."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for run, out in ((first, times[0]), (second, times[1])):
            start = time.perf_counter()
            run()
            out.append(time.perf_counter() - start)
    return min(times[0]), min(times[1])


def cli(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "journeyctl", *args], cwd=repo, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV})


def measure(repo: Path, repeat: int) -> dict[str, float | str]:
    from journeyctl.check.pipeline import check_paths
    from journeyctl.config import load_config
    from journeyctl.diff.sides import load_sides

    os.chdir(repo)
    config = load_config(start=repo)
    diff_out = cli(repo, "diff", "rev1", "rev2")
    summary = diff_out.stdout.splitlines()[0] if diff_out.stdout else diff_out.stderr.strip()
    cli_validate, cli_diff = best_pair(repeat, lambda: cli(repo, "validate", ".", "--no-cache", "-f", "json"),
                                       lambda: cli(repo, "diff", "rev1", "rev2", "-f", "json"))
    core_validate, core_diff = best_pair(repeat, lambda: check_paths([Path(".")], config),
                                         lambda: load_sides("rev1", ["rev2"], config, repo))
    figures: dict[str, float | str] = {"cli_validate_s": cli_validate, "cli_diff_s": cli_diff,
                                       "core_validate_s": core_validate, "core_diff_s": core_diff,
                                       "summary": summary}
    figures["cli_ratio"] = round(figures["cli_diff_s"] / figures["cli_validate_s"], 2)  # type: ignore[operator]
    figures["core_ratio"] = round(figures["core_diff_s"] / figures["core_validate_s"], 2)  # type: ignore[operator]
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journeys", type=int, default=200)
    parser.add_argument("--touchpoints", type=int, default=14)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", type=Path, default=None, help="Also write the figures here.")
    args = parser.parse_args()
    results = {}
    cwd = os.getcwd()
    for name, every in (("typical PR (10% edited, 2 moved, 1 added, 1 removed)", 10), ("every journey edited", 1)):
        with tempfile.TemporaryDirectory(prefix="bench-diff-") as tmp:
            repo = build(Path(tmp), args.journeys, args.touchpoints, every)
            results[name] = measure(repo, args.repeat)
            os.chdir(cwd)
    print(f"{args.journeys} journeys x {args.touchpoints} touchpoints, best of {args.repeat}; target diff <= 2x validate")
    for name, r in results.items():
        print(f"\n{name}\n  {r['summary']}")
        print(f"  CLI:  validate {r['cli_validate_s']:.3f}s  diff {r['cli_diff_s']:.3f}s  ratio {r['cli_ratio']}")
        print(f"  core: validate {r['core_validate_s']:.3f}s  diff {r['core_diff_s']:.3f}s  ratio {r['core_ratio']}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    worst = max(float(r["cli_ratio"]) for r in results.values())
    return 0 if worst <= 2.0 else 1


if __name__ == "__main__":
    shutil.which("git") or sys.exit("git is required")
    sys.exit(main())
