"""A workspace: many journeys and shared catalogs, checked across files.

Files are checked one at a time (so they can be cached and run in parallel); each leaves a small
`JourneySummary`. The cross-file questions — duplicate journey ids, links into other journeys,
catalog entries nobody uses — are answered here in a second pass over the summaries, so a run never
holds every journey in memory and a partial run (pre-commit passing a few files) resolves against
the same workspace as a full one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from .discovery import CATALOG_PATTERNS, CATALOG_SUFFIXES
from .findings import Finding, format_path
from ..format.model import CATALOG_KINDS, Journey
from ..rules import Workspace

if TYPE_CHECKING:
    from ..format.loader import Document

# Rules whose findings (some or all) come from the second pass: their suppressions are judged there.
CROSS_FILE_RULES = frozenset({"duplicate-id", "unknown-reference", "journey-link-not-entry",
                              "persona-without-journey", "unused-definition", "missing-handoff"})
_SINGULAR = {"personas": "persona", "teams": "team", "channels": "channel", "metrics": "metric"}


def is_catalog(path: Path | str) -> bool:
    return str(path).endswith(CATALOG_SUFFIXES)


@dataclass(slots=True)
class Link:
    source: str  # touchpoint id
    journey: str
    target: str
    line: int
    column: int
    path: str
    owner: str | None = None  # the source touchpoint's team
    handoff: bool = False  # the transition declares a hand-off
    anchor: str = ""  # the path by ids (journeyctl.identity.anchor): the finding's identity uses it


@dataclass(slots=True)
class JourneySummary:
    """What the second pass needs to know of one checked journey (small and picklable)."""

    file: str
    id: str
    line: int
    column: int
    # Touchpoint and entry ids joined by newlines: a run keeps one summary per journey of the workspace,
    # and one string costs a fraction of a set; sets are built only for journeys that links lead into.
    touchpoints: str
    entries: str
    uses: dict[str, frozenset[str]]
    links: list[Link] = field(default_factory=list)
    suppressions: list[tuple[int, int, int, tuple[str, ...], frozenset[str]]] = field(default_factory=list)
    # "entry-id\towner" lines for entries with an owner: a link lands on an entry, and crossing teams there
    # needs a hand-off as much as inside one journey.
    entry_owners: str = ""


@dataclass
class CatalogEntry:
    kind: str
    id: str
    file: str
    line: int
    column: int
    path: str
    anchor: str = ""  # the path by ids, e.g. teams[sales].id


def journey_uses(journey: Journey) -> dict[str, frozenset[str]]:
    """Ids the journey references, by catalog kind (declared locally or not)."""
    personas: set[str] = set()
    teams: set[str] = {journey.owner} if journey.owner else set()
    channels: set[str] = set()
    metrics: set[str] = set()
    for stage in journey.stages:
        metrics.update(stage.kpis)
        for tp in stage.touchpoints:
            personas.update(tp.personas)
            metrics.update(tp.kpis)
            if tp.owner:
                teams.add(tp.owner)
            if tp.channel:
                channels.add(tp.channel)
    return {"personas": frozenset(personas), "teams": frozenset(teams), "channels": frozenset(channels),
            "metrics": frozenset(metrics)}


def summarize(journey: Journey, locate, display: str) -> JourneySummary:
    """The journey's summary; `locate(path) -> (line, column)` positions its id and links."""
    from .identity import anchor

    line, column = locate(("id",))
    links = []
    for _, tp in journey.touchpoints():
        for tr in tp.next:
            if tr.journey is not None and tr.journey != journey.id:  # `own-id/tp` is a local transition
                path = tr.path_of("to")
                l, c = locate(path)
                links.append(Link(tp.id, tr.journey, tr.target, l, c, format_path(path), tp.owner,
                                  tr.handoff is not None, anchor(journey, path)))
    touchpoints = "\n".join(sorted({tp.id for _, tp in journey.touchpoints()}))
    entry_tps = sorted((tp.id, tp.owner) for _, tp in journey.touchpoints() if tp.entry)
    entries = "\n".join(sorted({tp_id for tp_id, _ in entry_tps}))
    owners = "\n".join(f"{tp_id}\t{owner}" for tp_id, owner in entry_tps if owner)
    return JourneySummary(display, journey.id, line, column, touchpoints, entries, journey_uses(journey), links,
                          entry_owners=owners)


