"""医疗救助 (workflows/medical/medical.bpmn) through the engine API, with worked examples of the amount.

Kaili (522601) 2026 rules (medical_category.dmn): 其他困难群众 75 % of the compliant self-paid cost, annual
cap 30,000; 建档立卡 covered in full up to 60,000; 低保 in full up to 60,000. The normal path is worked by
the township and approved by the medical-security department (yibao); the one-stop path is recorded by
the hospital window (yiyuan) and confirmed by yibao with no village steps.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from freezegun import freeze_time

from engine import runtime
from engine.errors import ProcessError, TaskForbidden
from engine.models import AuditEvent, HumanTask
from portal.cases.models import Case
from portal.cases.services import open_case
from portal.notices.models import PublicNotice
from portal.programs.medical.claims import ClaimRefused, open_one_stop_claim
from portal.programs.medical.models import Settlement, paid_in_year
from portal.records import service
from portal.records.models import Record
from tests.records.conftest import pdf_text, sealed_by

from .driver import HOUSEHOLD, CaseDriver, make_household, rid, today

pytestmark = pytest.mark.django_db
# Monday 2026-03-02 09:00 China time.
MONDAY = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
PATIENT = "李建国"  # HOUSEHOLD's spouse, born 1960-05-01
PATIENT_ID = HOUSEHOLD[1][2]  # Kaili-registered ID number
BILL = {"hospital": "凯里市第一人民医院", "bill_number": "ZY-2026-000101", "admission_date": "2026-02-10",
        "discharge_date": "2026-02-27", "diagnosis": "肺部感染", "total_cost": 30000.0,
        "insurance_reimbursed": 16000.0, "compliant_self_paid": 12000.0}
VILLAGE_STEPS = {"Task_democratic_review", "Task_objection", "Task_home_visit", "Task_home_visit_cosign",
                 "Task_intake_check"}


class MedicalDriver(CaseDriver):
    def apply(self, category: str, *, household=None, **bill: Any) -> Case:  # noqa: ANN001
        data = {"channel": "application", "patient_name": PATIENT, "category": category,
                "category_evidence": ["疾病诊断证明书"], **BILL, **bill}
        return open_case(household or make_household(), self.program, actor=self.people["jingban"], data=data)

    def medical_review(self, case: Case, decision: str = "approve", assessed: float | None = None) -> None:
        data: dict[str, Any] = {"decision": decision, "opinion": "患者身份、类别和住院费用经核实。",
                                "cost_assessment": "as_declared"}
        if assessed is not None:
            data.update(cost_assessment="adjusted", assessed_compliant_cost=assessed)
        if decision == "refuse":
            data["reasons"] = "未查到患者有效的低保认定。"
        self.complete(case, "Task_township_review", "shenhe", data)

    def medical_decision(self, case: Case, decision: str = "approve", who: str = "yibao") -> None:
        data = {"decision": decision, "opinion": "经审核，同意乡镇意见。"}
        if decision == "refuse":
            data["reasons"] = "住院费用不属于医疗救助范围。"
        self.complete(case, "Task_county_approval", who, data)

    def confirm(self, case: Case, decision: str = "approve", who: str = "yibao") -> None:
        data = {"decision": decision, "opinion": "结算信息与医保结算单一致。"}
        if decision == "refuse":
            data["reasons"] = "结算单与住院记录不符。"
        self.complete(case, "Task_settlement_confirm", who, data)


@pytest.fixture
def programs(deployed, jurisdictions, shipped_programs):
    return shipped_programs["medical"]


@pytest.fixture
def medical(programs, people):
    return MedicalDriver(programs, people)


def approved_dibao(members=None) -> Case:  # noqa: ANN001
    """A household whose 低保 case was approved earlier (the register a one-stop claim is checked against)."""
    home = make_household(members=members)
    return Case.objects.create(household=home, program_id="dibao", business_key="DIBAO-20250610-000001",
                               status=Case.Status.APPROVED, closed_at=MONDAY - timedelta(days=200),
                               monthly_amount=Decimal("924.00"))


def claim(**changes: Any) -> dict[str, Any]:
    data = {"resident_id": PATIENT_ID, "patient_name": PATIENT, "hospital": "凯里市第一人民医院",
            "bill_number": "JS-20260302-0001", "admission_date": "2026-02-20", "discharge_date": "2026-03-02",
            "diagnosis": "慢性阻塞性肺疾病急性加重", "total_cost": 15000.0, "insurance_reimbursed": 9000.0,
            "compliant_self_paid": 5200.0}
    return {**data, **changes}


def completed(case: Case) -> list[str]:
    return [e.payload["task"] for e in AuditEvent.objects.filter(instance=case.instance, kind="task.completed")
            .order_by("seq")]


def test_main_path_other_category_with_verification_notice_and_adjusted_cost(medical):
    with freeze_time(MONDAY) as clock:
        case = medical.apply("other")
        assert medical.ready(case) == ["Task_intake_check"]
        medical.accept(case)
        # 其他困难群众: household economic verification, then the two-person home visit.
        assert medical.ready(case) == ["Task_home_visit"]
        medical.home_visit(case)
        data = medical.data(case, "Task_township_review")
        assert data["verification"]["eligible_by_verification"] is True
        assert (data["rate"], data["annual_cap"], data["full_coverage"]) == (0.75, 30000, False)
        # Declared: 12,000 × 75 % = 9,000 (under the 30,000 cap); the patient pays 30,000 − 16,000 − 9,000.
        assert data["medical_amount"]["amount"] == 9000.0
        assert data["medical_amount"]["patient_share"] == 5000.0
        # The township finds 1,000 outside the policy scope: 11,000 × 75 % = 8,250.
        medical.medical_review(case, assessed=11000)
        notice = PublicNotice.objects.get(case=case)
        assert (notice.applicant_name, notice.household_size, notice.amount) == ("王秀英", 3, Decimal("8250.00"))
        medical.end_notice(case, clock)
        assert medical.ready(case) == ["Task_county_approval"]
        task = medical.task(case, "Task_county_approval")
        assert task.candidate_group == "medical_security:522601"
        with pytest.raises(TaskForbidden):  # civil affairs does not approve medical assistance here
            runtime.complete_task(task.pk, medical.people["shenpi"], {"decision": "approve", "opinion": "同意。"})
        medical.medical_decision(case)
        assert case.status == Case.Status.APPROVED and case.monthly_amount == Decimal("8250.00")
        medical.deliver(case)
    settlement = Settlement.objects.get(case=case)
    assert (settlement.resident_id, settlement.year, settlement.category, settlement.channel) == (
        PATIENT_ID, 2026, "other", "application")
    assert (settlement.compliant_cost, settlement.rate, settlement.amount) == (
        Decimal("11000.00"), Decimal("0.7500"), Decimal("8250.00"))
    records = {r.kind: r for r in Record.objects.filter(instance=case.instance)}
    assert set(records) == {"approval_form", "decision_notice"}
    # The medical-security bureau decided, so its seal (not civil affairs') completes the records and names the issuer.
    assert [r["org_code"] for r in records["approval_form"].revisions] == ["522601101", "522601-medical_security"]
    assert sealed_by(records["approval_form"]) == ["凯里市舟溪镇人民政府", "凯里市医疗保障局"]
    assert sealed_by(records["decision_notice"]) == ["凯里市医疗保障局"]
    assert "凯里市医疗保障局审批意见" in pdf_text(service.read(records["approval_form"]))
    notice_text = pdf_text(service.read(records["decision_notice"]))
    assert "凯里市医疗保障局" in notice_text and "民政局" not in notice_text
    assert completed(case) == ["Task_intake_check", "Task_home_visit", "Task_home_visit_cosign",
                               "Task_township_review", "Task_county_approval", "Task_deliver_decision"]
    settled = AuditEvent.objects.get(instance=case.instance, kind="medical.settled")
    assert settled.payload["amount"] == 8250.0 and PATIENT_ID not in str(settled.payload)
    case.instance.refresh_from_db()
    assert case.instance.status == "completed"
    assert PATIENT_ID not in str(runtime.history(case.instance_id)[0].payload)


def test_second_claim_in_the_same_year_gets_only_what_is_left_of_the_cap(medical):
    with freeze_time(MONDAY):
        # 建档立卡: proven by documents at intake, covered in full, no verification and no notice.
        first = medical.apply("registered_poor", compliant_self_paid=14000.0)
        medical.accept(first)
        assert medical.ready(first) == ["Task_township_review"]
        medical.medical_review(first)
        assert not PublicNotice.objects.filter(case=first).exists()
        medical.medical_decision(first)
        medical.deliver(first)
        assert first.monthly_amount == Decimal("14000.00")  # 14,000 × 100 %
        # Same person, same year, a later stay: covered 50,000 in full, but 60,000 − 14,000 = 46,000 remain.
        second = medical.apply("registered_poor", household=first.household, bill_number="ZY-2026-000102",
                               admission_date="2026-02-28",
                               discharge_date="2026-03-01", total_cost=80000.0, insurance_reimbursed=28000.0,
                               compliant_self_paid=50000.0)
        medical.accept(second)
        calculated = medical.data(second, "Task_township_review")["medical_amount"]
        assert (calculated["covered"], calculated["paid_this_year"], calculated["remaining_cap"],
                calculated["amount"], calculated["capped"]) == (50000.0, 14000.0, 46000.0, 46000.0, True)
        assert calculated["patient_share"] == 80000.0 - 28000.0 - 46000.0
        medical.medical_review(second)
        medical.medical_decision(second)
    assert second.status == Case.Status.APPROVED and second.monthly_amount == Decimal("46000.00")
    assert paid_in_year(PATIENT_ID, 2026) == Decimal("60000.00")
    assert "已达年度封顶" in medical.data(second, "Task_deliver_decision")["settlement"]["basis"]


def test_refusal_by_medical_security_ends_with_a_county_refusal_notice(medical):
    with freeze_time(MONDAY):
        case = medical.apply("registered_poor")
        medical.accept(case)
        medical.medical_review(case)
        medical.medical_decision(case, "refuse")
        assert case.status == Case.Status.REFUSED
        assert medical.ready(case) == ["Task_deliver_refusal"]
        medical.deliver(case, "Task_deliver_refusal")
    refusal = Record.objects.get(instance=case.instance)
    assert refusal.kind == "refusal_notice"
    assert [r["org_code"] for r in refusal.revisions] == ["522601-medical_security"]
    assert sealed_by(refusal) == ["凯里市医疗保障局"]
    assert not Settlement.objects.exists()


def test_a_county_configured_to_decide_medical_aid_in_civil_affairs_seals_with_its_bureau(medical, settings):
    # Kaili set up as a county whose civil-affairs bureau still decides medical assistance: the medical-security lane
    # goes to its county approvers (ENGINE_ROLE_OVERRIDES) and the seal to its 民政局 (RECORDS_SIGNING_DEPARTMENTS).
    settings.ENGINE_ROLE_OVERRIDES = {"522601": {"medical_security": "county_approver"}}
    settings.RECORDS_SIGNING_DEPARTMENTS = {**settings.RECORDS_SIGNING_DEPARTMENTS,
                                            "522601": {"medical": "civil_affairs"}}
    with freeze_time(MONDAY):
        case = medical.apply("registered_poor")
        medical.accept(case)
        medical.medical_review(case)
        assert medical.task(case, "Task_county_approval").candidate_group == "county_approver:522601"
        medical.medical_decision(case, "refuse", who="shenpi")
    refusal = Record.objects.get(instance=case.instance)
    assert [r["org_code"] for r in refusal.revisions] == ["522601"]
    assert sealed_by(refusal) == ["凯里市民政局"]


def test_unestablished_category_cannot_be_approved_and_is_refused_by_the_township(medical):
    with freeze_time(MONDAY):
        case = medical.apply("dibao")  # no approved 低保 case on record
        medical.accept(case)
        data = medical.data(case, "Task_township_review")
        assert data["category_check"]["qualified"] is False
        assert data["medical_amount"]["amount"] == 0.0
        medical.medical_review(case)  # the township approves anyway …
        task = medical.task(case, "Task_county_approval")
        with pytest.raises(ProcessError, match="救助类别未经认定"):  # … the settlement refuses it
            runtime.complete_task(task.pk, medical.people["yibao"], {"decision": "approve", "opinion": "同意。"})
        assert medical.ready(case) == ["Task_county_approval"] and not Settlement.objects.exists()
        medical.medical_decision(case, "return")
        medical.medical_review(case, "refuse")
    case.refresh_from_db()
    assert case.status == Case.Status.REFUSED
    assert Record.objects.get(instance=case.instance).revisions[0]["org_code"] == "522601101"


def test_registered_dibao_status_and_age_are_checked_against_the_register(medical):
    with freeze_time(MONDAY):
        source = approved_dibao()
        case = medical.apply("dibao", household=source.household)
        check = medical.data(case, "Task_intake_check")["category_check"]
        assert (check["qualified"], check["source_case"]) == (True, "DIBAO-20250610-000001")
        # 李建国 is 65: not an over-80 patient.
        old = medical.apply("elderly_major_illness")
        check = medical.data(old, "Task_intake_check")["category_check"]
        assert (check["qualified"], check["age"]) == (False, 65)
        elder = make_household(members=[("杨老太", "head", rid("19450203", "012"), Decimal(0),
                                         {"seriously_ill": True})])
        case = open_case(elder, medical.program, actor=medical.people["jingban"], data={
            "channel": "application", "patient_name": "杨老太", "category": "elderly_major_illness",
            "category_evidence": ["脑梗死诊断证明"], **BILL})
        check = medical.data(case, "Task_intake_check")["category_check"]
        assert (check["qualified"], check["age"]) == (True, 81)


def test_approval_rechecks_the_cap_against_settlements_made_since_the_calculation(medical):
    source = approved_dibao()
    with freeze_time(MONDAY):
        # An application (建档立卡, in full, cap 60,000) is calculated at 50,000 …
        application = medical.apply("registered_poor", total_cost=80000.0, insurance_reimbursed=28000.0,
                                    compliant_self_paid=50000.0)
        medical.accept(application)
        medical.medical_review(application)
        assert medical.data(application, "Task_county_approval")["medical_amount"]["amount"] == 50000.0
        # … meanwhile a one-stop stay of the same person is settled for 20,000 …
        stay = open_one_stop_claim(claim(total_cost=30000.0, insurance_reimbursed=10000.0,
                                         compliant_self_paid=20000.0),
                                   actor=medical.people["yiyuan"], counties=["522601"])
        assert stay.household == source.household != application.household
        medical.confirm(stay)
        # … so the approval records what is left: 60,000 − 20,000 = 40,000.
        medical.medical_decision(application)
    settlement = Settlement.objects.get(case=application)
    assert (settlement.paid_before, settlement.amount) == (Decimal("20000.00"), Decimal("40000.00"))
    assert application.monthly_amount == Decimal("40000.00")
    assert paid_in_year(PATIENT_ID, 2026) == Decimal("60000.00")


def test_one_stop_claim_for_a_dibao_member_is_settled_without_village_steps(medical):
    source = approved_dibao()
    with freeze_time(MONDAY):
        case = open_one_stop_claim(claim(), actor=medical.people["yiyuan"], counties=["522601"])
        assert case.household == source.household
        # Straight to the medical-security department: no intake check, visit, review or notice.
        assert medical.ready(case) == ["Task_settlement_confirm"]
        task = medical.task(case, "Task_settlement_confirm")
        assert task.candidate_group == "medical_security:522601"
        data = runtime.task_data(task.pk)
        assert PATIENT_ID not in str(data) and data["channel"] == "one_stop"
        # 低保 in Kaili 2026: 5,200 in full; the patient pays 15,000 − 9,000 − 5,200 = 800 at discharge.
        assert (data["category"], data["medical_amount"]["amount"], data["medical_amount"]["patient_share"]) == (
            "dibao", 5200.0, 800.0)
        medical.confirm(case)
    case.refresh_from_db()
    assert case.status == Case.Status.APPROVED and case.monthly_amount == Decimal("5200.00")
    assert medical.ready(case) == []
    case.instance.refresh_from_db()
    assert case.instance.status == "completed"
    assert completed(case) == ["Task_settlement_confirm"]
    assert not HumanTask.objects.filter(instance=case.instance, spec_id__in=VILLAGE_STEPS).exists()
    assert not PublicNotice.objects.filter(case=case).exists()
    settlement = Settlement.objects.get(case=case)
    assert (settlement.channel, settlement.category, settlement.amount) == ("one_stop", "dibao", Decimal("5200.00"))
    assert settlement.bill_number == "JS-20260302-0001"
    # The same hospital bill cannot be settled twice, at the window or through the township.
    with freeze_time(MONDAY):
        with pytest.raises(ClaimRefused, match="不能重复结算"):
            open_one_stop_claim(claim(), actor=medical.people["yiyuan"], counties=["522601"])
        with pytest.raises(ProcessError, match="不能重复申请"):
            medical.apply("dibao", bill_number="JS-20260302-0001")
    notice = Record.objects.get(instance=case.instance)
    assert notice.kind == "decision_notice"
    assert [r["org_code"] for r in notice.revisions] == ["522601-medical_security"]
    assert sealed_by(notice) == ["凯里市医疗保障局"]


def test_exhausted_annual_cap_leaves_nothing_to_settle(medical):
    source = approved_dibao()
    earlier = Case.objects.create(household=source.household, program_id="medical", status=Case.Status.APPROVED,
                                  business_key="MEDICAL-20260115-000009", monthly_amount=Decimal("60000.00"))
    Settlement.objects.create(
        case=earlier, resident_id=PATIENT_ID, patient_name=PATIENT, year=2026, category="dibao", channel="one_stop",
        hospital="凯里市第一人民医院", bill_number="JS-20260115-0009", admission_date="2026-01-02",
        discharge_date="2026-01-15", total_cost=Decimal(150000), insurance_reimbursed=Decimal(80000),
        compliant_cost=Decimal(60000), rate=Decimal(1), annual_cap=Decimal(60000), paid_before=Decimal(0),
        amount=Decimal(60000))
    with freeze_time(MONDAY):
        case = open_one_stop_claim(claim(), actor=medical.people["yiyuan"], counties=["522601"])
        figures = medical.data(case, "Task_settlement_confirm")["medical_amount"]
        assert (figures["remaining_cap"], figures["amount"], figures["patient_share"]) == (0.0, 0.0, 6000.0)
        task = medical.task(case, "Task_settlement_confirm")
        with pytest.raises(ProcessError, match="已达封顶额"):
            runtime.complete_task(task.pk, medical.people["yibao"], {"decision": "approve", "opinion": "同意。"})
        medical.confirm(case, "refuse")
    assert case.status == Case.Status.REFUSED and Settlement.objects.count() == 1


def test_one_stop_settlement_refused_by_medical_security(medical):
    approved_dibao()
    with freeze_time(MONDAY):
        case = open_one_stop_claim(claim(), actor=medical.people["yiyuan"], counties=["522601"])
        medical.confirm(case, "refuse")
        assert case.status == Case.Status.REFUSED and medical.ready(case) == ["Task_deliver_refusal"]
    assert not Settlement.objects.exists()
    assert Record.objects.get(instance=case.instance).kind == "refusal_notice"


def test_window_refuses_a_person_who_is_not_prequalified(medical):
    make_household()  # known to the register, but with no approved 低保 or 特困 case
    with freeze_time(MONDAY):
        with pytest.raises(ClaimRefused, match="不能一站式即时结算"):
            open_one_stop_claim(claim(), actor=medical.people["yiyuan"], counties=["522601"])
        approved_dibao()
        # Pre-qualified, but the name does not match the ID number: the same answer, nothing to probe.
        with pytest.raises(ClaimRefused, match="不能一站式即时结算"):
            open_one_stop_claim(claim(patient_name="李建军"), actor=medical.people["yiyuan"], counties=["522601"])
        # Pre-qualified in Kaili, but the window is Huangping's.
        with pytest.raises(ClaimRefused, match="不能一站式即时结算"):
            open_one_stop_claim(claim(), actor=medical.people["yiyuan"], counties=["522622"])
        with pytest.raises(ClaimRefused, match="出院日期不能晚于"):
            open_one_stop_claim(claim(discharge_date="2026-03-05"), actor=medical.people["yiyuan"],
                                counties=["522601"])
    assert not Case.objects.filter(program_id="medical").exists()


def test_process_refuses_a_one_stop_case_whose_status_has_lapsed(medical):
    # Opened directly (as if the 低保 case had ended between the window's check and the start).
    home = make_household()
    with freeze_time(MONDAY):
        case = open_case(home, medical.program, actor=medical.people["yiyuan"],
                         data={"channel": "one_stop", **{k: v for k, v in claim().items() if k != "resident_id"}})
        case.refresh_from_db()
        assert case.status == Case.Status.REFUSED
        assert medical.ready(case) == ["Task_deliver_refusal"]
    refusal = Record.objects.get(instance=case.instance)
    assert refusal.kind == "refusal_notice"
    assert [r["org_code"] for r in refusal.revisions] == ["522601-medical_security"]


def test_role_override_routes_medical_security_steps_to_civil_affairs(medical, settings):
    settings.ENGINE_ROLE_OVERRIDES = {"522601": {"medical_security": "county_approver"}}
    approved_dibao()
    with freeze_time(MONDAY):
        case = open_one_stop_claim(claim(), actor=medical.people["yiyuan"], counties=["522601"])
        task = medical.task(case, "Task_settlement_confirm")
        assert (task.role, task.candidate_group) == ("county_approver", "county_approver:522601")
        with pytest.raises(TaskForbidden):
            medical.confirm(case, who="yibao")
        medical.confirm(case, who="shenpi")
    case.refresh_from_db()
    assert case.status == Case.Status.APPROVED


def test_withdrawn_application_closes_the_case(medical):
    with freeze_time(MONDAY):
        case = medical.apply("registered_poor")
        medical.complete(case, "Task_intake_check", "jingban", {
            "checked_on": today(), "application_signed": True, "authorization_signed": True,
            "complete": "incomplete", "missing_items": ["贫困户登记证明"], "notice_method": "phone"})
        medical.complete(case, "Task_await_supplement", "jingban", {"outcome": "withdrawn", "recorded_on": today()})
    assert case.status == Case.Status.WITHDRAWN and medical.ready(case) == []


def test_a_wrong_bill_or_patient_is_refused_when_the_case_opens(medical):
    with freeze_time(MONDAY):
        with pytest.raises(ProcessError, match="出院日期不能早于入院日期"):
            medical.apply("registered_poor", discharge_date="2026-02-01")
        with pytest.raises(ProcessError, match="不是登记的共同生活家庭成员"):
            open_case(make_household(), medical.program, actor=medical.people["jingban"],
                      data={"channel": "application", "patient_name": "王某某", "category": "other",
                            "category_evidence": ["证明"], **BILL})
    assert not Case.objects.filter(program_id="medical").exists()


def test_a_bill_already_in_an_open_claim_of_the_household_is_refused(medical):
    with freeze_time(MONDAY):
        first = medical.apply("registered_poor")
        with pytest.raises(ProcessError, match="已在办理中") as refused:
            medical.apply("registered_poor", household=first.household)
        assert refused.value.refusal == "该医保结算单已在办理中，不能重复结算"
        # Another stay of the same household, or the same bill number from another hospital, is its own claim.
        second = medical.apply("registered_poor", household=first.household, bill_number="ZY-2026-000102")
        third = medical.apply("registered_poor", household=first.household, hospital="凯里市中医医院")
    assert {first.status, second.status, third.status} == {Case.Status.OPEN}
    # Once the first claim is withdrawn, its bill may be claimed again.
    Case.objects.filter(pk=first.pk).update(status=Case.Status.CLOSED)
    with freeze_time(MONDAY):
        assert medical.apply("registered_poor", household=first.household).status == Case.Status.OPEN
