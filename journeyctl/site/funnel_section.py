"""The funnel figures on a journey page, where the journey declares rates (issue 18).

The same numbers `journeyctl funnel` prints (journeyctl.funnel), shown with names rather than ids: how many
customers convert, where they leave, how far each stage is reached. A journey whose rates cannot be read
as probabilities gets one line saying why instead of numbers nobody should trust.
"""

from __future__ import annotations

from ..format.model import Journey
from .html import esc, table


def _pct(value: float) -> str:
    from ..render.palette import percent

    return percent(max(0.0, min(1.0, value)))


def percent_any(value: float) -> str:
    """Inflow may exceed 100% when customers come back to a stage: not clamped."""
    from ..render.palette import percent

    return percent(max(0.0, value))


def funnel_section(journey: Journey) -> str:
    """The "Funnel" section's HTML, or "" when no transition declares a rate."""
    if not any(tr.rate is not None for _, tp in journey.touchpoints() for tr in tp.next):
        return ""
    from ..analysis.funnel import FunnelError, analyse_funnel

    head = '<h2 id="funnel">Funnel</h2>'
    try:
        report = analyse_funnel(journey)
    except FunnelError as exc:
        return head + f'<p class="muted">No funnel figures: {esc(str(exc))} (journeyctl funnel says more).</p>'
    result = report.combined
    names = {tp.id: tp.label for _, tp in journey.touchpoints()}
    stage_names = {stage.id: stage.label for stage in journey.stages}
    parts = [head, '<div class="stats">'
             f'<div class="stat"><b>{_pct(result.conversion)}</b><span>convert</span></div>'
             f'<div class="stat"><b>{_pct(result.dropoff)}</b><span>drop off</span></div>'
             f'<div class="stat"><b>{result.expected_touchpoints:.1f}</b><span>touchpoints on average</span></div>'
             "</div>"]
    outcomes = [(kind.replace("_", " "), share) for kind, share in result.outcomes.items() if share > 0]
    if outcomes:
        parts.append(table(["Outcome", "Share of customers"], [[esc(k), _pct(v)] for k, v in outcomes],
                           numeric=[1]))
    if result.stages:
        rows = [[esc(stage_names.get(sid, sid)), percent_any(share)] for sid, share in result.stages.items()]
        parts.append(table(["Stage", "Inflow (customers entering it; re-entries count again)"], rows, numeric=[1]))
    if result.leaks:
        rows = [[esc(names.get(tp, tp)), _pct(share)] for tp, share in result.leaks[:5]]
        parts.append(table(["Where customers leave", "Share of customers"], rows, numeric=[1]))
    parts.append('<p class="muted">From the declared rates and entry shares, as <code>journeyctl funnel</code> '
                 "computes them: a model of the journey, not measured traffic.</p>")
    return "".join(parts)
