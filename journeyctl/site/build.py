"""`journeyctl docs`: the static site of a workspace, built in passes that parse each file once.

1. check: every file against the workspace rules (journeyctl.check, through validate's cache and
   worker processes), keeping only the findings;
2. index: each journey read once for its index row, catalog uses, links and statistics; the documents
   read are kept for the pages pass (about 0.3 MB a journey, released as its page is written);
3. pages: a chunk of journeys at a time, their diagrams drawn in batched Graphviz runs
   (journeyctl.render.batch), each page written, then the workspace pages.

Output is deterministic (sorted, no timestamps), so rebuilding an unchanged workspace rewrites nothing
and the site diffs cleanly in version control.
"""

from __future__ import annotations

import os
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from ..config import Config
from ..check.findings import Finding
from ..analysis.stats import LoadedFile, StatsBuilder, journey_report, load_file, workspace_files
from .journey_page import PageContext, render_invalid_page, render_journey_page
from .page_cache import PageCache, SiteState
from .view_cache import cached_view, catalogs_digest, store_view, view_key
from .views import VIEWS, ViewOutput, ViewRenderer
from .workspace_model import CATALOG_KINDS, IndexEntry, WorkspaceIndex, review_state
from .workspace_pages import render_catalog, render_index, render_matrices

MANIFEST = ".journeyctl-site"
MANIFEST_HEADER = "# journeyctl docs: files of this generated site (safe to delete the directory)\n"
# Written before the first file of a new site, so a first build stopped half-way (Ctrl-C, kill, full
# disk) leaves a directory the next build recognises as its own, and prunes.
MANIFEST_PENDING = "# journeyctl docs: first build in progress; every file here was written by it\n"


class SiteError(Exception):
    """The site cannot be built as asked (exit 2): the message names the path and the reason."""


@dataclass
class SiteOptions:
    out: Path
    views: Sequence[str] = VIEWS
    svg: bool = True
    force: bool = False
    progress: bool | None = None  # None: a progress bar when stderr is a terminal


@dataclass
class SiteResult:
    out: Path
    journeys: int
    invalid: int
    files: list[str]
    findings: dict[str, int]
    svg: bool
    svg_note: str = ""
    removed: list[str] = field(default_factory=list)

    @property
    def index(self) -> Path:
        return self.out / "index.html"


def build_site(paths: Iterable[Path], config: Config, options: SiteOptions) -> SiteResult:
    """Build the site; Graphviz's drawings, each journey's index record and its finished page are cached
    by content in the workspace cache (site.page_cache), so a rebuild reads an unchanged journey's record
    and leaves its page alone (JOURNEYCTL_CACHE_DIR moves the cache, as for validate)."""
    from ..check.cache import _ignore_in_git, cache_dir
    from ..render.layout import prune_cache, use_cache

    directory: Path | None = cache_dir(Path(config.root))
    try:
        assert directory is not None
        directory.mkdir(parents=True, exist_ok=True)
        _ignore_in_git(directory)
        use_cache(directory / "renders-v1" if options.svg else None)
    except OSError:
        use_cache(None)
        directory = None
    try:
        return _build_site(paths, config, options, directory if config.cache else None)
    finally:
        use_cache(None)
        if directory is not None and options.svg:
            prune_cache(directory / "renders-v1")
        from ..render.batch import forget

        forget()


@dataclass
class _Item:
    """One journey file through the build: its cache key and record, and the file once it is read."""
    path: Path
    display: str
    key: str | None
    record: dict[str, Any] | None
    loaded: LoadedFile | None
    entry: IndexEntry | None = None
    cached: bool = False  # the record came from the cache


