"""Done-when test of issue 16: a git history of a workspace, reviewed step by step.

Each commit makes one kind of edit a real pull request makes: a stage inserted above a stage with a
finding, whole files reformatted, a touchpoint renamed with its references, a journey file moved, a
catalog edited, a finding really introduced, one really fixed. For every step the diff must report
exactly the new and resolved findings (none for the edits that only move text), the rename as one
change, and `--fail-on-new` / `--baseline` must exit accordingly. SARIF fingerprints must not move
when only lines do, and every SARIF document must validate against the official 2.1.0 schema.
"""

from __future__ import annotations

import re

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from journeyctl.config import load_config
from journeyctl.diff.sides import load_sides

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

SARIF_SCHEMA = Path(__file__).resolve().parents[3] / "shared" / "schemas" / "sarif-schema-2.1.0.json"
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
KEEP = {"stage-without-goal", "unknown-reference", "unused-definition", "stage-without-touchpoints", "schema",
        "yaml-syntax", "yaml-value", "duplicate-key", "file-error", "duplicate-id", "stale-baseline"}

CATALOG = """\
journeyctl: 1
title: Shared
teams:
  - {id: growth, name: Growth}
  - {id: care, name: Care}
channels:
  - {id: web, name: Website}
  - {id: email, name: Email}
"""

ONBOARDING = """\
journeyctl: 1
id: onboarding
title: Onboarding
stages:
  - id: signup
    name: Sign up
    touchpoints:
      - id: form
        name: Sign-up form
        channel: web
        owner: growth
        entry: true
        next:
          - {to: welcome, rate: 0.6}
  - id: activation
    name: Activation
    goal: New customers use the product in week one
    touchpoints:
      - id: welcome
        name: Welcome email
        channel: email
        owner: growth
        outcome: converted
"""

SUPPORT = """\
journeyctl: 1
id: support
title: Support
stages:
  - id: help
    name: Help
    goal: Customers get an answer the same day
    touchpoints:
      - id: ticket
        name: Ticket
        channel: email
        owner: care
        entry: true
        outcome: retained
"""

# Step 1: a stage inserted before 'signup' (which has the stage-without-goal finding).
DISCOVERY = """\
  - id: discovery
    name: Discovery
    goal: People who need us find us
    touchpoints:
      - id: ad
        name: Ad
        channel: web
        owner: growth
        entry: true
        share: 1.0
        next:
          - {to: form}
"""

# Step 2: the same content, re-indented, keys reordered, comments added.
ONBOARDING_REFORMATTED = """\
# Onboarding: how a visitor becomes an active customer.
title: Onboarding          # shown in renders
id: onboarding
journeyctl: 1
stages:
    # how people hear of us
    -   name: Discovery
        id: discovery
        goal: People who need us find us
        touchpoints:
            -   {name: Ad, id: ad, owner: growth, channel: web, share: 1.0, entry: true, next: [{to: form}]}
    -   name: Sign up
        id: signup
        touchpoints:
            -   id: form
                entry: true
                channel: web
                name: Sign-up form
                owner: growth
                next:
                    -   rate: 0.6
                        to: welcome
    -   goal: New customers use the product in week one
        id: activation
        name: Activation
        touchpoints:
            -   outcome: converted
                owner: growth
                channel: email
                name: Welcome email
                id: welcome
"""

CATALOG_REFORMATTED = """\
# shared by every journey
title: Shared
journeyctl: 1
channels:
    -   name: Website
        id: web
    -   {name: Email, id: email}
teams:
    -   {name: Growth, id: growth}
    -   {name: Care, id: care}
"""


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True,
                          env={**os.environ, **GIT_ENV}).stdout.strip()


def cli(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **GIT_ENV, "JOURNEYCTL_NO_REPLAY": "1"}
    return subprocess.run([sys.executable, "-m", "journeyctl", *args], cwd=repo, capture_output=True, text=True,
                          env=env, timeout=120)


def config_text() -> str:
    from journeyctl.rules.catalog import all_rules

    return "rules:\n" + "".join(f"  {r}: 'off'\n" for r in sorted(all_rules()) if r not in KEEP)


