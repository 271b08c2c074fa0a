"""`journeyctl diff`: a temporary repository with two commits of a set of journeys, every kind of change
asserted in every format, plus the git edge cases (work tree, shallow clone, bad revisions)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from journeyctl.config import load_config
from journeyctl.diff.compare import DiffResult, funnel_figures, match_findings
from journeyctl.diff.report import FORMATTERS
from journeyctl.diff.sides import load_sides
from journeyctl.check.findings import Finding
from journeyctl.check.identity import compute
from journeyctl.format.model import Journey

FIXTURES = Path(__file__).parents[1] / "fixtures" / "diff"
# Rules that stay on in the test repository: the pipeline's own and one structural rule. Every other rule
# is switched off by the repository's config, so the findings asserted here do not move when rules are
# added elsewhere.
KEEP = {"stage-without-touchpoints", "schema", "yaml-syntax", "yaml-value", "duplicate-key", "file-error"}
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True,
                          env={**os.environ, **GIT_ENV})
    return done.stdout.strip()


def config_text(level: str = "error") -> str:
    from journeyctl.rules.catalog import all_rules

    lines = ["rules:"] + [f"  {r}: 'off'" for r in sorted(all_rules()) if r not in KEEP]
    lines.append(f"  stage-without-touchpoints: {level}")
    return "\n".join(lines) + "\n"


def make_repo(root: Path) -> Path:
    """base commit (tag `base`) → head commit (branch main), from tests/fixtures/diff/{base,head}."""
    repo = root / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    shutil.copytree(FIXTURES / "base", repo, dirs_exist_ok=True)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    git(repo, "tag", "base")
    git(repo, "rm", "-rq", "journeys")
    shutil.copytree(FIXTURES / "head", repo, dirs_exist_ok=True)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "head")
    (repo / ".journeyctl.yaml").write_text(config_text(), encoding="utf-8")  # untracked: read from disk
    return repo


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_repo(tmp_path_factory.mktemp("diff"))


def diff(repo: Path, *args: str, cwd: Path | None = None) -> DiffResult:
    cwd = cwd or repo
    return load_sides(args[0], list(args[1:]), load_config(start=cwd), cwd)


@pytest.fixture(scope="module")
def result(repo: Path) -> DiffResult:
    return diff(repo, "base", "main")


def cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "journeyctl", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV, **(env or {})}, timeout=60)


def unsha(text: str) -> str:
    """Labels carry the short commit id ('base (1a2b3c4)'), which changes with every fixture edit."""
    import re

    return re.sub(r" \([0-9a-f]{7,40}\)", "", text)


def changes(result: DiffResult, jid: str) -> set[tuple]:
    journey = next(j for j in result.journeys if j.id == jid)
    return {(c.element, c.id, c.action, c.field, json.dumps(c.before), json.dumps(c.after)) for c in journey.changes}


# Every kind of change the issue lists, as (element, id, action, field, before, after).
EXPECTED_CHANGES = [
    ("journey", "onboarding", "renamed", "file", "journeys/onboarding.journey.yaml",
     "journeys/b2b/onboarding.journey.yaml"),
    ("channel", "phone", "added", None, None, {"name": "Phone"}),
    ("metric", "win-rate", "changed", "target", 28.0, 30.0),
    ("stage", "advocacy", "added", None, None, {"name": "Advocacy"}),
    ("stage", "legacy", "removed", None, {"name": "Legacy paper contract"}, None),
    ("stage", "evaluation", "changed", "emotion", 1, 2),
    ("touchpoint", "training", "added", None, None,
     {"stage": "onboarding", "owner": "customer-success", "channel": "video-call", "kind": "external",
      "lane": "frontstage"}),
    ("touchpoint", "welcome-email", "removed", None,
     {"stage": "onboarding", "owner": "customer-success", "channel": "email", "kind": "external",
      "lane": "frontstage"}, None),
    ("touchpoint", "lost", "moved", "stage", "evaluation", "onboarding"),
    ("touchpoint", "kickoff-call", "changed", "owner", "sales", "customer-success"),
    ("touchpoint", "demo", "changed", "channel", "video-call", "phone"),
    ("touchpoint", "kickoff-call", "changed", "kind", "external", "internal"),
    ("touchpoint", "kickoff-call", "changed", "lane", "frontstage", "backstage"),
    ("touchpoint", "kickoff-call", "changed", "emotion", 0, -1),
    ("touchpoint", "demo", "changed", "emotion", 1, 2),
    ("touchpoint", "demo", "changed", "kpis", ["win-rate"], ["win-rate", "time-to-kickoff"]),
    ("transition", "kickoff-call -> training", "added", None, None, {"rate": 1.0}),
    ("transition", "kickoff-call -> welcome-email", "removed", None, {"rate": 1.0}, None),
    ("transition", "trial-signup -> demo", "changed", "rate", 0.5, 0.7),
    ("handoff", "kickoff-call -> training", "added", None, None, {"sla": "8h", "trigger": "kickoff done"}),
    ("handoff", "trial-signup -> demo", "removed", None, {"sla": "4h", "trigger": "demo booked"}, None),
    ("handoff", "demo -> kickoff-call", "changed", "sla", "48h", "24h"),
    ("funnel", "onboarding", "changed", "conversion", 0.3, 0.42),
    ("funnel", "onboarding", "changed", "expected_touchpoints", 2.8, 3.12),
]


@pytest.mark.parametrize("element, ident, action, field, before, after", EXPECTED_CHANGES,
                         ids=[f"{c[0]}-{c[2]}-{c[3] or ''}-{c[1]}" for c in EXPECTED_CHANGES])
def test_every_kind_of_change_is_reported(result, element, ident, action, field, before, after):
    assert (element, ident, action, field, json.dumps(before), json.dumps(after)) in changes(result, "onboarding")


def test_onboarding_reports_exactly_these_changes(result):
    assert len(changes(result, "onboarding")) == 25  # the 24 above plus trial-signup -> lost rate 0.5 → 0.3


@pytest.mark.parametrize("jid, status, base_file, head_file, renamed", [
    ("onboarding", "modified", "journeys/onboarding.journey.yaml", "journeys/b2b/onboarding.journey.yaml", True),
    ("referral", "added", None, "journeys/referral.journey.yaml", False),
    ("retired", "removed", "journeys/retired.journey.yaml", None, False),
    ("steady", "unchanged", "journeys/steady.journey.yaml", "journeys/steady.journey.yaml", False),
])
def test_journeys_are_matched_by_id(result, jid, status, base_file, head_file, renamed):
    journey = next(j for j in result.journeys if j.id == jid)
    assert (journey.status, journey.base_file, journey.head_file, journey.renamed) == \
        (status, base_file, head_file, renamed)


def test_findings_introduced_and_resolved_ignore_line_numbers(result):
    by_id = {j.id: j for j in result.journeys}
    assert [(f.rule, f.file, f.line, f.message) for f in by_id["onboarding"].introduced] == [
        ("stage-without-touchpoints", "journeys/b2b/onboarding.journey.yaml", 81, "stage 'advocacy' has no touchpoints")]
    assert [(f.rule, f.file, f.line, f.message) for f in by_id["onboarding"].resolved] == [
        ("stage-without-touchpoints", "journeys/onboarding.journey.yaml", 59, "stage 'legacy' has no touchpoints")]
    assert [f.message for f in by_id["referral"].introduced] == ["stage 'empty-on-arrival' has no touchpoints"]
    assert by_id["retired"].resolved == [] and by_id["steady"].introduced == []


def test_text_format(result):
    text = unsha(FORMATTERS["text"](result))
    lines = text.splitlines()
    assert lines[0] == ("journeyctl diff base → main: 3 journeys changed (1 added, 1 removed, 1 modified, 1 renamed); "
                        "2 new errors; 1 resolved")
    # the customer impact first, then the structure, then the findings; names beside ids
    assert lines[1:4] == ["", "Customer impact", "  'onboarding' (Trial to onboarded customer): conversion 30.0% → 42.0%; "
                                                 "expected touchpoints 2.80 → 3.12"]
    assert lines.index("Customer impact") < lines.index("Structure changes") < lines.index("Findings")
    for expected in [
        "  'onboarding' (Trial to onboarded customer) [modified] journeys/onboarding.journey.yaml → "
        "journeys/b2b/onboarding.journey.yaml",
        "    touchpoint 'kickoff-call': owner sales → customer-success",
        "    touchpoint 'lost' moved from stage 'evaluation' to 'onboarding'",
        "    touchpoint 'training' added to stage 'onboarding' (owner customer-success, channel video-call, "
        "kind external, lane frontstage)",
        "    touchpoint 'demo': KPIs +'time-to-kickoff'",
        "    hand-off 'kickoff-call -> training' added with SLA 8h",
        "    hand-off 'trial-signup -> demo' removed (it had SLA 4h)",
        "    hand-off 'demo -> kickoff-call': SLA 48h → 24h",
        "    metric 'win-rate' (Win rate): target 28 → 30",
        "    stage 'advocacy' (Advocacy) added",
        "    + new      journeys/b2b/onboarding.journey.yaml:81:9: error stage-without-touchpoints "
        "stage 'advocacy' has no touchpoints",
        "    - resolved journeys/onboarding.journey.yaml:59:9: error stage-without-touchpoints "
        "stage 'legacy' has no touchpoints",
        "  'referral' (A journey this change adds) [added] journeys/referral.journey.yaml",
        "  'retired' (A journey this change removes) [removed] journeys/retired.journey.yaml",
    ]:
        assert expected in lines
    assert "steady" not in text


def test_markdown_format(result):
    md = unsha(FORMATTERS["md"](result))
    assert md.startswith("## Journey changes: <code>base</code> → <code>main</code>\n\n"
                         "**3 journeys changed (1 added, 1 removed, 1 modified, 1 renamed); 2 new errors; 1 resolved**")
    assert md.index("### Customer impact") < md.index("### Structure changes") < md.index("### Findings")
    assert "| <code>onboarding</code> Trial to onboarded customer | 30.0% → 42.0% | 2.80 → 3.12 | unchanged |" in md
    assert "| journey | status | changes | new findings | resolved |" in md
    assert "| <code>onboarding</code> Trial to onboarded customer | modified (renamed) | 23 | 1 | 1 |" in md
    assert "| <code>referral</code> A journey this change adds | added | 0 | 1 | 0 |" in md
    assert md.count("<details>") == 3 and md.count("</details>") == 3
    assert "<details><summary><code>onboarding</code> Trial to onboarded customer (modified): 23 changes, " \
           "1 new finding, 1 resolved</summary>" in md
    assert "- touchpoint <code>kickoff-call</code>: owner <code>sales</code> → <code>customer-success</code>" in md
    assert "- hand-off <code>kickoff-call -&gt; training</code> added with SLA <code>8h</code>" in md
    assert "- <code>onboarding</code> Trial to onboarded customer: ❌ **error** <code>stage-without-touchpoints</code> " \
           "<code>journeys/b2b/onboarding.journey.yaml:81</code>: stage 'advocacy' has no touchpoints" in md


def test_json_format(result):
    data = json.loads(unsha(FORMATTERS["json"](result)))
    assert data["version"] == 1 and (data["base"], data["head"]) == ("base", "main")
    assert data["summary"] == {"journeys": {"added": 1, "removed": 1, "modified": 1, "renamed": 1, "unchanged": 1},
                               "files": {"added": 0, "removed": 0, "modified": 0, "renamed": 0, "unchanged": 0},
                               "introduced": {"error": 2, "warning": 0, "info": 0},
                               "resolved": {"error": 1, "warning": 0, "info": 0}}
    assert [(j["id"], j["status"]) for j in data["journeys"]] == [
        ("onboarding", "modified"), ("referral", "added"), ("retired", "removed")]
    onboarding = data["journeys"][0]
    assert {"element": "touchpoint", "id": "kickoff-call", "action": "changed", "field": "owner",
            "before": "sales", "after": "customer-success", "name": None} in onboarding["changes"]  # no name
    assert onboarding["introduced"] == [{"rule": "stage-without-touchpoints", "severity": "error",
                                         "file": "journeys/b2b/onboarding.journey.yaml", "line": 81, "column": 9,
                                         "message": "stage 'advocacy' has no touchpoints", "path": "stages[2].id",
                                         # what the finding is about, by ids: the stage, not its index
                                         "identity": compute("stage-without-touchpoints", "journey:onboarding",
                                                             "stages[advocacy].id",
                                                             "stage 'advocacy' has no touchpoints")}]


def test_work_tree_is_the_default_head(repo, result):
    work = diff(repo, "base")
    assert work.head == "working tree"
    assert unsha(FORMATTERS["json"](work)).replace('"working tree"', '"main"') == unsha(FORMATTERS["json"](result))


def test_uncommitted_edit_shows_against_head(tmp_path):
    repo = make_repo(tmp_path)
    target = repo / "journeys" / "steady.journey.yaml"
    target.write_text(target.read_text().replace("outcome: converted", "outcome: retained"), encoding="utf-8")
    work = diff(repo, "HEAD")
    assert [(j.id, [(c.element, c.field, c.before, c.after) for c in j.changes]) for j in work.changed] == [
        ("steady", [("touchpoint", "outcome", "converted", "retained")])]


@pytest.mark.parametrize("paths, changed", [
    (["journeys/steady.journey.yaml"], []),
    (["journeys/referral.journey.yaml"], [("referral", "added")]),
    (["journeys/retired.journey.yaml"], [("retired", "removed")]),
    (["journeys/b2b"], [("onboarding", "added")]),  # outside PATHS the old file is not compared
    (["journeys/b2b", "journeys/onboarding.journey.yaml"], [("onboarding", "modified")]),
])
def test_paths_narrow_the_comparison(repo, paths, changed):
    assert [(j.id, j.status) for j in diff(repo, "base", "main", *paths).changed] == changed


def test_paths_are_relative_to_the_working_directory(repo):
    sub = repo / "journeys"
    assert [(j.id, j.status) for j in diff(repo, "base", "main", "referral.journey.yaml", cwd=sub).changed] == \
        [("referral", "added")]


def test_two_files_outside_a_repository(tmp_path):
    old = tmp_path / "old.journey.yaml"
    new = tmp_path / "new.journey.yaml"
    shutil.copy(FIXTURES / "base/journeys/onboarding.journey.yaml", old)
    shutil.copy(FIXTURES / "head/journeys/b2b/onboarding.journey.yaml", new)
    (tmp_path / ".journeyctl.yaml").write_text(config_text(), encoding="utf-8")
    both = load_sides(str(old.name), [new.name], load_config(start=tmp_path), tmp_path)
    [journey] = both.journeys
    assert (journey.status, journey.renamed) == ("modified", False)
    assert ("touchpoint", "kickoff-call", "changed", "owner", '"sales"', '"customer-success"') in changes(both, "onboarding")
    assert len(changes(both, "onboarding")) == 24  # everything but the rename


def test_finding_match_masks_line_numbers():
    def f(line: int, message: str) -> Finding:
        return Finding("duplicate-key", "error", "a.journey.yaml", line, 3, message, "stages[0]")

    base = [f(10, "key 'id' repeats line 4"), f(12, "x")]
    head = [f(14, "key 'id' repeats line 8"), f(16, "y")]
    introduced, resolved = match_findings(base, head)
    assert ([x.message for x in introduced], [x.message for x in resolved]) == (["y"], ["x"])


def test_invalid_rates_do_not_stop_the_funnel_comparison():
    import yaml

    data = yaml.safe_load((FIXTURES / "head/journeys/b2b/onboarding.journey.yaml").read_text())
    data["stages"][0]["touchpoints"][0]["next"][0]["rate"] = 1.7
    assert funnel_figures(Journey.model_validate(data)) is None


@pytest.mark.parametrize("level, fail_on, code", [
    ("error", None, 0), ("error", "error", 1), ("error", "warning", 1),
    ("warning", "error", 0), ("warning", "warning", 1), ("warning", "info", 1),
])
def test_fail_on_new(repo, tmp_path, level, fail_on, code):
    settings = tmp_path / "settings.yaml"
    settings.write_text(config_text(level), encoding="utf-8")
    done = cli("diff", "base", "main", "--config", str(settings),
               *(["--fail-on-new", fail_on] if fail_on else []), cwd=repo)
    assert (done.returncode, done.stderr) == (code, "")
    assert unsha(done.stdout).startswith("journeyctl diff base → main: 3 journeys changed")


def test_no_change_never_fails(repo):
    done = cli("diff", "main", "main", "--fail-on-new", "info", "-f", "json", cwd=repo)
    assert done.returncode == 0
    assert json.loads(done.stdout)["journeys"] == []


@pytest.mark.parametrize("fmt, marker", [("text", "journeyctl diff base → main"), ("md", "<details>"),
                                         ("json", '"version": 1')])
def test_cli_formats_and_output_file(repo, tmp_path, fmt, marker):
    out = tmp_path / f"diff.{fmt}"
    done = cli("diff", "base", "main", "--format", fmt, "--output", str(out), cwd=repo)
    assert done.returncode == 0
    assert done.stdout == "3 journeys changed (1 added, 1 removed, 1 modified, 1 renamed); 2 new errors; 1 resolved\n"
    assert marker in unsha(out.read_text(encoding="utf-8"))


def test_output_is_byte_identical_across_runs_and_hash_seeds(repo):
    runs = [cli("diff", "base", "main", "-f", "json", cwd=repo, env={"PYTHONHASHSEED": seed}).stdout
            for seed in ("1", "2")]
    assert runs[0] == runs[1] and runs[0].startswith("{")


@pytest.mark.parametrize("args, message", [
    (["no-such-rev"], "journeyctl: unknown revision 'no-such-rev'\n"),
    (["base", "nope"], "journeyctl: 'nope' is neither a revision nor a path in the working tree\n"),
    (["--", "-x"], "journeyctl: unknown revision '-x'\n"),
    (["journeys/steady.journey.yaml"],
     "journeyctl: 'journeys/steady.journey.yaml' is a file, not a revision: to compare files give two of them "
     "(journeyctl diff OLD NEW)\n"),
])
def test_bad_arguments_exit_2(repo, args, message):
    done = cli("diff", *args, cwd=repo)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", message)


def test_name_that_is_both_revision_and_path_is_refused(tmp_path):
    repo = make_repo(tmp_path)
    (repo / "base").mkdir()
    done = cli("diff", "main", "base", cwd=repo)
    assert done.returncode == 2
    assert "'base' is both a revision and a path: write './base' for the path" in done.stderr


def test_revisions_outside_a_repository_exit_2(tmp_path):
    done = cli("diff", "main", cwd=tmp_path, env={"GIT_CEILING_DIRECTORIES": str(tmp_path.parent)})
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == ("journeyctl: not a git repository, so 'main' cannot be read as a revision "
                           "(run inside a git work tree, or give two files to compare)\n")


def test_shallow_checkout_needs_the_base_fetched(repo, tmp_path):
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", "--branch", "main", f"file://{repo}", str(clone))
    shutil.copy(repo / ".journeyctl.yaml", clone / ".journeyctl.yaml")
    base_sha = git(repo, "rev-parse", "base^{commit}")
    missing = cli("diff", base_sha, cwd=clone)
    assert missing.returncode == 2
    assert f"unknown revision '{base_sha}' (this is a shallow clone: fetch it first" in missing.stderr
    git(clone, "fetch", "-q", "--depth", "1", "origin", "refs/tags/base:refs/tags/base")
    done = cli("diff", "base", "HEAD", "-f", "json", cwd=clone)
    assert done.returncode == 0
    data = json.loads(done.stdout)
    assert data["summary"]["journeys"] == {"added": 1, "removed": 1, "modified": 1, "renamed": 1, "unchanged": 1}


def test_user_text_cannot_inject_markup(tmp_path):
    repo = make_repo(tmp_path)
    target = repo / "journeys" / "steady.journey.yaml"
    target.write_text(target.read_text().replace("      - id: visit\n",
                                                 "      - id: visit\n        name: \"<img src=x onerror=alert(1)> @team `x`\"\n"),
                      encoding="utf-8")
    md = FORMATTERS["md"](diff(repo, "HEAD"))
    assert "<img" not in md and "@team" not in md
    assert "touchpoint <code>visit</code> (&lt;img src=x onerror=alert(1)&gt; &#64;team \\`x\\`): name <code>none</code> → " \
           "<code>&lt;img src=x onerror=alert(1)&gt; &#64;team `x`</code>" in md


CATALOG = """\
journeyctl: 1
teams:
  - {id: growth, name: Growth}
  - {id: nobody, name: Unused team}
