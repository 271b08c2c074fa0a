"""Faults that must be messages (issue 22 items 8, 9, 14) and first-hour papercuts (issue 14): an output
that cannot be written, a file name that is not UTF-8, an invalid JOURNEYCTL_TODAY, `-o` into a new
directory. Every run is a real process, as a user or a CI job starts it; replays included."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from journeyctl.format.starter import starter_journey

JOURNEYCTL = [sys.executable, "-m", "journeyctl"]


def cli(*args: str, cwd: Path, env: dict[str, str] | None = None, **kwargs) -> subprocess.CompletedProcess:
    full = {**os.environ, "NO_COLOR": "1", **(env or {})}
    full.pop("GITHUB_ACTIONS", None)
    return subprocess.run([*JOURNEYCTL, *args], capture_output=True, cwd=cwd, env=full, timeout=120, **kwargs)


@pytest.fixture
def clean_ws(tmp_path: Path) -> Path:
    (tmp_path / "start.journey.yaml").write_text(starter_journey("start"), encoding="utf-8")
    return tmp_path


@pytest.fixture
def umlaut_ws(tmp_path: Path) -> Path:
    # One finding whose message quotes a non-ASCII key.
    text = starter_journey("start").replace("title:", "schlüssel: 1\ntitle:", 1)
    (tmp_path / "start.journey.yaml").write_text(text, encoding="utf-8")
    return tmp_path


# --- item 8: the output cannot be written ---------------------------------------------------------------

def _to_full(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    with open("/dev/full", "w") as full:
        return subprocess.run([*JOURNEYCTL, *args], stdout=full, stderr=subprocess.PIPE, cwd=cwd,
                              env={**os.environ, "NO_COLOR": "1"}, timeout=120)


def _to_closed(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*JOURNEYCTL, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=cwd,
                          env={**os.environ, "NO_COLOR": "1"}, timeout=120, preexec_fn=lambda: os.close(1))


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("fmt", ["text", "sarif"])
def test_a_full_stdout_is_one_message_and_exit_2_in_full_and_replayed_runs(clean_ws: Path, fmt: str) -> None:
    args = ["validate", ".", "-f", fmt]
    assert cli(*args, cwd=clean_ws).returncode == 0  # records the run for replay
    for attempt in ("replayed", "full"):
        env_args = args if attempt == "replayed" else [*args, "--no-cache"]
        proc = _to_full(env_args, clean_ws)
        stderr = proc.stderr.decode()
        assert proc.returncode == 2, (attempt, stderr)
        assert stderr == "journeyctl: cannot write the output to standard output: No space left on device\n", attempt


def test_a_closed_stdout_is_one_message_and_exit_2_in_full_and_replayed_runs(clean_ws: Path) -> None:
    assert cli("validate", ".", cwd=clean_ws).returncode == 0
    for args in (["validate", "."], ["validate", ".", "--no-cache"]):
        proc = _to_closed(args, clean_ws)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.decode() == "journeyctl: cannot write the output: standard output is closed\n"


def test_an_ascii_stdout_and_non_ascii_findings_is_one_message_and_exit_2(umlaut_ws: Path) -> None:
    first = cli("validate", ".", cwd=umlaut_ws)
    assert first.returncode == 1 and "schlüssel" in first.stdout.decode()
    for args in (["validate", "."], ["validate", ".", "--no-cache"], ["validate", ".", "-f", "sarif"]):
        proc = cli(*args, cwd=umlaut_ws, env={"PYTHONIOENCODING": "ascii"})
        stderr = proc.stderr.decode()
        assert proc.returncode == 2, (args, stderr)
        assert stderr.startswith("journeyctl: cannot write the output: standard output's encoding (ascii) "
                                 "cannot show "), stderr
        assert "Traceback" not in stderr and stderr.count("\n") == 1


# --- item 9: a file name that is not UTF-8 ---------------------------------------------------------------

@pytest.fixture
def odd_ws(clean_ws: Path) -> Path:
    odd = os.path.join(os.fsencode(clean_ws), b"odd\xff.journey.yaml")
    with open(odd, "wb") as handle:
        handle.write(starter_journey("odd").encode())
    # A second, broken journey: it must still be checked and reported.
    (clean_ws / "broken.journey.yaml").write_text(starter_journey("broken").replace("title:", "titel: x\ntitle:", 1),
                                                  encoding="utf-8")
    return clean_ws


ODD_LINE = "odd\\xff.journey.yaml:1:1: error file-error the file name is not valid UTF-8"


def test_validate_with_the_cache_reports_the_odd_name_and_checks_the_rest(odd_ws: Path) -> None:
    for _ in range(2):  # the second run meets the cache (and must not replay: a file error is never replayed)
        proc = cli("validate", ".", cwd=odd_ws)
        out = proc.stdout.decode()
        assert proc.returncode == 1, proc.stderr
        assert ODD_LINE in out
        assert "broken.journey.yaml:" in out and "titel" in out
        assert "3 files checked" in out
        assert proc.stderr == b""


def test_sarif_names_the_odd_file_and_still_checks_the_rest(odd_ws: Path) -> None:
    proc = cli("validate", ".", "-f", "sarif", cwd=odd_ws)
    assert proc.returncode == 1, proc.stderr
    results = json.loads(proc.stdout)["runs"][0]["results"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert any(uri.startswith("odd") and "file-error" == r["ruleId"] for r in results
               for uri in [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]])
    assert "broken.journey.yaml" in uris


def test_docs_builds_the_workspace_and_lists_the_odd_name(odd_ws: Path, tmp_path_factory) -> None:
    site = tmp_path_factory.mktemp("site") / "out"
    proc = cli("docs", ".", "-o", str(site), cwd=odd_ws)
    assert proc.returncode in (0, 1), proc.stderr
    assert b"internal error" not in proc.stderr
    assert (site / "journeys" / "start.html").exists()
    assert "odd\\xff.journey.yaml" in (site / "index.html").read_text(encoding="utf-8")


# --- item 14: JOURNEYCTL_TODAY ---------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["2026-13-45", "tomorrow", "2026-02-30", "\u202e2026-01-01"])
@pytest.mark.parametrize("command", [["validate", "."], ["docs", ".", "-o", "site"], ["stats", "."]])
def test_an_invalid_today_is_a_usage_error_naming_the_variable(clean_ws: Path, value: str, command: list[str]) -> None:
    proc = cli(*command, cwd=clean_ws, env={"JOURNEYCTL_TODAY": value})
    stderr = proc.stderr.decode()
    assert (proc.returncode, proc.stdout) == (2, b""), stderr
    assert stderr.startswith("journeyctl: JOURNEYCTL_TODAY='") and "is not a date: write it as YYYY-MM-DD" in stderr
    assert "internal error" not in stderr and "\u202e" not in stderr


def test_a_valid_today_still_pins_the_date(clean_ws: Path) -> None:
    text = starter_journey("start")
    (clean_ws / "start.journey.yaml").write_text(text, encoding="utf-8")
    rules = {}
    for day in ("2026-11-23", "2099-01-01"):
        proc = cli("validate", ".", "-f", "json", cwd=clean_ws, env={"JOURNEYCTL_TODAY": day})
        rules[day] = {f["rule"] for f in json.loads(proc.stdout)["findings"]}
    assert "stale-journey" in rules["2099-01-01"] and "stale-journey" not in rules["2026-11-23"]


# --- issue 14 papercut: -o into a directory that does not exist ------------------------------------------

@pytest.mark.parametrize("args, made", [
    (["validate", ".", "-o", "reports/ci/validate.json"], "reports/ci/validate.json"),
    (["stats", ".", "-o", "reports/stats/stats.txt"], "reports/stats/stats.txt"),
    (["schema", "-o", "schemas/new/journey.schema.json"], "schemas/new/journey.schema.json"),
    (["render", "start.journey.yaml", "-o", "out/maps/start.dot"], "out/maps/start.dot"),
])
def test_output_into_a_new_directory_creates_it(clean_ws: Path, args: list[str], made: str) -> None:
    proc = cli(*args, cwd=clean_ws)
    assert proc.returncode == 0, proc.stderr
    assert (clean_ws / made).stat().st_size > 0
