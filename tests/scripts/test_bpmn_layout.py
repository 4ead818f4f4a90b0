"""scripts/bpmn_layout.py: the diagram it adds to BPMN files, and that the files stay deployable."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from lxml import etree

from engine import bpmn_layout
from engine.deploy import deploy_source

ROOT = Path(__file__).resolve().parents[2]

DEMO_PATH = settings.WORKFLOWS_DIR / "demo" / "demo_assistance.bpmn"
ENGINE_BPMN = ROOT / "tests" / "engine" / "bpmn"
NS = {"bpmn": bpmn_layout.BPMN, "bpmndi": bpmn_layout.BPMNDI, "dc": bpmn_layout.DC, "di": bpmn_layout.DI}
DIAGRAM_BLOCK = re.compile(r"^[ \t]*<bpmndi:BPMNDiagram .*?</bpmndi:BPMNDiagram>\n", re.S | re.M)


def without_diagram(text: str) -> str:
    return DIAGRAM_BLOCK.sub("", text)


DEMO = without_diagram(DEMO_PATH.read_text(encoding="utf-8"))

LOOP = """<?xml version="1.0" encoding="UTF-8"?>
<!-- a loop: review sends the case back to the application -->
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Defs_loop" targetNamespace="t">
  <bpmn:process id="loop" isExecutable="true">
    <bpmn:laneSet id="LaneSet_loop">
      <bpmn:lane id="Lane_a" name="A">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>apply</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="Lane_b" name="B">
        <bpmn:flowNodeRef>review</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>decide</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>archive</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>done</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="apply" />
    <bpmn:task id="apply" name="apply" />
    <bpmn:sequenceFlow id="f2" sourceRef="apply" targetRef="review" />
    <bpmn:task id="review" name="review" />
    <bpmn:sequenceFlow id="f3" sourceRef="review" targetRef="decide" />
    <bpmn:exclusiveGateway id="decide" default="f_ok" />
    <bpmn:sequenceFlow id="f_back" sourceRef="decide" targetRef="apply">
      <bpmn:conditionExpression>again</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_ok" sourceRef="decide" targetRef="archive" />
    <bpmn:task id="archive" name="archive" />
    <bpmn:sequenceFlow id="f_skip" sourceRef="start" targetRef="done" />
    <bpmn:sequenceFlow id="f4" sourceRef="archive" targetRef="done" />
    <bpmn:endEvent id="done" />
  </bpmn:process>
</bpmn:definitions>
"""

SUBPROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Defs_sub" targetNamespace="t">
  <bpmn:process id="first" isExecutable="true">
    <bpmn:startEvent id="s" />
    <bpmn:sequenceFlow id="s1" sourceRef="s" targetRef="sub" />
    <bpmn:subProcess id="sub">
      <bpmn:startEvent id="inner_start" />
      <bpmn:sequenceFlow id="i1" sourceRef="inner_start" targetRef="inner_task" />
      <bpmn:task id="inner_task" />
      <bpmn:sequenceFlow id="i2" sourceRef="inner_task" targetRef="inner_end" />
      <bpmn:endEvent id="inner_end" />
    </bpmn:subProcess>
    <bpmn:sequenceFlow id="s2" sourceRef="sub" targetRef="e" />
    <bpmn:endEvent id="e" />
  </bpmn:process>
  <bpmn:process id="second" isExecutable="true">
    <bpmn:task id="other" />
  </bpmn:process>
</bpmn:definitions>
"""


def laid_out(text: str) -> tuple[str, etree._Element]:
    out = bpmn_layout.layout_text(text)
    return out, etree.fromstring(out.encode("utf-8"))


def bounds(root: etree._Element, element_id: str, plane: etree._Element | None = None) -> tuple[int, int, int, int]:
    scope = root if plane is None else plane
    found = scope.xpath(f".//bpmndi:BPMNShape[@bpmnElement='{element_id}']/dc:Bounds", namespaces=NS)
    assert len(found) == 1, f"expected one shape for {element_id}, found {len(found)}"
    return tuple(int(found[0].get(k)) for k in ("x", "y", "width", "height"))


