"""The worklist: my tasks and my groups' tasks, answered from HumanTask rows alone."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from engine import runtime, worklist
from engine.errors import ProcessError, TaskConflict, TaskForbidden
from engine.models import HumanTask, TimerEvent
from forms import process_values, renderer
from portal.casefile.timeline import DECISIONS
from portal.cases.models import Program
from portal.cases.operators import CATEGORY_LABELS

PAGE_SIZE = 25
DUE_SOON = timedelta(days=2)
STATUS_FILTERS = ("overdue", "soon", "claimed", "unclaimed")


def _urgency(task: HumanTask, now) -> str:  # noqa: ANN001
    if task.due_at is None:
        return ""
    if task.due_at < now:
        return "overdue"
    return "soon" if task.due_at < now + DUE_SOON else ""


@login_required
def worklist_view(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("tab", "mine")
    tasks = worklist.my_tasks(request.user) if tab == "mine" else worklist.group_tasks(request.user)
    program = request.GET.get("program", "")
    village = request.GET.get("village", "").strip()
    if program:
        # By the case's program: several programs may run the same process (the periodic reviews).
        tasks = tasks.filter(instance__case__program_id=program)
    if village.isdigit():
        tasks = tasks.filter(instance__jurisdiction__startswith=village)
    status = request.GET.get("status", "")
    now = timezone.now()
    tasks = _filter_status(tasks, status, now)
    page = Paginator(tasks.select_related("instance", "assignee", "instance__case__program"), PAGE_SIZE).get_page(
        request.GET.get("page"))
    programs = {p.code: p.name for p in Program.objects.order_by("code")}
    rows = [(task, _urgency(task, now), _program_name(task)) for task in page.object_list]
    return render(request, "worklist/worklist.html", {
        "tab": tab, "page": page, "rows": rows, "programs": programs,
        "program": program, "village": village, "status": status,
        "counts": {"mine": worklist.my_tasks(request.user).count(),
                   "group": worklist.group_tasks(request.user).count()},
    })


def _program_name(task: HumanTask) -> str:
    case = getattr(task.instance, "case", None)
    return case.program.name if case is not None else task.process_key


def _filter_status(tasks, status: str, now):  # noqa: ANN001, ANN202 - a HumanTask queryset in and out
    if status == "overdue":
        return tasks.filter(due_at__lt=now)
    if status == "soon":
        return tasks.filter(due_at__gte=now, due_at__lt=now + DUE_SOON)
    if status == "claimed":
        return tasks.filter(assignee__isnull=False)
    if status == "unclaimed":
        return tasks.filter(assignee__isnull=True)
    return tasks


def _actionable(request: HttpRequest, task_pk: int) -> HumanTask:
    # A task the user cannot act on does not exist for them (404, not 403).
    task = worklist.actionable_tasks(request.user).filter(pk=task_pk).first()
    if task is None:
        raise Http404
    return task


@login_required
@require_POST
def claim_view(request: HttpRequest, task_pk: int) -> HttpResponse:
    task = _actionable(request, task_pk)
    try:
        runtime.claim_task(task.pk, request.user)
        messages.success(request, _("已认领：%(task)s") % {"task": _(task.name)})
    except (TaskConflict, TaskForbidden) as err:
        messages.error(request, _("无法认领：%(reason)s") % {"reason": err})
    return _back(request)


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect("worklist")


@login_required
@require_POST
def unclaim_view(request: HttpRequest, task_pk: int) -> HttpResponse:
    task = _actionable(request, task_pk)
    try:
        runtime.unclaim_task(task.pk, request.user)
        messages.success(request, _("已退回组内：%(task)s") % {"task": _(task.name)})
    except TaskConflict as err:
        messages.error(request, _("无法退回：%(reason)s") % {"reason": err})
    return _back(request)


@login_required
def task_view(request: HttpRequest, task_pk: int) -> HttpResponse:
    """One task: the case it belongs to, the decisions so far, and its form."""
    task = _actionable(request, task_pk)
    posted = request.POST if request.method == "POST" else None
    data = runtime.task_data(task.pk)
    bound = (renderer.bind(task.form_key, posted, initial=process_values.prefill(task.form_key, data))
             if task.form_key else None)
    if posted is not None and (bound is None or bound.is_valid()):
        try:
            runtime.complete_task(task.pk, request.user, bound.cleaned_data() if bound else {})
        except (TaskConflict, TaskForbidden) as err:
            messages.error(request, _("未能办结：%(reason)s") % {"reason": err})
            return redirect("worklist")
        except ProcessError as err:
            # The action was rolled back; the form is shown again with what was entered.
            if err.refusal:
                messages.error(request, _("未能办结，本次提交未保存：%(reason)s") % {"reason": err.refusal})
            else:
                messages.error(request, _("流程执行出错，本次提交未保存：%(reason)s") % {"reason": err})
        else:
            messages.success(request, _("已办结：%(task)s") % {"task": _(task.name)})
            return redirect("worklist")
    case = getattr(task.instance, "case", None)
    decisions = [(e, DECISIONS.get(str(e.payload.get("data", {}).get("opinion", "")), ""))
                 for e in runtime.history(task.instance_id) if e.kind == "task.completed"]
    clocks = (TimerEvent.objects.filter(instance_id=task.instance_id, status=TimerEvent.Status.PENDING)
              .order_by("due_at"))
    return render(request, "worklist/task.html", {
        "task": task, "bound": bound, "case": case, "decisions": decisions,
        "members": list(case.household.members.all()) if case else [],
        "clocks": clocks, "now": timezone.now(),
        "calculation": _calculation(data.get("dibao")),
        "figures": process_values.figures(task.form_key, data) if task.form_key else [],
        "verification": data.get("verification") if isinstance(data.get("verification"), dict) else None,
        "standard": data.get("standard"), "rules_version": data.get("rules_version"),
    })


def _calculation(result: object) -> dict | None:
    """The amount calculation with each supplement's category in words."""
    if not isinstance(result, dict):
        return None
    lines = [{**line, "label": CATEGORY_LABELS.get(line.get("category"), line.get("category"))}
             for line in result.get("supplements") or [] if isinstance(line, dict)]
    return {**result, "supplements": lines}
