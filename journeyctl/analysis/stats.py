"""Workspace statistics: per-journey counts, coverage matrices and the team hand-off matrix.

Everything is accumulated one journey at a time (`StatsBuilder.add`), so `stats` and `docs` run in
memory proportional to the counts, never to the models: a workspace of thousands of journeys is read
file by file and each model is dropped after use.

Path lengths (number of touchpoints from an entry to a converting outcome, both ends included) are
defined so they are exact and linear-time on any graph, loops included:

* shortest: for each entry, the fewest touchpoints on any route to its nearest converting outcome
  (one breadth-first search backwards from all converting outcomes, O(touchpoints + transitions));
  `path_shortest` is the minimum over entries and `path_average` the mean over the entries that can
  convert (unweighted by entry share, so it describes the map, not the traffic).
* longest: the longest route through the journey's loop-free skeleton. Loops (strongly connected
  components) are condensed and each counts all its touchpoints once; the longest path through the
  resulting DAG is found by dynamic programming. On a journey without loops this is exactly the longest
  route from an entry to a converting outcome; with loops it is an upper bound on any route that meets
  no touchpoint twice (the longest simple path itself is NP-hard to compute).

Only local transitions count for paths; a `to: journey/touchpoint` transition leaves the journey.
"""

from __future__ import annotations

import dataclasses
import heapq
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

from ..check.pipeline import UsageError, discover, display_path, read_document, validate_document
from ..config import Config
from ..check.findings import Finding
from ..format.loader import Document
from ..format.model import CONVERTING_OUTCOMES, Journey

NONE_LABEL = "(none)"  # row of touchpoints without a persona / channel / owner; cannot clash with an id


# --------------------------------------------------------------------------------------------------
# Reading the workspace, one journey at a time


@dataclass
class LoadedFile:
    """One discovered file: the journey when it is valid, else the findings that say why not."""

    path: Path
    display: str
    journey: Journey | None
    findings: list[Finding]
    doc: Document | None


def is_catalog(path: Path | str) -> bool:
    """A shared catalog (`*.catalog.yaml`), not a journey."""
    try:
        from ..check.workspace import is_catalog as lead_is_catalog
    except ImportError:  # older checkouts without shared catalogs
        return str(path).endswith((".catalog.yaml", ".catalog.yml"))
    return lead_is_catalog(path)


def workspace_files(paths: Iterable[Path], config: Config) -> tuple[list[Path], list[Path]]:
    """(journey files, catalog files) of the workspace named by PATHS, sorted; UsageError for a bad path."""
    files = discover(list(paths) or [Path(".")], config)
    return [f for f in files if not is_catalog(f)], [f for f in files if is_catalog(f)]


def load_file(path: Path, config: Config) -> LoadedFile:
    """Read and validate one journey file; never raises for bad input."""
    display = display_path(path)
    doc, findings = read_document(path, config)
    journey = None
    if doc is not None:
        journey, findings = validate_document(doc, display)
    return LoadedFile(path, display, journey, findings, doc)


def iter_workspace(paths: Iterable[Path], config: Config) -> Iterator[LoadedFile]:
    for path in workspace_files(paths, config)[0]:
        yield load_file(path, config)


__all__ = ["UsageError", "LoadedFile", "StatsBuilder", "StatsReport", "collect_stats"]


# --------------------------------------------------------------------------------------------------
# Results


@dataclass
class PathStats:
    shortest: int | None = None
    average: float | None = None
    longest: int | None = None
    converting_entries: int = 0  # entries from which some converting outcome is reachable

    def to_json(self) -> dict[str, Any]:
        return {"shortest": self.shortest,
                "average": None if self.average is None else round(self.average, 2),
                "longest": self.longest, "converting_entries": self.converting_entries}


