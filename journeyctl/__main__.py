"""Entry point. `--version` answers before typer is imported: it runs in every CI job's preamble."""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] in (["--version"], ["-V"]):
        from . import __version__

        sys.stdout.write(f"journeyctl {__version__}\n")
        return
    from .cli import run

    run()


if __name__ == "__main__":
    main()
