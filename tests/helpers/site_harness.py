"""Test harness for the generated docs site: HTML parsing, link checking, and headless Chromium.

Chromium is driven from the command line only (`--dump-dom`, `--screenshot`): the index's filter
script reads `?q=`, `?status=`, `?stale=`, `?sort=` on load, so `--dump-dom` of a URL with a query
string shows the DOM after filtering and sorting, with no CDP client needed.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

CHROMIUM_NAMES = ("chromium", "chromium-browser")
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-default-apps", "--disable-extensions", "--hide-scrollbars", "--mute-audio")


# --------------------------------------------------------------------------------------------------
# Parsing


@dataclass
class Row:
    attrs: dict[str, str]
    text: str = ""

    @property
    def hidden(self) -> bool:
        return "hidden" in self.attrs


@dataclass
class Page:
    ids: set[str] = field(default_factory=set)
    links: list[str] = field(default_factory=list)      # href and src values
    rows: list[Row] = field(default_factory=list)       # rows of <table id="journeys"> body
    texts: dict[str, str] = field(default_factory=dict)  # text of elements by id
    scripts: int = 0


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._in_journeys = False
        self._in_body = False
        self._row: Row | None = None
        self._capture: list[tuple[str, str, list[str]]] = []  # (id, tag, chunks)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        if "id" in a:
            self.page.ids.add(a["id"])
            self._capture.append((a["id"], tag, []))
        for key in ("href", "src"):
            if key in a:
                self.page.links.append(a[key])
        if tag == "script":
            self.page.scripts += 1
        if tag == "table" and a.get("id") == "journeys":
            self._in_journeys = True
        elif tag == "tbody" and self._in_journeys:
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self._row = Row(a)
            self.page.rows.append(self._row)

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self._in_journeys:
            self._in_journeys = self._in_body = False
        if self._capture and self._capture[-1][1] == tag:
            ident, _, chunks = self._capture.pop()
            self.page.texts[ident] = "".join(chunks).strip()

    def handle_data(self, data: str) -> None:
        if self._row is not None and self._in_body:
            self._row.text += data
        for _, _, chunks in self._capture:
            chunks.append(data)


def parse(html: str) -> Page:
    parser = _Parser()
    parser.feed(html)
    parser.close()
    return parser.page


def broken_links(site: Path) -> list[str]:
    """Every local href/src of every page that does not resolve to a file (and anchor) of the site."""
    pages = {p: parse(p.read_text(encoding="utf-8")) for p in sorted(site.rglob("*.html"))}
    root = site.resolve()
    problems = []
    for path, page in pages.items():
        for link in page.links:
            parts = urlsplit(link)
            if parts.scheme in ("http", "https"):
                continue
            if parts.scheme or parts.netloc:
                problems.append(f"{path.relative_to(site)}: non-local link {link}")
                continue
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path.resolve()
            if root not in target.parents or not target.is_file():
                problems.append(f"{path.relative_to(site)}: {link} -> no such file")
                continue
            if parts.fragment:
                ids = pages[Path(site, target.relative_to(root))].ids if target.suffix == ".html" else set()
                if unquote(parts.fragment) not in ids:
                    problems.append(f"{path.relative_to(site)}: {link} -> no id '{parts.fragment}'")
    return problems


# --------------------------------------------------------------------------------------------------
# Chromium


def find_chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


class Chromium:
    """One headless Chromium binary with a private, throw-away profile directory."""

    def __init__(self, binary: str, profile: Path) -> None:
        self.binary = binary
        self.profile = profile

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[bytes]:
        env = dict(os.environ)
        env.pop("DBUS_SESSION_BUS_ADDRESS", None)
        cmd = [self.binary, *CHROMIUM_FLAGS, f"--user-data-dir={self.profile}", *args]
        return subprocess.run(cmd, capture_output=True, timeout=timeout, env=env, check=False)

    def dump_dom(self, url: str) -> str:
        """The serialized DOM after the page's scripts ran."""
        done = self._run("--dump-dom", url)
        if done.returncode != 0 or not done.stdout:
            raise RuntimeError(f"chromium --dump-dom failed ({done.returncode}): {done.stderr.decode()[-2000:]}")
        return done.stdout.decode("utf-8")

    def screenshot(self, url: str, png: Path, width: int = 1280, height: int = 1600) -> None:
        done = self._run(f"--screenshot={png}", f"--window-size={width},{height}", url)
        if done.returncode != 0 or not png.is_file():
            raise RuntimeError(f"chromium --screenshot failed ({done.returncode}): {done.stderr.decode()[-2000:]}")


def png_size(path: Path) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk; raises if the file is not a PNG."""
    data = path.read_bytes()[:24]
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError(f"{path} is not a PNG")
    return struct.unpack(">II", data[16:24])
