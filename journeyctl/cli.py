"""The command line: parse arguments, call the core, pick an exit code. Nothing else lives here.

Exit codes: 0 clean, 1 findings (at or above --fail-on), 2 usage, configuration or input error.
"""

from __future__ import annotations

import importlib
import os
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, List, Optional

import typer

from . import __version__
from .commands.options import Severity

if TYPE_CHECKING:
    from .config import Config

app = typer.Typer(
    name="journeyctl",
    help="Customer journeys as code: validate, analyse and render journey maps kept as YAML.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

# Commands that live in journeyctl/commands/<name>.py, each exposing register(app).
COMMANDS: tuple[str, ...] = (
    "stats",
    "docs",
    "diff",
    "funnel",
    "render",
    "conform",
    "export",
    "import_",
    "fix",
    "lsp",
)


class Format(str, Enum):
    text = "text"
    json = "json"
    sarif = "sarif"
    github = "github"
    junit = "junit"
    markdown = "markdown"


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print one clear message to stderr and return the Exit to raise."""
    from .report.text import clean

    sys.stderr.write(f"journeyctl: {clean(message)}\n")
    return typer.Exit(code)


def use_color(stream: object = None) -> bool:
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return bool(getattr(stream, "isatty", lambda: False)())


def load_settings(config_path: Optional[Path], paths: Optional[List[Path]] = None) -> Config:
    """The config from --config, else found upward from the working directory, else from the first path."""
    from .config import ConfigError, load_settings as settings

    try:
        return settings(config_path, paths or ())
    except ConfigError as exc:
        raise fail(f"{exc.file}:{exc.line}:{exc.column}: {exc.message}")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"journeyctl {__version__}")
        raise typer.Exit(0)


@app.callback()
def main(version: bool = typer.Option(False, "--version", "-V", callback=_version, is_eager=True,
                                      help="Print the version and exit.")) -> None:
    """journeyctl: customer journeys as code."""


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
    from .check import UsageError, exit_code
    from .output import OutputError, write_atomic
    from .report import get_reporter
    from .report.text import summary_line, to_text
    from .rules.catalog import all_rules

    config = load_settings(config_path, paths)
    if no_cache:
        config.cache = False
    selected, ignored = _split(select), _split(ignore)
    known = all_rules()
    for rule_id in selected + ignored:
        if rule_id not in known:
            from .suggest import closest

            hint = closest(rule_id, known)
            raise fail(f"unknown rule '{rule_id}'" + (f" (did you mean '{hint}'?)" if hint else "") +
                       "; see 'journeyctl rules'")
    from . import replay

    taken = replay.snapshot(config_path, paths or [Path(".")], config)  # None unless __main__ qualified the run
    from . import progress as progress_bar

    chosen = fmt.value if fmt else ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    bar = progress_bar.FileProgress() if progress_bar.wanted(chosen) else None
    try:
        from .run import run_checks

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
        from .baseline import BaselineError, adopt

        try:
            result, note = adopt(result, config, baseline, write_baseline, ignored)
        except BaselineError as exc:
            raise fail(str(exc))
        if note:
            sys.stderr.write(f"journeyctl: {note}\n")
    written: tuple[Path, str] | None = None
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
    from .output import write_stdout

    try:
        write_stdout(text)
    except OutputError as exc:
        raise fail(str(exc))
    raise typer.Exit(code)


_SUFFIX_FORMATS = {".json": "json", ".sarif": "sarif", ".xml": "junit", ".md": "markdown", ".txt": "text"}


def _split(values: List[str]) -> list[str]:
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


@app.command()
def schema(output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout.")) -> None:
    """Print the journey JSON Schema (for editors and other validators)."""
    import json

    from .schema import journey_schema

    text = json.dumps(journey_schema(), indent=2, ensure_ascii=False) + "\n"
    _emit(text, output)


def _emit(text: str, output: Optional[Path]) -> None:
    from .output import OutputError, write_atomic, write_stdout

    try:
        if output is None:
            write_stdout(text)
        else:
            write_atomic(output, text)
    except OutputError as exc:
        raise fail(str(exc))


@app.command()
def init(
    directory: Path = typer.Argument(Path("."), help="Where to write the starter journey."),
    journey_id: str = typer.Option("my-journey", "--id", help="Id (and file name) of the new journey."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
) -> None:
    """Write a commented starter journey that validates."""
    import re

    from .model import ID_PATTERN
    from .starter import plan_schema, starter_text

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
        from .schema import render_schema

        _emit(render_schema(), save)
    _emit(starter_text(journey_id, reference), target)
    typer.echo(f"wrote {target}; check it with: journeyctl validate {target}")
    if save is not None:
        typer.echo(f"saved the schema for editor completion at {save} (the starter's modeline points at it)")


@app.command("rules")
def list_rules(fmt: str = typer.Option("text", "--format", "-f", help="text or json.")) -> None:
    """List every rule: id, default severity, one line."""
    from .rules.catalog import all_rules

    rules = all_rules().values()
    if fmt == "json":
        import json

        sys.stdout.write(json.dumps([{"id": r.id, "severity": r.severity, "enabled": r.enabled,
                                      "summary": r.summary} for r in rules], indent=2) + "\n")
        return
    if fmt != "text":
        raise fail(f"unknown format '{fmt}' (text or json)")
    width = max(len(r.id) for r in rules)
    for r in rules:
        note = "" if r.enabled else " (off by default)"
        sys.stdout.write(f"{r.id:<{width}}  {r.severity:<7}  {r.summary}{note}\n")


@app.command()
def explain(rule_id: str = typer.Argument(..., help="A rule id, as shown by 'journeyctl rules'.")) -> None:
    """Explain a rule: why it matters, and a failing and a passing example."""
    from .rules.catalog import all_rules

    rules = all_rules()
    if rule_id not in rules:
        from .suggest import closest

        hint = closest(rule_id, rules)
        raise fail(f"unknown rule '{rule_id}'" + (f" (did you mean '{hint}'?)" if hint else "") +
                   "; see 'journeyctl rules'")
    r = rules[rule_id]
    default = r.severity + ("" if r.enabled else ", off by default")
    sys.stdout.write(f"{r.id} ({default})\n{r.summary}\n\n{r.doc}\n")


def _register_commands() -> None:
    from .commands.examples import epilog

    for name in COMMANDS:
        importlib.import_module(f".commands.{name}", __package__).register(app)
    for info in app.registered_commands:
        name = info.name or (info.callback.__name__ if info.callback else "")
        info.epilog = info.epilog or epilog(name)


def _hide_flag_types() -> None:
    """--help shows a value type for options that take a value, not `<bool>` beside every flag."""
    from typer.core import TyperOption

    shown = TyperOption.display_type_rich

    def display_type_rich(self: TyperOption, ctx: object) -> str | None:
        if self.is_flag or self.count:
            return None
        label = shown(self, ctx)
        if label and label.startswith("<list[") and label.endswith("]>"):
            return f"<{label[6:-2]}>…"  # a repeatable option: its value type, marked as repeatable
        return label

    TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]


_register_commands()
_hide_flag_types()


def run() -> None:
    """Run the CLI; bad input becomes a message and exit 2, never a traceback."""
    try:
        app(standalone_mode=True)
    except KeyboardInterrupt:
        sys.stderr.write("journeyctl: interrupted\n")
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:  # the last line of defence: a bug must still not print a traceback
        if os.environ.get("JOURNEYCTL_DEBUG"):
            raise
        sys.stderr.write(f"journeyctl: internal error: {type(exc).__name__}: {exc}\n"
                         "Please report it; rerun with JOURNEYCTL_DEBUG=1 for details.\n")
        sys.exit(2)
