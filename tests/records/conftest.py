"""Records fixtures: one test PKI (and one untrusted PKI) per session, in a temporary directory."""

from __future__ import annotations

import io
import re
import subprocess

import pytest

from portal.records import pki
from tests.conftest import use_test_pki

TOWNSHIP, COUNTY = "522601101", "522601"
VILLAGE = "522601101201"


@pytest.fixture(scope="session")
def test_pki(tmp_path_factory):
    return pki.create_test_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="session")
def untrusted_pki(tmp_path_factory):
    # Same organisations, same Chinese names, another root that nobody configured as trusted.
    return pki.create_test_pki(tmp_path_factory.mktemp("pki-untrusted"), root_name="冒名根证书")


@pytest.fixture(autouse=True)
def records_settings(settings, test_pki, tmp_path):
    use_test_pki(settings, test_pki, tmp_path / "media")
    yield settings
    pki.clear_cache()


@pytest.fixture
def issue_approval(db):
    """An approval form signed by the township and countersigned by the county (no instance)."""
    from portal.records import samples, service

    def issue(countersign: bool = True, **kwargs):
        record = service.issue("approval_form", samples.approval_form(), jurisdiction=VILLAGE,
                               business_key="DB-2025-0001", signer_name="赵敏", **kwargs)
        if countersign:
            record = service.countersign(record.pk, signer_name="孙伟")
        return record

    return issue


def read_pdf(data: bytes):
    from pyhanko.pdf_utils.reader import PdfFileReader

    return PdfFileReader(io.BytesIO(data), strict=False)


def pdf_text(data: bytes) -> str:
    """The text of a PDF (poppler's pdftotext, one of the project's system packages) without whitespace: the layout
    breaks Chinese lines anywhere."""
    out = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout
    return re.sub(r"\s+", "", out.decode("utf-8"))


def sealed_by(record, *, audited: bool = True) -> list[str]:  # noqa: ANN001 - a Record
    """The organisation named in each signature's certificate, in signing order, as the verification page shows it;
    every signature must be valid and trusted (and the file in the audit chain, unless ``audited`` is false)."""
    from portal.records import service
    from portal.records.verify import verify_bytes

    report = verify_bytes(service.read(record))
    assert (report.ok if audited else report.signatures_ok), "\n".join(report.lines())
    return [s.organisation for s in report.signatures]
