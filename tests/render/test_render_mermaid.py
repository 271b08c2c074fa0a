"""Mermaid output checked by the real Mermaid parser (mermaid + jsdom under Node).

The packages come from tests/node/package-lock.json (see tests/node_clients.py); every diagram of the
module is parsed in one Node process (tests/mermaid/parse.mjs).
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from journeyctl.format.model import Journey
from journeyctl.render import render
from journeyctl.interop.mermaid_in import decode_entities
from journeyctl.render.escape import clean, journey_text, one_line

from helpers.node_clients import node_modules

ROOT = Path(__file__).resolve().parents[2]
HARNESS = ROOT / "tests" / "mermaid" / "parse.mjs"
EXAMPLES = sorted((ROOT / "examples").glob("*.journey.yaml"))
FIXTURES = ROOT / "tests" / "fixtures" / "render"
BR = re.compile(r"<br\s*/?>")


def parse_all(diagrams: list[str]) -> list[dict]:
    modules = node_modules()
    done = subprocess.run(["node", str(HARNESS), str(modules.parent)], input=json.dumps(diagrams),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads(done.stdout)
    assert len(results) == len(diagrams)
    return results


def _load(path: Path) -> Journey:
    return Journey.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def _hostile() -> Journey:
    import sys

    sys.path.insert(0, str(FIXTURES))
    try:
        from hostile import hostile_journey
    finally:
        sys.path.pop(0)
    return hostile_journey()


TRAPS = [
    ("a: b", "a colon ends a task name"),
    ("c # d", "# starts a comment"),
    ("e; f", "; ends a statement"),
    ("section x", "a keyword at the start of a token"),
    ("Journey planner", "keywords are case-insensitive"),
    ("% hidden", "a % at the start of a token is a comment"),
    ("a%% b", "x%% at the start of a token is a comment"),
]


CASES = [(p.name, lambda p=p: _load(p)) for p in EXAMPLES] + [
    ("small.journey.yaml", lambda: _load(FIXTURES / "small.journey.yaml")),
    ("hostile", _hostile),
]


@pytest.fixture(scope="module")
def everything() -> tuple[dict[tuple[str, str], tuple[Journey, str, dict]], list[tuple[dict, dict]]]:
    """Every diagram of this module parsed in one Node run (starting Node with Mermaid takes seconds).

    Returns (case, view) → (journey, diagram text, parser result), and the (escaped, raw) results of
    each TRAPS label.
    """
    keys, journeys, texts = [], [], []
    for name, make in CASES:
        journey = make()
        # The funnel view is the map with an overlay: parsed for one journey, it is covered.
        for view in ("map", "journey", "funnel") if name == "small.journey.yaml" else ("map", "journey"):
            text = render(journey, view, "mermaid")
            keys.append((name, view))
            journeys.append(journey)
            texts.append(text)
    for label, _ in TRAPS:
        texts.append(f"journey\n  title t\n  section s\n    {journey_text(clean(label))}: 3: team\n")
        texts.append(f"journey\n  title t\n  section s\n    {label}: 3: team\n")
    results = parse_all(texts)
    cases, trap_results = results[:len(keys)], results[len(keys):]
    parsed = {k: (j, t, r) for k, j, t, r in zip(keys, journeys, texts, cases)}
    return parsed, list(zip(trap_results[::2], trap_results[1::2]))


@pytest.fixture(scope="module")
def parsed(everything):
    return everything[0]


@pytest.fixture(scope="module")
def traps(everything):
    return everything[1]


def test_there_are_examples_to_check():
    assert len(EXAMPLES) >= 2


@pytest.mark.parametrize("name, view", [(name, view) for name, _ in CASES for view in ("map", "journey")]
                         + [("small.journey.yaml", "funnel")])
def test_every_diagram_parses(parsed, name, view):
    journey, text, result = parsed[(name, view)]
    assert result["ok"], f"{name} --view {view} rejected by Mermaid:\n{result.get('error')}\n---\n{text}"
    expected_type = "journey" if view == "journey" else "flowchart-v2"
    assert result["type"] == expected_type


def test_funnel_flows_reach_the_parser(parsed):
    _, _, result = parsed[("small.journey.yaml", "funnel")]
    labels = [e["text"] for e in result["edges"]]
    assert any("flow 40%" in label for label in labels), labels
    assert any("leak: 60% leave here" in v["text"] for v in result["vertices"])


@pytest.mark.parametrize("name", [name for name, _ in CASES])
def test_map_keeps_every_stage_and_touchpoint(parsed, name):
    journey, _, result = parsed[(name, "map")]
    stages = [s for s in result["subgraphs"] if s["id"].startswith("s")]
    assert [BR.split(s["title"])[0] for s in stages] == [one_line(st.label, 80) for st in journey.stages]
    vertices = {v["id"]: v["text"] for v in result["vertices"]}
    for number, (_, tp) in enumerate(journey.touchpoints()):
        first_line = BR.split(vertices[f"n{number}"])[0]
        assert one_line(tp.label, 200).startswith(first_line.rstrip("…")), (first_line, tp.label)
    declared = sum(len(tp.next) for _, tp in journey.touchpoints())
    assert len(result["edges"]) == declared


def _shown(text: str) -> str:
    """What the chart shows for a name the parser holds: Mermaid's entity placeholders decoded."""
    return decode_entities(text).strip()


