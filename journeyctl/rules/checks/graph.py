"""The journey as a graph: can every customer get in, move on, and get out?

Each rule builds the adjacency once (touchpoint id → local targets) and walks it in linear time: one
breadth-first search from the entries, one backwards from the outcomes, and Tarjan's strongly connected
components written iteratively, because a 10,000-touchpoint chain would blow Python's recursion limit.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from ...check.findings import Hit
from ...analysis.graph import strongly_connected
from ...format.model import Journey, Touchpoint, Transition
from .. import RuleContext, rule
from ..memo import per_journey

# How many touchpoints a loop message names before it says "and N more".
_LOOP_NAMES = 6


def local_target(journey: Journey, tr: Transition) -> str | None:
    """The touchpoint id a transition leads to inside this journey; None when it leaves for another.

    `this-journey/tp` is local: spelling out one's own journey id must not count as leaving it.
    """
    if tr.journey is None or tr.journey == journey.id:
        return tr.target
    return None


@dataclass
class JourneyGraph:
    """Touchpoints by id in document order, with their local successors.

    A repeated id is one node (duplicate-id reports the repetition): its transitions are merged and it
    is an entry or an outcome if any of its definitions is.
    """

    order: list[str] = field(default_factory=list)
    first: dict[str, Touchpoint] = field(default_factory=dict)
    succ: dict[str, list[str]] = field(default_factory=dict)
    has_next: set[str] = field(default_factory=set)  # any transition at all, even unresolved or outward
    exits: set[str] = field(default_factory=set)  # a transition into another journey: the customer moves on
    entries: list[str] = field(default_factory=list)
    outcomes: set[str] = field(default_factory=set)
    # Every transition in document order with its local target (None: into another journey), for the
    # rules that read transitions: a long journey's model is walked once, not once per rule.
    edges: list[tuple[Touchpoint, Transition, str | None]] = field(default_factory=list)

    @classmethod
    def of(cls, journey: Journey) -> "JourneyGraph":
        """The graph of `journey`, built once per run of its rules and shared (rules/memo.py). Callers
        only read it."""
        return _graph_of(journey)

    @classmethod
    def build(cls, journey: Journey) -> "JourneyGraph":
        g = cls()
        for _, tp in journey.touchpoints():
            if tp.id not in g.first:
                g.first[tp.id] = tp
                g.order.append(tp.id)
                g.succ[tp.id] = []
        seen_entry: set[str] = set()
        for _, tp in journey.touchpoints():
            if tp.entry and tp.id not in seen_entry:
                seen_entry.add(tp.id)
                g.entries.append(tp.id)
            if tp.outcome is not None:
                g.outcomes.add(tp.id)
            if tp.next:
                g.has_next.add(tp.id)
            targets = g.succ[tp.id]
            for tr in tp.next:
                target = local_target(journey, tr)
                g.edges.append((tp, tr, target))
                if target is None:
                    g.exits.add(tp.id)
                elif target in g.first:  # an unknown target is unknown-reference's, not an edge
                    targets.append(target)
        return g

    def reachable_from(self, starts: Iterable[str]) -> set[str]:
        seen = set(starts)
        queue = deque(seen)
        while queue:
            for target in self.succ[queue.popleft()]:
                if target not in seen:
                    seen.add(target)
                    queue.append(target)
        return seen

    def predecessors(self) -> dict[str, list[str]]:
        pred: dict[str, list[str]] = {node: [] for node in self.order}
        for node in self.order:
            for target in self.succ[node]:
                pred[target].append(node)
        return pred

    def can_finish(self) -> set[str]:
        """Touchpoints from which some path reaches an outcome or leaves for another journey."""
        pred = self.predecessors()
        seen = set(self.outcomes) | self.exits
        queue = deque(seen)
        while queue:
            for source in pred[queue.popleft()]:
                if source not in seen:
                    seen.add(source)
                    queue.append(source)
        return seen


@per_journey
def _graph_of(journey: Journey) -> JourneyGraph:
    return JourneyGraph.build(journey)


def _names(ids: list[str]) -> str:
    shown = ", ".join(f"'{i}'" for i in ids[:_LOOP_NAMES])
    rest = len(ids) - _LOOP_NAMES
    return shown + (f" and {rest} more" if rest > 0 else "")


@rule("unreachable-touchpoint", "warning", "a touchpoint no path from an entry reaches")
def unreachable_touchpoint(journey: Journey, ctx: RuleContext) -> Iterator[Hit]:
    """Every touchpoint should be reachable from a point where customers enter the journey.

    A touchpoint nothing leads to is either a forgotten link (the email exists, but no step sends the
    customer there) or a leftover of an old version of the map. Add the transition that brings customers
    here, mark it `entry: true` if customers really start here, or delete it.

    Fails:
        stages:
          - id: s
            touchpoints:
              - id: ad
                entry: true
                next: [{to: signup}]
              - id: webinar
                next: [{to: signup}]
              - id: signup
                outcome: converted
    Passes:
        stages:
          - id: s
            touchpoints:
              - id: ad
                entry: true
                next: [{to: signup}, {to: webinar}]
              - id: webinar
                next: [{to: signup}]
              - id: signup
                outcome: converted
    """
    graph = JourneyGraph.of(journey)
    if not graph.entries:  # no-entry says so once; reporting every touchpoint would bury it
        return
    reached = graph.reachable_from(graph.entries)
    has_incoming = {target for node in graph.order for target in graph.succ[node]}
    for node in graph.order:
        if node in reached:
            continue
        if node in has_incoming:
            why = "it is only reached from touchpoints that no entry reaches"
        else:
            why = "no transition leads here"
        yield graph.first[node].finding(f"no path from an entry reaches '{node}': {why}", "id")


@rule("dead-end", "warning", "a touchpoint with no next step and no outcome strands the customer")
def dead_end(journey: Journey, ctx: RuleContext) -> Iterator[Hit]:
    """A touchpoint with no next step must be an outcome; otherwise the map stops mid-journey.

    Customers who reach a dead end are left without a next step: nobody planned what happens after the
    form, the call or the email. Add `next:` with where they go, or say how the journey ends here with
    `outcome:` (converted, retained, advocate, churned, dropped).

    Fails:
        stages:
          - id: s
            touchpoints:
              - id: ad
                entry: true
                next: [{to: form}]
              - id: form
    Passes:
        stages:
          - id: s
            touchpoints:
              - id: ad
                entry: true
                next: [{to: form}]
              - id: form
                outcome: converted
    """
    graph = JourneyGraph.of(journey)
    for node in graph.order:
        if node not in graph.has_next and node not in graph.outcomes:
            yield graph.first[node].finding(
                f"'{node}' has no next step and no outcome: say where customers go from here (next) "
                f"or how the journey ends (outcome)", "id")


@rule("no-path-to-outcome", "warning", "a touchpoint or loop from which no outcome can be reached")
def no_path_to_outcome(journey: Journey, ctx: RuleContext) -> Iterator[Hit]:
    """From every touchpoint, some path must lead to an outcome (or on to another journey).

    Otherwise the customer is stuck: every way forward ends at a dead end, or circles in a loop (reminder,
    tips, reminder...) that nobody ever leaves. Give the loop a way out, such as conversion, an
    unsubscribe or a churn outcome. Dead ends themselves are reported by `dead-end`; this rule reports
    the touchpoints that lead only to them, and each closed loop once.

    Fails:
        stages:
          - id: s
            touchpoints:
              - id: signup
                entry: true
                next: [{to: reminder}, {to: activated}]
              - id: reminder
                next: [{to: tips}]
              - id: tips
                next: [{to: reminder}]
              - id: activated
                outcome: converted
    Passes:
        stages:
          - id: s
            touchpoints:
              - id: signup
                entry: true
                next: [{to: reminder}, {to: activated}]
              - id: reminder
                next: [{to: tips}]
              - id: tips
                next: [{to: reminder}, {to: activated}]
              - id: activated
                outcome: converted
    """
    graph = JourneyGraph.of(journey)
    if not graph.outcomes and not graph.exits:  # no-outcome covers it, once
        return
    finishing = graph.can_finish()
    # Every successor of a stuck touchpoint is stuck too, so the stuck subgraph is closed.
    stuck = [node for node in graph.order if node not in finishing]
    if not stuck:
        return
    position = {node: i for i, node in enumerate(graph.order)}
    in_loop: set[str] = set()
    loops: list[list[str]] = []
    number = {node: i for i, node in enumerate(stuck)}
    successors = [[number[t] for t in graph.succ[node]] for node in stuck]
    for members in strongly_connected(successors):
        component = [stuck[i] for i in members]
        if len(component) > 1 or component[0] in graph.succ[component[0]]:
            component.sort(key=position.__getitem__)
            loops.append(component)
            in_loop.update(component)
    for component in loops:
        first = component[0]
        if len(component) == 1:
            message = f"'{first}' loops back to itself with no way out: no outcome can be reached from it"
        else:
            message = f"loops among {_names(component)} with no way out: no outcome can be reached from them"
        yield graph.first[first].finding(message, "id")
    for node in stuck:
        if node in in_loop or not graph.succ[node]:
            continue  # loops are reported above; a touchpoint with no next is dead-end's
        yield graph.first[node].finding(
            f"no outcome can be reached from '{node}': every path from here ends at a dead end or in a "
            f"loop with no way out", "id")
