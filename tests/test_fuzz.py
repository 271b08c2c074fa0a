"""Property-based fuzzing of validate (and render): valid journeys stay valid, broken ones never crash.

(1) Journeys generated from the schema's own constraints (journeyctl.format.model) must give no schema or
    YAML findings, and render in every view and format; every DOT output must parse (dot -Tcanon).
(2) Valid journeys mutated (a key dropped or duplicated, a type changed, the text cut at a random byte,
    a reference renamed) must make the CLI exit 0, 1 or 2, never with a traceback, and every finding
    must point inside the file.

The "ci" hypothesis profile (tests/conftest.py) keeps this module under 30 s; for a real search:
    .venv/bin/pytest tests/test_fuzz.py --hypothesis-profile=long
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import example, given, note
from hypothesis import strategies as st
from typer.testing import CliRunner

from journeyctl.check.pipeline import check_paths
from journeyctl.cli import app
from journeyctl.config import Config
from journeyctl.format.model import Journey
from helpers.mutants import parent_of, value_paths

runner = CliRunner()

# --- a journey strategy that follows the schema --------------------------------------------------------

ids = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9_.-]{0,11}\Z")
# Any Unicode text a YAML file can carry (no surrogates); the dumper escapes what must be escaped.
texts = st.text(st.characters(codec="utf-8"), max_size=24)
maybe = lambda strategy: st.none() | strategy  # noqa: E731
durations = st.from_regex(r"\A[0-9]{1,3}(\.[0-9])?(min|h|d|w)\Z")
urls = st.from_regex(r"\Ahttps?://[a-z]{1,8}\.example/[A-Za-z0-9/_.-]{0,12}\Z")
numbers = st.floats(allow_nan=False, allow_infinity=False, width=32)
emotions = st.integers(-2, 2)


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None and v != []}


def named(extra: dict[str, Any] | None = None) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({"id": ids, "name": maybe(texts), "description": maybe(texts), **(extra or {})}).map(_drop_none)


@st.composite
def journeys(draw: st.DrawFn) -> dict[str, Any]:
    stage_count = draw(st.integers(1, 3))
    tp_ids = draw(st.lists(ids, min_size=1, max_size=6, unique=True))
    refs = ids | st.sampled_from(tp_ids)
    stages = []
    spread = [tp_ids[i::stage_count] for i in range(stage_count)]
    for s in range(stage_count):
        touchpoints = []
        for tp in spread[s]:
            transitions = draw(st.lists(st.fixed_dictionaries({
                "to": st.sampled_from(tp_ids) | st.builds(lambda j, t: f"{j}/{t}", ids, ids),
                "when": maybe(texts), "rate": maybe(numbers), "wait": maybe(durations),
                "handoff": maybe(st.fixed_dictionaries({"trigger": maybe(texts), "sla": maybe(durations),
                                                        "via": maybe(texts)}).map(_drop_none)),
            }).map(_drop_none), max_size=3))
            touchpoints.append(_drop_none({
                "id": tp, "name": draw(maybe(texts)),
                "kind": draw(maybe(st.sampled_from(["peripheral", "external", "internal"]))),
                "lane": draw(maybe(st.sampled_from(["frontstage", "backstage", "support"]))),
                "channel": draw(maybe(refs)), "owner": draw(maybe(refs)),
                "personas": draw(st.lists(refs, max_size=2)), "entry": draw(maybe(st.booleans())),
                "share": draw(maybe(numbers)),
                "outcome": draw(maybe(st.sampled_from(["converted", "retained", "advocate", "churned", "dropped"]))),
                "milestone": draw(maybe(st.booleans() | texts)), "moment_of_truth": draw(maybe(st.booleans())),
                "emotion": draw(maybe(emotions)), "pain_points": draw(st.lists(texts, max_size=2)),
                "opportunities": draw(st.lists(texts, max_size=2)), "kpis": draw(st.lists(refs, max_size=2)),
                "evidence": draw(st.lists(st.fixed_dictionaries({"source": texts, "ref": maybe(texts),
                                                                 "url": maybe(urls)}).map(_drop_none), max_size=2)),
                "at": draw(maybe(st.integers(-99999, 99999).map(lambda d: f"day {d}"))),
                "events": draw(st.lists(st.text(st.characters(codec="utf-8"), min_size=1, max_size=12), max_size=2)),
                "next": transitions,
            }))
        stages.append(_drop_none({
            "id": draw(ids), "name": draw(maybe(texts)), "goal": draw(maybe(texts)),
            "kpis": draw(st.lists(refs, max_size=2)), "emotion": draw(maybe(emotions)),
            "customer": draw(maybe(st.fixed_dictionaries({"does": maybe(texts), "thinks": maybe(texts),
                                                          "feels": maybe(texts)}).map(_drop_none))),
            "touchpoints": touchpoints,
        }))
    return _drop_none({
        "journeyctl": 1, "id": draw(ids), "title": draw(texts), "description": draw(maybe(texts)),
        "owner": draw(maybe(refs)), "status": draw(maybe(st.sampled_from(["draft", "active", "retired"]))),
        "state": draw(maybe(st.sampled_from(["current", "future"]))),
        "reviewed": draw(maybe(st.dates().map(lambda d: d.isoformat()))), "review_every": draw(maybe(durations)),
        "objectives": draw(st.lists(texts, max_size=2)),
        "tags": draw(st.lists(st.text(st.characters(codec="utf-8"), max_size=10), max_size=2)),
        "links": draw(st.lists(st.fixed_dictionaries({"title": texts, "url": urls}), max_size=1)),
        "personas": draw(st.lists(named({"role": maybe(texts), "goals": st.lists(texts, max_size=1)}), max_size=2)),
        "teams": draw(st.lists(named(), max_size=2)), "channels": draw(st.lists(named(), max_size=2)),
        "metrics": draw(st.lists(named({"unit": maybe(texts), "target": maybe(numbers),
                                        "direction": maybe(st.sampled_from(["up", "down"]))}), max_size=2)),
        "stages": stages,
    })


def dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


LOADING = {"schema", "yaml-syntax", "yaml-value", "duplicate-key", "file-error"}


# --- (1) valid journeys ----------------------------------------------------------------------------------

HAS_DOT = shutil.which("dot") is not None


def _render_everything(journey: Journey) -> list[str]:
    """Every view in every format; the DOT outputs, to be parsed by Graphviz."""
    from journeyctl.render import FORMATS, VIEWS, RenderError, check_combination, render
    from journeyctl.render.funnel_view import FunnelViewError

    dots = []
    for view in VIEWS:
        for fmt in FORMATS:
            try:
                check_combination(view, fmt)
            except RenderError:
                continue
            if fmt in ("svg", "png", "pdf") and (view != "map" or not HAS_DOT):
                continue  # Graphviz runs for the map; every view's DOT is parsed below, in one call
            try:
                out = render(journey, view, fmt, timeout=30)
            except FunnelViewError as exc:  # documented refusal: no entry, or rates that cannot be followed
                assert view == "funnel" and "cannot be computed" in str(exc)
                continue
            assert out, (view, fmt)
            if fmt == "dot":
                dots.append(out)
            elif fmt == "svg":
                assert out.lstrip().startswith(("<?xml", "<svg"))
            elif fmt == "png":
                assert out[:8] == b"\x89PNG\r\n\x1a\n"
            elif fmt == "pdf":
                assert out[:5] == b"%PDF-"
    return dots


_BRACKET_GOAL = {"journeyctl": 1, "id": "0", "title": "", "stages": [
    {"id": "0", "goal": "]", "touchpoints": [{"id": "0"}, {"id": "1"}]}]}
# Found by this test: a `]` in a stage goal broke dot's HTML-label lexer; kept as a regression example.
_known_render_bug = example(_BRACKET_GOAL)


@given(journeys())
@_known_render_bug
def test_schema_valid_journeys_validate_and_render(data):
    text = dump(data)
    note(text)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.journey.yaml"
        path.write_text(text, encoding="utf-8")
        result = check_paths([path], Config(cache=False, root=Path(tmp)))
    assert [f for f in result.findings if f.rule in LOADING] == []
    journey = Journey.model_validate(yaml.load(text, Loader=yaml.CSafeLoader))
    try:
        import journeyctl.render  # noqa: F401
    except ImportError:  # pragma: no cover - render belongs to another engineer; absent, only validate is fuzzed
        return
    dots = _render_everything(journey)
    if HAS_DOT:
        proc = subprocess.run(["dot", "-Tcanon"], input="\n".join(dots), capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.count("digraph") + proc.stdout.count("graph ") >= len(dots)


# --- (2) mutated journeys --------------------------------------------------------------------------------


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    data = draw(journeys())
    kind = draw(st.sampled_from(["drop-key", "change-type", "truncate", "duplicate-key", "rename-reference"]))
    if kind == "truncate":
        raw = dump(data).encode("utf-8")
        return kind, raw[:draw(st.integers(0, max(0, len(raw) - 1)))]
    if kind == "duplicate-key":
        lines = dump(data).split("\n")
        keyed = [i for i, line in enumerate(lines) if ": " in line and not line.lstrip().startswith(("- ", "'", '"'))]
        if keyed:
            i = draw(st.sampled_from(keyed))
            indent = len(lines[i]) - len(lines[i].lstrip(" -"))
            lines.insert(i + 1, " " * indent + lines[i].lstrip(" -"))
        return kind, "\n".join(lines).encode("utf-8")
    paths = [p for p in value_paths(data) if p]
    path = draw(st.sampled_from(paths))
    parent, last = parent_of(data, path)
    if kind == "drop-key":
        if isinstance(parent, dict):
            del parent[last]
        else:
            parent.pop(last)
    elif kind == "change-type":
        parent[last] = draw(st.one_of(st.integers(), st.booleans(), st.none(), texts, st.lists(st.integers(), max_size=2),
                                      st.dictionaries(ids, st.integers(), max_size=2), numbers))
    else:
        targets = [p for p in paths if p[-1] in ("to", "owner", "channel") or (len(p) > 1 and p[-2] in ("personas", "kpis")
                                                                             and isinstance(p[-1], int))]
        if targets:
            parent, last = parent_of(data, draw(st.sampled_from(targets)))
            parent[last] = draw(ids)
    return kind, dump(data).encode("utf-8")


@given(mutated())
def test_mutated_journeys_never_crash_and_findings_point_inside_the_file(case):
    kind, raw = case
    note(f"{kind}: {raw!r}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mutant.journey.yaml"
        path.write_bytes(raw)
        result = runner.invoke(app, ["validate", str(path), "--format", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code in (0, 1, 2)
    if result.exit_code == 2:
        return
    report = json.loads(result.stdout)
    lines = raw.count(b"\n") + 1  # the lines an editor shows, including an empty last one
    for finding in report["findings"]:
        assert 1 <= finding["line"] <= lines, finding
        assert finding["column"] >= 1, finding
    if kind == "truncate" and result.exit_code == 0:
        assert report["findings"] == [] or all(f["severity"] != "error" for f in report["findings"])


@pytest.mark.parametrize("kind", ["duplicate-key", "truncate"])
def test_mutation_kinds_produce_the_findings_they_are_meant_to(kind):
    """The mutations above are not vacuous: a duplicated key and a cut-off file are reported."""
    text = dump({"journeyctl": 1, "id": "a", "title": "T", "stages": [{"id": "s", "touchpoints": [{"id": "t"}]}]})
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "m.journey.yaml"
        if kind == "duplicate-key":
            path.write_text(text.replace("title: T\n", "title: T\ntitle: U\n"), encoding="utf-8")
        else:
            path.write_bytes(text.encode()[:text.index("stages") + 3])
        result = runner.invoke(app, ["validate", str(path), "--format", "json"])
    rules = [f["rule"] for f in json.loads(result.stdout)["findings"]]
    assert result.exit_code == 1
    assert {"duplicate-key": "duplicate-key", "truncate": "yaml-syntax"}[kind] in rules
