"""Where `render` puts its diagrams when things are awkward (issues 14 and 22): a funnel that cannot be
computed for one journey, two diagrams that would share a file name, SVG asked for on a terminal, and
no network at any point."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from journeyctl.cli import app

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "fixtures" / "render" / "small.journey.yaml"
runner = CliRunner()
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed")


def run(*args: str):
    return runner.invoke(app, ["render", *args], env={"NO_COLOR": "1"})


def journey(path: Path, jid: str, *, entry: bool = True) -> Path:
    data = {"journeyctl": 1, "id": jid, "title": jid, "stages": [{"id": "s", "touchpoints": [
        {"id": "a", "entry": entry, **({"share": 1.0} if entry else {}), "next": [{"to": "b", "rate": 0.5}]},
        {"id": "b", "outcome": "converted"}]}]}
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_funnel_renders_every_journey_it_can_and_reports_the_rest(tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    journey(ws / "a.journey.yaml", "a-first", entry=False)  # sorted first: used to stop the whole run
    journey(ws / "b.journey.yaml", "b-second")
    journey(ws / "c.journey.yaml", "c-third")
    out = tmp_path / "out"
    result = run(str(ws), "--view", "funnel", "--format", "dot", "-o", f"{out}/")
    assert result.exit_code == 1, result.output
    assert sorted(p.name for p in out.iterdir()) == ["b-second.funnel.dot", "c-third.funnel.dot"]
    assert "a-first" in result.stderr and "not rendered" in result.stderr
    assert "1 of 3 diagrams not rendered" in result.stderr
    assert "Traceback" not in result.output


def test_two_diagrams_for_one_file_are_refused_before_anything_is_written(tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    journey(ws / "a.journey.yaml", "a")
    journey(ws / "b.journey.yaml", "a.blueprint")
    out = tmp_path / "out"
    result = run(str(ws), "--view", "map", "--view", "blueprint", "--format", "dot", "-o", f"{out}/")
    assert result.exit_code == 2
    assert "a.blueprint.dot: both the blueprint view of" in result.stderr
    assert "and the map view of" in result.stderr and "rename one of the journey ids" in result.stderr
    assert not out.exists() or not any(out.iterdir())


@needs_dot
def test_svg_on_a_terminal_is_written_beside_the_journey(tmp_path):
    import pty

    copy = tmp_path / "small.journey.yaml"
    copy.write_text(SMALL.read_text(encoding="utf-8"), encoding="utf-8")
    main, secondary = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    done = subprocess.run([sys.executable, "-m", "journeyctl", "render", str(copy)], stdout=secondary,
                          stderr=subprocess.PIPE, env=env, timeout=120)
    os.close(secondary)
    screen = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:
            break
        if not chunk:
            break
        screen += chunk
    os.close(main)
    assert done.returncode == 0, done.stderr
    target = tmp_path / "small-trial.svg"
    assert target.is_file() and b"<svg" in target.read_bytes()
    assert b"<svg" not in screen and b"wrote" in screen
    assert b"-o FILE" in done.stderr
    # Piped, the SVG still goes to stdout as before.
    piped = subprocess.run([sys.executable, "-m", "journeyctl", "render", str(copy)], capture_output=True,
                           env=env, timeout=120)
    assert piped.returncode == 0 and b"<svg" in piped.stdout


NO_NETWORK = """
import socket, sys
def refuse(*args, **kwargs):
    raise OSError("network use refused by the test")
socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse
from journeyctl.__main__ import main
sys.argv = ["journeyctl", *sys.argv[1:]]
main()
"""

# Anything a viewer would fetch: scripts, styles, images, fonts, frames, imports from another host.
_FETCH = re.compile(r"""(?:\bsrc|xlink:href|@import|url\()\s*=?\s*["'(]?\s*(?:https?:)?//""", re.I)
_LINKED = re.compile(r"""<link\b[^>]*href\s*=\s*["']?(?:https?:)?//""", re.I)


@needs_dot
def test_rendering_and_the_docs_site_never_need_the_network(tmp_path):
    ws = tmp_path / "ws"
    shutil.copytree(ROOT / "examples", ws)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    out = tmp_path / "out"
    commands = [["render", str(ws), "-o", f"{out}/", "--view", "map", "--view", "blueprint", "--view", "emotion"],
                ["render", str(ws), "-o", f"{out}/", "--format", "mermaid", "--view", "map", "--view", "journey"],
                ["render", str(ws), "-o", f"{out}/", "--format", "md"],
                ["docs", str(ws), "-o", str(tmp_path / "site")]]
    for command in commands:
        done = subprocess.run([sys.executable, "-c", NO_NETWORK, *command], capture_output=True, env=env,
                              timeout=300)
        assert done.returncode in (0, 1), (command, done.stderr[-2000:])
        assert b"network use refused" not in done.stderr
    files = [p for p in list(out.rglob("*")) + list((tmp_path / "site").rglob("*")) if p.is_file()]
    assert len(files) > 20
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert not _FETCH.search(text) and not _LINKED.search(text), (path.name, (_FETCH.search(text) or _LINKED.search(text)).group(0))


@needs_dot
def test_graphviz_escapes_in_user_text_stay_literal_in_svg_tooltips():
    """Issue 22 item 16: `\\N`, `\\G`, `\\L` in a description became the node's name, the graph's, the label."""
    from journeyctl.format.model import Journey
    from journeyctl.render import render

    text = r"C:\new\N \G \L \E \T \H \l \r \n \\ end\\"
    data = {"journeyctl": 1, "id": "esc", "title": "t", "stages": [{"id": "s", "goal": text, "touchpoints": [
        {"id": "a", "name": "A", "description": text, "next": [{"to": "b", "when": text}]}, {"id": "b", "name": "B"}]}]}
    svg = render(Journey.model_validate(data), "map", "svg")
    import html as html_module

    tooltips = [html_module.unescape(t) for t in re.findall(r'xlink:title="([^"]*)"', svg)]
    assert f"A — {text}" in tooltips  # the card
    assert f"s: {text}" in tooltips  # the stage
    assert f"A → B: {text}" in tooltips  # the transition
    assert not any("journey" in t or "n0" in t for t in tooltips), tooltips


def test_docs_html_drops_control_characters_and_shows_bidi_overrides(tmp_path):
    """Issue 22 item 16: raw NUL/ESC/BEL/C1/U+FFFE reached the docs HTML; U+202E passed in silently."""
    from journeyctl.config import Config
    from journeyctl.site import SiteOptions, build_site

    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "odd.journey.yaml").write_text(
        'journeyctl: 1\nid: odd\ntitle: "Bell\\a nul\\0 esc\\e[31m red c1\\x9b nonchar\\uFFFE rlo \\u202Etxt.exe"\n'
        'description: "isolate \\u2066x\\u2069 and \\u200F"\n'
        'stages:\n  - id: s\n    touchpoints:\n      - {id: a, name: "tp \\u202E gnp.exe", entry: true}\n',
        encoding="utf-8")
    out = tmp_path / "site"
    build_site([ws], Config(), SiteOptions(out, svg=False))
    pages = [p for p in out.rglob("*.html")]
    assert pages
    everything = "".join(p.read_text(encoding="utf-8") for p in pages)
    assert "odd" in everything and "⟨U+202E⟩txt.exe" in everything and "⟨U+2066⟩x⟨U+2069⟩" in everything
    for bad in ("\x00", "\x07", "\x1b", "\x9b", "\ufffe", "\u202e", "\u2066", "\u200f"):
        assert bad not in everything, repr(bad)
    assert "esc red" in everything  # the ANSI sequence removed whole, as the renders do
