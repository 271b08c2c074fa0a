"""The workspace pages: the journey index, the matrices and the catalog."""

from __future__ import annotations

from typing import Sequence

from ..check.findings import Finding
from ..analysis.stats import StatsReport
from .assets import INDEX_JS
from .html import a, badge, esc, heat_cell, page, scroll_region, table, text_list, url
from .journey_page import catalog_names, matrix_table, named
from .workspace_model import CATALOG_KINDS, SINGULAR, CatalogItem, WorkspaceIndex, is_due

MAX_USERS_LISTED = 30  # journeys listed per catalog entry before "and N more"


def _count(value: int, severity: str, page: str) -> str:
    if not value:
        return '<td class="num zero" data-sort="0">0</td>'
    return f'<td class="num" data-sort="{value}"><a href="{url(page + "#findings")}">{badge(str(value), severity)}</a></td>'


def render_index(index: WorkspaceIndex, catalog_findings: dict[str, list[Finding]]) -> str:
    entries = sorted(index.entries, key=lambda e: (e.display_title.casefold(), e.file))
    statuses = sorted({e.status for e in entries if e.status})
    states = sorted({e.state for e in entries if e.state})
    totals = {k: sum(e.findings[k] for e in entries) for k in ("error", "warning", "info")}
    overdue = sum(1 for e in entries if e.valid and is_due(e.review))
    invalid = sum(1 for e in entries if not e.valid)
    from ..plural import count, severities

    summary = (count(len(entries) - invalid, "journey")
               + (f", {count(invalid, 'invalid file')}" if invalid else "")
               + f"; {overdue} due for review; findings: {severities(totals)}")
    head = [("title", "Title", "text"), ("owner", "Owner", "text"), ("status", "Status", "text"),
            ("state", "State", "text"), ("stages", "Stages", "num"), ("touchpoints", "Touchpoints", "num"),
            ("reviewed", "Last reviewed", "text"), ("errors", "Errors", "num"), ("warnings", "Warnings", "num"),
            ("info", "Info", "num")]
    th = "".join(_th(k, label, t) for k, label, t in head)
    rows = []
    for e in entries:
        search = " ".join([e.title, e.id, e.file, e.owner, e.owner_name, e.status, e.state, *e.tags, e.text]).casefold()
        stale = "1" if e.valid and is_due(e.review) else "0"
        if e.valid:
            title = (f'{a(e.page, e.title)}<div class="tp-meta"><code>{esc(e.id)}</code>'
                     + "".join(" " + badge(t) for t in e.tags) + "</div>")
            review = esc(e.reviewed or "never")
            if e.review == "stale":
                review += " " + badge("stale", "stale")
            elif e.review == "never":
                review += " " + badge("not reviewed", "stale")
            owner = (f'<td data-sort="{esc((e.owner_name or e.owner).casefold())}">{esc(e.owner_name)}'
                     f'<div class="tp-meta"><code>{esc(e.owner)}</code></div></td>'
                     if e.owner_name and e.owner_name != e.owner else esc(e.owner))
            cells = [f'<td data-sort="{esc(e.title.casefold())}">{title}</td>', owner,
                     badge(e.status, e.status), badge(e.state, e.state),
                     f'<td class="num">{e.stages}</td>', f'<td class="num">{e.touchpoints}</td>',
                     f'<td data-sort="{esc(e.reviewed or "0000")}">{review}</td>']
        else:
            cells = [f'<td data-sort="{esc(e.file.casefold())}">{a(e.page, e.file)} {badge("invalid", "error")}</td>',
                     "", badge("invalid", "error"), "", '<td class="num" data-sort="0">-</td>',
                     '<td class="num" data-sort="0">-</td>', '<td data-sort="">-</td>']
        cells += [_count(e.findings[k], k, e.page) for k in ("error", "warning", "info")]
        tds = "".join(c if c.startswith("<td") else f"<td>{c}</td>" for c in cells)
        rows.append(f'<tr data-search="{esc(search)}" data-status="{esc(e.status or "invalid")}" '
                    f'data-state="{esc(e.state)}" data-stale="{stale}" data-slug="{esc(e.slug)}">{tds}</tr>')
    options = lambda values: "".join(f'<option value="{esc(v)}">{esc(v)}</option>' for v in values)  # noqa: E731
    filters = (
        '<div class="filters" id="filters" hidden>'
        '<label>Filter <input type="search" id="q" placeholder="names, goals, pain points, ids\u2026" '
        'aria-controls="journeys"></label>'
        f'<label>Status <select id="f-status"><option value="">any</option>{options(statuses)}'
        + ('<option value="invalid">invalid</option>' if invalid else "") + "</select></label>"
        f'<label>State <select id="f-state"><option value="">any</option>{options(states)}</select></label>'
        '<label><input type="checkbox" id="f-stale"> due for review only</label>'
        f'<span id="count" class="muted" aria-live="polite">{count(len(entries), "journey")}</span></div>')
    body = [f"<h1>Journeys</h1><p class=\"lead\">{esc(summary)}.</p>", filters,
            f'<div class="table-wrap"{scroll_region("journeys")}><table id="journeys"><thead><tr>' + th + "</tr></thead><tbody>"
            + "".join(rows) + "</tbody></table></div>",
            '<p class="muted">Sort by clicking a column; the filter also reads <code>?q=</code>, '
            "<code>?status=</code>, <code>?state=</code>, <code>?stale=1</code> and <code>?sort=</code> from the "
            "address, so a filtered view can be bookmarked.</p>"]
    bad = {f: fs for f, fs in catalog_findings.items() if fs}
    if index.catalog_files:
        counts = []
        for file in index.catalog_files:
            fs = bad.get(file, [])
            counts.append(f"<code>{esc(file)}</code>" + (f" {badge(count(len(fs), 'finding'), 'error')}" if fs else ""))
        body.append("<h2>Shared catalogs</h2>" + "<p>" + ", ".join(counts) + " \u2013 see the "
                    + a("catalog.html", "catalog") + ".</p>")
    return page("Journeys", "\n".join(body), current="index", script=INDEX_JS)


