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


def _text(path: Path) -> str:
    import html

    page = re.sub(r"<(script|style)[^>]*>.*?</\1>", "", path.read_text(encoding="utf-8"), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_a_journey_s_own_team_names_win_over_another_journey_s_same_id(site):
    """subscription-onboarding and support-renewal each define a team `support`, named differently."""
    renewal = _text(site / "journeys" / "support-renewal.html")
    assert "Support (tier 1 and 2)" in renewal
    assert "Customer support (in-app chat)" not in renewal  # subscription-onboarding's `support`
    onboarding = _text(site / "journeys" / "subscription-onboarding.html")
    assert "Customer support (in-app chat)" in onboarding and "Support (tier 1 and 2)" not in onboarding


def test_links_into_another_journey_name_the_touchpoint_its_journey_and_its_team(site):
    b2b = _text(site / "journeys" / "b2b-lead-to-customer.html")
    assert "support-renewal/support-ticket" not in b2b
    target = ('Ticket "invoice import failing" raised before month-end in From a month-end support ticket to the '
              "renewal decision (Ledgerly)")
    assert f"Kickoff call Customer success {target} Support (tier 1 and 2)" in b2b  # the hand-off row
    assert f"Kickoff call → {target}" in b2b  # leads into other journeys
    renewal = _text(site / "journeys" / "support-renewal.html")
    assert ("Kickoff call in B2B lead to customer (Ledgerly accounts-payable automation) → "
            'Ticket "invoice import failing" raised before month-end') in renewal


def test_the_catalog_shows_every_name_an_id_has(site):
    catalog = _text(site / "catalog.html")
    assert ("Customer support (in-app chat) also Support (tier 1 and 2) in From a month-end support ticket to "
            "the renewal decision (Ledgerly)") in catalog
