"""`-o -` means stdout, as in most command-line tools: no command writes a file named '-'."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
JOURNEY = "examples/b2b-lead-to-customer.journey.yaml"


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "journeyctl", *args], cwd=cwd, env=env, capture_output=True,
                          timeout=120)


@pytest.mark.parametrize("args, starts", [
    (["validate", JOURNEY, "-f", "json", "-o", "-"], b"{"),
    (["stats", "examples", "-f", "json", "-o", "-"], b"{"),
    (["schema", "-o", "-"], b"{"),
    (["render", JOURNEY, "-f", "dot", "-o", "-"], b"digraph"),
    (["render", JOURNEY, "-f", "svg", "-o", "-"], b"<?xml"),
    (["diff", JOURNEY, JOURNEY, "-f", "json", "-o", "-"], b"{"),
])
def test_dash_is_stdout(tmp_path: Path, args: list[str], starts: bytes) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    done = _run(args, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.lstrip().startswith(starts), done.stdout[:200]
    assert not (tmp_path / "-").exists()
