"""The date the rules, the cache and the docs see: today, or JOURNEYCTL_TODAY (an ISO date) when set.

One reader, checked once at start-up (`__main__`): an invalid value is a usage error naming the variable
(exit 2), not an "internal error" finding on every file from deep inside the rules.
"""

from __future__ import annotations

import os
from datetime import date

VARIABLE = "JOURNEYCTL_TODAY"


class ClockError(ValueError):
    """JOURNEYCTL_TODAY is set but is not an ISO date (YYYY-MM-DD)."""


def today() -> date:
    """JOURNEYCTL_TODAY when set (tests and reproducible CI runs pin it), else the local date."""
    value = os.environ.get(VARIABLE)
    if not value:
        return date.today()
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        shown = value.encode("unicode_escape").decode("ascii")[:40]
        raise ClockError(f"{VARIABLE}='{shown}' is not a date: write it as YYYY-MM-DD (e.g. 2026-11-23), "
                         f"or unset it to use today's date") from None


def check_environment() -> str | None:
    """The message for an invalid JOURNEYCTL_TODAY, or None when it is unset or valid."""
    try:
        today()
    except ClockError as exc:
        return str(exc)
    return None
