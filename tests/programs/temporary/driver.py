"""Work a temporary assistance (临时救助) case through its tasks as the staff would, every submission validated
against its form. Kaili 2026 rules (workflows/temporary/*.dmn): urban 低保 standard 780 yuan a month, the
township approves up to 1,500 yuan on the county's delegation, the county decides collectively above 20,000,
nothing above 50,000; emergency aid paperwork within 5 working days."""

from __future__ import annotations

from typing import Any

from portal.cases.models import Case
from portal.cases.services import open_case
from tests.workflows.driver import VILLAGE, CaseDriver, make_household, today

APPLICATION = {
    "aid_kind": "emergency",
    "procedure": "normal",
    "incident_place": "舟溪镇舟溪村三组",
    "place_confirmed": True,
    "requested_basis": "months",
    "requested_months": 2,
    "phone": "13812345678",
    "reason": "房屋因暴雨垮塌，家庭基本生活暂时困难",
}


class TemporaryDriver(CaseDriver):
    def open(self, village: str = VILLAGE, members: list | None = None, **application: Any) -> Case:
        data = {**APPLICATION, "incident_date": today(), **application}
        case = open_case(make_household(village, members), self.program, actor=self.people["jingban"], data=data)
        case.refresh_from_db()  # the process may already have closed it
        return case

    def township_review(self, case: Case, decision: str = "approve", *, months: int | None = None,
                        amount: float | None = None, who: str = "shenhe") -> None:
        data: dict[str, Any] = {"decision": decision, "opinion": "经入户核实，急难情形属实，提出审核意见。"}
        if decision == "approve":
            if amount is not None:
                data.update(amount_basis="sum", proposed_sum=amount, sum_reasons="按房屋修缮和生活必需支出核定")
            else:
                data.update(amount_basis="months", proposed_months=months or 1)
        if decision == "refuse":
            data["reasons"] = "家庭经济状况核对发现存款超过规定，不属于生活陷入困境。"
        self.complete(case, "Task_township_review", who, data)

    def decide(self, case: Case, spec_id: str, decision: str = "approve", amount: float | None = None,
               who: str | None = None) -> None:
        who = who or {"Task_township_confirm": "queren", "Task_county_approval": "shenpi"}[spec_id]
        data: dict[str, Any] = {"decision": decision, "opinion": "同意乡镇审核意见。"}
        if decision == "approve":
            data["approved_amount"] = amount
        if decision == "refuse":
            data["reasons"] = "经核查，家庭存款超过规定，不符合临时救助条件。"
        self.complete(case, spec_id, who, data)

    def collective(self, case: Case, decision: str = "approve", amount: float | None = None) -> None:
        data: dict[str, Any] = {
            "meeting_date": today(), "meeting_name": "凯里市民政局局务会", "chair": "孙局长",
            "attendees": ["孙局长", "李副局长", "王科长", "赵科员"],
            "member_opinions": [{"member": "孙局长", "opinion": "agree", "remarks": "情况属实"},
                                {"member": "李副局长", "opinion": "agree"},
                                {"member": "王科长", "opinion": "agree"},
                                {"member": "赵科员", "opinion": "abstain", "remarks": "建议分两次发放"}],
            "decision": decision, "opinion": "经集体研究，同意给予临时救助。", "all_signed": True}
        if decision == "approve":
            data["approved_amount"] = amount
        self.complete(case, "Task_county_approval", "shenpi", data)

    def emergency_aid(self, case: Case, amount: float = 1000.0) -> None:
        self.complete(case, "Task_emergency_aid", "jingban", {
            "aid_date": today(), "situation": "房屋因暴雨垮塌，一家三口无处居住", "aid_amount": amount,
            "aid_form": "cash", "received_by": "王秀英"})

    def fund_approval(self, case: Case, decision: str = "approve", allocation: float | None = None) -> None:
        data: dict[str, Any] = {"fund_decision": decision, "opinion": "同意追加拨付备用金后先行发放。"}
        if allocation is not None:
            data["allocation"] = allocation
        self.complete(case, "Task_fund_approval", "shenpi", data)
