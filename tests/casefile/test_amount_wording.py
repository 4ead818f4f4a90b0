"""The case page words the decided amount as the program pays (``Program.payment``): a monthly benefit per month
from a start month, a one-off payment as one sum paid in a month."""

import re

import pytest
from django.urls import reverse

from portal.cases.models import Case, Program

from .conftest import VILLAGE

pytestmark = pytest.mark.django_db


def summary(client, case: Case) -> str:
    response = client.get(reverse("casefile:detail", args=[case.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    return re.search(r'<section class="card" id="summary">(.*?)</section>', html, re.S).group(1)


def decided(case: Case, amount: str) -> None:
    Case.objects.filter(pk=case.pk).update(status=Case.Status.APPROVED, monthly_amount=amount,
                                           payment_starts="2026-04-01")


@pytest.fixture
def reviewer(make_user):
    return make_user("reviewer", "township_reviewer", village=VILLAGE)


def test_a_monthly_program_shows_the_monthly_amount_and_the_first_month(client, make_case, reviewer):
    case = make_case()
    decided(case, "1452.00")
    client.force_login(reviewer)
    html = summary(client, case)
    assert "<dt>月保障金额（元）</dt><dd id=\"case-amount\">1452.00</dd>" in html
    assert "<dt>发放起始月份</dt><dd>2026-04</dd>" in html
    assert "救助金额" not in html and "一次性" not in html


def test_a_one_off_program_shows_one_sum_and_the_month_it_is_paid(client, make_case, program, reviewer):
    # The demo process paid once: the wording follows Program.payment, whichever program it is.
    one_off = Program.objects.create(code="oneoff", name="一次性演示", process_key=program.process_key,
                                     payment="one_off")
    case = make_case(prog=one_off)
    decided(case, "5200.00")
    client.force_login(reviewer)
    html = summary(client, case)
    assert "<dt>救助金额（元）</dt><dd id=\"case-amount\">5200.00</dd>" in html
    assert "<dt>发放月份</dt><dd>2026-04</dd>" in html
    assert "月保障" not in html and "起始" not in html and "元/月" not in html


def test_an_undecided_case_shows_no_amount(client, make_case, reviewer):
    client.force_login(reviewer)
    html = summary(client, make_case())
    assert "case-amount" not in html and "发放" not in html
