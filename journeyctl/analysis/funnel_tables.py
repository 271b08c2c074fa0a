"""The funnel report as tables: rich for a terminal, markdown for a pull-request comment.

Both read the same sections, so the two formats cannot disagree. The reader is a marketer: the report
leads with reach per stage (who gets how far), names stand beside ids (the id is what to grep the
journey file for), every figure is explained once in a numbered note, and "ended at outcome: dropped"
(a declared end) is never worded like "left without an outcome" (customers the map loses).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from journeyctl.analysis.funnel import OUTCOME_KEYS, FunnelReport, FunnelResult
from journeyctl.format.model import CONVERTING_OUTCOMES

if TYPE_CHECKING:
    from rich.console import RenderableType

    from journeyctl.format.model import Journey

TOP_LEAKS = 10
TOP_FIXES = 10
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")

# One explanation per figure; a report prints those of the figures it shows, numbered in order of use.
NOTES = {
    "reach": "reach: the share of customers who arrive at least once (entries weighted as above); a customer "
             "who comes back counts once.",
    "skipped": "a later stage can be reached by more customers than an earlier one when some skip the earlier "
               "one: {skips}.",
    "conversion": "conversion: customers who end at a converting outcome (converted, retained or advocate).",
    "outcome": "outcome: X: customers who end at a touchpoint the map marks 'outcome: X'. 'outcome: dropped' "
               "is such a declared end; it is not 'left without an outcome'.",
    "handed_over": "handed over: customers who move on to another journey.",
    "dropoff": "left without an outcome (drop-off): customers the map loses at a touchpoint that is not an "
               "outcome: the rates leaving it sum below 1, it has no next step, or a transition leads to an "
               "unknown touchpoint.",
    "visited": "touchpoints visited: touchpoints a customer sees on average, repeats included.",
    "to_convert": "touchpoints to convert: the same average, over the customers who convert.",
    "fix": "conversion gained: how much conversion rises (in points of all customers) if {share} of the "
           "customers who leave there without an outcome followed its transitions instead, in proportion "
           "to their rates.",
    "inflow": "inflow: moves into the stage from another stage, plus starts in it; a customer who comes back "
              "counts again, so inflow can exceed 100%.",
    "visits": "visits: the average number of times a customer is at the touchpoint; above 1 in loops.",
}


def _percent(p: float) -> str:
    if 0.0 < p < 0.00005:
        return "<0.01%"
    return f"{p * 100:.2f}%"


def _count(x: float) -> str:
    return f"{round(x):,}"


class _Notes:
    """Numbers notes in order of first use, so each figure is explained once."""

    def __init__(self, fix_share: float) -> None:
        self.used: dict[str, int] = {}
        self.fix_share = fix_share
        self.skips = ""

    def mark(self, key: str) -> str:
        number = self.used.setdefault(key, len(self.used) + 1)
        return str(number).translate(_SUPERSCRIPT)

    def lines(self) -> list[str]:
        share = f"{self.fix_share * 100:g}%"
        return [f"{str(n).translate(_SUPERSCRIPT)} {NOTES[key].format(share=share, skips=self.skips)}"
                for key, n in self.used.items()]


@dataclass
class Section:
    title: str
    header: list[str]
    rows: list[list[str]]
    bars: list[float] | None = None  # rich only: a bar per row, as a share of the largest


@dataclass
class Layout:
    title: str
    intro: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class _Labels:
    """'Name (id)' for people, or the id alone where the map gives no name."""

    def __init__(self, journey: Journey | None) -> None:
        self.touchpoints: dict[str, str] = {}
        self.stages: dict[str, str] = {}
        if journey is not None:
            for stage in journey.stages:
                self.stages.setdefault(stage.id, stage.name or "")
                for tp in stage.touchpoints:
                    self.touchpoints.setdefault(tp.id, tp.name or "")

    @staticmethod
    def _both(name: str, ident: str) -> str:
        name = _CONTROL.sub(" ", name).strip()
        return f"{name} ({ident})" if name and name != ident else ident

    def touchpoint(self, ident: str) -> str:
        return self._both(self.touchpoints.get(ident, ""), ident)

    def stage(self, ident: str) -> str:
        return self._both(self.stages.get(ident, ""), ident)


def layout(report: FunnelReport, journey: Journey | None = None) -> Layout:
    """Sections in reading order: reach per stage, outcomes, fix first, top leaks, then the detail."""
    notes = _Notes(report.fix_share)
    labels = _Labels(journey)
    after = report.scenario.report if report.scenario is not None else None
    customers = report.combined.customers

    def cell(get, res_before: FunnelResult, res_after: FunnelResult | None, fmt=_percent, counts=True) -> str:
        def one(res: FunnelResult) -> str:
            value = get(res)
            if value is None:
                return "-"
            text = fmt(value)
            if counts and res.customers is not None:
                text += f" ({_count(value * res.customers)})"
            return text
        return one(res_before) if res_after is None else f"{one(res_before)} → {one(res_after)}"

    title_name = journey.title if journey is not None else ""
    out = Layout(title=f"Funnel of {labels._both(title_name, report.journey)}")
    if len(report.entries) > 1:
        starts = ", ".join(f"{labels.touchpoint(e)} {_percent(w)}" for e, w in report.weights.items())
        out.intro.append(f"Customers start at: {starts}.")
    else:
        (entry,) = report.entries
        out.intro.append(f"Customers start at: {labels.touchpoint(entry)}.")
    if customers is not None:
        out.intro.append(f"Counts in brackets are for {customers:,} customers.")
    if report.scenario is not None:
        changes = "; ".join(f"{c['from']} -> {c['to']} rate {'unset' if c['was'] is None else format(c['was'], 'g')}"
                            f" → {c['rate']:g}" for c in report.scenario.changes)
        out.intro.append(f"What-if: {changes}. Each figure reads before → after.")

    combined, combined_after = report.combined, after.combined if after else None
    reach_title = f"Reach per stage{notes.mark('reach')}"
    reach_rows = [[labels.stage(s), cell(lambda r, s=s: r.reach_stages[s], combined, combined_after)]
                  for s in combined.reach_stages]
    reach = list(combined.reach_stages.items())
    # A later stage reached by more customers than an earlier one: say why once, it surprises readers.
    rising = [i + 1 for i, ((_, pa), (_, pb)) in enumerate(zip(reach, reach[1:])) if pb > pa + 1e-9]
    if rising:
        notes.skips = "; ".join(f"{labels.stage(reach[i][0])} ({_percent(reach[i][1])}) after "
                                f"{labels.stage(reach[i - 1][0])} ({_percent(reach[i - 1][1])})" for i in rising)
        marker = notes.mark("skipped")
        reach_rows = [[row[0] + (marker if i in rising else ""), *row[1:]] for i, row in enumerate(reach_rows)]
    out.sections.append(Section(reach_title, ["stage", "reach"], reach_rows,
                                bars=[(combined_after or combined).reach_stages[s] for s in combined.reach_stages]))

    columns: list[tuple[str, FunnelResult, FunnelResult | None]]
    if len(report.entries) == 1:
        (entry, result), = report.entries.items()
        columns = [(f"from {labels.touchpoint(entry)}", result, after.entries[entry] if after else None)]
    else:
        columns = [("combined", combined, combined_after),
                   *((f"from {labels.touchpoint(e)}", r, after.entries[e] if after else None)
                     for e, r in report.entries.items())]
    rows: list[list[str]] = []

    def row(label: str, get, fmt=_percent, counts=True) -> None:
        rows.append([label, *(cell(get, b, a, fmt, counts) for _, b, a in columns)])

    row(f"conversion{notes.mark('conversion')}", lambda r: r.conversion)
    everything = [r for _, b, a in columns for r in (b, a) if r is not None]
    for kind in OUTCOME_KEYS:
        if not any(r.outcomes[kind] for r in everything):
            continue
        if kind == "handed_over":
            row(f"handed over to another journey{notes.mark('handed_over')}", lambda r: r.outcomes["handed_over"])
        else:
            marker = notes.mark("outcome")
            row(f"{'  ' if kind in CONVERTING_OUTCOMES else ''}outcome: {kind}{marker}",
                lambda r, k=kind: r.outcomes[k])
    row(f"left without an outcome (drop-off){notes.mark('dropoff')}", lambda r: r.dropoff)
    row(f"touchpoints visited{notes.mark('visited')}", lambda r: r.expected_touchpoints,
        fmt=lambda x: f"{x:.2f}", counts=False)
    row(f"touchpoints to convert{notes.mark('to_convert')}", lambda r: r.expected_touchpoints_to_convert,
        fmt=lambda x: f"{x:.2f}", counts=False)
    out.sections.append(Section("Outcomes", ["", *(name for name, _, _ in columns)], rows))

    ranked = (combined_after or combined)
    if ranked.fix_first:
        drop = {tp: f.dropoff for tp, f in ranked.touchpoints.items()}
        fix_rows = [[f"{i}. {labels.touchpoint(tp)}", cell(lambda r, tp=tp: drop[tp], ranked, None),
                     "+" + cell(lambda r, g=gain: g, ranked, None, fmt=lambda x: f"{x * 100:.2f} pts")]
                    for i, (tp, gain) in enumerate(ranked.fix_first[:TOP_FIXES], start=1)]
        when = " (after the what-if)" if after else ""
        out.sections.append(Section(f"What to fix first{when}, top {TOP_FIXES}",
                                    ["touchpoint", "left without an outcome",
                                     f"conversion gained{notes.mark('fix')}"], fix_rows))

    leak_ids = list(dict.fromkeys([tp for tp, _ in combined.leaks[:TOP_LEAKS]]
                                  + ([tp for tp, _ in combined_after.leaks[:TOP_LEAKS]] if combined_after else [])))
    if leak_ids:
        leak_rows = [[labels.touchpoint(tp),
                      cell(lambda r, tp=tp: r.touchpoints[tp].dropoff, combined, combined_after),
                      cell(lambda r, tp=tp: r.reach_touchpoints[tp], combined, combined_after)] for tp in leak_ids]
        out.sections.append(Section(f"Top {TOP_LEAKS} leaks", ["touchpoint", "left without an outcome", "reach"],
                                    leak_rows))

    inflow_rows = [[labels.stage(s), cell(lambda r, s=s: r.stages[s], combined, combined_after)]
                   for s in combined.stages]
    out.sections.append(Section("Detail: stage inflow", ["stage", f"inflow{notes.mark('inflow')}"], inflow_rows))
    reached = [tp for tp, f in combined.touchpoints.items()
               if f.visits or (combined_after is not None and combined_after.touchpoints[tp].visits)]
    visit_rows = [[labels.touchpoint(tp), cell(lambda r, tp=tp: r.reach_touchpoints[tp], combined, combined_after),
                   cell(lambda r, tp=tp: r.touchpoints[tp].visits, combined, combined_after,
                        fmt=lambda x: f"{x:.2f}", counts=False)] for tp in reached]
    out.sections.append(Section("Detail: touchpoints reached", ["touchpoint", "reach", f"visits{notes.mark('visits')}"],
                                visit_rows))
    out.notes = notes.lines()
    return out


# The tables of the first funnel report, kept for callers that build their own (the docs site, diff).

def _columns(report: FunnelReport) -> list[tuple[str, FunnelResult]]:
    """One column per entry, led by the combined mix when there is more than one entry."""
    if len(report.entries) == 1:
        (entry, result), = report.entries.items()
        return [(f"from {entry}", result)]
    return [("combined", report.combined), *((f"from {e}", r) for e, r in report.entries.items())]


def summary_rows(report: FunnelReport) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the outcome table: one row per figure, one column per entry."""
    columns = _columns(report)
    header = ["", *(name for name, _ in columns)]
    rows: list[list[str]] = []
    if len(report.entries) > 1:
        rows.append(["weight", "100.00%", *(_percent(report.weights[e]) for e in report.entries)])
    rows.append(["conversion", *(_percent(r.conversion) for _, r in columns)])
    for kind in OUTCOME_KEYS:
        if any(r.outcomes[kind] for _, r in columns):
            # Converting outcomes are indented: they are the parts of "conversion" above.
            label = f"  {kind}" if kind in CONVERTING_OUTCOMES else kind.replace("_", " ")
            rows.append([label, *(_percent(r.outcomes[kind]) for _, r in columns)])
    rows.append(["drop-off", *(_percent(r.dropoff) for _, r in columns)])
    rows.append(["touchpoints visited", *(f"{r.expected_touchpoints:.2f}" for _, r in columns)])
    rows.append(["touchpoints to convert", *("-" if r.expected_touchpoints_to_convert is None
                                             else f"{r.expected_touchpoints_to_convert:.2f}" for _, r in columns)])
    return header, rows


