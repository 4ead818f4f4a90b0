"""Service task operators of temporary assistance (workflows/temporary/temporary.bpmn).

* ``temporary_offices`` — the names of the case's township government and county civil affairs bureau,
  for the basis of a decision (``"舟溪镇人民政府依凯里市民政局委托审批（…）"``);
* ``temporary_pay_emergency_aid`` — pay emergency aid (先行救助) from the township's reserve fund, or report
  the shortfall when the balance does not cover it; an amount above the ceiling is an error (the step is rolled
  back and the caseworker told); returns the data of the 先行救助登记表 for ``render_signed_record`` (the
  recipient's ID number masked, as on every page);
* ``temporary_top_up_reserve_fund`` — the county's allocation after it approved paying beyond the balance;
* ``temporary_check_paperwork`` — when the paperwork deadline passes: is the case still undecided? If so,
  the aid is marked escalated (the county's overdue report lists it);
* ``temporary_settle_emergency_aid`` — the paperwork is done (approved, refused or withdrawn); on a refusal
  the returned ``note`` says that the aid was already paid and why, for the refusal notice;
* ``temporary_record_decision`` — writes who decided on what authority (delegation, collective decision)
  to the case's audit chain.

The person who paid or allocated is whoever completed the named user task last (``recorded_by``), read
from the case's audit chain like every record's facts.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from engine.models import AuditEvent
from engine.operators import OperatorContext, OperatorError, OperatorRefusal, operator
from forms.resident_id import mask
from portal.cases.models import Case, Jurisdiction, Member
from portal.cases.outcome import case_for

from . import funds
from .models import EmergencyAid

AID_FORMS = {"cash": gettext_lazy("现金"), "transfer": gettext_lazy("转账"), "goods": gettext_lazy("实物（折算金额）")}
LEVELS = ("township", "county", "collective")


def _name(code: str) -> str:
    return Jurisdiction.objects.filter(code=code).values_list("name", flat=True).first() or code


def _completer(context: OperatorContext, spec_id: str, operator_name: str) -> Any:
    event = (AuditEvent.objects.filter(instance_id=context.instance_id, kind="task.completed", payload__task=spec_id)
             .select_related("actor").order_by("-seq").first())
    if event is None:
        raise OperatorError(f"{operator_name}: task '{spec_id}' has not been completed in this case")
    return event.actor


def _person(user: Any) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _iso_date(value: str, what: str, operator_name: str) -> date:
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise OperatorError(f"{operator_name}: {what} is not an ISO date: {value!r}") from None


def _iso_datetime(value: str, what: str, operator_name: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise OperatorError(f"{operator_name}: {what} is not an ISO date-time: {value!r}") from None
    if parsed.tzinfo is None:
        raise OperatorError(f"{operator_name}: {what} has no time zone")
    return parsed


def _record(context: OperatorContext, kind: str, payload: dict[str, Any], actor: Any = None) -> None:
    if context.record_event is not None:
        context.record_event(kind, payload, actor)


def _chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@operator("temporary_offices", params={}, label="确定经办机关")
def temporary_offices(*, context: OperatorContext) -> dict[str, str]:
    case = case_for(context, "temporary_offices")
    village = case.household.village_id
    return {"township": _name(village[:9]) + "人民政府", "county": _name(village[:6]) + "民政局"}


def _money(value: Any, operator_name: str) -> Decimal:
    try:
        return funds.money(value)
    except funds.FundError as err:
        raise OperatorError(f"{operator_name}: {err}") from None


@operator(
    "temporary_pay_emergency_aid",
    params={"amount": (int, float), "ceiling": (int, float), "aid_date": str, "situation": str, "aid_form": str,
            "paperwork_due": str, "recorded_by": str},
    label="先行救助（备用金支付）",
)
def temporary_pay_emergency_aid(*, amount: int | float, ceiling: int | float, aid_date: str, situation: str,
                                aid_form: str, paperwork_due: str, recorded_by: str,
                                context: OperatorContext) -> dict[str, Any]:
    name = "temporary_pay_emergency_aid"
    case = case_for(context, name)
    value = _money(amount, name)
    if value > _money(ceiling, name):
        raise OperatorRefusal(_("先行救助金额 %(amount)s 元超过临时救助最高金额 %(ceiling)s 元，不能发放") % {
            "amount": f"{value:,.2f}", "ceiling": f"{ceiling:,}"})
    day = _iso_date(aid_date, "aid_date", name)
    due = _iso_datetime(paperwork_due, "paperwork_due", name)
    if aid_form not in AID_FORMS:
        raise OperatorError(f"{name}: aid_form should be one of {', '.join(AID_FORMS)}, got {aid_form!r}")
    if EmergencyAid.objects.filter(case=case).exists():
        raise OperatorError(f"{name}: case {case.business_key} already had its emergency aid")
    actor = _completer(context, recorded_by, name)
    township = case.household.village_id[:9]
    try:
        payment = funds.pay(township, value, case=case, actor=actor, record_event=context.record_event,
                            reason=_("先行救助：%(case)s") % {"case": case.business_key})
    except funds.FundError as err:
        raise OperatorError(f"{name}: {err}") from None
    result: dict[str, Any] = {"paid": payment.paid, "amount": float(value), "balance": float(payment.balance),
                              "shortfall": float(payment.shortfall)}
    if not payment.paid:
        _record(context, "reserve_fund.insufficient", {"township": township, "amount": str(value),
                                                       "balance": str(payment.balance),
                                                       "shortfall": str(payment.shortfall)}, actor)
        return result
    aid = EmergencyAid.objects.create(case=case, township_id=township, payment=payment.entry, amount=value,
                                      aid_date=day, situation=situation.strip(), paid_at=timezone.now(),
                                      paperwork_due=due)
    _record(context, "emergency_aid.paid", {"amount": str(value), "aid_date": day.isoformat(),
                                            "paperwork_due": due.isoformat(), "entry_id": payment.entry.pk}, actor)
    members = list(case.household.members.order_by("pk"))
    head = next((m for m in members if m.relation == Member.Relation.HEAD), members[0])
    result.update(
        aid_id=aid.pk,
        entry_id=payment.entry.pk,
        record={
            "applicant": head.name,
            "id_number": mask(head.resident_id),
            "household_size": len(members),
            "aid_date": day.isoformat(),
            "situation": aid.situation,
            "aid_form": str(AID_FORMS[aid_form]),
            "amount": f"{value:.2f}",
            "handler": f"{_name(township)} {_person(actor)}".strip(),
        },
    )
    return result


@operator("temporary_top_up_reserve_fund", params={"amount": (int, float), "recorded_by": str},
          label="追加拨付备用金")
def temporary_top_up_reserve_fund(*, amount: int | float, recorded_by: str,
                                  context: OperatorContext) -> dict[str, Any]:
    name = "temporary_top_up_reserve_fund"
    case = case_for(context, name)
    actor = _completer(context, recorded_by, name)
    reason = _("县级批准超出备用金余额的先行救助：%(case)s") % {"case": case.business_key}
    try:
        entry = funds.top_up(case.household.village_id[:9], amount, actor=actor, reason=reason, case=case,
                             record_event=context.record_event)
    except funds.FundError as err:
        raise OperatorError(f"{name}: {err}") from None
    return {"entry_id": entry.pk, "amount": float(entry.amount), "balance": float(entry.balance_after)}


@operator("temporary_check_paperwork", params={}, label="核查先行救助补办手续")
def temporary_check_paperwork(*, context: OperatorContext) -> dict[str, Any]:
    case = case_for(context, "temporary_check_paperwork")
    aid = EmergencyAid.objects.filter(case=case).first()
    if aid is None or aid.settled_at is not None:
        return {"overdue": False}
    aid.escalated_at = timezone.now()
    aid.save(update_fields=["escalated_at"])
    _record(context, "emergency_aid.overdue", {"amount": str(aid.amount), "aid_date": aid.aid_date.isoformat(),
                                               "paperwork_due": aid.paperwork_due.isoformat(),
                                               "status": "escalated"})
    return {"overdue": True, "paperwork_due": aid.paperwork_due.isoformat()}


@operator("temporary_settle_emergency_aid", params={"outcome": str}, label="先行救助手续办结")
def temporary_settle_emergency_aid(*, outcome: str, context: OperatorContext) -> dict[str, Any]:
    name = "temporary_settle_emergency_aid"
    if outcome not in EmergencyAid.Outcome.values:
        raise OperatorError(f"{name}: outcome should be one of {', '.join(EmergencyAid.Outcome.values)}")
    case = case_for(context, name)
    aid = EmergencyAid.objects.select_related("township").filter(case=case).first()
    if aid is None:
        return {"settled": False, "note": ""}
    if aid.settled_at is not None:
        raise OperatorError(f"{name}: the emergency aid of case {case.business_key} is already settled")
    now = timezone.now()
    aid.settled_at, aid.outcome = now, outcome
    aid.save(update_fields=["settled_at", "outcome"])
    in_time = now <= aid.paperwork_due
    note = ""
    if outcome == EmergencyAid.Outcome.REFUSED:
        note = _("申请人已于%(date)s获先行救助 %(amount)s 元（%(township)s临时救助备用金支付），先行救助的原因："
                 "%(situation)s。经补办审核审批手续，不符合临时救助条件，不再给予临时救助。") % {
            "date": _chinese_date(aid.aid_date), "amount": f"{aid.amount:,.2f}", "township": aid.township.name,
            "situation": aid.situation.rstrip("。")}
    _record(context, "emergency_aid.settled", {"outcome": outcome, "amount": str(aid.amount),
                                               "aid_date": aid.aid_date.isoformat(), "in_time": in_time,
                                               "paperwork_due": aid.paperwork_due.isoformat(), "reason": note})
    return {"settled": True, "in_time": in_time, "amount": float(aid.amount), "note": note}


@operator("temporary_record_decision", params={"basis": str, "level": str, "tier": str, "amount": (int, float)},
          label="记录审批依据")
def temporary_record_decision(*, basis: str, level: str, tier: str, amount: int | float,
                              context: OperatorContext) -> dict[str, Any]:
    name = "temporary_record_decision"
    if level not in LEVELS:
        raise OperatorError(f"{name}: level should be one of {', '.join(LEVELS)}, got {level!r}")
    if not basis.strip():
        raise OperatorError(f"{name}: the decision needs its basis")
    case = case_for(context, name)
    if case.status != Case.Status.OPEN:
        raise OperatorError(f"{name}: case {case.business_key} is already {case.status}")
    payload = {"basis": basis.strip(), "level": level, "tier": tier, "amount": str(_money(amount, name)),
               "delegated": level == "township"}
    _record(context, "temporary.decision_basis", payload)
    return payload
