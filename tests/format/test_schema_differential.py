"""Schema = model, proven against a real validator: journeyctl's schema stage and check-jsonschema (with the
published schemas/journey.schema.json) agree on every document of a seeded, generated and mutated corpus.

The corpus starts from the example journeys and the schema's own example, and mutates values (with raw YAML
spellings: `yes`, `010`, `1.0`, `5%`, unquoted dates...), deletes keys, adds unknown ones and swaps types.
Each document is written as YAML text and read by both tools. Where they disagree, the cause must be one
journeyctl says: a `yaml-ambiguous` finding (YAML 1.1 vs 1.2: check-jsonschema's ruamel.yaml reads `1_000`
and `0b1` as numbers, journeyctl as text) or a refused non-finite number (`.nan`, `.inf`: JSON has none).
check-jsonschema runs once over the whole corpus (one process), so the test takes seconds.
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from journeyctl.check.pipeline import validate_document
from journeyctl.format.loader import LoadError, load_text
from journeyctl.format.schema import CHECKED_IN, EXAMPLE

pytest.importorskip("check_jsonschema")

REPO = Path(__file__).resolve().parents[2]
SEED = 20261204
DOCUMENTS = 2_000


class Raw(str):
    """A scalar written into the YAML exactly as given (unquoted): how both tools read it is the point."""


# Raw YAML spellings per key (the values a person types), and for any key.
POOLS: dict[str, list[str]] = {
    "journeyctl": ["1", "1.0", "2", '"1"', "true", "0x1", "01", "1e0", "+1", "1_0"],
    "emotion": ["-2", "2", "1.0", "-1.0", "2.5", "3", '"1"', "010", "01", "very bad", "+1", "1e0", "-.0", "0o1", "null"],
    "rate": ["0.5", "1.0", "1", "0", "5%", '"0.5"', "1e-3", "-.5", ".5", "1_0", "true", "null", "2"],
    "share": ["0.5", "1", "1.5", "-1", "50%", ".25", "+.5", "1e0"],
    "target": ["5", "010", "1e3", '"5"', "1_000", "3.5", "-1", "0x10", "0o10", "1:20"],
    "entry": ["true", "false", "yes", "no", "on", "off", "y", "1", '"true"', "True", "TRUE", "tRUE", "null"],
    "moment_of_truth": ["true", "false", "Yes", "N", "0"],
    "milestone": ["true", "false", "yes", "on", "Signed", "5", "1.5", '""', "null", "[a]"],
    "status": ["draft", "active", "retired", "no", "Draft", "1", "null", "on"],
    "state": ["current", "future", "Future", "off", "yes"],
    "kind": ["external", "internal", "peripheral", "External", "web", "1", "no"],
    "lane": ["frontstage", "backstage", "support", "front", "null", "on"],
    "outcome": ["converted", "retained", "churned", "Converted", "won", "n"],
    "direction": ["up", "down", "higher", "Up", "y", "null"],
    "reviewed": ['"2026-01-01"', "2026-01-01", '"2026-02-30"', "20260101", '"2026-1-1"', "2026-13-01", "null",
                 '"9999-12-31"', "2026-01-01T10:00:00"],
    "review_every": ["90d", "1h", "2w", "30min", "1 hour", "90", "1.5w", "90D", '"7d"', "null", "9999999w"],
    "sla": ["1h", "24h", "one hour", "1 hour", "24", "2d", "1.5h", "null"],
    "wait": ["3d", "3 days", "3", "0.5h"],
    "at": ['"day 3"', "day 3", "day -3", "day three", "3", "day 123456", '"Day 3"'],
    "url": ["https://example.com/x", "http://a.b", "ftp://x", "example.com", '"https://a b"', "https://x/\u00e9"],
    "id": ["a", "valid-id", "Has Space", '""', "5", "café", "a.b_c", "-x", "010", "yes", "x" * 130],
    "to": ["welcome-email", "other/entry", "bad id", "a/b/c", "010", "no", '""'],
    "owner": ["marketing", "Sales", "sales team", "5", "null", "on"],
    "channel": ["web", "Web Site", "null", "off"],
    "title": ["A title", "yes", "no", "010", "1:20", "3.10", "null", "true", '""', "1e3", "on", "2026-01-01"],
    "name": ["A name", "Yes", "0755", "1.5", "null", "y"],
}
ANY = ["yes", "no", "on", "1", "1.0", "null", '"text"', "text", "[]", "{}", "[1, 2]", "{a: 1}", "true", "010",
       "1:20", "1_000", "-.5", "1e3", "0o10", ".nan", ".inf", "=", "2026-01-01", '""', "~"]
UNKNOWN = ["chanel", "colour", "notes", "emotions", "nxt", "on", "yes"]


# Every field of the format once, small: parsing (pure-Python ruamel.yaml in check-jsonschema) stays cheap.
FULL: dict[str, Any] = {
    "journeyctl": 1, "id": "full", "title": "Every field", "description": "d", "owner": "sales", "status": "active",
    "state": "future", "reviewed": "2026-10-01", "review_every": "90d", "objectives": ["o"], "tags": ["t"],
    "links": [{"title": "Doc", "url": "https://example.com/doc"}],
    "personas": [{"id": "p", "name": "P", "role": "r", "goals": ["g"], "needs": ["n"], "pain_points": ["x"]}],
    "teams": [{"id": "sales", "name": "Sales"}], "channels": [{"id": "web"}],
    "metrics": [{"id": "m", "name": "M", "unit": "%", "target": 5, "direction": "up"}],
    "stages": [{
        "id": "s", "name": "S", "goal": "g", "kpis": ["m"], "emotion": -1,
        "customer": {"does": "d", "thinks": "t", "feels": "f"},
        "touchpoints": [
            {"id": "a", "name": "A", "kind": "external", "lane": "frontstage", "channel": "web", "owner": "sales",
             "personas": ["p"], "entry": True, "share": 1, "milestone": "Start", "moment_of_truth": True,
             "emotion": 1, "pain_points": ["x"], "opportunities": ["y"], "kpis": ["m"], "at": "day 0",
             "events": ["a_seen"], "evidence": [{"source": "survey", "ref": "Q3", "url": "https://example.com/s"}],
             "next": [{"to": "b", "when": "w", "rate": 0.5, "wait": "3d",
                       "handoff": {"trigger": "t", "sla": "24h", "via": "CRM"}}]},
            {"id": "b", "kind": "internal", "lane": "backstage", "outcome": "converted", "milestone": True},
        ],
    }],
}


def _examples() -> list[dict[str, Any]]:
    """Three small valid bases: the schema's example, every top-level field, every stage/touchpoint field."""
    top = {k: v for k, v in FULL.items() if k != "stages"}
    top["stages"] = [{"id": "s", "touchpoints": [{"id": "a", "entry": True}]}]
    stage = {k: FULL[k] for k in ("journeyctl", "id", "title", "stages")}
    return [json.loads(json.dumps(doc)) for doc in (EXAMPLE, top, stage)]


