"""`journeyctl docs`: pages, links, escaping, determinism, output directory handling, SVG vetting."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeyctl.check.pipeline import check_paths
from journeyctl.cli import app
from journeyctl.config import Config
from journeyctl.site import SiteError, SiteOptions, build_site
from journeyctl.site.views import ViewRenderer, safe_svg
from helpers.site_harness import broken_links, parse

FIXTURE = Path(__file__).parents[1] / "fixtures" / "workspace_stats"
ROOT = Path(__file__).parents[2]
TODAY = "2026-06-01"
runner = CliRunner()


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch):
    monkeypatch.setenv("JOURNEYCTL_TODAY", TODAY)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    old = os.environ.get("JOURNEYCTL_TODAY")
    os.environ["JOURNEYCTL_TODAY"] = TODAY
    try:
        build_site([FIXTURE], Config(), SiteOptions(out, svg=False))
    finally:
        if old is None:
            del os.environ["JOURNEYCTL_TODAY"]
        else:
            os.environ["JOURNEYCTL_TODAY"] = old
    return out


def read(site: Path, rel: str) -> str:
    return (site / rel).read_text(encoding="utf-8")


def workspace(tmp_path: Path, *extra: tuple[str, str]) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    for f in FIXTURE.glob("*.yaml"):
        shutil.copy(f, ws / f.name)
    for name, text in extra:
        (ws / name).write_text(text, encoding="utf-8")
    return ws


def test_every_journey_has_a_page_and_an_index_row(site):
    files = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    assert files == [".journeyctl-site", "catalog.html", "index.html", "journeys/alpha.html",
                     "journeys/beta.html", "journeys/gamma.html", "matrices.html"]
    rows = parse(read(site, "index.html")).rows
    assert [r.attrs["data-slug"] for r in rows] == ["alpha", "beta", "gamma"]  # sorted by title
    assert read(site, ".journeyctl-site").splitlines()[1:] == files[1:]


def test_all_links_resolve(site):
    assert broken_links(site) == []


@pytest.mark.parametrize("slug, status, state, stale", [
    ("alpha", "active", "current", "1"),   # reviewed 2026-01-10, every 90d: overdue since April
    ("beta", "draft", "future", "1"),      # 2025-01-01 with the default 180d
    ("gamma", "retired", "current", "0"),  # 2026-03-01 + 180d: fresh on 2026-06-01
])
def test_index_rows(site, slug, status, state, stale):
    row = next(r for r in parse(read(site, "index.html")).rows if r.attrs["data-slug"] == slug)
    assert (row.attrs["data-status"], row.attrs["data-state"], row.attrs["data-stale"]) == (status, state, stale)
    assert slug in row.attrs["data-search"]


def test_index_counts_findings_like_validate(site):
    result = check_paths([FIXTURE], Config())
    expected = {}
    for r in result.files:
        if r.path.endswith(".journey.yaml"):
            counts = [sum(1 for f in r.findings if f.severity == s) for s in ("error", "warning", "info")]
            expected[Path(r.path).name.split(".")[0]] = counts
    html = read(site, "index.html")
    for row in parse(html).rows:
        slug = row.attrs["data-slug"]
        cells = html.split(f'data-slug="{slug}"', 1)[1].split("</tr>", 1)[0]
        numbers = [int(part.split('"', 1)[0]) for part in cells.split('data-sort="')[-3:]]
        assert numbers == expected[slug], slug
    assert expected["alpha"][0] >= 1  # missing-handoff at least


def test_journey_page_sections(site):
    html = read(site, "journeys/alpha.html")
    page = parse(html)
    for anchor in ("views", "personas", "stages", "handoffs", "pain-points", "findings", "leads-into", "coverage",
                   "tp-ad", "tp-landing", "tp-won", "view-map", "view-blueprint", "view-emotion"):
        assert anchor in page.ids, anchor
    assert "<strong>24h</strong>" in html                                     # declared hand-off SLA
    assert "The form asks for too much" in html and "Ask for the e-mail address only" in html
    assert 'href="beta.html#tp-start"' in html                                 # leads into beta
    assert 'href="../catalog.html#metric-conversion"' in html
    assert "(target 4.5 % \u2191)" in html
    assert "<h3>Missing hand-offs (2)</h3>" in html
    # The finding and the line it points at.
    assert "missing-handoff" in html
    assert '<td>28:18</td>' in html
    assert '<code class="src">          - {to: call, rate: 0.2}</code>' in html
    # No dot/render: a placeholder and the Mermaid source.
    assert "Diagram not rendered." in html and '<pre class="mermaid-source">flowchart LR' in html


def test_incoming_links(site):
    html = read(site, "journeys/beta.html")
    assert "<h3>Journeys leading here</h3>" in html
    assert 'href="alpha.html#tp-won"' in html


def test_workspace_pages(site):
    matrices = read(site, "matrices.html")
    assert "2 (1 missing)" in matrices
    assert "<h2 id=\"missing\">Missing hand-offs (3)</h2>" in matrices
    catalog = read(site, "catalog.html")
    page = parse(catalog)
    assert {"persona-p1", "team-marketing", "channel-web", "metric-conversion"} <= page.ids
    assert "\u2191 higher is better" in catalog and "\u2193 lower is better" in catalog
    p1 = catalog.split('id="persona-p1"', 1)[1].split("</tr>", 1)[0]
    assert 'data-count="2"' in p1  # alpha and beta serve p1
    p2 = catalog.split('id="persona-p2"', 1)[1].split("</tr>", 1)[0]
    assert 'data-count="3"' in p2


def test_scripts_and_csp(site):
    for path in site.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        page = parse(html)
        assert page.scripts == (1 if path.name == "index.html" else 0), path
        assert "default-src &#x27;none&#x27;" in html  # the CSP, attribute-escaped
        assert "http://" not in html.split("</head>")[0] and "https://" not in html.split("</head>")[0]


HOSTILE = """\
journeyctl: 1
id: hostile
title: "<script>alert(1)</script>"
description: "\\"><img src=x onerror=alert(2)>"
owner: sales
tags: ["<b>bold</b>"]
links:
  - {title: "<script>alert(8)</script>", url: "https://example.com/?a=1&b=2"}
