"""The safe positioned loader: data, positions, budgets, and the fast paths that must not change either."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from yaml.nodes import ScalarNode

from journeyctl.format import loader
from journeyctl.format.loader import LoadError, decode, load_document, load_text, read_source

REPO = Path(__file__).resolve().parents[2]


def problems(text: str) -> list[tuple[str, int, int, str]]:
    return [(p.rule, p.line, p.column, p.message) for p in load_text(text, Path("x.yaml")).problems]


def refused(text: str) -> tuple[str, int, int, str]:
    with pytest.raises(LoadError) as info:
        load_text(text, Path("x.yaml"))
    exc = info.value
    return exc.rule, exc.line, exc.column, exc.message


# --- data: the fast paths give what PyYAML gives -----------------------------------------------------


def _journey_files() -> list[Path]:
    import sys

    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        from generate import journey_text
    finally:
        sys.path.pop(0)
    out = sorted((REPO / "examples").glob("*.journey.yaml"))
    return out + [journey_text(i, touchpoints) for i, touchpoints in ((0, 14), (1, 3), (2, 40))]


@pytest.mark.parametrize("source", _journey_files(), ids=lambda s: s.name if isinstance(s, Path) else "generated")
def test_data_equals_pyyaml_safe_load(source):
    text = source.read_text(encoding="utf-8") if isinstance(source, Path) else source
    doc = load_text(text, Path("x.yaml"))
    assert doc.problems == []
    assert doc.data == yaml.load(text, Loader=yaml.CSafeLoader)


@pytest.mark.parametrize("text, expected", [
    # YAML 1.2 core schema (what editors and check-jsonschema read), not YAML 1.1 (see test_yaml12.py).
    ("a: 0o17", {"a": 15}), ("a: 017", {"a": 17}), ("a: 0x1F", {"a": 31}), ("a: -0b101", {"a": "-0b101"}),
    ("a: 1_000", {"a": "1_000"}), ("a: 1:30", {"a": "1:30"}), ("a: 1.5e3", {"a": 1500.0}), ("a: 1.5e+3", {"a": 1500.0}), ("a: 1:30.5", {"a": "1:30.5"}),
    ("a: yes", {"a": "yes"}), ("a: Off", {"a": "Off"}), ("a: TRUE", {"a": True}), ("a: ~", {"a": None}), ("a:", {"a": None}),
    ("a: 2024-01-05", {"a": "2024-01-05"}),  # dates stay text
    ("a: '0755'", {"a": "0755"}), ('a: "yes"', {"a": "yes"}), ("a: ! 12", {"a": 12}),
    ("b: &x {c: 1}\na: {<<: *x, d: 2}", {"b": {"c": 1}, "a": {"c": 1, "d": 2}}),
    ("b: &x {c: 1}\na: {<<: *x, c: 2}", {"b": {"c": 1}, "a": {"c": 2}}),  # explicit keys beat merged ones
    ("a: &x [1, 2]\nb: *x", {"a": [1, 2], "b": [1, 2]}),
])
def test_scalar_and_collection_values(text, expected):
    doc = load_text(text, Path("x.yaml"))
    assert doc.problems == []
    assert doc.data == expected


def test_an_alias_shares_the_anchored_value():
    data = load_text("a: &x [1, 2]\nb: *x\n", Path("x.yaml")).data
    assert data["a"] is data["b"]


# --- the memoized resolver agrees with YAML 1.2's core schema -----------------------------------------

# YAML 1.2.2, 10.3.2 (tag resolution of the core schema), written out independently of journeyctl.format.yaml12.
_CORE = [
    (r"null|Null|NULL|~|", "null"), (r"true|True|TRUE|false|False|FALSE", "bool"),
    (r"[-+]?[0-9]+", "int"), (r"0o[0-7]+", "int"), (r"0x[0-9a-fA-F]+", "int"),
    (r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?", "float"),
    (r"[-+]?\.(inf|Inf|INF)", "float"), (r"\.(nan|NaN|NAN)", "float"),
]


def _core_tag(value: str) -> str:
    import re

    for pattern, kind in _CORE:
        if re.fullmatch(pattern, value):
            return "tag:yaml.org,2002:" + kind
    return "tag:yaml.org,2002:merge" if value == "<<" else "tag:yaml.org,2002:str"


SPELLINGS = ["yes", "No", "TRUE", "off", "y", "n", "~", "null", "Null", "", "0", "-1", "+1", "0o17", "017", "0x1F",
             "0b11", "1_000", "1:30", "1.5", ".5", "1e3", "1.0e+3", ".inf", "-.Inf", ".NaN", "2024-02-30",
             "2001-12-14t21:59:43.10-05:00", "<<", "=", "!", "&", "*", "abc", "1a", "- x", "12:30:00", "0.", "-"]


def _resolved(value: str, implicit: tuple[bool, bool] = (True, False)) -> str:
    fast = loader._Loader("")
    try:
        tag = fast.resolve(ScalarNode, value, implicit)
    finally:
        fast.dispose()
    # A spelling YAML 1.1 reads differently is marked for the yaml-ambiguous finding; its value is 1.2's.
    return loader.core_tag(value) if tag == loader.yaml12.AMBIGUOUS else tag


@pytest.mark.parametrize("value", SPELLINGS)
def test_resolver_follows_the_yaml_12_core_schema(value):
    assert _resolved(value) == _core_tag(value)
    assert _resolved(value, (False, True)) == "tag:yaml.org,2002:str"


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=30))
def test_resolver_follows_the_yaml_12_core_schema_on_any_text(value):
    assert _resolved(value) == _core_tag(value)


def test_resolver_memo_is_bounded(monkeypatch):
    monkeypatch.setattr(loader, "_PLAIN_TAGS", {})
    monkeypatch.setattr(loader, "_PLAIN_TAGS_MAX", 100)
    text = "\n".join(f"k{i}: {i}" for i in range(1000)) + "\n"
    assert len(load_text(text, Path("x.yaml")).data) == 1000
    assert 0 < len(loader._PLAIN_TAGS) <= 100


# --- problems: the file loads, the value is reported -------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("a: 1\na: 2\n", [("duplicate-key", 2, 1, "duplicate key 'a' (first defined on line 1); the first value is used")]),
    ("a:\n  b: 1\n  c: 2\n  b: 3\n", [("duplicate-key", 4, 3, "duplicate key 'b' (first defined on line 2); the first value is used")]),
    ("a: !!bool maybe\n", [("yaml-value", 1, 4, "'maybe' is not a boolean (use true or false)")]),
    ("a: !!int 12x\n", [("yaml-value", 1, 4, "'12x' is not an integer")]),
    ("a: !!float abc\n", [("yaml-value", 1, 4, "'abc' is not a number")]),
    ("a: .nan\n", [("yaml-value", 1, 4, "'.nan' is not a finite number")]),
    ("a: -.inf\n", [("yaml-value", 1, 4, "'-.inf' is not a finite number")]),
    ("a: 1.0e+999\n", [("yaml-value", 1, 4, "'1.0e+999' is not a finite number")]),
    ("a: " + "9" * 5000 + "\n", [("yaml-value", 1, 4, "integer with 5000 digits is too large")]),
    ("a: !!timestamp soon\n", [("yaml-value", 1, 4, "'soon' is not a timestamp")]),
    ("a: !!python/object/apply:os.system ['true']\n",
     [("yaml-value", 1, 4, "unsupported tag !!python/object/apply:os.system")]),
    ("a: !custom x\n", [("yaml-value", 1, 4, "unsupported tag !custom: journeyctl loads plain data only")]),
    ("a: !!set {x}\n", [("yaml-value", 1, 4, "unsupported tag !!set")]),
    ("[a]: 1\n", [("yaml-syntax", 1, 1, "a mapping key must be a plain string, not a list or mapping")]),
    # Tags on keys are refused like tags on values (issue 22, item 3).
    ("!!python/object/apply:os.system ['true']: 1\n",
     [("yaml-syntax", 1, 1, "a mapping key must be a plain string, not a list or mapping")]),
    ("!!python/object/apply:os.system x: 1\n",
     [("yaml-value", 1, 1, "unsupported tag !!python/object/apply:os.system on a key: journeyctl loads plain data only")]),
    ("a:\n  !!binary aGk=: 1\n", [("yaml-value", 2, 3, "unsupported tag !!binary on a key: journeyctl loads plain data only")]),
    ("!evil k: 1\n", [("yaml-value", 1, 1, "unsupported tag !evil on a key: journeyctl loads plain data only")]),
    ("a: {<<: [1]}\n", [("yaml-syntax", 1, 9, "'<<' merges mappings only")]),
])
def test_problems_are_positioned(text, expected):
    assert problems(text) == expected


def test_an_aliased_bad_scalar_is_reported_once():
    assert problems("a: &x !!bool maybe\nb: *x\nc: *x\n") == [
        ("yaml-value", 1, 4, "'maybe' is not a boolean (use true or false)")]


# --- refusals: the file cannot be data ---------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("", ("yaml-syntax", 1, 1, "empty file: a journey needs at least 'journeyctl', 'id', 'title' and 'stages'")),
    ("# only\n# comments\n", ("yaml-syntax", 1, 1, "no YAML content, only comments: a journey needs at least "
                                                 "'journeyctl', 'id', 'title' and 'stages'")),
    ("a: 1\n---\nb: 2\n", ("yaml-syntax", 2, 1, "more than one YAML document ('---'); a journey file holds exactly one")),
    ("a: [1, 2\nb: 3\n", ("yaml-syntax", 2, 2, "while parsing a flow sequence (opened on line 1, column 4); "
                                              "did not find expected ',' or ']'")),
    ('a: 1\nb: "open\nc: 2\n', ("yaml-syntax", 4, 1, "while scanning a quoted scalar (opened on line 2, column 4); "
                                                   "found unexpected end of stream")),
    ("a: b: c\n", ("yaml-syntax", 1, 5, "mapping values are not allowed in this context")),
    ("a:\n\tb: 1\n", ("yaml-syntax", 2, 1, "while scanning for the next token; found character that cannot start "
                                         "any token (a tab: YAML indentation must use spaces)")),
    ("a: *nowhere\n", ("yaml-syntax", 1, 4, "found undefined alias")),
    ("a: &x [*x]\n", ("yaml-syntax", 1, 4, "recursive alias: an anchor refers to itself")),
    ("a: \x1b[31m\n", ("yaml-syntax", 1, 4, "unreadable character: control characters are not allowed")),
    # libyaml puts the end of a file without a final newline on the line after the last: kept inside.
    ("a: 1\nb:\n- id: x\n  chann", ("yaml-syntax", 4, 8, "while scanning a simple key; could not find expected ':'")),
    ('a: "x', ("yaml-syntax", 1, 6, "while scanning a quoted scalar; found unexpected end of stream")),
])
def test_refusals_are_positioned(text, expected):
    assert refused(text) == expected


def _bomb(levels: int, width: int = 10) -> str:
    lines = ['l0: &l0 "lol"'] + [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * width) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("levels", [9, 30])  # 10^9 and 10^30 values if expanded
def test_alias_bomb_is_refused_in_well_under_a_second(levels):
    start = time.perf_counter()
    rule, line, column, message = refused(_bomb(levels))
    assert time.perf_counter() - start < 1.0
    assert (rule, message) == ("yaml-syntax", "aliases expand to more than 100000 values (a 'billion laughs' document?)")
    # Aliases share their anchor's node, so the position is the anchor that is expanded too often: l4,
    # whose aliases in l5 cross the budget.
    assert line == 5


def test_aliases_within_the_budget_load():
    assert len(load_text(_bomb(5), Path("x.yaml")).data["l4"]) == 10


def _chain(n: int) -> str:
    return "\n".join(["a0: &a0 [x]"] + [f"a{i}: &a{i} [*a{i - 1}]" for i in range(1, n)]) + "\n"


def test_nesting_through_aliases_is_bounded_like_nesting_in_the_text():
    # Each line nests only one level in the text, but a63 holds 64 levels through its aliases.
    data = load_text(_chain(63), Path("x.yaml")).data
    depth, value = 0, data["a62"]
    while isinstance(value, list):
        depth, value = depth + 1, value[0]
    assert depth == 63
    # a63 refers to a62 (line 63), whose 63 levels put the innermost value at depth 65.
    assert refused(_chain(200)) == ("yaml-syntax", 63, 6, "nesting deeper than 64 levels (through aliases)")


@pytest.mark.parametrize("make", [
    lambda n: "a: " + "[" * n + "]" * n + "\n",  # flow: measured on the event stream first
    lambda n: "a:\n" + "".join("  " * i + "-\n" for i in range(1, n)) + "  " * n + "[]\n",  # block: the builder
], ids=["flow", "block"])
def test_depth_limit_is_the_same_on_both_paths(make):
    assert isinstance(load_text(make(64), Path("x.yaml")).data, dict)
    rule, _, _, message = refused(make(65))
    assert (rule, message[:27]) == ("yaml-syntax", "nesting deeper than 64 leve")


def test_thirty_thousand_levels_are_refused_without_composing_them():
    start = time.perf_counter()
    assert refused("a: " + "[" * 30_000 + "]" * 30_000 + "\n") == (
        "yaml-syntax", 1, 68, "nesting deeper than 64 levels; a journey never needs this")
    assert refused("a:\n" + "- " * 30_000 + "x\n") == (
        "yaml-syntax", 2, 129, "nesting deeper than 64 levels; a journey never needs this")
    assert time.perf_counter() - start < 2.0


@pytest.mark.parametrize("levels", [70, 999, 1_000, 1_001, 5_000])
@pytest.mark.parametrize("shape", ["flow", "block"])
def test_deep_nesting_reads_the_same_below_and_past_libyamls_own_limit(levels, shape):
    # libyaml 0.2.6+ stops at 1,000 levels with an error of its own; ours must speak first, at level 65.
    if shape == "flow":
        text, where = "a: " + "[" * levels + "]" * levels + "\n", (1, 68)
    else:
        text, where = "a:\n" + "- " * levels + "x\n", (2, 129)
    assert refused(text) == ("yaml-syntax", *where, "nesting deeper than 64 levels; a journey never needs this")


# --- bytes → text ------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw, expected", [
    (b"a: 1\nb: caf\xe9\n", (2, 7, "invalid UTF-8 (byte 0xe9); save the file as UTF-8")),
    (b"a: 1\nb: x\x00y\n", (2, 5, "binary file: found a NUL byte; a journey is UTF-8 text")),
    ("a: 1\n".encode("utf-16"), (1, 1, "file is UTF-16 or UTF-32; journeyctl reads UTF-8 (re-save the file as UTF-8)")),
    ("a: 1\n".encode("utf-16-be"), (1, 1, "binary file: found a NUL byte; a journey is UTF-8 text")),
    (b"\xff\xfe\x00\x00a\x00\x00\x00", (1, 1, "file is UTF-16 or UTF-32; journeyctl reads UTF-8 (re-save the file as UTF-8)")),
])
def test_decode_refuses_what_is_not_utf8(raw, expected):
    with pytest.raises(LoadError) as info:
        decode(raw)
    assert (info.value.line, info.value.column, info.value.message) == expected


def test_a_utf8_bom_is_dropped_and_positions_stay_those_an_editor_shows():
    assert decode(b"\xef\xbb\xbfa: 1\n") == "a: 1\n"
    assert load_text(decode(b"\xef\xbb\xbfa: [1, 2]\n"), Path("x.yaml")).locate(("a", 1)) == (1, 8)
    with pytest.raises(LoadError) as info:
        load_text(decode(b"\xef\xbb\xbfa: b: c\n"), Path("x.yaml"))
    assert (info.value.line, info.value.column) == (1, 5)


# --- reading files -----------------------------------------------------------------------------------


def test_read_source_refuses_a_fifo_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.journey.yaml"
    os.mkfifo(fifo)
    outcome: list[object] = []
    thread = threading.Thread(target=lambda: outcome.append(_catch(read_source, fifo)), daemon=True)
    thread.start()
    thread.join(5)
    if thread.is_alive():  # unblock the reader before failing, so the test run itself can end
        with open(fifo, "wb"):
            pass
        pytest.fail("read_source blocked on a FIFO")
    assert outcome == [("file-error", "not a regular file but a FIFO (named pipe); journeyctl reads journey files only")]


def _catch(fn, *args):
    try:
        fn(*args)
    except LoadError as exc:
        return exc.rule, exc.message
    return "read"


def test_read_source_refuses_devices_behind_a_symlink(tmp_path):
    link = tmp_path / "zero.journey.yaml"
    link.symlink_to("/dev/zero")
    assert _catch(read_source, link) == ("file-error", "not a regular file but a socket or device; journeyctl reads "
                                                       "journey files only")


def test_read_source_reports_a_directory_as_the_os_does(tmp_path):
    with pytest.raises(IsADirectoryError):
        read_source(tmp_path)


@pytest.mark.parametrize("size, limit, message", [
    (50 * 1024 * 1024, 8 * 1024 * 1024, "file is larger than 8 MiB; split the journey or raise max_file_size in the "
                                        "config (it has 50 MiB)"),
    (2048, 1000, "file is larger than 1000 bytes; split the journey or raise max_file_size in the config "
                 "(it has 2.0 KiB)"),
])
def test_oversized_files_are_refused_from_their_size(tmp_path, size, limit, message):
    big = tmp_path / "big.journey.yaml"
    with open(big, "wb") as handle:  # sparse: refusing it must not depend on reading it
        handle.write(b"journeyctl: 1\n")
        handle.truncate(size)
    start = time.perf_counter()
    with pytest.raises(LoadError) as info:
        load_document(big, limit)
    assert time.perf_counter() - start < 0.5
    assert (info.value.rule, info.value.message) == ("file-error", message)


def test_read_source_returns_exactly_the_bytes(tmp_path):
    path = tmp_path / "a.journey.yaml"
    payload = os.urandom(70_000)
    path.write_bytes(payload)
    assert read_source(path) == payload
    assert read_source(path, 70_000) == payload
    with pytest.raises(LoadError):
        read_source(path, 69_999)


@pytest.mark.parametrize("separator", ["\x85", "\u2028", "\u2029"])
def test_lines_are_counted_as_editors_count_them(separator):
    # libyaml (YAML 1.1) also breaks lines at NEL and the Unicode separators; editors and CI do not.
    text = f"a: 'x{separator}y'\nb: !!bool maybe\nc: [1, 2]\nd: [\n"
    with pytest.raises(LoadError) as info:
        load_text(text, Path("x.yaml"))
    assert (info.value.line, info.value.column) == (5, 1)
    doc = load_text(text[:text.index("d:")], Path("x.yaml"))
    assert [(p.line, p.column) for p in doc.problems] == [(2, 4)]
    assert doc.locate(("c", 1)) == (3, 8)


def test_node_at_and_locate_follow_keys_and_indices():
    doc = load_text("a:\n  - x\n  - {b: 1, c: [2, 3]}\n", Path("x.yaml"))
    assert doc.locate(("a", 1, "c", 1)) == (3, 19)
    assert doc.locate(("a", 1, "c"), key=True) == (3, 12)
    assert doc.locate(("a", 7)) == (2, 3)  # past the end: the deepest node that exists
    assert doc.node_at(("a", 0)).value == "x"