def _th(key: str, label: str, kind: str) -> str:
    cls = ' class="num"' if kind == "num" else ""
    return (f'<th scope="col" data-key="{esc(key)}" data-type="{esc(kind)}"{cls}>'
            f'<button type="button">{esc(label)}</button></th>')


def render_matrices(stats: StatsReport, index: WorkspaceIndex) -> str:
    slugs = {e.file: e.slug for e in index.entries}
    body = ["<h1>Matrices</h1>",
            '<p class="lead">How the workspace covers its personas, channels and teams stage by stage, and how '
            "customers pass between teams. Stage columns merge the journeys' stage ids in journey order.</p>"]
    rows = []
    for j in stats.journeys:
        slug = slugs.get(j.file)
        p = j.paths
        avg = "-" if p.average is None else f"{p.average:.2f}".rstrip("0").rstrip(".")
        rows.append([a(f"journeys/{slug}.html", j.title) if slug else esc(j.title), str(j.stages),
                     str(j.touchpoints), str(j.handoffs),
                     f'<td class="num missing">{j.missing_handoffs}</td>' if j.missing_handoffs else "0",
                     str(j.entries), str(j.outcomes), str(j.converting_outcomes),
                     "-" if p.shortest is None else str(p.shortest), avg, "-" if p.longest is None else str(p.longest)])
    body.append('<h2 id="journeys">Journeys</h2>'
                + table(["Journey", "Stages", "Touchpoints", "Hand-offs", "Missing hand-offs", "Entries", "Outcomes",
                         "Converting", "Shortest path", "Average path", "Longest path"], rows, numeric=range(1, 11))
                + '<p class="muted">Paths count touchpoints from an entry to a converting outcome (converted, '
                  "retained, advocate), both included. Shortest and average: each entry's nearest conversion "
                  "(breadth-first, so loops cost nothing); longest: the longest route through the journey with "
                  "each loop counted once (exact without loops, an upper bound with them).</p>")
    for key, label, title in (("persona_stage", "persona", "Personas \u00d7 stages"),
                              ("channel_stage", "channel", "Channels \u00d7 stages"),
                              ("team_stage", "team", "Teams \u00d7 stages")):
        kind = {"persona": "personas", "channel": "channels", "team": "teams"}[label]
        body.append(f'<h2 id="{key}">{esc(title)}</h2>'
                    + matrix_table(getattr(stats, key), label, names=catalog_names(index, kind)))
    body.append('<h2 id="handoffs">Hand-offs between teams</h2>'
                '<p class="muted">Transitions between touchpoints owned by different teams (rows: from, columns: '
                "to). Red cells have transitions without a declared <code>handoff</code>.</p>")
    teams = stats.teams
    team_names = catalog_names(index, "teams")
    if teams:
        top = max(p.transitions for p in stats.handoffs)
        hrows = []
        for source in teams:
            cells = [named(source, team_names)]
            for target in teams:
                pair = stats.handoff_pair(source, target)
                if pair is None:
                    cells.append('<td class="num zero">0</td>')
                elif pair.missing:
                    cells.append(f'<td class="num missing" title="{pair.declared} declared, {pair.missing} '
                                 f'missing">{pair.transitions} ({pair.missing} missing)</td>')
                else:
                    cells.append(heat_cell(pair.transitions, top))
            hrows.append(cells)
        body.append(table(["from \\ to", *(team_names.get(t, t) for t in teams)], hrows,
                          numeric=range(1, len(teams) + 1), cls="matrix"))
    else:
        body.append('<p class="muted">No transition crosses teams.</p>')
    body.append(f'<h2 id="missing">Missing hand-offs ({len(stats.missing)})</h2>')
    if stats.missing:
        mrows = []
        for m in stats.missing:
            slug = slugs.get(m.file)
            where = a(f"journeys/{slug}.html#handoffs", m.journey) if slug else esc(m.journey)
            mrows.append([where, f"<code>{esc(m.file)}:{m.line}</code>", esc(f"{m.source} \u2192 {m.target}"),
                          esc(f"{team_names.get(m.from_team, m.from_team)} \u2192 {team_names.get(m.to_team, m.to_team)}")])
        body.append(table(["Journey", "Where", "Transition", "Teams"], mrows))
    else:
        body.append("<p>Every transition between teams declares its hand-off.</p>")
    return page("Matrices", "\n".join(body), current="matrices")


