"""First-hour papercuts (issue 14): validate's progress bar appears on a terminal for a long run only, and
counts are grammatical everywhere ("1 warning", "2 info", "1 row")."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest

from journeyctl.plural import count, severities
from journeyctl.format.starter import starter_journey

FILES = 12


def _workspace(directory: Path, n: int = FILES) -> Path:
    for i in range(n):
        (directory / f"j{i}.journey.yaml").write_text(starter_journey(f"j{i}"), encoding="utf-8")
    return directory


def _run_with_terminal_stderr(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, bytes, bytes]:
    """Run journeyctl with stderr on a pseudo-terminal (stdout a pipe); what each received."""
    leader, follower = pty.openpty()
    full = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100", **env}
    for name in ("CI", "GITHUB_ACTIONS", "GITLAB_CI", "BUILDKITE", "JENKINS_URL", "TF_BUILD"):
        full.pop(name, None)
    full.update({k: v for k, v in env.items()})
    proc = subprocess.Popen([sys.executable, "-m", "journeyctl", *args], cwd=cwd, env=full,
                            stdout=subprocess.PIPE, stderr=follower)
    os.close(follower)
    seen = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        seen += chunk
    stdout = proc.stdout.read() if proc.stdout else b""
    code = proc.wait(60)
    os.close(leader)
    return code, stdout, seen


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    return _workspace(tmp_path)


def test_a_long_run_on_a_terminal_shows_a_bar_on_stderr_only(ws: Path) -> None:
    code, stdout, terminal = _run_with_terminal_stderr(["validate", ".", "--no-cache"], ws,
                                                       {"JOURNEYCTL_PROGRESS_AFTER": "0", "JOURNEYCTL_JOBS": "1"})
    assert code == 0, terminal
    assert b"validate" in terminal and f"/{FILES}".encode() in terminal, terminal
    assert stdout.decode() == f"{FILES} files checked, no findings\n"


@pytest.mark.parametrize("args, env", [
    (["validate", ".", "--no-cache"], {}),                                    # a quick run: no flicker
    (["validate", ".", "--no-cache", "-f", "json"], {"JOURNEYCTL_PROGRESS_AFTER": "0"}),  # a machine format
    (["validate", ".", "--no-cache"], {"JOURNEYCTL_PROGRESS_AFTER": "0", "CI": "true"}),  # CI
])
def test_no_bar_for_a_quick_run_a_machine_format_or_ci(ws: Path, args: list[str], env: dict[str, str]) -> None:
    code, _, terminal = _run_with_terminal_stderr(args, ws, {"JOURNEYCTL_JOBS": "1", **env})
    assert code == 0
    assert b"files" not in terminal and b"\x1b[" not in terminal, terminal


def test_no_bar_in_a_pipe(ws: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "journeyctl", "validate", ".", "--no-cache"], cwd=ws,
                          capture_output=True, env={**os.environ, "JOURNEYCTL_PROGRESS_AFTER": "0"}, timeout=120)
    assert (proc.returncode, proc.stderr) == (0, b"")


# --- counts ----------------------------------------------------------------------------------------------

def test_count_and_severities_read_as_english() -> None:
    assert [count(n, "row") for n in (0, 1, 2)] == ["0 rows", "1 row", "2 rows"]
    assert count(2, "info") == "2 info" and count(1, "info") == "1 info"
    assert count(12345, "event", thousands=True) == "12,345 events"
    assert severities({"error": 1, "warning": 2, "info": 2}) == "1 error, 2 warnings, 2 info"
    assert severities({"error": 0, "warning": 1, "info": 0}, skip_zero=True) == "1 warning"


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run([sys.executable, "-m", "journeyctl", *args], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=120)


def test_validate_summary_says_info_not_infos() -> None:
    from journeyctl.check.pipeline import FileResult, RunResult
    from journeyctl.check.findings import Finding
    from journeyctl.report.text import summary_line

    two_info = RunResult([FileResult("a.yaml", [Finding("x", "info", "a.yaml", 1, 1, "m"),
                                                Finding("x", "info", "a.yaml", 2, 1, "m")])])
    assert summary_line(two_info) == "1 file checked: 2 info"
    one_each = RunResult([FileResult("a.yaml", [Finding("x", "error", "a.yaml", 1, 1, "m"),
                                                Finding("y", "warning", "a.yaml", 2, 1, "m")])])
    assert summary_line(one_each) == "1 file checked: 1 error, 1 warning"


def test_docs_and_stats_say_one_journey_and_one_error(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "one.journey.yaml").write_text(starter_journey("one"), encoding="utf-8")
    (ws / "bad.journey.yaml").write_text("journeyctl: 1\nid: [\n", encoding="utf-8")
    docs = _cli("docs", ".", "-o", str(tmp_path / "site"), cwd=ws)
    line = docs.stdout.splitlines()[0]
    assert " for 1 journey, 1 invalid file (1 error, 0 warnings, 0 info) to " in line, line
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "1 journey, 1 invalid file;" in index and "findings: 1 error, 0 warnings, 0 info" in index
    (ws / "bad.journey.yaml").unlink()
    stats = _cli("stats", ".", cwd=ws)
    assert "1 journey, " in stats.stdout and " 1 journeys" not in stats.stdout


def test_conform_says_one_trace_from_one_row(tmp_path: Path) -> None:
    fixtures = Path(__file__).parents[1] / "fixtures" / "conform"
    log = tmp_path / "one.csv"
    log.write_text("customer,event,timestamp\nu1,visit,2025-03-01T10:00:00Z\n", encoding="utf-8")
    proc = _cli("conform", str(fixtures / "shop.journey.yaml"), str(log), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "1 trace from 1 row;" in proc.stdout
