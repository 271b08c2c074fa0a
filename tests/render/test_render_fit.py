"""The map fits a screen (issue 18): aspect ratio, smallest text at 1,600 px, no overlapping labels.

Measured on the SVG Graphviz draws, not on our own plan: boxes come from the drawn shapes, text boxes
from each <text>'s anchor, size and length (Helvetica at 0.55 em a character, above its average, so the estimate
errs towards finding an overlap).
"""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from journeyctl.format.model import Catalog, Journey
from journeyctl.render import render

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.journey.yaml"))
SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"
pytestmark = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")

Box = tuple[float, float, float, float]  # left, top, right, bottom


def load(path: Path) -> tuple[Journey, list[Catalog]]:
    catalogs = [Catalog.model_validate(yaml.safe_load(p.read_text(encoding="utf-8")))
                for p in sorted(path.parent.glob("*.catalog.yaml"))]
    return Journey.model_validate(yaml.safe_load(path.read_text(encoding="utf-8"))), catalogs


def size(svg: str) -> tuple[float, float]:
    match = re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    assert match, svg[:300]
    return float(match.group(1)), float(match.group(2))


def shape_box(element: ET.Element) -> Box:
    if element.tag == f"{SVG}ellipse":
        cx, cy, rx, ry = (float(element.get(k)) for k in ("cx", "cy", "rx", "ry"))
        return cx - rx, cy - ry, cx + rx, cy + ry
    numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", element.get("points") or element.get("d"))]
    xs, ys = numbers[0::2], numbers[1::2]
    return min(xs), min(ys), max(xs), max(ys)


def text_box(text: ET.Element) -> Box:
    content = "".join(text.itertext())
    font = float(text.get("font-size"))
    width = len(content) * font * 0.55
    x, y = float(text.get("x")), float(text.get("y"))
    anchor = text.get("text-anchor")
    left = x - width / 2 if anchor == "middle" else (x - width if anchor == "end" else x)
    return left, y - font * 0.8, left + width, y + font * 0.2


def overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def union(boxes: list[Box]) -> Box:
    return min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)


def geometry(svg: str) -> tuple[dict[str, Box], dict[str, Box], dict[str, Box]]:
    """Card boxes, transition-label boxes and stage-head boxes, by their <title>."""
    root = ET.fromstring(svg.encode("utf-8"))
    cards, labels, heads = {}, {}, {}
    for g in root.iter(f"{SVG}g"):
        kind, title = g.get("class"), g.find(f"{SVG}title")
        if kind not in ("node", "edge", "cluster") or title is None:
            continue
        texts = [text_box(t) for t in g.iter(f"{SVG}text")]
        if kind == "node":
            shapes = [s for s in g.iter() if s.tag in (f"{SVG}polygon", f"{SVG}ellipse", f"{SVG}path")]
            if shapes:
                cards[title.text] = union([shape_box(s) for s in shapes])
        elif kind == "edge" and texts:
            labels[title.text] = union(texts)
        elif kind == "cluster" and texts:
            heads[title.text] = union(texts)
    return cards, labels, heads


@pytest.fixture(scope="module")
def maps() -> dict[str, str]:
    out = {}
    for path in EXAMPLES:
        journey, catalogs = load(path)
        out[path.name] = render(journey, "map", "svg", catalogs=catalogs)
    return out


@pytest.mark.parametrize("name", [p.name for p in EXAMPLES])
def test_example_map_is_at_most_three_times_wider_than_tall(maps, name):
    width, height = size(maps[name])
    assert width / height <= 3.0, (name, width, height)


@pytest.mark.parametrize("name", [p.name for p in EXAMPLES])
def test_smallest_text_reads_ten_px_when_shown_1600_px_wide(maps, name):
    width, _ = size(maps[name])
    sizes = [float(s) for s in re.findall(r'font-size="([\d.]+)"', maps[name])]
    assert sizes and min(sizes) * 1600 / width >= 10.0, (name, min(sizes), width)


@pytest.mark.parametrize("name", [p.name for p in EXAMPLES])
def test_no_label_overlaps_another_or_a_card(maps, name):
    cards, labels, heads = geometry(maps[name])
    assert cards and labels and heads
    named = [(f"card {k}", b) for k, b in cards.items()] + [(f"label {k}", b) for k, b in labels.items()] \
        + [(f"head {k}", b) for k, b in heads.items()]
    clashes = [(a, b) for i, (a, box_a) in enumerate(named) for b, box_b in named[i + 1:] if overlap(box_a, box_b)]
    assert not clashes, clashes[:5]


def test_every_touchpoint_and_transition_is_complete_in_a_tooltip(maps):
    journey, _ = load(EXAMPLES[1])
    root = ET.fromstring(maps[EXAMPLES[1].name].encode("utf-8"))
    tooltips = " | ".join(a.get(f"{XLINK}title") or "" for a in root.iter(f"{SVG}a"))
    tooltips = " ".join(tooltips.split())
    for _, tp in journey.touchpoints():
        assert " ".join(tp.label.split()) in tooltips, tp.id
        for tr in tp.next:
            if tr.when:
                assert " ".join(tr.when.split()) in tooltips, (tp.id, tr.to)
    for stage in journey.stages:
        if stage.goal:
            assert " ".join(stage.goal.split()) in tooltips, stage.id


def synthetic(stages: int, per_stage: int) -> Journey:
    """A chain through `stages` stages of `per_stage` touchpoints, every transition labelled."""
    data = {"journeyctl": 1, "id": "long", "title": "A long journey", "stages": []}
    total = stages * per_stage
    for s in range(stages):
        tps = []
        for t in range(per_stage):
            n = s * per_stage + t
            tp = {"id": f"t{n}", "name": f"Touchpoint number {n} with a longer name than most"}
            if n + 1 < total:
                tp["next"] = [{"to": f"t{n + 1}", "when": "the customer goes on to the next step", "rate": 0.5}]
            tps.append(tp)
        data["stages"].append({"id": f"s{s}", "name": f"Stage {s}", "goal": "Move on", "touchpoints": tps})
    return Journey.model_validate(data)


@pytest.mark.parametrize("stages, per_stage", [(14, 3), (3, 14), (1, 2)])
def test_any_journey_size_keeps_the_ratio_and_the_text_size(stages, per_stage):
    svg = render(synthetic(stages, per_stage), "map", "svg")
    width, height = size(svg)
    assert width / height <= 3.0
    sizes = [float(s) for s in re.findall(r'font-size="([\d.]+)"', svg)]
    assert min(sizes) * 1600 / width >= 10.0
    cards, labels, _ = geometry(svg)
    assert len(cards) == stages * per_stage
    boxes = list(cards.values()) + list(labels.values())
    assert not any(overlap(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
