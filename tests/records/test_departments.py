"""Per-department seals: the county slot of a record is sealed by the department that decides its program in that
county (medical assistance: 医疗保障局, disaster relief: 应急管理局, the others: 民政局), as configured per county;
a missing key is an error, never another department's seal."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.core import checks

from engine.models import AuditEvent
from portal.records import organisations, pki, samples, service
from portal.records.checks import signing_departments
from portal.records.models import Record

from .conftest import VILLAGE, pdf_text, sealed_by

pytestmark = pytest.mark.django_db


def decision(program: str, **kwargs) -> Record:
    return service.issue("decision_notice", samples.decision_notice(), jurisdiction=VILLAGE, program=program,
                         business_key="DB-2026-0100", **kwargs)


@pytest.mark.parametrize(("program", "code", "name"), [
    ("medical", "522601-medical_security", "凯里市医疗保障局"),
    ("disaster", "522601-emergency_management", "凯里市应急管理局"),
    ("dibao", "522601", "凯里市民政局"),
    ("", "522601", "凯里市民政局"),  # a record of no program: the civil-affairs bureau
])
def test_the_deciding_department_seals_the_county_slot_and_is_named_as_issuer(program, code, name):
    record = decision(program)  # the sample data says 凯里市民政局: the seal decides who the issuer is
    assert record.seals == {"county": code}
    assert [(r["org_code"], r["org_name"], r["signer"]) for r in record.revisions] == [(code, name, name)]
    assert sealed_by(record) == [name]
    text = pdf_text(service.read(record))
    assert name in text
    if program in ("medical", "disaster"):
        assert "民政局" not in text


def test_an_approval_form_carries_the_township_and_the_deciding_department(issue_approval):
    record = issue_approval(program="medical")
    assert record.seals == {"township": "522601101", "county": "522601-medical_security"}
    # Who is to seal is in the audit chain from the first signature on.
    first = AuditEvent.objects.filter(kind="record.signed").order_by("pk").first()
    assert first.payload["seals"] == record.seals and first.payload["org_code"] == "522601101"
    assert sealed_by(record) == ["凯里市舟溪镇人民政府", "凯里市医疗保障局"]
    assert "凯里市医疗保障局审批意见" in pdf_text(service.read(record))


def test_a_county_configured_differently_follows_its_configuration(settings):
    settings.RECORDS_SIGNING_DEPARTMENTS = {
        "default": {"medical": "medical_security", "disaster": "emergency_management"},
        "522601": {"medical": "civil_affairs", "dibao": "emergency_management"},
    }
    assert sealed_by(decision("medical")) == ["凯里市民政局"]
    assert sealed_by(decision("dibao")) == ["凯里市应急管理局"]
    assert sealed_by(decision("disaster")) == ["凯里市应急管理局"]  # not named for the county: the default
    assert organisations.for_slot("county", "522622100201", "medical").code == "522622-medical_security"


def test_a_countersignature_comes_from_the_organisation_named_at_issue(issue_approval, settings):
    record = issue_approval(countersign=False, program="medical")
    settings.RECORDS_SIGNING_DEPARTMENTS = {"default": {}}  # reconfigured while the record waits
    record = service.countersign(record.pk)
    assert [r["org_code"] for r in record.revisions] == ["522601101", "522601-medical_security"]
    assert sealed_by(record) == ["凯里市舟溪镇人民政府", "凯里市医疗保障局"]


def test_a_missing_department_key_is_an_error_not_another_departments_seal(settings, tmp_path):
    settings.RECORDS_PKI_DIR = pki.create_test_pki(tmp_path / "pki", {"522601": "凯里市民政局",
                                                                      "522601101": "凯里市舟溪镇人民政府"})
    settings.RECORDS_TRUST_ROOTS = [tmp_path / "pki" / "root.cert.pem"]
    settings.RECORDS_EXTRA_CERTS = [tmp_path / "pki" / "intermediate.cert.pem"]
    pki.clear_cache()
    with pytest.raises(service.RecordError) as raised:
        service.issue("approval_form", samples.approval_form(), jurisdiction=VILLAGE, program="medical")
    message = str(raised.value)
    assert "522601-medical_security" in message and "no other organisation may seal" in message
    # Nothing was issued, not even the township's half: the county's key is checked before anything is signed.
    assert not Record.objects.exists() and not AuditEvent.objects.filter(kind="record.signed").exists()
    assert sealed_by(decision("dibao")) == ["凯里市民政局"]  # the civil-affairs bureau's own records still go


def test_an_instance_that_runs_no_case_has_no_program(db):
    assert organisations.program_of(None) == "" and organisations.program_of(10**9) == ""


@pytest.mark.parametrize(("code", "expected"), [
    ("522601", organisations.Organisation("522601")),
    ("522601101", organisations.Organisation("522601101")),
    ("522601-medical_security", organisations.Organisation("522601", "medical_security")),
])
def test_organisation_codes(code, expected):
    assert organisations.parse_code(code) == expected and expected.code == code


@pytest.mark.parametrize("code", ["kaili", "522601-", "522601-tax_bureau", "522601-Medical"])
def test_bad_organisation_codes_are_refused(code):
    with pytest.raises(organisations.OrganisationError):
        organisations.parse_code(code)


def test_an_unknown_department_in_the_configuration_is_refused(settings):
    settings.RECORDS_SIGNING_DEPARTMENTS = {"default": {"medical": "health_commission"}}
    with pytest.raises(service.RecordError, match="unknown department 'health_commission'"):
        decision("medical")
    ids = [m.id for m in signing_departments()]
    assert ids == ["records.E002"]
    settings.RECORDS_SIGNING_DEPARTMENTS = {"kaili": {}}
    assert [m.id for m in signing_departments()] == ["records.E001"]


def test_a_county_handing_a_department_lane_elsewhere_is_warned_to_move_the_seal_too(settings):
    settings.ENGINE_ROLE_OVERRIDES = {"522622": {"medical_security": "county_approver"}}
    [warning] = signing_departments()
    assert warning.id == "records.W001" and warning.level == checks.WARNING and "522622" in warning.msg
    settings.RECORDS_SIGNING_DEPARTMENTS = {**settings.RECORDS_SIGNING_DEPARTMENTS,
                                            "522622": {"medical": "civil_affairs"}}
    assert signing_departments() == []


def test_records_issued_before_departments_signed_get_their_seals_and_keep_verifying(issue_approval):
    record = issue_approval(countersign=False)
    Record.objects.filter(pk=record.pk).update(seals={})  # as the migration finds it
    migration = importlib.import_module("portal.records.migrations.0002_record_seals_and_kinds")
    migration.fill_seals(apps, None)
    record.refresh_from_db()
    assert record.seals == {"township": "522601101", "county": "522601"}
    record = service.countersign(record.pk)
    assert sealed_by(record) == ["凯里市舟溪镇人民政府", "凯里市民政局"]
