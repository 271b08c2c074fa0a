"""validate's CI formats: SARIF (against the official schema), GitHub annotations, JUnit XML, Markdown."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from journeyctl.check.pipeline import FileResult, RunResult
from journeyctl.check.findings import Finding
from journeyctl.report import get_reporter
from journeyctl.report.github import escape_data, escape_property

SARIF_SCHEMA = Path(__file__).resolve().parents[3] / "shared" / "schemas" / "sarif-schema-2.1.0.json"
HOSTILE = "bad\n::error file=x::forged\r\n%0A <script>&amp; \x1b[31m\x00 | *x* @team"
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def sample(prefix: str = "journeys/") -> RunResult:
    a = f"{prefix}a b.journey.yaml"
    return RunResult([
        FileResult(a, [
            Finding("stage-without-touchpoints", "error", a, 5, 9, "stage 'empty' has no touchpoints", "stages[0].id"),
            Finding("stage-without-goal", "warning", a, 3, 5, HOSTILE, "stages[0]"),
            Finding("unused-suppression", "info", a, 12, 3, "suppression of 'x' is unused (unknown rule); remove it"),
        ], "a"),
        FileResult(f"{prefix}clean.journey.yaml", [], "clean"),
        FileResult(f"{prefix}broken.journey.yaml", [
            Finding("yaml-syntax", "error", f"{prefix}broken.journey.yaml", 2, 1, "mapping values are not allowed here")]),
    ])


@pytest.fixture
def in_repo(tmp_path, monkeypatch) -> Path:
    """A git work tree; the test runs from its subdirectory `journeys/`."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True, env={**os.environ, **GIT_ENV})
    (tmp_path / "journeys").mkdir()
    monkeypatch.chdir(tmp_path / "journeys")
    return tmp_path


# -- SARIF ------------------------------------------------------------------------------------------------

def test_sarif_validates_against_the_official_schema(in_repo):
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"the official SARIF schema is not at {SARIF_SCHEMA} (../shared is absent in this checkout)")
    from jsonschema import Draft4Validator

    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    document = json.loads(get_reporter("sarif")(sample("")))
    errors = sorted(Draft4Validator(schema).iter_errors(document), key=lambda e: list(e.path))
    assert [e.message for e in errors] == []
    assert len(document["runs"][0]["results"]) == 4


def test_sarif_lists_every_rule_with_its_documentation(in_repo):
    from journeyctl.rules.catalog import all_rules

    driver = json.loads(get_reporter("sarif")(sample("")))["runs"][0]["tool"]["driver"]
    rules = all_rules()
    assert [r["id"] for r in driver["rules"]] == sorted(rules)
    levels = {"error": "error", "warning": "warning", "info": "note"}
    for descriptor in driver["rules"]:
        rule = rules[descriptor["id"]]
        assert descriptor["shortDescription"] == {"text": rule.summary}
        assert descriptor["help"] == {"text": rule.doc}
        assert descriptor["fullDescription"]["text"] and "\n" not in descriptor["fullDescription"]["text"]
        assert descriptor["defaultConfiguration"]["level"] == levels[rule.severity]
        assert descriptor["defaultConfiguration"].get("enabled", True) == rule.enabled
    assert (driver["name"], driver["version"]) == ("journeyctl", "0.1.0")


def test_sarif_paths_are_relative_to_the_repository_root(in_repo):
    results = json.loads(get_reporter("sarif")(sample("")))["runs"][0]["results"]
    first = results[3]
    assert first["ruleId"] == "yaml-syntax" and first["level"] == "error"
    assert first["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "journeys/broken.journey.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 2, "startColumn": 1}}
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results]
    assert uris == ["journeys/a%20b.journey.yaml"] * 3 + ["journeys/broken.journey.yaml"]
    assert [(r["ruleId"], r["level"]) for r in results[:3]] == [
        ("stage-without-goal", "warning"), ("stage-without-touchpoints", "error"), ("unused-suppression", "note")]
    assert results[0]["message"]["text"] == HOSTILE
    ids = [r["id"] for r in json.loads(get_reporter("sarif")(sample("")))["runs"][0]["tool"]["driver"]["rules"]]
    assert all(ids[r["ruleIndex"]] == r["ruleId"] for r in results)


def test_sarif_outside_a_repository_is_relative_to_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    results = json.loads(get_reporter("sarif")(sample("sub/")))["runs"][0]["results"]
    assert results[3]["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "sub/broken.journey.yaml", "uriBaseId": "%SRCROOT%"}


def test_sarif_is_deterministic(in_repo):
    first = get_reporter("sarif")(sample(""))
    assert first == get_reporter("sarif")(sample(""))
    invocation = json.loads(first)["runs"][0]["invocations"][0]
    assert invocation == {"executionSuccessful": True}  # no start/end times


# -- GitHub -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, data, prop", [
    ("plain", "plain", "plain"),
    ("50% off", "50%25 off", "50%25 off"),
    ("a\nb\r\nc", "a%0Ab%0D%0Ac", "a%0Ab%0D%0Ac"),
    ("k: v, w", "k: v, w", "k%3A v%2C w"),
    ("%0A", "%250A", "%250A"),
    ("bell\x07 esc\x1b", "bell\ufffd esc\ufffd", "bell\ufffd esc\ufffd"),
])
def test_github_escaping(text, data, prop):
    assert (escape_data(text), escape_property(text)) == (data, prop)


