"""One journey's page: its views, personas, stages, hand-offs, pain points, findings and links."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Mapping, Sequence

from ..check.findings import Finding
from ..format.model import Journey, Touchpoint
from ..analysis.stats import JourneyStats, Matrix, MissingHandoff, StatsReport
from .html import a, badge, esc, external, heat_cell, page, table, text_list, ul
from .views import VIEW_TITLES, ViewOutput
from .workspace_model import CatalogItem, CrossLink, IndexEntry, WorkspaceIndex

ROOT = "../"
DOT = " \u00b7 "


@dataclass
class PageContext:
    """The workspace as the second pass sees it."""

    index: WorkspaceIndex
    stats: StatsReport
    owners: dict[str, dict[str, str]]                # journey id -> touchpoint id -> owner team
    missing_by_file: dict[str, list[MissingHandoff]]
    incoming: dict[str, list[CrossLink]]
    stats_by_file: dict[str, JourneyStats]
    titles: dict[str, str]                           # slug -> title shown for it
    journey: str | None = None                       # the journey whose page is being written

    def slug_of(self, journey_id: str) -> str | None:
        return self.index.slug_by_id.get(journey_id)

    def catalog_item(self, kind: str, item_id: str) -> CatalogItem | None:
        return self.index.catalog[kind].get(item_id)

    # What a journey page reads of the rest of the workspace goes through these methods, so the page
    # cache (site.page_cache) can record the answers and reuse the page while they stay the same.
    def touchpoints_of(self, journey_id: str) -> frozenset[str]:
        return self.index.touchpoints_by_id.get(journey_id, frozenset())

    def stats_of(self, file: str) -> JourneyStats | None:
        return self.stats_by_file.get(file)

    def owner_of(self, journey_id: str, touchpoint: str) -> str | None:
        return self.owners.get(journey_id, {}).get(touchpoint)

    def missing_in(self, file: str) -> list[MissingHandoff]:
        return self.missing_by_file.get(file, [])

    def incoming_to(self, journey_id: str) -> list[CrossLink]:
        return self.incoming.get(journey_id, [])

    def title_of(self, slug: str) -> str:
        return self.titles.get(slug, slug)

    def touchpoint_name(self, journey_id: str, touchpoint: str) -> str:
        return self.index.touchpoint_names.get(journey_id, {}).get(touchpoint, touchpoint)

    def journey_at(self, slug: str) -> str:
        return self.index.id_by_slug.get(slug, "")

    def local_name(self, journey_id: str, kind: str, item_id: str) -> str | None:
        return self.index.local_names.get(journey_id, {}).get(kind, {}).get(item_id)

    def catalog_labels(self, kind: str) -> dict[str, str]:
        return {item_id: item.label for item_id, item in self.index.catalog[kind].items()}

    def for_journey(self, journey_id: str) -> "PageContext":
        """The context of one journey's page: catalog names as that journey defines them."""
        return replace(self, journey=journey_id)


def ref(ctx: PageContext, kind: str, item_id: str, journey_id: str | None = None) -> str:
    """A catalog reference: its label linked to the catalog page, or the bare id if nothing defines it.

    The label is the one the journey (`journey_id`, else the page's) defines itself, if it does: the
    catalog keeps the first definition of an id, and another journey may name its `support` otherwise.
    """
    item = ctx.catalog_item(kind, item_id)
    if item is None:
        return f'{esc(item_id)} <span class="badge error" title="not defined in the workspace">undefined</span>'
    singular = {"personas": "persona", "teams": "team", "channels": "channel", "metrics": "metric"}[kind]
    local = ctx.local_name(journey_id or ctx.journey or "", kind, item_id)
    return a(f"{ROOT}catalog.html#{singular}-{item_id}", local or item.label)


def journey_link(ctx: PageContext, journey_id: str, touchpoint: str | None = None) -> str:
    """A touchpoint (or journey) of another journey, by name: "Ticket raised in <journey title>".

    Ids only where the workspace does not know the journey or the touchpoint (with a badge saying so).
    """
    slug = ctx.slug_of(journey_id)
    text = f"{journey_id}/{touchpoint}" if touchpoint else journey_id
    if slug is None:
        return f'{esc(text)} {badge("not in workspace", "error")}'
    known = touchpoint is None or touchpoint in ctx.touchpoints_of(journey_id)
    if not known:
        return f'{a(f"{slug}.html", text)} {badge("unknown touchpoint", "error")}'
    title = ctx.title_of(slug)
    if touchpoint is None:
        return a(f"{slug}.html", title)
    name = ctx.touchpoint_name(journey_id, touchpoint)
    return f'{a(f"{slug}.html#tp-{touchpoint}", name)} <span class="muted">in {esc(title)}</span>'


