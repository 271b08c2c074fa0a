"""The conformance report as a terminal summary (rich) and as Markdown for a pull request.

Both read the same rows, so they cannot disagree. Event names come from the log (user data): they are
escaped for the terminal and for Markdown; touchpoint ids are slugs and print as they are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .design import DAY_US
from .result import DEVIATION_KINDS, NO_OUTCOME, OUTCOME_KINDS, Conformance

if TYPE_CHECKING:
    from rich.console import Console

TOP = 10

MEANING = {
    "not-entry": "trace starts at a touchpoint that is not an entry",
    "unexpected-transition": "a step no declared path leads to",
    "skipped": "a step that jumps over declared touchpoints",
    "dropped": "trace ends at a touchpoint that is not an outcome",
    "late-handoff": "hand-off slower than its SLA",
    "off-schedule": "touchpoint met too far from its 'at: day N'",
}


def _pct(value: float | None) -> str:
    if value is None:
        return "-"
    if 0.0 < value < 0.00005:
        return "<0.01%"
    return f"{value * 100:.2f}%"


def _n(value: int) -> str:
    return f"{value:,}"


def _plural(count: int, noun: str) -> str:
    return f"{_n(count)} {noun}{'' if count == 1 else 's'}"


def _days(us: int) -> str:
    days = us / DAY_US
    return f"{days:g}d"


def headline(result: Conformance) -> list[str]:
    """The few lines a reader needs first: how many traces, how many fit."""
    lines = [f"{_plural(result.traces, 'trace')} from {_plural(result.rows, 'row')}; "
             f"fitness {_pct(result.fitness)} ({_n(result.fitting)} fit the journey)"]
    if result.bad_rows:
        shown = ", ".join(str(n) for n in result.bad_row_numbers)
        more = ", ..." if result.bad_rows > len(result.bad_row_numbers) else ""
        where = f": row{'s' if len(result.bad_row_numbers) > 1 else ''} {shown}{more}" if shown else ""
        lines.append(f"{_plural(result.bad_rows, 'bad row')} (missing customer or event, or a timestamp that is "
                     f"not ISO 8601){where}")
    if result.unmapped_events:
        names = ", ".join(f"{name} ({_n(n)})" for name, n in result.unmapped_event_names.items())
        more = ", ..." if sum(result.unmapped_event_names.values()) < result.unmapped_events else ""
        verb = "matches" if result.unmapped_events == 1 else "match"
        lines.append(f"{_plural(result.unmapped_events, 'event')} {verb} no touchpoint: {names}{more}")
    return lines


def deviation_rows(result: Conformance) -> list[list[str]]:
    return [[kind, _n(result.deviations[kind]), MEANING[kind]] for kind in DEVIATION_KINDS]


def undeclared_rows(result: Conformance) -> list[list[str]]:
    skips = {(p.source, p.target): p.via for p in result.skipped}
    rows = []
    for p in result.undeclared[:TOP]:
        via = skips.get((p.source, p.target))
        kind = f"skipped {', '.join(via)}" if via is not None else "unexpected"
        rows.append([f"{p.source} -> {p.target}", _n(p.count), kind])
    return rows


def rate_rows(result: Conformance) -> list[list[str]]:
    """Declared transitions whose observed rate is furthest from the declared one, largest gap first."""
    gaps = [t for t in result.transitions if t.declared_rate is not None and t.visits]
    gaps.sort(key=lambda t: (-abs((t.observed_rate or 0.0) - t.declared_rate), t.source, t.target))
    return [[f"{t.source} -> {t.target}", _pct(t.declared_rate), _pct(t.observed_rate),
             f"{_n(t.observed)} / {_n(t.visits)}"] for t in gaps[:TOP]]


def unused_rows(result: Conformance) -> list[list[str]]:
    """Declared transitions nobody took, busiest source first (the likeliest to be missing in reality)."""
    unused = sorted((t for t in result.transitions if not t.observed), key=lambda t: (-t.visits, t.source, t.target))
    return [[f"{t.source} -> {t.target}", _pct(t.declared_rate), _n(t.visits)] for t in unused[:TOP]]


def dropout_rows(result: Conformance) -> list[list[str]]:
    ends = sorted(result.dropped_at.items(), key=lambda item: (-item[1], item[0]))
    return [[tp, _n(n), _pct(n / result.traces if result.traces else None)] for tp, n in ends[:TOP]]


def handoff_rows(result: Conformance) -> list[list[str]]:
    return [[f"{h.source} -> {h.target}", h.sla, _n(h.late), _n(h.observed),
             _pct(h.late / h.observed if h.observed else None)] for h in result.handoffs]


def schedule_rows(result: Conformance) -> list[list[str]]:
    return [[s.touchpoint, f"day {s.day}", _n(s.early), _n(s.late), _n(s.visits)] for s in result.schedule]


def outcome_rows(result: Conformance) -> list[list[str]]:
    predicted = (result.predicted or {}).get("outcomes") or {}
    rows = [["conversion", _pct(result.conversion), _pct((result.predicted or {}).get("conversion"))]]
    for kind in (*OUTCOME_KINDS, NO_OUTCOME):
        observed = result.outcomes[kind]
        expected = predicted.get(kind)
        if observed or expected:
            label = "no outcome (dropped)" if kind == NO_OUTCOME else kind
            rows.append([label, f"{_pct(observed)} ({_n(result.endings.get(kind, 0))})", _pct(expected)])
    return rows


def _sections(result: Conformance) -> list[tuple[str, list[str], list[list[str]]]]:
    sections = [("Deviations", ["deviation", "count", "meaning"], deviation_rows(result))]
    if result.undeclared:
        sections.append((f"Undeclared transitions (top {TOP})", ["transition", "count", "kind"],
                         undeclared_rows(result)))
    unused = unused_rows(result)
    if unused and result.traces:
        sections.append((f"Declared transitions nobody took (top {TOP})", ["transition", "declared", "source visits"],
                         unused))
    if result.dropped_at:
        sections.append((f"Where traces end outside an outcome (top {TOP})", ["touchpoint", "traces", "share"],
                         dropout_rows(result)))
    rates = rate_rows(result)
    if rates:
        sections.append((f"Observed vs declared rates (largest gaps, top {TOP})",
                         ["transition", "declared", "observed", "taken / visits"], rates))
    if result.handoffs:
        sections.append(("Hand-offs with an SLA", ["transition", "sla", "late", "observed", "late share"],
                         handoff_rows(result)))
    if result.schedule:
        sections.append((f"Schedule (tolerance {_days(result.tolerance_us)})",
                         ["touchpoint", "at", "early", "late", "visits"], schedule_rows(result)))
    sections.append(("Outcomes", ["", "observed", "predicted (funnel)"], outcome_rows(result)))
    return sections


def write_text(result: Conformance, console: "Console", log_name: str) -> None:
    """The terminal summary: headline, then one table per section."""
    from rich.markup import escape
    from rich.table import Table

    from ..report.text import clean

    console.print(f"[bold]{escape(result.journey)}[/bold] <- {escape(clean(log_name))}")
    for line in headline(result):
        console.print(escape(clean(line)))
    for title, header, rows in _sections(result):
        # The title on its own line: as a table title it would wrap to the width of a narrow table.
        table = Table(show_edge=False)
        for i, name in enumerate(header):
            table.add_column(name, justify="left" if i == 0 or name in ("meaning", "kind") else "right")
        for row in rows:
            table.add_row(*(escape(clean(cell)) for cell in row))
        console.print()
        console.print(f"[bold]{escape(title)}[/bold]")
        console.print(table)
    note = (result.predicted or {}).get("note")
    if note:
        console.print(escape(f"predicted: {clean(note)}"))
    for warning in result.warnings:
        console.print(f"[yellow]warning:[/yellow] {escape(clean(warning))}")


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    from ..report.markdown import md_escape

    align = "|" + "".join(":--|" if i == 0 or h in ("meaning", "kind") else "--:|" for i, h in enumerate(header))
    return ["| " + " | ".join(md_escape(h) for h in header) + " |", align,
            *("| " + " | ".join(md_escape(cell) for cell in row) + " |" for row in rows)]


def to_markdown(result: Conformance, log_name: str) -> str:
    """A comment-ready block: headline, then the same tables as the terminal summary."""
    from ..report.markdown import md_code, md_escape

    lines = [f"### Conformance of {md_code(log_name)} to `{result.journey}`", ""]
    lines += [md_escape(line) + "  " for line in headline(result)]
    for title, header, rows in _sections(result):
        lines += ["", f"**{md_escape(title)}**", "", *_table(header, rows)]
    note = (result.predicted or {}).get("note")
    if note:
        lines += ["", f"predicted: {md_escape(note)}"]
    if result.warnings:
        lines += ["", *(f"- warning: {md_escape(w)}" for w in result.warnings)]
    return "\n".join(lines) + "\n"
