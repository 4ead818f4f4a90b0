"""Township signs, county countersigns, verification catches tampering; hashes go to the audit chain."""

from __future__ import annotations

import io

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from engine import audit
from engine.models import AuditEvent
from portal.records import pki, service, signing
from portal.records.verify import verify_bytes

from .conftest import read_pdf

pytestmark = pytest.mark.django_db


def paint_over_amount(data: bytes) -> bytes:
    """An incremental update after the last signature that paints a new amount over the old one."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    content = b"q 1 1 1 rg 50 480 495 90 re f Q"
    stream = writer.add_object(generic.StreamObject(stream_data=content))
    writer.add_stream_to_page(1, stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_township_signs_county_countersigns_all_valid(issue_approval):
    record = issue_approval()
    data = service.read(record)
    assert signing.sha256(data) == record.sha256
    report = verify_bytes(data)
    assert [s.field for s in report.signatures] == ["township", "county"]
    township, county = report.signatures
    assert township.organisation == "凯里市舟溪镇人民政府" and county.organisation == "凯里市民政局"
    assert township.certifying and not county.certifying
    for s in report.signatures:
        assert s.intact and s.valid and s.trusted and s.unchanged and s.timestamped and s.in_audit, s
    assert township.coverage == "ENTIRE_REVISION" and county.coverage == "ENTIRE_FILE"
    assert report.matches_audit and report.audit.chain == audit.SYSTEM_CHAIN
    assert report.ok
    assert [r["field"] for r in record.revisions] == ["township", "county"]
    assert record.revisions[0]["signer"] == "赵敏" and record.revisions[1]["signer"] == "孙伟"


def test_each_signature_has_a_visible_seal_in_a_field_created_in_the_first_signed_revision(issue_approval):
    record = issue_approval()
    reader = read_pdf(service.read(record))
    assert reader.xrefs.total_revisions == 3  # rendered, township (both fields + certification), county
    fields = {str(f.get_object()["/T"]): f.get_object() for f in reader.root["/AcroForm"]["/Fields"]}
    assert set(fields) == {"township", "county"}
    for field in fields.values():
        x1, y1, x2, y2 = (float(v) for v in field["/Rect"])
        assert x2 - x1 > 100 and y2 - y1 > 50  # visible
        appearance = field["/AP"]["/N"].get_object()
        xobjects = appearance["/Resources"]["/XObject"]
        images = [x.get_object() for x in xobjects.values()]
        assert any(i.get("/Subtype") == "/Image" or "/XObject" in i.get("/Resources", {}) for i in images)
    assert "/Perms" in reader.root and "/DocMDP" in reader.root["/Perms"]


def test_a_byte_changed_in_signed_content_is_not_intact(issue_approval):
    data = bytearray(service.read(issue_approval()))
    at = data.index(b"WeasyPrint")  # the Producer string, inside every signature's byte range
    data[at] = ord("X")
    report = verify_bytes(bytes(data))
    assert report.signatures and all(not s.intact for s in report.signatures)
    assert not report.ok and report.audit is None


def test_an_update_painting_over_the_amount_after_the_last_signature_is_detected(issue_approval):
    original = service.read(issue_approval())
    tampered = paint_over_amount(original)
    assert tampered.startswith(original)  # the signed bytes are untouched: only modification analysis sees it
    report = verify_bytes(tampered)
    township, county = report.signatures
    assert township.intact and county.intact and county.trusted
    assert not county.unchanged and not township.unchanged
    assert "OTHER" in county.modification
    assert report.audit is None  # the tampered file was never recorded
    assert county.in_audit and township.in_audit  # but the signed revisions were
    assert not report.ok


def test_a_record_signed_with_an_untrusted_certificate_is_not_trusted(issue_approval, settings, untrusted_pki):
    settings.RECORDS_SIGNERS = {
        "522601101": {"key": str(untrusted_pki / "orgs" / "522601101.key.pem"),
                      "cert": str(untrusted_pki / "orgs" / "522601101.cert.pem")},
    }
    record = issue_approval()
    report = verify_bytes(service.read(record))
    township, county = report.signatures
    assert township.organisation == "凯里市舟溪镇人民政府"  # the same name, but not the same key
    assert township.intact and township.valid and not township.trusted
    assert county.trusted
    assert not report.ok


def test_pkcs12_signer_and_no_tsa_gives_b_b_signatures(issue_approval, settings, test_pki):
    settings.RECORDS_TSA_URL = ""
    settings.RECORDS_SIGNERS = {
        "522601": {"pkcs12": str(test_pki / "orgs" / "522601.p12"), "passphrase": pki.TEST_PKCS12_PASSPHRASE.decode()},
    }
    report = verify_bytes(service.read(issue_approval()))
    assert report.ok
    assert not any(s.timestamped for s in report.signatures)


def test_lta_adds_validation_data_and_a_document_timestamp(issue_approval, settings):
    settings.RECORDS_LTA = True
    record = issue_approval()
    data = service.read(record)
    reader = read_pdf(data)
    assert "/DSS" in reader.root
    report = verify_bytes(data)
    kinds = [s.kind for s in report.signatures]
    assert kinds == ["signature", "signature", "timestamp"]
    assert all(s.intact and s.trusted and s.unchanged for s in report.signatures), "\n".join(report.lines())
    assert report.ok
    county_revision = record.revisions[-1]
    assert county_revision["revision_sha256"] != county_revision["sha256"]


def test_every_signature_writes_file_and_revision_hashes_to_the_system_chain(issue_approval):
    record = issue_approval()
    events = list(AuditEvent.objects.filter(kind="record.signed").order_by("seq"))
    assert [e.payload["field"] for e in events] == ["township", "county"]
    assert all(e.chain == audit.SYSTEM_CHAIN and e.payload["record_id"] == record.pk for e in events)
    assert events[-1].payload["sha256"] == record.sha256
    assert [r["sha256"] for r in events[-1].payload["revisions"]] == [r["revision_sha256"] for r in record.revisions]
    assert audit.verify_chains() == []


def test_countersigning_a_fully_signed_record_is_refused(issue_approval):
    record = issue_approval()
    with pytest.raises(service.RecordError):
        service.countersign(record.pk)


def test_countersigning_refuses_a_stored_file_that_was_swapped(issue_approval):
    record = issue_approval(countersign=False)
    with open(record.file.path, "ab") as f:
        f.write(b"\n% appended\n")
    with pytest.raises(service.RecordError, match="SHA-256"):
        service.countersign(record.pk)
