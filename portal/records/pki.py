"""Keys and certificates: the development test PKI and the signers/trust roots read from settings.

The test PKI (``manage.py create_test_pki``) is a root CA → an intermediate CA → one certificate per
organisation (Chinese names), ECDSA P-256, plus a time-stamping authority (RSA), written as PEM (and
PKCS#12 for the organisations) under ``settings.RECORDS_PKI_DIR``. Production configures each
organisation's PKCS#12 or PEM key/certificate in ``settings.RECORDS_SIGNERS`` and the trust roots in
``settings.RECORDS_TRUST_ROOTS``. Organisations are named by their code (``organisations.py``): a township
government or county civil-affairs bureau by its jurisdiction code, another county department by
``<county>-<department>``.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings

# The organisations of the demo cases: Kaili's (522601) civil-affairs, medical-security and emergency-management
# bureaus, and the township 522601101.
DEFAULT_TEST_ORGS = {
    "522601": "凯里市民政局",
    "522601-medical_security": "凯里市医疗保障局",
    "522601-emergency_management": "凯里市应急管理局",
    "522601101": "凯里市舟溪镇人民政府",
}
TEST_PKCS12_PASSPHRASE = b"doudi-dev"


def _name(common: str, org: str | None = None) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "CN")]
    if org:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, common))
    return x509.Name(attrs)


def _write_key(path: Path, key) -> None:
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    path.chmod(0o600)


def _issue(subject: x509.Name, key, issuer: x509.Name, issuer_key, *, ca: bool, path_len: int | None = None,
           eku: list | None = None, years: int = 10) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=path_len if ca else None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
    )
    if ca:
        usage = dict(key_cert_sign=True, crl_sign=True, digital_signature=False, content_commitment=False)
    else:
        usage = dict(key_cert_sign=False, crl_sign=False, digital_signature=True, content_commitment=not eku)
    builder = builder.add_extension(
        x509.KeyUsage(key_encipherment=False, data_encipherment=False, key_agreement=False, encipher_only=False,
                      decipher_only=False, **usage),
        critical=True,
    )
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def create_test_pki(directory: Path, orgs: dict[str, str] | None = None, *, root_name: str = "兜底测试根证书") -> Path:
    """Write a fresh test PKI into ``directory``; returns it. Keys of a PKI there before are replaced: none of them
    would chain to the new root."""
    orgs = orgs or DEFAULT_TEST_ORGS
    directory = Path(directory)
    shutil.rmtree(directory / "orgs", ignore_errors=True)
    (directory / "orgs").mkdir(parents=True)
    curve = ec.SECP256R1()
    root_key = ec.generate_private_key(curve)
    root_subject = _name(root_name, "兜底测试CA")
    root = _issue(root_subject, root_key, root_subject, root_key, ca=True, path_len=1, years=20)
    inter_key = ec.generate_private_key(curve)
    inter_subject = _name(root_name.replace("根", "中级"), "兜底测试CA")
    inter = _issue(inter_subject, inter_key, root_subject, root_key, ca=True, path_len=0)
    for stem, key, cert in (("root", root_key, root), ("intermediate", inter_key, inter)):
        _write_key(directory / f"{stem}.key.pem", key)
        (directory / f"{stem}.cert.pem").write_bytes(_pem(cert))
    tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # pyHanko's local TSA is RSA-only
    tsa = _issue(_name("兜底测试时间戳服务", "兜底测试CA"), tsa_key, inter_subject, inter_key, ca=False,
                 eku=[ExtendedKeyUsageOID.TIME_STAMPING])
    _write_key(directory / "tsa.key.pem", tsa_key)
    (directory / "tsa.cert.pem").write_bytes(_pem(tsa))
    (directory / "orgs.json").write_text("{}", encoding="utf-8")
    add_test_orgs(directory, orgs)
    return directory


def add_test_orgs(directory: Path, orgs: dict[str, str]) -> dict[str, str]:
    """Issue a key and certificate, under the test PKI's intermediate CA, to each organisation of ``orgs`` that has
    none yet (an existing PKI gains the departments that sign now; its keys stay). Returns the ones added."""
    directory = Path(directory)
    inter_key = serialization.load_pem_private_key((directory / "intermediate.key.pem").read_bytes(), None)
    inter = x509.load_pem_x509_certificate((directory / "intermediate.cert.pem").read_bytes())
    listed = directory / "orgs.json"
    known = json.loads(listed.read_text(encoding="utf-8")) if listed.exists() else {}
    added = {}
    for code, name in orgs.items():
        if (directory / "orgs" / f"{code}.key.pem").exists():
            continue
        key = ec.generate_private_key(ec.SECP256R1())
        cert = _issue(_name(name, name), key, inter.subject, inter_key, ca=False)
        _write_key(directory / "orgs" / f"{code}.key.pem", key)
        (directory / "orgs" / f"{code}.cert.pem").write_bytes(_pem(cert))
        p12 = pkcs12.serialize_key_and_certificates(
            code.encode(), key, cert, [inter],
            serialization.BestAvailableEncryption(TEST_PKCS12_PASSPHRASE),
        )
        (directory / "orgs" / f"{code}.p12").write_bytes(p12)
        added[code] = name
    listed.write_text(json.dumps({**known, **added}, ensure_ascii=False, indent=2), encoding="utf-8")
    return added


# --- loading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrgSigner:
    code: str
    name: str
    signer: object  # pyhanko.sign.signers.SimpleSigner
    cert: asn1_x509.Certificate


_cache: dict[tuple, object] = {}
_lock = threading.Lock()


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def _pki_dir() -> Path:
    return Path(settings.RECORDS_PKI_DIR)


def _load_certs(paths: list[str | Path]) -> list[asn1_x509.Certificate]:
    from pyhanko.keys import load_certs_from_pemder

    return list(load_certs_from_pemder([str(p) for p in paths if Path(p).exists()]))


def _org_config(code: str) -> dict:
    configured = settings.RECORDS_SIGNERS.get(code)
    if configured:
        return dict(configured)
    orgs = _pki_dir() / "orgs"
    if (orgs / f"{code}.key.pem").exists():
        return {"key": orgs / f"{code}.key.pem", "cert": orgs / f"{code}.cert.pem"}
    raise LookupError(f"no signing key configured for organisation {code} (RECORDS_SIGNERS, or {orgs}/{code}.key.pem)")


def org_signer(code: str) -> OrgSigner:
    """The organisation's signer (key + certificate + chain), loaded once per process."""
    from pyhanko.sign.signers import SimpleSigner

    config = _org_config(code)
    cache_key = ("signer", code, json.dumps(config, default=str, sort_keys=True))
    with _lock:
        cached = _cache.get(cache_key)
    if cached is not None:
        return cached
    if config.get("pkcs12"):
        passphrase = config.get("passphrase", "")
        signer = SimpleSigner.load_pkcs12(
            str(config["pkcs12"]), passphrase=passphrase.encode() if isinstance(passphrase, str) else passphrase,
            ca_chain_files=[str(p) for p in settings.RECORDS_EXTRA_CERTS if Path(p).exists()] or None,
        )
    else:
        passphrase = config.get("passphrase")
        signer = SimpleSigner.load(
            str(config["key"]), str(config["cert"]),
            key_passphrase=passphrase.encode() if isinstance(passphrase, str) else passphrase,
            ca_chain_files=[str(p) for p in settings.RECORDS_EXTRA_CERTS if Path(p).exists()] or None,
        )
    if signer is None:
        raise LookupError(f"could not load the signing key of organisation {code}")
    cert = signer.signing_cert
    name = config.get("name") or organisation_name(cert)
    result = OrgSigner(code=code, name=name, signer=signer, cert=cert)
    with _lock:
        _cache[cache_key] = result
    return result


