"""`journeyctl docs --serve`: loopback only, rebuilds within 2 s of an edit, pages reload, bad edits show findings."""

from __future__ import annotations

import re
import shutil
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from journeyctl.config import Config
from journeyctl.site import SiteOptions, build_site
from journeyctl.site.serve import serve
from journeyctl.analysis.stats import workspace_files
from helpers.site_harness import Chromium, find_chromium

ROOT = Path(__file__).resolve().parents[2]


def get(base: str, path: str) -> str:
    with urllib.request.urlopen(base + path, timeout=10) as response:
        return response.read().decode("utf-8")


@pytest.fixture()
def live(tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    shutil.copy(ROOT / "examples" / "support-renewal.journey.yaml", ws)
    shutil.copy(ROOT / "examples" / "company.catalog.yaml", ws)
    out = tmp_path / "site"
    config = Config(root=ws)
    stop = threading.Event()
    started: dict[str, object] = {}
    ready = threading.Event()

    def on_ready(server):
        started["server"] = server
        ready.set()

    def files():
        journeys, catalogs = workspace_files([ws], config)
        return journeys + catalogs

    thread = threading.Thread(target=serve, daemon=True, kwargs=dict(
        build=lambda: build_site([ws], config, SiteOptions(out, ("map",), True, False, False)),
        files=files, out=out, port=0, ready=on_ready, stop=stop))
    thread.start()
    assert ready.wait(60)
    host, port = started["server"].server_address[:2]
    yield ws, f"http://{host}:{port}", host
    stop.set()
    thread.join(10)


def wait_for_version(base: str, old: str, seconds: float = 2.0) -> float:
    start = time.perf_counter()
    while time.perf_counter() - start < seconds + 8:
        if get(base, "/__journeyctl/version") != old:
            return time.perf_counter() - start
        time.sleep(0.05)
    raise AssertionError("no rebuild")


def test_edit_rebuilds_within_two_seconds_and_a_bad_edit_shows_findings(live):
    ws, base, host = live
    assert host == "127.0.0.1"
    page = get(base, "/journeys/support-renewal.html")
    assert "connect-src &#x27;self&#x27;" in page and "/__journeyctl/version" in page
    path = ws / "support-renewal.journey.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("title: ", "title: Freshly edited ", 1), encoding="utf-8")
    took = wait_for_version(base, "0")
    assert took <= 2.0, took
    assert "Freshly edited" in get(base, "/journeys/support-renewal.html")
    path.write_text(text.replace("status: ", "status: not-a-status-", 1), encoding="utf-8")
    wait_for_version(base, "1")
    broken = get(base, "/journeys/support-renewal.html")  # the page the browser has open
    assert "support-renewal.journey.yaml" in broken and "not-a-status-" in broken
    # The broken file's own page: its path as the title and its findings, not the stale journey page.
    assert re.search(r"<h1>[^<]*support-renewal\.journey\.yaml</h1>", broken)
    assert '<h2 id="findings">Findings (' in broken


@pytest.mark.skipif(find_chromium() is None, reason="chromium is not installed")
def test_the_reload_script_runs_under_the_pages_policy(live, tmp_path):
    _, base, _ = live
    browser = Chromium(find_chromium(), tmp_path / "profile")
    dom = browser.dump_dom(base + "/journeys/support-renewal.html")
    assert 'data-live-preview="on"' in dom


def test_a_port_in_use_is_refused_before_building(tmp_path):
    import socket
    import subprocess
    import sys

    ws = tmp_path / "ws"
    ws.mkdir()
    shutil.copy(ROOT / "examples" / "support-renewal.journey.yaml", ws)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "journeyctl", "docs", "--serve", "--port", str(port),
                               "-o", str(tmp_path / "site")], cwd=ws, capture_output=True, text=True, timeout=60,
                              env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "site").exists()  # nothing was built for a preview that cannot be served
