"""`conform --export-xes FILE`: the mapped log as XES (IEEE 1849), for the process-mining tools.

The log written is the one conform judged: bad rows and unmapped events left out, each event named by
its touchpoint's activity label (the same label the BPMN export gives that touchpoint's task, so model
and log meet in pm4py, ProM or Celonis without a mapping step), traces in customer order, events in time
order with ties in file order. Each trace carries conform's verdict (`journeyctl:fitting`), each event
its touchpoint id and its original event name. The events stream from DuckDB to the file: a log of
millions never becomes one Python list.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import quoteattr

from ..format.model import Journey
from .design import Design, design_of

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_BATCH = 20_000
_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1849-2016" xes.features="" xmlns="http://www.xes-standard.org/">
  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
  <extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
  <extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>
  <global scope="trace">
    <string key="concept:name" value="UNKNOWN"/>
  </global>
  <global scope="event">
    <string key="concept:name" value="UNKNOWN"/>
    <date key="time:timestamp" value="1970-01-01T00:00:00.000000+00:00"/>
    <string key="lifecycle:transition" value="complete"/>
  </global>
  <classifier name="Activity" keys="concept:name"/>
"""


class XesExportError(Exception):
    """The XES file cannot be written (exit 2)."""


@dataclass(frozen=True)
class XesSummary:
    traces: int
    events: int
    fitting: int


def _attr(text: str) -> str:
    """An XML attribute value, with the characters XML 1.0 cannot carry replaced."""
    return quoteattr("".join(c if c >= " " or c in "\t\n\r" else "\ufffd" for c in text))


def iso_us(us: int) -> str:
    """Microseconds since the epoch as an XES date (xs:dateTime, UTC, microsecond precision)."""
    return (_EPOCH + timedelta(microseconds=us)).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def trace_fits(design: Design, tps: list[str], declared: set[tuple[str, str]]) -> bool:
    """Conform's verdict on one trace: starts at an entry, every step declared, ends at an outcome."""
    return (tps[0] in design.entries and tps[-1] in design.outcomes
            and all(pair in declared for pair in zip(tps, tps[1:])))


def mapped_events_sql(design: Design, source: Any) -> str:
    """The mapped, well-formed events (customer, touchpoint, epoch µs, event name) in trace order.

    The rules are conform's own (sql.analysis_sql): a blank customer or event, or a timestamp that does
    not read as one, makes a bad row; an event name no touchpoint declares is unmapped; ties in time
    keep file order.
    """
    from .sql import _blank, _ident, _inline, _str, _table

    event_map = _inline("jc_event_map", [("event", "VARCHAR"), ("tp", "VARCHAR")],
                        [(_str(e), _str(tp)) for e, tp in sorted(design.event_map.items())])
    customer = f"CAST({_ident(source.customer)} AS VARCHAR)"
    event = f"CAST({_ident(source.event)} AS VARCHAR)"
    return f"""WITH {event_map},
jc_rows AS (
  SELECT CAST({_ident(source.order)} AS BIGINT) AS row_id,
    CASE WHEN {_blank(customer)} THEN NULL ELSE {customer} END AS customer,
    CASE WHEN {_blank(event)} THEN NULL ELSE {event} END AS event,
    TRY_CAST(CAST({_ident(source.timestamp)} AS VARCHAR) AS TIMESTAMPTZ) AS ts
  FROM {_table(source.table)}
)
SELECT r.customer, m.tp, EPOCH_US(r.ts) AS us, r.event
FROM jc_rows AS r JOIN jc_event_map AS m ON r.event = m.event
WHERE r.customer IS NOT NULL AND r.ts IS NOT NULL
ORDER BY r.customer, us, r.row_id
"""


def export_xes(journey: Journey, log: Path, out: Path, *, customer: str = "customer", event: str = "event",
               timestamp: str = "timestamp") -> XesSummary:
    """Write the mapped log of `log` (read as conform reads it) to `out` as XES; atomic."""
    import duckdb

    from ..interop.bpmn import activity_labels
    from .engine import ConformError, open_log

    design = design_of(journey)
    labels = activity_labels(journey)
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        source = open_log(con, log, customer, event, timestamp)
        try:
            cursor = con.execute(mapped_events_sql(design, source))
        except duckdb.Error as exc:
            raise ConformError(f"{log}: cannot read: {str(exc).strip().splitlines()[0]}") from None
        with _atomic_text(out) as handle:
            return _write(handle, cursor, design, labels, journey.id)
    finally:
        con.close()


def _write(handle: IO[str], cursor: Any, design: Design, labels: dict[str, str], name: str) -> XesSummary:
    declared = design.declared_pairs
    handle.write(_HEAD)
    handle.write(f'  <string key="concept:name" value={_attr(name)}/>\n')
    traces = events = fitting = 0
    current: str | None = None
    tps: list[str] = []
    lines: list[str] = []

    def flush() -> None:
        nonlocal traces, fitting
        fits = trace_fits(design, tps, declared)
        traces += 1
        fitting += fits
        handle.write(f'  <trace>\n    <string key="concept:name" value={_attr(current or "")}/>\n'
                     f'    <boolean key="journeyctl:fitting" value="{"true" if fits else "false"}"/>\n')
        handle.write("".join(lines))
        handle.write("  </trace>\n")

    while True:
        batch = cursor.fetchmany(_BATCH)
        if not batch:
            break
        for cust, tp, us, ev in batch:
            if cust != current:
                if tps:
                    flush()
                current, tps, lines = cust, [], []
            tps.append(tp)
            events += 1
            lines.append(f'    <event>\n      <string key="concept:name" value={_attr(labels[tp])}/>\n'
                         f'      <string key="journeyctl:touchpoint" value={_attr(tp)}/>\n'
                         f'      <string key="journeyctl:event" value={_attr(ev)}/>\n'
                         f'      <string key="lifecycle:transition" value="complete"/>\n'
                         f'      <date key="time:timestamp" value="{iso_us(us)}"/>\n    </event>\n')
    if tps:
        flush()
    handle.write("</log>\n")
    return XesSummary(traces=traces, events=events, fitting=fitting)


@contextlib.contextmanager
def _atomic_text(path: Path) -> Iterator[IO[str]]:
    """A text stream whose content replaces `path` only once complete (output.write_atomic, streamed)."""
    try:
        special = not stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        special = False
    if special:  # /dev/stdout, a FIFO: written into, never replaced
        try:
            with open(path, "w", encoding="utf-8", newline="\n") as handle:
                yield handle
        except OSError as exc:
            raise XesExportError(f"{path}: cannot write: {exc.strerror or exc}") from None
        return
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise XesExportError(f"{path}: the directory {directory} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise XesExportError(f"{path}: cannot write in {directory}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except OSError as exc:
        raise XesExportError(f"{path}: write failed: {exc.strerror or exc}") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