def render_catalog(index: WorkspaceIndex, catalog_findings: dict[str, list[Finding]]) -> str:
    titles = {e.slug: e.display_title for e in index.entries}
    body = ["<h1>Catalog</h1>",
            '<p class="lead">Personas, teams, channels and metrics of the workspace: from the shared catalog files '
            "and from the journeys that declare their own.</p>"]
    for kind in CATALOG_KINDS:
        items = sorted(index.catalog[kind].values(), key=lambda i: i.id)
        body.append(f'<h2 id="{kind}">{esc(kind.capitalize())} ({len(items)})</h2>')
        if not items:
            body.append('<p class="muted">None.</p>')
            continue
        header, rows = _catalog_rows(kind, items, titles, _other_names(index, kind))
        body.append(table(header, rows))
    shown = {f: fs for f, fs in sorted(catalog_findings.items()) if fs}
    if shown:
        body.append("<h2 id=\"catalog-findings\">Catalog file findings</h2>")
        rows = [[badge(f.severity, f.severity), f"<code>{esc(f.file)}:{f.line}:{f.column}</code>",
                 f"<code>{esc(f.rule)}</code>", esc(f.message)] for fs in shown.values() for f in fs]
        body.append(table(["Severity", "Where", "Rule", "Message"], rows))
    return page("Catalog", "\n".join(body), current="catalog")


def _other_names(index: WorkspaceIndex, kind: str) -> dict[str, list[tuple[str, str]]]:
    """Id -> (name, slug) of journeys that define the id under another name than the catalog's first one."""
    out: dict[str, list[tuple[str, str]]] = {}
    for journey_id, kinds in sorted(index.local_names.items()):
        for item_id, label in sorted(kinds.get(kind, {}).items()):
            known = index.catalog[kind].get(item_id)
            slug = index.slug_by_id.get(journey_id)
            if known is not None and slug is not None and label != known.label:
                out.setdefault(item_id, []).append((label, slug))
    return out


def _catalog_rows(kind: str, items: Sequence[CatalogItem], titles: dict[str, str],
                  others: dict[str, list[tuple[str, str]]] | None = None) -> tuple[list[str], list[list[str]]]:
    singular = SINGULAR[kind]
    rows = []
    links: dict[str, str] = {}  # slug -> its link: a journey is listed under many items

    def journey(slug: str) -> str:
        if slug not in links:
            links[slug] = a(f"journeys/{slug}.html", titles.get(slug, slug))
        return links[slug]

    for item in items:
        ident = f'<code id="{esc(singular)}-{esc(item.id)}">{esc(item.id)}</code>'
        details = []
        f = item.fields
        if f.get("description"):
            details.append(esc(f["description"]))
        if kind == "personas":
            if f.get("role"):
                details.append(f"<em>{esc(f['role'])}</em>")
            for key, label in (("goals", "Goals"), ("needs", "Needs"), ("pain_points", "Pain points")):
                if f.get(key):
                    details.append(f"<strong>{label}</strong>" + text_list(f[key]))
        defined = []
        for where, by_journey in zip(item.defined_in, item.defined_by_journey):
            defined.append(journey(where) if by_journey
                           else f"<code>{esc(where)}</code>")
        users = sorted(item.used_by, key=lambda s: (titles.get(s, s).casefold(), s))
        used = ", ".join(journey(s) for s in users[:MAX_USERS_LISTED])
        if len(users) > MAX_USERS_LISTED:
            used += f" and {len(users) - MAX_USERS_LISTED} more"
        used_cell = (f'<td data-count="{len(users)}">{len(users)}: {used}</td>' if users
                     else f'<td data-count="0">{badge("unused", "warning")}</td>')
        name = esc(item.label) + "".join(
            f'<div class="tp-meta">also {esc(label)} in {a(f"journeys/{slug}.html", titles.get(slug, slug))}</div>'
            for label, slug in (others or {}).get(item.id, []))
        row = [ident, name, "".join(f"<div>{d}</div>" for d in details)]
        if kind == "metrics":
            target = f.get("target")
            unit = f.get("unit", "")
            arrow = {"up": "\u2191 higher is better", "down": "\u2193 lower is better"}.get(f.get("direction", ""), "")
            row += [esc(f"{target:g}" if target is not None else "-"), esc(unit), esc(arrow)]
        rows.append(row + [", ".join(defined), used_cell])
    header = ["Id", "Name", "Details"]
    if kind == "metrics":
        header += ["Target", "Unit", "Direction"]
    return header + ["Defined in", "Used by"], rows
