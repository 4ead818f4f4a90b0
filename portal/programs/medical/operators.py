"""Service task operators of medical assistance (医疗救助).

    check_medical_claim              受理时核实患者、救助类别（按 DMN 的 check）和住院费用
    check_medical_prequalification   一站式即时结算：患者是否已有资格认定（有效的特困、低保认定等）
    calculate_medical_assistance     按规则测算救助金额（读取本人当年已获救助）
    record_medical_settlement        批准（确认）时在同一事务内重新核算并记入本人年度救助额

The rules (rate, annual cap, full coverage, how a category is checked) come from
``workflows/medical/medical_category.dmn``; the arithmetic is in ``calculation.py``. The patient is
named in process data by name only and found in the case's household here; results and audit
events carry no ID numbers.
"""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from engine.operators import OperatorContext, OperatorError, OperatorRefusal, Param, operator
from portal.cases.models import Case, Member
from portal.cases.outcome import case_for

from .calculation import Assistance, Bill, assistance, read_bill, to_date, to_decimal
from .categories import CHECKS, REGISTER_PROGRAMS, Category, Channel, category_label
from .eligibility import PatientNotFound, approved_case, patient_of, prequalify
from .models import Settlement, bill_in_open_case, bill_settled, paid_in_year

NUMBER = (int, float)
BILL_PARAMS: dict[str, Any] = {
    "bill_number": str, "admission_date": str, "discharge_date": str, "total_cost": NUMBER,
    "insurance_reimbursed": NUMBER,
}
RULE_PARAMS: dict[str, Any] = {
    "category": str, "rate": NUMBER, "annual_cap": NUMBER, "full_coverage": bool, "qualified": bool,
}


def _fail(name: str, message: str) -> OperatorError:
    return OperatorError(f"{name}: {message}")


def _day(name: str, value: Any, what: str) -> date:
    day = to_date(value)
    if day is None:
        raise _fail(name, f"{what} should be an ISO date 'YYYY-MM-DD', got {value!r}")
    return day


def _bill(name: str, values: dict[str, Any], compliant_cost: Any, as_of: str) -> Bill:
    bill, problems = read_bill(values, compliant_cost, on=_day(name, as_of, "as_of"))
    if bill is None:
        raise _fail(name, "；".join(problems))
    return bill


def _patient(name: str, context: OperatorContext, patient_name: str) -> tuple[Case, Member]:
    case = case_for(context, name)
    try:
        return case, patient_of(case, patient_name)
    except PatientNotFound as err:
        raise _fail(name, str(err)) from None


def _category(name: str, value: str) -> str:
    if value not in Category.values:
        raise _fail(name, f"unknown category {value!r} (known: {', '.join(Category.values)})")
    return value


def _record(context: OperatorContext, kind: str, payload: dict[str, Any]) -> None:
    if context.record_event is not None:
        context.record_event(kind, payload)


def _float(value: Decimal) -> float:
    return float(value)


