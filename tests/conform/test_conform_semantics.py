"""One test per rule of `journeyctl conform` (README, "Conformance of event logs"), on logs small
enough to read: each pins exactly what a rule counts and what it does not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from journeyctl.conform.design import DAY_US, DurationError, design_of, duration_us
from journeyctl.conform.engine import ConformError, conform_log
from journeyctl.format.model import Journey

# entry a -> b -> c (converted), b -> d (hand-off, SLA 1h) -> c; e is a dead end reached from a;
# f is scheduled at day 3 and reachable from c; g is an outcome reachable from nowhere.
JOURNEY = """
journeyctl: 1
id: shop
title: Shop
stages:
  - id: s
    touchpoints:
      - id: a
        entry: true
        events: [visit, Visit-Alias]
        next: [{to: b, rate: 0.5}, {to: e, rate: 0.1}]
      - id: b
        next:
          - {to: c, rate: 0.5}
          - {to: d, rate: 0.25, handoff: {sla: 1h}}
      - id: c
        outcome: converted
        next: [{to: f, rate: 1.0}, {to: other-journey/start}]
      - id: d
        next: [{to: c}]
      - id: e
      - id: f
        at: day 3
        outcome: retained
      - id: g
        outcome: churned
"""


@pytest.fixture(scope="module")
def journey() -> Journey:
    return Journey.model_validate(yaml.safe_load(JOURNEY))


def write_csv(tmp_path: Path, rows: list[tuple[str, str, str]], header: str = "customer,event,timestamp") -> Path:
    path = tmp_path / "log.csv"
    path.write_text(header + "\n" + "".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
    return path


def run(journey: Journey, tmp_path: Path, rows: list[tuple[str, str, str]], **options: object):
    return conform_log(journey, write_csv(tmp_path, rows), **options)


def T(hour: float, day: int = 1) -> str:
    """A timestamp on 2025-03-<day> at `hour` (fractions are minutes), written with a Z."""
    minutes = round(hour * 60)
    return f"2025-03-{day:02d}T{minutes // 60:02d}:{minutes % 60:02d}:00Z"


def test_a_trace_fits_when_it_starts_at_an_entry_follows_declared_steps_and_ends_at_an_outcome(journey, tmp_path):
    result = run(journey, tmp_path, [("u1", "visit", T(1)), ("u1", "b", T(2)), ("u1", "c", T(3)),
                                     ("u2", "visit", T(1)), ("u2", "b", T(2))])
    assert (result.traces, result.fitting, result.fitness) == (2, 1, 0.5)
    assert result.deviations["dropped"] == 1
    assert result.endings == {"converted": 1, "none": 1}
    assert result.dropped_at == {"b": 1}


def test_events_map_through_the_touchpoint_event_list_and_default_to_its_id(journey, tmp_path):
    result = run(journey, tmp_path, [("u1", "Visit-Alias", T(1)), ("u1", "b", T(2)), ("u1", "c", T(3)),
                                     ("u2", "a", T(1))])
    # 'a' is not an event of touchpoint a (it declares events), so u2 has no trace at all.
    assert result.traces == 1 and result.fitting == 1
    assert result.unmapped_events == 1 and result.unmapped_event_names == {"a": 1}


def test_ties_keep_file_order(journey, tmp_path):
    same = T(5)
    in_order = run(journey, tmp_path, [("u1", "visit", same), ("u1", "b", same), ("u1", "c", same)])
    assert in_order.fitting == 1
    reversed_ = run(journey, tmp_path, [("u1", "c", same), ("u1", "b", same), ("u1", "visit", same)])
    assert reversed_.fitting == 0
    assert reversed_.deviations["not-entry"] == 1
    assert {(p.source, p.target) for p in reversed_.undeclared} == {("c", "b"), ("b", "a")}


def test_ties_keep_file_order_in_a_file_read_by_several_threads(journey, tmp_path):
    """Row numbers (and so tie-breaks) are file order even in a file DuckDB would split across threads.

    900,000 rows is past the size where DuckDB reads a CSV in parallel chunks; numbered without keeping
    file order, the bad rows spread through the file come back with shifted numbers (seen when this
    test was written, with a copy into a table and insertion order switched off).
    """
    same = T(9)
    lines = ["customer,event,timestamp\n", f"tie,c,{same}\n", f"tie,b,{same}\n", f"tie,visit,{same}\n"]
    lines += ["bad,visit,never\n" if i % 100_000 == 50_000 else "x,unmapped,2025-03-01\n" for i in range(900_000)]
    lines += [f"tie2,b,{same}\n", f"tie2,c,{same}\n"]
    path = tmp_path / "log.csv"
    path.write_text("".join(lines), encoding="utf-8")
    result = conform_log(journey, path)
    assert result.bad_row_numbers == [3 + 50_001 + k * 100_000 for k in range(9)]
    assert {(p.source, p.target): p.count for p in result.undeclared} == {("c", "b"): 1, ("b", "a"): 1}
    assert {(t.source, t.target): t.observed for t in result.transitions}[("b", "c")] == 1  # tie2, in order


@pytest.mark.parametrize("spelling", [
    "2025-03-01T12:00:00Z", "2025-03-01T12:00:00", "2025-03-01 12:00:00", "2025-03-01T12:00:00+00:00",
    "2025-03-01T14:00:00+02:00", "2025-03-01T07:00:00-05:00", "2025-03-01T12:00:00.000000Z",
])
def test_zone_less_timestamps_are_utc_and_offsets_are_honoured(journey, tmp_path, spelling):
    # b at 12:00 UTC (however spelled), d 59 minutes later then 61 minutes later: SLA 1h.
    on_time = run(journey, tmp_path, [("u", "visit", T(11)), ("u", "b", spelling), ("u", "d", T(12 + 59 / 60)),
                                      ("u", "c", T(14))])
    late = run(journey, tmp_path, [("u", "visit", T(11)), ("u", "b", spelling), ("u", "d", T(13 + 1 / 60)),
                                   ("u", "c", T(14))])
    assert (on_time.deviations["late-handoff"], late.deviations["late-handoff"]) == (0, 1)
    assert on_time.bad_rows == late.bad_rows == 0


def test_bad_rows_are_counted_with_their_data_row_numbers_and_never_abort(journey, tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("customer,event,timestamp\n"
                    "u1,visit,2025-03-01T10:00:00Z\n"      # 1
                    ",visit,2025-03-01T10:00:00Z\n"        # 2 missing customer
                    "   ,visit,2025-03-01T10:00:00Z\n"     # 3 blank customer
                    "u1,b,yesterday\n"                     # 4 not a timestamp
                    "u1,b,2025-02-30T10:00:00Z\n"          # 5 no such day
                    "u1,b\n"                               # 6 short line: no timestamp
                    "u1,,2025-03-01T11:00:00Z\n"           # 7 missing event
                    "u1,b,2025-03-01T11:00:00Z,extra\n"    # 8 long line: still a good row
                    "u1,c,2025-03-01T12:00:00Z\n",         # 9
                    encoding="utf-8")
    result = conform_log(journey, path)
    assert result.rows == 9
    assert result.bad_rows == 6
    assert result.bad_row_numbers == [2, 3, 4, 5, 6, 7]
    # The bad rows are in no trace: u1 is visit -> b -> c.
    assert (result.traces, result.fitting) == (1, 1)


def test_bad_json_lines_are_bad_rows_with_their_line_numbers(journey, tmp_path):
    path = tmp_path / "log.jsonl"
    lines = [{"customer": "u1", "event": "visit", "timestamp": T(1)}, "not json at all",
             {"customer": 7, "event": "visit", "timestamp": T(1)}, {"customer": "u1", "event": "b"},
             {"customer": "u1", "event": "c", "timestamp": T(3), "extra": [1, 2]}]
    path.write_text("".join((json.dumps(x) if isinstance(x, dict) else x) + "\n" for x in lines), encoding="utf-8")
    result = conform_log(journey, path)
    assert result.bad_row_numbers == [2, 4]
    # Customer 7 (a JSON number) is the customer "7", not the text '7' with quotes or a failure.
    assert result.traces == 2


def test_a_bad_row_with_a_known_event_is_in_no_trace(journey, tmp_path):
    result = run(journey, tmp_path, [("u1", "visit", T(1)), ("u1", "e", "soon"), ("u1", "b", T(2)), ("u1", "c", T(3))])
    assert result.bad_rows == 1 and result.unmapped_events == 0
    assert result.fitting == 1 and "e" not in result.visits


def test_unmapped_events_are_counted_by_name_and_case_matters(journey, tmp_path):
    result = run(journey, tmp_path, [("u1", "visit", T(1)), ("u1", "page_view", T(1.5)), ("u1", "B", T(1.6)),
                                     ("u1", "page_view", T(1.7)), ("u1", "b", T(2)), ("u1", "c", T(3)),
                                     ("anon", "page_view", T(4))])
    assert result.unmapped_events == 4
    assert result.unmapped_event_names == {"page_view": 3, "B": 1}
    # Unmapped events neither break the trace nor make one: u1 fits, anon has no trace.
    assert (result.traces, result.fitting) == (1, 1)


@pytest.mark.parametrize("gap, late", [("12:59:59.999999", 0), ("13:00:00", 0), ("13:00:00.000001", 1), ("14:00:00", 1)])
def test_a_hand_off_is_late_only_past_its_sla(journey, tmp_path, gap, late):
    result = run(journey, tmp_path, [("u", "visit", T(11)), ("u", "b", "2025-03-01T12:00:00Z"),
                                     ("u", "d", f"2025-03-01T{gap}Z"), ("u", "c", T(15))])
    assert result.deviations["late-handoff"] == late
    assert [(h.source, h.target, h.sla, h.observed, h.late) for h in result.handoffs] == [("b", "d", "1h", 1, late)]
    # Lateness is not a fit breaker: the path itself is as designed.
    assert result.fitting == 1


def test_sla_applies_only_to_the_declared_hand_off(journey, tmp_path):
    # a -> b and b -> c take days: neither has an SLA.
    result = run(journey, tmp_path, [("u", "visit", T(1, day=1)), ("u", "b", T(1, day=5)), ("u", "c", T(1, day=9))])
    assert result.deviations["late-handoff"] == 0


@pytest.mark.parametrize("when, tolerance, early, late", [
    ("2025-03-04T10:00:00Z", "1d", 0, 0),   # day 3 exactly
    ("2025-03-05T10:00:00Z", "1d", 0, 0),   # day 4: exactly one day late is within tolerance
    ("2025-03-05T10:00:01Z", "1d", 0, 1),   # a second past the tolerance
    ("2025-03-03T09:59:59Z", "1d", 1, 0),   # a second too early
    ("2025-03-05T10:00:01Z", "2d", 0, 0),
    ("2025-03-04T23:00:00Z", "12h", 0, 1),
])
def test_off_schedule_is_judged_from_the_trace_start_with_the_tolerance(journey, tmp_path, when, tolerance, early, late):
    rows = [("u", "visit", "2025-03-01T10:00:00Z"), ("u", "b", "2025-03-01T11:00:00Z"),
            ("u", "c", "2025-03-01T12:00:00Z"), ("u", "f", when)]
    result = run(journey, tmp_path, rows, tolerance_us=duration_us(tolerance))
    assert result.deviations["off-schedule"] == early + late
    (schedule,) = result.schedule
    assert (schedule.touchpoint, schedule.day, schedule.early, schedule.late, schedule.visits) == ("f", 3, early, late, 1)


def test_off_schedule_counts_each_visit(journey, tmp_path):
    # Two customers, two visits each to f at day 10: four off-schedule visits, not two traces.
    rows = []
    for u in ("u1", "u2"):
        rows += [(u, "visit", T(1, 1)), (u, "b", T(2, 1)), (u, "c", T(3, 1)), (u, "f", T(1, 11)), (u, "f", T(2, 11))]
    result = run(journey, tmp_path, rows)
    assert result.deviations["off-schedule"] == 4
    assert result.deviations["unexpected-transition"] == 2  # f -> f is not declared, nor reachable


def test_not_entry_counts_once_per_trace(journey, tmp_path):
    result = run(journey, tmp_path, [("u1", "b", T(1)), ("u1", "c", T(2)), ("u1", "visit", T(3)), ("u1", "b", T(4)),
                                     ("u1", "c", T(5)), ("u2", "b", T(1))])
    assert result.deviations["not-entry"] == 2
    assert result.fitting == 0


def test_undeclared_steps_are_skips_when_reachable_else_unexpected(journey, tmp_path):
    result = run(journey, tmp_path, [
        ("u1", "visit", T(1)), ("u1", "c", T(2)),          # a -> c: skips b
        ("u2", "visit", T(1)), ("u2", "f", T(2)),          # a -> f: skips b, c (shortest path)
        ("u3", "visit", T(1)), ("u3", "g", T(2)),          # a -> g: g is reachable from nowhere
        ("u4", "visit", T(1)), ("u4", "e", T(2)), ("u4", "c", T(3)),  # e is a dead end: e -> c unexpected
        ("u5", "visit", T(1)), ("u5", "b", T(2)), ("u5", "b", T(3)), ("u5", "c", T(4)),  # b -> b: no cycle
    ])
    assert result.deviations["skipped"] == 2
    assert result.deviations["unexpected-transition"] == 3
    assert [(p.source, p.target, p.via, p.count) for p in result.skipped] == [("a", "c", ("b",), 1),
                                                                             ("a", "f", ("b", "c"), 1)]
    assert {(p.source, p.target): p.count for p in result.undeclared} == {
        ("a", "c"): 1, ("a", "f"): 1, ("a", "g"): 1, ("e", "c"): 1, ("b", "b"): 1}
    assert result.fitting == 0
    # Each undeclared pair is exactly one of the two kinds.
    assert sum(p.count for p in result.undeclared) == result.deviations["skipped"] + result.deviations["unexpected-transition"]


def test_a_repeat_is_a_skip_when_a_cycle_leads_back():
    loop = Journey.model_validate(yaml.safe_load("""
