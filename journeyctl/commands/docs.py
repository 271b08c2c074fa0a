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
        serve: bool = typer.Option(False, "--serve",
                                   help="Serve the site on 127.0.0.1, rebuild it when a file changes, and "
                                        "reload open pages (Ctrl-C stops)."),
        port: int = typer.Option(8000, "--port", min=0, max=65535, help="With --serve: the port (0: any free one)."),
        config_path: Optional[Path] = typer.Option(None, "--config", "-c",
                                                   help="Config file (default: nearest .journeyctl.yaml or pyproject.toml)."),
    ) -> None:
        """Build a static HTML site: journey index, a page per journey, matrices and the catalog.

        Works from file:// and any static host: no server, no CDN, no network request.
        """
        from ..check.pipeline import UsageError
        from .common import fail, load_settings
        from ..report.text import clean
        from ..site import VIEWS, SiteError, SiteOptions, build_site

        config = load_settings(config_path)
        chosen = [v.strip() for v in views.split(",") if v.strip()]
        if chosen == ["none"]:
            chosen = []
        unknown = [v for v in chosen if v not in VIEWS]
        if unknown:
            raise fail(f"unknown view '{unknown[0]}' in --views (choose from {', '.join(VIEWS)}, or none)")
        options = SiteOptions(out, tuple(chosen), not no_svg, force)
        if serve:
            _serve(paths or [Path(".")], config, options, port)
            return
        try:
            result = build_site(paths or [Path(".")], config, options)
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


def _serve(paths: List[Path], config: object, options: object, port: int) -> None:
    """The live preview (site/serve.py); a first build that fails is a usage error, later ones show on the page."""
    from dataclasses import replace

    from ..check.pipeline import UsageError
    from .common import fail
    from ..site import SiteError, build_site
    from ..site.serve import serve
    from ..analysis.stats import workspace_files

    def build() -> object:
        return build_site(paths, config, replace(options, progress=False))  # type: ignore[arg-type, type-var]

    def files() -> List[Path]:
        try:
            journeys, catalogs = workspace_files(paths, config)  # type: ignore[arg-type]
        except UsageError:
            return []
        return journeys + catalogs

    def ready(server: object) -> None:
        host, bound = server.server_address[:2]  # type: ignore[attr-defined]
        sys.stdout.write(f"serving http://{host}:{bound}/ (rebuilds on change; Ctrl-C stops)\n")
        sys.stdout.flush()

    def said(message: str) -> None:
        sys.stdout.write(f"journeyctl: {message}\n")
        sys.stdout.flush()

    try:
        serve(build, files, options.out, port, on_build=said, ready=ready)  # type: ignore[attr-defined]
    except (UsageError, SiteError) as exc:
        raise fail(str(exc))
    except OSError as exc:
        raise fail(f"--serve: cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}")
    except KeyboardInterrupt:
        sys.stdout.write("stopped\n")
