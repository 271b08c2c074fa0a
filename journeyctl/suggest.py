"""'Did you mean …' for mistyped ids: the closest known id, if it is close enough to be a typo."""

from __future__ import annotations

from typing import Iterable


def closest(word: str, candidates: Iterable[str]) -> str | None:
    import difflib

    options = sorted(set(candidates))
    matches = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return matches[0] if matches else None
