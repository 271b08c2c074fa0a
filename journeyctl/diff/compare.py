"""Two snapshots → what changed in each journey, as a reviewer would say it.

Journeys are matched by id; what is left over is matched by file path (an id renamed in place). Inside
a journey, catalog entries, stages and touchpoints are matched by id and transitions by (from, to), so
a touchpoint that moved to another stage is a move, not a removal plus an addition. A stage or
touchpoint whose id changed but whose content did not (its name and description may change too) is
one `renamed` change, and the transitions and hand-offs that followed it are folded into it. Findings
are matched by identity (journeyctl.identity), because lines and list positions move on every edit;
findings about a renamed element are matched under its new id.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable

from pydantic import BaseModel

from ..check.findings import Finding, severity_rank
from ..format.model import Journey, Transition
from .snapshot import Entry, Snapshot

# Children compared structurally (by id), not as fields of their parent.
_STRUCTURAL = {"stages", "personas", "teams", "channels", "metrics", "touchpoints", "next", "handoff"}
_CATALOGS = (("persona", "personas"), ("team", "teams"), ("channel", "channels"), ("metric", "metrics"))
# What an added or removed element is summarised by.
_SUMMARY = {
    "persona": ("name",), "team": ("name",), "channel": ("name",),
    "metric": ("name", "unit", "target", "direction"),
    "stage": ("name",),
    "touchpoint": ("owner", "channel", "kind", "lane"),
    "transition": ("rate", "wait", "when"),
    "handoff": ("sla", "trigger", "via"),
}


@dataclass(frozen=True)
class Change:
    """One semantic change. `before`/`after`: the old/new value of `field`; for an added or removed
    element, a summary of it (see docs/json-format.md)."""

    element: str  # journey, persona, team, channel, metric, stage, touchpoint, transition, handoff, funnel
    id: str
    action: str  # added, removed, changed, moved, renamed, reordered
    field: str | None = None
    before: Any = None
    after: Any = None
    name: str | None = None  # the element's name (head's; base's when removed), shown beside the id

    def as_dict(self) -> dict[str, Any]:
        return {"element": self.element, "id": self.id, "action": self.action, "field": self.field,
                "before": self.before, "after": self.after, "name": self.name}


@dataclass
class JourneyDiff:
    id: str | None  # None: a file that is not a journey on either side (unreadable YAML, schema errors)
    status: str  # added, removed, modified, unchanged
    base_file: str | None
    head_file: str | None
    changes: list[Change] = field(default_factory=list)
    introduced: list[Finding] = field(default_factory=list)
    resolved: list[Finding] = field(default_factory=list)
    renamed: bool = False  # the journey's file moved (never set when two files are compared)
    head_entry: Entry | None = field(default=None, repr=False, compare=False)
    base_entry: Entry | None = field(default=None, repr=False, compare=False)

    @property
    def name(self) -> str:
        return self.id or self.head_file or self.base_file or "?"

    @property
    def title(self) -> str | None:
        """The journey's title (head's, else base's), shown beside its id."""
        for entry in (self.head_entry, self.base_entry):
            if entry is not None and entry.title:
                return entry.title
        return None

    @property
    def journey(self) -> Journey | None:
        """Head's model, for --render: loaded only when asked for, since a worker may have checked the file."""
        return self.head_entry.model() if self.head_entry is not None else None


