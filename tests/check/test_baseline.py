"""validate --baseline / --write-baseline: findings accepted by identity, in every format, never replayed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from journeyctl.check.baseline import BaselineError, adopt, read
from journeyctl.check.pipeline import check_paths
from journeyctl.config import load_config
from journeyctl.report import FORMATS, get_reporter

JOURNEY = """\
journeyctl: 1
id: trial
title: Trial
stages:
  - id: start
    name: Start
    touchpoints:
      - {id: signup, name: Signup, entry: true, next: [{to: done}]}
  - id: end
    name: End
    goal: Customers convert
    touchpoints:
      - {id: done, name: Done, outcome: converted}
"""
CONFIG = "rules:\n" + "".join(f"  {r}: 'off'\n" for r in (
    "no-objective", "no-persona", "stage-without-kpi", "touchpoint-without-channel", "touchpoint-without-owner"))


def workspace(tmp_path: Path) -> Path:
    (tmp_path / ".journeyctl.yaml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "trial.journey.yaml").write_text(JOURNEY, encoding="utf-8")
    return tmp_path


def run(root: Path):
    config = load_config(start=root)
    return config, check_paths([root], config)


def test_baselined_findings_stay_baselined_through_edits_in_every_format(tmp_path, monkeypatch):
    root = workspace(tmp_path)
    monkeypatch.chdir(root)
    config, result = run(root)
    assert [f.rule for f in result.findings] == ["stage-without-goal"]
    adopted, note = adopt(result, config, None, root / "b.json")
    assert adopted.findings == [] and note == "wrote 1 finding to the baseline b.json"
    # insert a stage above, re-indent: the finding moves from line 5 to line 8, and stays accepted
    edited = JOURNEY.replace("stages:\n", "stages:\n  - id: intro\n    name: Intro\n    goal: g\n"
                             "    touchpoints:\n      - {id: ad, name: Ad, entry: true, next: [{to: signup}]}\n", 1)
    import yaml

    reformatted = "# reformatted\n" + yaml.safe_dump(yaml.safe_load(edited), indent=4, sort_keys=True)
    (root / "trial.journey.yaml").write_text(reformatted, encoding="utf-8")
    config, result = run(root)
    [moved] = result.findings
    assert moved.rule == "stage-without-goal" and moved.line != 5
    filtered, note = adopt(result, config, root / "b.json", None)
    assert filtered.findings == [] and note == "1 finding accepted by the baseline b.json"
    for fmt in FORMATS:
        text = get_reporter(fmt)(filtered)
        assert "stage 'start' has no goal" not in text, fmt
    # a new finding is reported (and only it); the fixed one's entry is stale
    (root / "trial.journey.yaml").write_text(edited.replace("    goal: Customers convert\n", "").replace(
        "    name: Start\n", "    name: Start\n    goal: Sign up\n"), encoding="utf-8")
    config, result = run(root)
    filtered, _ = adopt(result, config, root / "b.json", None)
    assert sorted((f.rule, f.file, f.line, f.severity) for f in filtered.findings) == [
        ("stage-without-goal", "trial.journey.yaml", 15, "warning"), ("stale-baseline", "b.json", 2, "info")]
    for fmt in FORMATS:
        text = get_reporter(fmt)(filtered)
        assert "stage 'end' has no goal" in text and "stage-without-goal in trial.journey.yaml no longer occurs" in text


def test_a_baseline_that_is_not_one_is_a_usage_error(tmp_path):
    bad = tmp_path / "b.json"
    bad.write_text('{"version": 1,\n  "findings": [x]}', encoding="utf-8")
    try:
        read(bad)
    except BaselineError as exc:
        assert str(exc).endswith("b.json:2:16: not a baseline: Expecting value (rewrite it with --write-baseline)")
    else:
        raise AssertionError("no error")


def test_baseline_runs_follow_the_baseline_file_not_the_replay(tmp_path):
    root = workspace(tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "JOURNEYCTL_NO_REPLAY"}

    def validate(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "journeyctl", "validate", "--fail-on", "warning", *args],
                              cwd=root, capture_output=True, text=True, env=env, timeout=60)

    plain = validate()
    assert plain.returncode == 1 and "stage-without-goal" in plain.stdout
    assert validate("--write-baseline", "b.json").returncode == 0
    accepted = validate("--baseline", "b.json")
    assert (accepted.returncode, accepted.stdout) == (0, "1 file checked, no findings\n")
    # the same command line with another baseline content: the answer follows the content
    data = json.loads((root / "b.json").read_text(encoding="utf-8"))
    (root / "b.json").write_text(json.dumps({**data, "findings": []}), encoding="utf-8")
    again = validate("--baseline", "b.json")
    assert again.returncode == 1 and "stage-without-goal" in again.stdout
    assert validate().stdout == plain.stdout  # the plain run (replayed or not) is unaffected