def _build_site(paths: Iterable[Path], config: Config, options: SiteOptions,
                cache_directory: Path | None = None) -> SiteResult:

    paths = list(paths) or [Path(".")]
    journey_files, catalog_files = workspace_files(paths, config)  # UsageError for a bad path
    if not journey_files:
        raise SiteError(f"no journey files found in {', '.join(str(p) for p in paths)} "
                        f"(looking for {', '.join(config.include)})")
    for view in options.views:
        if view not in VIEWS:
            raise SiteError(f"unknown view '{view}' (choose from {', '.join(VIEWS)})")
    old_files = _prepare(options.out, options.force)
    writer = _Writer(options.out)
    renderer = ViewRenderer(svg=options.svg, timeout=config.render_timeout)
    today = _today()
    cache = PageCache(cache_directory)
    state = SiteState(cache_directory, options.out)

    # dot runs as a subprocess, so threads render views side by side while the CPUs draw; a small window
    # of journeys is in flight at once (bounded: memory stays one journey's worth times the window).
    workers = min(8, (os.cpu_count() or 1) + 1) if renderer.svg_enabled and options.views else 1
    window = 2 * workers if workers > 1 else 0
    try:
        with _progress(options.progress) as progress, ThreadPoolExecutor(workers) as pool:
            findings = _check(paths, config, progress, len(journey_files) + len(catalog_files))

            index = WorkspaceIndex()
            catalogs = _read_catalogs(catalog_files, config, index)
            digest = catalogs_digest(catalogs)
            items = _items(journey_files, config, findings, cache, options, renderer, digest)
            builder = StatsBuilder()
            tick = progress("Indexing journeys", len(journey_files))
            for item in items:
                if item.record is None:  # not cached: read it (once; the pages pass reuses it)
                    item.loaded = load_file(item.path, config)
                    item.record = _record(item.loaded, findings, config, today, catalogs)
                item.entry = _apply(item.record, index, builder)
                index.entries.append(item.entry)
                tick()
            index.finish()
            stats = builder.finish()
            ctx = PageContext(
                index=index, stats=stats, owners=builder.owners,
                missing_by_file=_group(stats.missing, lambda m: m.file),
                incoming=index.incoming(),
                stats_by_file={j.file: j for j in stats.journeys},
                titles={e.slug: e.display_title for e in index.entries},
            )

            tick = progress("Writing pages", len(journey_files))
            todo = []
            for item in items:
                if _reuse_page(item, ctx, cache, state, writer):
                    tick()
                else:
                    todo.append(item)
            in_flight: deque[_Pending] = deque()
            for item in _primed(todo, renderer, options.views, findings, catalogs, workers, config):
                loaded = item.loaded
                assert loaded is not None and item.entry is not None
                own = findings.get(item.entry.file, loaded.findings)
                views: list[Future[ViewOutput]] = []
                if loaded.journey is not None:
                    views = [_view(pool, renderer, loaded, v, own, catalogs, digest) for v in options.views]
                in_flight.append(_Pending(item.entry, loaded, own, _source_lines(loaded, config), views, item))
                item.loaded = None  # released once its page is written
                while len(in_flight) > window:
                    _write_page(in_flight.popleft(), writer, ctx, cache, renderer)
                    tick()
            while in_flight:
                _write_page(in_flight.popleft(), writer, ctx, cache, renderer)
                tick()

        catalog_findings = {f: findings.get(f, []) for f in index.catalog_files}
        writer.write("matrices.html", render_matrices(stats, index))
        writer.write("catalog.html", render_catalog(index, catalog_findings))
        writer.write("index.html", render_index(index, catalog_findings))
        removed = _finish(options.out, writer.written, old_files)
    except BaseException:
        cache.close_quietly()
        raise
    state.save(options.out, writer.digests)
    cache.close(len(items))
    totals = {k: sum(e.findings[k] for e in index.entries) for k in ("error", "warning", "info")}
    return SiteResult(options.out, sum(e.valid for e in index.entries), sum(not e.valid for e in index.entries),
                      sorted(writer.written), totals, renderer.svg_enabled and bool(options.views),
                      renderer.reason, removed)


