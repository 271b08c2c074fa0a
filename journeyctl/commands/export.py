"""`journeyctl export JOURNEY --format xlsx|csv|bpmn -o FILE`: the journey in another tool's format."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer


class ExportFormat(str, Enum):
    xlsx = "xlsx"
    csv = "csv"
    bpmn = "bpmn"


# Format → "module:function" under journeyctl.interop; the function takes (journey, catalog) and returns
# the file's bytes (deterministic: same journey, same bytes).
EXPORTERS: dict[str, str] = {
    "xlsx": "sheet:export_xlsx",
    "csv": "sheet:export_csv",
    "bpmn": "bpmn:export_bpmn",
}


def register(app: typer.Typer) -> None:
    @app.command("export")
    def export(
        file: Path = typer.Argument(..., help="The journey file."),
        fmt: ExportFormat = typer.Option(..., "--format", "-f", help="xlsx, csv or bpmn."),
        output: Path = typer.Option(..., "--output", "-o", help="The file to write."),
    ) -> None:
        """Write the journey as a spreadsheet (xlsx, csv) or a BPMN 2.0 process."""
        # A minimal body (issue 21's BPMN path); the spreadsheet work (issue 20) owns the full one.
        import importlib
        import sys

        from ..check import FileResult, RunResult, display_path, load_model
        from ..cli import fail, load_settings
        from ..output import OutputError, write_atomic
        from ..report.text import to_text

        journey, findings = load_model(file, load_settings(None))
        if journey is None:
            sys.stderr.write(to_text(RunResult([FileResult(display_path(file), findings)]), summary=False))
            raise typer.Exit(2 if any(f.rule == "file-error" for f in findings) else 1)
        module, _, function = EXPORTERS[fmt.value].partition(":")
        try:
            exporter = getattr(importlib.import_module(f"journeyctl.interop.{module}"), function)
        except (ImportError, AttributeError):
            raise fail(f"--format {fmt.value}: not available in this build")
        try:
            write_atomic(output, exporter(journey, None))
        except OutputError as exc:
            raise fail(str(exc))
        raise typer.Exit(0)
