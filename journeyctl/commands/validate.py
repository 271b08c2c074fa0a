"""`journeyctl validate [PATHS]`: schema and gap rules over files, directories and globs, in six formats."""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from .common import fail, load_settings, stdout_if_dash, use_color
from .options import Severity


class Format(str, Enum):
    text = "text"
    json = "json"
    sarif = "sarif"
    github = "github"
    junit = "junit"
    markdown = "markdown"


def register(app: typer.Typer) -> None:
    @app.command()
    def validate(
        paths: List[Path] = typer.Argument(None, help="Journey files, directories or globs (default: .)."),
        fmt: Optional[Format] = typer.Option(None, "--format", "-f", help="Output format (default: text; github on GitHub Actions)."),
        output: Optional[Path] = typer.Option(None, "--output", "-o", help="Also write the report in --format to this file."),
        config_path: Optional[Path] = typer.Option(None, "--config", "-c", help="Config file (default: nearest .journeyctl.yaml or pyproject.toml)."),
        select: List[str] = typer.Option([], "--select", help="Run only these rules (repeat or comma-separate)."),
        ignore: List[str] = typer.Option([], "--ignore", help="Skip these rules (repeat or comma-separate)."),
        fail_on: Severity = typer.Option(Severity.error, "--fail-on", help="Lowest severity that makes the exit code 1."),
        no_cache: bool = typer.Option(False, "--no-cache", help="Do not read or write the result cache."),
        baseline: Optional[Path] = typer.Option(None, "--baseline", help="Report and fail only on findings this baseline file does not hold."),
        write_baseline: Optional[Path] = typer.Option(None, "--write-baseline", help="Record this run's findings as the baseline file, then pass."),
    ) -> None:
        """Check journeys against the schema and the gap rules."""
        from ..check.pipeline import UsageError, exit_code
        from ..output import OutputError, write_atomic
        from ..report import get_reporter
        from ..report.text import summary_line, to_text
        from ..rules.catalog import all_rules

        config = load_settings(config_path, paths)
        if no_cache:
            config.cache = False
        selected, ignored = _split(select), _split(ignore)
        known = all_rules()
        for rule_id in selected + ignored:
            if rule_id not in known:
                from ..suggest import closest

                hint = closest(rule_id, known)
                raise fail(f"unknown rule '{rule_id}'" + (f" (did you mean '{hint}'?)" if hint else "") +
                           "; see 'journeyctl rules'")
        from ..check import replay

        taken = replay.snapshot(config_path, paths or [Path(".")], config)  # None unless __main__ qualified the run
        from . import progress as progress_bar

        chosen = fmt.value if fmt else ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
        bar = progress_bar.FileProgress() if progress_bar.wanted(chosen) else None
        try:
            from ..check.run import run_checks

            result = run_checks(paths or [Path(".")], config, selected, ignored, progress=bar,
                                split=config_path is None)
        except UsageError as exc:
            raise fail(str(exc))
        finally:
            if bar is not None:
                bar.close()
        if not result.files:
            raise fail(f"no journey files found in {', '.join(str(p) for p in paths or [Path('.')])} "
                       f"(looking for {', '.join(config.include)})")
        if baseline is not None or write_baseline is not None:
            from ..check.baseline import BaselineError, adopt

            try:
                result, note = adopt(result, config, baseline, write_baseline, ignored)
            except BaselineError as exc:
                raise fail(str(exc))
            if note:
                sys.stderr.write(f"journeyctl: {note}\n")
        written: tuple[Path, str] | None = None
        output = stdout_if_dash(output)  # `-o -`: the report already goes to stdout
        if output is not None:
            # --output writes the machine format beside the terminal's text; without --format the suffix picks it.
            file_format = fmt.value if fmt else _SUFFIX_FORMATS.get(output.suffix.lower(), "json")
            written = (output, get_reporter(file_format, fail_on.value)(result))
            try:
                write_atomic(*written)
            except OutputError as exc:
                raise fail(str(exc))
            text = to_text(result, color=use_color())
        elif chosen == "text":
            text = to_text(result, color=use_color())
        else:
            text = get_reporter(chosen, fail_on.value)(result)
            if chosen == "github":
                text += summary_line(result) + "\n"
        code = exit_code(result, fail_on.value)
        if taken is not None and not any(f.rule == "file-error" for f in result.findings):
            # A file error (unreadable, vanished, crashed a worker) may not recur: never replayed.
            replay.record(taken, config, text, code, written)
        from ..output import write_stdout

        try:
            write_stdout(text)
        except OutputError as exc:
            raise fail(str(exc))
        raise typer.Exit(code)


_SUFFIX_FORMATS = {".json": "json", ".sarif": "sarif", ".xml": "junit", ".md": "markdown", ".txt": "text"}


def _split(values: List[str]) -> list[str]:
    return [v.strip() for value in values for v in value.split(",") if v.strip()]
