"""Funnel arithmetic: the journey read as an absorbing Markov chain over its touchpoints.

A growth or CX lead wants exact answers (how many convert, after how many touchpoints, where people
leak), so nothing here samples or enumerates paths: loops would make enumeration endless. The chain is
condensed into strongly connected components (Tarjan) and walked in topological order; an acyclic
journey is pure propagation (linear time), and each loop is one small linear system solved by sparse
Gaussian elimination. The semantics are documented in README.md, section "Funnel".
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

from journeyctl.analysis.table import JourneyTable, build_table
from journeyctl.format.model import CONVERTING_OUTCOMES, Journey, Path, Touchpoint

# Outcome keys of a result, in output order: the model's outcomes, then mass that leaves for another
# journey through a `to: other-journey/touchpoint` transition.
OUTCOME_KEYS: tuple[str, ...] = ("converted", "retained", "advocate", "churned", "dropped", "handed_over")

# Rates summing to within this of 1 count as exactly 1: 0.7 + 0.2 + 0.1 is 0.9999999999999999 in
# floating point, and that must not show up as a 1e-16 leak. Sums above 1 + RATE_TOLERANCE are invalid.
RATE_TOLERANCE = 1e-9


class FunnelError(ValueError):
    """The funnel cannot be computed for this journey; the message says why, for the user."""


class UnknownEntryError(FunnelError):
    """`--entry` named no touchpoint of the journey: a usage error, not a property of the journey."""


class InvalidRatesError(FunnelError):
    """Rates or shares make no sense as probabilities; `problems` are the `invalid-rates` findings."""

    def __init__(self, problems: list[RateProblem]) -> None:
        super().__init__(f"{len(problems)} invalid rate(s) or share(s)")
        self.problems = problems


class RateProblem(NamedTuple):
    """One `invalid-rates` finding: where in the document, and what is wrong."""

    path: Path
    message: str


def invalid_rate_problems(journey: Journey, table: JourneyTable | None = None) -> list[RateProblem]:
    """Rates and entry shares that are not probabilities; the `invalid-rates` rule reports these.

    A pure function so the rule engine and `funnel` (which refuses such a journey) agree exactly. Read
    from the journey's table (analysis/table.py), built here unless the caller has it: linear.
    """
    t = table or build_table(journey)
    problems: list[RateProblem] = []
    for row in _rated_rows(t):
        first = t.edge_start[row]
        rates = [(e - first, t.rate[e]) for e in range(first, t.edge_start[row + 1]) if t.rate[e] is not None]
        bad = False
        for i, rate in rates:
            # `not (0 <= rate <= 1)` rather than two comparisons: it is also true for NaN.
            if not 0.0 <= rate <= 1.0:  # type: ignore[operator]  # rates are not None here
                bad = True
                problems.append(RateProblem(
                    t.touchpoint(row).path_of("next", i, "rate"),
                    f"rate {rate:g} of the transition from '{t.ids[row]}' to '{t.transition(first + i).to}' is "
                    "not between 0 and 1"))
        if not bad:
            total = math.fsum(rate for _, rate in rates)  # type: ignore[misc]
            if total > 1.0 + RATE_TOLERANCE:
                problems.append(RateProblem(
                    t.touchpoint(row).path_of("next"),
                    f"rates of the transitions leaving '{t.ids[row]}' sum to {total:g}, more than 1"))
    entries = [row for row, entry in enumerate(t.entry) if entry]
    shared = [row for row in entries if t.share[row] is not None]
    bad_share = False
    for row in shared:
        if not 0.0 <= t.share[row] <= 1.0:  # type: ignore[operator]  # share is not None here
            bad_share = True
            problems.append(RateProblem(t.touchpoint(row).path_of("share"),
                                        f"share {t.share[row]:g} of entry '{t.ids[row]}' is not between 0 and 1"))
    if shared and not bad_share:
        total = math.fsum(t.share[row] for row in shared)  # type: ignore[misc]
        if abs(total - 1.0) > RATE_TOLERANCE:
            detail = ", ".join(f"{t.ids[row]}: {t.share[row]:g}" for row in shared)
            missing = [t.ids[row] for row in entries if t.share[row] is None]
            tail = f"; entries without a share: {', '.join(missing)}" if missing else ""
            problems.append(RateProblem(t.touchpoint(shared[0]).path_of("share"),
                                        f"entry shares sum to {total:g} ({detail}), not 1{tail}"))
    return problems


def _rated_rows(t: JourneyTable) -> list[int]:
    """The rows of the touchpoints with at least one rated transition, in document order."""
    return list(dict.fromkeys(source for source, rate in zip(t.src, t.rate) if rate is not None))


class TouchpointFlow(NamedTuple):
    # A tuple, not a frozen dataclass: one is built per touchpoint and entry, and a frozen
    # dataclass's __init__ made that the slowest line of a 50,000-touchpoint run.
    visits: float
    dropoff: float


@dataclass(frozen=True)
class FunnelResult:
    """What happens to one customer starting at an entry (or the weighted mix of entries)."""

    outcomes: dict[str, float]
    dropoff: float
    conversion: float
    expected_touchpoints: float
    expected_touchpoints_to_convert: float | None
    touchpoints: dict[str, TouchpointFlow]
    stages: dict[str, float]
    leaks: list[tuple[str, float]]
    # Added by issue 19 (defaults keep older callers that build results by hand working); docs/funnel.md
    # defines each exactly.
    reach_stages: dict[str, float] = field(default_factory=dict)
    reach_touchpoints: dict[str, float] = field(default_factory=dict)
    fix_first: list[tuple[str, float]] = field(default_factory=list)
    customers: int | None = None

    def to_json(self) -> dict[str, Any]:
        data = self._probabilities_json()
        data["reach"] = {"stages": {s: _num(p) for s, p in self.reach_stages.items()},
                         "touchpoints": {t: _num(p) for t, p in self.reach_touchpoints.items()}}
        data["fix_first"] = [[tp, _num(g)] for tp, g in self.fix_first]
        if self.customers is not None:
            data["customers"] = self.customers
            data["counts"] = self.counts_json()
        return data

    def counts_json(self) -> dict[str, Any]:
        """Every probability and expected count of the result times the number of customers."""
        n = self.customers or 0
        return {
            "outcomes": {kind: _num(n * p) for kind, p in self.outcomes.items()},
            "dropoff": _num(n * self.dropoff),
            "conversion": _num(n * self.conversion),
            "touchpoint_visits": _num(n * self.expected_touchpoints),
            "touchpoints": {tp: {"visits": _num(n * f.visits), "dropoff": _num(n * f.dropoff)}
                            for tp, f in self.touchpoints.items()},
            "stages": {stage: {"inflow": _num(n * f)} for stage, f in self.stages.items()},
            "leaks": [[tp, _num(n * d)] for tp, d in self.leaks],
            "reach": {"stages": {s: _num(n * p) for s, p in self.reach_stages.items()},
                      "touchpoints": {t: _num(n * p) for t, p in self.reach_touchpoints.items()}},
            "fix_first": [[tp, _num(n * g)] for tp, g in self.fix_first],
        }

    def _probabilities_json(self) -> dict[str, Any]:
        return {
            "outcomes": {kind: _num(p) for kind, p in self.outcomes.items()},
            "dropoff": _num(self.dropoff),
            "conversion": _num(self.conversion),
            "expected_touchpoints": _num(self.expected_touchpoints),
            "expected_touchpoints_to_convert": (None if self.expected_touchpoints_to_convert is None
                                                else _num(self.expected_touchpoints_to_convert)),
            "touchpoints": {tp: {"visits": _num(f.visits), "dropoff": _num(f.dropoff)}
                            for tp, f in self.touchpoints.items()},
            "stages": {stage: {"inflow": _num(f)} for stage, f in self.stages.items()},
            "leaks": [[tp, _num(d)] for tp, d in self.leaks],
        }


@dataclass(frozen=True)
class FunnelReport:
    journey: str
    combined: FunnelResult
    entries: dict[str, FunnelResult]
    # How much each entry weighs in `combined` (equal, or the declared shares). Not part of the JSON
    # shape, which is fixed by the issue; the text and markdown reports show it.
    weights: dict[str, float] = field(default_factory=dict)
    # The share of its drop-off each touchpoint is imagined to save in `fix_first`.
    fix_share: float = 0.5
    # `funnel --set`: the same journey recomputed with some rates changed (journeyctl.funnel_scenario).
    scenario: Scenario | None = None

    def to_json(self) -> dict[str, Any]:
        data = {"journey": self.journey, "combined": self.combined.to_json(),
                "entries": {tp: r.to_json() for tp, r in self.entries.items()}}
        if self.scenario is not None:
            data["scenario"] = {"set": [dict(change) for change in self.scenario.changes],
                                "combined": self.scenario.report.combined.to_json(),
                                "entries": {tp: r.to_json() for tp, r in self.scenario.report.entries.items()}}
        return data

    def with_customers(self, customers: int | None) -> FunnelReport:
        """The same report with every result also counted for `customers` customers."""
        scenario = self.scenario
        if scenario is not None:
            scenario = replace(scenario, report=scenario.report.with_customers(customers))
        return replace(self, combined=replace(self.combined, customers=customers),
                       entries={e: replace(r, customers=customers) for e, r in self.entries.items()},
                       scenario=scenario)


@dataclass(frozen=True)
class Scenario:
    """What-if: `changes` (from, to, rate, was) applied to the journey, and the funnel recomputed."""

    changes: list[dict[str, Any]]
    report: FunnelReport


def _num(x: float) -> float:
    # 12 decimals hide the 1e-16 noise of the solve (so reports diff cleanly) and stay far below the
    # 1e-9 accuracy promised; `+ 0.0` turns -0.0 into 0.0.
    return round(x, 12) + 0.0


@dataclass
class _Chain:
    """The journey as numbers: node i is the i-th distinct touchpoint id in document order."""

    ids: list[str]
    journey: str
    stage: list[str]
    outcome: list[str | None]
    out: list[list[tuple[int, float]]]  # (target, probability > 0), parallel transitions merged
    leak: list[float]  # mass that drops off here
    handover: list[float]  # mass that leaves for another journey here
    # Drop-off here that fix-first may save: some rated transition (rate > 0) leads somewhere known.
    fixable: list[bool] = field(default_factory=list)
    # Transitions that get no customers (rate 0, or unrated with nothing left), by `to`: a loop whose only
    # ways out are these is closed by its rates, and the refusal must say so.
    unused: list[list[str]] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)  # node i is row rows[i] of `table` (its first definition)
    table: JourneyTable | None = None


def _probabilities(tp: Touchpoint) -> tuple[list[float], float]:
    """The probability of each of tp's transitions, and the mass no transition takes (dropping off)."""
    return _probabilities_of([tr.rate for tr in tp.next])


