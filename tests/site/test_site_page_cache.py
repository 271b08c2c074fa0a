"""Journey records and finished pages cached by content (site.page_cache, issue 18): a rebuild reads and
remakes only what an edit affects, and never serves a stale page. Every scenario ends by comparing the
whole site, byte for byte, with a build from an empty cache."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

import journeyctl.site.build as site_build
from journeyctl.config import Config
from journeyctl.site import SiteOptions, build_site
from journeyctl.site.journey_page import PageContext
from journeyctl.site.page_cache import DB_NAME, PageCache, Recorder

FIXTURE = Path(__file__).parents[1] / "fixtures" / "workspace_stats"
ROOT = Path(__file__).parents[2]


@pytest.fixture
def ws(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("JOURNEYCTL_TODAY", "2026-06-01")
    monkeypatch.setenv("JOURNEYCTL_CACHE_DIR", str(tmp_path / "cache"))
    target = tmp_path / "ws"
    shutil.copytree(FIXTURE, target)
    return target


@pytest.fixture
def spy(monkeypatch) -> dict[str, list[str]]:
    """Files parsed and journey pages made by the builds of the test."""
    seen: dict[str, list[str]] = {"parsed": [], "made": []}
    real_load, real_page = site_build.load_file, site_build.render_journey_page

    def load(path, config):
        seen["parsed"].append(Path(path).name)
        return real_load(path, config)

    def page(journey, entry, *args, **kwargs):
        seen["made"].append(journey.id)
        return real_page(journey, entry, *args, **kwargs)

    monkeypatch.setattr(site_build, "load_file", load)
    monkeypatch.setattr(site_build, "render_journey_page", page)
    return seen


def build(ws: Path, out: Path, config: Config | None = None, **options) -> None:
    options.setdefault("svg", False)
    build_site([ws], config or Config(root=ws), SiteOptions(out, progress=False, **options))


def files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def assert_fresh(ws: Path, site: Path, tmp_path: Path, monkeypatch, config: Config | None = None, **options) -> None:
    """The site equals what a build with an empty cache writes for the same input."""
    reference = tmp_path / f"reference-{len(list(tmp_path.glob('reference-*')))}"
    with monkeypatch.context() as m:
        m.setenv("JOURNEYCTL_CACHE_DIR", str(reference) + "-cache")
        build(ws, reference, config, **options)
    assert files(site) == files(reference)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_unchanged_rebuild_parses_no_journey_and_writes_no_page(ws, tmp_path, spy, monkeypatch):
    site = tmp_path / "site"
    build(ws, site)
    assert sorted(spy["parsed"]) == ["alpha.journey.yaml", "beta.journey.yaml", "gamma.journey.yaml"]
    mtimes = {p: p.stat().st_mtime_ns for p in site.rglob("*.html")}
    spy["parsed"].clear(), spy["made"].clear()
    build(ws, site)
    assert spy == {"parsed": [], "made": []}
    assert {p: p.stat().st_mtime_ns for p in site.rglob("*.html")} == mtimes
    assert_fresh(ws, site, tmp_path, monkeypatch)


def test_an_edit_remakes_its_page_and_the_pages_that_show_it(ws, tmp_path, spy, monkeypatch):
    site = tmp_path / "site"
    build(ws, site)
    spy["parsed"].clear(), spy["made"].clear()
    # beta's page lists the journeys leading into it, by title: alpha's new title must show there.
    edit(ws / "alpha.journey.yaml", "title: Alpha lead to customer", "title: Alpha, renamed")
    build(ws, site)
    assert spy["parsed"] == ["alpha.journey.yaml", "beta.journey.yaml"]
    assert sorted(spy["made"]) == ["alpha", "beta"]
    assert "in Alpha, renamed</span>" in (site / "journeys" / "beta.html").read_text(encoding="utf-8")
    assert_fresh(ws, site, tmp_path, monkeypatch)


def test_a_new_owner_at_a_link_target_remakes_the_linking_page(ws, tmp_path, spy, monkeypatch):
    site = tmp_path / "site"
    build(ws, site)
    spy["made"].clear()
    # alpha hands over to beta/start: the owner of start decides alpha's cross-journey hand-off.
    text = (ws / "beta.journey.yaml").read_text(encoding="utf-8")
    start = text.index("- id: start")
    owner = text.index("owner: success", start)
    (ws / "beta.journey.yaml").write_text(text[:owner] + "owner: support" + text[owner + 14:], encoding="utf-8")
    build(ws, site)
    assert "alpha" in spy["made"] and "gamma" not in spy["made"]
    assert_fresh(ws, site, tmp_path, monkeypatch)


def test_renamed_deleted_broken_and_restored_files(ws, tmp_path, spy, monkeypatch):
    site = tmp_path / "site"
    build(ws, site)
    (ws / "gamma.journey.yaml").rename(ws / "a-gamma.journey.yaml")
    build(ws, site)
    assert "a-gamma.journey.yaml" in (site / "journeys" / "gamma.html").read_text(encoding="utf-8")
    assert_fresh(ws, site, tmp_path, monkeypatch)
    (ws / "beta.journey.yaml").unlink()  # alpha links into beta: its page now says beta is missing
    build(ws, site)
    assert not (site / "journeys" / "beta.html").exists()
    assert_fresh(ws, site, tmp_path, monkeypatch)
    original = (ws / "alpha.journey.yaml").read_text(encoding="utf-8")
    (ws / "alpha.journey.yaml").write_text(original + "  - [unclosed\n", encoding="utf-8")
    build(ws, site)
    assert (site / "journeys" / "invalid-alpha.html").exists()
    assert_fresh(ws, site, tmp_path, monkeypatch)
    (ws / "alpha.journey.yaml").write_text(original, encoding="utf-8")
    spy["made"].clear()
    build(ws, site)
    assert spy["made"] == []  # the page of that content is still cached
    assert_fresh(ws, site, tmp_path, monkeypatch)


def test_settings_that_change_the_output_are_never_served_stale(ws, tmp_path, monkeypatch):
    site = tmp_path / "site"
    build(ws, site)
    config = Config(root=ws, review_every="7d")  # review states (index and pages) depend on it
    build(ws, site, config)
    assert_fresh(ws, site, tmp_path, monkeypatch, config)
    build(ws, site, views=("map",))
    assert_fresh(ws, site, tmp_path, monkeypatch, views=("map",))
    monkeypatch.setenv("JOURNEYCTL_TODAY", "2027-06-01")  # every review is overdue a year later
    build(ws, site)
    assert_fresh(ws, site, tmp_path, monkeypatch)
    edit(ws / "shared.catalog.yaml", "name: Customer success", "name: Success team")
    build(ws, site)
    assert "Success team" in (site / "journeys" / "beta.html").read_text(encoding="utf-8")
    assert_fresh(ws, site, tmp_path, monkeypatch)


def test_a_damaged_cache_is_a_miss_never_a_crash(ws, tmp_path, spy, monkeypatch):
    site = tmp_path / "site"
    build(ws, site)
    db_path = tmp_path / "cache" / DB_NAME
    with sqlite3.connect(db_path) as db:  # a truncated record and a damaged page: both misses
        db.execute("UPDATE records SET value = substr(value, 1, length(value) / 2)")
        db.execute("UPDATE pages SET data = substr(data, 1, 10)")
    shutil.rmtree(site)
    spy["made"].clear()
    build(ws, site)
    assert sorted(spy["made"]) == ["alpha", "beta", "gamma"]
    assert_fresh(ws, site, tmp_path, monkeypatch)
    for suffix in ("-wal", "-shm"):
        Path(str(db_path) + suffix).unlink(missing_ok=True)
    db_path.write_bytes(db_path.read_bytes()[:1000])  # not a database any more
    build(ws, site)
    assert_fresh(ws, site, tmp_path, monkeypatch)
    db_path.write_bytes(b"garbage" * 100)
    build(ws, site)
    assert_fresh(ws, site, tmp_path, monkeypatch)


def test_a_page_changed_in_the_site_is_written_again_and_a_new_site_is_served_from_the_cache(
        ws, tmp_path, spy, monkeypatch):
    site = tmp_path / "site"
    build(ws, site)
    page = site / "journeys" / "alpha.html"
    page.write_text("edited by hand", encoding="utf-8")
    build(ws, site)
    assert_fresh(ws, site, tmp_path, monkeypatch)
    spy["parsed"].clear(), spy["made"].clear()
    other = tmp_path / "other"
    build(ws, other)  # a second site directory: pages come from the cache, nothing is parsed
    assert spy == {"parsed": [], "made": []}
    assert files(other) == files(site)


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed")
def test_with_diagrams_an_edit_remakes_its_page_and_the_page_linking_to_it(tmp_path, spy, monkeypatch):
    monkeypatch.setenv("JOURNEYCTL_TODAY", "2026-06-01")
    monkeypatch.setenv("JOURNEYCTL_CACHE_DIR", str(tmp_path / "cache"))
    ws = tmp_path / "ws"
    shutil.copytree(ROOT / "examples", ws)
    site = tmp_path / "site"
    build(ws, site, svg=True)
    spy["parsed"].clear(), spy["made"].clear()
    edit(ws / "support-renewal.journey.yaml", "title: ", "title: Edited ")
    build(ws, site, svg=True)
    # b2b's page names the support-renewal touchpoint it leads into "in <its journey's title>": remade too
    assert sorted(spy["parsed"]) == ["b2b-lead-to-customer.journey.yaml", "support-renewal.journey.yaml"]
    assert sorted(spy["made"]) == ["b2b-lead-to-customer", "support-renewal"]
    assert_fresh(ws, site, tmp_path, monkeypatch, svg=True)


def test_the_cache_is_pruned_and_bounded(tmp_path, monkeypatch):
    import journeyctl.site.page_cache as page_cache

    cache = PageCache(tmp_path)
    for n in range(30):
        cache.put(f"k{n:02d}", {"n": n}, f"page {n % 3}".encode())
    cache.close(files=0)
    with sqlite3.connect(tmp_path / DB_NAME) as db:
        assert db.execute("SELECT count(*) FROM records").fetchone() == (30,)
        db.execute("UPDATE records SET used = used - ? WHERE key < 'k10'", (page_cache.KEEP_DAYS * 86400 + 60,))
    cache = PageCache(tmp_path)
    assert len(cache.records([f"k{n:02d}" for n in range(30)])) == 30
    cache.put("new", {"n": -1}, b"a new page")
    cache.close(files=0)
    with sqlite3.connect(tmp_path / DB_NAME) as db:
        keys = [k for (k,) in db.execute("SELECT key FROM records ORDER BY key")]
        pages = db.execute("SELECT count(*) FROM pages").fetchone()[0]
    assert keys == sorted([f"k{n:02d}" for n in range(10, 30)] + ["new"])  # unused for a week: gone
    assert pages == 4  # the three shared pages and the new one; none without a record
    monkeypatch.setattr(page_cache.PageCache, "_prune", staticmethod(
        lambda db, now, files, real=page_cache.PageCache._prune: real(db, now, files - 250)))
    cache = PageCache(tmp_path)
    cache.put("newest", {"n": -2}, b"page 0")
    cache.close(files=0)  # cap: 4 x files + 1000 records, here 0 (files - 250 = -250)
    with sqlite3.connect(tmp_path / DB_NAME) as db:
        assert db.execute("SELECT count(*) FROM records").fetchone()[0] == 0
        assert db.execute("SELECT count(*) FROM pages").fetchone()[0] == 0


def test_every_question_a_page_may_ask_is_recorded():
    """A journey page reads the workspace only through PageContext's methods, and the Recorder answers
    each of them; a method added to one and not the other would let a page go stale silently."""
    asked = {name for name in vars(PageContext) if not name.startswith("_") and callable(getattr(PageContext, name))}
    recorded = {name for name in vars(Recorder) if not name.startswith("_")}
    assert asked == recorded
    assert not hasattr(Recorder(None), "index") and not hasattr(Recorder(None), "stats")


def test_statistics_from_cached_contributions_equal_those_counted_from_the_models():
    """The site counts every journey through its JSON contribution (cached or fresh); `add` on the models
    must give the same report, so the matrices page is what it was before the cache."""
    import json

    from journeyctl.analysis.stats import StatsBuilder, load_file, workspace_files

    for workspace in (FIXTURE, ROOT / "examples"):
        config = Config(root=workspace)
        direct, merged = StatsBuilder(), StatsBuilder()
        loaded = [load_file(p, config) for p in workspace_files([workspace], config)[0]]
        assert all(f.journey is not None for f in loaded)
        for f in loaded:
            direct.add(f.journey, f.display, f.doc)
            merged.merge(json.loads(json.dumps(StatsBuilder.contribution(f.journey, f.display, f.doc))))
        assert merged.owners == direct.owners
        assert merged.finish() == direct.finish()


@pytest.mark.parametrize("given", [".", "a", "a/b.journey.yaml", "./a/./b", "a//b", "a/b/", "a/../b", "../x",
                                   "/tmp/x", "__CWD__/q", "__CWD__"])
def test_display_paths_of_relative_paths_take_the_short_way_to_the_same_answer(given):
    """The docs build names each file twice (check pass, cache key); relative paths skip abspath/relpath."""
    from journeyctl.check.files import _nameable, display_path

    path = Path(given.replace("__CWD__", os.getcwd()))
    absolute, cwd = os.path.abspath(path), os.getcwd()
    if absolute == cwd or not absolute.startswith(cwd.rstrip(os.sep) + os.sep):
        expected = _nameable(path.as_posix())
    else:
        expected = _nameable(Path(os.path.relpath(absolute, cwd)).as_posix())
    assert display_path(path) == expected


def test_a_file_name_that_is_not_utf8_is_cached_like_any_other(ws, tmp_path, spy, monkeypatch):
    odd = os.path.join(os.fsencode(ws), b"odd\xff.journey.yaml")
    with open(odd, "wb") as handle:
        handle.write((ws / "gamma.journey.yaml").read_bytes().replace(b"id: gamma", b"id: odd", 1))
    site = tmp_path / "site"
    build(ws, site)
    spy["parsed"].clear(), spy["made"].clear()
    build(ws, site)
    assert spy == {"parsed": [], "made": []}
    assert_fresh(ws, site, tmp_path, monkeypatch)
