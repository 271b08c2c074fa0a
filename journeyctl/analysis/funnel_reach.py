"""Reach: the probability of ever arriving at a touchpoint or a stage, without one solve per target.

A customer who visits touchpoint t makes, on average, visits(t) = reach(t) / (1 - r(t)) visits, where
r(t) is the probability of coming back to t after leaving it. So reach(t) = visits(t) * (1 - r(t)), and
the same "last exit" argument gives a stage A: reach(A) = sum over a in A of visits(a) * P(no return
to A after a). Both "no return" figures depend only on the chain, not on where customers start, so they
are computed once and serve every entry and the combined mix.

A return can only happen inside a loop (a strongly connected component), or, for a stage spread over
several components, along a path that leaves the stage and comes back. Outside loops the answer is
immediate. Inside a loop the return probabilities of all its touchpoints (and of its stages) come from
censoring: eliminating states from the chain (Gaussian elimination, GTH-style so every pivot is a sum of
non-negative terms) leaves the chain watched only on the states kept, and in the chain watched on {t}
alone, the mass that escapes is exactly 1 - r(t). Doing that for every t separately would cost one
elimination per touchpoint, quadratic in the loop; instead the states are split in two halves
recursively (keep the left half and recurse, keep the right half and recurse), so each level of the
recursion eliminates every state once: O(E log n) for the sparse loops journeys have, where E is the
elimination work of one pass (the fill-in of the loop, about its number of transitions for
chain-like loops).
"""

from __future__ import annotations

import heapq
import math
from typing import TYPE_CHECKING, Any, Callable, NamedTuple

if TYPE_CHECKING:
    from .funnel import _Chain

Rows = dict[int, dict[int, float]]


class _Watched(NamedTuple):
    """A chain watched on some states: rows[u][w] = P(u -> w), w != u (self-loops implicit, as in
    funnel._LoopSystem), preds[w] = the u with rows[u][w], esc[u] = P(leaving the watched states for good)."""

    rows: Rows
    preds: dict[int, set[int]]
    esc: dict[int, float]


def _watch(rows: Rows, esc: dict[int, float]) -> _Watched:
    preds: dict[int, set[int]] = {u: set() for u in rows}
    for u, r in rows.items():
        for w in r:
            preds[w].add(u)
    return _Watched(rows, preds, esc)


def _eliminate(chain: _Watched, victims: list[int]) -> _Watched:
    """The chain watched only on the states not in `victims`: a new chain, the input is untouched.

    Copy on write: the rows and predecessor sets of untouched states are shared with the input, so a
    call costs the elimination work, not the size of the chain. Victims go in smallest-Markowitz-count
    order to keep fill low; pivots are escape plus off-diagonal mass (GTH), sums of non-negative terms.
    """
    rows, preds, esc = dict(chain.rows), dict(chain.preds), dict(chain.esc)
    own_rows: set[int] = set()
    own_preds: set[int] = set()
    doomed = set(victims)
    heap = [(len(preds[k]) * len(rows[k]), k) for k in victims]
    heapq.heapify(heap)
    pop, push = heapq.heappop, heapq.heappush
    while heap:
        score, k = pop(heap)
        if k not in doomed or score != len(preds[k]) * len(rows[k]):
            continue
        doomed.discard(k)
        row_k = rows.pop(k)
        pred_k = preds.pop(k)
        esc_k = esc.pop(k)
        pivot = esc_k + sum(row_k.values())  # non-negative terms: no cancellation (GTH)
        # Sets of ints iterate in an order fixed by their contents and history, never by hash seed.
        for i in pred_k:
            if i not in own_rows:
                rows[i] = dict(rows[i])
                own_rows.add(i)
            row_i = rows[i]
            f = row_i.pop(k) / pivot
            esc[i] += f * esc_k
            for j, w in row_k.items():
                if j != i:  # i -> k -> i becomes a self-loop: implicit
                    if j not in row_i:
                        if j not in own_preds:
                            preds[j] = set(preds[j])
                            own_preds.add(j)
                        preds[j].add(i)
                        row_i[j] = f * w
                    else:
                        row_i[j] += f * w
        for j in row_k:
            if j not in own_preds:
                preds[j] = set(preds[j])
                own_preds.add(j)
            preds[j].discard(k)
            if j in doomed:
                push(heap, (len(preds[j]) * len(rows[j]), j))
        for i in pred_k:
            if i in doomed and i not in row_k:  # pushed above already
                push(heap, (len(preds[i]) * len(rows[i]), i))
    return _Watched(rows, preds, esc)


def _censor(chain: _Watched, blocks: list[list[int]], leaf: Callable[[_Watched, list[int]], None]) -> None:
    """Call leaf(chain watched on block, block) for every block, halving the set of blocks each level."""
    if len(blocks) == 1:
        leaf(chain, blocks[0])
        return
    if len(blocks) == 2 and len(blocks[0]) == len(blocks[1]) == 1:
        # Two states u, v: eliminating v by hand saves the bookkeeping of _eliminate, and half of all
        # calls end here. From u: to v with q_uv, back from v with q_vu / (esc_v + q_vu), else gone.
        (u,), (v,) = blocks
        q_uv, q_vu = chain.rows[u].get(v, 0.0), chain.rows[v].get(u, 0.0)
        e_u, e_v = chain.esc[u], chain.esc[v]
        leaf(_Watched({u: {}}, {u: set()}, {u: e_u + q_uv * e_v / (e_v + q_vu)}), [u])
        leaf(_Watched({v: {}}, {v: set()}, {v: e_v + q_vu * e_u / (e_u + q_uv)}), [v])
        return
    total = sum(len(b) for b in blocks)
    cut, size = 1, len(blocks[0])
    while cut < len(blocks) - 1 and size + len(blocks[cut]) <= total / 2:
        size += len(blocks[cut])
        cut += 1
    left, right = blocks[:cut], blocks[cut:]
    _censor(_eliminate(chain, [u for b in right for u in b]), left, leaf)
    _censor(_eliminate(chain, [u for b in left for u in b]), right, leaf)


