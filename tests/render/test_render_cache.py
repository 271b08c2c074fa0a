"""Rendered views cached by content (issue 18): a second docs build draws nothing it drew before."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from journeyctl.config import Config
from journeyctl.site import SiteOptions, build_site

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed")


def test_a_rebuild_draws_only_what_changed(tmp_path, monkeypatch):
    from journeyctl.render import layout

    ws = tmp_path / "ws"
    shutil.copytree(ROOT / "examples", ws)
    calls: list[str] = []  # one entry per graph drawn (a Graphviz run may draw several: render.batch)
    runs: list[str] = []  # one entry per Graphviz process
    real = layout._run

    def counting(binary, command, source, fmt, **kwargs):
        runs.append(source)
        data = real(binary, command, source, fmt, **kwargs)
        calls.extend([source] * data.count(b"<svg"))
        return data

    monkeypatch.setattr(layout, "_run", counting)
    first = tmp_path / "one"
    build_site([ws], Config(root=ws), SiteOptions(first))
    assert len(calls) == 12  # 4 journeys x map, blueprint, emotion
    assert len(runs) == 5  # batched: a neato run per map (the emotion curves ride along), one dot run
    calls.clear()
    second = tmp_path / "two"
    build_site([ws], Config(root=ws), SiteOptions(second))
    assert calls == []  # every view from the cache
    for page in first.rglob("*.html"):
        assert (second / page.relative_to(first)).read_bytes() == page.read_bytes()
    path = ws / "support-renewal.journey.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("title: ", "title: Edited ", 1), encoding="utf-8")
    build_site([ws], Config(root=ws), SiteOptions(tmp_path / "three"))
    assert len(calls) == 3 and all("Edited" in source for source in calls)  # that journey's views only
    assert layout._CACHE is None  # the cache is the build's, not the process's
