"""`funnel` refusing a journey ends with one line that says it refused and why, like every other refusal.

Found by a first-time user: for a journey with invalid rates, `funnel` printed the findings and exited 1
with no word that no funnel was computed, which reads like a half-finished report.
"""

from __future__ import annotations

import os
from pathlib import Path

from typer.testing import CliRunner

from journeyctl.cli import app

FIXTURES = Path(__file__).parents[1] / "fixtures" / "funnel"


def test_invalid_rates_end_with_a_refusal_line() -> None:
    path = os.path.relpath(FIXTURES / "bad-rates.journey.yaml")
    result = CliRunner().invoke(app, ["funnel", path])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{path}:9:16: error invalid-rates")
    assert lines[-1] == (f"journeyctl: {path}: no funnel: the rates above are not probabilities "
                         "(see journeyctl explain invalid-rates)")
    assert result.stdout == ""


def test_a_file_that_is_not_a_journey_ends_with_a_refusal_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.journey.yaml"
    bad.write_text("journeyctl: 1\nid: x\ntitle: X\nstages: []\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["funnel", str(bad)])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == f"{bad}:4:9: error schema stages must have at least 1 item"
    assert lines[-1] == f"journeyctl: {bad}: no funnel: fix the errors above (journeyctl validate shows them all)"
