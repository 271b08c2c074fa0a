"""Rule gaps found by running journeyctl on new journeys, checked through the CLI as a user sees them."""

from __future__ import annotations

import os
from pathlib import Path

from typer.testing import CliRunner

from journeyctl.cli import app

FIXTURES = Path(__file__).parents[1] / "fixtures" / "rules"


def validate(*args: str):
    return CliRunner().invoke(app, ["validate", "--no-cache", *args], env={"NO_COLOR": "1"})


def test_a_link_to_an_unknown_touchpoint_of_the_journey_itself_is_reported_once(tmp_path: Path) -> None:
    # `to: own-id/tp` is local (the workspace pass skips it), so the rule must resolve it: it did not, and
    # a typo there was reported by nobody, alone or in a workspace.
    source = (FIXTURES / "own-journey-link-typo.journey.yaml").read_text(encoding="utf-8")
    (tmp_path / ".journeyctl.yaml").write_text("rules: {}\n", encoding="utf-8")
    (tmp_path / "newsletter.journey.yaml").write_text(source, encoding="utf-8")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = validate("--select", "unknown-reference")
    finally:
        os.chdir(cwd)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[:-1] == [
        "newsletter.journey.yaml:10:17: error unknown-reference transition from 'landing' leads to unknown "
        "touchpoint 'newsletter/sigunp' (did you mean 'signup'?)"]
