"""`import --layout grid`: a CX team's journey-map template (stages as columns) becomes a journey.

The workbook is built here the way such templates look: a merged title, a persona line, a row of
stages, then labelled rows (Touchpoints, Channels, Customer does / thinks / feels, Pain points,
Opportunities, Owner, KPIs) with several lines per cell. The import must validate with no schema
findings and leave what the grid does not say (transitions, entries, outcomes) to validate's findings.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from journeyctl.cli import app
from journeyctl.format.model import Journey

runner = CliRunner()

STAGES = ["Awareness", "Consideration", "Purchase", "Onboarding", "Loyalty"]
GRID = {
    "Touchpoints": ["Instagram ad\nFriend's recommendation", "Product pages\nComparison blog post",
                    "Checkout", "Welcome email\nFirst delivery", "Loyalty app"],
    "Channels": ["Social\nWord of mouth", "Website", "Website", "Email\nCourier", "Mobile app"],
    "Customer does": ["Scrolls the feed", "Compares boxes and prices", "Pays", "Unpacks the box", "Reorders"],
    "Customer thinks": ["Looks tasty", "Is it worth the price?", "Will the delivery slot hold?", "", "Nice points"],
    "Customer feels": ["Curious", "Unsure", "Anxious", "Relieved", "Loyal"],
    "Pain points": ["", "• Hidden delivery fee\n• Too many plans", "Card declined without a reason",
                    "Box arrived late", ""],
    "Opportunities": ["", "Show the fee up front", "Explain declines", "Live courier tracking", ""],
    "Owner": ["Marketing", "Marketing\nContent", "Digital", "CRM\nLogistics", ""],
    "KPIs": ["Reach", "Add-to-cart rate", "Conversion rate", "NPS", "Repeat purchase rate"],
    "Moments that matter": ["", "", "Checkout", "", ""],
}


def build_template(path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = "Journey map"
    ws["A1"] = "Customer Journey Map: FreshBox meal kits"
    ws["A1"].font = Font(size=16, bold=True)
    ws.merge_cells("A1:F1")
    ws["A2"] = "Persona: Busy parent, 35, orders on the phone"
    ws.merge_cells("A2:F2")
    ws["A4"] = "Stage"
    for col, name in enumerate(STAGES, start=2):
        cell = ws.cell(4, col, name)
        cell.font, cell.fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="4472C4")
    for row, (label, values) in enumerate(GRID.items(), start=5):
        ws.cell(row, 1, label).font = Font(bold=True)
        for col, value in enumerate(values, start=2):
            if value:
                ws.cell(row, col, value).alignment = Alignment(wrap_text=True)
    wb.save(path)


@pytest.fixture()
def imported(tmp_path: Path) -> tuple[Journey, str, Path]:
    book = tmp_path / "freshbox-map.xlsx"
    build_template(book)
    out = tmp_path / "out"
    out.mkdir()
    result = runner.invoke(app, ["import", str(book), "--layout", "grid", "-o", str(out)])
    assert result.exit_code == 0, result.output
    written = out / "customer-journey-map-freshbox-meal-kits.journey.yaml"
    return Journey.model_validate(yaml.safe_load(written.read_text(encoding="utf-8"))), result.output, written


def test_the_grid_becomes_stages_and_touchpoints(imported: tuple[Journey, str, Path]) -> None:
    journey, output, _ = imported
    assert journey.title == "Customer Journey Map: FreshBox meal kits"
    assert [(p.id, p.name) for p in journey.personas] == [("busy-parent", "Busy parent, 35, orders on the phone")]
    assert "freshbox-map.xlsx: Journey map!A2: persona 'busy-parent' declared" in output
    assert [s.name for s in journey.stages] == STAGES
    assert [[tp.name for tp in s.touchpoints] for s in journey.stages] == \
        [v.split("\n") for v in GRID["Touchpoints"]]
    consideration = journey.stages[1]
    assert consideration.customer.does == "Compares boxes and prices"
    assert consideration.customer.thinks == "Is it worth the price?"
    assert consideration.customer.feels == "Unsure"
    assert journey.stages[3].customer.thinks is None  # an empty cell says nothing
    # Lines that line up with the touchpoints go one each; a single value covers the stage.
    channels = {c.id: c.name for c in journey.channels}
    assert [channels[tp.channel] for tp in journey.stages[0].touchpoints] == ["Social", "Word of mouth"]
    assert [channels[tp.channel] for tp in journey.stages[1].touchpoints] == ["Website", "Website"]
    teams = {t.id: t.name for t in journey.teams}
    assert [teams[tp.owner] for tp in journey.stages[3].touchpoints] == ["CRM", "Logistics"]
    assert journey.stages[2].touchpoints[0].pain_points == ["Card declined without a reason"]
    assert journey.stages[2].touchpoints[0].opportunities == ["Explain declines"]
    # As many pain points as touchpoints: one each, in order; otherwise the stage's list goes on its first
    # touchpoint, and the import says so.
    assert [tp.pain_points for tp in journey.stages[1].touchpoints] == [["Hidden delivery fee"], ["Too many plans"]]
    assert [tp.opportunities for tp in journey.stages[1].touchpoints] == [["Show the fee up front"], []]
    assert ("Journey map!C11: 1 opportunities for 2 touchpoints: all put on the stage's first touchpoint "
            "'product-pages'") in output
    assert [m.name for m in journey.metrics][:2] == ["Reach", "Add-to-cart rate"]
    assert journey.stages[4].kpis == [journey.metrics[4].id]


def test_nothing_is_invented(imported: tuple[Journey, str, Path]) -> None:
    journey, _, _ = imported
    tps = [tp for _, tp in journey.touchpoints()]
    assert all(tp.next == [] and not tp.entry and tp.outcome is None and tp.emotion is None for tp in tps)
    assert journey.stages[4].touchpoints[0].owner is None  # the Owner cell of Loyalty is empty
    assert all(s.emotion is None and s.goal is None for s in journey.stages)


def test_validate_says_what_the_grid_did_not(imported: tuple[Journey, str, Path]) -> None:
    journey, output, written = imported
    assert " schema " not in output
    text = written.read_text(encoding="utf-8")
    # 1-based number of the line before 'name: Loyalty app', which is that touchpoint's '- id:' line.
    loyalty_line = next(i for i, l in enumerate(text.splitlines()) if l.strip() == "name: Loyalty app")
    assert f"{written}:" in output
    for rule in ("no-entry", "no-outcome", "dead-end", "touchpoint-without-owner"):
        assert f" {rule} " in output, rule
    # The owner finding points at the touchpoint with no owner: the line of its id.
    assert f"{written}:{loyalty_line}:" in output and "touchpoint-without-owner" in output
    assert "freshbox-map.xlsx: Journey map!A14: row 'Moments that matter' is not a journey field: not imported" in output
    assert "freshbox-map.xlsx: the grid says nothing of transitions" in output
    assert " persona-not-served " in output and " no-persona " not in output


def test_rows_that_cannot_be_aligned_are_said_not_guessed(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    book = tmp_path / "g.xlsx"
    build_template(book)
    wb = load_workbook(book)
    wb["Journey map"]["C6"] = "Website\nEmail\nPhone"  # three channels for two Consideration touchpoints
    wb.save(book)
    result = runner.invoke(app, ["import", str(book), "--layout", "grid", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "Journey map!C6: 3 channels for 2 touchpoints: cannot tell which goes with which" in result.output
    journey = Journey.model_validate(yaml.safe_load(next(tmp_path.glob("*.journey.yaml")).read_text(encoding="utf-8")))
    assert [tp.channel for tp in journey.stages[1].touchpoints] == [None, None]


def test_a_merged_cell_inside_the_grid_is_refused(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    book = tmp_path / "g.xlsx"
    build_template(book)
    wb = load_workbook(book)
    wb["Journey map"].merge_cells("C5:D5")
    wb.save(book)
    result = runner.invoke(app, ["import", str(book), "--layout", "grid", "-o", str(tmp_path)])
    assert result.exit_code == 2
    assert "Journey map!C5:D5: merged cells inside the grid are not supported" in result.output
