"""Counts as a reader says them: "1 warning", "2 warnings", "2 info", "1 row" (never "1 rows" or "2 infos")."""

from __future__ import annotations

# Nouns whose plural is the word itself, as used in journeyctl's messages.
_SAME = {"info"}


def count(n: int, noun: str, plural: str | None = None, *, thousands: bool = False) -> str:
    """`n noun`, the noun in the plural unless n is 1; `thousands` writes 12,345."""
    number = f"{n:,}" if thousands else str(n)
    if n == 1:
        return f"{number} {noun}"
    return f"{number} {plural or (noun if noun in _SAME else noun + 's')}"


def severities(counts: dict[str, int], *, skip_zero: bool = False) -> str:
    """"1 error, 2 warnings, 0 info" from {"error": 1, "warning": 2, "info": 0}."""
    return ", ".join(count(counts.get(k, 0), k) for k in ("error", "warning", "info")
                     if counts.get(k, 0) or not skip_zero)
