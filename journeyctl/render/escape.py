"""User text made safe for each target: DOT HTML-like labels, Mermaid, Markdown.

Every label in a journey is untrusted text that ends up inside another language. The rules here are
the whole defence, so each target has exactly one function and every writer calls it:

- `clean` first, for all targets: control characters (which make SVG invalid XML and repaint
  terminals), ANSI sequences, XML non-characters and lone surrogates are removed; line separators
  become newlines; the length is capped, because dot rejects any string over 16,384 characters.
- `html` for Graphviz: labels are written as HTML-like labels with *full* XML escaping. A quoted DOT
  string is not safe even when escaped: dot interprets `\\N`, `\\G`, `\\l`, and it turns `&amp;` back
  into `&` and passes an unknown `&foo;` through to the SVG, which then no longer parses. Inside an
  HTML-like label every markup character of user text is an entity, so no `<IMG>`, `<TABLE>` or `<B>`
  can be smuggled in; backslashes are doubled, because dot expands `\\N` and `\\G` even there.
- `mermaid_label` for flowchart labels (inside `"..."`): Mermaid's own `#name;` entity codes, which
  its lexer passes through and its renderer decodes, so `"`, `#`, `;`, `%`, `<`, `>`, `&` and newlines
  cannot end a string, start a comment, inject a `%%{init}%%` directive or become HTML.
- `journey_text` for Mermaid's `journey` diagram, whose lexer has no quoting at all: a task name
  stops at `:`, `#`, `;` or a newline, an actor at `,`, and `%` can start a comment. Mermaid's
  entity codes work there too: its `encodeEntities` pass hides every `#name;` before the lexer runs
  and the rendered SVG turns it into the character, so `chat#44; phone` reads "chat, phone" (checked
  in real Chromium and by Mermaid's parser in the suite). No look-alike characters.
- `markdown` for Markdown (GitHub flavoured): punctuation that could start markup is backslash-escaped
  and `<`, `>`, `&` become entities, so `<img>` or `[x](javascript:...)` stays text.
"""

from __future__ import annotations

import functools
import re
import textwrap
from urllib.parse import quote

ELLIPSIS = "…"

# CSI / OSC sequences first (so "\x1b[31m" leaves nothing behind), then any other control character.
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff]")
_NEWLINES = re.compile(r"\r\n|[\r\x85\u2028\u2029\x0b\x0c]")


def clean(text: object, limit: int = 300) -> str:
    """Printable text of at most `limit` characters (an ellipsis marks a cut); newlines kept."""
    if text is None:
        return ""
    value = str(text)
    value = _NEWLINES.sub("\n", value).replace("\t", " ")
    value = _ANSI.sub("", value)
    value = _CONTROL.sub("", value)
    if len(value) > limit:
        value = value[: limit - 1].rstrip() + ELLIPSIS
    return value


def one_line(text: object, limit: int = 300) -> str:
    """`clean`, with newlines turned into spaces: for places that hold a single line."""
    return " ".join(clean(text, limit).split("\n")).strip()


def wrap(text: object, width: int = 26, max_lines: int = 3, limit: int = 300) -> list[str]:
    """Lines of at most `width` characters, at most `max_lines` of them (the last ends in … if cut)."""
    if isinstance(text, str):  # the same label is wrapped for several views: textwrap is slow
        return list(_wrapped(text, width, max_lines, limit))
    return _wrap(text, width, max_lines, limit)


@functools.lru_cache(maxsize=8192)
def _wrapped(text: str, width: int, max_lines: int, limit: int) -> tuple[str, ...]:
    return tuple(_wrap(text, width, max_lines, limit))


def _wrap(text: object, width: int, max_lines: int, limit: int) -> list[str]:
    lines: list[str] = []
    for paragraph in clean(text, limit).split("\n"):
        lines.extend(textwrap.wrap(paragraph, width, break_long_words=True, break_on_hyphens=False) or [""])
    while lines and not lines[-1]:
        lines.pop()
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        lines[-1] = (last[: width - 1] if len(last) >= width else last).rstrip() + ELLIPSIS
    return lines


# --- Graphviz HTML-like labels ------------------------------------------------------------------