@dataclass
class DiffResult:
    base: str
    head: str
    journeys: list[JourneyDiff]  # every journey of either side, unchanged ones included
    notes: list[str] = field(default_factory=list)  # what the reader should know (a side without workspace)
    head_catalogs: dict[str, bytes] = field(default_factory=dict, repr=False)  # for --render's names

    @property
    def changed(self) -> list[JourneyDiff]:
        """Journeys to report: changed ones, and unchanged files whose findings changed (a catalog
        entry another journey now uses, a link whose target moved)."""
        return [j for j in self.journeys if j.status != "unchanged" or j.introduced or j.resolved]

    @property
    def introduced(self) -> list[Finding]:
        return [f for j in self.journeys for f in j.introduced]

    @property
    def resolved(self) -> list[Finding]:
        return [f for j in self.journeys for f in j.resolved]

    def status_counts(self, journeys: bool = True) -> dict[str, int]:
        """Journeys by status; with journeys=False, the other files (catalogs, files that do not load)."""
        counts = {"added": 0, "removed": 0, "modified": 0, "renamed": 0, "unchanged": 0}
        for j in self.journeys:
            if (j.id is not None) != journeys:
                continue
            counts[j.status] += 1
            counts["renamed"] += j.renamed
        return counts

    def fails(self, level: str) -> bool:
        """True when the change introduces a finding at `level` or above (--fail-on-new)."""
        return any(severity_rank(f.severity) >= severity_rank(level) for f in self.introduced)


def compare(base: Snapshot, head: Snapshot, funnel: bool = True, renames: bool = True) -> DiffResult:
    """`renames=False` when the sides are two named files: their paths differ by construction."""
    pairs = _pair(base.entries, head.entries)
    journeys = [_journey_diff(b, h, funnel, renames) for b, h in pairs]
    journeys.sort(key=lambda j: (j.id is None, j.id or "", j.head_file or j.base_file or ""))
    return DiffResult(base.label, head.label, journeys)


def _pair(base: list[Entry], head: list[Entry]) -> list[tuple[Entry | None, Entry | None]]:
    def by_id(entries: list[Entry]) -> tuple[dict[str, Entry], list[Entry]]:
        keyed: dict[str, Entry] = {}
        rest: list[Entry] = []
        for e in sorted(entries, key=lambda e: e.file):
            if e.journey_id is not None and e.journey_id not in keyed:
                keyed[e.journey_id] = e
            else:  # not a journey, or a second file with the same id: matched by path below
                rest.append(e)
        return keyed, rest

    base_ids, base_rest = by_id(base)
    head_ids, head_rest = by_id(head)
    pairs: list[tuple[Entry | None, Entry | None]] = []
    for jid in sorted(set(base_ids) & set(head_ids)):
        pairs.append((base_ids.pop(jid), head_ids.pop(jid)))
    base_left = base_rest + list(base_ids.values())
    head_by_file = {e.file: e for e in head_rest + list(head_ids.values())}
    for b in sorted(base_left, key=lambda e: e.file):
        h = head_by_file.pop(b.file, None)
        pairs.append((b, h))
    pairs.extend((None, h) for h in sorted(head_by_file.values(), key=lambda e: e.file))
    return pairs


def _journey_diff(b: Entry | None, h: Entry | None, funnel: bool, renames: bool) -> JourneyDiff:
    jid = (h.journey_id if h else None) or (b.journey_id if b else None)
    diff = JourneyDiff(jid, "modified", b.file if b else None, h.file if h else None, head_entry=h, base_entry=b)
    if b is None or h is None:
        diff.status = "added" if b is None else "removed"
        # A new journey's findings are all new; a removed journey's are all resolved.
        diff.introduced = list(h.findings) if h else []
        diff.resolved = list(b.findings) if b else []
        return diff
    if b.blob == h.blob and (b.file == h.file or not renames):
        diff.introduced, diff.resolved = match_findings(b.findings, h.findings)
        diff.status = "unchanged"
        return diff
    if b.file != h.file and renames:
        diff.renamed = True
        diff.changes.append(Change("journey", jid or h.file, "renamed", "file", b.file, h.file, name=h.title))
    if b.journey_id is not None and h.journey_id is not None and b.blob != h.blob:
        pre = h.precomputed
        if pre is not None and pre.fits(b.file, b.blob, h.file, h.blob, funnel):
            diff.changes += pre.changes + pre.funnel_changes
        else:  # not the pair a worker compared (a moved file, a changed id): the models, here
            a, z = b.model(), h.model()
            if a is not None and z is not None:
                own, moved = content_changes(a, z, funnel)
                diff.changes += own + moved
    diff.introduced, diff.resolved = match_findings(b.findings, h.findings, renamed_ids(diff.changes))
    if not diff.changes and not diff.introduced and not diff.resolved:
        diff.status = "unchanged"  # comments or formatting only: nothing a reviewer of the journey needs
    return diff


