"""manage.py create_test_pki and verify_record."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from portal.records import service

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
