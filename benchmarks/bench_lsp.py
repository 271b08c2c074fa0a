"""`journeyctl lsp` on a 200-touchpoint journey in a 1,000-journey workspace: the editor's latencies.

Run from the repository root: `.venv/bin/python benchmarks/bench_lsp.py [--journeys 1000]`. Not part of the
test suite. Measures, over stdio against the real server process:
- start-up: initialize → the first diagnostics of the opened journey (the whole workspace is checked once);
- diagnostics after an edit: didChange → publishDiagnostics for that journey (median of 30 edits, each
  one typing a character into a touchpoint's name, 150 ms apart as a fast typist's keys are; the server
  publishes the first change of a burst at once and then at most every JOURNEYCTL_LSP_DEBOUNCE seconds);
- completion at `owner:` and at `to:` (median of 30 requests each);
- the server's peak memory (VmHWM of its process).
Targets (issue 23): diagnostics ≤ 100 ms median, completion ≤ 30 ms, memory < 300 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types as t
from pygls.lsp.client import LanguageClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate, journey_text  # noqa: E402

EDITS = 30
PACE = 0.15


def _peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of the server process so far: less sensitive to a busy machine than wall time."""
    import os

    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _pos(text: str, needle: str, offset: int) -> t.Position:
    index = text.index(needle) + offset
    return t.Position(text.count("\n", 0, index), index - (text.rfind("\n", 0, index) + 1))


async def run(journeys: int, touchpoints: int) -> dict[str, float]:
    work = Path(tempfile.mkdtemp(prefix="bench-lsp-"))
    generate(work, journeys - 1)
    big = work / "big.journey.yaml"
    text = journey_text(journeys, touchpoints).replace(f"id: journey-{journeys:05d}", "id: big-journey", 1)
    big.write_text(text, encoding="utf-8")
    client = LanguageClient("bench", "1")
    arrived: dict[str, asyncio.Event] = {}

    @client.feature(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def diagnostics(params: t.PublishDiagnosticsParams) -> None:
        if params.uri in arrived:
            arrived[params.uri].set()

    await client.start_io(sys.executable, "-m", "journeyctl", "lsp")
    pid = client._server.pid  # type: ignore[union-attr]
    uri = big.as_uri()
    started = time.perf_counter()
    await client.initialize_async(t.InitializeParams(capabilities=t.ClientCapabilities(), root_uri=work.as_uri()))
    client.initialized(t.InitializedParams())
    arrived[uri] = asyncio.Event()
    client.text_document_did_open(t.DidOpenTextDocumentParams(t.TextDocumentItem(uri, "yaml", 1, text)))
    await arrived[uri].wait()
    figures = {"startup_s": time.perf_counter() - started}
    latencies = []
    cpu_before = _cpu_s(pid)
    name_at = _pos(text, "name: ", len("name: "))
    for version in range(2, EDITS + 2):
        await asyncio.sleep(PACE)
        arrived[uri] = asyncio.Event()
        began = time.perf_counter()
        client.text_document_did_change(t.DidChangeTextDocumentParams(
            t.VersionedTextDocumentIdentifier(uri=uri, version=version),
            [t.TextDocumentContentChangePartial(range=t.Range(name_at, name_at), text="x")]))
        await arrived[uri].wait()
        latencies.append(time.perf_counter() - began)
    figures["diagnostics_cpu_per_edit_ms"] = (_cpu_s(pid) - cpu_before) / EDITS * 1000
    figures["diagnostics_median_ms"] = statistics.median(latencies) * 1000
    figures["diagnostics_max_ms"] = max(latencies) * 1000
    for key, needle in (("owner", "owner: "), ("to", "- to: ")):
        at = _pos(text, needle, len(needle))
        times = []
        for _ in range(EDITS):
            began = time.perf_counter()
            result = await client.text_document_completion_async(
                t.CompletionParams(text_document=t.TextDocumentIdentifier(uri), position=at))
            times.append(time.perf_counter() - began)
        assert result is not None and result.items, f"no completion at {key}:"
        figures[f"completion_{key}_median_ms"] = statistics.median(times) * 1000
        figures[f"completion_{key}_items"] = len(result.items)
    figures["peak_memory_mb"] = _peak_mb(pid)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--journeys", type=int, default=1000)
    parser.add_argument("--touchpoints", type=int, default=200)
    args = parser.parse_args(argv)
    figures = asyncio.run(run(args.journeys, args.touchpoints))
    figures["load_average_1min"] = os.getloadavg()[0]
    figures["cpus"] = len(os.sched_getaffinity(0))
    for key, value in figures.items():
        sys.stdout.write(f"{key:28} {value:10.1f}\n")
    ok = (figures["diagnostics_median_ms"] <= 100 and figures["completion_owner_median_ms"] <= 30
          and figures["completion_to_median_ms"] <= 30 and figures["peak_memory_mb"] < 300)
    sys.stdout.write("targets met\n" if ok else "targets NOT met\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
