"""The public verification page (QR target) and the upload form: no login, rate-limited."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.records import service

from .test_sign_verify import paint_over_amount

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def upload(client, data: bytes, name: str = "record.pdf"):
    return client.post(reverse("records:verify_upload"), {"file": SimpleUploadedFile(name, data, "application/pdf")})


def test_qr_page_shows_each_signature_and_the_audit_match_without_login(client, issue_approval):
    record = issue_approval()
    response = client.get(f"/records/v/{record.token}/")
    assert response.status_code == 200
    html = response.content.decode()
    report = response.context["report"]
    assert report.ok
    for text in ("凯里市舟溪镇人民政府", "凯里市民政局", "与审计记录一致", record.sha256, "DB-2025-0001"):
        assert text in html
    assert html.count("✘") == 0


def test_unknown_token_is_404(client, db):
    assert client.get("/records/v/not-a-token/").status_code == 404


def test_upload_of_the_original_is_valid_and_names_the_record(client, issue_approval):
    record = issue_approval()
    response = upload(client, service.read(record))
    assert response.status_code == 200
    assert response.context["report"].ok
    assert response.context["record"] == record


def test_upload_of_a_painted_over_copy_is_invalid(client, issue_approval):
    response = upload(client, paint_over_amount(service.read(issue_approval())))
    report = response.context["report"]
    assert response.status_code == 200 and not report.ok
    assert "审计链中没有与本文件一致的登记" in response.content.decode()


def test_upload_of_a_non_pdf_is_refused(client, db):
    response = upload(client, b"hello", name="x.pdf")
    assert response.status_code == 400 and response.context["report"] is None


def test_the_upload_form_renders(client, db):
    response = client.get(reverse("records:verify_upload"))
    assert response.status_code == 200 and b'enctype="multipart/form-data"' in response.content


def test_verification_is_rate_limited_per_client(client, settings, db):
    settings.RECORDS_VERIFY_RATE = "3/m"
    codes = [client.get(reverse("records:verify_upload")).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    other = client.get(reverse("records:verify_upload"), REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200


def test_the_page_names_the_department_that_sealed_the_record(client, issue_approval):
    record = issue_approval(program="disaster")
    html = client.get(f"/records/v/{record.token}/").content.decode()
    assert "签章单位：凯里市舟溪镇人民政府、凯里市应急管理局" in html
    assert html.count("凯里市应急管理局") >= 3  # the list, and the signature row's signer and organisation
    assert "凯里市民政局" not in html
