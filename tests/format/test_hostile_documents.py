"""Hostile input: nothing crashes, nothing is lost.

Every file in tests/fixtures/hostile/ is checked in one run (so one bad file cannot hide the others),
and each must produce exactly the findings in EXPECTED, with file:line:column. Inputs too big to check
in (30,000 levels of nesting, 50 MB, 10,000 touchpoints) are generated in tmp_path.
Exit codes: 0 clean, 1 findings (a file that fails to parse is a finding), 2 usage or input error.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from journeyctl.check.pipeline import check_paths
from journeyctl.config import Config

HOSTILE = Path(__file__).parents[1] / "fixtures" / "hostile"
TODAY = "2026-11-01"
V12 = "in YAML 1.2 (journeyctl, editors, check-jsonschema)"
V11 = "in YAML 1.1 (PyYAML and other 1.1 tools)"
TRAP = 'YAML reads the unquoted {v!r} as {what} — write it in quotes ("{v}") to keep the text'

# file → [(line, column, severity, rule, message)]
EXPECTED: dict[str, list[tuple[int, int, str, str, str]]] = {
    "clean": [],
    "bom": [],
    "rtl-labels": [],
    "self-loop": [],
    "syntax-unclosed-quote": [(37, 1, "error", "yaml-syntax", "while scanning a quoted scalar (opened on line 5, "
                                                              "column 11); found unexpected end of stream")],
    "syntax-unclosed-quote-eof": [(37, 1, "error", "yaml-syntax", "while scanning a quoted scalar (opened on line "
                                                                  "36, column 18); found unexpected end of stream")],
    "syntax-bad-indent": [(9, 4, "error", "yaml-syntax", "while parsing a block collection; did not find expected "
                                                         "'-' indicator")],
    "tabs": [(11, 1, "error", "yaml-syntax", "while scanning a plain scalar; found a tab character that violates "
                                             "indentation (a tab: YAML indentation must use spaces)")],
    "duplicate-keys": [(4, 1, "error", "duplicate-key", "duplicate key 'title' (first defined on line 3); the first "
                                                        "value is used"),
                       (24, 9, "error", "duplicate-key", "duplicate key 'channel' (first defined on line 23); the "
                                                         "first value is used")],
    "alias-bomb": [(8, 7, "error", "yaml-syntax", "aliases expand to more than 100000 values (a 'billion laughs' "
                                                  "document?)")],
    "recursive-alias": [(4, 9, "error", "yaml-syntax", "recursive alias: an anchor refers to itself")],
    "nested-500": [(4, 73, "error", "yaml-syntax", "nesting deeper than 64 levels; a journey never needs this")],
    "impossible-date": [(5, 11, "error", "schema", "reviewed: '2024-02-30' is not a valid date")],
    "huge-integer": [(15, 30, "error", "yaml-value", "integer with 5000 digits is too large")],
    "huge-emotion": [(26, 18, "error", "schema", "stages[0].touchpoints[0].emotion must be from -2 to 2, not "
                                                 "99999999999999999999999999")],
    "bad-bool-tag": [(25, 16, "error", "yaml-value", "'maybe' is not a boolean (use true or false)")],
    "non-utf8": [(11, 16, "error", "yaml-syntax", "invalid UTF-8 (byte 0xe9); save the file as UTF-8")],
    "nul-byte": [(11, 14, "error", "yaml-syntax", "binary file: found a NUL byte; a journey is UTF-8 text")],
    "utf16": [(1, 1, "error", "yaml-syntax", "file is UTF-16 or UTF-32; journeyctl reads UTF-8 (re-save the file "
                                             "as UTF-8)")],
    "multi-document": [(37, 1, "error", "yaml-syntax", "more than one YAML document ('---'); a journey file holds "
                                                       "exactly one")],
    "empty": [(1, 1, "error", "yaml-syntax", "empty file: a journey needs at least 'journeyctl', 'id', 'title' and "
                                             "'stages'")],
    "comment-only": [(1, 1, "error", "yaml-syntax", "no YAML content, only comments: a journey needs at least "
                                                    "'journeyctl', 'id', 'title' and 'stages'")],
    "top-scalar": [(1, 1, "error", "schema", "a journey file must be a mapping of keys (journeyctl, id, title, "
                                             "stages...), not a single value")],
    "top-list": [(1, 1, "error", "schema", "a journey file must be a mapping of keys (journeyctl, id, title, "
                                           "stages...), not a list")],
    "python-tag": [(3, 8, "error", "yaml-value", "unsupported tag !!python/object/apply:os.system")],
    "yaml11-traps": [  # a date in a string field stays text: no finding for 'name: 2024-01-01' (line 11)
        # journeyctl reads YAML 1.2 (as editors and check-jsonschema do): `no` and `on` are text, and the
        # finding warns that YAML 1.1 tools read them as booleans; 0755 is 755 to journeyctl, 493 to 1.1.
        (3, 8, "warning", "yaml-ambiguous", 'title: no is the text "no" ' + V12 + " but the boolean false " + V11
                                            + '; write "no"'),
        (14, 11, "error", "yaml-ambiguous", "channels[0].name: 0755 is the integer 755 " + V12 + " but the integer "
                                            "493 " + V11 + '; write "0755"'),
        (30, 11, "warning", "yaml-ambiguous", 'stages[1].goal: on is the text "on" ' + V12 + " but the boolean true "
                                              + V11 + '; write "on"'),
    ],
    "nan-emotion": [(26, 18, "error", "yaml-value", "'.nan' is not a finite number"),
                    (38, 18, "error", "yaml-value", "'-.inf' is not a finite number")],
    "unicode-id": [(2, 5, "error", "schema", "id: 'café-journey' is not an id: use ASCII letters, digits, '-', "
                                             "'_' or '.', starting with a letter or digit, no spaces (e.g. "
                                             "'cafe-journey'); put the words in 'name'")],
    "terminal-injection": [(14, 5, "error", "schema", "unknown key '\x1b]0;pwned\x07\x1b[2Jx\n::error "
                                                      "file=src/app.py,line=1::forged annotation' in channels[0]; "
                                                      "allowed keys: description, id, name")],
    "cycle-no-exit": [(21, 13, "warning", "no-path-to-outcome", "loops among 'landing', 'browse' with no way out: no "
                                                                "outcome can be reached from them"),
                      (38, 13, "warning", "unreachable-touchpoint", "no path from an entry reaches 'signup': no "
                                                                    "transition leads here")],
}


def cli(*args: str, cwd: Path | None = None, timeout: float = 120, **env: str) -> subprocess.CompletedProcess:
    environ = {**os.environ, "NO_COLOR": "1", "JOURNEYCTL_TODAY": TODAY, **env}
    environ.pop("GITHUB_ACTIONS", None)
    return subprocess.run([sys.executable, "-m", "journeyctl", *args], capture_output=True, text=True,
                          cwd=cwd or HOSTILE, env=environ, timeout=timeout)


@pytest.fixture(scope="module")
def fixture_run(tmp_path_factory) -> tuple[subprocess.CompletedProcess, dict]:
    # A working directory of its own: the python-tag fixture would create ./PWNED if it ran.
    cwd = tmp_path_factory.mktemp("hostile-cwd")
    proc = cli("validate", str(HOSTILE), "--format", "json", cwd=cwd)
    return proc, cwd


def test_every_fixture_has_an_expectation():
    assert sorted(p.name.removesuffix(".journey.yaml") for p in HOSTILE.glob("*.journey.yaml")) == sorted(EXPECTED)


def test_the_whole_hostile_directory_is_checked_in_one_run(fixture_run):
    proc, cwd = fixture_run
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr == ""
    report = json.loads(proc.stdout)
    assert report["files"] == len(EXPECTED)
    assert report["summary"]["error"] == sum(1 for rows in EXPECTED.values() for r in rows if r[2] == "error")
    assert report["summary"]["files_with_findings"] == sum(1 for rows in EXPECTED.values() if rows)
    assert not (cwd / "PWNED").exists() and not Path("PWNED").exists()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_hostile_file_gets_its_positioned_findings(fixture_run, name):
    report = json.loads(fixture_run[0].stdout)
    wanted = str(HOSTILE / f"{name}.journey.yaml")
    got = [(f["line"], f["column"], f["severity"], f["rule"], f["message"]) for f in report["findings"]
           if f["file"] == wanted]
    assert got == EXPECTED[name]


@pytest.mark.parametrize("name", ["alias-bomb", "nested-500", "huge-integer", "duplicate-keys"])
def test_a_bad_file_alone_exits_1_with_file_line_column(name):
    proc = cli("validate", f"{name}.journey.yaml")
    line, column, severity, rule, message = EXPECTED[name][0]
    assert proc.returncode == 1
    assert proc.stdout.splitlines()[0] == f"{name}.journey.yaml:{line}:{column}: {severity} {rule} {message}"


# --- text that reaches a terminal or a CI log --------------------------------------------------------

ESCAPE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def test_text_output_cannot_repaint_the_terminal_or_start_a_line():
    proc = cli("validate", "terminal-injection.journey.yaml", "--format", "text")
    assert proc.returncode == 1
    assert not ESCAPE.search(proc.stdout)
    assert [line.split(":")[0] for line in proc.stdout.splitlines()] == ["terminal-injection.journey.yaml",
                                                                          "1 file checked"]
    assert "\ufffd]0;pwned\ufffd\ufffd[2Jx\\n::error file=src/app.py" in proc.stdout


def test_github_output_cannot_forge_an_annotation():
    proc = cli("validate", "terminal-injection.journey.yaml", "--format", "github")
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert not ESCAPE.search(proc.stdout)
    annotations = [line for line in lines if line.startswith("::")]
    assert len(annotations) == 1  # the real one; the forged '::error' is inside it, escaped
    assert annotations[0].startswith("::error file=")
    assert "%0A::error file=src/app.py,line=1::forged annotation" in annotations[0]


def test_a_file_name_with_escapes_and_newlines_is_neutralised(tmp_path):
    name = "\x1b[2Jevil\n::error file=x::forged.journey.yaml"
    (tmp_path / name).write_text("journeyctl: 1\n", encoding="utf-8")
    for fmt in ("text", "github"):
        proc = cli("validate", ".", "--format", fmt, cwd=tmp_path)
        assert proc.returncode == 1
        assert not ESCAPE.search(proc.stdout)
        assert not any(line.startswith("::error file=x") for line in proc.stdout.splitlines())


# --- generated: too big to check in ------------------------------------------------------------------


def test_thirty_thousand_levels_are_refused_and_the_process_survives(tmp_path):
    # The C composer recurses per level and segfaults near 25,000: prove the process lives to report it.
    (tmp_path / "deep-flow.journey.yaml").write_text(
        "journeyctl: 1\nid: a\ntitle: A\nstages: " + "[" * 30_000 + "]" * 30_000 + "\n", encoding="utf-8")
    (tmp_path / "deep-block.journey.yaml").write_text(
        "journeyctl: 1\nid: b\ntitle: B\nstages:\n" + "- " * 30_000 + "x\n", encoding="utf-8")
    (tmp_path / "deep-alias.journey.yaml").write_text(
        "journeyctl: 1\nid: c\ntitle: C\n" + "\n".join(["a0: &a0 [x]"] + [f"a{i}: &a{i} [*a{i - 1}]"
                                                                           for i in range(1, 30_000)]) + "\n",
        encoding="utf-8")
    (tmp_path / "fine.journey.yaml").write_text((HOSTILE / "clean.journey.yaml").read_text().replace(
        "id: clean", "id: fine"), encoding="utf-8")
    start = time.perf_counter()
    proc = cli("validate", ".", cwd=tmp_path, timeout=60)
    assert time.perf_counter() - start < 30
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr == ""
    assert proc.stdout.splitlines() == [
        "deep-alias.journey.yaml:66:6: error yaml-syntax nesting deeper than 64 levels (through aliases)",
        "deep-block.journey.yaml:5:129: error yaml-syntax nesting deeper than 64 levels; a journey never needs this",
        "deep-flow.journey.yaml:4:73: error yaml-syntax nesting deeper than 64 levels; a journey never needs this",
        "4 files checked: 3 errors",
    ]


MEASURED = """
import resource, sys, time
sys.argv = ["journeyctl", *sys.argv[1:]]
from journeyctl.__main__ import main
start = time.process_time()
try:
    main()
