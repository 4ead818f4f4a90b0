"""Done / current elements computed from the deserialized workflow, on deployed processes."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from freezegun import freeze_time

from engine import operators, runtime
from engine.deploy import deploy_source, deploy_sources
from portal.casefile.progress import MAIN, instance_progress
from portal.cases.models import Program

from .conftest import VILLAGE, complete

pytestmark = pytest.mark.django_db
ENGINE_BPMN = Path(__file__).resolve().parents[1] / "engine" / "bpmn"
MONDAY = datetime(2026, 9, 28, 1, 0, tzinfo=UTC)


def by_ref(instance):
    instance.refresh_from_db()
    return {d.ref: d for d in instance_progress(instance)}


def main(instance):
    diagram = by_ref(instance)[MAIN]
    return diagram.done, diagram.current


@pytest.fixture
def staff_users(make_user):
    return {
        "village": make_user("village", "village_committee", village=VILLAGE),
        "caseworker": make_user("caseworker", "township_caseworker", village=VILLAGE),
        "township": make_user("township", "township_reviewer", village=VILLAGE),
        "county": make_user("county", "county_approver", village=VILLAGE),
    }


def test_demo_process_step_by_step(make_case, staff_users):
    with freeze_time(MONDAY) as clock:
        case = make_case()
        instance = case.instance
        assert main(instance) == (["Start_application"], ["Task_apply"])

        complete(instance, staff_users["village"], {"applicant_name": "王秀英", "household_size": 1,
                                                   "requested_amount": 300})
        assert main(instance) == (["Start_application", "Task_apply"], ["Task_home_visit"])

        complete(instance, staff_users["caseworker"], {"visited_on": "2026-09-28", "investigators": ["甲", "乙"],
                                                      "findings": "属实"})
        complete(instance, staff_users["village"], {"decision": "approve", "opinion": "评议通过"})
        done, current = main(instance)
        assert current == ["Timer_notice"]  # the 7-day public notice is running
        assert done == ["Script_amount", "Start_application", "Task_apply", "Task_democratic_review",
                        "Task_home_visit"]

        clock.tick(timedelta(days=7, seconds=1))
        runtime.fire_instance_timers(instance.pk)
        complete(instance, staff_users["township"], {"decision": "approve", "opinion": "同意"})
        done, current = main(instance)
        # County approval and its non-interrupting deadline timer are both live.
        assert current == ["Task_county_approval", "Timer_county_deadline"]
        assert {"Timer_notice", "Task_township_review", "Gateway_township"} <= set(done)

        complete(instance, staff_users["county"], {"decision": "approve", "opinion": "批准"})
    instance.refresh_from_db()
    assert instance.status == "completed"
    done, current = main(instance)
    assert current == []  # the instance ended: nothing is current
    assert {"Task_county_approval", "Gateway_county", "End_approved"} <= set(done)
    assert "Task_refusal_notice" not in done and "Timer_county_deadline" not in done
    assert by_ref(instance)[MAIN].finished


def test_a_cancelled_instance_has_nothing_current(make_case):
    case = make_case()
    runtime.cancel_instance(case.instance.pk, None, reason="申请人撤回")
    done, current = main(case.instance)
    assert current == [] and done == ["Start_application"]


@pytest.fixture
def parent_program(db, household):
    @operators.operator("test_double", params={"value": (int, float)})
    def double(*, value, context):
        return {"value": value * 2}

    names = ("child_review.bpmn", "approval_tier.dmn", "parent_with_rules.bpmn")
    outcomes = deploy_sources([(n, (ENGINE_BPMN / n).read_text(encoding="utf-8")) for n in names])
    assert all(o.ok for o in outcomes), [str(p) for o in outcomes for p in o.problems]
    # A program running the engine's test process with a call activity and a decision table.
    yield Program.objects.create(code="parent", name="父流程", process_key="parent_with_rules"), outcomes[0].definition
    operators.unregister("test_double")


def test_call_activity_is_current_while_its_child_task_is_ready(client, make_case, make_user, parent_program):
    program, child_definition = parent_program
    case = make_case(prog=program, data={"amount": 1200})
    assert case.instance.process_key == "parent_with_rules"
    diagrams = list(by_ref(case.instance).values())
    assert [d.ref for d in diagrams][0] == MAIN and len(diagrams) == 2
    parent, child = diagrams
    assert parent.current == ["P_call"]
    assert parent.done == ["P_service", "P_start", "P_tier"]
    assert (child.process, child.name, child.parent) == ("child_review", "复核子流程", MAIN)
    assert child.called_from == "P_call"
    assert child.definition_id == child_definition.pk
    assert child.current == ["Child_review"] and child.done == ["Child_start"] and not child.finished

    reviewer = make_user("reviewer", "township_reviewer", village=VILLAGE)
    client.force_login(reviewer)
    response = client.get(reverse("casefile:detail", args=[case.pk]))
    data = {d["ref"]: d for d in response.context["diagrams"]}
    assert data[child.ref]["url"] == reverse("casefile:diagram", args=[case.pk]) + "?process=child_review"
    xml = client.get(data[child.ref]["url"]).content.decode()
    assert 'id="child_review"' in xml and 'bpmnElement="Child_review"' in xml

    complete(case.instance, reviewer, {"decision": "approve", "opinion": "复核通过"})
    parent, child = by_ref(case.instance).values()
    assert parent.current == ["P_approve"] and "P_call" in parent.done
    assert child.current == [] and child.done == ["Child_end", "Child_review", "Child_start"] and child.finished


EMBEDDED = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Defs_embedded"
                  targetNamespace="http://doudi.example/bpmn">
  <bpmn:process id="embedded_wait" name="内嵌子流程" isExecutable="true">
    <bpmn:startEvent id="E_start" />
    <bpmn:sequenceFlow id="E1" sourceRef="E_start" targetRef="E_sub" />
    <bpmn:subProcess id="E_sub" name="等待">
      <bpmn:startEvent id="Sub_start" />
      <bpmn:sequenceFlow id="S1" sourceRef="Sub_start" targetRef="Sub_wait" />
      <bpmn:intermediateCatchEvent id="Sub_wait" name="等三天">
        <bpmn:timerEventDefinition id="Sub_timer">
          <bpmn:timeDuration>"P3D"</bpmn:timeDuration>
        </bpmn:timerEventDefinition>
      </bpmn:intermediateCatchEvent>
      <bpmn:sequenceFlow id="S2" sourceRef="Sub_wait" targetRef="Sub_end" />
      <bpmn:endEvent id="Sub_end" />
    </bpmn:subProcess>
    <bpmn:sequenceFlow id="E2" sourceRef="E_sub" targetRef="E_end" />
    <bpmn:endEvent id="E_end" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_embedded_subprocess_elements_are_marked_on_the_same_diagram(db):
    deploy_source("embedded_wait.bpmn", EMBEDDED)
    with freeze_time(MONDAY) as clock:
        instance = runtime.start_process("embedded_wait", jurisdiction=VILLAGE)
        (diagram,) = instance_progress(instance)
        assert diagram.current == ["E_sub", "Sub_wait"] and diagram.done == ["E_start", "Sub_start"]
        clock.tick(timedelta(days=3, seconds=1))
        runtime.fire_instance_timers(instance.pk)
    instance.refresh_from_db()
    (diagram,) = instance_progress(instance)
    assert diagram.current == []
    assert diagram.done == ["E_end", "E_start", "E_sub", "Sub_end", "Sub_start", "Sub_wait"]


LOOP = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Defs_loop"
                  targetNamespace="http://doudi.example/bpmn">
  <bpmn:process id="review_loop" name="复核循环" isExecutable="true">
    <bpmn:startEvent id="L_start" />
    <bpmn:sequenceFlow id="L1" sourceRef="L_start" targetRef="L_call" />
    <bpmn:callActivity id="L_call" name="复核" calledElement="child_review" />
    <bpmn:sequenceFlow id="L2" sourceRef="L_call" targetRef="L_again" />
    <bpmn:exclusiveGateway id="L_again" default="L_done" />
    <bpmn:sequenceFlow id="L_back" sourceRef="L_again" targetRef="L_call">
      <bpmn:conditionExpression>decision == "return"</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="L_done" sourceRef="L_again" targetRef="L_end" />
    <bpmn:endEvent id="L_end" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_a_call_activity_reached_twice_has_two_numbered_runs(make_user):
    deploy_source("child_review.bpmn", (ENGINE_BPMN / "child_review.bpmn").read_text(encoding="utf-8"))
    deploy_source("review_loop.bpmn", LOOP)
    reviewer = make_user("reviewer", "township_reviewer", village=VILLAGE)
    instance = runtime.start_process("review_loop", jurisdiction=VILLAGE)
    complete(instance, reviewer, {"decision": "return", "opinion": "补充材料"})
    main_diagram, first, second = by_ref(instance).values()
    assert main_diagram.current == ["L_call"] and main_diagram.done == ["L_again", "L_start"]
    assert (first.name, first.finished, first.current) == ("复核子流程（第 1 次）", True, [])
    assert (second.name, second.finished, second.current) == ("复核子流程（第 2 次）", False, ["Child_review"])
    assert first.called_from == second.called_from == "L_call" and first.ref != second.ref
