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
        raise typer.Exit(2)  # filled in by the interop work (issues 20 and 21)
