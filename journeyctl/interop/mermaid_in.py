"""Mermaid `journey` diagrams (in Markdown fences or .mmd files) → journeys.

The reading follows Mermaid's own (mermaid 11: the preprocessing of mermaidAPI, then the journey
grammar's lexer rules in their order), so what a README shows is what gets imported; the test suite
checks that against the real parser. Mapping: title → title, section → stage, task → touchpoint (in
order, each with a transition to the next), score 1..5 → emotion -2..+2, actors → teams (the first is
the touchpoint's owner). Entries, outcomes, channels and rates are not in a Mermaid journey: none are
made up, and validate's findings on the imported file say what to add.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from .importing import Draft, DocPath

# JavaScript's \s and '.', which differ from Python's (\x1c-\x1f and \x85 are not JS whitespace; \ufeff is).
_WS = "\t\n\x0b\x0c\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
S, NS, DOT = f"[{_WS}]", f"[^{_WS}]", "[^\n\r\u2028\u2029]"
_FLAGS = re.ASCII | re.IGNORECASE

# The lexer rules of Mermaid's journey grammar (journey.jison), in order; the first that matches wins.
_RULES: list[tuple[str, re.Pattern[str]]] = [(name, re.compile(pattern, _FLAGS)) for name, pattern in [
    ("skip", r"%(?!\{)[^\n]*"),
    ("skip", r"[^}]%%[^\n]*"),
    ("NEWLINE", r"\n+"),
    ("skip", f"{S}+"),
    ("skip", r"#[^\n]*"),
    ("JOURNEY", r"journey\b"),
    ("TITLE", f"title{S}[^#\n;]+"),
    ("ACC_TITLE", f"accTitle{S}*:{S}*"),
    ("ACC_DESCR", f"accDescr{S}*:{S}*"),
    ("ACC_DESCR_MULTI", f"accDescr{S}*\\{{{S}*"),
    ("SECTION", f"section{S}[^#:\n;]+"),
    ("TASK", r"[^#:\n;]+"),
    ("DATA", r":[^#\n;]+"),
    (":", r":"),
    ("INVALID", r"."),
]]
_RULES = [(n, re.compile(p.pattern, _FLAGS | re.DOTALL)) if n == "INVALID" else (n, p) for n, p in _RULES]


class MermaidError(Exception):
    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message)
        self.offset = offset
        self.message = message


class Mapped:
    """Text and, for each character, its offset in the source: Mermaid's rewrites keep positions known."""

    def __init__(self, text: str, offsets: list[int] | None = None) -> None:
        self.text = text
        self.offsets = offsets if offsets is not None else list(range(len(text)))

    def sub(self, pattern: re.Pattern[str], repl: Any) -> "Mapped":
        out, offs, last = [], [], 0
        for m in pattern.finditer(self.text):
            out.append(self.text[last:m.start()])
            offs.extend(self.offsets[last:m.start()])
            new = repl(m) if callable(repl) else repl
            out.append(new)
            at = self.offsets[m.start()] if m.start() < len(self.offsets) else (self.offsets[-1] if self.offsets else 0)
            offs.extend([at] * len(new))
            last = m.end()
        out.append(self.text[last:])
        offs.extend(self.offsets[last:])
        return Mapped("".join(out), offs)

    def slice(self, start: int) -> "Mapped":
        return Mapped(self.text[start:], self.offsets[start:])

    def origin(self, index: int) -> int:
        if not self.offsets:
            return 0
        return self.offsets[min(index, len(self.offsets) - 1)]


_CRLF = re.compile(r"\r\n?")
_TAG = re.compile(r"<(\w+)([^>]*)>", re.ASCII)
_FRONT = re.compile(f"^([^\\S\\n\\r]*)-{{3}}{S}*[\\n\\r](.*?)[\\n\\r]\\1-{{3}}{S}*[\\n\\r]+", re.DOTALL)
_DIRECTIVE = re.compile(f"%{{2}}{{{S}*(?:(\\w+){S}*:|(\\w+)){S}*(?:(\\w+)|((?:(?!}}%{{2}}){DOT}|\\r?\\n)*))?{S}*(?:}}%{{2}})?",
                        re.ASCII | re.IGNORECASE)