def _probabilities_of(rates: list[float | None]) -> tuple[list[float], float]:
    """The probability of each of a touchpoint's transitions (given their rates), and the mass no
    transition takes (dropping off).

    The mass no rate claims is shared by the unrated transitions; rates summing to within
    RATE_TOLERANCE of 1 are scaled to exactly 1.
    """
    unrated = rates.count(None)
    total = math.fsum(r for r in rates if r is not None) if unrated < len(rates) else 0.0
    scale, rest = (1.0 / total, 0.0) if abs(total - 1.0) <= RATE_TOLERANCE else (1.0, 1.0 - total)
    each = rest / unrated if unrated else 0.0
    return [r * scale if r is not None else each for r in rates], (0.0 if unrated else rest)


def transition_flows(journey: Journey, result: FunnelResult) -> dict[tuple[str, str], float]:
    """Customers taking each transition, per customer who starts: visits of its source times its probability.

    Keyed by (touchpoint id, `to` as written), like render overlays. Only what the model computes: no
    transition after an outcome (the journey ended there), none that gets no customers, none to a
    touchpoint that does not exist (that mass drops off), and only a touchpoint's first definition.
    """
    ids = journey.touchpoint_index()
    flows: dict[tuple[str, str], float] = {}
    seen: set[str] = set()
    for _, tp in journey.touchpoints():
        if tp.id in seen or tp.outcome is not None or tp.id not in result.touchpoints:
            seen.add(tp.id)
            continue
        seen.add(tp.id)
        visits = result.touchpoints[tp.id].visits
        for tr, p in zip(tp.next, _probabilities(tp)[0]):
            local = tr.journey is None or tr.journey == journey.id
            if p > 0.0 and visits > 0.0 and (not local or tr.target in ids):
                flows[(tp.id, tr.to)] = flows.get((tp.id, tr.to), 0.0) + visits * p
    return flows


