"""Service task operators of disaster relief (workflows/disaster/disaster.bpmn).

* ``register_disaster_aid`` — at the start: the disaster event and the aid type go to the register
  (``DisasterAid``); an event dated after the application is refused;
* ``disaster_household_category`` — 低保 household (an open or approved rural 低保 case of any of its
  members), registered-poor household (the flag of the application) or ordinary; the rebuilding subsidy
  table is looked up with it;
* ``calculate_disaster_living_aid`` — persons × days (capped by the table's maximum) × rate per person and day;
* ``calculate_rebuilding_subsidy`` — the rebuilding or repair subsidy from the assessment and the table's rates;
* ``issue_disaster_emergency_record`` — the 应急救助登记表 of the fast path, from what the township recorded
  (``Task_emergency_record`` in the audit chain), sealed by the township and the county.

Each calculation writes the register row and an audit event with its figures (no ID numbers).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from engine.models import AuditEvent
from engine.operators import OperatorContext, OperatorError, OperatorRefusal, operator
from forms.resident_id import mask
from portal.cases.models import Case, Jurisdiction, Member
from portal.cases.outcome import case_for
from portal.records import service

from . import calculation
from .models import (
    LIVING_AID_TYPES,
    AidType,
    DamageLevel,
    DisasterAid,
    DisasterType,
    HouseholdCategory,
)

DIBAO_PROGRAM = "dibao"
EMERGENCY_RECORD_TASK = "Task_emergency_record"
AID_FORMS = {"cash": "现金", "goods": "实物（折算金额）", "cash_and_goods": "现金和实物"}
RESETTLEMENT = {"centralized": "集中安置", "dispersed": "分散安置", "not_relocated": "未转移"}


def _record(context: OperatorContext, kind: str, payload: dict[str, Any]) -> None:
    if context.record_event is not None:
        context.record_event(kind, payload)


def _aid(context: OperatorContext, name: str) -> DisasterAid:
    case = case_for(context, name)
    aid = DisasterAid.objects.filter(case=case).select_related("case__household").first()
    if aid is None:
        raise OperatorError(f"{name}: case {case.business_key} has no disaster aid registered")
    return aid


def _choice(value: str, choices: type, what: str, name: str) -> str:
    if value not in choices.values:
        raise OperatorError(f"{name}: {what} should be one of {', '.join(choices.values)}, got {value!r}")
    return value


@operator(
    "register_disaster_aid",
    params={"event_name": str, "event_date": str, "event_type": str, "aid_type": str, "as_of": str},
    label="登记受灾救助",
)
def register_disaster_aid(*, event_name: str, event_date: str, event_type: str, aid_type: str, as_of: str,
                          context: OperatorContext) -> dict[str, Any]:
    name = "register_disaster_aid"
    _choice(event_type, DisasterType, "event_type", name)
    _choice(aid_type, AidType, "aid_type", name)
    title = event_name.strip()
    if not 1 <= len(title) <= 100:
        raise OperatorError(f"{name}: event_name should be 1-100 characters")
    try:
        day, applied = date.fromisoformat(event_date[:10]), date.fromisoformat(as_of[:10])
    except ValueError:
        raise OperatorError(f"{name}: event_date and as_of should be ISO dates") from None
    if day > applied:
        raise OperatorRefusal(_("灾害发生日期（%(day)s）不能晚于申请日期（%(applied)s）")
                            % {"day": day.isoformat(), "applied": applied.isoformat()})
    case = case_for(context, name)
    DisasterAid.objects.update_or_create(case=case, defaults={
        "event_name": title, "event_date": day, "event_type": event_type, "aid_type": aid_type})
    _record(context, "disaster.registered", {"event_name": title, "event_date": day.isoformat(),
                                             "event_type": event_type, "aid_type": aid_type})
    return {"event_name": title, "event_date": day.isoformat(), "event_type": event_type, "aid_type": aid_type}


def dibao_case_of(case: Case) -> Case | None:
    """An open or approved rural 低保 case covering any member of the case's household (the latest one)."""
    numbers = list(case.household.members.values_list("resident_id", flat=True))
    return (Case.objects.filter(program__code=DIBAO_PROGRAM, status__in=[Case.Status.OPEN, Case.Status.APPROVED],
                                household__members__resident_id__in=numbers)
            .exclude(pk=case.pk).order_by("-opened_at", "-pk").first())


