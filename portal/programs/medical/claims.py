"""One-stop settlement (一站式即时结算): the hospital window records a claim at discharge.

The window enters the patient's resident ID, name and the hospital bill. The person must be
pre-qualified (``eligibility.prequalify``) in one of the window's counties; the case is then opened for
the household of the qualifying case with ``channel = "one_stop"`` and the process calculates the
assistance at once. The household may already have open claims (another member, another stay: medical
assistance allows several open cases per household), but not one for the same bill. Process data names the
patient, never their ID number.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from portal.cases.models import Case, Program
from portal.cases.services import CaseRefused, open_case

from .calculation import read_bill
from .categories import Channel
from .eligibility import prequalify
from .models import bill_in_open_case, bill_settled

PROGRAM_CODE = "medical"
FORM_KEY = "medical_claim"
# What of the claim form goes to the process (everything but the resident ID number).
PROCESS_FIELDS = ("patient_name", "hospital", "bill_number", "admission_date", "discharge_date", "diagnosis",
                  "total_cost", "insurance_reimbursed", "compliant_self_paid")


class ClaimRefused(Exception):
    """The claim cannot be settled one-stop; ``problems`` says why, in words for the window."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


def not_prequalified() -> str:
    return _("未查到与该身份证号和姓名相符的有效特困供养、低保认定或本年度医疗救助类别认定，不能一站式即时结算。"
             "请按普通结算办理，并告知患者可向户籍所在乡镇（街道）申请医疗救助。")


def open_one_stop_claim(data: dict[str, Any], *, actor: Any, counties: list[str]) -> Case:
    """Open the one-stop case from the cleaned claim form, or raise ``ClaimRefused`` with every reason."""
    bill, problems = read_bill(data, data.get("compliant_self_paid"), on=timezone.localdate())
    if bill is None:
        raise ClaimRefused(problems)
    if bill_settled(data["hospital"], data["bill_number"]):
        raise ClaimRefused([_("该医保结算单已办理过医疗救助，不能重复结算")])
    found = prequalify(data["resident_id"], counties, bill.year)
    # The same answer whether the number is unknown or the name does not match: nothing to probe.
    if found is None or found.member.name != data["patient_name"].strip():
        raise ClaimRefused([not_prequalified()])
    household = found.source.household
    if household.members.filter(name=found.member.name).count() > 1:
        raise ClaimRefused([_("该患者家庭中有同名成员，不能一站式结算，请按普通程序申请")])
    # A second submission of the same bill; the settlement's unique bill is what finally prevents a double payment.
    if bill_in_open_case(household, PROGRAM_CODE, data["hospital"], data["bill_number"]):
        raise ClaimRefused([_("该医保结算单已在办理中，不能重复结算")])
    program = Program.objects.filter(code=PROGRAM_CODE).first()
    if program is None:
        raise ClaimRefused([_("医疗救助项目尚未启用")])
    start = {"channel": Channel.ONE_STOP.value, **{key: data[key] for key in PROCESS_FIELDS if key in data}}
    try:
        return open_case(household, program, actor=actor, data=start)
    except CaseRefused as refused:
        raise ClaimRefused(refused.problems) from None