except SystemExit as exc:
    code = exc.code
# VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so a child of a big pytest process would
# report the parent's peak; VmHWM belongs to this process image alone.
try:
    peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
except (OSError, StopIteration):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
sys.stderr.write(f"{code} {time.process_time() - start:.2f} {peak}\\n")
"""


def test_expansion_bombs_are_refused_in_bounded_time_and_memory(tmp_path):
    # 10^30 values if expanded; and 30,000 anchors each nesting the previous one.
    lines = ['l0: &l0 "lol"'] + [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]" for i in range(1, 31)]
    (tmp_path / "bomb.journey.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "chain.journey.yaml").write_text(
        "\n".join(["a0: &a0 [x]"] + [f"a{i}: &a{i} [*a{i - 1}]" for i in range(1, 30_000)]) + "\n", encoding="utf-8")
    env = {**os.environ, "NO_COLOR": "1", "JOURNEYCTL_JOBS": "1"}
    proc = subprocess.run([sys.executable, "-c", MEASURED, "validate", "--no-cache", "."], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    code, cpu, max_rss_kb = proc.stderr.split()
    assert proc.stdout.splitlines() == [
        "bomb.journey.yaml:5:5: error yaml-syntax aliases expand to more than 100000 values (a 'billion laughs' "
        "document?)",
        "chain.journey.yaml:63:6: error yaml-syntax nesting deeper than 64 levels (through aliases)",
        "2 files checked: 2 errors",
    ]
    assert code == "1"
    assert float(cpu) < 5.0
    assert int(max_rss_kb) < 200 * 1024


def test_a_50_mb_file_is_refused_from_its_size_and_the_rest_is_checked(tmp_path):
    big = tmp_path / "big.journey.yaml"
    with open(big, "wb") as handle:
        handle.write((HOSTILE / "clean.journey.yaml").read_bytes())
        handle.write(b"# padding\n" * (50 * 1024 * 1024 // 10))
    (tmp_path / "fine.journey.yaml").write_text((HOSTILE / "clean.journey.yaml").read_text().replace(
        "id: clean", "id: fine"), encoding="utf-8")
    proc = cli("validate", ".", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [
        "big.journey.yaml:1:1: error file-error file is larger than 8 MiB; split the journey or raise max_file_size "
        "in the config (it has 50.0 MiB)",
        "2 files checked: 1 error",
    ]


def test_very_long_strings_and_ids(tmp_path):
    text = (HOSTILE / "clean.journey.yaml").read_text()
    text = text.replace("id: clean", "id: " + "a" * 100_000).replace("title: Base journey", "title: " + "x" * 1_000_000)
    text = text.replace("  - id: shopper", "  - id: shopper\n    description: " + "word " * 100_000)
    path = tmp_path / "long.journey.yaml"
    path.write_text(text, encoding="utf-8")
    result = check_paths([path], Config(cache=False))
    assert [(f.line, f.column, f.rule, f.message) for f in result.findings] == [
        (2, 5, "schema", "id must have at most 128 characters"),
        (3, 8, "schema", "title must have at most 4000 characters"),
        (9, 18, "schema", "personas[0].description must have at most 4000 characters"),
    ]


_HEAD = """journeyctl: 1
id: {id}
title: Big
objectives: [Scale]
personas:
  - id: shopper
