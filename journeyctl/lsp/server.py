"""`journeyctl lsp`: the checks, the ids and the fixes of journeyctl, live in the editor (pygls 2, stdio).

Diagnostics come from journeyctl.live, the same pipeline as `validate` (schema, every rule, suppressions,
the config, the workspace pass) run on the editor's unsaved text; navigation, completion and rename
read journeyctl.lsp.index, built from the YAML nodes so they keep working while a file is broken; code
actions are the fix engine's fixes.
"""

from __future__ import annotations

import asyncio
import functools
import os
import re
from pathlib import Path
from typing import Any

from lsprotocol import types as t
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from .. import __version__
from ..check.pipeline import display_path
from ..config import CONFIG_NAME, Config, ConfigError, load_config
from ..check.findings import Finding
from ..check.live import LiveWorkspace, file_key
from ..format.loader import Document
from ..check.workspace import is_catalog
from .index import DocIndex, Occurrence, build_index

DEBOUNCE = float(os.environ.get("JOURNEYCTL_LSP_DEBOUNCE", "0.05"))
MAX_ITEMS = 200
SUFFIXES = (".journey.yaml", ".journey.yml", ".catalog.yaml", ".catalog.yml")
_SEVERITY = {"error": t.DiagnosticSeverity.Error, "warning": t.DiagnosticSeverity.Warning,
             "info": t.DiagnosticSeverity.Information}
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_RULE_PAGES = Path(__file__).resolve().parents[2] / "docs" / "rules"
RULE_DOCS_URL = "https://journeyctl.dev/docs/rules/{}.md"
_KIND_LIST = {"team": "teams", "channel": "channels", "persona": "personas", "metric": "metrics"}
_COMPLETE_KIND = {"owner": "team", "channel": "channel", "personas": "persona", "kpis": "metric"}


# --- positions (LSP counts code units of the negotiated encoding, UTF-16 unless the client prefers another;
# journeyctl counts characters) ------------------------------------------------------------------------
ENCODING = {"name": "utf-16"}


def _units(text: str) -> int:
    name = ENCODING["name"]
    if name == "utf-32" or text.isascii():
        return len(text)
    if name == "utf-8":
        return len(text.encode("utf-8"))
    return len(text.encode("utf-16-le")) // 2


class Lines:
    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer(r"\n", text)]

    def position(self, offset: int) -> t.Position:
        import bisect

        line = bisect.bisect_right(self.starts, offset) - 1
        chunk = self.text[self.starts[line]:offset]
        return t.Position(line, _units(chunk))

    def offset(self, position: t.Position) -> int:
        if position.line >= len(self.starts):
            return len(self.text)
        start = self.starts[position.line]
        end = self.starts[position.line + 1] - 1 if position.line + 1 < len(self.starts) else len(self.text)
        line = self.text[start:end]
        units = 0
        for i, ch in enumerate(line):
            if units >= position.character:
                return start + i
            units += _units(ch)
        return end

    def range(self, start: int, end: int) -> t.Range:
        return t.Range(self.position(start), self.position(end))

    def offset_of(self, line: int, column: int) -> int:
        """1-based line and character column → offset."""
        if line - 1 >= len(self.starts):
            return len(self.text)
        return min(self.starts[line - 1] + column - 1, len(self.text))


_LINES: dict[int, Lines] = {}
_ENDS: dict[int, tuple[Document, dict[int, int]]] = {}


def lines_of(text: str) -> Lines:
    """The line index of a text, built once per text (a publish converts every finding of a file)."""
    known = _LINES.get(id(text))
    if known is None or known.text is not text:
        if len(_LINES) > 64:
            _LINES.clear()
        known = _LINES[id(text)] = Lines(text)
    return known


