"""What each view shows: parsed SVG for the map, blueprint and emotion curve, and golden DOT/Mermaid.

Goldens live in tests/fixtures/render/golden/; after an intended change to the drawing (or to an
example) regenerate them with JOURNEYCTL_UPDATE_GOLDENS=1 pytest tests/test_render_views.py and review
the diff.
"""

from __future__ import annotations

import os
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from journeyctl.format.model import Journey
from journeyctl.render import EdgeOverlay, RenderError, render, to_dot, to_mermaid
from journeyctl.render.escape import one_line, wrap
from journeyctl.render.grid import TITLE_CHARS

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "render"
GOLDEN = FIXTURES / "golden"
EXAMPLES = sorted((ROOT / "examples").glob("*.journey.yaml"))
SVG = "{http://www.w3.org/2000/svg}"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed")


def load(path: Path) -> Journey:
    return Journey.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def catalogs_for(path: Path) -> list:
    from journeyctl.format.model import Catalog

    return [Catalog.model_validate(yaml.safe_load(p.read_text(encoding="utf-8")))
            for p in sorted(path.parent.glob("*.catalog.yaml"))]


SMALL = FIXTURES / "small.journey.yaml"


# --- SVG: every stage, touchpoint and hand-off is in the picture -----------------------------------


def groups(svg: str, kind: str) -> dict[str, str]:
    """<title> of each node/edge/cluster group → its drawn text, lines joined by spaces."""
    root = ET.fromstring(svg.encode("utf-8"))
    out = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") != kind:
            continue
        title = g.find(f"{SVG}title")
        texts = [" ".join("".join(t.itertext()).split()) for t in g.iter(f"{SVG}text")]
        out[title.text if title is not None else ""] = " ".join(texts)
    return out


@pytest.fixture(scope="module")
def map_svgs():
    if shutil.which("dot") is None:
        pytest.skip("Graphviz 'dot' is not installed")
    return {p.name: (load(p), render(load(p), "map", "svg", catalogs=catalogs_for(p))) for p in EXAMPLES + [SMALL]}


@needs_dot
@pytest.mark.parametrize("name", [p.name for p in EXAMPLES + [SMALL]])
def test_map_svg_shows_every_stage_touchpoint_and_handoff(map_svgs, name):
    journey, svg = map_svgs[name]
    clusters = groups(svg, "cluster")
    nodes = groups(svg, "node")
    edges = groups(svg, "edge")
    for index, stage in enumerate(journey.stages):
        assert clusters[f"cluster_s{index}"].startswith(" ".join(one_line(stage.label).split()))
    for number, (_, tp) in enumerate(journey.touchpoints()):
        name = " ".join(" ".join(wrap(tp.label, TITLE_CHARS, 4, 200)).split())  # as wrapped on the node
        assert nodes[f"n{number}"].startswith(name), (tp.id, nodes[f"n{number}"])
        if len(tp.label) <= 60:
            assert nodes[f"n{number}"].startswith(" ".join(tp.label.split()))
    owners = {tp.id: tp.owner for _, tp in journey.touchpoints()}
    handoffs = [(tp, tr) for _, tp in journey.touchpoints() for tr in tp.next if tr.handoff]
    drawn = " | ".join(edges.values())
    for tp, tr in handoffs:
        to_owner = owners.get(tr.target) if tr.journey is None else None
        label = f"{tp.owner} → {to_owner or tr.journey or '?'}" + (f" · {tr.handoff.sla}" if tr.handoff.sla else "")
        assert label in drawn, label


@needs_dot
@pytest.mark.parametrize("name", [p.name for p in EXAMPLES + [SMALL]])
def test_map_columns_follow_stage_order(map_svgs, name):
    journey, svg = map_svgs[name]
    root = ET.fromstring(svg.encode("utf-8"))
    corner = {}
    for g in root.iter(f"{SVG}g"):
        title = g.find(f"{SVG}title")
        if g.get("class") == "cluster" and title is not None:
            shape = next(s for s in g.iter() if s.tag in (f"{SVG}path", f"{SVG}polygon"))
            numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", shape.get("d") or shape.get("points"))]
            corner[int(title.text.removeprefix("cluster_s"))] = (round(min(numbers[1::2])), min(numbers[0::2]))
    # Reading order: row by row (a long journey wraps onto rows of stages), left to right in a row.
    order = [corner[i] for i in sorted(corner)]
    assert len(order) == len(journey.stages) and order == sorted(order)
    tops = {top for top, _ in order}
    for top in tops:  # the boxes of a row start at the same height: aligned columns
        assert [left for t, left in order if t == top] == sorted(left for t, left in order if t == top)