def _items(files: Sequence[Path], config: Config, findings: dict[str, list[Finding]], cache: "PageCache",
           options: SiteOptions, renderer: ViewRenderer, catalogs: str) -> list[_Item]:
    """Each journey file with its cache key (its bytes, name, findings and the build's settings) and its
    record when the cache holds one."""
    from ..check.pipeline import display_path
    from .page_cache import file_key, settings_digest

    settings = settings_digest(config, list(options.views), renderer.svg_enabled, catalogs) if cache.directory else ""
    items = []
    for path in files:
        display = display_path(path)
        key = None
        if settings:
            try:
                with open(path, "rb") as handle:
                    data = handle.read(config.max_file_size + 1)
                key = file_key(settings, display, data, findings.get(display))
            except OSError:
                key = None  # read (and reported) by load_file
        items.append(_Item(path, display, key, None, None))
    records = cache.records([i.key for i in items if i.key])
    for item in items:
        if item.key in records:
            item.record, item.cached = records[item.key], True
    return items


def _reuse_page(item: _Item, ctx: PageContext, cache: "PageCache", state: "SiteState", writer: "_Writer") -> bool:
    """Whether the journey's page from the last build still holds: its record carries the questions the
    page asked of the workspace, and every answer (and its own index row) is the same now."""
    from .page_cache import answers_digest

    record, entry = item.record, item.entry
    if not item.cached or record is None or entry is None or "questions" not in record or item.key is None:
        return False
    try:
        same = answers_digest(ctx, entry, record["questions"]) == record.get("answers")
    except (TypeError, ValueError, AttributeError, KeyError):  # a record of another shape: a miss
        return False
    if not same:
        return False
    digest = record["page"]
    if state.holds(writer.out, entry.page, digest):
        writer.keep(entry.page, digest)
    else:
        data = cache.page(digest)
        if data is None:
            return False
        writer.write_bytes(entry.page, data)
    cache.used(item.key)
    return True


_CHUNK = 48  # journeys loaded ahead, whose diagrams Graphviz draws in a few batched runs


def _primed(items: list[_Item], renderer: ViewRenderer, views: Sequence[str], findings: dict[str, list[Finding]],
            catalogs: list[Any], workers: int, config: Config) -> Iterator[_Item]:
    """The items in order, each with its file read; a chunk at a time, with its SVGs drawn ahead in
    batches (render.batch), so a view costs a share of a Graphviz run instead of a run of its own.
    Graphviz draws one chunk in the background while this thread writes the next chunk's DOT and the
    caller makes the previous chunk's pages, so the CPUs are not idle while Python works, nor Python
    while Graphviz draws."""
    drawing = renderer.svg_enabled and bool(views)
    digest = catalogs_digest(catalogs) if drawing else ""
    with ThreadPoolExecutor(1) as drawer:
        waiting: tuple[list[_Item], Future[None]] | None = None
        for start in range(0, len(items), _CHUNK):
            chunk = items[start:start + _CHUNK]
            for item in chunk:
                if item.loaded is None:  # its record was cached but its page must be made again
                    item.loaded = load_file(item.path, config)
            requests = []
            if drawing:
                requests = _requests([(i.entry, i.loaded) for i in chunk if not _all_cached(
                    i.loaded, views, findings.get(i.display, i.loaded.findings), digest)], views, findings, catalogs)
            job = drawer.submit(_prime, requests, renderer, workers)
            if waiting is not None:
                waiting[1].result()
                yield from waiting[0]
            waiting = (chunk, job)
        if waiting is not None:
            waiting[1].result()
            yield from waiting[0]


def _all_cached(loaded: LoadedFile, views: Sequence[str], own: list[Finding], digest: str) -> bool:
    if loaded.journey is None or loaded.doc is None:
        return True
    return all(cached_view(view_key(loaded.display, loaded.doc.text, v, own, digest), v) is not None for v in views)


def _view(pool: ThreadPoolExecutor, renderer: ViewRenderer, loaded: LoadedFile, view: str, findings: list[Finding],
          catalogs: list[Any], digest: str) -> "Future[ViewOutput]":
    """A finished view from the view cache (site.view_cache), else rendered, and kept for the next build."""
    key = view_key(loaded.display, loaded.doc.text, view, findings, digest) if renderer.svg_enabled and loaded.doc else None
    hit = cached_view(key, view)
    if hit is not None:
        done: Future[ViewOutput] = Future()
        done.set_result(hit)
        return done
    future = _submit(pool, renderer, loaded.journey, view, findings, catalogs)
    if key is not None:
        future.add_done_callback(lambda f: f.exception() is None and store_view(key, f.result()))
    return future


