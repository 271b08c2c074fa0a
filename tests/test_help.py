"""Every command's --help ends with real examples, and the ones that need only examples/ really run."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeyctl.cli import app
from journeyctl.commands.examples import EXAMPLES

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = sorted(info.name or info.callback.__name__ for info in app.registered_commands)
# Examples that need something examples/ does not hold (an event log, git history, a workbook, an editor).
NEEDS_MORE = {"conform", "diff", "import", "lsp"}


def test_every_command_has_examples():
    assert sorted(EXAMPLES) == COMMANDS


@pytest.mark.parametrize("command", COMMANDS)
def test_help_shows_the_examples_and_no_type_noise(command):
    done = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert done.exit_code == 0
    assert "Examples:" in done.output
    for example in EXAMPLES[command]:
        assert example.split("#")[0].strip() in done.output
    assert "<bool>" not in done.output and "<list[" not in done.output


@pytest.mark.parametrize("command", COMMANDS)
def test_help_paragraphs_are_not_broken_mid_sentence(command):
    """A docstring wrapped in the source reads as whole paragraphs: on a wide terminal each paragraph is one
    line, in the command list and on the command's own page (rich keeps the source's line breaks)."""
    wide = {"COLUMNS": "1000", "NO_COLOR": "1"}
    info = next(i for i in app.registered_commands if (i.name or i.callback.__name__) == command)
    paragraphs = [" ".join(p.split()) for p in info.callback.__doc__.strip().split("\n\n")]
    page = [line.strip(" │") for line in CliRunner().invoke(app, [command, "--help"], env=wide).output.splitlines()]
    for paragraph in paragraphs:
        assert paragraph in page, paragraph
    listing = CliRunner().invoke(app, ["--help"], env=wide).output.splitlines()
    row = next(line for line in listing if line.strip(" │").startswith(f"{command.rstrip('_')} "))
    assert row.strip(" │").endswith(paragraphs[0])


@pytest.mark.parametrize("command", sorted(set(COMMANDS) - NEEDS_MORE))
def test_the_examples_run_as_written(command, tmp_path):
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    for example in EXAMPLES[command]:
        argv = shlex.split(example.split("#")[0])[1:]
        if argv[:1] == ["fix"] and "journeys/" in argv:
            shutil.copytree(ROOT / "examples", tmp_path / "journeys")
        done = subprocess.run([sys.executable, "-m", "journeyctl", *argv], cwd=tmp_path, capture_output=True,
                              text=True, timeout=120, env={**os.environ, "NO_COLOR": "1"})
        assert done.returncode in (0, 1), f"{example}: {done.stderr}"
        assert "internal error" not in done.stderr and "Traceback" not in done.stderr
