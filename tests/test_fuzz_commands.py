"""Every command fed hostile journeys (and conform hostile logs): never a traceback, exits 0, 1 or 2.

tests/test_fuzz.py fuzzes validate one mutant at a time; here each command that reads journeys gets its
own test: validate, render (every view in dot, svg, md and mermaid), docs (a site build), funnel (text,
json, md, with and without what-if options), conform (a mutant journey against a generated event log
that is itself broken: bad rows, wrong columns, odd timestamps, non-UTF-8 bytes, in CSV and JSON Lines)
and diff (two mutants of one journey as base and head, in its two-file mode). Mutants come from
tests/helpers/mutants.py. Commands that take a workspace get a batch of mutants per example (one docs
build of ten files costs little more than one of one file); the figure that counts is mutants per
command, tallied in helpers.mutants.MUTANTS and printed at the end of the session.

JOURNEYCTL_DEBUG=1 is set for every run: the CLI's last line of defence ("internal error") and
validate's per-file crash finding re-raise instead, so a bug is seen as the exception it is.

Profiles (tests/conftest.py): "ci" keeps this module to a few seconds per command; "long" feeds each
command 10,000 mutants (JOURNEYCTL_FUZZ_MUTANTS to change it); see docs/robustness.md:

    nice -n 19 .venv/bin/pytest -p no:cacheprovider tests/test_fuzz_commands.py --hypothesis-profile=long -k docs
"""

from __future__ import annotations

import json
import re
import tempfile
import traceback
from pathlib import Path
from random import Random
from unittest.mock import patch

from hypothesis import Phase, given, settings
from hypothesis import strategies as st
import typer.testing
from typer.main import get_command
from typer.testing import CliRunner, Result

from helpers.mutants import batch, budget, event_log, mutate, seeded, tally, touchpoint_ids
from journeyctl.cli import app

runner = CliRunner()
CLI = get_command(app)  # built once: Typer's runner rebuilds the whole command tree on every invoke (~30 ms)
ENV = {"JOURNEYCTL_DEBUG": "1", "NO_COLOR": "1", "COLUMNS": "120"}

BATCH = 10
"""Mutant files per example for the commands that take a workspace (validate, render, docs)."""


def describe(cases: list[tuple[str, bytes]]) -> str:
    """The mutants, shortened, for a failure message (the seed reproduces them exactly)."""
    return "\n".join(f"m{i}.journey.yaml ({kind}): {raw[:600]!r}" for i, (kind, raw) in enumerate(cases))


def invoke(args: list[str], cases: list[tuple[str, bytes]]) -> Result:
    """Run the CLI in-process; fail with the traceback and the inputs when it crashes."""
    with patch.object(typer.testing, "_get_command", lambda _app: CLI):
        result = runner.invoke(app, args, env=ENV)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        trace = "".join(traceback.format_exception(*result.exc_info)) if result.exc_info else repr(result.exception)
        raise AssertionError(f"journeyctl {' '.join(args)} crashed on\n{describe(cases)}\n{trace}")
    assert result.exit_code in (0, 1, 2), (args, result.exit_code, result.output[-2000:], describe(cases))
    assert "internal error" not in result.output, (result.output[-2000:], describe(cases))
    assert "Traceback" not in result.output, (result.output[-2000:], describe(cases))
    return result


def write_batch(directory: Path, batch: list[tuple[str, bytes]]) -> dict[str, bytes]:
    """The mutants as m<i>.journey.yaml in `directory`; their bytes by file name."""
    files = {}
    for i, (_kind, raw) in enumerate(batch):
        (directory / f"m{i}.journey.yaml").write_bytes(raw)
        files[f"m{i}.journey.yaml"] = raw
    return files


def assert_no_partial_files(directory: Path) -> None:
    """write_atomic's temporary files never outlive a run, whatever the outcome."""
    leftovers = [p for p in directory.rglob("*") if p.name.endswith(".tmp") or p.name.startswith(".") and ".tmp" in p.name]
    assert leftovers == [], leftovers


def lines_of(raw: bytes) -> int:
    """The lines an editor shows for `raw`, counting every line break YAML knows."""
    text = raw.decode("utf-8", errors="replace")
    return max(1, len(text.splitlines()) + 1)


seeds = st.integers(0, 2**40)
# A seed stands for a whole batch of mutants: a smaller seed is not a simpler case, so no shrinking (a
# failure is reported as found, with its seed; the message shows the mutants).
NO_SHRINK = [Phase.explicit, Phase.reuse, Phase.generate]


# --- validate --------------------------------------------------------------------------------------------


@settings(max_examples=budget(BATCH, 8), phases=NO_SHRINK)
@given(seeds)
def test_validate_never_crashes_on_a_workspace_of_mutants(seed):
    cases = batch(seed, BATCH)
    with tempfile.TemporaryDirectory() as tmp:
        files = write_batch(Path(tmp), cases)
        result = invoke(["validate", tmp, "--format", "json"], cases)
    tally("validate", len(cases))
    if result.exit_code == 2:
        return
    for finding in json.loads(result.stdout)["findings"]:
        name = Path(finding["file"]).name
        if name in files:  # a finding on the workspace itself (a catalog, the config) has no mutant
            assert 1 <= finding["line"] <= lines_of(files[name]), (finding, files[name][:400])
            assert finding["column"] >= 1, finding


