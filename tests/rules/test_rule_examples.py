"""The gap rules: each points at the right line of a failing journey and is silent on its fixed twin."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from journeyctl.check.pipeline import check_file
from journeyctl.config import Config
from journeyctl.rules.catalog import all_rules
from journeyctl.rules.examples import EXAMPLE_REQUIRED_STAGES, EXAMPLE_TODAY, example_document, rule_examples

FIXTURES = Path(__file__).parents[1] / "fixtures" / "rules"
TODAY = "2026-02-01"
REQUIRED = ("awareness", "purchase", "retention")
# Findings that mean the fixture itself is broken, checked alongside the rule under test.
LOADING = {"schema": "error", "yaml-syntax": "error", "yaml-value": "error", "duplicate-key": "error"}


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOURNEYCTL_TODAY", TODAY)


def run(rule_id: str, path: Path, required: tuple[str, ...] = REQUIRED) -> list[tuple[str, int, str]]:
    severities = {rule_id: all_rules()[rule_id].severity, **LOADING}
    result = check_file(path, Config(required_stages=required), severities)
    return [(f.rule, f.line, f.message) for f in result.findings]


FAILING = [
    ("stage-without-touchpoints", "empty-retention-stage.journey.yaml", [10]),
    ("missing-handoff", "sales-to-cs-no-handoff.journey.yaml", [24]),
    ("unknown-reference", "channel-typo.journey.yaml", [15]),
    ("unknown-reference", "own-journey-link-typo.journey.yaml", [10]),
    ("duplicate-id", "touchpoint-id-twice.journey.yaml", [16]),
    ("no-entry", "no-entry-marked.journey.yaml", [2]),
    ("no-outcome", "no-outcome-marked.journey.yaml", [2]),
    ("unreachable-touchpoint", "orphan-webinar.journey.yaml", [10]),
    ("dead-end", "form-dead-end.journey.yaml", [10]),
    ("no-path-to-outcome", "reminder-loop-no-exit.journey.yaml", [10, 12]),
    ("touchpoint-without-owner", "touchpoint-no-owner.journey.yaml", [12]),
    ("touchpoint-without-channel", "touchpoint-no-channel.journey.yaml", [12]),
    ("stage-without-goal", "stage-no-goal.journey.yaml", [9]),
    ("stage-without-kpi", "stage-no-kpi.journey.yaml", [12]),
    ("metric-without-target", "metric-no-target.journey.yaml", [7]),
    ("persona-not-served", "gift-buyer-not-served.journey.yaml", [7]),
    ("no-persona", "inside-out-map.journey.yaml", [2]),
    ("unaddressed-pain", "refund-pain-unaddressed.journey.yaml", [13, 16]),
    ("stale-journey", "review-overdue.journey.yaml", [5]),
    ("stale-journey", "active-never-reviewed.journey.yaml", [4]),
    ("handoff-without-sla", "handoff-no-sla.journey.yaml", [12]),
    ("timeline-order", "welcome-after-tips.journey.yaml", [11]),
    ("invalid-rates", "rates-over-one.journey.yaml", [10]),
    ("closed-by-rates", "retry-loop-closed-by-rates.journey.yaml", [11]),
    ("invalid-rates", "entry-shares-short.journey.yaml", [9]),
    ("unused-definition", "fax-channel-unused.journey.yaml", [6]),
    ("missing-stage", "retention-stage-missing.journey.yaml", [4]),
    ("frontstage-without-backstage", "checkout-without-backstage.journey.yaml", [5, 8]),
    ("no-objective", "no-objectives.journey.yaml", [2]),
    ("emotion-without-evidence", "feelings-without-evidence.journey.yaml", [11]),
    ("handoff-without-owner-change", "handoff-inside-sales.journey.yaml", [13]),
    ("share-without-entry", "share-on-non-entry.journey.yaml", [12]),
]

PASSING = [
    ("stage-without-touchpoints", "retention-stage-with-renewal.journey.yaml"),
    ("missing-handoff", "sales-to-cs-with-handoff.journey.yaml"),
    ("unknown-reference", "channel-declared.journey.yaml"),
    ("unknown-reference", "own-journey-link.journey.yaml"),
    ("duplicate-id", "touchpoint-ids-unique.journey.yaml"),
    ("no-entry", "entry-marked.journey.yaml"),
    ("no-outcome", "outcome-marked.journey.yaml"),
    ("unreachable-touchpoint", "webinar-linked.journey.yaml"),
    ("dead-end", "form-outcome.journey.yaml"),
    ("no-path-to-outcome", "reminder-loop-with-exit.journey.yaml"),
    ("touchpoint-without-owner", "touchpoint-owned.journey.yaml"),
    ("touchpoint-without-channel", "touchpoint-with-channel.journey.yaml"),
    ("stage-without-goal", "stage-with-goal.journey.yaml"),
    ("stage-without-kpi", "touchpoint-kpi-covers-stage.journey.yaml"),
    ("metric-without-target", "metric-with-target.journey.yaml"),
    ("persona-not-served", "all-personas-served.journey.yaml"),
    ("no-persona", "persona-from-catalog.journey.yaml"),
    ("unaddressed-pain", "refund-pain-addressed.journey.yaml"),
    ("stale-journey", "review-recent.journey.yaml"),
    ("handoff-without-sla", "handoff-with-sla.journey.yaml"),
    ("timeline-order", "welcome-before-tips.journey.yaml"),
    ("invalid-rates", "rates-sum-to-one.journey.yaml"),
    ("closed-by-rates", "retry-loop-with-exit-rate.journey.yaml"),
    ("unused-definition", "all-channels-used.journey.yaml"),
    ("missing-stage", "required-stages-present.journey.yaml"),
    ("frontstage-without-backstage", "checkout-with-backstage.journey.yaml"),
    ("no-objective", "with-objectives.journey.yaml"),
    ("emotion-without-evidence", "feelings-with-evidence.journey.yaml"),
    ("handoff-without-owner-change", "handoff-sales-to-success.journey.yaml"),
    ("share-without-entry", "shares-on-entries.journey.yaml"),
]

CHECKED_RULES = sorted(r.id for r in all_rules().values() if r.check is not None)


@pytest.mark.parametrize("rule_id, fixture, lines", FAILING)
def test_rule_points_at_the_line(rule_id: str, fixture: str, lines: list[int]) -> None:
    findings = run(rule_id, FIXTURES / fixture)
    assert [(rule, line) for rule, line, _ in findings] == [(rule_id, line) for line in lines]


@pytest.mark.parametrize("rule_id, fixture", PASSING)
def test_rule_is_silent_on_the_fixed_journey(rule_id: str, fixture: str) -> None:
    assert run(rule_id, FIXTURES / fixture) == []


def test_every_rule_has_a_failing_and_a_passing_fixture() -> None:
    assert sorted({r for r, _, _ in FAILING}) == CHECKED_RULES
    assert sorted({r for r, _ in PASSING}) == CHECKED_RULES


def test_every_fixture_is_used() -> None:
    used = {f for _, f, _ in FAILING} | {f for _, f in PASSING}
    assert {p.name for p in FIXTURES.glob("*.journey.yaml")} == used


@pytest.mark.parametrize("rule_id, fixture, message", [
    ("missing-handoff", "sales-to-cs-no-handoff.journey.yaml",
     "the customer passes from sales ('contract-signed') to customer-success ('kickoff-call') with no hand-off "
     "declared: add 'handoff' with a trigger and an sla"),
    ("unknown-reference", "channel-typo.journey.yaml", "unknown channel 'emial' (did you mean 'email'?)"),
    ("unknown-reference", "own-journey-link-typo.journey.yaml",
     "transition from 'landing' leads to unknown touchpoint 'newsletter/sigunp' (did you mean 'signup'?)"),
    ("duplicate-id", "touchpoint-id-twice.journey.yaml",
     "duplicate touchpoint id 'welcome': also defined at line 10 (stages[0].touchpoints[1])"),
    ("unreachable-touchpoint", "orphan-webinar.journey.yaml",
     "no path from an entry reaches 'webinar': no transition leads here"),
    ("no-path-to-outcome", "reminder-loop-no-exit.journey.yaml",
     "loops among 'reminder', 'tips' with no way out: no outcome can be reached from them"),
    ("no-path-to-outcome", "reminder-loop-no-exit.journey.yaml",
     "no outcome can be reached from 'nudge': every path from here ends at a dead end or in a loop with no way out"),
    ("unaddressed-pain", "refund-pain-unaddressed.journey.yaml", "'refund' has 1 pain point and no opportunity planned"),
    ("unaddressed-pain", "refund-pain-unaddressed.journey.yaml",
     "customers feel bad at 'late-parcel' (emotion -1) and no opportunity is planned"),
    ("stale-journey", "review-overdue.journey.yaml",
     "last reviewed 2025-06-01, 245 days ago; the map is due a review every 90d (overdue since 2025-08-30)"),
    ("timeline-order", "welcome-after-tips.journey.yaml",
     "'welcome' is at day 7 but leads to 'tips' at day 3: the timeline goes backwards"),
    ("invalid-rates", "rates-over-one.journey.yaml", "rates of the transitions leaving 'cart' sum to 1.2, more than 1"),
    ("missing-stage", "retention-stage-missing.journey.yaml",
     "missing required stage: retention (required_stages: awareness, purchase, retention)"),
])
def test_rule_message(rule_id: str, fixture: str, message: str) -> None:
    assert message in [m for _, _, m in run(rule_id, FIXTURES / fixture)]


# --- the examples in each rule's documentation are real -------------------------------------------

@pytest.mark.parametrize("rule_id", CHECKED_RULES)
def test_docstring_examples(rule_id: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOURNEYCTL_TODAY", EXAMPLE_TODAY)
    fails, passes = rule_examples(all_rules()[rule_id])
    outcomes = {}
    for kind, snippet in (("fails", fails), ("passes", passes)):
        path = tmp_path / f"{kind}.journey.yaml"
        path.write_text(example_document(snippet), encoding="utf-8")
        findings = run(rule_id, path, EXAMPLE_REQUIRED_STAGES)
        assert [f for f in findings if f[0] in LOADING] == [], f"{kind} example is not a valid journey"
        outcomes[kind] = [f for f in findings if f[0] == rule_id]
    assert outcomes["fails"], "the Fails example must produce a finding"
    assert outcomes["passes"] == []


@pytest.mark.parametrize("rule_id", CHECKED_RULES)
def test_rule_metadata(rule_id: str) -> None:
    rule = all_rules()[rule_id]
    assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.id)
    assert rule.severity in ("error", "warning", "info")
    assert rule.summary and "\n" not in rule.summary
    # The rationale comes first: the docstring does not open with the examples.
    assert rule.doc.index("Fails:") > 80


def test_example_document_overlays_top_level_keys() -> None:
    import yaml

    data = yaml.safe_load(example_document("title: Other\nobjectives: [Grow]\n"))
    assert data == {"journeyctl": 1, "id": "example", "title": "Other", "objectives": ["Grow"],
                    "stages": [{"id": "s", "name": "S",
                                "touchpoints": [{"id": "t", "name": "T", "entry": True, "outcome": "converted"}]}]}


@pytest.mark.parametrize("spelling", ["on", "09", "1e3", "y", "1_000", "12:30"])
def test_example_documents_mean_the_same_to_yaml_11_and_12_readers(spelling: str) -> None:
    """An example is read as a journey is (YAML 1.2) and written so that a YAML 1.1 reader agrees:
    `title: on` stays the text "on" and `09` the number 9 for journeyctl and for PyYAML alike."""
    import yaml

    from journeyctl.format.loader import load_text

    meant = load_text(f"title: {spelling}\n", Path("snippet.yaml")).data["title"]
    text = example_document(f"title: {spelling}\n")
    assert load_text(text, Path("e.journey.yaml")).data["title"] == meant
    assert yaml.safe_load(text)["title"] == meant


def test_an_example_that_is_not_yaml_is_an_example_error() -> None:
    from journeyctl.rules.examples import ExampleError

    with pytest.raises(ExampleError, match="not YAML"):
        example_document("title: [unclosed\n")


def test_rules_on_the_examples_directory_are_clean(monkeypatch: pytest.MonkeyPatch) -> None:
    from journeyctl.check.pipeline import check_paths

    # The examples were reviewed in autumn 2026: checked on the suite's day, not this module's February one
    # (a review date in the future is itself a stale-journey finding).
    monkeypatch.setenv("JOURNEYCTL_TODAY", "2026-11-23")

    examples = Path(__file__).parents[2] / "examples"
    result = check_paths([examples], Config())
    assert [(f.file, f.line, f.rule) for f in result.findings] == []
