"""`journeyctl conform JOURNEY LOG`: how far real customers, seen in an event log, follow the journey.

Exit codes: 0 the run completed; 1 fitness below --min-fitness, or the journey file fails the schema
check (its findings are printed, as in validate); 2 usage or input error: unreadable log, unknown
column, bad option, unreadable journey, a --render that cannot be drawn.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional

import typer

from .options import ReportFormat

if TYPE_CHECKING:
    from ..conform.result import Conformance
    from ..format.model import Journey

# Below this size a run takes well under a second: a progress bar would only flicker.
PROGRESS_BYTES = 16 * 1024 * 1024


class Dialect(str, Enum):
    duckdb = "duckdb"
    bigquery = "bigquery"
    snowflake = "snowflake"
    spark = "spark"


def register(app: typer.Typer) -> None:
    @app.command("conform")
    def conform(
        journey_file: Path = typer.Argument(..., metavar="JOURNEY", help="The journey file."),
        log: Optional[Path] = typer.Argument(
            None, metavar="LOG",
            help="Event log: .csv, .jsonl/.ndjson, .parquet or XES (.xes, .xes.gz) (not needed with --emit-sql)."),
        fmt: ReportFormat = typer.Option(ReportFormat.text, "--format", "-f", help="text, json or md."),
        render_path: Optional[Path] = typer.Option(
            None, "--render", metavar="PATH",
            help="Also draw the map with the observed flow (format from the suffix: .svg, .png, .pdf, .dot, "
                 ".mmd, .md)."),
        min_count: Optional[int] = typer.Option(
            None, "--min-count", min=1, metavar="N",
            help="With --render: draw an undeclared transition only if seen at least N times "
                 "(default: by 1% of the traces)."),
        top: Optional[int] = typer.Option(
            None, "--top", min=0, metavar="N",
            help="With --render: draw at most the N most frequent undeclared transitions (default 20; 0: no cap)."),
        min_fitness: Optional[float] = typer.Option(
            None, "--min-fitness", min=0.0, max=1.0, help="Exit 1 when fitness (0..1) is below this."),
        customer_col: str = typer.Option("customer", "--customer-col", help="Column holding the customer id."),
        event_col: str = typer.Option("event", "--event-col", help="Column holding the event name."),
        timestamp_col: str = typer.Option("timestamp", "--timestamp-col",
                                          help="Column holding the ISO 8601 timestamp (zone-less means UTC)."),
        tolerance: str = typer.Option("1d", "--tolerance",
                                      help="How far from its 'at: day N' a touchpoint may be met (e.g. 12h, 1d)."),
        emit_sql: Optional[Dialect] = typer.Option(
            None, "--emit-sql",
            help="Print the analysis as SQL for duckdb, bigquery, snowflake or spark instead of running it."),
        table: str = typer.Option("events", "--table", help="With --emit-sql: the events table to read."),
        order_col: Optional[str] = typer.Option(
            None, "--order-col",
            help="With --emit-sql: a column giving file order, the tie-break for equal timestamps "
                 "(default: event name) and the row numbers of bad rows."),
        lifecycle: str = typer.Option(
            "complete", "--lifecycle",
            help="XES logs: the lifecycle:transition values to keep, comma-separated, or 'any'."),
        export_xes: Optional[Path] = typer.Option(
            None, "--export-xes", metavar="FILE",
            help="Also write the mapped log as XES, activities named like the BPMN export's tasks."),
        config_path: Optional[Path] = typer.Option(
            None, "--config", "-c", help="Config file (default: nearest .journeyctl.yaml or pyproject.toml)."),
    ) -> None:
        """Compare an event log (customer, event, timestamp) with the journey: fitness, deviations,
        observed vs declared rates, late hand-offs, off-schedule touchpoints."""
        from ..check.pipeline import FileResult, RunResult, display_path, load_model
        from .common import fail, load_settings
        from ..conform.design import DurationError, design_of, duration_us
        from ..report.text import to_text

        try:
            tolerance_us = duration_us(tolerance)
        except DurationError as exc:
            raise fail(f"--tolerance: {exc}")
        for option, name in (("--customer-col", customer_col), ("--event-col", event_col),
                             ("--timestamp-col", timestamp_col), ("--table", table), ("--order-col", order_col)):
            if name is not None and not name.strip():
                raise fail(f"{option}: give a column or table name (it is empty)")
        if emit_sql is None and log is None:
            raise fail("missing LOG: give the event log to conform (or --emit-sql DIALECT to print the SQL)")

        config = load_settings(config_path)
        journey, findings = load_model(journey_file, config)
        if journey is None:
            # stderr: with --format json, stdout must hold the report or nothing.
            sys.stderr.write(to_text(RunResult([FileResult(display_path(journey_file), findings)]), summary=False))
            raise typer.Exit(2 if any(f.rule == "file-error" for f in findings) else 1)

        if emit_sql is not None:
            from ..conform.sql import Source, analysis_sql, transpile

            source = Source(table=table, customer=customer_col, event=event_col, timestamp=timestamp_col,
                            order=order_col)
            sys.stdout.write(transpile(analysis_sql(design_of(journey), source, tolerance_us), emit_sql.value))
            raise typer.Exit(0)

        from ..conform.engine import ConformError
        from ..conform.xes import conform_file
        from ..conform.xes_export import XesExportError
        from ..conform.prediction import predicted_outcomes

        assert log is not None
        render_format = None
        if render_path is not None:
            from ..render.targets import format_from_suffix

            render_format = format_from_suffix(render_path)
            if render_format is None:
                raise fail(f"--render {render_path}: unknown suffix; use .svg, .png, .pdf, .dot, .mmd or .md")
        log_name = display_path(log)
        try:
            with _ProgressBar(log) as progress:
                result = conform_file(journey, log, customer=customer_col, event=event_col,
                                      timestamp=timestamp_col, tolerance_us=tolerance_us, progress=progress,
                                      lifecycle=lifecycle, export_to=export_xes)
        except (ConformError, XesExportError) as exc:
            raise fail(str(exc))
        result.predicted = predicted_outcomes(journey)

        if fmt is ReportFormat.json:
            import json

            sys.stdout.write(json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n")
        elif fmt is ReportFormat.md:
            from ..conform.report import to_markdown

            sys.stdout.write(to_markdown(result, log_name))
        else:
            from rich.console import Console

            from .common import use_color
            from ..conform.report import write_text

            write_text(result, Console(file=sys.stdout, no_color=not use_color(), highlight=False), log_name)

        if render_path is not None and render_format is not None:
            _render(journey, result, log_name, render_path, render_format, config.render_timeout, min_count, top)
        if min_fitness is not None and (result.fitness is None or result.fitness < min_fitness):
            shown = "n/a (no traces)" if result.fitness is None else f"{result.fitness:.4f}"
            sys.stderr.write(f"journeyctl: fitness {shown} is below --min-fitness {min_fitness:g}\n")
            raise typer.Exit(1)
        raise typer.Exit(0)


def _render(journey: "Journey", result: "Conformance", log_name: str, path: Path, fmt: str, timeout: float,
            min_count: int | None = None, top: int | None = None) -> None:
    from .common import fail
    from ..conform.overlay import hidden_note, observed_overlay, undeclared_shown
    from ..output import OutputError, write_atomic
    from ..render import RenderError, render

    try:
        data = render(journey, "map", fmt, overlay=observed_overlay(result, log_name, min_count=min_count, top=top),
                      timeout=timeout)
        write_atomic(path, data)
        shown = undeclared_shown(result, min_count, top)
        if shown.hidden:
            sys.stderr.write(f"journeyctl: --render {path}: {hidden_note(shown)}\n")
    except (RenderError, OutputError) as exc:
        raise fail(f"--render {path}: {exc}")


class _ProgressBar:
    """A transient progress bar on stderr for a large log on a terminal; otherwise no callback at all."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self.bar = None

    def __enter__(self) -> Callable[[float], None] | None:
        try:
            large = self.log.stat().st_size >= PROGRESS_BYTES
        except OSError:
            large = False
        if not (large and sys.stderr.isatty()):
            return None
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        self.bar = Progress(TextColumn("conform"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                            TimeElapsedColumn(), console=Console(file=sys.stderr), transient=True)
        self.bar.start()
        task = self.bar.add_task("conform", total=100.0)
        shown = [0.0]

        def advance(done: float) -> None:
            # DuckDB's estimate can step back between pipelines; a bar that never recedes reads better.
            shown[0] = max(shown[0], done)
            self.bar.update(task, completed=shown[0])

        return advance

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
