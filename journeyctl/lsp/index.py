"""Where every id is defined and used in one document, read from its YAML node tree.

Built from nodes, not from the validated model, so that navigation keeps working while the file is
broken (the editor's normal state). An occurrence's key names what it denotes across the workspace:
("team", "sales"), ("touchpoint", "journey-id", "tp-id"), ("journey", "journey-id").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..format.loader import Document

Key = tuple[str, ...]
DECLARED = {"personas": "persona", "teams": "team", "channels": "channel", "metrics": "metric"}
REFERENCE_KEYS = {"owner": "team", "channel": "channel", "personas": "persona", "kpis": "metric"}


@dataclass(frozen=True, slots=True)
class Occurrence:
    key: Key
    start: int  # character offsets of the id itself (inside quotes, the journey or touchpoint half of a link)
    end: int
    definition: bool
    path: tuple[str | int, ...] = ()  # for a definition: the path of the object it defines


@dataclass
class DocIndex:
    journey: str | None  # the journey's id (None for a catalog, or a journey without one)
    occurrences: list[Occurrence] = field(default_factory=list)

    def at(self, offset: int) -> Occurrence | None:
        for occ in self.occurrences:
            if occ.start <= offset <= occ.end:
                return occ
        return None


def _get(node: Node, name: str) -> Node | None:
    if isinstance(node, MappingNode):
        for key, value in node.value:
            if isinstance(key, ScalarNode) and key.value == name:
                return value
    return None


def _span(node: ScalarNode) -> tuple[int, int]:
    start, end = node.start_mark.index, node.end_mark.index
    if node.style in ("'", '"'):
        return start + 1, end - 1
    return start, end


def _items(node: Node | None) -> list[Node]:
    return list(node.value) if isinstance(node, SequenceNode) else []


def build_index(doc: Document, catalog: bool = False) -> DocIndex:
    root = doc.root
    own = _get(root, "id")
    journey = own.value if isinstance(own, ScalarNode) and not catalog else None
    index = DocIndex(journey)
    add = index.occurrences.append
    if journey is not None and isinstance(own, ScalarNode):
        add(Occurrence(("journey", journey), *_span(own), True, ()))
    for plural, kind in DECLARED.items():
        for i, item in enumerate(_items(_get(root, plural))):
            ident = _get(item, "id")
            if isinstance(ident, ScalarNode):
                add(Occurrence((kind, ident.value), *_span(ident), True, (plural, i)))
    if catalog:
        return index
    _reference(index, root, ())
    for s, stage in enumerate(_items(_get(root, "stages"))):
        ident = _get(stage, "id")
        if isinstance(ident, ScalarNode):
            add(Occurrence(("stage", journey or "", ident.value), *_span(ident), True, ("stages", s)))
        _reference(index, stage, ())
        for t, tp in enumerate(_items(_get(stage, "touchpoints"))):
            ident = _get(tp, "id")
            if isinstance(ident, ScalarNode):
                add(Occurrence(("touchpoint", journey or "", ident.value), *_span(ident), True,
                               ("stages", s, "touchpoints", t)))
            _reference(index, tp, ())
            for tr in _items(_get(tp, "next")):
                to = _get(tr, "to")
                if isinstance(to, ScalarNode):
                    _link(index, to, journey or "")
    return index


def _reference(index: DocIndex, holder: Node, _: tuple) -> None:
    for name, kind in REFERENCE_KEYS.items():
        value = _get(holder, name)
        values = _items(value) if isinstance(value, SequenceNode) else [value]
        for node in values:
            if isinstance(node, ScalarNode) and node.value:
                index.occurrences.append(Occurrence((kind, node.value), *_span(node), False))


def _link(index: DocIndex, node: ScalarNode, journey: str) -> None:
    start, end = _span(node)
    value = node.value
    if "/" in value:
        other, _, target = value.partition("/")
        if other != journey:
            index.occurrences.append(Occurrence(("journey", other), start, start + len(other), False))
        index.occurrences.append(Occurrence(("touchpoint", other, target), start + len(other) + 1, end, False))
    else:
        index.occurrences.append(Occurrence(("touchpoint", journey, value), start, end, False))