@needs_dot
def test_map_marks_handoffs_missing_handoffs_and_outcomes(map_svgs):
    _, svg = map_svgs["small.journey.yaml"]
    root = ET.fromstring(svg.encode("utf-8"))
    strokes = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "edge":
            title = g.find(f"{SVG}title").text
            strokes[title] = next(g.iter(f"{SVG}path")).get("stroke")
    assert strokes["n1->n5"] == "#1f4e99"  # signup → demo: a hand-off
    assert strokes.get("n1->n2") == "#d1242f"  # signup (growth) → lead scoring (sales): no hand-off
    assert strokes.get("n0->n1") == "#57606a"  # same team
    nodes = groups(svg, "node")
    assert "▶ entry · 100%" in nodes["n0"]
    assert "★ moment of truth" in nodes["n1"]
    assert "⤓ dropped" in nodes["n4"] and "✔ converted" in nodes["n6"]
    assert "↗ billing first-invoice" in nodes["n7"]  # the cross-journey placeholder


# --- blueprint: each touchpoint in its lane and stage ------------------------------------------------


@needs_dot
def test_blueprint_puts_touchpoints_in_their_lane_and_stage():
    journey = load(SMALL)
    root = ET.fromstring(render(journey, "blueprint", "svg").encode("utf-8"))
    texts = [(" ".join("".join(t.itertext()).split()), float(t.get("x")), float(t.get("y")))
             for t in root.iter(f"{SVG}text")]

    def at(text: str) -> tuple[float, float]:
        found = [(x, y) for t, x, y in texts if t == text]
        assert len(found) == 1, (text, found)
        return found[0]

    lines = {name: at(name)[1] for name in ("line of interaction", "line of visibility", "line of internal interaction")}
    lanes = {"frontstage": (lines["line of interaction"], lines["line of visibility"]),
             "backstage": (lines["line of visibility"], lines["line of internal interaction"]),
             "support": (lines["line of internal interaction"], float("inf"))}
    columns = [at(stage.label)[0] for stage in journey.stages]
    for index, stage in enumerate(journey.stages):
        for tp in stage.touchpoints:
            x, y = at(tp.label)
            top, bottom = lanes[tp.lane]
            assert top < y < bottom, (tp.id, tp.lane)
            assert min(range(len(columns)), key=lambda i: abs(columns[i] - x)) == index, tp.id
    rows = [at(row)[1] for row in ("Customer does", "Customer thinks", "Customer feels", "Frontstage",
                                   "Backstage", "Support")]
    assert rows == sorted(rows)
    assert at("Reads a review")[1] < lines["line of interaction"] < at("Review on a blog")[1]


# --- emotion: the curve on the -2..+2 scale, low points with their pain points ---------------------------


@needs_dot
def test_emotion_curve_positions_and_low_points():
    journey = load(SMALL)
    root = ET.fromstring(render(journey, "emotion", "svg").encode("utf-8"))
    centre = {}
    for g in root.iter(f"{SVG}g"):
        title = g.find(f"{SVG}title")
        if g.get("class") == "node" and title is not None and re.fullmatch(r"p\d+", title.text):
            shape = g.find(f"{SVG}ellipse")
            if shape is not None:
                centre[int(title.text[1:])] = float(shape.get("cy"))
            else:  # the moment of truth is a star: the middle of its outline
                ys = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", g.find(f"{SVG}polygon").get("points"))][1::2]
                centre[int(title.text[1:])] = (min(ys) + max(ys)) / 2
    emotions = {i: tp.emotion for i, (_, tp) in enumerate(journey.touchpoints()) if tp.emotion is not None}
    assert set(centre) == set(emotions)
    # SVG y grows downwards: one emotion step is the same distance everywhere.
    steps = [(centre[i] - centre[j]) / (emotions[j] - emotions[i])
             for i in centre for j in centre if emotions[i] != emotions[j]]
    assert min(steps) > 30 and max(steps) - min(steps) < 3
    text = " ".join(" ".join("".join(t.itertext()).split()) for t in root.iter(f"{SVG}text"))
    for scale in ("+2 very positive", "+1 positive", "0 neutral", "-1 negative", "-2 very negative"):
        assert scale in text
    assert "low point -1 • Too many fields" in text and "low point -2 • Emails feel generic" in text
    assert text.count("low point -") == 2


