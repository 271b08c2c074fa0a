"""`journeyctl render FILE... [-o PATH]`: journey maps, blueprints and emotion curves as pictures.

One journey goes to a file (format from --format or the file's suffix) or to stdout; several journeys,
or a directory of them, go to a directory, one file per journey and view (journeyctl/render/targets.py
names them). `--check` renders in memory and exits 1 naming every file on disk that is stale, so CI
can insist that committed diagrams match the YAML.

Exit codes: 0 done / up to date; 1 stale files (--check), or a journey that fails the schema check
(its findings are printed; rule findings never block a render); 2 usage or input error, Graphviz
missing, or Graphviz over its time limit.
"""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer


class View(str, Enum):
    map = "map"
    blueprint = "blueprint"
    emotion = "emotion"
    journey = "journey"
    funnel = "funnel"


class RenderFormat(str, Enum):
    svg = "svg"
    png = "png"
    pdf = "pdf"
    dot = "dot"
    mermaid = "mermaid"
    md = "md"


def register(app: typer.Typer) -> None:
    @app.command("render")
    def render_command(
        paths: List[Path] = typer.Argument(..., help="Journey files, directories or globs."),
        output_arg: Optional[str] = typer.Option(
            None, "--output", "-o",
            help="A file (one journey), or a directory: <id>.<ext> for the map, <id>.<view>.<ext> for other "
                 "views. Default, or -: stdout (one journey)."),
        views: List[View] = typer.Option(
            [], "--view",
            help="map (default), blueprint, emotion, journey (Mermaid only) or funnel; repeat to write several "
                 "views into a directory."),
        fmt: Optional[RenderFormat] = typer.Option(
            None, "--format", "-f", help="svg, png, pdf, dot, mermaid or md (default: the -o suffix, else svg)."),
        check: bool = typer.Option(False, "--check",
                                   help="Write nothing; exit 1 naming every output that differs from a fresh render."),
        timeout: Optional[float] = typer.Option(
            None, "--timeout", min=0.1,
            help="Seconds Graphviz may take per diagram (default: render.timeout in the config, 60)."),
        config_path: Optional[Path] = typer.Option(
            None, "--config", "-c", help="Config file (default: nearest .journeyctl.yaml or pyproject.toml)."),
    ) -> None:
        """Draw journeys: the map, the service blueprint, the emotion curve, Mermaid or a Markdown page."""
        from ..check.pipeline import UsageError, discover
        from ..check.workspace import catalog_models, is_catalog
        from .common import fail, load_settings
        from ..output import OutputError, write_atomic
        from ..render import RenderError, check_combination, render
        from ..render.funnel_view import FunnelViewError
        from ..render.targets import as_bytes, format_from_suffix, output_name, stale_reason

        # A string, not a Path: Path("docs/") drops the trailing slash that says "a directory".
        explicit_stdout = output_arg == "-"  # `-o -`: stdout, even on a terminal
        output = Path(output_arg) if output_arg and not explicit_stdout else None
        config = load_settings(config_path)
        limit = timeout if timeout is not None else config.render_timeout
        try:
            discovered = discover(paths, config)
        except UsageError as exc:
            raise fail(str(exc))
        files = [f for f in discovered if not is_catalog(f)]
        if not files:
            raise fail(f"no journey files found in {', '.join(str(p) for p in paths)} "
                       f"(looking for {', '.join(config.include)})")
        chosen_views = list(dict.fromkeys(v.value for v in views)) or ["map"]
        single = len(paths) == 1 and len(files) == 1 and not paths[0].is_dir()
        to_directory = output is not None and (not single or output.is_dir() or output_arg.endswith(("/", os.sep)))
        if output is None and not single:
            raise fail("several journeys render to a directory: add -o DIRECTORY")
        if not to_directory and len(chosen_views) > 1:
            raise fail("several --view options write several files: give -o DIRECTORY")
        if check and output is None:
            raise fail("--check compares with files on disk: give -o with the file or directory to check")
        if fmt is not None:
            out_format = fmt.value
        elif output is not None and not to_directory:
            out_format = format_from_suffix(output)
            if out_format is None:
                raise fail(f"cannot tell the format from '{output.name}': use --format "
                           "(svg, png, pdf, dot, mermaid or md)")
        else:
            out_format = "svg"
        try:
            for view in chosen_views:
                check_combination(view, out_format)
        except RenderError as exc:
            raise fail(str(exc))
        if output is None and out_format in ("png", "pdf") and sys.stdout.isatty():
            raise fail(f"{out_format} is binary and stdout is a terminal: write it with -o FILE")

        catalogs = catalog_models(discovered, config)
        code = 0
        jobs = []  # (journey, view, target path or None)
        sources: dict[str, str] = {}
        targets: dict[str, str] = {}  # output file → what writes it
        for file in files:
            journey, refusal = _load(file, config)
            if journey is None:
                code = max(code, refusal)
                continue
            if to_directory:
                if journey.id in sources:
                    raise fail(f"{file}: journey id '{journey.id}' is also the id of {sources[journey.id]}; "
                               "both would render to the same file")
                sources[journey.id] = str(file)
                for view in chosen_views:
                    target = output / output_name(journey.id, view, out_format)
                    _claim(targets, target, f"the {view} view of {file}")
                    jobs.append((journey, view, target))
            elif output is None and out_format == "svg" and not explicit_stdout and _stdout_is_terminal():
                # SVG markup is of no use on a screen: the picture goes beside the journey (issue 14).
                jobs.append((journey, chosen_views[0], file.parent / output_name(journey.id, chosen_views[0], "svg")))
                sys.stderr.write("journeyctl: stdout is a terminal, so the SVG is written beside the journey; "
                                 "choose the file with -o FILE, or pipe the output\n")
            else:
                jobs.append((journey, chosen_views[0], output))

        if to_directory and not check:
            try:
                output.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise fail(f"{output}: cannot create directory: {exc.strerror}")
        stale = []
        not_drawn = 0
        try:
            for journey, view, target in jobs:
                try:
                    if check:
                        reason = stale_reason(target, journey, view, out_format, timeout=limit, catalogs=catalogs)
                        if reason is not None:
                            stale.append((target, reason))
                        continue
                    data = render(journey, view, out_format, timeout=limit, catalogs=catalogs)
                except FunnelViewError as exc:
                    # One journey without a computable funnel must not cost the others theirs (issue 22).
                    sys.stderr.write(f"journeyctl: {exc}; not rendered\n")
                    not_drawn += 1
                    code = max(code, 1)
                    continue
                if target is None:
                    sys.stdout.flush()
                    sys.stdout.buffer.write(as_bytes(data))
                    sys.stdout.flush()
                else:
                    write_atomic(target, data)
                    sys.stdout.write(f"wrote {target}\n")
        except (RenderError, OutputError) as exc:
            raise fail(str(exc))
        if not_drawn and len(jobs) > 1:
            sys.stderr.write(f"journeyctl: {not_drawn} of {len(jobs)} diagrams not rendered (see above)\n")
        if check:
            for target, reason in stale:
                sys.stdout.write(f"{target}: {reason}\n")
            checked = len(jobs)
            if stale:
                sys.stdout.write(f"{len(stale)} of {checked} rendered file{'s' if checked != 1 else ''} stale; "
                                 "re-run the same command without --check to update\n")
                code = max(code, 1)
            else:
                sys.stdout.write(f"{checked} rendered file{'s' if checked != 1 else ''} up to date\n")
        raise typer.Exit(code)


