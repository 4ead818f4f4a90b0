"""The 特困 pages: each county's care homes with their staffing against the ratios (and, for the care
institution and the county administrator, the staffing figure to update), and a case's support file."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from engine import audit
from engine.models import AuditEvent
from portal.cases.models import Case
from portal.cases.permissions import visible_cases

from . import rules, staffing
from .access import staff_counties, staffing_counties
from .care_level import LEVEL_LABELS
from .eligibility import CATEGORY_LABELS
from .models import CareAgreement, CareHome, CareLevel, Residency, SpotCheck, SupportVisit

PROGRAM_CODE = "tekun"
MAX_CARERS = 1000


class StaffingForm(forms.Form):
    carers = forms.IntegerField(label=gettext_lazy("护理人员数"), min_value=0, max_value=MAX_CARERS)


def _ratios(county: str, day: str) -> staffing.Ratios | None:
    try:
        found = rules.policy(county, day)
    except rules.RuleNotFound:
        return None
    if not found:
        return None
    try:
        return staffing.Ratios.from_mapping({"full": found.get("staff_ratio_full"),
                                             "partial": found.get("staff_ratio_partial"),
                                             "self_care": found.get("staff_ratio_self")})
    except staffing.StaffingError:
        return None


def _home_row(home: CareHome, ratios: staffing.Ratios | None, editable: bool) -> dict[str, Any]:
    residents = home.residents_by_level()
    required = staffing.required_carers(residents, ratios) if ratios else None
    return {"home": home, "residents": [(CareLevel(level).label, residents[level]) for level in CareLevel.values],
            "occupied": sum(residents.values()), "required": required,
            "ratios": ratios.label() if ratios else "",
            "short": required is not None and home.carers < required,
            "editable": editable, "form": StaffingForm(initial={"carers": home.carers}) if editable else None}


@login_required
def care_homes_view(request: HttpRequest) -> HttpResponse:
    counties = staff_counties(request.user)
    editable = staffing_counties(request.user)
    today = timezone.localdate().isoformat()
    ratios = {county: _ratios(county, today) for county in counties}
    homes = CareHome.objects.filter(county_id__in=counties).select_related("county")
    rows = [_home_row(home, ratios[home.county_id], home.county_id in editable) for home in homes]
    return render(request, "tekun/care_homes.html", {"rows": rows, "today": today})


@login_required
@require_POST
def staffing_view(request: HttpRequest, code: str) -> HttpResponse:
    counties = staffing_counties(request.user)
    form = StaffingForm(request.POST)
    with transaction.atomic():
        home = get_object_or_404(CareHome.objects.select_for_update(), code=code, county_id__in=counties)
        if not form.is_valid():
            messages.error(request, _("护理人员数应为 0 到 %(max)d 之间的整数") % {"max": MAX_CARERS})
            return redirect("tekun:care_homes")
        before, after = home.carers, form.cleaned_data["carers"]
        if before != after:
            home.carers = after
            home.save(update_fields=["carers", "updated_at"])
            audit.append("tekun.staffing_changed", actor=request.user, payload={
                "care_home": home.code, "name": home.name, "county": home.county_id, "before": before,
                "after": after})
    messages.success(request, _("%(home)s 护理人员数已更新为 %(n)d 人") % {"home": home.name, "n": after})
    return redirect("tekun:care_homes")


def _latest_payloads(case_instance_id: int | None) -> dict[str, dict[str, Any]]:
    latest: dict[str, dict[str, Any]] = {}
    events = AuditEvent.objects.filter(instance_id=case_instance_id, kind__startswith="tekun.").order_by("seq")
    for event in events:
        latest[event.kind] = event.payload
    return latest


@login_required
def case_view(request: HttpRequest, case_pk: int) -> HttpResponse:
    """The support file (供养档案) of one 特困 case: the conditions, the care level, the county's selection
    for a home visit, the care agreement and visits or the care home."""
    case = get_object_or_404(visible_cases(request.user).filter(program_id=PROGRAM_CODE)
                             .select_related("household", "program"), pk=case_pk)
    facts = _latest_payloads(case.instance_id)
    care = facts.get("tekun.care_assessed")
    eligibility = facts.get("tekun.eligibility")
    categories = [_(CATEGORY_LABELS.get(c, c)) for c in (eligibility or {}).get("categories", [])]
    spot = SpotCheck.objects.filter(case=case).first()
    agreements = list(CareAgreement.objects.filter(case=case))
    residencies = list(Residency.objects.filter(case=case).select_related("care_home"))
    supporting = case.status == Case.Status.APPROVED and (
        any(a.ended_on is None for a in agreements) or any(r.ended_on is None for r in residencies))
    return render(request, "tekun/case.html", {
        "case": case,
        "supporting": supporting,
        "support_mode": _("集中供养") if residencies else _("分散供养") if agreements else "",
        "eligibility": eligibility,
        "categories": "、".join(categories),
        "care": care,
        "care_level_label": _(LEVEL_LABELS[care["level"]]) if care and care.get("level") in LEVEL_LABELS else "",
        "spot_check": spot,
        "spot_rate": f"{spot.rate * 100:.0f}%" if spot else "",
        "agreements": agreements,
        "visits": SupportVisit.objects.filter(case=case),
        "residencies": residencies,
        "ended": facts.get("tekun.support_ended"),
    })