def waypoints(root: etree._Element, flow_id: str) -> list[tuple[int, int]]:
    points = root.xpath(f".//bpmndi:BPMNEdge[@bpmnElement='{flow_id}']/di:waypoint", namespaces=NS)
    return [(int(p.get("x")), int(p.get("y"))) for p in points]


def inside(inner: tuple[int, int, int, int], outer: tuple[int, int, int, int]) -> bool:
    x, y, w, h = inner
    ox, oy, ow, oh = outer
    return ox <= x and oy <= y and x + w <= ox + ow and y + h <= oy + oh


@pytest.mark.django_db
def test_demo_with_its_diagram_still_deploys():
    text, root = laid_out(DEMO)
    assert len(root.xpath("./bpmndi:BPMNDiagram", namespaces=NS)) == 1
    outcome = deploy_source("demo.bpmn", text)
    assert outcome.ok and outcome.definition.key == "demo_assistance"


def test_workflows_directory_still_deploys(deployed):
    assert "demo_assistance" in deployed
    assert "bpmndi:BPMNDiagram" in deployed["demo_assistance"].source


SAMPLES = {
    "demo": DEMO,
    "loop": LOOP,
    "subprocess": SUBPROCESS.replace('<bpmn:process id="second" isExecutable="true">\n    <bpmn:task id="other" />\n'
                                     '  </bpmn:process>\n', ""),
    **{p.stem: p.read_text(encoding="utf-8") for p in sorted(ENGINE_BPMN.glob("*.bpmn"))},
}