def _signed(value: int | None) -> str:
    return "" if value is None else (f"+{value}" if value > 0 else str(value).replace("-", "\u2212"))


def render_journey_page(journey: Journey, entry: IndexEntry, findings: Sequence[Finding],
                        source_lines: Sequence[str], views: Sequence[ViewOutput], ctx: PageContext,
                        coverage: StatsReport) -> str:
    ctx = ctx.for_journey(journey.id)  # catalog names as this journey defines them
    tp_index = journey.touchpoint_index()
    stats = ctx.stats_of(entry.file)
    parts: list[str] = [f"<h1>{esc(journey.title)}</h1>"]
    if journey.description:
        parts.append(f'<p class="lead">{esc(journey.description)}</p>')
    parts.append(_meta(journey, entry, ctx))
    if stats is not None:
        parts.append(_stat_cards(stats, len(findings)))
    if journey.objectives:
        parts.append("<h2>Objectives</h2>" + text_list(journey.objectives))
    if journey.links:
        parts.append("<h2>Related documents</h2>" + ul(external(l.url, l.title) for l in journey.links))

    from .funnel_section import funnel_section

    parts.append(funnel_section(journey))
    parts.append('<h2 id="views">Views</h2>')
    if not views:
        parts.append('<p class="muted">No views were requested for this site (--views).</p>')
    for i, view in enumerate(views):
        parts.append(_view(view, open_=(i == 0)))

    parts.append(_personas(journey, ctx))
    parts.append(_stages(journey, ctx))
    parts.append(_handoffs(journey, entry, ctx, tp_index))
    parts.append(_pain_points(journey))
    parts.append(_findings(findings, source_lines))
    parts.append(_links(journey, entry, ctx))
    parts.append(_coverage(coverage, journey, ctx))
    from .assets import ZOOM_JS

    return page(journey.title, "\n".join(p for p in parts if p), root=ROOT,
                script=ZOOM_JS if any(v.svg is not None for v in views) else None)


def _meta(journey: Journey, entry: IndexEntry, ctx: PageContext) -> str:
    unchecked = badge("not checked (retired)" if journey.status == "retired" else "not reviewed yet (draft)")
    review = {"stale": badge("review overdue", "stale"), "never": badge("never reviewed", "stale"),
              "fresh": badge("up to date", "fresh"), "unchecked": unchecked}[entry.review]
    rows = [("Id", f"<code>{esc(journey.id)}</code>"),
            ("File", f"<code>{esc(entry.file)}</code>"),
            ("Owner", ref(ctx, "teams", journey.owner) if journey.owner else '<span class="muted">none</span>'),
            ("Status", badge(journey.status, journey.status) + " " + badge(journey.state, journey.state)),
            ("Last reviewed", f"{esc(journey.reviewed or 'never')} {review}"
             + (f' <span class="muted">(every {esc(journey.review_every)})</span>' if journey.review_every else "")),
            ]
    if journey.tags:
        rows.append(("Tags", " ".join(badge(t) for t in journey.tags)))
    return '<dl class="meta">' + "".join(f"<dt>{esc(k)}</dt><dd>{v}</dd>" for k, v in rows) + "</dl>"


def _stat_cards(stats: JourneyStats, findings: int) -> str:
    p = stats.paths
    avg = "-" if p.average is None else f"{p.average:.2f}".rstrip("0").rstrip(".")
    items = [("stages", stats.stages), ("touchpoints", stats.touchpoints), ("hand-offs", stats.handoffs),
             ("missing hand-offs", stats.missing_handoffs), ("entries", stats.entries),
             ("outcomes", stats.outcomes),
             ("shortest path", "-" if p.shortest is None else p.shortest), ("average path", avg),
             ("longest path", "-" if p.longest is None else p.longest), ("findings", findings)]
    return ('<div class="stats">' + "".join(f'<div class="stat"><b>{esc(v)}</b><span>{esc(k)}</span></div>'
                                            for k, v in items) + "</div>"
            + '<p class="muted">Paths count touchpoints from an entry to a converting outcome, both included: '
              "shortest and average use each entry's nearest conversion; longest is the longest route, each "
              "loop counted once.</p>")


def _named_svg(svg: str, name: str) -> str:
    """The inline SVG as one image with an accessible name (Graphviz writes no name on the root)."""
    return svg.replace("<svg ", f'<svg role="img" aria-label="{esc(name)}" ', 1)


