"""Mermaid journey import checked against Mermaid's own parser (tests/mermaid/parse.mjs, one Node run).

(1) Differential: for generated `journey` blocks full of Mermaid's traps (comments `%%` and `#`, `;`,
    keywords at the start of a name, entity codes like `#35;`, odd scores, several actors, blank and
    indented lines), Mermaid parses a diagram exactly when journeyctl does, and the sections, tasks,
    scores and actors Mermaid holds are exactly the stages, touchpoints, emotions and teams imported.
(2) Round trip: `render --view journey --format mermaid` of every example, imported, gives back the
    stages, touchpoints, emotions and teams the diagram shows.
"""

from __future__ import annotations

import html
import json
import random
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from journeyctl.cli import app
from journeyctl.interop.mermaid_in import MermaidError, blocks, parse, to_draft
from journeyctl.format.model import Journey
from journeyctl.render import render
from journeyctl.render.definitions import definitions
from journeyctl.render.escape import journey_text, one_line

from helpers.node_clients import node_modules

ROOT = Path(__file__).resolve().parents[2]
HARNESS = ROOT / "tests" / "mermaid" / "parse.mjs"
EXAMPLES = sorted((ROOT / "examples").glob("*.journey.yaml"))
runner = CliRunner()

WORDS = ["Make", "tea", "go", "Café", "ünï", "x", "7", "a%%b", "%c", "#35;", "#colon;", "#quot;", "x#y", "e;f",
         "journey", "Journey", "title", "section", "sectionx", "accTitle", "no owner", "{", "}", "%%{x}%%",
         "-", "'", '"', "\u00a0", "\x1c", "\u3000"]
SCORES = ["1", "2", "3", "4", "5", " 5 ", "0", "6", "-1", "2.5", "", "x", "0x3", "1e0", "+4", "Infinity"]
ACTORS = ["Me", "Cat", "Sales team", " Support ", "", "no owner", "Ops#35;", "a%%b"]


def _phrase(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 3)))


def generate_block(rng: random.Random) -> str:
    """One journey diagram: mostly well-formed, with traps in names and scores."""
    prefix = rng.choice(["", "", "", "---\ntitle: Front matter\n---\n", "%%{init: {'theme': 'forest'}}%%\n",
                         "%% a comment line\n", "\n\n", "%%{\n  init: {}\n}%%\n"])
    lines = [prefix + rng.choice(["journey", "journey", "  journey", "Journey"])]
    if rng.random() < 0.5:
        lines.append(f"  title {_phrase(rng)}")
    for _ in range(rng.randint(0, 3)):
        if rng.random() < 0.8:
            lines.append(f"  section {_phrase(rng)}")
        for _ in range(rng.randint(0, 3)):
            indent = rng.choice(["    ", "  ", "", "\t"])
            name = _phrase(rng) if rng.random() < 0.3 else rng.choice(["Make tea", "Go upstairs", "Do work"])
            score = rng.choice(SCORES) if rng.random() < 0.3 else str(rng.randint(1, 5))
            actors = rng.sample(ACTORS, rng.randint(0, 3)) if rng.random() < 0.4 else rng.sample(ACTORS[:3], 1)
            data = f"{name}: {score}" + (f": {', '.join(actors)}" if actors or rng.random() < 0.2 else "")
            lines.append(indent + data)
        if rng.random() < 0.2:
            lines.append(rng.choice(["", "  %% a comment", "%% x: 5: Me", "  # note", "   "]))
    return "\n".join(lines) + rng.choice(["\n", "", "\n\n"])