def _chain(journey: Journey, table: JourneyTable | None = None) -> _Chain:
    """The chain of `journey`, read from its table (built here unless the caller has it): linear."""
    t = table or build_table(journey)
    rows = [row for row, head in enumerate(t.head) if head == row]  # first wins, as in touchpoint_index()
    node = [-1] * len(t.ids)
    for u, row in enumerate(rows):
        node[row] = u
    stage_ids = [stage.id for stage in journey.stages]
    n = len(rows)
    chain = _Chain(ids=[t.ids[row] for row in rows], journey=journey.id, stage=[stage_ids[t.stage[row]] for row in rows],
                   outcome=[t.outcome[row] for row in rows], out=[[] for _ in range(n)], leak=[0.0] * n,
                   handover=[0.0] * n, fixable=[False] * n, unused=[[] for _ in range(n)], rows=rows, table=t)
    for u, row in enumerate(rows):
        if t.outcome[row] is not None:
            continue  # absorbing: transitions after an outcome are never taken
        first, end = t.edge_start[row], t.edge_start[row + 1]
        probabilities, rest = _probabilities_of(t.rate[first:end])
        chain.leak[u] += rest
        merged: dict[int, float] = {}
        for e, p in zip(range(first, end), probabilities):
            if p <= 0.0:
                chain.unused[u].append(t.transition(e).to)
                continue
            if t.outward[e]:  # into another journey
                chain.handover[u] += p
                chain.fixable[u] |= t.rate[e] is not None
            elif t.dest[e] >= 0:
                w = node[t.dest[e]]
                merged[w] = merged.get(w, 0.0) + p
                chain.fixable[u] |= t.rate[e] is not None
            else:
                # A dangling reference (the unknown-reference rule reports it): the customer
                # goes nowhere this journey knows, so the mass drops off here.
                chain.leak[u] += p
        chain.out[u] = list(merged.items())
    return chain