journeyctl: 1
id: loop
title: Loop
stages:
  - id: s
    touchpoints:
      - {id: a, entry: true, next: [{to: b}]}
      - {id: b, next: [{to: a}, {to: c}]}
      - {id: c, outcome: converted}
"""))
    design = design_of(loop)
    assert design.skips[("a", "a")].via == ("b",)
    assert design.skips[("b", "b")].via == ("a",)
    assert ("a", "b") not in design.skips and ("c", "a") not in design.skips


def test_dropped_counts_traces_ending_outside_an_outcome_including_dead_ends(journey, tmp_path):
    result = run(journey, tmp_path, [
        ("u1", "visit", T(1)), ("u1", "e", T(2)),                                  # dead end
        ("u2", "visit", T(1)), ("u2", "b", T(2)), ("u2", "d", T(2.5)),              # stops before c
        ("u3", "visit", T(1)), ("u3", "b", T(2)), ("u3", "c", T(3)), ("u3", "f", T(1, 4)),  # c then f: retained
        ("u4", "visit", T(1)), ("u4", "b", T(2)), ("u4", "c", T(3)),
        ("u4", "visit", T(4)),                                                      # leaves an outcome again
    ])
    assert result.deviations["dropped"] == 3
    assert result.dropped_at == {"a": 1, "d": 1, "e": 1}
    assert result.endings == {"none": 3, "retained": 1}
    assert result.outcomes["retained"] == 0.25 and result.outcomes["none"] == 0.75
    assert result.conversion == 0.25


def test_observed_rate_is_taken_over_visits_of_the_source(journey, tmp_path):
    # b is visited 4 times: twice followed by c, once by d, once the trace ends there.
    rows = [("u1", "visit", T(1)), ("u1", "b", T(2)), ("u1", "c", T(3)),
            ("u2", "visit", T(1)), ("u2", "b", T(2)), ("u2", "c", T(3)),
            ("u3", "visit", T(1)), ("u3", "b", T(2)), ("u3", "d", T(2.5)), ("u3", "c", T(3)),
            ("u4", "visit", T(1)), ("u4", "b", T(2))]
    result = run(journey, tmp_path, rows)
    stats = {(t.source, t.target): (t.declared_rate, t.observed, t.visits, t.observed_rate) for t in result.transitions}
    assert stats[("b", "c")] == (0.5, 2, 4, 0.5)
    assert stats[("b", "d")] == (0.25, 1, 4, 0.25)
    assert stats[("d", "c")] == (None, 1, 1, 1.0)
    assert stats[("a", "e")] == (0.1, 0, 4, 0.0)
    assert stats[("c", "f")] == (1.0, 0, 3, 0.0)


def test_cross_journey_and_dangling_transitions_are_not_pairs_of_this_log():
    journey = Journey.model_validate(yaml.safe_load(JOURNEY))
    design = design_of(journey)
    assert ("c", "other-journey/start") not in design.declared_pairs
    assert ("c", "start") not in design.declared_pairs
    assert [(t.source, t.target) for t in design.transitions] == [
        ("a", "b"), ("a", "e"), ("b", "c"), ("b", "d"), ("c", "f"), ("d", "c")]


def test_an_event_claimed_twice_counts_for_the_first_touchpoint_with_a_warning(tmp_path):
    journey = Journey.model_validate(yaml.safe_load("""
