"""Give hand-written BPMN files the diagram (BPMNDI) bpmn-js needs to draw them.

    python scripts/bpmn_layout.py FILE_OR_DIR [...]          # rewrite each .bpmn file in place
    python scripts/bpmn_layout.py --check FILE_OR_DIR [...]  # exit 1 when a diagram is missing or stale

The case page also draws a deployed file that has no diagram with ``layout_text`` (``has_diagram``).

The model is kept as written, comments and formatting included: every ``bpmndi:BPMNDiagram`` is cut
out of the text and a freshly computed one is inserted before the root's closing tag. The diagram
depends on the model only, so a second run gives the same bytes and ``--check`` finds a diagram that
no longer matches its model. Exit status: 0 done / up to date, 1 a diagram is missing or stale
(``--check``), 2 a file could not be read or laid out.

Layout: the executable process, in its participant's pool when a collaboration names one; one
horizontal band per lane in document order; flow nodes in columns by their longest path from the
start along sequence flows, loops cut where a depth-first search finds a back edge; nodes sharing a
lane and a column stacked; boundary events on their host's bottom edge; flows as right-angled paths
from the source's right to the target's left, detouring through the free space between rows when a
straight path would cross a node, and loops running back along the bottom of the band they leave.
Embedded sub-processes are drawn collapsed, with a plane of their own that bpmn-js drills down into.
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import quoteattr

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
DIAGRAM_TAG = f"{{{BPMNDI}}}BPMNDiagram"

EVENTS = {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"}
GATEWAYS = {"exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway", "complexGateway"}
SUBPROCESSES = {"subProcess", "transaction", "adHocSubProcess"}
ACTIVITIES = {"task", "userTask", "manualTask", "scriptTask", "serviceTask", "businessRuleTask", "sendTask",
              "receiveTask", "callActivity"} | SUBPROCESSES
FLOW_NODES = EVENTS | GATEWAYS | ACTIVITIES

ORIGIN = 40  # top-left corner of a plane's first pool or band
HEADER = 30  # the name strip on the left of a pool and of each lane level
EDGE_PAD = 40  # free space between the headers and the first column, and after the last column
COLUMN_GAP = 50
ROW_HEIGHT = 80  # a task's height; events and gateways are centred in it
ROW_GAP = 50  # leaves room for boundary events and labels below a row
BAND_TOP = 30
BAND_BOTTOM = 40
CHANNEL = 15  # spacing of the loop-back lines at the bottom of a band
POOL_GAP = 40
BLACK_BOX_POOL = (600, 100)  # a participant without a process in this file
BOUNDARY_PITCH = 42  # between the centres of boundary events on one activity

Point = tuple[int, int]
Warn = Callable[[str], None]


class LayoutError(Exception):
    """The file cannot be laid out (not BPMN, or its text cannot be edited safely)."""


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    w: int
    h: int

    @property
    def right(self) -> int:
        return self.x + self.w

    @property
    def bottom(self) -> int:
        return self.y + self.h

    @property
    def cx(self) -> int:
        return self.x + self.w // 2

    @property
    def cy(self) -> int:
        return self.y + self.h // 2

    def crossed_by(self, a: Point, b: Point) -> bool:
        """Whether the axis-parallel segment a–b passes through the inside of the box."""
        (x1, y1), (x2, y2) = a, b
        if y1 == y2:
            return self.y < y1 < self.bottom and min(x1, x2) < self.right and max(x1, x2) > self.x
        if x1 == x2:
            return self.x < x1 < self.right and min(y1, y2) < self.bottom and max(y1, y2) > self.y
        return False


@dataclass
class Shape:
    element: str
    box: Box
    attrs: dict[str, str] = field(default_factory=dict)
    label: Box | None = None  # only where bpmn-js's default place (centred below) would be in the way


@dataclass
class Plane:
    """What one ``bpmndi:BPMNPlane`` draws: ``element`` is the process, collaboration or sub-process."""

    element: str
    shapes: list[Shape] = field(default_factory=list)
    edges: list[tuple[str, list[Point]]] = field(default_factory=list)

    def box(self, element_id: str) -> Box | None:
        return next((shape.box for shape in self.shapes if shape.element == element_id), None)


def _local(element: etree._Element) -> str:
    if not isinstance(element.tag, str):
        return ""
    qname = etree.QName(element)
    return qname.localname if qname.namespace == BPMN else ""


def _label_size(text: str) -> tuple[int, int]:
    """About what bpmn-js needs for an external label (11px font, wrapped at 90px)."""
    width = sum(11 if ord(ch) >= 0x2E80 else 7 for ch in text) + 4
    return min(width, 90), 14 * -(-width // 90)


def _size(kind: str) -> tuple[int, int]:
    if kind in EVENTS:
        return 36, 36
    if kind in GATEWAYS:
        return 50, 50
    return 100, ROW_HEIGHT


# --- the graph of one process or sub-process -------------------------------------------------------------


@dataclass
class Graph:
    """The flow nodes directly inside one container (process or sub-process) and its sequence flows."""

    order: list[str]  # every flow node, boundary events included, in document order
    kind: dict[str, str]
    element: dict[str, etree._Element]
    host: dict[str, str]  # boundary event → the activity it is attached to
    flows: list[tuple[str, str, str]]  # (id, source, target), both ends in this container
    rank: dict[str, int] = field(default_factory=dict)
    back: set[str] = field(default_factory=set)  # flows closing a loop

    @property
    def nodes(self) -> list[str]:
        """The nodes that get a column of their own (boundary events ride on their host)."""
        return [n for n in self.order if n not in self.host]

    def anchor(self, node: str) -> str:
        return self.host.get(node, node)


def read_graph(container: etree._Element, warn: Warn) -> Graph:
    order: list[str] = []
    kind: dict[str, str] = {}
    element: dict[str, etree._Element] = {}
    host: dict[str, str] = {}
    flows: list[tuple[str, str, str]] = []
    for child in container:
        local, ident = _local(child), child.get("id", "")
        if local in FLOW_NODES:
            if not ident:
                warn(f"a {local} without an id in '{container.get('id', '')}' is not drawn")
                continue
            order.append(ident)
            kind[ident], element[ident] = local, child
            if local == "boundaryEvent":
                host[ident] = child.get("attachedToRef", "")
        elif local == "sequenceFlow":
            flows.append((ident, child.get("sourceRef", ""), child.get("targetRef", "")))
    for event, activity in list(host.items()):
        if kind.get(activity) not in ACTIVITIES:
            warn(f"boundary event '{event}' is attached to '{activity}', which is no activity beside it; "
                 "drawn on its own")
            del host[event]
    drawn = []
    for flow in flows:
        if flow[1] in kind and flow[2] in kind and flow[0]:
            drawn.append(flow)
        else:
            warn(f"sequence flow '{flow[0]}' does not join two flow nodes of '{container.get('id', '')}'; not drawn")
    graph = Graph(order, kind, element, host, drawn)
    _rank(graph)
    return graph


def _rank(graph: Graph) -> None:
    """Longest path from the start along the flows, after cutting the back edges a depth-first search finds."""
    nodes = graph.nodes
    successors: dict[str, list[tuple[str, str]]] = {n: [] for n in nodes}
    for flow_id, source, target in graph.flows:
        successors[graph.anchor(source)].append((flow_id, graph.anchor(target)))
    entered = {target for steps in successors.values() for _, target in steps}
    roots = ([n for n in nodes if graph.kind[n] == "startEvent"] + [n for n in nodes if n not in entered] + nodes)
    state: dict[str, str] = {}
    finished: list[str] = []
    for root in roots:
        if root in state:
            continue
        state[root] = "open"
        stack: list[tuple[str, Iterator[tuple[str, str]]]] = [(root, iter(successors[root]))]
        while stack:
            node, steps = stack[-1]
            step = next(steps, None)
            if step is None:
                stack.pop()
                state[node] = "done"
                finished.append(node)
                continue
            flow_id, target = step
            if state.get(target) == "open":
                graph.back.add(flow_id)
            elif target not in state:
                state[target] = "open"
                stack.append((target, iter(successors[target])))
    graph.rank = dict.fromkeys(nodes, 0)
    # Reversed finishing order is a topological order of the graph without its back edges.
    for node in reversed(finished):
        for flow_id, target in successors[node]:
            if flow_id not in graph.back:
                graph.rank[target] = max(graph.rank[target], graph.rank[node] + 1)


# --- lanes and bands -------------------------------------------------------------------------------------


@dataclass(eq=False)
class Lane:
    id: str
    depth: int
    refs: set[str]
    children: list[Lane]

    def leaves(self) -> list[Lane]:
        return [self] if not self.children else [leaf for child in self.children for leaf in child.leaves()]

    def walk(self) -> Iterator[Lane]:
        yield self
        for child in self.children:
            yield from child.walk()


def read_lanes(container: etree._Element) -> list[Lane]:
    def read(lane_set: etree._Element, depth: int) -> list[Lane]:
        lanes = []
        for lane in lane_set.findall(f"{{{BPMN}}}lane"):
            refs = {(ref.text or "").strip() for ref in lane.findall(f"{{{BPMN}}}flowNodeRef")}
            children = [c for child_set in lane.findall(f"{{{BPMN}}}childLaneSet") for c in read(child_set, depth + 1)]
            lanes.append(Lane(lane.get("id", ""), depth, refs, children))
        return lanes

    return [lane for lane_set in container.findall(f"{{{BPMN}}}laneSet") for lane in read(lane_set, 0)]


@dataclass(eq=False)
class Band:
    """A horizontal strip holding the nodes of one lane (or of no lane)."""

    lane: Lane | None
    rows: int = 1
    channels: int = 0
    top: int = 0

    @property
    def content_top(self) -> int:
        return self.top + BAND_TOP

    @property
    def content_bottom(self) -> int:
        return self.content_top + self.rows * ROW_HEIGHT + (self.rows - 1) * ROW_GAP

    @property
    def height(self) -> int:
        return self.content_bottom + BAND_BOTTOM + CHANNEL * self.channels - self.top

    def row_middle(self, row: int) -> int:
        return self.content_top + row * (ROW_HEIGHT + ROW_GAP) + ROW_HEIGHT // 2

    def channel(self, index: int) -> int:
        return self.content_bottom + BAND_BOTTOM - 5 + CHANNEL * index

    def corridors(self) -> list[int]:
        """Heights where a horizontal line crosses no node of this band."""
        between = [self.content_top + r * (ROW_HEIGHT + ROW_GAP) + ROW_HEIGHT + ROW_GAP // 2
                   for r in range(self.rows - 1)]
        return [self.top + BAND_TOP // 2, *between, self.content_bottom + 25]


# --- placing one container -------------------------------------------------------------------------------


class ContainerLayout:
    """Places one process (optionally as a pool) or sub-process with its top-left corner at (x0, y0)."""

    def __init__(self, container: etree._Element, warn: Warn):
        self.container = container
        self.graph = read_graph(container, warn)
        self.lanes = read_lanes(container)
        self.boxes: dict[str, Box] = {}
        self.bands: list[Band] = []
        self.band_of: dict[str, Band] = {}
        self.row: dict[str, int] = {}
        self.col_x: list[int] = []
        self.col_w: list[int] = []
        self.channel_of: dict[str, tuple[Band, int]] = {}  # loop-back flow → band and line it runs along
        self.labels: dict[str, Box] = {}

    def all_lanes(self) -> list[Lane]:
        return [lane for top in self.lanes for lane in top.walk()]

    def place(self, x0: int, y0: int, pool: str | None, plane: Plane) -> Box:
        self._assign_bands()
        self._assign_rows()
        headers = (HEADER if pool else 0) + (HEADER * (1 + max(lane.depth for lane in self.all_lanes()))
                                             if self.lanes else 0)
        right = self._assign_columns(x0 + headers + EDGE_PAD)
        for flow_id, source, _ in self.graph.flows:
            if flow_id in self.graph.back:
                band = self.band_of[self.graph.anchor(source)]
                self.channel_of[flow_id] = (band, band.channels)
                band.channels += 1
        y = y0
        for band in self.bands:
            band.top = y
            y += band.height
        self._place_nodes()
        area = Box(x0, y0, right - x0, y - y0)
        self._draw(plane, area, pool)
        return area

    def _assign_columns(self, left: int) -> int:
        """Each rank's column, as narrow as its widest node; returns the right edge of the drawing."""
        x = left
        for rank in range(max(self.graph.rank.values(), default=-1) + 1):
            width = max(_size(self.graph.kind[n])[0] for n in self.graph.nodes if self.graph.rank[n] == rank)
            self.col_x.append(x)
            self.col_w.append(width)
            x += width + COLUMN_GAP
        return max(x - COLUMN_GAP, left + 200) + EDGE_PAD

    def _draw(self, plane: Plane, area: Box, pool: str | None) -> None:
        if pool:
            plane.shapes.append(Shape(pool, area, {"isHorizontal": "true"}))
        for lane in self.all_lanes():
            leaves = lane.leaves()
            bands = [b for b in self.bands if any(b.lane is leaf for leaf in leaves)]
            lx = area.x + (HEADER if pool else 0) + HEADER * lane.depth
            top, bottom = bands[0].top, bands[-1].top + bands[-1].height
            plane.shapes.append(Shape(lane.id, Box(lx, top, area.right - lx, bottom - top), {"isHorizontal": "true"}))
        for node in self.graph.order:
            attrs = {}
            if self.graph.kind[node] in SUBPROCESSES:
                attrs["isExpanded"] = "false"
            elif self.graph.kind[node] == "exclusiveGateway":
                attrs["isMarkerVisible"] = "true"  # bpmn-js draws the X only then
            plane.shapes.append(Shape(node, self.boxes[node], attrs, self.labels.get(node)))
        for flow_id, source, target in self.graph.flows:
            plane.edges.append((flow_id, self._route(flow_id, source, target)))

    def _assign_bands(self) -> None:
        deepest: dict[str, Lane] = {}
        for lane in self.all_lanes():
            for ref in lane.refs:
                if ref not in deepest or lane.depth > deepest[ref].depth:
                    deepest[ref] = lane
        self.bands = [Band(leaf) for top in self.lanes for leaf in top.leaves()]
        by_leaf = {id(band.lane): band for band in self.bands}
        loose = Band(None)
        for node in self.graph.nodes:
            lane = deepest.get(node)
            self.band_of[node] = by_leaf[id(lane.leaves()[0])] if lane else loose
        if any(band is loose for band in self.band_of.values()) or not self.bands:
            self.bands.append(loose)

    def _assign_rows(self) -> None:
        graph = self.graph
        index = {n: i for i, n in enumerate(graph.order)}
        predecessors: dict[str, list[tuple[str, float]]] = {n: [] for n in graph.nodes}
        for flow_id, source, target in graph.flows:
            if flow_id not in graph.back:
                # A boundary event's successor prefers the row below its host's.
                below = 0.5 if source in graph.host else 0.0
                predecessors[graph.anchor(target)].append((graph.anchor(source), below))
        cells: dict[tuple[int, int], list[str]] = {}
        for node in sorted(graph.nodes, key=lambda n: (graph.rank[n], index[n])):
            cells.setdefault((graph.rank[node], id(self.band_of[node])), []).append(node)

        def barycentre(node: str) -> float:
            rows = [self.row[p] + below for p, below in predecessors[node]
                    if self.band_of[p] is self.band_of[node] and p in self.row]
            return sum(rows) / len(rows) if rows else 0.0

        for members in cells.values():  # filled rank by rank, so predecessors already have their row
            for row, node in enumerate(sorted(members, key=lambda n: (barycentre(n), index[n]))):
                self.row[node] = row
            band = self.band_of[members[0]]
            band.rows = max(band.rows, len(members))

    def _place_nodes(self) -> None:
        graph = self.graph
        for node in graph.nodes:
            w, h = _size(graph.kind[node])
            rank = graph.rank[node]
            cx = self.col_x[rank] + self.col_w[rank] // 2
            cy = self.band_of[node].row_middle(self.row[node])
            self.boxes[node] = Box(cx - w // 2, cy - h // 2, w, h)
        attached: dict[str, list[str]] = {}
        for event, host in graph.host.items():
            attached.setdefault(host, []).append(event)
        for host, events in attached.items():
            box = self.boxes[host]
            for n, event in enumerate(events):
                cx = box.cx + (2 * n - len(events) + 1) * BOUNDARY_PITCH // 2
                self.boxes[event] = Box(cx - 18, box.bottom - 18, 36, 36)
                # Their flows leave downwards from the middle, so the name goes beside that line: the last
                # event's to the right, the others' to the left.
                name = graph.element[event].get("name", "")
                if name:
                    w, h = _label_size(name)
                    x = cx + 6 if n == len(events) - 1 else cx - 6 - w
                    self.labels[event] = Box(x, box.bottom + 20, w, h)

    def _crossings(self, points: list[Point], ignore: set[str]) -> int:
        return sum(box.crossed_by(a, b) for node, box in self.boxes.items() if node not in ignore
                   for a, b in zip(points, points[1:], strict=False))

    def _route(self, flow_id: str, source: str, target: str) -> list[Point]:
        graph = self.graph
        src, tgt = self.boxes[source], self.boxes[target]
        host = graph.host.get(source)
        source_rank, target_rank = graph.rank[graph.anchor(source)], graph.rank[graph.anchor(target)]
        after_source = self.col_x[source_rank] + self.col_w[source_rank] + COLUMN_GAP // 2
        before_target = self.col_x[target_rank] - COLUMN_GAP // 2
        tx, ty = tgt.x, tgt.cy
        if flow_id in graph.back:
            band, index = self.channel_of[flow_id]
            y = band.channel(index)
            if host:
                return _tidy([(src.cx, src.bottom), (src.cx, y), (before_target, y), (before_target, ty), (tx, ty)])
            return _tidy([(src.right, src.cy), (after_source, src.cy), (after_source, y), (before_target, y),
                          (before_target, ty), (tx, ty)])
        corridors = sorted({c for band in self.bands for c in band.corridors()})
        candidates: list[list[Point]] = []
        if host:
            bx, by = src.cx, src.bottom
            if ty > by:
                candidates.append([(bx, by), (bx, ty), (tx, ty)])
            candidates += [[(bx, by), (bx, c), (before_target, c), (before_target, ty), (tx, ty)]
                           for c in sorted((c for c in corridors if c > by), key=lambda c: (c - by, c))]
            ignore = {source, target, host}
        else:
            sx, sy = src.right, src.cy
            if sy == ty:
                candidates.append([(sx, sy), (tx, ty)])
            candidates.append([(sx, sy), (after_source, sy), (after_source, ty), (tx, ty)])
            candidates.append([(sx, sy), (before_target, sy), (before_target, ty), (tx, ty)])
            candidates += [[(sx, sy), (after_source, sy), (after_source, c), (before_target, c), (before_target, ty),
                            (tx, ty)] for c in sorted(corridors, key=lambda c: (abs(c - sy) + abs(c - ty), c))]
            ignore = {source, target}
        if not candidates:  # a boundary event below every corridor: leave downwards, enter from the left
            candidates.append([(src.cx, src.bottom), (src.cx, src.bottom + 20), (before_target, src.bottom + 20),
                               (before_target, ty), (tx, ty)])
        return _tidy(min(candidates, key=lambda points: self._crossings(points, ignore)))


def _tidy(points: list[Point]) -> list[Point]:
    """Without repeated points and without bends that go straight on."""
    unique = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
    if len(unique) < 2:
        return [points[0], points[-1]]
    kept = [unique[0]]
    for i in range(1, len(unique) - 1):
        a, b, c = kept[-1], unique[i], unique[i + 1]
        if not ((a[0] == b[0] == c[0]) or (a[1] == b[1] == c[1])):
            kept.append(b)
    kept.append(unique[-1])
    return kept


# --- the whole file --------------------------------------------------------------------------------------


def layout_planes(root: etree._Element, warn: Warn) -> list[Plane]:
    """The planes to draw: the main one (collaboration or process) first, then one per sub-process."""
    processes = root.findall(f"{{{BPMN}}}process")
    collaboration = root.find(f"{{{BPMN}}}collaboration")
    participants = collaboration.findall(f"{{{BPMN}}}participant") if collaboration is not None else []
    sub_planes: list[Plane] = []
    layouts: list[ContainerLayout] = []

    def place(container: etree._Element, x0: int, y0: int, pool: str | None, plane: Plane) -> Box:
        layout = ContainerLayout(container, warn)
        layouts.append(layout)
        area = layout.place(x0, y0, pool, plane)
        for node in layout.graph.order:
            if layout.graph.kind[node] in SUBPROCESSES:
                sub = Plane(node)
                sub_planes.append(sub)
                place(layout.graph.element[node], ORIGIN, ORIGIN, None, sub)
        return area

    if participants:
        main = Plane(collaboration.get("id", ""))
        by_id = {p.get("id", ""): p for p in processes}
        y, black_boxes, drawn = ORIGIN, [], set()
        for participant in participants:
            process = by_id.get(participant.get("processRef", ""))
            if process is None:
                black_boxes.append(Shape(participant.get("id", ""), Box(ORIGIN, y, *BLACK_BOX_POOL),
                                         {"isHorizontal": "true"}))
                main.shapes.append(black_boxes[-1])
                y += BLACK_BOX_POOL[1] + POOL_GAP
                continue
            drawn.add(process.get("id", ""))
            y = place(process, ORIGIN, y, participant.get("id", ""), main).bottom + POOL_GAP
        widest = max(shape.box.right for shape in main.shapes) - ORIGIN
        for shape in black_boxes:
            shape.box = Box(shape.box.x, shape.box.y, widest, shape.box.h)
        for process in processes:
            if process.get("id", "") not in drawn and any(_local(c) in FLOW_NODES for c in process):
                warn(f"process '{process.get('id', '')}' is in no participant of the collaboration; not drawn")
        _message_flows(collaboration, main)
    else:
        if not processes:
            raise LayoutError("no bpmn:process to draw")
        executable = [p for p in processes if p.get("isExecutable") == "true"]
        chosen = (executable or processes)[0]
        others = [p.get("id", "") for p in processes if p is not chosen]
        if others:
            warn(f"several processes and no collaboration: drew '{chosen.get('id', '')}' only, not "
                 + ", ".join(f"'{o}'" for o in others))
        main = Plane(chosen.get("id", ""))
        place(chosen, ORIGIN, ORIGIN, None, main)
    return [main, *sub_planes]


def _message_flows(collaboration: etree._Element, plane: Plane) -> None:
    for flow in collaboration.findall(f"{{{BPMN}}}messageFlow"):
        src, tgt = plane.box(flow.get("sourceRef", "")), plane.box(flow.get("targetRef", ""))
        if src is None or tgt is None or not flow.get("id"):
            continue
        if src.bottom <= tgt.y:
            middle = (src.bottom + tgt.y) // 2
            points = [(src.cx, src.bottom), (src.cx, middle), (tgt.cx, middle), (tgt.cx, tgt.y)]
        elif tgt.bottom <= src.y:
            middle = (tgt.bottom + src.y) // 2
            points = [(src.cx, src.y), (src.cx, middle), (tgt.cx, middle), (tgt.cx, tgt.bottom)]
        else:
            points = [(src.right, src.cy), (tgt.x, tgt.cy)]
        plane.edges.append((flow.get("id", ""), _tidy(points)))


def render(planes: list[Plane], taken: set[str], indent: str) -> list[str]:
    """The ``bpmndi:BPMNDiagram`` elements as lines; new ids avoid those in ``taken``."""

    def fresh(base: str) -> str:
        ident, n = base, 1
        while ident in taken:
            n += 1
            ident = f"{base}_{n}"
        taken.add(ident)
        return ident

    def attrs(**values: str) -> str:
        return "".join(f" {name}={quoteattr(str(value))}" for name, value in values.items())

    i1, i2, i3, i4 = (indent * n for n in range(1, 5))
    lines = []
    for plane in planes:
        lines.append(f"{i1}<bpmndi:BPMNDiagram{attrs(**{'xmlns:bpmndi': BPMNDI, 'xmlns:dc': DC, 'xmlns:di': DI})}"
                     f"{attrs(id=fresh('BPMNDiagram_' + plane.element))}>")
        plane_id = fresh("BPMNPlane_" + plane.element)
        lines.append(f"{i2}<bpmndi:BPMNPlane{attrs(id=plane_id, bpmnElement=plane.element)}>")
        for shape in plane.shapes:
            box, label = shape.box, shape.label
            lines.append(f"{i3}<bpmndi:BPMNShape"
                         f"{attrs(id=fresh(shape.element + '_di'), bpmnElement=shape.element, **shape.attrs)}>")
            lines.append(f"{i4}<dc:Bounds{attrs(x=box.x, y=box.y, width=box.w, height=box.h)} />")
            if label:
                lines.append(f"{i4}<bpmndi:BPMNLabel>")
                lines.append(f"{i4}{indent}<dc:Bounds{attrs(x=label.x, y=label.y, width=label.w, height=label.h)} />")
                lines.append(f"{i4}</bpmndi:BPMNLabel>")
            lines.append(f"{i3}</bpmndi:BPMNShape>")
        for element, points in plane.edges:
            lines.append(f"{i3}<bpmndi:BPMNEdge{attrs(id=fresh(element + '_di'), bpmnElement=element)}>")
            lines += [f"{i4}<di:waypoint{attrs(x=x, y=y)} />" for x, y in points]
            lines.append(f"{i3}</bpmndi:BPMNEdge>")
        lines.append(f"{i2}</bpmndi:BPMNPlane>")
        lines.append(f"{i1}</bpmndi:BPMNDiagram>")
    return lines


# --- editing the text ------------------------------------------------------------------------------------

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
_TOKEN = re.compile(
    r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<!DOCTYPE(?:[^\[>]|\[.*?\])*>"
    r"|<(/?)([^\s/>!?]+)((?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(/?)>",
    re.S,
)


@dataclass
class _Span:
    name: str
    start: int
    end: int = -1


def _top_level_spans(text: str) -> tuple[list[_Span], int]:
    """The text span of each child element of the root, and where the root's closing tag starts."""
    depth, spans = 0, []
    for match in _TOKEN.finditer(text):
        closing, name, _, empty = match.groups()
        if name is None:  # comment, CDATA, processing instruction, doctype
            continue
        if closing:
            depth -= 1
            if depth == 1:
                spans[-1].end = match.end()
            elif depth == 0:
                return spans, match.start()
            continue
        if depth == 1:
            spans.append(_Span(name, match.start(), match.end() if empty else -1))
        if not empty:
            depth += 1
    raise LayoutError("could not find the root element's closing tag")


def _whole_lines(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen [start, end) to whole lines when nothing else shares them."""
    line_start = text.rfind("\n", 0, start) + 1
    if text[line_start:start].strip():
        return start, end
    newline = text.find("\n", end)
    line_end = len(text) if newline == -1 else newline + 1
    return line_start, (line_end if not text[end:line_end].strip() else end)


def _model_signature(root: etree._Element) -> bytes:
    """The document without its diagrams and without whitespace-only text, for comparing models."""
    root = copy.deepcopy(root)
    for diagram in root.findall(DIAGRAM_TAG):
        root.remove(diagram)
    for node in root.iter():
        if node.text is not None and not node.text.strip() and isinstance(node.tag, str):
            node.text = None
        if node.tail is not None and not node.tail.strip():
            node.tail = None
    return etree.tostring(root, method="c14n")


def layout_text(text: str, warn: Warn | None = None) -> str:
    """``text`` (a BPMN document) with its diagrams replaced by a freshly computed one."""
    warn = warn or (lambda message: None)
    try:
        root = etree.fromstring(text.encode("utf-8"), _PARSER)
    except etree.XMLSyntaxError as err:
        raise LayoutError(f"not well-formed XML: {err}") from err
    if root.tag != f"{{{BPMN}}}definitions":
        raise LayoutError("not a BPMN 2.0 definitions document")
    children = [c for c in root if isinstance(c.tag, str)]
    spans, close = _top_level_spans(text)
    names = [f"{c.prefix}:{etree.QName(c).localname}" if c.prefix else etree.QName(c).localname for c in children]
    if [s.name for s in spans] != names:
        raise LayoutError("could not match the top-level elements in the text; is the markup unusual?")
    diagrams = [span for span, c in zip(spans, children, strict=True) if c.tag == DIAGRAM_TAG]
    relationship = next((span for span, c in zip(spans, children, strict=True) if c.tag == f"{{{BPMN}}}relationship"),
                        None)
    taken = {root.get("id", "")} | {
        el.get("id") for c in children if c.tag != DIAGRAM_TAG for el in c.iter() if el.get("id") is not None}

    newline = "\r\n" if "\r\n" in text else "\n"
    first = spans[0].start if spans else close
    first_line = text[text.rfind("\n", 0, first) + 1:first]
    indent = first_line if first_line and not first_line.strip() else "  "
    lines = render(layout_planes(root, warn), taken, indent)

    at = relationship.start if relationship else close
    line_start = text.rfind("\n", 0, at) + 1
    if text[line_start:at].strip():
        edits = [(at, at, newline + newline.join(lines) + newline)]
    else:
        edits = [(line_start, line_start, newline.join(lines) + newline)]
    edits += [(*_whole_lines(text, span.start, span.end), "") for span in diagrams]
    result = text
    for start, end, replacement in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        result = result[:start] + replacement + result[end:]

    # Guard against a text edit gone wrong: the model must be exactly what it was.
    new_root = etree.fromstring(result.encode("utf-8"), _PARSER)
    if _model_signature(new_root) != _model_signature(root) or len(new_root.findall(DIAGRAM_TAG)) != len(
            [line for line in lines if "<bpmndi:BPMNDiagram " in line]):
        raise LayoutError("internal error: editing the text would change the model; file left alone")
    return result


# --- command line ----------------------------------------------------------------------------------------


def _files(arguments: list[str]) -> Iterator[Path]:
    for argument in arguments:
        path = Path(argument)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*.bpmn") if p.is_file())
        else:
            yield path


def has_diagram(text: str) -> bool:
    return bool(etree.fromstring(text.encode("utf-8"), _PARSER).findall(DIAGRAM_TAG))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", metavar="FILE_OR_DIR", help=".bpmn files, or directories to search")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a diagram is missing or stale")
    args = parser.parse_args(argv)
    status = 0
    for path in _files(args.paths):
        def warn(message: str, path: Path = path) -> None:
            print(f"{path}: warning: {message}", file=sys.stderr)

        try:
            text = path.read_bytes().decode("utf-8")
            new = layout_text(text, warn)
        except (OSError, UnicodeDecodeError, LayoutError) as err:
            print(f"{path}: error: {err}", file=sys.stderr)
            status = 2
            continue
        if new == text:
            print(f"{path}: diagram up to date")
        elif args.check:
            had = bool(etree.fromstring(text.encode("utf-8"), _PARSER).findall(DIAGRAM_TAG))
            print(f"{path}: diagram {'stale' if had else 'missing'}; run python scripts/bpmn_layout.py {path}",
                  file=sys.stderr)
            status = max(status, 1)
        else:
            path.write_bytes(new.encode("utf-8"))
            print(f"{path}: diagram written")
    return status


if __name__ == "__main__":
    sys.exit(main())
