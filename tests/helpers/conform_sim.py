"""A seeded customer simulator for `journeyctl conform`, with its own ground truth.

Customers walk the journey by its declared rates; then known deviations are injected (a wrong first
touchpoint, a removed step, a foreign step, an early stop, a late hand-off, an off-schedule visit, a
timestamp tie) along with noise (unmapped events, bad rows, mixed ISO 8601 spellings, alternative
event names). The truth is counted here from each customer's intended trace, with this module's own
reading of the rules (its own reachability, its own clock arithmetic), never with journeyctl's code.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from journeyctl.format.model import Journey

SECOND = 1_000_000
HOUR = 3600 * SECOND
DAY = 24 * HOUR
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
BASE = int((datetime(2025, 3, 1, tzinfo=timezone.utc) - EPOCH).total_seconds()) * SECOND
UNIT = {"min": 60 * SECOND, "h": HOUR, "d": DAY, "w": 7 * DAY}
CONVERTING = {"converted", "retained", "advocate"}


@dataclass
class Injection:
    """Per-customer probabilities of each injected deviation, and the amounts of noise."""

    not_entry: float = 0.05
    remove_step: float = 0.08
    foreign_step: float = 0.06
    stop_early: float = 0.07
    late_handoff: float = 0.3
    off_schedule: float = 0.1
    tie: float = 0.05
    unmapped_rows: int = 40
    unmapped_only_customers: int = 5
    bad_rows: int = 25
    max_steps: int = 14


@dataclass
class SimLog:
    rows: list[dict[str, Any]]
    truth: dict[str, Any]
    columns: tuple[str, str, str] = ("customer", "event", "timestamp")

    def write_csv(self, path: Path) -> Path:
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(self.columns)
            for row in self.rows:
                writer.writerow(["" if row[c] is None else row[c] for c in ("customer", "event", "timestamp")])
        return path

    def write_jsonl(self, path: Path) -> Path:
        with path.open("w", encoding="utf-8") as handle:
            for row in self.rows:
                record = {name: row[key] for name, key in zip(self.columns, ("customer", "event", "timestamp"))}
                handle.write(json.dumps(record) + "\n")
        return path

    def write_parquet(self, path: Path) -> Path:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.table({name: pa.array([row[key] for row in self.rows], pa.string())
                          for name, key in zip(self.columns, ("customer", "event", "timestamp"))})
        pq.write_table(table, path)
        return path


def _duration(text: str) -> int:
    number, unit = (text[:-3], "min") if text.endswith("min") else (text[:-1], text[-1])
    return int(float(number) * UNIT[unit])


class _Graph:
    """The journey as the simulator reads it: its own structures, independent of journeyctl.conform."""

    def __init__(self, journey: Journey) -> None:
        self.tps = {tp.id: tp for _, tp in journey.touchpoints()}
        self.order = list(self.tps)
        self.entries = [(tp.id, tp.share or 0.0) for tp in self.tps.values() if tp.entry]
        self.next = {tp.id: [(tr.to, tr.rate or 0.0) for tr in tp.next] for tp in self.tps.values()}
        self.declared = {(a, b) for a, outs in self.next.items() for b, _ in outs}
        self.sla = {(tp.id, tr.to): _duration(tr.handoff.sla) for tp in self.tps.values() for tr in tp.next
                    if tr.handoff is not None and tr.handoff.sla}
        # Reachability by repeated squaring of the relation until nothing changes.
        reach = set(self.declared)
        while True:
            more = {(a, d) for a, b in reach for c, d in reach if b == c} - reach
            if not more:
                break
            reach |= more
        self.reach = reach

    def event_for(self, tp: str, rng: random.Random) -> str:
        names = self.tps[tp].events or [tp]
        return rng.choice(names)


def _iso(us: int, rng: random.Random) -> str:
    """One instant in one of the ISO 8601 spellings a real export uses (all mean the same instant)."""
    instant = EPOCH + timedelta(microseconds=us)
    style = rng.randrange(5)
    if style == 0:
        return instant.strftime("%Y-%m-%dT%H:%M:%S") + (f".{instant.microsecond:06d}" if instant.microsecond else "") + "Z"
    if style == 1:
        offset = timedelta(minutes=rng.choice([-480, -300, 60, 120, 330]))
        return instant.astimezone(timezone(offset)).isoformat()
    if style == 2:
        return instant.replace(tzinfo=None).isoformat()  # zone-less: UTC
    if style == 3:
        return instant.replace(tzinfo=None).isoformat(sep=" ")
    return instant.isoformat()  # +00:00


def simulate(journey: Journey, customers: int, seed: int, inject: Injection | None = None,
             tolerance: int = DAY) -> SimLog:
    inject = inject or Injection()
    rng = random.Random(seed)
    g = _Graph(journey)
    traces: dict[str, list[tuple[str, int]]] = {}
    for c in range(customers):
        customer = f"cust-{c:06d}"
        traces[customer] = _timed(g, _walk(g, rng, inject), rng, inject)

    # Rows: each customer's events, then noise; shuffled so the engine must sort, with each tie group
    # kept together in its intended order (file order is the tie-break under test).
    groups: list[tuple[float, list[dict[str, Any]]]] = []
    for customer, trace in traces.items():
        i = 0
        while i < len(trace):
            j = i + 1
            while j < len(trace) and trace[j][1] == trace[i][1]:
                j += 1
            rows = [{"customer": customer, "event": g.event_for(tp, rng), "timestamp": _iso(t, rng)}
                    for tp, t in trace[i:j]]
            groups.append((rng.random(), rows))
            i = j
    unmapped = 0
    anonymous = [f"anon-{k}" for k in range(inject.unmapped_only_customers)]
    for k in range(inject.unmapped_rows):
        # The first rows go to customers with no mapped event at all: they must form no trace.
        customer = anonymous[k] if k < len(anonymous) else rng.choice(list(traces) + anonymous)
        groups.append((rng.random(), [{"customer": customer, "event": rng.choice(["page_view", "newsletter-open", "Signup"]),
                                       "timestamp": _iso(BASE + rng.randrange(30 * DAY), rng)}]))
        unmapped += 1
    bad_kinds = ["no-customer", "blank-customer", "garbage-ts", "impossible-ts", "no-ts", "no-event"]
    for k in range(inject.bad_rows):
        kind = bad_kinds[k % len(bad_kinds)]
        row = {"customer": rng.choice(list(traces)), "event": rng.choice(g.order),
               "timestamp": _iso(BASE + rng.randrange(30 * DAY), rng), "bad": True}
        if kind == "no-customer":
            row["customer"] = None
        elif kind == "blank-customer":
            row["customer"] = "  "
        elif kind == "garbage-ts":
            row["timestamp"] = "last tuesday"
        elif kind == "impossible-ts":
            row["timestamp"] = "2025-02-30T10:00:00Z"
        elif kind == "no-ts":
            row["timestamp"] = None
        else:
            row["event"] = None
        groups.append((rng.random(), [row]))
    groups.sort(key=lambda item: item[0])
    rows = [row for _, group in groups for row in group]
    bad_numbers = [i + 1 for i, row in enumerate(rows) if row.pop("bad", False)]

    truth = _truth(g, traces, tolerance)
    truth.update(bad_rows=len(bad_numbers), bad_row_numbers=bad_numbers[:20], unmapped_events=unmapped,
                 rows=len(rows))
    return SimLog(rows=rows, truth=truth)


def _walk(g: _Graph, rng: random.Random, inject: Injection) -> list[str]:
    if rng.random() < inject.not_entry:
        current = rng.choice([tp for tp in g.order if tp not in dict(g.entries)])
    else:
        current = _pick(rng, g.entries) or g.entries[0][0]
    path = [current]
    while len(path) < inject.max_steps:
        nxt = _pick(rng, g.next[current])
        if nxt is None:
            break
        path.append(nxt)
        current = nxt
    if len(path) > 2 and rng.random() < inject.remove_step:
        del path[rng.randrange(1, len(path) - 1)]
    if rng.random() < inject.foreign_step:
        path.insert(rng.randrange(1, len(path) + 1), rng.choice(g.order))
    if len(path) > 1 and rng.random() < inject.stop_early:
        path = path[:rng.randrange(1, len(path))]
    return path


def _pick(rng: random.Random, weighted: list[tuple[str, float]]) -> str | None:
    """One target by its rate; the rates' shortfall from 1 is the chance of stopping here."""
    r = rng.random()
    for target, rate in weighted:
        if r < rate:
            return target
        r -= rate
    return None


