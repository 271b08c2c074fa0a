"""Rule logic on journeys built in memory: the graph walk, every reference kind, dates, workspaces."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from journeyctl.check.findings import format_path
from journeyctl.format.model import Journey
from journeyctl.rules import RuleContext, Workspace
from journeyctl.rules.catalog import all_rules
from journeyctl.analysis.graph import strongly_connected
from journeyctl.rules.checks.timeline import parse_duration


def journey(touchpoints: list[dict[str, Any]] | None = None, **top: Any) -> Journey:
    data: dict[str, Any] = {"journeyctl": 1, "id": "j", "title": "J",
                            "stages": [{"id": "s", "touchpoints": touchpoints or
                                        [{"id": "t", "entry": True, "outcome": "converted"}]}]}
    data.update(top)
    return Journey.model_validate(data)


def hits(rule_id: str, j: Journey, ctx: RuleContext | None = None) -> list[tuple[str, str]]:
    check = all_rules()[rule_id].check
    assert check is not None
    return [(format_path(h.path), h.message) for h in check(j, ctx or RuleContext())]


@pytest.mark.parametrize("edges, expected", [
    ([[1], [2], []], [[2], [1], [0]]),  # a chain: sinks first
    ([[1], [0], [2]], [[0, 1], [2]]),  # a loop and a self-loop
    ([[1], [2, 3], [0], [4], [3]], [[3, 4], [0, 1, 2]]),  # every edge leaving a component points earlier
])
def test_strongly_connected(edges: list[list[int]], expected: list[list[int]]) -> None:
    assert strongly_connected(edges) == expected


def test_strongly_connected_survives_a_chain_deeper_than_the_recursion_limit() -> None:
    n = 20_000
    chain = [[i + 1] for i in range(n - 1)] + [[0]]
    assert strongly_connected(chain) == [list(range(n))]


TP = dict  # readability: touchpoints below are plain dicts


@pytest.mark.parametrize("top, tps, expected", [
    ({"owner": "markting", "teams": [{"id": "marketing"}]}, None,
     [("owner", "unknown team 'markting' (did you mean 'marketing'?)")]),
    ({}, [TP(id="t", owner="sales", entry=True, outcome="converted")],
     [("stages[0].touchpoints[0].owner", "unknown team 'sales': declare it under 'teams'")]),
    ({"channels": [{"id": "email"}]}, [TP(id="t", channel="emial", entry=True, outcome="converted")],
     [("stages[0].touchpoints[0].channel", "unknown channel 'emial' (did you mean 'email'?)")]),
    ({"personas": [{"id": "runner"}]}, [TP(id="t", personas=["runner", "runnr"], entry=True, outcome="converted")],
     [("stages[0].touchpoints[0].personas[1]", "unknown persona 'runnr' (did you mean 'runner'?)")]),
    ({"metrics": [{"id": "nps"}]}, [TP(id="t", kpis=["csat"], entry=True, outcome="converted")],
     [("stages[0].touchpoints[0].kpis[0]", "unknown metric 'csat': declare it under 'metrics'")]),
    ({}, [TP(id="signup", entry=True, next=[{"to": "welcom"}]), TP(id="welcome", outcome="converted")],
     [("stages[0].touchpoints[0].next[0].to", "transition from 'signup' leads to unknown touchpoint 'welcom' "
                                              "(did you mean 'welcome'?)")]),
    # Links into other journeys are the workspace pass's (journeyctl.check.workspace), never this rule's; a link
    # spelling out the journey's own id ('j') is local, skipped by the workspace pass, so it is this rule's.
    ({}, [TP(id="t", entry=True, outcome="converted", next=[{"to": "renewal/nowhere"}, {"to": "j/nowhere"}])],
     [("stages[0].touchpoints[0].next[1].to", "transition from 't' leads to unknown touchpoint 'j/nowhere'")]),
])
def test_unknown_reference_kinds(top: dict, tps: list | None, expected: list) -> None:
    assert hits("unknown-reference", journey(tps, **top)) == expected


def test_unknown_reference_stage_kpi() -> None:
    data = {"stages": [{"id": "s", "kpis": ["conversion"],
                        "touchpoints": [{"id": "t", "entry": True, "outcome": "converted"}]}]}
    assert hits("unknown-reference", journey(**data)) == [("stages[0].kpis[0]", "unknown metric 'conversion': "
                                                                                 "declare it under 'metrics'")]


def test_unknown_reference_resolves_against_workspace_catalogs() -> None:
    j = journey([TP(id="t", owner="sales", channel="web", personas=["runner"], kpis=["nps"], entry=True,
                    outcome="converted")])
    ws = Workspace(teams={"sales": ("org.catalog.yaml", 3)}, channels={"web": ("org.catalog.yaml", 5)},
                   personas={"runner": ("org.catalog.yaml", 7)}, metrics={"nps": ("org.catalog.yaml", 9)})
    assert len(hits("unknown-reference", j)) == 4
    assert hits("unknown-reference", j, RuleContext(workspace=ws)) == []
    assert hits("no-persona", j) == []


@pytest.mark.parametrize("top, expected", [
    ({"personas": [{"id": "p"}, {"id": "p"}]}, ("personas[1].id", "duplicate persona id 'p': also defined at personas[0]")),
    ({"teams": [{"id": "x"}, {"id": "x"}]}, ("teams[1].id", "duplicate team id 'x': also defined at teams[0]")),
    ({"channels": [{"id": "x"}, {"id": "x"}]}, ("channels[1].id", "duplicate channel id 'x': also defined at channels[0]")),
    ({"metrics": [{"id": "x"}, {"id": "x"}]}, ("metrics[1].id", "duplicate metric id 'x': also defined at metrics[0]")),
    ({"stages": [{"id": "s", "touchpoints": [{"id": "a", "entry": True, "outcome": "converted"}]},
                 {"id": "s", "touchpoints": [{"id": "b", "outcome": "dropped"}]}]},
     ("stages[1].id", "duplicate stage id 's': also defined at stages[0]")),
])
def test_duplicate_id_kinds(top: dict, expected: tuple[str, str]) -> None:
    assert hits("duplicate-id", journey(**top)) == [expected]


def test_graph_rules_stay_quiet_without_entry_or_outcome() -> None:
    no_entry = journey([TP(id="a", next=[{"to": "b"}]), TP(id="b", outcome="converted")])
    assert hits("unreachable-touchpoint", no_entry) == []
    no_outcome = journey([TP(id="a", entry=True, next=[{"to": "b"}]), TP(id="b", next=[{"to": "a"}])])
    assert hits("no-path-to-outcome", no_outcome) == []


def test_leaving_for_another_journey_is_a_way_out() -> None:
    j = journey([TP(id="a", entry=True, next=[{"to": "b"}, {"to": "done"}]),
                 TP(id="b", next=[{"to": "c"}]), TP(id="c", next=[{"to": "b"}, {"to": "renewal/notice"}]),
                 TP(id="done", outcome="converted")])
    assert hits("no-path-to-outcome", j) == []
    assert hits("dead-end", j) == []


def test_self_loop_and_own_journey_prefix() -> None:
    j = journey([TP(id="a", entry=True, next=[{"to": "j/b"}, {"to": "done"}]),
                 TP(id="b", next=[{"to": "b"}]), TP(id="done", outcome="converted")])
    assert hits("no-path-to-outcome", j) == [
        ("stages[0].touchpoints[1].id", "'b' loops back to itself with no way out: no outcome can be reached from it")]
    assert hits("unreachable-touchpoint", j) == []  # `j/b` is a link inside journey j


def test_unreachable_explains_why() -> None:
    j = journey([TP(id="a", entry=True, outcome="converted"), TP(id="b", next=[{"to": "c"}]),
                 TP(id="c", outcome="dropped")])
    assert hits("unreachable-touchpoint", j) == [
        ("stages[0].touchpoints[1].id", "no path from an entry reaches 'b': no transition leads here"),
        ("stages[0].touchpoints[2].id",
         "no path from an entry reaches 'c': it is only reached from touchpoints that no entry reaches")]


def test_handoff_rules_need_two_known_owners() -> None:
    teams = [{"id": "sales"}, {"id": "cs"}]
    j = journey([TP(id="a", owner="sales", entry=True, next=[{"to": "b"}, {"to": "c"}, {"to": "other/x"}]),
                 TP(id="b", outcome="converted"), TP(id="c", owner="cs", outcome="converted")], teams=teams)
    assert [p for p, _ in hits("missing-handoff", j)] == ["stages[0].touchpoints[0].next[1].to"]


@pytest.mark.parametrize("top, today, expected", [
    ({"status": "active", "reviewed": "2026-01-01", "review_every": "36h"}, date(2026, 1, 2), []),
    ({"status": "active", "reviewed": "2026-01-01", "review_every": "36h"}, date(2026, 1, 3),
     [("reviewed", "last reviewed 2026-01-01, 2 days ago; the map is due a review every 36h (overdue since 2026-01-02)")]),
    # no review_every: the setting applies (RuleContext.review_every, default 180d)
    ({"reviewed": "2025-01-01"}, date(2025, 6, 30), []),
    ({"reviewed": "2025-01-01"}, date(2025, 7, 1),
     [("reviewed", "last reviewed 2025-01-01, 181 days ago; the map is due a review every 180d (overdue since 2025-06-30)")]),
    ({"status": "draft"}, date(2030, 1, 1), []),
    ({"status": "retired", "reviewed": "2000-01-01"}, date(2030, 1, 1), []),
    ({"reviewed": "2020-01-01", "review_every": "99999999999w"}, date(2030, 1, 1), []),
])
def test_stale_journey(top: dict, today: date, expected: list) -> None:
    assert hits("stale-journey", journey(**top), RuleContext(today=today)) == expected


def test_stale_journey_uses_the_configured_period() -> None:
    j = journey(reviewed="2025-01-01")
    assert hits("stale-journey", j, RuleContext(today=date(2025, 2, 15), review_every="30d"))[0][0] == "reviewed"


@pytest.mark.parametrize("text, hours", [("30min", 0.5), ("24h", 24), ("1.5d", 36), ("2w", 336)])
def test_parse_duration(text: str, hours: float) -> None:
    assert parse_duration(text).total_seconds() == hours * 3600


def test_parse_duration_refuses_garbage() -> None:
    with pytest.raises(ValueError):
        parse_duration("3 days")


def test_unused_definition_counts_journey_owner_and_leaves_personas_alone() -> None:
    j = journey([TP(id="t", entry=True, outcome="converted")], owner="cx", teams=[{"id": "cx"}, {"id": "legal"}],
                personas=[{"id": "nobody"}])
    assert hits("unused-definition", j) == [
        ("teams[1].id", "team 'legal' is declared but unused: neither the journey nor any touchpoint is owned by it")]


def test_invalid_rates_reports_out_of_range() -> None:
    j = journey([TP(id="a", entry=True, share=1.5, next=[{"to": "b", "rate": 45}]), TP(id="b", outcome="converted")])
    assert hits("invalid-rates", j) == [
        ("stages[0].touchpoints[0].next[0].rate", "rate 45 of the transition from 'a' to 'b' is not between 0 and 1"),
        ("stages[0].touchpoints[0].share", "share 1.5 of entry 'a' is not between 0 and 1")]
