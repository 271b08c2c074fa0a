"""The funnel view: the map with each transition as wide as the share of customers taking it.

The numbers come from journeyctl.funnel (the journey read as an absorbing Markov chain), and only what
it computes is drawn: a transition's flow is the expected visits of its source times the probability
the model gives it (rated, or sharing what no rate claims); nothing flows along an outcome's `next` (the
journey ends there) or along a transition that gets no customers. Touchpoints where customers leave
without an outcome are marked as leaks, and the top three of the fix-first ranking are numbered.
"""

from __future__ import annotations

from ..format.model import Journey
from .layout import RenderError
from .overlay import EdgeOverlay
from .palette import percent

# Drop-off below this share of all customers is not worth a red mark on the map.
LEAK_THRESHOLD = 0.005
# How many fix-first touchpoints the map numbers.
TOP_FIXES = 3


def funnel_overlay(journey: Journey) -> EdgeOverlay:
    try:
        from ..analysis.funnel import FunnelError, analyse_funnel, transition_flows
    except ImportError:  # pragma: no cover - the funnel module ships with journeyctl
        raise RenderError("the funnel view needs journeyctl.funnel, which is not installed") from None
    try:
        report = analyse_funnel(journey)
    except FunnelError as exc:
        raise FunnelViewError(f"the funnel of '{journey.id}' cannot be computed: {exc}") from None
    widths = transition_flows(journey, report.combined)
    notes = {edge: f"flow {percent(round(flow, 4))}" for edge, flow in widths.items()}
    no_flow = {}
    for _, tp in journey.touchpoints():
        for tr in tp.next:
            if (tp.id, tr.to) not in widths:
                no_flow[(tp.id, tr.to)] = "the journey ends at the outcome" if tp.outcome else "no customers take it"
    marks: dict[str, list[str]] = {}
    for tp_id, dropoff in report.combined.leaks:
        if dropoff >= LEAK_THRESHOLD:
            marks.setdefault(tp_id, []).append(f"leak: {percent(round(dropoff, 4))} leave here")
    ranked = [(tp_id, gain) for tp_id, gain in report.combined.fix_first if gain > 0.0][:TOP_FIXES]
    for rank, (tp_id, gain) in enumerate(ranked, start=1):
        marks.setdefault(tp_id, []).append(f"fix first #{rank}: +{percent(round(gain, 4))} conversion")
    subtitle = (f"Funnel: {percent(round(report.combined.conversion, 4))} convert; line width = share of "
                "customers taking each transition; fix first #1-#3 = most conversion gained by saving "
                f"{percent(report.fix_share)} of a leak")
    return EdgeOverlay(widths=widths, notes=notes, node_marks={tp: " · ".join(m) for tp, m in marks.items()},
                       subtitle=subtitle, no_flow=no_flow)


class FunnelViewError(RenderError):
    """The journey's rates do not make a funnel (exit 1, like `journeyctl funnel`)."""
