"""Refusals of `render` name what the user asked for.

Found by a first-time user: `render --view blueprint --format md` answered "the blueprint view has no
Mermaid form", which talks about a format the user never mentioned.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeyctl.cli import app

SMALL = Path(__file__).parents[1] / "fixtures" / "render" / "small.journey.yaml"


@pytest.mark.parametrize("view, fmt, message", [
    ("blueprint", "md", "the blueprint view has no Markdown form (the page embeds Mermaid, which cannot draw "
                        "it); use --format svg, png, pdf or dot"),
    ("emotion", "mermaid", "the emotion view has no Mermaid form; use --format svg, png, pdf or dot"),
])
def test_a_view_without_a_text_form_names_the_format_asked_for(view: str, fmt: str, message: str) -> None:
    result = CliRunner().invoke(app, ["render", str(SMALL), "--view", view, "--format", fmt])
    assert result.exit_code == 2
    assert result.output.strip() == f"journeyctl: {message}"