def write(repo: Path, rel: str, text: str) -> None:
    (repo / rel).parent.mkdir(parents=True, exist_ok=True)
    (repo / rel).write_text(text, encoding="utf-8")


def commit(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)
    return git(repo, "rev-parse", "HEAD")


def found(findings) -> list[tuple[str, str, str]]:
    return sorted((f.rule, f.file, f.message) for f in findings)


def step_diff(repo: Path, base: str, head: str):
    return load_sides(base, [head], load_config(start=repo), repo)


def sarif(repo: Path) -> dict:
    done = cli(repo, "validate", "-f", "sarif", "--fail-on", "info")
    assert done.returncode in (0, 1), done.stderr
    document = json.loads(done.stdout)
    if SARIF_SCHEMA.is_file():
        from jsonschema import Draft4Validator

        schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
        assert [e.message for e in Draft4Validator(schema).iter_errors(document)] == []
    rules = document["runs"][0]["tool"]["driver"]["rules"]
    assert all(r.get("helpUri") and r.get("name") for r in rules)
    return document


def fingerprints(document: dict) -> list[tuple[str, str, str]]:
    return sorted((r["ruleId"], r["message"]["text"], r["partialFingerprints"]["journeyctl/v2"])
                  for r in document["runs"][0]["results"])


def lines(document: dict) -> dict[str, int]:
    return {r["message"]["text"]: r["locations"][0]["physicalLocation"]["region"]["startLine"]
            for r in document["runs"][0]["results"]}


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Build the history once, recording after each commit what the CLI says (the expensive part)."""
    repo = tmp_path_factory.mktemp("review") / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    write(repo, ".journeyctl.yaml", config_text())
    write(repo, "journeys/company.catalog.yaml", CATALOG)
    write(repo, "journeys/onboarding.journey.yaml", ONBOARDING)
    write(repo, "journeys/support.journey.yaml", SUPPORT)
    commits = {"start": commit(repo, "start")}
    seen = {"start": {"sarif": sarif(repo)}}
    baseline = cli(repo, "validate", "--write-baseline", "baseline.json")
    assert baseline.returncode == 0, baseline.stderr
    assert "wrote 1 finding to the baseline baseline.json" in baseline.stderr
    (repo / "baseline.json").rename(repo.parent / "baseline.json")  # outside the history

    def record(name: str, edit) -> None:
        edit()
        commits[name] = commit(repo, name)
        previous = list(commits)[-2]
        base_ref = commits[previous]
        seen[name] = {
            "sarif": sarif(repo) if name in SARIF_STEPS else None,
            "fail_on_new": cli(repo, "diff", base_ref, commits[name], "--fail-on-new", "warning").returncode,
            "baseline": cli(repo, "validate", "--baseline", str(repo.parent / "baseline.json"), "-f", "json",
                            "--fail-on", "warning"),
            "base": base_ref,
        }

    onboarding = repo / "journeys/onboarding.journey.yaml"
    record("insert-stage", lambda: write(repo, "journeys/onboarding.journey.yaml",
                                         ONBOARDING.replace("stages:\n", "stages:\n" + DISCOVERY, 1)))
    record("reformat", lambda: (write(repo, "journeys/onboarding.journey.yaml", ONBOARDING_REFORMATTED),
                                write(repo, "journeys/company.catalog.yaml", CATALOG_REFORMATTED)))
    record("rename-touchpoint", lambda: write(repo, "journeys/onboarding.journey.yaml",
                                              onboarding.read_text(encoding="utf-8")
                                              .replace("id: form", "id: signup-form")
                                              .replace("{to: form}", "{to: signup-form}")))
    record("move-file", lambda: ((repo / "journeys/care").mkdir(),
                                 git(repo, "mv", "journeys/support.journey.yaml", "journeys/care/support.journey.yaml")))
    record("edit-catalog", lambda: write(repo, "journeys/company.catalog.yaml",
                                         CATALOG_REFORMATTED.replace("{name: Care, id: care}",
                                                                     "{name: Customer care, id: care}")
                                         + "    -   {name: Chat, id: chat}\n"))
    record("introduce", lambda: write(repo, "journeys/onboarding.journey.yaml",
                                      onboarding.read_text(encoding="utf-8") + """\
    -   id: referral
        name: Referral
        touchpoints:
            -   {id: invite, name: Invite, channel: email, owner: growth, outcome: advocate}
