"""The pre-commit integration: .pre-commit-hooks.yaml is well formed, and its validate hook, run by
pre-commit itself in a temporary repository, passes clean journeys and fails broken ones.

The hook is run as a `language: system` copy of the published definition (same files pattern, same
entry, with this interpreter's journeyctl), so the test needs no network: `language: python` would
pip-install journeyctl and its dependencies into a fresh environment.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
HOOKS = ROOT / ".pre-commit-hooks.yaml"
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
CLEAN = "journeyctl: 1\nid: ok\ntitle: Ok\nstages:\n  - id: only\n    touchpoints:\n      - id: visit\n"
BROKEN = "journeyctl: 1\nid: bad\ntitle: Bad\nstages:\n  - id: empty\n    touchpoints: []\n"


def hooks() -> dict[str, dict]:
    return {hook["id"]: hook for hook in yaml.safe_load(HOOKS.read_text(encoding="utf-8"))}


def test_hooks_file_declares_both_hooks():
    defined = hooks()
    assert sorted(defined) == ["journeyctl-render-check", "journeyctl-validate"]
    for hook in defined.values():
        assert set(hook) >= {"id", "name", "entry", "language", "files"}
        assert hook["language"] == "python"
        assert re.search(hook["files"], "journeys/a.journey.yaml") and re.search(hook["files"], "b.journey.yml")
        assert not re.search(hook["files"], "a.yaml") and not re.search(hook["files"], "a.journey.yaml.bak")
    assert defined["journeyctl-validate"]["entry"] == "journeyctl validate"
    assert defined["journeyctl-render-check"]["entry"] == "journeyctl render --check"
    assert defined["journeyctl-render-check"]["args"] == ["--output", "docs/journeys/"]


@pytest.mark.parametrize("hook_id", ["journeyctl-validate", "journeyctl-render-check"])
def test_hook_entries_are_real_commands(hook_id):
    from journeyctl.cli import app

    words = shlex.split(hooks()[hook_id]["entry"]) + hooks()[hook_id].get("args", [])
    assert words[0] == "journeyctl"
    registered = {c.name or c.callback.__name__ for c in app.registered_commands}
    if words[1] not in registered:
        pytest.skip(f"'journeyctl {words[1]}' is not registered in this checkout yet")
    done = subprocess.run([sys.executable, "-m", "journeyctl", *words[1:], "--help"], capture_output=True, text=True)
    assert done.returncode == 0
    for option in (w for w in words[2:] if w.startswith("-")):
        assert option in done.stdout


def _pre_commit() -> str:
    beside = Path(sys.executable).parent / "pre-commit"
    found = str(beside) if beside.exists() else shutil.which("pre-commit")
    if found is None:
        pytest.skip("pre-commit is not installed (pip install -e '.[test]')")
    return found


def local_hook(hook_id: str, **override: object) -> dict:
    """The published hook as a `language: system` hook running this interpreter's journeyctl."""
    hook = dict(hooks()[hook_id])
    hook["entry"] = hook["entry"].replace("journeyctl", f"{shlex.quote(sys.executable)} -m journeyctl", 1)
    hook["language"] = "system"
    hook.update(override)
    return hook


@pytest.fixture
def hook_repo(tmp_path: Path) -> Path:
    """A repository whose .pre-commit-config.yaml runs the published validate hook as a local one."""
    from journeyctl.rules.catalog import all_rules

    repo = tmp_path / "repo"
    repo.mkdir()
    env = {**os.environ, **GIT_ENV}
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True, env=env)
    config = {"repos": [{"repo": "local", "hooks": [local_hook("journeyctl-validate")]}]}
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    # Only one gap rule on, so the clean journey stays clean whatever rules are added later.
    off = "\n".join(f"  {r}: 'off'" for r in sorted(all_rules()) if r != "stage-without-touchpoints")
    (repo / ".journeyctl.yaml").write_text(f"rules:\n{off}\n", encoding="utf-8")
    (repo / "journeys").mkdir()
    (repo / "journeys" / "ok.journey.yaml").write_text(CLEAN, encoding="utf-8")
    (repo / "journeys" / "bad.journey.yml").write_text(BROKEN, encoding="utf-8")
    (repo / "notes.yaml").write_text("not: a journey\n", encoding="utf-8")
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True, env=env)
    return repo


