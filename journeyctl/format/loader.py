"""YAML → plain data, safely, with positions kept for the findings that need them.

libyaml (the C loader) scans, parses and composes the node tree; our own small constructor turns nodes
into dicts, lists and scalars. Owning construction is what makes loading safe by construction: only the
core YAML tags exist, duplicate keys are reported with both lines, aliases are shared rather than copied
and budgeted, and every scalar conversion error becomes a positioned problem instead of the ValueError /
KeyError that `yaml.safe_load` raises. The node tree is kept so that a finding's line and column are
looked up only when there is a finding to report.
"""

from __future__ import annotations

import bisect
import errno
import math
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from . import yaml12

try:  # The pure-Python loader is ~10x slower; it stays a fallback for PyYAML builds without libyaml.
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - exercised only on machines without libyaml
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 64
# Values that aliases may add on top of the document's own nodes: generous for anchors reused as
# defaults, far below what a "billion laughs" document expands to.
MAX_ALIAS_EXPANSION = 100_000
MAX_INT_DIGITS = 100
# The size cap bounds bytes, not work: 8 MiB of `[1,1,1,...]` is 4 million values, minutes and gigabytes
# through the model and the rules. A journey of 10,000 touchpoints is under 200,000 values.
MAX_NODES = 250_000
_TOO_DEEP = f"nesting deeper than {MAX_DEPTH} levels; a journey never needs this"
# libyaml's composer recurses in C and crashes the process near 25,000 levels, so any document that
# could nest that deep is measured on the event stream first. The bound below is cheap to compute and
# only ever overestimates depth (flow brackets, plus block levels, which need indentation or a "- "
# per level on one line).
_SAFE_COMPOSE_BOUND = 2_000

_TAG = "tag:yaml.org,2002:"
_STR = _TAG + "str"
_SEQ = _TAG + "seq"
_MAP = _TAG + "map"
_MERGE = _TAG + "merge"
_TIMESTAMP = re.compile(r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ]|$)")


# Tag resolution is the loader's hottest Python code: libyaml calls back into `resolve` for every node. A
# plain scalar's tag depends on its text alone (YAML 1.2's core schema, see yaml12.py), so it is worked out
# once per distinct text; text whose first character starts no implicit type in YAML 1.1 or 1.2 (most
# prose) is a string at once. The memo is bounded so a file of unique values cannot grow it forever.
_IMPLICIT_FIRST = yaml12.FIRST
_PLAIN_TAGS: dict[str, str] = {}
_PLAIN_TAGS_MAX = 50_000
_MEMO_MAX_LEN = 64


def plain_tag(value: str) -> str:
    """The tag of a plain scalar: YAML 1.2 core's, or AMBIGUOUS where YAML 1.1 reads it differently."""
    if value == "<<":
        return _MERGE
    if yaml12.is_ambiguous(value):
        return yaml12.AMBIGUOUS
    return yaml12.reading_12(value)[0]


def core_tag(value: str) -> str:
    """The YAML 1.2 core-schema tag of a plain scalar (what journeyctl, editors and JSON tools read)."""
    return yaml12.reading_12(value)[0]


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    # No path resolvers are registered, so these per-node hooks do nothing; C callables that accept the
    # same arguments skip a Python frame per node (`slice(parent, index)`, `tuple()`), and do not bind.
    descend_resolver = slice
    ascend_resolver = tuple

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is ScalarNode:
            if not implicit[0]:  # quoted, or the non-specific '!' tag
                return _STR
            if value and value[0] not in _IMPLICIT_FIRST:
                return _STR
            tag = _PLAIN_TAGS.get(value)
            if tag is None:
                tag = plain_tag(value)
                if len(value) <= _MEMO_MAX_LEN:
                    if len(_PLAIN_TAGS) >= _PLAIN_TAGS_MAX:
                        _PLAIN_TAGS.clear()
                    _PLAIN_TAGS[value] = tag
            return tag
        return _SEQ if kind is SequenceNode else _MAP


