"""The conformance analysis as one SQL text, and its translations for the places events live.

The text is written once, in DuckDB's dialect, and DuckDB runs it as is. `--emit-sql` hands the same
text to sqlglot for BigQuery, Snowflake and Spark, so a warehouse answers exactly what the local run
answers. The journey enters as three inline tables (event → touchpoint, touchpoints, declared
transitions), each as long as the journey, so the text grows linearly with it; the events enter as one
named table with customer, event and timestamp columns. Which undeclared pairs are skips (target
reachable) is not in the SQL: the answer's 'pair' rows name every pair the log holds, and
`result.conformance_from_rows` asks `design.Skips` about those alone.

The query returns one table `(section, a, b, counts...)` rather than several result sets, so every
engine answers with one statement and `result.conformance_from_rows` reads any engine's answer the same
way: counts per event name ('events'), per consecutive pair of touchpoints ('pair'), the number of
traces that do not fit ('unfit') and the first bad row numbers ('bad_row'); every total is a sum of
these. Engines that do not keep a CTE used twice (Spark, BigQuery) recompute it, so the expensive part,
one window over the mapped events, feeds only two aggregates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .design import DAY_US, Design

DIALECTS = ("duckdb", "bigquery", "snowflake", "spark")
BAD_ROW_SAMPLE = 20


@dataclass(frozen=True)
class Source:
    """Where the events are and what their columns are called."""

    table: str = "events"
    customer: str = "customer"
    event: str = "event"
    timestamp: str = "timestamp"
    # A column giving file order, the tie-break for equal timestamps; a warehouse table has none
    # unless the user names one, and then ties fall back to event name.
    order: str | None = None


def _ident(name: str) -> str:
    """A quoted DuckDB identifier; sqlglot re-quotes it for each dialect (backticks, doubled quotes)."""
    return '"' + name.replace('"', '""') + '"'


def _shown(name: str) -> str:
    """An option value as a comment may show it: JSON-escaped ASCII, so no character of it (a newline,
    a U+2028) can end the `--` comment and turn the rest of the value into SQL."""
    import json

    return json.dumps(name, ensure_ascii=True)


def _table(name: str) -> str:
    return ".".join(_ident(part) for part in name.split("."))


def _str(value: str | None) -> str:
    return "CAST(NULL AS VARCHAR)" if value is None else "'" + value.replace("'", "''") + "'"


def _int(value: int | None) -> str:
    return "CAST(NULL AS BIGINT)" if value is None else str(int(value))


def _blank(value: str) -> str:
    # The LIKE guard spares TRIM (a string copy per row) for the values that cannot be blank.
    return f"({value} = '' OR ({value} LIKE ' %' AND TRIM({value}) = ''))"


def _inline(name: str, columns: list[tuple[str, str]], rows: list[tuple[str, ...]]) -> str:
    """A CTE of literal rows; an empty one still has typed columns (VALUES cannot be empty)."""
    names = ", ".join(c for c, _ in columns)
    if not rows:
        nulls = ", ".join(f"CAST(NULL AS {t}) AS {c}" for c, t in columns)
        return f"{name} AS (SELECT {nulls} WHERE 1 = 0)"
    values = ",\n    ".join("(" + ", ".join(row) + ")" for row in rows)
    return f"{name} AS (SELECT * FROM (VALUES\n    {values}) AS t({names}))"


# Columns of the result, after (section, a, b): one row per grouping, every count in its own column.
COUNTS = ("n", "bad", "unmapped", "traces", "not_entry", "dropped", "undeclared", "late", "early", "tardy")


Value = str | int | None


@dataclass(frozen=True)
class InlineTable:
    """One of the journey's literal tables, kept as values so each dialect can spell them cheaply."""

    name: str
    columns: tuple[tuple[str, str], ...]
    rows: tuple[tuple[Value, ...], ...]


class AnalysisSQL(str):
    """The canonical DuckDB text, which also carries its journey tables and a skeleton (the same text
    with two placeholder rows per table), so `transpile` parses a few kilobytes instead of a
    10,000-touchpoint journey's values. A plain str works too, through the slow path."""

    tables: tuple[InlineTable, ...] = ()
    skeleton: str | None = None


# Placeholder integers of the skeleton: table k, row r, column c (distinct from anything else in the text).
_PLACEHOLDER = 8_808_000_000_000


def _placeholder(k: int, r: int, c: int) -> int:
    return _PLACEHOLDER + k * 10_000 + r * 100 + c


