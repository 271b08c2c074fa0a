"""The docs site in a real browser: headless Chromium loads it from file://, runs the filter script
under the page's Content-Security-Policy, and takes screenshots.

Skipped when Chromium is not installed (Debian: apt-get install chromium). Set
JOURNEYCTL_SCREENSHOTS=<dir> to keep the screenshots for a look.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from journeyctl.config import Config
from journeyctl.site import SiteOptions, build_site
from helpers.site_harness import Chromium, find_chromium, parse, png_size

FIXTURE = Path(__file__).parents[1] / "fixtures" / "workspace_stats"
BINARY = find_chromium()

pytestmark = pytest.mark.skipif(BINARY is None, reason="chromium is not installed (apt-get install chromium)")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("browser") / "site"
    old = os.environ.get("JOURNEYCTL_TODAY")
    os.environ["JOURNEYCTL_TODAY"] = "2026-06-01"
    try:
        build_site([FIXTURE], Config(), SiteOptions(out))
    finally:
        if old is None:
            del os.environ["JOURNEYCTL_TODAY"]
        else:
            os.environ["JOURNEYCTL_TODAY"] = old
    return out


@pytest.fixture(scope="module")
def browser(tmp_path_factory) -> Chromium:
    assert BINARY is not None
    return Chromium(BINARY, tmp_path_factory.mktemp("chromium-profile"))


def index_url(site: Path, query: str = "") -> str:
    return (site / "index.html").resolve().as_uri() + query


@pytest.mark.parametrize("query, visible, order, count", [
    ("", ["alpha", "beta", "gamma"], ["alpha", "beta", "gamma"], "3 of 3 journeys shown"),
    ("?q=BETA", ["beta"], ["alpha", "beta", "gamma"], "1 of 3 journeys shown"),          # case-insensitive
    ("?q=b2b%20alpha", ["alpha"], ["alpha", "beta", "gamma"], "1 of 3 journeys shown"),  # every term must match
    ("?status=retired", ["gamma"], ["alpha", "beta", "gamma"], "1 of 3 journeys shown"),
    ("?stale=1&sort=touchpoints&dir=asc", ["beta", "alpha"], ["gamma", "beta", "alpha"], "2 of 3 journeys shown"),
])
def test_filter_and_sort_run_in_the_browser(site, browser, query, visible, order, count):
    page = parse(browser.dump_dom(index_url(site, query)))
    assert [r.attrs["data-slug"] for r in page.rows] == order
    assert [r.attrs["data-slug"] for r in page.rows if not r.hidden] == visible
    # The count is only written by the script: proof that the CSP hash let it run.
    assert page.texts["count"] == count


def test_links_in_the_rendered_dom_resolve(site, browser):
    for rel in ("index.html", "journeys/alpha.html"):
        url = (site / rel).resolve().as_uri()
        page = parse(browser.dump_dom(url))
        local = [link for link in page.links if not link.startswith(("http://", "https://"))]
        assert len(local) >= 5, rel
        for link in local:
            parts = urlsplit(link)
            target = (site / rel).parent / unquote(parts.path) if parts.path else site / rel
            assert target.resolve().is_file(), (rel, link)
    index = parse(browser.dump_dom(index_url(site)))
    assert {"journeys/alpha.html", "journeys/beta.html", "journeys/gamma.html"} <= set(index.links)


@pytest.mark.parametrize("rel, height", [("index.html", 900), ("journeys/alpha.html", 2400)])
def test_screenshots(site, browser, tmp_path, rel, height):
    png = tmp_path / (rel.replace("/", "-") + ".png")
    browser.screenshot((site / rel).resolve().as_uri(), png, 1280, height)
    assert png_size(png) == (1280, height)
    # A blank or error page compresses to a few KB; a rendered page with tables and text does not.
    assert png.stat().st_size > 30_000
    keep = os.environ.get("JOURNEYCTL_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(png, Path(keep) / png.name)
