"""Service task operators of the children's protection process (workflows/children/children.bpmn).

* ``children_child_facts`` — the reported child among the household's members: name, birth date, age; a report
  about someone who is not a member, or is 18 or older, cannot be accepted;
* ``children_deadline`` — the urgent clock: now + the rule's hours, as the ISO datetime a ``dueIn`` or a timer reads;
* ``children_risk_score`` — the assessment's four answers as points (``risk.py``); the DMN table makes the level;
* ``children_record_assessment`` — the assessment (``RiskAssessment``) and the departments it was shared with (police
  required when the child was harmed), one ``DepartmentNotification`` each and a ``children.assessment_shared`` event;
* ``children_record_guardianship`` — the temporary guardianship arranged (who, where, from when), and whether it was
  arranged within the clock; a new arrangement ends the previous one;
* ``children_open_linked_cases`` — the assistance plan's referrals: a case of each program opened for the household
  (``referrals.py``), or the reasons why not, one ``ChildCaseLink`` and one ``children.case_linked`` event each;
* ``children_record_petition`` — a petition to the court to revoke the guardian's guardianship; for neglect, the
  neglect must have lasted the rule's months;
* ``children_close_case`` — closes the case with the review's reasons and ends the temporary guardianship.

Form data is read from the ``task.completed`` event of the task that collected it (the case's audit chain), like
every record's facts, so a value left in the process data by an earlier round can never be taken for a new one.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from engine.models import AuditEvent
from engine.operators import OperatorContext, OperatorError, OperatorRefusal, operator
from portal.cases.models import Case
from portal.cases.outcome import case_for

from . import risk
from .models import (
    ChildCaseLink,
    DepartmentNotification,
    GuardianshipPetition,
    RiskAssessment,
    RiskLevel,
    TemporaryGuardianship,
)
from .referrals import Referral, refer

ADULT_AGE = 18
MAX_CLOCK_HOURS = 168
ASSESSMENT = "Task_risk_assessment"
GUARDIANSHIP = "Task_temporary_guardianship"
ASSISTANCE = "Task_assistance_plan"
PETITION = "Task_guardianship_petition"
REVIEW = "Task_case_review"
CLOSURE_REASONS = {
    "guardian_resumed": "监护人已返回并有效履行监护职责",
    "risk_resolved": "风险已消除，家庭照料正常",
    "long_term_placement": "已落实长期监护（民政部门长期监护、收养等）",
    "came_of_age": "儿童已年满十八周岁",
    "moved_away": "迁出本辖区，已转交迁入地",
    "other": "其他",
}


def _completion(context: OperatorContext, spec_id: str, operator_name: str) -> AuditEvent:
    event = (AuditEvent.objects.filter(instance_id=context.instance_id, kind="task.completed", payload__task=spec_id)
             .select_related("actor").order_by("-seq").first())
    if event is None:
        raise OperatorError(f"{operator_name}: task '{spec_id}' has not been completed in this case")
    return event


def _record(context: OperatorContext, kind: str, payload: dict[str, Any], actor: Any = None) -> None:
    if context.record_event is not None:
        context.record_event(kind, payload, actor=actor)


def _require(data: dict[str, Any], operator_name: str, *keys: str) -> None:
    missing = [key for key in keys if data.get(key) in (None, "")]
    if missing:
        raise OperatorError(f"{operator_name}: the form data lacks {', '.join(missing)}")


def _age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _iso_date(value: Any, what: str, operator_name: str) -> date:
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise OperatorError(f"{operator_name}: {what} is not a date: {value!r}") from None


def _months_between(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end`` (03-15 → 09-15 is 6, → 09-14 is 5)."""
    return (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)


@operator("children_child_facts", params={"child_name": str, "members": list, "as_of": str}, label="核对报告儿童")
def children_child_facts(*, child_name: str, members: list, as_of: str, context: OperatorContext) -> dict[str, Any]:
    on = _iso_date(as_of, "as_of", "children_child_facts")
    name = child_name.strip()
    member = next((m for m in members if isinstance(m, dict) and m.get("name") == name), None)
    if member is None:
        raise OperatorRefusal(_("报告的儿童“%(name)s”不在登记的家庭成员中") % {"name": name})
    born = _iso_date(member.get("birth_date"), "birth_date", "children_child_facts")
    age = _age_on(born, on)
    if age >= ADULT_AGE:
        raise OperatorRefusal(_("“%(name)s”已年满十八周岁，不属于未成年人保护对象") % {"name": name})
    return {"name": name, "birth_date": born.isoformat(), "age": age}


@operator("children_deadline", params={"hours": (int, float)}, label="计算应急处置时限")
def children_deadline(*, hours: int | float, context: OperatorContext) -> str:
    if isinstance(hours, bool) or not 1 <= hours <= MAX_CLOCK_HOURS:
        raise OperatorError(f"children_deadline: hours should be 1-{MAX_CLOCK_HOURS}, got {hours!r}")
    return (timezone.now() + timedelta(hours=hours)).isoformat()