class _LoopSystem:
    """I - Q for one cyclic component, factored once as L·U and solved both ways.

    Q holds the probabilities between the component's touchpoints. Two choices keep this fast and exact:
    - pivots are picked by smallest Markowitz count (row entries x column entries), so a big loop
      through sparse touchpoints (a win-back edge making the whole journey one component) eliminates
      with little fill instead of costing n^3;
    - pivots are computed GTH-style (Grassmann-Taksar-Heyman) as escape mass plus off-diagonal mass,
      a sum of non-negative terms, instead of 1 - q which cancels badly when a loop rarely exits.
    I - Q is a diagonally dominant M-matrix, so elimination needs no pivoting for stability.
    """

    def __init__(self, component: list[int], chain: _Chain, escape: dict[int, float]) -> None:
        members = set(component)
        rows: dict[int, dict[int, float]] = {u: {} for u in component}
        cols: dict[int, set[int]] = {u: set() for u in component}
        for u in component:
            for w, p in chain.out[u]:
                if w in members and w != u:  # a self-loop only lowers the pivot, implicit in GTH
                    rows[u][w] = p
                    cols[w].add(u)
        esc = dict(escape)
        position = {u: i for i, u in enumerate(component)}
        self.order: list[int] = []
        self.pivot: dict[int, float] = {}
        self.lower: dict[int, dict[int, float]] = {}  # L[i][k] = -lower[k][i]
        self.upper: dict[int, dict[int, float]] = {}  # U[k][j] = -upper[k][j]
        heap = [(len(rows[u]) * len(cols[u]), position[u], u) for u in component]
        heapq.heapify(heap)
        while heap:
            score, _, k = heapq.heappop(heap)
            if k not in rows or score != len(rows[k]) * len(cols[k]):
                continue  # eliminated, or a stale score (a fresher entry was pushed)
            row_k = rows.pop(k)
            col_k = cols.pop(k)
            pivot = esc[k] + math.fsum(row_k.values())
            if not pivot > 0.0:
                raise FunnelError(f"customers at '{chain.ids[k]}' can never leave its loop")
            lower_k: dict[int, float] = {}
            for i in sorted(col_k):
                row_i = rows[i]
                f = row_i.pop(k) / pivot
                lower_k[i] = f
                esc[i] += f * esc[k]
                for j, w in row_k.items():
                    if j != i:  # i -> k -> i becomes a self-loop: implicit, as above
                        row_i[j] = row_i.get(j, 0.0) + f * w
                        cols[j].add(i)
            for j in row_k:
                cols[j].discard(k)
            self.order.append(k)
            self.pivot[k] = pivot
            self.lower[k] = lower_k
            self.upper[k] = row_k
            for u in sorted(col_k.union(row_k)):
                heapq.heappush(heap, (len(rows[u]) * len(cols[u]), position[u], u))

    def solve(self, b: dict[int, float]) -> dict[int, float]:
        """x with (I - Q) x = b: absorption probabilities, given what is absorbed outside the loop."""
        y = dict(b)
        for k in self.order:
            yk = y[k]
            if yk:
                for i, f in self.lower[k].items():
                    y[i] += f * yk
        x: dict[int, float] = {}
        for k in reversed(self.order):
            x[k] = (y[k] + math.fsum(w * x[j] for j, w in self.upper[k].items())) / self.pivot[k]
        return x

    def solve_transposed(self, b: dict[int, float]) -> dict[int, float]:
        """x with x (I - Q) = b: expected visits, given the mass flowing into the loop."""
        z = dict(b)
        for k in self.order:
            zk = z[k] = z[k] / self.pivot[k]
            if zk:
                for j, w in self.upper[k].items():
                    z[j] += w * zk
        x: dict[int, float] = {}
        for k in reversed(self.order):
            x[k] = z[k] + math.fsum(f * x[i] for i, f in self.lower[k].items())
        return x


