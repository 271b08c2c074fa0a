"""One fix engine with two faces: `journeyctl fix` and the editor's code actions.

A fix is a list of text edits whose positions come from the parsed document (node marks, the suppression
comment's own span), never from re-printing the YAML: comments, quoting and layout outside the edit stay
byte-identical. Each fixer looks at one finding and the document it points into; the message text is
read only for what the document cannot say (which rule a suppression should drop, the did-you-mean id).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..check.findings import Finding
from ..format.loader import Document

_INDEX = re.compile(r"\[(\d+)\]")
_HINT = re.compile(r"\(did you mean '([^']+)'\?\)")
_WRITE = re.compile(r"; write (.+)$")
_UNUSED = re.compile(r"suppression of '([^']+)' is unused")
_UNKNOWN = re.compile(r"^unknown (team|channel|persona|metric) '([^']+)'")
_STR_TAG = "tag:yaml.org,2002:str"
_PLURAL = {"team": "teams", "channel": "channels", "persona": "personas", "metric": "metrics"}
# The top-level keys a new declaration list goes before, in the order the format documents them.
_DECLARATION_ANCHORS = ("personas", "teams", "channels", "metrics", "stages")
HANDOFF_TRIGGER = "TODO: the event that passes the customer on"
SAFE_RULES = ("yaml-ambiguous", "schema", "missing-handoff", "unused-suppression", "unknown-reference")


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace text[start:end] (character offsets) with `text`."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Fix:
    """The edits that remove one finding; `safe` fixes are applied by `journeyctl fix` without --unsafe."""

    finding: Finding
    title: str
    edits: tuple[Edit, ...]
    safe: bool = True


def parse_path(text: str) -> tuple[str | int, ...]:
    """`stages[0].touchpoints[2].next[0].to` → ('stages', 0, 'touchpoints', 2, 'next', 0, 'to')."""
    out: list[str | int] = []
    for part in text.split(".") if text else ():
        name = _INDEX.split(part)
        # split with one group alternates names and indices: "a[0][1]" → ["a", "0", "", "1", ""]
        if name[0]:
            out.append(name[0])
        out.extend(int(n) for n in name[1::2])
    return tuple(out)


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """The text with every edit applied; edits must not overlap (ValueError otherwise)."""
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    for a, b in zip(ordered, ordered[1:]):
        if b.start < a.end:
            raise ValueError("overlapping edits")
    out, last = [], 0
    for edit in ordered:
        out.append(text[last:edit.start])
        out.append(edit.text)
        last = edit.end
    out.append(text[last:])
    return "".join(out)


def non_overlapping(fixes: Iterable[Fix]) -> list[Fix]:
    """A set of fixes that can be applied together (first come, first served); the rest wait a round."""
    taken: list[tuple[int, int]] = []
    chosen = []
    for fix in fixes:
        spans = [(e.start, e.end) for e in fix.edits]
        if any(s < te and ts < e or s == ts == e == te or (s == e and ts <= s <= te) or (ts == te and s <= ts <= e)
               for s, e in spans for ts, te in taken):
            continue
        taken.extend(spans)
        chosen.append(fix)
    return chosen


# --- positions --------------------------------------------------------------------------------------------
def _offset(doc: Document, line: int, column: int) -> int:
    """Character offset of a 1-based line and column."""
    starts = _line_starts(doc.text)
    if line - 1 >= len(starts):
        return len(doc.text)
    return min(starts[line - 1] + column - 1, len(doc.text))


def _line_starts(text: str) -> list[int]:
    starts = [0]
    index = text.find("\n")
    while index >= 0:
        starts.append(index + 1)
        index = text.find("\n", index + 1)
    return starts


def _line_end(text: str, offset: int) -> int:
    end = text.find("\n", offset)
    return len(text) if end < 0 else end


def _scalar_at(doc: Document, finding: Finding) -> ScalarNode | None:
    """The scalar (a value or a key) starting at the finding's position, else the value at its path."""
    target = _offset(doc, finding.line, finding.column)
    for node in _walk(doc.root):
        if isinstance(node, ScalarNode) and node.start_mark.index == target:
            return node
    if finding.path:
        node = doc.node_at(parse_path(finding.path))
        if isinstance(node, ScalarNode):
            return node
    return None