@operator("children_risk_score",
          params={"safety": str, "guardianship": str, "health": str, "education": str}, label="风险评估计分")
def children_risk_score(*, safety: str, guardianship: str, health: str, education: str,
                        context: OperatorContext) -> dict[str, Any]:
    try:
        return risk.score({"safety": safety, "guardianship": guardianship, "health": health, "education": education})
    except risk.UnknownAnswer as err:
        raise OperatorError(f"children_risk_score: {err}") from None


@operator("children_record_assessment", params={"risk_level": str, "risk_score": dict}, label="登记并通报风险评估")
def children_record_assessment(*, risk_level: str, risk_score: dict, context: OperatorContext) -> dict[str, Any]:
    if risk_level not in RiskLevel.values:
        raise OperatorError(f"children_record_assessment: unknown risk level {risk_level!r}")
    case = case_for(context, "children_record_assessment")
    event = _completion(context, ASSESSMENT, "children_record_assessment")
    data = event.payload.get("data", {})
    departments = [code for code in DepartmentNotification.Department.values if data.get(f"notify_{code}")]
    if data.get("safety") in risk.HARMED and DepartmentNotification.Department.POLICE not in departments:
        raise OperatorRefusal(_("儿童曾受到或正在受到侵害的，须通报公安机关"))
    assessed_on = _iso_date(data.get("assessed_on"), "assessed_on", "children_record_assessment")
    notified_on = _iso_date(data["notified_on"], "notified_on", "children_record_assessment") \
        if data.get("notified_on") else assessed_on
    assessment = RiskAssessment.objects.create(
        case=case, assessed_on=assessed_on, risk_level=risk_level, points=risk_score.get("points", {}),
        total=risk_score.get("total", 0), no_effective_guardian=bool(risk_score.get("no_effective_guardian")),
        findings=data.get("findings", ""), assessed_by=event.actor)
    notified = []
    for department in departments:
        notice = DepartmentNotification.objects.create(
            case=case, assessment=assessment, department=department, notified_on=notified_on,
            contact=data.get("notification_contacts", ""), risk_level=risk_level, recorded_by=event.actor)
        notified.append({"department": department, "label": str(notice.get_department_display()),
                         "notified_on": notified_on.isoformat()})
    labels = "、".join(n["label"] for n in notified) or _("未通报其他部门")
    level = RiskLevel(risk_level).label
    _record(context, "children.assessment_shared", {
        "name": _("风险评估结果通报"), "risk_level": risk_level, "departments": departments,
        "outcome": _("风险等级：%(level)s；通报：%(departments)s") % {"level": level, "departments": labels},
    }, actor=event.actor)
    return {"risk_level": risk_level, "risk_level_label": str(level), "departments": departments,
            "notified": notified}


@operator("children_record_guardianship", params={"due": str}, label="登记临时监护")
def children_record_guardianship(*, due: str, context: OperatorContext) -> dict[str, Any]:
    case = case_for(context, "children_record_guardianship")
    event = _completion(context, GUARDIANSHIP, "children_record_guardianship")
    data = event.payload.get("data", {})
    _require(data, "children_record_guardianship", "guardian_kind", "guardian_name", "guardian_phone",
             "placement_address", "starts_on", "starts_time", "arrangement")
    try:
        due_at = datetime.fromisoformat(due)
        starts_at = datetime.fromisoformat(f"{data['starts_on']}T{data['starts_time']}")
    except ValueError as err:
        raise OperatorError(f"children_record_guardianship: bad date or time: {err}") from None
    starts_at = timezone.make_aware(starts_at) if timezone.is_naive(starts_at) else starts_at
    now = timezone.now()
    with transaction.atomic():
        TemporaryGuardianship.objects.filter(case=case, ended_at__isnull=True).update(
            ended_at=now, end_reason=_("另行安排临时监护"))
        arrangement = TemporaryGuardianship.objects.create(
            case=case, kind=data["guardian_kind"], guardian_name=data["guardian_name"],
            guardian_relation=data.get("guardian_relation", ""), guardian_phone=data["guardian_phone"],
            placement_address=data["placement_address"], starts_at=starts_at, arrangement=data["arrangement"],
            agreement_signed=bool(data.get("agreement_signed")), arranged_by=event.actor, due_at=due_at,
            recorded_at=now)
    kind = arrangement.get_kind_display()
    _record(context, "children.guardianship_arranged", {
        "name": _("安排临时监护"), "guardian_kind": arrangement.kind, "within_clock": arrangement.within_clock,
        "due_at": due_at.isoformat(), "starts_at": starts_at.isoformat(),
        "outcome": _("%(kind)s：%(who)s，%(where)s，自 %(when)s 起") % {
            "kind": kind, "who": arrangement.guardian_name, "where": arrangement.placement_address,
            "when": timezone.localtime(starts_at).strftime("%Y-%m-%d %H:%M")},
    }, actor=event.actor)
    return {"guardian_name": arrangement.guardian_name, "kind": arrangement.kind, "kind_label": str(kind),
            "placement_address": arrangement.placement_address, "starts_at": starts_at.isoformat(),
            "within_clock": arrangement.within_clock}


