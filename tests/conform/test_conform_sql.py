"""The conformance SQL beyond the embedded run: every --emit-sql dialect parses, the emitted SQL gives
the same answer on DuckDB and on local Spark, and the undeclared transitions agree with process
mining (pm4py's directly-follows graph minus the declared transitions)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlglot
import yaml

from helpers.conform_sim import Injection, simulate
from journeyctl.conform.design import DAY_US, design_of
from journeyctl.conform.engine import conform_log
from journeyctl.conform.result import conformance_from_rows
from journeyctl.conform.sql import DIALECTS, Source, analysis_sql, transpile
from journeyctl.format.model import Journey

FIXTURES = Path(__file__).parents[1] / "fixtures" / "conform"


@pytest.fixture(scope="module")
def journey() -> Journey:
    return Journey.model_validate(yaml.safe_load((FIXTURES / "trial.journey.yaml").read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def sim_csv(journey: Journey, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    log = simulate(journey, customers=300, seed=77, inject=Injection(tie=0.2, bad_rows=12, unmapped_rows=20))
    path = log.write_csv(tmp_path_factory.mktemp("conform-sql") / "events.csv")
    return path, conform_log(journey, path).to_json()


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("order", [None, "file_row"])
def test_emitted_sql_parses_in_its_dialect(journey: Journey, dialect: str, order: str | None) -> None:
    source = Source(table="analytics.events", customer="user_id", event="name", timestamp="ts", order=order)
    sql = transpile(analysis_sql(design_of(journey), source, DAY_US), dialect)
    tree = sqlglot.parse_one(sql, read=dialect)
    assert tree.find(sqlglot.exp.Union) is not None
    assert sql.startswith("-- journeyctl conform")
    # DuckDB's EPOCH_US has a name of its own everywhere else.
    assert ("EPOCH_US" in sql) == (dialect == "duckdb")
    assert {"bigquery": "UNIX_MICROS(", "spark": "UNIX_MICROS(", "snowflake": "DATE_PART(EPOCH_MICROSECOND",
            "duckdb": "EPOCH_US("}[dialect] in sql


def test_event_names_are_quoted_for_every_dialect() -> None:
    odd = Journey.model_validate({"journeyctl": 1, "id": "odd", "title": "Odd", "stages": [{"id": "s", "touchpoints": [
        {"id": "a", "entry": True, "events": ["it's", "back\\slash", "ünï"], "outcome": "converted"}]}]})
    for dialect in DIALECTS:
        sql = transpile(analysis_sql(design_of(odd), Source(), DAY_US), dialect)
        literals = {lit.this for lit in sqlglot.parse_one(sql, read=dialect).find_all(sqlglot.exp.Literal) if lit.is_string}
        assert {"it's", "back\\slash", "ünï"} <= literals, dialect


def test_unknown_dialect_is_refused(journey: Journey) -> None:
    with pytest.raises(ValueError, match="unknown SQL dialect 'oracle'"):
        transpile(analysis_sql(design_of(journey), Source(), DAY_US), "oracle")


def test_emitted_duckdb_sql_on_a_table_gives_the_engine_answer(journey: Journey, sim_csv: tuple[Path, dict]) -> None:
    import duckdb

    path, expected = sim_csv
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"CREATE TABLE site_events AS SELECT row_number() OVER () AS file_row, * FROM "
                f"read_csv('{path}', all_varchar = true, null_padding = true, strict_mode = false)")
    source = Source(table="site_events", order="file_row")
    sql = transpile(analysis_sql(design_of(journey), source, DAY_US), "duckdb")
    rows = con.execute(sql).fetchall()
    result = conformance_from_rows(rows, design_of(journey), journey=journey.id, tolerance_us=DAY_US)
    assert result.to_json() == expected


def test_without_an_order_column_the_counts_stand_but_bad_rows_have_no_numbers(journey: Journey, tmp_path: Path) -> None:
    import duckdb

    log = simulate(journey, customers=200, seed=78, inject=Injection(tie=0, bad_rows=6))
    path = log.write_csv(tmp_path / "events.csv")
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"CREATE TABLE events AS SELECT * FROM read_csv('{path}', all_varchar = true)")
    rows = con.execute(transpile(analysis_sql(design_of(journey), Source(), DAY_US), "duckdb")).fetchall()
    result = conformance_from_rows(rows, design_of(journey), journey=journey.id, tolerance_us=DAY_US)
    assert (result.traces, result.fitting, result.deviations) == (
        log.truth["traces"], log.truth["fitting"], log.truth["deviations"])
    assert result.bad_rows == 6 and result.bad_row_numbers == []


def _spark_unavailable() -> str | None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install pyspark to run the Spark SQL test)"
    if shutil.which("java") is None:
        return "no java on PATH (Spark needs Java 17)"
    return None


@pytest.mark.skipif(_spark_unavailable() is not None, reason=_spark_unavailable() or "")
@pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas")
def test_emitted_spark_sql_on_local_spark_gives_the_engine_answer(journey: Journey, sim_csv: tuple[Path, dict]) -> None:
    from pyspark.sql import SparkSession, functions

    path, expected = sim_csv
    spark = (SparkSession.builder.master("local[1]").appName("journeyctl-conform-test")
             .config("spark.sql.session.timeZone", "UTC")
             .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.shuffle.partitions", "1").config("spark.sql.adaptive.enabled", "false")
             .config("spark.driver.memory", "1g").getOrCreate())
    try:
        spark.sparkContext.setLogLevel("ERROR")
        # One small file is one partition, read in order: monotonically_increasing_id is file order.
        events = (spark.read.schema("customer STRING, event STRING, timestamp STRING").option("header", True)
                  .csv(str(path)).withColumn("file_row", functions.monotonically_increasing_id() + 1))
        events.createOrReplaceTempView("events")
        sql = transpile(analysis_sql(design_of(journey), Source(order="file_row"), DAY_US), "spark")
        rows = [tuple(r) for r in spark.sql(sql.strip().rstrip(";")).collect()]
    finally:
        spark.stop()
    result = conformance_from_rows(rows, design_of(journey), journey=journey.id, tolerance_us=DAY_US)
    assert result.to_json() == expected


def test_undeclared_transitions_equal_pm4py_dfg_minus_declared(journey: Journey, tmp_path: Path) -> None:
    pm4py = pytest.importorskip("pm4py", reason="pm4py (AGPL, test/benchmark only) is not installed")
    import pandas as pd

    log = simulate(journey, customers=800, seed=31, inject=Injection(tie=0.1))
    path = log.write_csv(tmp_path / "events.csv")
    result = conform_log(journey, path)

    # pm4py sees the same mapped events: bad rows dropped, event names mapped to touchpoints.
    design = design_of(journey)
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df["timestamp"] = pd.to_datetime(df["timestamp"], format="ISO8601", utc=True, errors="coerce")
    df["customer"] = df["customer"].str.strip()
    df["activity"] = df["event"].map(design.event_map)
    df = df[(df["customer"] != "") & df["timestamp"].notna() & df["activity"].notna()]
    df = pm4py.format_dataframe(df, case_id="customer", activity_key="activity", timestamp_key="timestamp")
    dfg, _, _ = pm4py.discover_dfg(df)

    undeclared = {(p.source, p.target): p.count for p in result.undeclared}
    expected = {pair: n for pair, n in dfg.items() if pair not in design.declared_pairs}
    assert set(undeclared) == set(expected)
    assert undeclared == expected
    assert len(undeclared) > 10