def stage_rows(result: FunnelResult) -> list[list[str]]:
    return [[stage, _percent(inflow)] for stage, inflow in result.stages.items()]


def leak_rows(result: FunnelResult) -> list[list[str]]:
    return [[tp, _percent(d), f"{result.touchpoints[tp].visits:.2f}"] for tp, d in result.leaks[:TOP_LEAKS]]


def _markdown_table(header: list[str], rows: list[list[str]]) -> list[str]:
    """First column left-aligned (labels), the others right-aligned (numbers)."""
    from journeyctl.report.markdown import md_escape

    rule = "|:--|" + "".join("--:|" for _ in header[1:])
    # Markdown strips leading spaces in a cell; an em space keeps outcome rows indented under "conversion".
    def fix(text: str) -> str:
        return md_escape(text[2:]).join(["\u2003", ""]) if text.startswith("  ") else md_escape(text)
    return ["| " + " | ".join(md_escape(h) for h in header) + " |", rule,
            *("| " + " | ".join(fix(c) for c in row) + " |" for row in rows)]


def to_markdown(report: FunnelReport, journey: Journey | None = None) -> str:
    """A comment-ready block: intro, one table per section, then the numbered notes."""
    from journeyctl.report.markdown import md_escape

    out = layout(report, journey)
    lines = [f"### {md_escape(out.title)}", ""]
    for text in out.intro:
        lines += [md_escape(text), ""]
    for section in out.sections:
        lines += [f"**{md_escape(section.title)}**", "", *_markdown_table(section.header, section.rows), ""]
    lines += [md_escape(note) + "  " for note in out.notes]
    return "\n".join(lines).rstrip() + "\n"


def to_rich(report: FunnelReport, journey: Journey | None = None) -> list[RenderableType]:
    """Tables for a terminal, in reading order, then the notes."""
    from rich.table import Table
    from rich.text import Text

    out = layout(report, journey)
    rendered: list[RenderableType] = [Text(out.title, style="bold"), *(Text(t) for t in out.intro)]
    for section in out.sections:
        table = Table(title=Text(section.title), title_justify="left")
        table.add_column(Text(section.header[0]))
        for name in section.header[1:]:
            table.add_column(Text(name), justify="right")
        if section.bars is not None:
            table.add_column("")
        top = max([*(section.bars or []), 1.0])
        for i, row in enumerate(section.rows):
            cells = [Text(c) for c in row]
            if section.bars is not None:
                cells.append(Text("\u2588" * round(20 * section.bars[i] / top)))
            table.add_row(*cells)
        rendered.append(table)
    rendered.extend(Text(note) for note in out.notes)
    return rendered
