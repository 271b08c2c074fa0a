"""The command line: builds the app from journeyctl/commands/ (one module a command). Nothing else lives here.

Exit codes: 0 clean, 1 findings (at or above --fail-on), 2 usage, configuration or input error.
"""

from __future__ import annotations

import importlib
import inspect
import os
import sys

import typer

from . import __version__

app = typer.Typer(
    name="journeyctl",
    help="Customer journeys as code: validate, analyse and render journey maps kept as YAML.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

# Commands that live in journeyctl/commands/<name>.py, each exposing register(app), in --help order.
COMMANDS: tuple[str, ...] = (
    "validate",
    "init",
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
    "rules",
    "explain",
    "schema",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"journeyctl {__version__}")
        raise typer.Exit(0)


@app.callback()
def main(version: bool = typer.Option(False, "--version", "-V", callback=_version, is_eager=True,
                                      help="Print the version and exit.")) -> None:
    """journeyctl: customer journeys as code."""


def _register_commands() -> None:
    from .commands.examples import epilog

    for name in COMMANDS:
        importlib.import_module(f".commands.{name}", __package__).register(app)
    for info in app.registered_commands:
        name = info.name or (info.callback.__name__ if info.callback else "")
        info.epilog = info.epilog or epilog(name)
        doc = info.callback.__doc__ if info.callback else None
        if doc and not info.help:
            # Help is rendered as written, line breaks included: a paragraph wrapped in the source would
            # break mid-sentence in a terminal. Each paragraph becomes one line, wrapped by the terminal.
            info.help = "\n\n".join(" ".join(p.split()) for p in inspect.cleandoc(doc).split("\n\n"))


def _hide_flag_types() -> None:
    """--help shows a value type for what takes a value, not `<bool>` beside every flag or `<list[str]>`."""
    from typer.core import TyperArgument, TyperOption

    def plain(shown):  # type: ignore[no-untyped-def]
        def display_type_rich(self, ctx):  # type: ignore[no-untyped-def]
            if getattr(self, "is_flag", False) or getattr(self, "count", False):
                return None
            label = shown(self, ctx)
            if label and label.startswith("<list[") and label.endswith("]>"):
                return f"<{label[6:-2].lower()}>"  # repeatable: the "..." or the option's help says so
            return label
        return display_type_rich

    for kind in (TyperOption, TyperArgument):
        kind.display_type_rich = plain(kind.display_type_rich)  # type: ignore[method-assign]


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