def _walk(node: Node, seen: set[int] | None = None) -> Iterable[Node]:
    seen = set() if seen is None else seen
    if id(node) in seen:
        return
    seen.add(id(node))
    yield node
    if isinstance(node, MappingNode):
        for key, value in node.value:
            yield from _walk(key, seen)
            yield from _walk(value, seen)
    elif isinstance(node, SequenceNode):
        for item in node.value:
            yield from _walk(item, seen)


def _parent_key(doc: Document, target: Node) -> str | None:
    """The mapping key whose value is `target`, if any."""
    for node in _walk(doc.root):
        if isinstance(node, MappingNode):
            for key, value in node.value:
                if value is target and isinstance(key, ScalarNode):
                    return key.value
    return None


def _quoted(value: str) -> str:
    """A double-quoted YAML scalar (JSON string syntax is valid YAML)."""
    import json

    return json.dumps(value, ensure_ascii=False)


# --- the fixers -------------------------------------------------------------------------------------------
def fix_ambiguous_scalar(doc: Document, finding: Finding, catalogs: Any = None) -> Fix | None:
    """Put the one spelling every YAML reader takes alike in place of a plain scalar 1.1 and 1.2 disagree on.

    journeyctl reads YAML 1.2 (`entry: yes` is the text "yes"); YAML 1.1 tools read a boolean. The
    yaml-ambiguous rule works out, against the schema, what to write (`true` in a boolean field, `"yes"`
    in a text field) and ends its message with `; write <replacement>`: that replacement is applied. A
    finding that does not say it (an editor's stale copy, a hand-made one) gets the replacement the rule
    gives for the scalar it points at, so the fix never disagrees with the rule. A schema finding on a
    value YAML reads as a non-text type (`tags: [1]`) is fixed by quoting, as its message says.
    """
    if finding.rule == "schema" and "YAML reads the unquoted" not in finding.message:
        return None
    node = _scalar_at(doc, finding)
    if node is None or node.style or node.tag == _STR_TAG:
        return None  # quoted already, or a plain string both versions agree on
    if finding.rule == "schema":
        replacement: str | None = _quoted(node.value)
    else:
        written = _WRITE.search(finding.message)
        replacement = written[1] if written is not None else _rule_replacement(doc, node)
    if replacement is None or not _one_scalar(replacement) or replacement == node.value:
        return None
    return Fix(finding, f"Write {replacement} (read the same by YAML 1.1 and 1.2 tools)",
               (Edit(node.start_mark.index, node.end_mark.index, replacement),))


def _rule_replacement(doc: Document, node: ScalarNode) -> str | None:
    """What the yaml-ambiguous rule says to write in place of `node` (None: the rule says nothing there)."""
    from ..check.workspace import is_catalog
    from ..format.yaml12 import ambiguity_findings

    kind = "catalog" if is_catalog(doc.path) else "journey"
    for found in ambiguity_findings(doc, "", kind)[0]:
        written = _WRITE.search(found.message)
        if written is not None and _offset(doc, found.line, found.column) == node.start_mark.index:
            return written[1]
    return None


def _one_scalar(text: str) -> bool:
    """Whether `text` is exactly one YAML scalar (safe to put in place of another)."""
    import yaml

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return False
    return isinstance(node, ScalarNode) and "\n" not in text


def fix_missing_handoff(doc: Document, finding: Finding, catalogs: Any = None) -> Fix | None:
    """Add a `handoff:` skeleton whose trigger is a placeholder and with no sla: validate still flags it."""
    path = parse_path(finding.path)
    if not path or path[-1] != "to":
        return None
    transition = doc.node_at(path[:-1])
    if not isinstance(transition, MappingNode) or not transition.value:
        return None
    if any(isinstance(k, ScalarNode) and k.value == "handoff" for k, _ in transition.value):
        return None
    skeleton = f"trigger: {_quoted(HANDOFF_TRIGGER)}"
    last_value = transition.value[-1][1]
    if transition.flow_style:
        edit = Edit(last_value.end_mark.index, last_value.end_mark.index, f", handoff: {{{skeleton}}}")
    else:
        to_key = next(k for k, _ in transition.value if isinstance(k, ScalarNode) and k.value == "to")
        to_value = next(v for k, v in transition.value if k is to_key)
        if not isinstance(to_value, ScalarNode) or to_value.start_mark.line != to_value.end_mark.line:
            return None
        indent = " " * to_key.start_mark.column
        at = _line_end(doc.text, to_value.end_mark.index)
        newline = "\r\n" if doc.text[at - 1:at] == "\r" else "\n"
        at -= len(newline) - 1
        edit = Edit(at, at, f"{newline}{indent}handoff:{newline}{indent}  {skeleton}")
    return Fix(finding, "Add a hand-off (trigger and sla to fill in)", (edit,))