def _closed_loop_message(chain: _Chain, component: list[int]) -> str:
    """Why customers in this loop never leave: no way out at all, or rates that starve the ways out."""
    names = ", ".join(chain.ids[u] for u in component[:10]) + (", ..." if len(component) > 10 else "")
    members = {chain.ids[u] for u in component}
    ways = [f"{chain.ids[u]} -> {to}" for u in component for to in chain.unused[u]
            if to.rsplit("/", 1)[-1] not in members or "/" in to and to.split("/", 1)[0] != chain.journey]
    if not ways:
        return (f"customers who reach the loop {names} never leave it: no transition out of it, no drop-off, "
                "so the journey never ends")
    inside = ", ".join(f"{chain.ids[u]} -> {chain.ids[w]} {p:g}" for u in component if chain.unused[u]
                       for w, p in chain.out[u])
    return (f"customers who reach the loop {names} never leave it: the rates inside it sum to 1 ({inside}), so "
            f"its way{'s' if len(ways) > 1 else ''} out ({', '.join(ways[:10])}) get{'' if len(ways) > 1 else 's'} "
            "no customers; lower a rate inside the loop")


def closed_loop_problems(journey: Journey, invalid: list[RateProblem] | None = None,
                         table: JourneyTable | None = None) -> list[RateProblem]:
    """Loops that have a way out which the rates give no customers; the `closed-by-rates` rule reports these.

    A pure function, like invalid_rate_problems, so `validate` reports every loop `funnel` refuses for
    this reason (a loop with no way out at all is no-path-to-outcome's). Journeys with invalid rates are
    left to invalid-rates (`invalid`: their invalid_rate_problems, when the caller has it already).
    """
    t = table or build_table(journey)
    if invalid_rate_problems(journey, t) if invalid is None else invalid:
        return []
    if not _may_starve(t):
        return []  # a loop closed by its rates starves its ways out; where no transition can starve, none is
    from .graph import strongly_connected

    chain = _chain(journey, t)
    problems = []
    for component in strongly_connected([[w for w, _ in edges] for edges in chain.out]):
        if not _is_loop(component, chain):
            continue
        members = set(component)
        if any(chain.leak[u] or chain.handover[u] or any(w not in members for w, _ in chain.out[u])
               for u in component):
            continue
        message = _closed_loop_message(chain, sorted(component))
        if "rates inside it" in message:
            first = min(u for u in component if chain.unused[u])
            problems.append(RateProblem(t.touchpoint(chain.rows[first]).path_of("next"), message))
    return sorted(problems, key=lambda p: p.path)


