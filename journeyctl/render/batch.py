"""Drawing many diagrams with few Graphviz processes (the docs build): one process per batch, not per graph.

Starting Graphviz costs ~28 ms, more than drawing one of our diagrams, so the docs build hands over the
DOT of a window of journeys at once (`prime`). dot and neato read several graphs from one input and
write one SVG after another; the output is split at each XML declaration and stored under the key of
its own source, where `layout.run_dot` then finds it, so `render` returns the same bytes as before.

Byte-identity with a run per graph (checked by the site's golden and determinism tests):
- Graphviz 2.42 names the group of every graph after the first `page0,N_graph0` instead of `graph0`;
  that one attribute is put back.
- neato lays out the clusters of a graph after another clustered graph in a different order, so a
  neato batch holds at most one graph with clusters, and first; dot batches have no such limit.
Anything unexpected (a failed run, a timeout, a count that does not match) primes nothing: the graphs
are then drawn one by one as before, with the usual error messages.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from typing import Iterable, Sequence

from . import layout

BATCH = 24  # graphs per process: enough to amortise the start, small enough to keep both cores busy
_PAGE_ID = re.compile(rb'<g id="page\d+,\d+_graph0"')
_DECLARATION = b"<?xml"


def prime(requests: Iterable[tuple[str, str, tuple[str, ...]]], *, timeout: float, workers: int = 2) -> None:
    """Draw the SVG of every (DOT source, engine, extra args) not cached yet, in batches, `workers` at once."""
    binary = layout.dot_binary()
    if binary is None:
        return
    groups: dict[tuple[str, tuple[str, ...]], list[tuple[str, str]]] = {}
    seen: set[str] = set()
    for source, engine, extra in requests:
        command = [binary, f"-K{engine}", "-Tsvg", *extra]
        key = layout._cache_key(binary, command, source)
        if key in seen or layout.is_primed(key) or layout._cached(key, "svg") is not None:
            continue
        seen.add(key)
        groups.setdefault((engine, tuple(extra)), []).append((key, source))
    batches = [(binary, engine, extra, batch) for (engine, extra), items in sorted(groups.items())
               for batch in _batches(items, engine)]
    if not batches:
        return
    with ThreadPoolExecutor(max(1, workers)) as pool:
        for _ in pool.map(lambda b: _draw(*b, timeout=timeout), batches):
            pass


def _batches(items: list[tuple[str, str]], engine: str) -> list[list[tuple[str, str]]]:
    if engine != "neato":
        return [items[i:i + BATCH] for i in range(0, len(items), BATCH)]
    clustered = [item for item in items if "subgraph cluster" in item[1]]
    plain = [item for item in items if "subgraph cluster" not in item[1]]
    batches: list[list[tuple[str, str]]] = [[item] for item in clustered]
    for batch in batches:  # a clustered graph first, then plain ones (safe after it)
        take = BATCH - 1
        batch.extend(plain[:take])
        plain = plain[take:]
    batches += [plain[i:i + BATCH] for i in range(0, len(plain), BATCH)]
    return [b for b in batches if b]


def _draw(binary: str, engine: str, extra: Sequence[str], batch: list[tuple[str, str]], *, timeout: float) -> None:
    command = [binary, f"-K{engine}", "-Tsvg", *extra]
    source = "".join(s if s.endswith("\n") else s + "\n" for _, s in batch)
    try:
        data = layout._run(binary, command, source, "svg", timeout=timeout * len(batch), what="diagrams")
    except layout.RenderError:
        return  # drawn one by one later, where the failing graph gets its own message
    parts = split_svgs(data)
    if len(parts) != len(batch):
        return
    for (key, _), part in zip(batch, parts):
        layout.remember(key, part)


def split_svgs(data: bytes) -> list[bytes]:
    """The SVG documents Graphviz wrote one after another, each as a run of its own would have written it."""
    chunks = data.split(_DECLARATION)
    if chunks[0].strip():
        return []
    return [_PAGE_ID.sub(b'<g id="graph0"', _DECLARATION + chunk, count=1) for chunk in chunks[1:]]


def view_requests(journey: object, views: Sequence[str], findings: Sequence[object] = (),
                  catalogs: Sequence[object] = ()) -> list[tuple[str, str, tuple[str, ...]]]:
    """What `render(journey, view, "svg", findings=..., catalogs=...)` will ask Graphviz, for `prime`."""
    from . import _GRAPHVIZ_VIEWS, graphviz_engine, to_dot

    out = []
    for view in views:
        if view in _GRAPHVIZ_VIEWS:
            source = to_dot(journey, view, findings=list(findings), catalogs=catalogs)  # type: ignore[arg-type]
            _SOURCES[(id(journey), view)] = (journey, list(findings), list(catalogs), source)
            out.append((source, *graphviz_engine(view)))
    return out


# DOT written by view_requests, taken (once) by `render` for the same journey, view, findings and
# catalogs, so a view's DOT is written once per build, not once to prime and once to render.
_SOURCES: dict[tuple[int, str], tuple[object, list[object], Sequence[object], str]] = {}


def prepared(journey: object, view: str, findings: list[object], catalogs: Sequence[object]) -> str | None:
    """The DOT view_requests wrote for exactly these arguments (the same journey object), or None."""
    held = _SOURCES.pop((id(journey), view), None)
    if held is None or held[0] is not journey or held[1] != findings or held[2] != list(catalogs):
        return None
    return held[3]


def forget() -> None:
    """Drop drawings made ahead and never asked for (end of a build)."""
    layout._PRIMED.clear()
    _SOURCES.clear()
