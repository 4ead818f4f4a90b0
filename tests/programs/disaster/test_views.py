"""The disaster relief pages: the aid register and one case's calculation, for the case's offices only."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from portal.cases.models import Case
from portal.programs.disaster.models import DisasterAid
from tests.program_data import shipped_program

from .conftest import OTHER_VILLAGE, VILLAGE, disaster_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(kaili):
    approved = disaster_case(key="DISASTER-20260302-000001", aid_type="emergency_living")
    DisasterAid.objects.filter(case=approved).update(persons=3, days_requested=5, days=5, max_days=15,
                                                     daily_rate=30, amount=Decimal("450.00"), basis="3 人 × 5 天")
    Case.objects.filter(pk=approved.pk).update(status=Case.Status.APPROVED)
    open_case = disaster_case(key="DISASTER-20260302-000002", aid_type="house_rebuilding")
    DisasterAid.objects.filter(case=open_case).update(damage_level="collapsed", damaged_area=96.5,
                                                      household_category="dibao", amount=Decimal("30000.00"))
    elsewhere = disaster_case(village=OTHER_VILLAGE, key="DISASTER-20260302-000003")
    return approved, open_case, elsewhere


def test_register_lists_the_offices_cases_with_totals(client, make_user, cases):
    approved, open_case, elsewhere = cases
    client.force_login(make_user("yingji", "emergency_management", village=VILLAGE))
    page = client.get(reverse("disaster:register")).content.decode()
    assert approved.business_key in page and open_case.business_key in page
    assert elsewhere.business_key in page  # the county department sees every township of its county
    client.force_login(make_user("jingban", "township_caseworker", village=VILLAGE))
    response = client.get(reverse("disaster:register"), {"aid_type": "emergency_living"})
    page = response.content.decode()
    assert approved.business_key in page and open_case.business_key not in page
    assert elsewhere.business_key not in page  # another township's case does not exist for this office
    assert response.context["total_amount"] == Decimal("450.00")  # only approved cases are totalled


def test_register_filters_by_event_and_status(client, make_user, cases):
    client.force_login(make_user("yingji", "emergency_management", village=VILLAGE))
    response = client.get(reverse("disaster:register"), {"status": "open", "event": "2026年3月舟溪镇暴雨洪涝灾害"})
    keys = [aid.case.business_key for aid in response.context["page"].object_list]
    assert keys == ["DISASTER-20260302-000003", "DISASTER-20260302-000002"]
    assert response.context["events"] == ["2026年3月舟溪镇暴雨洪涝灾害"]


def test_aid_page_shows_the_calculation(client, make_user, cases):
    approved, open_case, _elsewhere = cases
    client.force_login(make_user("jingban", "township_caseworker", village=VILLAGE))
    page = client.get(reverse("disaster:aid", args=[approved.pk])).content.decode()
    assert "应急生活救助" in page and "450.00" in page and "3 人 × 5 天" in page
    page = client.get(reverse("disaster:aid", args=[open_case.pk])).content.decode()
    assert "倒塌" in page and "低保户" in page and "30000.00" in page


def test_another_jurisdiction_gets_404(client, make_user, cases):
    _approved, _open_case, elsewhere = cases
    client.force_login(make_user("jingban", "township_caseworker", village=VILLAGE))
    assert client.get(reverse("disaster:aid", args=[elsewhere.pk])).status_code == 404


def test_users_without_an_office_get_404_and_anonymous_users_log_in(client, make_user, cases):
    approved = cases[0]
    assert client.get(reverse("disaster:register")).status_code == 302
    assert client.get(reverse("disaster:aid", args=[approved.pk])).status_code == 302
    client.force_login(make_user("villager"))
    assert client.get(reverse("disaster:register")).status_code == 404
    assert client.get(reverse("disaster:aid", args=[approved.pk])).status_code == 404


def test_a_case_of_another_program_is_not_a_disaster_case(client, make_user, cases):
    from portal.cases.permissions import grant_case_access

    from .conftest import household

    other = Case.objects.create(household=household(), program=shipped_program("dibao"),
                                business_key="DIBAO-1")
    grant_case_access(other)
    client.force_login(make_user("jingban", "township_caseworker", village=VILLAGE))
    assert client.get(reverse("disaster:aid", args=[other.pk])).status_code == 404