def scalar_ends(doc: Document) -> dict[int, int]:
    """Start offset → end offset of the document's one-line scalars, computed once per document."""
    known = _ENDS.get(id(doc))
    if known is None or known[0] is not doc:
        from yaml.nodes import ScalarNode

        from ..fix import _walk

        ends = {node.start_mark.index: node.end_mark.index for node in _walk(doc.root)
                if isinstance(node, ScalarNode) and node.end_mark.line == node.start_mark.line}
        if len(_ENDS) > 64:
            _ENDS.clear()
        known = _ENDS[id(doc)] = (doc, ends)
    return known[1]


class JourneyServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("journeyctl", __version__)
        self.root: Path = Path.cwd()
        self.live: LiveWorkspace | None = None
        self.open: dict[str, str] = {}  # uri → file key of the open journey/catalog documents
        self.pending: asyncio.TimerHandle | None = None
        self.last_publish = 0.0
        self.indexes: dict[int, DocIndex] = {}

    # --- the workspace ------------------------------------------------------------------------------------
    def start_workspace(self) -> None:
        from ..check.discovery import discover

        try:
            config = load_config(start=self.root)
        except ConfigError as exc:
            self.window_show_message(t.ShowMessageParams(t.MessageType.Error,
                                                         f"journeyctl: {exc.file}:{exc.line}:{exc.column}: {exc.message}"))
            config = Config(root=self.root)
        overlay = self.live.overlay if self.live is not None else {}
        try:
            # the settings file marks the workspace: an editor opened on a sub-folder still sees its catalogs
            files = discover([config.root if config.source is not None else self.root], config)
        except Exception:  # an unreadable root: start empty, open documents are still checked
            files = []
        self.live = LiveWorkspace(config, files)
        for key, text in overlay.items():
            self.live.set_text(Path(key), text)
        self.indexes.clear()
        self.live.warm()

    def workspace_(self) -> LiveWorkspace:
        if self.live is None:
            self.start_workspace()
        assert self.live is not None
        return self.live

    def doc(self, path: Path) -> Document | None:
        return self.workspace_().document(path)

    def index(self, path: Path) -> DocIndex | None:
        doc = self.doc(path)
        if doc is None:
            return None
        known = self.indexes.get(id(doc))
        if known is None:
            if len(self.indexes) > 5000:
                self.indexes.clear()
            known = build_index(doc, catalog=is_catalog(path))
            self.indexes[id(doc)] = known
        return known

    def all_indexes(self) -> list[tuple[Path, Document, DocIndex]]:
        out = []
        for path in self.workspace_().all_paths():
            index = self.index(path)
            doc = self.doc(path)
            if index is not None and doc is not None:
                out.append((path, doc, index))
        return out

    # --- diagnostics --------------------------------------------------------------------------------------
    def publish(self) -> None:
        live = self.workspace_()
        for uri in list(self.open):
            path = Path(to_fs_path(uri))
            findings = live.findings(path)
            text = live.text(path) or ""
            self.text_document_publish_diagnostics(
                t.PublishDiagnosticsParams(uri, [diagnostic(f, text, self.doc(path)) for f in findings]))

    def schedule(self) -> None:
        """Publish soon, at most once per DEBOUNCE seconds: the first change of a burst is checked at once
        (after the changes already received), the rest of the burst once, with the latest text."""
        if self.pending is not None:
            return  # a publish is already coming, and it will read the newest text
        loop = asyncio.get_event_loop()
        wait = max(0.0, self.last_publish + DEBOUNCE - loop.time())

        def now() -> None:
            self.pending = None
            self.last_publish = loop.time()
            self.publish()

        self.pending = loop.call_later(wait, now)


@functools.lru_cache(maxsize=None)
def rule_href(rule: str) -> str:
    page = _RULE_PAGES / f"{rule}.md"
    return page.as_uri() if page.is_file() else RULE_DOCS_URL.format(rule)