_COMMENT_LINE = re.compile(f"^{S}*%%(?!{{)[^\\n]+\\n?", re.MULTILINE)
_STYLE = re.compile(f"style{DOT}*:{NS}*#{DOT}*;")
_CLASSDEF = re.compile(f"classDef{DOT}*:{NS}*#{DOT}*;")
_ENTITY = re.compile(r"#\w+;", re.ASCII)
_INT = re.compile(r"^\+?\d+$", re.ASCII)
PLACE_NUM, PLACE_NAME, PLACE_END = "\ufb02\xb0\xb0", "\ufb02\xb0", "\xb6\xdf"


def js_trim(text: str) -> str:
    return re.sub(f"^{S}+|{S}+$", "", text)


def decode_entities(text: str) -> str:
    """Mermaid's `#35;` / `#quot;` codes as the browser shows them (the placeholders of encodeEntities)."""
    text = text.replace(PLACE_NUM, "&#").replace(PLACE_NAME, "&").replace(PLACE_END, ";")
    return html.unescape(text)


def preprocess(source: str) -> tuple[Mapped, str | None]:
    """Mermaid's preprocessDiagram and encodeEntities: the text its lexer sees, and a front-matter title."""
    text = Mapped(source).sub(_CRLF, "\n")
    text = text.sub(_TAG, lambda m: "<" + m.group(1) + re.sub(r'="([^"]*)"', r"='\1'", m.group(2)) + ">")
    title = None
    front = _FRONT.match(text.text)
    if front:
        import yaml

        try:
            meta = yaml.safe_load(front.group(2))
        except yaml.YAMLError:
            meta = None
        if isinstance(meta, dict) and meta.get("title"):
            title = str(meta["title"])
        text = text.slice(front.end())
    text = text.sub(_DIRECTIVE, "")
    text = text.sub(_COMMENT_LINE, "")
    start = re.match(f"{S}*", text.text)
    text = text.slice(start.end() if start else 0)
    text = text.sub(_STYLE, lambda m: m.group(0)[:-1])
    text = text.sub(_CLASSDEF, lambda m: m.group(0)[:-1])
    text = text.sub(_ENTITY, lambda m: (PLACE_NUM if _INT.match(m.group(0)[1:-1]) else PLACE_NAME)
                    + m.group(0)[1:-1] + PLACE_END)
    return Mapped(text.text + "\n", text.offsets + [text.origin(len(text.text))]), title


def js_number(text: str) -> float:
    """JavaScript's Number(text): what Mermaid makes of a score."""
    t = js_trim(text)
    if t == "":
        return 0.0
    if re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", t, re.ASCII):
        return float(t)
    if re.fullmatch(r"[+-]?Infinity", t):
        return float("-inf") if t.startswith("-") else float("inf")
    for prefix, base in (("0x", 16), ("0b", 2), ("0o", 8)):
        if t[:2].lower() == prefix:
            try:
                return float(int(t[2:], base))
            except ValueError:
                return float("nan")
    return float("nan")


@dataclass
class Task:
    section: str
    task: str
    score: float
    score_text: str
    people: list[str]
    offset: int  # in the source, for line numbers
    section_index: int  # -1: before any section (Mermaid's section "")


@dataclass
class Diagram:
    title: str | None
    sections: list[str] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    section_offsets: list[int] = field(default_factory=list)


def tokens(text: Mapped) -> list[tuple[str, str, int]]:
    """(kind, text, source offset) as Mermaid's journey lexer cuts them (accessibility states included)."""
    out: list[tuple[str, str, int]] = []
    pos, state, src = 0, "INITIAL", text.text
    while pos < len(src):
        if state == "acc_title" or state == "acc_descr":
            m = re.compile(r"[^\n]*").match(src, pos)
            out.append(("ACC_VALUE", m.group(0), text.origin(pos)))
            pos, state = m.end(), "INITIAL"
            continue
        if state == "acc_descr_multiline":
            if src[pos] == "}":
                pos, state = pos + 1, "INITIAL"
                continue
            m = re.compile(r"[^}]*").match(src, pos)
            out.append(("ACC_VALUE", m.group(0), text.origin(pos)))
            pos = m.end()
            continue
        for kind, rule in _RULES:
            m = rule.match(src, pos)
            if m is None:
                continue
            if m.end() == pos and kind != "INVALID":
                continue
            if kind == "ACC_TITLE":
                state = "acc_title"
            elif kind == "ACC_DESCR":
                state = "acc_descr"
            elif kind == "ACC_DESCR_MULTI":
                state = "acc_descr_multiline"
            if kind not in ("skip", "ACC_DESCR_MULTI"):
                out.append((kind, m.group(0), text.origin(pos)))
            pos = m.end()
            break
    return out