def _places(node: Any, path: tuple = ()) -> list[tuple]:
    out = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _places(value, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _places(value, path + (i,))
    return out


def _mutate(doc: dict[str, Any], rng: random.Random) -> None:
    places = [p for p in _places(doc) if p]
    path = rng.choice(places)
    parent: Any = doc
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    key = last if isinstance(last, str) else (path[-2] if len(path) > 1 and isinstance(path[-2], str) else "")
    op = rng.random()
    if op < 0.6:
        pool = POOLS.get(key, ANY) if rng.random() < 0.85 else ANY
        parent[last] = Raw(rng.choice(pool))
    elif op < 0.72 and isinstance(parent, dict):
        del parent[last]
    elif op < 0.84 and isinstance(parent, dict):
        parent[rng.choice(UNKNOWN)] = Raw(rng.choice(ANY))
    elif op < 0.92:
        parent[last] = rng.choice([[], {}, Raw("null"), ["x"], {"id": "x"}])
    elif isinstance(parent, list) and parent:
        parent.append(json.loads(json.dumps(parent[0])))  # a duplicate sibling: schema-valid, rules' business
    else:
        parent[last] = Raw(rng.choice(ANY))


def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", key) else json.dumps(key)


def _scalar(value: Any) -> str:
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return json.dumps(value)


def emit(node: Any, indent: int = 0) -> list[str]:
    """Block YAML with every scalar written by _scalar (JSON-quoted text, raw spellings as they are)."""
    pad = " " * indent
    lines: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, (dict, list)) and value:
                lines.append(f"{pad}{_key(key)}:")
                lines += emit(value, indent + 2)
            else:
                lines.append(f"{pad}{_key(key)}: {_flow(value)}")
    else:
        for value in node:
            if isinstance(value, (dict, list)) and value:
                inner = emit(value, indent + 2)
                lines.append(f"{pad}- {inner[0].lstrip()}")
                lines += inner[1:]
            else:
                lines.append(f"{pad}- {_flow(value)}")
    return lines


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return _scalar(value)