def run_hooks(repo: Path, *files: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(repo.parent / "pre-commit-home"), "NO_COLOR": "1",
           "SKIP": ""}
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run([_pre_commit(), "run", "--color", "never", "--files", *files], cwd=repo,
                          capture_output=True, text=True, env=env, timeout=120)


def test_pre_commit_passes_a_clean_journey(hook_repo):
    done = run_hooks(hook_repo, "journeys/ok.journey.yaml", "notes.yaml")
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"journeyctl validate\.+Passed", done.stdout)


def test_pre_commit_fails_a_broken_journey(hook_repo):
    done = run_hooks(hook_repo, "journeys/ok.journey.yaml", "journeys/bad.journey.yml")
    assert done.returncode == 1
    assert re.search(r"journeyctl validate\.+Failed", done.stdout)
    assert "journeys/bad.journey.yml:5:9: error stage-without-touchpoints stage 'empty' has no touchpoints" in done.stdout


def test_pre_commit_skips_files_that_are_not_journeys(hook_repo):
    done = run_hooks(hook_repo, "notes.yaml")
    assert done.returncode == 0
    assert re.search(r"journeyctl validate\.+\(no files to check\)Skipped", done.stdout)


def test_github_actions_example_uses_real_commands_and_options():
    """Every journeyctl command line of docs/github-actions-example.yml parses with this CLI."""
    workflow = yaml.safe_load((ROOT / "docs" / "github-actions-example.yml").read_text(encoding="utf-8"))
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    assert any(step.get("uses", "").startswith("github/codeql-action/upload-sarif@") for step in steps)
    commands = []
    for step in steps:
        script = step.get("run", "").replace("\\\n", " ")
        for line in script.splitlines():
            line = line.strip()
            if line.startswith("journeyctl "):
                words = shlex.split(line.split(" > ")[0].split(" >> ")[0].split(" || ")[0])
                commands.append([w for w in words if "${{" not in w])
    options: dict[str, set[str]] = {}
    for words in commands:
        options.setdefault(words[1], set()).update(w for w in words if w.startswith("--"))
    assert sorted(options) == ["diff", "validate"]
    for command, used in options.items():
        done = subprocess.run([sys.executable, "-m", "journeyctl", command, "--help"], capture_output=True,
                              text=True, env={**os.environ, "COLUMNS": "200"})
        assert done.returncode == 0, command
        for option in used:
            assert option in done.stdout, (command, option)


def test_pre_commit_render_check_finds_stale_diagrams(tmp_path):
    """The render-check hook passes while the committed diagram matches, and fails once the journey changes.
    Mermaid output needs no Graphviz."""
    from journeyctl.cli import app

    if "render" not in {c.name or c.callback.__name__ for c in app.registered_commands}:
        pytest.skip("'journeyctl render' is not registered in this checkout yet")
    repo = tmp_path / "repo"
    repo.mkdir()
    env = {**os.environ, **GIT_ENV}
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True, env=env)
    hook = local_hook("journeyctl-render-check", args=["--format", "mermaid", "--output", "diagrams/"])
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump({"repos": [{"repo": "local", "hooks": [hook]}]}),
                                                  encoding="utf-8")
    journey = repo / "ok.journey.yaml"
    journey.write_text(CLEAN, encoding="utf-8")
    (repo / "diagrams").mkdir()
    made = subprocess.run([sys.executable, "-m", "journeyctl", "render", "ok.journey.yaml", "--format", "mermaid",
                           "--output", "diagrams/"], cwd=repo, capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True, env=env)
    fresh = run_hooks(repo, "ok.journey.yaml")
    assert fresh.returncode == 0, fresh.stdout + fresh.stderr
    assert re.search(r"journeyctl render --check\.+Passed", fresh.stdout)
    journey.write_text(CLEAN.replace("id: visit", "id: visit-renamed"), encoding="utf-8")
    stale = run_hooks(repo, "ok.journey.yaml")
    assert stale.returncode == 1
    assert re.search(r"journeyctl render --check\.+Failed", stale.stdout)
    assert "diagrams/" in stale.stdout
