"""`journeyctl import FILE -o DIR`: journeys from a workbook, a CX template grid, a CSV or Mermaid blocks."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Optional

import typer


class Layout(str, Enum):
    journeyctl = "journeyctl"
    grid = "grid"


def register(app: typer.Typer) -> None:
    @app.command("import")
    def import_(
        file: Path = typer.Argument(..., help="An .xlsx workbook, a .csv table, or Markdown / .mmd with Mermaid journey blocks."),
        output: Optional[Path] = typer.Option(None, "--output", "-o",
                                              help="Directory for <id>.journey.yaml (default: here), or a .yaml file for one journey."),
        layout: Layout = typer.Option(Layout.journeyctl, "--layout", "-l",
                                      help="journeyctl (the layout export writes) or grid (a CX template: stages as columns)."),
        force: bool = typer.Option(False, "--force", help="Replace journey files that already exist."),
        config_path: Optional[Path] = typer.Option(None, "--config", "-c",
                                                   help="Config file (default: nearest .journeyctl.yaml or pyproject.toml)."),
    ) -> None:
        """Turn a spreadsheet or Mermaid journey blocks into journey files (docs/import-export.md).

        Nothing is written when the source has errors (exit 1, each named at its cell or line).

        Exit 2 when the file cannot be read; an existing journey file is kept unless --force.

        After writing, validate's findings on the new files say what the source left out.
        """
        import sys

        from ..check.pipeline import check_paths, display_path
        from .common import fail, load_settings
        from ..interop.importing import schema_check, source_text, target_for, to_yaml
        from ..interop.reading import SourceError, read_source
        from ..output import OutputError, write_atomic
        from ..report.text import clean, to_text

        config = load_settings(config_path)
        display = display_path(file)
        try:
            drafts = read_source(file, display, layout.value, config.max_file_size)
        except SourceError as exc:
            raise fail(str(exc))
        if len(drafts) > 1 and output is not None and output.suffix in (".yaml", ".yml") and not output.is_dir():
            raise fail(f"{display} holds {len(drafts)} journeys: -o must name a directory, not {output}")
        planned = []
        failed = False
        for draft in drafts:
            text = to_yaml(draft.data, display)
            problems = schema_check(draft, text, display)
            if problems:
                failed = True
                for f in problems:
                    sys.stderr.write(f"{source_text(f)}\n")
                continue
            target = target_for(output, str(draft.data.get("id")), len(drafts) > 1)
            planned.append((target, text, draft))
        if failed:
            raise fail(f"{display}: nothing imported: fix the errors above", 1)
        targets = [t for t, _, _ in planned]
        for t in targets:
            if targets.count(t) > 1:
                raise fail(f"{display}: two journeys would both be written to {t}: give them different ids")
            if t.exists() and not force:
                raise fail(f"{t} already exists: use --force to replace it")
        for target, text, _ in planned:
            try:
                write_atomic(target, text)
            except OutputError as exc:
                raise fail(str(exc))
            sys.stdout.write(f"wrote {clean(str(target))}\n")
        for _, _, draft in planned:
            for note in draft.notes:
                sys.stdout.write(f"{clean(note)}\n")
        # The workspace's catalogs beside the new files declare shared teams and personas: check with them.
        catalogs = sorted({c for t in targets for c in t.parent.glob("*.catalog.y*ml")})
        result = check_paths(targets + catalogs, config)
        if result.findings:
            sys.stdout.write(to_text(result))
