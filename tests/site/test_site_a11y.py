"""Every page of the docs site in headless Chromium under axe-core: no serious or critical violation.

axe-core is the pinned npm package (tests/node, `node_clients.node_modules()`). Chromium is driven from the
command line as in test_site_browser.py: each page is copied beside itself with axe and a small runner
inlined (the copy drops the page's Content-Security-Policy, which would rightly refuse them), and
`--dump-dom` after a virtual-time budget returns the DOM with the runner's verdict in it.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from journeyctl.config import Config
from journeyctl.site import SiteOptions, build_site
from helpers.node_clients import node_modules
from helpers.site_harness import Chromium, find_chromium

ROOT = Path(__file__).resolve().parents[2]
BINARY = find_chromium()
pytestmark = pytest.mark.skipif(BINARY is None, reason="chromium is not installed (apt-get install chromium)")

RUNNER = """
<script>
axe.run(document, {resultTypes: ["violations"]}).then(function (result) {
  var bad = result.violations.filter(function (v) { return v.impact === "serious" || v.impact === "critical"; })
    .map(function (v) { return {id: v.id, impact: v.impact, help: v.help,
                                nodes: v.nodes.slice(0, 5).map(function (n) { return n.target.join(" "); })}; });
  var out = document.createElement("pre");
  out.id = "axe-verdict";
  out.textContent = JSON.stringify(bad);
  document.body.appendChild(out);
});
</script>
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("a11y") / "site"
    build_site([ROOT / "examples"], Config(), SiteOptions(out))
    return out


def verdict(browser: Chromium, page: Path, axe: str) -> list[dict]:
    html = page.read_text(encoding="utf-8")
    html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html)
    html = html.replace("</body>", f"<script>{axe}</script>{RUNNER}</body>")
    probe = page.with_name(page.stem + ".axe-probe.html")
    probe.write_text(html, encoding="utf-8")
    done = browser._run("--virtual-time-budget=30000", "--dump-dom", probe.resolve().as_uri(), timeout=120)
    probe.unlink()
    match = re.search(r'<pre id="axe-verdict">(.*?)</pre>', done.stdout.decode("utf-8"), re.S)
    assert match, f"axe did not finish on {page.name}: {done.stderr.decode()[-1500:]}"
    import html as html_module

    return json.loads(html_module.unescape(match.group(1)))


def test_no_serious_or_critical_axe_violation_on_any_page(site, tmp_path):
    axe = (node_modules() / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
    browser = Chromium(BINARY, tmp_path / "profile")
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 5
    found = {}
    for page in pages:
        bad = verdict(browser, page, axe)
        if bad:
            found[str(page.relative_to(site))] = bad
    assert not found, json.dumps(found, indent=1)[:6000]


@pytest.fixture(scope="module")
def browser(tmp_path_factory) -> Chromium:
    assert BINARY is not None
    return Chromium(BINARY, tmp_path_factory.mktemp("chromium-profile"))


@pytest.mark.parametrize("query, visible", [
    ("webinar", ["b2b-lead-to-customer"]),  # a touchpoint's name (issue 18: found nothing)
    ("blisters", ["ecommerce-awareness-to-advocacy"]),  # a persona's goal
    ("friend-referral", ["ecommerce-awareness-to-advocacy"]),  # a touchpoint id
    ("Retail%20stores", ["ecommerce-awareness-to-advocacy"]),  # a team's name, not its id
])
def test_full_text_search_works_from_file_urls(site, browser, query, visible):
    from helpers.site_harness import parse

    page = parse(browser.dump_dom((site / "index.html").resolve().as_uri() + f"?q={query}"))
    assert [r.attrs["data-slug"] for r in page.rows if not r.hidden] == visible


def test_index_shows_owner_names_and_diagrams_get_zoom_controls(site, browser):
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "Marketing and e-commerce (campaigns, web shop, CRM email)" in index
    dom = browser.dump_dom((site / "journeys" / "ecommerce-awareness-to-advocacy.html").resolve().as_uri())
    assert dom.count('class="zoombar"') >= 1 and "Fit width" in dom and "fitted to the width" in dom


def test_journey_pages_show_funnel_figures_with_names(site):
    import yaml

    from journeyctl.analysis.funnel import analyse_funnel
    from journeyctl.format.model import Journey
    from journeyctl.render.palette import percent

    journey = Journey.model_validate(yaml.safe_load(
        (ROOT / "examples" / "ecommerce-awareness-to-advocacy.journey.yaml").read_text(encoding="utf-8")))
    report = analyse_funnel(journey)
    html = (site / "journeys" / "ecommerce-awareness-to-advocacy.html").read_text(encoding="utf-8")
    section = html.split('<h2 id="funnel">Funnel</h2>')[1].split("<h2")[0]
    assert f"<b>{percent(report.combined.conversion)}</b><span>convert</span>" in section
    top_leak = report.combined.leaks[0][0]
    name = next(tp.label for _, tp in journey.touchpoints() if tp.id == top_leak)
    import html as html_module

    assert html_module.escape(name) in section and f">{top_leak}<" not in section
