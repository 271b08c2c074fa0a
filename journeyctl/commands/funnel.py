"""`journeyctl funnel FILE`: conversion, drop-off and leaks computed from the journey's rates."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer

from .options import ReportFormat


def register(app: typer.Typer) -> None:
    @app.command("funnel")
    def funnel(
        file: Path = typer.Argument(..., help="The journey file."),
        entry: Optional[str] = typer.Option(None, "--entry", "-e",
                                            help="Start every customer at this touchpoint instead of the entries."),
        fmt: ReportFormat = typer.Option(ReportFormat.text, "--format", "-f", help="text, json or md."),
        customers: Optional[int] = typer.Option(None, "--customers", "-n", min=1,
                                                help="Also count every figure for this many customers."),
        sets: List[str] = typer.Option([], "--set", metavar="FROM->TO=RATE",
                                       help="What-if: recompute with this transition's rate (repeatable)."),
        fix_share: float = typer.Option(0.5, "--fix-share", min=0.0, max=1.0,
                                        help="Share of a touchpoint's drop-off the fix-first ranking imagines saved."),
        config_path: Optional[Path] = typer.Option(None, "--config", "-c",
                                                   help="Config file (default: nearest .journeyctl.yaml or pyproject.toml)."),
    ) -> None:
        """How many customers convert, after how many touchpoints, and where the funnel leaks.

        Leads with the share of customers who reach each stage, ranks what to fix first, and with --set shows
        each figure before and after changed rates. Exit 1 when the rates are not probabilities
        (invalid-rates), a loop can never be left, or the journey cannot be solved; 2 for a bad option.
        """
        from ..check.pipeline import FileResult, RunResult, display_path, read_document, validate_document
        from .common import fail, load_settings
        from ..check.findings import Finding, format_path
        from ..analysis.funnel import FunnelError, InvalidRatesError, UnknownEntryError, analyse_funnel
        from ..report.text import to_text

        def refuse(findings: list[Finding], code: int, why: str) -> typer.Exit:
            # stderr: with --format json, stdout must hold the report or nothing. The last line says that
            # no funnel follows, as every other refusal does.
            sys.stderr.write(to_text(RunResult([FileResult(display, findings)]), summary=False))
            if why:
                sys.stderr.write(f"journeyctl: {display}: no funnel: {why}\n")
            return typer.Exit(code)

        config = load_settings(config_path)
        display = display_path(file)
        doc, findings = read_document(file, config)
        journey = None
        if doc is not None:
            journey, findings = validate_document(doc, display)
        if journey is None or doc is None:
            # Unreadable is an input error (2); readable but not a valid journey is findings (1), as in validate.
            unreadable = any(f.rule == "file-error" for f in findings)
            raise refuse(findings, 2 if unreadable else 1,
                         "" if unreadable else "fix the errors above (journeyctl validate shows them all)")
        try:
            from ..analysis.funnel_scenario import ScenarioUsageError, parse_change, with_scenario

            changes = [parse_change(text) for text in sets]
            report = analyse_funnel(journey, entry, fix_share=fix_share)
            if changes:
                report = with_scenario(report, journey, changes, entry)
            report = report.with_customers(customers)
        except ScenarioUsageError as exc:
            raise fail(f"{display}: {exc}", 2)
        except InvalidRatesError as exc:
            raise refuse([Finding("invalid-rates", "error", display, *doc.locate(p.path), p.message,
                                  format_path(p.path)) for p in exc.problems], 1,
                         "the rates above are not probabilities (see journeyctl explain invalid-rates)")
        except UnknownEntryError as exc:
            from ..suggest import closest

            hint = closest(entry or "", journey.touchpoint_index())
            raise fail(str(exc) + (f" (did you mean '{hint}'?)" if hint else ""), 2)
        except FunnelError as exc:
            raise fail(f"{display}: {exc}", 1)

        if fmt is ReportFormat.json:
            import json

            sys.stdout.write(json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n")
        elif fmt is ReportFormat.md:
            from ..analysis.funnel_tables import to_markdown

            sys.stdout.write(to_markdown(report, journey))
        else:
            from rich.console import Console

            from ..analysis.funnel_tables import to_rich

            console = Console(file=sys.stdout)
            for table in to_rich(report, journey):
                console.print(table)
