"""The reserve funds page: township staff see their township's fund, county staff every fund of the county,
everyone else nothing (404)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from portal.programs.temporary import funds

from .conftest import TOWNSHIP

pytestmark = pytest.mark.django_db
OTHER_TOWNSHIP = "522601103"  # 旁海镇


@pytest.fixture
def balances(kaili):
    funds.top_up(TOWNSHIP, 2000, actor=None, reason="舟溪镇第一季度备用金")
    funds.top_up(OTHER_TOWNSHIP, 3000, actor=None, reason="旁海镇第一季度备用金")


def page(user) -> tuple[int, str]:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("temporary:funds"))
    return response.status_code, response.content.decode()


def test_township_staff_see_their_own_fund(balances, make_user):
    status, html = page(make_user("jingban", "township_caseworker"))
    assert status == 200 and "舟溪镇第一季度备用金" in html and "2000.00" in html
    assert "旁海镇" not in html


def test_county_staff_see_every_township_of_the_county(balances, make_user):
    status, html = page(make_user("xianguan", "county_admin"))
    assert status == 200 and "舟溪镇第一季度备用金" in html and "旁海镇第一季度备用金" in html


def test_other_users_get_404(balances, make_user):
    assert page(make_user("cunwei", "village_committee"))[0] == 404
    assert page(make_user("yibao", "medical_security"))[0] == 404
    assert page(make_user("nobody"))[0] == 404
    assert Client().get(reverse("temporary:funds")).status_code == 302
    # The overdue report is for county offices only.
    client = Client()
    client.force_login(make_user("shenhe", "township_reviewer"))
    assert client.get(reverse("temporary:overdue")).status_code == 404