def finding_range(finding: Finding, text: str, doc: Document | None) -> tuple[int, int]:
    """The span a finding covers: the scalar (or key) starting at its position, else the word there."""
    lines = lines_of(text)
    start = lines.offset_of(finding.line, finding.column)
    if finding.rule == "unused-suppression":  # the comment, to the end of its line
        end = text.find("\n", start)
        return start, len(text.rstrip("\r")) if end < 0 else end - (text[end - 1:end] == "\r")
    if doc is not None and doc.text == text:
        end = scalar_ends(doc).get(start)
        if end is not None:
            return start, end
    match = re.compile(r"[^\s,\]\}]+").match(text, start)
    return start, match.end() if match else start


def diagnostic(finding: Finding, text: str, doc: Document | None) -> t.Diagnostic:
    lines = lines_of(text)
    start, end = finding_range(finding, text, doc)
    return t.Diagnostic(range=lines.range(start, end), message=finding.message,
                        severity=_SEVERITY.get(finding.severity, t.DiagnosticSeverity.Error),
                        code=finding.rule, code_description=t.CodeDescription(rule_href(finding.rule)),
                        source="journeyctl", data={"path": finding.path})


server = JourneyServer()


def _path(uri: str) -> Path:
    return Path(to_fs_path(uri))


def _ours(uri: str) -> bool:
    return uri.endswith(SUFFIXES)


@server.feature(t.INITIALIZE)
def initialize(ls: JourneyServer, params: t.InitializeParams) -> None:
    root = None
    if params.workspace_folders:
        root = params.workspace_folders[0].uri
    elif params.root_uri:
        root = params.root_uri
    if root:
        ls.root = _path(root)
    elif params.root_path:
        ls.root = Path(params.root_path)


@server.feature(t.INITIALIZED)
async def initialized(ls: JourneyServer, params: t.InitializedParams) -> None:
    """Ask the editor to report changes to catalogs and settings on disk (they change what journeys mean)."""
    encoding = ls.server_capabilities.position_encoding  # what pygls agreed with the client
    ENCODING["name"] = str(getattr(encoding, "value", encoding) or "utf-16")
    _LINES.clear()
    capabilities = ls.client_capabilities.workspace
    watched = capabilities.did_change_watched_files if capabilities is not None else None
    if watched is None or not watched.dynamic_registration:
        return
    globs = ["**/*.catalog.yaml", "**/*.catalog.yml", "**/*.journey.yaml", "**/*.journey.yml", f"**/{CONFIG_NAME}"]
    options = t.DidChangeWatchedFilesRegistrationOptions([t.FileSystemWatcher(glob_pattern=g) for g in globs])
    try:
        await ls.client_register_capability_async(t.RegistrationParams(
            [t.Registration("journeyctl-watch", t.WORKSPACE_DID_CHANGE_WATCHED_FILES, options)]))
    except Exception:  # an editor that refuses: edits in open documents still refresh everything
        pass


@server.feature(t.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: JourneyServer, params: t.DidOpenTextDocumentParams) -> None:
    uri = params.text_document.uri
    if not _ours(uri):
        return
    ls.open[uri] = file_key(_path(uri))
    ls.workspace_().set_text(_path(uri), params.text_document.text)
    ls.publish()


@server.feature(t.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: JourneyServer, params: t.DidChangeTextDocumentParams) -> None:
    uri = params.text_document.uri
    if not _ours(uri):
        return
    document = ls.workspace.get_text_document(uri)  # pygls has applied the (incremental) changes
    ls.workspace_().set_text(_path(uri), document.source)
    ls.schedule()


