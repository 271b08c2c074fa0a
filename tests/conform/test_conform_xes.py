"""`journeyctl conform` on XES logs (IEEE 1849), and `--export-xes`.

The simulated logs of tests/conform_sim.py, written as XES (one trace per customer, missing values as
missing attributes), must give the simulator's truth; hostile XML (an external entity reading a local
file, an entity-expansion bomb, an external DTD), malformed XML, a gzip that expands 1,000x and events
without timestamps must each give one clear answer; the exported XES must read back in pm4py with the
same traces, and in conform with the same verdicts.
"""

from __future__ import annotations

import gzip
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from xml.sax.saxutils import quoteattr

import pytest
import yaml

from helpers.conform_sim import Injection, SimLog, simulate
from journeyctl.conform.engine import conform_log
from journeyctl.conform.xes import XesError, conform_file, readable_log
from journeyctl.interop.bpmn import activity_labels
from journeyctl.format.model import Journey

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "conform"
JOURNEY = FIXTURES / "trial.journey.yaml"


@pytest.fixture(scope="module")
def journey() -> Journey:
    return Journey.model_validate(yaml.safe_load(JOURNEY.read_text(encoding="utf-8")))


def write_xes(log: SimLog, path: Path, *, lifecycle_noise: bool = False) -> Path:
    """The simulated rows as XES: a trace per customer (first seen first), events in row order; a missing
    customer, event or timestamp is a missing attribute (rows without customer share a nameless trace)."""
    traces: dict[object, list[dict]] = {}
    for row in log.rows:
        traces.setdefault(row["customer"], []).append(row)
    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<log xes.version="1849-2016" xmlns="http://www.xes-standard.org/">']
    for customer, rows in traces.items():
        out.append("<trace>")
        if customer is not None:
            out.append(f'<string key="concept:name" value={quoteattr(customer)}/>')
        for row in rows:
            if lifecycle_noise:  # a start before every event: dropped by the default lifecycle filter
                out.append('<event><string key="concept:name" value="ad-click"/>'
                           '<string key="lifecycle:transition" value="start"/>'
                           '<date key="time:timestamp" value="2025-03-01T00:00:00Z"/></event>')
            out.append("<event>")
            if row["event"] is not None:
                out.append(f'<string key="concept:name" value={quoteattr(row["event"])}/>')
            if row["timestamp"] is not None:
                out.append(f'<date key="time:timestamp" value={quoteattr(row["timestamp"])}/>')
            out.append('<string key="lifecycle:transition" value="complete"/></event>')
        out.append("</trace>")
    out.append("</log>\n")
    data = "\n".join(out).encode("utf-8")
    if path.name.endswith(".gz"):
        data = gzip.compress(data, mtime=0)
    path.write_bytes(data)
    return path


def assert_truth(result, log: SimLog) -> None:
    truth = log.truth
    assert result.traces == truth["traces"]
    assert result.fitting == truth["fitting"]
    assert result.deviations == truth["deviations"]
    assert result.bad_rows == truth["bad_rows"]
    assert result.unmapped_events == truth["unmapped_events"]
    assert result.visits == truth["visits"]
    assert result.endings == truth["endings"]


@pytest.mark.parametrize("name", ["events.xes", "events.xes.gz"])
def test_xes_gives_the_simulated_truth(journey: Journey, tmp_path: Path, name: str) -> None:
    log = simulate(journey, customers=800, seed=1849)
    result = conform_file(journey, write_xes(log, tmp_path / name))
    assert_truth(result, log)
    assert all(result.deviations.values()) and result.bad_rows == 25


