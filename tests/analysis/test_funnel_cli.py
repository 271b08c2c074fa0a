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

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "funnel"
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
    # Hand-checked: purchase is reached by 0.7 * 0.5 + 0.3 = 65%; saving half of offer's 50% drop-off
    # sends 0.6 to bought: 0.65 * (0.6 - 0.4) = +13 pts; half of search's: 0.7 * 0.25 * 0.4 = +7 pts.
    result = funnel(str(FIXTURES / "two-entries.journey.yaml"), "--format", "md")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == """\
### Funnel of Search and referral (two-entries)

Customers start at: search 70.00%, referral 30.00%.

**Reach per stage\u00b9**

| stage | reach |
|:--|--:|
| awareness | 100.00% |
| purchase | 65.00% |

**Outcomes**

|  | combined | from search | from referral |
|:--|--:|--:|--:|
| conversion\u00b2 | 26.00% | 20.00% | 40.00% |
| \u2003outcome: converted\u00b3 | 26.00% | 20.00% | 40.00% |
| handed over to another journey\u2074 | 6.50% | 5.00% | 10.00% |
| left without an outcome (drop-off)\u2075 | 67.50% | 75.00% | 50.00% |
| touchpoints visited\u2076 | 2.21 | 1.70 | 3.40 |
| touchpoints to convert\u2077 | 3.46 | 3.00 | 4.00 |

**What to fix first, top 10**

| touchpoint | left without an outcome | conversion gained\u2078 |
|:--|--:|--:|
| 1. offer | 32.50% | +13.00 pts |
| 2. search | 35.00% | +7.00 pts |

**Top 10 leaks**

| touchpoint | left without an outcome | reach |
|:--|--:|--:|
| search | 35.00% | 70.00% |
| offer | 32.50% | 65.00% |

**Detail: stage inflow**

| stage | inflow\u2079 |
|:--|--:|
| awareness | 100.00% |
| purchase | 65.00% |

**Detail: touchpoints reached**

| touchpoint | reach | visits\u00b9\u2070 |
|:--|--:|--:|
| search | 70.00% | 0.70 |
| referral | 30.00% | 0.30 |
| intro | 30.00% | 0.30 |
| offer | 65.00% | 0.65 |
| bought | 26.00% | 0.26 |

""" + "".join(
        f"{note}  \n" for note in NOTE_LINES).rstrip() + "\n"


NOTE_LINES = [
    "\u00b9 reach: the share of customers who arrive at least once (entries weighted as above); a customer who "
    "comes back counts once.",
    "\u00b2 conversion: customers who end at a converting outcome (converted, retained or advocate).",
    "\u00b3 outcome: X: customers who end at a touchpoint the map marks 'outcome: X'. 'outcome: dropped' is such a "
    "declared end; it is not 'left without an outcome'.",
    "\u2074 handed over: customers who move on to another journey.",
    "\u2075 left without an outcome (drop-off): customers the map loses at a touchpoint that is not an outcome: "
    "the rates leaving it sum below 1, it has no next step, or a transition leads to an unknown touchpoint.",
    "\u2076 touchpoints visited: touchpoints a customer sees on average, repeats included.",
    "\u2077 touchpoints to convert: the same average, over the customers who convert.",
    "\u2078 conversion gained: how much conversion rises (in points of all customers) if 50% of the customers who "
    "leave there without an outcome followed its transitions instead, in proportion to their rates.",
    "\u2079 inflow: moves into the stage from another stage, plus starts in it; a customer who comes back counts "
    "again, so inflow can exceed 100%.",
    "\u00b9\u2070 visits: the average number of times a customer is at the touchpoint; above 1 in loops.",
]


def test_text_leads_with_reach_and_explains_each_figure_once():
    result = funnel(str(FIXTURES / "loop.journey.yaml"))
    assert result.exit_code == 0, result.stderr
    lines = [" ".join(line.replace("\u2502", " ").split()) for line in result.stdout.splitlines()]
    text = "\n".join(lines)
    assert lines[0] == "Funnel of Ad to paid, with second looks (loop-funnel)"
    assert text.index("Reach per stage") < text.index("Outcomes") < text.index("Detail: stage inflow")
    # Hand-computed in tests/test_funnel.py: purchase is reached by 2/7 = 28.57%, inflow 108.33%.
    assert any(line.startswith("purchase 28.57%") for line in lines)
    assert any(line.startswith("awareness 108.33%") for line in lines)  # inflow, in the detail section
    assert "conversion\u00b2 16.67%" in lines
    assert "left without an outcome (drop-off)\u2074 83.33%" in lines
    assert "touchpoints visited\u2075 2.83" in lines
    assert "touchpoints to convert\u2076 5.33" in lines
    assert "1. ad 75.00% +16.67 pts" in lines  # fix first: hand-computed +1/6
    assert "ad 75.00% 100.00%" in lines  # the top leak: drop-off and reach
    for n in range(1, 10):
        marker = str(n).translate(str.maketrans("0123456789", "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079"))
        assert sum(line.startswith(marker + " ") for line in lines) <= 1  # each note printed once


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