def _may_starve(t: JourneyTable) -> bool:
    """Whether some transition may get no customers: a rate of 0, or an unrated transition beside rated
    ones (whose rates may claim everything). An unrated transition among unrated ones always gets a share,
    and a rate above 0 always gets customers. One pass over the rates, no chain built."""
    rated: set[int] = set()
    for source, rate in zip(t.src, t.rate):
        if rate is not None:
            if rate <= 0.0:
                return True
            rated.add(source)
    return any(rate is None and source in rated for source, rate in zip(t.src, t.rate))


def _is_loop(component: list[int], chain: _Chain) -> bool:
    return len(component) > 1 or any(w == component[0] for w, _ in chain.out[component[0]])


def analyse_funnel(journey: Journey, entry: str | None = None, *, fix_share: float = 0.5) -> FunnelReport:
    """The funnel of `journey` from each entry and combined, or from touchpoint `entry` alone.

    `fix_share` (0..1) is the share of each touchpoint's drop-off that the fix-first ranking imagines saved.

    Raises InvalidRatesError (rates are not probabilities), UnknownEntryError (no touchpoint `entry`)
    or FunnelError (no entry at all, or customers caught in a loop with no way out).
    """
    table = build_table(journey)
    problems = invalid_rate_problems(journey, table)
    if problems:
        raise InvalidRatesError(problems)
    chain = _chain(journey, table)
    index = {tp_id: i for i, tp_id in enumerate(chain.ids)}
    if entry is not None:
        if entry not in index:
            raise UnknownEntryError(f"journey '{journey.id}' has no touchpoint '{entry}'")
        starts, weights = [index[entry]], [1.0]
    else:
        first: dict[int, float | None] = {}  # entry -> declared share; a repeated id counts once
        for _, tp in journey.touchpoints():
            if tp.entry:
                first.setdefault(index[tp.id], tp.share)
        if not first:
            raise FunnelError(f"journey '{journey.id}' has no entry touchpoint: mark where customers "
                              "start with 'entry: true'")
        starts = list(first)
        if any(share is not None for share in first.values()):
            # Shares were checked to sum to 1 (within RATE_TOLERANCE); an entry without one weighs 0.
            total = math.fsum(share or 0.0 for share in first.values())
            weights = [(first[u] or 0.0) / total for u in starts]
        else:
            weights = [1.0 / len(starts)] * len(starts)

    from .graph import strongly_connected

    components = strongly_connected([[w for w, _ in edges] for edges in chain.out])  # sinks first
    component_of = [0] * len(chain.ids)
    for c, component in enumerate(components):
        for u in component:
            component_of[u] = c
    systems: dict[int, _LoopSystem | None] = {}

    def system(c: int) -> _LoopSystem | None:
        """Loop c factored, or None when nothing ever leaves it (its customers circle forever)."""
        if c not in systems:
            escape = {u: chain.leak[u] + chain.handover[u]
                      + math.fsum(p for w, p in chain.out[u] if component_of[w] != c)
                      for u in components[c]}
            systems[c] = _LoopSystem(components[c], chain, escape) if any(escape.values()) else None
        return systems[c]

    # Forward: expected visits of every touchpoint, one column per start.
    m = len(starts)
    inflow = [[0.0] * m for _ in chain.ids]
    for col, u in enumerate(starts):
        inflow[u][col] += 1.0
    visits = [[0.0] * m for _ in chain.ids]
    for c in reversed(range(len(components))):
        component = components[c]
        if not _is_loop(component, chain):
            u = component[0]
            visits[u] = inflow[u]  # shared list: every transition into u was added before u's turn
        elif any(any(inflow[u]) for u in component):
            loop = system(c)
            if loop is None:
                raise FunnelError(_closed_loop_message(chain, component))
            for col in range(m):
                x = loop.solve_transposed({u: inflow[u][col] for u in component})
                for u in component:
                    visits[u][col] = x[u]
        else:
            continue  # unreachable: zero visits, nothing to pass on
        for u in component:
            vu = visits[u]
            for w, p in chain.out[u]:
                if component_of[w] != c:
                    iw = inflow[w]
                    for col in range(m):
                        iw[col] += p * vu[col]

    # Backward: h[u], the probability of ending in a converting outcome once at u.
    h = [0.0] * len(chain.ids)
    for c, component in enumerate(components):
        if not _is_loop(component, chain):
            u = component[0]
            if chain.outcome[u] is not None:
                h[u] = 1.0 if chain.outcome[u] in CONVERTING_OUTCOMES else 0.0
            else:
                h[u] = math.fsum(p * h[w] for w, p in chain.out[u])
            continue
        loop = system(c)
        if loop is None:
            continue  # customers in a closed loop never convert: h stays 0
        b = {u: math.fsum(p * h[w] for w, p in chain.out[u] if component_of[w] != c) for u in component}
        for u, x in loop.solve(b).items():
            h[u] = x

    n = len(chain.ids)
    from .funnel_reach import no_return

    visited = [any(v > 0.0 for v in visits[u]) for u in range(n)]
    alone, stage_alone = no_return(chain, components, component_of, visited, _LoopSystem)
    extra = _Extra(h, alone, stage_alone, fix_share)
    per_entry = {chain.ids[u]: _result(journey, chain, [visits[x][col] for x in range(n)], h, {u: 1.0}, extra)
                 for col, u in enumerate(starts)}
    combined_visits = [math.fsum(w * visits[x][col] for col, w in enumerate(weights)) for x in range(n)]
    combined = _result(journey, chain, combined_visits, h, dict(zip(starts, weights)), extra)
    return FunnelReport(journey=journey.id, combined=combined, entries=per_entry,
                        weights={chain.ids[u]: w for u, w in zip(starts, weights)}, fix_share=fix_share)


