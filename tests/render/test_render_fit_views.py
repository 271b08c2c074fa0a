"""The service blueprint and the emotion curve fit a screen too (issue 18): the map's acceptance, on them.

Every example, and long synthetic journeys: at most 3:1 either way, smallest text at least 10 px when the
PNG is shown 1,600 px wide, and no label over another (each drawn node's text as one box, measured on the
SVG Graphviz writes, with the estimate of test_render_fit that errs towards finding an overlap).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from journeyctl.render import render

from render.test_render_fit import EXAMPLES, SVG, XLINK, Box, load, overlap, size, synthetic, text_box, union

pytestmark = pytest.mark.skipif(__import__("shutil").which("dot") is None, reason="Graphviz is not installed")
VIEWS = ("blueprint", "emotion")


@pytest.fixture(scope="module")
def drawn() -> dict[tuple[str, str], str]:
    out = {}
    for path in EXAMPLES:
        journey, catalogs = load(path)
        for view in VIEWS:
            out[(path.name, view)] = render(journey, view, "svg", catalogs=catalogs)
    return out


def label_boxes(svg: str) -> dict[str, Box]:
    """The text of each node as one box, by the node's <title>; the header (the graph's own label) as one."""
    root = ET.fromstring(svg.encode("utf-8"))
    boxes: dict[str, Box] = {}
    in_nodes: set[int] = set()
    for g in root.iter(f"{SVG}g"):
        title = g.find(f"{SVG}title")
        if g.get("class") == "node" and title is not None:
            texts = list(g.iter(f"{SVG}text"))
            in_nodes.update(id(t) for t in texts)
            if texts:
                boxes[title.text] = union([text_box(t) for t in texts])
    header = [text_box(t) for t in root.iter(f"{SVG}text") if id(t) not in in_nodes]
    if header:
        boxes["header"] = union(header)
    return boxes


def readable(svg: str) -> tuple[float, float]:
    """(width:height, smallest text in px when the picture is 1,600 px wide)."""
    width, height = size(svg)
    sizes = [float(s) for s in re.findall(r'font-size="([\d.]+)"', svg)]
    assert sizes
    return width / height, min(sizes) * 1600 / width


def clashes(svg: str) -> list[tuple[str, str]]:
    named = list(label_boxes(svg).items())
    return [(a, b) for i, (a, box_a) in enumerate(named) for b, box_b in named[i + 1:] if overlap(box_a, box_b)]


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("name", [p.name for p in EXAMPLES])
def test_example_views_keep_a_readable_shape_and_ten_px_text(drawn, name, view):
    ratio, smallest = readable(drawn[(name, view)])
    assert 1 / 3 <= ratio <= 3.0, (name, view, ratio)
    assert smallest >= 10.0, (name, view, smallest)


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("name", [p.name for p in EXAMPLES])
def test_no_label_overlaps_another(drawn, name, view):
    boxes = label_boxes(drawn[(name, view)])
    assert len(boxes) >= 2
    assert not clashes(drawn[(name, view)]), clashes(drawn[(name, view)])[:5]


@pytest.mark.parametrize("stages, per_stage", [(14, 3), (2, 20), (1, 2)])
def test_a_long_emotion_curve_wraps_onto_rows_and_keeps_its_text_size(stages, per_stage):
    journey = synthetic(stages, per_stage)
    for _, tp in journey.touchpoints():
        tp.emotion = int(tp.id[1:]) % 5 - 2
    svg = render(journey, "emotion", "svg")
    ratio, smallest = readable(svg)
    assert 1 / 3 <= ratio <= 3.0 and smallest >= 10.0, (ratio, smallest)
    assert not clashes(svg), clashes(svg)[:5]
    rows = len(re.findall(r"<title>level4(?:_\d+)?</title>", svg))  # one -2 line per row
    assert rows == (1 if stages * per_stage <= 12 else -(-stages * per_stage // 12))
    # The curve breaks between rows: no segment joins the last point of a row to the next row's first.
    points = stages * per_stage
    segments = re.findall(r"<title>p(\d+)&#45;&gt;p(\d+)</title>", svg)
    assert len(segments) == points - rows


def test_emotion_names_and_pain_points_are_complete_in_tooltips():
    journey, catalogs = load(EXAMPLES[1])
    root = ET.fromstring(render(journey, "emotion", "svg", catalogs=catalogs).encode("utf-8"))
    tooltips = " ".join(" | ".join(a.get(f"{XLINK}title") or "" for a in root.iter(f"{SVG}a")).split())
    for _, tp in journey.touchpoints():
        assert " ".join(tp.label.split()) in tooltips, tp.id
        if tp.emotion is not None and tp.emotion <= -1:
            for pain in tp.pain_points:
                assert " ".join(pain.split()) in tooltips, (tp.id, pain)


def test_a_big_journey_with_long_stage_names_keeps_both_views_readable():
    """7 stages with long names, 43 touchpoints, a stage with no emotions at all."""
    journey = synthetic(7, 6)
    for s, stage in enumerate(journey.stages):
        stage.name = f"Stage {s}: with a rather long stage name that needs wrapping too"
        for tp in stage.touchpoints:
            tp.emotion = None if s == 2 else int(tp.id[1:]) % 5 - 2
    for view in VIEWS:
        svg = render(journey, view, "svg")
        ratio, smallest = readable(svg)
        assert 1 / 3 <= ratio <= 3.0 and smallest >= 10.0, (view, ratio, smallest)
        assert not clashes(svg), (view, clashes(svg)[:5])
    emotion = render(journey, "emotion", "svg")
    assert "(cont.) Stage" in emotion  # a stage cut by a row's end is named as continued
    assert "<title>p11&#45;&gt;p18</title>" not in emotion and "<title>p9&#45;&gt;p10</title>" in emotion  # stage 2 has no data: the curve stops at it


@pytest.mark.parametrize("name", [p.name for p in EXAMPLES])
def test_blueprint_shows_every_name_goal_and_customer_line_whole(drawn, name):
    """The blueprint has no tooltips (one table), so nothing in it is cut: names, goals, does/thinks/feels."""
    journey, _ = load(next(p for p in EXAMPLES if p.name == name))
    root = ET.fromstring(drawn[(name, "blueprint")].encode("utf-8"))
    shown = " ".join(" ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text")).split())
    assert "…" not in shown
    expected = [tp.label for _, tp in journey.touchpoints()]
    for stage in journey.stages:
        expected += [stage.label, stage.goal or ""]
        if stage.customer:
            expected += [stage.customer.does or "", stage.customer.thinks or "", stage.customer.feels or ""]
    for text in expected:
        assert " ".join(text.split()) in shown, text
