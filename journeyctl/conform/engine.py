"""Runs the conformance SQL on an event log file with embedded DuckDB.

DuckDB reads CSV, JSON Lines and Parquet itself, so a million events never become Python objects:
this module only loads the file into a numbered view (the numbers break timestamp ties and name bad
rows), checks the columns the user named, and hands the view to the canonical query.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any, Callable

from ..format.model import Journey
from .design import DAY_US, design_of
from .result import Conformance, conformance_from_rows
from .sql import Source, analysis_sql

ROW_COLUMN = "__journeyctl_row"
VIEW = "journeyctl_events"
_SUFFIXES = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl",
             ".json": "jsonl", ".parquet": "parquet", ".pq": "parquet"}

_LINK_SUFFIX = {"csv": ".csv", "jsonl": ".jsonl", "parquet": ".parquet"}
# DuckDB treats these as glob or home-directory syntax anywhere in a path it is given.
_PATTERN_CHARS = frozenset("*?[]{}~")
# The longest CSV line read: DuckDB refuses a longer one (its default too); the clean-up pass then makes
# such a line a bad row, like a line that is not UTF-8.
MAX_LINE_BYTES = 2_097_152

Progress = Callable[[float], None]


class ConformError(Exception):
    """The log cannot be read as asked (missing file, unknown column, not CSV/JSONL/Parquet): exit 2."""


def log_format(path: Path) -> str:
    """csv, jsonl or parquet: from the suffix (a .gz is looked through), else from the first bytes."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in (".gz", ".zst"):
        suffixes = suffixes[:-1]
    if suffixes and suffixes[-1] in _SUFFIXES:
        return _SUFFIXES[suffixes[-1]]
    with path.open("rb") as handle:
        head = handle.read(4096)
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.lstrip().startswith(b"{"):
        return "jsonl"
    return "csv"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _scan(path: Path, fmt: str, columns: list[str] | None, *, max_line: int = MAX_LINE_BYTES) -> str:
    """The DuckDB table function reading the log; `columns` pins JSON keys to VARCHAR once known."""
    file = _literal(str(path))
    if fmt == "csv":
        # all_varchar: ids like 007 stay text and a bad timestamp is a bad row, not a failed sniff.
        # null_padding / strict_mode=false: a short or long line becomes a row (short ones are bad rows
        # through their missing values) instead of aborting the run or vanishing.
        return (f"read_csv({file}, header = true, all_varchar = true, null_padding = true, strict_mode = false, "
                f"max_line_size = {int(max_line)})")
    if fmt == "jsonl":
        pinned = ""
        if columns:
            pinned = ", columns = {" + ", ".join(f"{_literal(c)}: 'VARCHAR'" for c in columns) + "}"
        # ignore_errors turns a malformed line into an all-NULL row, so it is counted as a bad row
        # with its number rather than aborting the run.
        return f"read_json({file}, format = 'newline_delimited', ignore_errors = true{pinned})"
    return f"read_parquet({file})"


def _check_columns(available: list[str], wanted: dict[str, str], path: Path) -> None:
    for role, name in wanted.items():
        if name not in available:
            listed = ", ".join(available) if available else "none"
            raise ConformError(f"{path}: no column '{name}' for the {role} (columns: {listed}); "
                               f"name it with --{role}-col")


def open_log(con: Any, path: Path, customer: str, event: str, timestamp: str, *,
             read_as: Path | None = None, max_line: int = MAX_LINE_BYTES) -> Source:
    """Create the numbered view over the log and say how the SQL should read it.

    `read_as` is the file DuckDB opens (a plain-named link to `path`, see `exact_file`); without it,
    a link is made in a temporary directory removed when the process exits, so every caller reads
    exactly `path`. Messages name `path`, the file the user gave.
    """
    import duckdb

    _check_file(path)
    try:
        fmt = log_format(path)
    except OSError as exc:
        raise ConformError(f"{path}: cannot read: {exc.strerror or exc}") from None
    file = read_as or exact_file(path, _process_workdir())
    wanted = {"customer": customer, "event": event, "timestamp": timestamp}
    try:
        available = _columns(con, f"SELECT * FROM {_scan(file, fmt, None, max_line=max_line)}")
        if fmt == "jsonl" and any(name not in available for name in wanted.values()):
            # One line that is not an object (a list, a number) makes DuckDB read every line as one
            # JSON value; the keys are then those of the lines that are objects.
            available = _json_keys(con, file)
        _check_columns(available, wanted, path)
        if fmt == "parquet":
            numbered = (f"SELECT file_row_number + 1 AS {ROW_COLUMN}, * "
                        f"FROM read_parquet({_literal(str(file))}, file_row_number = true)")
        else:
            # JSON keys are pinned to VARCHAR once known: a key holding numbers and strings would
            # otherwise come back as JSON text, quotes included.
            scan = _scan(file, fmt, list(dict.fromkeys(wanted.values())) if fmt == "jsonl" else None,
                         max_line=max_line)
            # row_number() over the scan numbers rows in file order: an empty OVER () makes DuckDB
            # stream the scan in order, on one thread (tests/test_conform_semantics.py pins it on a
            # file large enough to be split otherwise). Copying the file into a table first and using
            # rowid parallelises the parse, but costs more CPU than it saves unless the machine is idle.
            numbered = f"SELECT row_number() OVER () AS {ROW_COLUMN}, * FROM {scan}"
        con.execute(f"CREATE OR REPLACE TEMP VIEW {VIEW} AS {numbered}")
    except duckdb.Error as exc:
        raise _ReadError(f"{path}: cannot read as {fmt.upper()}: {_first_line(exc)}") from None
    return Source(table=VIEW, customer=customer, event=event, timestamp=timestamp, order=ROW_COLUMN)