@dataclass
class JourneyStats:
    file: str
    id: str
    title: str
    stages: int
    touchpoints: int
    handoffs: int            # transitions that declare a `handoff`
    missing_handoffs: int    # transitions between different owners without one (local and cross-journey)
    entries: int
    outcomes: int            # touchpoints with any outcome
    converting_outcomes: int
    paths: PathStats

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "id": self.id, "title": self.title, "stages": self.stages,
                "touchpoints": self.touchpoints, "handoffs": self.handoffs,
                "missing_handoffs": self.missing_handoffs, "entries": self.entries, "outcomes": self.outcomes,
                "converting_outcomes": self.converting_outcomes, "paths": self.paths.to_json()}


@dataclass
class Matrix:
    """Touchpoint counts: rows (personas, channels or teams) × columns (stage ids)."""

    rows: list[str]
    columns: list[str]
    cells: list[list[int]]

    def get(self, row: str, column: str) -> int:
        return self.cells[self.rows.index(row)][self.columns.index(column)]

    def transposed(self) -> "Matrix":
        return Matrix(list(self.columns), list(self.rows),
                      [[row[c] for row in self.cells] for c in range(len(self.columns))])

    @property
    def maximum(self) -> int:
        return max((v for row in self.cells for v in row), default=0)

    def to_json(self) -> dict[str, Any]:
        return {"rows": self.rows, "columns": self.columns, "cells": self.cells}


@dataclass(frozen=True)
class MissingHandoff:
    """A transition between touchpoints of different owners that declares no `handoff`."""

    journey: str
    file: str
    line: int
    source: str   # touchpoint id
    target: str   # touchpoint id, or journey/touchpoint
    from_team: str
    to_team: str

    def to_json(self) -> dict[str, Any]:
        return {"journey": self.journey, "file": self.file, "line": self.line, "from": self.source,
                "to": self.target, "from_team": self.from_team, "to_team": self.to_team}


@dataclass
class HandoffPair:
    from_team: str
    to_team: str
    transitions: int = 0
    declared: int = 0

    @property
    def missing(self) -> int:
        return self.transitions - self.declared

    def to_json(self) -> dict[str, Any]:
        return {"from": self.from_team, "to": self.to_team, "transitions": self.transitions,
                "declared": self.declared, "missing": self.missing}


@dataclass
class StatsReport:
    journeys: list[JourneyStats]
    persona_stage: Matrix
    channel_stage: Matrix
    team_stage: Matrix
    handoffs: list[HandoffPair]          # sorted by (from, to)
    missing: list[MissingHandoff]        # sorted by (file, line)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)

    @property
    def teams(self) -> list[str]:
        return sorted({p.from_team for p in self.handoffs} | {p.to_team for p in self.handoffs})

    def handoff_pair(self, source: str, target: str) -> HandoffPair | None:
        for pair in self.handoffs:
            if pair.from_team == source and pair.to_team == target:
                return pair
        return None

    def totals(self) -> dict[str, int]:
        keys = ("stages", "touchpoints", "handoffs", "missing_handoffs", "entries", "outcomes",
                "converting_outcomes")
        out = {"journeys": len(self.journeys)}
        for key in keys:
            out[key] = sum(getattr(j, key) for j in self.journeys)
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "version": 1,
            "totals": self.totals(),
            "journeys": [j.to_json() for j in self.journeys],
            "matrices": {"persona_stage": self.persona_stage.to_json(),
                         "channel_stage": self.channel_stage.to_json(),
                         "team_stage": self.team_stage.to_json()},
            "handoffs": {"pairs": [p.to_json() for p in self.handoffs],
                         "missing": [m.to_json() for m in self.missing]},
            "skipped": [{"file": f, "reason": r} for f, r in self.skipped],
        }


# --------------------------------------------------------------------------------------------------
# Paths


