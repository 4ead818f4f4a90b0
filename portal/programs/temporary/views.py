"""Pages of temporary assistance: the county's report of emergency aid whose paperwork is overdue, and the
township reserve funds with their ledger.

Both are for civil affairs staff only. Cases are read through ``visible_cases(user)`` and tasks through
``actionable_tasks(user)``; the user's offices (from their ``<role>:<code>`` groups) bound what is listed, and
a user without such an office gets 404, like a case of another jurisdiction.
"""

from __future__ import annotations

from datetime import date, datetime

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from engine import workcalendar, worklist
from engine.actors import office_codes
from portal.cases.permissions import visible_cases

from .models import EmergencyAid, ReserveFund, ReserveFundEntry

OVERDUE_TASK = "Task_paperwork_overdue"
# Who reads the overdue report (county level) and the reserve funds (county or township level).
REPORT_ROLES = {"county_admin", "county_approver", "auditor"}
FUND_ROLES = REPORT_ROLES | {"township_caseworker", "township_reviewer", "township_approver"}
LEDGER_ROWS = 20


def _under(field: str, codes: list[str]) -> Q:
    condition = Q(pk__in=[])
    for code in codes:
        condition |= Q(**{f"{field}__startswith": code})
    return condition


@login_required
def overdue_view(request: HttpRequest) -> HttpResponse:
    """Emergency aid paid in the user's county whose paperwork (补办手续) is past its deadline and undecided."""
    counties = office_codes(request.user, REPORT_ROLES)
    if not counties:
        raise Http404
    now = timezone.now()
    aids = list(
        EmergencyAid.objects.filter(_under("township__code", counties), settled_at__isnull=True, paperwork_due__lt=now,
                                    case__in=visible_cases(request.user))
        .select_related("case__household__village", "township", "payment").order_by("paperwork_due")
    )
    instance_ids = [aid.case.instance_id for aid in aids]
    tasks = {t.instance_id: t for t in worklist.actionable_tasks(request.user)
             .filter(instance_id__in=instance_ids, spec_id=OVERDUE_TASK)}
    today = workcalendar.today_in_china()
    rows = [{"aid": aid, "days": _working_days_late(aid.paperwork_due, today), "task": tasks.get(aid.case.instance_id)}
            for aid in aids]
    return render(request, "temporary/overdue.html", {"rows": rows, "counties": counties, "now": now})


def _working_days_late(due: datetime, today: date) -> int:
    """Working days from the deadline's day (China time) to today: the deadline was set in working days."""
    return workcalendar.working_days_between(due.astimezone(workcalendar.CHINA_TZ).date(), today)


@login_required
def funds_view(request: HttpRequest) -> HttpResponse:
    """Balances of the reserve funds of the user's townships (or every township of the user's county)."""
    offices = office_codes(request.user, FUND_ROLES)
    if not offices:
        raise Http404
    funds = list(ReserveFund.objects.filter(_under("township__code", offices)).select_related("township")
                 .order_by("township_id"))
    visible = set(visible_cases(request.user).values_list("pk", flat=True))
    entries = list(ReserveFundEntry.objects.filter(fund__in=funds).select_related("fund__township", "case")
                   .order_by("-created_at", "-pk")[:LEDGER_ROWS])
    return render(request, "temporary/funds.html", {"funds": funds, "entries": entries, "visible": visible})