def fix_unused_suppression(doc: Document, finding: Finding, catalogs: Any = None) -> Fix | None:
    """Drop the unused rule from the suppression comment, or the comment (its line, if alone) when empty."""
    from ..check.suppress import _COMMENT

    unused = _UNUSED.search(finding.message)
    if unused is None:
        return None
    start = _offset(doc, finding.line, 1)
    end = _line_end(doc.text, start)
    line = doc.text[start:end].rstrip("\r")
    match = _COMMENT.search(line)
    if match is None or match.start() + 1 != finding.column:
        return None
    rules = [r.strip() for r in match[2].split(",") if r.strip()]
    rule_id = unused[1]
    if rule_id not in rules:
        return None
    remaining = [r for r in rules if r != rule_id]
    if remaining:
        edit = Edit(start + match.start(2), start + match.end(2), ", ".join(remaining))
        return Fix(finding, f"Remove '{rule_id}' from the suppression", (edit,))
    before = line[:match.start()]
    if not before.strip():
        # the comment is alone on its line: the whole line goes, with its line break
        stop = end + 1 if end < len(doc.text) else end
        edit = Edit(start, stop, "")
    else:
        cut = start + len(before.rstrip())
        edit = Edit(cut, start + len(line), "")
    return Fix(finding, f"Remove the unused suppression of '{rule_id}'", (edit,))


def fix_did_you_mean(doc: Document, finding: Finding, catalogs: Any = None) -> Fix | None:
    """Replace a mistyped id by the one did-you-mean candidate the finding names."""
    hint = _HINT.search(finding.message)
    if hint is None:
        return None
    if finding.rule == "schema" and "unknown key" in finding.message:
        path = parse_path(finding.path)
        node = doc.node_at(path, key=True)
        if not isinstance(node, ScalarNode) or node.value != (path[-1] if path else None):
            return None
        mapping = doc.node_at(path[:-1])
        if isinstance(mapping, MappingNode) and any(isinstance(k, ScalarNode) and k.value == hint[1]
                                                    for k, _ in mapping.value):
            return None  # the key it should be is there already: merging the two needs the author
    else:
        node = _scalar_at(doc, finding)
        if node is None:
            return None
    value = node.value
    wanted = hint[1]
    if finding.rule == "unknown-reference" and not _only_candidate(doc, finding, catalogs):
        return None
    if finding.rule == "unknown-reference" and "/" in value:
        journey, _, target = value.partition("/")
        value = f"{wanted}/{target}" if "unknown journey" in finding.message else f"{journey}/{wanted}"
    else:
        value = wanted
    start, end = node.start_mark.index, node.end_mark.index
    if node.style in ("'", '"'):
        start, end = start + 1, end - 1
    elif node.style:
        return None
    return Fix(finding, f"Change to '{value}'", (Edit(start, end, value),))


_LOCAL_TARGET = re.compile(r"leads to unknown touchpoint '([^']+)'")


def _only_candidate(doc: Document, finding: Finding, catalogs: Any) -> bool:
    """Whether the mistyped id has exactly one close declared id (the rules' own closeness), so the fix
    cannot pick the wrong one of two; links into other journeys are judged by the workspace pass alone."""
    import difflib

    data = doc.data if isinstance(doc.data, dict) else {}
    unknown = _UNKNOWN.match(finding.message)
    if unknown is not None:
        plural = _PLURAL[unknown[1]]
        bad = unknown[2]
        options = {item["id"] for item in data.get(plural) or []
                   if isinstance(item, dict) and isinstance(item.get("id"), str)}
        options.update(getattr(catalogs, plural, {}) or {})
    else:
        local = _LOCAL_TARGET.search(finding.message)
        if local is None:
            return True  # a link into another journey: its single hint comes from that journey's ids
        bad = local[1].rsplit("/", 1)[-1]
        options = {tp["id"] for stage in data.get("stages") or [] if isinstance(stage, dict)
                   for tp in stage.get("touchpoints") or [] if isinstance(tp, dict) and isinstance(tp.get("id"), str)}
    return len(difflib.get_close_matches(bad, sorted(options), n=2, cutoff=0.6)) == 1