class _ReadError(ConformError):
    """DuckDB could not read the log as it is: a clean-up pass may still make every line readable."""


def _check_file(path: Path) -> None:
    if not path.exists():
        raise ConformError(f"{path}: no such file")
    if not path.is_file():
        raise ConformError(f"{path}: not a file")
    if path.stat().st_size == 0:
        raise ConformError(f"{path}: the file is empty (not even a header)")


def exact_file(path: Path, workdir: Path) -> Path:
    """A path DuckDB reads as exactly `path`: a link with a plain name in a private directory.

    DuckDB reads a file name as a pattern: `x[0-9].csv` reads x1.csv, `ev*.csv` merges every match and
    `~/log.csv` reads the home directory. The link's name keeps the suffixes DuckDB reads the format and
    compression from; where links are not allowed, the file is copied.
    """
    _check_file(path)
    fmt = log_format(path)
    compression = path.suffix.lower() if path.suffix.lower() in (".gz", ".zst") else ""
    link = workdir / f"log{_LINK_SUFFIX[fmt]}{compression}"
    if _PATTERN_CHARS & set(str(link)):
        raise ConformError(f"the temporary directory {workdir} has a pattern character in its name; "
                           f"set TMPDIR to a plain directory")
    try:
        os.symlink(path.resolve(), link)
    except OSError:
        try:
            shutil.copyfile(path, link)
        except OSError as exc:
            raise ConformError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return link


def _process_workdir() -> Path:
    """A fresh private directory, removed at exit (for open_log callers that bring no link)."""
    import atexit

    workdir = Path(tempfile.mkdtemp(prefix="journeyctl-log-"))
    atexit.register(shutil.rmtree, workdir, True)
    return workdir


def _json_keys(con: Any, file: Path) -> list[str]:
    rows = con.execute(
        "SELECT DISTINCT unnest(json_keys(json)) FROM read_json_objects(?, format = 'newline_delimited', "
        "ignore_errors = true) WHERE json_type(json) = 'OBJECT'", [str(file)]).fetchall()
    return sorted(row[0] for row in rows)


def _columns(con: Any, query: str) -> list[str]:
    return [row[0] for row in con.execute(f"DESCRIBE {query}").fetchall()]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def conform_log(journey: Journey, path: Path, *, customer: str = "customer", event: str = "event",
                timestamp: str = "timestamp", tolerance_us: int = DAY_US,
                progress: Progress | None = None) -> Conformance:
    """How far the customers in the log follow the journey (see README, "Conformance of event logs").

    Bad rows never abort the run: when DuckDB cannot read the file as it is (a line that is not UTF-8,
    longer than MAX_LINE_BYTES), one clean-up pass copies it with each such line made an empty row,
    which the query then counts as a bad row under its own number.
    """
    design = design_of(journey)
    sql_for = lambda source: analysis_sql(design, source, tolerance_us)  # noqa: E731
    with tempfile.TemporaryDirectory(prefix="journeyctl-conform-") as tmp:
        link = exact_file(path, Path(tmp))
        try:
            rows = _analyse(path, link, sql_for, customer, event, timestamp, progress)
        except _ReadError as first:
            from .clean import cleaned_copy

            clean = cleaned_copy(link, log_format(path), Path(tmp), MAX_LINE_BYTES)
            if clean is None:
                raise ConformError(str(first)) from None
            try:
                rows = _analyse(path, clean, sql_for, customer, event, timestamp, progress,
                                max_line=4 * MAX_LINE_BYTES)
            except _ReadError as second:
                raise ConformError(str(second)) from None
    return conformance_from_rows(rows, design, journey=journey.id, tolerance_us=tolerance_us)


def _analyse(path: Path, file: Path, sql_for: Callable[[Source], str], customer: str, event: str,
             timestamp: str, progress: Progress | None, *, max_line: int = MAX_LINE_BYTES) -> list[tuple[Any, ...]]:
    import duckdb

    con = duckdb.connect()
    try:
        # Zone-less timestamps are UTC by definition, whatever the machine's zone.
        con.execute("SET TimeZone = 'UTC'")
        if progress is not None:
            con.execute("SET enable_progress_bar = true")  # DuckDB tracks progress only when asked
            con.execute("SET enable_progress_bar_print = false")
        source = open_log(con, path, customer, event, timestamp, read_as=file, max_line=max_line)
        try:
            return _run(con, sql_for(source), progress)
        except duckdb.Error as exc:
            raise _ReadError(f"{path}: cannot read: {_first_line(exc)}") from None
    finally:
        con.close()


def _run(con: Any, sql: str, progress: Progress | None) -> list[tuple[Any, ...]]:
    if progress is None:
        cursor = con.execute(sql)
        return cursor.fetchall() if cursor.description else []
    # DuckDB reports progress only while a query runs, so the query runs in a worker thread and this
    # thread polls; an exception in the worker is re-raised here.
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            cursor = con.execute(sql)
            box["rows"] = cursor.fetchall() if cursor.description else []
        except BaseException as exc:  # re-raised in the caller's thread
            box["error"] = exc

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    while worker.is_alive():
        worker.join(0.1)
        done = con.query_progress()
        if done >= 0:
            progress(min(done, 100.0))
    if "error" in box:
        raise box["error"]
    progress(100.0)
    return box["rows"]

