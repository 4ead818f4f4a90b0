"""Deploy-time checks: everything that would fail late, silently or unsafely at run time.

``lint_file`` returns every problem it finds (it does not stop at the first), each naming the
element it concerns, so a manager can fix a diagram in one go.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable

from django.conf import settings
from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import SpiffWorkflowException

from . import operators
from .errors import Problem
from .expressions import ExpressionSyntaxError, check_expression, check_script, parse_or_raise
from .parsing import NS, ParsedFile, element_label, properties, spiff_parser

FlowNodes = ("task", "userTask", "manualTask", "scriptTask", "serviceTask", "businessRuleTask", "sendTask",
             "receiveTask", "callActivity", "subProcess", "startEvent", "endEvent", "intermediateCatchEvent",
             "intermediateThrowEvent", "boundaryEvent")
UNSUPPORTED = {
    "linkEventDefinition": "link events are ignored by SpiffWorkflow; connect the flow directly",
    "compensateEventDefinition": "compensation is not supported by SpiffWorkflow",
    "complexGateway": "complex gateways are not supported; use exclusive or inclusive gateways",
    "transaction": "transactions are not supported; use a sub-process",
}
RESERVED_IDS = {"Start", "End", "Root"}
SUPPORTED_HIT_POLICIES = {"UNIQUE", "COLLECT"}
HUMAN_TASKS = ("userTask", "manualTask", "task")  # SpiffWorkflow waits for a person on a plain task too


def _xp(element: etree._Element, path: str) -> list:
    return element.xpath(path, namespaces=NS)


def _text(element: etree._Element) -> str:
    return (element.text or "").strip()


def lint_file(
    parsed: ParsedFile,
    dependencies: Iterable[ParsedFile] = (),
    *,
    form_exists: Callable[[str], bool] | None = None,
) -> list[Problem]:
    """All problems of ``parsed``; ``dependencies`` are the files its call activities/decisions resolve to.

    The answer depends only on the files' contents, the roles, the operators and the forms, so it is remembered
    under those (deploying the same files again, as every deploy of the workflows directory does, reads them once).
    """
    dependencies = list(dependencies)
    if form_exists is not None:
        return _lint_file(parsed, dependencies, form_exists=form_exists)
    key = _cache_key(parsed, dependencies)
    found = _LINTED.get(key)
    if found is None:
        found = tuple(_lint_file(parsed, dependencies, form_exists=None))
        with _LINTED_LOCK:
            if len(_LINTED) >= LINT_CACHE_SIZE:
                _LINTED.pop(next(iter(_LINTED)))
            _LINTED[key] = found
    return list(found)


LINT_CACHE_SIZE = 512
_LINTED: dict[tuple, tuple[Problem, ...]] = {}
_LINTED_LOCK = threading.Lock()


def _cache_key(parsed: ParsedFile, dependencies: list[ParsedFile]) -> tuple:
    from forms.registry import form_keys

    roles = tuple(sorted((role, str(spec.get("level", ""))) for role, spec in settings.ENGINE_ROLES.items()))
    return (parsed.path, parsed.kind, parsed.sha256, tuple((d.path, d.sha256) for d in dependencies),
            operators.generation(), roles, tuple(form_keys()))


def _lint_file(
    parsed: ParsedFile,
    dependencies: list[ParsedFile],
    *,
    form_exists: Callable[[str], bool] | None,
) -> list[Problem]:
    if parsed.kind == "dmn":
        return _lint_dmn(parsed)
    problems: list[Problem] = []
    add = lambda element, message: problems.append(Problem(parsed.path, element, message))  # noqa: E731
    executable = _xp(parsed.tree, "./bpmn:process[@isExecutable='true']")
    if not executable:
        add("", "not executable: no process has isExecutable=\"true\"")
    elif len(executable) > 1:
        add("", "more than one executable process; keep one per file and call the others")

    for element in _xp(parsed.tree, ".//bpmn:*[@id]"):
        if element.get("id") in RESERVED_IDS:
            add(element_label(element), "this id is reserved by SpiffWorkflow (Start, End, Root); rename it")

    for tag, reason in UNSUPPORTED.items():
        for element in _xp(parsed.tree, f".//bpmn:{tag}"):
            target = element.getparent() if tag.endswith("Definition") else element
            add(element_label(target), reason)

    _lint_flows(parsed, add)
    _lint_gateways(parsed, add)
    _lint_human_tasks(parsed, add, form_exists or _default_form_exists)
    _lint_service_tasks(parsed, add)
    _lint_expressions(parsed, add)
    _lint_references(parsed, dependencies, add)
    if not problems and parsed.key:
        problems.extend(_spiff_problems(parsed, dependencies))
    return problems


def _default_form_exists(form_key: str) -> bool:
    from forms.registry import form_exists

    return form_exists(form_key)


def _lint_flows(parsed: ParsedFile, add: Callable[[str, str], None]) -> None:
    outgoing: dict[str, int] = {}
    for flow in _xp(parsed.tree, ".//bpmn:sequenceFlow"):
        outgoing[flow.get("sourceRef", "")] = outgoing.get(flow.get("sourceRef", ""), 0) + 1
    for tag in FlowNodes:
        for node in _xp(parsed.tree, f".//bpmn:{tag}"):
            if outgoing.get(node.get("id", ""), 0) > 1:
                add(element_label(node), "has more than one outgoing flow; put a gateway after it")


def _lint_gateways(parsed: ParsedFile, add: Callable[[str, str], None]) -> None:
    flows = {f.get("id"): f for f in _xp(parsed.tree, ".//bpmn:sequenceFlow")}
    for gateway in _xp(parsed.tree, ".//bpmn:exclusiveGateway | .//bpmn:inclusiveGateway"):
        out = [f for f in flows.values() if f.get("sourceRef") == gateway.get("id")]
        if len(out) < 2:
            continue
        default = gateway.get("default")
        if etree.QName(gateway).localname == "exclusiveGateway" and not default:
            add(element_label(gateway), "exclusive gateway has no default flow")
        for flow in out:
            if flow.get("id") != default and not _xp(flow, "./bpmn:conditionExpression"):
                add(element_label(flow), f"flow out of gateway '{gateway.get('id')}' has no condition")


def _lane_of(parsed: ParsedFile) -> dict[str, etree._Element]:
    lanes = {}
    for lane in _xp(parsed.tree, ".//bpmn:lane"):
        for ref in _xp(lane, "./bpmn:flowNodeRef"):
            lanes[_text(ref)] = lane
    return lanes


def _containing_lane(node: etree._Element, lanes: dict[str, etree._Element]) -> etree._Element | None:
    # Tasks inside an embedded sub-process take the lane of the sub-process.
    current = node
    while current is not None:
        lane = lanes.get(current.get("id", ""))
        if lane is not None:
            return lane
        current = current.getparent()
    return None


def _lint_human_tasks(parsed: ParsedFile, add: Callable[[str, str], None], form_exists) -> None:
    lanes = _lane_of(parsed)
    roles = settings.ENGINE_ROLES
    lanes_with_tasks: set = set()
    for tag in HUMAN_TASKS:
        for task in _xp(parsed.tree, f".//bpmn:{tag}"):
            lane = _containing_lane(task, lanes)
            if lane is None:
                add(element_label(task), "human task is outside any lane, so nobody would be assigned it")
            else:
                lanes_with_tasks.add(lane)
            if tag == "userTask":
                form_key = properties(task).get("formKey", "")
                if not form_key:
                    add(element_label(task), "user task has no formKey property")
                elif not form_exists(form_key):
                    add(element_label(task), f"unknown form key '{form_key}'")
    for lane in lanes_with_tasks:
        role = properties(lane).get("role", "")
        if not lane.get("name"):
            add(element_label(lane), "lane has no name")
        if not role:
            add(element_label(lane), "lane has human tasks but no role mapping (property 'role')")
        elif role not in roles:
            add(element_label(lane), f"lane maps to unknown role '{role}'")


def _lint_service_tasks(parsed: ParsedFile, add: Callable[[str, str], None]) -> None:
    for task in _xp(parsed.tree, ".//bpmn:serviceTask"):
        ops = _xp(task, "./bpmn:extensionElements/spiffworkflow:serviceTaskOperator")
        if not ops:
            add(element_label(task), "service task names no operator (spiffworkflow:serviceTaskOperator)")
            continue
        name = ops[0].get("id", "")
        try:
            operator = operators.get(name)
        except operators.OperatorError:
            add(element_label(task), f"unknown service operator '{name}'")
            continue
        given = {p.get("id", "") for p in _xp(ops[0], ".//spiffworkflow:parameter")}
        for message in operator.check_arguments(given):
            add(element_label(task), f"operator '{name}': {message}")


def _expression_sites(parsed: ParsedFile) -> Iterable[tuple[etree._Element, str, str, str]]:
    """(element, what, kind, source) for every piece of code the engine will evaluate."""
    tree = parsed.tree
    for script in _xp(tree, ".//bpmn:scriptTask/bpmn:script"):
        yield script.getparent(), "script", "script", script.text or ""
    for tag in ("preScript", "postScript"):
        for script in _xp(tree, f".//bpmn:extensionElements/spiffworkflow:{tag}"):
            yield script.getparent().getparent(), tag, "script", script.text or ""
    for cond in _xp(tree, ".//bpmn:sequenceFlow/bpmn:conditionExpression"):
        yield cond.getparent(), "condition", "expression", cond.text or ""
    for tag in ("timeDate", "timeDuration", "timeCycle"):
        for expr in _xp(tree, f".//bpmn:timerEventDefinition/bpmn:{tag}"):
            yield expr.getparent().getparent(), f"timer {tag}", "expression", expr.text or ""
    for tag in ("loopCardinality", "completionCondition"):
        for expr in _xp(tree, f".//bpmn:multiInstanceLoopCharacteristics/bpmn:{tag}"):
            yield expr.getparent().getparent(), tag, "expression", expr.text or ""
    for expr in _xp(tree, ".//bpmn:standardLoopCharacteristics/bpmn:loopCondition"):
        yield expr.getparent().getparent(), "loopCondition", "expression", expr.text or ""
    for param in _xp(tree, ".//spiffworkflow:serviceTaskOperator//spiffworkflow:parameter"):
        task = param.xpath("ancestor::bpmn:serviceTask", namespaces=NS)[0]
        yield task, f"parameter '{param.get('id')}'", "expression", param.get("value", "")
    for task in _xp(tree, ".//bpmn:userTask"):
        due = properties(task).get("dueIn")
        if due:
            yield task, "dueIn", "expression", due


def _lint_expressions(parsed: ParsedFile, add: Callable[[str, str], None]) -> None:
    for element, what, kind, source in _expression_sites(parsed):
        if not source.strip():
            add(element_label(element), f"{what} is empty")
            continue
        found = check_script(source) if kind == "script" else check_expression(source)
        for message in found:
            add(element_label(element), f"unsafe or invalid {what}: {message}")


def _lint_references(parsed: ParsedFile, dependencies: list[ParsedFile], add) -> None:
    processes = set(parsed.provides) | {p for d in dependencies if d.kind == "bpmn" for p in d.provides}
    decisions = {p for d in dependencies if d.kind == "dmn" for p in d.provides}
    for called in sorted(parsed.called_processes):
        if not called:
            add("callActivity", "call activity names no calledElement")
        elif called not in processes:
            add(f"callActivity -> {called}", f"called process '{called}' is not deployed")
    for decision in sorted(parsed.called_decisions):
        if not decision:
            add("businessRuleTask", "business rule task names no decision (spiffworkflow:calledDecisionId)")
        elif decision not in decisions:
            add(f"businessRuleTask -> {decision}", f"decision table '{decision}' is not deployed")


def _spiff_problems(parsed: ParsedFile, dependencies: list[ParsedFile]) -> list[Problem]:
    try:
        parser = spiff_parser([parsed, *dependencies])
        parser.get_spec(parsed.key)
        parser.get_subprocess_specs(parsed.key)
    except ValidationException as err:
        element = f"{err.tag} '{err.id}'" if getattr(err, "id", "") else ""
        return [Problem(parsed.path, element, f"SpiffWorkflow refuses it: {err.args[0] if err.args else err}")]
    except (SpiffWorkflowException, ValueError, KeyError, TypeError, AttributeError) as err:
        return [Problem(parsed.path, "", f"SpiffWorkflow cannot parse it: {type(err).__name__}: {err}")]
    return []


def _dmn_cell_expression(input_expression: str, entry: str) -> str:
    """The expression SpiffWorkflow's DMNEngine will evaluate for one input cell."""
    if re.search(r'\?(?=(?:[^\'"]|[\'"][^\'"]*[\'"])*$)', entry):
        return re.sub(r'(\?)(?=(?:[^\'"]|[\'"][^\'"]*[\'"])*$)', "dmninputexpr", entry)
    try:
        parse_or_raise(entry)
        return f"({input_expression}) == ({entry})"
    except ExpressionSyntaxError:
        return input_expression + entry


