"""Pages of disaster relief: the aid register by disaster event (受灾人员救助台账) and one case's aid calculation.

Staff only: a user without an office (a ``<role>:<code>`` group of a known role) gets 404. Cases are read through
``visible_cases(user)`` (a case of another jurisdiction does not exist for the user) and tasks through
``actionable_tasks(user)``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from engine import worklist
from engine.actors import user_offices
from portal.cases.models import Case
from portal.cases.permissions import visible_cases

from .models import AidType, DisasterAid

PROGRAM = "disaster"
PAGE_SIZE = 50


def require_office(user: Any) -> None:
    """404 for a user who holds no role in any office (a villager, a plain account)."""
    if not user_offices(user):
        raise Http404


def visible_aid(user: Any) -> QuerySet[DisasterAid]:
    return DisasterAid.objects.filter(case__in=visible_cases(user), case__program_id=PROGRAM)


@login_required
def register_view(request: HttpRequest) -> HttpResponse:
    """Every disaster aid case the user's offices may see, by event, with totals of what was approved."""
    require_office(request.user)
    aids = visible_aid(request.user)
    events = list(aids.order_by("-event_date", "event_name").values_list("event_name", flat=True).distinct())
    event = request.GET.get("event", "")
    aid_type = request.GET.get("aid_type", "")
    status = request.GET.get("status", "")
    if event:
        aids = aids.filter(event_name=event)
    if aid_type in AidType.values:
        aids = aids.filter(aid_type=aid_type)
    if status in Case.Status.values:
        aids = aids.filter(case__status=status)
    totals = {row["aid_type"]: row for row in aids.filter(case__status=Case.Status.APPROVED).values("aid_type")
              .annotate(cases=Count("pk"), amount=Sum("amount")).order_by("aid_type")}
    summary = [{"label": label, "cases": totals.get(value, {}).get("cases", 0),
                "amount": totals.get(value, {}).get("amount") or Decimal(0)} for value, label in AidType.choices]
    page = Paginator(aids.select_related("case__household__village").order_by("-registered_at", "-pk"),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "disaster/register.html", {
        "page": page, "events": events, "event": event, "aid_type": aid_type, "status": status,
        "aid_types": AidType.choices, "statuses": Case.Status.choices, "summary": summary,
        "total_amount": sum((row["amount"] for row in summary), Decimal(0)),
    })


@login_required
def aid_view(request: HttpRequest, case_pk: int) -> HttpResponse:
    """One case's disaster, aid and the calculation of its amount, with the user's task on it if any."""
    require_office(request.user)
    aid = visible_aid(request.user).select_related("case__household__village", "case__instance").filter(
        case_id=case_pk).first()
    if aid is None:
        raise Http404
    tasks = list(worklist.actionable_tasks(request.user).filter(instance_id=aid.case.instance_id)
                 .order_by("created_at")) if aid.case.instance_id else []
    return render(request, "disaster/aid.html", {"aid": aid, "case": aid.case, "tasks": tasks})
