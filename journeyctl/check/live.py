"""A workspace checked from text that may not be on disk yet: the editor's buffers, a fix not yet written.

`validate` reads every file from disk once. An editor (and `journeyctl fix`, which re-checks what it
is about to write) needs the same findings for text that only exists in memory, again and again as it
changes. LiveWorkspace keeps each file's check, redoes only the file that changed (all journeys when a
catalog changes, since catalogs feed every journey's references), and runs the cheap cross-file pass
(journeyctl.workspace.resolve) over the kept summaries, so the findings are exactly validate's.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .pipeline import (
    FileOutcome,
    stamped,
    apply_suppressions,
    check_document,
    display_path,
    effective_severities,
    read_document,
    unused_suppressions,
)
from .findings import Finding
from ..format.loader import Document, LoadError, decode, load_text
from .workspace import CROSS_FILE_RULES, is_catalog

if TYPE_CHECKING:
    from ..config import Config
    from ..rules import Workspace
    from .workspace import CatalogEntry


def file_key(path: Path | str) -> str:
    """One key per file however it is named (relative, absolute, through a symlink)."""
    return os.path.realpath(path)


@dataclass
class Checked:
    """One file as last checked: its document (None when it did not load) and its own findings."""

    path: Path
    text: str | None
    doc: Document | None
    outcome: FileOutcome | None = None  # journeys only
    findings: list[Finding] = field(default_factory=list)  # catalogs: the catalog's own findings
    lazy: bool = False  # checked in bulk (warm): the document is loaded only when something asks for it


class LiveWorkspace:
    """The files of one workspace, checked from their current text (buffer or disk)."""

    def __init__(self, config: Config, files: list[Path]) -> None:
        self.config = config
        self.severities = effective_severities(config)
        self.paths: dict[str, Path] = {file_key(p): p for p in files}
        self.overlay: dict[str, str] = {}
        self.checked: dict[str, Checked] = {}
        self._catalogs: tuple[Workspace, list[CatalogEntry], dict[str, list[Finding]]] | None = None
        self._cross: dict[str, list[Finding]] | None = None
        self._stale: dict[str, object] = {}  # file → its summary when _cross was computed, if changed since

    # --- what the files say -------------------------------------------------------------------------
    def set_text(self, path: Path, text: str | None) -> None:
        """The file's text is now `text` (None: whatever is on disk); only what depends on it is redone."""
        key = file_key(path)
        self.paths.setdefault(key, path)
        if text is None:
            self.overlay.pop(key, None)
        else:
            self.overlay[key] = text
        self.invalidate(path)

    def remove(self, path: Path) -> None:
        key = file_key(path)
        self.paths.pop(key, None)
        self.overlay.pop(key, None)
        self.invalidate(path)

    def invalidate(self, path: Path) -> None:
        key = file_key(path)
        old = self.checked.pop(key, None)
        if key in self._stale:
            pass  # changed again: its summary when the cross-file findings were computed is kept
        elif old is not None and old.outcome is not None and self._cross is not None:
            # most edits (a name, a description) leave the journey's summary as it was: the cross-file
            # findings then stay valid, and the next findings() skips the workspace pass
            self._stale[key] = old.outcome.summary
        else:
            self._stale.clear()
            self._cross = None
        if is_catalog(path):
            self._cross = None
            self._catalogs = None
            for other in [k for k in self.checked if not is_catalog(k)]:
                del self.checked[other]  # catalogs feed every journey's references

    def text(self, path: Path) -> str | None:
        key = file_key(path)
        if key in self.overlay:
            return self.overlay[key]
        try:
            return decode(Path(path).read_bytes())
        except (OSError, LoadError):
            return None

    # --- checking -----------------------------------------------------------------------------------
    def _read(self, path: Path) -> tuple[Document | None, list[Finding], str | None]:
        key = file_key(path)
        if key not in self.overlay:
            doc, findings = read_document(path, self.config)
            return doc, findings, doc.text if doc is not None else None
        text = self.overlay[key]
        try:
            return load_text(text, Path(path)), [], text
        except LoadError as exc:
            return None, [Finding(exc.rule, "error", display_path(path), exc.line, exc.column, exc.message)], text

    def catalogs(self) -> tuple[Workspace, list[CatalogEntry], dict[str, list[Finding]]]:
        if self._catalogs is None:
            from .workspace import collect_catalogs

            loaded = []
            for key in sorted(k for k in self.paths if is_catalog(k)):
                path = self.paths[key]
                doc, findings, text = self._read(path)
                self.checked[key] = Checked(path, text, doc)
                loaded.append((display_path(path), doc, findings))
            self._catalogs = collect_catalogs(loaded)
        return self._catalogs

    def check(self, path: Path) -> Checked:
        """The file's own check (no cross-file findings), redone only when it or a catalog changed."""
        key = file_key(path)
        self.paths.setdefault(key, path)
        return self._check(key, path)

    def _check(self, key: str, path: Path) -> Checked:
        if is_catalog(path):
            self.catalogs()
            return self.checked[key]
        known = self.checked.get(key)
        if known is not None:
            return known
        workspace = self.catalogs()[0]
        doc, findings, text = self._read(path)
        outcome, _ = check_document(doc, findings, display_path(path), self.config, self.severities, workspace,
                                    frozenset(CROSS_FILE_RULES))
        checked = Checked(path, text, doc, outcome)
        self.checked[key] = checked
        return checked

    def cross(self) -> dict[str, list[Finding]]:
        """The cross-file findings by display path: duplicate journey ids, links, unused catalog entries."""
        if self._stale and self._cross is not None:
            for key, summary in self._stale.items():
                path = self.paths.get(key)
                now = self._check(key, path).outcome if path is not None else None
                if now is None or now.summary != summary:
                    self._cross = None
                    break
        self._stale.clear()
        if self._cross is None:
            from .workspace import resolve

            _, entries, _ = self.catalogs()
            self._cross = resolve(self.summaries(), entries, self.severities)
        return self._cross

    def findings(self, path: Path) -> list[Finding]:
        """Everything `validate` reports for this file, as it reads now."""
        checked = self.check(path)
        display = display_path(path)
        cross = self.cross().get(display, [])
        if checked.outcome is None:  # a catalog
            own = self.catalogs()[2].get(display, []) + cross
            return sorted((f for f in own if f.rule in self.severities), key=Finding.sort_key)
        suppressions = [copy.deepcopy(s) for s in checked.outcome.suppressions]
        extra = apply_suppressions(cross, suppressions)
        # judged after the cross-file pass, so stamped here exactly as check_paths stamps them: the
        # editor, `fix` and `validate` must give every finding the same identity
        extra += stamped(unused_suppressions(suppressions, display, self.severities), checked.outcome.summary,
                          display)
        return sorted(checked.outcome.result.findings + extra, key=Finding.sort_key)

    def document(self, path: Path) -> Document | None:
        """The file's loaded document (loading it now if it was checked in bulk)."""
        checked = self.check(path)
        if checked.lazy:
            checked.doc, _, checked.text = self._read(path)
            checked.lazy = False
        return checked.doc

    def warm(self) -> None:
        """Check every journey on disk at once, in parallel and through the result cache, as validate does.

        An editor opening one journey of a 1,000-journey workspace needs every journey's summary for the
        cross-file findings; checking them one by one in the server would take many seconds each start.
        """
        from functools import partial

        from .pipeline import check_journey_file
        from .run import Mapper

        workspace = self.catalogs()[0]
        todo = [(k, p) for k, p in sorted(self.paths.items())
                if not is_catalog(k) and k not in self.overlay and k not in self.checked]
        if not todo:
            return
        job = partial(check_journey_file, config=self.config, severities=self.severities, workspace=workspace,
                      defer=frozenset(CROSS_FILE_RULES))
        mapper = Mapper(self.config)
        try:
            outcomes = mapper(job, [p for _, p in todo])
        finally:
            mapper.close()
        for (key, path), outcome in zip(todo, outcomes):
            self.checked.setdefault(key, Checked(path, None, None, outcome, lazy=True))
        self._cross = None

    def summaries(self) -> list:
        """The journey summaries of the workspace (journeys that loaded), for cross-journey questions."""
        out = []
        for key in sorted(self.paths):
            if not is_catalog(key):
                outcome = self._check(key, self.paths[key]).outcome
                if outcome is not None and outcome.summary is not None:
                    out.append(outcome.summary)
        return out

    def journey_paths(self) -> list[Path]:
        return [self.paths[k] for k in sorted(self.paths) if not is_catalog(k)]

    def all_paths(self) -> list[Path]:
        return [self.paths[k] for k in sorted(self.paths)]


def open_workspace(paths: list[Path], config: Config) -> LiveWorkspace:
    """The workspace `validate PATHS` would check against, ready to be re-checked from memory."""
    from .discovery import workspace_files

    return LiveWorkspace(config, workspace_files(paths, config))
