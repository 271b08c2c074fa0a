"""Issue 15: never a silent skip, root cause first, messages that point at the mistake, commands that agree.

Each case edits the starter journey (journeyctl init's) and asserts every finding of the file, exactly.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from journeyctl.check.pipeline import check_file
from journeyctl.config import Config
from journeyctl.format.starter import starter_journey

BASE = starter_journey("s")
HANDOFF = "            handoff: {trigger: sign-up form submitted, sla: 1h, via: marketing automation}\n"
MISSING_HANDOFF = ("missing-handoff", "the customer passes from marketing ('blog-post') to customer-success "
                   "('welcome-email') with no hand-off declared: add 'handoff' with a trigger and an sla")


def edit(*pairs: tuple[str, str]) -> str:
    text = BASE
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def check(tmp_path: Path, text: str) -> list[tuple[int, int, str, str, str]]:
    path = tmp_path / "s.journey.yaml"
    path.write_text(text, encoding="utf-8")
    return [(f.line, f.column, f.severity, f.rule, f.message) for f in check_file(path, Config()).findings]


# --- root cause first, consequences dropped -------------------------------------------------------------

def test_a_misspelt_key_is_the_only_finding(tmp_path: Path):
    text = edit(("        channel: web\n", "        chanel: web\n"))
    assert check(tmp_path, text) == [(line_of(text, "chanel"), 9, "error", "schema",
                                      "unknown key 'chanel' in stages[0].touchpoints[0] (did you mean 'channel'?)")]


def test_an_invalid_sla_does_not_also_say_the_handoff_has_no_sla(tmp_path: Path):
    text = edit(("sla: 1h", "sla: one hour"))
    (finding,) = check(tmp_path, text)
    assert finding[:4] == (line_of(text, "handoff:"), 61, "error", "schema")
    assert finding[4].startswith("stages[0].touchpoints[0].next[0].handoff.sla: 'one hour' is not a duration")


def test_an_invalid_owner_does_not_also_say_there_is_no_owner(tmp_path: Path):
    text = edit(("        owner: marketing\n        personas", "        owner: sales team\n        personas"))
    (finding,) = check(tmp_path, text)
    assert finding[:4] == (line_of(text, "owner: sales team"), 16, "error", "schema")


# --- never a silent skip --------------------------------------------------------------------------------

@pytest.mark.parametrize("fault, needle, rule_line_shift", [
    (("review_every: 90d\n", "review_every: 90d\nlinks: [{title: Doc, url: notaurl}]\n"), "links:", 1),
    (("        kind: external ", "        milestone: 5 "), "milestone: 5", 0),
    (("journeyctl: 1 ", "journeyctl: 2 "), "journeyctl: 2", 0),
    (("title: My first journey\n", ""), "journeyctl:", -1),
])
def test_gap_rules_run_on_a_file_with_schema_errors(tmp_path: Path, fault, needle, rule_line_shift):
    text = edit((HANDOFF, ""), fault)
    found = check(tmp_path, text)
    assert [f[3] for f in found if f[0] == line_of(text, needle)] == ["schema"]
    assert (line_of(text, "- to: welcome-email"), 17, "error", *MISSING_HANDOFF) in found


def test_a_suppression_of_a_rule_that_ran_on_a_salvaged_file_is_used(tmp_path: Path):
    text = edit((HANDOFF, ""), ("          - to: welcome-email", "          - to: welcome-email  # journeyctl: disable=missing-handoff"),
                ("review_every: 90d\n", "review_every: 90d\nlinks: [{title: Doc, url: notaurl}]\n"))
    found = check(tmp_path, text)
    assert [f[3] for f in found] == ["schema"]


def test_when_no_journey_can_be_salvaged_the_output_says_the_rules_did_not_run(tmp_path: Path):
    text = edit((HANDOFF, ""), ("          - to: welcome-email", "          - to: welcome-email  # journeyctl: disable=missing-handoff"),
                ("stages:  ", "stages: []\nold_stages: "))
    found = check(tmp_path, text)
    assert (1, 1, "info", "schema", "the gap rules did not run on this file: fix the errors above first (a journey "
            "needs 'stages', a list of stages)") in found
    assert not [f for f in found if f[3] == "unused-suppression"]  # its rule did not run: not "unused"


# --- messages that point at the mistake -------------------------------------------------------------------

@pytest.mark.parametrize("old, new, needle, column, message", [
    ("        channel: web\n", "        channel web\n", "channel web", 9,
     "'channel web' needs a colon after the key: 'channel: web'"),
    ("  - id: onboarding", "  - id onboarding", "- id onboarding", 5,
     "'id onboarding' needs a colon after the key: 'id: onboarding'"),
])
def test_a_missing_colon_is_reported_on_the_line_that_lacks_it(tmp_path: Path, old, new, needle, column, message):
    text = edit((old, new))
    assert check(tmp_path, text) == [(line_of(text, needle), column, "error", "yaml-syntax", message)]


@pytest.mark.parametrize("old, new, message", [
    ("rate: 0.05", "rate: 5%", "stages[0].touchpoints[0].next[0].rate must be a number, not '5%'; write 0.05 (a share "
                               "from 0 to 1, not a percentage)"),
    ("sla: 1h", "sla: 1 hour", "stages[0].touchpoints[0].next[0].handoff.sla: '1 hour' is not a duration: write a "
                               "number and a unit, min, h, d or w, e.g. 30min, 24h, 90d, 2w (did you mean '1h'?)"),
    ("sla: 1h", "sla: one hour", "stages[0].touchpoints[0].next[0].handoff.sla: 'one hour' is not a duration: write a "
                                 "number and a unit, min, h, d or w, e.g. 30min, 24h, 90d, 2w (did you mean '1h'?)"),
    ("emotion: 1 ", "emotion: very bad ", "stages[0].touchpoints[0].emotion must be a whole number from -2 to 2, not "
                                          "'very bad'"),
    ("emotion: 1 ", "emotion: 5 ", "stages[0].touchpoints[0].emotion must be from -2 to 2, not 5"),
    # quoting cannot help: no "write it in quotes" advice
    ('reviewed: "2026-11-23"', "reviewed: 20260101", 'reviewed must be text, not 20260101; write "2026-01-01" (a date '
                                                     'is YYYY-MM-DD)'),
    ("entry: true ", "entry: 1 ", "stages[0].touchpoints[0].entry must be true or false, not 1"),
    ("    touchpoints:\n      - id: welcome-email", "    touchpoints:\n    tps:\n      - id: welcome-email", None),
])
def test_enum_range_and_format_messages_say_what_is_allowed(tmp_path: Path, old, new, message):
    text = edit((old, new))
    found = [f for f in check(tmp_path, text) if f[3] == "schema"]
    if message is None:  # an empty `touchpoints:` is a list left empty, not text to quote
        assert found and all("quotes" not in f[4] for f in found), found
        return
    assert [f[4] for f in found] == [message]


def test_a_misspelt_rule_in_a_suppression_gets_a_did_you_mean(tmp_path: Path):
    text = edit(("          - to: welcome-email", "          - to: welcome-email  # journeyctl: disable=handoff-without-sl"))
    assert check(tmp_path, text) == [(line_of(text, "- to: welcome-email"), 32, "info", "unused-suppression",
                                      "suppression of 'handoff-without-sl' names no rule (did you mean "
                                      "'handoff-without-sla'?); fix or remove it")]


def test_a_misspelt_reference_is_not_echoed_as_an_unused_definition(tmp_path: Path):
    text = edit(("        owner: marketing\n        personas", "        owner: Marketing\n        personas"))
    assert check(tmp_path, text) == [(line_of(text, "owner: Marketing"), 16, "error", "unknown-reference",
                                      "unknown team 'Marketing' (did you mean 'marketing'?)")]


# --- commands agree ---------------------------------------------------------------------------------------

def test_a_review_date_in_the_future_is_a_finding(tmp_path: Path):
    text = edit(("status: draft ", "status: active "), ('reviewed: "2026-11-23"', 'reviewed: "2099-01-01"'))
    assert (line_of(text, "reviewed:"), 11, "warning", "stale-journey",
            "'reviewed' is 2099-01-01, a date in the future (today is 2026-11-23): record the day the map was "
            "last checked") in check(tmp_path, text)


@pytest.mark.parametrize("reviewed", ['"2026-02-30"', "2026-13-01"])
def test_an_invalid_review_date_is_not_also_a_missing_one(tmp_path: Path, reviewed):
    """Issue 22, item 16: no contradictory "no 'reviewed' date" beside "not a valid date"."""
    text = edit(("status: draft ", "status: active "), ('reviewed: "2026-11-23"', f"reviewed: {reviewed}"))
    assert check(tmp_path, text) == [(line_of(text, "reviewed:"), 11, "error", "schema",
                                      f"reviewed: '{reviewed.strip(chr(34))}' is not a valid date")]


@pytest.mark.parametrize("reviewed, every", [('"9999-12-31"', "90d"), ('"2026-01-01"', "9999999w"),
                                             ('"9999-12-31"', "9999999w")])
def test_docs_builds_for_review_dates_and_periods_at_the_edge_of_the_calendar(tmp_path: Path, reviewed, every):
    """Issue 22, item 7: `docs` crashed with OverflowError on journeys `validate` checks."""
    import subprocess
    import sys

    text = edit(("status: draft ", "status: active "), ('reviewed: "2026-11-23"', f"reviewed: {reviewed}"),
                ("review_every: 90d", f"review_every: {every}"))
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "s.journey.yaml").write_text(text, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "journeyctl", "docs", "ws", "-o", "site"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode in (0, 1), proc.stderr
    assert "internal error" not in proc.stderr + proc.stdout
    page = (tmp_path / "site" / "journeys" / "s.html").read_text(encoding="utf-8")
    assert ("never reviewed" in page) == reviewed.startswith('"9999')  # a future review is no review


@pytest.mark.parametrize("settings", [False, True])
def test_paths_from_two_workspaces_are_each_checked_in_their_own(tmp_path: Path, settings):
    import subprocess
    import sys

    for name in ("wsA", "wsB"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "s.journey.yaml").write_text(BASE, encoding="utf-8")
        if settings:
            (tmp_path / name / ".journeyctl.yaml").write_text("", encoding="utf-8")
    (tmp_path / "one").mkdir()
    for name in ("a", "b"):
        (tmp_path / "one" / f"{name}.journey.yaml").write_text(BASE, encoding="utf-8")
    run = [sys.executable, "-m", "journeyctl", "validate", "--no-cache"]
    two = subprocess.run(run + ["wsA", "wsB"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert (two.returncode, two.stdout) == (0, "2 files checked, no findings\n"), two.stderr
    one = subprocess.run(run + ["one"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert one.returncode == 1  # one workspace: the same journey id twice is still a duplicate
    assert one.stdout.startswith("one/b.journey.yaml:4:5: error duplicate-id journey id 's' is already used by "
                                 "one/a.journey.yaml:4")


def test_every_unknown_key_of_a_mapping_is_reported(tmp_path: Path):
    """Issue 22, item 15: not only the first."""
    text = edit(("        channel: web\n", "        chanel: web\n        colour: red\n        notes: x\n"))
    where = "stages[0].touchpoints[0]"
    assert check(tmp_path, text) == [
        (line_of(text, "chanel"), 9, "error", "schema", f"unknown key 'chanel' in {where} (did you mean 'channel'?)"),
        (line_of(text, "colour"), 9, "error", "schema", f"unknown key 'colour' in {where}; allowed keys: at, "
         "channel, description, emotion, entry, events, evidence, id, kind, kpis, lane, milestone, moment_of_truth, "
         "name, next, opportunities, outcome, owner, pain_points, personas, share"),
        (line_of(text, "notes"), 9, "error", "schema", f"unknown key 'notes' in {where}; allowed keys: at, "
         "channel, description, emotion, entry, events, evidence, id, kind, kpis, lane, milestone, moment_of_truth, "
         "name, next, opportunities, outcome, owner, pain_points, personas, share"),
    ]


def test_a_tag_on_a_key_is_refused_like_a_tag_on_a_value(tmp_path: Path):
    """Issue 22, item 3: `!!python/object/apply` or `!evil` on a key passed with no finding."""
    text = edit(("        channel: web\n", "        !!python/object/apply:os.system channel: web\n"))
    assert check(tmp_path, text) == [(line_of(text, "!!python"), 9, "error", "yaml-value",
                                      "unsupported tag !!python/object/apply:os.system on a key: journeyctl loads "
                                      "plain data only")]


def test_a_document_of_too_many_values_is_refused_quickly_at_the_first_one_too_many(tmp_path: Path):
    """Issue 22, item 5: the size cap bounds bytes; the value cap bounds work (and says so)."""
    import time

    from journeyctl.format.loader import MAX_NODES

    text = "journeyctl: 1\nid: f\ntitle: F\ntags: [" + ",".join(["1"] * 3_000_000) + "]\nstages: [{id: s}]\n"
    started = time.perf_counter()
    found = check(tmp_path, text)
    assert time.perf_counter() - started < 5
    # 9 values come before the first item (the mapping, 3 keys and values, 'tags' and its list): the value
    # MAX_NODES + 1 is item MAX_NODES - 8, each item taking two characters ("1,").
    column = len("tags: [") + 2 * (MAX_NODES - 9) + 1
    assert found == [(4, column, "error", "file-error", f"more than {MAX_NODES:,} YAML values (keys, items, "
                      "scalars); journeyctl reads journeys up to that size: split the journey")]


def test_a_yaml_11_boolean_in_the_settings_says_what_to_write(tmp_path: Path):
    import subprocess
    import sys

    (tmp_path / ".journeyctl.yaml").write_text("cache: no\n", encoding="utf-8")
    (tmp_path / "s.journey.yaml").write_text(BASE, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "journeyctl", "validate", "."], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip().endswith(".journeyctl.yaml:1:8: 'cache' must be true or false (write false: 'no' is "
                                        "text in YAML 1.2)")


def test_a_list_of_many_wrong_values_is_answered_quickly_with_the_first_thousand(tmp_path: Path):
    """Issue 22, item 5: under the value cap, a file of 100,000 wrong values still gets a fast answer."""
    import time

    from journeyctl.format.schema_errors import MAX_FINDINGS

    text = BASE.replace("review_every: 90d", "review_every: 90d\ntags: [" + ",".join(["1"] * 100_000) + "]", 1)
    started = time.perf_counter()
    found = [f for f in check(tmp_path, text) if f[3] == "schema"]
    assert time.perf_counter() - started < 10
    line = line_of(text, "tags:")
    assert len(found) == MAX_FINDINGS + 1
    assert found[0] == (line, 8, "error", "schema", 'tags[0] must be text, not 1; YAML reads the unquoted \'1\' as '
                                                    'an integer — write it in quotes ("1") to keep the text')
    assert (line, 8 + 2 * (MAX_FINDINGS - 1), "error", "schema", f"more than {MAX_FINDINGS} schema problems in this "
            f"file: the first {MAX_FINDINGS} are listed, fix them and run again") in found  # at the last one listed
