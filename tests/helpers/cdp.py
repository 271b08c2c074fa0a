"""A minimal Chrome DevTools Protocol client over `--remote-debugging-pipe` (standard library only).

The command-line harness (site_harness.Chromium) can only load a page and dump it; watching a page that
changes by itself (the live preview reloading) needs a browser that stays open and can be asked what
its DOM shows now. CDP over a pipe needs no websocket library and no free port: Chromium reads
NUL-terminated JSON commands from file descriptor 3 and writes replies and events to descriptor 4.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import time
from pathlib import Path
from typing import Any

from .site_harness import CHROMIUM_FLAGS


class CDPError(RuntimeError):
    pass


class Browser:
    """One headless Chromium with one page attached (flattened session), closed by `close()`."""

    def __init__(self, binary: str, profile: Path) -> None:
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def wire() -> None:  # in the child: the pipe ends become descriptors 3 and 4
            os.dup2(to_browser_r, 3)
            os.dup2(from_browser_w, 4)

        env = dict(os.environ)
        env.pop("DBUS_SESSION_BUS_ADDRESS", None)
        self.process = subprocess.Popen(
            [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--remote-debugging-pipe", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
            # subprocess closes every descriptor not listed after preexec_fn ran: keep 3 and 4.
            preexec_fn=wire, pass_fds=(3, 4, to_browser_r, from_browser_w))  # noqa: PLW1509 - dup2 before exec
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._next_id = 0
        self.session: str | None = None

    def send(self, method: str, params: dict[str, Any] | None = None, *, timeout: float = 20,
             session: bool = True) -> dict[str, Any]:
        """Send one command and wait for its reply (events that arrive meanwhile are dropped)."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise CDPError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def _read(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_browser], [], [], left)[0]:
                raise CDPError("chromium did not answer in time")
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                raise CDPError("chromium closed the pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def open(self, url: str) -> None:
        """Open `url` in a new tab and attach to it; later `evaluate` calls run in that page."""
        target = self.send("Target.createTarget", {"url": url}, session=False)["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True},
                                 session=False)["sessionId"]

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (None while the page is between documents)."""
        try:
            result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        except CDPError:
            return None
        if "exceptionDetails" in result:
            return None
        return result.get("result", {}).get("value")

    def wait_for(self, expression: str, seconds: float, step: float = 0.05) -> float | None:
        """Seconds until the expression is truthy in the page, or None if it never was within `seconds`."""
        start = time.monotonic()
        while time.monotonic() - start < seconds:
            if self.evaluate(expression):
                return time.monotonic() - start
            time.sleep(step)
        return None

    def close(self) -> None:
        try:
            self.send("Browser.close", session=False, timeout=5)
        except (CDPError, OSError):
            pass
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
        for fd in (self._to_browser, self._from_browser):
            try:
                os.close(fd)
            except OSError:
                pass
