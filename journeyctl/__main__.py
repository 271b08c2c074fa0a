"""Entry point. `--version` (every CI job's preamble) and a replayed `validate` answer before typer is imported."""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] in (["--version"], ["-V"]):
        from . import __version__

        sys.stdout.write(f"journeyctl {__version__}\n")
        return
    from .clock import check_environment

    problem = check_environment()
    if problem is not None:  # a usage error, before any file is checked against a wrong date
        sys.stderr.write(f"journeyctl: {problem}\n")
        sys.exit(2)
    if sys.argv[1:2] == ["validate"]:
        # An unchanged workspace checked again: answered from the cache before typer is imported.
        from .check.replay import try_replay

        code = try_replay(sys.argv[1:])
        if code is not None:
            sys.exit(code)
    from .cli import run

    run()


if __name__ == "__main__":
    main()