def _stdout_is_terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def _claim(targets: dict[str, str], target: Path, what: str) -> None:
    """Refuse two diagrams for one file: journey `a`'s blueprint and journey `a.blueprint`'s map are
    both `a.blueprint.svg`, and the second would silently overwrite the first (issue 22)."""
    from .common import fail

    key = os.path.normcase(str(target))
    if key in targets:
        raise fail(f"{target}: both {targets[key]} and {what} would be written to this file; "
                   "rename one of the journey ids, or render the views into separate directories")
    targets[key] = what


def _load(path: Path, config: object) -> tuple[object, int]:
    """The journey, or None and the exit code after printing why (schema errors block, rules do not)."""
    from ..check.pipeline import FileResult, RunResult, display_path, read_document, validate_document
    from ..report.text import to_text

    display = display_path(path)
    doc, findings = read_document(path, config)
    journey = None
    if doc is not None:
        journey, findings = validate_document(doc, display)
    if journey is not None:
        return journey, 0
    sys.stderr.write(to_text(RunResult([FileResult(display, findings)]), summary=False))
    sys.stderr.write(f"journeyctl: {display}: not rendered: fix the errors above "
                     "(journeyctl validate shows them all)\n")
    return None, 2 if any(f.rule == "file-error" for f in findings) else 1