teams:
  - id: web-team
channels:
  - id: web
metrics:
  - {{id: conversion, target: 3}}
stages:
  - id: only
    goal: Everything happens here
    kpis: [conversion]
    touchpoints:
"""


def _tp(i: int, to: range | list[int] = (), entry: bool = False, outcome: str | None = None) -> str:
    text = f"      - id: tp-{i}\n        channel: web\n        owner: web-team\n        personas: [shopper]\n"
    text += "        entry: true\n" if entry else ""
    text += f"        outcome: {outcome}\n" if outcome else ""
    return text + ("        next:\n" + "".join(f"          - to: tp-{j}\n" for j in to) if to else "")


@pytest.mark.parametrize("name, body, cpu_budget", [
    ("wide-stage", lambda: "".join(_tp(i, [i + 1] if i < 9_999 else [], i == 0, "converted" if i == 9_999 else None)
                                   for i in range(10_000)), 8.0),
    ("fan-out", lambda: _tp(0, range(1, 2_001), True) + "".join(_tp(i, [], False, "converted")
                                                                 for i in range(1, 2_001)), 3.0),
])
def test_big_graphs_validate_in_bounded_time(tmp_path, name, body, cpu_budget):
    path = tmp_path / f"{name}.journey.yaml"
    path.write_text(_HEAD.format(id=name) + body(), encoding="utf-8")
    start = time.process_time()  # CPU time: the machine may be busy, the work must still be near-linear
    result = check_paths([path], Config(cache=False))
    assert time.process_time() - start < cpu_budget
    assert result.findings == []
