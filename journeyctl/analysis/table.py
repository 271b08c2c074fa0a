"""A journey as plain columns: what the gap rules and the funnel's rate checks read, in one walk of the model.

Why columns: walking the pydantic model is slow on a long journey, and not because of the walk's length.
Each model object keeps its fields in its own ~0.5 KB dict; a 5,000-touchpoint journey (objects, dicts,
transition and list objects) is ten-odd MB, far beyond the CPU's 2 MB second-level cache, so every walk
pays a cache miss per object touched, and twenty rules each walking the model paid it twenty times
(rule time grew ~20x for 10x the touchpoints). Here the model is walked once per run; every field a rule
on by default needs is copied into flat lists of str, int, float, bool and None (interned ids: copying them
copies a pointer), a few hundred KB that the rules then scan in order. That one walk still grows ~17x for
10x the touchpoints (the misses are its cost); everything after it grows ~10x. The columns hold no model
object and there is no container per touchpoint, so a run allocates too few objects for the garbage
collector to run at all (one list per touchpoint once cost a 5,000-touchpoint run two dozen collections).
A finding still comes from the model object it is about (`touchpoint(row)`, `transition(edge)`): its
document path is the model's own.

Rows are touchpoint definitions in document order (a repeated id has one row per definition; `head`
gives each row the first row of its id, as `Journey.touchpoint_index()` picks the first definition).
Edges are transitions in document order; the edges of row i are `edge_start[i]:edge_start[i + 1]`.
References (to teams, channels, personas, metrics) are kept as the set of ids used, per kind.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..format.model import Journey, Touchpoint, Transition

REFERENCE_KINDS = ("team", "channel", "persona", "metric")


@dataclass
class JourneyTable:
    journey: Journey
    # Touchpoint definitions, document order.
    ids: list[str] = field(default_factory=list)
    head: list[int] = field(default_factory=list)  # the first row of this row's id (itself, unless repeated)
    stage: list[int] = field(default_factory=list)  # index of its stage in journey.stages
    slot: list[int] = field(default_factory=list)  # index in its stage's touchpoints
    owner: list[str | None] = field(default_factory=list)
    channel: list[str | None] = field(default_factory=list)
    entry: list[bool] = field(default_factory=list)
    outcome: list[str | None] = field(default_factory=list)
    share: list[float | None] = field(default_factory=list)
    emotion: list[int | None] = field(default_factory=list)
    pains: list[int] = field(default_factory=list)  # how many pain points
    planned: list[bool] = field(default_factory=list)  # any opportunity
    day: list[int | None] = field(default_factory=list)
    edge_start: list[int] = field(default_factory=lambda: [0])
    # Rows of stage s: stage_start[s]:stage_start[s + 1].
    stage_start: list[int] = field(default_factory=lambda: [0])
    # Transitions, document order. Targets are resolved to rows here, once: the rules then follow
    # transitions through ints, without reading an id string (each its own object, far apart in memory on
    # a long journey); `transition(edge)` has the text as written, for messages.
    src: list[int] = field(default_factory=list)  # row of the touchpoint it leaves
    dest: list[int] = field(default_factory=list)  # first row of its local target; -1: none (unknown, outward)
    outward: list[bool] = field(default_factory=list)  # into another journey (`to: other/tp`)
    rate: list[float | None] = field(default_factory=list)
    handoff: list[bool] = field(default_factory=list)
    sla: list[bool] = field(default_factory=list)  # its hand-off has an sla
    # Ids referenced anywhere in the journey, by kind ("team", "channel", "persona", "metric"): sets, not
    # one row per reference, since the rules ask "is anything unknown, unused, unserved" and a journey
    # that answers no (nearly all of them) is then checked without a second look at the model.
    used: dict[str, set[str]] = field(default_factory=lambda: {kind: set() for kind in REFERENCE_KINDS})
    # Stages (by index) with a touchpoint that lists a KPI.
    measured: set[int] = field(default_factory=set)

    def touchpoint(self, row: int) -> Touchpoint:
        """The model object of a row, for a finding about it."""
        return self.journey.stages[self.stage[row]].touchpoints[self.slot[row]]

    def transition(self, edge: int) -> Transition:
        """The model object of an edge, for a finding about it."""
        row = self.src[edge]
        return self.touchpoint(row).next[edge - self.edge_start[row]]



def build_table(journey: Journey) -> JourneyTable:
    """Walk the model once (linear) and copy what the rules on by default read into columns (each field
    read is a cache miss per touchpoint on a long journey: the off-by-default rules read theirs from the
    model, when they are switched on)."""
    t = JourneyTable(journey)
    teams, channels, personas, metrics = (t.used[kind] for kind in REFERENCE_KINDS)
    if journey.owner is not None:
        teams.add(journey.owner)
    jid = journey.id
    first: dict[str, int] = {}  # id -> its first row
    targets: list[str | None] = []  # local target of each edge, resolved to a row after the walk
    for s, stage in enumerate(journey.stages):
        metrics.update(stage.kpis)
        for k, tp in enumerate(stage.touchpoints):
            row = len(t.ids)
            t.ids.append(tp.id)
            t.head.append(first.setdefault(tp.id, row))
            t.stage.append(s)
            t.slot.append(k)
            _copy_fields(t, tp)
            if tp.owner is not None:
                teams.add(tp.owner)
            if tp.channel is not None:
                channels.add(tp.channel)
            personas.update(tp.personas)
            if tp.kpis:
                metrics.update(tp.kpis)
                t.measured.add(s)
            for tr in tp.next:
                t.src.append(row)
                to = tr.to  # `this-journey/tp` is local: naming one's own journey is not leaving it
                targets.append(to if "/" not in to else tr.target if tr.journey == jid else None)
                t.rate.append(tr.rate)
                handoff = tr.handoff
                t.handoff.append(handoff is not None)
                t.sla.append(handoff is not None and handoff.sla is not None)
            t.edge_start.append(len(t.src))
        t.stage_start.append(len(t.ids))
    t.outward = [target is None for target in targets]
    t.dest = [-1 if target is None else first.get(target, -1) for target in targets]
    return t


def _copy_fields(t: JourneyTable, tp: Touchpoint) -> None:
    t.owner.append(tp.owner)
    t.channel.append(tp.channel)
    t.entry.append(tp.entry)
    t.outcome.append(tp.outcome)
    t.share.append(tp.share)
    t.emotion.append(tp.emotion)
    t.pains.append(len(tp.pain_points))
    t.planned.append(bool(tp.opportunities))
    at = tp.at
    t.day.append(None if at is None else tp.day)

