"""The engine's tables are readable in Django admin, and nobody can change them there."""

import pytest
from django.urls import reverse

from engine import runtime

from ..conftest import VILLAGE

pytestmark = pytest.mark.django_db
MODELS = ["processdefinition", "processinstance", "humantask", "timerevent", "auditevent"]


def test_admin_lists_engine_rows_read_only(admin_client, deployed):
    instance = runtime.start_process("demo_assistance", jurisdiction=VILLAGE, business_key="DB-1")
    for model in MODELS:
        response = admin_client.get(reverse(f"admin:engine_{model}_changelist"))
        assert response.status_code == 200, model
        assert reverse(f"admin:engine_{model}_add") not in response.content.decode()
    detail = admin_client.get(reverse("admin:engine_processinstance_change", args=[instance.pk]))
    assert detail.status_code == 200 and b"DB-1" in detail.content
    post = admin_client.post(reverse("admin:engine_processinstance_change", args=[instance.pk]), {"status": "error"})
    assert post.status_code == 403
    instance.refresh_from_db()
    assert instance.status == "running"


def test_staff_without_permissions_sees_nothing(client, make_user, deployed):
    user = make_user("clerk", "village_committee")
    user.is_staff = True
    user.save()
    client.force_login(user)
    assert client.get(reverse("admin:engine_auditevent_changelist")).status_code == 403
