"""`journeyctl diff BASE [HEAD] [PATHS...]`: what a change does to the customer's journeys."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import List, Optional

import typer

from .options import ReportFormat, Severity


def register(app: typer.Typer) -> None:
    @app.command("diff")
    def diff(
        base: str = typer.Argument(..., metavar="BASE", help="Base: a git revision (branch, tag, commit) or a journey file."),
        rest: List[str] = typer.Argument(None, metavar="[HEAD] [PATHS]",
                                         help="Head revision (default: the working tree), or a second file; "
                                              "then paths that narrow the comparison."),
        fmt: ReportFormat = typer.Option(ReportFormat.text, "--format", "-f", help="text, md (PR comment) or json."),
        output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the report to this file (- for stdout)."),
        fail_on_new: Optional[Severity] = typer.Option(
            None, "--fail-on-new", help="Exit 1 when the change introduces findings at this level or above."),
        config_path: Optional[Path] = typer.Option(None, "--config", "-c",
                                                   help="Config file (default: nearest .journeyctl.yaml or pyproject.toml)."),
        render_to: Optional[Path] = typer.Option(
            None, "--render", help="Also draw head's map with the changes marked (.svg, .png, .pdf, .dot, .mmd, "
                                   ".md); several changed journeys give OUT.<journey-id>.svg each."),
    ) -> None:
        """Compare journeys between two revisions (or two files): moved touchpoints, owners, hand-offs,
        SLAs, KPIs, funnel figures, and the findings introduced and resolved.

        Journeys are matched by id, so a renamed file is a change. Exit 1 only with --fail-on-new and a
        new finding at that level; 2 for an unknown revision or a path that is not there.
        """
        from ..check.pipeline import UsageError
        from .common import fail, load_settings, stdout_if_dash
        from ..diff.report import FORMATTERS
        from ..diff.sides import load_sides
        from ..output import OutputError, write_atomic

        output = stdout_if_dash(output)
        config = load_settings(config_path)
        try:
            result = load_sides(base, list(rest or []), config, Path(os.getcwd()))
        except UsageError as exc:
            raise fail(str(exc))
        for note in result.notes:
            sys.stderr.write(f"journeyctl: note: {note}\n")
        if render_to is not None:
            from ..diff.overlay import render_changes

            try:
                written = render_changes(result, render_to, config.render_timeout)
            except UsageError as exc:
                raise fail(str(exc))
            if not written:
                sys.stderr.write("journeyctl: note: --render: no changed journey to draw\n")
        text = FORMATTERS[fmt.value](result)
        if output is not None:
            try:
                write_atomic(output, text)
            except OutputError as exc:
                raise fail(str(exc))
            from ..diff.report import summary

            sys.stdout.write(f"{summary(result)}\n")
        else:
            sys.stdout.write(text)
        raise typer.Exit(1 if fail_on_new is not None and result.fails(fail_on_new.value) else 0)
