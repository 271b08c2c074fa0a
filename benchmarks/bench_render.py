"""Render benchmark (not part of the test suite): large journeys must stay fast.

    .venv/bin/python benchmarks/bench_render.py [--naive-timeout 200] [--sizes 1000,2000]

Generated journeys: N touchpoints in 10 stage clusters, a chain through all of them plus a skip edge
from 20% of them, jumping 2..100 touchpoints ahead (at most about one stage); five teams owning runs of
touchpoints, so the map has hand-offs and team changes without one; conditions, rates, waits,
emotions and pain points, as a real journey has. One extra line (informational, no target) shows the
pathological case the render timeout exists for: skips to anywhere ahead.

Times are wall clock and CPU (user + sys, of dot's process for Graphviz, of this process for
journeyctl). On a shared machine wall time inflates with load, so the verdicts use CPU time; both
are printed.

Targets (issue 5):
1. 1,000 touchpoints: the map view in at most 0.05x the time of a naive layout of the same map (edge
   `label`s, Graphviz defaults), measured in the same run; the naive run is capped by a timeout and
   reported as ">= T" when cut.
2. 2,000 touchpoints: every view within the default render timeout (60 s).
3. journeyctl's own time (everything but dot) at most half of dot's.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from journeyctl.format.model import Journey  # noqa: E402
from journeyctl.render import DEFAULT_TIMEOUT, render, to_dot  # noqa: E402
from journeyctl.render import layout  # noqa: E402
from journeyctl.render.layout import RenderTimeout, run_dot  # noqa: E402

TEAMS = ("marketing", "sales", "onboarding", "support", "billing")
CHANNELS = ("web", "email", "phone", "chat", "in-app")
SKIP_SPAN = 100  # a skip edge jumps 2..SKIP_SPAN touchpoints ahead


def generate(n: int, seed: int = 7, span: int = SKIP_SPAN) -> Journey:
    rng = random.Random(seed)
    ids = [f"tp-{i:05d}" for i in range(n)]
    per_stage = n // 10
    stages = []
    for s in range(10):
        touchpoints = []
        for i in range(s * per_stage, (s + 1) * per_stage if s < 9 else n):
            owner = TEAMS[(i // 25) % len(TEAMS)]
            tp = {"id": ids[i], "name": f"Touchpoint {i} of the generated journey", "kind": "external",
                  "channel": CHANNELS[i % len(CHANNELS)], "owner": owner, "emotion": rng.randint(-2, 2),
                  "pain_points": [f"Pain point {i}: waiting for an answer"] if i % 7 == 0 else []}
            if i == 0:
                tp.update(entry=True, share=1.0)
            nxt = []
            if i + 1 < n:
                skip = rng.random() < 0.2 and i + 2 < n
                step = {"to": ids[i + 1], "when": f"customer moves on from step {i}", "rate": 0.75 if skip else 0.9,
                        "wait": "1d"}
                if TEAMS[((i + 1) // 25) % len(TEAMS)] != owner and i % 2 == 0:
                    step["handoff"] = {"trigger": "account passed on", "sla": "24h", "via": "CRM"}
                nxt.append(step)
                if skip:
                    target = min(n - 1, i + rng.randint(2, span))
                    nxt.append({"to": ids[target], "when": f"customer skips ahead from step {i}", "rate": 0.15})
            else:
                tp["outcome"] = "converted"
            tp["next"] = nxt
            touchpoints.append(tp)
        stages.append({"id": f"stage-{s}", "name": f"Stage {s}", "goal": f"Goal of stage {s}",
                       "customer": {"does": "Works through the steps", "feels": "Varies"}, "touchpoints": touchpoints})
    data = {"journeyctl": 1, "id": f"generated-{n}", "title": f"Generated journey, {n} touchpoints",
            "teams": [{"id": t, "name": t.title()} for t in TEAMS],
            "channels": [{"id": c, "name": c} for c in CHANNELS], "stages": stages}
    return Journey.model_validate(data)


def naive_dot(journey: Journey) -> str:
    """The same map written the naive way: edge `label`s and Graphviz's default layout settings."""
    from journeyctl.render import dot as dot_writer
    from journeyctl.render import scene as scene_module

    saved = (dot_writer.XLABEL_THRESHOLD, dot_writer.layout_attrs, scene_module.CONDITION_TEXT_MAX)
    dot_writer.XLABEL_THRESHOLD = 10 ** 9
    dot_writer.layout_attrs = lambda count: {}
    scene_module.CONDITION_TEXT_MAX = 10 ** 9
    try:
        return to_dot(journey, "map")
    finally:
        dot_writer.XLABEL_THRESHOLD, dot_writer.layout_attrs, scene_module.CONDITION_TEXT_MAX = saved


