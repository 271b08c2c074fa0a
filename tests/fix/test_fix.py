"""The fix engine and `journeyctl fix`: exact edits, byte-identical surroundings, idempotence."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from journeyctl.config import Config
from journeyctl.check.findings import Finding
from journeyctl.fix import Edit, apply_edits, fixes_for, parse_path
from journeyctl.fix.run import fix_paths
from journeyctl.check.live import LiveWorkspace
from journeyctl.format.loader import load_text

FIXTURE = Path(__file__).parents[1] / "fixtures" / "fix" / "broken.journey.yaml"


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    return subprocess.run([sys.executable, "-m", "journeyctl", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=60)


def _findings(path: Path, text: str | None = None) -> list[Finding]:
    ws = LiveWorkspace(Config(root=path.parent), [path])
    if text is not None:
        ws.set_text(path, text)
    return ws.findings(path)


def test_parse_path_round_trips_format_path() -> None:
    assert parse_path("stages[0].touchpoints[12].next[3].to") == ("stages", 0, "touchpoints", 12, "next", 3, "to")
    assert parse_path("personas[2]") == ("personas", 2)
    assert parse_path("") == ()


def test_apply_edits_refuses_overlaps() -> None:
    assert apply_edits("abcdef", [Edit(4, 5, "E"), Edit(0, 1, "A")]) == "AbcdEf"
    with pytest.raises(ValueError):
        apply_edits("abcdef", [Edit(0, 3, "x"), Edit(2, 4, "y")])


def test_each_safe_fix_edits_exactly_its_span(tmp_path: Path) -> None:
    path = tmp_path / "a.journey.yaml"
    text = FIXTURE.read_text()
    path.write_text(text)
    doc = load_text(text, path)
    # YAML 1.2: `title: on` is the text "on" and `entry: yes` the text "yes"; neither stops the rules, so
    # round one has every safe fix: yaml-ambiguous applies the spelling its message names
    first = {(f.finding.rule, f.finding.line): f for f in fixes_for(doc, _findings(path), unsafe=False)}
    assert sorted(first) == [("missing-handoff", 17), ("unknown-reference", 14), ("unused-suppression", 10),
                             ("yaml-ambiguous", 3), ("yaml-ambiguous", 15)]
    assert first[("yaml-ambiguous", 3)].edits == (Edit(text.index("on   #"), text.index("on   #") + 2, '"on"'),)
    assert first[("yaml-ambiguous", 15)].edits == (Edit(text.index("yes"), text.index("yes") + 3, "true"),)
    text = apply_edits(text, first[("yaml-ambiguous", 3)].edits + first[("yaml-ambiguous", 15)].edits)
    path.write_text(text)
    doc = load_text(text, path)
    fixes = {(f.finding.rule, f.finding.line): f for f in fixes_for(doc, _findings(path), unsafe=False)}
    assert sorted(fixes) == [("missing-handoff", 17), ("unknown-reference", 14), ("unused-suppression", 10)]
    typo = fixes[("unknown-reference", 14)]
    assert typo.edits == (Edit(text.index("emial"), text.index("emial") + 5, "email"),)
    handoff = [f for f in fixes_for(doc, _findings(path)) if f.finding.rule == "missing-handoff"]
    assert len(handoff) == 1
    at = text.index("kickoff   # go") + len("kickoff   # go")
    assert handoff[0].edits == (Edit(at, at, '\n            handoff:\n              trigger: '
                                                '"TODO: the event that passes the customer on"'),)
    unused = sorted((f for f in fixes_for(doc, _findings(path)) if f.finding.rule == "unused-suppression"),
                    key=lambda f: f.finding.message)
    start = text.index("dead-end, orphan")
    assert unused[0].edits == (Edit(start, start + len("dead-end, orphan"), "orphan"),)
    assert unused[1].edits == (Edit(start, start + len("dead-end, orphan"), "dead-end"),)
    text = apply_edits(text, unused[0].edits)  # the last rule of a comment alone on its line: the line goes
    path.write_text(text)
    (last,) = [f for f in fixes_for(load_text(text, path), _findings(path)) if f.finding.rule == "unused-suppression"]
    line = text.index("    # journeyctl")
    assert last.edits == (Edit(line, text.index("    touchpoints"), ""),)


def test_unsafe_declare_only_with_unsafe(tmp_path: Path) -> None:
    path = tmp_path / "a.journey.yaml"
    text = FIXTURE.read_text().replace("title: on", 'title: "on"')
    path.write_text(text)
    doc = load_text(text, path)
    safe = fixes_for(doc, _findings(path), unsafe=False)
    assert all(f.safe for f in safe)
    unsafe = [f for f in fixes_for(doc, _findings(path), unsafe=True) if not f.safe]
    ghost = [f for f in unsafe if "ghost" in f.title]
    at = text.index("teams:")
    assert ghost[0].edits == (Edit(at, at, "personas:\n  - id: ghost\n"),)
    emial = [f for f in unsafe if "emial" in f.title]  # the typo can also be declared, flow style
    at = text.index("{id: web}") + len("{id: web}")
    assert emial[0].edits == (Edit(at, at, ", {id: emial}"),)


def test_yaml_ambiguous_rewrites_booleans_and_quotes_text(tmp_path: Path) -> None:
    """Keyed on rule yaml-ambiguous and the scalar node, whatever the finding's message says."""
    text = "journeyctl: 1\nid: a\ntitle: Yes\nstages:\n  - id: s\n    touchpoints:\n      - id: t\n        entry: yes\n"
    doc = load_text(text, tmp_path / "a.journey.yaml")
    on_bool = Finding("yaml-ambiguous", "warning", "a", 8, 16, "x", "stages[0].touchpoints[0].entry")
    on_text = Finding("yaml-ambiguous", "warning", "a", 3, 8, "x", "title")
    by_position = Finding("yaml-ambiguous", "warning", "a", 8, 16, "x")
    fixes = fixes_for(doc, [on_bool, on_text, by_position])
    at = text.index("yes")
    assert [f.edits for f in fixes] == [(Edit(at, at + 3, "true"),), (Edit(text.index("Yes"), text.index("Yes") + 3, '"Yes"'),),
                                        (Edit(at, at + 3, "true"),)]


