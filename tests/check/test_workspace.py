"""Workspaces: shared catalogs, links between journeys, and partial runs that see the whole workspace."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from journeyctl.check.pipeline import check_paths
from journeyctl.config import load_config

CATALOG = """\
journeyctl: 1
teams:
  - id: marketing
  - id: success
channels:
  - id: web
  - id: email
personas:
  - id: olivia
  - id: nobody-serves-me
metrics:
  - {id: activation, target: 40}
  - {id: unused-metric, target: 1}
"""


def journey(jid: str, *, link: str | None = None, extra: str = "") -> str:
    """A small clean journey; `link` adds a transition into another journey, `extra` top-level keys."""
    link_line = f"\n          - to: {link}" if link else ""
    return f"""\
journeyctl: 1
id: {jid}
title: Journey {jid}
objectives: [Test]
{extra}stages:
  - id: only
    goal: Get there
    kpis: [activation]
    touchpoints:
      - id: start
        kind: external
        owner: marketing
        channel: web
        personas: [olivia]
        entry: true
        next:
          - to: done{link_line}
      - id: done
        kind: external
        owner: marketing
        channel: email
        personas: [olivia]
        outcome: converted
"""


def line_of(path: Path, needle: str) -> int:
    return next(i for i, l in enumerate(path.read_text().splitlines(), 1) if needle in l)


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    (tmp_path / ".journeyctl.yaml").write_text("review_every: 90d\n")
    (tmp_path / "shared.catalog.yaml").write_text(CATALOG)
    (tmp_path / "a.journey.yaml").write_text(journey("alpha", link="beta/start"))
    (tmp_path / "b.journey.yaml").write_text(journey("beta"))
    return tmp_path


def findings_by_file(root: Path, *paths: str) -> dict[str, list[tuple[str, int]]]:
    cwd = os.getcwd()
    os.chdir(root)
    try:
        result = check_paths([Path(p) for p in paths] or [Path(".")], load_config(None, start=root))
    finally:
        os.chdir(cwd)
    return {r.path: [(f.rule, f.line) for f in r.findings] for r in result.files}


def test_catalog_ids_resolve_and_unused_catalog_entries_are_reported_on_the_catalog(ws: Path):
    found = findings_by_file(ws)
    catalog = ws / "shared.catalog.yaml"
    assert found["a.journey.yaml"] == []
    assert found["b.journey.yaml"] == []
    assert sorted(found["shared.catalog.yaml"]) == sorted([
        ("persona-without-journey", line_of(catalog, "nobody-serves-me")),
        ("unused-definition", line_of(catalog, "id: success")),
        ("unused-definition", line_of(catalog, "unused-metric")),
    ])


@pytest.mark.parametrize("link, rule, words", [
    ("gamma/start", "unknown-reference", "unknown journey 'gamma'"),
    ("beta/strat", "unknown-reference", "did you mean 'start'"),
    ("beta/done", "journey-link-not-entry", "not one of its entries (start)"),
])
def test_cross_journey_links_must_reach_an_entry_of_an_existing_journey(ws: Path, link, rule, words):
    path = ws / "a.journey.yaml"
    path.write_text(journey("alpha", link=link))
    cwd = os.getcwd()
    os.chdir(ws)
    try:
        result = check_paths([Path("a.journey.yaml")], load_config(None, start=ws))
    finally:
        os.chdir(cwd)
    (finding,) = [f for f in result.findings if f.rule == rule]
    assert finding.line == line_of(path, f"to: {link}")
    assert words in finding.message


@pytest.mark.parametrize("beta_owner, handoff, expected", [
    ("success", "", [("missing-handoff", "to: beta/start")]),  # marketing → success, nothing declared
    ("success", "\n            handoff: {trigger: form sent, sla: 24h, via: CRM}", []),
    ("marketing", "", []),  # the same team on both sides: nothing is handed off
])
def test_a_link_that_crosses_teams_needs_a_handoff_like_any_transition(ws: Path, beta_owner, handoff, expected):
    a, b = ws / "a.journey.yaml", ws / "b.journey.yaml"
    a.write_text(journey("alpha", link="beta/start").replace("- to: beta/start", "- to: beta/start" + handoff))
    b.write_text(journey("beta").replace("owner: marketing", f"owner: {beta_owner}", 1))
    for paths in ((), ("a.journey.yaml",)):  # a partial run (pre-commit) says what a full run says
        found = findings_by_file(ws, *paths)
        assert found["a.journey.yaml"] == [(rule, line_of(a, needle)) for rule, needle in expected]
    if expected:
        cwd = os.getcwd()
        os.chdir(ws)
        try:
            (finding,) = [f for f in check_paths([Path(".")], load_config(None, start=ws)).findings
                          if f.rule == "missing-handoff" and f.file == "a.journey.yaml"]
        finally:
            os.chdir(cwd)
        assert finding.message == ("the customer passes from marketing ('start') to success ('beta/start', "
                                   "b.journey.yaml) with no hand-off declared: add 'handoff' with a trigger and an sla")
        assert finding.severity == "error" and finding.path == "stages[0].touchpoints[0].next[1].to"


def test_id_defined_in_journey_and_catalog_names_both_lines(ws: Path):
    path = ws / "b.journey.yaml"
    path.write_text(journey("beta", extra="teams:\n  - id: success\n"))
    found = findings_by_file(ws, "b.journey.yaml")
    assert ("duplicate-id", line_of(path, "- id: success")) in found["b.journey.yaml"]
    cwd = os.getcwd()
    os.chdir(ws)
    try:
        result = check_paths([Path("b.journey.yaml")], load_config(None, start=ws))
    finally:
        os.chdir(cwd)
    message = next(f.message for f in result.findings if f.rule == "duplicate-id")
    assert f"shared.catalog.yaml:{line_of(ws / 'shared.catalog.yaml', 'id: success')}" in message


def test_journey_ids_are_unique_across_the_workspace(ws: Path):
    (ws / "c.journey.yaml").write_text(journey("beta"))
    found = findings_by_file(ws)
    assert ("duplicate-id", 2) in found["c.journey.yaml"]
    assert not any(rule == "duplicate-id" for rule, _ in found["b.journey.yaml"])


def test_a_partial_run_gives_the_same_findings_for_its_files_as_a_full_run(ws: Path):
    (ws / "a.journey.yaml").write_text(journey("alpha", link="beta/done"))
    full = findings_by_file(ws)
    for name in ("a.journey.yaml", "b.journey.yaml", "shared.catalog.yaml"):
        partial = findings_by_file(ws, name)
        assert partial == {name: full[name]}


def test_catalog_schema_errors_point_at_the_catalog_line(ws: Path):
    catalog = ws / "shared.catalog.yaml"
    catalog.write_text(CATALOG.replace("  - id: email", "  - id: email\n    colour: blue"))
    found = findings_by_file(ws, "shared.catalog.yaml")
    assert ("schema", line_of(catalog, "colour")) in found["shared.catalog.yaml"]


def test_partial_run_from_the_command_line_finds_the_workspace_config_from_the_path(ws: Path, tmp_path: Path):
    (ws / "a.journey.yaml").write_text(journey("alpha", link="beta/done"))
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("GITHUB_ACTIONS", None)
    proc = subprocess.run([sys.executable, "-m", "journeyctl", "validate", "--format", "json",
                           str(ws / "a.journey.yaml")], capture_output=True, text=True, env=env, cwd="/")
    assert proc.returncode == 1, proc.stderr
    rules = [f["rule"] for f in json.loads(proc.stdout)["findings"]]
    assert rules == ["journey-link-not-entry"]
