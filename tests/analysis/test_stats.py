"""`journeyctl stats`: exact counts, matrices and hand-offs on a fixture workspace; path definitions."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeyctl.cli import app
from journeyctl.config import Config
from journeyctl.format.model import Journey
from journeyctl.analysis.stats import StatsBuilder, collect_stats, path_stats

FIXTURE = Path(__file__).parents[1] / "fixtures" / "workspace_stats"
runner = CliRunner()


@pytest.fixture(scope="module")
def report():
    return collect_stats([FIXTURE], Config())


def test_journey_rows(report):
    rows = {j.id: (j.stages, j.touchpoints, j.handoffs, j.missing_handoffs, j.entries, j.outcomes,
                   j.converting_outcomes, j.paths.shortest, j.paths.average, j.paths.longest,
                   j.paths.converting_entries) for j in report.journeys}
    assert rows == {
        "alpha": (3, 6, 1, 2, 1, 2, 1, 4, 4.0, 5, 1),
        "beta": (2, 4, 1, 1, 2, 1, 1, 3, 3.5, 4, 2),
        "gamma": (2, 2, 0, 0, 1, 1, 1, 2, 2.0, 2, 1),
    }
    assert [j.id for j in report.journeys] == ["alpha", "beta", "gamma"]
    assert report.skipped == []
    assert report.totals() == {"journeys": 3, "stages": 7, "touchpoints": 12, "handoffs": 2,
                               "missing_handoffs": 3, "entries": 4, "outcomes": 4, "converting_outcomes": 3}


STAGES = ["awareness", "consideration", "purchase", "onboarding", "retention", "advocacy"]


@pytest.mark.parametrize("key, rows, cells", [
    ("persona_stage", ["p1", "p2", "(none)"],
     [[2, 1, 1, 2, 1, 0], [1, 1, 0, 0, 2, 0], [0, 0, 1, 1, 0, 1]]),
    ("channel_stage", ["email", "phone", "web", "(none)"],
     [[0, 1, 1, 1, 2, 0], [0, 1, 0, 1, 0, 0], [2, 0, 1, 1, 0, 0], [0, 0, 0, 0, 0, 1]]),
    ("team_stage", ["marketing", "sales", "success", "support", "(none)"],
     [[2, 1, 0, 0, 0, 0], [0, 1, 2, 0, 0, 0], [0, 0, 0, 2, 2, 0], [0, 0, 0, 1, 0, 0], [0, 0, 0, 0, 0, 1]]),
])
def test_matrices(report, key, rows, cells):
    matrix = getattr(report, key)
    assert matrix.columns == STAGES
    assert matrix.rows == rows
    assert matrix.cells == cells


def test_handoff_matrix_and_missing(report):
    assert [p.to_json() for p in report.handoffs] == [
        {"from": "marketing", "to": "sales", "transitions": 2, "declared": 1, "missing": 1},
        {"from": "sales", "to": "success", "transitions": 1, "declared": 0, "missing": 1},  # cross-journey
        {"from": "success", "to": "support", "transitions": 1, "declared": 1, "missing": 0},
        {"from": "support", "to": "success", "transitions": 1, "declared": 0, "missing": 1},
    ]
    assert report.teams == ["marketing", "sales", "success", "support"]
    missing = [(Path(m.file).name, m.line, m.source, m.target, m.from_team, m.to_team) for m in report.missing]
    assert missing == [
        ("alpha.journey.yaml", 28, "landing", "call", "marketing", "sales"),
        ("alpha.journey.yaml", 56, "won", "beta/start", "sales", "success"),
        ("beta.journey.yaml", 33, "setup", "active", "support", "success"),
    ]


def _journey(stages: list[list[dict]], stage_ids: list[str] | None = None) -> Journey:
    data = {"journeyctl": 1, "id": "j", "title": "J",
            "stages": [{"id": (stage_ids or [f"s{i}" for i in range(len(stages))])[i], "touchpoints": tps}
                       for i, tps in enumerate(stages)]}
    return Journey.model_validate(data)


def tp(ident: str, *to: str, entry: bool = False, outcome: str | None = None) -> dict:
    out: dict = {"id": ident, "next": [{"to": t} for t in to]}
    if entry:
        out["entry"] = True
    if outcome:
        out["outcome"] = outcome
    return out


@pytest.mark.parametrize("name, touchpoints, expected", [
    ("chain", [tp("a", "b", entry=True), tp("b", "c"), tp("c", outcome="converted")], (3, 3.0, 3, 1)),
    ("entry is the outcome", [tp("a", entry=True, outcome="retained")], (1, 1.0, 1, 1)),
    ("loop counted once", [tp("a", "b", entry=True), tp("b", "c", "d"), tp("c", "b"), tp("d", outcome="advocate")],
     (3, 3.0, 4, 1)),
    ("self loop", [tp("a", "a", "b", entry=True), tp("b", outcome="converted")], (2, 2.0, 2, 1)),
    ("two entries", [tp("a", "c", entry=True), tp("b", "a", entry=True), tp("c", outcome="converted")],
     (2, 2.5, 3, 2)),
    ("branch: shortest vs longest", [tp("a", "b", "z", entry=True), tp("b", "c"), tp("c", "z"),
                                     tp("z", outcome="converted")], (2, 2.0, 4, 1)),
    ("dropped only", [tp("a", "b", entry=True), tp("b", outcome="dropped")], (None, None, None, 0)),
    ("no entry", [tp("a", "b"), tp("b", outcome="converted")], (None, None, None, 0)),
    ("unreachable conversion", [tp("a", "b", entry=True), tp("b"), tp("c", outcome="converted")],
     (None, None, None, 0)),
    ("cross-journey link leaves", [tp("a", "other/x", entry=True), tp("x", outcome="converted")],
     (None, None, None, 0)),
    ("one entry stranded", [tp("a", "c", entry=True), tp("b", entry=True), tp("c", outcome="converted")],
     (2, 2.0, 2, 1)),
])
def test_path_stats(name, touchpoints, expected):
    stats = path_stats(_journey([touchpoints]))
    assert (stats.shortest, stats.average, stats.longest, stats.converting_entries) == expected


def test_path_stats_linear_on_long_chains_and_loops():
    # 20,000 touchpoints in one loop plus a chain: must not recurse or blow up (Tarjan is iterative).
    n = 20_000
    tps = [tp(f"t{i}", f"t{i + 1}", entry=(i == 0)) for i in range(n - 1)]
    tps.append(tp(f"t{n - 1}", "t0", "end"))
    tps.append(tp("end", outcome="converted"))
    journey = _journey([tps])
    start = time.perf_counter()
    stats = path_stats(journey)
    assert time.perf_counter() - start < 2.0
    assert (stats.shortest, stats.longest) == (n + 1, n + 1)


@pytest.mark.parametrize("orders, expected", [
    ([["a", "c"], ["a", "b", "c"]], ["a", "b", "c"]),          # merged, not first-seen (a, c, b)
    ([["x", "y"], ["y", "x"]], ["x", "y"]),                    # disagreement: earliest seen first
    ([["b"], ["a"]], ["b", "a"]),                              # unrelated: first seen
    ([["a", "b", "c"], ["c", "d"], ["a", "d"]], ["a", "b", "c", "d"]),
])
def test_stage_order_merges_journeys(orders, expected):
    builder = StatsBuilder()
    for i, ids in enumerate(orders):
        builder.add(_journey([[tp(f"t{i}{k}")] for k in range(len(ids))], ids), f"f{i}")
    assert builder.stage_order() == expected


# --------------------------------------------------------------------------------------------------
# The command


def test_cli_json_shape():
    result = runner.invoke(app, ["stats", str(FIXTURE), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert sorted(data) == ["handoffs", "journeys", "matrices", "skipped", "totals", "version"]
    assert sorted(data["matrices"]) == ["channel_stage", "persona_stage", "team_stage"]
    assert data["matrices"]["team_stage"]["rows"][0] == "marketing"
    assert data["matrices"]["team_stage"]["cells"][0] == [2, 1, 0, 0, 0, 0]
    beta = next(j for j in data["journeys"] if j["id"] == "beta")
    assert beta["paths"] == {"shortest": 3, "average": 3.5, "longest": 4, "converting_entries": 2}
    assert sorted(beta) == ["converting_outcomes", "entries", "file", "handoffs", "id", "missing_handoffs",
                            "outcomes", "paths", "stages", "title", "touchpoints"]
    assert [m["to"] for m in data["handoffs"]["missing"]] == ["call", "beta/start", "active"]
    assert data["handoffs"]["pairs"][0] == {"from": "marketing", "to": "sales", "transitions": 2,
                                            "declared": 1, "missing": 1}


def test_cli_markdown_tables():
    result = runner.invoke(app, ["stats", str(FIXTURE), "-f", "md"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("# Journey statistics\n")
    for heading in ("## Journeys", "## Touchpoints per persona and stage", "## Touchpoints per channel and stage",
                    "## Touchpoints per team (owner) and stage", "## Hand-offs between teams", "## Missing hand-offs"):
        assert f"\n{heading}\n" in out
    assert "| beta | 2 | 4 | 1 | 1 | 2 | 1 | 1 | 3 | 3.5 | 4 |" in out
    assert "| p1 | 2 | 1 | 1 | 2 | 1 | . | 7 |" in out
    assert "| marketing | . | 2 (1 missing) | . | . |" in out
    assert "| alpha | won \u2192 beta/start | sales \u2192 success |" in out


def test_cli_text_tables():
    result = runner.invoke(app, ["stats", str(FIXTURE)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "\x1b[" not in out  # not a terminal: no colour codes
    for title in ("Journeys", "Touchpoints per persona and stage", "Hand-offs between teams", "Missing hand-offs (3)"):
        assert title in out
    assert "3 journeys, 12 touchpoints, 2 hand-offs declared, 3 missing" in out
    # More stages than personas: the terminal table puts stages down the rows.
    assert "stage \\ persona" in out


def test_cli_invalid_file_is_skipped_with_exit_1(tmp_path):
    for f in FIXTURE.glob("*.yaml"):
        shutil.copy(f, tmp_path / f.name)
    (tmp_path / "broken.journey.yaml").write_text("journeyctl: 1\nid: broken\n", encoding="utf-8")
    result = runner.invoke(app, ["stats", str(tmp_path), "-f", "json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert [j["id"] for j in data["journeys"]] == ["alpha", "beta", "gamma"]
    assert len(data["skipped"]) == 1 and data["skipped"][0]["file"].endswith("broken.journey.yaml")
    assert "skipped" in result.stderr and "broken.journey.yaml" in result.stderr


@pytest.mark.parametrize("args, message", [
    (["stats", "does-not-exist"], "does-not-exist: no such file or directory"),
    (["stats", "tests/fixtures/workspace_stats", "-f", "xml"], "xml"),
])
def test_cli_usage_errors_exit_2(args, message):
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_cli_no_journeys_exit_2(tmp_path):
    result = runner.invoke(app, ["stats", str(tmp_path)])
    assert result.exit_code == 2
    assert "no journey files found" in result.stderr


def test_cli_output_file(tmp_path):
    target = tmp_path / "stats.json"
    result = runner.invoke(app, ["stats", str(FIXTURE), "-f", "json", "-o", str(target)])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert json.loads(target.read_text(encoding="utf-8"))["totals"]["touchpoints"] == 12
