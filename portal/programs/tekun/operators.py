"""Service task operators of the 特困 process (workflows/tekun/tekun.bpmn).

* ``check_tekun_eligibility`` — the applicant against the 特困 conditions (``eligibility.py``), every failed
  condition as a reason for the refusal notice;
* ``assess_care_level`` — the six daily activities → 生活自理 / 部分丧失 / 完全丧失 (``care_level.py``);
* ``select_tekun_spot_check`` — whether the county visits the case before confirming (``spot_check.py``);
* ``record_care_agreement`` / ``record_support_visit`` — the dispersed-support care agreement, filed as a record
  sealed by the township (特困人员照料服务协议), and each visit;
* ``admit_tekun_resident`` — centralised support: admission to a care home of the case's county, refused while
  the home's staffing would break the ratios or it has no free bed (``staffing.py``);
* ``end_tekun_support`` — support ends: the case is closed (已终止), the residency or agreement ended.

Each writes its summary to the case's audit chain (names of staff and carers, levels and counts; never ID
numbers).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from engine.operators import OperatorContext, OperatorError, OperatorRefusal, Param, operator
from forms.resident_id import mask
from portal.cases.models import Case, Member
from portal.cases.outcome import case_for
from portal.records import service

from . import care_level, eligibility, spot_check, staffing
from .models import CareAgreement, CareHome, CareLevel, Residency, SupportVisit

# The end-of-support reasons of the tekun_support_end form, in words for the case's timeline.
END_REASONS = {
    "death": gettext_noop("死亡"),
    "income": gettext_noop("具备劳动能力或有了收入来源"),
    "supporter": gettext_noop("义务人具备了履行义务能力"),
    "moved": gettext_noop("迁出本县"),
    "refused_support": gettext_noop("本人拒绝供养"),
    "other": gettext_noop("其他"),
}


def _event(context: OperatorContext, kind: str, payload: dict[str, Any]) -> None:
    if context.record_event is not None:
        context.record_event(kind, payload)


def _date(value: Any, operator_name: str, what: str) -> date:
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise OperatorError(f"{operator_name}: {what} is not an ISO date") from None


def _whole(value: Any, operator_name: str, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise OperatorError(f"{operator_name}: {what} should be a whole number")
    return int(value)


def _supported_name(case: Case) -> str:
    head = case.household.members.filter(relation="head").first()
    return head.name if head else ""


def _chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def care_agreement_data(agreement: CareAgreement) -> dict[str, Any]:
    """The 特困人员照料服务协议 (``care_agreement`` record kind) from the agreement as recorded, ID number masked."""
    household = agreement.case.household
    head = household.members.filter(relation=Member.Relation.HEAD).first()
    with translation.override(settings.LANGUAGE_CODE):
        level = str(CareLevel(agreement.care_level).label)
    return {
        "supported": {"name": agreement.supported_name, "id_number": mask(head.resident_id) if head else "",
                      "address": household.address},
        "carer": {"name": agreement.carer_name, "relation": agreement.carer_relation, "phone": agreement.carer_phone},
        "care_level": level,
        "duties": agreement.duties,
        "visit_interval_days": agreement.visit_interval_days,
        "starts_on": _chinese_date(agreement.starts_on),
        "signed_on": _chinese_date(agreement.signed_on),
        "issued_on": _chinese_date(agreement.signed_on),
    }


@operator(
    "check_tekun_eligibility",
    params={"members": list, "applicant_name": str, "as_of": str, "elderly_age": (int, float),
            "minor_age": (int, float), "income_limit": (int, float), "disabled": bool, "work_capacity": str,
            "has_income": bool, "supporter_status": str},
    label="特困人员条件审查",
)
def check_tekun_eligibility(*, members: list, applicant_name: str, as_of: str, elderly_age: int | float,
                            minor_age: int | float, income_limit: int | float, disabled: bool, work_capacity: str,
                            has_income: bool, supporter_status: str, context: OperatorContext) -> dict[str, Any]:
    name = "check_tekun_eligibility"
    try:
        result = eligibility.check(
            members=members, applicant_name=applicant_name, as_of=as_of,
            elderly_age=_whole(elderly_age, name, "elderly_age"), minor_age=_whole(minor_age, name, "minor_age"),
            income_limit=income_limit, disabled=disabled, work_capacity=work_capacity, has_income=has_income,
            supporter_status=supporter_status)
    except eligibility.EligibilityError as err:
        raise OperatorError(f"{name}: {err}") from err
    data = result.as_dict()
    _event(context, "tekun.eligibility", {key: data[key] for key in ("eligible", "age", "categories", "reasons")})
    return data


@operator(
    "assess_care_level",
    params={"activities": dict, "partial_from": (int, float), "full_from": (int, float)},
    label="认定照料护理等级",
)
def assess_care_level(*, activities: dict, partial_from: int | float, full_from: int | float,
                      context: OperatorContext) -> dict[str, Any]:
    name = "assess_care_level"
    try:
        result = care_level.assess(activities, partial_from=_whole(partial_from, name, "partial_from"),
                                   full_from=_whole(full_from, name, "full_from"))
    except care_level.AssessmentError as err:
        raise OperatorError(f"{name}: {err}") from err
    _event(context, "tekun.care_assessed", {"level": result.level, "unable": result.unable,
                                            "unable_count": result.unable_count})
    return result.as_dict()


@operator(
    "select_tekun_spot_check",
    params={"rate": (int, float), "required": bool},
    label="确定县级是否入户抽查",
)
def select_tekun_spot_check(*, rate: int | float, required: bool, context: OperatorContext) -> dict[str, Any]:
    case = case_for(context, "select_tekun_spot_check")
    try:
        check = spot_check.select(case, rate=rate, required=required)
    except spot_check.SpotCheckError as err:
        raise OperatorError(f"select_tekun_spot_check: {err}") from err
    result = {"selected": check.selected, "required": check.required, "sequence": check.sequence,
              "year": check.year, "rate": float(check.rate), "selected_total": check.selected_total}
    _event(context, "tekun.spot_check", {"county": check.county, **result})
    return result


@operator(
    "record_care_agreement",
    params={"carer_name": str, "carer_relation": str, "carer_phone": str, "signed_on": str, "starts_on": str,
            "duties": str, "care_level": str, "visit_interval_days": (int, float)},
    label="照料协议备案",
)
def record_care_agreement(*, carer_name: str, carer_relation: str, carer_phone: str, signed_on: str, starts_on: str,
                          duties: str, care_level: str, visit_interval_days: int | float,
                          context: OperatorContext) -> dict[str, Any]:
    name = "record_care_agreement"
    if care_level not in CareLevel.values:
        raise OperatorError(f"{name}: unknown care level {care_level!r}")
    interval = _whole(visit_interval_days, name, "visit_interval_days")
    if interval < 1:
        raise OperatorError(f"{name}: a dispersed-support person needs a visit interval of at least one day")
    case = case_for(context, name)
    signed, starts = _date(signed_on, name, "signed_on"), _date(starts_on, name, "starts_on")
    with transaction.atomic():
        # A new agreement (after the support was re-decided) replaces the one in force.
        CareAgreement.objects.filter(case=case, ended_on__isnull=True).update(ended_on=starts)
        agreement = CareAgreement.objects.create(
            case=case, supported_name=_supported_name(case), carer_name=carer_name, carer_relation=carer_relation,
            carer_phone=carer_phone, signed_on=signed, starts_on=starts, duties=duties, care_level=care_level,
            visit_interval_days=interval)
        try:
            record = service.issue("care_agreement", care_agreement_data(agreement),
                                   jurisdiction=case.household.village_id, instance_id=context.instance_id,
                                   business_key=context.business_key, record_event=context.record_event)
        except (service.RecordError, LookupError) as err:
            raise OperatorError(f"{name}: {err}") from err
    result = {"agreement_id": agreement.pk, "carer_name": carer_name, "carer_relation": carer_relation,
              "signed_on": signed.isoformat(), "care_starts_on": starts.isoformat(), "visit_interval_days": interval,
              "record_id": record.pk, "sha256": record.sha256}
    _event(context, "tekun.care_agreement", result)
    return {**result, "verify_url": service.summary(record)["verify_url"]}


@operator(
    "record_support_visit",
    params={"visited_on": str, "visitor": str, "condition": str, "agreement_kept": str,
            "needs": Param("needs", str, required=False)},
    label="探访记录存档",
)
def record_support_visit(*, visited_on: str, visitor: str, condition: str, agreement_kept: str,
                         needs: str | None = None, context: OperatorContext) -> dict[str, Any]:
    name = "record_support_visit"
    if agreement_kept not in SupportVisit.Kept.values:
        raise OperatorError(f"{name}: agreement_kept should be one of {', '.join(SupportVisit.Kept.values)}")
    case = case_for(context, name)
    with transaction.atomic():
        sequence = (SupportVisit.objects.select_for_update().filter(case=case).count()) + 1
        visit = SupportVisit.objects.create(case=case, sequence=sequence,
                                            visited_on=_date(visited_on, name, "visited_on"), visitor=visitor,
                                            condition=condition, agreement_kept=agreement_kept, needs=needs or "")
    result = {"visit_id": visit.pk, "sequence": sequence, "visited_on": visit.visited_on.isoformat(),
              "visitor": visitor, "agreement_kept": agreement_kept, "needs_reported": bool(visit.needs)}
    _event(context, "tekun.visit", result)
    return result


@operator(
    "admit_tekun_resident",
    params={"care_home": str, "admitted_on": str, "room": Param("room", str, required=False), "care_level": str,
            "ratios": dict},
    label="核对护理配比并登记入住",
)
def admit_tekun_resident(*, care_home: str, admitted_on: str, care_level: str, ratios: dict,
                         room: str | None = None, context: OperatorContext) -> dict[str, Any]:
    """Raises ``OperatorError`` with the reason in words when the admission is refused: the submission is then
    rolled back and the institution sees the message, and may submit again once staffing is raised."""
    name = "admit_tekun_resident"
    try:
        standard = staffing.Ratios.from_mapping(ratios)
    except staffing.StaffingError as err:
        raise OperatorError(f"{name}: {err}") from err
    if care_level not in CareLevel.values:
        raise OperatorError(f"{name}: unknown care level {care_level!r}")
    case = case_for(context, name)
    county = case.household.village_id[:6]
    day = _date(admitted_on, name, "admitted_on")
    with transaction.atomic():
        home = CareHome.objects.select_for_update().filter(code=care_home, county_id=county, active=True).first()
        if home is None:
            raise OperatorRefusal(_("本县没有编码为 %(code)s 的在运营供养服务机构") % {"code": care_home})
        check = staffing.check_admission(home_name=home.name, carers=home.carers, beds=home.beds,
                                         residents=home.residents_by_level(), level=care_level, ratios=standard)
        if not check.allowed:
            raise OperatorRefusal(check.message)
        Residency.objects.filter(case=case, ended_on__isnull=True).update(ended_on=day, end_reason="transferred")
        residency = Residency.objects.create(case=case, care_home=home, resident_name=_supported_name(case),
                                             care_level=care_level, admitted_on=day, room=room or "")
    result = {"residency_id": residency.pk, "care_home": home.code, "care_home_name": home.name,
              "admitted_on": day.isoformat(), "care_level": care_level, "carers": check.carers,
              "required_carers": check.required_after, "residents": check.residents_after}
    _event(context, "tekun.admitted", result)
    return result


@operator(
    "end_tekun_support",
    params={"ended_on": str, "reason": str},
    label="终止救助供养",
)
def end_tekun_support(*, ended_on: str, reason: str, context: OperatorContext) -> dict[str, Any]:
    name = "end_tekun_support"
    if reason not in END_REASONS:
        raise OperatorError(f"{name}: reason should be one of {', '.join(END_REASONS)}")
    day = _date(ended_on, name, "ended_on")
    case = case_for(context, name)
    if case.status != Case.Status.APPROVED:
        raise OperatorError(f"{name}: case {case.business_key} is {case.status}, not in support")
    with transaction.atomic():
        residencies = Residency.objects.filter(case=case, ended_on__isnull=True).update(ended_on=day,
                                                                                        end_reason=reason)
        agreements = CareAgreement.objects.filter(case=case, ended_on__isnull=True).update(ended_on=day)
        case.status = Case.Status.CLOSED
        case.save(update_fields=["status"])
    with translation.override(settings.LANGUAGE_CODE):
        label = _(END_REASONS[reason])
    result = {"ended_on": day.isoformat(), "end_reason": reason, "reason": label, "residencies_ended": residencies,
              "agreements_ended": agreements, "recorded_at": timezone.now().isoformat()}
    _event(context, "tekun.support_ended", result)
    return result
