"""The conformance analysis as one SQL text, and its translations for the places events live.

The text is written once, in DuckDB's dialect, and DuckDB runs it as is. `--emit-sql` hands the same
text to sqlglot for BigQuery, Snowflake and Spark, so a warehouse answers exactly what the local run
answers. The journey enters as four inline tables (event → touchpoint, touchpoints, declared
transitions, skips); the events enter as one named table with customer, event and timestamp columns.

The query returns one long table `(section, a, b, n)` rather than several result sets, so every engine
returns it with one statement and `result.conformance_from_rows` reads any engine's answer the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from .design import DAY_US, Design

DIALECTS = ("duckdb", "bigquery", "snowflake", "spark")
BAD_ROW_SAMPLE = 20
UNMAPPED_SAMPLE = 10


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
    return '"' + name.replace('"', '""') + '"'


def _table(name: str) -> str:
    return ".".join(_ident(part) for part in name.split("."))


def _str(value: str | None) -> str:
    return "CAST(NULL AS VARCHAR)" if value is None else "'" + value.replace("'", "''") + "'"


def _int(value: int | None) -> str:
    return "CAST(NULL AS BIGINT)" if value is None else str(int(value))


def _inline(name: str, columns: list[tuple[str, str]], rows: list[tuple[str, ...]]) -> str:
    """A CTE of literal rows; an empty one still has typed columns (VALUES cannot be empty)."""
    names = ", ".join(c for c, _ in columns)
    if not rows:
        nulls = ", ".join(f"CAST(NULL AS {t}) AS {c}" for c, t in columns)
        return f"{name} AS (SELECT {nulls} WHERE 1 = 0)"
    values = ",\n    ".join("(" + ", ".join(row) + ")" for row in rows)
    return f"{name} AS (SELECT * FROM (VALUES\n    {values}) AS t({names}))"


def analysis_sql(design: Design, source: Source, tolerance_us: int) -> str:
    """The canonical conformance query for this journey over `source`, in DuckDB's dialect."""
    event_map = _inline("jc_event_map", [("event", "VARCHAR"), ("tp", "VARCHAR")],
                        [(_str(e), _str(tp)) for e, tp in sorted(design.event_map.items())])
    touchpoints = _inline(
        "jc_touchpoint", [("tp", "VARCHAR"), ("is_entry", "BIGINT"), ("outcome", "VARCHAR"), ("day_us", "BIGINT")],
        [(_str(tp), _int(1 if tp in design.entries else 0), _str(design.outcomes.get(tp)),
          _int(design.days[tp] * DAY_US if tp in design.days else None)) for tp in design.touchpoints])
    declared = _inline("jc_declared", [("src", "VARCHAR"), ("dst", "VARCHAR"), ("sla_us", "BIGINT")],
                       [(_str(t.source), _str(t.target), _int(t.sla_us)) for t in design.transitions])
    skips = _inline("jc_skip", [("src", "VARCHAR"), ("dst", "VARCHAR")],
                    [(_str(a), _str(b)) for a, b in sorted(design.skips)])

    customer = f"CAST({_ident(source.customer)} AS VARCHAR)"
    event = f"CAST({_ident(source.event)} AS VARCHAR)"
    row_id = f"CAST({_ident(source.order)} AS BIGINT)" if source.order else "CAST(NULL AS BIGINT)"
    order = "v.us, v.row_id, v.event"
    tol = int(tolerance_us)
    return f"""-- journeyctl conform: conformance of an event log to a designed journey.
-- Input: table {source.table} with columns {source.customer} (customer), {source.event} (event name),
-- {source.timestamp} (ISO 8601 text or a timestamp){f', {source.order} (file order)' if source.order else ''}.
-- Zone-less timestamps are read in the session time zone: set it to UTC first.
-- Output: rows (section, a, b, n); see the journeyctl README, "Conformance of event logs".
WITH
{event_map},
{touchpoints},
{declared},
{skips},
jc_rows AS (
  SELECT
    {row_id} AS row_id,
    CASE WHEN TRIM({customer}) = '' THEN NULL ELSE {customer} END AS customer,
    CASE WHEN TRIM({event}) = '' THEN NULL ELSE {event} END AS event,
    TRY_CAST(CAST({_ident(source.timestamp)} AS VARCHAR) AS TIMESTAMPTZ) AS ts
  FROM {_table(source.table)}
),
jc_classified AS (
  SELECT r.row_id, r.customer, r.event, r.ts, m.tp,
    CASE WHEN r.customer IS NULL OR r.event IS NULL OR r.ts IS NULL THEN 1 ELSE 0 END AS bad
  FROM jc_rows AS r
  LEFT JOIN jc_event_map AS m ON r.event = m.event
),
jc_valid AS (
  SELECT row_id, customer, event, tp, EPOCH_US(ts) AS us FROM jc_classified WHERE bad = 0 AND tp IS NOT NULL
),
jc_visit AS (
  SELECT v.customer, v.tp, v.us,
    ROW_NUMBER() OVER (PARTITION BY v.customer ORDER BY {order}) AS seq,
    LEAD(v.tp) OVER (PARTITION BY v.customer ORDER BY {order}) AS next_tp,
    LEAD(v.us) OVER (PARTITION BY v.customer ORDER BY {order}) AS next_us,
    MIN(v.us) OVER (PARTITION BY v.customer) AS first_us
  FROM jc_valid AS v
),
jc_step AS (
  SELECT s.customer, s.tp, s.seq, s.next_tp, t.is_entry, t.outcome,
    CASE WHEN s.next_tp IS NOT NULL AND d.src IS NULL THEN 1 ELSE 0 END AS undeclared,
    CASE WHEN s.next_tp IS NOT NULL AND d.src IS NULL AND k.src IS NOT NULL THEN 1 ELSE 0 END AS skipped,
    CASE WHEN d.sla_us IS NOT NULL AND s.next_us - s.us > d.sla_us THEN 1 ELSE 0 END AS late,
    CASE WHEN t.day_us IS NOT NULL AND s.us - s.first_us < t.day_us - {tol} THEN 1 ELSE 0 END AS early,
    CASE WHEN t.day_us IS NOT NULL AND s.us - s.first_us > t.day_us + {tol} THEN 1 ELSE 0 END AS tardy
  FROM jc_visit AS s
  JOIN jc_touchpoint AS t ON s.tp = t.tp
  LEFT JOIN jc_declared AS d ON s.tp = d.src AND s.next_tp = d.dst
  LEFT JOIN jc_skip AS k ON s.tp = k.src AND s.next_tp = k.dst
),
jc_trace AS (
  SELECT customer,
    MAX(CASE WHEN seq = 1 AND is_entry = 0 THEN 1 ELSE 0 END) AS not_entry,
    SUM(undeclared) AS undeclared,
    MAX(CASE WHEN next_tp IS NULL THEN COALESCE(outcome, '') END) AS ending
  FROM jc_step
  GROUP BY customer
),
jc_pair AS (
  SELECT tp, next_tp, COUNT(*) AS n, SUM(undeclared) AS undeclared, SUM(skipped) AS skipped,
    SUM(late) AS late, SUM(early) AS early, SUM(tardy) AS tardy
  FROM jc_step
  GROUP BY tp, next_tp
),
jc_bad AS (
  SELECT row_id FROM jc_classified WHERE bad = 1 AND row_id IS NOT NULL ORDER BY row_id LIMIT {BAD_ROW_SAMPLE}
),
jc_unmapped AS (
  SELECT event, COUNT(*) AS n FROM jc_classified WHERE bad = 0 AND tp IS NULL GROUP BY event
)
SELECT 'rows' AS section, CAST(NULL AS VARCHAR) AS a, CAST(NULL AS VARCHAR) AS b, COUNT(*) AS n FROM jc_classified
UNION ALL SELECT 'bad', NULL, NULL, COALESCE(SUM(bad), 0) FROM jc_classified
UNION ALL SELECT 'bad_row', NULL, NULL, row_id FROM jc_bad
UNION ALL SELECT 'unmapped', NULL, NULL, COALESCE(SUM(n), 0) FROM jc_unmapped
UNION ALL SELECT 'unmapped_event', event, NULL, n
  FROM (SELECT event, n FROM jc_unmapped ORDER BY n DESC, event LIMIT {UNMAPPED_SAMPLE}) AS u
UNION ALL SELECT 'traces', NULL, NULL, COUNT(*) FROM jc_trace
UNION ALL SELECT 'fitting', NULL, NULL,
  COALESCE(SUM(CASE WHEN not_entry = 0 AND undeclared = 0 AND ending <> '' THEN 1 ELSE 0 END), 0) FROM jc_trace
UNION ALL SELECT 'deviation', 'not-entry', NULL, COALESCE(SUM(not_entry), 0) FROM jc_trace
UNION ALL SELECT 'deviation', 'dropped', NULL, COALESCE(SUM(CASE WHEN ending = '' THEN 1 ELSE 0 END), 0) FROM jc_trace
UNION ALL SELECT 'deviation', 'unexpected-transition', NULL, COALESCE(SUM(undeclared - skipped), 0) FROM jc_pair
UNION ALL SELECT 'deviation', 'skipped', NULL, COALESCE(SUM(skipped), 0) FROM jc_pair
UNION ALL SELECT 'deviation', 'late-handoff', NULL, COALESCE(SUM(late), 0) FROM jc_pair
UNION ALL SELECT 'deviation', 'off-schedule', NULL, COALESCE(SUM(early + tardy), 0) FROM jc_pair
UNION ALL SELECT 'visits', tp, NULL, SUM(n) FROM jc_pair GROUP BY tp
UNION ALL SELECT 'pair', tp, next_tp, n FROM jc_pair WHERE next_tp IS NOT NULL
UNION ALL SELECT 'late', tp, next_tp, late FROM jc_pair WHERE late > 0
UNION ALL SELECT 'early', tp, NULL, SUM(early) FROM jc_pair GROUP BY tp HAVING SUM(early) > 0
UNION ALL SELECT 'tardy', tp, NULL, SUM(tardy) FROM jc_pair GROUP BY tp HAVING SUM(tardy) > 0
UNION ALL SELECT 'ending', ending, NULL, COUNT(*) FROM jc_trace GROUP BY ending
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
    header = "\n".join(line for line in sql.splitlines() if line.startswith("--"))
    body = tree.sql(dialect=dialect, pretty=True, unsupported_level=sqlglot.ErrorLevel.RAISE)
    return f"{header}\n{body};\n"
