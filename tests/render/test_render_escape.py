"""Hostile labels through every format: they must come out as text, never as structure or markup."""

from __future__ import annotations

import re
import shutil
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from journeyctl.render import render, to_dot
from journeyctl.render.escape import clean, html, journey_text, markdown, mermaid_label, one_line, safe_url, wrap

FIXTURES = Path(__file__).parents[1] / "fixtures" / "render"
sys.path.insert(0, str(FIXTURES))
from hostile import HOSTILE, hostile_journey  # noqa: E402

sys.path.remove(str(FIXTURES))

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed")
SVG = "{http://www.w3.org/2000/svg}"
# Everything Graphviz's SVG renderer emits for our diagrams; an <image>, <script> or <foreignObject>
# would mean a label became markup.
SVG_TAGS = {"svg", "g", "title", "polygon", "polyline", "path", "ellipse", "text", "a"}
PASSWD = Path("/etc/passwd").read_text().splitlines()[0] if Path("/etc/passwd").is_file() else "root:x:0:0"


@pytest.fixture(scope="module")
def journey():
    return hostile_journey()


@pytest.fixture(scope="module")
def svgs(journey):
    if shutil.which("dot") is None:
        pytest.skip("Graphviz 'dot' is not installed")
    return {view: render(journey, view, "svg") for view in ("map", "blueprint", "emotion", "funnel")}


def _texts(svg: str) -> list[str]:
    root = ET.fromstring(svg.encode("utf-8"))
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


@needs_dot
@pytest.mark.parametrize("view", ["map", "blueprint", "emotion", "funnel"])
def test_svg_is_valid_xml_with_only_drawing_elements(svgs, view):
    root = ET.fromstring(svgs[view].encode("utf-8"))
    tags = {element.tag.removeprefix(SVG) for element in root.iter()}
    assert tags <= SVG_TAGS, tags - SVG_TAGS
    assert "<image" not in svgs[view] and "<script" not in svgs[view]
    assert PASSWD not in svgs[view]


@needs_dot
@pytest.mark.parametrize("needle", [
    "<b>x</b>",
    '<TABLE><TR><TD><IMG SRC="/etc/passwd"/></TD></TR></TABLE>',
    "&amp; &lt;b&gt; &foo; &#60;",
    "<script>alert(1)</script>",
    "\\N \\G \\l \\E \\T \\H \\L \\n",
    "trailing backslash\\",
    "RTL \u202eevil\u202c שלום عربى",
    'He said "hi" {braces}',
    "a: b # c; d %% e",
])
def test_hostile_text_is_drawn_literally(svgs, needle):
    """Each hostile string shows up, character for character, in the drawn text of some view.

    Whitespace is ignored because labels are wrapped; a substituted `\\G` (dot's graph-name escape),
    a decoded `&amp;` or a swallowed `<b>` would all change the characters.
    """
    drawn = "".join("".join(" ".join(_texts(svg)).split()) for svg in svgs.values())
    wanted = "".join(clean(needle).split())[:24]
    assert wanted in drawn, wanted


@needs_dot
def test_control_characters_and_escapes_are_gone(svgs):
    for svg in svgs.values():
        assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x85\x9f]", svg)
        assert "[31m" not in svg  # the whole ANSI sequence is removed, not just ESC


@needs_dot
def test_twenty_thousand_characters_are_cut_not_passed_to_dot(journey, svgs):
    runs = [len(r) for view in ("map", "blueprint", "emotion") for r in re.findall(r"x{20,}", to_dot(journey, view))]
    assert runs and max(runs) <= 300
    drawn = [t for t in _texts(svgs["map"]) if t and set(t) <= {"x", "…"}]
    assert any(t.endswith("…") for t in drawn) and max(len(t) for t in drawn) < 100


@needs_dot
@pytest.mark.parametrize("fmt, magic", [("png", b"\x89PNG\r\n\x1a\n"), ("pdf", b"%PDF-")])
@pytest.mark.parametrize("view", ["map", "blueprint", "emotion"])
def test_binary_formats_render(journey, view, fmt, magic):
    data = render(journey, view, fmt)
    assert data.startswith(magic)
    assert PASSWD.encode() not in data


def test_dot_ids_are_generated_never_taken_from_the_journey(journey):
    source = to_dot(journey, "map")
    ids = set(re.findall(r"^\s+(\w+) \[", source, re.M)) - {"graph", "node", "edge"}
    assert ids and all(re.fullmatch(r"n\d+|s\d+_empty", i) for i in ids), ids
    edges = re.findall(r"^\s+(\S+) -> (\S+) \[", source, re.M)
    assert edges and all(re.fullmatch(r"n\d+", a) and re.fullmatch(r"n\d+", b) for a, b in edges)
    assert "lead:scoring" not in source.replace("lead:scoring&quot;x", "")  # only inside a label, escaped


