"""The dynamic management pages: what an office sees, and who may record a death (others get 404 or 403)."""

from __future__ import annotations

from datetime import date

import pytest
from freezegun import freeze_time

from portal.cases.models import Member
from portal.programs.review import services
from portal.programs.review.models import ReviewCase
from tests.workflows.driver import rid

from .support import WITH_WORKING_SON, approved_case, china_noon

pytestmark = pytest.mark.django_db
OTHER_TOWNSHIP = "522601103200"  # 旁海镇
TODAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _frozen():
    with freeze_time(china_noon(TODAY)):
        yield


@pytest.fixture
def cases(review_programs):
    ours = approved_case(review_programs["dibao"], approved_on=date(2025, 3, 1))
    soon = approved_case(review_programs["dibao"], members=WITH_WORKING_SON, amount="700.00",
                         approved_on=date(2025, 9, 20))
    theirs = approved_case(review_programs["dibao"], village=OTHER_TOWNSHIP, amount="500.00",
                           members=[("罗阿婆", "head", rid("19400101", "024"), 0, {})])
    services.open_due_reviews(today=date(2025, 3, 1))
    return {"ours": ours, "soon": soon, "theirs": theirs}


def test_pages_need_a_login(client, cases):
    for url in ("/programs/review/", f"/programs/review/cases/{cases['ours'].pk}/death/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_schedule_list_shows_the_office_s_cases_and_their_next_review(client, cases, people):
    client.force_login(people["shenhe"])
    page = client.get("/programs/review/").content.decode()
    assert cases["ours"].business_key in page and cases["soon"].business_key in page
    assert cases["theirs"].business_key not in page
    assert "2026-03-01" in page and "每年核查一次" in page and "2026-03-20" in page
    overdue = client.get("/programs/review/?due=overdue").content.decode()
    assert cases["ours"].business_key in overdue and cases["soon"].business_key not in overdue
    assert "登记成员死亡" not in page  # a township reviewer does not record deaths


def test_caseworker_records_a_death_and_the_review_opens(client, cases, people):
    client.force_login(people["jingban"])
    url = f"/programs/review/cases/{cases['ours'].pk}/death/"
    form = client.get(url).content.decode()
    assert "李建国" in form and cases["ours"].household.members.get(name="李建国").resident_id not in form
    member = cases["ours"].household.members.get(name="李建国")
    response = client.post(url, {"member": member.pk, "died_on": "2026-02-27"})
    review = ReviewCase.objects.get(original=cases["ours"], trigger="death").review
    assert response.status_code == 302 and response["Location"] == f"/cases/{review.pk}/"
    assert Member.objects.get(pk=member.pk).deceased_on == date(2026, 2, 27)
    assert review.instance.started_by == people["jingban"]
    page = client.get("/programs/review/?due=open").content.decode()
    assert review.business_key in page and cases["soon"].business_key not in page


def test_an_impossible_death_date_saves_nothing(client, cases, people):
    client.force_login(people["jingban"])
    member = cases["ours"].household.members.get(name="李建国")
    response = client.post(f"/programs/review/cases/{cases['ours'].pk}/death/",
                           {"member": member.pk, "died_on": "2026-03-05"})
    assert response.status_code == 200 and "死亡日期不能晚于今天" in response.content.decode()
    assert Member.objects.get(pk=member.pk).deceased_on is None and not ReviewCase.objects.exists()


def test_other_offices_and_roles_cannot_record_deaths(client, cases, people, make_user):
    client.force_login(people["jingban"])
    assert client.get(f"/programs/review/cases/{cases['theirs'].pk}/death/").status_code == 404
    other = make_user("panghai", "township_caseworker", village=OTHER_TOWNSHIP)
    client.force_login(other)
    assert client.get(f"/programs/review/cases/{cases['ours'].pk}/death/").status_code == 404
    client.force_login(people["cunwei"])
    member = cases["ours"].household.members.get(name="李建国")
    assert client.post(f"/programs/review/cases/{cases['ours'].pk}/death/",
                       {"member": member.pk, "died_on": "2026-02-27"}).status_code == 403
    assert Member.objects.get(pk=member.pk).deceased_on is None
