"""Crashes found by tests/test_fuzz_commands.py's long profile, each kept as a small fixed case."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from journeyctl.cli import app

runner = CliRunner()


@pytest.mark.parametrize("filler", ["[" * 2_100 + "]" * 2_100, "x" * 700])
def test_a_control_character_in_a_file_that_may_nest_deeply_is_a_finding_not_a_crash(tmp_path, filler):
    """The depth (and size) pre-pass read the text with libyaml and let its ReaderError escape: a raw ESC in a
    file with many brackets or a long line ("internal error" in validate) — now compose reports it."""
    text = f"journeyctl: 1\nid: a\ntitle: t\nnote: {filler}\ndescription: bad \x1b here\nstages: []\n"
    path = tmp_path / "m.journey.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path), "--format", "json"], env={"JOURNEYCTL_DEBUG": "1"})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1
    [finding] = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "yaml-syntax"]
    assert (finding["line"], finding["column"]) == (5, len("description: bad ") + 1), finding
    assert "unreadable character" in finding["message"]


@pytest.mark.parametrize("text, position", [
    ("a: b\u2028\u2028\u2028\u2028c: d: e\n", (1, 13)),
    ("a: 'x\u2028\u2028\u2028\u2028'\nb: c: d\n", (2, 5)),
    ("a: \"x\u0085\u0085\u0085\"\nb: c: d\n", (2, 5)),
])
def test_a_syntax_error_after_unicode_line_separators_is_a_finding_not_a_crash(tmp_path, text, position):
    """libyaml counts U+2028/U+0085 as line breaks, Python's split("\\n") does not: the missing-colon hint
    indexed past the last line (IndexError in diff, found by the long fuzz run) — now its line comes from the
    error's character index, and the finding stays where the error is."""
    path = tmp_path / "m.journey.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path), "--format", "json"], env={"JOURNEYCTL_DEBUG": "1"})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1
    [finding] = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "yaml-syntax"]
    assert (finding["line"], finding["column"]) == position, finding
