"""Acceptance: `journeyctl funnel` as a user meets it (formats, exit codes, refusals with file:line)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeyctl.cli import app

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "funnel"
runner = CliRunner()


def funnel(*args: str):
    return runner.invoke(app, ["funnel", *args], env={"NO_COLOR": "1", "COLUMNS": "100"})


def test_json_holds_the_hand_computed_numbers():
    result = funnel(str(FIXTURES / "two-entries.journey.yaml"), "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data) == ["journey", "combined", "entries"]
    assert data["journey"] == "two-entries" and list(data["entries"]) == ["search", "referral"]
    combined = data["combined"]
    assert combined["conversion"] == 0.26
    assert combined["outcomes"] == {"converted": 0.26, "retained": 0.0, "advocate": 0.0, "churned": 0.0,
                                    "dropped": 0.0, "handed_over": 0.065}
    assert combined["dropoff"] == 0.675
    assert combined["expected_touchpoints"] == 2.21
    assert combined["expected_touchpoints_to_convert"] == pytest.approx(45 / 13, abs=1e-12)
    assert combined["stages"] == {"awareness": {"inflow": 1.0}, "purchase": {"inflow": 0.65}}
    assert combined["leaks"] == [["search", 0.35], ["offer", 0.325]]
    assert data["entries"]["search"]["expected_touchpoints_to_convert"] == 3.0
    assert data["entries"]["referral"]["touchpoints"]["intro"] == {"visits": 1.0, "dropoff": 0.0}


def test_entry_option_reports_one_entry():
    result = funnel(str(FIXTURES / "loop.journey.yaml"), "--entry", "signup", "-f", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data["entries"]) == ["signup"]
    assert data["combined"] == data["entries"]["signup"]
    assert data["combined"]["conversion"] == pytest.approx(7 / 12, abs=1e-12)


def test_markdown_is_a_comment_ready_table():
    result = funnel(str(FIXTURES / "two-entries.journey.yaml"), "--format", "md")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == """\
### Funnel of `two-entries`

|  | combined | from search | from referral |
|:--|--:|--:|--:|
| weight | 100.00% | 70.00% | 30.00% |
| conversion | 26.00% | 20.00% | 40.00% |
| \u2003converted | 26.00% | 20.00% | 40.00% |
| handed over | 6.50% | 5.00% | 10.00% |
| drop-off | 67.50% | 75.00% | 50.00% |
| touchpoints visited | 2.21 | 1.70 | 3.40 |
| touchpoints to convert | 3.46 | 3.00 | 4.00 |

**Stage inflow** (customers entering each stage; re-entries count again)

| stage | inflow |
|:--|--:|
| awareness | 100.00% |
| purchase | 65.00% |

**Top leaks** (drop-off without an outcome, top 10)

| touchpoint | drop-off | visits |
|:--|--:|--:|
| search | 35.00% | 0.70 |
| offer | 32.50% | 0.65 |
"""


def test_text_shows_the_funnel_tables():
    result = funnel(str(FIXTURES / "loop.journey.yaml"))
    assert result.exit_code == 0, result.stderr
    lines = [" ".join(line.replace("│", " ").split()) for line in result.stdout.splitlines()]
    assert "Funnel of loop-funnel" in lines
    assert "conversion 16.67%" in lines
    assert "drop-off 83.33%" in lines
    assert "touchpoints visited 2.83" in lines
    assert "touchpoints to convert 5.33" in lines
    assert any(line.startswith("awareness 108.33%") for line in lines)
    assert "ad 75.00% 1.50" in lines  # the top leak: drop-off and visits


@pytest.mark.parametrize("fixture, args, code, expected", [
    ("bad-rates.journey.yaml", [], 1, [
        "bad-rates.journey.yaml:9:16: error invalid-rates entry shares sum to 0.6 (cart: 0.6), not 1",
        "bad-rates.journey.yaml:11:30: error invalid-rates rate 45 of the transition from 'cart' to 'paid' "
        "is not between 0 and 1",
        "bad-rates.journey.yaml:14:11: error invalid-rates rates of the transitions leaving 'checkout' sum "
        "to 1.2, more than 1",
    ]),
    ("endless.journey.yaml", [], 1, [
        "journeyctl: tests/fixtures/funnel/endless.journey.yaml: customers who reach the loop reply, "
        "follow-up never leave it: no transition out of it, no drop-off, so the journey never ends"]),
    ("loop.journey.yaml", ["--entry", "signpu"], 2, [
        "journeyctl: journey 'loop-funnel' has no touchpoint 'signpu' (did you mean 'signup'?)"]),
    ("missing.journey.yaml", [], 2, ["missing.journey.yaml:1:1: error file-error cannot read file: "
                                     "No such file or directory"]),
    ("loop.journey.yaml", ["--format", "csv"], 2, ["'csv' is not one of"]),
])
def test_refusals_say_why_on_stderr(fixture, args, code, expected):
    result = funnel(os.path.relpath(FIXTURES / fixture), "--format", "json", *args)
    assert result.exit_code == code
    assert result.stdout == ""  # nothing a JSON consumer could mistake for a report
    errors = result.stderr.splitlines()
    for line in expected:
        assert any(line in e for e in errors), (line, errors)
    assert len(errors) >= len(expected)


def test_a_file_that_is_not_a_journey_is_refused_with_its_schema_findings(tmp_path):
    bad = tmp_path / "bad.journey.yaml"
    bad.write_text("journeyctl: 1\nid: x\ntitle: X\nstages: []\n", encoding="utf-8")
    result = funnel(str(bad))
    assert result.exit_code == 1
    assert "error schema" in result.stderr


def test_json_is_byte_identical_across_hash_seeds():
    outputs = set()
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "NO_COLOR": "1"}
        done = subprocess.run([sys.executable, "-m", "journeyctl", "funnel", str(FIXTURES / "two-entries.journey.yaml"),
                               "-f", "json"], capture_output=True, text=True, env=env, timeout=120)
        assert done.returncode == 0, done.stderr
        outputs.add(done.stdout)
    assert len(outputs) == 1