class LoadError(Exception):
    """The file cannot be turned into data at all; one message with a position."""

    def __init__(self, rule: str, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.line = line
        self.column = column


@dataclass(slots=True)
class Problem:
    """Something wrong in a document that still loaded: reported, but the rest is checked too."""

    rule: str
    message: str
    line: int
    column: int
    path: tuple[str | int, ...] = ()


@dataclass
class Document:
    """A loaded YAML document: its data, the node tree it came from, and what went wrong on the way."""

    path: Path
    data: Any
    root: Node
    text: str
    problems: list[Problem] = field(default_factory=list)
    # Plain scalars YAML 1.1 reads differently (message: the scalar's text); check.py words the finding,
    # which depends on the schema. Kept apart from `problems`: the value itself loaded fine.
    ambiguous: list[Problem] = field(default_factory=list)
    _lines: "_Lines | None" = field(default=None, init=False, repr=False, compare=False)

    def node_at(self, path: Iterable[str | int], key: bool = False) -> Node:
        """The deepest node along `path` (the key node of the last step if `key`)."""
        path = tuple(path)
        node = self.root
        for depth, step in enumerate(path):
            if isinstance(node, MappingNode):
                for k, v in node.value:
                    if isinstance(k, ScalarNode) and k.value == step:
                        node = k if key and depth == len(path) - 1 else v
                        break
                else:
                    return node
            elif isinstance(node, SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
                node = node.value[step]
            else:
                return node
        return node

    def locate(self, path: Iterable[str | int], key: bool = False) -> tuple[int, int]:
        """1-based line and column of the value (or key) at `path`."""
        path = tuple(path)
        node = self.node_at(path, key)
        if self._lines is None:
            self._lines = _Lines(self.text)
        return self._lines(node.start_mark)


def position_of(data: bytes | str, offset: int) -> tuple[int, int]:
    """1-based line and column of an offset, for errors libyaml reports as a byte offset only."""
    newline = b"\n" if isinstance(data, bytes) else "\n"
    line = data.count(newline, 0, offset) + 1  # type: ignore[arg-type]
    column = offset - (data.rfind(newline, 0, offset) + 1) + 1  # type: ignore[arg-type]
    return line, column


def decode(raw: bytes) -> str:
    """Bytes → text, refusing what is not a UTF-8 journey with the position of the first bad byte."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or raw[:4] in (b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00"):
        raise LoadError("yaml-syntax", "file is UTF-16 or UTF-32; journeyctl reads UTF-8 (re-save the file as UTF-8)")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    nul = raw.find(b"\x00")
    if nul >= 0:
        line, col = position_of(raw, nul)
        raise LoadError("yaml-syntax", "binary file: found a NUL byte; a journey is UTF-8 text", line, col)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = position_of(raw, exc.start)
        raise LoadError("yaml-syntax", f"invalid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8",
                        line, col) from None


def _may_nest_deeply(text: str) -> bool:
    brackets = text.count("[") + text.count("{")
    if brackets > _SAFE_COMPOSE_BOUND:
        return True
    return brackets + 3 * max(map(len, text.split("\n"))) > _SAFE_COMPOSE_BOUND


def _check_depth(text: str) -> None:
    """Refuse nesting past MAX_DEPTH at the event that opens level MAX_DEPTH + 1, whatever the parser.

    libyaml 0.2.6 and later (bundled by PyYAML 6.0.4+) stop at their own limit of 1,000 levels, and
    their scanner looks ahead for simple keys, so that error can arrive before the event that opens
    our level 65. The text up to where libyaml stopped nests at least that deep: reading just that
    prefix reaches our limit first, at the same line and column as on a parser without the limit.
    """
    try:
        _check_depth_of(text)
    except _NestingLimit as limit:
        try:
            _check_depth_of(text[:limit.index])
        except LoadError as exc:
            if exc.message.startswith("nesting deeper"):
                raise
        raise LoadError("yaml-syntax", _TOO_DEEP, *_position(limit.mark, text)) from None


class _NestingLimit(Exception):
    """libyaml's own nesting limit, reached before ours."""

    def __init__(self, mark: Any) -> None:
        super().__init__()
        self.mark = mark
        self.index = mark.index


def _is_nesting_limit(exc: yaml.MarkedYAMLError) -> bool:
    return bool(exc.problem and "maximum nesting depth" in exc.problem and exc.problem_mark is not None)


def _check_depth_of(text: str) -> None:
    depth = 0
    loader = _Loader(text)
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth - 1 > MAX_DEPTH:  # the builder counts the top-level collection as depth 0
                    mark = event.start_mark
                    raise LoadError("yaml-syntax", _TOO_DEEP, *_position(mark, text))
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        if _is_nesting_limit(exc):
            raise _NestingLimit(exc.problem_mark) from None
        raise _syntax_error(exc, text) from None
    except yaml.YAMLError:
        return  # a reader error (a control character): compose reports it, with its position
    finally:
        loader.dispose()


_KEY_WITHOUT_COLON = re.compile(r"^(\s*(?:-\s+)?)([A-Za-z_][A-Za-z0-9_-]*)\s+([^:#]*?)\s*(?:#.*)?$")


def _missing_colon(exc: yaml.MarkedYAMLError, text: str) -> LoadError | None:
    """`channel web` is a key without its colon: say so on that line, not where libyaml gave up.

    libyaml reports it as "could not find expected ':'" one line further down, or, when the next line is
    a key, as "mapping values are not allowed" on that next line (it read both lines as one scalar).
    """
    lines = text.split("\n")
    # libyaml also counts U+0085, U+2028 and U+2029 as line breaks: take the line from the mark's index.
    line_of = lambda mark: text.count("\n", 0, mark.index)  # noqa: E731
    if exc.problem == "could not find expected ':'" and exc.context_mark is not None:
        number = line_of(exc.context_mark)
    elif exc.problem == "mapping values are not allowed in this context" and exc.problem_mark is not None:
        number = line_of(exc.problem_mark) - 1
        while 0 <= number < len(lines) and (not lines[number].strip() or lines[number].lstrip().startswith("#")):
            number -= 1
    else:
        return None
    if not 0 <= number < len(lines):
        return None
    match = _KEY_WITHOUT_COLON.match(lines[number].rstrip("\r"))
    if not match or not match[3]:
        return None
    written = f"{match[2]} {match[3]}"
    return LoadError("yaml-syntax", f"'{written}' needs a colon after the key: '{match[2]}: {match[3]}'",
                     number + 1, len(match[1]) + 1)


def _syntax_error(exc: yaml.MarkedYAMLError, text: str) -> LoadError:
    colon = _missing_colon(exc, text)
    if colon is not None:
        return colon
    mark = exc.problem_mark or exc.context_mark
    context = exc.context
    start = exc.context_mark
    # An unclosed quote or bracket is reported where the parser gave up, often lines later (or at the
    # end of the file): name where it was opened, which is where the fix goes.
    if context and start is not None and mark is not None and start.line != mark.line \
            and any(word in context for word in ("quoted scalar", "flow", "block scalar")):
        line, column = _position(start, text)
        context += f" (opened on line {line}, column {column})"
    parts = [p for p in (context, exc.problem) if p]
    message = "; ".join(parts) or "invalid YAML"
    line, col = _position(mark, text) if mark else (1, 1)
    if mark is not None and _char_at(text, mark.index) == "\t" or "\\t" in message:
        message += " (a tab: YAML indentation must use spaces)"
    return LoadError("yaml-syntax", message, line, col)


class _Lines:
    """Line and column of libyaml marks as an editor shows them.

    libyaml follows YAML 1.1 and also breaks lines at NEL (U+0085) and the Unicode line and paragraph
    separators, which editors, git and CI annotations do not: a file containing one would have every
    later finding on the wrong line. Such files (rare) are positioned from the mark's character index;
    the others use libyaml's own line and column. Positions past the end of the text (libyaml puts the
    end of a file without a final newline on a line of its own) are placed after its last character.
    """

    __slots__ = ("text", "starts")

    def __init__(self, text: str) -> None:
        self.text = text
        odd = "\x85" in text or "\u2028" in text or "\u2029" in text
        self.starts: list[int] | None = self._starts() if odd else None

    def _starts(self) -> list[int]:
        return [0] + [m.end() for m in _BREAK.finditer(self.text)]

    def __call__(self, mark: Any) -> tuple[int, int]:
        index = mark.index
        if index >= len(self.text):
            if self.starts is None:
                self.starts = self._starts()
            index = len(self.text)
        elif self.starts is None:
            return mark.line + 1, mark.column + 1
        line = bisect.bisect_right(self.starts, index)
        return line, index - self.starts[line - 1] + 1


_BREAK = re.compile(r"\r\n|\r|\n")


def _position(mark: Any, text: str) -> tuple[int, int]:
    """1-based line and column of a mark, as an editor counts them (see _Lines)."""
    return _Lines(text)(mark)


def _char_at(text: str, index: int) -> str:
    return text[index] if 0 <= index < len(text) else ""


def _check_nodes(text: str) -> None:
    """Refuse a document of more than MAX_NODES values at the first one too many, reading no further."""
    count = 0
    loader = _Loader(text)
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, _NODE_EVENTS):
                count += 1
                if count > MAX_NODES:
                    raise LoadError("file-error", f"more than {MAX_NODES:,} YAML values (keys, items, scalars); "
                                    "journeyctl reads journeys up to that size: split the journey",
                                    *_position(event.start_mark, text))
    except yaml.YAMLError:  # a syntax or reader error (a control character)
        return  # compose reports it, with the same position
    finally:
        loader.dispose()


_NODE_EVENTS = (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent, yaml.AliasEvent)


def compose(text: str) -> Node:
    """Text → node tree (one document), or a LoadError with a position."""
    if len(text) > MAX_NODES:  # every value takes at least one character: shorter text cannot exceed
        _check_nodes(text)  # first: it stops after MAX_NODES events, so the depth check below is bounded too
    if _may_nest_deeply(text):
        _check_depth(text)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.composer.ComposerError as exc:
        if exc.context and "single document" in exc.context:
            raise LoadError("yaml-syntax", "more than one YAML document ('---'); a journey file holds exactly one",
                            *_position(exc.problem_mark, text)) from None
        raise _syntax_error(exc, text) from None
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, text) from None
    except yaml.YAMLError as exc:  # reader errors (control characters) carry a position too
        position = getattr(exc, "position", None)
        line, col = position_of(text, position) if isinstance(position, int) else (1, 1)
        reason = getattr(exc, "reason", None) or str(exc)
        raise LoadError("yaml-syntax", f"unreadable character: {reason}", line, col) from None
    finally:
        loader.dispose()
    if node is None:
        what = "empty file" if not text.strip() else "no YAML content, only comments"
        raise LoadError("yaml-syntax", f"{what}: a journey needs at least 'journeyctl', 'id', 'title' and 'stages'")
    return node


