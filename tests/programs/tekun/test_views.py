"""The 特困 pages: care homes with their staffing against the ratios, the staffing update, a case's support
file; each only for the offices of its county (404 otherwise)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from engine.models import AuditEvent
from portal.cases.permissions import grant_case_access
from portal.programs.tekun.models import CareHome, Residency

pytestmark = pytest.mark.django_db
HUANGPING_VILLAGE = "522622100201"


@pytest.fixture
def homes(kaili, deployed):
    kaili_home = CareHome.objects.create(county_id="522601", code="kl-zx-01", name="舟溪敬老院", beds=30, carers=1)
    CareHome.objects.create(county_id="522622", code="hp-xz-01", name="新州敬老院", beds=20, carers=3)
    return kaili_home


def login(client, user):
    client.force_login(user)
    return client


def test_care_homes_of_the_users_county_with_required_carers(client, make_user, make_case, homes):
    for index, level in enumerate(["full", "full", "full", "partial"]):
        Residency.objects.create(case=make_case(status="approved"), care_home=homes, resident_name=f"老人{index}",
                                 care_level=level, admitted_on="2025-06-01")
    page = login(client, make_user("gongyang", "care_institution")).get(reverse("tekun:care_homes"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "舟溪敬老院" in body and "新州敬老院" not in body
    row = page.context["rows"][0]
    assert (row["occupied"], row["required"], row["short"]) == (4, 2, True)  # 3/3 + 1/6 → 2 carers, has 1
    assert row["ratios"] == "全护理 1:3、半护理 1:6、自理 1:10" and row["editable"]
    assert "配比不足" in body


def test_staffing_update_is_audited(client, make_user, homes):
    user = make_user("gongyang", "care_institution")
    response = login(client, user).post(reverse("tekun:staffing", args=["kl-zx-01"]), {"carers": "4"})
    assert response.status_code == 302
    homes.refresh_from_db()
    assert homes.carers == 4
    event = AuditEvent.objects.get(kind="tekun.staffing_changed")
    assert (event.actor, event.payload["before"], event.payload["after"]) == (user, 1, 4)
    assert event.instance_id is None  # the system chain


def test_staffing_of_another_county_or_by_other_roles_does_not_exist(client, make_user, homes):
    kaili_institution = login(client, make_user("gongyang", "care_institution"))
    assert kaili_institution.post(reverse("tekun:staffing", args=["hp-xz-01"]), {"carers": "9"}).status_code == 404
    caseworker = make_user("jingban", "township_caseworker")
    assert login(client, caseworker).get(reverse("tekun:care_homes")).status_code == 200  # may look
    assert client.post(reverse("tekun:staffing", args=["kl-zx-01"]), {"carers": "9"}).status_code == 404
    assert CareHome.objects.get(code="kl-zx-01").carers == 1


def test_invalid_staffing_is_refused(client, make_user, homes):
    login(client, make_user("xianguan", "county_admin")).post(reverse("tekun:staffing", args=["kl-zx-01"]),
                                                              {"carers": "-1"})
    assert CareHome.objects.get(code="kl-zx-01").carers == 1
    assert not AuditEvent.objects.filter(kind="tekun.staffing_changed").exists()


def test_pages_need_an_office(client, make_user, homes):
    assert client.get(reverse("tekun:care_homes")).status_code == 302  # to the login page
    nobody = make_user("nobody")
    assert login(client, nobody).get(reverse("tekun:care_homes")).status_code == 404
    assert client.post(reverse("tekun:staffing", args=["kl-zx-01"]), {"carers": "3"}).status_code == 404


def test_case_file_for_the_case_offices_only(client, make_user, make_case, homes):
    case = make_case()
    grant_case_access(case)
    other = make_case(village=HUANGPING_VILLAGE)
    grant_case_access(other)
    client = login(client, make_user("shenhe", "township_reviewer"))
    page = client.get(reverse("tekun:case", args=[case.pk]))
    assert page.status_code == 200 and "特困人员供养档案" in page.content.decode()
    assert client.get(reverse("tekun:case", args=[other.pk])).status_code == 404
