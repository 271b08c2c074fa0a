"""The docs site's "due for review" agrees with the stale-journey rule that validate runs.

Found by a first-time user: a workspace with one overdue active journey showed "6 due for review" on the
index, because the site flagged retired journeys past their period (the rule never checks retired maps)
and drafts that were never reviewed (the rule only asks active journeys for a review date).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from journeyctl.check.pipeline import check_paths
from journeyctl.config import Config
from journeyctl.site import SiteOptions, build_site
from helpers.site_harness import parse

TODAY = "2026-06-01"
BODY = """\
stages:
  - id: s
    touchpoints:
      - {id: t, entry: true, outcome: converted}
"""
JOURNEYS = {
    # id: (status, reviewed)
    "active-overdue": ("active", "2025-01-01"),
    "active-never": ("active", None),
    "active-fresh": ("active", "2026-05-01"),
    "draft-overdue": ("draft", "2025-01-01"),
    "draft-never": ("draft", None),
    "retired-old": ("retired", "2020-01-01"),
    "retired-never": ("retired", None),
}


@pytest.fixture()
def built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    monkeypatch.setenv("JOURNEYCTL_TODAY", TODAY)
    ws = tmp_path / "ws"
    ws.mkdir()
    for jid, (status, reviewed) in JOURNEYS.items():
        head = f"journeyctl: 1\nid: {jid}\ntitle: {jid}\nstatus: {status}\n"
        if reviewed:
            head += f'reviewed: "{reviewed}"\n'
        (ws / f"{jid}.journey.yaml").write_text(head + BODY, encoding="utf-8")
    out = tmp_path / "site"
    build_site([ws], Config(), SiteOptions(out, svg=False))
    return ws, out


def test_index_flags_exactly_the_journeys_stale_journey_reports(built: tuple[Path, Path]) -> None:
    ws, out = built
    result = check_paths([ws], Config(), select=["stale-journey"])
    reported = sorted(Path(f.file).name.split(".")[0] for f in result.findings)
    assert reported == ["active-never", "active-overdue", "draft-overdue"]
    rows = parse((out / "index.html").read_text(encoding="utf-8")).rows
    flagged = sorted(r.attrs["data-slug"] for r in rows if r.attrs["data-stale"] == "1")
    assert flagged == reported


def test_index_summary_counts_the_same_journeys(built: tuple[Path, Path]) -> None:
    _, out = built
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "7 journeys; 3 due for review;" in html


def test_unchecked_journeys_say_why_instead_of_a_red_badge(built: tuple[Path, Path]) -> None:
    _, out = built
    retired = (out / "journeys" / "retired-old.html").read_text(encoding="utf-8")
    assert "review overdue" not in retired
    assert "not checked (retired)" in retired
    draft = (out / "journeys" / "draft-never.html").read_text(encoding="utf-8")
    assert "never reviewed" not in draft
    assert "not reviewed yet (draft)" in draft
    active = (out / "journeys" / "active-never.html").read_text(encoding="utf-8")
    assert "never reviewed" in active
    overdue = (out / "journeys" / "draft-overdue.html").read_text(encoding="utf-8")
    assert "review overdue" in overdue
