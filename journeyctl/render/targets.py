"""Where rendered diagrams go, and whether the ones on disk still match their journeys (`--check`).

Naming in a directory: `<journey id>.<ext>` for the map, `<journey id>.<view>.<ext>` for any other
view, so `docs/journeys/` can hold a journey's map, blueprint and emotion curve side by side and a
link to `<id>.svg` always shows the map.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from ..format.model import Catalog, Journey

EXTENSIONS = {"svg": "svg", "png": "png", "pdf": "pdf", "dot": "dot", "mermaid": "mmd", "md": "md"}
SUFFIX_FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": "dot", ".gv": "dot", ".mmd": "mermaid",
                  ".mermaid": "mermaid", ".md": "md", ".markdown": "md"}


def output_name(journey_id: str, view: str, fmt: str) -> str:
    middle = "" if view == "map" else f".{view}"
    return f"{journey_id}{middle}.{EXTENSIONS[fmt]}"


def format_from_suffix(path: Path) -> str | None:
    return SUFFIX_FORMATS.get(path.suffix.lower())


def as_bytes(data: bytes | str) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data


def stale_reason(path: Path, journey: Journey, view: str, fmt: str, *, timeout: float,
                 catalogs: Sequence[Catalog] = ()) -> str | None:
    """None when `path` holds what rendering `journey` would write now; else why not.

    An SVG written by journeyctl carries a digest of its DOT source and of its own content (svg.py), and
    those are what is compared: the check then needs no Graphviz and passes on any Graphviz version, yet
    notices a file changed after it was drawn. Everything else is compared byte for byte (png and pdf
    need the same Graphviz version as whoever rendered them).
    """
    from . import render, to_dot
    from .svg import body_intact, read_stamp, source_digest

    try:
        on_disk = path.read_bytes()
    except FileNotFoundError:
        return "missing"
    except IsADirectoryError:
        return "is a directory"
    except OSError as exc:
        return f"unreadable ({exc.strerror or exc})"
    if fmt == "svg":
        digest = read_stamp(on_disk)
        if digest is not None:
            current = source_digest(to_dot(journey, view, catalogs=catalogs))
            if digest != current:
                return "out of date"
            return "changed since it was rendered" if body_intact(on_disk) is False else None
    fresh = as_bytes(render(journey, view, fmt, timeout=timeout, catalogs=catalogs))
    return None if fresh == on_disk else "out of date"
