"""Deterministic workspaces of realistic journeys for the benchmarks (and the scale tests).

The same seed, journey count and touchpoint count always give byte-identical files, so two runs of
the benchmark (or two machines) measure the same input. The field mix follows the examples in
examples/: block style with flow lists, evidence, hand-offs with SLAs, loops back into nurture and
a converting outcome, about 16 KB per journey at the default 14 touchpoints.

    python benchmarks/generate.py OUT_DIR --journeys 1000 --touchpoints 14 --seed 1
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

STAGES = ("awareness", "consideration", "purchase", "onboarding", "retention", "advocacy")
TEAMS = ("marketing", "sales", "customer-success", "support", "product")
CHANNELS = ("web", "email", "phone", "chat", "in-app", "store", "social", "video-call")
PERSONAS = ("finance-director", "ap-manager", "it-admin", "first-time-buyer", "loyal-customer")
METRICS = ("conversion-rate", "click-rate", "csat", "nps", "time-to-value", "churn-rate", "response-time")
WORDS = ("customer", "invoice", "trial", "renewal", "discount", "onboarding", "checkout", "basket", "survey",
         "reminder", "account", "approval", "delivery", "refund", "webinar", "demo", "contract", "support",
         "ticket", "call", "email", "guide", "review", "price", "plan", "upgrade", "feedback", "team", "order")
SOURCES = ("analytics", "survey", "interviews", "support tickets", "session recordings")


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:]


def journey_text(index: int, touchpoints: int = 14, seed: int = 1) -> str:
    """One journey as YAML text; valid against schemas/journey.schema.json."""
    rng = random.Random(f"{seed}/{index}/{touchpoints}")
    jid = f"journey-{index:05d}"
    stage_count = min(len(STAGES), max(1, touchpoints // 3))
    # Touchpoint ids differ between journeys, as they do in a real workspace (shared words, own sets).
    ids = [f"{rng.choice(WORDS)}-{i:04d}" for i in range(touchpoints)]
    per_stage = [ids[i * touchpoints // stage_count:(i + 1) * touchpoints // stage_count] for i in range(stage_count)]
    owners = {tp: TEAMS[s % len(TEAMS)] for s, group in enumerate(per_stage) for tp in group}
    owners[ids[-1]] = TEAMS[-1]  # every declared team owns something
    out = [
        "# yaml-language-server: $schema=../schemas/journey.schema.json",
        "journeyctl: 1",
        f"id: {jid}",
        f"title: {_sentence(rng, 5)} journey {index}",
        "description: >-",
        f"  {_sentence(rng, 18)}.",
        f"  {_sentence(rng, 16)}.",
        "owner: marketing",
        "status: active",
        "state: current",
        'reviewed: "2026-10-15"',
        "review_every: 90d",
        "objectives:",
        *(f"  - {_sentence(rng, 9)}" for _ in range(3)),
        "tags: [benchmark, generated, " + rng.choice(("b2b", "b2c", "saas")) + "]",
        "links:",
        f"  - title: Dashboard for {jid}",
        f"    url: https://analytics.example.com/dashboards/{jid}",
        "",
        "personas:",
    ]
    for persona in PERSONAS[:3]:
        out += [f"  - id: {persona}", f"    name: {_sentence(rng, 2)}", f"    role: {_sentence(rng, 8)}",
                f"    goals: [{_sentence(rng, 4)}, {_sentence(rng, 5)}]",
                f"    pain_points: [{_sentence(rng, 6)}]"]
    out += ["", "teams:"]
    out += [f"  - id: {team}\n    name: {team.replace('-', ' ').title()}\n    description: {_sentence(rng, 7)}."
            for team in TEAMS]
    out += ["", "channels:"]
    channels, metrics = CHANNELS[:max(1, touchpoints)], METRICS[:max(1, touchpoints)]
    out += [f"  - {{id: {c}, name: {c.replace('-', ' ').title()}}}" for c in channels]
    out += ["", "metrics:"]
    out += [f"  - {{id: {m}, name: {_sentence(rng, 4)}, unit: \"%\", target: {rng.randint(1, 90)}, "
            f"direction: {rng.choice(('up', 'down'))}}}" for m in metrics]
    out += ["", "stages:"]
    for s, group in enumerate(per_stage):
        out += [f"  - id: {STAGES[s]}", f"    name: {STAGES[s].title()}", f"    goal: {_sentence(rng, 10)}",
                f"    kpis: [{rng.choice(metrics)}]", f"    emotion: {rng.randint(-1, 1)}",
                "    customer:", f"      does: {_sentence(rng, 9)}", f"      thinks: {_sentence(rng, 8)}?",
                f"      feels: {_sentence(rng, 6)}", "    touchpoints:"]
        for tp in group:
            out += _touchpoint(rng, tp, ids, owners, channels, metrics)
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _touchpoint(rng: random.Random, tp: str, ids: list[str], owners: dict[str, str],
                channels: tuple[str, ...], metrics: tuple[str, ...]) -> list[str]:
    i = ids.index(tp)
    last = i == len(ids) - 1
    lines = [f"      - id: {tp}", f"        name: {_sentence(rng, 3)}", f"        description: {_sentence(rng, 8)}.",
             f"        kind: {rng.choice(('external', 'external', 'internal', 'peripheral'))}",
             f"        channel: {channels[i % len(channels)]}", f"        owner: {owners[tp]}",
             f"        personas: [{', '.join(rng.sample(PERSONAS[:3], 2))}]",
             f"        kpis: [{metrics[i % len(metrics)]}]"]
    if i == 0:
        lines.append("        entry: true")
    if last:
        lines.append("        outcome: converted")
    emotion = rng.randint(-2, 2)
    lines.append(f"        emotion: {emotion}")
    if emotion < 0 or rng.random() < 0.4:  # pain is always met with a planned opportunity
        lines += ["        pain_points:", f"          - {_sentence(rng, 7)}", f"          - {_sentence(rng, 6)}",
                  "        opportunities:", f"          - {_sentence(rng, 7)}"]
    if rng.random() < 0.7:
        lines += ["        evidence:",
                  f"          - {{source: {rng.choice(SOURCES)}, ref: \"{_sentence(rng, 6)}, n={rng.randint(10, 900)}\"}}"]
    lines.append(f"        events: [{tp.replace('-', '_')}_seen]")
    if not last:
        lines += ["        next:", f"          - to: {ids[i + 1]}", f"            when: {_sentence(rng, 5)}",
                  f"            rate: {rng.randint(30, 70) / 100}", f"            wait: {rng.randint(1, 9)}d"]
        if owners[ids[i + 1]] != owners[tp]:
            lines += ["            handoff:", f"              trigger: {_sentence(rng, 6)}", "              sla: 24h",
                      f"              via: {_sentence(rng, 5)}"]
        if i > 0 and rng.random() < 0.3:  # a loop back, e.g. into nurture
            back = ids[rng.randrange(0, i)]
            lines += [f"          - to: {back}", f"            when: {_sentence(rng, 5)}",
                      f"            rate: {rng.randint(5, 20) / 100}"]
            if owners[back] != owners[tp]:
                lines += ["            handoff:", f"              trigger: {_sentence(rng, 6)}", "              sla: 48h",
                          f"              via: {_sentence(rng, 5)}"]
    return lines


def generate(out_dir: Path, journeys: int, touchpoints: int = 14, seed: int = 1) -> list[Path]:
    """Write `journeys` files into out_dir (created); existing identical files are left untouched."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(journeys):
        path = out_dir / f"journey-{index:05d}.journey.yaml"
        text = journey_text(index, touchpoints, seed)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--journeys", type=int, default=1000)
    parser.add_argument("--touchpoints", type=int, default=14)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    paths = generate(args.out_dir, args.journeys, args.touchpoints, args.seed)
    size = sum(p.stat().st_size for p in paths)
    sys.stdout.write(f"{len(paths)} journeys, {size / len(paths) / 1024:.1f} KiB each on average, in {args.out_dir}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
