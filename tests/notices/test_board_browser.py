"""In Chromium: the board staff use and the sheet they print and post in the village (no navigation, no staff
controls). Screenshots go to test-artifacts/."""

from __future__ import annotations

import pytest

from portal.cases.models import Program
from portal.cases.services import open_case

from .conftest import VILLAGE, give_opinion, make_household, rid

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_board_prints_as_a_clean_sheet(live_server, open_notice_case, people, page, screenshot):
    open_notice_case()
    board = f"{live_server.url}/notices/{VILLAGE}/"
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", "cunwei")
    page.fill("input[name=password]", "pw-cunwei")
    page.click("button[type=submit]")
    page.wait_for_selector("h1")

    page.goto(board)
    assert page.locator("header.top").is_visible()
    assert page.locator("a.button:has-text('登记异议')").is_visible()
    screenshot("notices-board")

    page.emulate_media(media="print")
    assert page.locator("header.top").is_hidden()
    assert page.locator("a.button:has-text('登记异议')").is_hidden()
    assert page.locator("td:text-is('王秀英')").is_visible()
    page.emulate_media(media="screen")

    page.goto(board + "?print=1")
    assert page.locator("header.top").is_hidden()
    assert page.locator("td:text-is('王秀英')").is_visible()
    assert page.locator(".print-only").is_visible()
    screenshot("notices-board-printable")


def test_the_printed_sheet_words_monthly_and_one_off_amounts(live_server, open_notice_case, program, people, page,
                                                             screenshot):
    open_notice_case()
    # The same test process paid once: the wording follows Program.payment, whichever program it is.
    one_off = Program.objects.create(code="notice-oneoff", name="一次性公示测试救助", process_key=program.process_key,
                                     payment="one_off")
    claimant = make_household(members=[("张国强", "head", rid("19700203", "015"))])
    case = open_case(claimant, one_off, actor=people["jingban"], data={"notice_amount": 5200.0, "notice_days": 7})
    give_opinion(case, people["jingban"])
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", "cunwei")
    page.fill("input[name=password]", "pw-cunwei")
    page.click("button[type=submit]")
    page.wait_for_selector("h1")
    page.goto(f"{live_server.url}/notices/{VILLAGE}/?print=1")
    assert page.locator("th.num").first.inner_text() == "拟救助金额"
    assert page.locator("tr:has(td:text-is('王秀英')) td.num").inner_text() == "1452.00 元/月"
    assert page.locator("tr:has(td:text-is('张国强')) td.num").inner_text() == "5200.00 元（一次性）"
    screenshot("notices-board-mixed-payments")