@pytest.mark.parametrize("text", SAMPLES.values(), ids=SAMPLES.keys())
def test_every_flow_node_has_a_shape_and_every_flow_an_orthogonal_edge(text):
    _, root = laid_out(text)
    shapes = {s.get("bpmnElement") for s in root.xpath("//bpmndi:BPMNShape", namespaces=NS)}
    nodes = {n.get("id") for n in root.xpath("//bpmn:*[@id]", namespaces=NS)
             if etree.QName(n).localname in bpmn_layout.FLOW_NODES}
    assert nodes <= shapes
    for flow in root.xpath("//bpmn:sequenceFlow", namespaces=NS):
        points = waypoints(root, flow.get("id"))
        assert len(points) >= 2, flow.get("id")
        assert all(a[0] == b[0] or a[1] == b[1] for a, b in zip(points, points[1:], strict=False)), points
        tx, ty, _, th = bounds(root, flow.get("targetRef"))
        assert points[-1] == (tx, ty + th // 2)  # into the target's left middle
        sx, sy, sw, sh = bounds(root, flow.get("sourceRef"))
        source = root.xpath(f"//bpmn:*[@id='{flow.get('sourceRef')}']", namespaces=NS)[0]
        if etree.QName(source).localname == "boundaryEvent":
            assert points[0] == (sx + sw // 2, sy + sh)  # out of the bottom, away from its host
        else:
            assert points[0] == (sx + sw, sy + sh // 2)  # out of the source's right middle


def test_plane_is_the_collaboration_or_the_process():
    _, demo = laid_out(DEMO)
    assert demo.xpath("//bpmndi:BPMNPlane/@bpmnElement", namespaces=NS) == ["Collaboration_demo"]
    assert demo.xpath("//bpmndi:BPMNShape[@bpmnElement='Participant_demo']/@isHorizontal", namespaces=NS) == ["true"]
    _, loop = laid_out(LOOP)
    assert loop.xpath("//bpmndi:BPMNPlane/@bpmnElement", namespaces=NS) == ["loop"]


def test_lanes_are_bands_in_document_order_holding_their_nodes():
    _, root = laid_out(DEMO)
    pool = bounds(root, "Participant_demo")
    lanes = root.xpath("//bpmn:lane", namespaces=NS)
    boxes = [bounds(root, lane.get("id")) for lane in lanes]
    assert all(inside(box, pool) for box in boxes)
    for upper, lower in zip(boxes, boxes[1:], strict=False):
        assert upper[1] + upper[3] == lower[1]  # stacked without gaps or overlaps, in document order
    for lane, box in zip(lanes, boxes, strict=True):
        for ref in lane.xpath("bpmn:flowNodeRef/text()", namespaces=NS):
            node = root.xpath(f"//bpmn:*[@id='{ref}']", namespaces=NS)[0]
            if etree.QName(node).localname == "boundaryEvent":
                continue  # drawn on its host, wherever that is
            assert inside(bounds(root, ref), box), (ref, lane.get("id"))


def test_boundary_events_sit_on_their_hosts_bottom_edge():
    for text in (DEMO, (ENGINE_BPMN / "boundary_timers.bpmn").read_text(encoding="utf-8")):
        _, root = laid_out(text)
        for event in root.xpath("//bpmn:boundaryEvent", namespaces=NS):
            x, y, w, h = bounds(root, event.get("id"))
            hx, hy, hw, hh = bounds(root, event.get("attachedToRef"))
            assert y + h // 2 == hy + hh
            assert hx <= x + w // 2 <= hx + hw
    _, root = laid_out((ENGINE_BPMN / "boundary_timers.bpmn").read_text(encoding="utf-8"))
    first, second = bounds(root, "B_deadline"), bounds(root, "B_visit_cycle")
    assert first[0] + first[2] <= second[0]  # two events on one task do not overlap


def test_a_loop_does_not_break_the_columns():
    _, root = laid_out(LOOP)
    x = {node: bounds(root, node)[0] for node in ("start", "apply", "review", "decide", "archive", "done")}
    assert x["start"] < x["apply"] < x["review"] < x["decide"] < x["archive"] < x["done"]
    # The loop back runs below every node of the band it leaves, inside that band.
    lane_b = bounds(root, "Lane_b")
    lowest = max(sum(bounds(root, n)[1::2]) for n in ("review", "decide", "archive", "done"))
    back = waypoints(root, "f_back")
    assert lowest < max(y for _, y in back) < lane_b[1] + lane_b[3]
    # A flow skipping columns goes around the nodes in between rather than through them.
    skip = waypoints(root, "f_skip")
    for node in ("apply", "review", "decide", "archive"):
        nx, ny, nw, nh = bounds(root, node)
        for (x1, y1), (x2, y2) in zip(skip, skip[1:], strict=False):
            assert not (min(x1, x2) < nx + nw and max(x1, x2) > nx and min(y1, y2) < ny + nh and max(y1, y2) > ny)


def test_same_lane_and_column_nodes_are_stacked():
    _, root = laid_out((ENGINE_BPMN / "boundary_timers.bpmn").read_text(encoding="utf-8"))
    done, visit = bounds(root, "B_done"), bounds(root, "B_visit")
    assert done[0] + done[2] // 2 == visit[0] + visit[2] // 2
    assert done[1] + done[3] <= visit[1]  # the normal path's end above the boundary event's path


def test_sub_process_is_collapsed_with_its_own_plane_and_extra_processes_warned():
    warnings = []
    out = bpmn_layout.layout_text(SUBPROCESS, warnings.append)
    root = etree.fromstring(out.encode("utf-8"))
    planes = root.xpath("//bpmndi:BPMNPlane", namespaces=NS)
    assert [p.get("bpmnElement") for p in planes] == ["first", "sub"]
    assert planes[0].xpath("bpmndi:BPMNShape[@bpmnElement='sub']/@isExpanded", namespaces=NS) == ["false"]
    for inner in ("inner_start", "inner_task", "inner_end"):
        bounds(root, inner, planes[1])
    assert not root.xpath("//bpmndi:BPMNShape[@bpmnElement='other']", namespaces=NS)
    assert any("'second'" in w for w in warnings)


def test_everything_but_the_diagram_is_kept_byte_for_byte_and_a_second_run_changes_nothing():
    once = bpmn_layout.layout_text(LOOP)
    assert once.startswith(LOOP[: LOOP.index("</bpmn:definitions>")])
    assert without_diagram(once) == LOOP
    assert bpmn_layout.layout_text(once) == once
    assert bpmn_layout.layout_text(DEMO_PATH.read_text(encoding="utf-8")) == DEMO_PATH.read_text(encoding="utf-8")


def test_an_old_diagram_is_replaced_and_root_namespaces_are_kept():
    modeler = LOOP.replace(
        'id="Defs_loop"', 'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
        'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" id="Defs_loop"'
    ).replace("</bpmn:definitions>", '  <bpmndi:BPMNDiagram id="Old"><bpmndi:BPMNPlane id="OldPlane" '
              'bpmnElement="loop"><bpmndi:BPMNShape id="apply_di" bpmnElement="apply"><dc:Bounds x="1" y="2" '
              'width="3" height="4" /></bpmndi:BPMNShape></bpmndi:BPMNPlane></bpmndi:BPMNDiagram>\n'
              "</bpmn:definitions>")
    out, root = laid_out(modeler)
    assert 'id="Old"' not in out and len(root.xpath("//bpmndi:BPMNDiagram", namespaces=NS)) == 1
    assert bounds(root, "apply") != (1, 2, 3, 4)
    assert out.split("\n")[2] == modeler.split("\n")[2]  # the root start tag as it was
    assert out == bpmn_layout.layout_text(LOOP).replace("\n".join(LOOP.split("\n")[2:3]), modeler.split("\n")[2])


def test_generated_ids_do_not_clash_with_model_ids():
    text = LOOP.replace('<bpmn:task id="archive" name="archive" />', '<bpmn:task id="archive" name="archive" />'
                        '<bpmn:task id="apply_di" />')
    _, root = laid_out(text)
    ids = root.xpath("//@id")
    assert len(ids) == len(set(ids))


def test_check_finds_missing_and_stale_diagrams(tmp_path, capsys):
    path = tmp_path / "loop.bpmn"
    path.write_text(LOOP, encoding="utf-8")
    assert bpmn_layout.main(["--check", str(path)]) == 1
    assert "diagram missing" in capsys.readouterr().err
    assert path.read_text(encoding="utf-8") == LOOP  # --check changes nothing

    assert bpmn_layout.main([str(path)]) == 0
    assert bpmn_layout.main(["--check", str(tmp_path)]) == 0  # a directory is searched for .bpmn files
    drawn = path.read_text(encoding="utf-8")

    path.write_text(drawn.replace('<bpmn:task id="archive" name="archive" />',
                                  '<bpmn:task id="archive" name="archive" /><bpmn:task id="extra" />'),
                    encoding="utf-8")
    capsys.readouterr()
    assert bpmn_layout.main(["--check", str(path)]) == 1
    assert "diagram stale" in capsys.readouterr().err
    assert bpmn_layout.main([str(path)]) == 0
    assert 'bpmnElement="extra"' in path.read_text(encoding="utf-8")
    assert bpmn_layout.main(["--check", str(path)]) == 0


def test_unusable_files_are_errors(tmp_path, capsys):
    (tmp_path / "rules.bpmn").write_text('<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" />',
                                         encoding="utf-8")
    (tmp_path / "broken.bpmn").write_text("<bpmn:definitions", encoding="utf-8")
    assert bpmn_layout.main([str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "rules.bpmn: error: not a BPMN 2.0 definitions document" in err
    assert "broken.bpmn: error: not well-formed XML" in err


def test_committed_files_have_current_diagrams():
    """Every workflow and the engine's test files carry the diagram this tool draws (as --check in CI would)."""
    result = subprocess.run(
        [sys.executable, "scripts/bpmn_layout.py", "--check", str(ROOT / "workflows"), str(ENGINE_BPMN)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
