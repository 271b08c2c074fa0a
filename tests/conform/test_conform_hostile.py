"""`journeyctl conform` against a hostile user (issue 22): option values never become SQL, the log path is
read as exactly one file, and bad lines are bad rows, never an aborted run."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlglot
from typer.testing import CliRunner

from journeyctl.cli import app
from journeyctl.conform.design import DAY_US, design_of
from journeyctl.conform.sql import DIALECTS, Source, analysis_sql, transpile

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "conform"
JOURNEY = FIXTURES / "shop.journey.yaml"
runner = CliRunner()

# A value that ends the old `--` comment, runs a statement of its own and comments out the rest; and one
# that closes a quoted identifier in each quoting style.
INJECTION = "x\nCOPY (SELECT 42) TO '{marker}' (FORMAT csv); --"
QUOTES = 'q"`\\\'] ; DROP TABLE t; --\u2028y'
OPTIONS = {"--table": "table", "--customer-col": "customer", "--event-col": "event",
           "--timestamp-col": "timestamp", "--order-col": "order"}


def conform(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None):
    return runner.invoke(app, ["conform", *args], env={"NO_COLOR": "1", "COLUMNS": "120", **(env or {})})


def _identifiers(tree: sqlglot.exp.Expression) -> set[str]:
    return {node.name for node in tree.find_all(sqlglot.exp.Identifier)}


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("option", list(OPTIONS))
def test_an_option_value_is_one_quoted_identifier_in_every_dialect(option: str, dialect: str, tmp_path: Path) -> None:
    marker = tmp_path / "pwned.csv"
    for value in (INJECTION.format(marker=marker), QUOTES):
        result = conform(str(JOURNEY), "--emit-sql", dialect, option, value)
        assert result.exit_code == 0, result.output
        sql = result.stdout
        # The header comments carry no line of the value: every line before the query is a comment.
        header = sql[:sql.index("\nWITH")].splitlines()
        assert all(line.startswith("--") for line in header), header
        statements = [s for s in sqlglot.parse(sql, read=dialect) if s is not None]
        assert len(statements) == 1, f"{option} made {len(statements)} statements"
        assert statements[0].find(sqlglot.exp.Copy) is None and statements[0].find(sqlglot.exp.Drop) is None
        # A table name is a dotted path; BigQuery reads a dot inside backquotes as a path too.
        expected = value.split(".") if option == "--table" or dialect == "bigquery" else [value]
        assert set(expected) <= _identifiers(statements[0]), (option, dialect)


@pytest.mark.parametrize("option", ["--customer-col", "--event-col", "--timestamp-col"])
def test_a_hostile_column_name_is_read_as_a_column_by_the_local_run(option: str, tmp_path: Path) -> None:
    marker = tmp_path / "pwned.csv"
    hostile = INJECTION.format(marker=marker)
    role = OPTIONS[option]
    columns = {"customer": "customer", "event": "event", "timestamp": "timestamp", role: hostile}
    values = {"customer": ["u1", "u1"], "event": ["visit", "b"], "timestamp": ["2025-03-01T10:00:00Z",
                                                                             "2025-03-01T11:00:00Z"]}
    log = tmp_path / "log.csv"
    header = ",".join('"' + columns[k].replace('"', '""') + '"' for k in ("customer", "event", "timestamp"))
    rows = "".join(f"{values['customer'][i]},{values['event'][i]},{values['timestamp'][i]}\n" for i in range(2))
    log.write_text(header + "\n" + rows, encoding="utf-8")
    result = conform(str(JOURNEY), str(log), "-f", "json", option, hostile)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["rows"], data["bad_rows"], data["traces"]) == (2, 0, 1)
    assert data["transitions"][0]["observed"] == 1
    assert not marker.exists(), "the option value ran as SQL"


def test_the_header_shows_option_values_escaped_on_one_line() -> None:
    from journeyctl.check.pipeline import load_model

    journey, _ = load_model(JOURNEY)
    assert journey is not None
    source = Source(table="a\nb", customer="c\rd", event="e\u2028f", timestamp="t\x00u", order="o\x85p")
    sql = transpile(analysis_sql(design_of(journey), source, DAY_US), "duckdb")
    header = sql[:sql.index("\nWITH")]
    for shown in ('"a\\nb"', '"c\\rd"', '"e\\u2028f"', '"t\\u0000u"', '"o\\u0085p"'):
        assert shown in header
    assert header.isascii()


def test_an_empty_option_value_is_a_usage_error() -> None:
    result = conform(str(JOURNEY), "--emit-sql", "duckdb", "--customer-col", "")
    assert result.exit_code == 2
    assert "--customer-col" in result.stderr


# --- the log path is one file, never a pattern ---------------------------------------------------------

ROW_A = "customer,event,timestamp\nu1,visit,2025-03-01T10:00:00Z\nu1,b,2025-03-01T11:00:00Z\n"
ROW_B = "customer,event,timestamp\nu9,visit,2025-03-01T10:00:00Z\nu8,visit,2025-03-01T10:00:00Z\nu7,b,2025-03-01T10:00:00Z\n"


def _rows(result) -> int:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["rows"]


def test_brackets_in_a_log_name_are_not_a_character_class(tmp_path: Path) -> None:
    (tmp_path / "x1.csv").write_text(ROW_B, encoding="utf-8")
    named = tmp_path / "x[0-9].csv"
    named.write_text(ROW_A, encoding="utf-8")
    assert _rows(conform(str(JOURNEY), str(named), "-f", "json")) == 2
    named.unlink()
    result = conform(str(JOURNEY), str(named), "-f", "json")
    assert result.exit_code == 2 and "no such file" in result.stderr


def test_a_star_in_a_log_name_reads_that_file_only(tmp_path: Path) -> None:
    (tmp_path / "events.csv").write_text(ROW_B, encoding="utf-8")
    (tmp_path / "ev2.csv").write_text(ROW_B, encoding="utf-8")
    named = tmp_path / "ev*.csv"
    named.write_text(ROW_A, encoding="utf-8")
    assert _rows(conform(str(JOURNEY), str(named), "-f", "json")) == 2


def test_a_tilde_is_a_directory_name_not_the_home_directory(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "log.csv").write_text(ROW_B, encoding="utf-8")
    work = tmp_path / "work"
    (work / "~").mkdir(parents=True)
    (work / "~" / "log.csv").write_text(ROW_A, encoding="utf-8")
    code = ("import sys; from journeyctl.cli import app; sys.argv = ['journeyctl', 'conform', sys.argv[1], "
            "'~/log.csv', '-f', 'json']; app()")
    done = subprocess.run([sys.executable, "-c", code, str(JOURNEY)], cwd=work, capture_output=True, text=True,
                          env={**os.environ, "HOME": str(home)}, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["rows"] == 2
    (work / "~" / "log.csv").unlink()
    done = subprocess.run([sys.executable, "-c", code, str(JOURNEY)], cwd=work, capture_output=True, text=True,
                          env={**os.environ, "HOME": str(home)}, timeout=60)
    assert done.returncode == 2 and "no such file" in done.stderr


def test_a_pattern_in_the_directory_part_is_literal_too(tmp_path: Path) -> None:
    (tmp_path / "d1").mkdir()
    (tmp_path / "d1" / "log.csv").write_text(ROW_B, encoding="utf-8")
    odd = tmp_path / "d[0-9]"
    odd.mkdir()
    (odd / "log.csv").write_text(ROW_A, encoding="utf-8")
    assert _rows(conform(str(JOURNEY), str(odd / "log.csv"), "-f", "json")) == 2


def test_a_directory_is_refused(tmp_path: Path) -> None:
    result = conform(str(JOURNEY), str(tmp_path), "-f", "json")
    assert result.exit_code == 2 and "not a file" in result.stderr


# --- bad lines are bad rows ----------------------------------------------------------------------------

GOOD = [b"u1,visit,2025-03-01T10:00:00Z", b"u1,b,2025-03-01T11:00:00Z", b"u2,visit,2025-03-01T10:00:00Z"]


def _csv(tmp_path: Path, bad: bytes, name: str = "log.csv") -> Path:
    lines = [b"customer,event,timestamp", GOOD[0], bad, GOOD[1], GOOD[2]]
    data = b"\n".join(lines) + b"\n"
    path = tmp_path / name
    path.write_bytes(gzip.compress(data, mtime=0) if name.endswith(".gz") else data)
    return path


@pytest.mark.parametrize("bad", [b"u3,b\xff\xfe,2025-03-01T10:00:00Z", b"u3,b," + b"x" * (2 * 1024 * 1024 + 10),
                                 b"\xc3(" + b"y" * 3_000_000])
@pytest.mark.parametrize("name", ["log.csv", "log.csv.gz"])
def test_an_unreadable_csv_line_is_a_bad_row(bad: bytes, name: str, tmp_path: Path) -> None:
    result = conform(str(JOURNEY), str(_csv(tmp_path, bad, name)), "-f", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["rows"], data["bad_rows"], data["bad_row_numbers"]) == (4, 1, [2])
    assert (data["traces"], data["visits"]) == (2, {"a": 2, "b": 1})


@pytest.mark.parametrize("bad", [b"[1, 2]", b"42", b'"text"', b"{broken", b'{"customer": "u\xff"}', b"null",
                                 b'{"customer": "' + b"z" * (2 * 1024 * 1024) + b'\xff"}'])
def test_a_json_lines_line_that_is_not_an_object_is_a_bad_row(bad: bytes, tmp_path: Path) -> None:
    objects = [json.dumps({"customer": c, "event": e, "timestamp": t}).encode()
               for c, e, t in (line.decode().split(",") for line in GOOD)]
    path = tmp_path / "log.jsonl"
    for position in (0, 1):
        lines = objects[:position] + [bad] + objects[position:]
        path.write_bytes(b"\n".join(lines) + b"\n")
        result = conform(str(JOURNEY), str(path), "-f", "json")
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert (data["rows"], data["bad_rows"], data["bad_row_numbers"]) == (4, 1, [position + 1])
        assert data["traces"] == 2


def test_a_json_lines_log_without_the_column_is_still_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    path.write_text('[1]\n{"who": "u1", "event": "visit", "timestamp": "2025-03-01"}\n', encoding="utf-8")
    result = conform(str(JOURNEY), str(path), "-f", "json")
    assert result.exit_code == 2
    assert "no column 'customer'" in result.stderr and "who" in result.stderr


def test_open_log_without_a_link_still_reads_exactly_the_named_file(tmp_path: Path) -> None:
    # Other readers of a log (the XES export) call open_log directly: it must not take a pattern either.
    import duckdb

    from journeyctl.conform.engine import VIEW, open_log

    (tmp_path / "x1.csv").write_text(ROW_B, encoding="utf-8")
    named = tmp_path / "x[0-9].csv"
    named.write_text(ROW_A, encoding="utf-8")
    con = duckdb.connect()
    try:
        open_log(con, named, "customer", "event", "timestamp")
        assert con.execute(f"SELECT count(*) FROM {VIEW}").fetchone() == (2,)
    finally:
        con.close()
