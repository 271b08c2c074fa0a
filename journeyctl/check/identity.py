"""What a finding is about, as one stable string: its identity.

Lines, columns and list positions change on every edit (a stage inserted above, a file re-indented,
keys reordered), so a finding is identified by what it is about instead: the rule, the journey (its id,
not its file), the elements involved named by their ids (`stages[retention].touchpoints[welcome-call]`
rather than `stages[3].touchpoints[0]`) and its message with positions taken out ("first defined on
line 178" reads "first defined on line #"). Severity is left out: a config that makes a warning an
error does not make it a different finding.

One function, `identity_of`, gives the identity of any finding; `stamp` computes it where the
document is at hand (the checking pipeline), so ids replace list indices. Everything that compares
findings across runs uses it: the JSON report (`identity`), SARIF `partialFingerprints`, JUnit test
names, `diff` (new and resolved findings are set differences of identities) and baselines.

Two findings can share an identity (two identical unused suppressions in one file): every consumer
treats identities as a multiset (a count per identity), never as unique keys.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import replace
from typing import Any, Iterable

from .findings import Finding

# Bumped when the recipe changes: every identity changes with it (baselines must be rewritten).
IDENTITY_VERSION = 1
CATALOG_SCOPE = "catalog"

_PATH_STEP = re.compile(r"\[(\d+)\]|([^.\[\]]+)")
# Positions a message may quote: "line 12", "lines 3, 9", "column 4", "file.yaml:12:3", "at 12:3", "[2]".
_FILE_POSITION = re.compile(r"(?<![\w/.-])[\w./\\-]+\.(?:ya?ml|json|toml):\d+(?::\d+)?")
_LINE_WORDS = re.compile(r"\b(lines?|columns?|col|row)\s+\d+(?:\s*(?:,|and|-|–|to)\s*\d+)*", re.IGNORECASE)
_AT_POSITION = re.compile(r"\b(at|on) \d+:\d+\b")
_INDEX = re.compile(r"(?<=[\w\]])\[\d+\]")
# A dict item without an id is named by the first of these keys it has (transitions by their target).
_NAME_KEYS = ("id", "to", "url", "source", "title", "name")


def normalise_message(message: str) -> str:
    """The message without anything positional, so moving text around cannot change it."""
    text = _FILE_POSITION.sub("<file>", message)
    text = _LINE_WORDS.sub(lambda m: f"{m.group(1).lower()} #", text)
    text = _AT_POSITION.sub(r"\1 #", text)
    text = _INDEX.sub("[]", text)
    return " ".join(text.split())


def parse_path(path: str) -> tuple[str | int, ...]:
    """`stages[0].touchpoints[2].next[0].to` → ('stages', 0, 'touchpoints', 2, 'next', 0, 'to')."""
    return tuple(int(index) if index else key for index, key in _PATH_STEP.findall(path))


def _child(node: Any, step: str | int) -> Any:
    try:
        if isinstance(step, int):
            return node[step] if isinstance(node, (list, tuple)) else None
        if isinstance(node, dict):
            return node.get(step)
        return getattr(node, step, None)
    except (IndexError, TypeError):
        return None


def _name(item: Any) -> str | None:
    """What an element of a list is called: its id (a transition: `->target`; else url, source, title,
    name), or a scalar's value; None for an element with none of these."""
    if isinstance(item, bool) or item is None:
        return None
    if isinstance(item, (str, int, float)):
        return str(item)
    for key in _NAME_KEYS:
        value = item.get(key) if isinstance(item, dict) else getattr(item, key, None)
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return f"->{value}" if key == "to" else str(value)
    return None


# Long lists ranked once: (the list itself, each element's count of earlier namesakes), by id(list).
_RANKS: dict[int, tuple[Any, list[int]]] = {}


def _earlier_namesakes(items: Any, step: int, name: str) -> int:
    """How many elements before items[step] are also called `name`.

    Counted afresh for a short list; a long one is ranked once and remembered (while it is the same list
    of the same length): a finding on each of its n elements made anchoring quadratic (a 2,000-item list
    took seconds in validate and docs).
    """
    if len(items) <= 64:
        return sum(1 for other in items[:step] if _name(other) == name)
    cached = _RANKS.get(id(items))
    if cached is None or cached[0] is not items or len(cached[1]) != len(items):
        seen: dict[str | None, int] = {}
        ranks = []
        for other in items:
            key = _name(other)
            ranks.append(seen.get(key, 0))
            seen[key] = ranks[-1] + 1
        if len(_RANKS) >= 32:
            _RANKS.clear()
        cached = _RANKS[id(items)] = (items, ranks)
    return cached[1][step]


def anchor(root: Any, path: Iterable[str | int]) -> str:
    """A document path with list indices replaced by the ids of the elements (data or a model).

    `stages[3].touchpoints[0].next[1].to` → `stages[retention].touchpoints[welcome].next[->survey].to`.
    An element without a name keeps an empty `[]`; the nth element with the same name as earlier ones
    gets `#n`, so two transitions to the same touchpoint stay apart without depending on what precedes.
    """
    out = ""
    node = root
    for step in path:
        if isinstance(step, int):
            items = node if isinstance(node, (list, tuple)) else []
            item = _child(node, step)
            name = _name(item)
            if name is None:
                out += "[]"
            else:
                same = _earlier_namesakes(items, step, name)
                out += f"[{name}{f' #{same + 1}' if same else ''}]"
            node = item
        else:
            out += ("." if out else "") + str(step)
            node = _child(node, step) if node is not None else None
    return out


def strip_indices(path: str) -> str:
    """A document path when the document is not at hand: indices dropped (the message names the ids)."""
    return re.sub(r"\[\d+\]", "[]", path)


def scope_of(data: Any, display: str, catalog: bool = False) -> str:
    """Whose finding it is: the journey id (a moved file keeps its findings), the catalog, else the file."""
    if catalog:
        return CATALOG_SCOPE
    ident = data.get("id") if isinstance(data, dict) else None
    if isinstance(ident, str) and ident.strip():
        return f"journey:{ident}"
    return f"file:{display}"


def compute(rule: str, scope: str, where: str, message: str) -> str:
    """The identity of (rule, scope, anchored path, message): 20 hex digits of a SHA-256."""
    payload = json.dumps([IDENTITY_VERSION, rule, scope, where, normalise_message(message)], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:20]


def identity_of(finding: Finding) -> str:
    """The finding's identity: stamped by the pipeline, else computed from the finding alone (a file
    that could not be read: scope is the file, the path has no indices to replace)."""
    if finding.identity:
        return finding.identity
    return compute(finding.rule, f"file:{finding.file}", strip_indices(finding.path), finding.message)


def stamp(findings: Iterable[Finding], root: Any, scope: str) -> list[Finding]:
    """The findings with their identity, ids resolved against `root` (document data or model; None:
    indices are dropped instead)."""
    out = []
    for f in findings:
        if f.identity:
            out.append(f)
            continue
        where = anchor(root, parse_path(f.path)) if root is not None and f.path else strip_indices(f.path)
        out.append(replace(f, identity=compute(f.rule, scope, where, f.message)))
    return out
