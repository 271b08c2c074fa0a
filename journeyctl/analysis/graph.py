"""Graph algorithms the journey model needs in several places (rules, funnel, stats)."""

from __future__ import annotations

from typing import Sequence


def strongly_connected(successors: Sequence[Sequence[int]]) -> list[list[int]]:
    """Tarjan's strongly connected components of the graph on nodes 0..n-1, each sorted ascending.

    Components come out sinks first (reverse topological order): every edge leaving a component points
    to one emitted earlier. Iterative, because a 10,000-touchpoint chain would overflow Python's
    recursion limit.
    """
    n = len(successors)
    index = [-1] * n
    low = [0] * n
    on_stack = [False] * n
    stack: list[int] = []
    components: list[list[int]] = []
    counter = 0
    for root in range(n):
        if index[root] != -1:
            continue
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = True
        work = [(root, 0)]
        while work:
            node, i = work[-1]
            targets = successors[node]
            if i < len(targets):
                work[-1] = (node, i + 1)
                nxt = targets[i]
                if index[nxt] == -1:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack[nxt] = True
                    work.append((nxt, 0))
                elif on_stack[nxt] and index[nxt] < low[node]:
                    low[node] = index[nxt]
                continue
            work.pop()
            if work and low[node] < low[work[-1][0]]:
                low[work[-1][0]] = low[node]
            if low[node] == index[node]:
                members = []
                while True:
                    member = stack.pop()
                    on_stack[member] = False
                    members.append(member)
                    if member == node:
                        break
                members.sort()
                components.append(members)
    return components


class Adjacency:
    """A list of ints per node 0..n-1 stored flat, in two int lists: `adj[u]` is a new list of u's.

    One list per node would be thousands of small lists on a long journey, each of which the garbage
    collector counts (a collection every 700) and walks while it is young.
    """

    __slots__ = ("start", "flat")

    def __init__(self, start: list[int], flat: list[int]) -> None:
        self.start = start  # the ints of u are flat[start[u]:start[u + 1]]
        self.flat = flat

    @classmethod
    def from_pairs(cls, n: int, sources: Sequence[int], targets: Sequence[int]) -> "Adjacency":
        """`adj[u]`: the targets of the pairs whose source is u, in the order the pairs come (a stable
        counting sort: linear)."""
        start = [0] * (n + 1)
        for u in sources:
            start[u + 1] += 1
        for u in range(n):
            start[u + 1] += start[u]
        fill = start[:-1]
        flat = [0] * len(sources)
        for u, v in zip(sources, targets):
            flat[fill[u]] = v
            fill[u] += 1
        return cls(start, flat)

    def reversed(self) -> "Adjacency":
        """The pairs turned round: `rev[v]` lists every u with v in `adj[u]`, by increasing u."""
        start = self.start
        sources = [u for u in range(len(self)) for _ in range(start[u + 1] - start[u])]
        return Adjacency.from_pairs(len(self), self.flat, sources)

    def __len__(self) -> int:
        return len(self.start) - 1

    def __getitem__(self, u: int) -> list[int]:
        return self.flat[self.start[u]:self.start[u + 1]]
