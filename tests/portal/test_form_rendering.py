"""The shared rendering of forms.renderer forms (portal/form_entries.html and its parts), used by intake and task pages:
fields with their help and errors, formsets with an add-row button, the empty row with __prefix__ and maxItems."""

from __future__ import annotations

import pytest
from django import forms as djforms
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.urls import reverse
from lxml import html as lxml_html

from engine import runtime
from engine.models import HumanTask
from forms import renderer

from ..conftest import VILLAGE

PLAN = "children_assistance_plan"  # referrals: an array of objects, maxItems 5, no minItems
DECISION = "temporary_collective_decision"  # member_opinions: minItems 3, maxItems 30


def parse(markup: str):
    return lxml_html.fragment_fromstring(markup, create_parent="div")


def document(markup: str):
    return lxml_html.document_fromstring(markup)


def entries(bound: renderer.BoundTaskForm):
    return parse(render_to_string("portal/form_entries.html", {"bound": bound}))


def referral(program: str = "dibao") -> dict:
    return {"program": program, "referral_reason": "家庭无收入来源，需转介。"}


def plan_post(rows: list[dict], *, deleted: tuple[int, ...] = ()) -> dict:
    post = {"planned_on": "2026-03-02", "measures": "儿童主任每周探访。",
            "referrals-TOTAL_FORMS": str(len(rows)), "referrals-INITIAL_FORMS": "0"}
    for index, row in enumerate(rows):
        post.update({f"referrals-{index}-{name}": value for name, value in row.items()})
        if index in deleted:
            post[f"referrals-{index}-DELETE"] = "on"
    return post


def test_a_formset_has_the_add_row_button_the_empty_row_template_and_its_maximum():
    page = entries(renderer.bind(PLAN))
    (box,) = page.xpath("//fieldset[@data-formset='referrals']")
    assert box.get("data-max-items") == "5"
    assert box.xpath("string(legend)") == "转介救助项目"
    (button,) = box.xpath(".//button[contains(@class, 'add-row')]")
    assert button.get("type") == "button" and button.text_content() == "增加一行转介救助项目"
    assert button.get("hidden") is not None  # shown by portal/formsets.js: without the script it could not work
    assert "最多 5 行" in box.xpath("string(.//div[@class='formset-actions'])")
    management = {i.get("name"): i.get("value") for i in box.xpath(".//input[@type='hidden']")}
    assert management["referrals-TOTAL_FORMS"] == "1" and management["referrals-MAX_NUM_FORMS"] == "5"

    # No minItems: one empty row, which the server leaves out when untouched; Django's DELETE box stays on it.
    (row,) = box.xpath(".//div[@class='formset-rows']/div[@class='formset-row']")
    assert row.xpath("string(.//h3)") == "第 1 行"
    assert row.xpath(".//select/@name") == ["referrals-0-program"]
    assert row.xpath(".//input[@type='checkbox']/@name") == ["referrals-0-DELETE"]
    assert not row.xpath(".//button[contains(@class, 'remove-row')]")

    # The row the button clones: __prefix__ for the index, __number__ for the heading, a remove button, no DELETE.
    (empty,) = box.xpath(".//template/div[@class='formset-row']")
    assert empty.xpath("string(.//h3)") == "第 __number__ 行"
    assert set(empty.xpath(".//*[@name]/@name")) == {"referrals-__prefix__-program",
                                                       "referrals-__prefix__-referral_reason",
                                                       "referrals-__prefix__-aid_months"}
    assert empty.xpath(".//label/@for") == [f"id_referrals-__prefix__-{name}"
                                            for name in ("program", "referral_reason", "aid_months")]
    (remove,) = empty.xpath(".//button[contains(@class, 'remove-row')]")
    assert remove.get("type") == "button" and remove.text_content() == "删除此行"


def test_min_items_rows_are_rendered_and_the_schema_order_is_kept():
    page = entries(renderer.bind(DECISION))
    (box,) = page.xpath("//fieldset[@data-formset='member_opinions']")
    assert box.get("data-max-items") == "30"
    rows = box.xpath(".//div[@class='formset-rows']/div[@class='formset-row']")
    assert [r.xpath("string(.//h3)") for r in rows] == ["第 1 行", "第 2 行", "第 3 行"]
    names = page.xpath("//*[@name and not(ancestor::template)]/@name")
    properties = list(dict.fromkeys(name.split("-")[0] for name in names))  # "member_opinions-0-x" → its property
    assert properties == list(renderer.form_spec(DECISION).order)


