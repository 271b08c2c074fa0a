"""`journeyctl docs --serve`: the site on 127.0.0.1, rebuilt when the workspace changes, pages reloading.

A preview for the person editing the YAML, never a public server: it binds the loopback address only.
The watcher polls the workspace's journey and catalog files (name, size, mtime) twice a second, which
needs no platform-specific notification API. A rebuild reuses everything unchanged: Graphviz drawings
come from the render cache (layout.use_cache) and pages whose bytes did not change are not rewritten.

Pages are served with a small script added (and allowed by the page's Content-Security-Policy, which
also gains `connect-src 'self'`): it asks `/__journeyctl/version` every half second and reloads when a
build finished. When an edit breaks a journey, its page disappears from the site (the file is listed as
invalid instead); the open page then shows the invalid file's page with its findings, not a 404 and
not the stale picture.
"""

from __future__ import annotations

import html as html_module
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Sequence

from .assets import script_hash

RELOAD_JS = """\
(function () {
  "use strict";
  var seen = null;
  function poll() {
    fetch("/__journeyctl/version", {cache: "no-store"}).then(function (r) { return r.text(); })
      .then(function (v) {
        if (seen === null) { seen = v; } else if (v !== seen) { window.location.reload(); }
      }).catch(function () {});
  }
  document.documentElement.setAttribute("data-live-preview", "on");
  poll();
  setInterval(poll, 500);
})();
"""

_CSP = re.compile(r'(<meta http-equiv="Content-Security-Policy" content=")([^"]*)(">)')
POLL_SECONDS = 0.5


@dataclass
class LiveSite:
    """The state shared by the watcher and the request handlers."""
    out: Path
    version: int = 0
    changed: list[str] = field(default_factory=list)  # files of the last edit (their names)
    error: str = ""  # why the last build failed, shown on every page
    lock: threading.Lock = field(default_factory=threading.Lock)


def live_html(page: str, site: LiveSite) -> str:
    """A built page with the reload script added and allowed."""
    def widen(match: re.Match[str]) -> str:
        csp = html_module.unescape(match.group(2))
        hash_source = script_hash(RELOAD_JS)
        csp = re.sub(r"script-src ([^;]*)",
                     lambda m: "script-src " + (hash_source if m.group(1).strip() == "'none'"
                                                else f"{m.group(1).strip()} {hash_source}"), csp)
        csp = csp.replace("default-src 'none';", "default-src 'none'; connect-src 'self';")
        return match.group(1) + html_module.escape(csp, quote=True) + match.group(3)

    page = _CSP.sub(widen, page, count=1)
    banner = ""
    if site.error:
        banner = (f'<p class="placeholder" role="alert"><strong>The last edit could not be built:</strong> '
                  f"{html_module.escape(site.error)}</p>")
    return page.replace("</body>", f"{banner}<script>{RELOAD_JS}</script></body>", 1)


def snapshot(files: Sequence[Path]) -> dict[str, tuple[int, int]]:
    out = {}
    for path in files:
        try:
            stat = path.stat()
        except OSError:
            continue
        out[str(path)] = (stat.st_mtime_ns, stat.st_size)
    return out


def _handler(site: LiveSite) -> type[SimpleHTTPRequestHandler]:
    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(site.out), **kwargs)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
            return  # quiet: the terminal is for build messages

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            path = self.path.split("?", 1)[0].split("#", 1)[0]
            if path == "/__journeyctl/version":
                self._send(str(site.version).encode(), "text/plain; charset=utf-8")
                return
            if path.endswith("/"):
                path += "index.html"
            if path.endswith(".html"):
                page = self._page(path)
                if page is not None:
                    self._send(live_html(page, site).encode("utf-8"), "text/html; charset=utf-8")
                    return
            super().do_GET()

        def _page(self, path: str) -> str | None:
            rel = Path(*[p for p in path.split("/") if p and p not in (".", "..")])
            target = site.out / rel
            try:
                return target.read_text(encoding="utf-8")
            except OSError:
                pass
            # A journey page gone because the last edit broke it: show the broken file's findings.
            for invalid in sorted((site.out / "journeys").glob("invalid-*.html")):
                text = invalid.read_text(encoding="utf-8", errors="replace")
                if any(html_module.escape(name) in text for name in site.changed):
                    return text
            return None

        def _send(self, body: bytes, kind: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


def serve(build: Callable[[], object], files: Callable[[], list[Path]], out: Path, port: int,
          on_build: Callable[[str], None] = lambda message: None,
          ready: Callable[[ThreadingHTTPServer], None] | None = None,
          stop: threading.Event | None = None) -> None:
    """Build, serve `out` on 127.0.0.1:`port`, rebuild on change until `stop` is set (or Ctrl-C).

    build: builds the site (raises on a usage or site error); files: the workspace files to watch.
    """
    site = LiveSite(out)
    # Bind before the first build: a port in use is said at once, not after a build of the whole site.
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(site))
    server.daemon_threads = True
    try:
        build()
    except BaseException:
        server.server_close()
        raise
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    if ready is not None:
        ready(server)
    stop = stop or threading.Event()
    seen = snapshot(files())
    try:
        while not stop.wait(POLL_SECONDS):
            now = snapshot(files())
            if now == seen:
                continue
            changed = sorted(k for k in set(now) | set(seen) if now.get(k) != seen.get(k))
            seen = now
            started = time.perf_counter()
            try:
                build()
                error = ""
            except Exception as exc:  # noqa: BLE001 - shown on the page; the preview keeps running
                error = str(exc) or type(exc).__name__
            with site.lock:
                site.changed = [Path(c).name for c in changed]
                site.error = error
                site.version += 1
            on_build(f"rebuilt in {time.perf_counter() - started:.1f} s after a change to "
                     f"{', '.join(Path(c).name for c in changed[:3])}" + (f": {error}" if error else ""))
    finally:
        server.shutdown()
        server.server_close()
