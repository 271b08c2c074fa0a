"""The live preview as a person sees it: `journeyctl docs --serve` and a page open in headless Chromium.

The test never navigates after opening the page: an edit to the journey file must reach the DOM by the
page reloading itself (the marker set on the first document is gone), within 2 s of the write; a bad
edit must replace the picture with the finding, file:line of the mistake included. Chromium is driven
over the DevTools protocol on a pipe (helpers/cdp.py).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers.cdp import Browser
from helpers.site_harness import find_chromium

ROOT = Path(__file__).resolve().parents[2]
BINARY = find_chromium()
pytestmark = pytest.mark.skipif(BINARY is None, reason="chromium is not installed (apt-get install chromium)")

OLD_NAME = "Executive sponsor call"
NEW_NAME = "Sponsor call renamed live"
MAP = "document.querySelector('svg[aria-label=\\'Journey map\\']')"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture()
def served(tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    shutil.copy(ROOT / "examples" / "support-renewal.journey.yaml", ws)
    shutil.copy(ROOT / "examples" / "company.catalog.yaml", ws)
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    server = subprocess.Popen([sys.executable, "-m", "journeyctl", "docs", "--serve", "--port", str(port),
                               "--views", "map", "-o", str(tmp_path / "site")],
                              cwd=ws, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()  # printed once the first build is served
        assert line.startswith(f"serving http://127.0.0.1:{port}/"), line + server.stderr.read()
        browser = Browser(BINARY, tmp_path / "profile")
        try:
            yield ws / "support-renewal.journey.yaml", f"http://127.0.0.1:{port}", browser
        finally:
            browser.close()
    finally:
        server.terminate()
        server.wait(10)


def body_has(text: str) -> str:
    return f"document.body !== null && document.body.innerText.includes({json.dumps(text)})"


def test_the_open_page_reloads_itself_with_the_edit_and_then_with_the_finding(served):
    path, base, browser = served
    browser.open(base + "/journeys/support-renewal.html")
    assert browser.wait_for(body_has(OLD_NAME) + " && document.documentElement.dataset.livePreview === 'on'", 10)
    assert browser.evaluate(MAP + f" !== null && {MAP}.outerHTML.includes({json.dumps(OLD_NAME)})")
    browser.evaluate("window.__sameDocument = true")  # gone once the page reloads

    text = path.read_text(encoding="utf-8")
    assert text.count(f"name: {OLD_NAME}") == 1
    start = time.monotonic()
    path.write_text(text.replace(f"name: {OLD_NAME}", f"name: {NEW_NAME}"), encoding="utf-8")
    took = browser.wait_for(body_has(NEW_NAME), 2.0)
    assert took is not None, f"the open page did not show '{NEW_NAME}' within 2 s of the edit"
    assert time.monotonic() - start <= 2.0
    assert browser.evaluate("window.__sameDocument === undefined")  # reloaded, not patched in place
    # The picture itself changed, not only the text around it.
    assert browser.evaluate(f"{MAP}.outerHTML.includes({json.dumps(NEW_NAME)})")

    lines = text.splitlines()
    line = next(n for n, l in enumerate(lines, start=1) if l.startswith("status: "))
    browser.evaluate("window.__sameDocument = true")
    path.write_text(text.replace("status: active", "status: not-a-status", 1), encoding="utf-8")
    # The broken file's page: its name as the heading, the finding at line:column of the mistake.
    where = f"{line}:{len('status: ') + 1}\tschema\tstatus must be one of"
    took = browser.wait_for("document.querySelector('h1') !== null && document.querySelector('h1')"
                            ".innerText.endsWith('support-renewal.journey.yaml') && " + body_has(where), 3.0)
    assert took is not None, "the open page did not show the finding of the bad edit: " + str(
        browser.evaluate("document.body.innerText.slice(0, 2000)"))
    assert browser.evaluate("window.__sameDocument === undefined")
    # No stale picture: the map of the last good version is not on the page any more.
    assert browser.evaluate(MAP + " === null")
    assert not browser.evaluate(body_has(NEW_NAME))
