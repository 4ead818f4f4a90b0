"""The children's protection process (workflows/children/children.bpmn) through the engine API: a report registered at
intake, the risk assessment by the township child supervisor (level by DMN), emergency handling and temporary
guardianship on an hours clock, referrals that open other programs' cases for the child's household, the village
child director's recurring visits, the supervisor's review, closure and guardianship revocation petitions."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from freezegun import freeze_time

from engine import audit, runtime
from engine.errors import ProcessError
from engine.models import AuditEvent, HumanTask, ProcessInstance, TimerEvent
from forms import renderer
from portal.cases.models import Case, Household, Jurisdiction, Program
from portal.cases.services import open_case
from portal.intake.application import register_application
from portal.programs.children.models import (
    ChildCaseLink,
    DepartmentNotification,
    GuardianshipPetition,
    RiskAssessment,
    TemporaryGuardianship,
)

from .driver import VILLAGE, rid

pytestmark = pytest.mark.django_db
# Monday 2026-03-02 09:00 China time: Qiandongnan's 2026 rules (emergency clock 24 hours, assessment 3 working days).
MONDAY = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
CHINA = "+08:00"

FATHER, MOTHER, CHILD = rid("19880315", "031"), rid("19900620", "042"), rid("20160909", "053")
HOUSEHOLD = [
    {"name": "张明", "resident_id": FATHER, "relation": "head", "monthly_income": 0},
    {"name": "李芳", "resident_id": MOTHER, "relation": "spouse", "monthly_income": 0},
    {"name": "张小宇", "resident_id": CHILD, "relation": "child", "monthly_income": 0, "student": True},
]
IDS = [FATHER, MOTHER, CHILD]
ROUTINE = {"urgency": "routine", "finding": "alone", "guardian_situation": "parents_away",
           "reporter_kind": "teacher", "reporter_name": "吴老师", "reporter_unit": "舟溪镇中心小学"}
NO_GUARDIAN = {"urgency": "immediate", "finding": "uncared", "guardian_situation": "guardian_detained",
               "guardian_note": "父亲服刑，母亲离家两年无音讯", "reporter_kind": "village_cadre",
               "reporter_name": "杨支书", "reporter_unit": "舟溪村村委会"}
# Answers of the assessment form and the points they are worth (risk.py): total 1 → low.
LOW = {"safety": "safe", "guardianship": "weak", "health": "good", "education": "in_school"}
NONE = {"safety": "hazards", "guardianship": "none", "health": "good", "education": "irregular"}


def today() -> str:
    from django.utils import timezone

    return timezone.localdate().isoformat()


def report(**changes: Any) -> dict[str, Any]:
    """The whole intake form (household + report), as a township caseworker fills it."""
    data = {
        "applicant_name": "张明", "resident_id": FATHER, "phone": "13812345678",
        "address": "凯里市舟溪镇舟溪村五组 7 号", "reason": "孩子连续三天一个人在家，放学后无人照看，晚饭自己煮面。",
        "members": HOUSEHOLD, "staff_relation_declared": False, "truthfulness_pledge": True,
        "discovered_on": today(), "found_place": "舟溪村五组 7 号家中", "child_name": "张小宇", **ROUTINE,
    }
    data.update(changes)
    return data


class ChildDriver:
    def __init__(self, people: dict[str, Any]):
        self.people = people
        self.program = Program.objects.get(code="children")

    def open(self, **changes: Any) -> Case:
        data = report(**changes)
        problems = renderer.validate("children_report", data)
        assert not problems, problems
        village = Jurisdiction.objects.get(code=VILLAGE)
        return register_application(renderer.clean("children_report", data), village=village,
                                    program=self.program, actor=self.people["jingban"])

    @staticmethod
    def ready(case: Case) -> list[str]:
        return sorted(HumanTask.objects.filter(instance=case.instance, status=HumanTask.Status.READY)
                      .values_list("spec_id", flat=True))

    @staticmethod
    def task(case: Case, spec_id: str) -> HumanTask:
        return HumanTask.objects.filter(instance=case.instance, spec_id=spec_id,
                                        status=HumanTask.Status.READY).order_by("pk").first()

    def complete(self, case: Case, spec_id: str, who: str, data: dict[str, Any]) -> None:
        task = self.task(case, spec_id)
        assert task is not None, (spec_id, self.ready(case))
        problems = renderer.validate(task.form_key, data)
        assert not problems, (spec_id, problems)
        runtime.complete_task(task.pk, self.people[who], data)
        case.refresh_from_db()

    def data(self, case: Case, spec_id: str) -> dict[str, Any]:
        return runtime.task_data(self.task(case, spec_id).pk)

    def assess(self, case: Case, answers: dict[str, str], departments: tuple[str, ...] = ("education",)) -> None:
        data = {"assessed_on": today(), "child_seen": True, **answers,
                "findings": "见到儿童本人，了解了监护、生活和上学情况。",
                **{f"notify_{d}": True for d in departments}}
        if departments:
            data.update({"notified_on": today(), "notification_contacts": "值班人员"})
        self.complete(case, "Task_risk_assessment", "dudao", data)

    def assess_unchecked(self, case: Case, data: dict[str, Any]) -> None:
        """Submit the assessment without the form check, as an API caller could."""
        runtime.complete_task(self.task(case, "Task_risk_assessment").pk, self.people["dudao"], data)

    def arrange_guardianship(self, case: Case, starts_time: str = "12:00") -> None:
        self.complete(case, "Task_temporary_guardianship", "dudao", {
            "guardian_kind": "relatives", "guardian_name": "王桂兰", "guardian_relation": "外祖母",
            "guardian_phone": "13900001111", "placement_address": "舟溪村三组 2 号（外祖母家）",
            "starts_on": today(), "starts_time": starts_time,
            "arrangement": "外祖母身体健康，同意照料，孩子转到外祖母家居住，继续在本村小学上学。",
            "agreement_signed": True})

    def plan(self, case: Case, referrals: list[dict[str, Any]] | None = None) -> None:
        self.complete(case, "Task_assistance_plan", "dudao", {
            "planned_on": today(), "measures": "儿童主任每周探访；学校安排心理老师谈心；协调外祖母申请救助。",
            "referrals": referrals or []})

    def visit(self, case: Case, concern: str = "none") -> None:
        data = {"visited_on": today(), "visit_mode": "home", "child_seen": True,
                "child_condition": "孩子生活规律，按时上学，精神状态良好。", "concern": concern}
        if concern != "none":
            data["concern_detail"] = "外祖母腿脚不便，孩子上学路远。"
        self.complete(case, "Task_regular_visit", "ertong", data)

    def review(self, case: Case, decision: str = "close", reason: str = "risk_resolved") -> None:
        data = {"reviewed_on": today(), "review_decision": decision, "review_opinion": "复核探访记录和帮扶情况。"}
        if decision == "close":
            data.update({"closure_reason": reason, "closure_details": "父亲已返乡，监护恢复，孩子情况稳定。"})
        self.complete(case, "Task_case_review", "dudao", data)


@pytest.fixture
def programs(deployed, jurisdictions, shipped_programs):
    return shipped_programs


@pytest.fixture
def child(programs, people):
    return ChildDriver(people)


def pending_timers(case: Case) -> list[str]:
    return sorted(TimerEvent.objects.filter(instance=case.instance, status=TimerEvent.Status.PENDING)
                  .values_list("spec_id", flat=True))


def assert_no_id_numbers(*instances: ProcessInstance) -> None:
    for instance in instances:
        instance.refresh_from_db()
        payloads = json.dumps([e.payload for e in AuditEvent.objects.filter(instance=instance)], ensure_ascii=False)
        for number in IDS:
            assert number not in payloads and number not in instance.state


def test_low_risk_report_is_visited_reviewed_and_closed(child):
    with freeze_time(MONDAY) as clock:
        case = child.open()
        assert child.ready(case) == ["Task_risk_assessment"]
        assessment = child.task(case, "Task_risk_assessment")
        # A routine report is assessed within 3 working days (2026 rules): Thursday 23:59:59.
        assert assessment.candidate_group == f"child_supervisor:{VILLAGE[:9]}"
        assert assessment.due_at == datetime.fromisoformat(f"2026-03-05T23:59:59{CHINA}")
        start = child.data(case, "Task_risk_assessment")
        assert start["child"] == {"name": "张小宇", "birth_date": "2016-09-09", "age": 9}
        assert start["mandatory_report"] is True
        child.assess(case, LOW)
        assert child.ready(case) == ["Task_assistance_plan"]
        data = child.data(case, "Task_assistance_plan")
        assert (data["risk_level"], data["risk_total"], data["risk_highest"]) == ("low", 1, 1)
        assert data["shared_assessment"]["departments"] == ["education"]
        child.plan(case)
        # Low risk: a visit every 90 days, review within 180.
        assert child.ready(case) == ["Task_case_review"]
        assert pending_timers(case) == ["Timer_review_overdue", "Timer_visit_cycle"]
        cycle = TimerEvent.objects.get(instance=case.instance, spec_id="Timer_visit_cycle")
        assert cycle.due_at - MONDAY == timedelta(days=90)
        review = child.task(case, "Task_case_review")
        assert review.due_at == datetime.fromisoformat(f"2026-08-29T23:59:59{CHINA}")
        clock.move_to(MONDAY + timedelta(days=90, seconds=1))
        assert [t.spec_id for t in runtime.fire_instance_timers(case.instance_id)] == ["Timer_visit_cycle"]
        assert child.ready(case) == ["Task_case_review", "Task_regular_visit"]
        visit = child.task(case, "Task_regular_visit")
        assert visit.candidate_group == f"child_director:{VILLAGE}"
        child.visit(case)
        assert child.ready(case) == ["Task_case_review"]
        # The second visit comes 90 days later; the review is then overdue and escalated to the county.
        clock.move_to(MONDAY + timedelta(days=181))
        assert sorted(t.spec_id for t in runtime.fire_instance_timers(case.instance_id)) == [
            "Timer_review_overdue", "Timer_visit_cycle"]
        assert child.task(case, "Task_review_overdue").candidate_group == f"county_admin:{VILLAGE[:6]}"
        assert child.ready(case) == ["Task_case_review", "Task_regular_visit", "Task_review_overdue"]
        child.review(case)
    assert case.status == Case.Status.CLOSED and case.closed_at is not None
    case.instance.refresh_from_db()
    assert case.instance.status == ProcessInstance.Status.COMPLETED
    assert pending_timers(case) == []
    # Closing withdrew the open visit and escalation: the terminate end ends every branch.
    statuses = list(HumanTask.objects.filter(instance=case.instance, spec_id__in=["Task_regular_visit",
                                                                                 "Task_review_overdue"])
                    .order_by("pk").values_list("spec_id", "status"))
    assert statuses == [("Task_regular_visit", "completed"), ("Task_regular_visit", "withdrawn"),
                        ("Task_review_overdue", "withdrawn")]
    notice = DepartmentNotification.objects.get(case=case)
    assert (notice.department, notice.risk_level, notice.recorded_by.username) == ("education", "low", "dudao")
    assessment = RiskAssessment.objects.get(case=case)
    assert (assessment.risk_level, assessment.total, assessment.assessed_by.username) == ("low", 1, "dudao")
    assert notice.assessment == assessment and assessment.points["guardianship"] == 1
    kinds = list(AuditEvent.objects.filter(instance=case.instance).values_list("kind", flat=True))
    assert kinds.count("children.assessment_shared") == 1 and kinds[-2:] == ["case.closed", "instance.completed"]
    closed = AuditEvent.objects.get(instance=case.instance, kind="case.closed")
    assert closed.actor.username == "dudao" and "风险已消除" in closed.payload["reason"]
    assert not TemporaryGuardianship.objects.filter(case=case).exists()
    assert not ChildCaseLink.objects.filter(case=case).exists()
    assert audit.verify_chains() == []
    assert_no_id_numbers(case.instance)


def test_child_without_guardian_gets_temporary_guardianship_at_once_and_linked_cases(child, people):
    with freeze_time(MONDAY) as clock:
        case = child.open(**NO_GUARDIAN)
        # Immediate report: assessed within 24 hours of the report.
        assert child.task(case, "Task_risk_assessment").due_at == MONDAY + timedelta(hours=24)
        clock.tick(timedelta(hours=2))
        child.assess(case, NONE, departments=("police", "education"))
        assert child.ready(case) == ["Task_temporary_guardianship"]
        arrange = child.task(case, "Task_temporary_guardianship")
        assessed_at = MONDAY + timedelta(hours=2)
        assert arrange.due_at == assessed_at + timedelta(hours=24)
        assert "Timer_guardianship_overdue" in pending_timers(case)
        data = child.data(case, "Task_temporary_guardianship")
        assert data["risk_level"] == "emergency" and data["risk_score"]["no_effective_guardian"] is True
        clock.tick(timedelta(hours=3))
        child.arrange_guardianship(case)
        assert child.ready(case) == ["Task_assistance_plan"]
        placement = TemporaryGuardianship.objects.get(case=case)
        assert placement.within_clock and placement.active
        assert (placement.guardian_name, placement.kind, placement.arranged_by.username) == ("王桂兰", "relatives",
                                                                                             "dudao")
        assert placement.starts_at == datetime.fromisoformat(f"2026-03-02T12:00:00{CHINA}")
        assert "Timer_guardianship_overdue" not in pending_timers(case)
        child.plan(case, [
            {"program": "dibao", "referral_reason": "父亲服刑、母亲离家，家庭无收入来源。"},
            {"program": "temporary", "referral_reason": "儿童生活暂时困难，急需基本生活费用。", "aid_months": 3},
        ])
        links = {link.program_code: link for link in ChildCaseLink.objects.filter(case=case)}
        assert {code: link.status for code, link in links.items()} == {"dibao": "opened", "temporary": "opened"}
        for code in ("dibao", "temporary"):
            linked = links[code].linked_case
            # The other program's own process runs as a separate instance for the same household.
            assert (linked.program_id, linked.household_id, linked.status) == (code, case.household_id, "open")
            assert linked.instance.process_key == code and linked.instance.status == "running"
            assert linked.instance_id != case.instance_id
            assert HumanTask.objects.filter(instance=linked.instance, status="ready").exists()
        started = AuditEvent.objects.get(instance=links["temporary"].linked_case.instance, kind="instance.started")
        assert started.payload["data"]["referred_from"] == case.business_key
        assert started.payload["data"]["requested_months"] == 3
        assert started.actor.username == "dudao"
        shown = child.data(case, "Task_case_review")["linked_cases"]
        assert [(r["program"], r["status"]) for r in shown] == [("dibao", "opened"), ("temporary", "opened")]

        # Emergency level: a visit every 7 days; two cycles fire, each opening a visit for the village's director.
        for week in (1, 2):
            clock.move_to(assessed_at + timedelta(days=7 * week, hours=4))
            assert [t.spec_id for t in runtime.fire_instance_timers(case.instance_id)] == ["Timer_visit_cycle"]
            assert child.ready(case).count("Task_regular_visit") == 1
            child.visit(case, concern="needs_help" if week == 1 else "none")
        assert child.ready(case) == ["Task_case_review", "Task_visit_followup"]
        child.complete(case, "Task_visit_followup", "dudao", {
            "handled_on": today(), "followup_action": "协调村里安排顺路接送，学校减免午餐费。"})
        child.review(case, reason="long_term_placement")
    assert case.status == Case.Status.CLOSED
    placement.refresh_from_db()
    assert not placement.active and placement.end_reason.startswith("结案")
    visits = AuditEvent.objects.filter(instance=case.instance, kind="task.completed",
                                       payload__task="Task_regular_visit")
    assert visits.count() == 2 and {v.actor.username for v in visits} == {"ertong"}
    assert set(DepartmentNotification.objects.filter(case=case).values_list("department", flat=True)) == {
        "police", "education"}
    # The linked cases live on after the child's case is closed.
    assert Case.objects.filter(pk__in=[link.linked_case_id for link in links.values()], status="open").count() == 2
    kinds = set(AuditEvent.objects.filter(instance=case.instance).values_list("kind", flat=True))
    assert {"children.assessment_shared", "children.guardianship_arranged", "children.case_linked",
            "case.closed"} <= kinds
    assert not HumanTask.objects.filter(spec_id="Task_emergency_overdue").exists()
    assert audit.verify_chains() == []
    assert_no_id_numbers(case.instance, *[link.linked_case.instance for link in links.values()])


def test_refused_and_failed_referrals_are_recorded_and_the_case_goes_on(child, people):
    with freeze_time(MONDAY):
        case = child.open()
        # The household already has an open 低保 case: the referral is refused, with the reason.
        open_case(case.household, Program.objects.get(code="dibao"), actor=people["jingban"])
        # 特困 as if its process were not deployed yet, taking the household form only.
        Program.objects.filter(code="tekun").update(process_key="tekun_not_deployed",
                                                    application_form="household_application")
        child.assess(case, LOW)
        child.plan(case, [{"program": "dibao", "referral_reason": "家庭收入低。"},
                          {"program": "tekun", "referral_reason": "儿童无人抚养。"}])
        assert child.ready(case) == ["Task_case_review"]
    links = {link.program_code: link for link in ChildCaseLink.objects.filter(case=case)}
    assert links["dibao"].status == "refused" and links["dibao"].linked_case is None
    assert "已有在办的农村最低生活保障案件" in links["dibao"].problems
    assert links["tekun"].status == "failed" and links["tekun"].problems == "该项目的审批流程尚未部署"
    assert Case.objects.filter(household=case.household, program_id="dibao").count() == 1
    assert not Case.objects.filter(program_id="tekun").exists()
    events = AuditEvent.objects.filter(instance=case.instance, kind="children.case_linked").order_by("seq")
    assert [(e.payload["program"], e.payload["link_status"]) for e in events] == [("dibao", "refused"),
                                                                               ("tekun", "failed")]


@pytest.mark.parametrize(("answers", "level", "next_task"), [
    # total 0 / 1 → low; 2 and 3 → medium; 4 and above → high; any critical answer → emergency.
    ({"safety": "safe", "guardianship": "effective", "health": "good", "education": "not_school_age"}, "low",
     "Task_assistance_plan"),
    (LOW, "low", "Task_assistance_plan"),
    ({"safety": "safe", "guardianship": "weak", "health": "minor", "education": "in_school"}, "medium",
     "Task_assistance_plan"),
    ({"safety": "hazards", "guardianship": "inadequate", "health": "good", "education": "in_school"}, "medium",
     "Task_assistance_plan"),
    ({"safety": "hazards", "guardianship": "inadequate", "health": "minor", "education": "in_school"}, "high",
     "Task_assistance_plan"),
    ({"safety": "threatened", "guardianship": "inadequate", "health": "needs_care", "education": "out_of_school"},
     "high", "Task_assistance_plan"),
    ({"safety": "safe", "guardianship": "effective", "health": "urgent", "education": "in_school"}, "emergency",
     "Task_emergency_handling"),
    ({"safety": "safe", "guardianship": "none", "health": "good", "education": "in_school"}, "emergency",
     "Task_temporary_guardianship"),
])
def test_risk_level_boundaries(child, answers, level, next_task):
    with freeze_time(MONDAY):
        case = child.open()
        departments = ("police",) if answers["safety"] in ("threatened", "in_danger") else ()
        child.assess(case, answers, departments)
        assert child.ready(case) == [next_task]
        assert child.data(case, next_task)["risk_level"] == level


def test_visits_by_risk_level(child):
    with freeze_time(MONDAY):
        case = child.open()
        child.assess(case, {"safety": "hazards", "guardianship": "inadequate", "health": "minor",
                            "education": "in_school"})
        child.plan(case)
        data = child.data(case, "Task_case_review")
        assert (data["risk_level"], data["visit_interval_days"], data["visit_count"], data["review_days"]) == (
            "high", 15, 6, 90)
        cycle = TimerEvent.objects.get(instance=case.instance, spec_id="Timer_visit_cycle")
        assert cycle.due_at - MONDAY == timedelta(days=15)


def test_harm_without_police_notification_is_refused(child):
    with freeze_time(MONDAY):
        case = child.open(finding="harmed", guardian_situation="guardian_harms", guardian_note="父亲酒后打骂孩子")
        task = child.task(case, "Task_risk_assessment")
        answers = {"assessed_on": today(), "child_seen": True, "safety": "threatened", "guardianship": "inadequate",
                   "health": "minor", "education": "in_school", "findings": "父亲酒后打骂孩子，身上有淤青。",
                   "notify_education": True, "notified_on": today()}
        # The form refuses it…
        assert renderer.validate("children_risk_assessment", answers) == {
            "notify_police": ["儿童曾受到或正在受到侵害的，须通报公安机关"]}
        # …and so does the process, for data that did not come through the form.
        with pytest.raises(ProcessError, match="须通报公安机关"):
            child.assess_unchecked(case, answers)
    task.refresh_from_db()
    assert task.status == HumanTask.Status.READY
    assert not DepartmentNotification.objects.filter(case=case).exists()


def test_emergency_with_guardian_then_guardianship_overdue_is_escalated(child, people):
    with freeze_time(MONDAY) as clock:
        case = child.open(urgency="urgent", finding="harmed")
        child.assess(case, {"safety": "in_danger", "guardianship": "weak", "health": "needs_care",
                            "education": "in_school"}, departments=("police", "health"))
        assert child.ready(case) == ["Task_emergency_handling"]
        child.complete(case, "Task_emergency_handling", "dudao", {
            "handled_on": today(), "measures": "报警并送医检查，祖母年迈无力保护。",
            "emergency_outcome": "needs_guardianship", "guardian_contacted": True})
        assert child.ready(case) == ["Task_temporary_guardianship"]
        clock.tick(timedelta(hours=25))
        assert [t.spec_id for t in runtime.fire_instance_timers(case.instance_id)] == ["Timer_guardianship_overdue"]
        overdue = child.task(case, "Task_emergency_overdue")
        assert overdue.candidate_group == f"county_admin:{VILLAGE[:6]}"
        child.arrange_guardianship(case, starts_time="20:30")
    placement = TemporaryGuardianship.objects.get(case=case)
    assert not placement.within_clock
    event = AuditEvent.objects.get(instance=case.instance, kind="children.guardianship_arranged")
    assert event.payload["within_clock"] is False


def test_guardianship_petition_needs_six_months_of_neglect_then_monitoring_goes_on(child, people):
    with freeze_time(MONDAY):
        case = child.open(**NO_GUARDIAN)
        child.assess(case, NONE, departments=("police",))
        child.arrange_guardianship(case)
        child.plan(case)
        child.review(case, decision="petition")
        assert child.ready(case) == ["Task_guardianship_petition"]
        petition = {"petition_grounds": "neglect", "respondent_name": "李芳", "court": "凯里市人民法院",
                    "filed_on": today(), "petition_facts": "母亲离家后不闻不问，不支付抚养费，孩子生活无着。",
                    "evidence": ["村委会证明", "探访记录"], "proposed_guardian": "外祖母王桂兰"}
        with pytest.raises(ProcessError, match="须持续 6 个月以上") as refused:
            child.complete(case, "Task_guardianship_petition", "xianguan", {**petition, "neglect_since": "2025-09-03"})
        assert refused.value.refusal.startswith("以怠于履行监护职责为由申请撤销监护人资格，须持续 6 个月以上")
        assert not GuardianshipPetition.objects.exists()
        child.complete(case, "Task_guardianship_petition", "xianguan", {**petition, "neglect_since": "2025-09-02"})
        # The child stays under temporary guardianship and visits go on until the next review.
        assert child.ready(case) == ["Task_case_review"]
        child.review(case, decision="reassess")
        assert child.ready(case) == ["Task_risk_assessment"]
    record = GuardianshipPetition.objects.get(case=case)
    assert (record.grounds, record.neglect_months, record.filed_by.username) == ("neglect", 6, "xianguan")
    assert AuditEvent.objects.filter(instance=case.instance, kind="children.petition_filed").count() == 1
    assert case.status == Case.Status.OPEN


@pytest.mark.parametrize(("changes", "message"), [
    ({"child_name": "张小明"}, "不在登记的家庭成员中"),
    ({"child_name": "张明"}, "已年满十八周岁"),
])
def test_report_about_someone_who_is_not_a_child_member_is_refused(child, changes, message):
    with freeze_time(MONDAY), pytest.raises(ProcessError, match=message):
        child.open(**changes)
    assert not Case.objects.exists() and not Household.objects.exists()