def test_bad_events_are_numbered_by_their_place_in_the_file(journey: Journey, tmp_path: Path) -> None:
    path = tmp_path / "bad.xes"
    path.write_text(
        '<log><trace><string key="concept:name" value="c1"/>'
        '<event><string key="concept:name" value="ad-click"/><date key="time:timestamp" value="2025-03-01T10:00:00Z"/></event>'
        '<event><string key="concept:name" value="landing"/></event>'  # 2: no timestamp
        '<event><string key="concept:name" value="signup"/><string key="lifecycle:transition" value="start"/></event>'
        '<event><string key="concept:name" value="signup"/><date key="time:timestamp" value="not a date"/></event>'
        '</trace><trace><event><string key="concept:name" value="ad-click"/>'  # 5: nameless trace
        '<date key="time:timestamp" value="2025-03-01T10:00:00Z"/></event></trace></log>', encoding="utf-8")
    result = conform_file(journey, path)
    assert (result.bad_rows, result.bad_row_numbers) == (3, [2, 4, 5])
    assert result.traces == 1 and result.rows == 4  # the 'start' event is not read


def test_lifecycle_option_chooses_the_transitions(journey: Journey, tmp_path: Path) -> None:
    log = simulate(journey, customers=200, seed=3, inject=Injection(bad_rows=0, unmapped_rows=0,
                                                                      unmapped_only_customers=0))
    path = write_xes(log, tmp_path / "events.xes", lifecycle_noise=True)
    default = conform_file(journey, path)  # complete only
    assert_truth(default, log)
    assert default.warnings == [f"{len(log.rows):,} events with another lifecycle:transition than complete "
                                "not read (--lifecycle any reads every event)"]
    starts = conform_file(journey, path, lifecycle="start")
    assert starts.rows == len(log.rows) and starts.visits == {"ad": len(log.rows)}
    assert starts.traces == log.truth["traces"]
    both = conform_file(journey, path, lifecycle="any")
    assert both.rows == 2 * len(log.rows)
    assert conform_file(journey, path, lifecycle="Start, COMPLETE").rows == both.rows


SECRET = "journeyctl-xxe-canary-7f3a"