def _spelled(value: Value, type_: str) -> str:
    if value is None or type_ == "VARCHAR":
        return _str(value) if type_ == "VARCHAR" else _int(None)
    return _int(value)  # type: ignore[arg-type]


def journey_tables(design: Design) -> tuple[InlineTable, ...]:
    """The journey as three literal tables: touchpoints, event → touchpoint, declared transitions."""
    # Touchpoints travel through the query as small integers: the sort and the joins over a million
    # rows carry 8 bytes instead of a string, and names come back only in the few aggregate rows.
    number = {tp: i for i, tp in enumerate(design.touchpoints)}
    touchpoints = InlineTable(
        "jc_touchpoint",
        (("tp", "BIGINT"), ("name", "VARCHAR"), ("is_entry", "BIGINT"), ("outcome", "VARCHAR"), ("day_us", "BIGINT")),
        tuple((number[tp], tp, 1 if tp in design.entries else 0, design.outcomes.get(tp),
               design.days[tp] * DAY_US if tp in design.days else None) for tp in design.touchpoints))
    event_map = InlineTable("jc_event_map", (("event", "VARCHAR"), ("tp", "BIGINT")),
                            tuple((e, number[tp]) for e, tp in sorted(design.event_map.items())))
    # The declared transitions, with their SLA: every other consecutive pair is undeclared.
    pair_class = InlineTable(
        "jc_pair_class", (("src", "BIGINT"), ("dst", "BIGINT"), ("declared", "BIGINT"), ("sla_us", "BIGINT")),
        tuple((number[t.source], number[t.target], 1, t.sla_us) for t in design.transitions))
    return touchpoints, event_map, pair_class


def analysis_sql(design: Design, source: Source, tolerance_us: int) -> str:
    """The canonical conformance query for this journey over `source`, in DuckDB's dialect."""
    tables = journey_tables(design)

    def full(k: int, table: InlineTable) -> str:
        return _inline(table.name, list(table.columns),
                       [tuple(_spelled(v, t) for v, (_, t) in zip(row, table.columns)) for row in table.rows])

    def skeleton(k: int, table: InlineTable) -> str:
        if len(table.rows) < 2:
            return full(k, table)
        rows = [tuple(str(_placeholder(k, r, c)) for c in range(len(table.columns))) for r in range(2)]
        return _inline(table.name, list(table.columns), rows)

    text = AnalysisSQL(_analysis_text([full(k, t) for k, t in enumerate(tables)], source, tolerance_us))
    text.tables = tables
    text.skeleton = _analysis_text([skeleton(k, t) for k, t in enumerate(tables)], source, tolerance_us)
    return text