class _Extra(NamedTuple):
    """What reach and fix-first need beyond the visits; the same for every entry (see funnel_reach)."""

    h: list[float]  # P(converting) once at u
    alone: list[float]  # 1 - P(returning to u after leaving it)
    stage_alone: list[float]  # P(never returning to u's stage after leaving u)
    fix_share: float


def _fix_gain(chain: _Chain, u: int, reach: float, extra: _Extra) -> float:
    """Conversion gained if a share s of u's drop-off instead followed u's transitions, pro rata.

    Scaling u's kept mass a = 1 - leak by (a + delta) / a, delta = s * leak, changes only u's row, so
    reach(u) is unchanged, the probability of converting from a fresh visit of u becomes
    (a + delta) / a times the part of h(u) owed to that row, and the return probability r = 1 - alone(u)
    becomes r (a + delta) / a. Visits to u are reach / (1 - r'), each converting delta * h(u) / a more
    (Sherman-Morrison on the fundamental matrix): gain = reach * delta * h(u) / (a (1 - r) - r delta).
    """
    leak = chain.leak[u]
    delta = extra.fix_share * leak
    kept = 1.0 - leak
    hu = extra.h[u]
    if reach <= 0.0 or hu <= 0.0 or delta <= 0.0:
        return 0.0
    r = 1.0 - extra.alone[u]
    return reach * delta * hu / (kept * extra.alone[u] - r * delta)


