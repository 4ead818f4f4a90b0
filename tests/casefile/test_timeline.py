"""Timeline entries for every kind of event, the masking of ID numbers, and no raw payloads."""

import pytest
from django.contrib.auth.models import Permission, User

from engine import runtime
from engine.models import HumanTask
from forms.resident_id import mask as mask_resident_id
from forms.resident_id import mask_in_text as mask_ids
from portal.casefile.timeline import entries

from .conftest import VILLAGE, rid

pytestmark = pytest.mark.django_db
NUMBER = rid("19650412", "124")


def test_masking():
    assert mask_resident_id(NUMBER) == f"{NUMBER[:4]}**********{NUMBER[-4:]}"
    assert mask_resident_id("12345") == "*****"
    assert mask_ids(f"户主{NUMBER}，子女 52260120100101131x 在校") == (
        f"户主{NUMBER[:4]}**********{NUMBER[-4:]}，子女 5226**********131x 在校")
    # Longer digit runs (bank accounts, record hashes) are not ID numbers and stay as they are.
    assert mask_ids("6222021234567890123") == "6222021234567890123"


def test_every_kind_reads_as_a_labelled_entry(make_case, make_user):
    case = make_case()
    instance = case.instance
    village = make_user("village", "village_committee", village=VILLAGE)
    colleague = make_user("colleague", "village_committee", village=VILLAGE)
    admin = make_user("admin", "county_admin", village=VILLAGE)
    admin.user_permissions.add(*Permission.objects.filter(codename__in=["reassign_humantask",
                                                                        "cancel_processinstance"]))
    admin = User.objects.get(pk=admin.pk)  # fresh permission cache
    task = HumanTask.objects.get(instance=instance)
    runtime.claim_task(task.pk, village)
    runtime.unclaim_task(task.pk, village)
    runtime.reassign_task(task.pk, admin, colleague, reason="原经办人休假")
    runtime.record_event(instance.pk, "record.signed", payload={
        "kind": "approval_form", "org_name": "凯里市舟溪镇人民政府", "signer": "赵敏", "sha256": "f" * 64})
    runtime.record_event(instance.pk, "verification.completed", payload={"amount": "1200.00", "detail": {"x": 1}})
    runtime.record_event(instance.pk, "something.new", payload={"opinion": f"见{NUMBER}"})
    runtime.cancel_instance(instance.pk, admin, reason=f"申请人 {NUMBER} 撤回申请")
    got = [(e.kind, e.label, e.subject, e.facts) for e in entries(runtime.history(instance.pk))]
    masked = f"{NUMBER[:4]}**********{NUMBER[-4:]}"
    assert got == [
        ("instance.started", "受理，流程启动", "demo_assistance v1", []),
        ("task.claimed", "认领任务", "填写救助申请", []),
        ("task.unclaimed", "退回组内", "填写救助申请", []),
        ("task.reassigned", "改派任务", "填写救助申请",
         [("原因", "原经办人休假"), ("改派给", "colleague")]),
        ("record.signed", "文书签章", "审批表", [("签章单位", "凯里市舟溪镇人民政府"), ("签章人", "赵敏")]),
        ("verification.completed", "经济状况核对完成", "", [("金额（元）", "1200.00")]),
        ("something.new", "其他事件", "", [("意见", f"见{masked}")]),
        ("instance.cancelled", "流程撤销", "", [("原因", f"申请人 {masked} 撤回申请")]),
    ]
    actors = [e.actor for e in entries(runtime.history(instance.pk))]
    assert actors[:4] == ["opener", "village", "village", "admin"] and actors[4] == "系统"
