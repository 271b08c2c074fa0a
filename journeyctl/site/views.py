"""The map, blueprint and emotion views of a journey page: inline SVG when possible, Mermaid otherwise.

SVG comes from `journeyctl.render` (Graphviz `dot`). It is inlined as-is only after it parses as XML
and carries nothing active or fetching: no script, no foreignObject, no event handler attribute, no
link or `url()` leaving the document. Anything else falls back to the placeholder note plus the Mermaid
source, so a bug in a renderer cannot put script into the site.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from ..format.model import Journey

VIEWS: tuple[str, ...] = ("map", "blueprint", "emotion")
VIEW_TITLES = {"map": "Journey map", "blueprint": "Service blueprint", "emotion": "Emotion curve"}


@dataclass(frozen=True)
class ViewOutput:
    view: str
    svg: str | None           # trusted, inline-ready SVG markup
    mermaid: str | None       # Mermaid source (raw text: escape before output)
    note: str | None          # why there is no SVG (raw text)


# Mermaid form shown for each view when there is no SVG: render's map flowchart, and for the emotion
# view Mermaid's journey diagram (tasks scored by feeling); the blueprint has none in render.
_MERMAID_OF = {"map": "map", "emotion": "journey"}


class ViewRenderer:
    """Renders views for many journeys; decides once whether `journeyctl.render` and `dot` are usable."""

    def __init__(self, svg: bool = True, timeout: float = 60.0) -> None:
        self.render = _render_function()
        self.dot = _dot_available()
        self.want_svg = svg
        self.timeout = timeout
        self._accepts = _keywords(self.render)
        if not svg:
            self.reason = "SVG rendering was switched off (--no-svg)"
        elif self.render is None:
            self.reason = "journeyctl.render is not available in this installation"
        elif not self.dot:
            self.reason = "Graphviz 'dot' was not found on PATH (install graphviz to get diagrams)"
        else:
            self.reason = ""

    @property
    def svg_enabled(self) -> bool:
        return self.want_svg and self.render is not None and self.dot

    def _call(self, journey: Journey, view: str, fmt: str, findings: Sequence[Any],
              catalogs: Sequence[Any]) -> str:
        options = {"findings": list(findings), "catalogs": list(catalogs), "timeout": self.timeout}
        kwargs = {k: v for k, v in options.items() if k in self._accepts}
        return _text(self.render(journey, view, fmt, **kwargs))  # type: ignore[misc]

    def __call__(self, journey: Journey, view: str, findings: Sequence[Any] = (),
                 catalogs: Sequence[Any] = ()) -> ViewOutput:
        note = self.reason
        if self.svg_enabled:
            try:
                raw = self._call(journey, view, "svg", findings, catalogs)
            except Exception as exc:  # a renderer failure must not stop the site: say so on the page
                note = f"the {view} view could not be rendered: {type(exc).__name__}: {exc}"
            else:
                svg = safe_svg(raw)
                if svg is not None:
                    return ViewOutput(view, svg, None, None)
                note = "the rendered SVG was not inlined: it did not parse as plain SVG"
        return ViewOutput(view, None, self.mermaid(journey, view, findings, catalogs), note)

    def mermaid(self, journey: Journey, view: str, findings: Sequence[Any] = (), catalogs: Sequence[Any] = ()) -> str:
        if self.render is not None and view in _MERMAID_OF:
            try:
                return self._call(journey, _MERMAID_OF[view], "mermaid", findings, catalogs)
            except Exception:  # fall back to the built-in sketch below
                pass
        return fallback_mermaid(journey, view)


def _render_function() -> Callable[..., Any] | None:
    try:
        from .. import render as module  # type: ignore[attr-defined]
    except ImportError:
        return None
    return getattr(module, "render", None)


def _dot_available() -> bool:
    try:
        from ..render.layout import dot_binary  # honours JOURNEYCTL_DOT
    except ImportError:
        return shutil.which("dot") is not None
    return dot_binary() is not None


def _keywords(function: Callable[..., Any] | None) -> set[str]:
    """Keyword options the renderer accepts (findings, catalogs, timeout), so older renderers still work."""
    if function is None:
        return set()
    import inspect

    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):
        return set()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return {"findings", "catalogs", "timeout"}
    return {name for name in parameters if name in ("findings", "catalogs", "timeout")}


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, str):
        return value
    raise TypeError(f"render returned {type(value).__name__}, not text")


# --------------------------------------------------------------------------------------------------
# SVG vetting

# Graphviz starts with an XML declaration, a doctype and a comment, in that order; none belongs inline.
_PROLOG = re.compile(r"^(?:\s+|<\?xml[^>]*\?>|<!--.*?-->|<!DOCTYPE[^>\[]*>)*", re.S)
_FORBIDDEN_TAGS = {"script", "foreignobject", "iframe", "object", "embed", "audio", "video", "handler",
                   "listener", "set", "animate"}
_URL_FUNC = re.compile(r"url\(\s*['\"]?\s*([^)'\"\s]*)", re.I)


def safe_svg(text: str) -> str | None:
    """The SVG ready to inline (XML prolog and doctype removed), or None if it is not safe to inline."""
    import xml.etree.ElementTree as ET

    if "<!ENTITY" in text or "<!entity" in text.lower():
        return None  # entity expansion: refuse rather than trust the parser's limits
    body = _PROLOG.sub("", text, count=1).strip()
    if "<!DOCTYPE" in body.upper():
        return None
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return None
    if _local(root.tag) != "svg":
        return None
    for element in root.iter():
        tag = _local(element.tag).lower() if isinstance(element.tag, str) else ""
        if tag in _FORBIDDEN_TAGS:
            return None
        for name, value in element.attrib.items():
            attr = _local(name).lower()
            if attr.startswith("on"):
                return None
            if attr in ("href", "src") and not _local_or_web(value, allow_web=(tag == "a")):
                return None
            if "url(" in value.lower() and not _urls_local(value):
                return None
        if tag == "style" and element.text and ("@import" in element.text or not _urls_local(element.text)):
            return None
    return body


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _local_or_web(value: str, allow_web: bool) -> bool:
    v = value.strip().lower()
    if v.startswith("#"):
        return True
    return allow_web and (v.startswith("https://") or v.startswith("http://"))


def _urls_local(text: str) -> bool:
    return all(m.group(1).startswith("#") for m in _URL_FUNC.finditer(text))


# --------------------------------------------------------------------------------------------------
# Built-in Mermaid sketch, used only when journeyctl.render is not installed


def _label(text: str) -> str:
    # Mermaid's own escapes: a quote ends the label, '#' starts an entity.
    return '"' + text.replace("#", "#35;").replace('"', "#quot;").replace("\n", " ") + '"'


def fallback_mermaid(journey: Journey, view: str) -> str:
    """A plain flowchart (map, blueprint) or line chart (emotion) of the journey."""
    ids = {tp.id: f"t{i}" for i, (_, tp) in enumerate(journey.touchpoints())}
    if view == "emotion":
        points = [(tp.label, tp.emotion) for _, tp in journey.touchpoints() if tp.emotion is not None]
        if not points:
            return "%% no touchpoint has an emotion"
        xs = ", ".join(_label(label) for label, _ in points)
        ys = ", ".join(str(e) for _, e in points)
        return f"xychart-beta\n  title {_label(journey.title)}\n  x-axis [{xs}]\n  y-axis \"emotion\" -2 --> 2\n  line [{ys}]"
    lines = ["flowchart LR"]
    if view == "blueprint":
        for lane in ("frontstage", "backstage", "support"):
            members = [tp for _, tp in journey.touchpoints() if tp.lane == lane]
            if members:
                lines.append(f"  subgraph {lane}[{_label(lane)}]")
                lines += [f"    {ids[tp.id]}[{_label(tp.label)}]" for tp in members if ids.get(tp.id)]
                lines.append("  end")
    else:
        for s, stage in enumerate(journey.stages):
            lines.append(f"  subgraph s{s}[{_label(stage.label)}]")
            lines += [f"    {ids[tp.id]}[{_label(tp.label)}]" for tp in stage.touchpoints]
            lines.append("  end")
    for _, tp in journey.touchpoints():
        for tr in tp.next:
            if tr.journey is None and tr.target in ids:
                lines.append(f"  {ids[tp.id]} --> {ids[tr.target]}")
    return "\n".join(lines)