def renamed_ids(changes: Iterable[Change]) -> dict[str, str]:
    """Old id → new id of the stages and touchpoints a diff found renamed."""
    return {c.before: c.after for c in changes
            if c.action == "renamed" and c.field == "id" and c.element in ("stage", "touchpoint")}


def _under_new_names(f: Finding, renames: dict[str, str]) -> tuple[str, str]:
    """(rule, message) of a base finding with renamed ids written as their new ids."""
    from ..check.identity import normalise_message

    message = normalise_message(f.message)
    for old, new in renames.items():
        message = re.sub(rf"(?<![\w.-]){re.escape(old)}(?![\w.-])", new, message)
    return f.rule, message


def match_findings(base: list[Finding], head: list[Finding],
                   renames: dict[str, str] | None = None) -> tuple[list[Finding], list[Finding]]:
    """(introduced, resolved): identities of head not in base, and of base not in head, as multisets.

    With `renames`, a base finding left over is matched to a head finding left over of the same rule
    whose message reads the same once the renamed ids are written as their new ids: a finding about
    a renamed touchpoint is neither resolved nor new.
    """
    from ..check.identity import identity_of, normalise_message

    base_left = Counter(identity_of(f) for f in base)
    head_left = Counter(identity_of(f) for f in head)
    introduced, resolved = [], []
    for f in sorted(head, key=Finding.sort_key):
        if base_left[identity_of(f)] > 0:
            base_left[identity_of(f)] -= 1
        else:
            introduced.append(f)
    for f in sorted(base, key=Finding.sort_key):
        if head_left[identity_of(f)] > 0:
            head_left[identity_of(f)] -= 1
        else:
            resolved.append(f)
    if renames and introduced and resolved:
        waiting = Counter(_under_new_names(f, renames) for f in resolved)
        kept = []
        for f in introduced:
            key = (f.rule, normalise_message(f.message))
            if waiting[key] > 0:
                waiting[key] -= 1
            else:
                kept.append(f)
        matched = Counter(_under_new_names(f, renames) for f in resolved) - waiting
        left = []
        for f in resolved:
            key = _under_new_names(f, renames)
            if matched[key] > 0:
                matched[key] -= 1
            else:
                left.append(f)
        introduced, resolved = kept, left
    return introduced, resolved