# --- overlays and the funnel view -------------------------------------------------------------------


def test_overlay_widths_dashes_reds_and_marks_reach_dot_and_mermaid():
    journey = load(SMALL)
    overlay = EdgeOverlay(widths={("review", "signup"): 100, ("signup", "nurture"): 50},
                          dashed_extra_edges=[("review", "nurture"), ("review", "signup")],
                          red_edges={("signup", "demo-call")}, node_marks={"nurture": "added", "lost": "changed"},
                          notes={("review", "signup"): "412 customers"}, subtitle="Observed in March")
    dot = to_dot(journey, "map", overlay=overlay)
    assert re.search(r"n0 -> n1 \[.*penwidth=9\b", dot)  # the widest flow
    assert re.search(r"n1 -> n3 \[.*penwidth=4.9\b", dot)  # half of it
    assert re.search(r'n0 -> n3 \[.*style="dashed"', dot)  # observed only
    drawn = [line for line in dot.splitlines() if line.strip().startswith("n0 -> n1 ") and "invis" not in line]
    assert len(drawn) == 1  # a declared edge is not added again
    assert re.search(r'n1 -> n5 \[.*color="#d1242f"', dot)
    assert "412 customers" in dot and "Observed in March" in dot
    assert '<FONT POINT-SIZE="10" COLOR="#1a7f37"><B>added</B></FONT>' in dot
    mermaid = to_mermaid(journey, "map", overlay=overlay)
    assert "n0 -.-> n3" in mermaid
    assert 'n0 -->|"clicks through<br/>40#37; · 1d<br/>412 customers"| n1' in mermaid
    assert re.search(r"linkStyle \d+ stroke-width:9px", mermaid)
    assert "class n3 mark1a7f37" in mermaid


def test_funnel_view_draws_flows_and_leaks():
    journey = load(SMALL)
    dot = to_dot(journey, "funnel")
    assert "flow 40%" in dot  # review → signup: everyone starts at review, 40% click through
    assert "leak: 60% leave here" in dot
    assert "8.37% convert" in dot


def test_findings_are_marked_on_their_touchpoint():
    from journeyctl.check.findings import Finding

    journey = load(SMALL)
    findings = [Finding("missing-handoff", "error", "f", 66, 18, "m", "stages[1].touchpoints[0].next[2].to"),
                Finding("stage-without-goal", "warning", "f", 89, 9, "m", "stages[2]")]
    dot = to_dot(journey, "map", findings=findings)
    n1 = next(line for line in dot.splitlines() if line.strip().startswith("n1 ["))
    assert "⚠ missing-handoff" in n1
    cluster = dot.split("subgraph cluster_s2")[1].split("\n")[1]
    assert "⚠ stage-without-goal" in cluster


@pytest.mark.parametrize("view, fmt, message", [
    ("journey", "svg", "Mermaid's journey diagram"),
    ("blueprint", "mermaid", "no Mermaid form"),
    ("emotion", "md", "no Markdown form"),
    ("sideways", "svg", "unknown view"),
    ("map", "gif", "unknown format"),
])
def test_impossible_combinations_say_what_works(view, fmt, message):
    with pytest.raises(RenderError, match=message):
        render(load(SMALL), view, fmt)


def test_markdown_page_sections():
    page = render(load(SMALL), "map", "md")
    headings = [line for line in page.splitlines() if line.startswith("#")]
    assert headings == ["# Small trial journey", "## Objectives", "## Map", "## Personas", "## Stages",
                        "## Hand-offs", "## Pain points and opportunities", "## Links"]
    assert "```mermaid\nflowchart LR\n" in page
    assert "| Sign-up form | Demo call | growth → sales | demo booked | 24h | CRM |" in page
    assert "Sign\\-up rate (target 5% ↑)" in page or "Sign-up rate (target 5% ↑)" in page
    assert "- [Dashboard](https://example.com/dash)" in page
    assert "Sign-up form (Website, Growth) — **moment of truth**" in page