def _timed(g: _Graph, path: list[str], rng: random.Random, inject: Injection) -> list[tuple[str, int]]:
    start = BASE + rng.randrange(30 * DAY) // SECOND * SECOND
    out = [(path[0], start)]
    for prev, tp in zip(path, path[1:]):
        last = out[-1][1]
        day = g.tps[tp].day
        sla = g.sla.get((prev, tp))
        if rng.random() < inject.tie:
            t = last
        elif day is not None:
            if rng.random() < inject.off_schedule:
                drift = DAY + rng.randrange(HOUR, 3 * DAY)
                t = start + day * DAY + rng.choice([-1, 1]) * drift
            else:
                t = start + day * DAY + rng.randrange(-DAY // 2, DAY // 2)
        elif sla is not None:
            if rng.random() < inject.late_handoff:
                t = last + sla + rng.randrange(SECOND, sla)
            else:
                t = last + rng.randrange(SECOND, sla)
        else:
            t = last + rng.randrange(60 * SECOND, 6 * HOUR)
        if t < last:
            t = last + rng.randrange(60 * SECOND, 2 * HOUR)
        if rng.random() < 0.1:
            t += rng.randrange(1, SECOND)  # sub-second precision survives every spelling
        out.append((tp, t))
    return out


def _truth(g: _Graph, traces: dict[str, list[tuple[str, int]]], tolerance: int) -> dict[str, Any]:
    dev = {"not-entry": 0, "unexpected-transition": 0, "skipped": 0, "dropped": 0, "late-handoff": 0,
           "off-schedule": 0}
    visits: dict[str, int] = {}
    pairs: dict[tuple[str, str], int] = {}
    endings: dict[str, int] = {}
    late: dict[tuple[str, str], int] = {}
    early: dict[str, int] = {}
    tardy: dict[str, int] = {}
    dropped_at: dict[str, int] = {}
    fitting = 0
    entries = dict(g.entries)
    for trace in traces.values():
        t0 = trace[0][1]
        fits = trace[0][0] in entries
        dev["not-entry"] += trace[0][0] not in entries
        for i, (tp, t) in enumerate(trace):
            visits[tp] = visits.get(tp, 0) + 1
            day = g.tps[tp].day
            if day is not None:
                offset = t - t0 - day * DAY
                if offset < -tolerance:
                    early[tp] = early.get(tp, 0) + 1
                elif offset > tolerance:
                    tardy[tp] = tardy.get(tp, 0) + 1
            if i + 1 < len(trace):
                nxt, t_next = trace[i + 1]
                pairs[(tp, nxt)] = pairs.get((tp, nxt), 0) + 1
                if (tp, nxt) not in g.declared:
                    fits = False
                    dev["skipped" if (tp, nxt) in g.reach else "unexpected-transition"] += 1
                elif (tp, nxt) in g.sla and t_next - t > g.sla[(tp, nxt)]:
                    late[(tp, nxt)] = late.get((tp, nxt), 0) + 1
        outcome = g.tps[trace[-1][0]].outcome
        endings[outcome or "none"] = endings.get(outcome or "none", 0) + 1
        if outcome is None:
            dev["dropped"] += 1
            dropped_at[trace[-1][0]] = dropped_at.get(trace[-1][0], 0) + 1
            fits = False
        fitting += fits
    dev["late-handoff"] = sum(late.values())
    dev["off-schedule"] = sum(early.values()) + sum(tardy.values())
    n = len(traces)
    return {
        "traces": n,
        "fitting": fitting,
        "deviations": dev,
        "visits": visits,
        "pairs": pairs,
        "undeclared": {k: v for k, v in pairs.items() if k not in g.declared},
        "skipped": {k: v for k, v in pairs.items() if k not in g.declared and k in g.reach},
        "endings": endings,
        "dropped_at": dropped_at,
        "late": late,
        "early": early,
        "tardy": tardy,
        "conversion": sum(v for k, v in endings.items() if k in CONVERTING) / n if n else None,
    }
