"""Finished views of a journey page cached by what they are drawn from (issue 18, docs rebuilds).

The render cache (render.layout) is keyed by DOT, so finding a hit still costs writing the DOT of every
view of every journey (~3 ms each, 9 s for 1,000 journeys x 3 views). This cache is keyed by the inputs
instead: journeyctl's code, the Graphviz binary and version, the view, the file's name and text, its
findings and the workspace's catalogs; a hit is the vetted, inline-ready SVG the page embeds. Only SVG
views are kept (a Mermaid fallback says why there is no SVG and is made again every time).
"""

from __future__ import annotations

import functools
import hashlib
from typing import Any, Sequence

from .views import ViewOutput

_FORMAT = "view"  # file extension in the render cache directory


def catalogs_digest(catalogs: Sequence[Any]) -> str:
    return hashlib.sha256("\n".join(c.model_dump_json() for c in catalogs).encode("utf-8")).hexdigest()


def view_key(display: str, text: str, view: str, findings: Sequence[Any], catalogs: str) -> str | None:
    """The key of one view, or None when nothing can be cached (no cache directory, no Graphviz)."""
    from ..check.cache import code_fingerprint
    from ..render import layout

    binary = layout.dot_binary()
    if layout._CACHE is None or binary is None:
        return None
    h = hashlib.sha256()
    for part in (code_fingerprint(), binary, layout._binary_version(binary), view, display, _digest(text),
                 repr(list(findings)), catalogs):
        h.update(part.encode("utf-8", "surrogatepass") + b"\0")
    return "v" + h.hexdigest()


@functools.lru_cache(maxsize=64)
def _digest(text: str) -> str:
    # A file's text is keyed for each of its views, twice (is it cached? then the view itself): hash it once.
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def cached_view(key: str | None, view: str) -> ViewOutput | None:
    from ..render import layout

    data = layout._cached(key, _FORMAT) if key else None
    return ViewOutput(view, data.decode("utf-8"), None, None) if data is not None else None


def store_view(key: str | None, output: ViewOutput) -> None:
    from ..render import layout

    if key and output.svg is not None and output.note is None:
        layout._store(key, _FORMAT, output.svg.encode("utf-8"))
