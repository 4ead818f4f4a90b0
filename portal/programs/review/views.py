"""Dynamic management pages: the approved cases an office may see with their next review, and recording a member's
death (township caseworkers), which opens the review at once. Cases come only through ``visible_cases(user)``: a
case of another office does not exist for the user (404)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from engine.actors import candidate_group, task_jurisdiction, user_groups
from engine.errors import EngineError
from portal.cases.models import Case, Member
from portal.cases.permissions import visible_cases

from .models import ReviewCase
from .services import REVIEW_PROGRAMS, DeathRefused, ReviewRefused, record_death

PAGE_SIZE = 25
DUE_SOON = timedelta(days=30)
DUE_FILTERS = ("overdue", "soon", "open")
DEATH_ROLE = "township_caseworker"


def _reviewed_cases(user: Any) -> QuerySet[Case]:
    heads = Member.objects.filter(household=OuterRef("household"), relation=Member.Relation.HEAD)
    open_reviews = ReviewCase.objects.filter(concluded_at__isnull=True).select_related("review")
    return (visible_cases(user).filter(program_id__in=list(REVIEW_PROGRAMS), status=Case.Status.APPROVED)
            .select_related("program", "household__village", "review_schedule")
            .prefetch_related(Prefetch("reviews", queryset=open_reviews, to_attr="open_reviews"))
            .annotate(head_name=Subquery(heads.values("name")[:1])))


def _filter_due(cases: QuerySet[Case], due: str, today: date) -> QuerySet[Case]:
    if due == "overdue":
        return cases.filter(review_schedule__next_due__lt=today)
    if due == "soon":
        return cases.filter(review_schedule__next_due__lte=today + DUE_SOON)
    if due == "open":
        return cases.filter(Exists(ReviewCase.objects.filter(original=OuterRef("pk"), concluded_at__isnull=True)))
    return cases


def may_record_deaths(user: Any, case: Case) -> bool:
    return candidate_group(DEATH_ROLE, task_jurisdiction(DEATH_ROLE, case.household.village_id)) in user_groups(user)


@login_required
def schedule_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    due = request.GET.get("due", "")
    cases = _filter_due(_reviewed_cases(request.user), due if due in DUE_FILTERS else "", today)
    page = Paginator(cases.order_by("review_schedule__next_due", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(case, getattr(case, "review_schedule", None), case.open_reviews[0] if case.open_reviews else None,
             may_record_deaths(request.user, case)) for case in page.object_list]
    return render(request, "review/schedule_list.html", {
        "page": page, "rows": rows, "due": due, "today": today, "soon": today + DUE_SOON,
    })


class DeathForm(forms.Form):
    member = forms.ModelChoiceField(queryset=Member.objects.none(), label=gettext_lazy("死亡成员"),
                                    empty_label=None)
    died_on = forms.DateField(label=gettext_lazy("死亡日期"), widget=forms.DateInput(attrs={"type": "date"}),
                              help_text=gettext_lazy("以死亡证明或户籍注销信息为准"))

    def __init__(self, *args: Any, case: Case, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = case.household.members.filter(deceased_on__isnull=True).order_by("pk")


@login_required
def record_death_view(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = _reviewed_cases(request.user).filter(pk=case_pk).first()
    if case is None:
        raise Http404
    if not may_record_deaths(request.user, case):
        raise PermissionDenied(_("只有乡镇经办人可以登记家庭成员死亡"))
    form = DeathForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        member, died_on = form.cleaned_data["member"], form.cleaned_data["died_on"]
        try:
            reviews = record_death(member, died_on, actor=request.user)
        except DeathRefused as err:
            form.add_error("died_on", str(err))
        except (ReviewRefused, EngineError) as err:
            form.add_error(None, _("未能启动核查，本次登记未保存：%(reason)s") % {"reason": err})
        else:
            messages.success(request, _("已登记 %(name)s 死亡，已启动核查：%(cases)s") % {
                "name": member.name, "cases": "、".join(r.business_key for r in reviews)})
            review = next((r for r in reviews if r.review_link.original_id == case.pk), None)
            return redirect("casefile:detail", review.pk) if review else redirect("review:schedules")
    return render(request, "review/record_death.html", {"case": case, "form": form})