def _lint_dmn(parsed: ParsedFile) -> list[Problem]:
    problems: list[Problem] = []
    ns = {"dmn": etree.QName(parsed.tree).namespace}
    decisions = parsed.tree.xpath("./dmn:decision", namespaces=ns)
    if not decisions:
        problems.append(Problem(parsed.path, "", "no decision in this DMN file"))
    elif len(decisions) > 1:
        problems.append(Problem(parsed.path, "", "one decision per DMN file (SpiffWorkflow reads only the first)"))
    for decision in decisions:
        label = f"decision '{decision.get('id')}'"
        tables = decision.xpath("./dmn:decisionTable", namespaces=ns)
        if not tables:
            problems.append(Problem(parsed.path, label, "has no decision table"))
            continue
        table = tables[0]
        policy = (table.get("hitPolicy") or "UNIQUE").upper()
        if policy not in SUPPORTED_HIT_POLICIES:
            problems.append(Problem(parsed.path, label, f"hit policy {policy} is not supported (UNIQUE, COLLECT)"))
        inputs = [(_text(t) if (t := i.find("dmn:inputExpression/dmn:text", ns)) is not None else "")
                  for i in table.findall("dmn:input", ns)]
        for index, source in enumerate(inputs, 1):
            for message in check_expression(source) if source else ["input has no expression"]:
                problems.append(Problem(parsed.path, f"{label} input {index}", f"unsafe or invalid: {message}"))
        for row, rule in enumerate(table.findall("dmn:rule", ns), 1):
            for col, entry in enumerate(rule.findall("dmn:inputEntry", ns)):
                text = _text(entry.find("dmn:text", ns)) if entry.find("dmn:text", ns) is not None else ""
                if not text or text == "-" or col >= len(inputs):
                    continue
                for message in check_expression(_dmn_cell_expression(inputs[col], text)):
                    problems.append(Problem(parsed.path, f"{label} rule {row}", f"input cell '{text}': {message}"))
            for entry in rule.findall("dmn:outputEntry", ns):
                text = _text(entry.find("dmn:text", ns)) if entry.find("dmn:text", ns) is not None else ""
                for message in check_expression(text) if text else []:
                    problems.append(Problem(parsed.path, f"{label} rule {row}", f"output cell '{text}': {message}"))
    if not problems:
        try:
            parser = spiff_parser([parsed])
            for dmn_parser in parser.dmn_parsers.values():
                dmn_parser.parse()
        except (ValidationException, SpiffWorkflowException, ValueError, SyntaxError) as err:
            problems.append(Problem(parsed.path, "", f"SpiffWorkflow cannot read it: {err}"))
    return problems
