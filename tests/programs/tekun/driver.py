"""Work a 特困 case through its tasks as the staff would, each submission validated against its form."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from engine import runtime
from portal.cases.models import Case, Program
from portal.cases.services import open_case
from tests.program_data import shipped_program
from tests.workflows.driver import VILLAGE, CaseDriver, make_household, rid, today

ACTIVITIES = ("eating", "dressing", "transfer", "toileting", "walking", "bathing")

# 张秀兰, 76 on 2026-03-02, lives alone, no income, no children: eligible as an elderly person.
ELDERLY = [("张秀兰", "head", rid("19500310", "128"), Decimal("0"), {})]
# 王强, 45 on 2026-03-02, able-bodied, works: not 特困.
ABLE_BODIED = [("王强", "head", rid("19800615", "131"), Decimal("1800"), {})]
APPLICATION = {
    "phone": "13812345678", "reason": "年老体弱，无子女，无生活来源",
    "applicant_disabled": False, "work_capacity": "none", "has_income": False, "supporter_status": "none",
    "preferred_support": "dispersed",
}
# Kaili 2026: basic living standard 624; care standards self-care 110, partial 320, full 640.
AMOUNTS = {"self_care": 734.0, "partial": 944.0, "full": 1264.0}


def program() -> Program:
    return shipped_program("tekun")


class TekunDriver(CaseDriver):
    def open_application(self, members: list | None = None, village: str = VILLAGE, **answers: Any) -> Case:
        return open_case(make_household(village, members or ELDERLY), self.program, actor=self.people["jingban"],
                         data={**APPLICATION, **answers})

    def assess(self, case: Case, unable: tuple[str, ...] = (), carer_available: bool = True,
               who: str = "jingban") -> None:
        data = {"assessed_on": today(), "assessors": ["李经办", "吴经办"], "carer_available": carer_available,
                "notes": "入户观察并询问本人及邻居。"}
        data.update({f"adl_{name}": "unable" if name in unable else "able" for name in ACTIVITIES})
        self.complete(case, "Task_care_assessment", who, data)

    def tekun_review(self, case: Case, decision: str = "approve", who: str = "shenhe") -> None:
        data: dict[str, Any] = {"decision": decision, "opinion": "经入户调查和生活自理能力评估，提出审核意见。"}
        if decision == "refuse":
            data["reasons"] = "经调查，申请人的儿子有赡养能力。"
        self.complete(case, "Task_township_review", who, data)

    def to_notice(self, case: Case, unable: tuple[str, ...] = (), carer_available: bool = True) -> None:
        self.accept(case)
        self.home_visit(case)
        self.assess(case, unable, carer_available)
        self.tekun_review(case)

    def county_visit(self, case: Case, who: str = "xianguan") -> None:
        self.complete(case, "Task_county_home_visit", who, {
            "visited_on": today(), "investigators": ["钱管理", "县民政局 孙某"],
            "findings": "县级入户抽查：独居，无子女，生活来源与申报一致。", "conclusion": "consistent"})

    def fire(self, case: Case, clock, days: float) -> list:  # noqa: ANN001 - freezegun's clock
        clock.tick(timedelta(days=days))
        fired = runtime.fire_instance_timers(case.instance_id)
        case.refresh_from_db()
        return fired

    def care_agreement(self, case: Case, who: str = "jingban") -> None:
        self.complete(case, "Task_care_agreement", who, {
            "carer_name": "张明", "carer_relation": "侄子", "carer_phone": "13987654321",
            "agreement_signed_on": today(), "care_starts_on": today(),
            "duties": "每日送餐，协助洗澡和就医，保持居所清洁。", "supported_signed": True, "carer_signed": True})

    def visit(self, case: Case, needs: str = "", kept: str = "kept", who: str = "cunwei") -> None:
        data = {"visited_on": today(), "visitor": "村委会 杨某", "condition": "精神良好，饮食正常，居所整洁。",
                "agreement_kept": kept}
        if needs:
            data["needs"] = needs
        self.complete(case, "Task_regular_visit", who, data)

    def end_support(self, case: Case, spec_id: str = "Task_end_dispersed", reason: str = "death",
                    who: str = "shenhe") -> None:
        data = {"ended_on": today(), "end_reason": reason, "detail": "供养对象于今日病故，村委会报告。"}
        if reason != "death":
            data.update(heard_on=today(), statement="本人无异议。")
        self.complete(case, spec_id, who, data)
