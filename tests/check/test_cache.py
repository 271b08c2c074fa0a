"""The validate result cache: hits only when nothing an outcome depends on changed; never fails a run."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import journeyctl.check.pipeline as check_module
from journeyctl.check import cache
from journeyctl.check.pipeline import check_journey_file
from journeyctl.config import Config, load_config
from journeyctl.check.run import run_checks

HOSTILE = Path(__file__).parents[1] / "fixtures" / "hostile"
CLEAN = (HOSTILE / "clean.journey.yaml").read_text(encoding="utf-8")
CHECKED: list[str] = []
BEFORE_CHECK: list = []


def counting(path: Path, config, severities, workspace=None, defer=frozenset()):
    """check_journey_file, recording which files were really checked (not answered from the cache).

    Module-level and the same function in every run: the job is part of the cache key, and a closure
    would make the run uncacheable. BEFORE_CHECK hooks let a test act just before a file is read.
    """
    CHECKED.append(path.name)
    for hook in BEFORE_CHECK:
        hook(path)
    return check_journey_file(path, config, severities, workspace, defer)


@pytest.fixture
def ws(tmp_path, monkeypatch) -> Path:
    """A workspace of three journeys (one with findings), its own cache, checks counted."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JOURNEYCTL_TODAY", "2026-11-01")
    monkeypatch.setenv("JOURNEYCTL_JOBS", "1")
    monkeypatch.setenv("JOURNEYCTL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(check_module, "check_journey_file", counting)
    CHECKED.clear()
    for name in ("a", "b"):
        (tmp_path / f"{name}.journey.yaml").write_text(CLEAN.replace("id: clean", f"id: {name}"), encoding="utf-8")
    (tmp_path / "c.journey.yaml").write_text(CLEAN.replace("id: clean", "id: c").replace("    goal: Visitors buy\n", ""),
                                             encoding="utf-8")
    return tmp_path


def run(ws: Path, **config) -> list[tuple[str, int, str]]:
    CHECKED.clear()
    result = run_checks([Path(".")], Config(root=ws, **config))
    return [(f.file, f.line, f.rule) for f in result.findings]


C_FINDINGS = [("c.journey.yaml", 28, "stage-without-goal")]


def test_an_unchanged_workspace_is_answered_from_the_cache(ws):
    assert run(ws) == C_FINDINGS
    assert sorted(CHECKED) == ["a.journey.yaml", "b.journey.yaml", "c.journey.yaml"]
    assert run(ws) == C_FINDINGS
    assert CHECKED == []


def test_only_a_changed_file_is_checked_again(ws):
    run(ws)
    (ws / "a.journey.yaml").write_text(CLEAN.replace("id: clean", "id: a").replace("    goal: Visitors buy\n", ""),
                                       encoding="utf-8")
    assert run(ws) == [("a.journey.yaml", 28, "stage-without-goal")] + C_FINDINGS
    assert CHECKED == ["a.journey.yaml"]


@pytest.mark.parametrize("change", [
    lambda ws, mp: mp.setenv("JOURNEYCTL_TODAY", "2026-11-02"),  # stale-journey depends on the date
    lambda ws, mp: (ws / ".journeyctl.yaml").write_text("rules:\n  stage-without-goal: info\n", encoding="utf-8"),
    lambda ws, mp: (ws / ".journeyctl.yaml").write_text("review_every: 30d\n", encoding="utf-8"),
    lambda ws, mp: mp.setattr(cache, "code_fingerprint", lambda: "another build of journeyctl"),
], ids=["date", "severity", "setting", "code"])
def test_anything_an_outcome_depends_on_invalidates_it(ws, monkeypatch, change):
    run_checks([Path(".")], load_config(start=ws))
    change(ws, monkeypatch)
    CHECKED.clear()
    run_checks([Path(".")], load_config(start=ws))
    assert sorted(CHECKED) == ["a.journey.yaml", "b.journey.yaml", "c.journey.yaml"]


def test_a_catalog_change_reaches_journeys_that_did_not_change(ws):
    (ws / ".journeyctl.yaml").write_text("{}\n", encoding="utf-8")
    (ws / "shared.catalog.yaml").write_text("journeyctl: 1\nteams:\n  - id: other-team\n", encoding="utf-8")
    before = run_checks([Path(".")], load_config(start=ws))
    assert [f.rule for f in before.findings if f.file == "a.journey.yaml"] == []
    (ws / "shared.catalog.yaml").write_text("journeyctl: 1\nteams:\n  - id: web-team\n", encoding="utf-8")
    CHECKED.clear()
    after = run_checks([Path(".")], load_config(start=ws))
    assert sorted(CHECKED) == ["a.journey.yaml", "b.journey.yaml", "c.journey.yaml"]
    assert [(f.line, f.rule) for f in after.findings if f.file == "a.journey.yaml"] == [(10, "duplicate-id")]


def test_the_same_bytes_at_another_path_keep_their_own_display_path(ws):
    run(ws)
    (ws / "sub").mkdir()
    (ws / "sub" / "c.journey.yaml").write_bytes((ws / "c.journey.yaml").read_bytes())
    (ws / "c.journey.yaml").unlink()
    assert run(ws) == [("sub/c.journey.yaml", 28, "stage-without-goal")]
    assert CHECKED == ["c.journey.yaml"]


def test_the_working_directory_is_part_of_the_key(ws, tmp_path_factory, monkeypatch):
    # The same absolute path displays relative from inside the workspace, absolute from outside.
    outside = tmp_path_factory.mktemp("elsewhere")
    target = ws / "c.journey.yaml"
    shown = []
    for cwd in (ws, outside, ws):
        monkeypatch.chdir(cwd)
        CHECKED.clear()
        result = run_checks([target], Config(root=ws))
        shown.append(([f.file for f in result.findings], list(CHECKED)))
    assert shown == [(["c.journey.yaml"], ["c.journey.yaml"]), ([str(target)], ["c.journey.yaml"]),
                     (["c.journey.yaml"], [])]  # the third run is the first one's, from the cache


def test_no_cache_reads_and_writes_nothing(ws):
    run(ws, cache=False)
    run(ws, cache=False)
    assert sorted(CHECKED) == ["a.journey.yaml", "b.journey.yaml", "c.journey.yaml"]
    assert not (ws / "cache").exists()


def test_the_cli_flag_turns_it_off(ws):
    env = {**os.environ, "NO_COLOR": "1"}
    for _ in range(2):
        proc = subprocess.run([sys.executable, "-m", "journeyctl", "validate", ".", "--no-cache"], cwd=ws, env=env,
                              capture_output=True, text=True, timeout=60)
        assert (proc.returncode, proc.stdout.splitlines()[-1]) == (0, "3 files checked: 1 warning")
    assert not (ws / "cache").exists()


def test_default_location_is_the_config_root_and_git_ignores_it(ws, monkeypatch):
    monkeypatch.delenv("JOURNEYCTL_CACHE_DIR")
    (ws / ".journeyctl.yaml").write_text("{}\n", encoding="utf-8")
    (ws / "sub").mkdir()
    monkeypatch.chdir(ws / "sub")
    run_checks([Path("..")], load_config())
    assert (ws / ".journeyctl_cache" / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    assert (ws / ".journeyctl_cache" / cache.DB_NAME).is_file()
    assert not (ws / "sub" / ".journeyctl_cache").exists()


def test_a_file_edited_during_its_check_is_not_cached_under_the_old_bytes(ws, monkeypatch):
    original = (ws / "a.journey.yaml").read_bytes()

    def edit(path: Path) -> None:
        if path.name == "a.journey.yaml" and path.read_bytes() == original:
            path.write_text(CLEAN.replace("id: clean", "id: a").replace("    goal: Visitors buy\n", ""),
                            encoding="utf-8")

    monkeypatch.setattr(sys.modules[__name__], "BEFORE_CHECK", [edit])
    assert run(ws) == [("a.journey.yaml", 28, "stage-without-goal")] + C_FINDINGS
    monkeypatch.setattr(sys.modules[__name__], "BEFORE_CHECK", [])
    (ws / "a.journey.yaml").write_bytes(original)  # back to the bytes the first run looked up
    assert run(ws) == C_FINDINGS  # not the edited file's finding
    assert CHECKED == ["a.journey.yaml"]


# --- damage ------------------------------------------------------------------------------------------


def test_a_corrupt_database_is_ignored_and_rebuilt(ws):
    run(ws)
    db = ws / "cache" / cache.DB_NAME
    for suffix in ("-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    db.write_bytes(b"this is not a database" * 100)
    assert run(ws) == C_FINDINGS
    assert sorted(CHECKED) == ["a.journey.yaml", "b.journey.yaml", "c.journey.yaml"]
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT count(*) FROM results").fetchone() == (3,)
    assert run(ws) == C_FINDINGS
    assert CHECKED == []


@pytest.mark.parametrize("value", [
    "not json",
    '{"\\u0000": "C", "n": "Popen", "v": [["rm", "-rf", "/"]]}',  # a class outside the allow-list: a miss
    '{"\\u0000": "C", "n": "FileOutcome", "v": [1, 2, 3, 4, 5]}',
    '{"\\u0000": "?", "v": []}',
    '[1, 2, 3]',
    '"' + "[" * 100_000 + '"',
    "[" * 100_000,
])
def test_a_damaged_or_forged_entry_is_a_miss_and_is_overwritten(ws, value):
    run(ws)
    db = ws / "cache" / cache.DB_NAME
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE results SET value = ?", (value,))
    assert run(ws) == C_FINDINGS
    assert sorted(CHECKED) == ["a.journey.yaml", "b.journey.yaml", "c.journey.yaml"]
    assert run(ws) == C_FINDINGS
    assert CHECKED == []


def test_an_unusable_cache_directory_does_not_fail_the_run(ws, monkeypatch):
    (ws / "blocker").write_text("a file where the cache directory should go", encoding="utf-8")
    monkeypatch.setenv("JOURNEYCTL_CACHE_DIR", str(ws / "blocker" / "cache"))
    assert run(ws) == C_FINDINGS
    assert run(ws) == C_FINDINGS
    assert len(CHECKED) == 3


def test_a_locked_database_skips_writing_without_waiting_forever(ws):
    run(ws)
    (ws / "a.journey.yaml").write_text(CLEAN.replace("id: clean", "id: a2"), encoding="utf-8")
    with sqlite3.connect(ws / "cache" / cache.DB_NAME, isolation_level=None) as other:
        other.execute("BEGIN EXCLUSIVE")
        store = cache.ResultCache(ws / "cache")
        store.put_many([("k", "v")])  # waits at most BUSY_TIMEOUT_MS, then gives up
        store.close()
        other.execute("ROLLBACK")
    assert run(ws) == C_FINDINGS
    assert CHECKED == ["a.journey.yaml"]


def test_concurrent_runs_share_one_cache_safely(ws):
    for i in range(40):
        (ws / f"more-{i:02d}.journey.yaml").write_text(CLEAN.replace("id: clean", f"id: more-{i:02d}"),
                                                       encoding="utf-8")
    env = {**os.environ, "NO_COLOR": "1", "JOURNEYCTL_JOBS": "2"}
    command = [sys.executable, "-m", "journeyctl", "validate", ".", "-f", "json"]
    procs = [subprocess.Popen(command, cwd=ws, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(4)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0]  # c's finding is a warning
    assert [err for _, err in outputs] == ["", "", "", ""]
    assert len({out for out, _ in outputs}) == 1
    assert json.loads(outputs[0][0])["files"] == 43
    with sqlite3.connect(ws / "cache" / cache.DB_NAME) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        # 43 files, and the run replay's one entry (all runs had the same command line)
        assert conn.execute("SELECT count(*) FROM results WHERE key NOT LIKE 'run:%'").fetchone() == (43,)
        assert conn.execute("SELECT count(*) FROM results WHERE key LIKE 'run:%'").fetchone() == (1,)


# --- keys ----------------------------------------------------------------------------------------------


def test_the_run_fingerprint_does_not_depend_on_the_hash_seed(ws):
    (ws / ".journeyctl.yaml").write_text("required_stages: [awareness, purchase]\n", encoding="utf-8")
    (ws / "shared.catalog.yaml").write_text("journeyctl: 1\nteams:\n  - id: t1\n  - id: t2\n  - id: t3\n",
                                            encoding="utf-8")
    script = (
        "import functools, json\n"
        "from pathlib import Path\n"
        "from journeyctl.check import cache, pipeline as check\n"
        "from journeyctl.config import load_config\n"
        "from journeyctl.check.workspace import CROSS_FILE_RULES, load_catalogs\n"
        "c = load_config()\n"
        "ws, _, _ = load_catalogs([Path('shared.catalog.yaml')], c)\n"
        "job = functools.partial(check.check_journey_file, config=c, severities=check.effective_severities(c),\n"
        "                        workspace=ws, defer=frozenset(CROSS_FILE_RULES))\n"
        # Not run_fingerprint itself: its code hash changes whenever anyone edits journeyctl meanwhile.
        "print(json.dumps([cache.canonical(job), cache.rules_fingerprint()], sort_keys=True))\n"
    )
    prints = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        prints.add(subprocess.run([sys.executable, "-c", script], cwd=ws, env=env, capture_output=True, text=True,
                                  check=True, timeout=60).stdout)
    assert len(prints) == 1


def test_rules_from_outside_journeyctl_make_a_run_uncacheable(monkeypatch):
    from journeyctl.rules import RULES, Rule

    def outsider(journey, ctx):
        return iter(())

    monkeypatch.setitem(RULES, "outsider", Rule("outsider", "info", "test rule", outsider))
    from journeyctl.rules.catalog import all_rules

    monkeypatch.setitem(all_rules(), "outsider", RULES["outsider"])
    with pytest.raises(cache.Uncacheable):
        cache.rules_fingerprint()


@pytest.mark.parametrize("value", [
    {"a": frozenset({"x", "y"}), "b": (1, [2, {3}])},
    {1: "non-string key"},
    {"\x00": "the marker as a plain key"},
])
def test_values_round_trip_exactly(value):
    assert cache.loads(json.dumps(cache.encode(value)), {}) == value
