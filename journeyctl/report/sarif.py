"""SARIF 2.1.0, the format code-scanning tabs (GitHub, Azure DevOps, IDE viewers) read.

Paths are relative to the repository root (git toplevel, else the working directory) under the
`%SRCROOT%` base, so an alert lands on the right file whichever directory journeyctl ran from, and the
report does not embed the machine's checkout location. Output is deterministic: no timestamps, rules
and results sorted.
"""

from __future__ import annotations

import json
import os
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .. import __version__
from ..check.pipeline import RunResult
from ..check.findings import Finding

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"
_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


@lru_cache(maxsize=8)
def _toplevel(cwd: str) -> str | None:
    try:
        done = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=cwd, capture_output=True,
                              text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    top = done.stdout.strip()
    return top if done.returncode == 0 and top else None


def source_root(cwd: Path | None = None) -> Path:
    """The repository root (git toplevel when inside a work tree), else the working directory."""
    here = os.path.realpath(cwd or Path.cwd())
    top = _toplevel(here)
    return Path(os.path.realpath(top) if top else here)


def root_relative(file: str, root: Path | None = None) -> str | None:
    """`file` (as a finding shows it, relative to the cwd) relative to the root with '/'; None if outside."""
    root = root or source_root()
    full = os.path.realpath(os.path.join(os.getcwd(), file))
    try:
        rel = Path(full).relative_to(root)
    except ValueError:
        return None
    return rel.as_posix()


def _location(file: str, root: Path) -> dict[str, Any]:
    rel = root_relative(file, root)
    if rel is not None:
        return {"uri": quote(rel, safe="/"), "uriBaseId": SRCROOT}
    # Outside the repository: an absolute file URI is the only honest reference.
    return {"uri": Path(os.path.realpath(file)).as_uri()}


def _rule_descriptor(rule_id: str) -> dict[str, Any]:
    from ..rules.catalog import all_rules

    from ..rules.docs import rule_url

    rule = all_rules().get(rule_id)
    if rule is None:  # a finding from outside the catalog still needs a descriptor for ruleIndex
        return {"id": rule_id, "name": rule_name(rule_id), "shortDescription": {"text": rule_id},
                "helpUri": rule_url("README"),
                "defaultConfiguration": {"level": "warning"}}
    doc = rule.doc
    first = doc.split("\n\n", 1)[0].replace("\n", " ").strip() or rule.summary
    descriptor: dict[str, Any] = {
        "id": rule.id,
        "name": rule_name(rule.id),
        "helpUri": rule_url(rule.id),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": first},
        "defaultConfiguration": {"level": _LEVELS.get(rule.severity, "warning")},
        "help": {"text": doc},
        "properties": {"tags": ["journeyctl"]},
    }
    if not rule.enabled:
        descriptor["defaultConfiguration"]["enabled"] = False
    return descriptor


def rule_name(rule_id: str) -> str:
    """SARIF's rule `name`: the id as an identifier (stage-without-goal → StageWithoutGoal)."""
    return "".join(part[:1].upper() + part[1:] for part in rule_id.replace("_", "-").split("-") if part)


def _fingerprint(f: Finding) -> str:
    # The finding's identity (journeyctl.identity): what it is about, never where it sits, so an alert
    # keeps its state (and its dismissal) across edits that shift lines, reorder or reformat.
    from ..check.identity import identity_of

    return identity_of(f)


def sarif_document(result: RunResult, root: Path | None = None) -> dict[str, Any]:
    from ..rules.catalog import all_rules
    from ..rules.docs import HOME_URL

    root = root or source_root()
    findings = sorted(result.findings, key=Finding.sort_key)
    rule_ids = sorted(set(all_rules()) | {f.rule for f in findings})
    index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    results = []
    for f in findings:
        location = _location(f.file, root)
        entry: dict[str, Any] = {
            "ruleId": f.rule,
            "ruleIndex": index[f.rule],
            "level": _LEVELS.get(f.severity, "warning"),
            "message": {"text": f.message or f.rule},
            "locations": [{"physicalLocation": {
                "artifactLocation": location,
                "region": {"startLine": max(1, f.line), "startColumn": max(1, f.column)},
            }}],
            "partialFingerprints": {"journeyctl/v2": _fingerprint(f)},
        }
        if f.path:
            entry["properties"] = {"documentPath": f.path}
        results.append(entry)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "journeyctl",
                "informationUri": HOME_URL,
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [_rule_descriptor(r) for r in rule_ids],
            }},
            "invocations": [{"executionSuccessful": True}],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }


def to_sarif(result: RunResult) -> str:
    return json.dumps(sarif_document(result), indent=2, ensure_ascii=False) + "\n"
