"""Reading BPMN/DMN files: XML, schema validation, and the facts deploy and lint need.

Conventions the engine reads from a BPMN file (all SpiffWorkflow ``spiffworkflow:properties``):

* on a ``bpmn:lane``: ``role`` — the role code (``settings.ENGINE_ROLES``) whose holders at the
  case's jurisdiction level act on the lane's user tasks;
* on a ``bpmn:userTask``: ``formKey`` — the form (a schema in ``forms/schemas``); optional ``dueIn`` —
  an expression giving the task's deadline as an ISO datetime, e.g. ``working_days(3)``;
* timers: ``<bpmn:timeDate>working_days(10)</bpmn:timeDate>`` counts Chinese working days,
  ``<bpmn:timeDuration>"P7D"</bpmn:timeDuration>`` calendar time (see ``engine.expressions``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cache

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import XSD_PATH, BpmnValidator
from SpiffWorkflow.dmn.parser.BpmnDmnParser import XSD_DIR
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from .errors import Problem

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
DMN_NAMESPACES = {
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd": "DMN.xsd",
    "http://www.omg.org/spec/DMN/20180521/MODEL/": "DMN12.xsd",
    "https://www.omg.org/spec/DMN/20191111/MODEL/": "DMN13.xsd",
}
NS = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}
_SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True, huge_tree=False)
MAX_FILE_BYTES = 2 * 1024 * 1024


@dataclass
class ParsedFile:
    """One BPMN or DMN file, schema-checked, with what deploy needs to know about it."""

    path: str
    source: str
    kind: str  # "bpmn" | "dmn"
    tree: etree._Element
    key: str = ""
    name: str = ""
    provides: list[str] = field(default_factory=list)
    called_processes: set[str] = field(default_factory=set)
    called_decisions: set[str] = field(default_factory=set)
    lane_roles: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.source.encode("utf-8")).hexdigest()


def properties(element: etree._Element) -> dict[str, str]:
    """The ``spiffworkflow:property`` name/value pairs directly under ``element``'s extensions."""
    props = {}
    path = "./bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property"
    for prop in element.xpath(path, namespaces=NS):
        props[prop.get("name", "")] = prop.get("value", "")
    return props


def element_label(element: etree._Element) -> str:
    local = etree.QName(element).localname
    ident = element.get("id", "")
    name = element.get("name", "")
    return f"{local} '{ident}'" + (f" ({name})" if name else "")


@cache
def _bpmn_schema() -> etree.XMLSchema:
    return BpmnValidator(XSD_PATH).validator


@cache
def _dmn_schema(namespace: str) -> etree.XMLSchema:
    import os

    return BpmnValidator(os.path.join(XSD_DIR, DMN_NAMESPACES[namespace])).validator


def _schema_problems(schema: etree.XMLSchema, tree: etree._Element, path: str) -> list[Problem]:
    if schema.validate(tree):
        return []
    return [Problem(path, f"line {err.line}", f"not valid BPMN/DMN: {err.message}") for err in schema.error_log]


def read_file(path: str, source: str | bytes) -> tuple[ParsedFile | None, list[Problem]]:
    """Parse and schema-validate one file. Returns the parsed file, or None with the problems."""
    raw = source.encode("utf-8") if isinstance(source, str) else source
    if len(raw) > MAX_FILE_BYTES:
        return None, [Problem(path, "", f"file is larger than {MAX_FILE_BYTES // 1024} KiB")]
    try:
        tree = etree.fromstring(raw, _SAFE_XML)
    except etree.XMLSyntaxError as err:
        return None, [Problem(path, f"line {err.lineno}", f"XML parse error: {err.msg}")]
    text = raw.decode("utf-8")
    namespace = etree.QName(tree).namespace
    local = etree.QName(tree).localname
    if namespace == BPMN_NS and local == "definitions":
        problems = _schema_problems(_bpmn_schema(), tree, path)
        return (None, problems) if problems else (_describe_bpmn(path, text, tree), [])
    if namespace in DMN_NAMESPACES and local == "definitions":
        problems = _schema_problems(_dmn_schema(namespace), tree, path)
        return (None, problems) if problems else (_describe_dmn(path, text, tree, namespace), [])
    return None, [Problem(path, "", "not a BPMN 2.0 or DMN definitions document")]


def _describe_bpmn(path: str, text: str, tree: etree._Element) -> ParsedFile:
    parsed = ParsedFile(path=path, source=text, kind="bpmn", tree=tree)
    processes = tree.xpath("./bpmn:process", namespaces=NS)
    executable = [p for p in processes if p.get("isExecutable") == "true"]
    if len(executable) == 1:
        parsed.key = executable[0].get("id", "")
        parsed.name = executable[0].get("name", "") or parsed.key
    parsed.provides = [p.get("id", "") for p in processes]
    parsed.called_processes = {c.get("calledElement", "") for c in tree.xpath(".//bpmn:callActivity", namespaces=NS)}
    for task in tree.xpath(".//bpmn:businessRuleTask", namespaces=NS):
        ref = task.xpath("./bpmn:extensionElements/spiffworkflow:calledDecisionId/text()", namespaces=NS)
        parsed.called_decisions.add(ref[0].strip() if ref else "")
    for process in processes:
        lanes = {}
        for lane in process.xpath(".//bpmn:lane", namespaces=NS):
            role = properties(lane).get("role")
            if lane.get("name") and role:
                lanes[lane.get("name")] = role
        parsed.lane_roles[process.get("id", "")] = lanes
    return parsed


def _describe_dmn(path: str, text: str, tree: etree._Element, namespace: str) -> ParsedFile:
    parsed = ParsedFile(path=path, source=text, kind="dmn", tree=tree)
    decisions = tree.xpath("./dmn:decision", namespaces={"dmn": namespace})
    parsed.provides = [d.get("id", "") for d in decisions]
    # SpiffWorkflow reads one decision per DMN file; lint refuses files with more.
    if decisions:
        parsed.key = decisions[0].get("id", "")
        parsed.name = decisions[0].get("name", "") or parsed.key
    return parsed


def spiff_parser(files: list[ParsedFile]) -> SpiffBpmnParser:
    """A SpiffWorkflow parser loaded with already validated files."""
    parser = SpiffBpmnParser()
    for parsed in files:
        tree = etree.fromstring(parsed.source.encode("utf-8"), _SAFE_XML)
        if parsed.kind == "bpmn":
            parser.add_bpmn_xml(tree, filename=parsed.path)
        else:
            parser.add_dmn_xml(tree, filename=parsed.path)
    return parser