personas:
  - id: evil
    name: "</td><script>alert(3)</script>"
    goals: ["<iframe src=//evil.example>"]
stages:
  - id: s
    name: "<svg onload=alert(4)>"
    goal: "& ampersand <i>"
    customer: {feels: "<style>body{display:none}</style>"}
    touchpoints:
      - id: t
        name: "<a href=javascript:alert(5)>x</a>"
        entry: true
        owner: sales
        personas: [evil]
        pain_points: ["<script>alert(6)</script>"]
        opportunities: ["' onmouseover='alert(7)"]
        outcome: converted
"""


def test_user_text_is_escaped_everywhere(tmp_path):
    ws = workspace(tmp_path, ("hostile.journey.yaml", HOSTILE))
    out = tmp_path / "site"
    build_site([ws], Config(), SiteOptions(out, svg=False))
    index = read(out, "index.html")
    page = read(out, "journeys/hostile.html")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in index
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;" in page
    assert "&lt;a href=javascript:alert(5)&gt;x&lt;/a&gt;" in page
    assert "&#x27; onmouseover=&#x27;alert(7)" in page
    for path in out.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        for raw in ("<script>alert", "<img", "<iframe", "<svg onload", "<b>bold", "<i>", "<a href=javascript",
                    "<style>body", "</td><script"):
            assert raw not in html, (path.name, raw)
        assert parse(html).scripts == (1 if path.name == "index.html" else 0)
    assert broken_links(out) == []


def test_deterministic_across_processes_and_hash_seeds(tmp_path):
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"site{seed}"
        env = dict(os.environ, PYTHONHASHSEED=seed, JOURNEYCTL_TODAY=TODAY)
        done = subprocess.run([sys.executable, "-m", "journeyctl", "docs", "tests/fixtures/workspace_stats",
                               "-o", str(out), "--no-svg"], cwd=ROOT, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        outs.append(out)
    files = [sorted(p.relative_to(o).as_posix() for p in o.rglob("*") if p.is_file()) for o in outs]
    assert files[0] == files[1] and len(files[0]) == 7
    for rel in files[0]:
        assert (outs[0] / rel).read_bytes() == (outs[1] / rel).read_bytes(), rel


def test_rebuild_is_stable_and_prunes_removed_journeys(tmp_path):
    ws = workspace(tmp_path)
    out = tmp_path / "site"
    build_site([ws], Config(), SiteOptions(out, svg=False))
    before = {p: p.read_bytes() for p in out.rglob("*.html")}
    mtimes = {p: p.stat().st_mtime_ns for p in before}
    (out / "notes.txt").write_text("mine", encoding="utf-8")   # not ours: must survive
    build_site([ws], Config(), SiteOptions(out, svg=False))
    assert {p: p.read_bytes() for p in out.rglob("*.html")} == before
    assert {p: p.stat().st_mtime_ns for p in before} == mtimes  # unchanged files are not rewritten
    (ws / "gamma.journey.yaml").unlink()
    result = build_site([ws], Config(), SiteOptions(out, svg=False))
    assert result.removed == ["journeys/gamma.html"]
    assert not (out / "journeys" / "gamma.html").exists()
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert broken_links(out) == []


def test_refuses_a_foreign_non_empty_directory(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.tex").write_text("x", encoding="utf-8")
    with pytest.raises(SiteError, match="not empty and was not made by 'journeyctl docs'"):
        build_site([FIXTURE], Config(), SiteOptions(out, svg=False))
    result = runner.invoke(app, ["docs", str(FIXTURE), "-o", str(out), "--no-svg"])
    assert result.exit_code == 2
    assert "--force" in result.stderr
    result = runner.invoke(app, ["docs", str(FIXTURE), "-o", str(out), "--no-svg", "--force"])
    assert result.exit_code == 0, result.stderr
    assert (out / "index.html").is_file() and (out / "thesis.tex").is_file()


def test_invalid_file_gets_a_page_with_its_findings(tmp_path):
    ws = workspace(tmp_path, ("broken.journey.yaml", "journeyctl: 1\nid: broken\nstages: [\n"))
    out = tmp_path / "site"
    result = build_site([ws], Config(), SiteOptions(out, svg=False))
    assert (result.journeys, result.invalid) == (3, 1)
    html = read(out, "journeys/invalid-broken.html")
    assert "not a valid journey" in html and "yaml-syntax" in html
    row = next(r for r in parse(read(out, "index.html")).rows if r.attrs["data-slug"] == "invalid-broken")
    assert row.attrs["data-status"] == "invalid"
    assert broken_links(out) == []


def test_cli_prints_where_to_open(tmp_path):
    out = tmp_path / "site"
    result = runner.invoke(app, ["docs", str(FIXTURE), "-o", str(out), "--no-svg"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1] == f"open {(out / 'index.html').as_posix()}"
    assert "for 3 journeys" in result.stdout


@pytest.mark.parametrize("args, code, text", [
    (["--views", "map,radar"], 2, "unknown view 'radar'"),
    (["--views", "none"], 0, ""),
])
def test_cli_views_option(tmp_path, args, code, text):
    result = runner.invoke(app, ["docs", str(FIXTURE), "-o", str(tmp_path / "s"), "--no-svg", *args])
    assert result.exit_code == code
    assert text in result.stderr
    if code == 0:
        assert "No views were requested" in read(tmp_path / "s", "journeys/alpha.html")


def test_no_journeys_is_exit_2(tmp_path):
    result = runner.invoke(app, ["docs", str(tmp_path), "-o", str(tmp_path / "s")])
    assert result.exit_code == 2
    assert "no journey files found" in result.stderr


# --------------------------------------------------------------------------------------------------
# SVG vetting and the render adapter

GRAPHVIZ = ('<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
            '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
            "<!-- Generated by graphviz -->\n"
            '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="8pt">'
            '<g id="graph0"><title>j</title><a xlink:href="https://example.com/x"><text>&lt;b&gt;</text></a>'
            '<path fill="url(#grad)" d="M0 0"/></g></svg>')


@pytest.mark.parametrize("svg, ok", [
    (GRAPHVIZ, True),
    ('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', False),
    ('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', False),
    ('<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><div/></foreignObject></svg>', False),
    ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
     '<a x:href="javascript:alert(1)"><text>x</text></a></svg>', False),
    ('<svg xmlns="http://www.w3.org/2000/svg"><image href="http://evil.example/p.png"/></svg>', False),
    ('<svg xmlns="http://www.w3.org/2000/svg"><style>rect{fill:url(http://evil.example/x)}</style></svg>', False),
    ('<svg xmlns="http://www.w3.org/2000/svg"><style>@import "x.css";</style></svg>', False),
    ('<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:url(https://evil.example)"/></svg>', False),
    ('<svg xmlns="http://www.w3.org/2000/svg"><set attributeName="href" to="javascript:x"/></svg>', False),
    ('<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>', False),
    ("<svg><unclosed></svg>", False),
    ('<html xmlns="http://www.w3.org/1999/xhtml"/>', False),
])
def test_safe_svg(svg, ok):
    result = safe_svg(svg)
    assert (result is not None) is ok
    if ok:
        assert result.startswith("<svg") and "<?xml" not in result and "DOCTYPE" not in result


def test_renderer_inlines_only_safe_svg(monkeypatch, tmp_path):
    def fake_render(journey, view, fmt, **_):
        if fmt == "mermaid":
            return f"flowchart LR\n  %% {view} of {journey.id}"  # emotion asks for Mermaid's "journey" view
        if view == "map":
            return GRAPHVIZ.encode("utf-8")
        if view == "blueprint":
            return '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
        raise RuntimeError("dot crashed")

    monkeypatch.setattr("journeyctl.site.views._render_function", lambda: fake_render)
    monkeypatch.setattr("journeyctl.site.views._dot_available", lambda: True)
    assert ViewRenderer(svg=True).svg_enabled
    assert not ViewRenderer(svg=False).svg_enabled
    out = tmp_path / "site"
    result = build_site([FIXTURE], Config(), SiteOptions(out))
    assert result.svg
    html = read(out, "journeys/alpha.html")
    map_view = html.split('id="view-map"', 1)[1].split("</details>", 1)[0]
    blueprint = html.split('id="view-blueprint"', 1)[1].split("</details>", 1)[0]
    emotion = html.split('id="view-emotion"', 1)[1].split("</details>", 1)[0]
    # Keyboard-scrollable and named figure, the SVG one image with an accessible name (axe-core).
    assert re.search(r'<div class="figure fit" tabindex="0" role="group" aria-label="[^"]+ \(scrollable\)">'
                     r'<svg role="img" aria-label="[^"]+" xmlns="http://www.w3.org/2000/svg"', map_view)
    # The blueprint has no Mermaid form in render: the built-in lane sketch stands in.
    assert "did not parse as plain SVG" in blueprint and "subgraph frontstage" in blueprint
    assert "<script" not in blueprint
    assert "RuntimeError: dot crashed" in emotion and "%% journey of alpha" in emotion
    from journeyctl.site.assets import ZOOM_JS

    assert parse(html).scripts == 1 and f"<script>{ZOOM_JS}</script>" in html  # ours only: zoom and pan


def test_an_interrupted_first_build_is_recovered_by_the_next(tmp_path, monkeypatch):
    """Issue 22 item 10: Ctrl-C during the first build used to leave a directory every later build refused."""
    from journeyctl.site import build as site_build

    out = tmp_path / "site"
    real_write = site_build._Writer.write
    count = {"n": 0}

    def interrupted(self, rel, text):
        count["n"] += 1
        if count["n"] == 4:
            raise KeyboardInterrupt
        real_write(self, rel, text)

    monkeypatch.setattr(site_build._Writer, "write", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build_site([FIXTURE], Config(), SiteOptions(out, svg=False))
    assert any(p.is_file() and p.name != ".journeyctl-site" for p in out.rglob("*"))
    (out / "journeys" / "left-over.html").write_text("from the interrupted build", encoding="utf-8")
    monkeypatch.setattr(site_build._Writer, "write", real_write)
    build_site([FIXTURE], Config(), SiteOptions(out, svg=False))
    assert (out / "index.html").is_file()
    assert not (out / "journeys" / "left-over.html").exists()
    assert "in progress" not in (out / ".journeyctl-site").read_text(encoding="utf-8")