def _plain(value: Any) -> Any:
    """A model value as JSON data (what the JSON report carries and what equality compares)."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_none=True)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def _fields(element: str, ident: str, a: BaseModel, b: BaseModel, skip: Iterable[str] = ()) -> list[Change]:
    if a.__dict__ == b.__dict__:  # field values, children included: the whole subtree is equal
        return []
    out = []
    for name in type(a).model_fields:
        if name in _STRUCTURAL or name in skip:
            continue
        x, y = getattr(a, name), getattr(b, name)
        if type(x) is type(y) and isinstance(x, (str, int, float, bool, type(None))) and x == y:
            continue  # the common case, without building JSON data for it
        before, after = _plain(x), _plain(y)
        if before != after:
            out.append(Change(element, ident, "changed", name, before, after))
    return out


def _summary(element: str, obj: BaseModel, **extra: Any) -> dict[str, Any]:
    out = dict(extra)
    for key in _SUMMARY.get(element, ()):
        value = _plain(getattr(obj, key, None))
        if value is not None:
            out[key] = value
    return out


def _keyed(element: str, before: dict[str, Any], after: dict[str, Any],
           extra: dict[str, dict[str, Any]] | None = None) -> list[Change]:
    """Added, removed and changed elements of two id → object maps."""
    extra = extra or {}
    out = []
    for ident in sorted(after.keys() - before.keys()):
        out.append(Change(element, ident, "added", after=_summary(element, after[ident], **extra.get(ident, {}))))
    for ident in sorted(before.keys() - after.keys()):
        out.append(Change(element, ident, "removed", before=_summary(element, before[ident])))
    for ident in sorted(before.keys() & after.keys()):
        out.extend(_fields(element, ident, before[ident], after[ident], skip=("id",)))
    return out


def _by_id(items: Iterable[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        out.setdefault(item.id, item)
    return out


def content_changes(a: Journey, b: Journey, funnel: bool) -> tuple[list[Change], list[Change]]:
    """(changes of the journey, changes of its funnel figures): the second is computed only when the
    first can move the funnel. One function for worker processes and the main one, so they agree."""
    own = journey_changes(a, b)
    return own, (funnel_changes(a, b, renamed_ids(own)) if funnel and any(_moves_funnel(c) for c in own) else [])


def journey_changes(a: Journey, b: Journey) -> list[Change]:
    ident = b.id
    changes = _fields("journey", ident, a, b, skip=("id",))
    if a.id != b.id:
        changes.insert(0, Change("journey", ident, "changed", "id", a.id, b.id))
    for element, key in _CATALOGS:
        changes += _keyed(element, _by_id(getattr(a, key)), _by_id(getattr(b, key)))

    tp_renames = _renamed_touchpoints(a, b)
    stage_renames = _renamed_stages(a, b, tp_renames)
    stages_a = {stage_renames.get(k, k): v for k, v in _by_id(a.stages).items()}
    stages_b = _by_id(b.stages)
    for old, new in sorted(stage_renames.items(), key=lambda kv: kv[1]):
        changes.append(Change("stage", new, "renamed", "id", old, new))
    changes += _keyed("stage", stages_a, stages_b)
    common = [s for s in stages_a if s in stages_b]
    order_b = [s for s in stages_b if s in stages_a]
    if common != order_b:
        before = [_old_name(s, stage_renames) for s in common]
        changes.append(Change("stage", "stages", "reordered", "order", before, order_b))

    changes += _touchpoint_changes(a, b, tp_renames, stage_renames)

    tr_a, tr_b = _transitions(a, tp_renames), _transitions(b)
    changes += _keyed("transition", tr_a, tr_b)
    hand_a = {k: t.handoff for k, t in tr_a.items() if t.handoff is not None}
    hand_b = {k: t.handoff for k, t in tr_b.items() if t.handoff is not None}
    changes += _keyed("handoff", hand_a, hand_b)
    return _named(changes, a, b)


def _names(journey: Journey) -> dict[str, dict[str, str]]:
    """Element kind → id → name, for the kinds a change names."""
    out: dict[str, dict[str, str]] = {"journey": {journey.id: journey.title}}
    for element, key in _CATALOGS:
        out[element] = {x.id: x.name for x in getattr(journey, key) if getattr(x, "name", None)}
    out["stage"] = {s.id: s.name for s in journey.stages if s.name}
    out["touchpoint"] = {tp.id: tp.name for _, tp in journey.touchpoints() if tp.name}
    return out


def _named(changes: list[Change], a: Journey, b: Journey) -> list[Change]:
    """The changes with the names of their elements (head's, base's for what head no longer has); a
    transition or hand-off is named by its two touchpoints' names."""
    from dataclasses import replace

    old, new = _names(a), _names(b)

    def name(kind: str, ident: str) -> str | None:
        return new.get(kind, {}).get(ident) or old.get(kind, {}).get(ident)

    out = []
    for c in changes:
        if c.element in ("transition", "handoff"):
            source, _, target = c.id.partition(" -> ")
            target = target.split(" #", 1)[0]
            names = name("touchpoint", source), name("touchpoint", target)
            label = f"{names[0] or source} → {names[1] or target}" if any(names) else None
            out.append(replace(c, name=label))
        elif c.id != "stages" and (n := name(c.element, c.id)):
            out.append(replace(c, name=n))
        else:
            out.append(c)
    return out


def _old_name(new: str, renames: dict[str, str]) -> str:
    return next((old for old, n in renames.items() if n == new), new)


# Fields a renamed element may change along with its id: a rename often rewords the name.
_RENAME_FREE = {"id", "name", "description"}


