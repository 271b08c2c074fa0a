"""`journeyctl render` as a user runs it: outputs, naming, --check, missing Graphviz, timeouts, refusals."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeyctl.check.pipeline import load_model
from journeyctl.cli import app
from journeyctl.render import to_dot
from journeyctl.render.svg import stamp

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "render"
SMALL = FIXTURES / "small.journey.yaml"
EXAMPLES = ROOT / "examples"
DOCS = ROOT / "docs" / "examples"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed")


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(app, ["render", *args], env=env)


def test_one_journey_to_stdout_as_mermaid():
    result = run(str(SMALL), "--format", "mermaid")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("flowchart LR\n  subgraph s0[\"Discover\"]\n")


@pytest.mark.parametrize("name, starts", [
    ("map.dot", b"digraph journey {"),
    ("map.gv", b"digraph journey {"),
    ("map.mmd", b"flowchart LR"),
    ("page.md", b"# Small trial journey"),
    pytest.param("map.svg", b"<?xml", marks=needs_dot),
    pytest.param("map.png", b"\x89PNG", marks=needs_dot),
    pytest.param("map.pdf", b"%PDF-", marks=needs_dot),
])
def test_format_follows_the_output_suffix(tmp_path, name, starts):
    target = tmp_path / name
    result = run(str(SMALL), "-o", str(target))
    assert result.exit_code == 0, result.output
    assert target.read_bytes().startswith(starts)
    assert result.stdout == f"wrote {target}\n"


def test_unknown_suffix_is_a_usage_error(tmp_path):
    result = run(str(SMALL), "-o", str(tmp_path / "map.gif"))
    assert result.exit_code == 2
    assert "cannot tell the format from 'map.gif'" in result.stderr


@pytest.mark.parametrize("args, message", [
    (["--view", "journey", "--format", "svg"], "Mermaid's journey diagram"),
    (["--view", "blueprint", "--format", "mermaid"], "no Mermaid form"),
    (["--view", "map", "--view", "emotion", "--format", "dot"], "give -o DIRECTORY"),
    (["--check", "--format", "dot"], "--check compares with files on disk"),
])
def test_usage_errors_exit_2_with_a_reason(args, message):
    result = run(str(SMALL), *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_several_journeys_need_a_directory():
    result = run(str(SMALL), str(EXAMPLES), "--format", "dot")
    assert result.exit_code == 2
    assert "several journeys render to a directory: add -o DIRECTORY" in result.stderr


def test_directory_output_names_files_by_journey_id_and_view(tmp_path):
    out = tmp_path / "docs"
    result = run(str(SMALL), "-o", f"{out}/", "--view", "map", "--view", "funnel", "--view", "journey",
                 "--format", "mermaid")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["small-trial.funnel.mmd", "small-trial.journey.mmd",
                                                     "small-trial.mmd"]


def test_duplicate_journey_ids_would_overwrite_each_other(tmp_path):
    for name in ("a.journey.yaml", "b.journey.yaml"):
        shutil.copy(SMALL, tmp_path / name)
    result = run(str(tmp_path), "-o", str(tmp_path / "out"), "--format", "dot")
    assert result.exit_code == 2
    assert "journey id 'small-trial' is also the id of" in result.stderr


def test_check_reports_missing_stale_and_current_files(tmp_path):
    source = tmp_path / "j.journey.yaml"
    shutil.copy(SMALL, source)
    out = tmp_path / "out"
    assert run(str(source), "-o", f"{out}/", "--format", "mermaid").exit_code == 0
    current = run(str(source), "-o", f"{out}/", "--format", "mermaid", "--check")
    assert current.exit_code == 0 and current.stdout == "1 rendered file up to date\n"

    source.write_text(SMALL.read_text().replace("name: Sign-up form", "name: Sign-up page"))
    stale = run(str(source), "-o", f"{out}/", "--format", "mermaid", "--view", "map", "--view", "journey", "--check")
    assert stale.exit_code == 1
    assert stale.stdout.splitlines() == [
        f"{out / 'small-trial.mmd'}: out of date",
        f"{out / 'small-trial.journey.mmd'}: missing",
        "2 of 2 rendered files stale; re-run the same command without --check to update",
    ]
    assert (out / "small-trial.mmd").read_text().count("Sign-up form") == 1  # --check wrote nothing


@needs_dot
def test_check_of_svg_needs_no_graphviz(tmp_path, monkeypatch):
    out = tmp_path / "map.svg"
    assert run(str(SMALL), "-o", str(out)).exit_code == 0
    assert "<!-- journeyctl-source: sha256=" in out.read_text()
    monkeypatch.setenv("JOURNEYCTL_DOT", str(tmp_path / "no-dot-here"))
    result = run(str(SMALL), "-o", str(out), "--check")
    assert result.exit_code == 0, result.output
    # Another Graphviz version draws different bytes; the stamp (a digest of the DOT) still matches, and
    # the body digest such a Graphviz writes is of its own bytes.
    unstamped = re.sub(r"<!-- journeyctl-source: [^>]* -->\n", "", out.read_text(), count=1)
    other = unstamped.replace("graphviz version", "graphviz version 99 was")
    out.write_text(stamp(other, to_dot(load_model(SMALL)[0], "map")))
    assert run(str(SMALL), "-o", str(out), "--check").exit_code == 0
    svg = out.read_text()
    digest = svg.split("sha256=")[1][:64]
    out.write_text(svg.replace(digest, "0" * 64))
    stale = run(str(SMALL), "-o", str(out), "--check")
    assert stale.exit_code == 1 and f"{out}: out of date" in stale.stdout


def test_without_graphviz_svg_says_how_to_install_and_text_formats_still_work(tmp_path, monkeypatch):
    monkeypatch.setenv("JOURNEYCTL_DOT", str(tmp_path / "no-dot-here"))
    for fmt in ("svg", "png", "pdf"):
        result = run(str(SMALL), "-o", str(tmp_path / f"map.{fmt}"))
        assert result.exit_code == 2
        assert "install Graphviz" in result.stderr and "Traceback" not in result.output
        assert not (tmp_path / f"map.{fmt}").exists()
    for fmt in ("dot", "mermaid", "md"):
        assert run(str(SMALL), "--format", fmt).exit_code == 0


def test_a_slow_graphviz_is_killed_with_its_children(tmp_path, monkeypatch):
    fake = tmp_path / "dot"
    pid_file = tmp_path / "child.pid"
    fake.write_text(textwrap.dedent(f"""\
        #!/bin/sh
        sleep 60 &
        echo $! > {pid_file}
        wait
        """))
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("JOURNEYCTL_DOT", str(fake))
    started = time.monotonic()
    result = run(str(SMALL), "-o", str(tmp_path / "map.svg"), "--timeout", "0.5")
    assert time.monotonic() - started < 10
    assert result.exit_code == 2
    assert ("Graphviz took longer than 0.5 s to lay out the map view of 'small-trial' (7 touchpoints) "
            "and was stopped") in result.stderr
    child = int(pid_file.read_text())
    for _ in range(50):  # the kill is delivered at once; reaping by init may lag a little
        status = Path(f"/proc/{child}/status")
        if not status.exists() or "State:\tZ" in status.read_text():
            break
        time.sleep(0.05)
    else:
        pytest.fail(f"dot's child process {child} survived the timeout")


def test_timeout_default_comes_from_the_config(tmp_path, monkeypatch):
    fake = tmp_path / "dot"
    fake.write_text("#!/bin/sh\nexec sleep 60\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    (tmp_path / ".journeyctl.yaml").write_text("render:\n  timeout: 0.3\n")
    shutil.copy(SMALL, tmp_path / "s.journey.yaml")
    monkeypatch.setenv("JOURNEYCTL_DOT", str(fake))
    monkeypatch.chdir(tmp_path)
    result = run("s.journey.yaml", "-o", "map.svg")
    assert result.exit_code == 2 and "longer than 0.3 s" in result.stderr


def test_schema_errors_refuse_with_the_findings(tmp_path):
    broken = tmp_path / "broken.journey.yaml"
    broken.write_text("journeyctl: 1\nid: broken\ntitle: Broken\nstages:\n  - id: s\n    touchpoints:\n"
                      "      - id: t\n        emotion: 7\n")
    result = run(str(broken), "-o", str(tmp_path / "out.dot"))
    assert result.exit_code == 1
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{broken}:8:18: error schema ") or first.startswith(f"{broken}:8:") and " error " in first
    assert "not rendered" in result.stderr
    assert not (tmp_path / "out.dot").exists()


def test_rule_findings_do_not_block_a_render():
    # small.journey.yaml has missing hand-offs and an unknown journey link: validate reports errors.
    result = run(str(SMALL), "--format", "dot")
    assert result.exit_code == 0
    assert "⚠ no hand-off:<BR/>growth → sales" in result.stdout  # on the map, wrapped to the gutter
    assert "no hand-off: growth → sales" in result.stdout  # in full in the transition's tooltip


def test_missing_file_is_exit_2(tmp_path):
    result = run(str(tmp_path / "nope.journey.yaml"), "--format", "dot")
    assert result.exit_code == 2 and "no such file or directory" in result.stderr


@needs_dot
def test_output_is_byte_identical_across_runs_and_hash_seeds(tmp_path):
    script = textwrap.dedent("""\
        import hashlib, json, sys, yaml
        from journeyctl.format.model import Journey
        from journeyctl.render import render
        journey = Journey.model_validate(yaml.safe_load(open(sys.argv[1], encoding="utf-8")))
        out = {}
        for view, fmts in (("map", "svg png pdf dot mermaid md"), ("blueprint", "svg pdf"),
                           ("emotion", "svg png"), ("funnel", "svg mermaid"), ("journey", "mermaid")):
            for fmt in fmts.split():
                data = render(journey, view, fmt)
                data = data.encode() if isinstance(data, str) else data
                out[f"{view}.{fmt}"] = hashlib.sha256(data).hexdigest()
        print(json.dumps(out, sort_keys=True))
        """)
    digests = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", script, str(SMALL)], capture_output=True, text=True,
                              env=env, cwd=ROOT, timeout=120)
        assert done.returncode == 0, done.stderr
        digests.append(json.loads(done.stdout))
        time.sleep(1.1)  # a timestamp with one-second resolution would show up as a difference
    assert len(digests[0]) == 13
    assert digests[0] == digests[1]


@needs_dot
def test_committed_example_diagrams_are_current():
    """docs/examples/ holds every example's map, blueprint and emotion SVG and its Markdown page."""
    journeys = sorted(EXAMPLES.glob("*.journey.yaml"))
    assert journeys
    for args in (["--view", "map", "--view", "blueprint", "--view", "emotion", "--format", "svg"],
                 ["--format", "md"]):
        result = run(str(EXAMPLES), "-o", f"{DOCS}/", *args, "--check")
        assert result.exit_code == 0, (
            f"{result.stdout}\nregenerate with: journeyctl render examples -o docs/examples/ {' '.join(args)}")