def test_no_user_text_outside_html_labels_or_tooltips(journey):
    """Every quoted attribute value is either ours (a constant) or an escaped tooltip."""
    source = to_dot(journey, "map")
    for value in re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', source):
        key, text = value
        if key == "tooltip":
            assert "\\N" not in text.replace("\\\\", "") and "\n" not in text
        else:
            assert re.fullmatch(r"[A-Za-z0-9_.,#: %+!-]*", text), (key, text)


def test_markdown_page_keeps_hostile_text_as_text(journey):
    page = render(journey, "map", "md")
    prose = page.split("```mermaid")[0] + page.split("```", 2)[-1]
    for tag in ("<b>", "<script", "<img", "<TABLE", "<IMG", "<u>"):
        assert tag not in prose, tag
    assert not re.search(r"(?<!\\)\]\(javascript", prose)  # only the escaped \](javascript remains
    assert "&lt;b&gt;x&lt;/b&gt;" in prose
    # No line of user text can start a heading, list or quote: ours are the only ones.
    headings = [line for line in page.splitlines() if line.startswith("#")]
    assert all(line.startswith(("# ", "## ")) for line in headings)
    assert len([h for h in headings if h.startswith("# ")]) == 1


@pytest.mark.parametrize("text, expected", [
    ("a\x1b[31mred\x1b[0m", "ared"),
    ("bell\x07 nul\x00 del\x7f c1\x9f", "bell nul del c1"),
    ("one\r\ntwo\u2028three", "one\ntwo\nthree"),
    ("tab\there", "tab here"),
    ("x" * 10, "xxxx…"),
])
def test_clean(text, expected):
    assert clean(text, limit=5 if expected.endswith("…") else 300) == expected


@pytest.mark.parametrize("text, expected", [
    ('<b>"a" & \'b\'</b>', "&lt;b&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/b&gt;"),
    ("\\N \\", "\\\\N \\\\"),
])
def test_html(text, expected):
    assert html(text) == expected


@pytest.mark.parametrize("lines, expected", [
    (['say "hi"'], "say #quot;hi#quot;"),
    (["a#b;c"], "a#35;b#59;c"),
    (["<b>"], "#lt;b#gt;"),
    (["%%{init}%%"], "#37;#37;{init}#37;#37;"),
    (["a:b|c"], "a#58;b#124;c"),
    (["one", "two"], "one<br/>two"),
])
def test_mermaid_label(lines, expected):
    assert mermaid_label(lines) == expected


@pytest.mark.parametrize("text, expected", [
    ("a: b", "a#58; b"),
    ("x # y; z", "x #35; y#59; z"),
    ("50% off", "50#37; off"),
    ("section one", "#115;ection one"),  # a keyword's first letter as a code: not the keyword, reads the same
    ("Title: x", "#84;itle#58; x"),
    ("<b>", "#lt;b#gt;"),
    ("", "–"),
])
def test_journey_text(text, expected):
    assert journey_text(text) == expected


def test_journey_actor_comma_is_a_code_not_a_separator():
    assert journey_text("Acme, Inc", actor=True) == "Acme#44; Inc"
    assert journey_text("Acme, Inc") == "Acme, Inc"  # a task name may hold commas


@pytest.mark.parametrize("text, expected", [
    ("<img src=x>", "&lt;img src=x&gt;"),
    ("[a](javascript:x)", "\\[a\\](javascript:x)"),
    ("# title", "\\# title"),
    ("1. one", "1\\. one"),
    ("- item", "\\- item"),
    ("a|b", "a\\|b"),
    ("*x* _y_ `z`", "\\*x\\* \\_y\\_ \\`z\\`"),
    ("two\nlines", "two<br>lines"),
])
def test_markdown(text, expected):
    assert markdown(text) == expected


@pytest.mark.parametrize("url, expected", [
    ("https://example.com/a?b=c", "https://example.com/a?b=c"),
    ("http://example.com/(x)", "http://example.com/%28x%29"),
    ("javascript:alert(1)", None),
    ("file:///etc/passwd", None),
    ("https://example.com/a b", None),
    ('https://example.com/"onmouseover', None),
])
def test_safe_url(url, expected):
    assert safe_url(url) == expected


def test_hostile_fixture_covers_the_traps_the_issue_lists():
    joined = "".join(HOSTILE)
    for trap in ('"', "{", "<b>x</b>", "<IMG SRC=", "\\N", "\\G", "\\l", "\x1b[", "\x00", "\u202e", ":", "#", ";"):
        assert trap in joined
    assert any(h.endswith("\\") for h in HOSTILE)
    assert max(len(h) for h in HOSTILE) == 20_000
    assert one_line(HOSTILE[0]) == HOSTILE[0]
