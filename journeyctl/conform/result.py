"""The outcome of a conformance run, read from the SQL's long table, and its stable JSON shape.

Any engine's answer to the canonical query (DuckDB here, Spark or a warehouse through --emit-sql)
becomes the same `Conformance`, so every engine is compared on identical terms.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from ..format.model import CONVERTING_OUTCOMES
from .design import DAY_US, Design

DEVIATION_KINDS = ("not-entry", "unexpected-transition", "skipped", "dropped", "late-handoff", "off-schedule")
OUTCOME_KINDS = ("converted", "retained", "advocate", "churned", "dropped")
NO_OUTCOME = "none"
UNMAPPED_SHOWN = 10
DIGITS = 6


@dataclass(frozen=True)
class TransitionStat:
    source: str
    target: str
    declared_rate: float | None
    observed: int
    visits: int

    @property
    def observed_rate(self) -> float | None:
        return self.observed / self.visits if self.visits else None


@dataclass(frozen=True)
class PairCount:
    source: str
    target: str
    count: int
    via: tuple[str, ...] = ()


@dataclass(frozen=True)
class HandoffStat:
    source: str
    target: str
    sla: str
    observed: int
    late: int


@dataclass(frozen=True)
class ScheduleStat:
    touchpoint: str
    day: int
    visits: int
    early: int
    late: int


@dataclass
class Conformance:
    journey: str
    tolerance_us: int
    rows: int
    traces: int
    fitting: int
    deviations: dict[str, int]
    transitions: list[TransitionStat]
    undeclared: list[PairCount]
    skipped: list[PairCount]
    endings: dict[str, int]
    visits: dict[str, int]
    dropped_at: dict[str, int]
    handoffs: list[HandoffStat]
    schedule: list[ScheduleStat]
    bad_rows: int
    bad_row_numbers: list[int]
    unmapped_events: int
    unmapped_event_names: dict[str, int]
    warnings: list[str] = field(default_factory=list)
    predicted: dict[str, Any] | None = None

    @property
    def fitness(self) -> float | None:
        """fitting / traces; None when the log holds no trace (nothing to judge)."""
        return self.fitting / self.traces if self.traces else None

    @property
    def outcomes(self) -> dict[str, float]:
        return {kind: (self.endings.get(kind, 0) / self.traces if self.traces else 0.0)
                for kind in (*OUTCOME_KINDS, NO_OUTCOME)}

    @property
    def conversion(self) -> float | None:
        if not self.traces:
            return None
        return sum(self.endings.get(kind, 0) for kind in CONVERTING_OUTCOMES) / self.traces

    def to_json(self) -> dict[str, Any]:
        """The documented, stable JSON shape (README, "Conformance of event logs")."""
        predicted = self.predicted or {}
        return {
            "traces": self.traces,
            "fitting": self.fitting,
            "fitness": _round(self.fitness),
            "deviations": dict(self.deviations),
            "transitions": [{"from": t.source, "to": t.target, "declared_rate": t.declared_rate,
                             "observed": t.observed, "observed_rate": _round(t.observed_rate)}
                            for t in self.transitions],
            "undeclared": [{"from": p.source, "to": p.target, "count": p.count} for p in self.undeclared],
            "outcomes": {k: _round(v) for k, v in self.outcomes.items()},
            "bad_rows": self.bad_rows,
            "unmapped_events": self.unmapped_events,
            "journey": self.journey,
            "rows": self.rows,
            "conversion": _round(self.conversion),
            "predicted": {"outcomes": predicted.get("outcomes"), "conversion": predicted.get("conversion"),
                          "note": predicted.get("note")},
            "skipped": [{"from": p.source, "to": p.target, "via": list(p.via), "count": p.count}
                        for p in self.skipped],
            "late_handoffs": [{"from": h.source, "to": h.target, "sla": h.sla, "observed": h.observed,
                               "late": h.late} for h in self.handoffs],
            "off_schedule": [{"touchpoint": s.touchpoint, "day": s.day, "visits": s.visits,
                              "early": s.early, "late": s.late} for s in self.schedule],
            "visits": dict(self.visits),
            "dropped_at": dict(self.dropped_at),
            "tolerance_days": _round(self.tolerance_us / DAY_US),
            "bad_row_numbers": list(self.bad_row_numbers),
            "unmapped_event_names": dict(self.unmapped_event_names),
            "warnings": list(self.warnings),
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, DIGITS)


def conformance_from_rows(rows: Iterable[Sequence[Any]], design: Design, *, journey: str,
                          tolerance_us: int) -> Conformance:
    """Read the query's rows (section, a, b, counts...) into a Conformance, in a deterministic order."""
    from .sql import COUNTS

    totals: dict[str, int] = dict.fromkeys(COUNTS, 0)
    pairs: dict[tuple[str, str | None], dict[str, int]] = {}
    unfit = 0
    bad_numbers: list[int] = []
    unmapped_names: list[tuple[str, int]] = []
    for row in rows:
        section, a, b = row[0], row[1], row[2]
        counts = {name: int(value or 0) for name, value in zip(COUNTS, row[3:])}
        if section == "bad_row":
            bad_numbers.append(counts["n"])
            continue
        if section == "unfit":
            unfit = counts["n"]
            continue
        if section == "events":
            for name in ("n", "bad", "unmapped"):
                totals[name] += counts[name]
            if a is not None:
                unmapped_names.append((a, counts["n"]))
        elif section == "pair":
            pairs[(a, b)] = counts
            for name in COUNTS[3:]:
                totals[name] += counts[name]

    visits: dict[str, int] = {}
    early: dict[str, int] = {}
    tardy: dict[str, int] = {}
    endings: dict[str, int] = {}
    drops: dict[str, int] = {}
    for (a, b), counts in pairs.items():
        visits[a] = visits.get(a, 0) + counts["n"]
        early[a] = early.get(a, 0) + counts["early"]
        tardy[a] = tardy.get(a, 0) + counts["tardy"]
        if b is None:  # the last visit of a trace: where it ends
            kind = design.outcomes.get(a, NO_OUTCOME)
            endings[kind] = endings.get(kind, 0) + counts["n"]
            if kind == NO_OUTCOME:
                drops[a] = counts["n"]
    observed = {(a, b): c for (a, b), c in pairs.items() if b is not None}
    declared = design.declared_pairs
    transitions = [TransitionStat(t.source, t.target, t.rate, observed.get((t.source, t.target), {}).get("n", 0),
                                  visits.get(t.source, 0)) for t in design.transitions]
    undeclared = sorted((PairCount(a, b, c["n"]) for (a, b), c in observed.items() if (a, b) not in declared),
                        key=lambda p: (-p.count, p.source, p.target))
    # Reachability is asked only of the pairs the log holds, in one batch (design.Skips).
    design.skips.prefetch((p.source, p.target) for p in undeclared)
    skipped = [PairCount(p.source, p.target, p.count, design.skips[(p.source, p.target)].via)
               for p in undeclared if (p.source, p.target) in design.skips]
    handoffs = [HandoffStat(t.source, t.target, t.sla, observed.get((t.source, t.target), {}).get("n", 0),
                            observed.get((t.source, t.target), {}).get("late", 0))
                for t in design.transitions if t.sla]
    schedule = [ScheduleStat(tp, day, visits.get(tp, 0), early.get(tp, 0), tardy.get(tp, 0))
                for tp, day in design.days.items()]
    deviations = {
        "not-entry": totals["not_entry"],
        "unexpected-transition": sum(p.count for p in undeclared) - sum(p.count for p in skipped),
        "skipped": sum(p.count for p in skipped),
        "dropped": totals["dropped"],
        "late-handoff": totals["late"],
        "off-schedule": totals["early"] + totals["tardy"],
    }
    return Conformance(
        journey=journey,
        tolerance_us=tolerance_us,
        rows=totals["n"],
        traces=totals["traces"],
        fitting=totals["traces"] - unfit,
        deviations=deviations,
        transitions=transitions,
        undeclared=undeclared,
        skipped=skipped,
        endings={k: endings[k] for k in sorted(endings)},
        visits={tp: visits[tp] for tp in design.touchpoints if tp in visits},
        dropped_at={tp: drops[tp] for tp in design.touchpoints if tp in drops},
        handoffs=handoffs,
        schedule=schedule,
        bad_rows=totals["bad"],
        bad_row_numbers=sorted(bad_numbers),
        unmapped_events=totals["unmapped"],
        unmapped_event_names=dict(sorted(unmapped_names, key=lambda item: (-item[1], item[0]))[:UNMAPPED_SHOWN]),
        warnings=list(design.warnings),
    )
