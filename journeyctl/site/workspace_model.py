"""What the site knows about the whole workspace after the first pass: small records, never models.

The first pass reads each journey once and keeps an `IndexEntry` (one index row), the catalog
definitions and who uses them, and the cross-journey links; the second pass renders each journey page
against these, one model at a time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from ..format.model import Journey

CATALOG_KINDS = ("personas", "teams", "channels", "metrics")
SINGULAR = {"personas": "persona", "teams": "team", "channels": "channel", "metrics": "metric"}
_UNIT_DAYS = {"min": 1 / 1440, "h": 1 / 24, "d": 1, "w": 7}


def duration_days(text: str) -> float:
    match = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)(min|h|d|w)", text)
    if not match:
        raise ValueError(f"not a duration: {text!r}")
    return float(match[1]) * _UNIT_DAYS[match[2]]


def review_state(reviewed: str | None, every: str, today: date, status: str = "active") -> str:
    """'fresh', 'stale', 'never', or 'unchecked' for a map the stale-journey rule does not check.

    The site must agree with `validate`: retired journeys are never due, and a draft without a review
    date is work in progress rather than overdue ('unchecked'); a draft with an old date is stale.
    """
    if status == "retired":
        return "unchecked"
    if not reviewed:
        return "never" if status == "active" else "unchecked"
    try:
        last = date.fromisoformat(reviewed)
    except ValueError:
        return "never"
    if last > today:  # a review in the future is no review (validate's stale-journey says so too)
        return "never"
    try:
        due = last + timedelta(days=duration_days(every))
    except ValueError:
        return "never"
    except OverflowError:  # a period reaching past year 9999 never runs out
        return "fresh"
    return "stale" if due < today else "fresh"


def is_due(review: str) -> bool:
    """Whether a review state is one the stale-journey rule reports."""
    return review in ("stale", "never")


@dataclass
class IndexEntry:
    """One row of the index: a journey, or a file that is not a valid journey."""

    slug: str
    file: str
    valid: bool
    id: str = ""
    title: str = ""
    description: str = ""
    owner: str = ""
    owner_name: str = ""  # the team's name, shown to people; `owner` stays the id
    text: str = ""  # everything a reader may search for: names, goals, pain points, opportunities, ids
    status: str = ""
    state: str = ""
    reviewed: str = ""
    review: str = "never"          # fresh / stale / never / unchecked (see review_state)
    stages: int = 0
    touchpoints: int = 0
    tags: tuple[str, ...] = ()
    findings: dict[str, int] = field(default_factory=lambda: {"error": 0, "warning": 0, "info": 0})

    @property
    def page(self) -> str:
        return f"journeys/{self.slug}.html"

    @property
    def display_title(self) -> str:
        return self.title or self.file


@dataclass
class CatalogItem:
    kind: str
    id: str
    label: str
    fields: dict[str, Any]                       # the first definition, as plain data
    defined_in: list[str] = field(default_factory=list)   # catalog file paths or journey slugs
    defined_by_journey: list[bool] = field(default_factory=list)
    used_by: set[str] = field(default_factory=set)        # journey slugs


@dataclass
class CrossLink:
    source_slug: str
    source: str          # touchpoint id
    journey: str         # target journey id
    target: str          # target touchpoint id


@dataclass
class WorkspaceIndex:
    entries: list[IndexEntry] = field(default_factory=list)
    slug_by_id: dict[str, str] = field(default_factory=dict)     # journey id -> slug of its first file
    id_by_slug: dict[str, str] = field(default_factory=dict)     # page slug -> the id of its journey
    touchpoints_by_id: dict[str, frozenset[str]] = field(default_factory=dict)
    touchpoint_names: dict[str, dict[str, str]] = field(default_factory=dict)  # journey id -> tp id -> name
    # journey id -> kind -> id -> name, for what a journey defines itself: two journeys may each define a
    # team `support` with its own name, and each page (and each link into that journey) uses its own.
    local_names: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)
    catalog: dict[str, dict[str, CatalogItem]] = field(default_factory=lambda: {k: {} for k in CATALOG_KINDS})
    links: list[CrossLink] = field(default_factory=list)
    catalog_files: list[str] = field(default_factory=list)
    _taken: set[str] = field(default_factory=set)
    _pending: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # uses seen before a definition

    def new_slug(self, base: str) -> str:
        """A page name unique even on case-insensitive file systems (Foo and foo would collide)."""
        base = re.sub(r"[^A-Za-z0-9_.-]", "-", base).strip(".-") or "journey"
        slug, n = base, 1
        while slug.casefold() in self._taken:
            n += 1
            slug = f"{base}-{n}"
        self._taken.add(slug.casefold())
        return slug

    def define(self, kind: str, item: Any, where: str, by_journey: bool) -> None:
        self.define_data(kind, item.id, item.label, definition_data(item), where, by_journey)

    def define_data(self, kind: str, item_id: str, label: str, data: dict[str, Any], where: str,
                    by_journey: bool) -> None:
        """`define` from plain data (a cached journey record, site.page_cache)."""
        known = self.catalog[kind].get(item_id)
        if known is None:
            known = self.catalog[kind][item_id] = CatalogItem(kind, item_id, label, data)
        known.defined_in.append(where)
        known.defined_by_journey.append(by_journey)

    def register_journey(self, entry: IndexEntry, journey: Journey) -> None:
        """Record what other pages need of this journey (its entry row is appended by the caller)."""
        self.register_data(entry, registration(journey))

    def register_data(self, entry: IndexEntry, data: dict[str, Any]) -> None:
        """`register_journey` from the journey's `registration` data (cached by site.page_cache)."""
        self.slug_by_id.setdefault(data["id"], entry.slug)
        self.id_by_slug[entry.slug] = data["id"]
        self.touchpoints_by_id.setdefault(data["id"], frozenset(data["touchpoints"]))
        # reversed: the first definition of a touchpoint id wins
        self.touchpoint_names.setdefault(data["id"], dict(reversed(data["names"])))
        local: dict[str, dict[str, str]] = {kind: {} for kind in CATALOG_KINDS}
        for kind, item_id, label, _ in data["defines"]:
            local[kind][item_id] = label
        self.local_names.setdefault(data["id"], local)
        for kind, item_id, label, fields in data["defines"]:
            self.define_data(kind, item_id, label, fields, entry.slug, True)
        for kind, ids in data["uses"].items():
            for item_id in ids:
                known = self.catalog[kind].get(item_id)
                if known is not None:
                    known.used_by.add(entry.slug)
                else:
                    # Used before (or without) a definition: remember the use, the definition may follow.
                    self._pending.setdefault((kind, item_id), set()).add(entry.slug)
        for source, journey_id, target in data["links"]:
            self.links.append(CrossLink(entry.slug, source, journey_id, target))

    def finish(self) -> None:
        for (kind, item_id), slugs in self._pending.items():
            known = self.catalog[kind].get(item_id)
            if known is not None:
                known.used_by |= slugs
        self._pending.clear()

    def incoming(self) -> dict[str, list[CrossLink]]:
        """Journey id -> the links that lead into it, sorted."""
        out: dict[str, list[CrossLink]] = {}
        for link in self.links:
            out.setdefault(link.journey, []).append(link)
        for links in out.values():
            links.sort(key=lambda l: (l.source_slug, l.source, l.target))
        return out


