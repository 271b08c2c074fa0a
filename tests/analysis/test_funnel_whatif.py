"""`journeyctl funnel` for a marketer (issue 19): counts, what-if scenarios, names and the JSON shape.

Figures are hand-computed in the fixture's header (tests/fixtures/funnel/named.journey.yaml) or in
tests/test_funnel.py; the what-if figures are also recomputed from an edited copy of the file, so the
scenario is checked against the plain funnel of the journey it describes.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeyctl.cli import app

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "funnel"
NAMED = os.path.relpath(FIXTURES / "named.journey.yaml")
runner = CliRunner()
CART = (FIXTURES / "named.journey.yaml").read_text(encoding="utf-8").splitlines()[15]  # line 16: cart
assert CART.startswith("      - {id: cart,")
RATE_COLUMN = CART.index("rate: 0.5") + len("rate: ") + 1  # the rate --set replaces
NEXT_COLUMN = CART.index("[{to: pay") + 1  # the list of cart's transitions


def funnel(*args: str):
    return runner.invoke(app, ["funnel", *args], env={"NO_COLOR": "1", "COLUMNS": "160"})


def test_json_adds_reach_fix_first_and_counts_beside_the_old_keys():
    result = funnel(NAMED, "-f", "json", "--customers", "1000")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data) == ["journey", "combined", "entries"]  # no scenario without --set
    combined = data["combined"]
    assert list(combined)[:8] == ["outcomes", "dropoff", "conversion", "expected_touchpoints",
                                  "expected_touchpoints_to_convert", "touchpoints", "stages", "leaks"]
    assert list(combined)[8:] == ["reach", "fix_first", "customers", "counts"]
    # pay is visited 0.3 / 0.8 = 0.375 times but reached by 0.3: the retries count once.
    assert combined["touchpoints"]["pay"]["visits"] == 0.375
    assert combined["reach"] == {"stages": {"awareness": 1.0, "purchase": 0.6},
                                 "touchpoints": {"ad": 1.0, "cart": 0.6, "pay": 0.3, "abandoned": 0.12, "paid": 0.3}}
    # Saving half the ad's 0.4: cart gets 0.8, conversion 0.4 (+0.1). Half of cart's 0.3: pay gets
    # 0.5 * 0.85 / 0.7, conversion 0.6 * 0.5 * 0.85 / 0.7 = 0.3642857... (+0.0642857...).
    assert combined["fix_first"] == [["ad", 0.1], ["cart", pytest.approx(0.6 * 0.5 * 0.85 / 0.7 - 0.3, abs=1e-12)]]
    assert combined["customers"] == 1000
    counts = combined["counts"]
    assert counts["conversion"] == 300.0 and counts["outcomes"]["dropped"] == 120.0 and counts["dropoff"] == 580.0
    assert counts["reach"]["touchpoints"]["pay"] == 300.0
    assert counts["fix_first"][0] == ["ad", 100.0]
    assert data["entries"]["ad"]["counts"] == counts


def test_fix_share_scales_the_saved_customers():
    result = funnel(NAMED, "-f", "json", "--fix-share", "1")
    assert result.exit_code == 0, result.stderr
    # All of the ad's 0.4 saved: cart gets 1.0, conversion 0.5 (+0.2).
    assert json.loads(result.stdout)["combined"]["fix_first"][0] == ["ad", 0.2]
    refused = funnel(NAMED, "--fix-share", "1.5")
    assert refused.exit_code == 2 and "--fix-share" in refused.stderr


def test_what_if_equals_the_funnel_of_the_edited_file(tmp_path):
    result = funnel(NAMED, "-f", "json", "--set", "cart->pay=0.7", "--set", "ad->cart=80%")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data) == ["journey", "combined", "entries", "scenario"]
    scenario = data["scenario"]
    assert scenario["set"] == [{"from": "cart", "to": "pay", "rate": 0.7, "was": 0.5},
                               {"from": "ad", "to": "cart", "rate": 0.8, "was": 0.6}]
    edited = tmp_path / "named.journey.yaml"
    text = (FIXTURES / "named.journey.yaml").read_text(encoding="utf-8")
    edited.write_text(text.replace("{to: pay, rate: 0.5}", "{to: pay, rate: 0.7}")
                      .replace("{to: cart, rate: 0.6}", "{to: cart, rate: 0.8}"), encoding="utf-8")
    plain = json.loads(funnel(str(edited), "-f", "json").stdout)
    assert scenario["combined"] == plain["combined"] and scenario["entries"] == plain["entries"]
    assert scenario["combined"]["conversion"] == pytest.approx(0.8 * 0.7, abs=1e-12)
    assert data["combined"]["conversion"] == 0.3  # the journey as written stays beside it


def test_what_if_text_shows_before_and_after():
    result = funnel(NAMED, "--set", "cart->pay=0.7")
    assert result.exit_code == 0, result.stderr
    lines = [" ".join(line.replace("\u2502", " ").split()) for line in result.stdout.splitlines()]
    assert "What-if: cart -> pay rate 0.5 → 0.7. Each figure reads before → after." in lines
    assert any(line.startswith("Purchase (purchase) 60.00% → 60.00%") for line in lines)
    assert any(line.startswith("conversion\u00b2 30.00% → 42.00%") for line in lines)
    assert any(line.startswith("Shopping cart (cart) 18.00% → 6.00%") for line in lines)  # a top leak


@pytest.mark.parametrize("option, code, message", [
    ("cart->pay=1.5", 1, f"{NAMED}:16:{RATE_COLUMN}: error invalid-rates rate 1.5 of the transition from 'cart' to 'pay' "
                         "is not between 0 and 1 (with --set cart->pay=1.5)"),
    ("cart->pay=0.9", 1, f"{NAMED}:16:{NEXT_COLUMN}: error invalid-rates rates of the transitions leaving 'cart' sum to 1.1, "
                         "more than 1 (with --set cart->pay=0.9)"),
    ("pay->pay=1", 1, "with --set pay->pay=1: customers who reach the loop pay never leave it: the rates inside "
                       "it sum to 1 (pay -> pay 1), so its way out (pay -> paid) gets no customers"),
    ("cart->payment=0.5", 2, "--set cart->payment=0.5: 'cart' has no transition to 'payment' (its transitions go "
                             "to pay, abandoned); did you mean 'pay'?"),
    ("crat->pay=0.5", 2, "--set crat->pay=0.5: journey 'named' has no touchpoint 'crat' (did you mean 'cart'?)"),
    ("cart->pay", 2, "--set cart->pay: expected FROM->TO=RATE, e.g. --set cart->paid=0.45"),
    ("cart->pay=half", 2, "--set cart->pay=half: 'half' is not a number; write a rate such as 0.45 or 45%"),
])
def test_what_if_refusals_name_the_option(option, code, message):
    result = funnel(NAMED, "-f", "json", "--set", option)
    assert result.exit_code == code
    assert result.stdout == ""
    assert message in result.stderr, result.stderr


def test_a_rate_at_one_round_a_retry_is_refused_by_funnel_and_reported_by_validate():
    fixture = os.path.relpath(Path(__file__).resolve().parents[1] / "fixtures" / "rules"
                              / "retry-loop-closed-by-rates.journey.yaml")
    why = ("customers who reach the loop payment never leave it: the rates inside it sum to 1 (payment -> payment 1), "
           "so its way out (payment -> paid) gets no customers; lower a rate inside the loop")
    refused = funnel(fixture)
    assert refused.exit_code == 1
    assert refused.stderr == f"journeyctl: {fixture}: {why}\n"
    validated = runner.invoke(app, ["validate", fixture], env={"NO_COLOR": "1"})
    assert f"{fixture}:11:15: error closed-by-rates {why}" in validated.stdout.splitlines()


def test_names_stand_beside_ids_and_the_two_kinds_of_leaving_are_told_apart():
    result = funnel(NAMED, "-f", "md")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out.startswith("### Funnel of Spring campaign (named)\n")
    assert "| Awareness (awareness) | 100.00% |" in out
    assert "| 1. Spring ad (ad) | 40.00% | +10.00 pts |" in out
    assert "| outcome: dropped\u00b3 | 12.00% |" in out
    assert "| left without an outcome (drop-off)\u2074 | 58.00% |" in out
    assert "'outcome: dropped' is such a declared end; it is not 'left without an outcome'." in out


def test_markdown_escapes_names():
    j = FIXTURES / "named.journey.yaml"
    text = j.read_text(encoding="utf-8").replace("name: Spring ad", "name: '**Spring** | <b>ad</b>'")
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.journey.yaml"
        path.write_text(text, encoding="utf-8")
        out = funnel(str(path), "-f", "md").stdout
    assert "\\*\\*Spring\\*\\* \\| &lt;b&gt;ad&lt;/b&gt; (ad)" in out
    assert "<b>" not in out


def test_a_stage_some_customers_skip_is_explained_where_reach_rises():
    from journeyctl.analysis.funnel import analyse_funnel
    from journeyctl.analysis.funnel_tables import to_markdown
    from journeyctl.format.model import Journey

    j = Journey.model_validate({"journeyctl": 1, "id": "skip", "title": "Skip", "stages": [
        {"id": "one", "touchpoints": [{"id": "a", "entry": True, "next": [{"to": "b", "rate": 0.2}, {"to": "c"}]}]},
        {"id": "two", "name": "Demo", "touchpoints": [{"id": "b", "next": [{"to": "c"}]}]},
        {"id": "three", "touchpoints": [{"id": "c", "outcome": "converted"}]}]})
    out = to_markdown(analyse_funnel(j), j)
    assert "| Demo (two) | 20.00% |" in out
    assert "| three\u00b2 | 100.00% |" in out
    assert ("\u00b2 a later stage can be reached by more customers than an earlier one when some skip the earlier "
            "one: three (100.00%) after Demo (two) (20.00%).") in out
    assert "skip the earlier" not in to_markdown(analyse_funnel(j.model_copy(update={"stages": j.stages[:2]})), j)