def _result(journey: Journey, chain: _Chain, visits: list[float], h: list[float],
            start: dict[int, float], extra: _Extra) -> FunnelResult:
    """Every figure of a result is linear in the visits, so one function serves entries and the mix."""
    n = len(chain.ids)
    outcomes = dict.fromkeys(OUTCOME_KEYS, 0.0)
    for u in range(n):
        kind = chain.outcome[u]
        if kind is not None:
            outcomes[kind] += visits[u]  # an outcome is absorbing: visits there = probability to end there
    outcomes["handed_over"] = math.fsum(visits[u] * chain.handover[u] for u in range(n))
    drops = [visits[u] * chain.leak[u] for u in range(n)]
    conversion = math.fsum(outcomes[k] for k in OUTCOME_KEYS if k in CONVERTING_OUTCOMES)
    # E[V | converted] = E[V * 1{converted}] / P(converted), and E[V * 1{converted}] = sum_u visits(u) h(u):
    # each visit to u is followed by a conversion with probability h(u) (Markov property).
    visits_converting = math.fsum(visits[u] * h[u] for u in range(n))
    terms: dict[str, list[float]] = {stage.id: [] for stage in journey.stages}
    for u, mass in start.items():
        terms[chain.stage[u]].append(mass)
    for u in range(n):
        if visits[u]:
            for w, p in chain.out[u]:
                if chain.stage[w] != chain.stage[u]:
                    terms[chain.stage[w]].append(visits[u] * p)
    leaks = sorted(((u, d) for u, d in enumerate(drops) if d > 0.0), key=lambda item: (-item[1], item[0]))
    reach = [visits[u] * extra.alone[u] if visits[u] else 0.0 for u in range(n)]
    stage_reach: dict[str, list[float]] = {stage.id: [] for stage in journey.stages}
    for u in range(n):
        if visits[u]:
            stage_reach[chain.stage[u]].append(visits[u] * extra.stage_alone[u])
    fixes = sorted(((u, _fix_gain(chain, u, reach[u], extra)) for u in range(n)
                    if chain.leak[u] > 0.0 and chain.fixable[u]), key=lambda item: (-item[1], item[0]))
    return FunnelResult(
        outcomes=outcomes,
        dropoff=math.fsum(drops),
        conversion=conversion,
        expected_touchpoints=math.fsum(visits),
        expected_touchpoints_to_convert=visits_converting / conversion if conversion > 0.0 else None,
        touchpoints={chain.ids[u]: TouchpointFlow(visits[u], drops[u]) for u in range(n)},
        stages={stage: math.fsum(t) for stage, t in terms.items()},
        leaks=[(chain.ids[u], d) for u, d in leaks],
        reach_stages={stage: min(1.0, math.fsum(t)) for stage, t in stage_reach.items()},
        reach_touchpoints={chain.ids[u]: min(1.0, reach[u]) for u in range(n)},
        fix_first=[(chain.ids[u], g) for u, g in fixes],
    )
