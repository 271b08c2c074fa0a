"""`to: this-journey/touchpoint` is a local transition everywhere, as the README says and the rules agree.

Found by a first-time user: with the journey's own id spelled out, validate and funnel treated the
transition as local, but the map drew a "↗ selfy kickoff" placeholder for another journey (and lost the
red missing-hand-off edge), the Markdown hand-off table named the team "selfy", and conform counted
customers following the declared transition as an unexpected one.
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from journeyctl.cli import app

JOURNEY = """\
journeyctl: 1
id: selfy
title: Self links
teams: [{id: sales, name: Sales}, {id: cs, name: Success}]
stages:
  - id: s
    touchpoints:
      - id: demo
        name: Demo call
        owner: sales
        entry: true
        next:
          - to: selfy/kickoff
            handoff: {trigger: signed, sla: 24h}
          - to: selfy/lost
      - id: kickoff
        name: Kickoff
        owner: cs
        outcome: converted
      - id: lost
        name: Lost deal
        owner: cs
        outcome: churned
"""


def _journey(tmp_path: Path) -> Path:
    path = tmp_path / "selfy.journey.yaml"
    path.write_text(JOURNEY, encoding="utf-8")
    return path


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def test_the_map_draws_the_touchpoint_itself_with_the_teams_of_both_ends(tmp_path: Path) -> None:
    result = invoke("render", str(_journey(tmp_path)), "--format", "mermaid")
    assert result.exit_code == 0
    assert "↗" not in result.stdout and "placeholder" not in result.stdout
    edges = [line.strip() for line in result.stdout.splitlines() if "--" in line or "==>" in line]
    assert edges == ['n0 ==>|"sales → cs · 24h"| n1', 'n0 -->|"⚠ no hand-off#58; sales → cs"| n2']


def test_the_markdown_hand_off_table_names_the_touchpoint_and_its_team(tmp_path: Path) -> None:
    result = invoke("render", str(_journey(tmp_path)), "--format", "md")
    assert result.exit_code == 0
    assert "| Demo call | Kickoff | sales → cs | signed | 24h |   |" in result.stdout


def test_conform_counts_a_trace_along_the_declared_transition_as_fitting(tmp_path: Path) -> None:
    log = tmp_path / "events.csv"
    log.write_text("customer,event,timestamp\nc1,demo,2026-01-01T00:00:00Z\nc1,kickoff,2026-01-01T01:00:00Z\n",
                   encoding="utf-8")
    result = invoke("conform", str(_journey(tmp_path)), str(log), "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["fitting"], report["deviations"]["unexpected-transition"]) == (1, 0)
    assert [(t["from"], t["to"], t["observed"]) for t in report["transitions"]] == [
        ("demo", "kickoff", 1), ("demo", "lost", 0)]