def parse(source: str) -> Diagram:
    """The journey diagram as Mermaid's parser and database hold it; MermaidError where Mermaid fails."""
    text, front_title = preprocess(source)
    if not is_journey_text(text.text):
        raise MermaidError(text.origin(0), "not a journey diagram: Mermaid needs 'journey' (lower case) first")
    toks = tokens(text)
    diagram = Diagram(title=front_title)
    if not toks or toks[0][0] != "JOURNEY":
        raise MermaidError(toks[0][2] if toks else 0, "a journey diagram starts with 'journey'")
    current = ""
    i = 1
    while i < len(toks):
        kind, value, offset = toks[i]
        if kind == "NEWLINE":
            pass
        elif kind == "TITLE":
            diagram.title = re.sub(f"^{S}+", "", decode_entities(value[6:]))
        elif kind in ("ACC_TITLE", "ACC_DESCR") and i + 1 < len(toks) and toks[i + 1][0] == "ACC_VALUE":
            i += 1
        elif kind == "ACC_VALUE":
            pass
        elif kind == "SECTION":
            current = value[8:]
            diagram.sections.append(current)
            diagram.section_offsets.append(offset)
        elif kind == "TASK" and i + 1 < len(toks) and toks[i + 1][0] == "DATA":
            data = toks[i + 1][1][1:].split(":")
            people = [js_trim(p) for p in data[1].split(",")] if len(data) > 1 else []
            diagram.tasks.append(Task(current, value, js_number(data[0]), data[0], people, offset,
                                      len(diagram.sections) - 1))
            i += 1
        else:
            what = {"TASK": f"'{js_trim(value)}' has no ': score' after it", ":": "a ':' with no score after it",
                    "DATA": f"'{js_trim(value)}' has no task name before it",
                    "JOURNEY": "a second 'journey' (a task or section name may not start with it)"}
            raise MermaidError(offset, what.get(kind, f"Mermaid cannot read '{value[:40]}' here"))
        i += 1
    return diagram


# --- journeys from diagrams ---------------------------------------------------------------------------


@dataclass
class Block:
    """A Mermaid diagram and where it starts in the file (0-based character offset of its first line)."""

    text: str
    offset: int


_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})[ \t]*mermaid\b[^\n]*$", re.MULTILINE | re.IGNORECASE)


def blocks(markdown: str) -> list[Block]:
    """The ```mermaid fenced blocks of a Markdown text (CommonMark fences, indentation removed)."""
    out = []
    pos = 0
    while True:
        m = _FENCE.search(markdown, pos)
        if m is None:
            return out
        indent, fence = len(m.group(1)), m.group(2)
        start = m.end() + 1
        closing = re.compile(f"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \\t]*$", re.MULTILINE)
        end = closing.search(markdown, start)
        body_end = end.start() if end else len(markdown)
        lines = markdown[start:body_end].split("\n")
        body = "\n".join(line[min(indent, len(line) - len(line.lstrip(" "))):] for line in lines)
        out.append(Block(body, start))
        pos = end.end() if end else len(markdown)


def is_journey_text(processed: str) -> bool:
    """Mermaid's detector for the journey diagram: case-sensitive, unlike the grammar."""
    return re.match(f"{S}*journey", processed) is not None


def is_journey(text: str) -> bool:
    processed, _ = preprocess(text)
    return is_journey_text(processed.text)


def read_mermaid(raw: bytes, display: str, whole: bool) -> list[Draft]:
    from .errors import SourceError

    try:
        source = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(f"{display}: not UTF-8 text (byte {exc.start})") from None
    source = source.replace("\r\n", "\n")  # Windows line ends: fences close, line numbers stay the same
    found = [Block(source, 0)] if whole else blocks(source)
    journeys = [b for b in found if is_journey(b.text)]
    if not journeys:
        what = "a Mermaid journey diagram" if whole else "a ```mermaid block holding a journey diagram"
        raise SourceError(f"{display}: no journey to import: the file has no {what}")
    drafts, used_ids = [], set()
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", display.rsplit("/", 1)[-1].rsplit(".", 1)[0]).strip("-.") or "journey"
    for n, block in enumerate(journeys, start=1):
        line_of = lambda offset, b=block: source.count("\n", 0, b.offset + offset) + 1  # noqa: E731
        try:
            diagram = parse(block.text)
        except MermaidError as exc:
            raise SourceError(f"{display}:{line_of(exc.offset)}: {exc.message} (Mermaid cannot render this "
                              "diagram either)") from None
        fallback = stem if len(journeys) == 1 else f"{stem}-{n}"
        drafts.append(to_draft(diagram, fallback, display, line_of(0), line_of, used_ids))
    return drafts


