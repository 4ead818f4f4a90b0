"""Pages of the children's protection program: the children's cases an office may see, and one child's protection
file — the report, the risk assessments and the departments told, the temporary guardianship, the cases opened for
the household in other programs, the village child director's visits and any guardianship petition.

A case is found only through ``visible_cases(user)`` (another office's case is a 404), open tasks through
``actionable_tasks(user)``; each read of a child's file goes into the case's audit chain like the case page's.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from engine import worklist
from engine.models import AuditEvent, TimerEvent
from portal.casefile import viewlog
from portal.cases.models import Case
from portal.cases.permissions import visible_cases

from .models import RiskAssessment, RiskLevel
from .report import report_facts, visit_rows

PROGRAM = "children"
VISIT_CYCLE = "Timer_visit_cycle"
LIST_ROWS = 200


def _children_cases(user: Any) -> QuerySet[Case]:
    return visible_cases(user).filter(program_id=PROGRAM)


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    latest = RiskAssessment.objects.filter(case=OuterRef("pk")).order_by("-recorded_at", "-pk")
    started = AuditEvent.objects.filter(instance_id=OuterRef("instance_id"), kind="instance.started")
    cases = (_children_cases(request.user).select_related("household__village")
             .annotate(risk_level=Subquery(latest.values("risk_level")[:1]),
                       child_name=Subquery(started.values("payload__data__child_name")[:1]))
             .order_by("status", "-opened_at", "-pk"))
    rows = [{"case": case, "risk_label": RiskLevel(case.risk_level).label if case.risk_level else ""}
            for case in cases[:LIST_ROWS]]
    return render(request, "children/case_list.html", {"rows": rows, "truncated": len(rows) == LIST_ROWS})


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = (_children_cases(request.user).filter(pk=pk)
            .select_related("household__village", "instance").first())
    if case is None:
        raise Http404
    viewlog.record_view(case, request.user, view=PROGRAM)
    instance_id = case.instance_id
    next_visit = (TimerEvent.objects.filter(instance_id=instance_id, spec_id=VISIT_CYCLE,
                                            status=TimerEvent.Status.PENDING)
                  .order_by("due_at").values_list("due_at", flat=True).first())
    return render(request, "children/case_detail.html", {
        "case": case,
        "report": report_facts(case),
        "assessments": list(case.risk_assessments.select_related("assessed_by").prefetch_related("notifications")),
        "guardianships": list(case.temporary_guardianships.select_related("arranged_by")),
        "links": list(case.child_links.select_related("linked_case", "requested_by")),
        "visible_links": set(visible_cases(request.user).filter(child_referrals__case=case)
                             .values_list("pk", flat=True)),
        "petitions": list(case.guardianship_petitions.select_related("filed_by")),
        "visits": visit_rows(case),
        "next_visit": next_visit,
        "my_tasks": list(worklist.actionable_tasks(request.user).filter(instance_id=instance_id))
        if instance_id else [],
    })