@pytest.mark.parametrize("doctype", [
    '<!DOCTYPE log [<!ENTITY leak SYSTEM "file://{secret}">]>',
    '<!DOCTYPE log SYSTEM "file://{secret}">',
    '<!DOCTYPE log [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
    '<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">'
    '<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">'
    '<!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">]>',
], ids=["external-entity", "external-dtd", "entity-expansion"])
def test_no_entity_is_expanded_and_no_local_file_is_read(journey: Journey, tmp_path: Path, doctype: str) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    entity = "&leak;" if "leak" in doctype else "&i;" if "ENTITY i" in doctype else "x"
    path = tmp_path / "hostile.xes"
    path.write_text('<?xml version="1.0"?>\n' + doctype.format(secret=secret) +
                    f'\n<log><trace><string key="concept:name" value="{entity}"/><event>'
                    '<string key="concept:name" value="ad-click"/>'
                    '<date key="time:timestamp" value="2025-03-01T10:00:00Z"/></event></trace></log>\n',
                    encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(XesError) as caught:
        conform_file(journey, path)
    assert time.perf_counter() - started < 2
    message = str(caught.value)
    assert re.match(rf"{re.escape(str(path))}:2:\d+: the file declares a DTD", message), message
    assert SECRET not in message
    # The same file through the CLI: one line, exit 2, no traceback, and the secret nowhere.
    done = _cli(journey_path=JOURNEY, log=path)
    assert done.returncode == 2 and "Traceback" not in done.stderr and SECRET not in done.stdout + done.stderr
    assert f"{message}\n" in done.stderr


def test_undeclared_entity_and_malformed_xml_are_positioned(journey: Journey, tmp_path: Path) -> None:
    path = tmp_path / "broken.xes"
    path.write_text('<log>\n  <trace>\n    <string key="concept:name" value="&leak;"/>\n</log>\n', encoding="utf-8")
    with pytest.raises(XesError, match=rf"^{path}:3:5: not well-formed XML: undefined entity$"):
        conform_file(journey, path)
    path.write_text('<log>\n  <trace>\n    <event></trace>\n</log>\n', encoding="utf-8")
    with pytest.raises(XesError, match=rf"^{path}:3:14: not well-formed XML: mismatched tag$"):
        conform_file(journey, path)
    path.write_bytes(b"")
    with pytest.raises(XesError, match=rf"^{path}:1:1: not well-formed XML: no element found$"):
        conform_file(journey, path)
    gz = tmp_path / "fake.xes.gz"
    gz.write_bytes(b"not gzip at all")
    with pytest.raises(XesError, match=rf"^{gz}: cannot read: Not a gzipped file"):
        conform_file(journey, gz)
    truncated = tmp_path / "cut.xes.gz"
    truncated.write_bytes(gzip.compress(b"<log>" + b"<trace></trace>" * 1000 + b"</log>")[:-30])
    with pytest.raises(XesError, match=rf"^{truncated}: cannot read: "):
        conform_file(journey, truncated)


def test_a_gzip_that_expands_1000x_is_read_in_bounded_time_and_memory(tmp_path: Path) -> None:
    """150 MB of XML from a 150 kB file: streamed in 1 MB chunks, so memory stays near the interpreter's."""
    path = tmp_path / "bomb.xes.gz"
    expanded = 150 * 1024 * 1024
    with gzip.GzipFile(path, "wb", mtime=0) as out:
        out.write(b'<log><trace><string key="concept:name" value="c"/>')
        block = b" " * (1024 * 1024)
        for _ in range(expanded // len(block)):
            out.write(block)
        out.write(b"</trace></log>")
    assert expanded / path.stat().st_size > 1000
    code = ("import resource, sys, time\nfrom pathlib import Path\nimport pyarrow.parquet\n"
            "from journeyctl.conform.xes import readable_log\n"
            "base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\nt = time.perf_counter()\n"
            "with readable_log(Path(sys.argv[1])) as log: n = log.events_read\n"
            "print(n, time.perf_counter() - t, (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1024)")
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    events, seconds, grown_mb = done.stdout.split()
    print(f"1,000x gzip: {seconds} s, RSS grew {grown_mb} MB")
    assert int(events) == 0
    assert float(seconds) < 20
    assert float(grown_mb) < 40, grown_mb  # far below the 150 MB it expands to


def test_a_gzip_that_expands_into_one_huge_value_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    """A token expat would have to hold whole (here a 200 MB attribute value) stops the read at 16 MB."""
    path = tmp_path / "value.xes.gz"
    with gzip.GzipFile(path, "wb", mtime=0) as out:
        out.write(b'<log>\n<trace><string key="concept:name" value="')
        for _ in range(200):
            out.write(b"a" * (1024 * 1024))
        out.write(b'"/></trace></log>')
    code = ("import resource, sys\nfrom pathlib import Path\nimport pyarrow.parquet\n"
            "from journeyctl.conform.xes import XesError, readable_log\n"
            "base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
            "try:\n    readable_log(Path(sys.argv[1])).__enter__()\nexcept XesError as exc:\n    print(exc)\n"
            "print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1024)")
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    message, grown_mb = done.stdout.splitlines()
    assert message == f"{path}:2:8: one XML token (a tag, an attribute value, a comment) runs over 16 MB: not an XES log"
    assert float(grown_mb) < 80, grown_mb


def test_nesting_deeper_than_xes_needs_is_refused(journey: Journey, tmp_path: Path) -> None:
    path = tmp_path / "deep.xes"
    path.write_text("<log>" + "<list>" * 100000 + "</list>" * 100000 + "</log>", encoding="utf-8")
    with pytest.raises(XesError, match=rf"^{path}:1:\d+: elements nested more than 64 deep"):
        conform_file(journey, path)


def _cli(journey_path: Path, log: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "journeyctl", "conform", str(journey_path), str(log), *extra],
                          capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_export_xes_round_trips_through_pm4py_and_conform(journey: Journey, tmp_path: Path) -> None:
    pm4py = pytest.importorskip("pm4py", reason="pm4py (AGPL, test/benchmark only) is not installed")
    log = simulate(journey, customers=500, seed=21)
    csv = log.write_csv(tmp_path / "events.csv")
    out = tmp_path / "mapped.xes"
    done = _cli(JOURNEY, csv, "--export-xes", str(out), "--format", "json")
    assert done.returncode == 0, done.stderr
    # pm4py reads the same traces: names, and activities (the BPMN tasks' labels) in order.
    df = pm4py.read_xes(str(out))
    theirs = {case: list(group["concept:name"]) for case, group in df.groupby("case:concept:name", sort=False)}
    labels = activity_labels(journey)
    names = {e: labels[tp] for tp, t in journey.touchpoint_index().items() for e in t.event_names}
    import pyarrow.parquet as pq

    with readable_log(out) as read:  # journeyctl's own reading of the file: the same traces, event by event
        table = pq.read_table(read.path).to_pylist()
    ours: dict[str, list[str]] = {}
    for row in table:
        ours.setdefault(row["case"], []).append(names[row["activity"]])
    assert theirs == ours
    assert len(theirs) == log.truth["traces"]
    assert sum(len(v) for v in theirs.values()) == sum(log.truth["visits"].values())
    assert set(df["concept:name"]) <= set(labels.values())
    assert set(df["lifecycle:transition"]) == {"complete"}
    # Conform judges the exported log exactly as the original (bad rows and unmapped events aside).
    again = conform_file(journey, out)
    first = conform_log(journey, csv)
    assert (again.traces, again.fitting, again.deviations, again.visits, again.endings) == \
        (first.traces, first.fitting, first.deviations, first.visits, first.endings)
    assert again.bad_rows == again.unmapped_events == 0
    fits = dict(zip(df.drop_duplicates("case:concept:name")["case:concept:name"],
                    df.drop_duplicates("case:concept:name")["case:journeyctl:fitting"]))
    assert sum(bool(v) for v in fits.values()) == first.fitting
    # Same input, same bytes.
    second = tmp_path / "again.xes"
    assert _cli(JOURNEY, csv, "--export-xes", str(second), "--format", "json").returncode == 0
    assert second.read_bytes() == out.read_bytes()


def test_export_xes_from_an_xes_log_and_into_a_missing_directory(journey: Journey, tmp_path: Path) -> None:
    log = simulate(journey, customers=100, seed=5)
    source = write_xes(log, tmp_path / "events.xes.gz")
    done = _cli(JOURNEY, source, "--export-xes", str(tmp_path / "out.xes"))
    assert done.returncode == 0, done.stderr
    assert conform_file(journey, tmp_path / "out.xes").fitting == log.truth["fitting"]
    done = _cli(JOURNEY, source, "--export-xes", str(tmp_path / "nowhere" / "out.xes"))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"{tmp_path / 'nowhere' / 'out.xes'}: the directory {tmp_path / 'nowhere'} does not exist" in done.stderr
    with readable_log(source) as read:
        assert read.events_read == len(log.rows) and read.events_skipped == 0


def test_column_options_do_not_apply_to_xes_nor_lifecycle_to_csv(journey: Journey, tmp_path: Path) -> None:
    log = simulate(journey, customers=20, seed=8)
    xes = write_xes(log, tmp_path / "events.xes")
    done = _cli(JOURNEY, xes, "--customer-col", "user", "--timestamp-col", "at")
    assert done.returncode == 2 and done.stderr == ("journeyctl: --customer-col, --timestamp-col: not for an XES "
                                                    "log, whose traces and events are named by concept:name and "
                                                    "timed by time:timestamp\n")
    done = _cli(JOURNEY, log.write_csv(tmp_path / "events.csv"), "--lifecycle", "start")
    assert done.returncode == 2 and done.stderr == "journeyctl: --lifecycle: only for an XES log (.xes, .xes.gz)\n"
