"""Names where the site shows things to people (issue 18): the matrices and the coverage tables name
personas, channels and teams (the id in small type under the name), and a journey's stage columns by
the stage's name; the hand-off matrix and the missing hand-offs name teams."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from journeyctl.config import Config
from journeyctl.site import SiteOptions, build_site

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("names") / "site"
    build_site([ROOT / "examples"], Config(), SiteOptions(out, ()))
    return out


def named_cell(name: str, item_id: str) -> str:
    from journeyctl.site.html import esc

    return f'<td>{esc(name)}<div class="tp-meta"><code>{esc(item_id)}</code></div></td>'


def test_matrices_name_personas_channels_and_teams(site):
    page = (site / "matrices.html").read_text(encoding="utf-8")
    catalog = yaml.safe_load((ROOT / "examples" / "company.catalog.yaml").read_text(encoding="utf-8"))
    for kind in ("personas", "channels", "teams"):
        for item in catalog.get(kind, []):
            if f">{item['id']}<" in page or named_cell(item["name"], item["id"]) in page:
                assert named_cell(item["name"], item["id"]) in page, (kind, item["id"])
    assert not re.search(r"<td>(ap-manager|email|customer-success)</td>", page)  # never a bare id
    handoffs = page.split('id="handoffs"')[1].split("</table>")[0]
    assert "<th scope=\"col\">Customer success</th>" in handoffs.replace(' class="num"', "")
    assert "<th scope=\"col\">customer-success</th>" not in handoffs.replace(' class="num"', "")


def test_journey_coverage_names_rows_and_stage_columns(site):
    page = (site / "journeys" / "support-renewal.html").read_text(encoding="utf-8")
    coverage = page.split('id="coverage"')[1]
    journey = yaml.safe_load((ROOT / "examples" / "support-renewal.journey.yaml").read_text(encoding="utf-8"))
    for stage in journey["stages"]:
        assert f">{stage['name']}</th>" in coverage, stage["id"]
        assert f">{stage['id']}</th>" not in coverage or stage["id"] == stage["name"]
    for team in journey.get("teams", []):
        if f"<code>{team['id']}</code>" in coverage:
            assert named_cell(team["name"], team["id"]) in coverage
    assert named_cell("Dana, finance director", "finance-director") in coverage
