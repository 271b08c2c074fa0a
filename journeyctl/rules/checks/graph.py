"""The journey as a graph: can every customer get in, move on, and get out?

The graph is built once per run from the journey's table (analysis/table.py: one walk of the model),
with touchpoints as table rows, and each rule walks it in linear time: one breadth-first search from the
entries, one backwards from the outcomes, and Tarjan's strongly connected components written iteratively,
because a 10,000-touchpoint chain would blow Python's recursion limit. Nodes are ints and the walks use
lists indexed by them: no id is hashed after the table is built.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Iterable, Iterator

from ...analysis.graph import Adjacency, strongly_connected
from ...analysis.table import JourneyTable
from ...check.findings import Hit
from ...format.model import Journey, Transition
from .. import RuleContext, rule
from ..memo import per_journey, table

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
    """Touchpoints in document order, with their local successors; a node is the table row of the
    touchpoint's first definition (lists below are indexed by row; rows of repeated ids stay empty).

    A repeated id is one node (duplicate-id reports the repetition): its transitions are merged and it
    is an entry or an outcome if any of its definitions is.
    """

    table: JourneyTable
    order: list[int]  # node rows, document order
    succ: Adjacency  # local successors (known targets only: an unknown one is unknown-reference's)
    has_next: list[bool]  # any transition at all, even unresolved or outward
    exits: list[bool]  # a transition into another journey: the customer moves on
    outcome: list[bool]
    entries: list[int]  # in document order

    @classmethod
    def of(cls, journey: Journey) -> "JourneyGraph":
        """The graph of `journey`, built once per run of its rules and shared (rules/memo.py). Callers
        only read it."""
        return _graph_of(journey)

    @classmethod
    def build(cls, journey: Journey) -> "JourneyGraph":
        t = table(journey)
        n = len(t.ids)
        head = t.head
        g = cls(t, [i for i in range(n) if head[i] == i], Adjacency([0] * (n + 1), []), [False] * n,
                [False] * n, [False] * n, [])
        entered = [False] * n
        for i in range(n):
            node = head[i]
            if t.outcome[i] is not None:
                g.outcome[node] = True
            if t.entry[i] and not entered[node]:
                entered[node] = True
                g.entries.append(node)
        sources, targets = [], []  # edges between known local touchpoints, document order
        for source, outward, dest in zip(t.src, t.outward, t.dest):
            node = head[source]
            g.has_next[node] = True
            if outward:
                g.exits[node] = True
            elif dest >= 0:
                sources.append(node)
                targets.append(dest)
        g.succ = Adjacency.from_pairs(n, sources, targets)
        return g

    def name(self, node: int) -> str:
        return self.table.ids[node]

    def finding(self, node: int, message: str) -> Hit:
        return self.table.touchpoint(node).finding(message, "id")

    def reachable_from(self, starts: Iterable[int]) -> list[bool]:
        seen = [False] * len(self.succ)
        queue = deque(starts)
        for node in queue:
            seen[node] = True
        while queue:
            for target in self.succ[queue.popleft()]:
                if not seen[target]:
                    seen[target] = True
                    queue.append(target)
        return seen

    def can_finish(self) -> list[bool]:
        """Touchpoints from which some path reaches an outcome or leaves for another journey."""
        pred = self.succ.reversed()
        seen = [a or b for a, b in zip(self.outcome, self.exits)]
        queue = deque(node for node in self.order if seen[node])
        while queue:
            for source in pred[queue.popleft()]:
                if not seen[source]:
                    seen[source] = True
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
    has_incoming = [False] * len(reached)
    for node in graph.order:
        for target in graph.succ[node]:
            has_incoming[target] = True
    for node in graph.order:
        if reached[node]:
            continue
        if has_incoming[node]:
            why = "it is only reached from touchpoints that no entry reaches"
        else:
            why = "no transition leads here"
        yield graph.finding(node, f"no path from an entry reaches '{graph.name(node)}': {why}")


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
        if not graph.has_next[node] and not graph.outcome[node]:
            yield graph.finding(
                node, f"'{graph.name(node)}' has no next step and no outcome: say where customers go from here "
                f"(next) or how the journey ends (outcome)")


@rule("no-path-to-outcome", "warning", "a touchpoint or loop from which no outcome can be reached")
def no_path_to_outcome(journey: Journey, ctx: RuleContext) -> Iterator[Hit]:
    """From every touchpoint, some path must lead to an outcome (or on to another journey).

    Otherwise the customer is stuck: every way forward ends at a dead end, or circles in a loop (reminder,
    tips, reminder...) that nobody ever leaves. Give the loop a way out, such as conversion, an
    unsubscribe or a churn outcome. Dead ends themselves are reported by `dead-end`; this rule reports
    the touchpoints that lead only to them, and each closed loop once.

    Cost: linear in the touchpoints and transitions, except that the members of each loop found are
    sorted into document order to name them (n log n for one loop through every touchpoint).

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
    if not any(graph.outcome) and not any(graph.exits):  # no-outcome covers it, once
        return
    finishing = graph.can_finish()
    # Every successor of a stuck touchpoint is stuck too, so the stuck subgraph is closed.
    stuck = [node for node in graph.order if not finishing[node]]
    if not stuck:
        return
    in_loop = [False] * len(finishing)
    loops: list[list[int]] = []
    number = {node: i for i, node in enumerate(stuck)}
    successors = [[number[t] for t in graph.succ[node]] for node in stuck]
    for members in strongly_connected(successors):
        # Members come sorted, and stuck rows are in document order: so is each component.
        component = [stuck[i] for i in members]
        if len(component) > 1 or component[0] in graph.succ[component[0]]:
            loops.append(component)
            for node in component:
                in_loop[node] = True
    for component in loops:
        first = component[0]
        if len(component) == 1:
            message = (f"'{graph.name(first)}' loops back to itself with no way out: no outcome can be reached "
                       f"from it")
        else:
            names = [graph.name(node) for node in component]
            message = f"loops among {_names(names)} with no way out: no outcome can be reached from them"
        yield graph.finding(first, message)
    for node in stuck:
        if in_loop[node] or not graph.succ[node]:
            continue  # loops are reported above; a touchpoint with no next is dead-end's
        yield graph.finding(
            node, f"no outcome can be reached from '{graph.name(node)}': every path from here ends at a dead "
            f"end or in a loop with no way out")