class _Builder:
    """Nodes → plain data. Aliases return the anchored value itself, budgeted by the size they add.

    Every collection is built once and remembered with its size (values) and height (levels below it):
    an alias adds its size to the expansion budget and its height to the depth where it is used, so
    neither a "billion laughs" nor a chain of anchors that nests 30,000 levels through aliases gets past.
    A plain string — most of a journey — is taken straight from its node (the fast path); it cannot carry
    a problem, and an alias to one adds a single value.
    """

    def __init__(self, lines: _Lines) -> None:
        self.lines = lines
        self.problems: list[Problem] = []
        self.ambiguous: list[Problem] = []
        self.built: dict[int, tuple[Any, int, int]] = {}
        self.active: set[int] = set()
        self.expanded = 0

    def problem(self, rule: str, node: Node, message: str, path: tuple[str | int, ...]) -> None:
        self.problems.append(Problem(rule, message, *self.lines(node.start_mark), path=path))

    def build(self, node: Node, path: tuple[str | int, ...], depth: int = 0) -> tuple[Any, int, int]:
        """(value, size, height) of a node at `depth`."""
        key = id(node)
        known = self.built.get(key)
        if known is not None:  # an alias to something already built: share it, count what it adds
            value, size, height = known
            self.expanded += size
            if self.expanded > MAX_ALIAS_EXPANSION:
                raise LoadError("yaml-syntax", f"aliases expand to more than {MAX_ALIAS_EXPANSION} values "
                                "(a 'billion laughs' document?)", *self.lines(node.start_mark))
            if depth + height > MAX_DEPTH:
                raise LoadError("yaml-syntax", f"nesting deeper than {MAX_DEPTH} levels (through aliases)",
                                *self.lines(node.start_mark))
            return known
        if key in self.active:
            raise LoadError("yaml-syntax", "recursive alias: an anchor refers to itself", *self.lines(node.start_mark))
        if depth > MAX_DEPTH:
            raise LoadError("yaml-syntax", _TOO_DEEP, *self.lines(node.start_mark))
        cls = node.__class__
        if cls is ScalarNode:
            result = (self.scalar(node, path), 1, 0)  # type: ignore[arg-type]
        else:
            self.active.add(key)
            try:
                result = self.mapping(node, path, depth) if cls is MappingNode else self.sequence(node, path, depth)
            finally:
                self.active.discard(key)
        self.built[key] = result
        return result

    def sequence(self, node: Node, path: tuple[str | int, ...], depth: int) -> tuple[Any, int, int]:
        if node.tag != _SEQ:
            self.problem("yaml-value", node, f"unsupported tag {_short(node.tag)}", path)
        items: list[Any] = []
        size, height = 1, 1
        fast = depth < MAX_DEPTH
        for i, child in enumerate(node.value):
            if fast and child.__class__ is ScalarNode and child.tag == _STR:
                items.append(child.value)
                size += 1
                continue
            value, n, h = self.build(child, path + (i,), depth + 1)
            items.append(value)
            size += n
            if h >= height:
                height = h + 1
        return items, size, height

    def mapping(self, node: Node, path: tuple[str | int, ...], depth: int) -> tuple[Any, int, int]:
        if node.tag != _MAP:
            self.problem("yaml-value", node, f"unsupported tag {_short(node.tag)}", path)
        result: dict[str, Any] = {}
        seen: dict[str, Node] = {}
        merged: list[tuple[str, Any]] = []
        size, height = 1, 1
        fast = depth < MAX_DEPTH
        for key_node, value_node in node.value:
            if key_node.__class__ is not ScalarNode:
                self.problem("yaml-syntax", key_node, "a mapping key must be a plain string, not a list or mapping", path)
                continue
            if key_node.tag not in _KEY_TAGS:  # an explicit tag: refused on keys as on values
                self.problem("yaml-value", key_node, f"unsupported tag {_short(key_node.tag)} on a key: journeyctl "
                             "loads plain data only", path + (key_node.value,))
                continue
            if key_node.tag == _MERGE:
                value, n, h = self.build(value_node, path, depth + 1)
                size += n
                height = max(height, h)  # merged values sit beside this mapping's own, not below the '<<'
                sources = value if isinstance(value, list) else [value]
                for source in sources:
                    if isinstance(source, dict):
                        merged.extend(source.items())
                    else:
                        self.problem("yaml-syntax", value_node, "'<<' merges mappings only", path)
                continue
            name = key_node.value
            if key_node.tag == yaml12.AMBIGUOUS:  # `on:` is the key "on" here, True to YAML 1.1 tools
                self.ambiguous.append(Problem("yaml-ambiguous-key", name, *self.lines(key_node.start_mark),
                                              path=path + (name,)))
            if name in seen:
                first = self.lines(seen[name].start_mark)[0]
                self.problem("duplicate-key", key_node,
                             f"duplicate key '{name}' (first defined on line {first}); the first value is used",
                             path + (name,))
                continue
            seen[name] = key_node
            if fast and value_node.__class__ is ScalarNode and value_node.tag == _STR:
                result[name] = value_node.value
                size += 1
                continue
            value, n, h = self.build(value_node, path + (name,), depth + 1)
            result[name] = value
            size += n
            if h >= height:
                height = h + 1
        for name, value in merged:
            result.setdefault(name, value)
        return result, size, height

    def scalar(self, node: ScalarNode, path: tuple[str | int, ...]) -> Any:
        tag, text = node.tag, node.value
        if tag == yaml12.AMBIGUOUS:
            self.ambiguous.append(Problem("yaml-ambiguous", text, *self.lines(node.start_mark), path=path))
            tag = yaml12.reading_12(text)[0]
        if not tag.startswith(_TAG):
            self.problem("yaml-value", node, f"unsupported tag {_short(tag)}: journeyctl loads plain data only", path)
            return text
        kind = tag[len(_TAG):]
        if kind in ("str", "timestamp"):
            # Dates stay text: the schema checks them, and a date in a free-text field keeps its spelling.
            if kind == "timestamp" and node.style is not None and not _TIMESTAMP.match(text):
                self.problem("yaml-value", node, f"'{text}' is not a timestamp", path)
            return text
        if kind == "null":
            return None
        if kind == "bool":
            value = yaml12.reading_12(text)
            if value[0] != yaml12.BOOL:
                self.problem("yaml-value", node, f"'{text}' is not a boolean (use true or false)", path)
                return text
            return value[1]
        if kind == "int":
            return self._int(node, text, path)
        if kind == "float":
            return self._float(node, text, path)
        self.problem("yaml-value", node, f"unsupported tag {_short(tag)}", path)
        return text

    def _int(self, node: ScalarNode, text: str, path: tuple[str | int, ...]) -> Any:
        """YAML 1.2 core integers: decimal, 0o octal, 0x hexadecimal (no '_', no sexagesimal)."""
        if len(text) > MAX_INT_DIGITS:
            self.problem("yaml-value", node, f"integer with {len(text.lstrip('+-'))} digits is too large", path)
            return text
        tag, value = yaml12.reading_12(text)
        if tag != yaml12.INT:
            self.problem("yaml-value", node, f"'{text}' is not an integer", path)
            return text
        return value

    def _float(self, node: ScalarNode, text: str, path: tuple[str | int, ...]) -> Any:
        """YAML 1.2 core numbers; .nan and .inf are refused (no JSON value, no meaning in a journey)."""
        tag, value = yaml12.reading_12(text)
        if tag not in (yaml12.FLOAT, yaml12.INT):
            self.problem("yaml-value", node, f"'{text}' is not a number", path)
            return text
        try:
            result = float(value)
        except OverflowError:
            result = math.inf
        if not math.isfinite(result):
            self.problem("yaml-value", node, f"'{text}' is not a finite number", path)
            return text
        return result


