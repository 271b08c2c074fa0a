"""Hostile journey files for the per-command fuzz tests (tests/test_fuzz_commands.py), and a tally of them.

A mutant is a journey that follows the schema (`journey()`, the same shape as tests/test_fuzz.py's
`journeys()` strategy) broken once: by test_fuzz's mutations (drop-key, change-type, truncate,
duplicate-key, rename-reference) or by the hostile ones an attack run tried by hand: tags on keys, huge
numbers, dates at the end of time, absurd durations, NUL / right-to-left override / C1 characters, deep
nesting, anchors and merge keys, non-UTF-8 bytes and other encodings, CRLF, BOMs, several documents,
long lists, a root that is no mapping. Each mutant is the bytes of a file, with the mutation's name.

Mutants are made from a `random.Random`, not drawn by hypothesis: a hypothesis-drawn journey costs ~50 ms
and ten of them overrun its buffer, while 10,000 mutants per command are the point. The tests let
hypothesis draw the seed, so a failure is still reported (and replayed with @example) as one number.

`MUTANTS` counts what each command was fed; tests/conftest.py prints it at the end of the session (and
writes it as JSON to $JOURNEYCTL_FUZZ_REPORT), so the long profile's figure is measured, not assumed.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import json
import math
import os
from collections import Counter
from random import Random
from typing import Any

import yaml
from hypothesis import settings

MUTANTS: Counter[str] = Counter()
"""Mutants fed to each command in this session (validate, render, docs, funnel, conform, diff)."""

LONG_MUTANTS = int(os.environ.get("JOURNEYCTL_FUZZ_MUTANTS", "10000"))
"""Mutants per command under a profile of 2,000 examples or more (the "long" one)."""


def tally(command: str, count: int) -> None:
    """Count `count` mutants fed to `command`; a long run also leaves its figures in
    $JOURNEYCTL_FUZZ_PROGRESS as it goes, so a run stopped half-way still says how far it got."""
    MUTANTS[command] += count
    progress = os.environ.get("JOURNEYCTL_FUZZ_PROGRESS")
    if progress and MUTANTS[command] % 100 < count:
        import json
        import time

        with open(progress, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"time": time.strftime("%H:%M:%S"), **MUTANTS}) + "\n")


def budget(per_example: int, ci_examples: int) -> int:
    """max_examples for a test that feeds `per_example` mutants per example: `ci_examples` in a short
    profile (the suite stays fast), else enough examples for LONG_MUTANTS mutants."""
    if settings.default.max_examples < 2_000:
        return min(ci_examples, settings.default.max_examples)
    return math.ceil(LONG_MUTANTS / per_example)


# --- a schema-valid journey ------------------------------------------------------------------------------

ID_FIRST = "ABCXYZabcxyz0189"
ID_REST = ID_FIRST + "_.-"
WORDS = ["", "Sign up", "Pay", "Ünïcödé", "日本語", "emoji 🎉", "a b", "x", "Long " * 8, "#1", "- dash", "yes",
         "null", "~", "'quoted'", '"dq"', "key: value", "@at", "%pct", "&amp", "*star", "!bang", "|pipe", ">gt"]
SPECIAL_TEXT = ["\x00", "a\x00b", "\u202egnp.exe", "\ufffe", "\uffff", "\x1b[31mred\x1b[0m", "\x07\x08\x7f",
                "\x85\x9b", "\\N \\G \\L \\T \\E \\H", "]", "<b>&amp;</b>", "<script>alert(1)</script>", "]]>",
                "{{x}}", "%s%n", "\"'`", "\u2028\u2029", "\ud7ff\U0010ffff", "\t\r\n", "-->", "x" * 5000,
                "é" * 300, "| a | b |", "```", "[link](javascript:alert(1))", 'click a href "javascript:x"',
                "%%{init: {}}%%", "end", "graph TD", "subgraph", "\\", "\\\\n", "}", "{", "\"", "<", ">", "&"]
DURATION_UNITS = ["min", "h", "d", "w"]


def _id(rng: Random) -> str:
    return rng.choice(ID_FIRST) + "".join(rng.choice(ID_REST) for _ in range(rng.randint(0, 8)))


def _text(rng: Random) -> str:
    roll = rng.random()
    if roll < 0.6:
        return rng.choice(WORDS)
    if roll < 0.9:  # any code point a YAML file can carry (no surrogates); the dumper escapes the rest
        return "".join(chr(rng.choice([rng.randint(32, 126), rng.randint(0, 0xD7FF), rng.randint(0xE000, 0x10FFFF)]))
                       for _ in range(rng.randint(0, 12)))
    return rng.choice(SPECIAL_TEXT)


def _maybe(rng: Random, make: Any, p: float = 0.5) -> Any:
    return make() if rng.random() < p else None


def _duration(rng: Random) -> str:
    return f"{rng.randint(0, 999)}{rng.choice(['', '.5'])}{rng.choice(DURATION_UNITS)}"


def _number(rng: Random) -> float:
    return rng.choice([0.0, 0.5, 1.0, 0.25, rng.random(), rng.uniform(-10, 10), 1e-9, 3.4e38])


def _clean(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None and v != []}


def _named(rng: Random, **extra: Any) -> dict[str, Any]:
    return _clean({"id": _id(rng), "name": _maybe(rng, lambda: _text(rng)), "description": _maybe(rng, lambda: _text(rng)),
                   **extra})


def journey(rng: Random) -> dict[str, Any]:
    """A journey the schema accepts (references may dangle: rules report those, which is fine)."""
    tp_ids = list(dict.fromkeys(_id(rng) for _ in range(rng.randint(1, 7))))
    ref = lambda: rng.choice(tp_ids) if rng.random() < 0.4 else _id(rng)  # noqa: E731
    stage_count = rng.randint(1, 3)
    stages = []
    for s in range(stage_count):
        touchpoints = []
        for tp in tp_ids[s::stage_count]:
            moves = [_clean({"to": rng.choice(tp_ids) if rng.random() < 0.85 else f"{_id(rng)}/{_id(rng)}",
                             "when": _maybe(rng, lambda: _text(rng), 0.3), "rate": _maybe(rng, lambda: _number(rng)),
                             "wait": _maybe(rng, lambda: _duration(rng), 0.3),
                             "handoff": _maybe(rng, lambda: _clean({"trigger": _maybe(rng, lambda: _text(rng)),
                                                                    "sla": _maybe(rng, lambda: _duration(rng)),
                                                                    "via": _maybe(rng, lambda: _text(rng))}), 0.2)})
                     for _ in range(rng.randint(0, 3))]
            touchpoints.append(_clean({
                "id": tp, "name": _maybe(rng, lambda: _text(rng)),
                "kind": _maybe(rng, lambda: rng.choice(["peripheral", "external", "internal"]), 0.3),
                "lane": _maybe(rng, lambda: rng.choice(["frontstage", "backstage", "support"]), 0.4),
                "channel": _maybe(rng, ref, 0.3), "owner": _maybe(rng, ref, 0.3),
                "personas": [ref() for _ in range(rng.randint(0, 2))], "entry": _maybe(rng, lambda: rng.random() < 0.5, 0.4),
                "share": _maybe(rng, lambda: _number(rng), 0.2),
                "outcome": _maybe(rng, lambda: rng.choice(["converted", "retained", "advocate", "churned", "dropped"]), 0.3),
                "milestone": _maybe(rng, lambda: rng.choice([True, False, _text(rng)]), 0.2),
                "moment_of_truth": _maybe(rng, lambda: rng.random() < 0.5, 0.2),
                "emotion": _maybe(rng, lambda: rng.randint(-2, 2)),
                "pain_points": [_text(rng) for _ in range(rng.randint(0, 2))],
                "opportunities": [_text(rng) for _ in range(rng.randint(0, 1))],
                "kpis": [ref() for _ in range(rng.randint(0, 2))],
                "evidence": [_clean({"source": _text(rng), "ref": _maybe(rng, lambda: _text(rng)),
                                     "url": _maybe(rng, lambda: f"https://{_id(rng).lower()}.example/{_id(rng)}")})
                             for _ in range(rng.randint(0, 1))],
                "at": _maybe(rng, lambda: f"day {rng.randint(-99999, 99999)}", 0.3),
                "events": [_text(rng)[:40] or "e" for _ in range(rng.randint(0, 2))],
                "next": moves,
            }))
        stages.append(_clean({
            "id": _id(rng), "name": _maybe(rng, lambda: _text(rng)), "goal": _maybe(rng, lambda: _text(rng)),
            "kpis": [ref() for _ in range(rng.randint(0, 2))], "emotion": _maybe(rng, lambda: rng.randint(-2, 2)),
            "customer": _maybe(rng, lambda: _clean({"does": _maybe(rng, lambda: _text(rng)),
                                                    "thinks": _maybe(rng, lambda: _text(rng)),
                                                    "feels": _maybe(rng, lambda: _text(rng))}), 0.3),
            "touchpoints": touchpoints,
        }))
    return _clean({
        "journeyctl": 1, "id": _id(rng), "title": _text(rng), "description": _maybe(rng, lambda: _text(rng)),
        "owner": _maybe(rng, ref), "status": _maybe(rng, lambda: rng.choice(["draft", "active", "retired"])),
        "state": _maybe(rng, lambda: rng.choice(["current", "future"])),
        "reviewed": _maybe(rng, lambda: (dt.date(2000, 1, 1) + dt.timedelta(days=rng.randint(0, 12000))).isoformat()),
        "review_every": _maybe(rng, lambda: _duration(rng)),
        "objectives": [_text(rng) for _ in range(rng.randint(0, 2))],
        "tags": [_text(rng) for _ in range(rng.randint(0, 2))],
        "links": [{"title": _text(rng), "url": f"https://{_id(rng).lower()}.example/"} for _ in range(rng.randint(0, 1))],
        "personas": [_named(rng, role=_maybe(rng, lambda: _text(rng))) for _ in range(rng.randint(0, 2))],
        "teams": [_named(rng) for _ in range(rng.randint(0, 2))],
        "channels": [_named(rng) for _ in range(rng.randint(0, 2))],
        "metrics": [_named(rng, unit=_maybe(rng, lambda: _text(rng)), target=_maybe(rng, lambda: _number(rng)),
                           direction=_maybe(rng, lambda: rng.choice(["up", "down"]))) for _ in range(rng.randint(0, 2))],
        "stages": stages,
    })


def dump(data: Any) -> str:
    """YAML text of `data` (libyaml's emitter: ten times faster than PyYAML's, same safe representer)."""
    return yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True, width=100)


def plausible(data: dict[str, Any]) -> dict[str, Any]:
    """`data` with rates a funnel can follow (each touchpoint's sum below 1) and its first touchpoint an
    entry: funnel and conform then get past their refusals, and the mutation breaks a journey that computes."""
    for s, stage in enumerate(data["stages"]):
        for t, touchpoint in enumerate(stage.get("touchpoints", [])):
            moves = touchpoint.get("next", [])
            for move in moves:
                move["rate"] = round(1 / (len(moves) + 1), 3)
            touchpoint.pop("share", None)  # entry shares that do not sum to 1 are refused
            if s == 0 and t == 0:
                touchpoint["entry"] = True
    return data


def touchpoint_ids(data: Any) -> list[str]:
    """The touchpoint ids of a journey, for options and event logs that name them."""
    out = []
    for stage in (data.get("stages") or []) if isinstance(data, dict) else []:
        for touchpoint in (stage.get("touchpoints") or []) if isinstance(stage, dict) else []:
            if isinstance(touchpoint, dict) and isinstance(touchpoint.get("id"), str):
                out.append(touchpoint["id"])
    return out


def events_of(data: Any) -> list[str]:
    """Every event name a journey maps (its touchpoints' ids and `events`)."""
    out = touchpoint_ids(data)
    for stage in data.get("stages") or []:
        for touchpoint in stage.get("touchpoints") or []:
            out += [e for e in touchpoint.get("events") or [] if isinstance(e, str)]
    return out


# --- the mutations ---------------------------------------------------------------------------------------

HUGE_NUMBERS = [10**30, -10**30, 2**63, -2**63 - 1, 2**64, 10**400, 1e308, -1e308, 5e-324, float("inf"),
                float("-inf"), float("nan"), -0.0, 1.0000000000000002, 999999999999999999999, "day " + "9" * 30,
                "day -99999999999", "day 1e9", True]
DATES = ["9999-12-31", "0001-01-01", "2026-02-30", "10000-01-01", "2026-11-23T25:61:61Z", "", "yesterday",
         dt.date(9999, 12, 31), dt.date(1, 1, 1), dt.datetime(9999, 12, 31, 23, 59, 59), 20261123, "2026-11-23"]
DURATIONS = ["9999999w", "99999999999999999999d", "0d", "0min", "-1d", "1e9w", "9999999999min", "1.5.5h", "", "w",
             "999999999999999999999999999999h", "0.0000001min", "1 d", "1D", "P1D", 7, 1e308, "9999999.9w"]
TAGS = ["!!python/object/apply:os.system ", "!!binary ", "!evil ", "!!str ", "!!int ", "!!map ", "!!seq ",
        "!<tag:yaml.org,2002:python/name:os.system> ", "!!python/name:builtins.print ", "!!set ", "!!timestamp ",
        "!!float ", "!!null ", "!!bool "]
RAW_BYTES = [b"\xff", b"\xfe\xff", b"\xc3", b"\xed\xa0\x80", b"\xc0\x80", b"\x00", b"\x1b", b"\xe2\x80\xae",
             b"\x85", b"\xef\xbb\xbf", b"\r", b"\t", b"\x0b\x0c", b"\xc2\x85", b"\xf4\x90\x80\x80"]
NOT_A_MAPPING = [b"", b"~", b"[]", b"- 1\n- 2\n", b"42", b"'text'", b"{}", b"journeyctl: 1", b"? [a, b]\n: c\n",
                 b"%YAML 1.1\n---\nid: x\n", b"%TAG ! tag:x,2000:\n---\n!a b", b"\xef\xbb\xbf", b"\x00\x00\x00",
                 b"journeyctl: 1\nid: a\ntitle: t\nstages: []\n", b"journeyctl: 1\nid: a\ntitle: t\nstages: [{}]\n"]
CLASSIC = ["drop-key", "change-type", "truncate", "duplicate-key", "rename-reference"]
HOSTILE = ["tag-on-key", "huge-number", "extreme-date", "extreme-duration", "hostile-text", "deep-nesting",
           "non-utf8", "raw-control", "alias", "long-list", "encoding", "not-a-mapping", "none"]
KINDS = CLASSIC + HOSTILE


def value_paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path into nested dicts and lists, the root's () first."""
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += value_paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += value_paths(v, prefix + (i,))
    return out


def parent_of(data: Any, path: tuple) -> tuple[Any, Any]:
    """The container holding `path`'s last step, and that step."""
    for step in path[:-1]:
        data = data[step]
    return data, path[-1]


def _keyed_lines(lines: list[str]) -> list[int]:
    return [i for i, line in enumerate(lines) if ": " in line and not line.lstrip(" -").startswith(("'", '"'))] or [0]


def _split_key(line: str) -> tuple[str, str, str]:
    """A `key: value` line as (indentation with any `- `, key, value)."""
    body = line.lstrip(" -")
    key, _, value = body.partition(": ")
    return line[: len(line) - len(body)], key, value


def _data_mutation(rng: Random, kind: str, data: dict[str, Any]) -> None:
    paths = [p for p in value_paths(data) if p]
    wanted = {"huge-number": ("rate", "share", "emotion", "target", "journeyctl", "at"),
              "extreme-duration": ("review_every", "wait", "sla"), "rename-reference": ("to", "owner", "channel", "id")}
    if kind in wanted:
        candidates = [p for p in paths if p[-1] in wanted[kind]]
    elif kind == "hostile-text":
        candidates = [p for p in paths if isinstance(parent_of(data, p)[0][p[-1]], str)]
    elif kind == "long-list":
        candidates = [p for p in paths if isinstance(parent_of(data, p)[0][p[-1]], list)]
    else:
        candidates = paths
    parent, last = parent_of(data, rng.choice(candidates or paths))
    if kind == "drop-key":
        del parent[last]
    elif kind == "change-type":
        parent[last] = rng.choice([rng.randint(-10**6, 10**6), True, False, None, _text(rng), [1, 2], {"a": 1}, 1.5, []])
    elif kind == "rename-reference":
        parent[last] = _id(rng)
    elif kind == "huge-number":
        parent[last] = rng.choice(HUGE_NUMBERS)
    elif kind == "extreme-duration":
        parent[last] = rng.choice(DURATIONS)
    elif kind == "hostile-text":
        value = rng.choice(SPECIAL_TEXT)
        parent[last] = parent[last] + value if isinstance(parent[last], str) and rng.random() < 0.5 else value
    elif kind == "long-list":
        items = parent[last] if isinstance(parent[last], list) and parent[last] else [_id(rng)]
        parent[last] = [items[i % len(items)] for i in range(rng.randint(100, 2000))]
    elif kind == "extreme-date":
        data["reviewed"] = rng.choice(DATES)
        if rng.random() < 0.5:
            data["review_every"] = rng.choice(DURATIONS)


def _text_mutation(rng: Random, kind: str, text: str) -> bytes:
    lines = text.split("\n")
    raw = text.encode("utf-8")
    if kind == "truncate":
        return raw[: rng.randint(0, max(0, len(raw) - 1))]
    if kind == "duplicate-key":
        i = rng.choice(_keyed_lines(lines))
        indent, key, value = _split_key(lines[i])
        lines.insert(i + 1, " " * len(indent) + f"{key}: {value}")
    elif kind == "tag-on-key":
        for i in {rng.choice(_keyed_lines(lines)) for _ in range(rng.randint(1, 3))}:
            indent, key, value = _split_key(lines[i])
            lines[i] = f"{indent}{rng.choice(TAGS)}{key}: {value}"
    elif kind == "deep-nesting":
        depth = rng.choice([20, 100, 500, 1000, 3000, 10000])
        i = rng.choice(_keyed_lines(lines))
        indent, key, _ = _split_key(lines[i])
        nested = rng.choice(["[" * depth + "]" * depth, "{a: " * depth + "1" + "}" * depth, "[" * depth])
        if rng.random() < 0.2:  # block style: one level per line
            nested = "\n" + "".join(f"{' ' * (len(indent) + 2 + 2 * n)}- \n" for n in range(min(depth, 300)))
        lines[i] = f"{indent}{key}: {nested}"
    elif kind == "alias":
        choice = rng.randint(0, 3)
        if choice == 0:  # a small billion laughs: 10**7 references, little text
            bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
                f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join([f'*{chr(97 + n)}'] * 10)}]\n" for n in range(6))
            return (bomb + text).encode("utf-8")
        i = rng.choice(_keyed_lines(lines))
        indent, key, _ = _split_key(lines[i])
        lines[i] = {1: f"{indent}{key}: *nowhere", 2: f"{indent}<<: {{{key}: 1}}", 3: f"{indent}{key}: &loop [*loop]"}[choice]
    elif kind in ("non-utf8", "raw-control"):
        for _ in range(rng.randint(1, 3)):
            at = rng.randint(0, len(raw))
            raw = raw[:at] + rng.choice(RAW_BYTES) + raw[at:]
        return raw
    elif kind == "encoding":
        how = rng.choice(["utf-16", "utf-16-le", "utf-32", "latin-1", "bom", "crlf", "cr", "two-docs", "tabs",
                          "empty-doc", "utf-16-bom-lie"])
        if how in ("utf-16", "utf-16-le", "utf-32"):
            return text.encode(how)
        if how == "latin-1":
            return text.encode("latin-1", errors="replace") + "é\n".encode("latin-1")
        return {"bom": b"\xef\xbb\xbf" + raw, "crlf": raw.replace(b"\n", b"\r\n"), "cr": raw.replace(b"\n", b"\r"),
                "two-docs": b"---\n" + raw + b"\n---\n" + raw, "tabs": raw.replace(b"  ", b"\t"),
                "empty-doc": b"---\n...\n" + raw, "utf-16-bom-lie": b"\xff\xfe" + raw}[how]
    elif kind == "not-a-mapping":
        return rng.choice(NOT_A_MAPPING)
    return "\n".join(lines).encode("utf-8")


