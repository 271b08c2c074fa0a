"""Reading XES event logs (IEEE 1849; `.xes`, `.xes.gz`) for `journeyctl conform`.

The log is streamed through expat, element by element, and written as a temporary Parquet file that
the existing engine reads like any other log (customer = the trace's concept:name, event = the event's
concept:name, timestamp = its time:timestamp): nothing in the SQL changes, and memory holds one batch
and one trace, never a DOM. Only events whose lifecycle:transition is wanted are kept ("complete" by
default; an event without one is atomic and counts as complete). An event written by `conform
--export-xes` is read by its original event name (journeyctl:event), so the exported log is judged
exactly as the log it came from. An event without a timestamp, or in a
trace without a name, is a bad row, numbered by its position among the log's <event> elements.

XML safety: XES has no use for a DTD, so a document type declaration is refused before anything in it
is read: no entity is ever declared, so none can expand (the "billion laughs") or read a file or URL
(XXE); expat's own parameter-entity parsing is off too. A gzip stream is decompressed as it is parsed,
so a file that expands 1,000x costs time in proportion to what it expands to, and no memory beyond a
chunk; nesting deeper than XES ever needs, and a single tag, value or comment over 16 MB (which expat
would hold whole), are refused.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import tempfile
import zlib
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from .engine import ConformError

CUSTOMER, EVENT, TIMESTAMP = "case", "activity", "timestamp"
_CHUNK = 1 << 20
_BATCH = 200_000
_MAX_TOKEN = 16 << 20  # one tag, attribute value or comment larger than this is not an XES log
_MAX_DEPTH = 64  # log > trace > event > attribute > nested attributes: XES needs far fewer levels
_ATTRIBUTE_TAGS = {"string", "date", "int", "float", "boolean", "id", "list", "container"}


class XesError(ConformError):
    """The XES file cannot be read: malformed XML, a DTD, too deep, not gzip (exit 2)."""


def is_xes(path: Path) -> bool:
    name = path.name.lower()
    return name.endswith(".xes") or name.endswith(".xes.gz")


@dataclass
class XesLog:
    """A log as conform's engine reads it: the file, its columns, and how to renumber bad rows."""

    path: Path
    customer: str
    event: str
    timestamp: str
    events_read: int = 0
    events_skipped: int = 0  # other lifecycle transitions
    event_numbers: array = field(default_factory=lambda: array("q"))

    def renumber(self, rows: list[int]) -> list[int]:
        """Parquet row numbers (1-based) → positions of those events among the file's <event>s."""
        if not len(self.event_numbers):
            return rows
        return [self.event_numbers[r - 1] for r in rows]


