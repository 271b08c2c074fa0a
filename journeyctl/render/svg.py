"""The source stamp in every SVG: what `render --check` compares, so CI need not match Graphviz versions.

SVG bytes depend on the Graphviz version (layout and the version comment), so comparing bytes would
make `--check` fail on a CI runner with another Graphviz than the author's even though the diagram
says the same thing. Each SVG therefore carries a comment with a digest of the DOT source it was
drawn from; the DOT is ours and deterministic, so the digest changes exactly when the journey (or
journeyctl's drawing of it) does. The stamp also records a digest of the rest of the file (`body=`), so a
file edited by hand, appended to or left with merge-conflict markers is stale too, whichever Graphviz drew
it. Line endings are normalised first: git's autocrlf must not make a committed SVG stale on Windows.
"""

from __future__ import annotations

import hashlib
import re

# Bump when a change to the drawing should invalidate committed SVGs even if the DOT did not change.
STAMP_VERSION = "1"
_STAMP = re.compile(rb"<!-- journeyctl-source: sha256=([0-9a-f]{64})(?: body=([0-9a-f]{64}))? -->(?:\r?\n)?")
_HEAD = 2048  # the stamp sits right after the XML declaration


def source_digest(source: str) -> str:
    return hashlib.sha256(f"journeyctl-render {STAMP_VERSION}\n{source}".encode("utf-8")).hexdigest()


def body_digest(data: bytes) -> str:
    """Digest of an SVG file without its stamp line, blind to CRLF versus LF."""
    return hashlib.sha256(data.replace(b"\r\n", b"\n")).hexdigest()


def stamp(svg: str, source: str) -> str:
    """The SVG with the stamp as a comment right after the XML declaration."""
    body = body_digest(svg.encode("utf-8"))
    comment = f"<!-- journeyctl-source: sha256={source_digest(source)} body={body} -->\n"
    declaration = svg.find("?>")
    if svg.startswith("<?xml") and declaration != -1:
        cut = declaration + 2
        if svg[cut:cut + 1] == "\n":
            cut += 1
        return svg[:cut] + comment + svg[cut:]
    return comment + svg


def read_stamp(data: bytes) -> str | None:
    """The source digest recorded in an SVG file's first lines, or None."""
    match = _STAMP.search(data[:_HEAD])
    return match.group(1).decode("ascii") if match else None


def body_intact(data: bytes) -> bool | None:
    """Whether the file is what journeyctl wrote around its stamp; None for stamps without a body digest."""
    match = _STAMP.search(data[:_HEAD])
    if match is None or match.group(2) is None:
        return None
    rest = data[:match.start()] + data[match.end():]
    return body_digest(rest) == match.group(2).decode("ascii")
