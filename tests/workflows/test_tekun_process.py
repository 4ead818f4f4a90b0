"""The 特困 process (workflows/tekun/*.bpmn and the common sub-processes) through the engine API: approval into
dispersed support with a care agreement and recurring visits, refusals (ineligible applicant, county), the
care level from the six daily activities, the county's spot checks, centralised admission against the
staffing ratios, objection → re-check → new notice, and the statutory clocks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time

from engine.errors import ProcessError, TaskForbidden
from engine.models import AuditEvent, HumanTask, TimerEvent
from portal.cases.models import Case, Household
from portal.notices.models import PublicNotice
from portal.programs.tekun.models import CareAgreement, CareHome, Residency, SpotCheck, SpotCheckCounter, SupportVisit
from portal.records import service
from portal.records.models import Record
from tests.programs.tekun.driver import ABLE_BODIED, ACTIVITIES, AMOUNTS, TekunDriver, program
from tests.records.conftest import pdf_text, sealed_by

from .driver import VILLAGE, first_of_next_month, rid

pytestmark = pytest.mark.django_db
# Monday 2026-03-02 09:00 China time: Kaili's 2026 rules (basic living standard 624, 15-working-day clocks).
MONDAY = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@pytest.fixture
def tekun(deployed, people):
    return TekunDriver(program(), people)


def seed_counter(cases: int, selected: int) -> None:
    """Pretend earlier cases of Kaili this year already reached the county."""
    SpotCheckCounter.objects.create(county="522601", year=2026, cases=cases, selected=selected)


def completed_tasks(case: Case) -> list[str]:
    return [e.payload["task"] for e in AuditEvent.objects.filter(instance=case.instance, kind="task.completed")
            .order_by("seq")]


def test_dispersed_support_with_care_agreement_and_recurring_visits(tekun):
    with freeze_time(MONDAY) as clock:
        case = tekun.open_application()
        tekun.accept(case)
        tekun.home_visit(case)
        tekun.assess(case, unable=("walking", "bathing"))
        data = tekun.data(case, "Task_township_review")
        assert (data["care_level"], data["support_mode"], data["proposed_amount"]) == ("partial", "dispersed", 944)
        assert data["eligibility"]["categories"] == ["elderly"]
        tekun.tekun_review(case)
        notice = PublicNotice.objects.get(case=case)
        assert (notice.applicant_name, notice.household_size, float(notice.amount)) == ("张秀兰", 1, 944.0)
        tekun.fire(case, clock, 8)
        # The first case of the year to reach Kaili's county office is visited (quota ⌈1 × 30 %⌉ = 1).
        assert tekun.ready(case) == ["Task_county_home_visit"]
        assert tekun.task(case, "Task_county_home_visit").candidate_group == "county_admin:522601"
        tekun.county_visit(case)
        assert tekun.data(case, "Task_county_approval")["proposed_amount"] == 944
        tekun.county_decision(case, amount=944.0)
        assert case.status == Case.Status.APPROVED and float(case.monthly_amount) == 944.0
        assert case.payment_starts == first_of_next_month(clock().date())
        tekun.deliver(case)
        assert tekun.ready(case) == ["Task_care_agreement"]
        tekun.care_agreement(case)
        agreement = CareAgreement.objects.get(case=case)
        assert (agreement.carer_name, agreement.care_level, agreement.visit_interval_days) == ("张明", "partial", 30)
        # Supporting: the process keeps running with the township's "end support" task and the visit cycle.
        assert tekun.ready(case) == ["Task_end_dispersed"]
        case.instance.refresh_from_db()
        assert case.instance.status == "running"
        assert tekun.fire(case, clock, 29) == []
        assert [t.spec_id for t in tekun.fire(case, clock, 1.01)] == ["Timer_visit_cycle"]
        assert tekun.ready(case) == ["Task_end_dispersed", "Task_regular_visit"]
        assert tekun.task(case, "Task_regular_visit").candidate_group == f"village_committee:{VILLAGE}"
        tekun.visit(case, needs="屋顶漏雨，需要修缮。", kept="partly")
        assert [t.spec_id for t in tekun.fire(case, clock, 30)] == ["Timer_visit_cycle"]
        tekun.visit(case)
        visits = list(SupportVisit.objects.filter(case=case))
        assert [(v.sequence, v.agreement_kept, v.needs) for v in visits] == [
            (1, "partly", "屋顶漏雨，需要修缮。"), (2, "kept", "")]
        # A third visit falls due, then the support ends: the open visit is withdrawn with the case.
        tekun.fire(case, clock, 30)
        third = tekun.task(case, "Task_regular_visit")
        tekun.end_support(case)
    case.refresh_from_db()
    case.instance.refresh_from_db()
    third.refresh_from_db()
    assert case.status == Case.Status.CLOSED and case.instance.status == "completed"
    assert third.status == HumanTask.Status.WITHDRAWN
    assert not TimerEvent.objects.filter(instance=case.instance, status=TimerEvent.Status.PENDING).exists()
    assert CareAgreement.objects.get(case=case).ended_on is not None
    records = {r.kind: r for r in Record.objects.filter(instance=case.instance)}
    assert set(records) == {"approval_form", "decision_notice", "care_agreement"}
    assert [r["org_code"] for r in records["approval_form"].revisions] == ["522601101", "522601"]
    assert sealed_by(records["decision_notice"]) == ["凯里市民政局"]
    # The care agreement is filed as a record sealed by the township, naming the person, the carer and the visits.
    assert sealed_by(records["care_agreement"]) == ["凯里市舟溪镇人民政府"]
    text = pdf_text(service.read(records["care_agreement"]))
    for stated in ("特困人员照料服务协议", "张秀兰", "张明", "侄子", "每日送餐", "每30天至少探访",
                   "部分丧失生活自理能力"):
        assert stated in text, stated
    filed = AuditEvent.objects.get(instance=case.instance, kind="tekun.care_agreement")
    assert (filed.payload["record_id"], filed.payload["sha256"]) == (records["care_agreement"].pk,
                                                                     records["care_agreement"].sha256)
    kinds = set(AuditEvent.objects.filter(instance=case.instance).values_list("kind", flat=True))
    assert {"tekun.eligibility", "tekun.care_assessed", "tekun.spot_check", "tekun.care_agreement", "tekun.visit",
            "tekun.support_ended", "case.closed", "record.signed"} <= kinds
    assert completed_tasks(case) == [
        "Task_intake_check", "Task_home_visit", "Task_home_visit_cosign", "Task_care_assessment",
        "Task_township_review", "Task_county_home_visit", "Task_county_approval", "Task_deliver_decision",
        "Task_care_agreement", "Task_regular_visit", "Task_regular_visit", "Task_end_dispersed"]


def test_an_able_bodied_45_year_old_is_refused_with_reasons(tekun):
    with freeze_time(MONDAY):
        case = tekun.open_application(members=ABLE_BODIED, work_capacity="full", has_income=True,
                                      supporter_status="able")
        tekun.accept(case)
        assert case.status == Case.Status.REFUSED
        assert tekun.ready(case) == ["Task_deliver_refusal"]
        tekun.deliver(case, "Task_deliver_refusal")
    eligibility = AuditEvent.objects.get(instance=case.instance, kind="tekun.eligibility").payload
    assert eligibility["eligible"] is False and eligibility["age"] == 45
    assert eligibility["reasons"] == [
        "申请人 45 周岁，不是年满 60 周岁的老年人、残疾人或未满 16 周岁的未成年人",
        "申请人有劳动能力",
        "申请人有稳定收入来源",
        "申请人月收入 1800.00 元，不低于当地最低生活保障标准 480.00 元",
        "申请人有法定赡养、抚养、扶养义务人，且义务人有履行义务能力",
    ]
    refusal = Record.objects.get(instance=case.instance)
    assert refusal.kind == "refusal_notice" and [r["org_code"] for r in refusal.revisions] == ["522601101"]
    assert not PublicNotice.objects.filter(case=case).exists()
    assert "Task_home_visit" not in completed_tasks(case)


def test_a_disabled_45_year_old_without_work_capacity_is_eligible(tekun):
    with freeze_time(MONDAY):
        case = tekun.open_application(members=[("王强", "head", ABLE_BODIED[0][2], 0, {})], applicant_disabled=True,
                                      supporter_status="unable", supporters=["王父（父亲），年过八十，本人为低保对象"])
        tekun.accept(case)
        assert tekun.ready(case) == ["Task_home_visit"]
    assert AuditEvent.objects.get(instance=case.instance, kind="tekun.eligibility").payload["categories"] == [
        "disabled"]


def test_refusal_at_county(tekun):
    seed_counter(cases=1, selected=1)  # the second case of the year: not selected for a visit
    with freeze_time(MONDAY) as clock:
        case = tekun.open_application()
        tekun.to_notice(case)
        tekun.fire(case, clock, 8)
        assert tekun.ready(case) == ["Task_county_approval"]
        tekun.county_decision(case, decision="refuse")
        assert case.status == Case.Status.REFUSED
        assert tekun.ready(case) == ["Task_deliver_refusal"]
    refusal = Record.objects.get(instance=case.instance)
    assert (refusal.kind, [r["org_code"] for r in refusal.revisions]) == ("refusal_notice", ["522601"])
    assert not CareAgreement.objects.filter(case=case).exists()


def test_refusal_at_township_and_reinvestigation(tekun):
    with freeze_time(MONDAY):
        case = tekun.open_application()
        tekun.accept(case)
        tekun.home_visit(case)
        tekun.assess(case)
        tekun.tekun_review(case, decision="reinvestigate")
        assert tekun.ready(case) == ["Task_home_visit"]
        tekun.home_visit(case, who="jingban2", cosigner="jingban")
        tekun.assess(case)
        tekun.tekun_review(case, decision="refuse")
        assert case.status == Case.Status.REFUSED
    refusal = Record.objects.get(instance=case.instance)
    assert [r["org_code"] for r in refusal.revisions] == ["522601101"]


@pytest.mark.parametrize(("unable", "level", "mode", "amount"), [
    ((), "self_care", "dispersed", AMOUNTS["self_care"]),
    (("bathing",), "partial", "dispersed", AMOUNTS["partial"]),
    (("walking", "bathing", "toileting"), "partial", "dispersed", AMOUNTS["partial"]),
    (("walking", "bathing", "toileting", "dressing"), "full", "centralised", AMOUNTS["full"]),
    (ACTIVITIES, "full", "centralised", AMOUNTS["full"]),
])
def test_care_level_from_the_six_activities_decides_support_and_amount(tekun, unable, level, mode, amount):
    with freeze_time(MONDAY):
        case = tekun.open_application()
        tekun.accept(case)
        tekun.home_visit(case)
        tekun.assess(case, unable=unable, carer_available=False)
        data = tekun.data(case, "Task_township_review")
    assert (data["care"]["unable_count"], data["care_level"]) == (len(unable), level)
    assert (data["support_mode"], data["proposed_amount"]) == (mode, amount)


def test_full_care_stays_dispersed_when_chosen_with_a_carer(tekun):
    with freeze_time(MONDAY):
        case = tekun.open_application()
        tekun.accept(case)
        tekun.home_visit(case)
        tekun.assess(case, unable=ACTIVITIES[:4], carer_available=True)
        data = tekun.data(case, "Task_township_review")
    assert (data["care_level"], data["support_mode"], data["visit_interval_days"]) == ("full", "dispersed", 15)


def test_spot_check_selection_and_the_selected_case_needs_the_county_visit(tekun):
    seed_counter(cases=1, selected=1)
    with freeze_time(MONDAY) as clock:
        second = tekun.open_application()
        tekun.to_notice(second)
        tekun.fire(second, clock, 8)
        # 2nd case of the year: 1 visit already ≥ ⌈2 × 30 %⌉ = 1, so straight to the county's decision.
        assert tekun.ready(second) == ["Task_county_approval"]
        SpotCheckCounter.objects.filter(county="522601").update(cases=3, selected=1)
        fourth = tekun.open_application(members=[("李桂芝", "head", rid("19480520", "224"), 0, {})])
        tekun.to_notice(fourth)
        tekun.fire(fourth, clock, 8)
        # 4th case: ⌈4 × 30 %⌉ = 2 > 1 visits so far, so the county visits before it may confirm.
        assert tekun.ready(fourth) == ["Task_county_home_visit"]
        tekun.county_visit(fourth)
        assert tekun.ready(fourth) == ["Task_county_approval"]
    checks = {c.case_id: c for c in SpotCheck.objects.all()}
    assert (checks[second.pk].sequence, checks[second.pk].selected) == (2, False)
    assert (checks[fourth.pk].sequence, checks[fourth.pk].selected, checks[fourth.pk].selected_total) == (4, True, 2)
    event = AuditEvent.objects.get(instance=fourth.instance, kind="tekun.spot_check").payload
    assert event == {"county": "522601", "selected": True, "required": False, "sequence": 4, "year": 2026,
                     "rate": 0.3, "selected_total": 2}


def test_the_county_visitor_cannot_be_the_township_assessor(tekun, people):
    people["xianguan"].groups.add(*people["jingban"].groups.all())
    with freeze_time(MONDAY) as clock:
        case = tekun.open_application()
        tekun.accept(case)
        tekun.home_visit(case)
        tekun.assess(case, who="xianguan")
        tekun.tekun_review(case)
        tekun.fire(case, clock, 8)
        with pytest.raises(TaskForbidden, match="职责分离"):
            tekun.county_visit(case, who="xianguan")


def full_care_home(county_village: str, carers: int) -> CareHome:
    """凯里市舟溪敬老院 with three full-care residents already: at 1:3 one carer is just enough."""
    home = CareHome.objects.create(county_id="522601", code="kl-zx-01", name="舟溪敬老院", beds=30, carers=carers)
    household = Household.objects.create(village_id=county_village, address="舟溪敬老院")
    for index in range(3):
        resident_case = Case.objects.create(household=household, program=program(), business_key=f"TEKUN-OLD-{index}",
                                            status=Case.Status.APPROVED)
        Residency.objects.create(case=resident_case, care_home=home, resident_name=f"老人{index}", care_level="full",
                                 admitted_on="2025-06-01")
    return home


def admit(tekun: TekunDriver, case: Case, code: str = "kl-zx-01") -> None:
    tekun.complete(case, "Task_admission", "gongyang", {"care_home": code, "admitted_on": "2026-03-20",
                                                       "room": "2 号楼 103 室", "agreement_signed": True})


def test_centralised_admission_is_refused_until_staffing_meets_the_ratio(tekun):
    home = full_care_home(VILLAGE, carers=1)
    seed_counter(cases=1, selected=1)
    with freeze_time(MONDAY) as clock:
        case = tekun.open_application(preferred_support="centralised")
        tekun.to_notice(case, unable=ACTIVITIES[:5])
        tekun.fire(case, clock, 8)
        tekun.county_decision(case, amount=AMOUNTS["full"])
        tekun.deliver(case)
        assert tekun.ready(case) == ["Task_admission"]
        assert tekun.task(case, "Task_admission").candidate_group == "care_institution:522601"
        with pytest.raises(ProcessError, match="护理人员配比不足") as refused:
            admit(tekun, case)
        assert "须 2 人" in str(refused.value) and "现有护理人员 1 人" in str(refused.value)
        assert refused.value.refusal.startswith("护理人员配比不足：")  # shown to the institution as the reason
        assert tekun.ready(case) == ["Task_admission"] and not Residency.objects.filter(case=case).exists()
        with pytest.raises(ProcessError, match="没有编码为 kl-xx-99"):
            admit(tekun, case, code="kl-xx-99")
        CareHome.objects.filter(pk=home.pk).update(carers=2)
        admit(tekun, case)
        assert tekun.ready(case) == ["Task_end_centralised"]
        residency = Residency.objects.get(case=case)
        assert (residency.care_home, residency.care_level, residency.ended_on) == (home, "full", None)
        assert home.residents_by_level() == {"self_care": 0, "partial": 0, "full": 4}
        tekun.end_support(case, spec_id="Task_end_centralised", reason="moved")
    residency.refresh_from_db()
    case.refresh_from_db()
    assert residency.ended_on is not None and residency.end_reason == "moved"
    assert case.status == Case.Status.CLOSED
    admitted = AuditEvent.objects.get(instance=case.instance, kind="tekun.admitted").payload
    assert (admitted["carers"], admitted["required_carers"]) == (2, 2)


def test_a_care_home_of_another_county_is_not_found(tekun):
    CareHome.objects.create(county_id="522622", code="hp-xz-01", name="新州敬老院", beds=30, carers=10)
    seed_counter(cases=1, selected=1)
    with freeze_time(MONDAY) as clock:
        case = tekun.open_application(preferred_support="centralised")
        tekun.to_notice(case)
        tekun.fire(case, clock, 8)
        tekun.county_decision(case, amount=AMOUNTS["self_care"])
        tekun.deliver(case)
        with pytest.raises(ProcessError, match="本县没有编码为 hp-xz-01"):
            admit(tekun, case, code="hp-xz-01")


def test_objection_rechecks_within_15_working_days_and_renotices(tekun):
    seed_counter(cases=1, selected=1)  # the quota alone would not select this case
    with freeze_time(MONDAY) as clock:
        case = tekun.open_application()
        tekun.to_notice(case)
        clock.tick(timedelta(days=2))  # Wednesday 2026-03-04
        tekun.object(case)
        assert PublicNotice.objects.get(case=case, round=1).status == "objected"
        assert tekun.ready(case) == ["Task_objection_handling"]
        tekun.complete(case, "Task_objection_handling", "jingban", {
            "route": "reinvestigate", "assessment": "异议称其侄子承担赡养，重新入户核实。"})
        assert tekun.ready(case) == ["Task_home_visit"]
        stages = TimerEvent.objects.filter(instance=case.instance, spec_id="Timer_township_overdue").order_by("pk")
        # The re-check has 15 working days from the objection: Wednesday 2026-03-04 to Wednesday 2026-03-25.
        assert stages.last().due_at == datetime(2026, 3, 25, 15, 59, 59, tzinfo=UTC)
        assert stages.first().status == TimerEvent.Status.CANCELLED  # the first round finished in time
        tekun.home_visit(case, who="jingban2", cosigner="jingban")
        tekun.assess(case, unable=("bathing",))
        tekun.tekun_review(case)
        second = PublicNotice.objects.get(case=case, round=2)
        assert (second.status, float(second.amount)) == ("open", AMOUNTS["partial"])
        tekun.fire(case, clock, 8)
        # A case with an objection is always visited by the county before confirmation.
        assert tekun.ready(case) == ["Task_county_home_visit"]
        tekun.county_visit(case)
        tekun.county_decision(case, amount=AMOUNTS["partial"])
    assert case.status == Case.Status.APPROVED
    check = SpotCheck.objects.get(case=case)
    assert (check.required, check.selected) == (True, True)
    assert PublicNotice.objects.filter(case=case).count() == 2


def test_county_return_sends_the_case_back_for_a_recheck(tekun):
    seed_counter(cases=1, selected=1)
    with freeze_time(MONDAY) as clock:
        case = tekun.open_application()
        tekun.to_notice(case)
        tekun.fire(case, clock, 8)
        tekun.complete(case, "Task_county_approval", "shenpi", {"decision": "return",
                                                                "opinion": "护理等级评估依据不足，退回重新核实。"})
        assert tekun.ready(case) == ["Task_home_visit"]
        tekun.home_visit(case)
        tekun.assess(case, unable=("bathing", "walking"))
        tekun.tekun_review(case)
        assert PublicNotice.objects.filter(case=case).count() == 2
        tekun.fire(case, clock, 8)
        # The case keeps its place in the county's count and its (negative) selection.
        assert tekun.ready(case) == ["Task_county_approval"]
        tekun.county_decision(case, amount=AMOUNTS["partial"])
    assert case.status == Case.Status.APPROVED and float(case.monthly_amount) == AMOUNTS["partial"]
    assert SpotCheckCounter.objects.get().cases == 2


def test_objection_can_go_to_democratic_review_before_the_recheck(tekun):
    with freeze_time(MONDAY):
        case = tekun.open_application()
        tekun.to_notice(case)
        tekun.object(case)
        tekun.complete(case, "Task_objection_handling", "jingban", {
            "route": "democratic_review", "assessment": "异议涉及赡养关系，提请民主评议。"})
        assert tekun.ready(case) == ["Task_democratic_review"]
        tekun.democratic_review(case)
        assert tekun.ready(case) == ["Task_home_visit"]


def test_township_and_county_clocks_escalate_to_the_county_admin(tekun):
    seed_counter(cases=1, selected=1)
    with freeze_time(MONDAY) as clock:
        case = tekun.open_application()
        tekun.accept(case)
        township = TimerEvent.objects.get(instance=case.instance, spec_id="Timer_township_overdue")
        # 15 working days from Monday 2026-03-02: Monday 2026-03-23, end of day China time.
        assert township.due_at == datetime(2026, 3, 23, 15, 59, 59, tzinfo=UTC)
        assert tekun.task(case, "Task_home_visit").due_at == township.due_at
        tekun.fire(case, clock, 22)
        assert "Task_township_overdue" in tekun.ready(case)
        assert tekun.task(case, "Task_township_overdue").candidate_group == "county_admin:522601"
        # The escalation does not stop the case.
        tekun.home_visit(case)
        tekun.assess(case)
        assert tekun.task(case, "Task_township_review").due_at == township.due_at
        tekun.tekun_review(case)
        tekun.fire(case, clock, 8)
        assert tekun.ready(case) == ["Task_county_approval", "Task_township_overdue"]
        county = TimerEvent.objects.get(instance=case.instance, spec_id="Timer_county_overdue")
        # 15 working days from Wednesday 2026-04-01, over the 清明 holiday (04-04..06): Thursday 2026-04-23.
        assert county.due_at == datetime(2026, 4, 23, 15, 59, 59, tzinfo=UTC)
        assert tekun.task(case, "Task_county_approval").due_at == county.due_at
        tekun.fire(case, clock, 23)
        assert "Task_county_overdue" in tekun.ready(case)
        tekun.complete(case, "Task_county_overdue", "xianguan",
                       {"handled_on": "2026-04-24", "action": "约谈县级审批人"})
        tekun.county_decision(case, amount=AMOUNTS["self_care"])
    assert case.status == Case.Status.APPROVED


def test_a_late_admission_escalates_to_the_county_admin(tekun):
    seed_counter(cases=1, selected=1)
    with freeze_time(MONDAY) as clock:
        case = tekun.open_application(preferred_support="centralised")
        tekun.to_notice(case)
        tekun.fire(case, clock, 8)
        tekun.county_decision(case, amount=AMOUNTS["self_care"])
        tekun.deliver(case)
        assert tekun.ready(case) == ["Task_admission"]
        assert [t.spec_id for t in tekun.fire(case, clock, 16)] == ["Timer_admission_overdue"]
        assert tekun.ready(case) == ["Task_admission", "Task_placement_overdue"]
        assert tekun.task(case, "Task_placement_overdue").candidate_group == "county_admin:522601"


def test_withdrawn_application_closes_the_case(tekun):
    with freeze_time(MONDAY):
        case = tekun.open_application()
        tekun.complete(case, "Task_intake_check", "jingban", {
            "checked_on": "2026-03-02", "application_signed": True, "authorization_signed": True,
            "complete": "incomplete", "missing_items": ["残疾证"], "notice_method": "phone"})
        tekun.complete(case, "Task_await_supplement", "jingban", {"outcome": "withdrawn", "recorded_on": "2026-03-03"})
    assert case.status == Case.Status.WITHDRAWN and tekun.ready(case) == []
