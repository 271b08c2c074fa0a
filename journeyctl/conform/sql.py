"""The conformance analysis as one SQL text, and its translations for the places events live.

The text is written once, in DuckDB's dialect, and DuckDB runs it as is. `--emit-sql` hands the same
text to sqlglot for BigQuery, Snowflake and Spark, so a warehouse answers exactly what the local run
answers. The journey enters as four inline tables (event → touchpoint, touchpoints, declared
transitions, skips); the events enter as one named table with customer, event and timestamp columns.

The query returns one table `(section, a, b, counts...)` rather than several result sets, so every
engine answers with one statement and `result.conformance_from_rows` reads any engine's answer the same
way: counts per event name ('events'), per consecutive pair of touchpoints ('pair'), the number of
traces that do not fit ('unfit') and the first bad row numbers ('bad_row'); every total is a sum of
these. Engines that do not keep a CTE used twice (Spark, BigQuery) recompute it, so the expensive part,
one window over the mapped events, feeds only two aggregates.
"""

from __future__ import annotations

from dataclasses import dataclass

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
COUNTS = ("n", "bad", "unmapped", "traces", "not_entry", "dropped", "unexpected", "skipped", "late", "early",
          "tardy")


def analysis_sql(design: Design, source: Source, tolerance_us: int) -> str:
    """The canonical conformance query for this journey over `source`, in DuckDB's dialect."""
    # Touchpoints travel through the query as small integers: the sort and the joins over a million
    # rows carry 8 bytes instead of a string, and names come back only in the few aggregate rows.
    number = {tp: i for i, tp in enumerate(design.touchpoints)}
    touchpoints = _inline(
        "jc_touchpoint",
        [("tp", "BIGINT"), ("name", "VARCHAR"), ("is_entry", "BIGINT"), ("outcome", "VARCHAR"), ("day_us", "BIGINT")],
        [(_int(number[tp]), _str(tp), _int(1 if tp in design.entries else 0), _str(design.outcomes.get(tp)),
          _int(design.days[tp] * DAY_US if tp in design.days else None)) for tp in design.touchpoints])
    event_map = _inline("jc_event_map", [("event", "VARCHAR"), ("tp", "BIGINT")],
                        [(_str(e), _int(number[tp])) for e, tp in sorted(design.event_map.items())])
    # One table for every pair the journey knows: declared (with its SLA) or a skip (reachable).
    pairs = [(_int(number[t.source]), _int(number[t.target]), "1", _int(t.sla_us)) for t in design.transitions]
    pairs += [(_int(number[a]), _int(number[b]), "0", _int(None)) for a, b in sorted(design.skips)]
    pair_class = _inline("jc_pair_class",
                         [("src", "BIGINT"), ("dst", "BIGINT"), ("declared", "BIGINT"), ("sla_us", "BIGINT")], pairs)

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
-- "Conformance of event logs".
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
    CASE WHEN c.declared = 0 THEN 1 ELSE 0 END AS skipped,
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
    SUM(dropped) AS dropped, SUM(undeclared - skipped) AS unexpected, SUM(skipped) AS skipped,
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
    """The canonical text in another engine's dialect, pretty-printed."""
    import sqlglot
    from sqlglot import exp

    if dialect not in DIALECTS:
        raise ValueError(f"unknown SQL dialect '{dialect}': choose one of {', '.join(DIALECTS)}")
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
