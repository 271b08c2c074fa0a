"""Mermaid's journey chart as a reader sees it: drawn by the pinned Mermaid in headless Chromium.

The parser check (test_render_mermaid.py) says what Mermaid understood; this one says what it shows.
Every task and section name must read exactly as in the YAML (`,` `%` `:` `#` `;` included, no
look-alike characters), or shortened with "…" where it is too long for the widest box, and must fit in
its box: Mermaid draws names in fixed 50-unit-high boxes and silently cuts what overflows. Actors (the
owning teams) must read as written in the legend, commas included.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
import yaml

from journeyctl.format.model import Journey
from journeyctl.render import render
from journeyctl.render.definitions import definitions
from journeyctl.render.escape import one_line
from journeyctl.render.mermaid import journey_box_chars

from helpers.node_clients import node_modules
from helpers.site_harness import Chromium, find_chromium

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.journey.yaml"))
BINARY = find_chromium()
pytestmark = pytest.mark.skipif(BINARY is None, reason="chromium is not installed (apt-get install chromium)")

RUNNER = r"""
<script>
mermaid.initialize({startOnLoad: false, securityLevel: "strict"});
(async function () {
  var out = [];
  for (var i = 0; i < DIAGRAMS.length; i++) {
    try {
      var drawn = await mermaid.render("d" + i, DIAGRAMS[i]);
      var host = document.createElement("div");
      host.innerHTML = drawn.svg;
      document.body.appendChild(host);
      var boxes = [];
      host.querySelectorAll("foreignObject").forEach(function (fo) {
        var outer = fo.firstElementChild, label = fo.querySelector("div.label");
        boxes.push({kind: outer.getAttribute("class"), text: label.textContent,
                    box: [Number(fo.getAttribute("width")), Number(fo.getAttribute("height"))],
                    content: [label.scrollWidth, outer.scrollHeight]});
      });
      var texts = [];
      host.querySelectorAll("svg text").forEach(function (t) {
        if (!t.closest("switch") && t.getAttribute("visibility") !== "hidden") texts.push(t.textContent);
      });
      out.push({ok: true, boxes: boxes, texts: texts});
    } catch (e) { out.push({ok: false, error: String(e)}); }
  }
  var pre = document.createElement("pre");
  pre.id = "verdict";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
</script>
"""


def _journey(stages: list[dict], teams: list[dict], title: str = "T") -> Journey:
    return Journey.model_validate({"journeyctl": 1, "id": "j", "title": title, "teams": teams, "stages": stages})


TEAMS = [{"id": "support", "name": "Customer support: chat, phone, email"}, {"id": "ops", "name": "Ops; #2 (50%)"}]
LONG = ("Opens the chat, types the question: 'where is my refund?' (50% of all contacts) and waits for an "
        "agent to pick it up, which takes an hour")
AWKWARD = _journey([
    {"id": "ask", "name": "Ask: first contact, 50% by chat", "touchpoints": [
        {"id": "a", "name": LONG, "owner": "support", "emotion": -1},
        {"id": "b", "name": "Section 2: chat, phone", "owner": "ops"},
        {"id": "c", "name": "#1; 100% done: yes", "owner": "support"}]},
    {"id": "one", "name": "A stage whose name is long, with one touchpoint only", "touchpoints": [
        {"id": "d", "name": "Title: short", "owner": "ops"}]},
], TEAMS, title="Support: chat, phone & 100% coverage")
SHORT = _journey([{"id": "s", "name": "Sign-up", "touchpoints": [{"id": "a", "name": "Sign up"}]}], [])


def _load(path: Path) -> Journey:
    return Journey.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def _hostile() -> Journey:
    from render.test_render_mermaid import _hostile as hostile

    return hostile()


CASES = [(p.name, lambda p=p: _load(p)) for p in EXAMPLES] + [
    ("awkward", lambda: AWKWARD), ("short", lambda: SHORT), ("hostile", _hostile)]


@pytest.fixture(scope="module")
def shown(tmp_path_factory) -> dict[str, tuple[Journey, str, dict]]:
    """Each case's journey chart rendered by Mermaid in one Chromium run: name → (journey, text, what it shows)."""
    script = node_modules() / "mermaid" / "dist" / "mermaid.min.js"
    journeys = [make() for _, make in CASES]
    texts = [render(j, "journey", "mermaid") for j in journeys]
    folder = tmp_path_factory.mktemp("mermaid-browser")
    page = folder / "page.html"
    page.write_text('<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>'
                    f'<script src="{script.as_uri()}"></script><script>var DIAGRAMS = {json.dumps(texts)};</script>'
                    f"{RUNNER}</body></html>", encoding="utf-8")
    done = Chromium(BINARY, folder / "profile")._run("--virtual-time-budget=30000", "--dump-dom", page.as_uri(),
                                                      timeout=120)
    match = re.search(r'<pre id="verdict">(.*?)</pre>', done.stdout.decode("utf-8"), re.S)
    assert match, f"Mermaid did not finish in Chromium: {done.stderr.decode()[-1500:]}"
    results = json.loads(html.unescape(match.group(1)))
    return {name: (j, t, r) for (name, _), j, t, r in zip(CASES, journeys, texts, results)}


def _reads_as(shown_text: str, original: str) -> bool:
    """The name as typed (runs of spaces as one), or its start followed by "…"."""
    shown_text, original = " ".join(shown_text.split()), " ".join(original.split())
    return shown_text == original or (shown_text.endswith("…") and original.startswith(shown_text[:-1]))


@pytest.mark.parametrize("name", [name for name, _ in CASES])
def test_every_name_reads_as_written_and_fits_its_box(shown, name):
    journey, text, result = shown[name]
    assert result["ok"], result.get("error")
    stages = [s for s in journey.stages if s.touchpoints]
    sections = [b for b in result["boxes"] if b["kind"].startswith("journey-section")]
    tasks = [b for b in result["boxes"] if b["kind"] == "task"]
    assert len(sections) == len(stages) and len(tasks) == sum(len(s.touchpoints) for s in stages)
    for box, stage in zip(sections, stages):
        assert _reads_as(box["text"], one_line(stage.label, 80)), (box["text"], stage.label)
    for box, tp in zip(tasks, [tp for s in stages for tp in s.touchpoints]):
        assert _reads_as(box["text"], one_line(tp.label, 120)), (box["text"], tp.label)
    for box in sections + tasks:
        width, height = box["box"]
        content_width, content_height = box["content"]
        assert content_height <= height and content_width <= width, box  # nothing cut by the box
    for look_alike in "∶＃；％，“”":
        assert look_alike not in " ".join(b["text"] for b in result["boxes"] + [{"text": t} for t in result["texts"]])


@pytest.mark.parametrize("name", [name for name, _ in CASES])
def test_title_and_actors_read_as_written(shown, name):
    journey, _, result = shown[name]
    legend = " ".join(" ".join(result["texts"]).split())
    assert " ".join(one_line(journey.title, 200).split()) in legend
    defs = definitions(journey)
    for team in {tp.owner for _, tp in journey.touchpoints() if tp.owner}:
        assert " ".join(one_line(defs.team_name(team), 60).split()) in legend, (team, legend)


def test_the_awkward_journey_needs_wide_boxes_and_one_shortened_name(shown):
    _, text, result = shown["awkward"]
    assert text.startswith("---\nconfig:\n  journey:\n    width: 300\n    height: 64\n---\njourney\n")
    assert len(LONG) > journey_box_chars(300, 3)
    tasks = [b["text"] for b in result["boxes"] if b["kind"] == "task"]
    assert tasks[0].endswith("…") and tasks[1:] == ["Section 2: chat, phone", "#1; 100% done: yes", "Title: short"]
    _, short_text, _ = shown["short"]
    assert short_text.startswith("journey\n")  # Mermaid's own box width when every name fits