# --- render ----------------------------------------------------------------------------------------------

VIEWS_OF = {"dot": ["map", "blueprint", "emotion", "funnel"], "svg": ["map", "blueprint", "emotion", "funnel"],
            "md": ["map", "journey", "funnel"], "mermaid": ["map", "journey", "funnel"]}


def _looks_complete(path: Path, fmt: str) -> None:
    data = path.read_bytes()
    assert data, path
    text = data.decode("utf-8")
    if fmt == "dot":
        assert re.match(r"\s*(strict\s+)?(di)?graph\b", text) and text.rstrip().endswith("}"), (path, text[-300:])
    elif fmt == "svg":
        assert text.lstrip().startswith(("<?xml", "<svg")) and text.rstrip().endswith("</svg>"), (path, text[-300:])


@settings(max_examples=budget(BATCH, 4), phases=NO_SHRINK)
@given(seeds, st.sampled_from(sorted(VIEWS_OF)), st.data())
def test_render_never_crashes_on_a_workspace_of_mutants(seed, fmt, data):
    views = data.draw(st.lists(st.sampled_from(VIEWS_OF[fmt]), min_size=1, max_size=4, unique=True))
    cases = batch(seed, BATCH)
    with tempfile.TemporaryDirectory() as tmp:
        workspace, out = Path(tmp) / "ws", Path(tmp) / "out"
        workspace.mkdir()
        write_batch(workspace, cases)
        args = ["render", str(workspace), "-o", str(out), "-f", fmt, "--timeout", "20"]
        for view in views:
            args += ["--view", view]
        invoke(args, cases)
        tally("render", len(cases))
        if out.exists():
            assert_no_partial_files(out)
            for path in out.iterdir():
                _looks_complete(path, fmt)


# --- docs ------------------------------------------------------------------------------------------------

# A view the site could not draw says so on the page; a renderer's own refusal (Graphviz timed out or is
# missing: RenderError and its kinds) is honest, a Python exception there is a bug the page hides.
HIDDEN_CRASH = re.compile(r"could not be rendered: (?!Render|Graphviz)(\w+(Error|Exception)\b)")


@settings(max_examples=budget(BATCH, 3), phases=NO_SHRINK)
@given(seeds, st.sampled_from(["--no-svg", "--no-svg", "--no-svg", "svg"]),
       st.sampled_from(["map,blueprint,emotion", "map", "none", "emotion,blueprint"]))
def test_docs_never_crashes_on_a_workspace_of_mutants(seed, svg, views):
    cases = batch(seed, BATCH)
    with tempfile.TemporaryDirectory() as tmp:
        workspace, site = Path(tmp) / "ws", Path(tmp) / "site"
        workspace.mkdir()
        write_batch(workspace, cases)
        args = ["docs", str(workspace), "-o", str(site), "--views", views] + (["--no-svg"] if svg == "--no-svg" else [])
        result = invoke(args, cases)
        tally("docs", len(cases))
        if result.exit_code == 2:
            return
        assert (site / "index.html").is_file(), result.output[-2000:]
        assert_no_partial_files(site)
        for page in site.rglob("*.html"):
            text = page.read_text(encoding="utf-8")
            assert text.rstrip().endswith("</html>"), (page, text[-300:])
            hidden = HIDDEN_CRASH.search(text)
            assert hidden is None, (page.name, hidden.group(0), describe(cases))


# --- funnel ----------------------------------------------------------------------------------------------

RATES = ["0.5", "0", "1", "1.5", "-1", "80%", "nan", "inf", "1e400", "0x1", "", "½", "0.3333333333333333333333"]


def _set_option(rng: Random, names: list[str]) -> str:
    pick = lambda: rng.choice(names) if names and rng.random() < 0.8 else rng.choice(["nowhere", "", "a->b", "\u202e"])  # noqa: E731
    shape = rng.choice(["{}->{}={}", "{}->{}={}", "{}={}{}", "{}->{}", "{}->{}={}={}"])
    return shape.format(pick(), pick(), rng.choice(RATES), rng.choice(RATES))


@settings(max_examples=budget(1, 15), phases=NO_SHRINK)
@given(seeds, st.sampled_from(["text", "json", "md"]), st.booleans(), st.booleans())
def test_funnel_never_crashes_on_a_mutant(seed, fmt, what_if, options):
    rng, data = seeded(seed, rates=True)
    case = mutate(rng, data)
    names = touchpoint_ids(data)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "m0.journey.yaml"
        path.write_bytes(case[1])
        args = ["funnel", str(path), "-f", fmt]
        if what_if:
            args += [f"--set={_set_option(rng, names)}" for _ in range(rng.randint(1, 3))]
        if options:
            args += ["--entry", rng.choice(names + ["nowhere"]), "--customers", str(rng.choice([1, 7, 10**6, 10**18])),
                     "--fix-share", str(rng.choice([0, 0.5, 1]))]
        result = invoke(args, [case])
    tally("funnel", 1)
    if fmt == "json" and result.exit_code == 0:
        report = json.loads(result.stdout)
        assert -1e-9 <= report["combined"]["conversion"] <= 1 + 1e-9, report["combined"]
        assert -1e-9 <= report["combined"]["dropoff"] <= 1 + 1e-9, report["combined"]