"""))
    record("fix", lambda: write(repo, "journeys/onboarding.journey.yaml",
                                onboarding.read_text(encoding="utf-8").replace(
                                    "        id: signup\n", "        id: signup\n        goal: Visitors sign up in one go\n")))
    return {"repo": repo, "commits": commits, "seen": seen}


SARIF_STEPS = {"insert-stage", "reformat", "move-file", "fix"}
GOAL_SIGNUP = ("stage-without-goal", "journeys/onboarding.journey.yaml", "stage 'signup' has no goal: say what it must achieve")
GOAL_REFERRAL = ("stage-without-goal", "journeys/onboarding.journey.yaml",
                 "stage 'referral' has no goal: say what it must achieve")
UNUSED_CHAT = ("unused-definition", "journeys/company.catalog.yaml", "catalog team 'chat' is used by no journey")

# step → (introduced, resolved, --fail-on-new warning exit, --baseline exit, findings --baseline reports)
EXPECTED = {
    "insert-stage": ([], [], 0, 0, []),
    "reformat": ([], [], 0, 0, []),
    "rename-touchpoint": ([], [], 0, 0, []),
    "move-file": ([], [], 0, 0, []),
    "edit-catalog": ([UNUSED_CHAT], [], 0, 0, [UNUSED_CHAT[:2]]),  # info: below --fail-on-new warning
    "introduce": ([GOAL_REFERRAL], [], 1, 1, [UNUSED_CHAT[:2], GOAL_REFERRAL[:2]]),
    "fix": ([], [GOAL_SIGNUP], 0, 1, [UNUSED_CHAT[:2], GOAL_REFERRAL[:2], ("stale-baseline", "BASELINE")]),
}


@pytest.mark.parametrize("step", list(EXPECTED))
def test_each_step_reports_exactly_its_findings(history, step):
    repo, commits, seen = history["repo"], history["commits"], history["seen"][step]
    introduced, resolved, fail_on_new, baseline_code, reported = EXPECTED[step]
    result = step_diff(repo, seen["base"], commits[step])
    assert found(result.introduced) == sorted(introduced)
    assert found(result.resolved) == sorted(resolved)
    assert seen["fail_on_new"] == fail_on_new
    run = seen["baseline"]
    assert run.returncode == baseline_code, run.stderr
    reported = [(rule, str(repo.parent / "baseline.json") if file == "BASELINE" else file) for rule, file in reported]
    assert sorted((f["rule"], f["file"]) for f in json.loads(run.stdout)["findings"]) == sorted(reported)
    # the catalog is never a journey
    assert all(j.id is not None for j in result.journeys if j.head_file and j.head_file.endswith(".journey.yaml"))
    assert result.status_counts()["unchanged"] + result.status_counts()["modified"] + \
        result.status_counts()["added"] == 2


def test_edits_that_only_move_text_change_nothing(history):
    repo, commits = history["repo"], history["commits"]
    reformat = step_diff(repo, commits["insert-stage"], commits["reformat"])
    assert reformat.changed == []  # comments, indentation, key order: nothing a reviewer needs
    insert = step_diff(repo, commits["start"], commits["insert-stage"])
    assert [(c.element, c.id, c.action) for j in insert.changed for c in j.changes] == [
        ("stage", "discovery", "added"), ("touchpoint", "ad", "added"), ("transition", "ad -> form", "added"),
        ("funnel", "onboarding", "changed")]  # a new entry with the whole share: the figures move


def test_the_rename_is_one_change_with_its_references_folded(history):
    repo, commits = history["repo"], history["commits"]
    result = step_diff(repo, commits["reformat"], commits["rename-touchpoint"])
    changes = [c.as_dict() for j in result.changed for c in j.changes]
    assert changes == [{"element": "touchpoint", "id": "signup-form", "action": "renamed", "field": "id",
                        "before": "form", "after": "signup-form", "name": "Sign-up form"}]
    text = cli(repo, "diff", commits["reformat"], commits["rename-touchpoint"]).stdout
    assert "    touchpoint 'form' renamed to 'signup-form' (Sign-up form) (references updated)" in text.splitlines()


def test_a_moved_file_is_the_same_journey(history):
    repo, commits = history["repo"], history["commits"]
    result = step_diff(repo, commits["rename-touchpoint"], commits["move-file"])
    [moved] = result.changed
    assert (moved.id, moved.renamed, moved.base_file, moved.head_file) == (
        "support", True, "journeys/support.journey.yaml", "journeys/care/support.journey.yaml")
    assert [c.action for c in moved.changes] == ["renamed"]


def test_the_catalog_is_not_counted_as_a_journey(history):
    repo, commits = history["repo"], history["commits"]
    done = cli(repo, "diff", commits["move-file"], commits["edit-catalog"], "-f", "json")
    summary = json.loads(done.stdout)["summary"]
    assert summary["journeys"] == {"added": 0, "removed": 0, "modified": 0, "renamed": 0, "unchanged": 2}
    assert summary["files"] == {"added": 0, "removed": 0, "modified": 1, "renamed": 0, "unchanged": 0}
    assert summary["introduced"] == {"error": 0, "warning": 0, "info": 1}


def test_sarif_fingerprints_survive_line_shifts(history):
    seen = history["seen"]
    start, shifted, reformatted = (seen[s]["sarif"] for s in ("start", "insert-stage", "reformat"))
    assert fingerprints(start) == fingerprints(shifted) == fingerprints(reformatted)
    assert fingerprints(start)  # there is something to compare
    message = GOAL_SIGNUP[2]
    assert len({lines(start)[message], lines(shifted)[message], lines(reformatted)[message]}) == 3  # lines moved
    moved = {r["partialFingerprints"]["journeyctl/v2"] for r in seen["move-file"]["sarif"]["runs"][0]["results"]}
    assert {fp for _, _, fp in fingerprints(start)} <= moved  # a moved file keeps its alerts


def test_two_files_resolve_their_own_workspace(history, tmp_path):
    repo, commits = history["repo"], history["commits"]
    old = tmp_path / "old.journey.yaml"  # outside any workspace, as `git show REV:file > /tmp/x` leaves it
    old.write_text(git(repo, "show", f"{commits['start']}:journeys/onboarding.journey.yaml") + "\n", encoding="utf-8")
    done = cli(repo, "diff", str(old), "journeys/onboarding.journey.yaml", "-f", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    # resolved against the workspace's catalog: no bogus unknown channel/team on either side
    [journey] = data["journeys"]
    assert [f["message"] for f in journey["introduced"]] == [GOAL_REFERRAL[2]]
    assert [f["message"] for f in journey["resolved"]] == [GOAL_SIGNUP[2]]
    assert "is in no workspace" in done.stderr and "resolved against the catalogs" in done.stderr


def test_render_marks_changes_with_words_and_catalog_names(history, tmp_path):
    pytest.importorskip("journeyctl.render", reason="journeyctl.render is not in this checkout")
    repo, commits = history["repo"], history["commits"]
    out = tmp_path / "change.dot"
    done = cli(repo, "diff", commits["reformat"], commits["rename-touchpoint"], "--render", str(out))
    assert done.returncode == 0, done.stderr
    dot = out.read_text(encoding="utf-8")
    # The map wraps a mark over lines of its card: read the label's words without the markup.
    words = " ".join(re.sub(r"<[^<>]*>", " ", dot).split())
    assert "changed: renamed from form" in words
    assert "Website" in dot and "legend: “added” green · “removed” red" in dot  # the catalog's channel name
    done = cli(repo, "diff", commits["fix"], commits["start"], "--render", str(out))  # backwards: removals
    assert done.returncode == 0, done.stderr
    dot = (tmp_path / "change.onboarding.dot").read_text(encoding="utf-8")  # two journeys changed: one file each
    assert "Discovery (removed)" in dot and ">removed<" in dot and "no such touchpoint" not in dot
