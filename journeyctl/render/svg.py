"""The source stamp in every SVG: what `render --check` compares, so CI need not match Graphviz versions.

SVG bytes depend on the Graphviz version (layout and the version comment), so comparing bytes would
make `--check` fail on a CI runner with another Graphviz than the author's even though the diagram
says the same thing. Each SVG therefore carries a comment with a digest of the DOT source it was
drawn from; the DOT is ours and deterministic, so the digest changes exactly when the journey (or
journeyctl's drawing of it) does.
"""

from __future__ import annotations

import hashlib
import re

# Bump when a change to the drawing should invalidate committed SVGs even if the DOT did not change.
STAMP_VERSION = "1"
_STAMP = re.compile(r"<!-- journeyctl-source: sha256=([0-9a-f]{64}) -->")


def source_digest(source: str) -> str:
    return hashlib.sha256(f"journeyctl-render {STAMP_VERSION}\n{source}".encode("utf-8")).hexdigest()


def stamp(svg: str, source: str) -> str:
    """The SVG with the stamp as a comment right after the XML declaration."""
    comment = f"<!-- journeyctl-source: sha256={source_digest(source)} -->\n"
    declaration = svg.find("?>")
    if svg.startswith("<?xml") and declaration != -1:
        cut = declaration + 2
        if svg[cut:cut + 1] == "\n":
            cut += 1
        return svg[:cut] + comment + svg[cut:]
    return comment + svg


def read_stamp(data: bytes) -> str | None:
    """The digest recorded in an SVG file's first lines, or None."""
    match = _STAMP.search(data[:2048].decode("utf-8", "replace"))
    return match.group(1) if match else None
