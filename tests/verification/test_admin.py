"""Registry data in Django admin: readable with masked ID numbers, never editable there."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from forms.resident_id import mask as mask_resident_id
from portal.verification.demo import DEMO_FILE, DEMO_IDS
from portal.verification.models import ImportBatch, RegistryRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("import_registry_records", str(DEMO_FILE), verbosity=0)


def test_record_list_and_detail_show_masked_ids_only(admin_client, demo):
    page = admin_client.get(reverse("admin:verification_registryrecord_changelist")).content.decode()
    assert mask_resident_id(DEMO_IDS["王德明"]) in page and "养老金" in page
    record = RegistryRecord.objects.filter(resident_id=DEMO_IDS["王建国"]).first()
    detail = admin_client.get(reverse("admin:verification_registryrecord_change", args=[record.pk])).content.decode()
    assert mask_resident_id(DEMO_IDS["王建国"]) in detail
    for number in DEMO_IDS.values():
        assert number not in page and number not in detail


def test_search_by_full_number_finds_the_person(admin_client, demo):
    url = reverse("admin:verification_registryrecord_changelist")
    page = admin_client.get(url, {"q": DEMO_IDS["吴小红"]}).content.decode()
    assert "个体经营" in page and "理财产品" in page and "养老金" not in page


def test_registry_data_is_read_only(admin_client, demo):
    record = RegistryRecord.objects.first()
    batch = ImportBatch.objects.get()
    for model, pk in [("registryrecord", record.pk), ("importbatch", batch.pk)]:
        listing = admin_client.get(reverse(f"admin:verification_{model}_changelist"))
        assert listing.status_code == 200
        assert reverse(f"admin:verification_{model}_add") not in listing.content.decode()
        assert admin_client.get(reverse(f"admin:verification_{model}_add")).status_code == 403
        assert admin_client.post(reverse(f"admin:verification_{model}_change", args=[pk]), {}).status_code == 403
        assert admin_client.post(reverse(f"admin:verification_{model}_delete", args=[pk]), {"post": "yes"}
                                 ).status_code == 403
    assert RegistryRecord.objects.count() == 10
    page = admin_client.get(reverse("admin:verification_importbatch_change", args=[batch.pk])).content.decode()
    assert batch.sha256 in page and "demo_registry.csv" in page


def test_staff_without_permissions_sees_nothing(client, make_user, demo):
    user = make_user("clerk", "village_committee")
    user.is_staff = True
    user.save()
    client.force_login(user)
    assert client.get(reverse("admin:verification_registryrecord_changelist")).status_code == 403
