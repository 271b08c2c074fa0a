"""`journeyctl fix`: apply the fix engine's fixes to files, round after round, until nothing is left to fix.

Fixes are applied from memory (journeyctl.live) and re-checked before anything is written, so a fix whose
edit would not parse is dropped, overlapping fixes wait for the next round, and the files are written
(atomically) only once, at the end.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import Fix, apply_edits, fixes_for, non_overlapping, preferred

if TYPE_CHECKING:
    from ..config import Config
    from ..findings import Finding

MAX_ROUNDS = 10


@dataclass
class FileFix:
    """One file: its text before and after, the fixes applied, and the findings that remain."""

    path: Path
    before: str
    after: str
    applied: list[Fix] = field(default_factory=list)
    remaining: list["Finding"] = field(default_factory=list)

    def diff(self) -> str:
        from ..check import display_path

        name = display_path(self.path)
        old, new = (name, name) if name.startswith("/") else (f"a/{name}", f"b/{name}")
        lines = difflib.unified_diff(self.before.splitlines(keepends=True), self.after.splitlines(keepends=True),
                                     old, new)
        # a last line without a line break gets one, as diff(1) marks it, so the next file's header stays apart
        return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def fix_paths(paths: list[Path], config: Config, unsafe: bool = False) -> list[FileFix]:
    """Fix the files `paths` name, checked against their workspace; nothing is written here."""
    from ..discovery import discover
    from ..live import open_workspace

    workspace = open_workspace(paths, config)
    targets = discover(paths, config)
    results: dict[Path, FileFix] = {}
    for path in targets:
        text = workspace.text(path)
        results[path] = FileFix(path, text or "", text or "")
    for _ in range(MAX_ROUNDS):
        changed = False
        for path in targets:
            doc = workspace.check(path).doc
            if doc is None:
                continue
            fixes = non_overlapping(preferred(fixes_for(doc, workspace.findings(path), unsafe,
                                                          workspace.catalogs()[0])))
            if not fixes:
                continue
            after = apply_edits(doc.text, [e for fix in fixes for e in fix.edits])
            if after == doc.text:
                continue
            workspace.set_text(path, after)
            if workspace.check(path).doc is None:  # never trade a finding for a file that does not parse
                workspace.set_text(path, doc.text)
                continue
            results[path].after = after
            results[path].applied.extend(fixes)
            changed = True
        if not changed:
            break
    for path in targets:
        results[path].remaining = workspace.findings(path)
    return [results[p] for p in targets]


def write_fixes(results: list[FileFix]) -> None:
    from ..output import write_atomic

    for result in results:
        if result.after != result.before:
            try:  # a UTF-8 byte-order mark the file started with is kept (the loader reads past it)
                bom = result.path.read_bytes()[:3] == b"\xef\xbb\xbf"
            except OSError:
                bom = False
            write_atomic(result.path, (b"\xef\xbb\xbf" if bom else b"") + result.after.encode("utf-8"))
