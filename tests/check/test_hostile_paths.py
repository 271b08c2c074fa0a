"""Hostile paths and outputs: missing, looping, unreadable, vanishing files; outputs that cannot be written.

Tests run as root here, and chmod 000 does not stop root: an unreadable file is simulated with a FIFO
(opened without blocking and refused as "not a regular file") and a symlink loop; the chmod test
itself is skipped when euid == 0. A disk-full write is simulated by making fsync raise ENOSPC.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import journeyctl.check.pipeline as check_module
from journeyctl import output
from journeyctl.check.pipeline import check_journey_file
from journeyctl.cli import app
from journeyctl.config import Config
from journeyctl.check.run import run_checks

HOSTILE = Path(__file__).parents[1] / "fixtures" / "hostile"
CLEAN = (HOSTILE / "clean.journey.yaml").read_text(encoding="utf-8")
runner = CliRunner()


def journey(directory: Path, name: str) -> Path:
    path = directory / f"{name}.journey.yaml"
    path.write_text(CLEAN.replace("id: clean", f"id: {name}"), encoding="utf-8")
    return path


def cli(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1", "JOURNEYCTL_TODAY": "2026-11-01"}
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run([sys.executable, "-m", "journeyctl", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=timeout)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setenv("JOURNEYCTL_TODAY", "2026-11-01")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


# --- paths -------------------------------------------------------------------------------------------


def test_a_missing_path_is_a_usage_error(tmp_path):
    proc = cli("validate", "nowhere.journey.yaml", cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == "journeyctl: nowhere.journey.yaml: no such file or directory\n"


def test_a_directory_without_journeys_is_a_usage_error(tmp_path):
    (tmp_path / "notes.yaml").write_text("a: 1\n", encoding="utf-8")
    proc = cli("validate", ".", cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == "journeyctl: no journey files found in . (looking for *.journey.yaml, *.journey.yml)\n"


def test_dangling_symlinks_and_directory_loops(tmp_path):
    journey(tmp_path, "fine")
    (tmp_path / "loop").symlink_to(".")  # a directory loop: os.walk does not follow it
    (tmp_path / "gone.journey.yaml").symlink_to("deleted-target.journey.yaml")
    proc = cli("validate", ".", cwd=tmp_path)
    assert proc.returncode == 1
    # The finding names the link the user has, not its missing target.
    assert proc.stdout.splitlines() == [
        "gone.journey.yaml:1:1: error file-error cannot read file: No such file or directory",
        "2 files checked: 1 error",
    ]


def test_symlink_loops_are_findings_and_the_rest_is_checked(tmp_path):
    journey(tmp_path, "fine")
    (tmp_path / "a.journey.yaml").symlink_to("b.journey.yaml")
    (tmp_path / "b.journey.yaml").symlink_to("a.journey.yaml")
    proc = cli("validate", ".", cwd=tmp_path)
    assert proc.stderr == ""
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [
        "a.journey.yaml:1:1: error file-error cannot read file: Too many levels of symbolic links",
        "b.journey.yaml:1:1: error file-error cannot read file: Too many levels of symbolic links",
        "3 files checked: 2 errors",
    ]


def test_a_fifo_named_like_a_journey_does_not_hang_the_run(tmp_path):
    journey(tmp_path, "fine")
    os.mkfifo(tmp_path / "pipe.journey.yaml")
    proc = cli("validate", ".", cwd=tmp_path, timeout=30)
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [
        "pipe.journey.yaml:1:1: error file-error not a regular file but a FIFO (named pipe); journeyctl reads "
        "journey files only",
        "2 files checked: 1 error",
    ]


def test_a_directory_named_like_a_journey_is_walked_not_read(tmp_path):
    (tmp_path / "odd.journey.yaml").mkdir()
    journey(tmp_path / "odd.journey.yaml", "inner")
    proc = cli("validate", "*.journey.yaml", "odd.journey.yaml", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines() == ["1 file checked, no findings"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a chmod 000 file anyway; the FIFO and symlink-loop "
                                              "tests cover unreadable files when running as root")
def test_an_unreadable_file_is_a_finding(tmp_path):
    path = journey(tmp_path, "secret")
    journey(tmp_path, "fine")
    path.chmod(0)
    proc = cli("validate", ".", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stdout.splitlines()[0] == "secret.journey.yaml:1:1: error file-error cannot read file: Permission denied"


def vanishing(path: Path, config, severities, workspace=None, defer=frozenset()):
    """check_journey_file, but the victim file is deleted just before it is read (as by a concurrent git checkout)."""
    if path.name.startswith("victim"):
        path.unlink()
    return check_journey_file(path, config, severities, workspace, defer)


@pytest.mark.parametrize("files, jobs", [(3, "1"), (40, "2")], ids=["serial", "parallel"])
def test_a_file_deleted_while_the_run_goes(tmp_path, monkeypatch, files, jobs):
    monkeypatch.setenv("JOURNEYCTL_JOBS", jobs)
    monkeypatch.chdir(tmp_path)
    for i in range(files - 1):
        journey(tmp_path, f"fine-{i:02d}")
    journey(tmp_path, "victim")
    monkeypatch.setattr(check_module, "check_journey_file", vanishing)
    result = run_checks([Path(".")], Config(root=tmp_path))
    assert len(result.files) == files
    assert [(f.file, f.rule, f.message) for f in result.findings] == [
        ("victim.journey.yaml", "file-error", "cannot read file: No such file or directory")]


# --- run.py: a bug or a crash costs one file, not the run ----------------------------------------------


def flaky(path: Path, config, severities, workspace=None, defer=frozenset()):
    if path.name.startswith("raises"):
        raise RuntimeError("boom")
    if path.name.startswith("crashes"):
        os.kill(os.getpid(), signal.SIGSEGV)
    return check_journey_file(path, config, severities, workspace, defer)


def test_an_exception_in_a_check_becomes_a_finding_for_that_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JOURNEYCTL_JOBS", "1")
    monkeypatch.delenv("JOURNEYCTL_DEBUG", raising=False)
    journey(tmp_path, "fine")
    journey(tmp_path, "raises")
    monkeypatch.setattr(check_module, "check_journey_file", flaky)
    result = run_checks([Path(".")], Config(root=tmp_path))
    assert [(f.file, f.rule, f.message) for f in result.findings] == [
        ("raises.journey.yaml", "file-error", "internal error while checking this file: RuntimeError: boom; please "
                                              "report it (JOURNEYCTL_DEBUG=1 shows the traceback)")]


def test_a_worker_that_dies_costs_only_the_file_that_killed_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JOURNEYCTL_JOBS", "2")
    for i in range(39):
        journey(tmp_path, f"fine-{i:02d}")
    journey(tmp_path, "crashes")
    monkeypatch.setattr(check_module, "check_journey_file", flaky)
    result = run_checks([Path(".")], Config(root=tmp_path))
    assert len(result.files) == 40
    assert [(f.file, f.rule, f.message) for f in result.findings] == [
        ("crashes.journey.yaml", "file-error", "the checking process died on this file (a crash in the YAML parser "
                                               "or another C extension); please report it with the file")]


def test_parallel_and_serial_runs_give_identical_reports(tmp_path):
    for fixture in sorted(HOSTILE.glob("*.journey.yaml")):
        (tmp_path / fixture.name).write_bytes(fixture.read_bytes())
    for i in range(20):
        journey(tmp_path, f"extra-{i:02d}")
    outputs = []
    for jobs in ("1", "2"):
        env = {**os.environ, "NO_COLOR": "1", "JOURNEYCTL_TODAY": "2026-11-01", "JOURNEYCTL_JOBS": jobs}
        proc = subprocess.run([sys.executable, "-m", "journeyctl", "validate", ".", "--no-cache", "-f", "json"],
                              capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
        assert proc.returncode == 1, proc.stderr
        outputs.append(proc.stdout)
    assert outputs[0] == outputs[1]
    assert '"files": 50' in outputs[0]


# --- outputs -----------------------------------------------------------------------------------------


def test_output_into_a_missing_directory_creates_it(tmp_path):
    journey(tmp_path, "fine")
    proc = cli("validate", ".", "-o", "missing/deeper/report.json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert '"files": 1' in (tmp_path / "missing" / "deeper" / "report.json").read_text(encoding="utf-8")


def test_output_below_a_file_is_a_usage_error(tmp_path):
    journey(tmp_path, "fine")
    (tmp_path / "plain").write_text("x", encoding="utf-8")
    proc = cli("validate", ".", "-o", "plain/report.json", cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == "journeyctl: plain/report.json: cannot create the directory plain: plain is a file\n"


def test_output_onto_a_directory_is_a_usage_error(tmp_path):
    journey(tmp_path, "fine")
    (tmp_path / "report.json").mkdir()
    proc = cli("validate", ".", "-o", "report.json", cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == "journeyctl: report.json: write failed: Is a directory\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fine.journey.yaml", "report.json"]


def test_output_into_a_directory_that_cannot_be_written(tmp_path):
    journey(tmp_path, "fine")
    proc = cli("validate", ".", "-o", "/proc/journeyctl-report.json", cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr.startswith("journeyctl: /proc/journeyctl-report.json: cannot write in /proc: ")


@pytest.mark.parametrize("failing", ["fsync", "write"])
def test_a_full_disk_leaves_the_previous_report_intact(tmp_path, monkeypatch, failing):
    journey(tmp_path, "fine")
    report = tmp_path / "report.json"
    report.write_text("previous report\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    if failing == "fsync":
        monkeypatch.setattr(output.os, "fsync", no_space)
    else:
        real_fdopen = os.fdopen

        class FullFile:
            def __init__(self, handle):
                self.handle = handle

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.handle.close()

            def write(self, data):
                self.handle.write(data[: len(data) // 2])  # half of it makes it to disk
                self.handle.flush()
                no_space()

        monkeypatch.setattr(output.os, "fdopen", lambda fd, mode: FullFile(real_fdopen(fd, mode)))
    result = runner.invoke(app, ["validate", ".", "-o", "report.json"])
    assert result.exit_code == 2
    assert "report.json: write failed: No space left on device" in result.stderr
    assert report.read_text(encoding="utf-8") == "previous report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fine.journey.yaml", "report.json"]


def test_output_onto_a_fifo_is_not_replaced_by_a_file(tmp_path):
    journey(tmp_path, "fine")
    os.mkfifo(tmp_path / "pipe.json")
    cli("validate", ".", "-o", "pipe.json", cwd=tmp_path, timeout=10)
    assert (tmp_path / "pipe.json").is_fifo()