@operator("disaster_household_category", params={"registered_poor": bool}, label="判定家庭类别")
def disaster_household_category(*, registered_poor: bool, context: OperatorContext) -> str:
    aid = _aid(context, "disaster_household_category")
    dibao = dibao_case_of(aid.case)
    if dibao is not None:
        category = HouseholdCategory.DIBAO
    elif registered_poor:
        category = HouseholdCategory.REGISTERED_POOR
    else:
        category = HouseholdCategory.ORDINARY
    aid.household_category = category
    aid.save(update_fields=["household_category"])
    _record(context, "disaster.household_category", {
        "category": str(category), "dibao_case": dibao.business_key if dibao else "",
        "dibao_status": dibao.status if dibao else "", "registered_poor_declared": registered_poor})
    return str(category)


@operator(
    "calculate_disaster_living_aid",
    params={"aid_type": str, "persons": int, "days": int, "daily_rate": (int, float), "max_days": (int, float),
            "household_size": (int, float)},
    label="计算生活类救助金额",
)
def calculate_disaster_living_aid(*, aid_type: str, persons: int, days: int, daily_rate: int | float,
                                  max_days: int | float, household_size: int | float,
                                  context: OperatorContext) -> dict[str, Any]:
    name = "calculate_disaster_living_aid"
    if aid_type not in LIVING_AID_TYPES:
        raise OperatorError(f"{name}: {aid_type!r} is not a living aid type")
    try:
        result = calculation.living_aid(persons=persons, days=days, daily_rate=daily_rate, max_days=max_days,
                                        household_size=household_size)
    except calculation.CalculationError as err:
        raise OperatorError(str(err)) from None
    label = AidType(aid_type).label
    basis = _("%(aid)s：%(persons)d 人 × %(days)d 天 × %(rate)s 元/人·天 = %(amount)s 元，一次性发放") % {
        "aid": label, "persons": result.persons, "days": result.days, "rate": calculation.yuan(result.daily_rate),
        "amount": calculation.yuan(result.amount)}
    if result.capped:
        basis += _("（核定 %(asked)d 天，超过最长 %(max)d 天，按 %(max)d 天计）") % {
            "asked": result.days_requested, "max": result.max_days}
    aid = _aid(context, name)
    aid.persons, aid.days_requested, aid.days = result.persons, result.days_requested, result.days
    aid.daily_rate, aid.max_days, aid.amount = result.daily_rate, result.max_days, result.amount
    aid.basis, aid.calculated_at = basis, timezone.now()
    aid.save()
    figures = {"aid_type": aid_type, "persons": result.persons, "days_requested": result.days_requested,
               "days": result.days, "capped": result.capped, "daily_rate": float(result.daily_rate),
               "max_days": result.max_days, "amount": float(result.amount)}
    _record(context, "disaster.amount_calculated", figures)
    return {**figures, "basis": basis}