def test_fix_cli_diff_writes_nothing_and_fix_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "a.journey.yaml"
    original = FIXTURE.read_text()
    path.write_text(original)
    shown = _cli("fix", "--diff", "a.journey.yaml", cwd=tmp_path)
    assert shown.returncode == 1, shown.stderr
    assert path.read_text() == original
    assert shown.stdout.startswith("--- a/a.journey.yaml\n+++ b/a.journey.yaml\n")
    assert '-title: on   # trailing comment\n+title: "on"   # trailing comment\n' in shown.stdout
    assert "a.journey.yaml:14:18: would fix unknown-reference: Change to 'email'" in shown.stderr
    applied = _cli("fix", "a.journey.yaml", cwd=tmp_path)
    assert applied.returncode == 1  # the hand-off placeholder and the undeclared persona remain
    fixed = path.read_text()
    # title quoted, entry: true, two unused suppressions, the typo, the hand-off skeleton
    assert "6 fixes applied, 5 findings remaining" in applied.stderr
    assert 'title: "on"   # trailing comment\n' in fixed and "        entry: true\n" in fixed
    assert "handoff-without-sla" in applied.stderr and "unknown persona 'ghost'" in applied.stderr
    again = _cli("fix", "a.journey.yaml", cwd=tmp_path)
    assert path.read_text() == fixed
    assert "0 fixes applied, 5 findings remaining" in again.stderr
    unsafe = _cli("fix", "--unsafe", "a.journey.yaml", cwd=tmp_path)
    assert "personas:\n  - id: ghost\nteams:" in path.read_text()
    assert "1 fix applied, 4 findings remaining" in unsafe.stderr


def test_fix_cli_on_the_clean_examples_changes_nothing_and_exits_0(tmp_path: Path) -> None:
    import shutil

    examples = Path(__file__).resolve().parents[2] / "examples"
    # `make demo` leaves a result cache in examples/: copy the journeys, not a local cache.
    shutil.copytree(examples, tmp_path / "ex", ignore=shutil.ignore_patterns(".journeyctl_cache"))
    before = {p.name: p.read_bytes() for p in (tmp_path / "ex").iterdir()}
    result = _cli("fix", "ex", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "0 fixes applied, 0 findings remaining\n")
    assert {p.name: p.read_bytes() for p in (tmp_path / "ex").iterdir()} == before


# --- properties -------------------------------------------------------------------------------------------
_WORDS = st.sampled_from(["on", "off", "yes", "no", "Y", "N", "On", "NO"])
_TEAMS = st.sampled_from(["sales", "success", "support"])


