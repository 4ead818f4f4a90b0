"""The notice pages: what a board shows (name, household size, amount — nothing else), the printable sheet,
who sees which villages, and 404 for everything outside the user's offices."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from freezegun import freeze_time

from portal.notices.models import PublicNotice

from .conftest import ADDRESS, ELSEWHERE, HOUSEHOLD, NEIGHBOUR, VILLAGE, rid

pytestmark = pytest.mark.django_db
MONDAY = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 in China
OTHER_FAMILY = [("张国强", "head", rid("19700203", "015")), ("张丽", "child", rid("20000506", "022"))]


def board(code: str = VILLAGE, **query) -> str:
    url = reverse("notices:board", args=[code])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def on_notice(open_notice_case):
    with freeze_time(MONDAY):
        return open_notice_case()


def test_the_board_shows_only_name_household_size_and_amount(client, on_notice, people):
    client.force_login(people["cunwei"])
    with freeze_time(MONDAY + timedelta(days=3)):
        page = client.get(board())
    assert page.status_code == 200
    html = page.content.decode()
    assert "王秀英" in html and "1452.00" in html and "公示测试救助" in html
    assert "2026-03-02 — 2026-03-08" in html
    assert ">3<" in html  # household size
    assert ">4<" in html  # days left on Thursday: 5, 6, 7, 8 March
    for name, _relation, number in HOUSEHOLD:
        assert number not in html and number[6:14] not in html  # not even the birth date part
        if name != "王秀英":
            assert name not in html
    assert ADDRESS not in html and on_notice.business_key not in html
    notice = PublicNotice.objects.get(case=on_notice)
    assert reverse("notices:objection", args=[notice.pk]) in html and "登记异议" in html


def test_the_printable_board_has_no_staff_controls(client, on_notice, people):
    client.force_login(people["cunwei"])
    html = client.get(board(print=1)).content.decode()
    assert "printable" in html and "notices/notices.css" in html
    assert "王秀英" in html and "1452.00" in html
    assert "登记异议" not in html and "打印公示" not in html


def test_ended_notices_of_the_last_30_days_show_their_outcome(client, open_notice_case, people):
    with freeze_time(MONDAY):
        recent = open_notice_case()
        old = open_notice_case(members=OTHER_FAMILY, amount="800")
    PublicNotice.objects.filter(case=recent).update(status="completed", ends_on=date(2026, 3, 8))
    PublicNotice.objects.filter(case=old).update(status="objected", ends_on=date(2026, 1, 10))
    client.force_login(people["cunwei"])
    with freeze_time(MONDAY + timedelta(days=20)):
        html = client.get(board()).content.decode()
    assert "近 30 天结束的公示" in html and "王秀英" in html and "期满无异议" in html
    assert "张国强" not in html  # ended more than 30 days ago
    assert "目前没有正在公示的家庭" in html and "登记异议" not in html


def test_the_township_sees_the_board_but_only_the_village_registers_objections(client, on_notice, people):
    notice = PublicNotice.objects.get(case=on_notice)
    client.force_login(people["shenhe"])
    page = client.get(board())
    assert page.status_code == 200 and "王秀英" in page.content.decode()
    assert "登记异议" not in page.content.decode()
    assert client.get(reverse("notices:objection", args=[notice.pk])).status_code == 404


def test_the_index_lists_the_villages_of_the_users_offices_with_open_counts(client, open_notice_case, people):
    with freeze_time(MONDAY):
        open_notice_case()
        closed = open_notice_case(members=OTHER_FAMILY)
        open_notice_case(village=NEIGHBOUR, members=[("赵平", "head", rid("19750607", "031"))])
    PublicNotice.objects.filter(case=closed).update(status="completed")
    client.force_login(people["shenhe"])
    page = client.get(reverse("notices:index"))
    assert page.status_code == 200
    rows = {v["village_id"]: (v["open"], v["total"]) for v in page.context["villages"]}
    assert rows == {VILLAGE: (1, 2), NEIGHBOUR: (1, 1)}
    html = page.content.decode()
    assert board(VILLAGE) in html and board(NEIGHBOUR) in html and "舟溪村" in html
    client.force_login(people["cunwei"])
    assert {v["village_id"] for v in client.get(reverse("notices:index")).context["villages"]} == {VILLAGE}


def test_another_village_or_township_gets_404(client, on_notice, people):
    notice = PublicNotice.objects.get(case=on_notice)
    objection = reverse("notices:objection", args=[notice.pk])
    client.force_login(people["neighbour"])  # the next village of the same township
    assert client.get(board()).status_code == 404
    assert client.get(objection).status_code == 404
    assert client.get(board(NEIGHBOUR)).status_code == 200
    client.force_login(people["outsider"])  # village committee and township reviewer of another township
    assert client.get(board()).status_code == 404
    assert client.get(objection).status_code == 404
    assert client.post(objection, {"received_on": "2026-03-03", "objector": "匿名",
                                   "content": "该户有稳定收入。"}).status_code == 404
    assert client.get(board(ELSEWHERE)).status_code == 200
    index = client.get(reverse("notices:index"))
    assert index.status_code == 200 and "王秀英" not in index.content.decode()
    assert board(VILLAGE) not in index.content.decode()
    notice.refresh_from_db()
    assert notice.status == "open"


def test_codes_that_are_no_village_of_the_user_get_404(client, on_notice, people, make_user):
    client.force_login(people["shenhe"])
    assert client.get(board("522601101999")).status_code == 404  # no such village
    assert client.get(board(VILLAGE[:9])).status_code == 404  # the township itself is no board
    assert client.get(reverse("notices:objection", args=[999999])).status_code == 404
    client.force_login(make_user("nobody"))
    assert client.get(reverse("notices:index")).status_code == 404
    assert client.get(board()).status_code == 404


def test_anonymous_users_are_sent_to_the_login_page(client, on_notice):
    notice = PublicNotice.objects.get(case=on_notice)
    for url in (reverse("notices:index"), board(), reverse("notices:objection", args=[notice.pk])):
        page = client.get(url)
        assert page.status_code == 302 and page["Location"].startswith(reverse("login")), url


def test_a_notice_past_its_end_but_not_yet_swept_shows_no_days_left(client, on_notice, people):
    client.force_login(people["cunwei"])
    with freeze_time(MONDAY + timedelta(days=9)):  # the timer is due but the worker has not fired it yet
        page = client.get(board())
    assert [days for _notice, days, _can_object in page.context["current"]] == [0]