# --- conform ---------------------------------------------------------------------------------------------

TOLERANCES = ["1d", "12h", "0min", "9999999w", "99999999999999999999d", "-1d", "bad", "", "1e9w"]
COLUMN_NAMES = ["customer", "event", "timestamp", "Customer", "x\ny", "a--b", 'q"uote', "`tick`", "\u202e", "", "1"]


@settings(max_examples=budget(1, 12), phases=NO_SHRINK)
@given(seeds, st.sampled_from(["csv", "jsonl"]), st.sampled_from(["text", "json", "md"]),
       st.sampled_from(["plain", "plain", "options", "render", "xes", "sql"]))
def test_conform_never_crashes_on_a_mutant_and_a_broken_log(seed, log_format, fmt, extra):
    rng, data = seeded(seed, rates=True)
    case = mutate(rng, data)
    log_kind, log = event_log(rng, data, log_format)
    with tempfile.TemporaryDirectory() as tmp:
        path, log_path = Path(tmp) / "m0.journey.yaml", Path(tmp) / f"events.{log_format}"
        path.write_bytes(case[1])
        log_path.write_bytes(log)
        args = ["conform", str(path), str(log_path), "-f", fmt]
        output = None
        if extra == "options":
            args += ["--tolerance", rng.choice(TOLERANCES), "--min-fitness", str(rng.choice([0, 0.5, 1]))]
        elif extra == "render":
            output = Path(tmp) / "out" / f"map.{rng.choice(['dot', 'dot', 'md', 'mmd', 'svg'])}"
            args += ["--render", str(output), "--min-count", str(rng.choice([1, 2, 10**9])),
                     "--top", str(rng.choice([0, 1, 20]))]
        elif extra == "xes":
            output = Path(tmp) / "out" / "log.xes"
            args += ["--export-xes", str(output)]
        elif extra == "sql":  # the SQL alone, with column names that must stay identifiers
            args = ["conform", str(path), "--emit-sql", rng.choice(["duckdb", "bigquery", "snowflake", "spark"])]
            for option in ("--customer-col", "--event-col", "--timestamp-col", "--table", "--order-col"):
                if rng.random() < 0.5:
                    args += [option, rng.choice(COLUMN_NAMES)]
        result = invoke(args, [case, (f"log {log_kind}", log)])
        if output is not None and output.parent.exists():
            assert_no_partial_files(output.parent)
            if output.exists() and output.suffix in (".svg", ".xes"):
                tail = output.read_bytes().rstrip()[-10:]
                assert tail.endswith(b"</svg>" if output.suffix == ".svg" else b"</log>"), (output, tail)
    tally("conform", 1)
    if fmt == "json" and extra in ("plain", "options") and result.exit_code in (0, 1) and result.stdout.strip():
        report = json.loads(result.stdout)
        if "fitness" in report:
            assert report["fitness"] is None or 0 <= report["fitness"] <= 1, report
            assert 0 <= report["fitting"] <= report["traces"], report


# --- diff ------------------------------------------------------------------------------------------------


@settings(max_examples=budget(2, 10), phases=NO_SHRINK)
@given(seeds, st.sampled_from(["text", "json", "md"]), st.sampled_from(["stdout", "stdout", "output", "render"]))
def test_diff_never_crashes_on_two_mutants_of_one_journey(seed, fmt, extra):
    rng, data = seeded(seed, rates=True)
    base, head = mutate(rng, data), mutate(rng, data)
    with tempfile.TemporaryDirectory() as tmp:
        base_path, head_path = Path(tmp) / "base" / "m.journey.yaml", Path(tmp) / "head" / "m.journey.yaml"
        for path, case in ((base_path, base), (head_path, head)):
            path.parent.mkdir()
            path.write_bytes(case[1])
        args = ["diff", str(base_path), str(head_path), "-f", fmt]
        output = Path(tmp) / "out" / rng.choice(["report.txt", "map.dot", "map.md", "map.svg", "map.mmd"])
        if extra == "output":
            args += ["-o", str(output), "--fail-on-new", rng.choice(["error", "warning", "info"])]
        elif extra == "render":
            args += ["--render", str(output)]
        result = invoke(args, [base, head])
        if output.parent.exists():
            assert_no_partial_files(output.parent)
            for written in output.parent.iterdir():
                assert written.stat().st_size > 0, written
                if extra == "render" and written.suffix == ".svg":
                    assert written.read_bytes().rstrip().endswith(b"</svg>"), written
    tally("diff", 2)
    if fmt == "json" and extra != "output" and result.exit_code in (0, 1) and result.stdout.strip():
        report = json.loads(result.stdout)
        assert set(report["summary"]["journeys"]) >= {"added", "removed", "modified", "unchanged"}, report["summary"]