def _requests(chunk: list[tuple[Any, Any]], views: Sequence[str], findings: dict[str, list[Finding]],
              catalogs: list[Any]) -> list[Any]:
    """What Graphviz will be asked for the views of these journeys (their DOT, written once)."""
    try:
        from ..render.batch import view_requests
    except ImportError:  # a renderer without batching: every view is drawn on its own
        return []
    requests = []
    for entry, loaded in chunk:
        if loaded.journey is not None:
            try:
                requests += view_requests(loaded.journey, views, findings.get(entry.file, loaded.findings), catalogs)
            except Exception:  # the view's own render reports the failure on the page
                continue
    return requests


def _prime(requests: list[Any], renderer: ViewRenderer, workers: int) -> None:
    if not requests:
        return
    from ..render.batch import prime

    prime(requests, timeout=renderer.timeout, workers=min(2, workers))


@dataclass
class _Pending:
    entry: IndexEntry
    loaded: LoadedFile
    findings: list[Finding]
    lines: list[str]
    views: "list[Future[ViewOutput]]"
    item: _Item | None = None


def _submit(pool: ThreadPoolExecutor, renderer: ViewRenderer, journey: Any, view: str, findings: list[Finding],
            catalogs: list[Any]) -> "Future[ViewOutput]":
    if pool._max_workers == 1:  # no SVG: Mermaid text is cheap, do it here and keep tracebacks simple
        done: Future[ViewOutput] = Future()
        done.set_result(renderer(journey, view, findings, catalogs))
        return done
    return pool.submit(renderer, journey, view, findings, catalogs)


def _write_page(item: _Pending, writer: "_Writer", ctx: PageContext, cache: "PageCache | None" = None,
                renderer: ViewRenderer | None = None) -> None:
    """Make the page through a Recorder of the context, write it, and cache it with the questions it asked."""
    from .page_cache import Recorder, answers_digest

    entry, loaded = item.entry, item.loaded
    recorder = Recorder(ctx)
    views = [f.result() for f in item.views]
    if loaded.journey is None:
        text = render_invalid_page(entry, item.findings, item.lines)
    else:
        coverage = journey_report(loaded.journey, entry.file)
        text = render_journey_page(loaded.journey, entry, item.findings, item.lines, views,
                                   recorder, coverage)  # type: ignore[arg-type]
    data = text.encode("utf-8")
    digest = writer.write_bytes(entry.page, data)
    # A view that failed (a timeout, a crash) is not kept: the next build tries it again.
    expected = renderer.reason if renderer is not None else None
    held = item.item
    if cache is not None and held is not None and held.key and held.record is not None \
            and all(v.note is None or v.note == expected for v in views):
        questions = [list(q) for q in recorder.questions]
        record = dict(held.record, questions=questions, answers=answers_digest(ctx, entry, questions))
        cache.put(held.key, record, data, digest)


def _today() -> date:
    # The same clock the rules use (JOURNEYCTL_TODAY pins it in tests), so "stale" agrees with validate.
    from ..clock import today

    return today()