def definition_data(item: Any) -> dict[str, Any]:
    return item.model_dump(exclude_none=True, exclude_defaults=True)


def registration(journey: Journey) -> dict[str, Any]:
    """What `register_journey` takes from a journey, as JSON data (ids, definitions, uses, links)."""
    return {
        "id": journey.id,
        "touchpoints": [tp.id for _, tp in journey.touchpoints()],
        "names": [[tp.id, tp.label] for _, tp in journey.touchpoints()],
        "defines": [[kind, item.id, item.label, definition_data(item)]
                    for kind in CATALOG_KINDS for item in getattr(journey, kind)],
        "uses": {kind: sorted(ids) for kind, ids in uses(journey).items()},
        "links": [[tp.id, tr.journey, tr.target] for _, tp in journey.touchpoints() for tr in tp.next
                  if tr.journey is not None and tr.journey != journey.id],
    }


def uses(journey: Journey) -> dict[str, set[str]]:
    """Catalog ids a journey references, by kind."""
    out: dict[str, set[str]] = {k: set() for k in CATALOG_KINDS}
    if journey.owner:
        out["teams"].add(journey.owner)
    for stage in journey.stages:
        out["metrics"].update(stage.kpis)
        for tp in stage.touchpoints:
            out["personas"].update(tp.personas)
            out["metrics"].update(tp.kpis)
            if tp.owner:
                out["teams"].add(tp.owner)
            if tp.channel:
                out["channels"].add(tp.channel)
    return out
