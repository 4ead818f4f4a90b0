"""The case list: only the user's jurisdiction, newest first, filters, search and paging."""

import pytest
from django.urls import reverse

from portal.cases.models import Case, Program

from .conftest import NEIGHBOUR, OTHER_TOWNSHIP, VILLAGE, rid

pytestmark = pytest.mark.django_db


def listed(client, query: str = "") -> list[str]:
    response = client.get(reverse("casefile:list") + query)
    assert response.status_code == 200
    return [case.business_key for case in response.context["page"].object_list]


def test_anonymous_users_are_sent_to_login(client, db):
    response = client.get(reverse("casefile:list"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_only_cases_of_the_users_jurisdiction_newest_first(client, make_case, make_user):
    ours = make_case("王秀英", rid("19650412", "124"))
    neighbour = make_case("李四", rid("19700101", "011"), village=NEIGHBOUR)
    theirs = make_case("张三", rid("19710101", "013"), village=OTHER_TOWNSHIP)
    client.force_login(make_user("reviewer", "township_reviewer", village=VILLAGE))
    assert listed(client) == [neighbour.business_key, ours.business_key]
    html = client.get(reverse("casefile:list")).content.decode()
    assert theirs.business_key not in html and "张三" not in html
    assert "王秀英" in html and "舟溪村村民委员会" in html and "演示" in html and "办理中" in html

    client.force_login(make_user("village", "village_committee", village=VILLAGE))
    assert listed(client) == [ours.business_key]
    client.force_login(make_user("other", "township_reviewer", village=OTHER_TOWNSHIP))
    assert listed(client) == [theirs.business_key]


def test_filters_and_search(client, make_case, make_user):
    a = make_case("王秀英", rid("19650412", "124"))
    b = make_case("李四", rid("19700101", "011"), village=NEIGHBOUR)
    Case.objects.filter(pk=b.pk).update(status=Case.Status.APPROVED)
    other = Program.objects.create(code="other", name="其他项目", process_key="demo_assistance")  # a second demo one
    c = make_case("赵六", rid("19720101", "015"), prog=other)
    client.force_login(make_user("reviewer", "township_reviewer"))
    assert listed(client, "?program=demo") == [b.business_key, a.business_key]
    assert listed(client, "?program=other") == [c.business_key]
    assert listed(client, "?status=approved") == [b.business_key]
    assert listed(client, "?status=nonsense") == [c.business_key, b.business_key, a.business_key]
    assert listed(client, f"?village={NEIGHBOUR}") == [b.business_key]
    assert listed(client, "?village=522601101") == [c.business_key, b.business_key, a.business_key]
    assert listed(client, "?q=李四") == [b.business_key]
    assert listed(client, f"?q={a.business_key.lower()}") == [a.business_key]
    assert listed(client, "?q=秀英&program=demo&status=open") == [a.business_key]
    assert listed(client, "?q=nobody") == []


def test_separately_registered_badge_and_paging(client, make_case, make_user):
    first = make_case("王秀英", rid("19650412", "124"))
    Case.objects.filter(pk=first.pk).update(separately_registered=True)
    for n in range(25):
        make_case(f"户主{n}", rid("19800101", f"{n + 100:03d}"))
    client.force_login(make_user("reviewer", "township_reviewer"))
    page_one = client.get(reverse("casefile:list") + "?program=demo")
    assert len(page_one.context["page"].object_list) == 25
    assert "单独登记备案" not in page_one.content.decode()
    assert "?program=demo&page=2" in page_one.content.decode()
    page_two = client.get(reverse("casefile:list") + "?program=demo&page=2")
    assert [c.business_key for c in page_two.context["page"].object_list] == [first.business_key]
    assert "单独登记备案" in page_two.content.decode()
