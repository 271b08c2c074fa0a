"""HTML building blocks: escaping, the page frame, tables.

Every piece of user text reaches a page through `esc` (html.escape with quotes), and every attribute
is double-quoted, so a title like `<script>` or `" onmouseover=` is shown as text. Functions here take
*raw* text where they say `text` and *built HTML* where they say `html`; mixing them up is the bug to
avoid, so the names say which is which.
"""

from __future__ import annotations

import html as _html
import re
from typing import Iterable, Sequence
from urllib.parse import quote

from ..render.escape import _ANSI, _CONTROL
from .assets import CSS, script_hash

# One quick test first: almost all text needs none of the cleaning below.
_NEEDS_CLEANING = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff"
                             "\ud800-\udfff\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")

SITE_NAME = "journeyctl"


# Characters that reorder the text around them (right-to-left override and friends): shown as a visible
# code, so "exe.txt" written backwards cannot pose as something else on a page (issue 22).
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def esc(text: object) -> str:
    """User text for HTML: control characters, ANSI sequences and non-characters removed as the renders
    remove them (render/escape.py), bidi controls shown as ⟨U+202E⟩, markup characters escaped."""
    value = str(text)
    if _NEEDS_CLEANING.search(value):
        value = _CONTROL.sub("", _ANSI.sub("", value))
        value = _BIDI.sub(lambda m: f"⟨U+{ord(m.group(0)):04X}⟩", value)
    return _html.escape(value, quote=True)


def url(path: str) -> str:
    """A relative URL for a site path (percent-encoded, then escaped for an attribute)."""
    return esc(quote(path, safe="/#.-_~"))


def a(href: str, text: str, cls: str | None = None) -> str:
    """A link to a site path (`href` is a site-relative path, `text` raw user text)."""
    attr = f' class="{esc(cls)}"' if cls else ""
    return f'<a href="{url(href)}"{attr}>{esc(text)}</a>'


def external(href: str, text: str) -> str:
    """A link leaving the site: the model only admits http(s) URLs; opened without referrer."""
    return f'<a href="{esc(href)}" rel="noopener noreferrer external">{esc(text)}</a>'


def badge(text: str, cls: str = "") -> str:
    return f'<span class="badge {esc(cls)}">{esc(text)}</span>'


def ul(items_html: Iterable[str], cls: str | None = None) -> str:
    items = list(items_html)
    if not items:
        return ""
    attr = f' class="{esc(cls)}"' if cls else ""
    return f"<ul{attr}>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>"


def text_list(texts: Iterable[str]) -> str:
    return ul(esc(t) for t in texts)


def table(header: Sequence[str], rows: Iterable[Sequence[str]], numeric: Iterable[int] = (),
          table_id: str | None = None, cls: str | None = None) -> str:
    """A table: `header` raw text, `rows` built HTML cells (a cell may be a full '<td ...>' element)."""
    numeric = set(numeric)
    num = ' class="num"'
    head = "".join(f'<th{num if i in numeric else ""} scope="col">{esc(h)}</th>' for i, h in enumerate(header))
    body = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            if cell.startswith("<td"):
                cells.append(cell)
            else:
                cells.append(f'<td class="num">{cell}</td>' if i in numeric else f"<td>{cell}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    ident = f' id="{esc(table_id)}"' if table_id else ""
    klass = f' class="{esc(cls)}"' if cls else ""
    return (f'<div class="table-wrap"{scroll_region("table: " + ", ".join(header[:3]))}><table{ident}{klass}>'
            f'<thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>')


def scroll_region(name: str) -> str:
    """Attributes for a box that may scroll: reachable by the keyboard and named (axe-core, WCAG 2.1.1)."""
    return f' tabindex="0" role="region" aria-label="{esc(name)} (scrollable)"'


NAV = (("index.html", "Journeys", "index"), ("matrices.html", "Matrices", "matrices"),
       ("catalog.html", "Catalog", "catalog"))


def page(title: str, body_html: str, *, root: str = "", current: str | None = None,
         script: str | None = None) -> str:
    """A complete page. `root` is the relative path back to the site root ('' or '../').

    The Content-Security-Policy forbids every fetch (no CDN, no network) and all scripts but the one
    inline script this page carries, allowed by its hash.
    """
    scripts = script_hash(script) if script else "'none'"
    csp = (f"default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src {scripts}; "
           "base-uri 'none'; form-action 'none'")
    here = ' aria-current="page"'
    nav = "".join(f'<a href="{url(root + href)}"{here if key == current else ""}>{esc(label)}</a>'
                  for href, label, key in NAV)
    tail = f"<script>{script}</script>" if script else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(csp)}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{esc(title)} \u2013 {SITE_NAME}</title>\n"
        f"<style>{CSS}</style>\n</head>\n<body>\n"
        f'<header class="top"><span class="brand">{SITE_NAME}</span><nav>{nav}</nav></header>\n'
        f"<main>\n{body_html}\n"
        '<footer>Generated by journeyctl docs from the journey files; edit the YAML, not this page.</footer>\n'
        f"</main>\n{tail}</body>\n</html>\n"
    )


def heat_cell(value: int, maximum: int) -> str:
    """A matrix cell shaded by its share of the largest value (classes h1..h5; no inline style)."""
    if not value:
        return '<td class="num zero">0</td>'
    level = max(1, min(5, -(-5 * value // max(maximum, 1))))
    return f'<td class="num h{level}">{value}</td>'