def test_github_annotations(in_repo):
    out = get_reporter("github")(sample(""))
    assert out.splitlines() == [
        "::warning file=journeys/a b.journey.yaml,line=3,col=5,title=stage-without-goal::"
        "bad%0A::error file=x::forged%0D%0A%250A <script>&amp; \ufffd[31m\ufffd | *x* @team",
        "::error file=journeys/a b.journey.yaml,line=5,col=9,title=stage-without-touchpoints::"
        "stage 'empty' has no touchpoints",
        "::notice file=journeys/a b.journey.yaml,line=12,col=3,title=unused-suppression::"
        "suppression of 'x' is unused (unknown rule); remove it",
        "::error file=journeys/broken.journey.yaml,line=2,col=1,title=yaml-syntax::mapping values are not allowed here",
    ]


def test_github_hostile_message_cannot_forge_a_command(in_repo):
    forged = RunResult([FileResult("x.journey.yaml", [
        Finding("schema", "error", "x.journey.yaml", 1, 1, "\n::error file=x::forged")])])
    out = get_reporter("github")(forged)
    assert out.count("\n") == 1 and out.startswith("::error ")
    assert out == "::error file=journeys/x.journey.yaml,line=1,col=1,title=schema::%0A::error file=x::forged\n"


def test_github_property_values_are_escaped(in_repo):
    odd = "we,ird:name.journey.yaml"
    out = get_reporter("github")(RunResult([FileResult(odd, [Finding("schema", "error", odd, 1, 1, "m")])]))
    assert out == "::error file=journeys/we%2Cird%3Aname.journey.yaml,line=1,col=1,title=schema::m\n"


# -- JUnit ------------------------------------------------------------------------------------------------

def test_junit_parses_and_counts():
    root = ET.fromstring(get_reporter("junit")(sample()).encode("utf-8"))
    assert root.tag == "testsuites"
    # --fail-on error (the default): the warning and the info finding are skipped, not failures
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == ("5", "1", "1", "2")
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert list(suites) == ["journeys/a b.journey.yaml", "journeys/broken.journey.yaml", "journeys/clean.journey.yaml"]
    counts = {name: (s.get("tests"), s.get("failures"), s.get("errors"), s.get("skipped"))
              for name, s in suites.items()}
    assert counts == {"journeys/a b.journey.yaml": ("3", "1", "0", "2"),
                      "journeys/broken.journey.yaml": ("1", "0", "1", "0"),
                      "journeys/clean.journey.yaml": ("1", "0", "0", "0")}
    clean = suites["journeys/clean.journey.yaml"].findall("testcase")
    assert len(clean) == 1 and list(clean[0]) == []
    assert suites["journeys/broken.journey.yaml"].find("testcase/error").get("message") == \
        "mapping values are not allowed here"


def test_junit_escapes_and_strips_control_characters():
    text = get_reporter("junit")(sample())
    assert "\x1b" not in text and "\x00" not in text and "<script>" not in text
    root = ET.fromstring(text.encode("utf-8"))
    case = [c for c in root.iter("testcase") if c.get("name", "").startswith("stage-without-goal: ")][0]
    hostile = case.find("skipped")  # a warning under the default --fail-on error
    assert hostile is not None and case.find("failure") is None
    assert hostile.get("message") == "bad\n::error file=x::forged\r\n%0A <script>&amp; [31m | *x* @team"
    assert hostile.text.endswith(hostile.get("message").replace("\r\n", "\n"))  # XML normalises CRLF in text


# -- Markdown ---------------------------------------------------------------------------------------------

def test_markdown_summary_and_findings():
    md = get_reporter("markdown")(sample())
    lines = md.splitlines()
    assert lines[:5] == ["## journeyctl validate", "", "| files | with findings | errors | warnings | info |",
                         "|---:|---:|---:|---:|---:|", "| 3 | 2 | 2 | 1 | 1 |"]
    assert "### <code>journeys/a b.journey.yaml</code>" in lines
    assert "- ❌ **error** <code>stage-without-touchpoints</code> line 5:9: stage 'empty' has no touchpoints" in lines
    hostile = next(line for line in lines if "stage-without-goal" in line)
    assert hostile == ("- ⚠️ **warning** <code>stage-without-goal</code> line 3:5: bad ::error file=x::forged "
                       "%0A &lt;script&gt;&amp;amp;  \\[31m  \\| \\*x\\* &#64;team")


def test_markdown_clean_run():
    md = get_reporter("markdown")(RunResult([FileResult("a.journey.yaml")]))
    assert md.splitlines()[-1] == "No findings. ✅"


# -- through the CLI --------------------------------------------------------------------------------------

BAD = "journeyctl: 1\nid: bad\ntitle: Bad\nstages:\n  - id: empty\n    touchpoints: []\n"


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    return subprocess.run([sys.executable, "-m", "journeyctl", *args], cwd=cwd, capture_output=True, text=True,
                          env={**environ, **GIT_ENV, **(env or {})}, timeout=60)