def corpus() -> list[str]:
    rng = random.Random(SEED)
    bases = _examples()
    texts = []
    for i in range(DOCUMENTS):
        doc = json.loads(json.dumps(rng.choice(bases)))
        for _ in range(rng.choice([0, 1, 1, 1, 2, 2, 3])):
            _mutate(doc, rng)
        texts.append("\n".join(emit(doc)) + "\n")
    return texts


def journeyctl_verdict(text: str) -> tuple[bool, set[str]]:
    """(valid, the reasons journeyctl gives) from journeyctl's schema stage."""
    try:
        doc = load_text(text, Path("d.journey.yaml"))
    except LoadError as exc:
        return False, {exc.rule}
    _, findings = validate_document(doc, "d.journey.yaml")
    errors = [f for f in findings if f.severity == "error"]
    reasons = {f.rule for f in findings}
    reasons |= {"non-finite" for f in errors if f.rule == "yaml-value" and "finite" in f.message}
    return not errors, reasons


PROCESSES = 2  # check-jsonschema parses with pure-Python ruamel.yaml: two halves use both cores


def start_check_jsonschema(texts: list[str], tmp: Path) -> list[tuple[subprocess.Popen, list[Path]]]:
    """check-jsonschema over the whole corpus in PROCESSES background processes."""
    paths = []
    for i, text in enumerate(texts):
        path = tmp / f"d{i:05d}.yaml"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    runs = []
    for part in range(PROCESSES):
        mine = paths[part::PROCESSES]
        proc = subprocess.Popen([sys.executable, "-m", "check_jsonschema", "-o", "JSON", "--schemafile",
                                 str(CHECKED_IN), *(p.name for p in mine)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, cwd=tmp)
        runs.append((proc, mine))
    return runs


def check_jsonschema_verdicts(runs: list[tuple[subprocess.Popen, list[Path]]], paths: int) -> list[bool]:
    failed: set[str] = set()
    names: list[str] = []
    for proc, mine in runs:
        out, err = proc.communicate(timeout=300)
        report = json.loads(out)
        failed |= {Path(e["filename"]).name for e in report["errors"] + report["parse_errors"]}
        names += [p.name for p in mine]
    assert len(names) == paths
    return [f"d{i:05d}.yaml" not in failed for i in range(paths)]


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, bool, bool, set[str]]]:
    texts = corpus()
    runs = start_check_jsonschema(texts, tmp_path_factory.mktemp("corpus"))
    ours = [journeyctl_verdict(text) for text in texts]  # meanwhile
    theirs = check_jsonschema_verdicts(runs, len(texts))
    return [(text, mine, their, reasons) for text, (mine, reasons), their in zip(texts, ours, theirs)]


def test_the_corpus_is_large_seeded_and_mixed(verdicts):
    assert len(verdicts) >= 2_000
    valid = sum(1 for _, _, their, _ in verdicts if their)
    assert 300 < valid < len(verdicts) - 300, valid  # both verdicts are well represented
    assert corpus()[:50] == [v[0] for v in verdicts[:50]]  # same seed, same documents


def test_journeyctl_and_check_jsonschema_agree_on_every_document(verdicts):
    explained = {"yaml-ambiguous", "non-finite"}
    disagreements = [(text, ours, their, sorted(reasons)) for text, ours, their, reasons in verdicts
                     if ours != their and not (reasons & explained)]
    assert disagreements == [], disagreements[:3]


def _plain(value: Any) -> Any:
    """Data as both loaders can be compared: typed keys, dates as the text written."""
    import datetime

    if isinstance(value, dict):
        return {(type(k).__name__, str(k)): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, str):
        return value
    return (type(value).__name__, repr(value))


def test_where_yaml_versions_disagree_the_finding_is_there(verdicts):
    """Every document PyYAML (YAML 1.1) reads differently from journeyctl (1.2) has a yaml-ambiguous finding."""
    checked = 0
    for text, _, _, reasons in verdicts:
        try:
            theirs = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # PyYAML's safe_load
        except (yaml.YAMLError, ValueError):  # PyYAML fails on 2026-13-01 (an impossible date) with ValueError
            continue
        try:
            ours = load_text(text, Path("d.yaml")).data
        except LoadError:
            continue
        if _plain(theirs) != _plain(ours):
            checked += 1
            assert "yaml-ambiguous" in reasons or "non-finite" in reasons or "yaml-value" in reasons, text
    assert checked > 100
