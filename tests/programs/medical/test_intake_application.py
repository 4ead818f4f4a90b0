"""A medical assistance application registered at the township's intake page (medical_application extends the
household application) starts the normal path with the patient, category and bill as process data."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.urls import reverse
from freezegun import freeze_time

from engine import runtime
from engine.models import HumanTask
from portal.cases.models import Case

pytestmark = pytest.mark.django_db
SAMPLE = Path(__file__).resolve().parents[2] / "forms" / "samples" / "medical_application.json"
VILLAGE = "522601101200"


def browser_post(data: dict) -> dict:
    post = {"action": "submit"}
    for name, value in data.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            post[f"{name}-TOTAL_FORMS"], post[f"{name}-INITIAL_FORMS"] = str(len(value)), "0"
            for index, row in enumerate(value):
                post.update({f"{name}-{index}-{k}": ("on" if v is True else str(v)) for k, v in row.items()
                             if v is not False})
        elif isinstance(value, list):
            post[name] = "\n".join(value)
        elif value is not False:
            post[name] = "on" if value is True else str(value)
    return post


def test_intake_opens_the_normal_path_for_an_over_80_patient(client, programs, people):
    sample = json.loads(SAMPLE.read_text(encoding="utf-8"))
    client.force_login(people["jingban"])
    url = reverse("intake:new", args=["medical"]) + f"?village={VILLAGE}"
    with freeze_time(datetime(2026, 3, 2, 1, 0, tzinfo=UTC)):
        assert "医疗救助申请" in client.get(url).content.decode()
        response = client.post(url, browser_post(sample))
    case = Case.objects.get(program_id="medical")
    assert response.status_code == 302 and response["Location"] == reverse("casefile:detail", args=[case.pk])
    task = HumanTask.objects.get(instance=case.instance, status=HumanTask.Status.READY)
    assert task.spec_id == "Task_intake_check"
    data = runtime.task_data(task.pk)
    assert (data["channel"], data["patient_name"], data["category"], data["bill_number"]) == (
        "application", "张老汉", "elderly_major_illness", "ZY-2026-004512")
    # 张老汉 was born 1940-10-10: 85 on the day the case opened, over the DMN's 80.
    assert (data["category_check"]["qualified"], data["category_check"]["age"], data["min_age"]) == (True, 85, 80)
    assert all(member["resident_id"] not in json.dumps(data) for member in sample["members"])


def test_a_patient_who_is_not_a_member_is_refused_at_intake_and_nothing_is_saved(client, programs, people):
    sample = json.loads(SAMPLE.read_text(encoding="utf-8"))
    sample["patient_name"] = "王某某"
    client.force_login(people["jingban"])
    url = reverse("intake:new", args=["medical"]) + f"?village={VILLAGE}"
    with freeze_time(datetime(2026, 3, 2, 1, 0, tzinfo=UTC)):
        response = client.post(url, browser_post(sample))
    page = response.content.decode()
    assert response.status_code == 200 and "审批流程启动出错" in page
    assert "患者“王某某”不是登记的共同生活家庭成员" in page
    assert not Case.objects.exists()