def catalog_overlaps(journey: Journey, locate, display: str, workspace: Workspace | None) -> list[Finding]:
    """An id a journey declares that a catalog also defines: two definitions, one of them silently wins."""
    if workspace is None:
        return []
    out = []
    for kind in CATALOG_KINDS:
        shared = getattr(workspace, kind)
        for item in getattr(journey, kind):
            if item.id in shared:
                file, other = shared[item.id]
                line, column = locate(item.path_of("id"))
                out.append(Finding("duplicate-id", "error", display, line, column,
                                   f"{_SINGULAR[kind]} '{item.id}' is also defined in the catalog {file}:{other}; "
                                   "keep one definition", format_path(item.path_of("id"))))
    return out


def load_catalogs(files: Iterable[Path], config) -> tuple[Workspace, list[CatalogEntry], dict[str, list[Finding]]]:
    """Read every catalog file: the shared ids, their definitions, and each catalog file's own findings."""
    from .files import display_path, read_document

    return collect_catalogs((display_path(p), *read_document(p, config)) for p in sorted(files, key=str))


def collect_catalogs(documents: Iterable[tuple[str, Document | None, list[Finding]]]
                     ) -> tuple[Workspace, list[CatalogEntry], dict[str, list[Finding]]]:
    """Loaded catalog documents (or the findings of those that did not load) → the shared catalogs."""
    from pydantic import ValidationError

    from ..format.model import Catalog

    workspace = Workspace()
    entries: list[CatalogEntry] = []
    findings: dict[str, list[Finding]] = {}
    datas: dict[str, object] = {}  # each catalog's data: ids replace indices in its findings' identities
    for display, doc, problems in documents:
        own = findings.setdefault(display, list(problems))
        if doc is None:
            continue
        datas[display] = doc.data
        own.extend(Finding(p.rule, "error", display, p.line, p.column, p.message, format_path(p.path))
                   for p in doc.problems)
        if doc.ambiguous:
            from ..format.yaml12 import ambiguity_findings

            own.extend(ambiguity_findings(doc, display, "catalog")[0])
        if not isinstance(doc.data, dict):
            own.append(Finding("schema", "error", display, 1, 1, "a catalog file must be a mapping of "
                               "personas, teams, channels and metrics"))
            continue
        try:
            catalog = Catalog.model_validate(doc.data)
        except ValidationError:
            from ..format.schema_errors import schema_findings

            own.extend(schema_findings(doc, display, kind="catalog"))
            continue
        for kind in CATALOG_KINDS:
            defined = getattr(workspace, kind)
            for item in getattr(catalog, kind):
                line, column = doc.locate(item.path_of("id"))
                where = format_path(item.path_of("id"))
                if item.id in defined:
                    file, other = defined[item.id]
                    own.append(Finding("duplicate-id", "error", display, line, column,
                                       f"{_SINGULAR[kind]} '{item.id}' is already defined in {file}:{other}", where))
                    continue
                defined[item.id] = (display, line)
                entries.append(CatalogEntry(kind, item.id, display, line, column, where, f"{kind}[{item.id}].id"))
    from .identity import CATALOG_SCOPE, stamp

    return workspace, entries, {d: stamp(fs, datas.get(d), CATALOG_SCOPE) for d, fs in findings.items()}


