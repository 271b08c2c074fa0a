"""The designed journey as a BPMN 2.0 process (`journeyctl export JOURNEY --format bpmn`).

Process-mining tools (pm4py, Celonis, Apromore, ProM) and modelers (bpmn.io, Camunda Modeler) take the
designed process as BPMN 2.0. The mapping (docs/process-mining.md) is chosen so that the control flow
accepts exactly the traces `journeyctl conform` calls fitting: a start event before the entries, one task
per touchpoint, one exclusive gateway where a touchpoint has more than one way on (a declared transition,
or ending at its outcome), one exclusive join where more than one way leads in, and an end event per
outcome touchpoint. Everything else journeyctl knows (rates, waits, hand-offs, emotions, pain points...)
travels in the journeyctl extension namespace, so nothing is lost. Same journey, same bytes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..format.model import Journey, Touchpoint, Transition

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DI_NS = "http://www.omg.org/spec/DD/20100524/DI"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
JC_NS = "urn:journeyctl:bpmn:1"

# Touchpoint kind → BPMN task type (docs/process-mining.md, "Task types").
TASK_TYPES = {"external": "userTask", "peripheral": "sendTask", "internal": "serviceTask"}
NO_OWNER = "(no owner)"

# Layout (BPMN DI), in pixels: a column per touchpoint, a horizontal lane per team.
_LANE_H = 200
_CENTER = 80  # task centre line, from the lane's top
_COL_W = 300
_START_W = 170
_POOL_BAND = 30
_ORIGIN = (100, 80)
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SAFE_ID = re.compile(r"[A-Za-z0-9_.-]+")


def xml_key(tp_id: str) -> str:
    """The touchpoint id as the tail of an XML id (bpmn-moddle takes [A-Za-z0-9_.-] only). A schema-valid
    id is used as it is; any other (built in code, say with a colon) is spelled in hex after an
    underscore, which no valid id starts with, so the two spellings never meet."""
    return tp_id if _SAFE_ID.fullmatch(tp_id) and tp_id[0].isalnum() else "_" + tp_id.encode("utf-8").hex()


def activity_labels(journey: Journey) -> dict[str, str]:
    """Touchpoint id → the activity label its task carries (and that `conform --export-xes` writes).

    The name where the touchpoint has one, else its id; names shared by several touchpoints get the id
    appended, so every label is unique (a process-mining tool matches log and model by label alone).
    """
    index = journey.touchpoint_index()
    base = {tp_id: _label_text(tp.name or "") or _label_text(tp_id) for tp_id, tp in index.items()}
    counts: dict[str, int] = {}
    for label in base.values():
        counts[label] = counts.get(label, 0) + 1
    labels = {tp_id: (label if counts[label] == 1 else f"{label} ({tp_id})") for tp_id, label in base.items()}
    if len(set(labels.values())) != len(labels):  # a name that spells another's "name (id)": ids are unique
        return {tp_id: _label_text(tp_id) for tp_id in index}
    return labels


def _label_text(text: str) -> str:
    """A label every reader sees alike: XML-safe, on one line (XML attribute values fold line breaks,
    and pm4py's BPMN importer drops them), single-spaced."""
    return " ".join(_clean(text).split())


@dataclass
class _Node:
    """One BPMN flow node with its lane and its place in the drawing."""

    id: str
    tag: str
    lane: str
    bounds: tuple[int, int, int, int] = (0, 0, 0, 0)
    attrs: dict[str, str] = field(default_factory=dict)
    incoming: list[str] = field(default_factory=list)
    outgoing: list[str] = field(default_factory=list)
    touchpoint: Touchpoint | None = None


@dataclass
class _Flow:
    id: str
    source: str
    target: str
    transition: Transition | None = None
    conditional: bool = False


def _clean(text: str) -> str:
    """Text as XML 1.0 can carry it (control characters have no spelling there, not even escaped)."""
    return _XML_ILLEGAL.sub("\ufffd", text)


def _catalogs(catalog: Any) -> list[Any]:
    if catalog is None:
        return []
    if isinstance(catalog, Sequence) and not isinstance(catalog, (str, bytes)):
        return list(catalog)
    return [catalog]


def _team_names(journey: Journey, catalog: Any) -> dict[str, str]:
    names: dict[str, str] = {}
    for cat in _catalogs(catalog):
        for team in getattr(cat, "teams", []):
            names.setdefault(team.id, team.name or team.id)
    for team in journey.teams:
        names[team.id] = team.name or team.id  # the journey's own declaration wins
    return names


class _Builder:
    """Lays the journey out as flow nodes and flows; `xml()` writes them."""

    def __init__(self, journey: Journey, catalog: Any) -> None:
        self.journey = journey
        self.index = journey.touchpoint_index()
        self.stage_of = journey.stage_of()
        self.labels = activity_labels(journey)
        self.team_names = _team_names(journey, catalog)
        self.nodes: dict[str, _Node] = {}
        self.flows: list[_Flow] = []
        self.lanes = self._lanes()
        self._build()

    # -- structure ---------------------------------------------------------------------------------

    def _lane_of(self, tp: Touchpoint) -> str:
        return tp.owner or NO_OWNER

    def _lanes(self) -> list[str]:
        """A lane per owning team: the journey's teams in their order, then others as first met."""
        owning = [self._lane_of(tp) for tp in self.index.values()]
        declared = [t.id for t in self.journey.teams if t.id in owning]
        rest = [lane for lane in dict.fromkeys(owning) if lane not in declared and lane != NO_OWNER]
        return declared + rest + ([NO_OWNER] if NO_OWNER in owning else [])

    def _local(self, tp: Touchpoint) -> list[Transition]:
        """The transitions conform counts: local, to a touchpoint that exists, first of a repeated pair."""
        seen: set[str] = set()
        out: list[Transition] = []
        for tr in tp.next:
            if tr.journey not in (None, self.journey.id) or tr.target not in self.index or tr.target in seen:
                continue
            seen.add(tr.target)
            out.append(tr)
        return out

    def _add(self, node: _Node) -> _Node:
        self.nodes[node.id] = node
        return node

    def _flow(self, source: str, target: str, transition: Transition | None = None) -> None:
        flow = _Flow(f"Flow_{len(self.flows) + 1}", source, target, transition)
        self.flows.append(flow)
        self.nodes[source].outgoing.append(flow.id)
        self.nodes[target].incoming.append(flow.id)

    def _build(self) -> None:
        incoming: dict[str, int] = {tp_id: 0 for tp_id in self.index}
        for tp in self.index.values():
            for tr in self._local(tp):
                incoming[tr.target] += 1
        entries = [tp_id for tp_id, tp in self.index.items() if tp.entry]
        for tp_id in entries:
            incoming[tp_id] += 1

        # Entry side (join, if several ways lead in) and exit side (split, if several lead on) per task.
        enter: dict[str, str] = {}
        leave: dict[str, str] = {}
        for tp_id, tp in self.index.items():
            lane = self._lane_of(tp)
            task = self._add(_Node(f"Activity_{xml_key(tp_id)}", TASK_TYPES.get(tp.kind or "", "task"), lane,
                                   attrs={"name": self.labels[tp_id]}, touchpoint=tp))
            enter[tp_id] = leave[tp_id] = task.id
            if incoming[tp_id] > 1:
                join = self._add(_Node(f"Gateway_join_{xml_key(tp_id)}", "exclusiveGateway", lane,
                                       attrs={"gatewayDirection": "Converging"}))
                self._flow(join.id, task.id)
                enter[tp_id] = join.id
            ways = len(self._local(tp)) + (1 if tp.outcome else 0)
            if ways > 1:
                split = self._add(_Node(f"Gateway_split_{xml_key(tp_id)}", "exclusiveGateway", lane,
                                        attrs={"gatewayDirection": "Diverging"}))
                self._flow(task.id, split.id)
                leave[tp_id] = split.id

        first_lane = self._lane_of(self.index[entries[0]]) if entries else (self.lanes[0] if self.lanes else NO_OWNER)
        if not self.lanes:
            self.lanes = [first_lane]
        start = self._add(_Node("Event_start", "startEvent", first_lane, attrs={"name": "start"}))
        origin = start.id
        if len(entries) > 1:
            origin = self._add(_Node("Gateway_entry", "exclusiveGateway", first_lane,
                                     attrs={"gatewayDirection": "Diverging"})).id
            self._flow(start.id, origin)
        for tp_id in entries:
            self._flow(origin, enter[tp_id])

        for tp_id, tp in self.index.items():
            for tr in self._local(tp):
                self._flow(leave[tp_id], enter[tr.target], tr)
            if tp.outcome:
                end = self._add(_Node(f"Event_end_{xml_key(tp_id)}", "endEvent", self._lane_of(tp),
                                      attrs={"name": tp.outcome}))
                self._flow(leave[tp_id], end.id)
        for flow in self.flows:
            flow.conditional = flow.transition is not None and flow.transition.when is not None \
                and self.nodes[flow.source].tag == "exclusiveGateway"
        self._layout(entries)

    # -- layout ------------------------------------------------------------------------------------

    def _lane_y(self, lane: str) -> int:
        return _ORIGIN[1] + self.lanes.index(lane) * _LANE_H

    def _layout(self, entries: list[str]) -> None:
        left = _ORIGIN[0] + _POOL_BAND
        for col, tp_id in enumerate(self.index):
            x = left + _START_W + col * _COL_W
            cy = self._lane_y(self._lane_of(self.index[tp_id])) + _CENTER
            self._place(f"Gateway_join_{xml_key(tp_id)}", x + 10, cy - 25, 50, 50)
            self._place(f"Activity_{xml_key(tp_id)}", x + 90, cy - 40, 100, 80)
            self._place(f"Gateway_split_{xml_key(tp_id)}", x + 220, cy - 25, 50, 50)
            if f"Gateway_split_{xml_key(tp_id)}" in self.nodes:
                self._place(f"Event_end_{xml_key(tp_id)}", x + 227, cy + 45, 36, 36)  # below its split
            else:
                self._place(f"Event_end_{xml_key(tp_id)}", x + 227, cy - 18, 36, 36)
        cy = self._lane_y(self.nodes["Event_start"].lane) + _CENTER
        self._place("Event_start", left + 20, cy - 18, 36, 36)
        self._place("Gateway_entry", left + 90, cy - 25, 50, 50)

    def _place(self, node_id: str, x: int, y: int, w: int, h: int) -> None:
        if node_id in self.nodes:
            self.nodes[node_id].bounds = (x, y, w, h)

    def width(self) -> int:
        return _POOL_BAND + _START_W + len(self.index) * _COL_W + 40

    def waypoints(self, flow: _Flow) -> list[tuple[int, int]]:
        """Orthogonal route: right side out, left side in; backward flows run along the lane's foot."""
        sx, sy, sw, sh = self.nodes[flow.source].bounds
        tx, ty, tw, th = self.nodes[flow.target].bounds
        target = self.nodes[flow.target]
        if target.tag == "endEvent" and target.bounds[1] > sy + sh // 2:  # an end event below its split
            return [(sx + sw // 2, sy + sh), (tx + tw // 2, ty)]
        start, end = (sx + sw, sy + sh // 2), (tx, ty + th // 2)
        if end[0] > start[0]:
            if start[1] == end[1]:
                return [start, end]
            mid = (start[0] + end[0]) // 2
            return [start, (mid, start[1]), (mid, end[1]), end]
        foot = self._lane_y(self.nodes[flow.source].lane) + _LANE_H - 12
        return [start, (start[0] + 15, start[1]), (start[0] + 15, foot), (end[0] - 15, foot),
                (end[0] - 15, end[1]), end]

    # -- XML ---------------------------------------------------------------------------------------

    def xml(self) -> bytes:
        journey = self.journey
        root = ET.Element("bpmn:definitions", {
            "xmlns:bpmn": BPMN_NS, "xmlns:bpmndi": BPMNDI_NS, "xmlns:dc": DC_NS, "xmlns:di": DI_NS,
            "xmlns:xsi": XSI_NS, "xmlns:jc": JC_NS, "id": "Definitions_1",
            "targetNamespace": f"urn:journeyctl:journey:{journey.id}", "exporter": "journeyctl",
            "exporterVersion": _version()})
        collab = ET.SubElement(root, "bpmn:collaboration", {"id": "Collaboration_1"})
        ET.SubElement(collab, "bpmn:participant", {"id": "Participant_1", "name": _clean(journey.title),
                                                   "processRef": "Process_1"})
        process = ET.SubElement(root, "bpmn:process", {"id": "Process_1", "name": _clean(journey.title),
                                                       "isExecutable": "false"})
        _documentation(process, journey.description)
        self._journey_facts(ET.SubElement(process, "bpmn:extensionElements"))
        lane_set = ET.SubElement(process, "bpmn:laneSet", {"id": "LaneSet_1"})
        for i, lane in enumerate(self.lanes, 1):
            el = ET.SubElement(lane_set, "bpmn:lane", {"id": f"Lane_{i}", "name": _clean(self.team_names.get(lane, lane))})
            for node in self._ordered_nodes():
                if node.lane == lane:
                    ET.SubElement(el, "bpmn:flowNodeRef").text = node.id
        for node in self._ordered_nodes():
            self._node_xml(process, node)
        for flow in self.flows:
            self._flow_xml(process, flow)
        self._diagram(root)
        ET.indent(root, space="  ")
        return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8",
                                                                       xml_declaration=False) + b"\n"

    def _ordered_nodes(self) -> list[_Node]:
        """Start first, then each touchpoint's join, task, split and end, in the journey's order."""
        order = ["Event_start", "Gateway_entry"]
        for tp_id in self.index:
            order += [f"Gateway_join_{xml_key(tp_id)}", f"Activity_{xml_key(tp_id)}", f"Gateway_split_{xml_key(tp_id)}", f"Event_end_{xml_key(tp_id)}"]
        return [self.nodes[n] for n in order if n in self.nodes]

    def _node_xml(self, process: ET.Element, node: _Node) -> None:
        attrs = {"id": node.id, **{k: _clean(v) for k, v in node.attrs.items()}}
        el = ET.SubElement(process, f"bpmn:{node.tag}", attrs)
        if node.touchpoint is not None:
            _documentation(el, node.touchpoint.description)
            self._touchpoint_facts(ET.SubElement(el, "bpmn:extensionElements"), node.touchpoint)
        for flow_id in node.incoming:
            ET.SubElement(el, "bpmn:incoming").text = flow_id
        for flow_id in node.outgoing:
            ET.SubElement(el, "bpmn:outgoing").text = flow_id

    def _flow_xml(self, process: ET.Element, flow: _Flow) -> None:
        attrs = {"id": flow.id, "sourceRef": flow.source, "targetRef": flow.target}
        tr = flow.transition
        if tr is not None and tr.when:
            attrs["name"] = _clean(tr.when)
        el = ET.SubElement(process, "bpmn:sequenceFlow", attrs)
        if tr is not None:
            facts = ET.SubElement(ET.SubElement(el, "bpmn:extensionElements"), "jc:transition",
                                  _attrs(to=tr.to, rate=tr.rate, wait=tr.wait))
            if tr.handoff is not None:
                ET.SubElement(facts, "jc:handoff", _attrs(trigger=tr.handoff.trigger, sla=tr.handoff.sla,
                                                          via=tr.handoff.via))
        if flow.conditional and tr is not None and tr.when:
            cond = ET.SubElement(el, "bpmn:conditionExpression", {"xsi:type": "bpmn:tFormalExpression"})
            cond.text = _clean(tr.when)

    def _journey_facts(self, ext: ET.Element) -> None:
        j = self.journey
        el = ET.SubElement(ext, "jc:journey", _attrs(journey=j.id, owner=j.owner, status=j.status, state=j.state,
                                                      reviewed=j.reviewed, reviewEvery=j.review_every))
        for stage in j.stages:
            ET.SubElement(el, "jc:stage", _attrs(stage=stage.id, name=stage.name, emotion=stage.emotion,
                                                 goal=stage.goal))

    def _touchpoint_facts(self, ext: ET.Element, tp: Touchpoint) -> None:
        milestone = tp.milestone if isinstance(tp.milestone, str) else ("true" if tp.milestone else None)
        el = ET.SubElement(ext, "jc:touchpoint", _attrs(
            touchpoint=tp.id, stage=self.stage_of[tp.id].id, kind=tp.kind, blueprintLane=tp.lane,
            channel=tp.channel, owner=tp.owner, entry="true" if tp.entry else None, share=tp.share,
            outcome=tp.outcome, milestone=milestone, momentOfTruth="true" if tp.moment_of_truth else None,
            emotion=tp.emotion, at=tp.at))
        for name in tp.event_names:
            ET.SubElement(el, "jc:eventName").text = _clean(name)
        for text in tp.pain_points:
            ET.SubElement(el, "jc:painPoint").text = _clean(text)
        for text in tp.opportunities:
            ET.SubElement(el, "jc:opportunity").text = _clean(text)
        for ref in tp.personas:
            ET.SubElement(el, "jc:persona", {"ref": ref})
        for ref in tp.kpis:
            ET.SubElement(el, "jc:kpi", {"ref": ref})
        for ev in tp.evidence:
            ET.SubElement(el, "jc:evidence", _attrs(source=ev.source, ref=ev.ref, url=ev.url))
        local = {id(tr) for tr in self._local(tp)}
        for tr in tp.next:
            if id(tr) in local:
                continue
            # Another journey's touchpoint, a missing one, or a repeated pair: no flow, but kept.
            out = ET.SubElement(el, "jc:otherTransition", _attrs(to=tr.to, when=tr.when, rate=tr.rate, wait=tr.wait))
            if tr.handoff is not None:
                ET.SubElement(out, "jc:handoff", _attrs(trigger=tr.handoff.trigger, sla=tr.handoff.sla,
                                                        via=tr.handoff.via))

    def _diagram(self, root: ET.Element) -> None:
        diagram = ET.SubElement(root, "bpmndi:BPMNDiagram", {"id": "BPMNDiagram_1"})
        plane = ET.SubElement(diagram, "bpmndi:BPMNPlane", {"id": "BPMNPlane_1", "bpmnElement": "Collaboration_1"})
        x0, y0 = _ORIGIN
        _shape(plane, "Participant_1", (x0, y0, self.width(), len(self.lanes) * _LANE_H), horizontal=True)
        for i, lane in enumerate(self.lanes, 1):
            _shape(plane, f"Lane_{i}", (x0 + _POOL_BAND, self._lane_y(lane), self.width() - _POOL_BAND, _LANE_H),
                   horizontal=True)
        for node in self._ordered_nodes():
            _shape(plane, node.id, node.bounds, marker=node.tag == "exclusiveGateway")
        for flow in self.flows:
            edge = ET.SubElement(plane, "bpmndi:BPMNEdge", {"id": f"{flow.id}_di", "bpmnElement": flow.id})
            for x, y in self.waypoints(flow):
                ET.SubElement(edge, "di:waypoint", {"x": str(x), "y": str(y)})


def _shape(plane: ET.Element, element: str, bounds: tuple[int, int, int, int], *, horizontal: bool = False,
           marker: bool = False) -> None:
    attrs = {"id": f"{element}_di", "bpmnElement": element}
    if horizontal:
        attrs["isHorizontal"] = "true"
    if marker:
        attrs["isMarkerVisible"] = "true"
    shape = ET.SubElement(plane, "bpmndi:BPMNShape", attrs)
    x, y, w, h = bounds
    ET.SubElement(shape, "dc:Bounds", {"x": str(x), "y": str(y), "width": str(w), "height": str(h)})


def _documentation(parent: ET.Element, text: str | None) -> None:
    if text:
        ET.SubElement(parent, "bpmn:documentation").text = _clean(text)


def _attrs(**values: Any) -> dict[str, str]:
    """Attributes for the set values only, as text (floats in their shortest exact spelling)."""
    out: dict[str, str] = {}
    for key, value in values.items():
        if value is None:
            continue
        out[key] = _clean(value if isinstance(value, str) else repr(value) if isinstance(value, float) else str(value))
    return out


def _version() -> str:
    from .. import __version__

    return __version__


def export_bpmn(journey: Journey, catalog: Any = None) -> bytes:
    """The journey as BPMN 2.0 XML with diagram interchange (catalog: shared team names, optional)."""
    return _Builder(journey, catalog).xml()