@operator(
    "check_medical_claim",
    params={"patient_name": str, "category": str, "check": str, "min_age": NUMBER, "as_of": str,
            "hospital": str, "compliant_self_paid": NUMBER, **BILL_PARAMS},
    label="核实医疗救助类别和住院费用",
)
def check_medical_claim(*, patient_name: str, category: str, check: str, min_age: int | float, as_of: str,
                        hospital: str, compliant_self_paid: int | float, context: OperatorContext,
                        **bill: Any) -> dict[str, Any]:
    """``qualified``: the category is established (register: an approved 低保/特困 case; age: the ID
    number's birth date; documents: the certificates checked at intake; economy: decided later by the
    household economic verification). The bill is checked here so a wrong or settled one is refused at intake."""
    name = "check_medical_claim"
    _category(name, category)
    if check not in CHECKS:
        raise _fail(name, f"unknown check {check!r} (known: {', '.join(CHECKS)})")
    day = _day(name, as_of, "as_of")
    _bill(name, bill, compliant_self_paid, as_of)
    if bill_settled(hospital, bill["bill_number"]):
        raise OperatorRefusal(_("该医保结算单已办理过医疗救助，不能重复申请"))
    case, member = _patient(name, context, patient_name)
    if bill_in_open_case(case.household, case.program_id, hospital, bill["bill_number"],
                         exclude_instance=context.instance_id):
        raise OperatorRefusal(_("该医保结算单已在办理中，不能重复结算"))
    label = category_label(category)
    result: dict[str, Any] = {"check": check, "source_case": "", "age": member.age_on(day)}
    if check == "register":
        if category not in REGISTER_PROGRAMS:
            raise _fail(name, f"category {category!r} has no register to check")
        source = approved_case(member.resident_id, REGISTER_PROGRAMS[category])
        result["qualified"] = source is not None
        if source is not None:
            result["source_case"] = source.business_key
            result["basis"] = f"{label}：{source.program.name} {source.business_key}（已批准）"
        else:
            result["basis"] = f"未查到患者有效的{label}认定（已批准的{label}案件）"
    elif check == "age":
        result["qualified"] = result["age"] >= min_age
        result["basis"] = f"{label}：按身份证号核对，{as_of} 时年满 {result['age']} 周岁" + (
            "" if result["qualified"] else f"，不满 {int(min_age)} 周岁")
    elif check == "documents":
        result["qualified"] = True
        result["basis"] = f"{label}：以受理审查核验的证明材料为准"
    else:
        result["qualified"] = True
        result["basis"] = f"{label}：以家庭经济状况核对和入户调查结果为准"
    _record(context, "medical.category_checked", {"category": category, "check": check,
                                                   "qualified": result["qualified"],
                                                   "source_case": result["source_case"]})
    return result


@operator(
    "check_medical_prequalification",
    params={"patient_name": str, "discharge_date": str},
    label="核对一站式结算资格",
)
def check_medical_prequalification(*, patient_name: str, discharge_date: str,
                                   context: OperatorContext) -> dict[str, Any]:
    """Checked again when the process starts, whatever the hospital window saw: a status may have ended since."""
    name = "check_medical_prequalification"
    year = _day(name, discharge_date, "discharge_date").year
    case, member = _patient(name, context, patient_name)
    found = prequalify(member.resident_id, [case.household.village_id[:6]], year)
    if found is None:
        result = {"qualified": False, "category": "", "source_case": "",
                  "reason": "未查到患者有效的特困供养、低保认定或本年度医疗救助类别认定，不能一站式即时结算；"
                            "可向户籍所在乡镇（街道）申请医疗救助"}
    else:
        result = {"qualified": True, "category": found.category, "source_case": found.source.business_key,
                  "reason": ""}
    _record(context, "medical.prequalified", {k: result[k] for k in ("qualified", "category", "source_case")})
    return result


def _assistance(name: str, case: Case, member: Member, bill: Bill, rate: Any, annual_cap: Any, full_coverage: bool,
                qualified: bool) -> Assistance:
    rate_d, cap_d = to_decimal(rate), to_decimal(annual_cap)
    if rate_d is None or cap_d is None:
        raise _fail(name, "rate and annual_cap should be numbers")
    paid = paid_in_year(member.resident_id, bill.year, exclude_case_id=case.pk)
    try:
        return assistance(bill, rate=rate_d, full_coverage=full_coverage, annual_cap=cap_d, paid_before=paid,
                          qualified=qualified)
    except ValueError as err:
        raise _fail(name, str(err)) from None


def _figures(bill: Bill, result: Assistance) -> dict[str, Any]:
    return {
        "year": bill.year,
        "total_cost": _float(bill.total_cost),
        "insurance_reimbursed": _float(bill.insurance_reimbursed),
        "compliant_cost": _float(bill.compliant_cost),
        "rate": _float(result.rate),
        "covered": _float(result.covered),
        "annual_cap": _float(result.annual_cap),
        "paid_this_year": _float(result.paid_before),
        "remaining_cap": _float(result.remaining_cap),
        "amount": _float(result.amount),
        "capped": result.capped,
        "patient_share": _float(bill.self_paid - result.amount),
    }