def _view(view: ViewOutput, open_: bool) -> str:
    title = VIEW_TITLES.get(view.view, view.view)
    if view.svg is not None:
        # Focusable, so the keyboard can scroll it; named, so a screen reader says what the picture is.
        inner = (f'<div class="figure fit" tabindex="0" role="group" aria-label="{esc(title)} (scrollable)">'
                 f"{_named_svg(view.svg, title)}</div>")
    else:
        inner = (f'<div class="placeholder"><strong>Diagram not rendered.</strong> {esc(view.note or "")}. '
                 "The Mermaid source below renders in any Mermaid viewer (GitHub, GitLab, mermaid.live).</div>"
                 f'<pre class="mermaid-source">{esc(view.mermaid or "")}</pre>')
    return (f'<details class="view" id="view-{esc(view.view)}"{" open" if open_ else ""}>'
            f"<summary>{esc(title)}</summary>{inner}</details>")


def _personas(journey: Journey, ctx: PageContext) -> str:
    cards = []
    local = {p.id for p in journey.personas}
    for persona in journey.personas:
        cards.append(_persona_card(persona.id, persona.label, persona.model_dump(), "declared in this journey"))
    referenced = sorted({pid for _, tp in journey.touchpoints() for pid in tp.personas} - local)
    for pid in referenced:
        item = ctx.catalog_item("personas", pid)
        if item is None:
            cards.append(f'<div class="card"><h3>{esc(pid)}</h3>{badge("undefined", "error")}</div>')
        else:
            cards.append(_persona_card(pid, item.label, item.fields,
                                       None, a(f"{ROOT}catalog.html#persona-{pid}", "catalog")))
    if not cards:
        return '<h2 id="personas">Personas</h2><p class="muted">No persona declared or referenced.</p>'
    return '<h2 id="personas">Personas</h2><div class="cards">' + "".join(cards) + "</div>"


def _persona_card(pid: str, label: str, data: dict, note: str | None, link: str | None = None) -> str:
    parts = [f'<div class="card" id="persona-{esc(pid)}"><h3>{esc(label)}</h3>']
    if data.get("role"):
        parts.append(f"<p>{esc(data['role'])}</p>")
    for key, title in (("goals", "Goals"), ("needs", "Needs"), ("pain_points", "Pain points")):
        if data.get(key):
            parts.append(f"<strong>{title}</strong>" + text_list(data[key]))
    parts.append(f'<p class="muted">{esc(note) if note else ""}{"defined in the " + link if link else ""}</p></div>')
    return "".join(parts)


def _tp_item(tp: Touchpoint, ctx: PageContext, anchor: bool) -> str:
    meta = []
    if tp.channel:
        meta.append(ref(ctx, "channels", tp.channel))
    if tp.owner:
        meta.append(ref(ctx, "teams", tp.owner))
    flags = []
    if tp.entry:
        flags.append(badge("entry", "info"))
    if tp.outcome:
        flags.append(badge(tp.outcome, "active" if tp.outcome in ("converted", "retained", "advocate") else "error"))
    if tp.moment_of_truth:
        flags.append(badge("moment of truth", "warning"))
    if tp.milestone:
        flags.append(badge(tp.milestone if isinstance(tp.milestone, str) else "milestone"))
    ident = f' id="tp-{esc(tp.id)}"' if anchor else ""
    return (f"<li{ident}><strong>{esc(tp.label)}</strong> {' '.join(flags)}"
            f'<div class="tp-meta">{DOT.join(meta)}</div></li>')


def _stages(journey: Journey, ctx: PageContext) -> str:
    rows = []
    seen: set[str] = set()
    for stage in journey.stages:
        customer = stage.customer
        dtf = []
        if customer is not None:
            for key, label in (("does", "Does"), ("thinks", "Thinks"), ("feels", "Feels")):
                value = getattr(customer, key)
                if value:
                    dtf.append(f"<strong>{label}:</strong> {esc(value)}")
        if stage.emotion is not None:
            dtf.append(f"<strong>Emotion:</strong> {esc(_signed(stage.emotion))}")
        items = []
        for tp in stage.touchpoints:
            items.append(_tp_item(tp, ctx, anchor=tp.id not in seen))
            seen.add(tp.id)
        kpis = [ref(ctx, "metrics", k) + _target(ctx, k) for k in stage.kpis]
        tps = f'<ul class="tps">{"".join(items)}</ul>' if items else badge("no touchpoint", "error")
        rows.append([f'<strong id="stage-{esc(stage.id)}">{esc(stage.label)}</strong>',
                     esc(stage.goal or ""), "<br>".join(dtf), ul(kpis, "plain"), tps])
    return '<h2 id="stages">Stages</h2>' + table(["Stage", "Goal", "Does / thinks / feels", "KPIs", "Touchpoints"],
                                                 rows, cls="stages")