"""


def test_findings_are_the_ones_validate_reports(tmp_path):
    """With every rule on and a shared catalog, an added journey's new findings are validate's findings."""
    repo = tmp_path / "ws"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "shared.catalog.yaml").write_text(CATALOG, encoding="utf-8")
    shutil.copy(FIXTURES / "base/journeys/steady.journey.yaml", repo / "steady.journey.yaml")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "one")
    referral = (FIXTURES / "head/journeys/referral.journey.yaml").read_text()
    (repo / "referral.journey.yaml").write_text(
        referral.replace("        outcome: advocate\n", "        outcome: advocate\n        owner: growth\n"
                                                          "        channel: nowhere\n"), encoding="utf-8")
    assert "owner: growth" in (repo / "referral.journey.yaml").read_text()
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "two")
    done = cli("diff", "HEAD~1", "HEAD", "-f", "json", cwd=repo, env={"JOURNEYCTL_TODAY": "2026-01-01"})
    validate = cli("validate", ".", "-f", "json", cwd=repo, env={"JOURNEYCTL_TODAY": "2026-01-01"})
    data, expected = json.loads(done.stdout), json.loads(validate.stdout)
    introduced = [f for j in data["journeys"] for f in j["introduced"]]
    by_file = {}
    for f in expected["findings"]:
        by_file.setdefault(f["file"], []).append(f)
    assert introduced == sorted(by_file["referral.journey.yaml"], key=lambda f: (f["line"], f["column"], f["rule"]))
    assert any(f["rule"] == "unknown-reference" and "nowhere" in f["message"] for f in introduced)
    # The catalog did not change, but its team 'growth' is used now: that finding is resolved.
    catalog = data["journeys"][1]
    assert (catalog["id"], catalog["status"], catalog["head_file"], catalog["changes"]) == \
        (None, "unchanged", "shared.catalog.yaml", [])
    assert [(f["rule"], f["message"]) for f in catalog["resolved"]] == \
        [("unused-definition", "catalog team 'growth' is used by no journey")]
    assert len(data["journeys"]) == 2


def test_json_shape_matches_docs(result):
    """The example in docs/json-format.md has exactly the keys the diff writes."""
    import re

    doc = (Path(__file__).resolve().parents[2] / "docs" / "json-format.md").read_text(encoding="utf-8")
    examples = [json.loads(block) for block in re.findall(r"```json\n(.*?)```", doc, re.S)]
    documented = next(e for e in examples if "journeys" in e)
    actual = json.loads(FORMATTERS["json"](result))
    assert set(documented) == set(actual)
    assert set(documented["summary"]) == set(actual["summary"])
    assert set(documented["summary"]["journeys"]) == set(actual["summary"]["journeys"])
    assert set(documented["journeys"][0]) == set(actual["journeys"][0])
    assert {frozenset(c) for c in documented["journeys"][0]["changes"]} == \
        {frozenset(c) for c in actual["journeys"][0]["changes"]}


def test_render_marks_the_changes_on_head_map(repo, tmp_path):
    pytest.importorskip("journeyctl.render", reason="journeyctl.render is not in this checkout")
    out = tmp_path / "changes.dot"
    done = cli("diff", "base", "main", "journeys/b2b", "journeys/onboarding.journey.yaml", "--render", str(out),
               cwd=repo)
    assert done.returncode == 0, done.stderr
    dot = out.read_text(encoding="utf-8").replace("<BR/>", " ")  # the map wraps marks to its cards
    for expected in ["<B>training</B>", "<B>added</B>", "changed: kind, lane, owner, emotion",
                     "changed: moved from evaluation", "SLA 48h → 24h", "added; hand-off added (8h)",
                     "rate 0.5 → 0.7", "25 changes since base", "legend: “added” green"]:
        assert expected in dot, expected
    # the removed touchpoint is drawn back, by name and marked removed, not as an unknown reference
    assert "no such touchpoint" not in dot
    welcome = next(line for line in dot.splitlines() if "welcome-email" in line.lower() and "label=" in line
                   and "->" not in line)
    assert ">removed<" in welcome
    removed = next(line for line in dot.splitlines() if ">removed<" in line and "->" in line)
    assert 'color="#d1242f"' in removed and 'style="dashed"' in removed


def test_render_writes_one_file_per_changed_journey(repo, tmp_path):
    pytest.importorskip("journeyctl.render", reason="journeyctl.render is not in this checkout")
    out = tmp_path / "changes.mmd"
    done = cli("diff", "base", "main", "--render", str(out), cwd=repo)
    assert done.returncode == 0, done.stderr
    # referral is added (no changes to mark), retired removed (no head map): only onboarding is drawn.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["changes.mmd"]
    assert "flowchart LR" in out.read_text(encoding="utf-8")


def test_parallel_checking_gives_the_same_report(tmp_path, monkeypatch):
    """Many files identical on both sides go to worker processes; the report is the same as serial."""
    from journeyctl.diff.workers import PARALLEL_MIN_FILES, workers

    repo = make_repo(tmp_path)
    steady = (repo / "journeys" / "steady.journey.yaml").read_text()
    for i in range(PARALLEL_MIN_FILES + 4):
        (repo / "journeys" / f"copy-{i:02d}.journey.yaml").write_text(steady.replace("id: steady", f"id: copy-{i:02d}"),
                                                                      encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "copies")
    (repo / "journeys" / "steady.journey.yaml").write_text(steady.replace("converted", "retained"), encoding="utf-8")
    monkeypatch.setenv("JOURNEYCTL_JOBS", "2")
    # workers() refuses to fork beside other threads; earlier tests (PySpark's gateway) leave one in this
    # pytest process, never in the CLI subprocesses below, so the precondition is checked as the CLI sees it.
    import threading

    monkeypatch.setattr(threading, "active_count", lambda: 1)
    assert workers(PARALLEL_MIN_FILES + 6) == 2  # the copies, referral, onboarding: checked in parallel
    serial, parallel = (cli("diff", "HEAD", "-f", "json", cwd=repo, env={"JOURNEYCTL_JOBS": jobs}) for jobs in ("1", "2"))
    assert (serial.returncode, parallel.returncode) == (0, 0)
    assert serial.stdout == parallel.stdout
    data = json.loads(serial.stdout)
    assert data["summary"]["journeys"] == {"added": 0, "removed": 0, "modified": 1, "renamed": 0,
                                           "unchanged": PARALLEL_MIN_FILES + 6}


@pytest.mark.parametrize("after_tp, expected", [
    ("cart", "top leak 'cart' (Cart) 40.0% → 35.0%"),  # same touchpoint: named once
    ("pay", "top leak 'cart' (Cart) 40.0% → 'pay' (Pay) 35.0%"),  # moved: both named
])
def test_a_top_leak_at_the_same_touchpoint_is_named_once(after_tp, expected):
    from journeyctl.diff.compare import Change
    from journeyctl.diff.report import describe

    names = {"cart": "Cart", "pay": "Pay"}
    change = Change("funnel", "shop", "changed", "top_leak", {"touchpoint": "cart", "name": "Cart", "share": 0.4},
                    {"touchpoint": after_tp, "name": names[after_tp], "share": 0.35})
    assert describe(change, lambda s: f"'{s}'", str) == expected
