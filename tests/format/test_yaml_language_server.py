"""The editor and journeyctl agree: every schema problem yaml-language-server (VS Code's YAML extension)
reports on a journey, journeyctl reports on the same line.

One yaml-language-server process (from tests/node, pinned) is driven over LSP on stdio for the whole
module: the example journeys, a corpus of broken copies of the starter and the first 200 documents of
the seeded mutation corpus (test_schema_differential.py) are opened with the schema associated by
modeline (`# yaml-language-server: $schema=file://.../schemas/journey.schema.json`), and the
diagnostics it publishes are compared line by line with `journeyctl validate`'s findings.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from journeyctl.check.pipeline import check_file
from journeyctl.config import Config
from journeyctl.format.schema import CHECKED_IN
from journeyctl.format.starter import starter_journey

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from helpers.node_clients import node_modules  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
MODELINE = f"# yaml-language-server: $schema={CHECKED_IN.as_uri()}\n"
BASE = starter_journey("s").split("\n", 1)[1]  # the starter without its own (https) modeline
MUTANTS = 200
HANDOFF = "{trigger: sign-up form submitted, sla: 1h, via: marketing automation}"

# (name, old, new): one broken copy of the starter each.
BROKEN = [
    ("entry-yes", "entry: true ", "entry: yes "), ("entry-1", "entry: true ", "entry: 1 "),
    ("emotion-float", "emotion: 1 ", "emotion: 1.0 "), ("emotion-range", "emotion: 1 ", "emotion: 5 "),
    ("emotion-text", "emotion: 1 ", "emotion: very bad "), ("emotion-octal", "emotion: 1 ", "emotion: 010 "),
    ("status-no", "status: draft ", "status: no "), ("status-enum", "status: draft ", "status: Draft "),
    ("title-yes", "title: My first journey", "title: yes"), ("title-number", "title: My first journey", "title: 3.10"),
    ("chanel", "        channel: web\n", "        chanel: web\n"),
    ("two-unknown", "        channel: web\n", "        chanel: web\n        colour: red\n"),
    ("rate-percent", "rate: 0.05", "rate: 5%"), ("rate-text", "rate: 0.05", 'rate: "0.05"'),
    ("sla-words", "sla: 1h", "sla: one hour"), ("reviewed-int", 'reviewed: "', "reviewed: 20260101 #"),
    ("reviewed-impossible", 'reviewed: "', 'reviewed: "2026-02-30" #'),
    ("id-space", "id: s\n", "id: Has Space\n"), ("owner-space", "owner: marketing ", "owner: sales team "),
    ("milestone-number", "        kind: external ", "        milestone: 5 "),
    ("handoff-yes", HANDOFF, "yes"), ("tags-on", "review_every: 90d", "review_every: 90d\ntags: [on, off]"),
    ("link-url", "review_every: 90d", "review_every: 90d\nlinks: [{title: Doc, url: notaurl}]"),
    ("version-2", "journeyctl: 1 ", "journeyctl: 2 "), ("version-float", "journeyctl: 1 ", "journeyctl: 1.0 "),
    ("missing-title", "title: My first journey\n", ""), ("stages-empty", "stages:  ", "stages: []\nold: "),
    ("touchpoints-null", "    touchpoints:\n      - id: welcome-email", "    touchpoints:\n    tps:\n      - id: welcome-email"),
    ("at-words", "at: day 0", "at: day zero"), ("kind-enum", "kind: external ", "kind: web "),
    ("lane-yes", "        kind: external ", "        lane: on "), ("target-text", "target: 5,", 'target: "5",'),
    ("target-sexagesimal", "target: 5,", "target: 1:20,"), ("share-big", "        entry: true ", "        entry: true\n        share: 1e3 "),
]


class Server:
    """A minimal LSP client for yaml-language-server over stdio."""

    def __init__(self, modules: Path, root: Path) -> None:
        script = modules / "yaml-language-server" / "bin" / "yaml-language-server"
        self.proc = subprocess.Popen(["node", str(script), "--stdio"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.diagnostics: dict[str, list[dict[str, Any]]] = {}
        self.responses: dict[int, Any] = {}
        self.last = time.monotonic()
        self.lock = threading.Lock()
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()
        self.request("initialize", {"processId": os.getpid(), "rootUri": root.as_uri(), "capabilities": {
            "textDocument": {"publishDiagnostics": {}}, "workspace": {"configuration": True}}})
        self.notify("initialized", {})
        self.notify("workspace/didChangeConfiguration", {"settings": self._settings()})

    @staticmethod
    def _settings() -> dict[str, Any]:
        return {"yaml": {"validate": True, "schemaStore": {"enable": False}, "yamlVersion": "1.2"}}

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def notify(self, method: str, params: Any) -> None:
        self._send({"method": method, "params": params})

    def request(self, method: str, params: Any, timeout: float = 60) -> Any:
        self.next_id += 1
        ident = self.next_id
        self._send({"id": ident, "method": method, "params": params})
        deadline = time.monotonic() + timeout
        while ident not in self.responses:
            if time.monotonic() > deadline:
                raise TimeoutError(method)
            time.sleep(0.01)
        return self.responses.pop(ident)

    def _read(self) -> None:
        stream = self.proc.stdout
        assert stream is not None
        while True:
            length = 0
            while True:
                line = stream.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            message = json.loads(stream.read(length))
            with self.lock:
                self.last = time.monotonic()
            if "id" in message and "method" in message:  # a request from the server: answer it
                result: Any = None
                if message["method"] == "workspace/configuration":
                    result = [self._settings().get(item.get("section", ""), None) if item.get("section") != "yaml"
                              else self._settings()["yaml"] for item in message["params"]["items"]]
                self._send({"id": message["id"], "result": result})
            elif "id" in message:
                self.responses[message["id"]] = message.get("result")
            elif message.get("method") == "textDocument/publishDiagnostics":
                params = message["params"]
                self.diagnostics[params["uri"]] = params["diagnostics"]

    def diagnose(self, files: list[Path], quiet: float = 2.0, timeout: float = 120) -> dict[Path, list[dict]]:
        for path in files:
            self.notify("textDocument/didOpen", {"textDocument": {
                "uri": path.as_uri(), "languageId": "yaml", "version": 1, "text": path.read_text(encoding="utf-8")}})
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                settled = time.monotonic() - self.last > quiet
            if settled and all(p.as_uri() in self.diagnostics for p in files):
                break
            time.sleep(0.05)
        return {p: self.diagnostics.get(p.as_uri(), []) for p in files}

    def close(self) -> None:
        try:
            self.request("shutdown", None, timeout=10)
            self.notify("exit", None)
            self.proc.wait(timeout=10)
        except Exception:  # noqa: BLE001 - the process is ended below either way
            pass
        if self.proc.poll() is None:
            self.proc.kill()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    root = tmp_path_factory.mktemp("yls")
    files = []
    for example in sorted((REPO / "examples").glob("*.journey.yaml")):
        text = example.read_text(encoding="utf-8")
        lines = [l for l in text.split("\n") if not l.startswith("# yaml-language-server:")]
        (root / example.name).write_text(MODELINE + "\n".join(lines), encoding="utf-8")
        files.append(root / example.name)
    for name, old, new in BROKEN:
        assert old in BASE, name
        path = root / f"{name}.journey.yaml"
        path.write_text(MODELINE + BASE.replace(old, new, 1), encoding="utf-8")
        files.append(path)
    # And the first documents of the seeded mutation corpus the check-jsonschema differential test uses.
    from test_schema_differential import corpus as mutated

    for i, text in enumerate(mutated()[:MUTANTS]):
        path = root / f"mutant-{i:03d}.journey.yaml"
        path.write_text(MODELINE + text, encoding="utf-8")
        files.append(path)
    return files


@pytest.fixture(scope="module")
def diagnostics(corpus: list[Path]) -> dict[Path, list[dict]]:
    server = Server(node_modules(), corpus[0].parent)
    try:
        return server.diagnose(corpus)
    finally:
        server.close()


def _schema_lines(found: list[dict]) -> set[int]:
    return {d["range"]["start"]["line"] + 1 for d in found if str(d.get("source", "")).startswith("yaml-schema")}


def test_the_editor_reports_schema_problems_on_the_broken_copies(diagnostics: dict[Path, list[dict]]):
    broken = {p.name: _schema_lines(d) for p, d in diagnostics.items() if not p.name.startswith(("b2b", "ecommerce",
                                                                                                  "subscription", "support"))}
    # The client really ran: most broken copies and mutants have schema diagnostics.
    assert sum(1 for lines in broken.values() if lines) >= (len(BROKEN) + MUTANTS) // 2, broken


def test_every_schema_problem_the_editor_reports_journeyctl_reports_on_the_same_line(diagnostics):
    missed = []
    for path, found in diagnostics.items():
        theirs = _schema_lines(found)
        ours = {f.line for f in check_file(path, Config()).findings if f.severity in ("error", "warning")}
        for line in sorted(theirs - ours):
            messages = [d["message"] for d in found if d["range"]["start"]["line"] + 1 == line]
            missed.append((path.name, line, messages))
    assert missed == []


def test_the_examples_are_clean_in_the_editor(diagnostics):
    for path, found in diagnostics.items():
        if path.name.startswith(("b2b", "ecommerce", "subscription", "support")):
            assert found == [], (path.name, found)