def mutate(rng: Random, data: dict[str, Any], kind: str | None = None) -> tuple[str, bytes]:
    """(kind, bytes): `data` (not changed) broken once by `kind` (default: one drawn)."""
    kind = kind or rng.choice(KINDS)
    data = copy.deepcopy(data)
    if kind in ("drop-key", "change-type", "rename-reference", "huge-number", "extreme-duration", "hostile-text",
                "long-list", "extreme-date"):
        _data_mutation(rng, kind, data)
        return kind, dump(data).encode("utf-8")
    return kind, _text_mutation(rng, kind, dump(data))


def seeded(seed: int, *, rates: bool = False) -> tuple[Random, dict[str, Any]]:
    """The generator for `seed` and the journey it made first; rates: three times in four, rates a funnel
    can follow (the journey's touchpoint ids then name options and log events that mean something)."""
    rng = Random(seed)
    data = journey(rng)
    if rates and rng.random() < 0.75:
        data = plausible(data)
    return rng, data


def mutant(seed: int, *, rates: bool = False) -> tuple[str, bytes]:
    """One mutant, the same for the same seed."""
    rng, data = seeded(seed, rates=rates)
    return mutate(rng, data)


def batch(seed: int, size: int, *, rates: bool = False) -> list[tuple[str, bytes]]:
    """`size` mutants from one seed (each its own journey)."""
    return [mutant(seed * 1_000 + i, rates=rates) for i in range(size)]