@st.composite
def journeys(draw: st.DrawFn) -> str:
    """A small journey with some of: an ambiguous title, a channel typo, team changes, suppressions."""
    lines = ["journeyctl: 1", "id: j", f"title: {draw(st.sampled_from(['Plain title', draw(_WORDS)]))}  # note",
             "objectives: [grow]", "teams: [{id: sales}, {id: success}, {id: support}]"]
    flow_channels = draw(st.booleans())
    lines += ["channels: [{id: email}, {id: web}]"] if flow_channels else ["channels:", "  - id: email",
                                                                           "  - id: web"]
    lines += ["metrics: [{id: m}]", "stages:", "  - id: s", "    goal: g", "    kpis: [m]"]
    if draw(st.booleans()):
        lines.append(f"    # journeyctl: disable={draw(st.sampled_from(['dead-end', 'orphan', 'dead-end, all']))}")
    lines.append("    touchpoints:")
    count = draw(st.integers(2, 4))
    for i in range(count):
        owner = draw(_TEAMS)
        channel = draw(st.sampled_from(["email", "web", "emial", "wbe"]))
        last = i == count - 1
        if draw(st.booleans()) and not last:
            lines.append(f"      - {{id: t{i}, owner: {owner}, channel: {channel}{', entry: true' if i == 0 else ''}, "
                         f"next: [{{to: t{i + 1}}}]}}")
            continue
        lines += [f"      - id: t{i}", f"        owner: {owner}", f"        channel: {channel}  # c{i}"]
        if i == 0:
            lines.append("        entry: true")
        if last:
            lines.append("        outcome: converted")
        else:
            lines += ["        next:", f"          - to: t{i + 1}", f"            when: w{i}"]
    return "\n".join(lines) + "\n"


def _key(f: Finding) -> tuple[str, str]:
    return f.rule, f.message


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=journeys(), pick=st.integers(0, 100))
def test_any_safe_fix_parses_keeps_the_rest_and_removes_its_finding(tmp_path: Path, text: str, pick: int) -> None:
    path = tmp_path / "j.journey.yaml"
    path.write_text(text)
    before = _findings(path)
    fixes = fixes_for(load_text(text, path), before, unsafe=False)
    if not fixes:
        return
    fix = fixes[pick % len(fixes)]
    (edit,) = fix.edits
    after = apply_edits(text, fix.edits)
    load_text(after, path)  # parses (raises LoadError otherwise)
    assert after[:edit.start] == text[:edit.start]
    assert after[edit.start + len(edit.text):] == text[edit.end:]
    remaining = [_key(f) for f in _findings(path, after)]
    assert remaining.count(_key(fix.finding)) == [_key(f) for f in before].count(_key(fix.finding)) - 1


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=journeys())
def test_fix_twice_changes_nothing_the_second_time(tmp_path: Path, text: str) -> None:
    path = tmp_path / "j.journey.yaml"
    path.write_text(text)
    config = Config(root=tmp_path)
    (first,) = fix_paths([path], config)
    path.write_text(first.after)
    (second,) = fix_paths([path], config)
    assert second.after == second.before == first.after
    assert second.applied == []


def test_fix_keeps_a_byte_order_mark_and_crlf_line_ends(tmp_path: Path) -> None:
    path = tmp_path / "a.journey.yaml"
    text = FIXTURE.read_text().replace("\n", "\r\n")
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    (result,) = fix_paths([path], Config(root=tmp_path), unsafe=True)
    from journeyctl.fix.run import write_fixes

    write_fixes([result])
    assert b"personas:\r\n  - id: ghost\r\nteams:" in path.read_bytes()
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    assert raw.count(b"\n") == raw.count(b"\r\n")  # every inserted line break follows the file's own
    assert b'title: "on"   # trailing comment\r\n' in raw


def test_an_id_is_corrected_only_where_one_declared_id_is_close(tmp_path: Path) -> None:
    path = tmp_path / "a.journey.yaml"
    text = FIXTURE.read_text().replace("title: on", "title: T")
    path.write_text(text)
    one = [f for f in fixes_for(load_text(text, path), _findings(path), unsafe=False) if "Change to" in f.title]
    assert [f.title for f in one] == ["Change to 'email'"]
    two = text.replace("{id: web}", "{id: web}, {id: emails}")  # 'emial' is now close to two channels
    path.write_text(two)
    findings = _findings(path)
    assert "unknown channel 'emial' (did you mean 'email'?)" in [f.message for f in findings]
    assert [f.title for f in fixes_for(load_text(two, path), findings, unsafe=False) if "Change to" in f.title] == []


