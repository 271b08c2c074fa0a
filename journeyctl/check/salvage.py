"""A journey for the gap rules out of a document with schema errors, and what was changed to get it.

The schema stage has already reported every error; the rules should still check the rest of the file in
the same run (never a silent skip), without reporting the schema's errors a second time as their own
(root cause first, consequences dropped). So the salvage repairs the data in small steps, until the model
accepts it, and remembers each place it changed (a *taint*):

- a misspelt key with a clear did-you-mean (`chanel`) is read as the key meant, when that key is absent:
  the rules then see the channel and say nothing about it;
- an invalid value (`sla: one hour`, `owner: sales team`, `milestone: 5`) is set aside;
- an object that lost a required key (a link without a valid url) is set aside from its list;
- a missing or invalid `journeyctl`, `id` or `title` at the top is filled with a placeholder (the rules
  hardly read them, and the error is already reported).

A rule finding on a tainted place (the value set aside, or its object when the message names the field)
is a consequence, not news: check.py drops it.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

from .findings import Finding, format_path

_PER_ROUND = 1000
_ROUNDS = 12  # repairs cascade (a value set aside, then its object lacks it): a few rounds suffice


@dataclass(frozen=True, slots=True)
class Taint:
    """A field set aside (or filled with `placeholder`) in the object at `owner` (its document path)."""

    owner: tuple[str | int, ...]
    field: str
    placeholder: str = ""
    names: tuple[str, ...] = ()  # ids declared inside the value set aside (touchpoints under a misspelt key)

    def covers(self, finding: Finding) -> bool:
        place = format_path(self.owner + (self.field,))
        if finding.path == place or finding.path.startswith((place + ".", place + "[")):
            return True
        if any(f"'{name}'" in finding.message for name in self.names):
            return True
        if self.placeholder:  # a stand-in id or target: the findings that name it
            return f"'{self.placeholder}'" in finding.message
        # A finding on the object, or on a key of an object around it, that names the field.
        words = self.field.replace("_", " ")
        if not re.search(rf"\b({re.escape(self.field)}|{re.escape(words)})\b", finding.message):
            return False
        owner = format_path(self.owner)
        base = re.sub(r"\.[^.\[\]]+$", "", finding.path) if "." in finding.path else ""
        return not base or owner == base or owner.startswith((base + ".", base + "["))


def salvage(data: dict[str, Any]) -> tuple[Any, list[Taint]]:
    """(Journey or None, the taints) for data the model refused."""
    from pydantic import ValidationError

    from ..format.model import Journey

    data = copy.deepcopy(data)
    taints: list[Taint] = []
    for _ in range(_ROUNDS):
        try:
            return Journey.model_validate(data), taints
        except ValidationError as exc:
            errors = exc.errors()
        if not _repair(data, errors, taints):
            return None, taints
    return None, taints


def _walk(data: Any, loc: tuple[Any, ...]) -> list[tuple[Any, Any, tuple[Any, ...]]]:
    """(container, step, path of container) for each step of `loc` that exists in the data."""
    trail = []
    node, path = data, ()
    for step in loc:
        if isinstance(node, dict) and isinstance(step, str) and step in node:
            trail.append((node, step, path))
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            trail.append((node, step, path))
        else:
            break
        node, path = node[step], path + (step,)
    return trail


def _allowed(path: tuple[Any, ...]) -> set[str]:
    from ..format.schema import journey_schema
    from ..format.yaml12 import subschemas

    return {name for schema in subschemas(journey_schema(), path) for name in schema.get("properties", {})}


def _placeholder(name: str, taints: list[Taint]) -> Any:
    """A valid stand-in for a required key that is missing or was set aside (None: none fits)."""
    if name in ("id", "to"):
        return f"invalid-{name}-{len(taints) + 1}"  # unique: no duplicate-id from stand-ins
    return {"journeyctl": 1, "title": "untitled", "url": "https://invalid.example", "source": "unknown"}.get(name)


def _repair(data: dict[str, Any], errors: list[dict[str, Any]], taints: list[Taint]) -> bool:
    """One round of repairs; False when nothing more can be done.

    List items are never removed (the model's paths, hence every later finding's line, would shift): an
    invalid item of a list of values sets the whole list aside; an object missing a required key gets
    a stand-in value for it.
    """
    from ..suggest import closest

    changed = False
    # Every error is located before anything changes: two errors of one value (a union's branches) must
    # not see each other's repair.
    # At most _PER_ROUND errors a round: a list of 200,000 wrong items is set aside by its first one.
    located = [(tuple(err["loc"]), _walk(data, tuple(err["loc"])), err["type"]) for err in errors[:_PER_ROUND]]
    before = {id(t[-1][0]): set(t[-1][0]) for _, t, _ in located if t and isinstance(t[-1][0], dict)}
    done: set[tuple[int, Any]] = set()
    for loc, trail, kind in located:
        if trail and (id(trail[-1][0]), trail[-1][1]) in done:
            continue
        if trail:
            done.add((id(trail[-1][0]), trail[-1][1]))
        if kind == "missing":
            if len(trail) >= len(loc):
                continue
            name = loc[len(trail)]
            owner = trail[-1][0][trail[-1][1]] if trail else data
            path = trail[-1][2] + (trail[-1][1],) if trail else ()
            value = _placeholder(name, taints) if isinstance(name, str) and isinstance(owner, dict) else None
            if value is None or name in owner:
                continue
            owner[name] = value
            taints.append(Taint(path, name, str(value)))
            changed = True
            continue
        if not trail:
            continue
        container, step, path = trail[-1]
        if isinstance(container, list):  # an item of a list of values: set the list aside
            if len(trail) < 2 or not isinstance(trail[-2][0], dict):
                continue
            container, step, path = trail[-2]
        if step not in container:
            continue
        if kind == "extra_forbidden":
            meant = closest(step, _allowed(path))
            value = container.pop(step)
            if isinstance(value, (dict, list)):
                taints.append(Taint(path, step, names=tuple(_ids(value))))
            # Read as the key meant (its error is reported already); not a list or mapping, whose objects
            # the findings would locate under the key meant, which the document does not have.
            if meant and meant not in before.get(id(container), container) and not isinstance(value, (dict, list)):
                container[meant] = value
            changed = True
            continue
        removed = container.get(step)
        value = _placeholder(step, taints)
        if value is not None and container.get(step) != value:
            container[step] = value
        else:
            del container[step]
        taints.append(Taint(path, step, "" if value is None else str(value), tuple(_ids(removed))))
        changed = True
    return changed


def _ids(value: Any) -> list[str]:
    """The ids declared anywhere inside a value."""
    if isinstance(value, dict):
        own = [value["id"]] if isinstance(value.get("id"), str) else []
        return own + [i for v in value.values() if isinstance(v, (dict, list)) for i in _ids(v)]
    if isinstance(value, list):
        return [i for v in value for i in _ids(v)]
    return []


def consequences(findings: list[Finding], taints: list[Taint]) -> list[Finding]:
    """The rule findings that only repeat what a set-aside value already explains."""
    return [f for f in findings if any(t.covers(f) for t in taints)]
