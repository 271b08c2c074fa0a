"""`journeyctl conform` against a simulator that knows the answer.

tests/conform_sim.py walks customers through the journey by its rates, injects every kind of
deviation and noise, and counts the truth from the traces it meant to write. Every count conform
reports must equal the truth exactly, from CSV, JSON Lines and Parquet alike.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from helpers.conform_sim import DAY, Injection, SimLog, simulate
from journeyctl.conform.engine import conform_log
from journeyctl.conform.result import Conformance
from journeyctl.format.model import Journey

FIXTURES = Path(__file__).parents[1] / "fixtures" / "conform"


@pytest.fixture(scope="module")
def journey() -> Journey:
    return Journey.model_validate(yaml.safe_load((FIXTURES / "trial.journey.yaml").read_text(encoding="utf-8")))


def assert_matches_truth(result: Conformance, log: SimLog) -> None:
    truth = log.truth
    assert result.rows == truth["rows"]
    assert result.traces == truth["traces"]
    assert result.fitting == truth["fitting"]
    assert result.deviations == truth["deviations"]
    assert result.bad_rows == truth["bad_rows"]
    assert result.bad_row_numbers == truth["bad_row_numbers"]
    assert result.unmapped_events == truth["unmapped_events"]
    assert result.visits == truth["visits"]
    assert {(p.source, p.target): p.count for p in result.undeclared} == truth["undeclared"]
    assert {(p.source, p.target): p.count for p in result.skipped} == truth["skipped"]
    for t in result.transitions:
        assert t.observed == truth["pairs"].get((t.source, t.target), 0), (t.source, t.target)
        visits = truth["visits"].get(t.source, 0)
        assert t.observed_rate == (t.observed / visits if visits else None)
    assert result.endings == truth["endings"]
    assert result.dropped_at == truth["dropped_at"]
    assert {(h.source, h.target): h.late for h in result.handoffs if h.late} == truth["late"]
    assert {s.touchpoint: s.early for s in result.schedule if s.early} == truth["early"]
    assert {s.touchpoint: s.late for s in result.schedule if s.late} == truth["tardy"]
    assert result.conversion == truth["conversion"]
    assert sum(result.outcomes.values()) == pytest.approx(1.0)


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_every_count_matches_the_simulated_truth(journey: Journey, tmp_path: Path, fmt: str) -> None:
    log = simulate(journey, customers=1500, seed=20260301)
    path = getattr(log, f"write_{fmt}")(tmp_path / f"events.{fmt}")
    result = conform_log(journey, path)
    assert_matches_truth(result, log)
    # The run really exercised every kind of deviation and noise.
    assert all(result.deviations.values()), result.deviations
    assert result.bad_rows == 25 and result.unmapped_events == 40
    assert 0 < result.fitting < result.traces


@pytest.mark.parametrize("seed, inject", [
    (1, Injection(not_entry=0.5, remove_step=0.5, foreign_step=0.5, stop_early=0.5, tie=0.3)),
    (2, Injection(not_entry=0, remove_step=0, foreign_step=0, stop_early=0, late_handoff=0, off_schedule=0,
                  tie=0, unmapped_rows=0, unmapped_only_customers=0, bad_rows=0)),
    (3, Injection(late_handoff=1.0, off_schedule=1.0, tie=0.5, bad_rows=60, unmapped_rows=90)),
])
def test_truth_holds_under_other_mixes(journey: Journey, tmp_path: Path, seed: int, inject: Injection) -> None:
    log = simulate(journey, customers=600, seed=seed, inject=inject)
    result = conform_log(journey, log.write_csv(tmp_path / "events.csv"))
    assert_matches_truth(result, log)


def test_clean_walks_break_only_where_the_rates_leave_customers(journey: Journey, tmp_path: Path) -> None:
    """No injection: every step is declared, so only traces stopping outside an outcome fail to fit."""
    inject = Injection(not_entry=0, remove_step=0, foreign_step=0, stop_early=0, late_handoff=0, off_schedule=0,
                       tie=0, unmapped_rows=0, unmapped_only_customers=0, bad_rows=0, max_steps=200)
    log = simulate(journey, customers=400, seed=9, inject=inject)
    result = conform_log(journey, log.write_csv(tmp_path / "events.csv"))
    assert_matches_truth(result, log)
    assert result.deviations["not-entry"] == result.deviations["unexpected-transition"] == 0
    assert result.deviations["skipped"] == result.deviations["late-handoff"] == 0
    assert result.fitting == result.traces - result.deviations["dropped"]


def test_other_column_names(journey: Journey, tmp_path: Path) -> None:
    log = simulate(journey, customers=200, seed=4)
    log.columns = ("user_id", "action", "occurred_at")
    path = log.write_jsonl(tmp_path / "events.jsonl")
    result = conform_log(journey, path, customer="user_id", event="action", timestamp="occurred_at")
    assert_matches_truth(result, log)


def test_a_wider_tolerance_forgives_exactly_the_visits_it_covers(journey: Journey, tmp_path: Path) -> None:
    """The same log judged with a 5-day tolerance: the truth recounted with 5 days, not just fewer."""
    log = simulate(journey, customers=400, seed=12, inject=Injection(off_schedule=0.5))
    path = log.write_csv(tmp_path / "events.csv")
    assert conform_log(journey, path).deviations["off-schedule"] == log.truth["deviations"]["off-schedule"] > 0
    wide = simulate(journey, customers=400, seed=12, inject=Injection(off_schedule=0.5), tolerance=5 * DAY)
    result = conform_log(journey, path, tolerance_us=5 * DAY)
    assert result.deviations["off-schedule"] == wide.truth["deviations"]["off-schedule"]
    assert result.tolerance_us == 5 * DAY
