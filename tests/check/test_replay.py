"""The run replay: an unchanged workspace is answered before typer loads, and nothing else ever is.

Every run here is a real process started the way the console script starts (journeyctl.__main__),
and reports on stderr whether typer was imported: a replayed run never imports it.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from journeyctl.check.replay import _parse

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DRIVER = ("import atexit, sys\n"
          "atexit.register(lambda: sys.stderr.write('\\nLOADED-TYPER=%s\\n' % ('typer' in sys.modules)))\n"
          "from journeyctl.__main__ import main\n"
          "sys.argv = ['journeyctl', *sys.argv[1:]]\n"
          "main()\n")
# A journey with one gap (the purchase stage has no goal), so runs exit 1 with a finding.
BROKEN = (Path(__file__).resolve().parents[1] / "fixtures" / "hostile" / "clean.journey.yaml").read_text(
    encoding="utf-8").replace("id: clean", "id: broken").replace("    goal: Visitors buy\n", "")


class Run:
    def __init__(self, proc: subprocess.CompletedProcess[str]) -> None:
        self.code = proc.returncode
        self.stdout = proc.stdout
        self.stderr, _, flag = proc.stderr.rpartition("LOADED-TYPER=")
        assert flag.strip() in ("True", "False"), proc.stderr
        self.replayed = flag.strip() == "False"


def journeyctl(cwd: Path, *args: str, env: dict[str, str] | None = None) -> Run:
    full = {**os.environ, **(env or {})}
    return Run(subprocess.run([sys.executable, "-c", DRIVER, *args], cwd=cwd, env=full, capture_output=True,
                              text=True, timeout=120))


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    """The bundled examples workspace plus one journey with findings (exit 1)."""
    root = tmp_path / "ws"
    shutil.copytree(EXAMPLES, root)
    (root / "broken.journey.yaml").write_text(BROKEN, encoding="utf-8")
    return root


def test_an_unchanged_workspace_is_replayed_byte_for_byte(ws: Path) -> None:
    first = journeyctl(ws, "validate", ".")
    second = journeyctl(ws, "validate", ".")
    assert not first.replayed and second.replayed
    assert first.code == second.code == 1
    assert "broken.journey.yaml:" in first.stdout
    assert second.stdout == first.stdout


def _edit_journey(ws: Path) -> None:
    path = ws / "broken.journey.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("title: Base journey", "title: Base journey, edited"), encoding="utf-8")


def _add_journey(ws: Path) -> None:
    (ws / "sub").mkdir()
    (ws / "sub" / "second.journey.yaml").write_text(BROKEN.replace("id: broken", "id: second"), encoding="utf-8")


def _remove_journey(ws: Path) -> None:
    (ws / "broken.journey.yaml").unlink()


def _edit_catalog(ws: Path) -> None:
    path = ws / "company.catalog.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# a comment changes the bytes\n", encoding="utf-8")


def _edit_settings(ws: Path) -> None:
    with open(ws / ".journeyctl.yaml", "a", encoding="utf-8") as handle:
        handle.write("rules:\n  stage-without-goal: off\n")


@pytest.mark.parametrize("change", [_edit_journey, _add_journey, _remove_journey, _edit_catalog, _edit_settings])
def test_a_changed_input_is_checked_again_and_then_replayed(ws: Path, change) -> None:
    journeyctl(ws, "validate", ".")
    change(ws)
    after = journeyctl(ws, "validate", ".")
    fresh = journeyctl(ws, "validate", ".", "--no-cache")
    assert not after.replayed
    assert (after.stdout, after.code) == (fresh.stdout, fresh.code)
    again = journeyctl(ws, "validate", ".")
    assert again.replayed and (again.stdout, again.code) == (fresh.stdout, fresh.code)


def test_settings_appearing_nearer_are_found(ws: Path) -> None:
    sub = ws / "team"
    sub.mkdir()
    (ws / "broken.journey.yaml").rename(sub / "broken.journey.yaml")
    before = journeyctl(sub, "validate", ".")
    assert "stage-without-goal" in before.stdout
    (sub / ".journeyctl.yaml").write_text("rules:\n  stage-without-goal: off\n", encoding="utf-8")
    after = journeyctl(sub, "validate", ".")
    assert not after.replayed and "stage-without-goal" not in after.stdout


@pytest.mark.parametrize("first, second", [
    ({}, {"NO_COLOR": "1"}),
    ({}, {"FORCE_COLOR": "1"}),
    ({}, {"GITHUB_ACTIONS": "true"}),
    ({}, {"JOURNEYCTL_TODAY": "2027-06-01"}),
])
def test_the_environment_journeyctl_reads_is_part_of_the_key(ws: Path, first, second) -> None:
    journeyctl(ws, "validate", ".", env=first)
    other = journeyctl(ws, "validate", ".", env=second)
    fresh = journeyctl(ws, "validate", ".", "--no-cache", env=second)
    assert not other.replayed and (other.stdout, other.code) == (fresh.stdout, fresh.code)


def test_today_changes_the_answer_and_is_never_replayed_across_days(ws: Path) -> None:
    journeyctl(ws, "validate", ".", env={"JOURNEYCTL_TODAY": "2026-11-23"})
    later = journeyctl(ws, "validate", ".", env={"JOURNEYCTL_TODAY": "2027-06-01"})
    assert not later.replayed and "stale-journey" in later.stdout


def test_other_arguments_or_directory_are_other_runs(ws: Path) -> None:
    journeyctl(ws, "validate", ".")
    as_json = journeyctl(ws, "validate", ".", "--format", "json")
    assert not as_json.replayed and json.loads(as_json.stdout)["summary"]
    from_below = journeyctl(ws / "..", "validate", "ws")
    assert not from_below.replayed and "ws/broken.journey.yaml:" in from_below.stdout


def test_the_output_file_is_written_again_by_a_replay(ws: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.sarif"
    first = journeyctl(ws, "validate", ".", "-o", str(out))
    content = out.read_bytes()
    out.unlink()
    second = journeyctl(ws, "validate", ".", "-o", str(out))
    assert second.replayed and out.read_bytes() == content and second.stdout == first.stdout
    assert json.loads(content)["version"] == "2.1.0"


def test_an_unwritable_output_is_reported_by_the_real_run(ws: Path, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("x", encoding="utf-8")  # a missing directory is created: a file is not
    target = tmp_path / "a-file" / "report.json"
    journeyctl(ws, "validate", ".", "-o", str(tmp_path / "report.json"))
    for _ in range(2):
        run = journeyctl(ws, "validate", ".", "-o", str(target))
        assert run.code == 2 and not run.replayed and "report.json" in run.stderr


def test_no_cache_never_records_nor_replays(ws: Path) -> None:
    runs = [journeyctl(ws, "validate", ".", "--no-cache") for _ in range(2)]
    assert not any(r.replayed for r in runs)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_file_error_is_never_replayed(ws: Path) -> None:
    os.mkfifo(ws / "pipe.journey.yaml")
    runs = [journeyctl(ws, "validate", ".") for _ in range(2)]
    assert not any(r.replayed for r in runs)
    assert all("pipe.journey.yaml:1:1" in r.stdout and "file-error" in r.stdout for r in runs)


def test_a_damaged_entry_is_a_normal_run(ws: Path) -> None:
    first = journeyctl(ws, "validate", ".")
    database = Path(os.environ["JOURNEYCTL_CACHE_DIR"]) / "results-v1.sqlite3"
    with sqlite3.connect(database) as db:
        assert db.execute("UPDATE results SET value = '{not json' WHERE key LIKE 'run:%'").rowcount == 1
    second = journeyctl(ws, "validate", ".")
    assert not second.replayed and second.stdout == first.stdout
    assert journeyctl(ws, "validate", ".").replayed  # the damaged entry was overwritten


def test_a_replayed_run_prints_what_a_real_run_prints_for_every_format(ws: Path) -> None:
    for fmt in ("text", "json", "sarif", "github", "junit", "markdown"):
        first = journeyctl(ws, "validate", "--format", fmt, ".")
        second = journeyctl(ws, "validate", "--format", fmt, ".")
        assert second.replayed and (second.stdout, second.code) == (first.stdout, first.code) and first.stdout


@pytest.mark.parametrize("argv, parsed", [
    (["validate"], (None, ["."])),
    (["validate", "a.journey.yaml", "dir"], (None, ["a.journey.yaml", "dir"])),
    (["validate", "-c", "cfg.yaml", "x"], ("cfg.yaml", ["x"])),
    (["validate", "--config=cfg.yaml", "--format", "json", "x"], ("cfg.yaml", ["x"])),
    (["validate", "--select", "a,b", "--fail-on", "warning"], (None, ["."])),
    (["validate", "--no-cache"], None),
    (["validate", "--help"], None),
    (["validate", "-fjson"], None),
    (["validate", "--", "-odd-name"], None),
    (["validate", "--format"], None),
    (["render", "x"], None),
])
def test_only_command_lines_it_fully_understands_are_considered(argv, parsed) -> None:
    result = _parse(argv)
    if parsed is None:
        assert result is None
    else:
        assert result is not None
        assert (str(result[0]) if result[0] else None, [str(p) for p in result[1]]) == parsed
