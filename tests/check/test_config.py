"""Config discovery and errors: the places CI users expect, and exit 2 with the line to fix."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from journeyctl.config import ConfigError, load_config


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_nearest_dotfile_upward_wins_over_pyproject(tmp_path: Path):
    write(tmp_path / "pyproject.toml", "[tool.journeyctl]\nreview_every = \"30d\"\n")
    write(tmp_path / "team" / ".journeyctl.yaml", "review_every: 60d\n")
    deep = tmp_path / "team" / "journeys" / "x"
    deep.mkdir(parents=True)
    config = load_config(None, start=deep)
    assert config.review_every == "60d"
    assert config.source == (tmp_path / "team" / ".journeyctl.yaml").resolve()
    assert config.root == (tmp_path / "team").resolve()


def test_pyproject_table_is_used_when_there_is_no_dotfile(tmp_path: Path):
    write(tmp_path / "pyproject.toml", "[project]\nname='x'\n[tool.journeyctl]\nrequired_stages = [\"awareness\"]\n"
          "[tool.journeyctl.rules]\nmetric-without-target = \"off\"\n")
    config = load_config(None, start=tmp_path)
    assert config.required_stages == ("awareness",)
    assert config.severities == {"metric-without-target": "off"}


def test_pyproject_without_the_table_is_not_a_config(tmp_path: Path):
    write(tmp_path / "pyproject.toml", "[project]\nname='x'\n")
    assert load_config(None, start=tmp_path).source is None


def test_yaml_off_is_accepted_unquoted(tmp_path: Path):
    path = write(tmp_path / ".journeyctl.yaml", "rules:\n  dead-end: off\n  no-persona: error\n")
    assert load_config(path).severities == {"dead-end": "off", "no-persona": "error"}


@pytest.mark.parametrize("text, line, column, words", [
    ("rules:\n  dead-ends: off\n", 2, 3, "did you mean 'dead-end'"),
    ("rules:\n  dead-end: loud\n", 2, 13, "'loud' is not one of"),
    ("review_every: soon\n", 1, 15, "duration"),
    ("required_stage: [a]\n", 1, 1, "did you mean 'required_stages'"),
    ("required_stages: awareness\n", 1, 18, "list of strings"),
    ("render:\n  timeout: -1\n", 2, 12, "positive number"),
    ("rules: [\n", 2, 1, "expected"),
    ("- a\n- b\n", 1, 1, "mapping of settings"),
])
def test_bad_settings_name_the_line(tmp_path: Path, text, line, column, words):
    path = write(tmp_path / ".journeyctl.yaml", text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert (info.value.line, info.value.column) == (line, column)
    assert words in info.value.message


def test_bad_pyproject_setting_points_at_its_line(tmp_path: Path):
    path = write(tmp_path / "pyproject.toml", "[project]\nname = 'x'\n\n[tool.journeyctl]\nreview_every = 5\n")
    with pytest.raises(ConfigError) as info:
        load_config(None, start=tmp_path)
    assert info.value.line == 5
    assert info.value.file == str(path.resolve())


@pytest.mark.parametrize("text, line, words", [
    ("[tool.journeyctl.rules]\nmetric-without-targt = \"off\"\n", 2,
     "unknown rule 'metric-without-targt' (did you mean 'metric-without-target'?)"),
    ("[project]\nname = 'x'\n[tool.journeyctl]\nreview_evry = \"30d\"\n", 4,
     "unknown setting 'review_evry' (did you mean 'review_every'?)"),
    ("[tool.journeyctl\nreview_every = \"30d\"\n", 1, "invalid TOML"),
    ("[ tool.journeyctl ]\nreview_every = [\n", 3, "invalid TOML"),
])
def test_a_bad_pyproject_is_a_positioned_usage_error(tmp_path: Path, text, line, words):
    path = write(tmp_path / "pyproject.toml", text)
    write(tmp_path / "a.journey.yaml", (Path(__file__).parents[1] / "fixtures" / "hostile" / "clean.journey.yaml")
          .read_text(encoding="utf-8"))
    proc = subprocess.run([sys.executable, "-m", "journeyctl", "validate"], cwd=tmp_path,
                          env={**os.environ, "NO_COLOR": "1"}, capture_output=True, text=True)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith(f"journeyctl: {path.resolve()}:{line}:")
    assert words in proc.stderr and "Traceback" not in proc.stderr


def test_an_unrelated_broken_pyproject_is_not_a_config(tmp_path: Path):
    write(tmp_path / "pyproject.toml", "[project\nname = 'x'\n[tool.black]\n")
    assert load_config(None, start=tmp_path).source is None


def test_an_empty_config_marks_a_workspace_root(tmp_path: Path):
    path = write(tmp_path / ".journeyctl.yaml", "# workspace root\n")
    config = load_config(None, start=tmp_path)
    assert config.source == path.resolve()


def test_cli_reports_a_bad_config_as_exit_2_with_file_line_column(tmp_path: Path):
    write(tmp_path / ".journeyctl.yaml", "rules:\n  dead-ends: off\n")
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.run([sys.executable, "-m", "journeyctl", "validate"], cwd=tmp_path, env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert f"{tmp_path.resolve() / '.journeyctl.yaml'}:2:3: unknown rule 'dead-ends'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_explicit_missing_config_is_an_error(tmp_path: Path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.yaml")