def to_draft(diagram: Diagram, fallback: str, display: str, first_line: int, line_of: Any,
             used_ids: set[str]) -> Draft:
    from .grid import _Ids, slug

    ids = _Ids()
    title = js_trim(diagram.title) if diagram.title and js_trim(diagram.title) else None
    journey_id = slug(title) if title else fallback
    base, k = journey_id, 2
    while journey_id in used_ids:
        journey_id, k = f"{base}-{k}", k + 1
    used_ids.add(journey_id)
    where: dict[DocPath, str] = {(): f"{display}:{first_line}"}
    problems: list[tuple[str, str]] = []
    stages: list[dict[str, Any]] = []
    by_section: dict[int, dict[str, Any]] = {}
    if any(t.section == "" for t in diagram.tasks):
        stages.append({"id": ids.make("stage", "tasks"), "touchpoints": []})
        by_section[-1] = stages[0]
    for s, name in enumerate(diagram.sections):
        label = js_trim(decode_entities(name))
        stage = {"id": ids.make("stage", label), **({"name": label} if label else {}), "touchpoints": []}
        where[("stages", len(stages))] = f"{display}:{line_of(diagram.section_offsets[s])}"
        by_section[s] = stage
        stages.append(stage)
    teams: dict[str, dict[str, Any]] = {}
    tps: list[dict[str, Any]] = []
    notes: list[str] = []
    order = {id(stage): n for n, stage in enumerate(stages)}
    for task in diagram.tasks:
        stage = by_section[task.section_index]
        name = js_trim(decode_entities(task.task))
        tp: dict[str, Any] = {"id": ids.make("touchpoint", name or "task"), **({"name": name} if name else {})}
        place = f"{display}:{line_of(task.offset)}"
        path: DocPath = ("stages", order[id(stage)], "touchpoints", len(stage["touchpoints"]))
        where[path] = place
        if task.score in (1, 2, 3, 4, 5):
            tp["emotion"] = int(task.score) - 3
        else:
            problems.append((place, f"task '{name}': score '{js_trim(task.score_text)}' is not a whole number "
                                    "from 1 to 5 (the emotion is the score minus 3, from -2 to +2)"))
        actors = [decode_entities(p) for p in task.people if js_trim(decode_entities(p))]
        for actor in actors:
            key = actor.lower()
            if key not in teams and key != "no owner":
                teams[key] = {"id": ids.make("team", actor), "name": actor}
        owners = [a for a in actors if a.lower() != "no owner"]
        if owners:
            tp["owner"] = teams[owners[0].lower()]["id"]
        if len(owners) > 1:
            others = ", ".join(f"'{teams[a.lower()]['id']}'" for a in owners[1:])
            notes.append(f"{place}: task '{name}' has {len(owners)} actors: '{tp['owner']}' owns it (a touchpoint "
                         f"has one owner); {others} only declared under teams")
        stage["touchpoints"].append(tp)
        tps.append(tp)
    for tp, following in zip(tps, tps[1:]):
        tp["next"] = [{"to": following["id"]}]
    for stage in stages:
        if not stage["touchpoints"]:
            del stage["touchpoints"]
    if not stages:
        problems.append((where[()], "the journey diagram has no sections or tasks: nothing to import"))
    data: dict[str, Any] = {"journeyctl": 1, "id": journey_id, "title": title or journey_id}
    if teams:
        data["teams"] = list(teams.values())
    data["stages"] = stages
    notes[:0] = [f"{display}:{first_line}: a Mermaid journey has no entries, outcomes, channels or rates: "
             "none were made up; the findings below list what to add"]
    return Draft(data, lambda p: _nearest(where, p), problems, notes)


def _nearest(where: dict[DocPath, str], path: DocPath) -> str:
    for n in range(len(path), -1, -1):
        if path[:n] in where:
            return where[path[:n]]
    return where[()]
