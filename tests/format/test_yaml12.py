"""YAML 1.2 meaning, and the yaml-ambiguous finding for every plain scalar YAML 1.1 reads differently.

The table is written from the two specifications (YAML 1.2.2 section 10.3, the core schema; the YAML 1.1
type repository at yaml.org/type: bool, int, float, value), not from journeyctl's code: each row says what
each reader sees and the spelling that means the same to both. PyYAML stands in for YAML 1.1 readers.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from journeyctl.check.pipeline import validate_document
from journeyctl.format.loader import load_text
from journeyctl.format.starter import starter_journey

V12 = "in YAML 1.2 (journeyctl, editors, check-jsonschema)"
V11 = "in YAML 1.1 (PyYAML and other 1.1 tools)"

# text, what YAML 1.2 reads, what YAML 1.1 reads, the unambiguous spelling in a typed field.
BOOLEANS = [(t, f'the text "{t}"', f"the boolean {v}", v) for t, v in [
    ("y", "true"), ("Y", "true"), ("yes", "true"), ("Yes", "true"), ("YES", "true"),
    ("n", "false"), ("N", "false"), ("no", "false"), ("No", "false"), ("NO", "false"),
    ("on", "true"), ("On", "true"), ("ON", "true"), ("off", "false"), ("Off", "false"), ("OFF", "false"),
    # Other casings: not in the 1.1 spec's list, but Ruby's Psych (a YAML 1.1 reader) matches any case.
    ("yEs", "true"), ("nO", "false"), ("oN", "true"), ("oFF", "false"), ("tRUE", "true"), ("fALSE", "false"),
]]
NUMBERS = [
    ("010", "the integer 10", "the integer 8", "10"),              # 1.1: leading 0 is octal
    ("0777", "the integer 777", "the integer 511", "777"),
    ("08", "the integer 8", 'the text "08"', "8"),                 # not octal in 1.1, not decimal either
    ("0o10", "the integer 8", 'the text "0o10"', "8"),             # 1.2's octal
    ("0b101", 'the text "0b101"', "the integer 5", "5"),           # 1.1's binary
    ("1_000", 'the text "1_000"', "the integer 1000", "1000"),     # 1.1 ignores '_' in numbers
    ("0x_1F", 'the text "0x_1F"', "the integer 31", "31"),
    ("+0x1F", 'the text "+0x1F"', "the integer 31", "31"),         # 1.2's hexadecimal has no sign
    ("-0x1F", 'the text "-0x1F"', "the integer -31", "-31"),
    ("1:20", 'the text "1:20"', "the integer 80", "80"),           # 1.1's sexagesimal (base 60)
    ("-1:20", 'the text "-1:20"', "the integer -80", "-80"),
    ("1:20.5", 'the text "1:20.5"', "the number 80.5", "80.5"),
    ("1_000.5", 'the text "1_000.5"', "the number 1000.5", "1000.5"),
    ("1e3", "the number 1000", 'the text "1e3"', "1000"),          # 1.1 needs a dot and a signed exponent
    ("1E3", "the number 1000", 'the text "1E3"', "1000"),
    ("1e+3", "the number 1000", 'the text "1e+3"', "1000"),
    ("1.5e3", "the number 1500", 'the text "1.5e3"', "1500"),
    ("2e-7", "the number 2.0e-07", 'the text "2e-7"', "2.0e-07"),  # 1.1 also reads 2.5e-7 as a number
    ("-.5", "the number -0.5", 'the text "-.5"', "-0.5"),          # PyYAML: a sign before '.5' is text
    ("+.5", "the number 0.5", 'the text "+.5"', "0.5"),
]
OTHERS = [("=", 'the text "="', "the 'value' key type (PyYAML refuses to load it)")]
SAME = ["true", "false", "True", "FALSE", "null", "~", "0", "-0", "+12", "12", ".5", "0.5", "5.", "0x1F", "3.10",
        "1.0e+3", "00", "2026-01-01", "1.2.3", "0o", "maybe", "yess", "one", "<<"]

BASE = starter_journey("s")
TITLE = "title: My first journey"


def findings(text: str) -> list[tuple[int, int, str, str, str]]:
    doc = load_text(text, Path("s.journey.yaml"))
    _, found = validate_document(doc, "s.journey.yaml", salvage=True)
    return [(f.line, f.column, f.severity, f.rule, f.message) for f in sorted(found, key=lambda f: f.sort_key())]


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def with_value(field: str, old: str, value: str) -> tuple[str, int, int]:
    text = BASE.replace(f"{field}: {old}", f"{field}: {value}", 1)
    line = line_of(text, f"{field}: {value}")
    column = text.splitlines()[line - 1].index(f"{field}: {value}") + len(field) + 3
    return text, line, column


@pytest.mark.parametrize("text, read12, read11", [row[:3] for row in BOOLEANS + NUMBERS] + OTHERS,
                         ids=lambda v: v if isinstance(v, str) and len(v) < 8 else None)
def test_in_a_text_field_the_finding_says_both_readings_and_quotes_the_text(text, read12, read11):
    doc, line, column = with_value("title", "My first journey", text)
    replacement = '"' + text + '"'
    severity = "warning" if read12.startswith("the text") else "error"  # 010 is no text to journeyctl either
    assert findings(doc) == [(line, column, severity, "yaml-ambiguous",
                              f"title: {text} is {read12} {V12} but {read11} {V11}; write {replacement}")]
    fixed = doc.replace(f"title: {text}", f"title: {replacement}", 1)
    assert findings(fixed) == []
    assert yaml.safe_load(fixed)["title"] == load_text(fixed, Path("x")).data["title"] == text


@pytest.mark.parametrize("text, read12, read11, spelling", BOOLEANS, ids=[b[0] for b in BOOLEANS])
def test_in_a_boolean_field_it_is_an_error_and_the_fix_is_the_boolean(text, read12, read11, spelling):
    doc, line, column = with_value("entry", "true", text)
    assert findings(doc) == [(line, column, "error", "yaml-ambiguous",
                              f"stages[0].touchpoints[0].entry: {text} is {read12} {V12} but {read11} {V11}; "
                              f"write {spelling}")]
    fixed = doc.replace(f"entry: {text}", f"entry: {spelling}", 1)
    assert yaml.safe_load(fixed) == load_text(fixed, Path("x")).data
    assert not [f for f in findings(fixed) if f[3] in ("yaml-ambiguous", "schema")]


@pytest.mark.parametrize("text, read12, read11, spelling", NUMBERS, ids=[n[0] for n in NUMBERS])
def test_in_a_number_field_it_is_an_error_and_the_fix_reads_the_same_everywhere(text, read12, read11, spelling):
    doc, line, column = with_value("target", "5,", text + ",")
    assert findings(doc) == [(line, column, "error", "yaml-ambiguous",
                              f"metrics[0].target: {text} is {read12} {V12} but {read11} {V11}; write {spelling}")]
    fixed = doc.replace(f"target: {text},", f"target: {spelling},", 1)
    assert findings(fixed) == []
    assert yaml.safe_load(fixed) == load_text(fixed, Path("x")).data


@pytest.mark.parametrize("text", SAME)
def test_spellings_both_versions_read_alike_are_not_ambiguous(text):
    doc = load_text(f"a: {text}\n", Path("x.yaml"))
    assert doc.ambiguous == []
    if text != "<<":
        assert doc.data == yaml.safe_load(f"a: {text}\n") or text == "2026-01-01"


def test_the_replacement_is_the_last_clause_for_a_fix_engine():
    doc, _, _ = with_value("entry", "true", "yes")
    (message,) = [f[4] for f in findings(doc)]
    assert re.search(r"; write (.+)$", message).group(1) == "true"


def test_an_out_of_range_number_keeps_its_schema_finding_and_the_ambiguity_is_a_warning():
    doc, line, column = with_value("emotion", "1 ", "010 ")
    assert findings(doc) == [
        (line, column, "error", "schema", "stages[0].touchpoints[0].emotion must be from -2 to 2, not 10"),
        (line, column, "warning", "yaml-ambiguous", "stages[0].touchpoints[0].emotion: 010 is the integer 10 "
                                                    f"{V12} but the integer 8 {V11}; write 10"),
    ]


def test_a_value_wrong_in_either_reading_keeps_the_schema_error_and_no_quote_advice():
    doc, line, column = with_value("            handoff", "{trigger: sign-up form submitted, sla: 1h, via: marketing automation}", "yes")
    assert findings(doc) == [
        (line, column, "error", "schema", "stages[0].touchpoints[0].next[0].handoff must be a mapping, not 'yes'"),
        (line, column, "warning", "yaml-ambiguous", 'stages[0].touchpoints[0].next[0].handoff: yes is the text "yes" '
                                                    f'{V12} but the boolean true {V11}; write "yes"'),
    ]


def test_an_unknown_key_gets_a_warning_beside_the_unknown_key_error():
    text = BASE.replace(TITLE, TITLE + "\nflag: yes", 1)
    line = line_of(text, "flag: yes")
    assert findings(text) == [
        (line, 1, "error", "schema", "unknown key 'flag' in the journey; allowed keys: channels, description, id, "
                                      "journeyctl, links, metrics, objectives, owner, personas, review_every, reviewed, "
                                      "stages, state, status, tags, teams, title"),
        (line, 7, "warning", "yaml-ambiguous", f'flag: yes is the text "yes" {V12} but the boolean true {V11}; '
                                               'write "yes"'),
    ]


def test_a_catalog_gets_the_finding_too(tmp_path: Path):
    from journeyctl.check.pipeline import check_paths
    from journeyctl.config import Config

    (tmp_path / "c.catalog.yaml").write_text("journeyctl: 1\nteams:\n  - {id: sales, name: no}\n", encoding="utf-8")
    result = check_paths([tmp_path], Config())
    assert [(f.line, f.column, f.severity, f.rule, f.message) for f in result.findings if f.rule != "unused-definition"] == [
        (3, 23, "warning", "yaml-ambiguous", f'teams[0].name: no is the text "no" {V12} but the boolean false {V11}; '
                                             'write "no"')]


def test_a_key_yaml_11_reads_as_a_boolean_is_a_warning():
    text = BASE.replace(TITLE, TITLE + "\non: push", 1)
    line = line_of(text, "on: push")
    assert (line, 1, "warning", "yaml-ambiguous", f'key on in the journey is the text "on" {V12} but the boolean '
                                                  f'true {V11}; write "on"') in findings(text)
