"""Schema findings for values that break a format say what the format is, in words a CX lead can act on.

Found by a first-time user: `id: Stage One` was answered with the field's description ("Stable
identifier, referenced from elsewhere") and `at: day three` with the raw regex `^day -?[0-9]{1,5}$`,
neither of which tells the user what to type instead.
"""

from __future__ import annotations

from pathlib import Path

from journeyctl.check.pipeline import check_file
from journeyctl.config import Config

JOURNEY = """\
journeyctl: 1
id: pat
title: P
review_every: 3 months
links: [{title: x, url: "ftp://x"}]
stages:
  - id: Stage One
    touchpoints:
      - id: café
        entry: true
        at: day three
        next: [{to: "b c", wait: 2 days}]
      - {id: b, outcome: converted}
"""


def _schema_messages(tmp_path: Path) -> dict[int, str]:
    path = tmp_path / "pat.journey.yaml"
    path.write_text(JOURNEY, encoding="utf-8")
    result = check_file(path, Config(), {"schema": "error"})
    return {f.line: f.message for f in result.findings if f.rule == "schema"}


def test_an_id_with_a_space_says_what_an_id_may_contain_and_suggests_one(tmp_path: Path) -> None:
    message = _schema_messages(tmp_path)[7]
    assert message == ("stages[0].id: 'Stage One' is not an id: use ASCII letters, digits, '-', '_' or '.', "
                       "starting with a letter or digit, no spaces (e.g. 'stage-one'); put the words in 'name'")


def test_a_non_ascii_id_says_accents_belong_in_the_name(tmp_path: Path) -> None:
    message = _schema_messages(tmp_path)[9]
    assert message == ("stages[0].touchpoints[0].id: 'café' is not an id: use ASCII letters, digits, '-', '_' "
                       "or '.', starting with a letter or digit, no spaces (e.g. 'cafe'); put the words in 'name'")


def test_a_day_says_how_to_write_a_day_not_the_regex(tmp_path: Path) -> None:
    message = _schema_messages(tmp_path)[11]
    assert message == "stages[0].touchpoints[0].at: 'day three' is not a day: write 'day' and a whole number, e.g. 'day 3'"
    assert "^" not in message


def test_a_duration_and_a_reference_and_a_url_say_what_to_write(tmp_path: Path) -> None:
    messages = _schema_messages(tmp_path)
    assert messages[4] == ("review_every: '3 months' is not a duration: write a number and a unit, min, h, d or w, "
                           "e.g. 30min, 24h, 90d, 2w")
    assert messages[5] == "links[0].url: 'ftp://x' is not a link: write an http:// or https:// address without spaces"
    # Two problems on line 12; the reference is reported at its own column, so both appear.
    path = tmp_path / "pat.journey.yaml"
    result = check_file(path, Config(), {"schema": "error"})
    on_12 = sorted(f.message for f in result.findings if f.line == 12)
    assert on_12 == [
        "stages[0].touchpoints[0].next[0].to: 'b c' is not a touchpoint reference: write a touchpoint id, or "
        "'journey-id/touchpoint-id' for a touchpoint of another journey (e.g. 'b-c')",
        "stages[0].touchpoints[0].next[0].wait: '2 days' is not a duration: write a number and a unit, min, h, d "
        "or w, e.g. 30min, 24h, 90d, 2w (did you mean '2d'?)",
    ]
