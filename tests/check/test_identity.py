"""A finding's identity: what it is about (rule, journey, element ids, message without positions)."""

from __future__ import annotations

from pathlib import Path

from journeyctl.check.pipeline import check_file
from journeyctl.config import Config
from journeyctl.check.findings import Finding
from journeyctl.check.identity import anchor, compute, identity_of, normalise_message, parse_path

JOURNEY = """\
journeyctl: 1
id: onboarding
title: Onboarding
stages:
  - id: signup
    name: Sign up
    touchpoints:
      - id: form
        name: Form
        entry: true
        next:
          - to: welcome
  - id: welcome-stage
    name: Welcome
    touchpoints:
      - id: welcome
        name: Welcome
        outcome: converted
"""

# The same journey: a stage inserted first, re-indented, keys reordered, comments added, file renamed.
EDITED = """\
# comments everywhere
title: Onboarding
journeyctl: 1
id: onboarding
stages:
    -   id: discovery        # new: it has findings of its own
        name: Discovery
        touchpoints:
            -   {id: ad, name: Ad, entry: true, share: 1.0, next: [{to: form}]}
    -   name: Sign up
        id: signup
        touchpoints:
            -   name: Form
                id: form
                next:
                    -   to: welcome
    -   touchpoints:
            -   outcome: converted
                name: Welcome
                id: welcome
        id: welcome-stage
        name: Welcome
"""


def identities(path: Path) -> dict[str, tuple[str, str]]:
    result = check_file(path, Config())
    return {f.identity: (f.rule, f.path) for f in result.findings}


def test_edits_that_only_move_text_keep_identities(tmp_path):
    (tmp_path / "a.journey.yaml").write_text(JOURNEY, encoding="utf-8")
    (tmp_path / "moved.journey.yaml").write_text(EDITED, encoding="utf-8")
    before, after = identities(tmp_path / "a.journey.yaml"), identities(tmp_path / "moved.journey.yaml")
    assert before and all(len(i) == 20 for i in before)
    # every finding of the original is still there, under the same identity, at another index/line
    assert set(before) <= set(after)
    goal = [i for i, (rule, path) in before.items() if rule == "stage-without-goal" and path == "stages[0].id"]
    assert len(goal) == 1 and after[goal[0]] == ("stage-without-goal", "stages[1].id")
    # the new stage's findings are new identities
    assert {after[i][1] for i in set(after) - set(before)} >= {"stages[0].id"}


def test_identity_is_computed_from_ids_not_indices():
    data = {"stages": [{"id": "a", "touchpoints": [{"id": "t", "next": [{"to": "u"}, {"to": "u"}, {"to": "v"}]}]}]}
    assert anchor(data, parse_path("stages[0].touchpoints[0].next[1].to")) == "stages[a].touchpoints[t].next[->u #2].to"
    assert anchor(data, parse_path("stages[0].touchpoints[0].next[2]")) == "stages[a].touchpoints[t].next[->v]"
    assert anchor(data, parse_path("stages[5].name")) == "stages[].name"  # no such element: no name


def test_positions_in_messages_do_not_count():
    assert normalise_message("duplicate key 'x' (first defined on line 178); the first value is used") == \
        normalise_message("duplicate key 'x' (first defined on line 12); the first value is used")
    assert normalise_message("journey id 'a' is already used by journeys/a.journey.yaml:12; journey ids are unique") \
        == "journey id 'a' is already used by <file>; journey ids are unique"
    assert normalise_message("stages[3].touchpoints[0]: 'x' is not one of ...") == "stages[].touchpoints[]: 'x' is not one of ..."
    assert normalise_message("rate 0.5 leaves 3 customers") == "rate 0.5 leaves 3 customers"  # numbers that mean something stay
    f = Finding("duplicate-key", "error", "a.yaml", 9, 3, "duplicate key 'x' (first defined on line 4)", "stages[0]")
    g = Finding("duplicate-key", "warning", "a.yaml", 19, 1, "duplicate key 'x' (first defined on line 14)", "stages[0]")
    assert identity_of(f) == identity_of(g)  # neither position nor severity is part of it
    assert compute("r", "journey:a", "x", "m") != compute("r", "journey:b", "x", "m")