def test_schema_did_you_mean_fixes_a_key_and_an_enum_value(tmp_path: Path) -> None:
    path = tmp_path / "a.journey.yaml"
    text = FIXTURE.read_text().replace("title: on", "title: T").replace(
        "        owner: sales\n", "        owner: sales\n        kind: externl\n        chanel_note: x\n", 1)
    path.write_text(text)
    findings = [f for f in _findings(path) if f.rule == "schema"]
    fixes = sorted(((f.finding.line, f.edits) for f in fixes_for(load_text(text, path), findings)), key=str)
    kind = text.index("externl")
    assert (text[:kind].count("\n") + 1, (Edit(kind, kind + 7, "external"),)) in fixes
    assert all(f.finding.rule == "schema" for f in fixes_for(load_text(text, path), findings))
    fixed = _cli("fix", "a.journey.yaml", cwd=tmp_path)
    assert "kind: external\n" in path.read_text() and "would" not in fixed.stderr


def test_a_fix_that_would_damage_the_file_is_not_applied(tmp_path: Path) -> None:
    """`chanel` → `channel` where the touchpoint has a channel already would make a duplicate key."""
    path = tmp_path / "a.journey.yaml"
    text = FIXTURE.read_text().replace("title: on", "title: T").replace(
        "        owner: sales\n", "        owner: sales\n        chanel: x\n", 1)
    path.write_text(text)
    findings = _findings(path)
    assert "unknown key 'chanel' in stages[0].touchpoints[0] (did you mean 'channel'?)" in [f.message for f in findings]
    assert [f for f in fixes_for(load_text(text, path), findings) if "'channel'" in f.title] == []
    (result,) = fix_paths([path], Config(root=tmp_path))
    assert "chanel: x" in result.after and "duplicate-key" not in {f.rule for f in result.remaining}


def test_the_fix_loop_refuses_an_edit_that_adds_damage(tmp_path: Path) -> None:
    from journeyctl.fix import Fix
    from journeyctl.fix.run import _try

    path = tmp_path / "a.journey.yaml"
    text = FIXTURE.read_text().replace("title: on", "title: T")
    path.write_text(text)
    ws = LiveWorkspace(Config(root=tmp_path), [path])
    before = ws.findings(path)
    at = text.index("teams:")
    damaging = Fix(before[0], "adds a second title", (Edit(at, at, "title: again\n"),))
    assert _try(ws, path, text, [damaging], before) is None
    assert ws.text(path) == text and ws.findings(path) == before
    harmless = Fix(before[0], "adds a description", (Edit(at, at, "description: d\n"),))
    assert _try(ws, path, text, [harmless], before) == [harmless]
    assert ws.text(path) == text.replace("teams:", "description: d\nteams:", 1)


def test_yaml_ambiguous_applies_the_spelling_the_rule_names(tmp_path: Path) -> None:
    """The yaml-ambiguous rule ends its message with `; write X`: X goes exactly where the scalar (or the
    key) starts, nothing else changes."""
    text = "journeyctl: 1\nid: a\non: x\nstages:\n  - id: s\n    touchpoints:\n      - id: t\n        entry: yes  # c\n"
    doc = load_text(text, tmp_path / "a.journey.yaml")
    value = Finding("yaml-ambiguous", "error", "a", 8, 16, "stages[0].touchpoints[0].entry: yes is the text "
                    "\"yes\" in YAML 1.2 (journeyctl, editors, check-jsonschema) but true in YAML 1.1; write true",
                    "stages[0].touchpoints[0].entry")
    key = Finding("yaml-ambiguous", "warning", "a", 3, 1, "key on in the journey is the text \"on\" in YAML 1.2 "
                  "but true in YAML 1.1 (PyYAML and other 1.1 tools); write \"on\"", "on")
    fixes = fixes_for(doc, [value, key])
    at, key_at = text.index("yes"), text.index("on: x")
    assert [f.edits for f in fixes] == [(Edit(at, at + 3, "true"),), (Edit(key_at, key_at + 2, '"on"'),)]
    assert apply_edits(text, [e for f in fixes for e in f.edits]) == text.replace("on: x", '"on": x').replace(
        "entry: yes", "entry: true")