def path_stats(journey: Journey) -> PathStats:
    """Shortest/average/longest touchpoint counts from entries to converting outcomes (module docstring)."""
    index = journey.touchpoint_index()
    ids = list(index)
    number = {tp_id: i for i, tp_id in enumerate(ids)}
    out: list[list[int]] = [[] for _ in ids]
    for i, tp_id in enumerate(ids):
        seen: set[int] = set()
        for tr in index[tp_id].next:
            j = number.get(tr.target) if tr.journey in (None, journey.id) else None
            if j is not None and j not in seen:
                seen.add(j)
                out[i].append(j)
    converting = [number[t] for t in ids if index[t].outcome in CONVERTING_OUTCOMES]
    entries = [number[t] for t in ids if index[t].entry]
    if not entries or not converting:
        return PathStats()

    # Shortest: BFS on reversed edges from every converting outcome at once.
    back: list[list[int]] = [[] for _ in ids]
    for i, targets in enumerate(out):
        for j in targets:
            back[j].append(i)
    dist = [0] * len(ids)
    queue = deque(converting)
    for c in converting:
        dist[c] = 1
    while queue:
        node = queue.popleft()
        for prev in back[node]:
            if not dist[prev]:
                dist[prev] = dist[node] + 1
                queue.append(prev)
    reach = [dist[e] for e in entries if dist[e]]
    if not reach:
        return PathStats()

    # Longest: condensation DAG; Tarjan emits components sinks first, so successors are solved first.
    from .graph import strongly_connected

    components = strongly_connected(out)
    comp_of = [0] * len(ids)
    for c, members in enumerate(components):
        for m in members:
            comp_of[m] = c
    is_goal = [False] * len(components)
    for c in converting:
        is_goal[comp_of[c]] = True
    best: list[int] = [0] * len(components)  # 0: no converting outcome reachable
    for c, members in enumerate(components):
        tail = 0
        for m in members:
            for j in out[m]:
                d = comp_of[j]
                if d != c and best[d] > tail:
                    tail = best[d]
        if tail or is_goal[c]:
            best[c] = len(members) + tail
    longest = max(best[comp_of[e]] for e in entries if dist[e])
    return PathStats(min(reach), sum(reach) / len(reach), longest, len(reach))


@dataclass
class _Cross:
    journey: str
    file: str
    line: int
    source: str
    owner: str
    target_journey: str
    target: str
    declared: bool


