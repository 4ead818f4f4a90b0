"""manage.py create_test_pki and verify_record."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from portal.records import pki, samples, service
from portal.records.verify import verify_bytes

from .conftest import VILLAGE, sealed_by
from .test_sign_verify import paint_over_amount

pytestmark = pytest.mark.django_db


def test_create_test_pki_writes_a_chain_per_organisation(tmp_path, capsys):
    target = tmp_path / "pki"
    call_command("create_test_pki", "--dir", str(target), "--org", "522601=凯里市民政局", "--org", "522601101=舟溪镇")
    for name in ("root.cert.pem", "intermediate.cert.pem", "tsa.cert.pem", "orgs/522601.p12",
                 "orgs/522601101.key.pem", "orgs/522601101.cert.pem"):
        assert (target / name).exists(), name
    assert oct((target / "orgs" / "522601.key.pem").stat().st_mode & 0o777) == "0o600"
    assert "舟溪镇" in capsys.readouterr().out
    with pytest.raises(CommandError, match="already"):
        call_command("create_test_pki", "--dir", str(target))


def test_verify_record_prints_each_signature_and_the_verdict(issue_approval, tmp_path, capsys):
    path = tmp_path / "record.pdf"
    path.write_bytes(service.read(issue_approval()))
    call_command("verify_record", str(path))
    out = capsys.readouterr().out
    assert "[1] 签名 township: OK" in out and "[2] 签名 county: OK" in out
    assert "凯里市民政局" in out and "结论: 有效" in out


def test_verify_record_fails_on_a_tampered_file(issue_approval, tmp_path, capsys):
    path = tmp_path / "tampered.pdf"
    path.write_bytes(paint_over_amount(service.read(issue_approval())))
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_record", str(path))
    assert exit_info.value.code == 1
    out = capsys.readouterr().out
    assert "签署后未被改动: 否" in out and "结论: 无效" in out


def test_the_default_test_pki_has_a_key_for_each_department_that_seals(tmp_path, capsys):
    target = tmp_path / "pki"
    call_command("create_test_pki", "--dir", str(target))
    for code in ("522601", "522601-medical_security", "522601-emergency_management", "522601101"):
        assert (target / "orgs" / f"{code}.key.pem").exists(), code
    out = capsys.readouterr().out
    assert "凯里市医疗保障局" in out and "凯里市应急管理局" in out


def test_if_missing_adds_the_new_departments_to_an_existing_pki_and_keeps_its_keys(issue_approval, settings,
                                                                                   test_pki, tmp_path, capsys):
    # A development PKI made before departments sealed: the civil-affairs bureau and the township only.
    old = tmp_path / "old-pki"
    call_command("create_test_pki", "--dir", str(old), "--org", "522601=凯里市民政局",
                 "--org", "522601101=凯里市舟溪镇人民政府")
    settings.RECORDS_PKI_DIR = old
    settings.RECORDS_TRUST_ROOTS = [old / "root.cert.pem"]
    settings.RECORDS_EXTRA_CERTS = [old / "intermediate.cert.pem"]
    pki.clear_cache()
    signed_before = service.read(issue_approval())
    kept = (old / "orgs" / "522601.key.pem").read_bytes()
    capsys.readouterr()
    call_command("create_test_pki", "--dir", str(old), "--if-missing")
    out = capsys.readouterr().out
    assert "522601-medical_security  凯里市医疗保障局" in out and "added 2 organisation(s)" in out
    assert (old / "orgs" / "522601.key.pem").read_bytes() == kept
    assert verify_bytes(signed_before).ok  # records signed before keep verifying
    medical = service.issue("decision_notice", samples.decision_notice(), jurisdiction=VILLAGE, program="medical")
    assert sealed_by(medical) == ["凯里市医疗保障局"]  # the new key chains to the same root
    call_command("create_test_pki", "--dir", str(old), "--if-missing")
    assert "added" not in capsys.readouterr().out


@pytest.mark.parametrize("org", ["522601-tax_bureau=凯里市税务局", "kaili=凯里市", "522601"])
def test_create_test_pki_refuses_unknown_organisation_codes(tmp_path, org):
    with pytest.raises(CommandError, match="--org"):
        call_command("create_test_pki", "--dir", str(tmp_path / "pki"), "--org", org)