def _record(loaded: LoadedFile, findings: dict[str, list[Finding]], config: Config, today: date,
            catalogs: Sequence[Any] = ()) -> dict[str, Any]:
    """What the index and the statistics take from one file, as JSON data (cached by site.page_cache).
    It goes through JSON even when just made, so a cached record and a fresh one build the same site."""
    import json

    journey = loaded.journey
    own = findings.get(loaded.display, loaded.findings)
    counts = {"error": 0, "warning": 0, "info": 0}
    for f in own:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    if journey is None:
        stem = loaded.path.name.split(".", 1)[0]
        reasons = [f for f in loaded.findings if f.severity == "error"] or loaded.findings
        skip = f"{reasons[0].rule}: {reasons[0].message}" if reasons else "not a valid journey"
        record: dict[str, Any] = {"slug": f"invalid-{stem}", "skip": skip,
                                  "entry": {"file": loaded.display, "valid": False, "findings": counts}}
    else:
        from .search import owner_name, search_text
        from .workspace_model import registration

        entry = {
            "file": loaded.display, "valid": True, "id": journey.id, "title": journey.title,
            "description": journey.description or "", "owner": journey.owner or "", "status": journey.status,
            "state": journey.state, "reviewed": journey.reviewed or "",
            "review": review_state(journey.reviewed, journey.review_every or config.review_every, today,
                                   journey.status),
            "stages": len(journey.stages), "touchpoints": sum(1 for _ in journey.touchpoints()),
            "tags": list(journey.tags), "findings": counts,
            "owner_name": owner_name(journey, catalogs), "text": search_text(journey, catalogs)}
        record = {"slug": journey.id, "entry": entry, "register": registration(journey),
                  "stats": StatsBuilder.contribution(journey, loaded.display, loaded.doc)}
    return json.loads(json.dumps(record, ensure_ascii=False))


def _apply(record: dict[str, Any], index: WorkspaceIndex, builder: StatsBuilder) -> IndexEntry:
    """The file's index row, its registration in the index and its statistics, from its record."""
    fields = dict(record["entry"])
    fields["tags"] = tuple(fields.get("tags", ()))
    entry = IndexEntry(slug=index.new_slug(record["slug"]), **fields)
    if "register" in record:
        index.register_data(entry, record["register"])
        builder.merge(record["stats"])
    else:
        builder.skip(entry.file, record["skip"])
    return entry


def _entry(loaded: LoadedFile, index: WorkspaceIndex, builder: StatsBuilder, findings: dict[str, list[Finding]],
           config: Config, today: date, catalogs: Sequence[Any] = ()) -> IndexEntry:
    """One file's index row, registered in the index and counted (without the cache)."""
    return _apply(_record(loaded, findings, config, today, catalogs), index, builder)


def _read_catalogs(files: Sequence[Path], config: Config, index: WorkspaceIndex) -> list[Any]:
    """Shared catalog definitions, for the catalog page, journey pages and the diagrams' labels."""
    from pydantic import ValidationError

    from ..check.pipeline import display_path, read_document

    try:
        from ..format.model import Catalog
    except ImportError:  # a checkout without shared catalogs
        return []
    catalogs = []
    for path in files:
        display = display_path(path)
        index.catalog_files.append(display)
        doc, _ = read_document(path, config)
        if doc is None or not isinstance(doc.data, dict) or doc.problems:
            continue
        try:
            catalog = Catalog.model_validate(doc.data)
        except ValidationError:
            continue  # its findings come from the check pass
        catalogs.append(catalog)
        for kind in CATALOG_KINDS:
            for item in getattr(catalog, kind):
                index.define(kind, item, display, False)
    return catalogs


def _check(paths: list[Path], config: Config, progress: "_Progress", total: int) -> dict[str, list[Finding]]:
    """Findings by file, from the same workspace check `journeyctl validate` runs, through its mapper: an
    unchanged file's outcome comes from the validate cache, the rest are checked on every core."""
    from ..check.pipeline import check_paths
    from ..check.run import Mapper

    tick = progress("Checking", total)
    mapper = Mapper(config, lambda done, of: tick())
    try:
        result = check_paths(paths, config, mapper=mapper)
    finally:
        mapper.close()
    return {r.path: list(r.findings) for r in result.files}


def _source_lines(loaded: LoadedFile, config: Config) -> list[str]:
    if loaded.doc is not None:
        return loaded.doc.text.splitlines()
    try:
        with open(loaded.path, "rb") as handle:
            data = handle.read(config.max_file_size)
    except OSError:
        return []
    return data.decode("utf-8", errors="replace").splitlines()