def test_github_format_is_chosen_on_github_actions(in_repo):
    (in_repo / "journeys" / "bad.journey.yaml").write_text(BAD, encoding="utf-8")
    done = run("validate", "bad.journey.yaml", "--select", "stage-without-touchpoints", cwd=in_repo / "journeys",
               env={"GITHUB_ACTIONS": "true"})
    assert done.returncode == 1
    assert done.stdout == ("::error file=journeys/bad.journey.yaml,line=5,col=9,title=stage-without-touchpoints::"
                           "stage 'empty' has no touchpoints\n1 file checked: 1 error\n")


@pytest.mark.parametrize("fmt, check", [
    ("sarif", lambda text: json.loads(text)["runs"][0]["results"][0]["ruleId"] == "stage-without-touchpoints"),
    ("junit", lambda text: ET.fromstring(text.encode()).get("failures") == "1"),
    ("markdown", lambda text: "| 1 | 1 | 1 | 0 | 0 |" in text),
])
def test_validate_writes_each_format(in_repo, fmt, check):
    (in_repo / "journeys" / "bad.journey.yaml").write_text(BAD, encoding="utf-8")
    done = run("validate", "bad.journey.yaml", "--select", "stage-without-touchpoints", "--format", fmt,
               cwd=in_repo / "journeys")
    assert done.returncode == 1 and check(done.stdout)


def test_validate_json_shape_matches_docs():
    import re

    doc = (Path(__file__).resolve().parents[2] / "docs" / "json-format.md").read_text(encoding="utf-8")
    documented = json.loads(re.findall(r"```json\n(.*?)```", doc, re.S)[0])
    actual = json.loads(get_reporter("json")(sample()))
    assert set(documented) == set(actual)
    assert set(documented["summary"]) == set(actual["summary"])
    assert set(documented["findings"][0]) == set(actual["findings"][0])


def test_junit_fail_on_decides_failures_and_names_carry_no_position(in_repo):
    root = ET.fromstring(get_reporter("junit", "info")(sample("")).encode("utf-8"))
    assert (root.get("failures"), root.get("errors"), root.get("skipped")) == ("3", "1", "0")
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert "stage-without-touchpoints: stage 'empty' has no touchpoints" in cases
    assert cases["yaml-syntax: mapping values are not allowed here"].find("error") is not None
    assert not [n for n in cases if " at " in n and ":" in n.rsplit(" at ", 1)[1]]  # no "at 5:9"
    # `file` is relative to the repository root (the test runs from journeys/), as in SARIF
    assert {c.get("file") for c in root.iter("testcase")} == {
        "journeys/a b.journey.yaml", "journeys/broken.journey.yaml", "journeys/clean.journey.yaml"}
    warning = get_reporter("junit", "warning")(sample(""))
    root = ET.fromstring(warning.encode("utf-8"))
    assert (root.get("failures"), root.get("skipped")) == ("2", "1")
    skipped = [c for c in root.iter("testcase") if c.find("skipped") is not None]
    assert [c.get("name") for c in skipped] == ["unused-suppression: suppression of 'x' is unused (unknown rule); remove it"]
    assert skipped[0].find("skipped").get("message") == "suppression of 'x' is unused (unknown rule); remove it"


def test_sarif_rules_have_name_and_help_page(in_repo):
    from journeyctl.rules.catalog import all_rules

    run = json.loads(get_reporter("sarif")(sample("")))["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["informationUri"].startswith("https://")
    pages = Path(__file__).resolve().parents[2] / "docs" / "rules"
    for descriptor in driver["rules"]:
        assert descriptor["helpUri"].endswith(f"/docs/rules/{descriptor['id']}.md")
        assert (pages / f"{descriptor['id']}.md").is_file()
        assert descriptor["name"][0].isupper() and "-" not in descriptor["name"]
    assert len({d["name"] for d in driver["rules"]}) == len(all_rules())


def test_rule_pages_are_current():
    """docs/rules/*.md are generated from the docstrings: rerun `python -m journeyctl.rules.docs`."""
    from journeyctl.rules.docs import pages, stale

    root = Path(__file__).resolve().parents[2]
    assert stale(root) == []
    generated = pages()
    assert "docs/rules/README.md" in generated and "docs/rules/stage-without-goal.md" in generated
    assert "## Fails" in generated["docs/rules/stage-without-goal.md"]


def test_rule_pages_check_notices_an_edited_page(tmp_path):
    from journeyctl.rules.docs import stale, write

    assert len(write(tmp_path)) >= 30
    assert stale(tmp_path) == []
    page = tmp_path / "docs" / "rules" / "dead-end.md"
    page.write_text(page.read_text(encoding="utf-8") + "hand edit\n", encoding="utf-8")
    (tmp_path / "docs" / "rules" / "gone-rule.md").write_text("x", encoding="utf-8")
    assert stale(tmp_path) == ["docs/rules/dead-end.md", "docs/rules/gone-rule.md"]
