"""`journeyctl stats [PATHS]`: counts per journey, coverage matrices and the team hand-off matrix.

Exit codes: 0 every file was a valid journey, 1 some files were skipped as invalid (their statistics
are missing; `journeyctl validate` says why), 2 usage or input error (no journey found, bad path).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, List, Optional

import typer

from .options import ReportFormat

if TYPE_CHECKING:
    from rich.console import RenderableType

    from ..analysis.stats import Matrix, StatsReport


MATRIX_TITLES = (
    ("persona_stage", "persona", "Touchpoints per persona and stage"),
    ("channel_stage", "channel", "Touchpoints per channel and stage"),
    ("team_stage", "team", "Touchpoints per team (owner) and stage"),
)

JOURNEY_HEADER = ["journey", "stages", "touchpoints", "hand-offs", "missing hand-offs", "entries", "outcomes",
                  "converting", "shortest path", "average path", "longest path"]


def register(app: typer.Typer) -> None:
    @app.command("stats")
    def stats(
        paths: List[Path] = typer.Argument(None, help="Journey files, directories or globs (default: .)."),
        fmt: ReportFormat = typer.Option(ReportFormat.text, "--format", "-f", help="text, md or json."),
        output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout (- for stdout)."),
        config_path: Optional[Path] = typer.Option(None, "--config", "-c",
                                                   help="Config file (default: nearest .journeyctl.yaml or pyproject.toml)."),
    ) -> None:
        """Counts per journey, persona/channel/team x stage matrices, and hand-offs between teams.

        Path lengths count touchpoints from an entry to a converting outcome (converted, retained,
        advocate), both included: shortest and average use each entry's nearest conversion; longest
        is the longest route with each loop counted once. Exit 1 when some files are not valid journeys.
        """
        from ..check.pipeline import UsageError
        from .common import fail, load_settings, stdout_if_dash
        from ..report.text import clean
        from ..analysis.stats import collect_stats

        output = stdout_if_dash(output)
        config = load_settings(config_path)
        try:
            report = collect_stats(paths or [Path(".")], config)
        except UsageError as exc:
            raise fail(str(exc))
        if not report.journeys and not report.skipped:
            raise fail(f"no journey files found in {', '.join(str(p) for p in paths or [Path('.')])} "
                       f"(looking for {', '.join(config.include)})")
        for file, reason in report.skipped:
            sys.stderr.write(f"journeyctl: skipped {clean(file)}: {clean(reason)} (see 'journeyctl validate')\n")
        if fmt is ReportFormat.json:
            import json

            text = json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n"
        elif fmt is ReportFormat.md:
            text = to_markdown(report)
        else:
            text = to_text(report, output is None and _is_terminal())
        if output is not None:
            from ..output import OutputError, write_atomic

            try:
                write_atomic(output, text)
            except OutputError as exc:
                raise fail(str(exc))
        else:
            sys.stdout.write(text)
        raise typer.Exit(1 if report.skipped else 0)


def _is_terminal() -> bool:
    from .common import use_color

    return use_color()


def _fmt_avg(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}".rstrip("0").rstrip(".")


def _fmt(value: int | None) -> str:
    return "-" if value is None else str(value)


def journey_rows(report: "StatsReport") -> list[list[str]]:
    return [[j.id, str(j.stages), str(j.touchpoints), str(j.handoffs), str(j.missing_handoffs), str(j.entries),
             str(j.outcomes), str(j.converting_outcomes), _fmt(j.paths.shortest), _fmt_avg(j.paths.average),
             _fmt(j.paths.longest)] for j in report.journeys]


def matrix_rows(matrix: "Matrix") -> list[list[str]]:
    return [[row, *(str(v) if v else "." for v in values), str(sum(values))]
            for row, values in zip(matrix.rows, matrix.cells)]


def handoff_rows(report: "StatsReport") -> tuple[list[str], list[list[str]]]:
    """from-team x to-team: 'transitions (missing)' per cell, '.' where no transition crosses."""
    teams = report.teams
    rows = []
    for source in teams:
        cells = []
        for target in teams:
            pair = report.handoff_pair(source, target)
            if pair is None:
                cells.append(".")
            else:
                cells.append(f"{pair.transitions} ({pair.missing} missing)" if pair.missing else str(pair.transitions))
        rows.append([source, *cells])
    return ["from \\ to", *teams], rows


def missing_rows(report: "StatsReport") -> list[list[str]]:
    return [[f"{m.file}:{m.line}", m.journey, f"{m.source} \u2192 {m.target}", f"{m.from_team} \u2192 {m.to_team}"]
            for m in report.missing]


MISSING_HEADER = ["where", "journey", "transition", "teams"]


# --------------------------------------------------------------------------------------------------
# Markdown


def _md_cell(text: str) -> str:
    # Pipes split cells and raw HTML would render: escape both; newlines would end the row.
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace("\r", " ").replace("\n", " ")


def _md_table(header: list[str], rows: list[list[str]], right_from: int = 1) -> list[str]:
    aligns = ["---" if i < right_from else "--:" for i in range(len(header))]
    lines = ["| " + " | ".join(_md_cell(h) for h in header) + " |", "| " + " | ".join(aligns) + " |"]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return lines


def to_markdown(report: "StatsReport") -> str:
    totals = report.totals()
    lines = ["# Journey statistics", "",
             f"{_totals_line(totals)}, {len(report.missing)} missing.", "",
             "## Journeys", ""]
    lines += _md_table(JOURNEY_HEADER, journey_rows(report))
    lines += ["", "Paths count touchpoints from an entry to a converting outcome (both included): shortest and "
              "average over each entry's nearest conversion; longest through the loop-free skeleton "
              "(each loop counted once). In the matrices a touchpoint serving two personas counts in both rows."]
    for key, label, title in MATRIX_TITLES:
        matrix = getattr(report, key)
        lines += ["", f"## {title}", ""]
        lines += _md_table([f"{label} \\ stage", *matrix.columns, "total"], matrix_rows(matrix))
    header, rows = handoff_rows(report)
    lines += ["", "## Hand-offs between teams", "",
              "Transitions between touchpoints of different owners; missing: no `handoff` declared.", ""]
    lines += _md_table(header, rows) if rows else ["No transition crosses teams."]
    lines += ["", "## Missing hand-offs", ""]
    lines += _md_table(MISSING_HEADER, missing_rows(report), right_from=99) if report.missing else ["None."]
    if report.skipped:
        lines += ["", "## Skipped files", ""]
        lines += _md_table(["file", "reason"], [list(s) for s in report.skipped], right_from=99)
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------------
# Terminal


def to_rich(report: "StatsReport") -> list["RenderableType"]:
    from rich.table import Table
    from rich.text import Text

    from ..report.text import clean

    def table(title: str, header: list[str], rows: list[list[str]], right_from: int = 1) -> Table:
        t = Table(title=title, title_justify="left")
        for i, name in enumerate(header):
            t.add_column(Text(name), justify="left" if i < right_from else "right")
        for row in rows:
            # Text(), not str: a '[bold]' in a user's title is text, not rich markup.
            t.add_row(*(Text(clean(c)) for c in row))
        return t

    out: list[RenderableType] = [table("Journeys", JOURNEY_HEADER, journey_rows(report))]
    for key, label, title in MATRIX_TITLES:
        matrix = getattr(report, key)
        if not matrix.rows:
            continue
        if len(matrix.columns) > len(matrix.rows):
            # Terminals are narrow: put the longer side (usually the stages) down the rows.
            out.append(table(title, [f"stage \\ {label}", *matrix.rows, "total"], matrix_rows(matrix.transposed())))
        else:
            out.append(table(title, [f"{label} \\ stage", *matrix.columns, "total"], matrix_rows(matrix)))
    header, rows = handoff_rows(report)
    if rows:
        out.append(table("Hand-offs between teams (transitions, missing = no handoff declared)", header, rows))
    if report.missing:
        out.append(table(f"Missing hand-offs ({len(report.missing)})", MISSING_HEADER, missing_rows(report),
                         right_from=99))
    return out


def to_text(report: "StatsReport", color: bool) -> str:
    import io

    from rich.console import Console
    from rich.text import Text

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=color, no_color=not color, width=_width(), soft_wrap=False)
    for renderable in to_rich(report):
        console.print(renderable)
        console.print()
    totals = report.totals()
    console.print(Text(f"{_totals_line(totals, stages=False)}, {len(report.missing)} missing"))
    return buffer.getvalue()


def _width() -> int:
    import shutil

    # Piped output keeps a wide fixed width so matrices are not squeezed into 80 columns.
    return shutil.get_terminal_size((160, 24)).columns if sys.stdout.isatty() else 160


def _totals_line(totals: dict[str, int], stages: bool = True) -> str:
    from ..plural import count

    parts = [count(totals["journeys"], "journey")]
    if stages:
        parts.append(count(totals["stages"], "stage"))
    parts += [count(totals["touchpoints"], "touchpoint"), f"{count(totals['handoffs'], 'hand-off')} declared"]
    return ", ".join(parts)
