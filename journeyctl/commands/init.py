"""`journeyctl init [DIR] --id ID`: a commented starter journey that validates, with a schema editors resolve offline."""

from __future__ import annotations

from pathlib import Path

import typer

from .common import emit, fail


def register(app: typer.Typer) -> None:
    @app.command()
    def init(
        directory: Path = typer.Argument(Path("."), help="Where to write the starter journey."),
        journey_id: str = typer.Option("my-journey", "--id", help="Id (and file name) of the new journey."),
        force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
    ) -> None:
        """Write a commented starter journey that validates."""
        import re

        from ..format.model import ID_PATTERN
        from ..format.starter import plan_schema, starter_text

        # The schema's id rule (it is also the file name: no '/', no leading '.'), capped at its length.
        if not re.fullmatch(ID_PATTERN, journey_id) or len(journey_id) > 128:
            raise fail(f"--id '{journey_id}' is not an id: use ASCII letters, digits, '-', '_' or '.', starting with "
                       "a letter or digit (e.g. 'onboarding-v2')")
        if directory.exists() and not directory.is_dir():
            raise fail(f"{directory}: not a directory")
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise fail(f"{directory}: cannot create directory: {exc.strerror}")
        target = directory / f"{journey_id}.journey.yaml"
        if target.exists() and not force:
            raise fail(f"{target} already exists (use --force to overwrite)")
        # The modeline must resolve offline the first time: a schema kept in the workspace, else one saved now.
        reference, save = plan_schema(directory)
        if save is not None:
            from ..format.schema import render_schema

            emit(render_schema(), save)
        emit(starter_text(journey_id, reference), target)
        typer.echo(f"wrote {target}; check it with: journeyctl validate {target}")
        if save is not None:
            typer.echo(f"saved the schema for editor completion at {save} (the starter's modeline points at it)")