def fix_declare(doc: Document, finding: Finding, catalogs: Any = None) -> Fix | None:
    """Unsafe: declare the unknown team, channel, persona or metric in the journey itself.

    Unsafe because the id may be a typo, or belong in a shared catalog: the author must confirm.
    """
    unknown = _UNKNOWN.match(finding.message)
    if unknown is None or not isinstance(doc.root, MappingNode):
        return None
    kind, ident = unknown[1], unknown[2]
    plural = _PLURAL[kind]
    title = f"Declare {kind} '{ident}' in this journey (unsafe: is it a typo, or a catalog id?)"
    existing = next((v for k, v in doc.root.value if isinstance(k, ScalarNode) and k.value == plural), None)
    text = doc.text
    nl = "\r\n" if "\r\n" in text else "\n"
    if isinstance(existing, SequenceNode):
        if existing.flow_style:
            if existing.value:
                at = existing.value[-1].end_mark.index
                return Fix(finding, title, (Edit(at, at, f", {{id: {ident}}}"),), safe=False)
            at = existing.start_mark.index + 1
            return Fix(finding, title, (Edit(at, at, f"{{id: {ident}}}"),), safe=False)
        if not existing.value:
            return None
        first = existing.value[0]
        dash = text.rfind("-", 0, first.start_mark.index)
        indent = " " * (dash - (text.rfind("\n", 0, dash) + 1))
        last = _last_scalar(existing.value[-1])
        at = last.end_mark.index
        if text[at - 1:at] != "\n":
            at = _line_end(text, at) + 1
            if at > len(text):
                return Fix(finding, title, (Edit(len(text), len(text), f"{nl}{indent}- id: {ident}{nl}"),), safe=False)
        return Fix(finding, title, (Edit(at, at, f"{indent}- id: {ident}{nl}"),), safe=False)
    if existing is not None:
        return None  # `teams: null` or something stranger: leave it to the author
    anchor = next((k for k, _ in doc.root.value if isinstance(k, ScalarNode)
                   and k.value in _DECLARATION_ANCHORS[_DECLARATION_ANCHORS.index(plural) + 1:]), None)
    block = f"{plural}:{nl}  - id: {ident}{nl}"
    if anchor is not None and anchor.start_mark.column == 0:
        at = anchor.start_mark.index
        return Fix(finding, title, (Edit(at, at, block),), safe=False)
    at = len(text)
    return Fix(finding, title, (Edit(at, at, ("" if text.endswith("\n") else nl) + block),), safe=False)


def _last_scalar(node: Node) -> Node:
    while isinstance(node, (MappingNode, SequenceNode)) and node.value:
        node = node.value[-1][1] if isinstance(node, MappingNode) else node.value[-1]
    return node


# (document, finding, the workspace's shared catalogs or None) → a fix, or None where it cannot be placed
Fixer = Callable[[Document, Finding, Any], "Fix | None"]
FIXERS: dict[str, tuple[Fixer, ...]] = {
    "yaml-ambiguous": (fix_ambiguous_scalar,),
    "schema": (fix_ambiguous_scalar, fix_did_you_mean),
    "missing-handoff": (fix_missing_handoff,),
    "unused-suppression": (fix_unused_suppression,),
    "unknown-reference": (fix_did_you_mean, fix_declare),
}


def fixes_for(doc: Document, findings: Iterable[Finding], unsafe: bool = True, catalogs: Any = None) -> list[Fix]:
    """Every fix the engine knows for these findings of `doc` (unsafe ones only when asked).

    `catalogs` (a journeyctl.rules.Workspace) lets a did-you-mean fix see every id the reference could mean.
    """
    out = []
    for finding in findings:
        for fixer in FIXERS.get(finding.rule, ()):
            try:
                fix = fixer(doc, finding, catalogs)
            except (ValueError, IndexError, KeyError, TypeError, AttributeError, StopIteration):
                fix = None  # a finding the fixer cannot place is left for the author, never a crash
            if fix is not None and (fix.safe or unsafe):
                out.append(fix)
    return out


def preferred(fixes: Iterable[Fix]) -> list[Fix]:
    """One fix per finding, a safe one where there is one: what `journeyctl fix` applies."""
    best: dict[Finding, Fix] = {}
    for fix in fixes:
        if fix.finding not in best or (fix.safe and not best[fix.finding].safe):
            best[fix.finding] = fix
    return list(best.values())
