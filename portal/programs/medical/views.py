"""The hospital window's pages: register a one-stop claim (一站式即时结算登记) and print its settlement slip."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from engine.errors import DefinitionNotFound, ProcessError
from engine.models import AuditEvent
from forms import renderer
from portal.cases.models import Case
from portal.cases.permissions import visible_cases

from .access import require_window
from .categories import category_label
from .claims import FORM_KEY, PROGRAM_CODE, ClaimRefused, open_one_stop_claim
from .models import Settlement


@login_required
def claim_view(request: HttpRequest) -> HttpResponse:
    counties = require_window(request.user)
    bound = renderer.bind(FORM_KEY, request.POST if request.method == "POST" else None)
    if request.method == "POST" and bound.is_valid():
        try:
            case = open_one_stop_claim(bound.cleaned_data(), actor=request.user, counties=counties)
        except ClaimRefused as refused:
            for problem in refused.problems:
                bound.form.add_error(None, problem)
        except (ProcessError, DefinitionNotFound) as err:
            bound.form.add_error(None, _("结算流程启动出错，本次登记未保存：%(reason)s") % {"reason": err})
        else:
            messages.success(request, _("已登记一站式结算，业务编号 %(key)s") % {"key": case.business_key})
            return redirect("medical:slip", case_pk=case.pk)
    description = renderer.form_spec(FORM_KEY).schema.get("description", "")
    return render(request, "medical/claim.html", {"bound": bound, "counties": counties,
                                                  "description": _(description) if description else ""})


def _events(case: Case, kind: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(instance_id=case.instance_id, kind=kind).order_by("seq"))


@login_required
def slip_view(request: HttpRequest, case_pk: int) -> HttpResponse:
    """The settlement slip of a one-stop claim: what the insurance paid, the assistance, the patient's share."""
    require_window(request.user)
    case = get_object_or_404(visible_cases(request.user).filter(program_id=PROGRAM_CODE), pk=case_pk)
    prequalified = _events(case, "medical.prequalified")
    if not prequalified:
        raise Http404  # not a one-stop claim
    calculated = _events(case, "medical.calculated")
    figures = calculated[-1].payload if calculated else None
    settlement = Settlement.objects.filter(case=case).first()
    return render(request, "medical/slip.html", {
        "case": case, "figures": figures, "settlement": settlement,
        "prequalification": prequalified[-1].payload,
        "category": category_label(figures["category"]) if figures else "",
    })
