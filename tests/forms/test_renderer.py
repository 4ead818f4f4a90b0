"""Task forms rendered from JSON Schema: every schema builds, valid data round-trips, each constraint speaks Chinese."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from django import forms as djforms
from django.utils import translation

from forms import registry
from forms.renderer import (
    BoundTaskForm,
    SchemaError,
    TaskFormInvalid,
    bind,
    clean,
    form_spec,
    validate,
)
from forms.resident_id import check_character


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


def rid(region: str = "522601", birth: str = "19800315", sequence: str = "123") -> str:
    body = region + birth + sequence
    return body + check_character(body)


def wrong_check(number: str) -> str:
    last = "0" if number[-1] != "0" else "1"
    return number[:-1] + last


HEAD = rid()
SPOUSE = rid(birth="19820704", sequence="246")
CHILD = rid(birth="20120901", sequence="135")

VALID = {
    "generic_application": {"applicant_name": "张三", "household_size": 3, "requested_amount": 500},
    "review_opinion": {"decision": "approve", "opinion": "情况属实"},
    "home_visit": {
        "visited_on": "2026-03-03",
        "investigators": ["李四", "王五"],
        "findings": "家庭困难属实",
        "monthly_income": 820.5,
        "living_conditions": "土木结构住房，无大件家电",
        "members_signed": ["张三"],
        "conclusion": "consistent",
    },
    "dibao_application": {
        "applicant_name": "张三",
        "resident_id": HEAD,
        "phone": "13812345678",
        "address": "凯里市某镇某村三组",
        "reason": "配偶重病，无劳动能力",
        "members": [
            {
                "name": "张三",
                "resident_id": HEAD,
                "relation": "head",
                "monthly_income": 600,
                "severely_disabled": False,
                "seriously_ill": False,
                "student": False,
                "single_parent": False,
            },
            {
                "name": "李梅",
                "resident_id": SPOUSE,
                "relation": "spouse",
                "monthly_income": 0,
                "severely_disabled": False,
                "seriously_ill": True,
                "student": False,
                "single_parent": False,
            },
            {
                "name": "张小明",
                "resident_id": CHILD,
                "relation": "child",
                "monthly_income": 0,
                "severely_disabled": False,
                "seriously_ill": False,
                "student": True,
                "single_parent": False,
            },
        ],
        "assets": [{"kind": "deposit", "value": 3000, "description": "活期存款"}],
        "staff_relation_declared": False,
        "authorize_verification": True,
        "truthfulness_pledge": True,
    },
    "democratic_review": {
        "meeting_date": "2026-03-10",
        "venue": "村委会会议室",
        "attendees": 9,
        "representatives": 6,
        "opinion": "agree",
        "votes_for": 8,
        "votes_against": 1,
        "record": "经评议，参会人员一致认为该户家庭困难情况属实。",
        "all_signed": True,
    },
    "objection": {
        "received_on": "2026-03-12",
        "objector": "王某",
        "content": "该户有一辆货车",
        "contact": "13900001111",
    },
    "township_opinion": {"decision": "approve", "opinion": "经审核，情况属实", "proposed_amount": 350.25},
    "county_decision": {
        "decision": "approve",
        "opinion": "同意纳入农村低保",
        "approved_amount": 350,
        "payment_starts": "2026-04-01",
    },
    "township_confirmation": {"decision": "refuse", "opinion": "经核查不符合条件", "reasons": "家庭人均收入高于标准"},
    "intake_check": {"checked_on": "2026-03-02", "application_signed": True, "authorization_signed": False,
                     "household_register": True, "special_certificates": False,
                     "complete": "incomplete", "missing_items": ["家庭经济状况核对授权书（全体成员签字）"],
                     "notice_method": "written"},
    "supplement_received": {"outcome": "supplemented", "recorded_on": "2026-03-05",
                            "received_items": ["家庭经济状况核对授权书"]},
    "home_visit_cosign": {"confirmed": True, "signed_on": "2026-03-03", "remarks": "同意调查结论"},
    "supervision": {"handled_on": "2026-03-20", "action": "电话催办经办人并约定完成时间", "cause": "经办人外出培训"},
    "delivery_receipt": {"delivered_on": "2026-03-25", "method": "in_person", "recipient": "张三"},
    "objection_handling": {"route": "reinvestigate", "assessment": "异议涉及收入，需重新入户调查"},
}


# Programs keep the sample data of their own forms beside these tests: tests/forms/samples/<form key>.json.
SAMPLES_DIR = Path(__file__).resolve().parent / "samples"
VALID["household_application"] = VALID["dibao_application"]
for _sample in sorted(SAMPLES_DIR.glob("*.json")):
    VALID[_sample.stem] = json.loads(_sample.read_text(encoding="utf-8"))


def with_(key: str, **changes):
    data = copy.deepcopy(VALID[key])
    for name, value in changes.items():
        if value is ...:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def is_chinese(message: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in message)


def test_every_schema_has_valid_sample_data():
    assert set(VALID) == set(registry.form_keys()), "add a VALID sample for each new schema"


@pytest.mark.parametrize("key", registry.form_keys())
def test_every_schema_builds_a_form_with_chinese_labels(key):
    spec = form_spec(key)
    assert form_spec(key) is spec  # cached per key
    bound = bind(key)
    assert isinstance(bound.form, djforms.Form)
    for entry in bound.entries():
        label = entry.formset.label if entry.formset is not None else entry.field.label
        assert is_chinese(str(label)), (key, entry.name)
    html = str(bound.form) + "".join(str(fs) for fs in bound.formsets.values())
    assert "<" in html


@pytest.mark.parametrize("key", sorted(VALID))
def test_valid_data_round_trips_to_json_ready_data(key):
    assert validate(key, VALID[key]) == {}
    cleaned = clean(key, VALID[key])
    assert cleaned == VALID[key]
    assert clean(key, cleaned) == cleaned  # idempotent


def test_cleaned_data_types():
    cleaned = clean("township_opinion", with_("township_opinion", proposed_amount=350.2))
    assert cleaned["proposed_amount"] == 350.2 and isinstance(cleaned["proposed_amount"], float)
    cleaned = clean("democratic_review", VALID["democratic_review"])
    assert cleaned["meeting_date"] == "2026-03-10" and isinstance(cleaned["attendees"], int)
    cleaned = clean("dibao_application", with_("dibao_application", resident_id=HEAD.lower()))
    assert cleaned["resident_id"] == HEAD  # normalised


def test_optional_fields_left_empty_are_omitted_and_unknown_keys_dropped():
    data = {"received_on": "2026-03-12", "objector": "王某", "content": "该户有一辆货车", "contact": "", "extra": 1}
    assert clean("objection", data) == {"received_on": "2026-03-12", "objector": "王某", "content": "该户有一辆货车"}


def test_existing_engine_sample_data_stays_valid():
    # tests/engine/helpers.py and bench/engine.py submit this to the demo process
    assert (
        validate(
            "home_visit", {"visited_on": "2026-12-01", "investigators": ["李四", "王五"], "findings": "家庭困难属实"}
        )
        == {}
    )


@pytest.mark.parametrize(
    ("key", "changes", "field", "fragment"),
    [
        ("review_opinion", {"opinion": "好"}, "opinion", "至少"),  # minLength
        ("dibao_application", {"applicant_name": "张" * 51}, "applicant_name", "不超过 50"),  # maxLength
        ("review_opinion", {"decision": "maybe"}, "decision", "选择一个有效的选项"),  # enum
        ("dibao_application", {"phone": "02588886666"}, "phone", "11 位手机号码"),  # pattern
        ("objection", {"received_on": "2026-02-30"}, "received_on", "日期"),  # date
        ("dibao_application", {"resident_id": wrong_check(HEAD)}, "resident_id", "校验位"),  # resident id
        ("generic_application", {"household_size": 0}, "household_size", "大于或等于"),  # minimum
        ("generic_application", {"household_size": 31}, "household_size", "小于或等于"),  # maximum
        ("township_opinion", {"proposed_amount": -1}, "proposed_amount", "大于或等于"),  # minimum, number
        ("township_opinion", {"proposed_amount": 1.234}, "proposed_amount", "2"),  # money: 2 decimals
        ("home_visit", {"investigators": ["李四"]}, "investigators", "至少两名"),  # minItems (custom message)
        ("home_visit", {"investigators": ...}, "investigators", "必填"),  # required
        ("dibao_application", {"truthfulness_pledge": False}, "truthfulness_pledge", "承诺"),  # const true
        ("dibao_application", {"authorize_verification": ...}, "authorize_verification", "授权"),  # const true
        ("democratic_review", {"representatives": 5}, "representatives", "三分之二"),  # the 2/3 rule
        ("democratic_review", {"representatives": 10}, "representatives", "不应超过"),  # max_sum
        ("democratic_review", {"votes_for": 9}, "votes_for", "不应超过"),  # max_sum over two fields
        ("township_opinion", {"decision": "refuse"}, "reasons", "理由"),  # required_if
        ("county_decision", {"decision": "refuse"}, "reasons", "理由"),  # required_if
        ("county_decision", {"approved_amount": ...}, "approved_amount", "金额"),  # required_if
        ("generic_application", {"household_size": "三"}, "household_size", "整数"),  # JSON type
        ("home_visit", {"investigators": "李四"}, "investigators", "列表"),  # JSON type
        ("dibao_application", {"members": []}, "members", "至少登记一名"),  # minItems of a formset
    ],
)
def test_each_constraint_gives_a_chinese_field_error(key, changes, field, fragment):
    errors = validate(key, with_(key, **changes))
    assert field in errors, errors
    assert all(is_chinese(m) for m in errors[field]), errors[field]
    assert any(fragment in m for m in errors[field]), errors[field]
    with pytest.raises(TaskFormInvalid) as raised:
        clean(key, with_(key, **changes))
    assert raised.value.errors == errors


def test_the_two_thirds_rule_is_exact():
    assert validate("democratic_review", with_("democratic_review", attendees=9, representatives=6)) == {}
    assert "representatives" in validate(
        "democratic_review", with_("democratic_review", attendees=10, representatives=6)
    )
    assert (
        validate(
            "democratic_review",
            with_("democratic_review", attendees=3, representatives=2, votes_for=3, votes_against=0),
        )
        == {}
    )


def test_required_if_is_quiet_when_the_condition_does_not_hold():
    data = with_("township_opinion", decision="reinvestigate", proposed_amount=...)
    assert validate("township_opinion", data) == {}
    assert (
        validate(
            "township_opinion",
            with_("township_opinion", decision="refuse", reasons="家庭收入超过标准", proposed_amount=...),
        )
        == {}
    )


def test_a_rule_skips_a_field_that_has_its_own_error():
    errors = validate("democratic_review", with_("democratic_review", representatives="多"))
    assert errors["representatives"] == ["应为整数"]


def test_one_invalid_member_row_reports_that_row():
    members = copy.deepcopy(VALID["dibao_application"]["members"])
    members[1]["resident_id"] = wrong_check(SPOUSE)
    members[2]["relation"] = "cousin"
    errors = validate("dibao_application", with_("dibao_application", members=members))
    assert set(errors) == {"members.1.resident_id", "members.2.relation"}
    assert "校验位" in errors["members.1.resident_id"][0]


def test_an_empty_member_row_from_json_is_not_silently_skipped():
    members = [*VALID["dibao_application"]["members"], {}]
    errors = validate("dibao_application", with_("dibao_application", members=members))
    assert {"members.3.name", "members.3.resident_id", "members.3.relation", "members.3.monthly_income"} <= set(errors)


def test_member_row_with_negative_income_and_wrong_shapes():
    members = copy.deepcopy(VALID["dibao_application"]["members"])
    members[0]["monthly_income"] = -5
    members[1]["student"] = "yes"
    errors = validate("dibao_application", with_("dibao_application", members=[*members, "张三"]))
    assert "大于或等于" in errors["members.0.monthly_income"][0]
    assert errors["members.1.student"] == ["应为“是”或“否”"]
    assert errors["members.3"] == ["应为对象"]
    assert validate("dibao_application", with_("dibao_application", members="张三"))["members"] == ["应为列表"]


def post_data(key: str, data: dict) -> dict:
    """What the browser posts for JSON-shaped data: one line per item, formset management fields."""
    post = {}
    for name, value in data.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            post[f"{name}-TOTAL_FORMS"] = str(len(value) + 1)  # plus one untouched extra row
            post[f"{name}-INITIAL_FORMS"] = "0"
            for index, row in enumerate(value):
                for field, item in row.items():
                    if item is True:
                        post[f"{name}-{index}-{field}"] = "on"
                    elif item is not False:
                        post[f"{name}-{index}-{field}"] = str(item)
        elif isinstance(value, list):
            post[name] = "\n".join(value)
        elif value is True:
            post[name] = "on"
        elif value is not False:
            post[name] = str(value)
    return post


@pytest.mark.parametrize("key", sorted(VALID))
def test_browser_post_agrees_with_json(key):
    bound = bind(key, post_data(key, VALID[key]))
    assert bound.is_valid(), bound.errors_by_field()
    assert bound.cleaned_data() == VALID[key]


def test_browser_post_reports_the_invalid_member_row():
    members = copy.deepcopy(VALID["dibao_application"]["members"])
    members[2]["name"] = "张"
    bound = bind("dibao_application", post_data("dibao_application", with_("dibao_application", members=members)))
    assert not bound.is_valid()
    errors = bound.errors_by_field()
    assert list(errors) == ["members.2.name"]
    assert bound.formsets["members"].forms[2].errors["name"]
    assert validate("dibao_application", with_("dibao_application", members=members)) == errors


def test_browser_post_with_a_deleted_member_row():
    post = post_data("dibao_application", VALID["dibao_application"])
    post["members-2-DELETE"] = "on"
    post["members-2-name"] = "张"  # invalid, but deleted
    bound = bind("dibao_application", post)
    assert bound.is_valid(), bound.errors_by_field()
    assert [m["name"] for m in bound.cleaned_data()["members"]] == ["张三", "李梅"]


def test_initial_json_prefills_the_form():
    bound = BoundTaskForm("dibao_application", initial=VALID["dibao_application"])
    assert not bound.form.is_bound
    assert len(bound.formsets["members"].forms) == 3
    html = str(bind("home_visit", initial=VALID["home_visit"]).form["investigators"])
    assert "李四\n王五" in html
    assert [entry.name for entry in bound.entries()] == list(form_spec("dibao_application").order)


def test_cleaned_data_of_an_invalid_form_raises():
    bound = BoundTaskForm.from_json("review_opinion", {})
    assert not bound.is_valid()
    with pytest.raises(TaskFormInvalid):
        bound.cleaned_data()


def test_json_data_that_is_not_an_object():
    assert validate("review_opinion", ["approve"]) == {"__all__": ["应为对象"]}


def test_unknown_form_key():
    with pytest.raises(KeyError):
        validate("no_such_form", {})
    with pytest.raises(KeyError):
        bind("no_such_form")


def test_unsupported_schema_constructs_are_refused(monkeypatch):
    from forms import renderer

    schemas = {
        "bad_type": {"type": "object", "properties": {"x": {"type": "null"}}},
        "bad_rule": {
            "type": "object",
            "properties": {"x": {"type": "integer"}},
            "x-rules": [{"rule": "min_ratio", "field": "x", "of": "y", "ratio": "2/3"}],
        },
        "bad_ratio": {
            "type": "object",
            "properties": {"x": {"type": "integer"}},
            "x-rules": [{"rule": "min_ratio", "field": "x", "of": "x", "ratio": "two thirds"}],
        },
        "bad_vocab": {"type": "object", "properties": {"x": {"type": "integer"}}, "x-rules": [{"rule": "unique"}]},
        "bad_rows_rule": {
            "type": "object",
            "properties": {
                "x": {"type": "integer"},
                "rows": {"type": "array", "items": {"type": "object", "properties": {"y": {"type": "string"}}}},
            },
            "x-rules": [{"rule": "rows_per_item", "field": "rows", "of": "x"}],
        },
        "bad_rows_field": {
            "type": "object",
            "properties": {"x": {"type": "array", "items": {"type": "string"}}, "y": {"type": "integer"}},
            "x-rules": [{"rule": "rows_per_item", "field": "y", "of": "x"}],
        },
        "bad_names": {
            "type": "object",
            "properties": {"x": {"type": "string", "enum": ["a", "b"], "enumNames": ["甲"]}},
        },
    }
    monkeypatch.setattr(renderer.registry, "schema", lambda key: schemas[key])
    for key in schemas:
        with pytest.raises(SchemaError):
            renderer.form_spec.__wrapped__(key)


def test_a_collective_decision_records_an_opinion_per_attendee():
    sample = VALID["temporary_collective_decision"]
    four = with_("temporary_collective_decision", attendees=[*sample["attendees"], "赵科员"])
    assert validate("temporary_collective_decision", four) == {
        "member_opinions": ["须逐一记录每位参会人员的意见（参会人员 4 项，成员意见 3 行）"]}
    opinions = [*sample["member_opinions"], {"member": "赵科员", "opinion": "agree"}]
    assert validate("temporary_collective_decision", {**four, "member_opinions": opinions}) == {}
    # From the page: a row ticked for deletion does not count, and the error is shown with the formset.
    post = {"meeting_date": "2026-03-10", "meeting_name": "局务会", "chair": "孙局长",
            "attendees": "孙局长\n李副局长\n王科长\n赵科员", "decision": "refuse", "opinion": "经集体研究，不予批准",
            "reasons": "存款超过规定", "all_signed": "on", "member_opinions-TOTAL_FORMS": "4",
            "member_opinions-INITIAL_FORMS": "0"}
    for index, name in enumerate(["孙局长", "李副局长", "王科长", "赵科员"]):
        post |= {f"member_opinions-{index}-member": name, f"member_opinions-{index}-opinion": "disagree"}
    assert bind("temporary_collective_decision", post).is_valid()
    bound = bind("temporary_collective_decision", {**post, "member_opinions-3-DELETE": "on"})
    assert not bound.is_valid() and not bound.is_valid()  # checked once, reported once
    assert bound.formsets["member_opinions"].non_form_errors() == [
        "须逐一记录每位参会人员的意见（参会人员 4 项，成员意见 3 行）"]


def test_labels_are_translated_when_shown_not_when_the_class_is_built():
    bind("review_opinion")  # the class is cached while Chinese is active
    with translation.override("en"):
        assert str(bind("review_opinion").form["decision"].label) == translation.gettext("结论") != "结论"
        label = str(bind("democratic_review").form["representatives"].label)
        assert label == translation.gettext("其中村民代表人数") != "其中村民代表人数"  # a schema text, catalogued
    assert str(bind("review_opinion").form["decision"].label) == "结论"


def test_the_members_formset_alone_sees_the_json_row_errors():
    members = [*VALID["dibao_application"]["members"], {"name": "赵六", "monthly_income": "很多"}]
    bound = BoundTaskForm.from_json("dibao_application", with_("dibao_application", members=members))
    formset = bound.formsets["members"]
    assert not formset.is_valid()
    assert formset.forms[3].errors["monthly_income"] == ["应为数字"]
    assert "relation" in formset.forms[3].errors