def _group(items: Iterable[Any], key: Callable[[Any], str]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for item in items:
        out.setdefault(key(item), []).append(item)
    return out


# --------------------------------------------------------------------------------------------------
# Output directory


def _prepare(out: Path, force: bool) -> set[str]:
    """Check the output directory is ours to write; the files of the previous build (to prune later)."""
    if out.exists() and not out.is_dir():
        raise SiteError(f"{out}: exists and is not a directory")
    manifest = out / MANIFEST
    old: set[str] = set()
    if out.is_dir():
        if manifest.is_file():
            try:
                text = manifest.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise SiteError(f"{manifest}: cannot read: {exc}") from None
            old = {line for line in text.splitlines() if line and not line.startswith("#")}
            if text.startswith(MANIFEST_PENDING):
                old |= _files_under(out)
        elif any(out.iterdir()) and not force:
            raise SiteError(f"{out}: the directory is not empty and was not made by 'journeyctl docs'; "
                            "choose another directory or pass --force to write into it")
    try:
        if not manifest.is_file():
            out.mkdir(parents=True, exist_ok=True)
            _Writer(out).write(MANIFEST, MANIFEST_PENDING)
        (out / "journeys").mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SiteError(f"{out}: cannot create the directory: {exc.strerror or exc}") from None
    return old


def _files_under(out: Path) -> set[str]:
    """Every file below `out` (relative, with /), the manifest and half-written temporaries excepted."""
    found = set()
    for path in out.rglob("*"):
        if path.is_file() and path.name != MANIFEST and not path.is_symlink():
            rel = path.relative_to(out).as_posix()
            if path.name.startswith(".") and path.name.endswith(".tmp"):
                try:  # a temporary a killed writer left behind
                    path.unlink()
                except OSError:
                    pass
                continue
            found.add(rel)
    return found


class _Writer:
    """Writes site files; leaves a file untouched when its content is unchanged (stable mtimes)."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.written: set[str] = set()
        self.digests: dict[str, str] = {}  # journey pages: their content digest (site.page_cache.SiteState)

    def keep(self, rel: str, digest: str) -> None:
        """The file is already there, as this build would write it."""
        self.written.add(rel)
        self.digests[rel] = digest

    def write_bytes(self, rel: str, data: bytes) -> str:
        """Write a journey page; its digest."""
        import hashlib

        self.write(rel, data)
        digest = self.digests[rel] = hashlib.sha256(data).hexdigest()
        return digest

    def write(self, rel: str, text: str | bytes) -> None:
        data = text.encode("utf-8") if isinstance(text, str) else text
        target = self.out / rel
        self.written.add(rel)
        try:
            if target.is_file() and target.stat().st_size == len(data) and target.read_bytes() == data:
                return
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                os.chmod(tmp, 0o644)
                os.replace(tmp, target)
            except BaseException:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
                raise
        except OSError as exc:
            raise SiteError(f"{target}: cannot write: {exc.strerror or exc}") from None


def _finish(out: Path, written: set[str], old: set[str]) -> list[str]:
    """Prune pages of journeys that no longer exist, then record this build's files."""
    removed = []
    root = out.resolve()
    for rel in sorted(old - written):
        target = (out / rel).resolve()
        # Only files inside the site that an earlier build wrote: a tampered manifest cannot delete elsewhere.
        if root not in target.parents or not target.is_file() or not rel.endswith(".html"):
            continue
        try:
            target.unlink()
            removed.append(rel)
        except OSError:
            pass
    _Writer(out).write(MANIFEST, MANIFEST_HEADER + "".join(f"{rel}\n" for rel in sorted(written)))
    return removed


# --------------------------------------------------------------------------------------------------
# Progress


_Progress = Callable[[str, int], Callable[[], None]]


@contextmanager
def _progress(enabled: bool | None) -> Iterator[_Progress]:
    """A rich progress bar on stderr when it is a terminal (never when piped); no-op callables otherwise."""
    from rich.console import Console

    console = Console(stderr=True)
    if enabled is False or (enabled is None and not console.is_terminal):
        yield lambda description, total: (lambda: None)
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as bar:
        def start(description: str, total: int) -> Callable[[], None]:
            task = bar.add_task(description, total=total)
            return lambda: bar.advance(task)
        yield start