def _analysis_text(inline: list[str], source: Source, tolerance_us: int) -> str:
    touchpoints, event_map, pair_class = inline
    customer = f"CAST({_ident(source.customer)} AS VARCHAR)"
    event = f"CAST({_ident(source.event)} AS VARCHAR)"
    row_id = f"CAST({_ident(source.order)} AS BIGINT)" if source.order else "CAST(NULL AS BIGINT)"
    window = f"PARTITION BY customer ORDER BY us, {'row_id' if source.order else 'event'}"
    tol = int(tolerance_us)
    zero = {c: "0" for c in COUNTS}

    def counts(**given: str) -> str:
        return ", ".join(f"{given.get(c, zero[c])} AS {c}" for c in COUNTS)

    order_shown = f", {_shown(source.order)} (file order)" if source.order else ""
    return f"""-- journeyctl conform: conformance of an event log to a designed journey.
-- Input: table {_shown(source.table)} with columns {_shown(source.customer)} (customer),
-- {_shown(source.event)} (event name), {_shown(source.timestamp)} (ISO 8601 text or a timestamp){order_shown}.
-- Zone-less timestamps are read in the session time zone: set it to UTC first.
-- Output: rows (section, a, b, {", ".join(COUNTS)}); see the journeyctl README,
-- "Conformance of event logs". An undeclared pair is a skip when its target is reachable from its
-- source through declared transitions, else an unexpected transition.
WITH
{touchpoints},
{event_map},
{pair_class},
jc_rows AS (
  SELECT
    {row_id} AS row_id,
    CASE WHEN {_blank(customer)} THEN NULL ELSE {customer} END AS customer,
    CASE WHEN {_blank(event)} THEN NULL ELSE {event} END AS event,
    TRY_CAST(CAST({_ident(source.timestamp)} AS VARCHAR) AS TIMESTAMPTZ) AS ts
  FROM {_table(source.table)}
),
jc_classified AS (
  SELECT r.row_id, r.customer, r.event, r.ts, m.tp,
    CASE WHEN r.customer IS NULL OR r.event IS NULL OR r.ts IS NULL THEN 1 ELSE 0 END AS bad
  FROM jc_rows AS r
  LEFT JOIN jc_event_map AS m ON r.event = m.event
),
-- Rows per event name that matches no touchpoint (NULL: every other row); totals are the sums.
jc_row_count AS (
  SELECT k_event, COUNT(*) AS n, SUM(bad) AS bad, SUM(unmapped) AS unmapped
  FROM (
    SELECT bad, CASE WHEN bad = 0 AND tp IS NULL THEN 1 ELSE 0 END AS unmapped,
      CASE WHEN bad = 0 AND tp IS NULL THEN event END AS k_event
    FROM jc_classified
  ) AS c
  GROUP BY k_event
),
jc_bad AS (
  SELECT row_id FROM jc_classified WHERE bad = 1 AND row_id IS NOT NULL ORDER BY row_id LIMIT {BAD_ROW_SAMPLE}
),
-- Traces: a customer's mapped events in time order, ties in file order; one pass of one window.
jc_visit AS (
  SELECT customer, tp, us,
    ROW_NUMBER() OVER ({window}) AS seq,
    LEAD(tp) OVER ({window}) AS next_tp,
    LEAD(us) OVER ({window}) AS next_us,
    FIRST_VALUE(us) OVER ({window}) AS first_us
  FROM (
    SELECT row_id, customer, event, tp, EPOCH_US(ts) AS us FROM jc_classified WHERE bad = 0 AND tp IS NOT NULL
  ) AS m
),
jc_step AS (
  SELECT s.customer, s.tp, COALESCE(s.next_tp, -1) AS next_tp,
    CASE WHEN s.seq = 1 THEN 1 ELSE 0 END AS is_first,
    CASE WHEN s.seq = 1 AND t.is_entry = 0 THEN 1 ELSE 0 END AS not_entry,
    CASE WHEN s.next_tp IS NULL AND t.outcome IS NULL THEN 1 ELSE 0 END AS dropped,
    CASE WHEN s.next_tp IS NOT NULL AND COALESCE(c.declared, 0) = 0 THEN 1 ELSE 0 END AS undeclared,
    CASE WHEN c.sla_us IS NOT NULL AND s.next_us - s.us > c.sla_us THEN 1 ELSE 0 END AS late,
    CASE WHEN t.day_us IS NOT NULL AND s.us - s.first_us < t.day_us - {tol} THEN 1 ELSE 0 END AS early,
    CASE WHEN t.day_us IS NOT NULL AND s.us - s.first_us > t.day_us + {tol} THEN 1 ELSE 0 END AS tardy
  FROM jc_visit AS s
  JOIN jc_touchpoint AS t ON s.tp = t.tp
  LEFT JOIN jc_pair_class AS c ON s.tp = c.src AND s.next_tp = c.dst
),
-- Steps per consecutive pair (next_tp -1: the trace ends there); totals are the sums.
jc_pair AS (
  SELECT tp, next_tp, COUNT(*) AS n, SUM(is_first) AS traces, SUM(not_entry) AS not_entry,
    SUM(dropped) AS dropped, SUM(undeclared) AS undeclared,
    SUM(late) AS late, SUM(early) AS early, SUM(tardy) AS tardy
  FROM jc_step
  GROUP BY tp, next_tp
),
-- A trace fits unless one of its steps breaks fit: the traces that do not are its distinct customers.
jc_unfit AS (
  SELECT COUNT(DISTINCT customer) AS n FROM jc_step WHERE not_entry = 1 OR dropped = 1 OR undeclared = 1
)
SELECT 'events' AS section, k_event AS a, CAST(NULL AS VARCHAR) AS b, {counts(n="n", bad="bad", unmapped="unmapped")}
FROM jc_row_count
UNION ALL
SELECT 'bad_row', NULL, NULL, {counts(n="row_id")}
FROM jc_bad
UNION ALL
SELECT 'unfit', NULL, NULL, {counts(n="n")}
FROM jc_unfit
UNION ALL
SELECT 'pair', a.name, b.name, {counts(**{c: f"p.{c}" for c in COUNTS if c not in ("bad", "unmapped")})}
FROM jc_pair AS p
JOIN jc_touchpoint AS a ON p.tp = a.tp
LEFT JOIN jc_touchpoint AS b ON p.next_tp = b.tp
"""


