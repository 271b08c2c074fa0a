"""conform at any journey size (issue 22 item 4): skipped-vs-unexpected is answered only for the pairs a log
holds, exactly as a search over every pair answers it, and --emit-sql stays fast and valid for long
journeys. The 10,000-touchpoint, 1,000,000-event figures come from benchmarks/bench_conform_scale.py."""

from __future__ import annotations

import random
import sys
import time
from collections import deque
from pathlib import Path

import pytest
import sqlglot
import yaml

from journeyctl.conform.design import DAY_US, Skip, design_of
from journeyctl.conform.engine import conform_log
from journeyctl.conform.sql import DIALECTS, Source, analysis_sql, transpile
from journeyctl.format.model import Journey

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from bench_conform_scale import journey_yaml  # noqa: E402


def _every_skip(order: list[str], successors: dict[str, list[str]], declared: set[tuple[str, str]]):
    """The reference: one full BFS from every touchpoint (the quadratic way conform used to work)."""
    out = {}
    for source in order:
        parent: dict[str, str] = {}
        queue: deque[str] = deque()
        for nxt in successors[source]:
            if nxt not in parent:
                parent[nxt] = source
                queue.append(nxt)
        while queue:
            node = queue.popleft()
            for nxt in successors[node]:
                if nxt not in parent:
                    parent[nxt] = node
                    queue.append(nxt)
        for target in order:
            if target in parent and (source, target) not in declared:
                via, node = [], parent[target]
                while node != source:
                    via.append(node)
                    node = parent[node]
                out[(source, target)] = Skip(source, target, tuple(reversed(via)))
    return out


def _random_journey(rng: random.Random, size: int) -> Journey:
    ids = [f"n{i}" for i in range(size)]
    touchpoints = []
    for i, tp in enumerate(ids):
        targets = rng.sample(ids, rng.randint(0, min(3, size)))
        touchpoints.append({"id": tp, "entry": i == 0, "next": [{"to": t} for t in targets]})
    return Journey.model_validate({"journeyctl": 1, "id": "g", "title": "G",
                                   "stages": [{"id": "s", "touchpoints": touchpoints}]})


@pytest.mark.parametrize("seed", range(60))
def test_lazy_skips_answer_exactly_what_a_search_over_every_pair_answers(seed: int) -> None:
    rng = random.Random(seed)
    journey = _random_journey(rng, rng.randint(1, 14))
    design = design_of(journey)
    successors = {tp: [] for tp in design.touchpoints}
    for t in design.transitions:
        successors[t.source].append(t.target)
    expected = _every_skip(design.touchpoints, successors, design.declared_pairs)
    pairs = [(a, b) for a in design.touchpoints for b in design.touchpoints]
    rng.shuffle(pairs)
    # Asked in batches of mixed sources, in random order, as a log's pairs come.
    for start in range(0, len(pairs), 7):
        design.skips.prefetch(pairs[start:start + 7])
    assert {p: design.skips[p] for p in pairs if p in design.skips} == expected
    assert dict(design_of(journey).skips) == expected  # iterating answers every pair, fresh


def _line(size: int) -> Journey:
    return Journey.model_validate(yaml.safe_load(journey_yaml(size)))


def test_a_long_journey_is_conformed_without_every_reachable_pair(tmp_path: Path) -> None:
    size = 3_000
    journey = _line(size)
    log = tmp_path / "log.csv"
    steps = [("u1", 0), ("u1", 1), ("u1", 6), ("u1", 7), ("u1", 3),            # skip 1 -> 6, back 7 -> 3
             ("u2", 0), ("u2", size - 1),                                      # one skip over the whole line
             ("u3", size - 2), ("u3", size - 1)]                               # starts mid-line: not an entry
    log.write_text("customer,event,timestamp\n" + "".join(
        f"{c},t{i},2025-03-01T{n:02d}:00:00Z\n" for n, (c, i) in enumerate(steps)), encoding="utf-8")
    started = time.perf_counter()
    result = conform_log(journey, log)
    elapsed = time.perf_counter() - started
    assert elapsed < 20, f"{elapsed:.1f} s for {size} touchpoints"
    assert result.deviations["skipped"] == 2 and result.deviations["unexpected-transition"] == 1
    skips = {(p.source, p.target): p.via for p in result.skipped}
    assert skips[("t1", "t6")] == ("t2", "t3", "t4", "t5")
    assert skips[("t0", f"t{size - 1}")] == tuple(f"t{i}" for i in range(1, size - 1))
    assert {(p.source, p.target) for p in result.undeclared} == {("t1", "t6"), ("t7", "t3"), ("t0", f"t{size - 1}")}
    assert (result.traces, result.fitting, result.deviations["not-entry"]) == (3, 0, 1)


def test_emit_sql_for_a_long_journey_is_quick_and_parses_in_every_dialect() -> None:
    journey = _line(3_000)
    sql = analysis_sql(design_of(journey), Source(table="proj.ds.events", order="row"), DAY_US)
    for dialect in DIALECTS:
        started = time.perf_counter()
        text = transpile(sql, dialect)
        elapsed = time.perf_counter() - started
        assert elapsed < 5, f"{dialect}: {elapsed:.1f} s"
        assert text.count("'t2999'") == 2  # once as a touchpoint name, once as an event name
        assert sqlglot.parse_one(text, read=dialect).find(sqlglot.exp.Union) is not None


ODD = {"journeyctl": 1, "id": "odd", "title": "Odd", "stages": [{"id": "s", "touchpoints": [
    {"id": "a", "entry": True, "events": ["it's", "back\\slash", "new\nline", "ünï", "9090"], "next": [{"to": "b"}]},
    {"id": "b", "events": ["8808000000000", "x)),(y"], "next": [{"to": "c", "handoff": {"sla": "2h"}}]},
    {"id": "c", "outcome": "converted", "at": "day 2"}]}]}


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("journey", [ODD, "trial"])
def test_the_quick_translation_is_the_tree_sqlglot_prints_for_the_whole_text(dialect: str, journey) -> None:
    if journey == "trial":
        fixture = Path(__file__).parents[1] / "fixtures" / "conform" / "trial.journey.yaml"
        journey = yaml.safe_load(fixture.read_text(encoding="utf-8"))
    sql = analysis_sql(design_of(Journey.model_validate(journey)), Source(order="o"), DAY_US)
    quick = transpile(sql, dialect)
    whole = transpile(str(sql), dialect)  # a plain str: sqlglot parses every row
    assert sqlglot.parse_one(quick, read=dialect) == sqlglot.parse_one(whole, read=dialect)
    assert quick.splitlines()[:5] == whole.splitlines()[:5]
