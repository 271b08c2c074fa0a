"""What a journey declares, flattened into the few small tables the conformance SQL joins against.

The SQL never sees the model: it sees which event name means which touchpoint, which touchpoints are
entries, outcomes or scheduled, which transitions are declared (with their SLA), and which undeclared
pairs are skips (the target is reachable through declared transitions). Computing reachability here,
once, keeps the SQL a plain join that every warehouse dialect can run.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field

from ..model import Journey

_UNIT_US = {"min": 60_000_000, "h": 3_600_000_000, "d": 86_400_000_000, "w": 604_800_000_000}
_DURATION = re.compile(r"^([0-9]+(?:\.[0-9]+)?)(min|h|d|w)$")
DAY_US = _UNIT_US["d"]


class DurationError(ValueError):
    """A duration that is not a number and a unit (min, h, d, w)."""


def duration_us(text: str) -> int:
    """A journey duration ('24h', '1.5d', '30min') in whole microseconds, the unit the SQL compares in."""
    match = _DURATION.match(text.strip())
    if not match:
        raise DurationError(f"'{text}' is not a duration: write a number and a unit, min, h, d or w (e.g. 1d, 12h)")
    number, unit = match.groups()
    # Decimal arithmetic by hand: float('1.1') * 86400e6 is not a whole number of microseconds.
    whole, _, frac = number.partition(".")
    scale = 10 ** len(frac)
    return (int(whole) * scale + int(frac or 0)) * _UNIT_US[unit] // scale


@dataclass(frozen=True)
class DeclaredTransition:
    source: str
    target: str
    rate: float | None
    sla: str | None
    sla_us: int | None


@dataclass(frozen=True)
class Skip:
    """An undeclared pair a → b where b is reachable from a: `via` is one shortest declared path between."""

    source: str
    target: str
    via: tuple[str, ...]


@dataclass
class Design:
    touchpoints: list[str]
    entries: set[str]
    outcomes: dict[str, str]
    days: dict[str, int]
    event_map: dict[str, str]
    transitions: list[DeclaredTransition]
    skips: dict[tuple[str, str], Skip]
    warnings: list[str] = field(default_factory=list)

    @property
    def declared_pairs(self) -> set[tuple[str, str]]:
        return {(t.source, t.target) for t in self.transitions}


def design_of(journey: Journey) -> Design:
    """The journey as the conformance check reads it (first touchpoint wins where ids or events repeat)."""
    index = journey.touchpoint_index()
    order = list(index)
    warnings: list[str] = []

    event_map: dict[str, str] = {}
    for tp in index.values():
        for name in tp.event_names:
            owner = event_map.setdefault(name, tp.id)
            if owner != tp.id:
                warnings.append(f"event '{name}' is declared by touchpoints '{owner}' and '{tp.id}'; "
                                f"it counts as '{owner}'")

    transitions: list[DeclaredTransition] = []
    seen: set[tuple[str, str]] = set()
    successors: dict[str, list[str]] = {tp_id: [] for tp_id in order}
    for tp in index.values():
        for tr in tp.next:
            # A cross-journey transition leaves this journey's log, and a dangling one can never be
            # observed: neither is a pair conformance can count. `this-journey/tp` is local.
            if tr.journey not in (None, journey.id) or tr.target not in index:
                continue
            key = (tp.id, tr.target)
            if key in seen:
                continue
            seen.add(key)
            sla = tr.handoff.sla if tr.handoff is not None else None
            transitions.append(DeclaredTransition(tp.id, tr.target, tr.rate, sla,
                                                  duration_us(sla) if sla else None))
            successors[tp.id].append(tr.target)

    return Design(
        touchpoints=order,
        entries={tp.id for tp in index.values() if tp.entry},
        outcomes={tp.id: tp.outcome for tp in index.values() if tp.outcome},
        days={tp.id: tp.day for tp in index.values() if tp.day is not None},
        event_map=event_map,
        transitions=transitions,
        skips=_skips(order, successors, seen),
        warnings=warnings,
    )


def _skips(order: list[str], successors: dict[str, list[str]],
           declared: set[tuple[str, str]]) -> dict[tuple[str, str], Skip]:
    """Every undeclared (a, b) with b reachable from a, and one shortest path (BFS in declaration order)."""
    out: dict[tuple[str, str], Skip] = {}
    for source in order:
        # Start from a's successors, not from a: a itself is only reached again through a cycle,
        # which is what makes an undeclared a → a repeat a skip.
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
            if target not in parent or (source, target) in declared:
                continue
            via: list[str] = []
            node = parent[target]
            while node != source:
                via.append(node)
                node = parent[node]
            out[(source, target)] = Skip(source, target, tuple(reversed(via)))
    return out
