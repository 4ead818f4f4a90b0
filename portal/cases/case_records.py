"""The ``issue_case_record`` operator: a case's signed documents (审批表, 决定通知书, 不予批准告知书).

The facts come from where they were recorded, not from process variables that later steps overwrite:
the household from the case, each decision (its text, who made it, when) from the ``task.completed``
events of the case's audit chain, the verification from its ``verification.completed`` event and the
notice periods from the case's public notices.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.utils import timezone

from engine.models import AuditEvent
from engine.operators import OperatorContext, OperatorError, Param, operator
from portal.records import service

from .models import Case, IncomeItem, Jurisdiction, Member
from .outcome import case_for
from .payments import Payment

TOWNSHIP_REVIEW = "Task_township_review"
FINAL_DECISIONS = ("Task_county_approval", "Task_township_confirm")
DEMOCRATIC_REVIEW = "Task_democratic_review"
OBJECTION = "Task_objection"
LEVELS = ("township", "county")
FLAG_LABELS = {"severely_disabled": "重度残疾", "seriously_ill": "重病", "student": "在校学生",
               "single_parent": "单亲家庭", "disabled": "残疾"}


def _chinese_date(day: Any) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _actor_name(event: AuditEvent) -> str:
    user = event.actor
    if user is None:
        return event.actor_label
    return user.get_full_name() or user.get_username()


class CaseFacts:
    """What the audit chain and the case say, read once per record."""

    def __init__(self, case: Case):
        self.case = case
        self.events = list(AuditEvent.objects.filter(instance_id=case.instance_id).select_related("actor")
                           .order_by("seq"))

    def completions(self, *spec_ids: str) -> list[AuditEvent]:
        return [e for e in self.events if e.kind == "task.completed" and e.payload.get("task") in spec_ids]

    def last_completion(self, *spec_ids: str) -> AuditEvent | None:
        found = self.completions(*spec_ids)
        return found[-1] if found else None

    def last_event(self, kind: str) -> AuditEvent | None:
        found = [e for e in self.events if e.kind == kind]
        return found[-1] if found else None

    def members(self) -> list[Member]:
        return list(self.case.household.members.order_by("id"))

    def head(self) -> Member:
        members = self.members()
        return next((m for m in members if m.relation == Member.Relation.HEAD), members[0])

    def office_name(self, level: str) -> str:
        digits = {"township": 9, "county": 6}[level]
        code = self.case.household.village_id[:digits]
        name = Jurisdiction.objects.filter(code=code).values_list("name", flat=True).first() or code
        return f"{name}民政局" if level == "county" else f"{name}人民政府"

    def county_government(self) -> str:
        code = self.case.household.village_id[:6]
        return (Jurisdiction.objects.filter(code=code).values_list("name", flat=True).first() or code) + "人民政府"


def _member_rows(facts: CaseFacts) -> list[dict[str, Any]]:
    incomes: dict[int, float] = {}
    for item in IncomeItem.objects.filter(household=facts.case.household):
        incomes[item.member_id] = incomes.get(item.member_id, 0.0) + float(item.monthly_amount)
    rows = []
    for member in facts.members():
        flags = [label for flag, label in FLAG_LABELS.items() if getattr(member, flag, False)]
        rows.append({"name": member.name, "relation": member.get_relation_display(), "id_number": member.resident_id,
                     "status": "、".join(flags) or "—", "income": f"{incomes.get(member.pk, 0.0):.2f}"})
    return rows


def _verification_rows(facts: CaseFacts) -> list[dict[str, str]]:
    event = facts.last_event("verification.completed")
    if event is None:
        return []
    p = event.payload
    rows = [
        {"item": "收入核对", "result": f"申报月收入 {p.get('declared_monthly_income', '—')} 元，"
                                       f"部门信息 {p.get('registry_monthly_income', '—')} 元，"
                                       f"认定家庭月人均收入 {p.get('per_capita_income', '—')} 元"},
        {"item": "金融资产", "result": f"{p.get('financial_assets', '—')} 元（上限 {p.get('asset_limit', '—')} 元）"
                                       + ("，超过规定" if p.get("over_asset_limit") else "，未超过规定")},
        {"item": "车辆", "result": f"{p.get('vehicles', 0)} 辆"},
    ]
    for d in p.get("discrepancies") or []:
        rows.append({"item": f"不一致：{d.get('member', '')} {d.get('item', '')}",
                     "result": f"申报 {d.get('declared', '—')}，核对 {d.get('found', '—')}（{d.get('source', '')}）"})
    return rows


def _democratic_review(facts: CaseFacts) -> dict[str, Any]:
    event = facts.last_completion(DEMOCRATIC_REVIEW)
    if event is None:
        return {"date": "—", "participants": "—", "outcome": "按规定未组织民主评议"}
    data = event.payload.get("data", {})
    opinion = {"agree": "同意", "disagree": "不同意"}.get(data.get("opinion"), data.get("opinion", ""))
    return {"date": data.get("meeting_date", "—"), "participants": data.get("attendees", "—"),
            "outcome": f"{data.get('votes_for', 0)} 票同意，{data.get('votes_against', 0)} 票不同意：{opinion}"}


def _notice(facts: CaseFacts) -> dict[str, Any]:
    notice_model = apps.get_model("notices", "PublicNotice")
    notices = list(notice_model.objects.filter(case=facts.case).order_by("round"))
    objections = []
    for event in facts.completions(OBJECTION):
        data = event.payload.get("data", {})
        objections.append(f"{data.get('received_on', '')} {data.get('objector', '')}：{data.get('content', '')}")
    if not notices:
        return {"start": "—", "end": "—", "objections": objections}
    return {"start": notices[-1].starts_on.isoformat(), "end": notices[-1].ends_on.isoformat(),
            "rounds": len(notices), "objections": objections}


def _opinion(event: AuditEvent | None) -> dict[str, str]:
    if event is None:
        return {"text": "—", "reviewer": "—", "approver": "—", "date": "—"}
    name = _actor_name(event)
    return {"text": event.payload.get("data", {}).get("opinion", ""), "reviewer": name, "approver": name,
            "date": timezone.localtime(event.occurred_at).date().isoformat()}


def _start_month(payment_starts: str | None) -> str:
    if not payment_starts:
        return ""
    year, month = payment_starts[:4], int(payment_starts[5:7])
    return f"{year}年{month}月"


def record_data(kind: str, facts: CaseFacts, *, level: str, amount: float | None, payment_starts: str | None,
                reasons: list[str], basis: str = "") -> dict[str, Any]:
    case = facts.case
    head = facts.head()
    applied_on = _chinese_date(timezone.localtime(case.opened_at).date())
    issued = {"issuer": facts.office_name(level), "issued_on": _chinese_date(timezone.localdate())}
    if kind == "approval_form":
        return {
            "title": f"{case.program.name}审批表",
            "program": case.program.name,
            "household": {"head_name": head.name, "id_number": head.resident_id, "address": case.household.address},
            "members": _member_rows(facts),
            "verification": _verification_rows(facts),
            "democratic_review": _democratic_review(facts),
            "notice": _notice(facts),
            "township_opinion": _opinion(facts.last_completion(TOWNSHIP_REVIEW)),
            "county_decision": _opinion(facts.last_completion(*FINAL_DECISIONS)),
            "amount": f"{amount or 0:.2f}",
            "start_month": _start_month(payment_starts),
            "basis": basis,
        }
    if kind == "decision_notice":
        return {"applicant": head.name, "applied_on": applied_on, "program": case.program.name,
                "household_size": len(facts.members()), "amount": f"{amount or 0:.2f}",
                "start_month": _start_month(payment_starts), "basis": basis, **issued}
    if kind == "refusal_notice":
        if not reasons:
            raise OperatorError("issue_case_record: a refusal notice needs its reasons")
        return {"applicant": head.name, "applied_on": applied_on, "program": case.program.name,
                "reasons": reasons, "review_body": facts.county_government(), **issued}
    raise OperatorError(f"issue_case_record: cannot build a '{kind}' from a case")


def _reasons(value: Any) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else str(value).splitlines()
    return [str(item).strip() for item in items if str(item).strip()]


@operator(
    "issue_case_record",
    params={
        "kind": str,
        "levels": list,
        "amount": Param("amount", (int, float), required=False),
        "payment_starts": Param("payment_starts", str, required=False),
        "reasons": Param("reasons", (str, list), required=False),
        "basis": Param("basis", str, required=False),
        "payment": Param("payment", str, required=False),
    },
    label="生成并签章案件文书",
)
def issue_case_record(*, kind: str, levels: list, amount: int | float | None = None,
                      payment_starts: str | None = None, reasons: str | list | None = None, basis: str = "",
                      payment: str | None = None, context: OperatorContext) -> dict[str, Any]:
    """Render the record from the case's facts and sign it by each level in turn (township, then county).

    ``basis`` states on what authority the decision was made, e.g. "乡镇依凯里市民政局委托审批（规则：…）".
    ``payment`` is "monthly" (a standing benefit, paid from a start month) or "one_off" (a single payment); by
    default, how the case's program pays (``Program.payment``).
    """
    if payment is not None and payment not in Payment.values:
        raise OperatorError(f"issue_case_record: payment should be monthly or one_off, got {payment!r}")
    if not levels or any(level not in LEVELS for level in levels) or len(set(levels)) != len(levels):
        raise OperatorError(f"issue_case_record: levels should be township and/or county, got {levels!r}")
    facts = CaseFacts(case_for(context, "issue_case_record"))
    data = record_data(kind, facts, level=levels[-1], amount=amount, payment_starts=payment_starts,
                       reasons=_reasons(reasons), basis=basis.strip())
    data["one_off"] = (payment or facts.case.program.payment) == Payment.ONE_OFF
    try:
        record = service.issue(
            kind, data, jurisdiction=facts.case.household.village_id, instance_id=context.instance_id,
            business_key=context.business_key, record_event=context.record_event,
            # The approval form carries every level's seal; a notice only the deciding level's.
            slots=tuple(levels) if kind == "approval_form" else (levels[-1],),
        )
        while record.next_slot is not None:
            record = service.countersign(record.pk, record_event=context.record_event)
    except (service.RecordError, LookupError) as err:
        raise OperatorError(f"issue_case_record: {err}") from err
    return service.summary(record)
