"""Batched Graphviz runs (render.batch, issue 18): the same bytes as a run per graph, in fewer processes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from journeyctl.analysis.stats import load_file
from journeyctl.config import Config
from journeyctl.render import layout, render
from journeyctl.render.batch import forget, prime, split_svgs, view_requests

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed")
VIEWS = ("map", "blueprint", "emotion")


def _journeys():
    return [j for j in (load_file(p, Config()).journey for p in sorted((ROOT / "examples").glob("*.journey.yaml")))
            if j is not None]


def test_batched_drawings_are_byte_identical_to_one_run_per_graph(monkeypatch):
    journeys = _journeys()
    assert len(journeys) >= 3
    singles = [render(j, v, "svg") for j in journeys for v in VIEWS]
    runs: list[str] = []
    real = layout._run
    monkeypatch.setattr(layout, "_run", lambda *a, **k: runs.append(a[2]) or real(*a, **k))
    try:
        prime([r for j in journeys for r in view_requests(j, VIEWS)], timeout=60)
        assert 0 < len(runs) < len(singles)
        started = len(runs)
        primed = len(layout._PRIMED)
        assert primed == len(singles)
        batched = [render(j, v, "svg") for j in journeys for v in VIEWS]
    finally:
        forget()
    assert len(runs) == started  # every view came from the batches: no run of its own
    assert batched == singles


def test_a_failing_batch_primes_nothing_and_each_graph_is_drawn_alone():
    journey = _journeys()[0]
    good = view_requests(journey, ("blueprint",))[0]
    try:
        prime([good, ("digraph { a -> }", "dot", ())], timeout=60)  # a syntax error fails the whole run
        assert layout._PRIMED == {}
    finally:
        forget()
    assert render(journey, "blueprint", "svg")  # drawn on its own, as before


def test_split_refuses_output_that_does_not_start_with_a_document():
    assert split_svgs(b"garbage<?xml a?><svg/>") == []
    assert split_svgs(b'<?xml a?>\n<g id="page0,1_graph0"/>') == [b'<?xml a?>\n<g id="graph0"/>']


def test_render_takes_the_dot_written_for_priming_only_for_the_same_arguments(monkeypatch):
    from journeyctl.render import batch

    journey = _journeys()[0]
    try:
        view_requests(journey, ("blueprint",))
        assert batch.prepared(journey, "blueprint", ["other findings"], []) is None  # different findings
        assert batch.prepared(journey, "blueprint", [], []) is None  # taken (or dropped) once
        view_requests(journey, ("blueprint",))
        expected = render(journey, "blueprint", "dot")
        assert batch.prepared(journey, "blueprint", [], ()) == expected
    finally:
        forget()
    assert batch._SOURCES == {}