class _Reader:
    """An expat state machine: log > trace > event > attribute, keys picked by name."""

    def __init__(self, lifecycles: set[str] | None, sink: Any) -> None:
        self.lifecycles = lifecycles
        self.sink = sink
        self.depth = 0
        self.in_trace = False
        self.event_depth = 0  # depth of the open <event>, 0 when none
        self.trace_depth = 0
        self.case: str | None = None
        self.pending: list[tuple[int, str | None, str | None]] = []  # the open trace's kept events
        self.activity: str | None = None
        self.time: str | None = None
        self.lifecycle: str | None = None
        self.original: str | None = None
        self.events = 0
        self.skipped = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise XesError(f"elements nested more than {_MAX_DEPTH} deep: not an XES log")
        if ":" in name:
            name = name.rpartition(":")[2]
        if name == "event":
            if not self.event_depth:
                self.event_depth = self.depth
                self.activity = self.time = self.lifecycle = self.original = None
            return
        if name == "trace":
            if not self.in_trace:
                self.in_trace = True
                self.trace_depth = self.depth
                self.case = None
                self.pending = []
            return
        if name not in _ATTRIBUTE_TAGS:
            return
        key = attrs.get("key")
        if self.event_depth:
            if self.depth != self.event_depth + 1:
                return
            if key == "concept:name":
                self.activity = attrs.get("value")
            elif key == "time:timestamp":
                self.time = attrs.get("value")
            elif key == "lifecycle:transition":
                self.lifecycle = attrs.get("value")
            elif key == "journeyctl:event":
                self.original = attrs.get("value")
        elif self.in_trace and self.depth == self.trace_depth + 1 and key == "concept:name":
            self.case = attrs.get("value")

    def end(self, name: str) -> None:
        if self.event_depth == self.depth:
            self.event_depth = 0
            self.events += 1
            if self.lifecycles is None or (self.lifecycle or "complete").lower() in self.lifecycles:
                # `conform --export-xes` names events by activity label and keeps the logged name aside:
                # reading that name back judges the exported log exactly as the original one.
                activity = self.original if self.original is not None else self.activity
                if self.in_trace:
                    self.pending.append((self.events, activity, self.time))
                else:
                    self.sink.add(self.events, None, activity, self.time)  # outside any trace: bad
            else:
                self.skipped += 1
        elif self.in_trace and self.trace_depth == self.depth:
            self.in_trace = False
            for number, activity, time in self.pending:
                self.sink.add(number, self.case, activity, time)
            self.pending = []
        self.depth -= 1


class _ParquetSink:
    """Batches of (case, activity, timestamp) written as Parquet row groups; event numbers kept aside."""

    def __init__(self, path: Path, numbers: array) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.pa = pa
        self.schema = pa.schema([(CUSTOMER, pa.string()), (EVENT, pa.string()), (TIMESTAMP, pa.string())])
        self.writer = pq.ParquetWriter(str(path), self.schema, compression="none")
        self.numbers = numbers
        self.cases: list[str | None] = []
        self.activities: list[str | None] = []
        self.times: list[str | None] = []

    def add(self, number: int, case: str | None, activity: str | None, time: str | None) -> None:
        self.numbers.append(number)
        self.cases.append(case)
        self.activities.append(activity)
        self.times.append(time)
        if len(self.cases) >= _BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.cases:
            return
        pa = self.pa
        self.writer.write_table(pa.table([pa.array(self.cases, pa.string()), pa.array(self.activities, pa.string()),
                                          pa.array(self.times, pa.string())], schema=self.schema))
        self.cases, self.activities, self.times = [], [], []

    def close(self) -> None:
        self.flush()
        self.writer.close()


def _refuse_dtd(*_: object) -> None:
    raise XesError("the file declares a DTD (<!DOCTYPE ...>): XES needs none, and its entities could "
                   "expand without bound or read local files, so it is not read")


def _refuse_entity(*_: object) -> int:
    raise XesError("the file refers to an external entity: not read")


