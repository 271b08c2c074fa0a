"""Acceptance: `journeyctl conform` as a user meets it: the JSON shape, the summary, Markdown, the
map with observed flow, --emit-sql, the progress bar on a terminal, and every exit code."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sqlglot
from typer.testing import CliRunner

from journeyctl.cli import app

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "conform"
JOURNEY = str(FIXTURES / "shop.journey.yaml")
LOG = str(FIXTURES / "shop.csv")
runner = CliRunner()


def conform(*args: str):
    return runner.invoke(app, ["conform", *args], env={"NO_COLOR": "1", "COLUMNS": "120"})


def test_json_is_the_documented_shape_with_hand_counted_values():
    result = conform(JOURNEY, LOG, "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data) == ["traces", "fitting", "fitness", "deviations", "transitions", "undeclared", "outcomes",
                          "bad_rows", "unmapped_events", "journey", "rows", "conversion", "predicted", "skipped",
                          "late_handoffs", "off_schedule", "visits", "dropped_at", "tolerance_days",
                          "bad_row_numbers", "unmapped_event_names", "warnings"]
    # u1 a-b-d-c fits (d exactly 1h after b: on time); u2 a-c skips b; u3 starts at b and stops there;
    # u4 a-b-c-f fits but meets f (day 3) on day 5; row 9 has no customer, row 14 no timestamp.
    assert (data["traces"], data["fitting"], data["fitness"]) == (4, 2, 0.5)
    assert data["deviations"] == {"not-entry": 1, "unexpected-transition": 0, "skipped": 1, "dropped": 1,
                                  "late-handoff": 0, "off-schedule": 1}
    assert data["transitions"][0] == {"from": "a", "to": "b", "declared_rate": 0.5, "observed": 2,
                                      "observed_rate": 0.666667}
    assert data["transitions"][-1] == {"from": "d", "to": "c", "declared_rate": None, "observed": 1,
                                       "observed_rate": 1.0}
    assert data["undeclared"] == [{"from": "a", "to": "c", "count": 1}]
    assert data["skipped"] == [{"from": "a", "to": "c", "via": ["b"], "count": 1}]
    assert data["outcomes"] == {"converted": 0.5, "retained": 0.25, "advocate": 0.0, "churned": 0.0,
                                "dropped": 0.0, "none": 0.25}
    assert data["conversion"] == 0.75
    assert (data["bad_rows"], data["bad_row_numbers"]) == (2, [9, 14])
    assert (data["unmapped_events"], data["unmapped_event_names"]) == (1, {"page_view": 1})
    assert data["late_handoffs"] == [{"from": "b", "to": "d", "sla": "1h", "observed": 1, "late": 0}]
    assert data["off_schedule"] == [{"touchpoint": "f", "day": 3, "visits": 1, "early": 0, "late": 1}]
    assert data["dropped_at"] == {"b": 1}
    assert data["visits"] == {"a": 3, "b": 3, "c": 3, "d": 1, "f": 1}


def test_predicted_outcomes_come_from_the_funnel():
    from journeyctl.check.pipeline import load_model
    from journeyctl.analysis.funnel import analyse_funnel

    data = json.loads(conform(JOURNEY, LOG, "-f", "json").stdout)
    journey, _ = load_model(Path(JOURNEY))
    combined = analyse_funnel(journey).to_json()["combined"]
    predicted = data["predicted"]
    assert predicted["conversion"] == combined["conversion"] == 0.375
    assert predicted["outcomes"]["converted"] == combined["outcomes"]["converted"]
    # Ending outside an outcome is the funnel's drop-off plus hand-overs to other journeys.
    assert predicted["outcomes"]["none"] == pytest.approx(combined["dropoff"] + combined["outcomes"]["handed_over"])
    assert predicted["note"] is None


def test_json_is_byte_identical_across_runs_and_hash_seeds(tmp_path):
    outputs = set()
    for seed in ("0", "1", "random"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run([sys.executable, "-m", "journeyctl", "conform", JOURNEY, LOG, "-f", "json"],
                             capture_output=True, text=True, env=env, timeout=60)
        assert run.returncode == 0, run.stderr
        outputs.add(run.stdout)
    assert len(outputs) == 1


def test_text_summary_leads_with_fitness_and_shows_the_tables():
    result = conform(JOURNEY, LOG)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "shop <- " in out.splitlines()[0]
    assert "4 traces from 14 rows; fitness 50.00% (2 fit the journey)" in out
    assert "2 bad rows (missing customer or event, or a timestamp that is not ISO 8601): rows 9, 14" in out
    assert "1 event matches no touchpoint: page_view (1)" in out
    for title in ("Deviations", "Undeclared transitions", "Declared transitions nobody took",
                  "Where traces end outside an outcome", "Observed vs declared rates", "Hand-offs with an SLA",
                  "Schedule (tolerance 1d)", "Outcomes"):
        assert title in out
    assert "a -> c" in out and "skipped b" in out
    assert "Traceback" not in out + result.stderr


def test_markdown_for_a_pull_request():
    result = conform(JOURNEY, LOG, "--format", "md")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("### Conformance of <code>") and lines[0].endswith("to `shop`")
    assert "| deviation | count | meaning |" in lines
    assert "| skipped | 1 | a step that jumps over declared touchpoints |" in lines
    assert "| conversion | 75.00% | 37.50% |" in lines
    assert "| a -&gt; e | 10.00% | 3 |" in lines       # declared, never taken, from a visited source
    assert "| b | 1 | 25.00% |" in lines              # where traces end outside an outcome


@pytest.mark.parametrize("threshold, code", [("0.5", 0), ("0.49", 0), ("0.51", 1), ("1", 1)])
def test_min_fitness_sets_the_exit_code(threshold, code):
    result = conform(JOURNEY, LOG, "-f", "json", "--min-fitness", threshold)
    assert result.exit_code == code
    assert json.loads(result.stdout)["fitness"] == 0.5  # the report is written either way
    if code:
        assert f"fitness 0.5000 is below --min-fitness {float(threshold):g}" in result.stderr


def test_min_fitness_fails_a_log_with_no_traces(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("customer,event,timestamp\n", encoding="utf-8")
    result = conform(JOURNEY, str(empty), "--min-fitness", "0")
    assert result.exit_code == 1
    assert "fitness n/a (no traces) is below --min-fitness 0" in result.stderr


@pytest.mark.parametrize("args, message", [
    (["missing.csv"], "missing.csv: no such file"),
    ([str(FIXTURES / "empty.csv")], "empty.csv: the file is empty (not even a header)"),
    ([LOG, "--customer-col", "user"], "no column 'user' for the customer (columns: customer, event, timestamp); "
                                      "name it with --customer-col"),
    ([LOG, "--tolerance", "a week"], "--tolerance: 'a week' is not a duration"),
    ([LOG, "--render", "map.gif"], "--render map.gif: unknown suffix"),
    ([], "missing LOG"),
    ([LOG, "--min-fitness", "2"], "Invalid value for '--min-fitness'"),
    ([LOG, "--emit-sql", "oracle"], "Invalid value for '--emit-sql'"),
])
def test_usage_and_input_errors_exit_2_without_a_traceback(args, message):
    result = conform(JOURNEY, *args)
    assert result.exit_code == 2
    assert message in " ".join((result.stderr + result.stdout).split())
    assert "Traceback" not in result.stderr + result.stdout


def test_a_log_that_is_not_parquet_exits_2(tmp_path):
    fake = tmp_path / "events.parquet"
    fake.write_bytes(b"customer,event\n")
    result = conform(JOURNEY, str(fake))
    assert result.exit_code == 2
    assert "cannot read as PARQUET" in result.stderr


def test_a_journey_that_fails_the_schema_exits_1_with_its_findings(tmp_path):
    bad = tmp_path / "bad.journey.yaml"
    bad.write_text("journeyctl: 1\nid: bad\ntitle: Bad\nstages: []\n", encoding="utf-8")
    result = conform(str(bad), LOG)
    assert result.exit_code == 1
    assert "bad.journey.yaml:4" in result.stderr
    missing = conform(str(tmp_path / "nope.journey.yaml"), LOG)
    assert missing.exit_code == 2


def test_emit_sql_needs_no_log_and_names_the_table_and_columns():
    result = conform(JOURNEY, "--emit-sql", "bigquery", "--table", "proj.analytics.events",
                     "--customer-col", "user_id", "--order-col", "ingest_seq")
    assert result.exit_code == 0, result.stderr
    tree = sqlglot.parse_one(result.stdout, read="bigquery")
    tables = {".".join(p for p in (t.catalog, t.db, t.name) if p) for t in tree.find_all(sqlglot.exp.Table)}
    assert "proj.analytics.events" in tables
    assert "`user_id`" in result.stdout and "`ingest_seq`" in result.stdout
    assert "SAFE_CAST(" in result.stdout and "UNIX_MICROS(" in result.stdout


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed")
def test_render_draws_the_observed_flow_on_the_map(tmp_path):
    out = tmp_path / "flow.svg"
    result = conform(JOURNEY, LOG, "-f", "json", "--render", str(out))
    assert result.exit_code == 0, result.stderr
    svg = out.read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") or "<svg" in svg[:500]
    assert "fitness 50.0%" in svg
    assert "2 seen, 67%" in svg          # a -> b, observed flow on a declared edge
    assert "1 undeclared" in svg         # a -> c, drawn dashed
    assert "leak: 1 traces end here" in svg


def test_render_as_dot_needs_no_graphviz(tmp_path):
    out = tmp_path / "flow.dot"
    result = conform(JOURNEY, LOG, "--render", str(out))
    assert result.exit_code == 0, result.stderr
    dot = out.read_text(encoding="utf-8")
    assert "1 undeclared" in dot and "dashed" in dot


def test_a_progress_bar_on_a_terminal_for_a_large_log(tmp_path):
    """Over 16 MB on a terminal: a transient progress bar on stderr; stdout keeps only the report."""
    import pty

    big = tmp_path / "big.csv"
    big.write_text("customer,event,timestamp\n" + "u1,visit,2025-03-01T10:00:00Z\n" * 600_000, encoding="utf-8")
    assert big.stat().st_size > 16 * 1024 * 1024
    out = tmp_path / "out.json"
    primary, secondary = pty.openpty()
    with open(out, "w", encoding="utf-8") as stdout:
        proc = subprocess.Popen([sys.executable, "-m", "journeyctl", "conform", JOURNEY, str(big), "-f", "json"],
                                stdout=stdout, stderr=secondary, env={**os.environ, "TERM": "xterm", "COLUMNS": "80"})
        os.close(secondary)
        seen = b""
        while True:
            try:
                chunk = os.read(primary, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        assert proc.wait(timeout=60) == 0
    os.close(primary)
    assert b"conform" in seen and b"%" in seen
    assert json.loads(out.read_text(encoding="utf-8"))["traces"] == 1


def test_no_progress_bar_when_stderr_is_not_a_terminal():
    result = conform(JOURNEY, LOG, "-f", "json")
    assert result.stderr == ""


def _tangled_log(path: Path) -> Path:
    """200 customers who all go a -> b; 60 of them then take two undeclared steps (b -> e -> g), and two
    single customers take two one-off undeclared steps each (b -> g -> a, b -> f -> d)."""
    rows = ["customer,event,timestamp"]
    for n in range(200):
        path_of = ["visit", "b"]
        if n < 60:
            path_of += ["e", "g"]  # b -> e undeclared, e -> g undeclared: common
        elif n == 60:
            path_of += ["g", "visit"]  # b -> g, g -> a: once each
        elif n == 61:
            path_of += ["f", "d"]  # b -> f, f -> d: once each
        rows += [f"u{n},{event},2026-01-01T0{i}:00:00Z" for i, event in enumerate(path_of)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _dashed(dot: str) -> int:
    return sum(1 for line in dot.splitlines() if " -> " in line and 'style="dashed"' in line)


def test_render_hides_rare_undeclared_transitions_and_says_how_many(tmp_path):
    log = _tangled_log(tmp_path / "tangle.csv")
    data = json.loads(conform(JOURNEY, str(log), "-f", "json").stdout)
    assert len(data["undeclared"]) == 6  # b->e, e->g (60 each); b->g, g->a, b->f, f->d (once each)
    out = tmp_path / "flow.dot"
    result = conform(JOURNEY, str(log), "--render", str(out))
    assert result.exit_code == 0, result.stderr
    dot = out.read_text(encoding="utf-8")
    # Default: seen by at least 1% of 200 traces (2 times): the two common ones, the four one-offs hidden.
    assert _dashed(dot) == 2 and "60 undeclared" in dot and "1 undeclared" not in dot
    note = "4 rarer undeclared transitions not drawn (4 times in all; --min-count 1 --top 0 draws all)"
    assert note in dot and note in result.stderr
    result = conform(JOURNEY, str(log), "--render", str(out), "--min-count", "1")
    assert _dashed(out.read_text(encoding="utf-8")) == 6 and "not drawn" not in result.stderr
    result = conform(JOURNEY, str(log), "--render", str(out), "--min-count", "1", "--top", "3")
    dot = out.read_text(encoding="utf-8")
    assert _dashed(dot) == 3 and "3 rarer undeclared transitions not drawn (3 times in all" in dot
    assert conform(JOURNEY, str(log), "--render", str(out), "--min-count", "0").exit_code == 2