def test_a_formset_without_max_items_has_no_maximum():
    class Row(djforms.Form):
        name = djforms.CharField(label="姓名")

    formset = djforms.formset_factory(Row, extra=1, can_delete=True)(prefix="rows")
    formset.label, formset.help_text = "人员", "每行一人"
    box = parse(render_to_string("portal/formset.html", {"formset": formset})).xpath("//fieldset")[0]
    assert box.get("data-formset") == "rows" and box.get("data-max-items") is None
    assert box.xpath("string(.//button[contains(@class, 'add-row')])") == "增加一行人员"
    assert "最多" not in box.text_content() and "每行一人" in box.text_content()
    assert box.xpath(".//template//input/@name") == ["rows-__prefix__-name"]


def test_a_field_has_its_label_help_and_errors_tied_to_the_widget():
    bound = renderer.bind(PLAN, plan_post([referral("temporary")]) | {"measures": ""})
    assert not bound.is_valid()
    page = entries(bound)
    (measures,) = page.xpath("//textarea[@name='measures']")
    field = measures.getparent()
    assert field.get("class") == "field invalid"
    assert field.xpath("string(label)") == "帮扶措施 *" and field.xpath("label/@for") == [measures.get("id")]
    assert measures.get("aria-describedby") == "id_measures_helptext id_measures_error"
    assert field.xpath("string(small[@id='id_measures_helptext'])").startswith("生活照料")
    assert field.xpath("string(div[@id='id_measures_error'])") == "这个字段是必填项。"
    # A row's cross-field rule shows on the row's field.
    (months,) = page.xpath("//input[@name='referrals-0-aid_months']")
    assert months.get("aria-describedby") == "id_referrals-0-aid_months_helptext id_referrals-0-aid_months_error"
    error = months.getparent().xpath("string(div[@id='id_referrals-0-aid_months_error'])")
    assert error == "转介临时救助须填写救助月数"


def test_a_row_beyond_max_items_is_refused_with_the_formset_error():
    bound = renderer.bind(PLAN, plan_post([referral()] * 6))
    assert not bound.is_valid()
    assert bound.errors_by_field() == {"referrals": ["最多填写 5 项"]}
    (box,) = entries(bound).xpath("//fieldset[@data-formset='referrals']")
    assert box.xpath("string(p[@class='error'])") == "最多填写 5 项"
    rows = box.xpath(".//div[@class='formset-rows']/div[@class='formset-row']")
    assert len(rows) == 6 and rows[5].xpath(".//select/@name") == ["referrals-5-program"]
    # A row ticked for deletion does not count, as the add-row button counts it.
    deleted = renderer.bind(PLAN, plan_post([referral()] * 6, deleted=(2,)))
    assert deleted.is_valid() and len(deleted.cleaned_data()["referrals"]) == 5


def test_the_formset_script_is_a_static_file_loaded_by_every_page():
    assert finders.find("portal/formsets.js")
    base = render_to_string("portal/base.html")
    (script,) = document(base).xpath("//script[contains(@src, 'portal/formsets.js')]")
    assert script.get("defer") is not None


@pytest.mark.django_db
def test_the_task_page_renders_its_form_with_the_shared_template(client, deployed, staff):
    instance = runtime.start_process("demo_assistance", jurisdiction=VILLAGE, business_key="DB-0001")
    task = HumanTask.objects.get(instance=instance)
    client.force_login(staff["village"])
    page = document(client.get(reverse("task", args=[task.pk])).content.decode())
    assert page.xpath("//script[contains(@src, 'portal/formsets.js')]")
    (field,) = page.xpath("//form//div[contains(@class, 'field')][.//input[@name='applicant_name']]")
    assert field.xpath("string(label)") == "申请人姓名 *" and field.xpath("label/@for") == ["id_applicant_name"]
