"""Acceptance: the validate command as a user meets it (exit codes, file:line, messages)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeyctl.cli import app
from journeyctl.format.starter import starter_journey

runner = CliRunner()
REPO = Path(__file__).resolve().parents[2]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run([sys.executable, "-m", "journeyctl", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=120)


@pytest.fixture
def starter(tmp_path: Path) -> Path:
    path = tmp_path / "start.journey.yaml"
    path.write_text(starter_journey("start"), encoding="utf-8")
    return path


def line_of(text: str, needle: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in text")


def test_init_writes_a_journey_that_validates_cleanly(tmp_path: Path):
    result = runner.invoke(app, ["init", str(tmp_path), "--id", "signup"])
    assert result.exit_code == 0, result.output
    written = tmp_path / "signup.journey.yaml"
    assert written.is_file()
    proc = run("validate", str(written))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip().endswith("1 file checked, no findings")
    again = runner.invoke(app, ["init", str(tmp_path), "--id", "signup"])
    assert again.exit_code == 2
    assert "already exists" in again.output


def test_init_points_the_modeline_at_a_schema_file_it_finds_above(tmp_path: Path):
    (tmp_path / ".git").mkdir()  # the repository: the search for a schema stops here
    away = runner.invoke(app, ["init", str(tmp_path / "none"), "--id", "a"])
    # none found: the schema is saved at the repository root and the modeline points at it, never at a URL
    assert (tmp_path / "none" / "a.journey.yaml").read_text().splitlines()[0] == \
        "# yaml-language-server: $schema=../journey.schema.json"
    assert (tmp_path / "journey.schema.json").read_text() == runner.invoke(app, ["schema"]).output
    assert f"saved the schema for editor completion at {tmp_path / 'journey.schema.json'}" in away.output
    (tmp_path / "journey.schema.json").unlink()
    (tmp_path / "schemas").mkdir()
    assert runner.invoke(app, ["schema", "-o", str(tmp_path / "schemas" / "journey.schema.json")]).exit_code == 0
    near = runner.invoke(app, ["init", str(tmp_path / "journeys" / "web"), "--id", "b"])
    written = (tmp_path / "journeys" / "web" / "b.journey.yaml").read_text()
    assert written.splitlines()[0] == "# yaml-language-server: $schema=../../schemas/journey.schema.json"
    assert "saved the schema" not in near.output and not (tmp_path / "journey.schema.json").exists()


def test_init_never_points_outside_the_repository(tmp_path: Path):
    (tmp_path / "schemas").mkdir()  # a schema above the repository is not the repository's
    (tmp_path / "schemas" / "journey.schema.json").write_text("{}")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    result = runner.invoke(app, ["init", str(repo / "journeys" / "web"), "--id", "c"])
    assert result.exit_code == 0, result.output
    first = (repo / "journeys" / "web" / "c.journey.yaml").read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../journey.schema.json"
    assert (repo / "journey.schema.json").is_file()
    # without any repository or config, the directory written into is the workspace
    lone = tmp_path / "lone"
    runner.invoke(app, ["init", str(lone), "--id", "d"])
    assert (lone / "d.journey.yaml").read_text().splitlines()[0] == "# yaml-language-server: $schema=journey.schema.json"


@pytest.mark.parametrize("journey_id, ok", [("Onboarding_v2", True), ("b2b.trial", True), ("x" * 128, True),
                                             ("x" * 129, False), ("../escape", False), (".hidden", False),
                                             ("two words", False), ("café", False)])
def test_init_accepts_exactly_the_ids_the_schema_accepts(tmp_path: Path, journey_id: str, ok: bool):
    result = runner.invoke(app, ["init", str(tmp_path), "--id", journey_id])
    if ok:
        assert result.exit_code == 0, result.output
        proc = run("validate", str(tmp_path / f"{journey_id}.journey.yaml"))
        assert proc.returncode == 0 and proc.stdout.strip().endswith("1 file checked, no findings")
    else:
        assert result.exit_code == 2 and f"--id '{journey_id}' is not an id" in result.output
        assert list(tmp_path.iterdir()) == []


# Each broken copy of a valid journey gives exactly one finding, at the line that was broken.
BREAKAGES = [
    ("wrong-type", "        emotion: 1 ", "        emotion: very happy", "schema", "emotion"),
    ("unknown-key", "        at: day 0 ", "        at: day 0\n        colour: red", "schema", "colour"),
    ("duplicate-key", "title: My first journey", "title: My first journey\ntitle: Another", "duplicate-key", "title: Another"),
    ("bad-indentation", "title: My first journey", "title: My first journey\n  subtitle: oops", "yaml-syntax", "subtitle"),
    # status: no (two findings: YAML 1.1 reads a boolean) is test_status_no_is_text_not_a_status below.
]


@pytest.mark.parametrize("name, old, new, rule, marker", BREAKAGES, ids=[b[0] for b in BREAKAGES])
def test_one_breakage_one_finding_at_its_line(tmp_path: Path, name, old, new, rule, marker):
    text = starter_journey("start")
    lines = text.splitlines()
    index = next(i for i, l in enumerate(lines) if l.startswith(old))
    lines[index] = new
    broken = "\n".join(lines) + "\n"
    path = tmp_path / f"{name}.journey.yaml"
    path.write_text(broken, encoding="utf-8")
    proc = run("validate", "--format", "json", str(path))
    assert proc.returncode == 1, proc.stderr
    findings = json.loads(proc.stdout)["findings"]
    assert [(f["rule"], f["line"]) for f in findings] == [(rule, line_of(broken, marker))], findings


def test_status_no_is_text_not_a_status_and_yaml_11_would_read_a_boolean(tmp_path: Path):
    path = tmp_path / "s.journey.yaml"
    text = starter_journey("s").replace("status: draft ", "status: no ")
    path.write_text(text, encoding="utf-8")
    proc = run("validate", str(path))
    assert proc.returncode == 1
    line = line_of(text, "status: no")
    # YAML 1.2 (journeyctl, editors): the text 'no', not a status; quoting would not help, so no such advice.
    assert f"{path.name}:{line}:9: error schema status must be one of draft, active, retired, not 'no'\n" in proc.stdout
    assert (f'{path.name}:{line}:9: warning yaml-ambiguous status: no is the text "no" in YAML 1.2 (journeyctl, '
            'editors, check-jsonschema) but the boolean false in YAML 1.1 (PyYAML and other 1.1 tools); write "no"'
            in proc.stdout)


@pytest.mark.parametrize("value, shown", [("3.10", "'3.10'"), ("1e-3", None), ("0.5", "'0.5'"), ("true", "'true'")])
def test_numbers_in_string_fields_are_reported_with_their_original_text(tmp_path: Path, value, shown):
    path = tmp_path / "t.journey.yaml"
    path.write_text(starter_journey("t").replace("title: My first journey", f"title: {value}"), encoding="utf-8")
    proc = run("validate", str(path))
    assert proc.returncode == 1
    if shown is None:  # 1e-3: YAML 1.1 reads text, 1.2 a number: the yaml-ambiguous error says it
        assert 'title: 1e-3 is the number 0.001 in YAML 1.2' in proc.stdout and 'write "1e-3"' in proc.stdout
        assert "title must be text" not in proc.stdout
    else:
        assert "title must be text" in proc.stdout
        assert f"unquoted {shown}" in proc.stdout


@pytest.mark.parametrize("value", ["010", "1:20", "on"])
def test_yaml_11_spellings_in_string_fields_say_what_each_yaml_reads(tmp_path: Path, value):
    path = tmp_path / "t.journey.yaml"
    path.write_text(starter_journey("t").replace("title: My first journey", f"title: {value}"), encoding="utf-8")
    proc = run("validate", str(path))
    assert f"t.journey.yaml:5:8: " in proc.stdout and f'yaml-ambiguous title: {value} is ' in proc.stdout
    assert f'; write "{value}"' in proc.stdout
    assert proc.returncode == (1 if value == "010" else 0)  # 1:20 and on are text to journeyctl: a warning


def test_every_file_is_checked_even_when_one_fails(tmp_path: Path, starter: Path):
    (tmp_path / "broken.journey.yaml").write_text("journeyctl: 1\nid: [\n", encoding="utf-8")
    proc = run("validate", str(tmp_path))
    assert proc.returncode == 1
    assert "broken.journey.yaml:3:1: error yaml-syntax" in proc.stdout
    assert proc.stdout.strip().endswith("2 files checked: 1 error")


@pytest.mark.parametrize("args, message", [
    (["validate", "does-not-exist.journey.yaml"], "does-not-exist.journey.yaml: no such file or directory"),
    (["validate", "--select", "no-such-rule", "."], "unknown rule 'no-such-rule'"),
    (["validate", "--fail-on", "fatal", "."], "Invalid value"),
    (["explain", "stage-without-touchpoint"], "did you mean 'stage-without-touchpoints'"),
])
def test_usage_errors_exit_2_with_one_clear_message(tmp_path: Path, starter: Path, args, message):
    proc = run(*args, cwd=tmp_path)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


def test_a_directory_without_journeys_is_a_usage_error(tmp_path: Path):
    (tmp_path / "notes.txt").write_text("hello")
    proc = run("validate", str(tmp_path))
    assert proc.returncode == 2
    assert "no journey files found" in proc.stderr


def test_json_format_shape(starter: Path):
    proc = run("validate", "--format", "json", str(starter))
    payload = json.loads(proc.stdout)
    assert proc.returncode == 0
    assert payload["files"] == 1
    assert payload["findings"] == []
    assert payload["summary"] == {"error": 0, "warning": 0, "info": 0, "files": 1, "files_with_findings": 0}


def test_output_file_gets_the_machine_format_and_terminal_the_text(tmp_path: Path, starter: Path):
    out = tmp_path / "report.json"
    proc = run("validate", "--output", str(out), str(starter))
    assert proc.returncode == 0
    assert "1 file checked, no findings" in proc.stdout
    assert json.loads(out.read_text())["files"] == 1


def test_unwritable_output_is_exit_2_and_keeps_nothing_half_written(tmp_path: Path, starter: Path):
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    proc = run("validate", "--output", str(tmp_path / "a-file" / "r.json"), str(starter))
    assert proc.returncode == 2
    assert "a-file is a file" in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "start.journey.yaml"]


def test_fail_on_warning_turns_warnings_into_exit_1(tmp_path: Path, starter: Path):
    text = starter.read_text().replace("    goal: New subscribers reach first value\n", "")
    starter.write_text(text)
    assert run("validate", str(starter)).returncode == 0
    proc = run("validate", "--fail-on", "warning", str(starter))
    assert proc.returncode == 1
    assert "stage-without-goal" in proc.stdout


def test_version_is_fast_path_and_imports_nothing_heavy():
    code = ("import sys, runpy; sys.argv=['journeyctl','--version'];"
            "from journeyctl.__main__ import main; main();"
            "heavy=[m for m in ('jsonschema','graphviz','typer','pydantic','duckdb','rich') if m in sys.modules];"
            "print('HEAVY', heavy)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.stdout.splitlines()[0] == "journeyctl 0.1.0"
    assert proc.stdout.splitlines()[1] == "HEAVY []"


# A typo'd key or a wrongly typed value is repaired around for the rules (salvage.py), so one run reports the
# schema error and every gap in the rest of the file, and no rule repeats the schema error as its own.
SALVAGE = (Path(__file__).parents[1] / "fixtures" / "hostile" / "clean.journey.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("old, new, expected", [
    ("        channel: web\n        owner: web-team\n        personas: [shopper]\n        entry: true",
     "        chanel: web\n        owner: marketing\n        personas: [shopper]\n        entry: true",
     # 'chanel' is read as the 'channel' it means for the rules: no "has no channel" after the root cause
     [("schema", "chanel: web"), ("unknown-reference", "owner: marketing"), ("missing-handoff", "- to: signup")]),
    ("          - to: signup", "          - to: signup\n            rate: 1.5\n            wait: soon",
     [("invalid-rates", "rate: 1.5"), ("schema", "wait: soon")]),
    ("id: clean\n", "id: clean\ncolour: red\n", [("schema", "colour: red")]),
    # a required key missing, a wrong item inside a list: the rules run on the rest (and find nothing more)
    ("title: Base journey\n", "", [("schema", "journeyctl: 1")]),
    ("        personas: [shopper]\n        entry: true", "        personas: [5]\n        entry: true\n        rate: 2",
     [("schema", "personas: [5]"), ("schema", "rate: 2")]),
])
def test_rules_still_report_on_a_file_whose_schema_faults_can_be_dropped(tmp_path: Path, old, new, expected):
    text = SALVAGE.replace(old, new, 1)
    assert text != SALVAGE
    path = tmp_path / "j.journey.yaml"
    path.write_text(text, encoding="utf-8")
    proc = run("validate", "--format", "json", "--no-cache", str(path))
    found = [(f["rule"], f["line"]) for f in json.loads(proc.stdout)["findings"]]
    assert found == [(rule, line_of(text, needle)) for rule, needle in expected]
    assert proc.returncode == 1