# --- goldens ------------------------------------------------------------------------------------------------


GOLDEN_SUFFIX = {"dot": "dot", "mermaid": "mmd", "md": "md"}
GOLDEN_CASES = [(p, view, fmt) for p in EXAMPLES for view, fmt in
                (("map", "dot"), ("blueprint", "dot"), ("emotion", "dot"), ("map", "mermaid"), ("journey", "mermaid"))]
GOLDEN_CASES += [(SMALL, view, fmt) for view, fmt in
                 (("map", "dot"), ("funnel", "dot"), ("map", "mermaid"), ("funnel", "mermaid"), ("map", "md"))]


@pytest.mark.parametrize("path, view, fmt", GOLDEN_CASES,
                         ids=[f"{p.name.split('.')[0]}-{v}-{f}" for p, v, f in GOLDEN_CASES])
def test_golden(path, view, fmt):
    journey = load(path)
    text = render(journey, view, fmt, catalogs=catalogs_for(path))
    golden = GOLDEN / f"{journey.id}.{view}.{GOLDEN_SUFFIX[fmt]}"
    if os.environ.get("JOURNEYCTL_UPDATE_GOLDENS"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.is_file(), f"no golden {golden.name}: run with JOURNEYCTL_UPDATE_GOLDENS=1"
    assert text == golden.read_text(encoding="utf-8"), (
        f"{golden.name} differs; if the change is intended: JOURNEYCTL_UPDATE_GOLDENS=1 pytest {__file__}")


@needs_dot
@pytest.mark.parametrize("view", ["map", "blueprint", "emotion"])
def test_empty_stage_keeps_its_column(view):
    data = yaml.safe_load(SMALL.read_text(encoding="utf-8"))
    data["stages"].insert(1, {"id": "gap", "name": "Nothing here yet"})
    journey = Journey.model_validate(data)
    svg = render(journey, view, "svg")
    text = " ".join(" ".join("".join(t.itertext()).split())
                    for t in ET.fromstring(svg.encode("utf-8")).iter(f"{SVG}text"))
    assert "Nothing here yet" in text
    if view == "map":
        assert "no touchpoints" in text
    assert 'subgraph s1["Nothing here yet"]' in to_mermaid(journey, "map")


def _emotion_journey() -> Journey:
    """Stage a has a stage-level feeling only; stage b nothing at all; stage c one touchpoint's."""
    stage = lambda sid, tps, emotion=None: {"id": sid, "name": sid.upper(), **({"emotion": emotion} if emotion is not None else {}),
                                            "touchpoints": [{"id": t, "name": t, **({"emotion": e} if e is not None else {})} for t, e in tps]}
    return Journey.model_validate({"journeyctl": 1, "id": "feel", "title": "Feelings", "stages": [
        stage("a", [("a1", None), ("a2", None)], emotion=1),
        stage("b", [("b1", None)]),
        stage("c", [("c1", -1), ("c2", 2)]),
        {"id": "d", "name": "D", "emotion": -2},
    ]})


def test_emotion_curve_uses_stage_emotions_and_breaks_at_gaps():
    dot = to_dot(_emotion_journey(), "emotion")
    # Touchpoints of stage a carry its feeling as hollow points at +1; so does the empty stage d at -2.
    assert re.search(r'q0 \[.*fillcolor="white".*pos="[\d.]+,40.0!"', dot)
    assert re.search(r'q1 \[.*fillcolor="white".*pos="[\d.]+,40.0!"', dot)
    assert re.search(r'q5 \[.*pos="[\d.]+,-80.0!"', dot)
    assert re.search(r'p3 \[.*pos="[\d.]+,-40.0!"', dot) and re.search(r'p4 \[.*pos="[\d.]+,80.0!"', dot)
    assert "q0 -> q1" in dot and "p3 -> p4" in dot and "p4 -> q5" in dot
    # b1 has no feeling at any level: nothing is drawn across it.
    assert not re.search(r"q1 -> p3|-> p2\b|-> q2\b", dot)
    assert "the curve breaks there" in dot and "hollow point: the stage" in dot
