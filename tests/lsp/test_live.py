"""LiveWorkspace (the editor's and `fix`'s checker) reports exactly what validate reports, edit after edit."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from journeyctl.check.pipeline import check_paths
from journeyctl.config import Config
from journeyctl.check.live import open_workspace

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
B2B = "b2b-lead-to-customer.journey.yaml"
RENEWAL = "support-renewal.journey.yaml"
EDITS = [  # (file, old, new): each changes what another file's findings depend on, or nothing they do
    (B2B, "to: support-renewal/support-ticket", "to: support-renewal/support-tickt"),  # this file's link
    (B2B, "name: Kickoff call", "name: Kick-off call"),  # summary unchanged: cross-file findings kept
    (RENEWAL, "- id: support-ticket", "- id: support-tickt"),  # the other end: b2b's link now resolves
    (RENEWAL, "entry: true", "entry: false"),  # b2b's link now enters at a non-entry
    ("company.catalog.yaml", "- id: customer-success", "- id: cs"),  # a catalog: every journey re-checked
    (B2B, "to: support-renewal/support-tickt",
     "to: support-renewal/support-tickt  # journeyctl: disable=journey-link-not-entry"),
    (B2B, "disable=journey-link-not-entry", "disable=duplicate-id"),  # now unused, judged in the cross pass
]


def test_findings_match_validate_after_every_edit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(EXAMPLES, tmp_path / "ws")
    monkeypatch.chdir(tmp_path)
    config = Config(root=tmp_path / "ws", cache=False)
    live = open_workspace([Path("ws")], config)
    for name in (B2B, RENEWAL):
        live.findings(Path("ws") / name)  # checked once, so later edits invalidate kept results
    seen = set()
    for name, old, new in EDITS:
        path = Path("ws") / name
        text = path.read_text()
        assert old in text
        text = text.replace(old, new, 1)
        path.write_text(text)
        live.set_text(path, text)
        expected = {r.path: r.findings for r in check_paths([Path("ws")], config).files}
        got = {p.as_posix(): live.findings(p) for p in map(Path, expected)}
        assert got == expected
        seen.update(f.rule for fs in expected.values() for f in fs)
    assert {"unknown-reference", "journey-link-not-entry", "unused-suppression"} <= seen