def parse_xes(handle: BinaryIO, lifecycles: set[str] | None, sink: Any, display: str) -> _Reader:
    """Stream `handle` (decompressed bytes) through expat into `sink`; errors carry line:column."""
    from xml.parsers import expat

    reader = _Reader(lifecycles, sink)
    parser = expat.ParserCreate()
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.UnparsedEntityDeclHandler = _refuse_dtd
    parser.ExternalEntityRefHandler = _refuse_entity
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.buffer_text = True

    def where() -> str:
        return f"{display}:{parser.CurrentLineNumber}:{parser.CurrentColumnNumber + 1}"

    fed = 0
    try:
        while True:
            chunk = handle.read(_CHUNK)
            parser.Parse(chunk, not chunk)
            if not chunk:
                break
            fed += len(chunk)
            # expat holds an unfinished token whole: the distance from where it stands to what it was fed
            # is that token's size, the one thing streaming cannot bound by itself.
            if fed - parser.CurrentByteIndex > _MAX_TOKEN:
                raise XesError(f"one XML token (a tag, an attribute value, a comment) runs over "
                               f"{_MAX_TOKEN >> 20} MB: not an XES log")
    except expat.ExpatError as exc:
        raise XesError(f"{display}:{exc.lineno}:{exc.offset + 1}: not well-formed XML: "
                       f"{expat.ErrorString(exc.code)}") from None
    except XesError as exc:
        raise XesError(f"{where()}: {exc}") from None
    except (OSError, EOFError, zlib.error) as exc:
        raise XesError(f"{display}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    return reader


def _open(path: Path) -> BinaryIO:
    handle = path.open("rb")
    if path.name.lower().endswith(".gz"):
        return gzip.GzipFile(fileobj=handle, mode="rb")  # type: ignore[return-value]
    return handle


@contextlib.contextmanager
def readable_log(path: Path, lifecycle: str = "complete") -> Iterator[XesLog]:
    """The XES log at `path` as a temporary Parquet file for the engine; removed on exit.

    lifecycle: comma-separated lifecycle:transition values to keep ("complete"), or "any" for all.
    """
    if not path.exists():
        raise XesError(f"{path}: no such file")
    if not path.is_file():
        raise XesError(f"{path}: not a file")
    wanted = {v.strip().lower() for v in lifecycle.split(",") if v.strip()}
    lifecycles = None if "any" in wanted or not wanted else wanted
    fd, tmp = tempfile.mkstemp(prefix="journeyctl-xes-", suffix=".parquet")
    os.close(fd)
    log = XesLog(path=Path(tmp), customer=CUSTOMER, event=EVENT, timestamp=TIMESTAMP)
    try:
        sink = _ParquetSink(Path(tmp), log.event_numbers)
        try:
            with _open(path) as handle:
                reader = parse_xes(handle, lifecycles, sink, str(path))
        finally:
            sink.close()
        log.events_read, log.events_skipped = reader.events, reader.skipped
        yield log
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def conform_file(journey: Any, log: Path, *, customer: str = "customer", event: str = "event",
                 timestamp: str = "timestamp", tolerance_us: int | None = None, progress: Any = None,
                 lifecycle: str = "complete", export_to: Path | None = None) -> Any:
    """`conform_log` for any log conform reads, XES included; with `export_to`, also the mapped log as XES.

    An XES log is read through a temporary Parquet file (its columns replace the named ones); its bad
    rows are renumbered to their events' positions in the XES file.
    """
    from .design import DAY_US
    from .engine import conform_log
    from .xes_export import export_xes

    tolerance = DAY_US if tolerance_us is None else tolerance_us
    xes_log = is_xes(log)
    if xes_log:
        named = [f"--{role}-col" for role, given, default in (("customer", customer, "customer"),
                 ("event", event, "event"), ("timestamp", timestamp, "timestamp")) if given != default]
        if named:
            raise XesError(f"{', '.join(named)}: not for an XES log, whose traces and events are named by "
                           "concept:name and timed by time:timestamp")
    elif lifecycle != "complete":
        raise XesError("--lifecycle: only for an XES log (.xes, .xes.gz)")
    with contextlib.ExitStack() as stack:
        xes = stack.enter_context(readable_log(log, lifecycle)) if xes_log else None
        source, columns = (xes.path, (xes.customer, xes.event, xes.timestamp)) if xes else (log, (customer, event, timestamp))
        result = conform_log(journey, source, customer=columns[0], event=columns[1], timestamp=columns[2],
                             tolerance_us=tolerance, progress=progress)
        if xes is not None:
            result.bad_row_numbers = xes.renumber(result.bad_row_numbers)
            if xes.events_skipped:
                result.warnings.append(
                    f"{xes.events_skipped:,} event{'s' if xes.events_skipped != 1 else ''} with another "
                    f"lifecycle:transition than {lifecycle} not read (--lifecycle any reads every event)")
        if export_to is not None:
            export_xes(journey, source, export_to, customer=columns[0], event=columns[1], timestamp=columns[2])
        return result