def no_return(chain: "_Chain", components: list[list[int]], component_of: list[int],
              visited: list[bool], loop_system: Callable[..., Any]) -> tuple[list[float], list[float]]:
    """(1 - r(t) for every touchpoint t, P(no return to t's stage after leaving t) for every t).

    Only visited touchpoints matter (the others have reach 0); every loop they are in can be left, or
    funnel.analyse_funnel would have refused the journey.
    """
    n = len(chain.ids)
    alone = [1.0] * n
    stage_alone = [1.0] * n
    stage_members: dict[str, list[int]] = {}
    for u in range(n):
        if visited[u]:
            stage_members.setdefault(chain.stage[u], []).append(u)
    looped: set[int] = set()
    for c, component in enumerate(components):
        if not visited[component[0]]:
            continue
        if len(component) == 1 and not any(w == component[0] for w, _ in chain.out[component[0]]):
            continue
        looped.add(c)
        members = set(component)
        rows = {u: {w: p for w, p in chain.out[u] if w in members and w != u} for u in component}
        esc = {u: chain.leak[u] + chain.handover[u] + math.fsum(p for w, p in chain.out[u] if w not in members)
               for u in component}
        by_stage: dict[str, list[int]] = {}
        for u in component:
            by_stage.setdefault(chain.stage[u], []).append(u)

        def touchpoint_leaf(watched: _Watched, block: list[int]) -> None:
            alone[block[0]] = watched.esc[block[0]]

        def stage_leaf(watched: _Watched, block: list[int]) -> None:
            for u in block:
                stage_alone[u] = watched.esc[u]
            _censor(watched, [[u] for u in block], touchpoint_leaf)

        _censor(_watch(rows, esc), list(by_stage.values()), stage_leaf)
    for stage, members_list in stage_members.items():
        comps = {component_of[u] for u in members_list}
        if len(comps) == 1 and next(iter(comps)) in looped:
            continue  # the whole visited stage is inside one loop: censoring above answered it
        _stage_by_hull(chain, components, component_of, members_list, stage_alone, loop_system)
    return alone, stage_alone


def _stage_by_hull(chain: "_Chain", components: list[list[int]], component_of: list[int],
                   members: list[int], stage_alone: list[float], loop_system: Callable[..., Any]) -> None:
    """P(no return to the stage after a) for each member a, via the hitting probability of the stage.

    Only touchpoints on a path from the stage back to the stage (its hull) can bring a customer back; they
    lie between the stage's components in topological order, so the search never leaves that window.
    Costs O(window) per stage: linear for stages that follow each other, O(loop) for a stage that is
    partly inside a loop spanning other stages and partly outside it.
    """
    from .graph import strongly_connected

    stage = set(members)
    low = min(component_of[u] for u in members)  # components are sinks first: low = most downstream
    forward: set[int] = set()
    todo = [w for a in members for w, _ in chain.out[a] if w not in stage]
    while todo:
        w = todo.pop()
        if w in forward or w in stage or component_of[w] < low:
            continue
        forward.add(w)
        todo.extend(x for x, _ in chain.out[w])
    if not forward:
        hull: list[int] = []
    else:
        back: dict[int, list[int]] = {}
        for u in forward:
            for w, _ in chain.out[u]:
                if w in forward or w in stage:
                    back.setdefault(w, []).append(u)
        reaches: set[int] = set()
        todo = [u for a in members for u in back.get(a, ())]
        while todo:
            u = todo.pop()
            if u not in reaches:
                reaches.add(u)
                todo.extend(back.get(u, ()))
        hull = sorted(reaches)
    hit: dict[int, float] = {}
    if hull:
        position = {u: i for i, u in enumerate(hull)}
        inside = set(hull)
        for local in strongly_connected([[position[w] for w, _ in chain.out[u] if w in inside] for u in hull]):
            component = [hull[i] for i in local]
            comp = set(component)
            b = {u: math.fsum(p * (1.0 if w in stage else hit.get(w, 0.0)) for w, p in chain.out[u]
                              if w not in comp) for u in component}
            u0 = component[0]
            if len(component) == 1 and not any(w == u0 for w, _ in chain.out[u0]):
                hit[u0] = b[u0]
                continue
            escape = {u: chain.leak[u] + chain.handover[u] + math.fsum(p for w, p in chain.out[u] if w not in comp)
                      for u in component}
            hit.update(loop_system(component, chain, escape).solve(b))
    for a in members:
        if chain.outcome[a] is not None:
            stage_alone[a] = 1.0
            continue
        stage_alone[a] = chain.leak[a] + chain.handover[a] + math.fsum(
            p * (1.0 - hit.get(w, 0.0)) for w, p in chain.out[a] if w not in stage)