@operator("children_open_linked_cases", params={"discovered_on": str, "found_place": str},
          label="转介其他救助项目")
def children_open_linked_cases(*, discovered_on: str, found_place: str, context: OperatorContext) -> list[dict]:
    case = case_for(context, "children_open_linked_cases")
    event = _completion(context, ASSISTANCE, "children_open_linked_cases")
    results = []
    for row in event.payload.get("data", {}).get("referrals") or []:
        referral = Referral(program=str(row.get("program", "")), reason=str(row.get("referral_reason", "")),
                            referred_from=case.business_key, discovered_on=discovered_on, found_place=found_place,
                            aid_months=row.get("aid_months"))
        outcome = refer(referral, household=case.household, actor=event.actor)
        link = ChildCaseLink.objects.create(
            case=case, program_code=outcome.program_code, program_name=outcome.program_name,
            linked_case=outcome.case, status=outcome.status, referral_reason=referral.reason,
            problems="\n".join(outcome.problems), requested_by=event.actor)
        linked_key = outcome.case.business_key if outcome.case else ""
        _record(context, "children.case_linked", {
            "name": _("转介：%(program)s") % {"program": outcome.program_name}, "program": outcome.program_code,
            "link_status": outcome.status, "business_key": linked_key,
            "outcome": f"{link.get_status_display()} {linked_key}".strip(),
            "reason": "；".join(outcome.problems),
        }, actor=event.actor)
        results.append({"program": outcome.program_code, "program_name": outcome.program_name,
                        "status": outcome.status, "business_key": linked_key, "problems": outcome.problems})
    return results


@operator("children_record_petition", params={"neglect_months": (int, float)}, label="登记撤销监护人资格申请")
def children_record_petition(*, neglect_months: int | float, context: OperatorContext) -> dict[str, Any]:
    case = case_for(context, "children_record_petition")
    event = _completion(context, PETITION, "children_record_petition")
    data = event.payload.get("data", {})
    _require(data, "children_record_petition", "respondent_name", "court", "petition_facts")
    grounds = data.get("petition_grounds")
    if grounds not in GuardianshipPetition.Grounds.values:
        raise OperatorError(f"children_record_petition: unknown grounds {grounds!r}")
    filed_on = _iso_date(data.get("filed_on"), "filed_on", "children_record_petition")
    since, months = None, None
    if grounds == GuardianshipPetition.Grounds.NEGLECT:
        since = _iso_date(data.get("neglect_since"), "neglect_since", "children_record_petition")
        months = _months_between(since, filed_on)
        if months < neglect_months:
            raise OperatorRefusal(
                _("以怠于履行监护职责为由申请撤销监护人资格，须持续 %(required)d 个月以上；自 %(since)s 起至申请日"
                  "仅 %(months)d 个月") % {"required": neglect_months, "since": since.isoformat(),
                                           "months": max(months, 0)})
    petition = GuardianshipPetition.objects.create(
        case=case, grounds=grounds, respondent_name=data["respondent_name"], neglect_since=since,
        neglect_months=months, court=data["court"], filed_on=filed_on, facts=data["petition_facts"],
        evidence=list(data.get("evidence") or []), proposed_guardian=data.get("proposed_guardian", ""),
        filed_by=event.actor)
    _record(context, "children.petition_filed", {
        "name": _("申请撤销监护人资格"), "grounds": grounds, "court": petition.court,
        "filed_on": filed_on.isoformat(), "reason": petition.get_grounds_display(),
        "outcome": _("已向%(court)s提出申请") % {"court": petition.court},
    }, actor=event.actor)
    return {"petition_id": petition.pk, "grounds": grounds, "court": petition.court, "filed_on": filed_on.isoformat(),
            "neglect_months": months}


@operator("children_close_case", params={}, label="结案")
def children_close_case(*, context: OperatorContext) -> dict[str, Any]:
    case = case_for(context, "children_close_case")
    if case.status != Case.Status.OPEN:
        raise OperatorError(f"children_close_case: case {case.business_key} is already {case.status}")
    event = _completion(context, REVIEW, "children_close_case")
    data = event.payload.get("data", {})
    reason = CLOSURE_REASONS.get(data.get("closure_reason", ""), "")
    if not reason:
        raise OperatorError("children_close_case: the review gives no closure reason")
    reasons = f"{reason}：{data.get('closure_details', '')}".rstrip("：")
    now = timezone.now()
    with transaction.atomic():
        case.status = Case.Status.CLOSED
        case.closed_at = now
        case.save(update_fields=["status", "closed_at"])
        ended = TemporaryGuardianship.objects.filter(case=case, ended_at__isnull=True).update(
            ended_at=now, end_reason=_("结案：%(reason)s") % {"reason": reason})
    _record(context, "case.closed", {
        "business_key": case.business_key, "status": case.status, "outcome": _("结案"), "reason": reasons,
        "closure_reason": data["closure_reason"], "guardianships_ended": ended,
    }, actor=event.actor)
    return {"status": case.status, "closure_reason": data["closure_reason"], "reasons": reasons}
