"""`journeyctl fix PATHS`: apply the safe fixes (and with --unsafe the others) to journey files.

Exit codes: 0 nothing left to report, 1 findings remain after fixing, 2 usage or input error.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer


def register(app: typer.Typer) -> None:
    @app.command("fix")
    def fix(
        paths: List[Path] = typer.Argument(None, help="Journey files, directories or globs (default: .)."),
        diff: bool = typer.Option(False, "--diff", help="Print a unified diff of the fixes and write nothing."),
        unsafe: bool = typer.Option(False, "--unsafe", help="Also apply fixes that need a human's confirmation "
                                    "(declaring an unknown team, channel or persona in the journey)."),
        config_path: Optional[Path] = typer.Option(None, "--config", "-c",
                                                   help="Config file (default: nearest .journeyctl.yaml or pyproject.toml)."),
    ) -> None:
        """Apply the fixes that need no judgement; report what remains.

        Safe fixes quote ambiguous YAML scalars, add hand-off skeletons, remove unused suppressions and
        correct ids that have a single did-you-mean candidate. Everything outside an edit stays
        byte-identical; files are written atomically, once. Exit 1 when findings remain (a hand-off
        skeleton's placeholders remain flagged until someone fills them in). See docs/fixes.md.
        """
        from ..check.pipeline import UsageError, display_path
        from .common import fail, load_settings
        from ..fix.run import fix_paths, write_fixes
        from ..output import OutputError
        from ..report.text import clean

        targets = paths or [Path(".")]
        config = load_settings(config_path, targets)
        try:
            results = fix_paths(targets, config, unsafe=unsafe)
        except UsageError as exc:
            raise fail(str(exc))
        if not results:
            raise fail(f"no journey files found in {', '.join(str(p) for p in targets)} "
                       f"(looking for {', '.join(config.include)})")
        out = sys.stdout
        if diff:
            out.write("".join(r.diff() for r in results))
        else:
            try:
                write_fixes(results)
            except OutputError as exc:
                raise fail(str(exc))
        fixed = 0
        for result in results:
            for applied in sorted(result.applied, key=lambda f: f.finding.sort_key()):
                f = applied.finding
                verb = "would fix" if diff else "fixed"
                sys.stderr.write(clean(f"{display_path(result.path)}:{f.line}:{f.column}: {verb} {f.rule}: "
                                       f"{applied.title}") + "\n")
                fixed += 1
        remaining = [f for r in results for f in r.remaining]
        for f in remaining:
            sys.stderr.write(clean(f"{f.file}:{f.line}:{f.column}: {f.severity} {f.rule}: {f.message}") + "\n")
        sys.stderr.write(f"{fixed} fix{'es' if fixed != 1 else ''} {'to apply' if diff else 'applied'}, "
                         f"{len(remaining)} finding{'s' if len(remaining) != 1 else ''} remaining\n")
        raise typer.Exit(1 if remaining else 0)
