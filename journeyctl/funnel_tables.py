"""The funnel report as tables: rich for a terminal, markdown for a pull-request comment.

Both read the same rows, so the two formats cannot disagree. Ids are printed rather than names: they
are what a reader greps the journey file for, and they cannot hold markdown or terminal control text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from journeyctl.funnel import OUTCOME_KEYS, FunnelReport, FunnelResult
from journeyctl.model import CONVERTING_OUTCOMES

if TYPE_CHECKING:
    from rich.console import RenderableType

TOP_LEAKS = 10


def _percent(p: float) -> str:
    if 0.0 < p < 0.00005:
        return "<0.01%"
    return f"{p * 100:.2f}%"


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
    rule = "|:--|" + "".join("--:|" for _ in header[1:])
    return ["| " + " | ".join(header) + " |", rule, *("| " + " | ".join(row) + " |" for row in rows)]


def to_markdown(report: FunnelReport) -> str:
    """A comment-ready block: outcome table, then stage inflow and top leaks of the combined mix."""
    header, rows = summary_rows(report)
    # Markdown strips leading spaces in a cell; an em space keeps outcome rows indented under "conversion".
    rows = [[row[0].replace("  ", "\u2003", 1), *row[1:]] for row in rows]
    lines = [f"### Funnel of `{report.journey}`", "", *_markdown_table(header, rows), "",
             "**Stage inflow** (customers entering each stage; re-entries count again)", "",
             *_markdown_table(["stage", "inflow"], stage_rows(report.combined))]
    leaks = leak_rows(report.combined)
    if leaks:
        lines += ["", f"**Top leaks** (drop-off without an outcome, top {TOP_LEAKS})", "",
                  *_markdown_table(["touchpoint", "drop-off", "visits"], leaks)]
    return "\n".join(lines) + "\n"


def to_rich(report: FunnelReport) -> list[RenderableType]:
    """Tables for a terminal, in reading order."""
    from rich.table import Table

    header, rows = summary_rows(report)
    summary = Table(title=f"Funnel of {report.journey}", title_justify="left")
    summary.add_column(header[0])
    for name in header[1:]:
        summary.add_column(name, justify="right")
    for row in rows:
        summary.add_row(*row)
    stages = Table(title="Stage inflow (re-entries count again)", title_justify="left")
    stages.add_column("stage")
    stages.add_column("inflow", justify="right")
    stages.add_column("")
    top = max([*report.combined.stages.values(), 1.0])
    for (stage, share), inflow in zip(stage_rows(report.combined), report.combined.stages.values()):
        stages.add_row(stage, share, "\u2588" * round(20 * inflow / top))
    out: list[RenderableType] = [summary, stages]
    leaks = leak_rows(report.combined)
    if leaks:
        table = Table(title=f"Top {TOP_LEAKS} leaks (drop-off, no outcome)", title_justify="left")
        table.add_column("touchpoint")
        table.add_column("drop-off", justify="right")
        table.add_column("visits", justify="right")
        for row in leaks:
            table.add_row(*row)
        out.append(table)
    return out
