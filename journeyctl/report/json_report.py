"""The stable machine format (documented in docs/json-format.md)."""

from __future__ import annotations

import json

from ..check.pipeline import RunResult
from ..check.findings import Finding

JSON_FORMAT_VERSION = 1


def to_json(result: RunResult) -> str:
    findings = sorted(result.findings, key=lambda f: f.sort_key())
    counts = result.counts()
    payload = {
        "version": JSON_FORMAT_VERSION,
        "files": len(result.files),
        "findings": [finding_dict(f) for f in findings],
        "summary": {**counts, "files": len(result.files),
                    "files_with_findings": sum(1 for r in result.files if r.findings)},
    }
    return json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def finding_dict(f: Finding) -> dict:
    """A finding as the JSON formats carry it, with its identity (docs/json-format.md)."""
    from ..check.identity import identity_of

    return {**f.as_dict(), "identity": identity_of(f)}