def resolve(summaries: list[JourneySummary], entries: list[CatalogEntry], severities: dict[str, str],
            journey_scope: bool = True) -> dict[str, list[Finding]]:
    """The cross-file findings, by file: duplicate journey ids, links, unused catalog entries."""
    out: dict[str, list[Finding]] = {}

    from .identity import CATALOG_SCOPE, compute

    def add(rule: str, file: str, line: int, column: int, message: str, path: str = "", scope: str = "",
            where: str = "") -> None:
        if rule in severities:
            ident = compute(rule, scope, where or path, message)
            out.setdefault(file, []).append(Finding(rule, severities[rule], file, line, column, message, path, ident))

    by_id: dict[str, JourneySummary] = {}
    for summary in sorted(summaries, key=lambda s: s.file):
        first = by_id.setdefault(summary.id, summary)
        if first is not summary:
            add("duplicate-id", summary.file, summary.line, summary.column,
                f"journey id '{summary.id}' is already used by {first.file}:{first.line}; journey ids are unique "
                "in a workspace", "id", f"journey:{summary.id}")
    ids_of: dict[str, tuple[frozenset[str], frozenset[str]]] = {}

    def ids(summary: JourneySummary) -> tuple[frozenset[str], frozenset[str]]:
        if summary.id not in ids_of:
            ids_of[summary.id] = (frozenset(summary.touchpoints.split("\n")) - {""},
                                  frozenset(summary.entries.split("\n")) - {""})
        return ids_of[summary.id]

    owners_of: dict[str, dict[str, str]] = {}

    def owners(summary: JourneySummary) -> dict[str, str]:
        if summary.id not in owners_of:
            owners_of[summary.id] = dict(line.split("\t", 1) for line in summary.entry_owners.split("\n") if line)
        return owners_of[summary.id]

    for summary in summaries:
        for link in summary.links:
            target = by_id.get(link.journey)
            if target is not None:
                touchpoints, target_entries = ids(target)
            if target is None:
                from ..suggest import closest

                hint = closest(link.journey, by_id)
                add("unknown-reference", summary.file, link.line, link.column,
                    f"transition from '{link.source}' leads into unknown journey '{link.journey}'"
                    + (f" (did you mean '{hint}'?)" if hint else ""), link.path,
                    f"journey:{summary.id}", link.anchor)
            elif link.target not in touchpoints:
                from ..suggest import closest

                hint = closest(link.target, touchpoints)
                add("unknown-reference", summary.file, link.line, link.column,
                    f"transition from '{link.source}' leads to '{link.target}', which journey '{link.journey}' "
                    f"({target.file}) does not have" + (f" (did you mean '{hint}'?)" if hint else ""), link.path,
                    f"journey:{summary.id}", link.anchor)
            elif link.target not in target_entries:
                entries_list = ", ".join(sorted(target_entries)) or "none"
                add("journey-link-not-entry", summary.file, link.line, link.column,
                    f"transition from '{link.source}' enters journey '{link.journey}' at '{link.target}', which is "
                    f"not one of its entries ({entries_list})", link.path, f"journey:{summary.id}", link.anchor)
            elif link.owner is not None and not link.handoff:
                receiver = owners(target).get(link.target)
                if receiver is not None and receiver != link.owner:
                    add("missing-handoff", summary.file, link.line, link.column,
                        f"the customer passes from {link.owner} ('{link.source}') to {receiver} "
                        f"('{link.journey}/{link.target}', {target.file}) with no hand-off declared: add "
                        "'handoff' with a trigger and an sla", link.path, f"journey:{summary.id}", link.anchor)
    if journey_scope:
        used: dict[str, set[str]] = {kind: set() for kind in CATALOG_KINDS}
        for summary in summaries:
            for kind, ids in summary.uses.items():
                used[kind].update(ids)
        for entry in entries:
            if entry.id in used[entry.kind]:
                continue
            if entry.kind == "personas":
                add("persona-without-journey", entry.file, entry.line, entry.column,
                    f"catalog persona '{entry.id}' is served by no journey", entry.path, CATALOG_SCOPE, entry.anchor)
            else:
                add("unused-definition", entry.file, entry.line, entry.column,
                    f"catalog {_SINGULAR[entry.kind]} '{entry.id}' is used by no journey", entry.path, CATALOG_SCOPE,
                    entry.anchor)
    return out


def catalog_models(files: list[Path], config: object) -> list:
    """The shared catalogs of the workspaces `files` belong to, as models: for the names pictures, workbooks and
    BPMN lanes show. A broken catalog is skipped (validate says why)."""
    import os

    from ..config import find_config
    from ..format.model import Catalog
    from .discovery import discover
    from .files import read_document

    candidates = {os.path.realpath(f): f for f in files if is_catalog(f)}
    # The workspace roots: the config in use, and the `.journeyctl.yaml` above each journey (a journey
    # rendered from outside its workspace still gets its catalog's names).
    roots = {Path(config.root).resolve()} if getattr(config, "source", None) is not None else set()  # type: ignore[attr-defined]
    for parent in sorted({f.parent.resolve() for f in files if not is_catalog(f)}):
        found = find_config(parent)
        if found is not None and found[1] == "yaml":
            roots.add(found[0].parent)
    for root in sorted(roots):
        try:
            for f in discover([root], config):
                if is_catalog(f):
                    candidates.setdefault(os.path.realpath(f), f)
        except Exception:  # noqa: BLE001 - names are a nicety; never fail a render over them
            continue
    catalogs = []
    for key in sorted(candidates):
        doc, _ = read_document(candidates[key], config)
        if doc is None or not isinstance(doc.data, dict):
            continue
        try:
            catalogs.append(Catalog.model_validate(doc.data))
        except ValueError:
            continue
    return catalogs
