"""Village notice boards (公示栏): what is on notice, and registering an objection to it.

A board shows only each notice's name, household size, amount and period. An objection is entered
by staff who received it; it completes the case's objection task, which sends the case back to a
re-investigation or democratic review (workflows/common/public_notice.bpmn).
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from engine import runtime, worklist
from engine.actors import office_codes
from engine.errors import ProcessError, TaskConflict, TaskForbidden
from engine.models import HumanTask
from forms import renderer
from portal.cases.models import Jurisdiction
from portal.cases.payments import proposed_amount_column

from .access import covers, within
from .models import PublicNotice

RECENT_DAYS = 30
OBJECTION_FORM = "objection"


@login_required
def index_view(request: HttpRequest) -> HttpResponse:
    codes = office_codes(request.user)
    if not codes:
        raise Http404
    villages = (
        PublicNotice.objects.filter(within(codes))
        .values("village_id", "village__name", "village__parent__name")
        .annotate(open=Count("pk", filter=Q(status=PublicNotice.Status.OPEN)), total=Count("pk"))
        .order_by("village_id")
    )
    return render(request, "notices/index.html", {"villages": villages})


def _board_village(request: HttpRequest, code: str) -> Jurisdiction:
    if not covers(office_codes(request.user), code):
        raise Http404
    village = Jurisdiction.objects.filter(code=code, level=Jurisdiction.Level.VILLAGE).select_related("parent").first()
    if village is None:
        raise Http404
    return village


def _objection_tasks(user, notices: list[PublicNotice]) -> dict[int, HumanTask]:  # noqa: ANN001
    """The READY objection task of each notice's case that ``user`` may act on."""
    instances = [n.case.instance_id for n in notices if n.status == PublicNotice.Status.OPEN]
    tasks = worklist.actionable_tasks(user).filter(instance_id__in=instances, form_key=OBJECTION_FORM)
    return {t.instance_id: t for t in tasks}


@login_required
def board_view(request: HttpRequest, village_code: str) -> HttpResponse:
    village = _board_village(request, village_code)
    today = timezone.localdate()
    notices = list(
        PublicNotice.objects.filter(village=village)
        .filter(Q(status=PublicNotice.Status.OPEN) | Q(ends_on__gte=today - timedelta(days=RECENT_DAYS)))
        .select_related("program", "case")
        .order_by("-starts_on", "applicant_name")
    )
    tasks = _objection_tasks(request.user, notices)
    # The last day counts; a notice whose timer has not been swept yet shows 0 days, not a negative number.
    current = [(n, max((n.ends_on - today).days + 1, 0), n.case.instance_id in tasks)
               for n in notices if n.status == PublicNotice.Status.OPEN]
    ended = [n for n in notices if n.status != PublicNotice.Status.OPEN]
    return render(request, "notices/board.html", {
        "village": village, "current": current, "ended": ended, "today": today,
        "current_amount": proposed_amount_column(n.program.payment for n, _days, _object in current),
        "ended_amount": proposed_amount_column(n.program.payment for n in ended),
        "printable": request.GET.get("print") == "1",
    })


@login_required
def objection_view(request: HttpRequest, notice_pk: int) -> HttpResponse:
    codes = office_codes(request.user)
    notice = (PublicNotice.objects.filter(within(codes), pk=notice_pk, status=PublicNotice.Status.OPEN)
              .select_related("case", "village", "program").first())
    task = _objection_tasks(request.user, [notice]).get(notice.case.instance_id) if notice else None
    if notice is None or task is None:
        raise Http404
    posted = request.POST if request.method == "POST" else None
    bound = renderer.bind(OBJECTION_FORM, posted, initial={"received_on": timezone.localdate().isoformat()})
    if posted is not None and bound.is_valid():
        try:
            runtime.complete_task(task.pk, request.user, bound.cleaned_data())
        except (TaskConflict, TaskForbidden, ProcessError) as err:
            messages.error(request, _("异议未能登记：%(reason)s") % {"reason": err})
        else:
            messages.success(request, _("已登记对 %(name)s 的异议，公示中止，案件转入异议处理") % {
                "name": notice.applicant_name})
            return redirect("notices:board", village_code=notice.village_id)
    return render(request, "notices/objection.html", {"notice": notice, "bound": bound})
