"""Intake fixtures: Kaili's divisions, the 低保 program on the demo process, a caseworker of 舟溪镇, form data."""

from __future__ import annotations

import copy

import pytest
from django.conf import settings
from django.core.management import call_command

from engine.deploy import deploy_source
from forms.resident_id import check_character
from portal.cases.models import Program

VILLAGE = "522601101200"  # 舟溪村, township 舟溪镇 522601101
OTHER_TOWNSHIP_VILLAGE = "522601103201"  # a village of 旁海镇


def rid(birth: str, seq: str, region: str = "522601") -> str:
    body = region + birth + seq
    return body + check_character(body)


HEAD, SPOUSE, CHILD = rid("19650412", "131"), rid("19670704", "246"), rid("20100901", "135")

APPLICATION = {
    "applicant_name": "张三",
    "resident_id": HEAD,
    "phone": "13812345678",
    "address": "凯里市舟溪镇舟溪村三组",
    "reason": "配偶重病，无劳动能力",
    "members": [
        {"name": "张三", "resident_id": HEAD, "relation": "head", "monthly_income": 600.5, "income_kind": "business"},
        {"name": "李梅", "resident_id": SPOUSE, "relation": "spouse", "monthly_income": 0, "seriously_ill": True,
         "severely_disabled": True},
        {"name": "张小明", "resident_id": CHILD, "relation": "child", "monthly_income": 0, "student": True},
    ],
    "assets": [
        {"kind": "deposit", "value": 3000, "description": "农村信用社活期"},
        {"kind": "vehicle", "value": 2500.5, "description": "三轮摩托车"},
    ],
    "authorize_verification": True,
    "truthfulness_pledge": True,
}


def application(**changes) -> dict:
    data = copy.deepcopy(APPLICATION)
    for name, value in changes.items():
        if value is ...:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def post_data(data: dict, action: str = "submit") -> dict:
    """What the browser posts: formset management fields, check boxes as "on", plus one untouched extra row."""
    post = {"action": action}
    for name in ("members", "assets"):
        rows = data.pop(name, [])
        post[f"{name}-TOTAL_FORMS"] = str(len(rows) + 1)
        post[f"{name}-INITIAL_FORMS"] = "0"
        for index, row in enumerate(rows):
            for field, value in row.items():
                if value is True:
                    post[f"{name}-{index}-{field}"] = "on"
                elif value is not False:
                    post[f"{name}-{index}-{field}"] = str(value)
    for name, value in data.items():
        if value is True:
            post[name] = "on"
        elif value is not False:
            post[name] = str(value)
    return post


@pytest.fixture
def divisions(db):
    call_command("load_jurisdictions", verbosity=0)


@pytest.fixture
def dibao(db, divisions):
    # The demo process stands in for the real 低保 BPMN, which these tests must not depend on.
    source = (settings.WORKFLOWS_DIR / "demo" / "demo_assistance.bpmn").read_text(encoding="utf-8")
    deploy_source("demo/demo_assistance.bpmn", source)
    return Program.objects.create(code="dibao", name="农村最低生活保障", process_key="demo_assistance",
                                  application_form="dibao_application")


@pytest.fixture
def caseworker(make_user):
    user = make_user("caseworker", "township_caseworker", village=VILLAGE)
    user.first_name = "陈经办"
    user.save()
    return user