@operator(
    "calculate_medical_assistance",
    params={"patient_name": str, "hospital": str, "compliant_cost": NUMBER, "as_of": str, **RULE_PARAMS,
            **BILL_PARAMS},
    label="测算医疗救助金额",
)
def calculate_medical_assistance(*, patient_name: str, hospital: str, compliant_cost: int | float, as_of: str,
                                 category: str, rate: int | float, annual_cap: int | float, full_coverage: bool,
                                 qualified: bool, context: OperatorContext, **bill: Any) -> dict[str, Any]:
    name = "calculate_medical_assistance"
    _category(name, category)
    checked = _bill(name, bill, compliant_cost, as_of)
    case, member = _patient(name, context, patient_name)
    result = {"qualified": qualified, "category": category,
              **_figures(checked, _assistance(name, case, member, checked, rate, annual_cap, full_coverage, qualified))}
    _record(context, "medical.calculated", {**result, "patient_name": member.name, "hospital": hospital,
                                            "bill_number": bill["bill_number"],
                                            "admission_date": bill["admission_date"],
                                            "discharge_date": bill["discharge_date"]})
    return result


def _lock_person(resident_id: str) -> None:
    """Serialise settlements of one person (PostgreSQL advisory lock; SQLite writers are serial anyway)."""
    if connection.vendor != "postgresql":
        return
    key = int.from_bytes(hashlib.sha256(f"medical:{resident_id}".encode()).digest()[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _basis(category: str, checked: Bill, result: Assistance, rules_version: str) -> str:
    rate = "全额" if result.rate == 1 else f"{result.rate * 100:g}%"
    text = (f"{rules_version}；{category_label(category)}，政策范围内个人自付费用 {checked.compliant_cost} 元，"
            f"救助比例 {rate}，{checked.year} 年度封顶 {result.annual_cap} 元，此前已救助 {result.paid_before} 元，"
            f"本次救助 {result.amount} 元")
    return text + ("（已达年度封顶）" if result.capped else "") + "；一次性救助，不按月发放"


@operator(
    "record_medical_settlement",
    params={"patient_name": str, "hospital": str, "compliant_cost": NUMBER, "as_of": str, "channel": str,
            "rules_version": Param("rules_version", str, required=False), **RULE_PARAMS, **BILL_PARAMS},
    label="记入年度医疗救助额",
)
def record_medical_settlement(*, patient_name: str, hospital: str, compliant_cost: int | float, as_of: str,
                              channel: str, category: str, rate: int | float, annual_cap: int | float,
                              full_coverage: bool, qualified: bool, rules_version: str = "",
                              context: OperatorContext, **bill: Any) -> dict[str, Any]:
    """Recompute under a per-person lock (another claim may have been settled since the calculation) and
    write the settlement. An unestablished category or an exhausted cap cannot be approved."""
    name = "record_medical_settlement"
    _category(name, category)
    if channel not in Channel.values:
        raise _fail(name, f"unknown channel {channel!r}")
    checked = _bill(name, bill, compliant_cost, as_of)
    case, member = _patient(name, context, patient_name)
    if Settlement.objects.filter(case=case).exists():
        raise _fail(name, f"case {case.business_key} is already settled")
    if bill_settled(hospital, bill["bill_number"]):
        raise _fail(name, _("该医保结算单已办理过医疗救助，不能重复批准；应作不予批准"))
    _lock_person(member.resident_id)
    result = _assistance(name, case, member, checked, rate, annual_cap, full_coverage, qualified)
    if not qualified:
        raise _fail(name, _("救助类别未经认定，不能批准；应作不予批准"))
    if result.amount <= 0:
        raise _fail(name, _("患者 %(year)d 年度医疗救助已达封顶额，本次救助金额为 0，不能批准；应作不予批准")
                    % {"year": checked.year})
    settlement = Settlement.objects.create(
        case=case, resident_id=member.resident_id, patient_name=member.name, year=checked.year, category=category,
        channel=channel, hospital=hospital.strip(), bill_number=bill["bill_number"].strip(),
        admission_date=checked.admission_date,
        discharge_date=checked.discharge_date, total_cost=checked.total_cost,
        insurance_reimbursed=checked.insurance_reimbursed, compliant_cost=checked.compliant_cost,
        rate=result.rate, annual_cap=result.annual_cap, paid_before=result.paid_before, amount=result.amount,
        rules_version=rules_version,
    )
    figures = {"settlement_id": settlement.pk, "category": category, "channel": channel, **_figures(checked, result)}
    _record(context, "medical.settled", figures)
    return {**figures, "basis": _basis(category, checked, result, rules_version)}