@operator(
    "calculate_rebuilding_subsidy",
    params={"damage_level": str, "damaged_area": (int, float), "household_category": str,
            "subsidy_base": (int, float), "subsidy_per_sqm": (int, float), "subsidy_max": (int, float)},
    label="计算倒损房屋补助金额",
)
def calculate_rebuilding_subsidy(*, damage_level: str, damaged_area: int | float, household_category: str,
                                 subsidy_base: int | float, subsidy_per_sqm: int | float, subsidy_max: int | float,
                                 context: OperatorContext) -> dict[str, Any]:
    name = "calculate_rebuilding_subsidy"
    _choice(damage_level, DamageLevel, "damage_level", name)
    _choice(household_category, HouseholdCategory, "household_category", name)
    try:
        result = calculation.rebuilding_subsidy(damaged_area=damaged_area, base=subsidy_base,
                                                per_sqm=subsidy_per_sqm, maximum=subsidy_max)
    except calculation.CalculationError as err:
        raise OperatorError(str(err)) from None
    parts = []
    if result.base:
        parts.append(_("每户 %(base)s 元") % {"base": calculation.yuan(result.base)})
    if result.per_sqm:
        parts.append(_("%(area)s 平方米 × %(rate)s 元/平方米") % {
            "area": f"{result.damaged_area.normalize():f}", "rate": calculation.yuan(result.per_sqm)})
    basis = _("倒损房屋补助（%(level)s，%(category)s）：%(parts)s，每户最高 %(max)s 元，核定 %(amount)s 元") % {
        "level": DamageLevel(damage_level).label, "category": HouseholdCategory(household_category).label,
        "parts": " + ".join(parts) or "0", "max": calculation.yuan(result.maximum),
        "amount": calculation.yuan(result.amount)}
    aid = _aid(context, name)
    aid.damage_level, aid.damaged_area, aid.household_category = damage_level, result.damaged_area, household_category
    aid.amount, aid.basis, aid.calculated_at = result.amount, basis, timezone.now()
    aid.save()
    figures = {"damage_level": damage_level, "damaged_area": float(result.damaged_area),
               "household_category": household_category, "subsidy_base": float(result.base),
               "subsidy_per_sqm": float(result.per_sqm), "subsidy_max": float(result.maximum),
               "capped": result.capped, "amount": float(result.amount)}
    _record(context, "disaster.amount_calculated", figures)
    return {**figures, "basis": basis}


def _township_record(context: OperatorContext, name: str) -> AuditEvent:
    event = (AuditEvent.objects.filter(instance_id=context.instance_id, kind="task.completed",
                                       payload__task=EMERGENCY_RECORD_TASK)
             .select_related("actor").order_by("-seq").first())
    if event is None:
        raise OperatorError(f"{name}: the township has not recorded the emergency aid")
    return event


def emergency_record_data(aid: DisasterAid, recorded: AuditEvent) -> dict[str, Any]:
    """The 应急救助登记表 (``emergency_aid`` record kind) from the register row and the township's record."""
    data = recorded.payload.get("data", {})
    household = aid.case.household
    members = list(household.members.order_by("pk"))
    head = next((m for m in members if m.relation == Member.Relation.HEAD), members[0])
    township = Jurisdiction.objects.filter(code=household.village_id[:9]).values_list("name", flat=True).first()
    actor = recorded.actor
    handler = (actor.get_full_name() or actor.get_username()) if actor is not None else recorded.actor_label
    situation = _("%(event)s（%(date)s，%(type)s）：%(text)s") % {
        "event": aid.event_name, "date": aid.event_date.isoformat(), "type": DisasterType(aid.event_type).label,
        "text": data.get("situation", "")}
    place = data.get("resettlement_place", "")
    resettled = RESETTLEMENT.get(data.get("resettlement", ""), "")
    aid_form = AID_FORMS.get(data.get("aid_form", ""), "")
    return {
        "title": _("受灾人员应急救助登记表"),
        "applicant": head.name,
        "id_number": mask(head.resident_id),
        "household_size": len(members),
        "aid_date": data.get("given_on", ""),
        "situation": situation,
        "aid_form": f"{AidType(aid.aid_type).label} · {aid_form} · {resettled}{('（' + place + '）') if place else ''}",
        "amount": f"{aid.amount or 0:.2f}",
        "handler": f"{township or household.village_id[:9]} {handler}".strip(),
    }


@operator("issue_disaster_emergency_record", params={}, label="应急救助登记表签章")
def issue_disaster_emergency_record(*, context: OperatorContext) -> dict[str, Any]:
    name = "issue_disaster_emergency_record"
    aid = _aid(context, name)
    if aid.amount is None:
        raise OperatorError(f"{name}: the aid amount has not been calculated")
    data = emergency_record_data(aid, _township_record(context, name))
    try:
        record = service.issue("emergency_aid", data, jurisdiction=aid.case.household.village_id,
                               instance_id=context.instance_id, business_key=context.business_key,
                               record_event=context.record_event, slots=("township", "county"))
        while record.next_slot is not None:
            record = service.countersign(record.pk, record_event=context.record_event)
    except (service.RecordError, LookupError) as err:
        raise OperatorError(f"{name}: {err}") from err
    return service.summary(record)
