"""The village notice board: only name, household size and amount; objections entered by staff send the
case back; every page is a 404 outside the user's offices."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse
from freezegun import freeze_time

from engine.models import AuditEvent, HumanTask
from portal.notices.models import PublicNotice

from .driver import HOUSEHOLD, CaseDriver

pytestmark = pytest.mark.django_db
MONDAY = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@pytest.fixture
def on_notice(driver: CaseDriver):
    with freeze_time(MONDAY):
        case = driver.open()
        driver.accept(case)
        driver.home_visit(case)
        driver.democratic_review(case)
        driver.township_review(case)
    return case


def login(client, user):
    client.force_login(user)
    return client


def test_board_shows_only_name_size_and_amount(client, on_notice, people):
    login(client, people["cunwei"])
    with freeze_time(MONDAY):
        page = client.get(reverse("notices:board", args=[on_notice.household.village_id]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "王秀英" in html and "1452.00" in html and "2026-03-02 — 2026-03-08" in html
    for _name, _relation, number, _income, _flags in HOUSEHOLD:
        assert number not in html and number[-4:] not in html
    assert "李建国" not in html and on_notice.household.address not in html and on_notice.business_key not in html
    assert "登记异议" in html


def test_index_lists_villages_with_notices(client, on_notice, people):
    page = login(client, people["shenhe"]).get(reverse("notices:index"))
    assert page.status_code == 200 and "舟溪村" in page.content.decode()


def test_only_the_village_committee_may_register_the_objection(client, on_notice, people):
    page = login(client, people["shenhe"]).get(reverse("notices:board", args=[on_notice.household.village_id]))
    assert page.status_code == 200 and "登记异议" not in page.content.decode()
    notice = PublicNotice.objects.get(case=on_notice)
    assert client.get(reverse("notices:objection", args=[notice.pk])).status_code == 404


def test_other_township_and_anonymous_get_nothing(client, on_notice, make_user):
    notice = PublicNotice.objects.get(case=on_notice)
    urls = [reverse("notices:board", args=[on_notice.household.village_id]),
            reverse("notices:objection", args=[notice.pk])]
    for url in urls:
        assert client.get(url).status_code == 302  # to the login page
    outsider = make_user("outsider", "village_committee", "township_reviewer", village="522601102201")
    login(client, outsider)
    for url in urls:
        assert client.get(url).status_code == 404
    assert client.get(reverse("notices:index")).status_code == 200
    assert "舟溪村" not in client.get(reverse("notices:index")).content.decode()
    nobody = make_user("nobody")
    assert login(client, nobody).get(reverse("notices:index")).status_code == 404


def test_objection_through_the_board_sends_the_case_to_objection_handling(client, on_notice, people, driver):
    notice = PublicNotice.objects.get(case=on_notice)
    login(client, people["cunwei"])
    url = reverse("notices:objection", args=[notice.pk])
    with freeze_time(MONDAY):
        bad = client.post(url, {"received_on": "2026-03-03", "objector": "", "content": "短"})
        assert bad.status_code == 200 and "error" in bad.content.decode()
        assert HumanTask.objects.get(instance=on_notice.instance, spec_id="Task_objection").status == "ready"
        done = client.post(url, {"received_on": "2026-03-03", "objector": "匿名",
                                 "content": "该户子女在外务工有稳定收入，未如实申报。"})
    assert done.status_code == 302 and done["Location"] == reverse("notices:board", args=[notice.village_id])
    notice.refresh_from_db()
    assert notice.status == "objected"
    assert driver.ready(on_notice) == ["Task_objection_handling"]
    event = AuditEvent.objects.get(instance=on_notice.instance, kind="task.completed", payload__task="Task_objection")
    assert event.actor == people["cunwei"] and event.payload["data"]["objector"] == "匿名"
    assert client.get(url).status_code == 404  # the notice is no longer open
