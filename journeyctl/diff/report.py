"""A DiffResult as terminal text, a PR comment (Markdown) or JSON (docs/json-format.md).

Text and Markdown are read by people reviewing a pull request, so they open with what the change does
to customers (the funnel of each journey that declares rates: conversion, expected touchpoints, the top
leak, before → after), then the structure changes, then the findings introduced and resolved; every
id has its name beside it. Every sentence comes from `describe` and `impact`, so the formats say the
same thing; only quoting differs: the terminal gets control characters neutralised, Markdown gets
HTML-inert code spans.
"""

from __future__ import annotations

import json
from typing import Any, Callable

from ..check.findings import Finding
from ..report.json_report import finding_dict
from ..report.markdown import md_code, md_escape
from ..report.text import clean
from .compare import Change, DiffResult, JourneyDiff

DIFF_FORMAT_VERSION = 1
Quote = Callable[[str], str]

_NOUNS = {"handoff": "hand-off"}
_FIELD_NAMES = {"sla": "SLA", "kpis": "KPIs", "moment_of_truth": "moment of truth", "review_every": "review every",
                "pain_points": "pain points", "expected_touchpoints": "expected touchpoints", "at": "timing"}
_ICONS = {"error": "❌", "warning": "⚠️", "info": "ℹ️"}


def _value(value: Any, field: str | None = None) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if field == "conversion" and isinstance(value, float):
        return f"{value * 100:.1f}%"
    if field == "expected_touchpoints" and isinstance(value, (int, float)):
        return f"{value:.2f}"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


_NAME_QUOTE: dict[Any, Quote] = {}  # quote of ids → quote of names (plain text): filled below


def _label(ident: str, name: str | None, q: Quote) -> str:
    """An id with its name beside it (as plain text), when it has one that says more than the id."""
    if not name or name == ident:
        return q(ident)
    return f"{q(ident)} ({_NAME_QUOTE.get(q, clean)(name)})"


def _leak(value: Any, q: Quote, v: Quote) -> str:
    if not isinstance(value, dict):
        return v("none")
    share = float(value.get("share") or 0.0) * 100
    return f"{_label(str(value.get('touchpoint')), value.get('name'), q)} {v(f'{share:.1f}%')}"


def _is_short(value: Any) -> bool:
    return value is None or isinstance(value, (bool, int, float)) or (isinstance(value, str) and len(value) <= 60
                                                                        and "\n" not in value)


def _list_delta(before: Any, after: Any, q: Quote) -> str | None:
    """'+a, -b' for lists of short strings, None when the values are not such lists."""
    a, b = before or [], after or []
    if not (isinstance(a, list) and isinstance(b, list) and all(isinstance(v, str) and _is_short(v) for v in a + b)):
        return None
    added = [v for v in b if v not in a]
    removed = [v for v in a if v not in b]
    parts = [f"+{q(v)}" for v in added] + [f"−{q(v)}" for v in removed]
    return ", ".join(parts) if parts else "reordered"


def describe(c: Change, q: Quote, v: Quote | None = None) -> str:
    """One change as a sentence; `q` quotes names (ids, files), `v` values, for the target format."""
    v = v or q
    noun = _NOUNS.get(c.element, c.element)
    name = _FIELD_NAMES.get(c.field or "", (c.field or "").replace("_", " "))
    if c.element == "funnel":
        if c.field == "top_leak":
            return f"top leak {_leak_change(c.before, c.after, q, v)}"
        return f"{name} {v(_value(c.before, c.field))} → {v(_value(c.after, c.field))}"
    if c.action == "renamed" and c.field == "id":
        return f"{noun} {q(str(c.before))} renamed to {_label(str(c.after), c.name, q)} (references updated)"
    if c.action == "renamed":
        return f"file renamed from {q(str(c.before))} to {q(str(c.after))}"
    if c.action == "reordered":
        return f"stages reordered: {' → '.join(q(s) for s in c.after)} (was {', '.join(q(s) for s in c.before)})"
    if c.action == "moved":
        return f"{noun} {_label(c.id, c.name, q)} moved from stage {q(str(c.before))} to {q(str(c.after))}"
    if c.action in ("added", "removed"):
        info = dict((c.after if c.action == "added" else c.before) or {})
        return f"{noun} {_label(c.id, c.name, q)} {c.action}{_detail(c, info, q, v)}"
    if c.element == "journey" and c.field == "id":
        return f"journey id changed from {q(str(c.before))} to {q(str(c.after))}"
    head = f"{noun} {_label(c.id, c.name, q)}: {name}"
    delta = _list_delta(c.before, c.after, q)
    if delta is not None:
        return f"{head} {delta}"
    if _is_short(c.before) and _is_short(c.after):
        return f"{head} {v(_value(c.before, c.field))} → {v(_value(c.after, c.field))}"
    return f"{head} changed"