def _target(ctx: PageContext, metric: str) -> str:
    item = ctx.catalog_item("metrics", metric)
    if item is None or item.fields.get("target") is None:
        return ""
    unit = item.fields.get("unit", "")
    arrow = {"up": " \u2191", "down": " \u2193"}.get(item.fields.get("direction", ""), "")
    return f' <span class="muted">(target {esc(_num(item.fields["target"]))}{esc(" " + unit if unit else "")}{arrow})</span>'


def _num(value: float) -> str:
    return f"{value:g}"


def _handoffs(journey: Journey, entry: IndexEntry, ctx: PageContext, tp_index: dict[str, Touchpoint]) -> str:
    rows = []
    for _, tp in journey.touchpoints():
        for tr in tp.next:
            if tr.handoff is None:
                continue
            h = tr.handoff
            if tr.journey is not None and tr.journey != journey.id:
                target = journey_link(ctx, tr.journey, tr.target)
                to_team = ctx.owner_of(tr.journey, tr.target)
            else:
                other = tp_index.get(tr.target)
                target = a(f"#tp-{tr.target}", other.label) if other else esc(tr.to)
                to_team = other.owner if other else None
            to_journey = tr.journey if tr.journey is not None and tr.journey != journey.id else None
            rows.append([a(f"#tp-{tp.id}", tp.label), ref(ctx, "teams", tp.owner) if tp.owner else "",
                         target, ref(ctx, "teams", to_team, to_journey) if to_team else "", esc(h.trigger or ""),
                         f"<strong>{esc(h.sla)}</strong>" if h.sla else badge("no SLA", "warning"),
                         esc(h.via or "")])
    out = ['<h2 id="handoffs">Hand-offs</h2>']
    if rows:
        out.append(table(["From", "Team", "To", "Team", "Trigger", "SLA", "Via"], rows))
    else:
        out.append('<p class="muted">No hand-off declared.</p>')
    missing = ctx.missing_in(entry.file)
    if missing:
        out.append(f"<h3>Missing hand-offs ({len(missing)})</h3>"
                   '<p class="muted">Transitions between touchpoints of different teams with no '
                   "<code>handoff</code>: who passes the customer on, how fast, through what?</p>")
        mrows = []
        for m in missing:
            target = (journey_link(ctx, *m.target.split("/", 1)) if "/" in m.target
                      else a(f"#tp-{m.target}", tp_index[m.target].label if m.target in tp_index else m.target))
            source = tp_index[m.source].label if m.source in tp_index else m.source
            to_journey = m.target.split("/", 1)[0] if "/" in m.target else None
            mrows.append([str(m.line), a(f"#tp-{m.source}", source), ref(ctx, "teams", m.from_team), target,
                          ref(ctx, "teams", m.to_team, to_journey)])
        out.append(table(["Line", "From", "Team", "To", "Team"], mrows, numeric=[0]))
    return "".join(out)


def _pain_points(journey: Journey) -> str:
    rows = []
    for stage, tp in journey.touchpoints():
        if not tp.pain_points and not tp.opportunities:
            continue
        rows.append([a(f"#tp-{tp.id}", tp.label), esc(stage.label), esc(_signed(tp.emotion)),
                     text_list(tp.pain_points) or '<span class="muted">-</span>',
                     text_list(tp.opportunities) or badge("no opportunity yet", "warning")])
    if not rows:
        return '<h2 id="pain-points">Pain points and opportunities</h2><p class="muted">No pain point recorded.</p>'
    return ('<h2 id="pain-points">Pain points and opportunities</h2>'
            + table(["Touchpoint", "Stage", "Emotion", "Pain points", "Opportunities"], rows))


def _findings(findings: Sequence[Finding], source_lines: Sequence[str]) -> str:
    if not findings:
        return '<h2 id="findings">Findings</h2><p>No findings: the journey passes every enabled rule.</p>'
    rows = []
    for f in findings:
        line = source_lines[f.line - 1] if 0 < f.line <= len(source_lines) else ""
        if len(line) > 240:
            line = line[:240] + "\u2026"
        rows.append([badge(f.severity, f.severity), f"{f.line}:{f.column}", f"<code>{esc(f.rule)}</code>",
                     esc(f.message), f'<code class="src">{esc(line.rstrip())}</code>'])
    return (f'<h2 id="findings">Findings ({len(findings)})</h2>'
            + table(["Severity", "Line", "Rule", "Message", "Source line"], rows))


