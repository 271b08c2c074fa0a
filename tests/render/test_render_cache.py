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


def test_drawings_unused_for_a_week_are_pruned_and_used_ones_kept(tmp_path, monkeypatch):
    """The render cache does not grow forever: a build deletes drawings unused for KEEP_DAYS (at most once
    a day), and a drawing read from the cache counts as used."""
    import os
    import time

    from journeyctl.render import layout

    monkeypatch.setenv("JOURNEYCTL_CACHE_DIR", str(tmp_path / "cache"))
    ws = tmp_path / "ws"
    shutil.copytree(ROOT / "examples", ws)
    build_site([ws], Config(root=ws), SiteOptions(tmp_path / "site"))
    renders = tmp_path / "cache" / "renders-v1"
    drawings = sorted(p for p in renders.rglob("*") if p.is_file() and p.name != ".pruned")
    assert drawings
    old = time.time() - (layout.KEEP_DAYS + 1) * 86400
    stale = renders / "ab" / "stale-drawing.svg"  # what an edited journey left behind
    stale.parent.mkdir(exist_ok=True)
    stale.write_bytes(b"<svg/>")
    for path in [*drawings, stale, renders / ".pruned"]:
        os.utime(path, (old, old))
    for db in (tmp_path / "cache").glob("site-v1.sqlite3*"):
        db.unlink()  # no finished pages: this build embeds views from the render cache
    build_site([ws], Config(root=ws), SiteOptions(tmp_path / "site"))
    assert not stale.exists()
    # every finished view this build used was read from the cache, so refreshed, so kept
    views = [p for p in drawings if p.suffix == ".view"]
    assert len(views) == 12 and all(p.exists() for p in views)
    # and the next prune waits a day: a new stale file survives a build within the day
    stale.write_bytes(b"<svg/>")
    os.utime(stale, (old, old))
    build_site([ws], Config(root=ws), SiteOptions(tmp_path / "site"))
    assert stale.exists()
    assert layout.prune_cache(renders, now=time.time() + 86401) >= 1 and not stale.exists()
