"""The README is the first thing a new user runs: keep its promises checked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from journeyctl.rules.catalog import all_rules

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
RULES_PAGE = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
PAGES = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").rglob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def test_quick_start_is_one_code_block_of_two_commands_and_ci_runs_the_test_one():
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```[a-z]*\n(.*?)```", section, re.S)
    assert len(blocks) == 1
    commands = [line.split("#", 1)[0].strip() for line in blocks[0].splitlines() if line.strip()]
    assert commands == ["make demo", "make test"]
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text()
    assert "\nmake test\n" in ci


def test_rules_table_lists_every_rule_with_its_default_severity():
    rows = re.findall(r"^\| `([a-z0-9-]+)` \| (error|warning|info)( \(off\))? \|", RULES_PAGE, re.M)
    documented = {rule_id: (severity, bool(off)) for rule_id, severity, off in rows}
    registered = {r.id: (r.severity, not r.enabled) for r in all_rules().values()}
    assert documented == registered


def test_the_readme_stays_a_first_hour_page():
    assert len(README.splitlines()) <= 200
    assert "## Quick start" in README and "docs/glossary.md" in README


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves_inside_the_repository(page):
    for target in LINK.findall(page.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        resolved = (page.parent / target.split("#", 1)[0]).resolve()
        assert resolved.is_relative_to(ROOT), f"{page.name} links outside the repository: {target}"
        assert resolved.exists(), f"{page.name} links to a missing file: {target}"
        assert "shared/" not in target


def _walkthrough_blocks() -> list[str]:
    section = README.split("## Five minutes with journeyctl", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```[a-z]*\n(.*?)```", section, re.S)


def test_the_walkthrough_prints_what_the_readme_shows(tmp_path):
    """Followed literally: init, validate, then the two mistakes the README describes give its exact lines."""
    import subprocess
    import sys

    def journeyctl(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "journeyctl", *args], cwd=tmp_path, capture_output=True,
                              text=True, timeout=120)

    blocks = _walkthrough_blocks()
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    assert journeyctl("init", "journeys", "--id", "signup").returncode == 0
    clean = journeyctl("validate", "journeys/")
    assert (clean.returncode, clean.stdout) == (0, blocks[2])
    starter = tmp_path / "journeys" / "signup.journey.yaml"
    text = starter.read_text(encoding="utf-8")
    assert (tmp_path / "journey.schema.json").is_file() and "$schema=../journey.schema.json" in text
    broken = re.sub(r"^(\s*)channel: web$", r"\1chanel: web", text, count=1, flags=re.M)
    broken = "".join(line for line in broken.splitlines(keepends=True) if "handoff:" not in line)
    starter.write_text(broken, encoding="utf-8")
    found = journeyctl("validate", "journeys/")
    assert (found.returncode, found.stdout) == (1, blocks[3])
    fixes = journeyctl("fix", "journeys/", "--diff")
    assert fixes.returncode == 1 and "+        channel: web" in fixes.stdout and "+            handoff:" in fixes.stdout
