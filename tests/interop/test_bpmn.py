"""The BPMN 2.0 export, checked by the real clients: pm4py (import, Petri net, alignments) and bpmn-moddle.

The replay equivalence: customers simulated by tests/conform_sim.py are judged by `journeyctl conform`
(its verdict per trace travels in the exported XES as `journeyctl:fitting`) and by pm4py's alignment-based
conformance on the Petri net pm4py derives from the exported BPMN; the two must agree on every trace.
They can agree because the export only uses constructs both read the same way (docs/process-mining.md,
"What cannot agree"): a touchpoint without outcome and without a way on has no outgoing flow, and pm4py,
like conform, does not complete a trace there (a BPMN engine's implicit end would); a cross-journey or
dangling transition gets no flow (conform cannot see it in this journey's log) and is kept as
`jc:otherTransition`; a trace conform never forms (a customer with no mapped event) is not in the log.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from helpers.conform_sim import Injection, simulate
from journeyctl.conform.engine import conform_log
from journeyctl.conform.xes_export import export_xes
from journeyctl.interop.bpmn import TASK_TYPES, activity_labels, export_bpmn, xml_key
from journeyctl.format.model import Journey
from helpers.node_clients import node_modules

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "conform"
HARNESS = ROOT / "tests" / "bpmn" / "moddle.mjs"
EXAMPLES = sorted((ROOT / "examples").glob("*.journey.yaml"))


def _load(path: Path) -> Journey:
    return Journey.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def _hostile() -> Journey:
    """The render tests' hostile journey: markup, control characters, a 20,000-character name, an id
    with a colon (refused by the schema, but a journey built in code may hold one)."""
    import sys

    sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "render"))
    try:
        from hostile import hostile_journey
    finally:
        sys.path.pop(0)
    return hostile_journey()


@pytest.fixture(scope="module")
def trial() -> Journey:
    return _load(FIXTURES / "trial.journey.yaml")


def _odd_journey() -> Journey:
    """Constructs the trial lacks: a dead end, a cross-journey and a dangling transition, an outcome that
    continues, a single entry, kinds, a shared name, control characters and markup in text."""
    return Journey.model_validate({
        "journeyctl": 1, "id": "odd", "title": "Odd <&> \"journey\"", "teams": [{"id": "a", "name": "Team A"}],
        "stages": [{"id": "s", "touchpoints": [
            {"id": "in", "name": "Step", "owner": "a", "entry": True, "kind": "external",
             "pain_points": ["slow\x07 & <ugly>"], "emotion": -2,
             "next": [{"to": "mid", "when": "clicks <buy>", "rate": 0.5, "wait": "2d",
                       "handoff": {"trigger": "lead", "sla": "24h", "via": "CRM"}},
                      {"to": "dead", "rate": 0.2}, {"to": "other/x", "rate": 0.1}, {"to": "ghost"}]},
            {"id": "mid", "name": "Step", "owner": "b", "kind": "internal", "outcome": "retained",
             "next": [{"to": "in", "when": "again"}]},
            {"id": "dead", "kind": "peripheral"},
        ]}]})


def test_same_journey_same_bytes_and_one_task_per_touchpoint(trial: Journey) -> None:
    data = export_bpmn(trial)
    assert data == export_bpmn(_load(FIXTURES / "trial.journey.yaml"))
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions')
    labels = activity_labels(trial)
    assert sorted(labels) == sorted(trial.touchpoint_index())


def test_shared_names_get_unique_labels_and_kinds_map_to_task_types() -> None:
    journey = _odd_journey()
    assert activity_labels(journey) == {"in": "Step (in)", "mid": "Step (mid)", "dead": "dead"}
    assert TASK_TYPES == {"external": "userTask", "peripheral": "sendTask", "internal": "serviceTask"}


def _pm4py():
    return pytest.importorskip("pm4py", reason="pm4py (AGPL, test/benchmark only) is not installed")


def test_pm4py_imports_it_and_converts_it_to_a_petri_net(trial: Journey, tmp_path: Path) -> None:
    pm4py = _pm4py()
    for journey in [trial, _odd_journey(), _hostile(), *map(_load, EXAMPLES)]:
        path = tmp_path / "journey.bpmn"
        path.write_bytes(export_bpmn(journey))
        graph = pm4py.read_bpmn(str(path))
        net, im, fm = pm4py.convert_to_petri_net(graph)
        visible = sorted(t.label for t in net.transitions if t.label is not None)
        assert visible == sorted(activity_labels(journey).values()), journey.id
        assert sum(im.values()) == 1 and sum(fm.values()) == 1


def _moddle(paths: list[Path]) -> list[dict]:
    modules = node_modules()
    done = subprocess.run(["node", str(HARNESS), str(modules.parent), *map(str, paths)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_bpmn_moddle_loads_every_export_without_warnings(trial: Journey, tmp_path: Path) -> None:
    journeys = [trial, _odd_journey(), _hostile(), *map(_load, EXAMPLES)]
    paths = []
    for journey in journeys:
        paths.append(tmp_path / f"{len(paths)}.bpmn")
        paths[-1].write_bytes(export_bpmn(journey))
    results = _moddle(paths)
    for journey, result in zip(journeys, results):
        assert "error" not in result, (journey.id, result)
        assert result["warnings"] == [], (journey.id, result["warnings"])
        assert result["root"] == "bpmn:Definitions" and result["process"] == journey.title
        elements = {e["id"]: e for e in result["flowElements"]}
        # Every flow element and every lane is drawn (BPMN DI), so modelers show it.
        drawn = set(result["diagramElements"])
        assert set(elements) <= drawn
        index = journey.touchpoint_index()
        for tp_id, tp in index.items():
            task = elements[f"Activity_{xml_key(tp_id)}"]
            tag = TASK_TYPES.get(tp.kind or "", "task")
            assert task["type"] == "bpmn:" + tag[0].upper() + tag[1:]
            assert task["name"] == activity_labels(journey)[tp_id]
            if tp.outcome:
                assert elements[f"Event_end_{xml_key(tp_id)}"]["name"] == tp.outcome
        # A lane per owning team, named by the team.
        owners = {tp.owner for tp in index.values()}
        # Characters XML 1.0 cannot carry at all come through as U+FFFD.
        names = {t.id: re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f]", "\ufffd", t.name or t.id) for t in journey.teams}
        assert {lane["name"] for lane in result["lanes"]} == {names.get(o, o) if o else "(no owner)" for o in owners}
        by_key = {xml_key(tp_id): tp for tp_id, tp in index.items()}
        for lane in result["lanes"]:
            for node in lane["nodes"]:
                if node.startswith("Activity_"):
                    owner = by_key[node[9:]].owner
                    assert (names.get(owner, owner) if owner else "(no owner)") == lane["name"]


def test_the_facts_travel_in_the_extension_and_conditions_come_from_when(tmp_path: Path) -> None:
    journey = _odd_journey()
    path = tmp_path / "odd.bpmn"
    path.write_bytes(export_bpmn(journey))
    (result,) = _moddle([path])
    assert result["warnings"] == []
    elements = {e["id"]: e for e in result["flowElements"]}
    assert elements["Activity_in"]["type"] == "bpmn:UserTask"
    assert elements["Activity_mid"]["type"] == "bpmn:ServiceTask"
    assert elements["Activity_dead"]["type"] == "bpmn:SendTask"
    assert elements["Activity_dead"]["outgoing"] == []  # a dead end: no way on (see the module docstring)
    # in → split (mid, dead); the flow to mid carries its condition and the hand-off facts.
    to_mid = next(e for e in result["flowElements"]
                  if e["type"] == "bpmn:SequenceFlow" and e["source"] == "Gateway_split_in" and e["target"] == "Activity_mid")
    assert to_mid["name"] == "clicks <buy>" and to_mid["condition"] == "clicks <buy>"
    assert elements["Gateway_split_in"]["type"] == "bpmn:ExclusiveGateway"
    assert elements["Gateway_split_mid"]["type"] == "bpmn:ExclusiveGateway"  # back to in, or end "retained"
    assert elements["Event_end_mid"]["name"] == "retained"
    (facts,) = result["extensions"]["Activity_in"]
    assert facts["emotion"] == "-2" and facts["entry"] == "true" and facts["kind"] == "external"
    children = {(c["type"], c.get("text"), c.get("to")) for c in facts["children"]}
    assert ("jc:painPoint", "slow\ufffd & <ugly>", None) in children
    assert ("jc:otherTransition", None, "other/x") in children and ("jc:otherTransition", None, "ghost") in children
    xml = path.read_text(encoding="utf-8")
    assert '<jc:transition to="mid" rate="0.5" wait="2d">' in xml
    assert '<jc:handoff trigger="lead" sla="24h" via="CRM" />' in xml


def _per_trace(pm4py, xes: Path, bpmn: Path) -> tuple[dict[str, bool], dict[str, bool]]:
    """(conform's verdict, pm4py's alignment verdict) per trace name."""
    log = pm4py.convert_to_event_log(pm4py.read_xes(str(xes), return_legacy_log_object=False))
    net, im, fm = pm4py.convert_to_petri_net(pm4py.read_bpmn(str(bpmn)))
    aligned = pm4py.conformance_diagnostics_alignments(log, net, im, fm, multi_processing=False)
    ours = {t.attributes["concept:name"]: bool(t.attributes["journeyctl:fitting"]) for t in log}
    theirs = {t.attributes["concept:name"]: a["fitness"] == 1.0 for t, a in zip(log, aligned)}
    return ours, theirs


@pytest.mark.parametrize("seed, inject", [
    (20260301, None),
    (7, Injection(not_entry=0.3, remove_step=0.3, foreign_step=0.3, stop_early=0.3, tie=0.2)),
])
def test_pm4py_alignments_fit_exactly_the_traces_conform_calls_fitting(trial: Journey, tmp_path: Path,
                                                                     seed: int, inject: Injection | None) -> None:
    pm4py = _pm4py()
    sim = simulate(trial, customers=300, seed=seed, inject=inject)
    events = sim.write_csv(tmp_path / "events.csv")
    summary = export_xes(trial, events, tmp_path / "mapped.xes")
    result = conform_log(trial, events)
    assert (summary.traces, summary.fitting) == (result.traces, result.fitting) == (sim.truth["traces"],
                                                                                   sim.truth["fitting"])
    (tmp_path / "trial.bpmn").write_bytes(export_bpmn(trial))
    ours, theirs = _per_trace(pm4py, tmp_path / "mapped.xes", tmp_path / "trial.bpmn")
    assert len(ours) == result.traces
    assert 0 < sum(ours.values()) < len(ours)  # both verdicts occur
    assert ours == theirs


def test_alignments_agree_on_the_odd_constructs(tmp_path: Path) -> None:
    """Dead ends, an outcome that continues, loops back to the entry: every short walk, judged by both."""
    pm4py = _pm4py()
    journey = _odd_journey()
    rows = ["customer,event,timestamp"]
    walks = [["in"], ["in", "mid"], ["in", "dead"], ["in", "mid", "in", "mid"], ["mid"], ["in", "mid", "in"],
             ["in", "in"], ["dead"], ["in", "mid", "dead"]]
    for n, walk in enumerate(walks):
        rows += [f"c{n},{tp},2025-01-01T00:00:{i:02d}Z" for i, tp in enumerate(walk)]
    (tmp_path / "events.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    summary = export_xes(journey, tmp_path / "events.csv", tmp_path / "mapped.xes")
    assert summary.traces == len(walks) and summary.fitting == 2  # in→mid, in→mid→in→mid
    (tmp_path / "odd.bpmn").write_bytes(export_bpmn(journey))
    ours, theirs = _per_trace(pm4py, tmp_path / "mapped.xes", tmp_path / "odd.bpmn")
    assert ours == theirs
    assert {k for k, v in ours.items() if v} == {"c1", "c3"}


def test_export_command_writes_the_same_bytes(tmp_path: Path) -> None:
    import os
    import sys

    source = EXAMPLES[0]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for name in ("a.bpmn", "b.bpmn"):
        done = subprocess.run([sys.executable, "-m", "journeyctl", "export", str(source), "--format", "bpmn",
                               "-o", str(tmp_path / name)], capture_output=True, text=True, env=env, timeout=60)
        assert done.returncode == 0, done.stderr
    # The command names lanes from the workspace's shared catalog too, as render does.
    from journeyctl.check.workspace import catalog_models
    from journeyctl.config import load_settings

    catalogs = catalog_models([source], load_settings(None, [source]))
    assert catalogs, "examples/ has a shared catalog"
    expected = export_bpmn(_load(source), catalogs)
    assert (tmp_path / "a.bpmn").read_bytes() == (tmp_path / "b.bpmn").read_bytes() == expected
    assert expected != export_bpmn(_load(source)), "the catalog's team names reach the lanes"


def test_the_diagram_puts_every_node_inside_its_lane_and_every_edge_on_its_ends(trial: Journey) -> None:
    """BPMN DI: lanes tile the pool, each node's shape lies in its lane, each edge starts on its source's
    shape and ends on its target's, and no two shapes overlap."""
    import xml.etree.ElementTree as ET

    ns = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
          "dc": "http://www.omg.org/spec/DD/20100524/DC", "di": "http://www.omg.org/spec/DD/20100524/DI"}
    for journey in [trial, _odd_journey(), *map(_load, EXAMPLES)]:
        root = ET.fromstring(export_bpmn(journey))
        bounds = {}
        for shape in root.iterfind(".//bpmndi:BPMNShape", ns):
            b = shape.find("dc:Bounds", ns)
            bounds[shape.get("bpmnElement")] = tuple(float(b.get(k)) for k in ("x", "y", "width", "height"))

        def inside(point, box, slack=0.5) -> bool:
            x, y, w, h = box
            return x - slack <= point[0] <= x + w + slack and y - slack <= point[1] <= y + h + slack

        lanes = root.findall(".//bpmn:lane", ns)
        for lane in lanes:
            lx, ly, lw, lh = bounds[lane.get("id")]
            for ref in lane.findall("bpmn:flowNodeRef", ns):
                x, y, w, h = bounds[ref.text]
                assert lx <= x and x + w <= lx + lw and ly <= y and y + h <= ly + lh, (journey.id, ref.text)
        nodes = [n for n in bounds if not n.startswith(("Lane_", "Participant_"))]
        for i, a in enumerate(nodes):
            for b in nodes[i + 1:]:
                ax, ay, aw, ah = bounds[a]
                bx, by, bw, bh = bounds[b]
                assert ax + aw <= bx or bx + bw <= ax or ay + ah <= by or by + bh <= ay, (journey.id, a, b)
        flows = {f.get("id"): f for f in root.iterfind(".//bpmn:sequenceFlow", ns)}
        for edge in root.iterfind(".//bpmndi:BPMNEdge", ns):
            flow = flows[edge.get("bpmnElement")]
            points = [(float(p.get("x")), float(p.get("y"))) for p in edge.findall("di:waypoint", ns)]
            assert inside(points[0], bounds[flow.get("sourceRef")]) and inside(points[-1], bounds[flow.get("targetRef")])
            for (x1, y1), (x2, y2) in zip(points, points[1:]):
                assert x1 == x2 or y1 == y2  # orthogonal
        assert set(flows) == {e.get("bpmnElement") for e in root.iterfind(".//bpmndi:BPMNEdge", ns)}


def test_export_command_bad_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    import os
    import sys

    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "journeyctl", "export", *args], capture_output=True, text=True,
                              env=env, timeout=60)

    done = run(str(tmp_path / "missing.journey.yaml"), "-f", "bpmn", "-o", str(tmp_path / "x.bpmn"))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"{tmp_path / 'missing.journey.yaml'}:1:1: error file-error" in done.stderr
    # -o into a directory that does not exist creates it (as every command does) ...
    done = run(str(EXAMPLES[0]), "-f", "bpmn", "-o", str(tmp_path / "nowhere" / "x.bpmn"))
    assert done.returncode == 0 and (tmp_path / "nowhere" / "x.bpmn").is_file()
    # ... and a path that cannot become a directory is one line, exit 2.
    (tmp_path / "afile").write_text("")
    done = run(str(EXAMPLES[0]), "-f", "bpmn", "-o", str(tmp_path / "afile" / "x.bpmn"))
    assert done.returncode == 2
    assert done.stderr == (f"journeyctl: {tmp_path / 'afile' / 'x.bpmn'}: cannot create the directory "
                           f"{tmp_path / 'afile'}: {tmp_path / 'afile'} is a file\n")
    assert not (tmp_path / "x.bpmn").exists()