# --- event logs for conform ------------------------------------------------------------------------------

GOOD_TIMES = ["2025-03-01T10:00:00Z", "2025-03-01T10:00:00+01:00", "2025-03-01T10:00:00", "2025-03-01 10:00:00",
              "2025-03-01T10:00:00.123456Z", "2025-03-01", "2025-03-02T23:59:59-12:00"]
ODD_TIMES = ["2025-13-45T00:00:00Z", "", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00", "1700000000",
             "2025-03-01T10:00:00+25:00", "x" * 300, "\x00", "NaN", "2025-02-29T00:00:00Z", "24:00", "-2025-01-01",
             "2025-03-01T10:00:00.1234567891234Z", "+12025-03-01T00:00:00Z", "2025-03-01T10:00:00\u202eZ", "null",
             "2025-W09-6", "1e400", "2025-03-01T10:00:00 Z", "10000-01-01T00:00:00Z"]
LOG_MUTATIONS = ["none", "bad-rows", "wrong-columns", "non-utf8", "bom", "crlf", "empty", "header-only",
                 "not-objects", "wrong-types", "big-field", "nul", "quotes"]


def event_log(rng: Random, data: Any, fmt: str) -> tuple[str, bytes]:
    """(mutation, bytes): an event log of customers walking (or not) the journey's events, in "csv" or
    "jsonl", broken by one of LOG_MUTATIONS."""
    events = (events_of(data) if isinstance(data, dict) else []) or ["e"]
    start = 1_740_823_200  # 2025-03-01T10:00:00Z
    rows = []
    for c in range(rng.randint(0, 8)):
        customer = rng.choice([f"u{c}", f"u{c}", "", "\u202eu", "0", "u,1", 'u"q', "u\n2"])
        t = start
        for _ in range(rng.randint(0, 8)):
            t += rng.choice([0, 60, 3600, 86400, 86400 * 400, -3600])
            if rng.random() < 0.85:
                when = dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            else:
                when = rng.choice(GOOD_TIMES + ODD_TIMES)
            event = rng.choice(events) if rng.random() < 0.85 else rng.choice(["unmapped", "", _text(rng)])
            rows.append([customer, event, when])
    rng.shuffle(rows) if rng.random() < 0.2 else None
    mutation = rng.choice(LOG_MUTATIONS)
    columns = ["customer", "event", "timestamp"]
    if mutation == "wrong-columns":
        columns = rng.choice([["customer", "event"], ["Customer", "event", "timestamp"], ["customer", "event", "time"],
                              ["customer", "event", "timestamp", "extra"], ["customer", "customer", "timestamp"],
                              ["", "event", "timestamp"], ["event", "customer", "timestamp"]])
    if mutation == "wrong-types" and fmt == "jsonl":
        rows = [[rng.choice([r[0], 7, None, [1], {"a": 1}, True]), rng.choice([r[1], 3.5, None]),
                 rng.choice([r[2], 1740823200, None, 1e400, [r[2]]])] for r in rows]
    if mutation == "big-field" and rows:
        rows[0][rng.randint(0, 2)] = "y" * rng.choice([70_000, 2_100_000])
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow(row[: len(columns)] if mutation != "bad-rows" or rng.random() < 0.6
                            else rng.choice([row[:1], row + ["x"], [], ["a,b"]]))
        text = out.getvalue()
    else:
        lines = [json.dumps(dict(zip(columns, row)), ensure_ascii=rng.random() < 0.5, allow_nan=True) for row in rows]
        if mutation == "not-objects":
            for _ in range(rng.randint(1, 3)):
                lines.insert(rng.randint(0, len(lines)), rng.choice(["[1, 2]", "42", "null", '"text"', "{", "{'a': 1}",
                                                                     "", "   ", "NaN", '{"customer": "u"}{"x": 1}']))
        if mutation == "bad-rows":
            lines = [line[: rng.randint(0, len(line))] if rng.random() < 0.3 else line for line in lines]
        text = "\n".join(lines) + ("\n" if rng.random() < 0.8 else "")
    raw = text.encode("utf-8")
    if mutation == "non-utf8" and raw:
        at = rng.randint(0, len(raw))
        raw = raw[:at] + rng.choice(RAW_BYTES) + raw[at:]
    elif mutation == "bom":
        raw = b"\xef\xbb\xbf" + raw
    elif mutation == "crlf":
        raw = raw.replace(b"\n", b"\r\n")
    elif mutation == "empty":
        raw = b""
    elif mutation == "header-only":
        raw = raw.split(b"\n", 1)[0] + b"\n" if fmt == "csv" else b"\n"
    elif mutation == "nul" and raw:
        at = rng.randint(0, len(raw))
        raw = raw[:at] + b"\x00" + raw[at:]
    elif mutation == "quotes" and fmt == "csv":
        raw = raw.replace(b",", b',"', 1) + b'"unterminated\n'
    return mutation, raw
