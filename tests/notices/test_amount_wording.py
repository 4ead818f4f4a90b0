"""The notice board and the objection page word each proposed amount as its program pays (``Program.payment``):
monthly programs per month, one-off programs (medical, temporary, disaster assistance) as one sum."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from freezegun import freeze_time

from portal.cases.models import Case, Program
from portal.cases.services import open_case
from portal.notices.models import PublicNotice

from .conftest import VILLAGE, give_opinion, make_household, rid

pytestmark = pytest.mark.django_db
MONDAY = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
CLAIMANT = [("张国强", "head", rid("19700203", "015")), ("张丽", "child", rid("20000506", "022"))]


@pytest.fixture
def one_off_program(program):
    # The same test process paid once: the wording follows Program.payment, whichever program it is.
    return Program.objects.create(code="notice-oneoff", name="一次性公示测试救助", process_key=program.process_key,
                                  payment="one_off")


@pytest.fixture
def one_off_notice(one_off_program, people):
    def make() -> Case:
        with freeze_time(MONDAY):
            case = open_case(make_household(members=CLAIMANT), one_off_program, actor=people["jingban"],
                             data={"notice_amount": 5200.0, "notice_days": 7})
            give_opinion(case, people["jingban"])
        return case

    return make


def board(client, user, **query) -> tuple[str, str]:
    """The header and the body of the current notices' table."""
    client.force_login(user)
    with freeze_time(MONDAY + timedelta(days=1)):
        html = client.get(reverse("notices:board", args=[VILLAGE]), query).content.decode()
    table = re.search(r'<table class="list">(.*?)</table>', html, re.S).group(1)
    head, body = table.split("</thead>")
    return head, body


def test_a_board_of_monthly_notices_keeps_the_monthly_wording(client, open_notice_case, people):
    with freeze_time(MONDAY):
        open_notice_case()
    head, body = board(client, people["cunwei"])
    assert "拟保障金额（元/月）" in head and '<td class="num">1452.00</td>' in body
    assert "一次性" not in head + body and "拟救助金额" not in head


def test_a_board_of_one_off_notices_says_one_sum(client, one_off_notice, people):
    one_off_notice()
    head, body = board(client, people["cunwei"])
    assert "拟救助金额（元）" in head and '<td class="num">5200.00</td>' in body
    assert "元/月" not in head + body and "保障金额" not in head


def test_monthly_and_one_off_notices_on_one_board_each_carry_their_unit(client, open_notice_case, one_off_notice,
                                                                         people):
    with freeze_time(MONDAY):
        open_notice_case()
    one_off_notice()
    for query in ({}, {"print": "1"}):
        head, body = board(client, people["cunwei"], **query)
        assert '<th class="num">拟救助金额</th>' in head
        assert '<td class="num">1452.00 元/月</td>' in body and '<td class="num">5200.00 元（一次性）</td>' in body


def test_ended_notices_are_worded_by_their_own_programs(client, open_notice_case, one_off_notice, people):
    with freeze_time(MONDAY):
        monthly = open_notice_case()
    one_off_notice()
    PublicNotice.objects.filter(case=monthly).update(status=PublicNotice.Status.COMPLETED)
    client.force_login(people["cunwei"])
    with freeze_time(MONDAY + timedelta(days=1)):
        page = client.get(reverse("notices:board", args=[VILLAGE]))
    assert page.context["current_amount"] == ("拟救助金额（元）", False)
    assert page.context["ended_amount"] == ("拟保障金额（元/月）", False)


def test_the_objection_page_names_the_unit_of_the_program(client, open_notice_case, one_off_notice, people):
    with freeze_time(MONDAY):
        monthly = open_notice_case()
    one_off = one_off_notice()
    client.force_login(people["cunwei"])
    for case, text in ((monthly, "1452.00 元/月"), (one_off, "5200.00 元（一次性）")):
        notice = PublicNotice.objects.get(case=case)
        with freeze_time(MONDAY + timedelta(days=1)):
            html = client.get(reverse("notices:objection", args=[notice.pk])).content.decode()
        assert text in html, text
    assert "元/月" not in html
