"""Intake (受理): a township caseworker registers a household's application, which opens its case."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from engine.errors import DefinitionNotFound, ProcessError
from forms import renderer
from forms.renderer import BoundTaskForm
from portal.cases.models import Jurisdiction, Program
from portal.cases.services import CaseRefused

from .access import (
    deployed_programs,
    intake_program_or_404,
    require_caseworker,
    village_or_404,
    villages_of,
)
from .application import check_household_rows, register_application
from .notice import missing_items

NOTICE = "notice"


@login_required
def start_view(request: HttpRequest) -> HttpResponse:
    """Choose the program and the applicant's village; both chosen and valid → the application form."""
    townships = require_caseworker(request.user)
    programs = deployed_programs()
    wired = [p for p in programs if p.application_form]
    program_code, village_code = request.GET.get("program", ""), request.GET.get("village", "")
    if program_code and village_code:
        if any(p.code == program_code for p in wired) and villages_of(townships).filter(code=village_code).exists():
            url = reverse("intake:new", args=[program_code])
            return redirect(f"{url}?{urlencode({'village': village_code})}")
        messages.error(request, _("请选择可受理的救助项目和本乡镇（街道）的村（居）"))
    groups = [
        (township, list(villages_of([township.code]).order_by("code")))
        for township in Jurisdiction.objects.filter(code__in=townships).order_by("code")
    ]
    return render(request, "intake/start.html", {
        "programs": [(p, bool(p.application_form)) for p in programs],
        "groups": groups, "program_code": program_code, "village_code": village_code,
    })


def _township(village: Jurisdiction) -> Jurisdiction:
    return Jurisdiction.objects.get(code=village.code[:9])


def _form_page(request: HttpRequest, bound: BoundTaskForm, program: Program, village: Jurisdiction) -> HttpResponse:
    return render(request, "intake/application.html", {
        "bound": bound, "program": program, "village": village, "township": _township(village),
        "error_count": len(bound.errors_by_field()) if bound.form.is_bound else 0,
    })


@login_required
def application_view(request: HttpRequest, program_code: str) -> HttpResponse:
    """The application form. Submit: validate, then create the household and open the case, or show every error and
    save nothing. ``action=notice``: the 补正材料告知书 for what is missing, saving nothing."""
    townships = require_caseworker(request.user)
    program, form_key = intake_program_or_404(program_code)
    village = village_or_404(townships, request.GET.get("village", ""))
    if request.method != "POST":
        return _form_page(request, renderer.bind(form_key), program, village)

    bound = renderer.bind(form_key, request.POST)
    bound.is_valid()
    check_household_rows(bound)
    action = request.POST.get("action", "")
    if action == NOTICE:
        items = missing_items(bound)
        if items:
            return render(request, "intake/notice.html", {
                "items": items, "program": program, "village": village, "township": _township(village),
                "applicant_name": bound.form["applicant_name"].value(), "today": timezone.localdate(),
            })
        messages.info(request, _("申请材料齐全，无需补正，可以受理"))
    elif bound.is_valid():
        try:
            case = register_application(bound.cleaned_data(), village=village, program=program, actor=request.user)
        except CaseRefused as refused:
            for problem in refused.problems:
                bound.form.add_error(None, problem)
        except (ProcessError, DefinitionNotFound) as err:
            bound.form.add_error(None, _("审批流程启动出错，本次受理未保存：%(reason)s") % {"reason": err})
        else:
            messages.success(request, _("已受理，业务编号 %(key)s，审批流程已启动") % {"key": case.business_key})
            if case.separately_registered:
                messages.warning(request, _("申请家庭有工作人员或村（居）干部的近亲属，本案已单独登记备案，"
                                            "相关人员须回避，县级须入户核查"))
            # The case page (portal.casefile) names its URL "detail".
            return redirect(reverse("casefile:detail", args=[case.pk]))
    return _form_page(request, bound, program, village)