def _detail(c: Change, info: dict[str, Any], q: Quote, v: Quote) -> str:
    if c.element == "touchpoint":
        where = f" {'to' if c.action == 'added' else 'from'} stage {q(str(info.pop('stage')))}" if "stage" in info else ""
        rest = ", ".join(f"{k} {v(_value(value))}" for k, value in info.items())
        return where + (f" ({rest})" if rest else "")
    if c.element == "handoff":
        sla = info.get("sla")
        if c.action == "removed":
            return f" (it had SLA {v(str(sla))})" if sla else ""
        return f" with SLA {v(str(sla))}" if sla else " without SLA"
    if c.element == "transition":
        parts = [f"{k} {v(_value(info[k]))}" for k in ("rate", "wait") if k in info]
        return f" ({', '.join(parts)})" if parts else ""
    if c.element == "metric" and "target" in info:
        unit = f" {info['unit']}" if "unit" in info else ""
        return f" (target {v(_value(info['target']) + unit)})"
    return ""


def _count_phrase(findings: list[Finding], adjective: str) -> str:
    counts = {"error": 0, "warning": 0, "info": 0}
    for f in findings:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    parts = [f"{n} {adjective}{' ' if adjective else ''}{k}{'' if n == 1 else 's'}"
             for k, n in counts.items() if n]
    return ", ".join(parts)


def summary(result: DiffResult) -> str:
    """'2 journeys changed (1 added, 1 renamed); 1 new warning; 2 resolved'"""
    counts = result.status_counts()
    changed = sum(1 for j in result.changed if j.id is not None)  # catalogs are not journeys
    if not changed:
        text = f"no journey changed ({counts['unchanged']} unchanged)"
    else:
        kinds = [f"{counts[k]} {k}" for k in ("added", "removed", "modified", "renamed") if counts[k]]
        text = f"{changed} journey{'' if changed == 1 else 's'} changed ({', '.join(kinds)})"
    others = sum(1 for j in result.changed if j.id is None)
    if others:
        text += f", {others} other file{'' if others == 1 else 's'} (catalogs)"
    new = _count_phrase(result.introduced, "new")
    resolved = len(result.resolved)
    return text + f"; {new or 'no new findings'}; {resolved} resolved"


_NAME_QUOTE[md_code] = md_escape


# -- shared ---------------------------------------------------------------------------------------------

def journey_label(j: JourneyDiff, q: Quote) -> str:
    return _label(j.name, j.title, q)


def structure(j: JourneyDiff) -> list[Change]:
    """The changes of the structure: everything but the funnel figures (the impact section has them)."""
    return [c for c in j.changes if c.element != "funnel"]


def impact(j: JourneyDiff, q: Quote, v: Quote | None = None) -> str | None:
    """'conversion 32.0% → 29.7%; expected touchpoints 4.10 → 4.35; top leak ...', or None when the
    change does not move the funnel of a journey with rates."""
    figures = [c for c in j.changes if c.element == "funnel"]
    return "; ".join(describe(c, q, v) for c in figures) or None


# -- text -----------------------------------------------------------------------------------------------

def _tq(text: str) -> str:
    return f"'{clean(text)}'"


def _finding_line(f: Finding) -> str:
    return f"{clean(f.file)}:{f.line}:{f.column}: {f.severity} {f.rule} {clean(f.message)}"


def to_text(result: DiffResult) -> str:
    lines = [f"journeyctl diff {clean(result.base)} → {clean(result.head)}: {summary(result)}"]
    changed = result.changed
    impacts = [(j, impact(j, _tq, clean)) for j in changed]
    if any(text for _, text in impacts):
        lines += ["", "Customer impact"]
        lines += [f"  {journey_label(j, _tq)}: {text}" for j, text in impacts if text]
    shown = [j for j in changed if structure(j) or j.status in ("added", "removed") or j.renamed]
    if shown:
        lines += ["", "Structure changes"]
        for j in shown:
            lines.append(f"  {journey_label(j, _tq)} [{j.status}] {clean(_files(j))}")
            lines.extend(f"    {describe(c, _tq, clean)}" for c in structure(j))
    with_findings = [j for j in changed if j.introduced or j.resolved]
    if with_findings:
        lines += ["", "Findings"]
        for j in with_findings:
            lines.append(f"  {journey_label(j, _tq)}")
            lines.extend(f"    + new      {_finding_line(f)}" for f in j.introduced)
            lines.extend(f"    - resolved {_finding_line(f)}" for f in j.resolved)
    return "\n".join(lines) + "\n"


def _files(j: JourneyDiff) -> str:
    if j.renamed:
        return f"{j.base_file} → {j.head_file}"
    return j.head_file or j.base_file or ""


# -- markdown -------------------------------------------------------------------------------------------

