"""The Node.js clients the suite drives for real (Mermaid, jsdom, yaml-language-server, axe-core, bpmn-moddle).

They are pinned with integrity hashes in tests/node/package-lock.json and installed by `make test` with
`npm ci`; a test calls `node_modules()` to get them. Without Node or npm the tests that need them skip and
say why; JOURNEYCTL_REQUIRE_NODE=1 (set by `make test` where npm exists) makes that a failure instead, so a
set-up that could install them never hides a skipped real-client check.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

NODE_ROOT = Path(__file__).resolve().parents[1] / "node"
LOCK = NODE_ROOT / "package-lock.json"
_MARKER = NODE_ROOT / "node_modules" / ".journeyctl-lock-sha256"


def unavailable(reason: str) -> None:
    """Skip with the reason, or fail where the set-up promised the tools (JOURNEYCTL_REQUIRE_NODE)."""
    if os.environ.get("JOURNEYCTL_REQUIRE_NODE"):
        pytest.fail(reason)
    pytest.skip(reason)


def node_modules() -> Path:
    """tests/node/node_modules, installed from the lock if it is missing or stale."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        unavailable("Node.js and npm are needed to run the real clients (not on PATH)")
    digest = hashlib.sha256(LOCK.read_bytes()).hexdigest()
    if _MARKER.is_file() and _MARKER.read_text() == digest:
        return NODE_ROOT / "node_modules"
    # Several pytest workers may get here at once: one installs, the others wait for it.
    import fcntl

    with open(NODE_ROOT / ".install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _install(npm, digest)


def _install(npm: str, digest: str) -> Path:
    if not (_MARKER.is_file() and _MARKER.read_text() == digest):
        try:
            done = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=NODE_ROOT,
                                  capture_output=True, text=True, timeout=600)
        except subprocess.TimeoutExpired:
            unavailable("npm ci in tests/node took over 10 minutes")
        if done.returncode != 0:
            unavailable(f"npm ci in tests/node failed (offline?): {done.stderr.strip()[-400:]}")
        _MARKER.write_text(digest)
    return NODE_ROOT / "node_modules"
