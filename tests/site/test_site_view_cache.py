"""Finished views cached by their inputs (site.view_cache, issue 18): a rebuild writes no DOT for an
unchanged journey, only for the one that changed, and the pages stay byte-identical."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from journeyctl.config import Config
from journeyctl.site import SiteOptions, build_site

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed")


def test_a_rebuild_writes_dot_only_for_the_changed_journey(tmp_path, monkeypatch):
    import journeyctl.render as render

    ws = tmp_path / "ws"
    shutil.copytree(ROOT / "examples", ws)
    written: list[str] = []
    real = render.to_dot

    def counting(journey, view="map", **kwargs):
        written.append(journey.id)
        return real(journey, view, **kwargs)

    monkeypatch.setattr(render, "to_dot", counting)
    first = tmp_path / "one"
    build_site([ws], Config(root=ws), SiteOptions(first))
    assert len(written) == 12 and len(set(written)) == 4  # 4 journeys x 3 views, each DOT written once
    written.clear()
    second = tmp_path / "two"
    build_site([ws], Config(root=ws), SiteOptions(second))
    assert written == []
    for page in first.rglob("*.html"):
        assert (second / page.relative_to(first)).read_bytes() == page.read_bytes()
    path = ws / "support-renewal.journey.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("title: ", "title: Edited ", 1), encoding="utf-8")
    third = tmp_path / "three"
    build_site([ws], Config(root=ws), SiteOptions(third))
    assert len(written) == 3 and len(set(written)) == 1  # that journey's three views only
    fresh = tmp_path / "fresh"
    monkeypatch.setenv("JOURNEYCTL_CACHE_DIR", str(tmp_path / "empty-cache"))
    written.clear()
    build_site([ws], Config(root=ws), SiteOptions(fresh))
    assert len(written) == 12  # nothing cached: every view drawn again
    for page in fresh.rglob("*.html"):  # what a build without any cache writes
        assert (third / page.relative_to(fresh)).read_bytes() == page.read_bytes()
