"""Work a 低保 case through its tasks as the staff would, validating every submission against its form."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from engine import runtime
from engine.models import HumanTask
from forms import renderer
from forms.resident_id import check_character
from portal.cases.models import Case, Household, IncomeItem, Member, Program
from portal.cases.services import open_case

VILLAGE = "522601101200"  # 凯里市舟溪镇舟溪村: county approval
DELEGATED_VILLAGE = "522622100201"  # 黄平县新州镇: confirmation delegated to the township (2026 rules)


def rid(birth: str, seq: str, region: str = "522601") -> str:
    body = region + birth + seq
    return body + check_character(body)


# Kaili 2026: standard 480, supplements stack. Income 300 for 3 people: per capita 100;
# base (480 − 100) × 3 = 1140; supplements 15 % elderly × 2 (72 + 72), 25 % seriously ill (120),
# 10 % student (48) = 312; amount 1452.00 a month.
HOUSEHOLD = [
    # name, relation, resident id, monthly income, flags
    ("王秀英", "head", rid("19580412", "124"), Decimal("300"), {}),
    ("李建国", "spouse", rid("19600501", "013"), Decimal("0"), {"seriously_ill": True}),
    ("李小红", "grandchild", rid("20120901", "026"), Decimal("0"), {"student": True}),
]
EXPECTED_AMOUNT = 1452.0


def make_household(village: str = VILLAGE, members: list | None = None) -> Household:
    home = Household.objects.create(village_id=village, address="舟溪村 3 组 12 号")
    for name, relation, number, income, flags in members or HOUSEHOLD:
        region = village[:6]
        number = rid(number[6:14], number[14:17], region) if not number.startswith(region) else number
        member = Member.objects.create(household=home, name=name, relation=relation, resident_id=number, **flags)
        if income:
            IncomeItem.objects.create(household=home, member=member, kind=IncomeItem.Kind.WAGES, monthly_amount=income)
    return home


def today() -> str:
    return timezone.localdate().isoformat()


class CaseDriver:
    def __init__(self, program: Program, people: dict[str, Any]):
        self.program, self.people = program, people

    # -- plumbing --

    def open(self, village: str = VILLAGE, members: list | None = None) -> Case:
        return open_case(make_household(village, members), self.program, actor=self.people["jingban"])

    @staticmethod
    def ready(case: Case) -> list[str]:
        return sorted(HumanTask.objects.filter(instance=case.instance, status=HumanTask.Status.READY)
                      .values_list("spec_id", flat=True))

    @staticmethod
    def task(case: Case, spec_id: str) -> HumanTask:
        return HumanTask.objects.get(instance=case.instance, spec_id=spec_id, status=HumanTask.Status.READY)

    def complete(self, case: Case, spec_id: str, who: str, data: dict[str, Any]) -> None:
        task = self.task(case, spec_id)
        problems = renderer.validate(task.form_key, data)
        assert not problems, (spec_id, problems)
        runtime.complete_task(task.pk, self.people[who], data)
        case.refresh_from_db()

    def data(self, case: Case, spec_id: str) -> dict[str, Any]:
        return runtime.task_data(self.task(case, spec_id).pk)

    # -- the steps, with valid form data --

    def accept(self, case: Case) -> None:
        self.complete(case, "Task_intake_check", "jingban", {
            "checked_on": today(), "application_signed": True, "authorization_signed": True,
            "household_register": True, "complete": "complete"})

    def home_visit(self, case: Case, who: str = "jingban", cosigner: str = "jingban2") -> None:
        self.complete(case, "Task_home_visit", who, {
            "visited_on": today(), "investigators": ["李经办", "吴经办"],
            "findings": "家中两位老人，一人患重病，孙女在校读书，收入与申报一致。",
            "members_signed": ["王秀英"], "conclusion": "consistent"})
        self.complete(case, "Task_home_visit_cosign", cosigner, {"confirmed": True, "signed_on": today()})

    def democratic_review(self, case: Case) -> None:
        self.complete(case, "Task_democratic_review", "cunwei", {
            "meeting_date": today(), "venue": "舟溪村村委会会议室", "attendees": 9, "representatives": 7,
            "opinion": "agree", "votes_for": 9, "votes_against": 0,
            "record": "经评议，该户家庭困难情况属实，同意申请。", "all_signed": True})

    def township_review(self, case: Case, decision: str = "approve", amount: float = EXPECTED_AMOUNT,
                        who: str = "shenhe") -> None:
        data: dict[str, Any] = {"decision": decision, "opinion": "经调查核实，提出初审意见。"}
        if decision == "approve":
            data["proposed_amount"] = amount
        if decision == "refuse":
            data["reasons"] = "家庭月人均收入高于当地低保标准。"
        self.complete(case, "Task_township_review", who, data)

    def end_notice(self, case: Case, clock) -> None:  # noqa: ANN001 - freezegun's clock
        clock.tick(timedelta(days=8))
        runtime.fire_instance_timers(case.instance_id)
        case.refresh_from_db()

    def object(self, case: Case) -> None:
        self.complete(case, "Task_objection", "cunwei", {
            "received_on": today(), "objector": "匿名", "content": "该户子女在外务工有稳定收入，未如实申报。"})

    def county_decision(self, case: Case, decision: str = "approve", amount: float = EXPECTED_AMOUNT,
                        who: str = "shenpi", spec_id: str = "Task_county_approval") -> None:
        data: dict[str, Any] = {"decision": decision, "opinion": "同意乡镇审核意见。"}
        if decision == "approve":
            data["approved_amount"] = amount
        if decision == "refuse":
            data["reasons"] = "经县级核查，家庭财产超过规定。"
        self.complete(case, spec_id, who, data)

    def deliver(self, case: Case, spec_id: str = "Task_deliver_decision") -> None:
        self.complete(case, spec_id, "jingban", {"delivered_on": today(), "method": "in_person",
                                                 "recipient": "王秀英"})


def first_of_next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)
