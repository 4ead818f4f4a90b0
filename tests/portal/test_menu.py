"""The menu shows a member of staff the pages they can use, and only those."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse

from portal.core.menu import ENTRIES, menu_for

pytestmark = pytest.mark.django_db


def nav_links(client) -> list[str]:
    html = client.get(reverse("worklist")).content.decode()
    nav = re.search(r"<nav>(.*?)</nav>", html, re.S).group(1)
    return re.findall(r'<a href="([^"]+)"', nav)


@pytest.mark.parametrize("role", sorted(settings.ENGINE_ROLES))
def test_every_link_shown_to_a_role_opens(client, deployed, make_user, role):
    client.force_login(make_user(f"user-{role}", role))
    links = nav_links(client)
    assert links[0] == reverse("worklist")
    for url in links:
        assert client.get(url).status_code == 200, (role, url)


def test_township_caseworker_sees_the_fund_but_not_the_county_report(client, deployed, make_user):
    client.force_login(make_user("jingban", "township_caseworker"))
    links = nav_links(client)
    assert reverse("temporary:funds") in links and reverse("intake:start") in links
    assert reverse("temporary:overdue") not in links
    assert client.get(reverse("temporary:overdue")).status_code == 404


def test_auditor_and_township_reviewer_get_the_pages_they_may_read(client, deployed, make_user):
    client.force_login(make_user("shenji", "auditor"))
    assert reverse("temporary:overdue") in nav_links(client)
    client.force_login(make_user("shenhe", "township_reviewer"))
    links = nav_links(client)
    assert reverse("temporary:funds") in links and reverse("temporary:overdue") not in links


def test_no_menu_without_an_office():
    assert menu_for([]) == []
    assert all(entry.roles is None or entry.roles for entry in ENTRIES)
