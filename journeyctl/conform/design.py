"""What a journey declares, flattened into the few small tables the conformance SQL joins against.

The SQL never sees the model: it sees which event name means which touchpoint, which touchpoints are
entries, outcomes or scheduled, and which transitions are declared (with their SLA). Whether an
undeclared pair is a skip (its target reachable through declared transitions) is answered here, and only
for the pairs a log actually contains: materialising every reachable pair made conform quadratic in the
journey (50 million pairs for a 10,000-touchpoint line).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from ..format.model import Journey

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
    skips: "Skips"
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
        skips=Skips(order, successors, seen),
        warnings=warnings,
    )


class Skips(Mapping[tuple[str, str], Skip]):
    """Every undeclared (a, b) with b reachable from a, and one shortest path (BFS in declaration order),
    answered on demand: `pair in skips`, `skips[pair]`, and `prefetch(pairs)` for a batch.

    A batch costs O(V + E) once (strongly connected components, ranked in topological order) plus, per
    distinct source, one breadth-first search that stops when its last target is found and never enters
    a touchpoint ranked below every target (it cannot lead to one). A pair whose target ranks above its
    source is answered "unreachable" without a search. Iterating over the mapping answers every pair,
    which is quadratic in the journey: only small journeys and tests do that.
    """

    def __init__(self, order: list[str], successors: dict[str, list[str]],
                 declared: set[tuple[str, str]]) -> None:
        self._order = order
        self._successors = successors
        self._declared = declared
        self._rank: dict[str, int] | None = None
        self._answers: dict[tuple[str, str], Skip | None] = {}

    def __getitem__(self, pair: tuple[str, str]) -> Skip:
        found = self._answer(pair)
        if found is None:
            raise KeyError(pair)
        return found

    def __contains__(self, pair: object) -> bool:
        return isinstance(pair, tuple) and len(pair) == 2 and self._answer(pair) is not None  # type: ignore[arg-type]

    def __iter__(self) -> Iterator[tuple[str, str]]:
        every = [(a, b) for a in self._order for b in self._order]
        self.prefetch(every)
        return iter([pair for pair in every if self._answers[pair] is not None])

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def _answer(self, pair: tuple[str, str]) -> Skip | None:
        if pair not in self._answers:
            self.prefetch([pair])
        return self._answers[pair]

    def prefetch(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Answer these pairs in one pass per distinct source (see the class docstring for the cost)."""
        rank = self._ranks()
        wanted: dict[str, set[str]] = {}
        for source, target in pairs:
            if (source, target) in self._answers:
                continue
            if (source, target) in self._declared or source not in rank or target not in rank \
                    or rank[target] > rank[source]:
                self._answers[(source, target)] = None
            else:
                wanted.setdefault(source, set()).add(target)
        for source, targets in wanted.items():
            parents = self._search(source, targets, min(rank[t] for t in targets))
            for target in targets:
                self._answers[(source, target)] = _skip(source, target, parents) if target in parents else None

    def _search(self, source: str, targets: set[str], floor: int) -> dict[str, str]:
        """BFS from `source`'s successors (a itself is reached again only through a cycle, which is what
        makes an undeclared a → a repeat a skip), stopping once every target is found."""
        rank = self._ranks()
        parent: dict[str, str] = {}
        queue: deque[str] = deque()
        left = set(targets)

        def visit(node: str, via: str) -> None:
            if node not in parent and rank[node] >= floor:
                parent[node] = via
                left.discard(node)
                queue.append(node)

        for nxt in self._successors[source]:
            visit(nxt, source)
        while queue and left:
            node = queue.popleft()
            for nxt in self._successors[node]:
                visit(nxt, node)
        return parent

    def _ranks(self) -> dict[str, int]:
        """Each touchpoint's strongly connected component, numbered so every declared transition goes
        from a rank to the same or a lower one (components come sinks first): b is reachable from a
        only if rank[b] <= rank[a]. Linear, and iterative (a 10,000-step line is no recursion)."""
        if self._rank is None:
            from ..analysis.graph import strongly_connected

            number = {tp: i for i, tp in enumerate(self._order)}
            components = strongly_connected([[number[t] for t in self._successors[tp]] for tp in self._order])
            self._rank = {self._order[i]: rank for rank, members in enumerate(components) for i in members}
        return self._rank


def _skip(source: str, target: str, parent: dict[str, str]) -> Skip:
    via: list[str] = []
    node = parent[target]
    while node != source:
        via.append(node)
        node = parent[node]
    return Skip(source, target, tuple(reversed(via)))