def transpile(sql: str, dialect: str) -> str:
    """The canonical text in another engine's dialect, pretty-printed.

    sqlglot parses and prints a few thousand nodes a second, so the journey's literal tables (three
    rows per touchpoint) would take it most of a minute for 10,000 touchpoints. When `sql` is an
    AnalysisSQL, sqlglot translates its skeleton (two placeholder rows per table), and the rows are
    spelled into the translation with the row separator and column separators sqlglot printed around
    the placeholders, each value spelled by sqlglot for the dialect. The result parses to the same
    tree as sqlglot's print of the whole query (tests/test_conform_scale.py compares them); only line
    breaks inside a long row may differ.
    """
    if dialect not in DIALECTS:
        raise ValueError(f"unknown SQL dialect '{dialect}': choose one of {', '.join(DIALECTS)}")
    tables = getattr(sql, "tables", ())
    skeleton = getattr(sql, "skeleton", None)
    if tables and skeleton is not None:
        filled = _filled(_translated(skeleton, dialect), tables, dialect)
        if filled is not None:
            return filled
    return _translated(sql, dialect)


def _translated(sql: str, dialect: str) -> str:
    import sqlglot
    from sqlglot import exp

    tree = sqlglot.parse_one(sql, read="duckdb")

    def fix(node: exp.Expression) -> exp.Expression:
        # sqlglot reads DuckDB's EPOCH_US as an unknown function and would copy it verbatim; it is
        # UNIX_MICROS in BigQuery and Spark, and Snowflake spells it as a DATE_PART.
        if isinstance(node, exp.Anonymous) and str(node.this).upper() == "EPOCH_US":
            if dialect == "snowflake":
                return exp.Anonymous(this="DATE_PART", expressions=[exp.var("EPOCH_MICROSECOND"), *node.expressions])
            return exp.UnixMicros(this=node.expressions[0])
        return node

    tree = tree.transform(fix)
    lines = sql.splitlines()
    header = "\n".join(lines[:next(i for i, line in enumerate(lines) if not line.startswith("--"))])
    # The header is kept as written; comments inside would come back as /* */ in odd places.
    body = tree.sql(dialect=dialect, pretty=True, comments=False, unsupported_level=sqlglot.ErrorLevel.RAISE)
    return f"{header}\n{body};\n"


def _filled(text: str, tables: tuple[InlineTable, ...], dialect: str) -> str | None:
    """The translated skeleton with each table's real rows in place of its two placeholder rows; None
    when the placeholders are not where they should be (the caller then translates the whole text)."""
    import re

    spell = _speller(dialect)
    spans: list[tuple[int, int, str]] = []
    for k, table in enumerate(tables):
        if len(table.rows) < 2:
            continue
        width = len(table.columns)
        found = []
        for r in range(2):
            for c in range(width):
                hits = [m.span() for m in re.finditer(rf"(?<![0-9.]){_placeholder(k, r, c)}(?![0-9.])", text)]
                if len(hits) != 1:
                    return None
                found.append(hits[0])
        first, second = found[:width], found[width:]
        gaps = [text[first[c][1]:first[c + 1][0]] for c in range(width - 1)]
        if gaps != [text[second[c][1]:second[c + 1][0]] for c in range(width - 1)]:
            return None
        between = text[first[-1][1]:second[0][0]]
        types = [t for _, t in table.columns]
        rows = (_joined([spell(v, t) for v, t in zip(row, types)], gaps) for row in table.rows)
        spans.append((first[0][0], second[-1][1], between.join(rows)))
    for start, end, rows_text in sorted(spans, reverse=True):
        text = text[:start] + rows_text + text[end:]
    return text


def _joined(values: list[str], gaps: list[str]) -> str:
    return values[0] + "".join(gap + value for gap, value in zip(gaps, values[1:]))


def _speller(dialect: str) -> Callable[[Value, str], str]:
    """How the dialect spells one literal value, as sqlglot prints it (strings escaped its way)."""
    import sqlglot
    from sqlglot import exp

    nulls = {t: sqlglot.parse_one(f"CAST(NULL AS {t})", read="duckdb").sql(dialect=dialect) for t in ("VARCHAR", "BIGINT")}
    generator = sqlglot.Dialect.get_or_raise(dialect).generator(unsupported_level=sqlglot.ErrorLevel.RAISE)

    def spell(value: Value, type_: str) -> str:
        if value is None:
            return nulls[type_]
        if isinstance(value, int):
            return str(int(value))
        return generator.generate(exp.Literal.string(value))

    return spell