journeyctl: 1
id: twice
title: Twice
stages:
  - id: s
    touchpoints:
      - {id: a, entry: true, events: [click], next: [{to: b}]}
      - {id: b, events: [click, buy], outcome: converted}
"""))
    result = run(journey, tmp_path, [("u", "click", T(1)), ("u", "buy", T(2))])
    assert result.visits == {"a": 1, "b": 1}
    assert result.warnings == ["event 'click' is declared by touchpoints 'a' and 'b'; it counts as 'a'"]


def test_an_empty_log_has_no_fitness(journey, tmp_path):
    result = run(journey, tmp_path, [])
    assert (result.rows, result.traces, result.fitting, result.fitness, result.conversion) == (0, 0, 0, None, None)
    assert result.to_json()["fitness"] is None
    assert set(result.outcomes.values()) == {0.0}


def test_parquet_with_typed_columns(journey, tmp_path):
    import datetime as dt

    import pyarrow as pa
    import pyarrow.parquet as pq

    utc = dt.timezone.utc
    table = pa.table({
        "customer": pa.array([1, 1, 1, 2, None], pa.int64()),
        "event": ["visit", "b", "c", "visit", "visit"],
        "timestamp": pa.array([dt.datetime(2025, 3, 1, 10, tzinfo=utc), dt.datetime(2025, 3, 1, 11, tzinfo=utc),
                               dt.datetime(2025, 3, 1, 12, tzinfo=utc), None, dt.datetime(2025, 3, 1, 12, tzinfo=utc)],
                              pa.timestamp("us", tz="Europe/Paris")),
    })
    pq.write_table(table, tmp_path / "log.parquet")
    result = conform_log(journey, tmp_path / "log.parquet")
    assert (result.rows, result.traces, result.fitting) == (5, 1, 1)
    assert result.bad_row_numbers == [4, 5]


@pytest.mark.parametrize("content, suffix, message", [
    (None, ".csv", "no such file"),
    (b"PAR1 not really parquet", ".parquet", "cannot read as PARQUET"),
    (b"customer,event\nu,visit\n", ".csv", "no column 'timestamp' for the timestamp (columns: customer, event)"),
])
def test_an_unreadable_log_is_an_input_error(journey, tmp_path, content, suffix, message):
    path = tmp_path / f"log{suffix}"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ConformError, match=message.replace("(", r"\(").replace(")", r"\)")):
        conform_log(journey, path)


@pytest.mark.parametrize("text, micros", [
    ("1d", DAY_US), ("12h", DAY_US // 2), ("30min", 30 * 60 * 10**6), ("1w", 7 * DAY_US), ("1.5d", 3 * DAY_US // 2),
    ("0.000001h", 3600),
])
def test_durations(text, micros):
    assert duration_us(text) == micros


@pytest.mark.parametrize("text", ["1", "d", "1 day", "-1d", "1s"])
def test_bad_durations(text):
    with pytest.raises(DurationError, match="is not a duration"):
        duration_us(text)
