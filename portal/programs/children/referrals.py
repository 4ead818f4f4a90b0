"""Referral (转介): the assistance plan of a child's case opens a case of another program for the child's household.

The other case is an ordinary case of its program (``portal.cases.services.open_case``: the household checks, its own
process started as a separate instance, its own approval chain). What it starts with is what intake would have
passed: the program's own application fields, filled from the child's report and the referral row, and checked
against that program's application form before anything is opened, so a referral never starts a process with data
its form would refuse. When the program is unknown, its process is not deployed, the household is refused, or the
process fails to start, the reasons are returned instead and nothing of that referral is left behind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from engine.errors import DefinitionNotFound, ProcessError
from forms import registry, renderer
from portal.cases.models import Case, Program
from portal.cases.services import CaseRefused, open_case

BASE_FORM = "household_application"


@dataclass
class Referral:
    """One row of the assistance plan and the facts of the report it draws on."""

    program: str
    reason: str
    referred_from: str
    discovered_on: str
    found_place: str
    aid_months: int | None = None


@dataclass
class Outcome:
    program_code: str
    program_name: str
    status: str  # opened | refused | failed (ChildCaseLink.Status)
    case: Case | None = None
    problems: list[str] = field(default_factory=list)


def start_data(referral: Referral) -> dict[str, Any]:
    """The program's own application fields for this referral (the household part comes from the household)."""
    data: dict[str, Any] = {"reason": referral.reason, "referred_from": referral.referred_from}
    if referral.program == "temporary":
        # 困境儿童的家庭遭遇急难：按急难型、常规程序受理，发生地即报告的发现地。
        data.update({
            "aid_kind": "emergency",
            "procedure": "normal",
            "incident_date": referral.discovered_on,
            "incident_place": referral.found_place,
            "place_confirmed": True,
            "requested_basis": "months",
        })
        if referral.aid_months is not None:
            data["requested_months"] = referral.aid_months
    return data


def own_field_problems(form_key: str, data: dict[str, Any]) -> list[str]:
    """Errors of the program's own fields (not the household part) of its application form, as '«title»：message'."""
    schema = registry.schema(form_key)
    base = set(registry.schema(BASE_FORM).get("properties", {}))
    own = {name: prop for name, prop in schema.get("properties", {}).items() if name not in base}
    problems = []
    for name, messages in sorted(renderer.validate(form_key, data).items()):
        root = name.split(".")[0]
        if root in own:
            title = own[root].get("title", root)
            problems.extend(f"{_(title)}：{message}" for message in messages)
    return problems


def refer(referral: Referral, *, household: Any, actor: Any) -> Outcome:
    program = Program.objects.filter(code=referral.program).first()
    if program is None:
        return Outcome(referral.program, referral.program, "failed", problems=[_("未登记该救助项目")])
    if not program.application_form or not registry.form_exists(program.application_form):
        return Outcome(program.code, program.name, "failed", problems=[_("该项目未设置申请表，不能转介受理")])
    data = start_data(referral)
    problems = own_field_problems(program.application_form, data)
    if problems:
        return Outcome(program.code, program.name, "failed", problems=problems)
    try:
        case = open_case(household, program, actor=actor, data=data)
    except CaseRefused as refused:
        return Outcome(program.code, program.name, "refused", problems=list(refused.problems))
    except DefinitionNotFound:
        return Outcome(program.code, program.name, "failed", problems=[_("该项目的审批流程尚未部署")])
    except ProcessError as err:
        return Outcome(program.code, program.name, "failed",
                       problems=[_("审批流程启动出错：%(reason)s") % {"reason": err}])
    return Outcome(program.code, program.name, "opened", case=case)