def _reads_as(shown: str, original: str) -> bool:
    """The name as written (runs of spaces as one), or its start followed by "…" (too long for the box)."""
    shown, original = " ".join(shown.split()), " ".join(original.split())
    return shown == original or (shown.endswith("…") and original.startswith(shown[:-1]))


@pytest.mark.parametrize("name", [name for name, _ in CASES])
def test_journey_view_maps_stages_tasks_scores_and_actors(parsed, name):
    journey, _, result = parsed[(name, "journey")]
    stages = [s for s in journey.stages if s.touchpoints]
    assert len(result["sections"]) == len(stages)
    for got, stage in zip(result["sections"], stages):
        assert _reads_as(_shown(got), one_line(stage.label, 80)), (got, stage.label)
    tasks = result["tasks"]
    touchpoints = [(stage, tp) for stage, tp in journey.touchpoints()]
    assert len(tasks) == len(touchpoints)
    for task, (stage, tp) in zip(tasks, touchpoints):
        assert _reads_as(_shown(task["task"]), one_line(tp.label, 120)), (task["task"], tp.label)
        emotion = tp.emotion if tp.emotion is not None else (stage.emotion if stage.emotion is not None else 0)
        assert task["score"] == emotion + 3
        assert len(task["people"]) == 1  # a comma in a team name is a code, not a second actor


def test_hostile_labels_come_through_as_text(parsed):
    journey, text, result = parsed[("hostile", "map")]
    vertices = " ".join(v["text"] for v in result["vertices"])
    edges = " ".join(e["text"] for e in result["edges"])
    # Quotes, markup and Mermaid's own syntax arrive as the characters the user typed...
    assert '<b>x</b>' in vertices
    assert 'He said "hi" {braces}' in vertices
    assert "style x fill:#f00;" in vertices + edges
    assert "%%{init:" in vertices + edges
    # ...and never as syntax: no directive reached the config, no extra nodes appeared.
    assert "%%{" not in text
    tp_count = sum(1 for _ in journey.touchpoints())
    assert len([v for v in result["vertices"] if v["id"].startswith("n")]) <= tp_count + 2
    assert "\x1b" not in text and "\x00" not in text


def test_hostile_journey_view_keeps_colon_hash_semicolon_as_typed(parsed):
    journey, text, result = parsed[("hostile", "journey")]
    tasks = [_shown(t["task"]) for t in result["tasks"]]
    assert len(tasks) == sum(1 for _ in journey.touchpoints())
    joined = " ".join(tasks + [_shown(s) for s in result["sections"]])
    assert ":" in joined and "#" in joined and ";" in joined  # the characters themselves...
    assert not any(c in joined for c in "∶＃；％")  # ...not look-alikes
    assert "%%{" not in text


@pytest.mark.parametrize("number", range(len(TRAPS)), ids=[why for _, why in TRAPS])
def test_journey_lexer_traps(traps, number):
    label, why = TRAPS[number]
    escaped, unescaped = traps[number]
    assert escaped["ok"], why
    assert [_shown(t["task"]) for t in escaped["tasks"]] == [clean(label)]  # reads exactly as typed
    # The raw label is rejected or misread: the escaping is needed, not decoration.
    assert not unescaped["ok"] or [t["task"] for t in unescaped.get("tasks", [])] != [label], why
