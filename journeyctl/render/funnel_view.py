"""The funnel view: the map with each transition as wide as the share of customers taking it.

The numbers come from journeyctl.funnel (the journey read as an absorbing Markov chain): a
transition's flow is the expected visits of its source times its rate, as a share of the customers
who start; touchpoints where customers leave without an outcome are marked as leaks.
"""

from __future__ import annotations

from ..model import Journey
from .layout import RenderError
from .overlay import EdgeOverlay
from .palette import percent

# Drop-off below this share of all customers is not worth a red mark on the map.
LEAK_THRESHOLD = 0.005


def funnel_overlay(journey: Journey) -> EdgeOverlay:
    try:
        from ..funnel import FunnelError, analyse_funnel
    except ImportError:  # pragma: no cover - the funnel module ships with journeyctl
        raise RenderError("the funnel view needs journeyctl.funnel, which is not installed") from None
    try:
        report = analyse_funnel(journey)
    except FunnelError as exc:
        raise FunnelViewError(f"the funnel of '{journey.id}' cannot be computed: {exc}") from None
    flows = report.combined.touchpoints
    widths: dict[tuple[str, str], float] = {}
    notes: dict[tuple[str, str], str] = {}
    seen: set[str] = set()
    for _, tp in journey.touchpoints():
        if tp.id in seen or tp.id not in flows:
            continue
        seen.add(tp.id)
        for tr in tp.next:
            if tr.rate is None:
                continue
            flow = flows[tp.id].visits * tr.rate
            widths[(tp.id, tr.to)] = flow
            notes[(tp.id, tr.to)] = f"flow {percent(round(flow, 4))}"
    marks = {}
    for tp_id, dropoff in report.combined.leaks:
        if dropoff >= LEAK_THRESHOLD:
            marks[tp_id] = f"leak: {percent(round(dropoff, 4))} leave here"
    subtitle = (f"Funnel: {percent(round(report.combined.conversion, 4))} convert; line width = share of "
                "customers taking each transition")
    return EdgeOverlay(widths=widths, notes=notes, node_marks=marks, subtitle=subtitle)


class FunnelViewError(RenderError):
    """The journey's rates do not make a funnel (exit 1, like `journeyctl funnel`)."""
