"""Baselines: adopt journeyctl on a repository that already has findings, and only ever get better.

`validate --write-baseline FILE` records the run's findings by identity (journeyctl.identity, so a
stage inserted above, a reformatted or moved file keeps them recorded); `validate --baseline FILE`
then reports and fails only on findings the baseline does not hold, and reports (rule
`stale-baseline`, info) each entry that no longer occurs, so the baseline only shrinks.

The file is JSON with one entry per line (the line a stale entry is reported at), sorted, with no
positions in it: re-recording an unchanged workspace rewrites it byte for byte. Identities are a
multiset: an entry per finding, so two equal findings need two entries.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from .pipeline import FileResult, RunResult, display_path
from .findings import Finding

BASELINE_VERSION = 1
STALE_RULE = "stale-baseline"
_KEYS = ("identity", "rule", "file", "message")


class BaselineError(Exception):
    """The baseline cannot be read or is not one: a usage error (exit 2), with file:line:column."""


@dataclass(frozen=True)
class Entry:
    identity: str
    rule: str
    file: str
    message: str
    line: int = 0  # where the entry is in the baseline file (0 when not read from one)


def entries_of(findings: Iterable[Finding]) -> list[Entry]:
    from .identity import identity_of

    return sorted((Entry(identity_of(f), f.rule, f.file, f.message) for f in findings),
                  key=lambda e: (e.file, e.rule, e.message, e.identity))


def dumps(entries: list[Entry]) -> str:
    """The baseline's text: a header, then one entry per line (reviewable in a pull request)."""
    from .identity import IDENTITY_VERSION

    lines = [json.dumps({k: getattr(e, k) for k in _KEYS}, ensure_ascii=False) for e in entries]
    head = (f'{{"version": {BASELINE_VERSION}, "identity_version": {IDENTITY_VERSION}, '
            '"note": "findings accepted by journeyctl validate --baseline; rewrite with --write-baseline", '
            '"findings": [')
    if not lines:
        return head + "]}\n"
    return head + "\n" + ",\n".join(lines) + "\n]}\n"


def write(path: Path, findings: Iterable[Finding]) -> int:
    """Record the findings; the number recorded."""
    from ..output import OutputError, write_atomic

    entries = entries_of(findings)
    try:
        write_atomic(path, dumps(entries))
    except OutputError as exc:
        raise BaselineError(str(exc)) from None
    return len(entries)


def read(path: Path) -> list[Entry]:
    from .identity import IDENTITY_VERSION

    shown = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise BaselineError(f"{shown}: cannot read the baseline: {reason} (write one with --write-baseline)") \
            from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{shown}:{exc.lineno}:{exc.colno}: not a baseline: {exc.msg} "
                            "(rewrite it with --write-baseline)") from None
    if not isinstance(data, dict) or data.get("version") != BASELINE_VERSION or \
            not isinstance(data.get("findings"), list):
        raise BaselineError(f"{shown}:1:1: not a journeyctl baseline (version {BASELINE_VERSION} with a "
                            "'findings' list); rewrite it with --write-baseline")
    if data.get("identity_version") != IDENTITY_VERSION:
        raise BaselineError(f"{shown}:1:1: the baseline was written with identity version "
                            f"{data.get('identity_version')}, this journeyctl uses {IDENTITY_VERSION}: "
                            "rewrite it with --write-baseline")
    lines = _entry_lines(text)
    out = []
    for i, item in enumerate(data["findings"]):
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in _KEYS):
            line = lines[i] if i < len(lines) else 1
            raise BaselineError(f"{shown}:{line}:1: baseline entry {i + 1} needs the strings "
                                f"{', '.join(_KEYS)}; rewrite the baseline with --write-baseline")
        out.append(Entry(*(item[k] for k in _KEYS), line=lines[i] if i < len(lines) else 1))
    return out


def _entry_lines(text: str) -> list[int]:
    """The line of each entry, for the layout `dumps` writes (one object per line)."""
    return [n for n, line in enumerate(text.splitlines(), 1) if line.lstrip().startswith('{"identity"')]


def apply(result: RunResult, entries: list[Entry], baseline: Path, severity: str | None) -> tuple[RunResult, int]:
    """(the run without baselined findings, plus stale entries as findings; how many were baselined).

    `severity`: that of the stale-baseline rule (None: switched off).
    """
    from .identity import identity_of

    left = Counter(e.identity for e in entries)
    files = []
    accepted = 0
    for file in result.files:
        kept = []
        for f in file.findings:
            ident = identity_of(f)
            if left[ident] > 0:
                left[ident] -= 1
                accepted += 1
            else:
                kept.append(f)
        files.append(FileResult(file.path, kept, file.journey_id))
    if severity is not None:
        shown = display_path(baseline)
        stale = []
        for e in entries:
            if left[e.identity] > 0:
                left[e.identity] -= 1
                stale.append(Finding(STALE_RULE, severity, shown, e.line or 1, 1,
                                     f"{e.rule} in {e.file} no longer occurs ({e.message}); remove the entry, "
                                     "or rewrite the baseline with --write-baseline"))
        if stale:
            files.append(FileResult(shown, sorted(stale, key=Finding.sort_key)))
    return RunResult(files), accepted


def adopt(result: RunResult, config: Any, baseline: Path | None, write_to: Path | None,
          ignore: Iterable[str] = ()) -> tuple[RunResult, str | None]:
    """validate's --baseline/--write-baseline: the result to report, and a note for stderr."""
    from .pipeline import effective_severities

    note = None
    if write_to is not None:
        count = write(write_to, result.findings)
        note = f"wrote {count} finding{'' if count == 1 else 's'} to the baseline {display_path(write_to)}"
        baseline = write_to  # everything just recorded is accepted: the run passes
    if baseline is None:
        return result, note
    entries = read(baseline)
    severity = effective_severities(config, ignore=ignore).get(STALE_RULE)
    result, accepted = apply(result, entries, baseline, severity)
    if write_to is None and accepted:
        note = f"{accepted} finding{'' if accepted == 1 else 's'} accepted by the baseline {display_path(baseline)}"
    return result, note
