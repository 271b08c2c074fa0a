"""`journeyctl docs [PATHS] -o site/`: a static HTML site of the whole workspace.

Exit codes: 0 site written (findings are shown in the site, they do not fail the build), 2 usage or
input error (no journey found, output directory not ours, unknown view).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer


def register(app: typer.Typer) -> None:
    @app.command("docs")
    def docs(
        paths: List[Path] = typer.Argument(None, help="Journey files, directories or globs (default: .)."),
        out: Path = typer.Option(Path("site"), "--output", "-o", help="Directory to write the site into."),
        views: str = typer.Option("map,blueprint,emotion", "--views",
                                  help="Views on each journey page, comma-separated (map, blueprint, emotion), "
                                       "or 'none'."),
        no_svg: bool = typer.Option(False, "--no-svg",
                                    help="Do not run Graphviz: show Mermaid source instead of SVG (much faster "
                                         "for large workspaces)."),
        force: bool = typer.Option(False, "--force",
                                   help="Write into a non-empty directory that an earlier 'docs' did not create."),
        config_path: Optional[Path] = typer.Option(None, "--config", "-c",
                                                   help="Config file (default: nearest .journeyctl.yaml or pyproject.toml)."),
    ) -> None:
        """Build a static HTML site: journey index, a page per journey, matrices and the catalog.

        Works from file:// and any static host: no server, no CDN, no network request.
        """
        from ..check import UsageError
        from ..cli import fail, load_settings
        from ..report.text import clean
        from ..site import VIEWS, SiteError, SiteOptions, build_site

        config = load_settings(config_path)
        chosen = [v.strip() for v in views.split(",") if v.strip()]
        if chosen == ["none"]:
            chosen = []
        unknown = [v for v in chosen if v not in VIEWS]
        if unknown:
            raise fail(f"unknown view '{unknown[0]}' in --views (choose from {', '.join(VIEWS)}, or none)")
        try:
            result = build_site(paths or [Path(".")], config, SiteOptions(out, tuple(chosen), not no_svg, force))
        except (UsageError, SiteError) as exc:
            raise fail(str(exc))
        if chosen and not no_svg and not result.svg and result.svg_note:
            sys.stderr.write(f"journeyctl: note: views shown as Mermaid source: {clean(result.svg_note)}\n")
        f = result.findings
        from ..plural import count, severities

        invalid = f", {count(result.invalid, 'invalid file')}" if result.invalid else ""
        sys.stdout.write(
            f"wrote {count(len(result.files), 'file')} for {count(result.journeys, 'journey')}"
            f"{invalid} ({severities(f)}) to {clean(str(out))}/\n"
            f"open {clean((out / 'index.html').as_posix())}\n")
