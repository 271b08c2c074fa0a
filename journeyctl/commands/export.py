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
# the file's bytes (deterministic: same journey, same bytes). `catalog` is the sequence of the workspace's
# shared catalogs (journeyctl.model.Catalog), possibly empty. A journey the format cannot hold raises
# ValueError with the message to show (exit 2).
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
        """Write the journey as a spreadsheet (xlsx, csv) or a BPMN 2.0 process.

        The workbook layout is in docs/import-export.md; `journeyctl import` reads it back.

        Exit 1 when the file is not a valid journey (validate shows why), 2 when it cannot be read or written.
        """
        import importlib

        from .common import fail, load_settings
        from ..output import OutputError, write_atomic
        from ..check.workspace import catalog_models

        config = load_settings(None, [file])
        journey = _load(file, config)
        module, function = EXPORTERS[fmt.value].split(":")
        exporter = getattr(importlib.import_module(f"journeyctl.interop.{module}"), function)
        try:
            data = exporter(journey, catalog_models([file], config))
        except ValueError as exc:
            raise fail(f"{file}: not exported: {exc}")
        try:
            write_atomic(output, data)
        except OutputError as exc:
            raise fail(str(exc))


def _load(path: Path, config: object) -> object:
    """The journey, or exit after printing validate's findings (1; 2 when the file cannot be read)."""
    import sys

    from ..check.pipeline import FileResult, RunResult, display_path, read_document, validate_document
    from ..report.text import to_text

    display = display_path(path)
    doc, findings = read_document(path, config)  # type: ignore[arg-type]
    journey = None
    if doc is not None:
        journey, findings = validate_document(doc, display)
    if journey is not None:
        return journey
    sys.stderr.write(to_text(RunResult([FileResult(display, findings)]), summary=False))
    sys.stderr.write(f"journeyctl: {display}: not exported: fix the errors above "
                     "(journeyctl validate shows them all)\n")
    raise typer.Exit(2 if any(f.rule == "file-error" for f in findings) else 1)
