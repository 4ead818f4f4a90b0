"""In a browser: a caseworker adds and removes member rows with the buttons, sees every error, prints a notice."""

import pytest

from portal.cases.models import Case, Household
from tests.conftest import ARTIFACTS

from .conftest import CHILD, HEAD, SPOUSE, VILLAGE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tab(page):
    return page


def shot(tab, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def fill_member(tab, index: int, name: str, number: str, relation: str, income: str) -> None:
    tab.fill(f"input[name=members-{index}-name]", name)
    tab.fill(f"input[name=members-{index}-resident_id]", number)
    tab.select_option(f"select[name=members-{index}-relation]", relation)
    tab.fill(f"input[name=members-{index}-monthly_income]", income)


def test_register_an_application_in_the_browser(live_server, dibao, caseworker, tab):
    page = tab
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", "caseworker")
    page.fill("input[name=password]", "pw-caseworker")
    page.click("button[type=submit]")
    page.goto(live_server.url + "/intake/")
    page.select_option("select[name=program]", "dibao")
    page.select_option("select[name=village]", VILLAGE)
    page.click("button:has-text('填写申请')")
    page.wait_for_selector("text=最低生活保障申请")

    page.fill("input[name=applicant_name]", "张三")
    page.fill("input[name=resident_id]", HEAD)
    fill_member(page, 0, "张三", HEAD, "head", "600")
    for _ in range(3):
        page.click("button:has-text('增加一行共同生活家庭成员')")
    assert page.locator("input[name=members-TOTAL_FORMS]").input_value() == "4"
    assert page.locator("text=第 4 行").count() == 1
    fill_member(page, 3, "张小明", CHILD, "child", "0")
    # Removing the empty third row renumbers the fourth: its fields, labels and heading become row 3.
    page.locator(".formset-row:has(h3:text-is('第 3 行')) button.remove-row").click()
    assert page.locator("input[name=members-TOTAL_FORMS]").input_value() == "3"
    assert page.locator("fieldset[data-formset=members] .formset-rows h3").all_inner_texts() == [
        "第 1 行", "第 2 行", "第 3 行"]
    assert page.locator("input[name=members-2-name]").input_value() == "张小明"
    assert page.locator("input[name=members-2-resident_id]").input_value() == CHILD
    assert page.locator("select[name=members-2-relation]").input_value() == "child"
    assert page.locator("label[for=id_members-2-name]").count() == 1 and page.locator("[name^=members-3-]").count() == 0
    assert page.locator("input[name=assets-TOTAL_FORMS]").input_value() == "1"  # the other formset is untouched
    fill_member(page, 1, "李梅", SPOUSE, "spouse", "0")
    page.check("input[name=members-1-seriously_ill]")
    page.select_option("select[name=assets-0-kind]", "deposit")
    page.fill("input[name=assets-0-value]", "3000")

    with page.context.expect_page() as opened:
        page.click("button:has-text('材料不全，出具一次性告知')")
    notice = opened.value
    notice.wait_for_load_state()
    assert notice.locator("h1:has-text('补正材料告知书')").is_visible()
    for label in ("联系电话", "家庭住址", "申请理由", "授权核对家庭经济状况", "承诺所填信息真实"):
        assert notice.locator(f"td:text-is('{label}')").count() == 1, label
    shot(notice, "intake-notice")
    notice.close()

    page.click("button:has-text('受理并启动审批流程')")
    page.wait_for_selector(".error")
    assert page.locator("text=请填写 11 位手机号码").count() == 0 and page.locator("text=这个字段是必填项").count() >= 3
    assert not Household.objects.exists()
    shot(page, "intake-form-errors")
    page.fill("input[name=phone]", "13812345678")
    page.fill("input[name=address]", "凯里市舟溪镇舟溪村三组")
    page.fill("textarea[name=reason]", "配偶重病，无劳动能力")
    page.check("input[name=authorize_verification]")
    page.check("input[name=truthfulness_pledge]")
    page.click("button:has-text('受理并启动审批流程')")
    page.wait_for_url(f"{live_server.url}/cases/*/")
    case = Case.objects.get()
    assert page.url == f"{live_server.url}/cases/{case.pk}/"
    assert sorted(case.household.members.values_list("name", flat=True)) == ["张三", "张小明", "李梅"]
    assert case.household.assets.get().kind == "deposit"
