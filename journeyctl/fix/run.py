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
    from ..check.findings import Finding

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
        from ..check.pipeline import display_path

        name = display_path(self.path)
        old, new = (name, name) if name.startswith("/") else (f"a/{name}", f"b/{name}")
        lines = difflib.unified_diff(self.before.splitlines(keepends=True), self.after.splitlines(keepends=True),
                                     old, new)
        # a last line without a line break gets one, as diff(1) marks it, so the next file's header stays apart
        return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def fix_paths(paths: list[Path], config: Config, unsafe: bool = False) -> list[FileFix]:
    """Fix the files `paths` name, checked against their workspace; nothing is written here."""
    from ..check.discovery import discover
    from ..check.live import open_workspace

    workspace = open_workspace(paths, config)
    targets = discover(paths, config)
    results: dict[Path, FileFix] = {}
    for path in targets:
        text = workspace.text(path)
        results[path] = FileFix(path, text or "", text or "")
    refused: set[tuple[str, str, str]] = set()  # fixes that made things worse, never tried again
    for _ in range(MAX_ROUNDS):
        changed = False
        for path in targets:
            doc = workspace.check(path).doc
            if doc is None:
                continue
            before = workspace.findings(path)
            fixes = [f for f in preferred(fixes_for(doc, before, unsafe, workspace.catalogs()[0]))
                     if _key(f) not in refused]
            fixes = non_overlapping(fixes)
            if not fixes:
                continue
            accepted = _try(workspace, path, doc.text, fixes, before)
            if accepted is None:  # the round as a whole made things worse: find the fixes that did
                accepted = []
                for fix in fixes:
                    current = workspace.check(path).doc
                    if current is None:
                        break
                    if _try(workspace, path, current.text, [fix], workspace.findings(path)) is None:
                        refused.add(_key(fix))
                    else:
                        accepted.append(fix)
            if accepted:
                results[path].after = workspace.text(path) or ""
                results[path].applied.extend(accepted)
                changed = True
        if not changed:
            break
    for path in targets:
        results[path].remaining = workspace.findings(path)
    return [results[p] for p in targets]


def _key(fix: Fix) -> tuple[str, str, str]:
    return fix.finding.rule, fix.finding.message, fix.title


# Findings a fix can create by damaging the file itself. Others may appear after a fix without being its
# doing: quoting `title: on` lets the model build, and the gap rules then report what they could not before.
DAMAGE = frozenset({"yaml-syntax", "yaml-value", "duplicate-key", "schema"})


def _errors(findings: list["Finding"]) -> "Counter[tuple[str, str]]":
    from collections import Counter

    return Counter((f.rule, f.message) for f in findings if f.rule in DAMAGE)


def _try(workspace, path: Path, text: str, fixes: list[Fix], before: list["Finding"]) -> list[Fix] | None:
    """Apply `fixes` to the file's text in memory; keep them if the file still parses and is no more broken
    (a fix must never trade one problem for another), else restore the text and return None."""
    after = apply_edits(text, [e for fix in fixes for e in fix.edits])
    if after == text:
        return None
    workspace.set_text(path, after)
    if workspace.check(path).doc is not None and not (_errors(workspace.findings(path)) - _errors(before)):
        return fixes
    workspace.set_text(path, text)
    return None


def write_fixes(results: list[FileFix]) -> None:
    from ..output import write_atomic

    for result in results:
        if result.after != result.before:
            try:  # a UTF-8 byte-order mark the file started with is kept (the loader reads past it)
                bom = result.path.read_bytes()[:3] == b"\xef\xbb\xbf"
            except OSError:
                bom = False
            write_atomic(result.path, (b"\xef\xbb\xbf" if bom else b"") + result.after.encode("utf-8"))