class Clock:
    """Wall and CPU time of a block, split into Graphviz (run_dot's child processes) and journeyctl."""

    def __init__(self) -> None:
        self.dot_wall = self.dot_cpu = 0.0

    def __enter__(self) -> "Clock":
        self._original = layout.run_dot

        def timed(*args, **kwargs):
            wall, cpu = time.perf_counter(), _children_cpu()
            try:
                return self._original(*args, **kwargs)
            finally:
                self.dot_wall += time.perf_counter() - wall
                self.dot_cpu += _children_cpu() - cpu

        layout.run_dot = timed
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self._wall
        self.own_cpu = time.process_time() - self._cpu
        layout.run_dot = self._original

    @property
    def cpu(self) -> float:
        return self.dot_cpu + self.own_cpu


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_render(journey: Journey, view: str, fmt: str) -> Clock:
    with Clock() as clock:
        render(journey, view, fmt, timeout=DEFAULT_TIMEOUT)
    return clock


def naive_run(journey: Journey, timeout: float) -> tuple[float, float, bool]:
    """(wall, cpu, cut) of dot on the naive map, stopped after `timeout` seconds."""
    source = naive_dot(journey)
    wall, cpu = time.perf_counter(), _children_cpu()
    try:
        run_dot(source, "svg", timeout=timeout, what="the naive map")
        cut = False
    except RenderTimeout:
        cut = True
    return time.perf_counter() - wall, _children_cpu() - cpu, cut


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--naive-timeout", type=float, default=200.0,
                        help="cap on the naive layout (s); reported as '>= T' when cut")
    parser.add_argument("--sizes", default="1000,2000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    ok = True
    print(f"Graphviz {layout.dot_version()}; Python {sys.version.split()[0]}")

    if 1000 in sizes:
        journey = generate(1000)
        edges = sum(len(tp.next) for _, tp in journey.touchpoints())
        print(f"\n1,000 touchpoints, {edges} transitions, 10 stage clusters (skips up to {SKIP_SPAN} ahead)")
        ours = timed_render(journey, "map", "svg")
        print(f"  map, journeyctl settings:    wall {ours.wall:7.2f} s   cpu {ours.cpu:7.2f} s   "
              f"(dot cpu {ours.dot_cpu:.2f} s, journeyctl cpu {ours.own_cpu:.2f} s)")
        wall, cpu, cut = naive_run(journey, args.naive_timeout)
        mark = ">= " if cut else ""
        print(f"  map, naive (labels, defaults): wall {mark}{wall:.2f} s   cpu {mark}{cpu:.2f} s"
              + ("   (stopped at the cap)" if cut else ""))
        ratio_wall, ratio_cpu = ours.wall / wall, ours.cpu / cpu
        verdict = "ok" if ratio_cpu <= 0.05 else "TOO SLOW"
        print(f"  ratio: wall {'<= ' if cut else ''}{ratio_wall:.3f}x, cpu {'<= ' if cut else ''}{ratio_cpu:.3f}x "
              f"of naive (target <= 0.05x): {verdict}")
        ok &= ratio_cpu <= 0.05
        anywhere = timed_render(generate(1000, span=1000), "map", "svg")
        print(f"  informational, skips to anywhere ahead: map wall {anywhere.wall:.2f} s, cpu {anywhere.cpu:.2f} s")

    for n in [s for s in sizes if s != 1000]:
        journey = generate(n)
        print(f"\n{n:,} touchpoints, every view (default timeout {DEFAULT_TIMEOUT:.0f} s; "
              "journeyctl's own time must be <= half of dot's)")
        for view, fmt in (("map", "svg"), ("blueprint", "svg"), ("emotion", "svg"), ("funnel", "svg"),
                          ("map", "mermaid"), ("journey", "mermaid"), ("map", "md")):
            try:
                clock = timed_render(journey, view, fmt)
            except RenderTimeout as exc:
                print(f"  {view:9} {fmt:7}: TIMEOUT ({exc})")
                ok = False
                continue
            share = f"journeyctl/dot {clock.own_cpu / clock.dot_cpu:.2f}" if clock.dot_cpu else "no dot"
            within = clock.wall <= DEFAULT_TIMEOUT and (not clock.dot_cpu or clock.own_cpu <= clock.dot_cpu / 2)
            ok &= within
            print(f"  {view:9} {fmt:7}: wall {clock.wall:6.2f} s   cpu: dot {clock.dot_cpu:6.2f} s, "
                  f"journeyctl {clock.own_cpu:5.2f} s   {share}{'' if within else '   FAIL'}")
    print("\nall targets met" if ok else "\nSOME TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