def _links(journey: Journey, entry: IndexEntry, ctx: PageContext) -> str:
    tp_index = journey.touchpoint_index()
    out = []
    for _, tp in journey.touchpoints():
        for tr in tp.next:
            if tr.journey is not None and tr.journey != journey.id:
                out.append(f'{a(f"#tp-{tp.id}", tp.label)} \u2192 {journey_link(ctx, tr.journey, tr.target)}'
                           + (f' <span class="muted">({esc(tr.when)})</span>' if tr.when else ""))
    incoming = []
    for link in ctx.incoming_to(journey.id):
        if link.source_slug == entry.slug:
            continue
        title = ctx.title_of(link.source_slug)
        source = ctx.touchpoint_name(ctx.journey_at(link.source_slug), link.source)
        target = tp_index[link.target].label if link.target in tp_index else link.target
        incoming.append(f'{a(f"{link.source_slug}.html#tp-{link.source}", source)} '
                        f'<span class="muted">in {esc(title)}</span> \u2192 {a(f"#tp-{link.target}", target)}')
    html = ['<h2 id="leads-into">Leads into other journeys</h2>']
    html.append(ul(out) if out else '<p class="muted">No transition leaves this journey.</p>')
    if incoming:
        html.append("<h3>Journeys leading here</h3>" + ul(incoming))
    return "".join(html)


def named(item_id: str, names: Mapping[str, str]) -> str:
    """A persona, channel or team as people know it: its name, with the id under it in small type."""
    name = names.get(item_id)
    if not name or name == item_id:
        return esc(item_id)
    return f'{esc(name)}<div class="tp-meta"><code>{esc(item_id)}</code></div>'


def matrix_table(matrix: Matrix, label: str, totals: bool = True, names: Mapping[str, str] | None = None,
                 columns: Mapping[str, str] | None = None) -> str:
    """Touchpoints per row item and stage; `names` and `columns` give rows and stage columns their names."""
    if not matrix.rows:
        return '<p class="muted">No touchpoint.</p>'
    top = matrix.maximum
    rows = []
    for row, values in zip(matrix.rows, matrix.cells):
        cells = [named(row, names or {})] + [heat_cell(v, top) for v in values]
        if totals:
            cells.append(f'<td class="num"><strong>{sum(values)}</strong></td>')
        rows.append(cells)
    header = [f"{label} \\ stage", *((columns or {}).get(c, c) for c in matrix.columns)] + (["total"] if totals else [])
    return table(header, rows, numeric=range(1, len(header)), cls="matrix")


def catalog_names(ctx: "PageContext | WorkspaceIndex", kind: str) -> dict[str, str]:
    """Id -> name of the workspace's personas, channels or teams (catalogs and journeys together)."""
    if isinstance(ctx, WorkspaceIndex):
        return {item_id: item.label for item_id, item in ctx.catalog[kind].items()}
    return ctx.catalog_labels(kind)


def _coverage(report: StatsReport, journey: Journey, ctx: PageContext) -> str:
    stages = {s.id: s.label for s in journey.stages}

    def names(kind: str) -> dict[str, str]:  # the journey's own definitions first, as on the rest of its page
        return {**catalog_names(ctx, kind), **{item.id: item.label for item in getattr(journey, kind)}}

    return ('<h2 id="coverage">Coverage</h2><p class="muted">Touchpoints per persona, channel and team in each '
            "stage of this journey.</p>"
            + "<h3>Personas</h3>" + matrix_table(report.persona_stage, "persona", names=names("personas"),
                                                 columns=stages)
            + "<h3>Channels</h3>" + matrix_table(report.channel_stage, "channel", names=names("channels"),
                                                 columns=stages)
            + "<h3>Teams</h3>" + matrix_table(report.team_stage, "team", names=names("teams"),
                                              columns=stages))



def render_invalid_page(entry: IndexEntry, findings: Sequence[Finding], source_lines: Sequence[str]) -> str:
    body = (f"<h1>{esc(entry.file)}</h1>"
            f'<p class="lead">{badge("not a valid journey", "error")} This file could not be read as a journey, '
            "so it has no map. Fix the findings below (<code>journeyctl validate</code> reports the same).</p>"
            + _findings(findings, source_lines))
    return page(entry.file, body, root=ROOT)