_KEY_TAGS = frozenset({_STR, _MERGE, yaml12.AMBIGUOUS, yaml12.NULL, yaml12.BOOL, yaml12.INT, yaml12.FLOAT})


def _short(tag: str) -> str:
    return "!!" + tag[len(_TAG):] if tag.startswith(_TAG) else tag


def load_text(text: str, path: Path) -> Document:
    root = compose(text)
    lines = _Lines(text)
    builder = _Builder(lines)
    data, _, _ = builder.build(root, ())
    doc = Document(path=path, data=data, root=root, text=text, problems=builder.problems,
                   ambiguous=builder.ambiguous)
    doc._lines = lines
    return doc


def _size(n: int) -> str:
    if n >= 1024 * 1024 and n % (1024 * 1024) == 0:
        return f"{n // (1024 * 1024)} MiB"
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MiB"
    return f"{n} bytes" if n < 1024 else f"{n / 1024:.1f} KiB"


def read_source(path: Path, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a journey file, refusing what is not one before reading it.

    Opened without blocking and checked with fstat on the open descriptor (no race with a rename): a FIFO
    named *.journey.yaml would otherwise hang the run forever, and /dev/zero behind a symlink would
    never end; a file over the limit is refused from its size, without reading 50 MB first.
    Raises LoadError (rule file-error), IsADirectoryError, or OSError (missing, unreadable, a loop).
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        if not stat.S_ISREG(info.st_mode):
            kind = "a FIFO (named pipe)" if stat.S_ISFIFO(info.st_mode) else "a socket or device"
            raise LoadError("file-error", f"not a regular file but {kind}; journeyctl reads journey files only")
        limit = f"{_size(max_bytes)}; split the journey or raise max_file_size in the config"
        if info.st_size > max_bytes:
            raise LoadError("file-error", f"file is larger than {limit} (it has {_size(info.st_size)})")
        chunks, total = [], 0
        # os.read allocates the size asked for: ask for what fstat promised (plus one byte, to see EOF
        # in the same call), then modest chunks if the file grew meanwhile, never past limit + 1.
        want = info.st_size + 1
        while True:
            chunk = os.read(fd, min(want, max_bytes + 1 - total))
            want = 1 << 16
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:
                raise LoadError("file-error", f"file is larger than {limit}")
        return b"".join(chunks)
    finally:
        os.close(fd)


def load_document(path: Path, max_bytes: int = MAX_FILE_BYTES) -> Document:
    """Read and load one YAML file; raises LoadError (positioned) or OSError (the path itself)."""
    return load_text(decode(read_source(path, max_bytes)), path)
