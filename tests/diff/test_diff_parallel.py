"""`journeyctl diff` checked in worker processes reports exactly what the serial path reports.

Workers check both versions of a path edited in place and compare them there, sending back no models;
everything else (a moved and edited file, ids swapped between files, a second file with an existing
id) is compared in the main process on models re-checked on demand. One repository holds every kind of
change, and the serial and parallel runs must agree on the DiffResult, every format and --render.

The in-process comparison runs in a fresh interpreter: forking beside the threads earlier tests leave in
the pytest process (PySpark's gateway) is not safe, and the diff refuses to fork there anyway.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

FIXTURE = Path(__file__).parents[1] / "fixtures" / "diff" / "base" / "journeys" / "onboarding.journey.yaml"
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
JOURNEYS = 60
CATALOG = "journeyctl: 1\nteams:\n  - {id: growth, name: Growth}\n"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, capture_output=True, check=True, env={**os.environ, **GIT_ENV})


def journey(i: int | str) -> str:
    ident = i if isinstance(i, str) else f"j{i:02d}"
    return FIXTURE.read_text(encoding="utf-8").replace("id: onboarding", f"id: {ident}", 1)


def edit(text: str) -> str:
    """Owner, a rate (the funnel moves) and an SLA."""
    text = text.replace("owner: sales", "owner: customer-success", 1)
    return text.replace("rate: 0.6", "rate: 0.7").replace("rate: 0.4", "rate: 0.3").replace("sla: 48h", "sla: 24h")


def make_repo(root: Path, catalog_edited: bool = False) -> Path:
    """A catalog edit changes every journey's workspace: unchanged files are then checked once per side."""
    repo = root / "repo"
    (repo / "journeys").mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    for i in range(JOURNEYS):
        (repo / "journeys" / f"j{i:02d}.journey.yaml").write_text(journey(i), encoding="utf-8")
    (repo / "shared.catalog.yaml").write_text(CATALOG, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    git(repo, "tag", "base")

    j = repo / "journeys"
    for i in range(10):  # edited in place
        path = j / f"j{i:02d}.journey.yaml"
        path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    (j / "moved").mkdir()
    git(repo, "mv", "journeys/j10.journey.yaml", "journeys/moved/j10.journey.yaml")  # moved as is
    git(repo, "mv", "journeys/j11.journey.yaml", "journeys/moved/j11.journey.yaml")  # moved and edited
    (j / "moved" / "j11.journey.yaml").write_text(edit(journey(11)), encoding="utf-8")
    (j / "j12.journey.yaml").write_text(journey("j12-renamed").replace("title: Trial", "title: Paid"),
                                        encoding="utf-8")  # id renamed in place
    git(repo, "rm", "-q", "journeys/j13.journey.yaml")
    (j / "new.journey.yaml").write_text(journey("new"), encoding="utf-8")
    (j / "j14.journey.yaml").write_text(journey(15), encoding="utf-8")  # ids swapped between two files
    (j / "j15.journey.yaml").write_text(edit(journey(14)), encoding="utf-8")
    (j / "j16.journey.yaml").write_text(journey(16).replace("stages:", "stages: [", 1), encoding="utf-8")
    (j / "a-dup.journey.yaml").write_text(edit(journey(17)), encoding="utf-8")  # j17 a second time
    (j / "j18.journey.yaml").write_text(journey(18) + "# reviewed, nothing changed\n", encoding="utf-8")
    if catalog_edited:
        (repo / "shared.catalog.yaml").write_text(CATALOG + "  - {id: support, name: Support}\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "head")
    return repo


def serial_and_parallel(repo: str) -> dict[str, Any]:
    """Run in a fresh interpreter (see the module docstring): both runs in-process, and what they did."""
    from journeyctl.config import load_config
    from journeyctl.diff import snapshot, workers
    from journeyctl.diff.report import FORMATTERS
    from journeyctl.diff.sides import load_sides

    path = Path(repo)
    config = load_config(start=path)
    os.environ["JOURNEYCTL_JOBS"] = "1"
    serial = load_sides("base", ["main"], config, path)
    os.environ["JOURNEYCTL_JOBS"] = "2"
    workers.PARALLEL_MIN_FILES = 4  # many small chunks
    calls = []
    real_run = workers.run

    def spy(checker: Any, jobs: list[Any], n: int) -> list[Any]:
        calls.append({"workers": n, "pairs": sum(isinstance(job, workers.Pair) for job in jobs),
                      "singles": sum(isinstance(job, workers.Single) for job in jobs)})
        return real_run(checker, jobs, n)

    snapshot.run = spy
    parallel = load_sides("base", ["main"], config, path)
    # Before anything asks for a model: which head models the comparison itself had to re-check.
    loaded = sorted([j.id, j.head_file] for j in parallel.journeys if j.head_entry and j.head_entry.journey)
    serial_models = {j.head_file: j.journey.model_dump(mode="json") for j in serial.journeys if j.journey}
    parallel_models = {j.head_file: j.journey.model_dump(mode="json") for j in parallel.journeys if j.journey}
    return {
        "calls": calls,
        "equal": serial == parallel,
        "formats": {fmt: FORMATTERS[fmt](serial) == FORMATTERS[fmt](parallel) for fmt in sorted(FORMATTERS)},
        "models_equal": serial_models == parallel_models,
        "models": sorted(serial_models),
        "loaded": loaded,
        "journeys": [[j.id, j.status, j.base_file, j.head_file, j.renamed] for j in serial.journeys],
        "changes": {f"{j.id} {j.head_file}": [c.as_dict() for c in j.changes] for j in serial.journeys},
        "introduced": {f"{j.id} {j.head_file}": sorted({f.rule for f in j.introduced}) for j in serial.journeys},
        "json": FORMATTERS["json"](parallel),
    }


@pytest.fixture(scope="module", params=[False, True], ids=["catalog-unchanged", "catalog-edited"])
def repo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_repo(tmp_path_factory.mktemp("parallel"), request.param)


@pytest.fixture(scope="module")
def runs(repo: Path) -> dict[str, Any]:
    code = ("import json, sys; sys.path.insert(0, sys.argv[1]); from test_diff_parallel import serial_and_parallel; "
            "print(json.dumps(serial_and_parallel(sys.argv[2])))")
    done = subprocess.run([sys.executable, "-c", code, str(Path(__file__).parent), str(repo)], capture_output=True,
                          text=True, timeout=120, env={**os.environ, **GIT_ENV})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_parallel_path_ran(repo, runs):
    # 42 journeys unchanged on their path: checked once, or once per side when the catalog changed; 15
    # paths edited in place are pairs; two moved (2 x 2), one added, one removed and the second j17 are single.
    unchanged = 84 if "support" in (repo / "shared.catalog.yaml").read_text() else 42
    assert runs["calls"] == [{"workers": 2, "pairs": 15, "singles": unchanged + 7}]


def test_serial_and_parallel_agree(runs):
    assert runs["equal"] is True
    assert runs["formats"] == {"json": True, "md": True, "text": True}
    assert runs["models_equal"] is True
    assert len(runs["models"]) == JOURNEYS  # every head journey but the broken j16, plus new and a-dup


def test_models_are_re_checked_only_where_the_pair_is_not_the_workers(runs):
    """Edits in place use the workers' comparison; a moved and edited file, an id that moved to another
    file with edits and a second file with an existing id are compared on models checked again in the
    main process. j15 moved to j14's file unedited: a rename, no model needed."""
    assert runs["loaded"] == [["j11", "journeys/moved/j11.journey.yaml"], ["j14", "journeys/j15.journey.yaml"],
                              ["j17", "journeys/a-dup.journey.yaml"]]


def test_every_kind_of_change_is_there(runs):
    journeys = {(j[0], j[3] or j[2]): j for j in runs["journeys"]}
    assert journeys[("j00", "journeys/j00.journey.yaml")] == \
        ["j00", "modified", "journeys/j00.journey.yaml", "journeys/j00.journey.yaml", False]
    assert journeys[("j10", "journeys/moved/j10.journey.yaml")][1:] == \
        ["modified", "journeys/j10.journey.yaml", "journeys/moved/j10.journey.yaml", True]
    assert journeys[("j12-renamed", "journeys/j12.journey.yaml")][1] == "modified"
    assert journeys[("j13", "journeys/j13.journey.yaml")][1:4] == ["removed", "journeys/j13.journey.yaml", None]
    assert journeys[("new", "journeys/new.journey.yaml")][1:4] == ["added", None, "journeys/new.journey.yaml"]
    assert journeys[("j17", "journeys/j17.journey.yaml")][1:4] == ["added", None, "journeys/j17.journey.yaml"]
    assert journeys[("j18", "journeys/j18.journey.yaml")][1] == "unchanged"  # a comment only
    assert journeys[("j16", "journeys/j16.journey.yaml")][1] == "modified"  # broken: no model in head
    assert "yaml-syntax" in runs["introduced"]["j16 journeys/j16.journey.yaml"]
    assert runs["changes"]["j16 journeys/j16.journey.yaml"] == []

    def plain(key: str) -> list[tuple]:
        return [(c["element"], c["id"], c["action"], c["field"], c["before"], c["after"]) for c in runs["changes"][key]]

    in_place = plain("j00 journeys/j00.journey.yaml")
    assert in_place[:4] == [("journey", "j00", "changed", "owner", "sales", "customer-success"),
                            ("transition", "demo -> kickoff-call", "changed", "rate", 0.6, 0.7),
                            ("transition", "demo -> lost", "changed", "rate", 0.4, 0.3),
                            ("handoff", "demo -> kickoff-call", "changed", "sla", "48h", "24h")]
    assert [c[:4] for c in in_place[4:]] == [("funnel", "j00", "changed", "conversion"),  # from the worker
                                             ("funnel", "j00", "changed", "expected_touchpoints")]
    assert plain("j11 journeys/moved/j11.journey.yaml")[0] == \
        ("journey", "j11", "renamed", "file", "journeys/j11.journey.yaml", "journeys/moved/j11.journey.yaml")
    # The same edit, compared in the main process: the same changes.
    assert plain("j11 journeys/moved/j11.journey.yaml")[1:] == \
        [(c[0], "j11", *c[2:]) if c[1] == "j00" else c for c in in_place]
    assert plain("j12-renamed journeys/j12.journey.yaml")[:2] == \
        [("journey", "j12-renamed", "changed", "id", "j12", "j12-renamed"),
         ("journey", "j12-renamed", "changed", "title", "Trial to onboarded customer", "Paid to onboarded customer")]
    assert plain("j14 journeys/j15.journey.yaml")[0] == \
        ("journey", "j14", "renamed", "file", "journeys/j14.journey.yaml", "journeys/j15.journey.yaml")
    assert plain("j18 journeys/j18.journey.yaml") == []


def test_cli_output_and_render_are_the_same_with_one_or_two_jobs(repo, runs, tmp_path):
    outputs = {}
    for jobs in ("1", "2"):
        env = {**os.environ, **GIT_ENV, "JOURNEYCTL_JOBS": jobs}
        for fmt in ("text", "md", "json"):
            done = subprocess.run([sys.executable, "-m", "journeyctl", "diff", "base", "main", "-f", fmt], cwd=repo,
                                  capture_output=True, text=True, env=env, timeout=120)
            assert done.returncode == 0, done.stderr
            outputs[jobs, fmt] = done.stdout
    for fmt in ("text", "md", "json"):
        assert outputs["1", fmt] == outputs["2", fmt]
    assert outputs["2", "json"] == runs["json"]
    assert outputs["1", "text"].startswith("journeyctl diff base")
    assert "transition 'demo -> kickoff-call': rate 0.6 → 0.7" in outputs["1", "text"]

    pytest.importorskip("journeyctl.render", reason="journeyctl.render is not in this checkout")
    drawn = {}
    for jobs in ("1", "2"):
        out = tmp_path / jobs
        out.mkdir()
        done = subprocess.run([sys.executable, "-m", "journeyctl", "diff", "base", "main", "--render",
                               str(out / "map.mmd")], cwd=repo, capture_output=True, text=True,
                              env={**os.environ, **GIT_ENV, "JOURNEYCTL_JOBS": jobs}, timeout=120)
        assert done.returncode == 0, done.stderr
        drawn[jobs] = {p.name: p.read_text(encoding="utf-8") for p in sorted(out.iterdir())}
    assert drawn["1"] == drawn["2"]
    assert "map.j00.mmd" in drawn["1"] and "map.j11.mmd" in drawn["1"] and "map.j14.mmd" in drawn["1"]
    assert "flowchart LR" in drawn["1"]["map.j00.mmd"]