class StatsBuilder:
    """Accumulates statistics journey by journey; `finish()` resolves cross-journey hand-offs."""

    def __init__(self) -> None:
        self.journeys: list[JourneyStats] = []
        self.skipped: list[tuple[str, str]] = []
        self._persona: Counter[tuple[str, str]] = Counter()
        self._channel: Counter[tuple[str, str]] = Counter()
        self._team: Counter[tuple[str, str]] = Counter()
        self._pairs: dict[tuple[str, str], HandoffPair] = {}
        self._missing: list[MissingHandoff] = []
        self._cross: list[_Cross] = []
        self._owners: dict[str, dict[str, str]] = {}  # journey id -> touchpoint id -> owner
        self._stage_first: dict[str, int] = {}
        self._stage_edges: set[tuple[str, str]] = set()

    @property
    def owners(self) -> dict[str, dict[str, str]]:
        """Journey id -> touchpoint id -> owning team, for every journey added (first file wins)."""
        return self._owners

    def skip(self, file: str, reason: str) -> None:
        self.skipped.append((file, reason))

    def add(self, journey: Journey, file: str, doc: Document | None = None) -> JourneyStats:
        """Count one journey; `doc` (when given) supplies line numbers for missing hand-offs."""
        def line_of(path: tuple[str | int, ...]) -> int:
            return doc.locate(path)[0] if doc is not None else 0

        previous: str | None = None
        for stage in journey.stages:
            self._stage_first.setdefault(stage.id, len(self._stage_first))
            if previous is not None and previous != stage.id:
                self._stage_edges.add((previous, stage.id))
            previous = stage.id
        index = journey.touchpoint_index()
        owners = {tp_id: tp.owner for tp_id, tp in index.items() if tp.owner}
        self._owners.setdefault(journey.id, owners)
        handoffs = missing = entries = outcomes = converting = 0
        count = 0
        for stage, tp in journey.touchpoints():
            count += 1
            for persona in sorted(set(tp.personas)) or [NONE_LABEL]:
                self._persona[(persona, stage.id)] += 1
            self._channel[(tp.channel or NONE_LABEL, stage.id)] += 1
            self._team[(tp.owner or NONE_LABEL, stage.id)] += 1
            entries += tp.entry
            if tp.outcome is not None:
                outcomes += 1
                converting += tp.outcome in CONVERTING_OUTCOMES
            for tr in tp.next:
                declared = tr.handoff is not None
                handoffs += declared
                if tr.journey is not None and tr.journey != journey.id:
                    if tp.owner:
                        self._cross.append(_Cross(journey.id, file, line_of(tr.path), tp.id, tp.owner,
                                                  tr.journey, tr.target, declared))
                    continue
                target_owner = owners.get(tr.target)
                if not tp.owner or not target_owner or target_owner == tp.owner:
                    continue
                self._pair(tp.owner, target_owner, declared)
                if not declared:
                    missing += 1
                    self._missing.append(MissingHandoff(journey.id, file, line_of(tr.path), tp.id, tr.to,
                                                        tp.owner, target_owner))
        stats = JourneyStats(file, journey.id, journey.title, len(journey.stages), count, handoffs, missing,
                             entries, outcomes, converting, path_stats(journey))
        self.journeys.append(stats)
        return stats

    # A journey's contribution as plain JSON data, and merging it back: the docs build caches each
    # file's contribution (site.page_cache) so an unchanged journey is counted without being parsed.
    _STATE = frozenset({"journeys", "skipped", "_persona", "_channel", "_team", "_pairs", "_missing", "_cross",
                        "_owners", "_stage_first", "_stage_edges"})

    @staticmethod
    def contribution(journey: Journey, file: str, doc: Document | None = None) -> dict[str, Any]:
        """What `add(journey, file, doc)` adds to a builder, as JSON data for `merge`."""
        one = StatsBuilder()
        if set(vars(one)) != StatsBuilder._STATE:  # a new field must be carried by contribution and merge
            raise AssertionError(f"StatsBuilder state changed: {sorted(set(vars(one)) ^ StatsBuilder._STATE)}")
        one.add(journey, file, doc)
        return {
            "stages": [stage.id for stage in journey.stages],
            "owners": one._owners.get(journey.id, {}), "id": journey.id,
            "counters": [[[*k, n] for k, n in c.items()] for c in (one._persona, one._channel, one._team)],
            "pairs": [[p.from_team, p.to_team, p.transitions, p.declared] for p in one._pairs.values()],
            "missing": [dataclasses.asdict(m) for m in one._missing],
            "cross": [dataclasses.asdict(c) for c in one._cross],
            "journey": dataclasses.asdict(one.journeys[0]),
        }

    def merge(self, data: dict[str, Any]) -> JourneyStats:
        """Count a journey from its `contribution`: the same state as `add` leaves."""
        previous: str | None = None
        for stage in data["stages"]:
            self._stage_first.setdefault(stage, len(self._stage_first))
            if previous is not None and previous != stage:
                self._stage_edges.add((previous, stage))
            previous = stage
        self._owners.setdefault(data["id"], dict(data["owners"]))
        for counter, items in zip((self._persona, self._channel, self._team), data["counters"]):
            for row, column, n in items:
                counter[(row, column)] += n
        for source, target, transitions, declared in data["pairs"]:
            pair = self._pairs.setdefault((source, target), HandoffPair(source, target))
            pair.transitions += transitions
            pair.declared += declared
        self._missing += [MissingHandoff(**m) for m in data["missing"]]
        self._cross += [_Cross(**c) for c in data["cross"]]
        fields = dict(data["journey"])
        stats = JourneyStats(**{**fields, "paths": PathStats(**fields["paths"])})
        self.journeys.append(stats)
        return stats

    def _pair(self, source: str, target: str, declared: bool) -> None:
        pair = self._pairs.setdefault((source, target), HandoffPair(source, target))
        pair.transitions += 1
        pair.declared += declared

    def finish(self) -> StatsReport:
        by_id = {j.id: j for j in self.journeys}
        for c in self._cross:
            target_owner = self._owners.get(c.target_journey, {}).get(c.target)
            if not target_owner or target_owner == c.owner:
                continue
            self._pair(c.owner, target_owner, c.declared)
            if not c.declared:
                self._missing.append(MissingHandoff(c.journey, c.file, c.line, c.source,
                                                    f"{c.target_journey}/{c.target}", c.owner, target_owner))
                if c.journey in by_id:
                    by_id[c.journey].missing_handoffs += 1
        self._cross.clear()
        stages = self.stage_order()
        return StatsReport(
            journeys=sorted(self.journeys, key=lambda j: (j.id, j.file)),
            persona_stage=_matrix(self._persona, stages),
            channel_stage=_matrix(self._channel, stages),
            team_stage=_matrix(self._team, stages),
            handoffs=[self._pairs[k] for k in sorted(self._pairs)],
            missing=sorted(self._missing, key=lambda m: (m.file, m.line, m.source, m.target)),
            skipped=sorted(self.skipped),
        )

    def stage_order(self) -> list[str]:
        """Stage ids in journey order, merged across journeys.

        A topological order of "comes right after" between stage ids, ties broken by first appearance;
        where journeys disagree (a cycle), the earliest-seen stage is taken first.
        """
        first = self._stage_first
        succ: dict[str, list[str]] = {s: [] for s in first}
        indegree = dict.fromkeys(first, 0)
        for a, b in sorted(self._stage_edges):
            succ[a].append(b)
            indegree[b] += 1
        ready = [(first[s], s) for s in first if indegree[s] == 0]
        heapq.heapify(ready)
        done: set[str] = set()
        order: list[str] = []
        remaining = sorted(first, key=first.__getitem__)
        while len(order) < len(first):
            if not ready:  # a cycle: release the earliest-seen stage still waiting
                stage = next(s for s in remaining if s not in done)
                heapq.heappush(ready, (first[stage], stage))
                indegree[stage] = 0
            _, stage = heapq.heappop(ready)
            if stage in done:
                continue
            done.add(stage)
            order.append(stage)
            for nxt in succ[stage]:
                if nxt in done:
                    continue
                indegree[nxt] -= 1
                if indegree[nxt] == 0:
                    heapq.heappush(ready, (first[nxt], nxt))
        return order


def _matrix(counter: Counter[tuple[str, str]], stages: list[str]) -> Matrix:
    rows = sorted({r for r, _ in counter} - {NONE_LABEL})
    if any(r == NONE_LABEL for r, _ in counter):
        rows.append(NONE_LABEL)
    return Matrix(rows, list(stages), [[counter.get((r, s), 0) for s in stages] for r in rows])


def journey_report(journey: Journey, file: str = "", doc: Document | None = None) -> StatsReport:
    """The statistics of a single journey, as if it were the whole workspace."""
    builder = StatsBuilder()
    builder.add(journey, file, doc)
    return builder.finish()


def collect_stats(paths: Iterable[Path], config: Config) -> StatsReport:
    """Statistics of every valid journey under PATHS; invalid files are listed in `skipped`."""
    builder = StatsBuilder()
    for loaded in iter_workspace(paths, config):
        if loaded.journey is None:
            errors = [f for f in loaded.findings if f.severity == "error"] or loaded.findings
            reason = f"{errors[0].rule}: {errors[0].message}" if errors else "not a valid journey"
            builder.skip(loaded.display, reason)
            continue
        builder.add(loaded.journey, loaded.display, loaded.doc)
    return builder.finish()
