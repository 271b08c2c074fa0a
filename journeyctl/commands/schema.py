"""`journeyctl schema`: the journey JSON Schema, for editors and other validators."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .common import emit


def register(app: typer.Typer) -> None:
    @app.command()
    def schema(output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout (- for stdout).")) -> None:
        """Print the journey JSON Schema (for editors and other validators)."""
        import json

        from ..format.schema import journey_schema

        text = json.dumps(journey_schema(), indent=2, ensure_ascii=False) + "\n"
        emit(text, output)