def organisation_name(cert: asn1_x509.Certificate) -> str:
    subject = cert.subject.native
    return subject.get("organization_name") or subject.get("common_name") or ""


def trust_roots() -> list[asn1_x509.Certificate]:
    return _load_certs(settings.RECORDS_TRUST_ROOTS)


def extra_certs() -> list[asn1_x509.Certificate]:
    return _load_certs(settings.RECORDS_EXTRA_CERTS)


def validation_context(*, for_signing: bool = False):
    """A fresh pyHanko ValidationContext trusting the configured roots (no network fetching)."""
    from pyhanko_certvalidator import ValidationContext

    return ValidationContext(
        trust_roots=trust_roots(),
        other_certs=extra_certs(),
        allow_fetching=settings.RECORDS_ALLOW_FETCHING,
        revocation_mode="soft-fail",
    )


def timestamper():
    """The configured TSA: ``""`` none, ``"local"`` the test PKI's in-process TSA, else an RFC 3161 URL."""
    url = settings.RECORDS_TSA_URL
    if not url:
        return None
    cache_key = ("tsa", url, str(_pki_dir()))
    with _lock:
        cached = _cache.get(cache_key)
    if cached is not None:
        return cached
    if url == "local":
        directory = _pki_dir()
        if not (directory / "tsa.key.pem").exists():
            return None
        stamper = local_timestamper(directory)
    else:
        from pyhanko.sign.timestamps import HTTPTimeStamper

        stamper = HTTPTimeStamper(url, timeout=settings.RECORDS_TSA_TIMEOUT)
    with _lock:
        _cache[cache_key] = stamper
    return stamper


def local_timestamper(directory: Path):
    """An in-process RFC 3161 TSA with the test PKI's TSA key (development and tests only)."""
    from asn1crypto import cms, core
    from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
    from pyhanko.keys import load_cert_from_pemder, load_private_key_from_pemder
    from pyhanko.sign.general import as_signing_certificate, simple_cms_attribute
    from pyhanko.sign.timestamps import DummyTimeStamper
    from pyhanko_certvalidator.util import get_pyca_cryptography_hash

    class LocalTimeStamper(DummyTimeStamper):
        # pyHanko's DummyTimeStamper re-parses its RSA key for every token (~15 ms); keep it parsed.
        def _sign_tst_info(self, tst_info_data, md_algorithm, dt):  # noqa: ANN001, ANN202 - pyHanko's signature
            digest = hashes.Hash(get_pyca_cryptography_hash(md_algorithm))
            digest.update(tst_info_data)
            signed_attrs = cms.CMSAttributes([
                simple_cms_attribute("content_type", "tst_info"),
                simple_cms_attribute("signing_time", cms.Time({"utc_time": core.UTCTime(dt)})),
                simple_cms_attribute("signing_certificate", as_signing_certificate(self.tsa_cert)),
                simple_cms_attribute("message_digest", digest.finalize()),
            ])
            signature = self._private_key.sign(
                signed_attrs.dump(), PKCS1v15(), get_pyca_cryptography_hash(md_algorithm.upper())
            )
            return signature, signed_attrs

    stamper = LocalTimeStamper(
        tsa_cert=load_cert_from_pemder(str(directory / "tsa.cert.pem")),
        tsa_key=load_private_key_from_pemder(str(directory / "tsa.key.pem"), passphrase=None),
        certs_to_embed=extra_certs(),
    )
    stamper._private_key = serialization.load_pem_private_key((directory / "tsa.key.pem").read_bytes(), None)
    return stamper