def _one_to_one(removed: dict[str, Any], added: dict[str, Any]) -> dict[str, str]:
    """Pairs of (removed id → added id) whose signatures are equal and unique on both sides."""
    by_sig: dict[str, list[str]] = {}
    for ident, sig in added.items():
        by_sig.setdefault(sig, []).append(ident)
    seen: Counter[str] = Counter(removed.values())
    return {old: by_sig[sig][0] for old, sig in sorted(removed.items())
            if seen[sig] == 1 and len(by_sig.get(sig, ())) == 1}


def _renamed_touchpoints(a: Journey, b: Journey) -> dict[str, str]:
    """Touchpoints whose id changed and nothing else but their name or description: same stage
    position aside, same fields, same transitions (targets that are renamed too count as equal)."""
    import json

    tps_a, tps_b = a.touchpoint_index(), b.touchpoint_index()
    gone, new = tps_a.keys() - tps_b.keys(), tps_b.keys() - tps_a.keys()
    if not gone or not new:
        return {}
    moving = gone | new

    def signature(tp: Any) -> str:
        data = tp.model_dump(mode="json", exclude=_RENAME_FREE)
        for tr in data.get("next", []):
            if tr.get("to") in moving:
                tr["to"] = "?"  # a reference to another renamed touchpoint: compared after pairing
        return json.dumps(data, sort_keys=True)

    pairs = _one_to_one({i: signature(tps_a[i]) for i in gone}, {i: signature(tps_b[i]) for i in new})
    # Confirm the placeholder targets: each must point at the pair of what it pointed at.
    ok = {}
    for old, new_id in pairs.items():
        targets_a = [pairs.get(tr.to, tr.to) for tr in tps_a[old].next]
        if targets_a == [tr.to for tr in tps_b[new_id].next]:
            ok[old] = new_id
    return ok


def _renamed_stages(a: Journey, b: Journey, tp_renames: dict[str, str]) -> dict[str, str]:
    """Stages whose id changed and nothing else but name or description; same touchpoints (by id,
    renamed ones under their new id)."""
    import json

    stages_a, stages_b = _by_id(a.stages), _by_id(b.stages)
    gone, new = stages_a.keys() - stages_b.keys(), stages_b.keys() - stages_a.keys()
    if not gone or not new:
        return {}

    def signature(stage: Any, renames: dict[str, str]) -> str:
        data = stage.model_dump(mode="json", exclude=_RENAME_FREE | {"touchpoints"})
        data["touchpoints"] = [renames.get(tp.id, tp.id) for tp in stage.touchpoints]
        return json.dumps(data, sort_keys=True)

    return _one_to_one({i: signature(stages_a[i], tp_renames) for i in gone},
                       {i: signature(stages_b[i], {}) for i in new})


def _transitions(journey: Journey, renames: dict[str, str] | None = None) -> dict[str, Transition]:
    """Transitions keyed 'from -> to' (a repeated pair gets ' #2', ' #3'...); with `renames`, keyed by
    the touchpoints' new ids, so a transition that followed a renamed touchpoint is the same one."""
    renames = renames or {}
    out: dict[str, Transition] = {}
    for tp in journey.touchpoint_index().values():
        for tr in tp.next:
            key = f"{renames.get(tp.id, tp.id)} -> {renames.get(tr.to, tr.to)}"
            n = 1
            while (key if n == 1 else f"{key} #{n}") in out:
                n += 1
            out[key if n == 1 else f"{key} #{n}"] = tr.model_copy(update={"to": renames.get(tr.to, tr.to)}) \
                if tr.to in renames else tr
    return out


