"""What the funnel predicts, in the outcome keys conform observes, so the two sit side by side.

The funnel (journeyctl/funnel.py) reads the declared rates as a Markov chain; conform counts where
real traces end. A trace that ends at a touchpoint with no outcome is the funnel's drop-off, and a
customer handed over to another journey also ends outside this journey's outcomes: both are `none`.
"""

from __future__ import annotations

from typing import Any

from ..format.model import Journey
from .result import NO_OUTCOME, OUTCOME_KINDS


def predicted_outcomes(journey: Journey) -> dict[str, Any]:
    """{"outcomes": {kind: share}, "conversion": share}, or nulls and a "note" saying why not."""
    try:
        from ..analysis.funnel import FunnelError, analyse_funnel
    except ImportError:  # a build without the funnel module
        return {"outcomes": None, "conversion": None, "note": "the funnel module is not available"}
    try:
        combined = analyse_funnel(journey).to_json()["combined"]
    except FunnelError as exc:
        return {"outcomes": None, "conversion": None, "note": f"the funnel cannot be computed: {exc}"}
    raw = combined["outcomes"]
    outcomes = {kind: raw.get(kind, 0.0) for kind in OUTCOME_KINDS}
    outcomes[NO_OUTCOME] = round(combined["dropoff"] + raw.get("handed_over", 0.0), 12) + 0.0
    return {"outcomes": outcomes, "conversion": combined["conversion"]}