# Backslashes are doubled: dot expands \N, \G, \E, \T, \H in HTML-like labels too, after decoding
# entities (so `&#92;G` still becomes the graph's name), and it turns `\\` into one backslash.
# Brackets are entities too: dot 2.43's lexer fails on a `]` in an HTML-like label of a cluster's
# `graph [label=<...>]` ("syntax error ... in label of graph cluster_s0"), found by fuzzing.
_HTML = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "\\": "\\\\",
                       "[": "&#91;", "]": "&#93;"})


def html(text: str) -> str:
    """Text for an HTML-like DOT label (already `clean`ed): every markup character escaped."""
    return text.translate(_HTML)


def html_lines(lines: list[str]) -> str:
    return "<BR/>".join(html(line) for line in lines)


# --- Mermaid ---------------------------------------------------------------------------------------

# Mermaid entity codes: `#name;` / `#NN;`. The renderer turns them into HTML entities, so `<` shows as
# "<" and is never parsed as a tag.
# `:` is encoded too: Mermaid's entity pre-pass rewrites anything like `style...:...#...;`.
_MERMAID = {"#": "#35;", '"': "#quot;", "&": "#amp;", "<": "#lt;", ">": "#gt;", ";": "#59;",
            "%": "#37;", ":": "#58;", "`": "#96;", "|": "#124;"}
_MERMAID_TABLE = str.maketrans(_MERMAID)


def mermaid_label(lines: list[str]) -> str:
    """Lines for a quoted flowchart label (`n0["..."]`, `-->|"..."|`), joined by `<br/>`."""
    return "<br/>".join(line.translate(_MERMAID_TABLE) for line in lines)


# The journey lexer (mermaid 11, user-journey/parser/journey.jison, first matching rule wins, case
# insensitive): a task is `[^#:\n;]+` then `:` score `:` actors split at `,`; `#` starts a comment; so
# does a `%` at the start of a token, and `x%%` anywhere a token starts; a token that begins with a
# keyword (journey, title, section, accTitle, accDescr) is that keyword. Each of those characters is
# written as an entity code, and a keyword's first letter too, so the text reads exactly as typed.
_JOURNEY = {":": "#58;", "#": "#35;", ";": "#59;", "%": "#37;", "`": "#96;", "<": "#lt;", ">": "#gt;", "\n": " "}
_JOURNEY_TABLE = str.maketrans(_JOURNEY)
_JOURNEY_ACTOR_TABLE = str.maketrans({**_JOURNEY, ",": "#44;"})
_JOURNEY_KEYWORD = re.compile(r"^(journey|title|section|acc_?title|acc_?descr)\b", re.IGNORECASE)


def journey_text(text: str, *, actor: bool = False, title: bool = False) -> str:
    """A title, section, task or actor name for Mermaid's journey diagram; never empty."""
    plain = " ".join(text.split())
    value = plain.translate(_JOURNEY_ACTOR_TABLE if actor else _JOURNEY_TABLE)
    if not title and _JOURNEY_KEYWORD.match(plain):
        value = f"#{ord(plain[0])};{value[1:]}"
    return value or "–"


# --- Markdown ------------------------------------------------------------------------------------

_MD = {"\\": "\\\\", "`": "\\`", "*": "\\*", "_": "\\_", "[": "\\[", "]": "\\]", "|": "\\|",
       "~": "\\~", "<": "&lt;", ">": "&gt;", "&": "&amp;", "$": "\\$"}
_MD_TABLE = str.maketrans(_MD)
_MD_LINE_START = re.compile(r"^(\s*(?:\d+)?)([-+=#.)])")


def markdown(text: str, *, inline: bool = True) -> str:
    """Markdown for user text (already `clean`ed). Inline text turns newlines into `<br>`."""
    lines = []
    for line in text.split("\n"):
        line = line.translate(_MD_TABLE)
        # A line that starts with "-", "+", "#", "1." or "=" would become a list, a heading or an underline.
        line = _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), line)
        lines.append(line)
    return ("<br>" if inline else "\n").join(lines).strip()


_SAFE_URL = re.compile(r"^https?://[^\s<>\"'`\\\x00-\x1f\x7f]+$", re.IGNORECASE)


def safe_url(url: object) -> str | None:
    """The URL if it is plain http(s), percent-encoded where Markdown or XML would stumble; else None."""
    if not isinstance(url, str) or len(url) > 2000 or not _SAFE_URL.match(url):
        return None
    return quote(url, safe=":/?#@!$&'*+,;=%-._~[]").replace("(", "%28").replace(")", "%29")