def _touchpoint_changes(a: Journey, b: Journey, renames: dict[str, str] | None = None,
                        stage_renames: dict[str, str] | None = None) -> list[Change]:
    renames, stage_renames = renames or {}, stage_renames or {}
    tps_a = {renames.get(k, k): v for k, v in a.touchpoint_index().items()}
    stage_a = {renames.get(k, k): stage_renames.get(v.id, v.id) for k, v in a.stage_of().items()}
    tps_b, stage_b = b.touchpoint_index(), {k: v.id for k, v in b.stage_of().items()}
    extra = {tp: {"stage": stage_b[tp]} for tp in tps_b}
    out = [Change("touchpoint", new, "renamed", "id", old, new)
           for old, new in sorted(renames.items(), key=lambda kv: kv[1])]
    for ident in sorted(tps_b.keys() - tps_a.keys()):
        out.append(Change("touchpoint", ident, "added", after=_summary("touchpoint", tps_b[ident], **extra[ident])))
    for ident in sorted(tps_a.keys() - tps_b.keys()):
        out.append(Change("touchpoint", ident, "removed",
                          before=_summary("touchpoint", tps_a[ident], stage=stage_a[ident])))
    for ident in sorted(tps_a.keys() & tps_b.keys()):
        if stage_a[ident] != stage_b[ident]:
            out.append(Change("touchpoint", ident, "moved", "stage", stage_a[ident], stage_b[ident]))
        out.extend(_fields("touchpoint", ident, tps_a[ident], tps_b[ident], skip=("id",)))
    return out


_FUNNEL_FIELDS = {"entry", "share", "outcome", "rate"}


def _moves_funnel(c: Change) -> bool:
    """Whether a change can alter the funnel: the graph, the rates, the entries or the outcomes."""
    if c.element in ("transition", "stage") and c.action in ("added", "removed"):
        return True
    if c.element == "touchpoint" and c.action in ("added", "removed"):
        return True
    return c.action == "changed" and c.element in ("touchpoint", "transition") and c.field in _FUNNEL_FIELDS


def funnel_figures(journey: Journey) -> dict[str, Any] | None:
    """Conversion, expected touchpoints and the top leak (touchpoint, share of customers lost there),
    or None when the journey declares no rates (its funnel would be the default even split, not a
    figure anyone measured) or the funnel cannot be computed.

    The funnel module is optional and a journey under review may have rates that are not probabilities;
    neither may stop a diff, so every failure here means "no figure".
    """
    if not any(tr.rate is not None for _, tp in journey.touchpoints() for tr in tp.next):
        return None
    try:
        from ..analysis.funnel import analyse_funnel
    except ImportError:
        return None
    try:
        combined = analyse_funnel(journey).combined
        figures: dict[str, Any] = {"conversion": float(combined.conversion),
                                   "expected_touchpoints": float(combined.expected_touchpoints)}
        leaks = list(combined.leaks)
    except Exception:  # noqa: BLE001 - see the docstring
        return None
    if not all(math.isfinite(v) for v in figures.values()):
        return None
    top = None
    if leaks and math.isfinite(leaks[0][1]):
        tp = journey.touchpoint_index().get(leaks[0][0])
        top = {"touchpoint": leaks[0][0], "share": round(float(leaks[0][1]), 6), "name": tp.name if tp else None}
    figures["top_leak"] = top
    return figures


FUNNEL_FIGURES = ("conversion", "expected_touchpoints", "top_leak")


def funnel_changes(a: Journey, b: Journey, renames: dict[str, str] | None = None) -> list[Change]:
    """The figures that differ; a top leak at a renamed touchpoint is compared under its new id."""
    before, after = funnel_figures(a), funnel_figures(b)
    if before is not None and isinstance(before["top_leak"], dict) and renames:
        leak = before["top_leak"]
        before["top_leak"] = {**leak, "touchpoint": renames.get(leak["touchpoint"], leak["touchpoint"])}
    if before is None and after is None:
        return []
    out = []
    for key in FUNNEL_FIGURES:
        x = None if before is None else before[key]
        y = None if after is None else after[key]
        if isinstance(x, float):
            x = round(x, 6)
        if isinstance(y, float):
            y = round(y, 6)
        if key == "top_leak" and isinstance(x, dict) and isinstance(y, dict) and \
                (x["touchpoint"], x["share"]) == (y["touchpoint"], y["share"]):
            continue  # the same leak (a renamed touchpoint's name may differ)
        if x != y:
            out.append(Change("funnel", b.id, "changed", key, x, y, name=b.title))
    return out
