"""`render --check` notices an SVG whose content was changed after journeyctl drew it.

Found by a first-time user: appending to (or hand-editing, or leaving merge-conflict markers in) a committed
SVG kept `render --check` green, because only the digest of the DOT source in the stamp comment was
compared. The stamp now also records a digest of the SVG itself, so the check still needs no Graphviz
(and passes for a file drawn by any Graphviz version) but a file changed since it was drawn is stale.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeyctl.cli import app
from journeyctl.render.svg import body_digest

SMALL = Path(__file__).parents[1] / "fixtures" / "render" / "small.journey.yaml"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed")
STAMP = re.compile(r"<!-- journeyctl-source: sha256=[0-9a-f]{64} body=([0-9a-f]{64}) -->\n")


def run(*args: str):
    return CliRunner().invoke(app, ["render", *args])


@pytest.fixture()
def svg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    out = tmp_path / "map.svg"
    assert run(str(SMALL), "-o", str(out)).exit_code == 0
    monkeypatch.setenv("JOURNEYCTL_DOT", str(tmp_path / "no-dot-here"))  # the check must not need Graphviz
    return out


@needs_dot
def test_the_stamp_records_a_digest_of_the_rest_of_the_file(svg: Path) -> None:
    text = svg.read_text(encoding="utf-8")
    match = STAMP.search(text)
    assert match is not None
    assert match.group(1) == body_digest(text.replace(match.group(0), "", 1).encode("utf-8"))
    assert run(str(SMALL), "-o", str(svg), "--check").exit_code == 0


@needs_dot
@pytest.mark.parametrize("edit", [
    lambda s: s + "<!-- appended -->\n",
    lambda s: s.replace("</text>", " (edited)</text>", 1),
    lambda s: s.replace("</svg>", "<<<<<<< HEAD\n=======\n>>>>>>> branch\n</svg>"),
])
def test_an_svg_changed_after_rendering_is_stale(svg: Path, edit) -> None:
    svg.write_text(edit(svg.read_text(encoding="utf-8")), encoding="utf-8")
    result = run(str(SMALL), "-o", str(svg), "--check")
    assert result.exit_code == 1
    assert f"{svg}: changed since it was rendered" in result.stdout


@needs_dot
def test_windows_line_endings_from_git_are_not_a_change(svg: Path) -> None:
    svg.write_bytes(svg.read_bytes().replace(b"\n", b"\r\n"))
    result = run(str(SMALL), "-o", str(svg), "--check")
    assert result.exit_code == 0, result.stdout


@needs_dot
def test_an_svg_from_before_body_digests_is_still_checked_by_its_source(svg: Path) -> None:
    text = svg.read_text(encoding="utf-8")
    old = re.sub(r" body=[0-9a-f]{64}", "", text, count=1)
    svg.write_text(old, encoding="utf-8")
    assert run(str(SMALL), "-o", str(svg), "--check").exit_code == 0
