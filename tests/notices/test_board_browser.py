"""In Chromium: the board staff use and the sheet they print and post in the village (no navigation, no staff
controls). Screenshots go to test-artifacts/."""

from __future__ import annotations

import pytest

from .conftest import VILLAGE

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