def _md_finding(f: Finding) -> str:
    return (f"{_ICONS.get(f.severity, '')} **{f.severity}** {md_code(f.rule)} "
            f"{md_code(f'{f.file}:{f.line}')}: {md_escape(f.message)}")


def _leak_change(before: Any, after: Any, q: Quote, v: Quote) -> str:
    """'x' (X) 95.0% → 92.0% when the top leak stayed at the same touchpoint, else both sides in full."""
    if isinstance(before, dict) and isinstance(after, dict) and before.get("touchpoint") == after.get("touchpoint"):
        share = float(after.get("share") or 0.0) * 100
        return f"{_leak(before, q, v)} → {v(f'{share:.1f}%')}"
    return f"{_leak(before, q, v)} → {_leak(after, q, v)}"


def _md_label(j: JourneyDiff) -> str:
    return md_code(j.name) + (f" {md_escape(j.title)}" if j.title and j.title != j.name else "")


def _md_figure(j: JourneyDiff, field: str) -> str:
    change = next((c for c in j.changes if c.element == "funnel" and c.field == field), None)
    if change is None:
        return "unchanged"
    if field == "top_leak":
        return _leak_change(change.before, change.after, md_code, md_escape)
    return f"{_value(change.before, field)} → {_value(change.after, field)}"


def to_markdown(result: DiffResult) -> str:
    lines = [f"## Journey changes: {md_code(result.base)} → {md_code(result.head)}", "",
             f"**{md_escape(summary(result))}**", ""]
    changed = result.changed
    if not changed:
        return "\n".join(lines)
    moved = [j for j in changed if impact(j, md_code)]
    if moved:
        lines += ["### Customer impact", "",
                  "| journey | conversion | expected touchpoints | top leak |", "|---|---:|---:|---|"]
        for j in moved:
            lines.append(f"| {_md_label(j)} | {_md_figure(j, 'conversion')} | "
                         f"{_md_figure(j, 'expected_touchpoints')} | {_md_figure(j, 'top_leak')} |")
        lines.append("")
    lines += ["### Structure changes", "",
              "| journey | status | changes | new findings | resolved |", "|---|---|---:|---:|---:|"]
    for j in changed:
        status = j.status + (" (renamed)" if j.renamed and j.status == "modified" else "")
        lines.append(f"| {_md_label(j)} | {status} | {len(structure(j))} | {len(j.introduced)} | {len(j.resolved)} |")
    lines.append("")
    for j in changed:
        own = structure(j)
        if not own and j.status not in ("added", "removed"):
            continue
        parts = [f"{len(own)} change{'' if len(own) == 1 else 's'}"]
        if j.introduced:
            parts.append(f"{len(j.introduced)} new finding{'' if len(j.introduced) == 1 else 's'}")
        if j.resolved:
            parts.append(f"{len(j.resolved)} resolved")
        lines += [f"<details><summary>{_md_label(j)} ({j.status}): {', '.join(parts)}</summary>", "",
                  f"File: {md_code(_files(j))}", ""]
        if own:
            lines += [f"- {describe(c, md_code)}" for c in own] + [""]
        lines += ["</details>", ""]
    introduced = [(j, f) for j in changed for f in j.introduced]
    resolved = [(j, f) for j in changed for f in j.resolved]
    if introduced or resolved:
        lines += ["### Findings", ""]
        if introduced:
            lines += ["**New findings**", ""] + [f"- {_md_label(j)}: {_md_finding(f)}" for j, f in introduced] + [""]
        if resolved:
            lines += ["**Resolved findings**", ""] + [f"- {_md_label(j)}: {_md_finding(f)}" for j, f in resolved] + [""]
    return "\n".join(lines)


# -- json -----------------------------------------------------------------------------------------------

def to_json(result: DiffResult) -> str:
    def counts(findings: list[Finding]) -> dict[str, int]:
        out = {"error": 0, "warning": 0, "info": 0}
        for f in findings:
            out[f.severity] = out.get(f.severity, 0) + 1
        return out

    payload = {
        "version": DIFF_FORMAT_VERSION,
        "base": result.base,
        "head": result.head,
        "summary": {"journeys": result.status_counts(), "files": result.status_counts(journeys=False),
                    "introduced": counts(result.introduced),
                    "resolved": counts(result.resolved)},
        "journeys": [{
            "id": j.id,
            "status": j.status,
            "base_file": j.base_file,
            "head_file": j.head_file,
            "renamed": j.renamed,
            "changes": [c.as_dict() for c in j.changes],
            "introduced": [finding_dict(f) for f in j.introduced],
            "resolved": [finding_dict(f) for f in j.resolved],
        } for j in result.changed],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


FORMATTERS: dict[str, Callable[[DiffResult], str]] = {"text": to_text, "md": to_markdown, "json": to_json}
