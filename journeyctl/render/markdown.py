"""The journey as a Markdown page with its Mermaid map embedded, so it reads well on GitHub.

Every piece of user text goes through `escape.markdown`; the only markup on the page is ours.
"""

from __future__ import annotations

from typing import Iterable, Sequence

from ..format.model import Catalog, Journey, Metric
from .definitions import Definitions, definitions
from .escape import clean, markdown, one_line, safe_url
from .palette import EMOTION_WORDS

_VIEW_HEADINGS = {"map": "Map", "journey": "Journey", "funnel": "Funnel"}


def _md(text: object, limit: int = 2000) -> str:
    return markdown(clean(text, limit))


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for row in rows:
        out.append("| " + " | ".join(cell or " " for cell in row) + " |")
    return out


def _metric(metric_id: str, defs: Definitions) -> str:
    metric: Metric | None = defs.metrics.get(metric_id)
    if metric is None:
        return _md(metric_id)
    text = _md(metric.label, 200)
    if metric.target is not None:
        arrow = {"up": " ↑", "down": " ↓"}.get(metric.direction or "", "")
        unit = _md(metric.unit, 40) if metric.unit else ""
        gap = " " if unit and metric.unit != "%" else ""
        text += f" (target {metric.target:g}{gap}{unit}{arrow})"
    return text


def to_markdown(journey: Journey, diagram: str, *, view: str = "map", findings: Iterable[object] = (),
                catalogs: Sequence[Catalog] = ()) -> str:
    defs = definitions(journey, catalogs)
    out = [f"# {_md(one_line(journey.title, 300))}", ""]
    if journey.description:
        out += [_md(journey.description, 4000), ""]
    meta = [("Journey", f"`{journey.id}`"), ("Status", f"{journey.status}, {journey.state} state")]
    if journey.owner:
        meta.append(("Owner", _md(defs.team_name(journey.owner), 200)))
    if journey.reviewed:
        every = f", review every {journey.review_every}" if journey.review_every else ""
        meta.append(("Reviewed", f"{journey.reviewed}{every}"))
    if journey.tags:
        meta.append(("Tags", ", ".join(_md(tag, 64) for tag in journey.tags)))
    out += _table(("", ""), meta) + [""]

    if journey.objectives:
        out += ["## Objectives", ""] + [f"- {_md(o, 1000)}" for o in journey.objectives] + [""]

    out += [f"## {_VIEW_HEADINGS.get(view, 'Map')}", "", "```mermaid", diagram.rstrip("\n"), "```", ""]

    personas = list(journey.personas)
    declared = {p.id for p in personas}
    for _, tp in journey.touchpoints():
        for ref in tp.personas:
            if ref not in declared and ref in defs.personas:
                declared.add(ref)
                personas.append(defs.personas[ref])
    if personas:
        out += ["## Personas", ""]
        out += _table(("Persona", "Role", "Goals", "Needs", "Pain points"), (
            (_md(p.label, 200), _md(p.role, 400), _list(p.goals), _list(p.needs), _list(p.pain_points))
            for p in personas))
        out.append("")

    out += ["## Stages", ""]
    rows = []
    for stage in journey.stages:
        touchpoints = []
        for tp in stage.touchpoints:
            details = [defs.channel_name(tp.channel) if tp.channel else "", defs.team_name(tp.owner) if tp.owner else ""]
            suffix = ", ".join(_md(d, 80) for d in details if d)
            marks = [m for m in ("entry" if tp.entry else "", tp.outcome or "",
                                 "moment of truth" if tp.moment_of_truth else "") if m]
            text = _md(one_line(tp.label, 200)) + (f" ({suffix})" if suffix else "")
            if marks:
                text += " — **" + ", ".join(marks) + "**"
            touchpoints.append(text)
        kpis = "<br>".join(_metric(k, defs) for k in stage.kpis)
        rows.append((f"**{_md(one_line(stage.label, 200))}**", _md(stage.goal, 1000), kpis, "<br>".join(touchpoints)))
    out += _table(("Stage", "Goal", "KPIs", "Touchpoints"), rows) + [""]

    index = journey.touchpoint_index()
    handoffs, missing = [], []
    for _, tp in journey.touchpoints():
        for tr in tp.next:
            local = tr.journey is None or tr.journey == journey.id  # `this-journey/tp` is local
            target = index.get(tr.target) if local else None
            to_name = _md(one_line(target.label, 200)) if target else _md(tr.to, 260)
            to_owner = target.owner if target else None
            teams = f"{_md(tp.owner or '?', 130)} → {_md(to_owner or ('?' if target or not tr.journey else tr.journey), 130)}"
            if tr.handoff is not None:
                h = tr.handoff
                handoffs.append((_md(one_line(tp.label, 200)), to_name, teams, _md(h.trigger, 1000),
                                 _md(h.sla or "", 20), _md(h.via, 1000)))
            elif tp.owner and to_owner and tp.owner != to_owner:
                missing.append(f"- {_md(one_line(tp.label, 200))} → {to_name} ({teams}): no hand-off declared")
    if handoffs or missing:
        out += ["## Hand-offs", ""]
        if handoffs:
            out += _table(("From", "To", "Teams", "Trigger", "SLA", "Via"), handoffs) + [""]
        if missing:
            out += ["Teams change here without a declared hand-off:", ""] + missing + [""]

    pains = []
    for stage, tp in journey.touchpoints():
        if tp.pain_points or tp.opportunities:
            emotion = f"{tp.emotion:+d} {EMOTION_WORDS[tp.emotion]}" if tp.emotion else (
                "0 neutral" if tp.emotion == 0 else "")
            pains.append((_md(one_line(stage.label, 200)), _md(one_line(tp.label, 200)), emotion,
                          _list(tp.pain_points), _list(tp.opportunities)))
    if pains:
        out += ["## Pain points and opportunities", ""]
        out += _table(("Stage", "Touchpoint", "Emotion", "Pain points", "Opportunities"), pains) + [""]

    listed = [f for f in findings if getattr(f, "message", None)]
    if listed:
        out += ["## Findings", ""]
        for f in listed:
            out.append(f"- `{_code(getattr(f, 'rule', 'finding'))}` {_md(getattr(f, 'severity', ''), 20)} "
                       f"line {getattr(f, 'line', '?')}: {_md(getattr(f, 'message', ''), 500)}")
        out.append("")

    links = [(link.title, safe_url(link.url)) for link in journey.links]
    links = [(title, url) for title, url in links if url]
    if links:
        out += ["## Links", ""] + [f"- [{_md(one_line(title, 300))}]({url})" for title, url in links] + [""]

    out.append(f"<sub>Generated by `journeyctl render` from journey `{journey.id}`: edit the YAML, not this page.</sub>")
    return "\n".join(out) + "\n"


def _list(items: Sequence[str]) -> str:
    return "<br>".join("• " + _md(item, 1000) for item in items)


def _code(text: object) -> str:
    return one_line(text, 80).replace("`", "'")
