"""A rule's docstring examples as journeys: what `journeyctl explain` shows is what the tests run.

Each rule's docstring ends with a `Fails:` and a `Passes:` block of YAML. A block is a partial journey:
its top-level keys replace those of BASE, so an example shows only what matters to its rule and still
is a whole, schema-valid journey once overlaid.
"""

from __future__ import annotations

import textwrap
from typing import Any

from . import Rule

BASE: dict[str, Any] = {
    "journeyctl": 1,
    "id": "example",
    "title": "Example",
    "stages": [{"id": "s", "name": "S",
                "touchpoints": [{"id": "t", "name": "T", "entry": True, "outcome": "converted"}]}],
}

# Settings the examples are written against: rules that read the team's settings or the date need them
# (missing-stage, stale-journey); their docstrings say so.
EXAMPLE_REQUIRED_STAGES = ("awareness", "purchase")
EXAMPLE_TODAY = "2026-02-01"


class ExampleError(ValueError):
    """A rule's docstring lacks a Fails: or Passes: block."""


def _block(lines: list[str], header: str) -> str | None:
    for i, line in enumerate(lines):
        if line.strip() != header:
            continue
        indent = len(line) - len(line.lstrip())
        body: list[str] = []
        for nxt in lines[i + 1:]:
            if nxt.strip() and len(nxt) - len(nxt.lstrip()) <= indent:
                break
            body.append(nxt)
        return textwrap.dedent("\n".join(body)).strip("\n") + "\n"
    return None


def rule_examples(rule: Rule) -> tuple[str, str]:
    """The (fails, passes) YAML snippets of a rule's documentation, dedented."""
    lines = rule.doc.splitlines()
    fails, passes = _block(lines, "Fails:"), _block(lines, "Passes:")
    if fails is None or passes is None:
        raise ExampleError(f"rule '{rule.id}' has no Fails:/Passes: examples in its docstring")
    return fails, passes


def example_data(snippet: str) -> dict[str, Any]:
    """BASE with the snippet's top-level keys replacing its own (the snippet read as journeyctl reads
    a journey: YAML 1.2, so `on` or `09` in an example means what it means in a journey file)."""
    import copy
    from pathlib import Path

    from ..format.loader import LoadError, load_text

    try:
        overlay = load_text(snippet, Path("example.journey.yaml")).data or {}
    except LoadError as exc:
        raise ExampleError(f"an example is not YAML: {exc.message}") from None
    if not isinstance(overlay, dict):
        raise ExampleError("an example must be a mapping of journey keys")
    data = copy.deepcopy(BASE)
    data.update(overlay)
    return data


def example_document(snippet: str) -> str:
    """The overlaid journey as YAML text, ready to be written to a file and checked (written so that
    YAML 1.1 and 1.2 readers agree on it)."""
    from ..format.yaml12 import dump

    return dump(example_data(snippet), width=120)