def mermaid_parse(diagrams: list[str]) -> list[dict]:
    done = subprocess.run(["node", str(HARNESS), str(node_modules().parent)], input=json.dumps(diagrams),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads(done.stdout)
    assert len(results) == len(diagrams)
    return results


def _decode(text: str) -> str:
    """What a browser shows for the text Mermaid's database holds (its entity placeholders decoded)."""
    return html.unescape(text.replace("\ufb02\xb0\xb0", "&#").replace("\ufb02\xb0", "&").replace("\xb6\xdf", ";"))


def _trim(text: str) -> str:
    from journeyctl.interop.mermaid_in import js_trim

    return js_trim(text)


def _rendered() -> list[tuple[Journey, str]]:
    out = []
    for path in EXAMPLES:
        journey = Journey.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        out.append((journey, render(journey, "journey", "mermaid")))
    return out


@pytest.fixture(scope="module")
def parsed() -> tuple[list[str], list[dict], list[tuple[Journey, str]]]:
    rng = random.Random(20)
    diagrams = [generate_block(rng) for _ in range(300)]
    rendered = _rendered()
    results = mermaid_parse(diagrams + [text for _, text in rendered])
    return diagrams + [text for _, text in rendered], results, rendered


def _expected(result: dict) -> dict[str, Any]:
    """The journey facts Mermaid's parse says: stage names, and (stage, task, emotion, owner, actors)."""
    sections = [_trim(_decode(s)) for s in result["sections"]]
    tasks = []
    for t in result["tasks"]:
        actors = [_decode(p) for p in t["people"] if _trim(_decode(p))]
        owners = [a for a in actors if a.lower() != "no owner"]
        tasks.append((_trim(_decode(t["section"])), _trim(_decode(t["task"])), t["score"], owners[:1],
                      sorted({a.lower() for a in owners})))
    return {"sections": sections, "tasks": tasks}


def _imported(text: str) -> tuple[dict[str, Any], list]:
    draft = to_draft(parse(text), "j", "t.md", 1, lambda offset: 1, set())
    data = draft.data
    teams = {t["id"]: t["name"] for t in data.get("teams", [])}
    named = [s for s in data["stages"] if "name" in s or s["id"] != "tasks"]
    sections = [s.get("name", "") for s in named]
    tasks = []
    for s in data["stages"]:
        for tp in s.get("touchpoints", []):
            stage_name = s.get("name", "") if (s in named) else ""
            tasks.append((stage_name, tp.get("name", ""), tp.get("emotion"), [teams[tp["owner"]]] if "owner" in tp else []))
    return {"sections": sections, "tasks": tasks, "teams": teams}, draft.problems


def test_the_generator_reaches_both_outcomes(parsed) -> None:
    _, results, rendered = parsed
    generated = results[: len(results) - len(rendered)]
    ok = sum(r["ok"] for r in generated)
    assert 60 < ok < len(generated) - 20, ok  # both parses and refusals are exercised


def test_mermaid_and_journeyctl_read_the_same_journey(parsed) -> None:
    diagrams, results, _ = parsed
    compared = 0
    for text, result in zip(diagrams, results):
        if not result["ok"]:
            with pytest.raises(MermaidError):
                parse(text)
            continue
        assert result["type"] == "journey", text
        got, problems = _imported(text)
        want = _expected(result)
        assert got["sections"] == want["sections"], text
        assert len(got["tasks"]) == len(want["tasks"]), text
        bad_scores = [t for t in want["tasks"] if t[2] not in (1, 2, 3, 4, 5)]
        assert len(problems) == len(bad_scores) + (0 if got["tasks"] or got["sections"] else 1), text
        for (stage, name, emotion, owner), (w_stage, w_name, score, w_owner, w_actors) in zip(got["tasks"], want["tasks"]):
            assert (stage, name) == (w_stage, w_name), text
            assert emotion == (score - 3 if score in (1, 2, 3, 4, 5) else None), text
            assert owner == w_owner, text
        all_actors = sorted({a for t in want["tasks"] for a in t[4]})
        assert sorted(n.lower() for n in got["teams"].values()) == all_actors, text
        compared += 1
    assert compared > 60


def test_rendered_examples_come_back(parsed) -> None:
    _, _, rendered = parsed
    escaped = 0
    for journey, text in rendered:
        data, problems = _imported(text)
        assert problems == []
        defs = definitions(journey)
        # Render writes ':', ',', '%', '#', ';' as Mermaid entity codes, which import decodes: every name
        # and team comes back exactly as written (the examples' names all fit the chart's boxes).
        assert data["sections"] == [one_line(s.label, 80) for s in journey.stages]
        want = []
        for stage in journey.stages:
            for tp in stage.touchpoints:
                emotion = tp.emotion if tp.emotion is not None else (stage.emotion if stage.emotion is not None else 0)
                owner = [one_line(defs.team_name(tp.owner), 60)] if tp.owner else []
                want.append((one_line(stage.label, 80), one_line(tp.label, 120), emotion, owner))
        assert data["tasks"] == want
        escaped += sum(journey_text(t[1]) != t[1] or any(journey_text(o, actor=True) != o for o in t[3]) for t in want)
    assert escaped >= 3  # names and teams with ',', ':', '%' ... came back too


def test_import_readme_writes_one_journey_per_block(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(
        "# Us\n\n```mermaid\njourney\n  title Sign up\n  section Discover\n    See the ad: 3: Marketing\n"
        "    Read reviews: 2: Marketing, Support\n  section Join\n    Fill the form: 1: Web team\n```\n\n"
        "```mermaid\nflowchart LR\n  a --> b\n```\n\n"
        "- nested:\n\n   ```mermaid\n   journey\n     section Renew\n       Pay again: 4\n   ```\n",
        encoding="utf-8")
    out = tmp_path / "journeys"
    out.mkdir()
    result = runner.invoke(app, ["import", str(readme), "-o", str(out)])
    assert result.exit_code == 0, result.output
    first = Journey.model_validate(yaml.safe_load((out / "sign-up.journey.yaml").read_text(encoding="utf-8")))
    second = Journey.model_validate(yaml.safe_load((out / "README-2.journey.yaml").read_text(encoding="utf-8")))
    assert [(s.name, [(tp.name, tp.emotion, tp.owner, [n.to for n in tp.next]) for tp in s.touchpoints])
            for s in first.stages] == [
        ("Discover", [("See the ad", 0, "marketing", ["read-reviews"]), ("Read reviews", -1, "marketing", ["fill-the-form"])]),
        ("Join", [("Fill the form", -2, "web-team", [])]),
    ]
    assert [t.name for t in first.teams] == ["Marketing", "Support", "Web team"]
    assert [(s.name, [tp.name for tp in s.touchpoints]) for s in second.stages] == [("Renew", ["Pay again"])]
    assert "README.md:8: task 'Read reviews' has 2 actors: 'marketing' owns it" in result.output
    assert " no-entry " in result.output and " no-outcome " in result.output  # what Mermaid cannot say
    assert " schema " not in result.output


def test_a_bad_score_or_a_broken_block_names_its_line(tmp_path: Path) -> None:
    readme = tmp_path / "r.md"
    readme.write_text("x\n\n```mermaid\njourney\n  section A\n    Task: 9: Me\n```\n", encoding="utf-8")
    result = runner.invoke(app, ["import", str(readme), "-o", str(tmp_path)])
    assert result.exit_code == 1
    assert "r.md:6: task 'Task': score '9' is not a whole number from 1 to 5" in result.output
    assert not list(tmp_path.glob("*.journey.yaml"))
    readme.write_text("```mermaid\njourney\n  section A\n    Task without score\n```\n", encoding="utf-8")
    result = runner.invoke(app, ["import", str(readme), "-o", str(tmp_path)])
    assert result.exit_code == 2
    assert "r.md:4: 'Task without score' has no ': score' after it" in result.output
    readme.write_text("# no diagrams\n", encoding="utf-8")
    result = runner.invoke(app, ["import", str(readme), "-o", str(tmp_path)])
    assert result.exit_code == 2 and "no journey to import" in result.output


def test_an_mmd_file_is_one_diagram(tmp_path: Path) -> None:
    mmd = tmp_path / "flow.mmd"
    mmd.write_text("%% exported\njourney\n  section Try\n    Open the app: 4: Product\n", encoding="utf-8")
    result = runner.invoke(app, ["import", str(mmd), "-o", str(tmp_path / "flow.journey.yaml")])
    assert result.exit_code == 0, result.output
    journey = Journey.model_validate(yaml.safe_load((tmp_path / "flow.journey.yaml").read_text(encoding="utf-8")))
    assert journey.id == "flow" and [tp.emotion for _, tp in journey.touchpoints()] == [1]


def test_windows_line_ends(tmp_path: Path) -> None:
    readme = tmp_path / "win.md"
    readme.write_bytes(b"# W\r\n\r\n```mermaid\r\njourney\r\n  section A\r\n    Task: 9: Me\r\n```\r\nafter\r\n")
    result = runner.invoke(app, ["import", str(readme), "-o", str(tmp_path)])
    assert result.exit_code == 1 and "win.md:6: task 'Task': score '9'" in result.output


def test_blocks_finds_fences_of_any_length_and_indent() -> None:
    text = "a\n````mermaid\njourney\n```\nstill inside\n````\n  ~~~ Mermaid title\n  journey\n  ~~~\n"
    found = blocks(text)
    assert [b.text for b in found] == ["journey\n```\nstill inside\n", "journey\n"]