@server.feature(t.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: JourneyServer, params: t.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    if uri in ls.open:
        del ls.open[uri]
        ls.workspace_().set_text(_path(uri), None)
        ls.text_document_publish_diagnostics(t.PublishDiagnosticsParams(uri, []))
        ls.publish()


@server.feature(t.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: JourneyServer, params: t.DidSaveTextDocumentParams) -> None:
    if params.text_document.uri.endswith(CONFIG_NAME):
        ls.start_workspace()
        ls.publish()


@server.feature(t.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def did_change_watched(ls: JourneyServer, params: t.DidChangeWatchedFilesParams) -> None:
    live = ls.workspace_()
    for change in params.changes:
        path = _path(change.uri)
        if path.name == CONFIG_NAME:
            ls.start_workspace()
            break
        if not _ours(change.uri) or change.uri in ls.open:
            continue  # the editor's text wins over the disk's for open documents
        if change.type == t.FileChangeType.Deleted:
            live.remove(path)
        else:
            live.set_text(path, None)
    ls.publish()


# --- navigation -------------------------------------------------------------------------------------------
def _at(ls: JourneyServer, uri: str, position: t.Position) -> tuple[Path, Document, Occurrence] | None:
    path = _path(uri)
    doc, index = ls.doc(path), ls.index(path)
    if doc is None or index is None:
        return None
    occ = index.at(lines_of(doc.text).offset(position))
    return (path, doc, occ) if occ is not None else None


def _location(path: Path, doc: Document, occ: Occurrence) -> t.Location:
    return t.Location(from_fs_path(str(path)), lines_of(doc.text).range(occ.start, occ.end))


def _definitions(ls: JourneyServer, key: tuple[str, ...], here: Path | None = None
                 ) -> list[tuple[Path, Document, Occurrence]]:
    """Where `key` is defined: in `here` (a journey's own declarations win), the catalogs, or the journey
    a touchpoint or journey id belongs to (found from the kept summaries, without loading every file)."""
    live = ls.workspace_()
    files: list[Path] = [here] if here is not None else []
    files += [p for p in live.all_paths() if is_catalog(p)]
    if key[0] in ("journey", "touchpoint", "stage"):
        wanted = key[1]
        by_display = {display_path(p): p for p in live.journey_paths()}
        files += [by_display[s.file] for s in live.summaries() if s.id == wanted and s.file in by_display]
        if here is None or not files:
            files += live.journey_paths()  # a journey that does not validate has no summary: look at all
    out, seen = [], set()
    for path in files:
        if file_key(path) in seen:
            continue
        seen.add(file_key(path))
        doc, index = ls.doc(path), ls.index(path)
        if doc is not None and index is not None:
            out += [(path, doc, o) for o in index.occurrences if o.definition and o.key == key]
        if out and path == here and key[0] in _KIND_LIST:
            break  # declared in the journey itself: that is the definition its references use
    return out


@server.feature(t.TEXT_DOCUMENT_DEFINITION)
def definition(ls: JourneyServer, params: t.DefinitionParams) -> list[t.Location] | None:
    found = _at(ls, params.text_document.uri, params.position)
    if found is None:
        return None
    return [_location(p, d, o) for p, d, o in _definitions(ls, found[2].key, found[0])] or None


@server.feature(t.TEXT_DOCUMENT_REFERENCES)
def references(ls: JourneyServer, params: t.ReferenceParams) -> list[t.Location] | None:
    found = _at(ls, params.text_document.uri, params.position)
    if found is None:
        return None
    key = found[2].key
    return [_location(p, d, o) for p, d, i in ls.all_indexes() for o in i.occurrences
            if o.key == key and (params.context.include_declaration or not o.definition)]


def _data_at(doc: Document, path: tuple[str | int, ...]) -> Any:
    data = doc.data
    for step in path:
        try:
            data = data[step]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def describe(ls: JourneyServer, key: tuple[str, ...], here: Path | None = None) -> str:
    """What an id is, in a few Markdown lines."""
    kind, ident = key[0], key[-1]
    defs = _definitions(ls, key, here)
    if not defs:
        return f"**{kind} `{'/'.join(key[1:])}`**: not declared anywhere in the workspace"
    path, doc, occ = defs[0]
    where = f"{display_path(path)}:{lines_of(doc.text).position(occ.start).line + 1}"
    if kind == "journey":
        return f"**journey `{ident}`**: {_data_at(doc, ('title',)) or ''}\n\n{where}"
    data = _data_at(doc, occ.path) or {}
    if not isinstance(data, dict):
        data = {}
    name = f" — {data['name']}" if data.get("name") else ""
    lines = [f"**{kind} `{ident}`**{name}"]
    if kind == "touchpoint":
        stage = _data_at(doc, occ.path[:2]) or {}
        lines.append(f"stage: {stage.get('name') or stage.get('id')}" if isinstance(stage, dict) else "")
        for field in ("channel", "owner", "emotion", "outcome"):
            if data.get(field) is not None:
                lines.append(f"{field}: {data[field]}")
    elif data.get("description") or data.get("role"):
        lines.append(str(data.get("description") or data.get("role")))
    lines.append(f"defined in {where}")
    return "\n\n".join(line for line in lines if line)


@server.feature(t.TEXT_DOCUMENT_HOVER)
def hover(ls: JourneyServer, params: t.HoverParams) -> t.Hover | None:
    uri = params.text_document.uri
    path = _path(uri)
    parts = []
    found = _at(ls, uri, params.position)
    if found is not None:
        parts.append(describe(ls, found[2].key, path))
    doc = ls.doc(path)
    text = ls.workspace_().text(path) or ""
    lines = lines_of(text)
    offset = lines.offset(params.position)
    from ..rules.catalog import all_rules

    rules = all_rules()
    for finding in ls.workspace_().findings(path):
        start, end = finding_range(finding, text, doc)
        if start <= offset <= end and finding.rule in rules:
            rule = rules[finding.rule]
            explanation = rule.doc.split("\nFails:")[0].strip()
            parts.append(f"**{rule.id}** ({finding.severity}): {rule.summary}\n\n{explanation}")
    if not parts:
        return None
    return t.Hover(t.MarkupContent(t.MarkupKind.Markdown, "\n\n---\n\n".join(parts)))


@server.feature(t.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def document_symbols(ls: JourneyServer, params: t.DocumentSymbolParams) -> list[t.DocumentSymbol]:
    path = _path(params.text_document.uri)
    doc = ls.doc(path)
    index = ls.index(path)
    if doc is None or index is None:
        return []
    lines = lines_of(doc.text)
    stages: list[t.DocumentSymbol] = []
    for occ in index.occurrences:
        if not occ.definition or occ.key[0] not in ("stage", "touchpoint"):
            continue
        node = doc.node_at(occ.path)
        full = lines.range(node.start_mark.index, node.end_mark.index)
        sel = lines.range(occ.start, occ.end)
        data = _data_at(doc, occ.path) or {}
        detail = data.get("name") if isinstance(data, dict) else None
        if occ.key[0] == "stage":
            stages.append(t.DocumentSymbol(occ.key[-1], t.SymbolKind.Namespace, full, sel, detail=detail, children=[]))
        elif stages:
            stages[-1].children.append(t.DocumentSymbol(occ.key[-1], t.SymbolKind.Event, full, sel, detail=detail))
    return stages


# --- completion -------------------------------------------------------------------------------------------
_KEY_BEFORE = re.compile(r"([A-Za-z_]+)\s*:\s*(?:\[(?:[^\]]*,)?\s*)?([^\s,\[\]{}:]*)$")
_ITEM = re.compile(r"^(\s*)-\s+([^\s]*)$")


def completion_context(text: str, offset: int) -> tuple[str, str] | None:
    """(key, typed prefix) where the cursor is a value of `key` (or an item of its list)."""
    line_start = text.rfind("\n", 0, offset) + 1
    before = text[line_start:offset]
    match = _KEY_BEFORE.search(before)
    if match:
        return match[1], match[2]
    item = _ITEM.match(before)
    if item:
        indent = len(item[1])
        for line in reversed(text[:line_start].split("\n")):
            stripped = line.lstrip()
            if not stripped or stripped.startswith("#"):
                continue
            if len(line) - len(stripped) < indent or (len(line) - len(stripped) == indent and not stripped.startswith("-")):
                head = re.match(r"(?:-\s+)?([A-Za-z_]+)\s*:\s*$", stripped)
                return (head[1], item[2]) if head else None
    return None


def _catalog_ids(ls: JourneyServer, doc: Document, kind: str) -> dict[str, str]:
    """Declared ids of a kind: this journey's and the catalogs', with their names."""
    out: dict[str, str] = {}
    live = ls.workspace_()
    sources = [(doc, _KIND_LIST[kind])]
    for path in live.all_paths():
        if is_catalog(path):
            catalog = live.document(path)
            if catalog is not None:
                sources.append((catalog, _KIND_LIST[kind]))
    for source, plural in sources:
        items = source.data.get(plural) if isinstance(source.data, dict) else None
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                out.setdefault(item["id"], str(item.get("name") or ""))
    return out


def _touchpoints(data: Any) -> list[dict]:
    """The touchpoint mappings of a journey's data, however broken the rest of it is."""
    out = []
    stages = data.get("stages") if isinstance(data, dict) else None
    for stage in stages if isinstance(stages, list) else []:
        touchpoints = stage.get("touchpoints") if isinstance(stage, dict) else None
        out.extend(tp for tp in touchpoints if isinstance(tp, dict) and isinstance(tp.get("id"), str)) \
            if isinstance(touchpoints, list) else None
    return out


@server.feature(t.TEXT_DOCUMENT_COMPLETION, t.CompletionOptions(trigger_characters=[" ", "/", ","]))
def completion(ls: JourneyServer, params: t.CompletionParams) -> t.CompletionList | None:
    from ..format.enum_docs import ENUM_DOCS

    path = _path(params.text_document.uri)
    live = ls.workspace_()
    text = live.text(path) or ""
    offset = lines_of(text).offset(params.position)
    context = completion_context(text, offset)
    if context is None:
        return None
    key, prefix = context
    items: list[t.CompletionItem] = []
    if key in ENUM_DOCS:
        items = [t.CompletionItem(value, kind=t.CompletionItemKind.EnumMember, detail=doc,
                                  documentation=doc) for value, doc in ENUM_DOCS[key].items()]
    elif key in _COMPLETE_KIND:
        doc = ls.doc(path)
        if doc is None:
            return None
        kind = _COMPLETE_KIND[key]
        items = [t.CompletionItem(ident, kind=t.CompletionItemKind.Reference, detail=name or kind)
                 for ident, name in sorted(_catalog_ids(ls, doc, kind).items())]
    elif key == "to":
        doc = ls.doc(path)
        if doc is None:
            return None
        own = doc.data.get("id") if isinstance(doc.data, dict) else None
        for tp in _touchpoints(doc.data):
            items.append(t.CompletionItem(tp["id"], kind=t.CompletionItemKind.Reference,
                                          detail=str(tp.get("name") or "touchpoint")))
        here = display_path(path)
        for summary in live.summaries():  # other journeys' entries, from the kept summaries (no reloading)
            if summary.file == here or summary.id == own:
                continue
            for entry in summary.entries.split("\n"):
                if entry:
                    # the name needs that journey's document: completionItem/resolve loads it for the one
                    # item the user looks at, rather than loading every journey of the workspace here
                    items.append(t.CompletionItem(f"{summary.id}/{entry}", kind=t.CompletionItemKind.Reference,
                                                  detail=f"entry of journey {summary.id} ({summary.file})",
                                                  data={"file": summary.file, "touchpoint": entry}))
    else:
        return None
    items = [i for i in items if i.label.startswith(prefix)]
    # A long list is cut (the client asks again as the user types more of the id): 1,000 journeys' entries
    # would otherwise cost more to send and to filter than to find.
    return t.CompletionList(is_incomplete=len(items) > MAX_ITEMS, items=items[:MAX_ITEMS])


@server.feature(t.COMPLETION_ITEM_RESOLVE)
def completion_resolve(ls: JourneyServer, item: t.CompletionItem) -> t.CompletionItem:
    data = item.data if isinstance(item.data, dict) else {}
    if "file" not in data:
        return item
    live = ls.workspace_()
    path = next((p for p in live.journey_paths() if display_path(p) == data["file"]), None)
    doc = live.document(path) if path is not None else None
    if doc is not None:
        for tp in _touchpoints(doc.data):
            if tp["id"] == data["touchpoint"] and tp.get("name"):
                journey = item.label.split("/", 1)[0]
                item.detail = f"{tp['name']} (entry of journey {journey})"
                break
    return item


# --- rename -----------------------------------------------------------------------------------------------
@server.feature(t.TEXT_DOCUMENT_PREPARE_RENAME)
def prepare_rename(ls: JourneyServer, params: t.PrepareRenameParams) -> t.Range | None:
    found = _at(ls, params.text_document.uri, params.position)
    if found is None:
        return None
    _, doc, occ = found
    return lines_of(doc.text).range(occ.start, occ.end)


@server.feature(t.TEXT_DOCUMENT_RENAME)
def rename(ls: JourneyServer, params: t.RenameParams) -> t.WorkspaceEdit:
    from pygls.exceptions import JsonRpcInvalidRequest

    found = _at(ls, params.text_document.uri, params.position)
    if found is None:
        raise JsonRpcInvalidRequest("no id here to rename")
    key = found[2].key
    new = params.new_name
    if not _ID.match(new) or len(new) > 128:
        raise JsonRpcInvalidRequest(f"'{new}' is not a valid id: letters, digits, '-', '_' or '.', "
                                    "starting with a letter or digit")
    taken = _definitions(ls, key[:-1] + (new,), found[0])
    if new != key[-1] and taken:
        raise JsonRpcInvalidRequest(f"{key[0]} id '{new}' is already taken ({display_path(taken[0][0])})")
    # Every occurrence carries its full key, so `to: old-journey/tp` in another journey is renamed through
    # its journey half, and local links (`to: tp`) need no change when their journey is renamed.
    changes: dict[str, list[t.TextEdit]] = {}
    for path, doc, index in ls.all_indexes():
        lines = lines_of(doc.text)
        for occ in index.occurrences:
            if occ.key == key:
                changes.setdefault(from_fs_path(str(path)), []).append(
                    t.TextEdit(lines.range(occ.start, occ.end), new))
    return t.WorkspaceEdit(changes=changes)


# --- code actions -----------------------------------------------------------------------------------------
@server.feature(t.TEXT_DOCUMENT_CODE_ACTION,
                t.CodeActionOptions(code_action_kinds=[t.CodeActionKind.QuickFix]))
def code_action(ls: JourneyServer, params: t.CodeActionParams) -> list[t.CodeAction] | None:
    from ..fix import fixes_for

    uri = params.text_document.uri
    path = _path(uri)
    live = ls.workspace_()
    doc = ls.doc(path)
    if doc is None:
        return None
    lines = lines_of(doc.text)
    start, end = lines.offset(params.range.start), lines.offset(params.range.end)
    wanted = []
    for finding in live.findings(path):
        f_start, f_end = finding_range(finding, doc.text, doc)
        if f_start <= end and start <= f_end:
            wanted.append(finding)
    actions = []
    for fix in fixes_for(doc, wanted, unsafe=True, catalogs=live.catalogs()[0]):
        edits = [t.TextEdit(lines.range(e.start, e.end), e.text) for e in fix.edits]
        title = fix.title if fix.safe else f"{fix.title} [unsafe]"
        actions.append(t.CodeAction(title, kind=t.CodeActionKind.QuickFix,
                                    diagnostics=[diagnostic(fix.finding, doc.text, doc)],
                                    is_preferred=fix.safe, edit=t.WorkspaceEdit(changes={uri: edits})))
    return actions


def serve() -> None:
    server.start_io()
